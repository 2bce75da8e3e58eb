"""postcheck fix on photos: no metadata left, upright, objectors' faces obscured beyond matching, nothing else changed."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFilter, ImageOps, ImageSequence
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.fixer.photos import clean_photo

from conftest import shared_path

runner = CliRunner()
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="51,30.0N" '
       b'Iptc4xmpExt:PersonInImage="Amelia Hart"/></rdf:RDF></x:xmpmeta>')
IPTC = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0f\x1c\x02\x50\x00\x0bAmelia Hart\x00"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = "Amelia Hart"  # Artist
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    exif.get_ifd(0x8769)[0xA431] = "SN-123456"  # body serial number
    if orientation:
        exif[0x0112] = orientation
    return exif


def _scene(size=(320, 240)) -> Image.Image:
    rng = np.random.default_rng(7)
    return Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8), "RGB")


def _with_iptc(jpeg: bytes) -> bytes:
    segment = b"\xff\xed" + (len(IPTC) + 2).to_bytes(2, "big") + IPTC
    return jpeg[:2] + segment + jpeg[2:]


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    with Image.open(path) as image:
        assert len(image.getexif()) == 0
        assert not any(key in image.info for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"))
        assert not getattr(image, "text", {})
    for marker in (b"Exif\x00", b"ns.adobe.com/xap", b"xmpmeta", b"Photoshop 3.0", b"8BIM", b"Amelia", b"SN-123456"):
        assert marker not in data, marker


def fix(folder: Path, *args: str):
    return runner.invoke(app, ["fix", "-c", str(folder / "postcheck.yaml"), *args])


def config(folder: Path, consent: str = "", faces: str = "") -> None:
    text = "school: Test School\naccount: school\n"
    if consent:
        (folder / "consent_list.yaml").write_text(consent, encoding="utf-8")
        text += "consent_list: consent_list.yaml\n"
    (folder / "postcheck.yaml").write_text(text + faces, encoding="utf-8")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- metadata -------------------------------------------------------------------------------------

def test_jpeg_copy_has_no_metadata_keeps_the_colour_profile_and_every_pixel(tmp_path):
    config(tmp_path)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    _scene().save(buffer, "JPEG", exif=_exif(), xmp=XMP, comment=b"Amelia Hart at sports day", icc_profile=icc)
    photo = tmp_path / "day.jpg"
    photo.write_bytes(_with_iptc(buffer.getvalue()) + b"trailing preview Amelia Hart")
    original = digest(photo)
    result = fix(tmp_path, str(photo))
    assert result.exit_code == 0, result.output
    copy = tmp_path / "day.cleaned.jpg"
    assert_no_metadata(copy)
    with Image.open(copy) as clean, Image.open(photo) as before:
        assert clean.info.get("icc_profile") == icc
        assert np.array_equal(np.asarray(clean), np.asarray(before))  # the compressed picture is copied as it was
    assert digest(photo) == original and "check of the copy: PASS" in result.output


def test_sideways_jpeg_is_turned_upright_in_the_copy(tmp_path):
    config(tmp_path)
    upright = _scene((240, 160)).filter(ImageFilter.GaussianBlur(3))
    photo = tmp_path / "phone.jpg"
    upright.transpose(Image.Transpose.ROTATE_90).save(photo, exif=_exif(orientation=6), quality=95)
    assert fix(tmp_path, str(photo)).exit_code == 0
    copy = tmp_path / "phone.cleaned.jpg"
    assert_no_metadata(copy)
    with Image.open(copy) as clean, Image.open(photo) as before:
        expected = np.asarray(ImageOps.exif_transpose(before), dtype=np.int16)
        assert clean.size == (240, 160)
        assert np.abs(np.asarray(clean, dtype=np.int16) - expected).mean() < 2.0


def test_png_copy_has_no_text_chunks_or_exif_and_identical_pixels(tmp_path):
    from PIL import PngImagePlugin

    config(tmp_path)
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Amelia Hart")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    photo = tmp_path / "art.png"
    _scene().save(photo, pnginfo=info, exif=_exif())
    assert fix(tmp_path, str(photo)).exit_code == 0
    copy = tmp_path / "art.cleaned.png"
    assert_no_metadata(copy)
    with Image.open(copy) as clean, Image.open(photo) as before:
        assert np.array_equal(np.asarray(clean), np.asarray(before))


def _frames(path: Path) -> list[np.ndarray]:
    with Image.open(path) as image:
        return [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(image)]


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_every_frame_of_an_animation_is_obscured_where_the_face_was(tmp_path, suffix):
    colours = [(30, 60, 90), (200, 40, 40), (200, 40, 40), (40, 200, 40)]
    frames = []
    for colour in colours:
        frame = Image.new("RGB", (160, 120), colour)
        for x in range(0, 160, 8):  # stripes: detail a blur must remove
            frame.paste((250, 250, 250), (x, 40, x + 4, 80))
        frame.putpixel((0, len(frames)), (0, 0, 0))  # frames 1 and 2 differ by one pixel: one scene, two frames
        frames.append(frame)
    photo = tmp_path / f"slides{suffix}"
    extra = {"lossless": True, "exif": _exif()} if suffix == ".webp" else {"comment": b"Amelia Hart"}
    frames[0].save(photo, save_all=True, append_images=frames[1:], duration=200, loop=0, **extra)
    box = (60, 40, 40, 40)  # the face the check found in frame 1 (frame 2 repeats it, so was not analysed)
    data, result = clean_photo(photo, {1: [box]})
    copy = tmp_path / f"slides.cleaned{suffix}"
    copy.write_bytes(data)
    assert_no_metadata(copy)
    before, after = _frames(photo), _frames(copy)
    assert len(after) == 4 and {r[0] for r in result.regions} == {1, 2}
    (x0, y0, x1, y1) = result.regions[0][1:]
    assert x0 < 60 and y0 < 40 and x1 > 100 and y1 > 80  # the box with a margin
    for index, (old, new) in enumerate(zip(before, after)):
        outside = np.ones(old.shape[:2], bool)
        if index in (1, 2):
            outside[y0:y1, x0:x1] = False
            # the stripes across the face are gone: along a row of the box, the picture is nearly flat
            assert new[60, 60:100].std(axis=0).max() < old[60, 60:100].std(axis=0).max() / 4
        assert np.array_equal(new[outside], old[outside])  # a lossless original gets a lossless copy


# --- faces (real photos in ../shared) -------------------------------------------------------------

def obama(name: str) -> Path:
    return shared_path("fixtures", "faces", "people", "obama", name)


CONSENT = "learners:\n  - id: L0042\n    name: Amelia Hart\n    objection: photos\n    photos: [{ref}]\n"


def _faces(path: Path, encode: bool = True):
    from postcheck.images.faces import find_faces, working_scale
    from postcheck.images.loader import load_image
    from postcheck.images.settings import FaceSettings

    settings = FaceSettings(cache=False)
    return find_faces(load_image(path, lambda w, h: working_scale(w, h, settings)), settings, encode)


def _reference() -> np.ndarray:
    (face,) = _faces(obama("obama.jpg"))
    return face.encoding


def _nearest(path: Path, reference: np.ndarray) -> float:
    distances = [float(np.linalg.norm(face.encoding - reference)) for face in _faces(path)]
    return min(distances, default=9.0)


def _png_with_metadata(source: Path, target: Path, paste_on: Path | None = None) -> Path:
    image = Image.open(source).convert("RGB")
    if paste_on is not None:  # the group photo with the learner's portrait beside it
        group = Image.open(paste_on).convert("RGB")
        portrait = image.resize((image.width * group.height // image.height, group.height))
        image = Image.new("RGB", (group.width + portrait.width, group.height))
        image.paste(group, (0, 0))
        image.paste(portrait, (group.width, 0))
    image.save(target, exif=_exif())
    return target


def test_objecting_learners_face_is_obscured_beyond_matching_and_nothing_else_changes(tmp_path):
    config(tmp_path, CONSENT.format(ref=obama("obama.jpg")))
    photo = _png_with_metadata(obama("obama2.jpg"), tmp_path / "assembly.png")
    draft = tmp_path / "post.md"
    draft.write_text("Assembly today.\n\n![Assembly](assembly.png)\n", encoding="utf-8")
    originals = {p: digest(p) for p in (photo, draft)}
    reference = _reference()
    assert _nearest(photo, reference) <= 0.6
    result = fix(tmp_path, str(draft))
    assert result.exit_code == 0, result.output
    assert "1 face obscured" in result.output and "check of the copy: PASS" in result.output
    copy = tmp_path / "assembly.cleaned.png"
    assert (tmp_path / "post.cleaned.md").read_text(encoding="utf-8") == "Assembly today.\n\n![Assembly](assembly.cleaned.png)\n"
    assert_no_metadata(copy)
    assert _nearest(copy, reference) > 0.7  # not found, or nothing like the learner
    sharpened = tmp_path / "sharpened.png"
    Image.open(copy).filter(ImageFilter.UnsharpMask(radius=4, percent=300, threshold=0)).save(sharpened)
    assert _nearest(sharpened, reference) > 0.7  # and sharpening does not bring the face back
    before, after = np.asarray(Image.open(photo)), np.asarray(Image.open(copy))
    changed = np.argwhere((before != after).any(axis=2))
    (face,) = _faces(photo, encode=False)
    top, left = changed.min(axis=0)
    bottom, right = changed.max(axis=0)
    # only the face box and its margin changed: every other pixel is identical
    assert left >= face.left - face.width * 0.35 and right <= face.left + face.width * 1.35
    assert top >= face.top - face.height * 0.35 and bottom <= face.top + face.height * 1.35
    assert {p: digest(p) for p in originals} == originals


def test_only_the_objectors_face_is_obscured_in_a_group_photo(tmp_path):
    config(tmp_path, CONSENT.format(ref=obama("obama.jpg")))
    group = shared_path("fixtures", "faces", "groups", "group_7_faces.jpg")
    photo = _png_with_metadata(obama("obama-480p.jpg"), tmp_path / "team.png", paste_on=group)
    result = fix(tmp_path, str(photo))
    assert result.exit_code == 0, result.output
    copy = tmp_path / "team.cleaned.png"
    before = {(f.left, f.top, f.width) for f in _faces(photo, encode=False)}
    after = {(f.left, f.top, f.width) for f in _faces(copy, encode=False)}
    assert len(before) >= 8 and after < before and len(before - after) == 1  # the others are found as before


def test_possible_matches_are_obscured_only_when_asked(tmp_path):
    config(tmp_path, CONSENT.format(ref=obama("obama.jpg")), "faces:\n  tolerance: 0.3\n  possible: 0.7\n")
    photo = _png_with_metadata(obama("obama2.jpg"), tmp_path / "trip.png")  # distance ~0.34: a possible match
    result = fix(tmp_path, str(photo))
    assert "face obscured" not in result.output and "still to fix by hand" in result.output
    assert "objected-image" in result.output and "check of the copy: REVIEW" in result.output
    result = fix(tmp_path, str(photo), "--blur", "possible")
    assert "1 face obscured" in result.output and "check of the copy: PASS" in result.output


def test_objector_in_an_animation_is_obscured_in_every_frame_and_the_copy_passes(tmp_path):
    config(tmp_path, CONSENT.format(ref=obama("obama.jpg")))
    face = Image.open(obama("obama_small.jpg")).convert("RGB")
    frames = [Image.new("RGB", face.size, (90, 140, 90)) for _ in range(3)] + [face, face.copy()]
    for index, frame in enumerate(frames):
        frame.putpixel((0, index), (0, 0, 0))  # no two frames alike, or the GIF writer merges them
    photo = tmp_path / "slideshow.gif"
    frames[0].save(photo, save_all=True, append_images=frames[1:], duration=200, loop=0)
    result = fix(tmp_path, str(photo))
    assert result.exit_code == 0, result.output
    assert "check of the copy: PASS" in result.output
    copy = tmp_path / "slideshow.cleaned.gif"
    before, after = _frames(photo), _frames(copy)
    assert len(after) == 5
    assert all(np.array_equal(a, b) for a, b in zip(before[:3], after[:3]))
    assert all(not np.array_equal(a, b) for a, b in zip(before[3:], after[3:]))


def test_phone_mpo_loses_its_preview_pictures_and_keeps_the_main_one(tmp_path):
    photo = tmp_path / "phone.jpg"
    _scene().save(photo, "MPO", save_all=True, append_images=[_scene((160, 120))], exif=_exif())
    with Image.open(photo) as image:
        assert image.format == "MPO" and image.n_frames == 2
        first = np.asarray(image.convert("RGB"))
    data, result = clean_photo(photo, {})
    copy = tmp_path / "phone.cleaned.jpg"
    copy.write_bytes(data)
    assert result.lossless and data.count(b"\xff\xd8\xff") == 1  # one picture: the previews are gone
    assert_no_metadata(copy)
    with Image.open(copy) as clean:
        assert clean.format == "JPEG" and np.array_equal(np.asarray(clean), first)


def test_check_of_a_stripped_copy_finds_what_a_fresh_check_of_it_finds(tmp_path):
    import json

    kit = shared_path("fixtures", "faces", "people", "kit_harington", "kit1.jpg")
    config(tmp_path, CONSENT.format(ref=kit))
    photo = tmp_path / "visit.jpg"
    Image.open(obama("obama2.jpg")).save(photo, exif=_exif(), quality=90)
    fixed = json.loads(fix(tmp_path, str(photo), "--format", "json").output)
    (post,) = fixed["posts"]
    assert post["verdict_before"] == "fail" and post["verdict_after"] == "pass"
    assert post["changes"][0]["picture_copied_losslessly"] is True
    fresh = json.loads(runner.invoke(app, ["check", "-c", str(tmp_path / "postcheck.yaml"), "--no-cache",
                                           "--format", "json", str(tmp_path / "visit.cleaned.jpg")]).output)
    assert post["findings_after"] == fresh["posts"][0]["findings"]
    assert post["checked_after"] == fresh["posts"][0]["checked"]
    assert any("1 face checked" in c["message"] for c in post["checked_after"])


def _outside(shape: tuple[int, ...], regions) -> np.ndarray:
    mask = np.ones(shape[:2], bool)
    for x0, y0, x1, y1 in regions:
        mask[y0:y1, x0:x1] = False
    return mask


def _blocks_outside(before: Path, after: Path, regions, ring: int) -> tuple[int, int]:
    """(blocks that differ outside the regions less their ring, blocks that differ inside), over every component."""
    import jpeglib

    old, new = jpeglib.read_dct(str(before)), jpeglib.read_dct(str(after))
    outside_diff = inside_diff = 0
    for index, name in enumerate(("Y", "Cb", "Cr")):
        a, b = getattr(old, name), getattr(new, name)
        if a is None:  # greyscale
            break
        assert a.shape == b.shape
        rows, cols = a.shape[:2]
        size = (8, 8) if index == 0 else (8 * old.samp_factor[0][1], 8 * old.samp_factor[0][0])  # px per block (x, y)
        inside = np.zeros((rows, cols), bool)
        for x0, y0, x1, y1 in regions:
            x0, y0, x1, y1 = x0 + ring, y0 + ring, x1 - ring, y1 - ring
            inside[y0 // size[1]:-(-y1 // size[1]), x0 // size[0]:-(-x1 // size[0])] = True
        differs = (a != b).any(axis=(2, 3))
        outside_diff += int(differs[~inside].sum())
        inside_diff += int(differs[inside].sum())
    return outside_diff, inside_diff


@pytest.mark.parametrize("subsampling", [0, 1, 2, "grey"])  # 4:4:4, 4:2:2, 4:2:0, one component
def test_obscured_jpeg_keeps_every_block_and_pixel_outside_the_faces(tmp_path, subsampling):
    scene = _scene((333, 250)).filter(ImageFilter.GaussianBlur(1))
    if subsampling == "grey":
        scene, subsampling = scene.convert("L"), 0
    photo = tmp_path / "hall.jpg"
    scene.save(photo, "JPEG", quality=85, subsampling=subsampling, exif=_exif(), comment=b"Amelia Hart",
               progressive=subsampling == 1)
    boxes = [(101, 77, 40, 40), (250, 180, 60, 60)]  # the second runs off the right and bottom edges
    data, result = clean_photo(photo, {0: boxes})
    copy = tmp_path / "hall.cleaned.jpg"
    copy.write_bytes(data)
    assert result.blocks_kept and not result.lossless
    assert_no_metadata(copy)
    regions = [r[1:] for r in result.regions]
    ring = 1 if subsampling else 0  # the decoder's chroma upsampling reads one neighbouring sample
    mcu = (8 * (1, 2, 2)[subsampling], 8 * (1, 1, 2)[subsampling])
    for (x0, y0, x1, y1), (left, top, w, h) in zip(regions, boxes):
        assert (x0 + ring) % mcu[0] == 0 and (y0 + ring) % mcu[1] == 0  # whole MCUs, plus the ring
        assert x0 < left - w * 0.3 + 1 and y0 < top - h * 0.3 + 1 and x1 >= min(333, left + w * 1.3)
    before, after = np.asarray(Image.open(photo)), np.asarray(Image.open(copy))
    outside = _outside(before.shape, regions)
    assert np.array_equal(before[outside], after[outside])  # every pixel outside the regions, exactly
    assert (before[~outside] != after[~outside]).reshape(int((~outside).sum()), -1).any(axis=1).mean() > 0.5
    changed_outside, changed_inside = _blocks_outside(photo, copy, regions, ring)
    assert changed_outside == 0 and changed_inside > 0  # the coefficients themselves, block by block
    # fix hands over the pixels its check decoded: the very same copy, with no second decode
    from postcheck.images.loader import load_image

    decoded = load_image(photo)
    assert clean_photo(photo, {0: boxes}, decoded=decoded)[0] == data
    if scene.mode == "RGB":  # its pixels are the ones used (a greyscale file is decoded here: the check's are RGB)
        decoded.frames[0].paste((0, 0, 0), (101, 77, 141, 117))
        assert clean_photo(photo, {0: boxes}, decoded=decoded)[0] != data
    if subsampling == 2:  # decoded smaller than the file (as for a very large photo): decoded here again
        small = load_image(photo, lambda w, h: 0.4)
        assert small.frames[0].size != (333, 250) and clean_photo(photo, {0: boxes}, decoded=small)[0] == data


def test_overlapping_faces_are_obscured_as_in_the_whole_picture():
    """Only the areas around faces become arrays; faces whose areas overlap share one, in the boxes' order."""
    from postcheck.fixer.jpeg_blocks import _obscured
    from postcheck.fixer.obscure import obscure

    scene = _scene((400, 300)).filter(ImageFilter.GaussianBlur(2))
    boxes = [(100, 80, 60, 60), (140, 100, 60, 60), (300, 200, 50, 50), (0, 0, 20, 20)]
    whole = np.array(scene)
    for box in boxes:
        obscure(whole, box)
    clusters = list(_obscured(scene, boxes, (16, 16)))
    assert len(clusters) == 3  # the first two faces' areas overlap
    for (x0, y0, x1, y1), pixels in clusters:
        assert np.array_equal(pixels, whole[y0:y1, x0:x1])
    assert np.array_equal(np.array(scene), np.asarray(_scene((400, 300)).filter(ImageFilter.GaussianBlur(2))))


