"""Finding and encoding faces with dlib directly: HOG (or CNN) detection, 5-point landmarks, ResNet encodings.

The encodings are computed exactly as face_recognition computes them (same model files, 5-point
shape, ``compute_face_descriptor``), so distances and the usual 0.6 tolerance mean the same
thing; but face_recognition itself is never imported (it loads the 100 MB 68-point model and
turns on ``LOAD_TRUNCATED_IMAGES`` for the whole process). Models load once per process, on the
first image that needs them, which keeps worker processes independent.
"""
from __future__ import annotations

import importlib.util
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from postcheck.images.boxes import overlaps
from postcheck.images.cache import cache_dir, write_private
from postcheck.images.loader import LoadedImage
from postcheck.images.settings import FaceSettings

HOG_WINDOW = 80  # dlib's frontal detector sees faces of about 80 px; smaller ones need upscaling
CNN_WINDOW = 80
TILE_MIN_PIXELS = 2_500_000  # below this one detector call is quicker than threads
TILE_OVERLAP = 400  # faces up to this size (working px) lie wholly inside one tile
TILE_WIDTH = 1200  # working px per strip: fixed, so the strips never depend on the thread count
SAME_FACE_IOU = 0.35
_models: dict[str, Any] = {}
_models_lock = threading.Lock()
_model_locks: dict[str, threading.Lock] = {}


@dataclass(frozen=True, slots=True)
class Face:
    """A face found in an image; the box is in pixels of the upright, full-resolution image."""

    frame: int  # frame index in the file (0 for still images)
    left: int
    top: int
    width: int
    height: int
    score: float
    encoding: np.ndarray | None = None  # 128 floats

    @property
    def box(self) -> list[int]:
        return [self.left, self.top, self.width, self.height]

    def describe(self) -> str:
        where = f"{self.width}x{self.height} px at x={self.left}, y={self.top}"
        return where if self.frame == 0 else f"{where} in frame {self.frame + 1}"


