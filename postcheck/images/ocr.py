"""Printed text inside photos (certificates, badges, signs, screenshots) with RapidOCR's PP-OCRv4 ONNX models.

The models ship inside the ``rapidocr-onnxruntime`` wheel; nothing is downloaded. The text detector
runs first, on the photo scaled to ``images.ocr_side``; the recogniser runs only on the boxes it
finds, cut from the photo at full resolution, so a photo without text costs one detector pass.
onnxruntime and OpenCV are imported on the first photo, never for a text-only run.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from postcheck.images.boxes import overlaps
from postcheck.images.loader import LoadedImage
from postcheck.images.media_settings import OcrSettings

_engines: dict[int, Any] = {}
_lock = threading.Lock()
LINE_GAP = 1.5  # words further apart than this many line heights are not one line
PROBE_SIDE = 576  # the detector's first look: a photo without text costs one pass at this size
PROBE_GAP = 1.0  # the first look's scaling: a cheap whole-pixel box reduction, then a small bilinear step
SURE_HEIGHT = 14  # px at the first look: smaller text is looked at again at ocr_side
MIN_TEXT_PIXELS = 12  # fewer text-like pixels than this in the first look: no text
REGION_PAD = 24  # px at the first look around text-like pixels, looked at again closer
CROP_MARGIN = 3  # px around a line's box: the reach of cubic interpolation, and more
WHOLE_IMAGE = 0.6  # when the regions cover more than this share, the whole photo is looked at again
_RAPIDOCR_LOGGERS = ("RapidOCR", "OrtInferSession")


class OcrUnavailable(Exception):
    """The OCR engine cannot be loaded here (the message says why, in one line)."""


@dataclass(frozen=True, slots=True)
class TextLine:
    """A line of text read in a photo; the box is [left, top, width, height] in upright full-size pixels."""

    text: str
    box: tuple[int, int, int, int]
    score: float


def _engine(threads: int) -> Any:
    with _lock:
        if threads not in _engines:
            # ONNX Runtime's native library starts sending usage events to Microsoft when it is loaded
            # unless this is set first; postcheck never touches the network.
            os.environ["ORT_DISABLE_TELEMETRY"] = "1"
            try:
                import onnxruntime
                from rapidocr_onnxruntime import RapidOCR
                from rapidocr_onnxruntime.utils import OrtInferSession
            except ImportError as exc:  # e.g. OpenCV without its system libraries
                raise OcrUnavailable(f"text in photos is not read: OCR engine unavailable ({exc})") from None
            onnxruntime.disable_telemetry_events()
            for name in _RAPIDOCR_LOGGERS:  # the library never prints
                logging.getLogger(name).setLevel(logging.ERROR)
            library_options = OrtInferSession.__dict__.get("_init_sess_opts")
            if isinstance(library_options, staticmethod):
                OrtInferSession._init_sess_opts = staticmethod(lambda config: _session_options(library_options, config))
            try:
                _engines[threads] = RapidOCR(det_limit_type="min", det_limit_side_len=32, det_use_cuda=False,
                                             intra_op_num_threads=threads, inter_op_num_threads=1)
            finally:
                if isinstance(library_options, staticmethod):
                    OrtInferSession._init_sess_opts = library_options
            for name in _RAPIDOCR_LOGGERS:
                logging.getLogger(name).setLevel(logging.ERROR)
        return _engines[threads]


def _session_options(library_options: staticmethod, config: dict) -> Any:
    """RapidOCR's session options with the memory arena on and idle threads asleep.

    RapidOCR turns the arena off, so every run asks the system for its activations afresh: the
    detector takes a third longer at 640 px. Threads that spin while waiting for work burn a core
    another worker could use.
    """
    options = library_options.__func__(config)
    options.enable_cpu_mem_arena = True
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def read_text(image: LoadedImage, settings: OcrSettings, threads: int = 1,
              near: list[tuple[int, int, int, int]] | None = None, known: list[TextLine] = ()) -> list[TextLine]:
    """Lines of text in the first frame of an image, top to bottom; [] when the detector finds none.

    The detector looks first at a small copy (``PROBE_SIDE``): no text-like pixels there, no more
    work. Text it finds in full is read from there; when it sees text too small to be sure of, it
    looks again at ``settings.ocr_side``, only around the text-like pixels. Recognition runs only on
    the boxes found, each cut from the decoded photo.

    ``near`` (x0, y0, x1, y1 areas, full-size px) with ``known``: the image is a copy of one whose lines
    were ``known`` and whose pixels differ only in those areas (postcheck fix's obscured faces); the
    lines away from them are kept and only the areas, with any line they touch, are looked at again.
    """
    if not image.frames:
        return []
    frame = image.frames[0]
    engine = _engine(max(1, threads))
    to_full = image.size[0] / frame.width
    kept: list[TextLine] = []
    looks = [(0, 0, frame.width, frame.height)]
    if near is not None:
        kept = [line for line in known if not any(overlaps(_edges(line.box), area) for area in near)]
        looks = [_in_frame(area, [_edges(line.box) for line in known if line not in kept], to_full, frame)
                 for area in near]
    probe = min(1.0, PROBE_SIDE / max(frame.size))
    points: list[np.ndarray] = []
    for look in looks:
        if look[2] - look[0] < 8 or look[3] - look[1] < 8:
            continue
        found, unsure, regions = _detect(engine, frame, look, probe * max(look[2] - look[0], look[3] - look[1]), PROBE_GAP)
        if unsure and settings.ocr_side > PROBE_SIDE and max(frame.size) > PROBE_SIDE:
            found = _look_closer(engine, frame, regions, settings.ocr_side)
        points.extend(found)
    if not points:
        return kept
    points = engine.sorted_boxes(np.asarray(points))
    recognised = _recognise(engine, [_crop(engine, frame, box) for box in points])
    words = list(kept)
    for box, (text, score, *info) in zip(points, recognised):
        columns = [column for word in info[0][2] for column in word] if info and len(info[0]) > 2 else []
        text = spaced(str(text), columns).strip()
        if not text or float(score) < settings.ocr_score:
            continue
        left, top = box.min(axis=0) * to_full
        right, bottom = box.max(axis=0) * to_full
        words.append(TextLine(text, (round(left), round(top), round(right - left), round(bottom - top)), float(score)))
    return join_lines(words)


def _edges(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    left, top, width, height = box
    return (left, top, left + width, top + height)


def _in_frame(area: tuple[int, int, int, int], lines: list[tuple[int, int, int, int]], to_full: float,
              frame: Image.Image) -> tuple[int, int, int, int]:
    """A changed area grown by a quarter of its size, and over every line it touches, in frame pixels."""
    x0, y0, x1, y1 = area
    dx, dy = (x1 - x0) // 4, (y1 - y0) // 4
    x0, y0, x1, y1 = x0 - dx, y0 - dy, x1 + dx, y1 + dy
    for line in lines:
        if overlaps(line, area):
            x0, y0, x1, y1 = min(x0, line[0]), min(y0, line[1]), max(x1, line[2]), max(y1, line[3])
    return (max(0, int(x0 / to_full)), max(0, int(y0 / to_full)),
            min(frame.width, int(np.ceil(x1 / to_full))), min(frame.height, int(np.ceil(y1 / to_full))))


def _recognise(engine: Any, crops: list[np.ndarray]) -> list[tuple]:
    """(text, score, positions) per crop. The classifier turns lines it thinks upside down; it is sometimes
    wrong on italics, so a turned line is also read as it was and the better reading kept."""
    originals = [crop.copy() for crop in crops]
    turned, orientations, _ = engine.text_cls(crops)
    recognised, _ = engine.text_rec(turned, True)  # with each character's position, to restore spaces
    flipped = [i for i, (label, _) in enumerate(orientations) if label == "180"]
    if flipped:
        again, _ = engine.text_rec([originals[i] for i in flipped], True)
        for i, reading in zip(flipped, again):
            if float(reading[1]) > float(recognised[i][1]):
                recognised[i] = reading
    return recognised


def _crop(engine: Any, frame: Image.Image, box: np.ndarray) -> np.ndarray:
    """The line in ``box`` (four corners, frame pixels) straightened, as RapidOCR cuts it from the whole photo.

    Only the box's surroundings become an array (the whole 12 MP frame would cost more than reading
    the line); the margin covers the cubic interpolation's reach, so the pixels are the same but for
    rounding (one level, here and there).
    """
    left, top = (max(0, int(v) - CROP_MARGIN) for v in box.min(axis=0))
    right = min(frame.width, int(np.ceil(box[:, 0].max())) + CROP_MARGIN)
    bottom = min(frame.height, int(np.ceil(box[:, 1].max())) + CROP_MARGIN)
    pixels = _bgr(frame.crop((left, top, right, bottom)))
    return engine.get_crop_img_list(pixels, [box - np.float32([left, top])])[0]


def _look_closer(engine: Any, frame: Image.Image, regions: list[tuple[float, ...]], side: int) -> list[np.ndarray]:
    """Detect again, the photo scaled to ``side``, only in the regions where the first look saw text-like pixels."""
    area = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in regions)
    if area > WHOLE_IMAGE * frame.width * frame.height:
        regions = [(0, 0, frame.width, frame.height)]
    scale = min(1.0, side / max(frame.size))
    points: list[np.ndarray] = []
    for x0, y0, x1, y1 in regions:
        left, top = max(0, int(x0)), max(0, int(y0))
        right, bottom = min(frame.width, int(np.ceil(x1))), min(frame.height, int(np.ceil(y1)))
        if right - left < 8 or bottom - top < 8:
            continue
        found, _, _ = _detect(engine, frame, (left, top, right, bottom), scale * max(right - left, bottom - top))
        points.extend(found)
    return points


def _detector_input(frame: Image.Image, area: tuple[int, int, int, int], side: float, gap: float = 2.0) -> np.ndarray:
    """``area`` of the frame with its longest side scaled to ``side`` (never enlarged) and both sides
    rounded to a multiple of 32, as the network needs: 1 x 3 x H x W, normalised as PP-OCR trained it.
    ``gap``: Pillow's reducing gap (1.0: mostly a cheap whole-pixel box reduction, then a small bilinear step)."""
    left, top, right, bottom = area
    width, height = right - left, bottom - top
    scale = min(1.0, side / max(width, height))
    size = (max(32, round(width * scale / 32) * 32), max(32, round(height * scale / 32) * 32))
    picture = frame if area == (0, 0, frame.width, frame.height) else frame.crop(area)
    if picture.mode != "RGB":
        picture = picture.convert("RGB")
    if picture.size != size:
        picture = picture.resize(size, Image.Resampling.BILINEAR, reducing_gap=gap)
    planes = np.asarray(picture)[:, :, ::-1].transpose(2, 0, 1)  # BGR planes, as the models were trained
    prepared = np.empty((1, *planes.shape), dtype=np.float32)
    np.multiply(planes, np.float32(2 / 255), out=prepared[0])
    prepared -= np.float32(1)  # (x / 255 - mean 0.5) / std 0.5
    return prepared


