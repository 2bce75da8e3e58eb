"""The image rules end to end: unreadable images, metadata, learner photos and the consent list."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from postcheck.config import Config, ConfigError, ConsentEntry, ConsentList, load_config
from postcheck.engine import Engine
from postcheck.model import Severity, Verdict
from postcheck.posts import load_draft

from conftest import shared_path


def draft_with(tmp_path: Path, *images: Path, account: str = "school") -> Path:
    """A draft showing ``images``; each is copied beside it first (a draft's images must be under its folder)."""
    import shutil

    names = []
    for image in images:
        if image.parent.resolve() != tmp_path.resolve():
            shutil.copyfile(image, tmp_path / image.name)
        names.append(image.name)
    body = "Sports day!\n\n" + "\n".join(f"![photo]({name})" for name in names)
    path = tmp_path / "post.md"
    path.write_text(f"---\naccount: {account}\n---\n{body}\n", encoding="utf-8")
    return path


def check(config: Config, draft: Path):
    engine = Engine(config)
    result = engine.check_post(load_draft(draft, default_account=config.account))
    return result, engine.ctx.notices


def of(result, rule: str):
    return [f for f in result.findings if f.rule == rule]


def consent(tmp_path: Path, *entries: ConsentEntry) -> ConsentList:
    return ConsentList(tmp_path / "consent_list.yaml", tuple(entries))


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(tmp_path / "cache" / "postcheck"))


# --- image-unreadable -------------------------------------------------------------------------

def test_truncated_image_fails_the_post_with_one_line(tmp_path):
    buffer = io.BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(buffer, "JPEG")
    photo = tmp_path / "cut.jpg"
    photo.write_bytes(buffer.getvalue()[:3000])
    result, _ = check(Config(), draft_with(tmp_path, photo))
    (finding,) = of(result, "image-unreadable")
    assert finding.category == "input-error" and finding.severity is Severity.ERROR
    assert finding.path.endswith("cut.jpg") and "truncated" in finding.message and "\n" not in finding.message
    assert result.verdict is Verdict.FAIL


def test_text_file_posing_as_image_is_an_input_error(tmp_path):
    photo = tmp_path / "notes.png"
    photo.write_text("not a picture", encoding="utf-8")
    result, _ = check(Config(), draft_with(tmp_path, photo))
    assert [f.category for f in of(result, "image-unreadable")] == ["input-error"]


def test_clean_generated_image_passes(tmp_path):
    photo = tmp_path / "field.png"
    Image.new("RGB", (320, 240), (40, 160, 40)).save(photo)
    result, notices = check(Config(), draft_with(tmp_path, photo))
    assert result.verdict is Verdict.PASS, [f.message for f in result.findings]


# --- image-metadata ----------------------------------------------------------------------------

def _jpeg(path: Path, exif: Image.Exif | None = None, **extra) -> Path:
    Image.new("RGB", (64, 48), (200, 200, 200)).save(path, exif=exif if exif is not None else Image.Exif(), **extra)
    return path


def test_gps_in_exif_is_an_error(tmp_path):
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    result, _ = check(Config(), draft_with(tmp_path, _jpeg(tmp_path / "trip.jpg", exif)))
    (finding,) = of(result, "image-metadata")
    assert finding.severity is Severity.ERROR and "GPS" in finding.message and "51" not in finding.message


@pytest.mark.parametrize("tag, label", [(0x013B, "Artist"), (0x9C9D, "XPAuthor")])
def test_names_in_exif_are_a_warning_without_the_value(tmp_path, tag, label):
    exif = Image.Exif()
    exif[tag] = "Amelia Hart" if tag == 0x013B else "Amelia Hart".encode("utf-16-le")
    result, _ = check(Config(), draft_with(tmp_path, _jpeg(tmp_path / "named.jpg", exif)))
    (finding,) = of(result, "image-metadata")
    assert finding.severity is Severity.WARNING and label in finding.message
    assert "Amelia" not in finding.message and "Amelia" not in finding.match


def test_camera_serial_is_a_warning(tmp_path):
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA431] = "SN-123456"
    result, _ = check(Config(), draft_with(tmp_path, _jpeg(tmp_path / "serial.jpg", exif)))
    assert [f.severity for f in of(result, "image-metadata")] == [Severity.WARNING]


def test_xmp_face_regions_and_gps_are_found(tmp_path):
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="51,30.0N">'
           b'<mwg-rs:Regions><mwg-rs:RegionList><rdf:Bag><rdf:li mwg-rs:Type="Face" mwg-rs:Name="A"/>'
           b'</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions></rdf:Description></rdf:RDF></x:xmpmeta>')
    photo = _jpeg(tmp_path / "tagged.jpg", xmp=xmp)
    result, _ = check(Config(), draft_with(tmp_path, photo))
    (finding,) = of(result, "image-metadata")  # one finding per photo, listing everything in it
    assert finding.severity is Severity.ERROR
    assert finding.details["metadata"] == ["XMP GPS", "XMP face regions / people tags"]
    assert "XMP GPS" in finding.message and "also XMP face regions" in finding.message


