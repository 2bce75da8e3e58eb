"""Face detection and matching on real photos in ../shared/fixtures/faces (skipped when absent)."""
from __future__ import annotations

import importlib.util
import json
import stat
import subprocess
import sys

import numpy as np
import pytest

from postcheck.images.faces import find_faces, model_version, working_scale
from postcheck.images.loader import load_image
from postcheck.images.references import photo_encodings
from postcheck.images.settings import FaceSettings

from conftest import shared_path

SETTINGS = FaceSettings(cache=False)


def faces_in(*parts: str, encode: bool = False, settings: FaceSettings = SETTINGS):
    path = shared_path("fixtures", "faces", *parts)
    image = load_image(path, lambda w, h: working_scale(w, h, settings), settings.max_frames)
    return find_faces(image, settings, encode)


def encoding(*parts: str) -> np.ndarray:
    found = photo_encodings(shared_path("fixtures", "faces", *parts), SETTINGS, model_version(SETTINGS))
    assert len(found) == 1, f"{parts[-1]}: expected one face, found {len(found)}"
    return found[0]


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


@pytest.mark.parametrize("name, expected", [("group_6_faces.jpg", 6), ("group_7_faces.jpg", 7)])
def test_every_small_face_in_group_photos_is_found(name, expected):
    faces = faces_in("groups", name)
    assert len(faces) == expected
    assert all(25 <= f.width <= 70 for f in faces)  # the annotated faces are 37-53 px
    boxes = [(f.left, f.top) for f in faces]
    assert len(set(boxes)) == expected  # no face counted twice


def test_no_face_in_the_dogs_photo():
    assert faces_in("other", "dogs_no_faces.jpg") == []


@pytest.mark.parametrize("other", ["obama2.jpg", "obama3.jpg", "obama-480p.jpg", "obama-1080p.jpg", "obama_small.jpg"])
def test_same_person_matches_across_photos_and_resolutions(other):
    assert distance(encoding("people", "obama", "obama.jpg"), encoding("people", "obama", other)) <= 0.6


@pytest.mark.parametrize("other", ["kit2.jpg", "kit3.jpg"])
def test_same_person_matches_kit(other):
    assert distance(encoding("people", "kit_harington", "kit1.jpg"),
                    encoding("people", "kit_harington", other)) <= 0.6


@pytest.mark.parametrize("person", [("people", "obama", "obama.jpg"), ("people", "kit_harington", "kit1.jpg")])
def test_different_people_do_not_match(person):
    assert distance(encoding(*person), encoding("other", "lin-manuel-miranda.png")) > 0.6


def test_faces_are_found_in_a_12_megapixel_photo_with_boxes_in_original_pixels(tmp_path):
    from PIL import Image

    portrait = Image.open(shared_path("fixtures", "faces", "people", "obama", "obama-480p.jpg")).convert("RGB")
    canvas = Image.new("RGB", (4032, 3024), (90, 120, 90))
    canvas.paste(portrait.resize((1706, 960)), (2000, 1800))  # face of ~230 px far from the origin
    path = tmp_path / "phone.jpg"
    canvas.save(path, quality=90)
    image = load_image(path, lambda w, h: working_scale(w, h, SETTINGS))
    (face,) = find_faces(image, SETTINGS, encode=True)
    assert 2000 < face.left < 3706 and 1800 < face.top < 2760 and 150 < face.width < 350
    assert distance(face.encoding, encoding("people", "obama", "obama.jpg")) <= 0.6