def _detect(engine: Any, frame: Image.Image, area: tuple[int, int, int, int],
            side: float, gap: float = 2.0) -> tuple[list[np.ndarray], bool, list[tuple[float, ...]]]:
    """Text boxes in ``area`` of the frame, its longest side scaled to ``side``; whether some text-like
    pixels are too small there to box with confidence; and the regions (left, top, right, bottom)
    around all text-like pixels. Boxes and regions are in frame pixels."""
    import cv2

    detector = engine.text_det
    prepared = _detector_input(frame, area, side, gap)
    height, width = prepared.shape[2:]
    probability = detector.infer(prepared)[0]
    texty = probability[0, 0] > detector.postprocess_op.thresh
    if int(texty.sum()) < MIN_TEXT_PIXELS:
        return [], False, []
    boxes, _ = detector.postprocess_op(probability, (height, width))
    boxes = list(detector.filter_tag_det_res(boxes, (height, width)))
    to_map = (texty.shape[1] / width, texty.shape[0] / height)
    covered = np.zeros(texty.shape, dtype=np.uint8)
    sure = []
    for box in boxes:
        box_height = min(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2]))
        if box_height >= SURE_HEIGHT:
            sure.append(box)
            cv2.fillPoly(covered, [np.round(box * to_map).astype(np.int32)], 1)
    uncovered = int((texty & (covered == 0)).sum())
    unsure = len(sure) < len(boxes) or uncovered >= MIN_TEXT_PIXELS * 4
    left, top, right, bottom = area
    to_frame = np.float32([(right - left) / width, (bottom - top) / height])
    regions = []
    if unsure:
        grown = cv2.dilate(texty.astype(np.uint8), np.ones((2 * REGION_PAD + 1, 2 * REGION_PAD + 1), np.uint8))
        count, _, stats, _ = cv2.connectedComponentsWithStats(grown)
        x_scale, y_scale = to_frame[0] / to_map[0], to_frame[1] / to_map[1]
        regions = [(left + x * x_scale, top + y * y_scale, left + (x + w) * x_scale, top + (y + h) * y_scale)
                   for x, y, w, h, _ in stats[1:count]]
    return [np.asarray(box, dtype=np.float32) * to_frame + np.float32([left, top]) for box in boxes], unsure, regions