def models_dir() -> Path:
    """face_recognition_models' data folder, found without importing it (it imports pkg_resources)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face_recognition_models is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def model_version(settings: FaceSettings) -> str:
    """Everything that changes an encoding; part of the reference cache key."""
    import dlib

    return (f"dlib-{dlib.__version__}|resnet_v1|5pt|jitters={settings.jitters}|{settings.detector}"
            f"|min_face={settings.min_face}|max_side={settings.max_side}")


def _model(name: str) -> Any:
    with _models_lock:
        lock = _model_locks.setdefault(name, threading.Lock())
    with lock:  # one lock per model: loading the encoder must not block the detector threads
        if name not in _models:
            import dlib

            folder = models_dir()
            if name == "hog":
                _models[name] = _hog_detector(dlib)
            elif name == "cnn":
                _models[name] = dlib.cnn_face_detection_model_v1(str(folder / "mmod_human_face_detector.dat"))
            elif name == "shape":
                _models[name] = dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat"))
            else:
                _models[name] = dlib.face_recognition_model_v1(str(folder / "dlib_face_recognition_resnet_model_v1.dat"))
        return _models[name]


def _load_encoder_models() -> None:
    _model("shape")
    _model("encoder")


def _hog_detector(dlib: Any) -> Any:
    # Building the frontal detector from dlib's built-in text takes ~0.25 s; a saved copy loads in 1 ms.
    folder = cache_dir("models")
    saved = folder / f"frontal_face_detector-dlib-{dlib.__version__}.svm" if folder else None
    if saved is not None and saved.is_file():
        try:
            return dlib.fhog_object_detector(str(saved))
        except RuntimeError:
            saved.unlink(missing_ok=True)
    detector = dlib.get_frontal_face_detector()
    if saved is not None:
        temp = saved.with_suffix(".tmp")
        try:
            detector.save(str(temp))
            write_private(saved, temp.read_bytes())
        except (OSError, RuntimeError):
            pass
        finally:
            temp.unlink(missing_ok=True)
    return detector


def working_scale(width: int, height: int, settings: FaceSettings) -> float:
    """How much to resize an image so its smallest wanted face reaches the detector's window.

    Small photos are upscaled until a ``min_face`` face becomes detectable; big ones are scaled
    down to ``max_side``, where the smallest detectable face grows in proportion
    (at 4032 px and the default 3200, about 100 px: the size face_recognition's CLI finds).
    """
    window = HOG_WINDOW if settings.detector == "hog" else CNN_WINDOW
    wanted = window / settings.min_face
    return min(wanted, settings.max_side / max(width, height, 1))


def find_faces(image: LoadedImage, settings: FaceSettings, encode: bool) -> list[Face]:
    """Faces in every analysed frame of an image, with encodings when ``encode``."""
    scale = working_scale(*image.size, settings)
    faces: list[Face] = []
    loading = None
    if encode and "encoder" not in _models:
        # the detector runs without the GIL, so the encoder models load meanwhile
        loading = threading.Thread(target=_load_encoder_models, daemon=True)
        loading.start()
    for frame, index in zip(image.frames, image.frame_indexes):
        factor = scale * image.size[0] / frame.width  # frame px -> working px
        # HOG on greyscale finds the same faces for ~25% less work (and a third of the resizing)
        working = frame.convert("L") if settings.detector == "hog" else frame
        if abs(factor - 1.0) > 0.02:
            size = (max(1, round(frame.width * factor)), max(1, round(frame.height * factor)))
            working = working.resize(size, Image.Resampling.BILINEAR, reducing_gap=None if factor > 1 else 2.0)
        boxes = _detect(np.asarray(working), settings)
        if not boxes:
            continue
        if loading is not None:
            loading.join()
        pixels = np.asarray(frame)
        to_frame = 1.0 / factor
        to_full = image.size[0] / frame.width
        frame_boxes = [(l * to_frame, t * to_frame, r * to_frame, b * to_frame, s) for l, t, r, b, s in boxes]
        encodings = _encode(pixels, frame_boxes, settings) if encode else [None] * len(frame_boxes)
        for (l, t, r, b, s), encoding in zip(frame_boxes, encodings):
            left, top = max(0, round(l * to_full)), max(0, round(t * to_full))
            faces.append(Face(index, left, top, round((r - l) * to_full), round((b - t) * to_full), s, encoding))
    if loading is not None:
        loading.join()  # never leave a thread inside dlib at interpreter exit
    return faces


def _detect(pixels: np.ndarray, settings: FaceSettings) -> list[tuple[float, float, float, float, float]]:
    """Boxes (left, top, right, bottom, score) in the given pixels' coordinates."""
    if settings.detector == "cnn":
        found = _model("cnn")(pixels, 0)
        return _merge([(d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom(), d.confidence) for d in found])
    height, width = pixels.shape[:2]
    if width * height < TILE_MIN_PIXELS or width < 3 * TILE_OVERLAP:
        return _hog(_hog_copies(1)[0], pixels, 0, 0)
    # dlib's detector releases the GIL: vertical strips run on every core. The strips depend only on
    # the image's size, never on the thread count, so faces and encodings are the same whatever the
    # threads (or --jobs). A face no wider than the overlap lies wholly in one strip; bigger ones are
    # found on a quarter-size copy.
    count = max(2, math.ceil((width - TILE_OVERLAP) / (TILE_WIDTH - TILE_OVERLAP)))
    step = math.ceil((width + (count - 1) * TILE_OVERLAP) / count)
    jobs = [(x, min(width, x + step)) for x in range(0, width - TILE_OVERLAP, step - TILE_OVERLAP)]
    small_factor = HOG_WINDOW / TILE_OVERLAP
    small = np.asarray(Image.fromarray(pixels).reduce(round(1 / small_factor)))
    ratio = width / small.shape[1]
    detectors = _hog_copies(len(jobs) + 1)
    with ThreadPoolExecutor(max(1, min(settings.thread_count, len(jobs) + 1))) as pool:
        parts = [pool.submit(_hog, detectors[i], np.ascontiguousarray(pixels[:, x0:x1]), x0, 0)
                 for i, (x0, x1) in enumerate(jobs)]
        big = pool.submit(_hog, detectors[-1], small, 0, 0)
        boxes = [box for part in parts for box in part.result()]
        boxes += [(l * ratio, t * ratio, r * ratio, b * ratio, s) for l, t, r, b, s in big.result()]
    return _merge(boxes)


def _hog_copies(count: int) -> list[Any]:
    """Separate detector objects for concurrent threads: dlib's detector keeps scratch buffers inside."""
    import pickle

    first = _model("hog")
    with _model_locks["hog"]:
        copies = _models.setdefault("hog-copies", [first])
        while len(copies) < count:
            copies.append(pickle.loads(pickle.dumps(first)))
        return copies[:count]


def _hog(detector: Any, pixels: np.ndarray, dx: int, dy: int) -> list[tuple[float, float, float, float, float]]:
    rects, scores, _ = detector.run(pixels, 0, 0.0)
    return [(r.left() + dx, r.top() + dy, r.right() + dx, r.bottom() + dy, float(s)) for r, s in zip(rects, scores)]


def _merge(boxes: list[tuple[float, float, float, float, float]]) -> list[tuple[float, float, float, float, float]]:
    """One box per face: drop boxes that overlap a better-scoring one (tiles and scales find twins)."""
    kept: list[tuple[float, float, float, float, float]] = []
    for box in sorted(boxes, key=lambda b: -b[4]):
        if all(_iou(box, other) < SAME_FACE_IOU for other in kept):
            kept.append(box)
    return sorted(kept, key=lambda b: (b[1], b[0]))


def _iou(a: tuple, b: tuple) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _encode(pixels: np.ndarray, boxes: list[tuple[float, float, float, float, float]], settings: FaceSettings) -> list[np.ndarray]:
    """128-d encodings as face_recognition.face_encodings(model="small") computes them."""
    import dlib

    shape_model, encoder = _model("shape"), _model("encoder")
    chips = []
    for left, top, right, bottom, _ in boxes:
        rect = dlib.rectangle(round(left), round(top), round(right), round(bottom))
        chips.append(dlib.get_face_chip(pixels, shape_model(pixels, rect), 150, 0.25))
    if not chips:
        return []
    descriptors = encoder.compute_face_descriptor(chips, settings.jitters)
    return [np.asarray(d, dtype=np.float64) for d in descriptors]


def face_distance(encodings: np.ndarray, encoding: np.ndarray) -> np.ndarray:
    """Euclidean distances, as face_recognition.face_distance."""
    if len(encodings) == 0:
        return np.empty(0)
    return np.linalg.norm(encodings - encoding, axis=1)


def find_faces_near(image: LoadedImage, settings: FaceSettings, encode: bool, areas: list[tuple[int, int, int, int]],
                    known: list[Face]) -> list[Face]:
    """The faces of a still image of which only ``areas`` (x0, y0, x1, y1, full-resolution px) differ from
    an image whose faces were ``known``: the detector runs again around each area, the rest is reused.

    HOG sees a face through the pixels of its own window, so a face found away from every changed
    area is found again, unchanged, in the new image; faces touching an area's surroundings are found
    afresh in a crop that holds the area, a margin of the area's size on every side and every known face
    it touches, and are encoded afresh. The caller must know that nothing outside ``areas`` changed.
    """
    frame = image.frames[0]
    to_frame = frame.width / image.size[0]
    scale = working_scale(*image.size, settings)
    factor = scale * image.size[0] / frame.width  # frame px -> working px
    context = math.ceil(2 * HOG_WINDOW / scale)  # full px: a detector window's reach beyond a face's box
    fresh: list[Face] = []
    touched: list[tuple[int, int, int, int]] = []
    for x0, y0, x1, y1 in areas:
        near = (x0 - context, y0 - context, x1 + context, y1 + context)
        margin = max(x1 - x0, y1 - y0, context)
        crop = [max(0, x0 - margin), max(0, y0 - margin), min(image.size[0], x1 + margin), min(image.size[1], y1 + margin)]
        for face in known:  # a known face near the area is found again only if the crop holds all of it
            if overlaps(_box(face), near):
                crop = [min(crop[0], face.left), min(crop[1], face.top),
                        max(crop[2], face.left + face.width), max(crop[3], face.top + face.height)]
        touched.append(near)
        fresh += _detect_in(frame, crop, to_frame, factor, settings, encode, image.size[0] / frame.width, near)
    kept = [face for face in known if face.frame == image.frame_indexes[0] and not any(overlaps(_box(face), n) for n in touched)]
    merged: list[Face] = []
    for face in sorted(fresh, key=lambda f: -f.score):  # crops that overlap find the same face twice
        if all(_iou(_edges(face), _edges(other)) < SAME_FACE_IOU for other in merged):
            merged.append(face)
    return sorted(kept + merged, key=lambda f: (f.top, f.left))


def _box(face: Face) -> tuple[int, int, int, int]:
    return (face.left, face.top, face.left + face.width, face.top + face.height)


def _edges(face: Face) -> tuple[int, int, int, int, float]:
    return (*_box(face), face.score)


def _detect_in(frame: Image.Image, crop: list[int], to_frame: float, factor: float, settings: FaceSettings,
               encode: bool, to_full: float, near: tuple) -> list[Face]:
    """Faces found in one crop (full px) of a frame that touch ``near``, with encodings computed on the whole frame."""
    left, top = math.floor(crop[0] * to_frame), math.floor(crop[1] * to_frame)
    right, bottom = min(frame.width, math.ceil(crop[2] * to_frame)), min(frame.height, math.ceil(crop[3] * to_frame))
    part = frame.crop((left, top, right, bottom))
    working = part.convert("L") if settings.detector == "hog" else part
    if abs(factor - 1.0) > 0.02:
        size = (max(1, round(part.width * factor)), max(1, round(part.height * factor)))
        working = working.resize(size, Image.Resampling.BILINEAR, reducing_gap=None if factor > 1 else 2.0)
    boxes = [(l / factor + left, t / factor + top, r / factor + left, b / factor + top, s)
             for l, t, r, b, s in _detect(np.asarray(working), settings)]
    found = []
    for l, t, r, b, s in boxes:
        full = (max(0, round(l * to_full)), max(0, round(t * to_full)), round(r * to_full), round(b * to_full))
        if overlaps(full, near):
            found.append(((l, t, r, b, s), full))
    encodings = _encode(np.asarray(frame), [box for box, _ in found], settings) if encode and found else [None] * len(found)
    return [Face(0, x0, y0, round((box[2] - box[0]) * to_full), round((box[3] - box[1]) * to_full), box[4], encoding)
            for (box, (x0, y0, _, _)), encoding in zip(found, encodings)]