def test_objector_in_a_jpeg_group_photo_is_obscured_the_rest_is_bit_for_bit_and_the_proof_holds(tmp_path):
    import json

    config(tmp_path, CONSENT.format(ref=obama("obama.jpg")))
    group = shared_path("fixtures", "faces", "groups", "group_7_faces.jpg")
    png = _png_with_metadata(obama("obama-480p.jpg"), tmp_path / "team.png", paste_on=group)
    photo = tmp_path / "team.jpg"
    Image.open(png).convert("RGB").save(photo, "JPEG", quality=90, exif=_exif())
    png.unlink()
    reference = _reference()
    assert _nearest(photo, reference) <= 0.6
    fixed = json.loads(fix(tmp_path, str(photo), "--format", "json").output)
    (post,) = fixed["posts"]
    (change,) = post["changes"]
    assert post["verdict_before"] == "fail" and post["verdict_after"] == "pass"
    assert change["other_blocks_kept"] is True and len(change["regions"]) == 1
    copy = tmp_path / "team.cleaned.jpg"
    assert_no_metadata(copy)
    assert _nearest(copy, reference) > 0.7  # the objector is not found, or nothing like the learner
    regions = [r[1:] for r in change["regions"]]
    before, after = np.asarray(Image.open(photo)), np.asarray(Image.open(copy))
    outside = _outside(before.shape, regions)
    assert np.array_equal(before[outside], after[outside])
    assert _blocks_outside(photo, copy, regions, 1)[0] == 0
    others_before = {(f.left, f.top, f.width) for f in _faces(photo, encode=False)}
    others_after = {(f.left, f.top, f.width) for f in _faces(copy, encode=False)}
    assert len(others_before) >= 8 and others_after < others_before and len(others_before - others_after) == 1
    # the proof found faces afresh only around the blurred region: it must say what a fresh check says
    fresh = json.loads(runner.invoke(app, ["check", "-c", str(tmp_path / "postcheck.yaml"), "--no-cache",
                                           "--format", "json", str(copy)]).output)
    assert post["findings_after"] == fresh["posts"][0]["findings"]
    assert post["checked_after"] == fresh["posts"][0]["checked"]