def test_several_kinds_of_metadata_make_one_finding_per_photo(tmp_path):
    exif = Image.Exif()
    exif[0x013B] = "Jo Bloggs"
    exif.get_ifd(0x8769)[0xA431] = "SN-123456"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description><dc:creator>J</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>'
    first = _jpeg(tmp_path / "one.jpg", exif, xmp=xmp)
    second = _jpeg(tmp_path / "two.jpg", exif)
    result, _ = check(Config(), draft_with(tmp_path, first, second))
    findings = of(result, "image-metadata")
    assert [(Path(f.path).name, f.severity) for f in findings] == [("one.jpg", Severity.WARNING), ("two.jpg", Severity.WARNING)]
    assert findings[0].details["metadata"] == ["EXIF Artist (photographer's name)",
                                               "EXIF BodySerialNumber (camera serial number)", "XMP dc:creator (author's name)"]
    assert "Artist" in findings[0].message and "serial" in findings[0].message and "dc:creator" in findings[0].message
    assert "Jo Bloggs" not in findings[0].message


def test_bundled_example_photo_carries_gps(tmp_path):
    from conftest import ROOT

    result, _ = check(Config(), draft_with(tmp_path, ROOT / "examples" / "relay.jpg"))
    assert [f.severity for f in of(result, "image-metadata")] == [Severity.ERROR]


# --- faces: learner-photo and objected-image (real photos) ---------------------------------------

def test_personal_account_photo_with_a_face_fails(tmp_path):
    photo = shared_path("fixtures", "faces", "people", "kit_harington", "kit2.jpg")
    result, _ = check(Config(account="personal"), draft_with(tmp_path, photo, account="personal"))
    (finding,) = of(result, "learner-photo")
    assert finding.severity is Severity.ERROR and "4.10" in finding.clauses and "personal" in finding.message


def test_school_photo_with_faces_and_no_consent_list_needs_review(tmp_path):
    photo = shared_path("fixtures", "faces", "groups", "group_6_faces.jpg")
    result, notices = check(Config(), draft_with(tmp_path, photo))
    (finding,) = of(result, "learner-photo")
    assert finding.severity is Severity.WARNING and "consent cannot be checked" in finding.message
    assert finding.details["face_count"] == 6 and len(finding.details["faces"]) == 6 and result.verdict is Verdict.REVIEW
    assert any("consent list not configured" in n for n in notices)


def test_photo_without_faces_is_not_a_learner_photo(tmp_path):
    photo = shared_path("fixtures", "faces", "other", "dogs_no_faces.jpg")
    result, _ = check(Config(account="personal"), draft_with(tmp_path, photo, account="personal"))
    assert not of(result, "learner-photo")


def obama(name: str) -> Path:
    return shared_path("fixtures", "faces", "people", "obama", name)


def test_objected_learner_is_found_and_named_by_id_and_initials_only(tmp_path):
    entry = ConsentEntry("L0042", "Amelia Hart", "photos", (obama("obama.jpg"),))
    config = Config(consent_list=consent(tmp_path, entry))
    result, _ = check(config, draft_with(tmp_path, obama("obama2.jpg")))
    (finding,) = of(result, "objected-image")
    assert finding.severity is Severity.ERROR and finding.category == "objected-image"
    assert finding.path.endswith("obama2.jpg") and set(finding.clauses) == {"7.2", "6.3(e)"}
    assert "L0042" in finding.message and "A.H." in finding.message and "distance" in finding.message
    assert "Amelia" not in finding.message + finding.match + str(finding.details)
    details = finding.details
    assert details["learner"] == "L0042" and details["initials"] == "A.H." and details["distance"] <= 0.6
    assert len(details["box"]) == 4 and details["box"][2] > 100


def test_nearest_of_several_reference_photos_is_used(tmp_path):
    kit = shared_path("fixtures", "faces", "people", "kit_harington", "kit1.jpg")
    entry = ConsentEntry("L0042", "Amelia Hart", "all", (kit, obama("obama.jpg")))
    result, _ = check(Config(consent_list=consent(tmp_path, entry)), draft_with(tmp_path, obama("obama-480p.jpg")))
    (finding,) = of(result, "objected-image")
    assert finding.details["distance"] < 0.2  # the obama reference, not the nearer-by-list-order kit one


def test_possible_match_band_is_a_warning(tmp_path):
    entry = ConsentEntry("L0042", "Amelia Hart", "photos", (obama("obama.jpg"),))
    config = Config(consent_list=consent(tmp_path, entry), sections={"faces": {"tolerance": 0.3, "possible": 0.7}})
    result, _ = check(config, draft_with(tmp_path, obama("obama2.jpg")))  # distance ~0.34
    (finding,) = of(result, "objected-image")
    assert finding.severity is Severity.WARNING and "check by eye" in finding.message
    assert result.verdict is Verdict.REVIEW