def test_encodings_agree_with_face_recognition():
    """Distances mean what face_recognition's mean: same models, same 5-point encoding.

    postcheck never imports face_recognition; the dev group and the `compare` extra install it for this."""
    if importlib.util.find_spec("face_recognition") is None:
        pytest.skip("face_recognition is not installed (the dev group and the `compare` extra have it)")
    photos = [("people", "obama", "obama-480p.jpg"), ("people", "kit_harington", "kit1.jpg"),
              ("other", "lin-manuel-miranda.png")]
    paths = [str(shared_path("fixtures", "faces", *parts)) for parts in photos]
    script = ("import json, sys, face_recognition as fr; "
              "print(json.dumps([[list(e) for e in fr.face_encodings(fr.load_image_file(p))] for p in sys.argv[1:]]))")
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script, *paths], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for parts, theirs in zip(photos, json.loads(done.stdout)):
        assert len(theirs) == 1, f"{parts[-1]}: face_recognition found {len(theirs)} faces"
        assert distance(encoding(*parts), np.array(theirs[0])) < 0.06, parts[-1]  # boxes differ by a few pixels


def test_reference_cache_is_private_keyed_by_content_and_holds_no_names(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(tmp_path / "cache" / "postcheck"))  # encodings live in the cache folder
    source = shared_path("fixtures", "faces", "people", "obama", "obama_small.jpg")
    photo = tmp_path / "Amelia-Hart.jpg"
    photo.write_bytes(source.read_bytes())
    settings = FaceSettings()
    photo_encodings(photo, settings, model_version(settings))
    folder = tmp_path / "cache" / "postcheck" / "faces"
    (cached,) = folder.glob("*.npy")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert "amelia" not in cached.name.lower() and b"Amelia" not in cached.read_bytes()
    # same content under another name: served from the cache (poisoned here to prove it)
    stored = np.load(cached)
    assert stored.shape == (1, 132)  # the encoding, then the face box (for a reviewer's side-by-side crop)
    stored[:, :128] = 0.5
    np.save(cached, stored, allow_pickle=False)
    again = tmp_path / "copy.jpg"
    again.write_bytes(source.read_bytes())
    assert np.allclose(photo_encodings(again, settings, model_version(settings)), 0.5)
    # another model setting is another key
    other = FaceSettings(jitters=2)
    assert not np.allclose(photo_encodings(again, other, model_version(other)), 0.5)
    assert len(list(folder.glob("*.npy"))) == 2


def test_cnn_detector_option_finds_and_encodes_the_face():
    cnn = FaceSettings(detector="cnn", cache=False)
    (face,) = faces_in("people", "obama", "obama_small.jpg", encode=True, settings=cnn)
    assert distance(face.encoding, encoding("people", "obama", "obama.jpg")) <= 0.6


def _phone_photo(folder) -> object:
    """A 4032x3024 photo (the group photo scaled up, a portrait pasted in): big enough to be tiled."""
    from PIL import Image

    group = Image.open(shared_path("fixtures", "faces", "groups", "group_6_faces.jpg")).convert("RGB")
    scale = 3024 / group.height
    canvas = group.resize((round(group.width * scale), 3024), Image.Resampling.BICUBIC).crop((0, 0, 4032, 3024))
    portrait = Image.open(shared_path("fixtures", "faces", "people", "obama", "obama-480p.jpg")).convert("RGB")
    canvas.paste(portrait.resize((800, 450)), (3100, 2450))
    photo = folder / "photo.jpg"
    canvas.save(photo, quality=90)
    return photo


def test_faces_and_encodings_are_identical_whatever_the_detector_threads(tmp_path, monkeypatch):
    photo = _phone_photo(tmp_path)
    runs = []
    for threads, share in ((1, ""), (2, ""), (4, ""), (0, "1"), (0, "3")):  # share: as --jobs workers set it
        monkeypatch.setenv("POSTCHECK_FACE_THREADS", share)
        settings = FaceSettings(cache=False, threads=threads)
        image = load_image(photo, lambda w, h: working_scale(w, h, settings), settings.max_frames)
        runs.append(find_faces(image, settings, encode=True))
    first = runs[0]
    assert len(first) >= 6
    for other in runs[1:]:
        assert [f.box for f in other] == [f.box for f in first]
        assert all(np.array_equal(a.encoding, b.encoding) for a, b in zip(first, other))