@pytest.mark.parametrize("tampered", [False, True])
def test_the_proof_reuses_faces_only_where_the_copys_own_pixels_are_the_originals(tmp_path, monkeypatch, tampered):
    from postcheck.config import load_config
    from postcheck.images import faces as faces_module
    from postcheck.images.store import ImageStore

    config(tmp_path, CONSENT.format(ref=obama("obama.jpg")))
    photo, copy = tmp_path / "a.jpg", tmp_path / "a.cleaned.png"
    Image.open(obama("obama2.jpg")).convert("RGB").save(photo, quality=90)
    store = ImageStore(load_config(tmp_path / "postcheck.yaml"))
    (face,) = store.scan(photo).faces
    pixels = np.array(Image.open(photo))
    if tampered:  # a corner far from the face: never what fix changes
        pixels[:4, :4] = 255 - pixels[:4, :4]
    Image.fromarray(pixels).save(copy)
    full = faces_module.find_faces
    calls: list[str] = []
    monkeypatch.setattr(faces_module, "find_faces", lambda *a, **k: calls.append("full") or full(*a, **k))
    store.patched(photo, copy, [(face.left, face.top, face.left + face.width, face.top + face.height)])
    (again,) = store.scan(copy).faces
    assert calls == (["full"] if tampered else [])  # nothing is reused unless the rest is the very same pixels
    assert abs(again.left - face.left) <= 4 and abs(again.width - face.width) <= 4
    assert float(np.linalg.norm(again.encoding - face.encoding)) < 0.05


def test_unreadable_photo_gets_no_copy_and_its_problems_stay_by_hand(tmp_path):
    config(tmp_path)
    buffer = io.BytesIO()
    _scene().save(buffer, "JPEG", exif=_exif())
    photo = tmp_path / "cut.jpg"
    photo.write_bytes(buffer.getvalue()[:3000])
    result = fix(tmp_path, str(photo))
    assert result.exit_code == 1 and "cannot make a clean copy" in result.output
    assert "still to fix by hand" in result.output and not (tmp_path / "cut.cleaned.jpg").exists()