def test_other_people_and_name_only_objections_are_not_matched(tmp_path):
    entries = (ConsentEntry("L0042", "Amelia Hart", "photos", (obama("obama.jpg"),)),
               ConsentEntry("L0050", "Robin Blake", "name", (obama("obama2.jpg"),)))
    kit = shared_path("fixtures", "faces", "people", "kit_harington", "kit3.jpg")
    result, _ = check(Config(consent_list=consent(tmp_path, *entries)), draft_with(tmp_path, kit))
    assert of(result, "objected-image") == [] and result.findings == ()
    assert result.verdict is Verdict.PASS
    (checked,) = result.checked  # what was looked at is still said, as a record, not a finding
    assert checked.rule == "objected-image" and checked.path.endswith("kit3.jpg")
    assert checked.details["face_count"] == 1 and "no match" in checked.message


@pytest.mark.parametrize("reference, problem", [
    (("other", "dogs_no_faces.jpg"), "no face found"),
    (("groups", "group_7_faces.jpg"), "7 faces"),
])
def test_unusable_reference_photo_is_reported_and_posts_with_faces_need_review(tmp_path, reference, problem):
    entry = ConsentEntry("L0042", "Amelia Hart", "photos", (shared_path("fixtures", "faces", *reference),))
    config = Config(consent_list=consent(tmp_path, entry))
    result, notices = check(config, draft_with(tmp_path, obama("obama_small.jpg")))
    assert any(problem in n and "L0042" in n and "Amelia" not in n for n in notices), notices
    (finding,) = of(result, "objected-image")
    assert finding.severity is Severity.WARNING and "cannot be checked" in finding.message
    assert result.verdict is Verdict.REVIEW


def test_learner_without_reference_photo_does_not_affect_photos_without_faces(tmp_path):
    entry = ConsentEntry("L0007", "Priya Raman", "all", ())
    dogs = shared_path("fixtures", "faces", "other", "dogs_no_faces.jpg")
    result, notices = check(Config(consent_list=consent(tmp_path, entry)), draft_with(tmp_path, dogs))
    assert result.verdict is Verdict.PASS and any("L0007" in n for n in notices)


# --- faces: settings ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ("faces:\n  tolerance: 2\n", "faces.tolerance"),
    ("faces:\n  detector: fast\n", "faces.detector"),
    ("faces:\n  tolerance: 0.6\n  possible: 0.5\n", "faces.possible"),
    ("faces:\n  tolerence: 0.5\n", "faces.tolerence"),
    ("faces:\n  jitters: many\n", "faces.jitters"),
])
def test_bad_face_settings_are_one_line_config_errors(tmp_path, text, key):
    path = tmp_path / "postcheck.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message and f"[{key}]" in message and message.startswith(f"{path}:")


def test_good_face_settings_load(tmp_path):
    path = tmp_path / "postcheck.yaml"
    path.write_text("faces:\n  tolerance: 0.55\n  possible: 0.65\n  detector: cnn\n  min_face: 40\n", encoding="utf-8")
    from postcheck.images.settings import face_settings

    settings = face_settings(load_config(path).section("faces"))
    assert (settings.tolerance, settings.possible, settings.detector, settings.min_face) == (0.55, 0.65, "cnn", 40)


def test_learner_in_a_late_animation_frame_is_caught(tmp_path):
    face = Image.open(obama("obama_small.jpg")).convert("RGB")
    frames = [Image.new("RGB", face.size, (90, 140, 90)) for _ in range(4)]
    frames[1].putpixel((0, 0), (0, 0, 0))
    frames.append(face)
    gif = tmp_path / "slideshow.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=200, loop=0)
    entry = ConsentEntry("L0042", "Amelia Hart", "photos", (obama("obama.jpg"),))
    result, _ = check(Config(consent_list=consent(tmp_path, entry)), draft_with(tmp_path, gif))
    (finding,) = of(result, "objected-image")
    assert finding.severity is Severity.ERROR and finding.details["frame"] >= 3 and "frame" in finding.message


def test_sideways_phone_photo_is_turned_upright_before_matching(tmp_path):
    upright = Image.open(obama("obama-480p.jpg")).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90° clockwise
    sideways = tmp_path / "sideways.jpg"
    upright.transpose(Image.Transpose.ROTATE_90).save(sideways, exif=exif, quality=92)
    entry = ConsentEntry("L0042", "Amelia Hart", "photos", (obama("obama.jpg"),))
    result, _ = check(Config(consent_list=consent(tmp_path, entry)), draft_with(tmp_path, sideways))
    (finding,) = of(result, "objected-image")
    assert finding.severity is Severity.ERROR
    left, top, width, height = finding.details["box"]
    assert left + width <= upright.width and top + height <= upright.height  # box in upright pixels