def spaced(text: str, columns: list[int]) -> str:
    """Put back the spaces the recogniser drops between words ("JonahWhitfield"), from where each character was read.

    A gap between two characters much wider than the line's usual one is a space; a lower-case letter
    followed by a capital needs a less wide gap ("theWeek"), while "McDonald" keeps its usual spacing.
    Positions come in steps of the recogniser's columns and a wide letter ("m") can open two steps, so
    elsewhere a space takes three steps more than usual ("Amelia" stays whole).
    """
    if len(columns) != len(text) or len(text) < 3:
        return text
    gaps = [b - a for a, b in zip(columns, columns[1:])]
    usual = float(np.median(gaps)) or 1.0
    out = [text[0]]
    for index, gap in enumerate(gaps, 1):
        before, char = text[index - 1], text[index]
        if before.isalpha() and char.isalpha() and not (before.isupper() and char.islower()):  # "Amelia" stays whole
            camel = before.islower() and char.isupper()
            if gap >= usual * (1.3 if camel else 2.0) and gap - usual >= (2 if camel else 3):
                out.append(" ")
        out.append(char)
    return "".join(out)


def _bgr(image: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])


def join_lines(words: list[TextLine]) -> list[TextLine]:
    """Boxes side by side on one baseline become one line (a name the detector split stays whole)."""
    lines: list[list[TextLine]] = []
    for word in sorted(words, key=lambda w: (w.box[1] + w.box[3] / 2, w.box[0])):
        for line in lines:
            last = line[-1]
            height = min(last.box[3], word.box[3])
            same_row = abs((last.box[1] + last.box[3] / 2) - (word.box[1] + word.box[3] / 2)) < height / 2
            gap = word.box[0] - (last.box[0] + last.box[2])
            if same_row and -height < gap < LINE_GAP * height:
                line.append(word)
                break
        else:
            lines.append([word])
    joined = []
    for line in lines:
        left = min(w.box[0] for w in line)
        top = min(w.box[1] for w in line)
        right = max(w.box[0] + w.box[2] for w in line)
        bottom = max(w.box[1] + w.box[3] for w in line)
        joined.append(TextLine(" ".join(w.text for w in line), (left, top, right - left, bottom - top),
                               min(w.score for w in line)))
    return sorted(joined, key=lambda line: (line.box[1], line.box[0]))
