"""Obscuring faces in a JPEG without re-encoding the rest of it: only the 8x8 blocks around the faces change.

Decoding a JPEG and saving it again changes every pixel a little. Instead the copy keeps the
original's quantised DCT coefficients and replaces only the blocks of the MCUs (minimum coded
units: 8x8 to 16x16 pixels) that hold a grown face box, with the blocks of the obscured pixels
encoded with the same quantisation tables and chroma subsampling. Every block outside those MCUs
is bit-identical, so it decodes to the same pixels, except a ring of one pixel around each
replaced area when the chroma is subsampled (the decoder's smooth chroma upsampling reads one
neighbouring chroma sample); that ring is part of the region reported as changed.

jpeglib (libjpeg's coefficient API as a prebuilt wheel) reads and writes the coefficients. Layouts it
cannot keep as they are (CMYK, unusual sampling, tables the encoder would not reproduce) return None
and the caller re-encodes the whole picture.
"""
from __future__ import annotations

import contextlib
import io
import math
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, JpegImagePlugin

from postcheck.fixer.obscure import grown_box, obscure
from postcheck.images.boxes import inside, overlaps

Box = tuple[int, int, int, int]
FAST_LIBRARY = "turbo210"
SAMPLINGS = {0: (1, 1), 1: (2, 1), 2: (2, 2)}  # Pillow's subsampling number -> luma (h, v) factors, chroma 1x1


def obscure_blocks(raw: bytes, image: Image.Image, boxes: list[Box],
                   pixels: Image.Image | None = None) -> tuple[bytes, list[Box]] | None:
    """The JPEG with each face obscured, only its MCUs re-encoded; and the (x0, y0, x1, y1) areas whose pixels may differ.

    ``image``: the JPEG as opened (its tables and sampling); ``pixels``: its decoded picture (by default
    ``image`` itself, loaded).
    None when the file's layout cannot be kept (the caller then re-encodes). The bytes still carry
    the original's metadata segments: the caller strips them.
    """
    try:
        import jpeglib
    except ImportError:
        return None
    if image.mode not in ("RGB", "L") or not getattr(image, "quantization", None):
        return None
    sampling = JpegImagePlugin.get_sampling(image) if image.mode == "RGB" else 0
    if sampling not in SAMPLINGS:
        return None
    with tempfile.TemporaryDirectory(prefix="postcheck-") as folder, _fast_library(jpeglib):
        source = Path(folder) / "in.jpg"
        source.write_bytes(raw)
        try:
            dct = jpeglib.read_dct(str(source))
            dct.load()
        except Exception:  # noqa: BLE001 - libjpeg refuses the layout: re-encode instead
            return None
        components = [dct.Y] + ([dct.Cb, dct.Cr] if image.mode == "RGB" else [])
        space = jpeglib.JCS_YCbCr if image.mode == "RGB" else jpeglib.JCS_GRAYSCALE
        if (dct.has_black or dct.num_components != len(components) or dct.jpeg_color_space != space
                or not _layout_is(dct, sampling, image.mode)):
            return None  # e.g. Adobe's untransformed RGB: the encoder would write YCbCr blocks
        h, v = SAMPLINGS[sampling]
        mcu = (8 * h, 8 * v)
        areas = [area for area in (_area(box, mcu, image.size) for box in boxes) if area[2] > area[0] and area[3] > area[1]]
        for cluster, obscured in _obscured(image if pixels is None else pixels, boxes, mcu):
            cx, cy = cluster[:2]
            for x0, y0, x1, y1 in (area for area in areas if inside(area, cluster)):
                crop = Image.fromarray(obscured[y0 - cy:y1 - cy, x0 - cx:x1 - cx], image.mode)
                part = Path(folder) / "part.jpg"
                buffer = io.BytesIO()
                crop.save(buffer, "JPEG", qtables=image.quantization, subsampling=sampling)
                part.write_bytes(buffer.getvalue())
                new = jpeglib.read_dct(str(part))
                new.load()
                if not (np.array_equal(new.qt, dct.qt) and np.array_equal(new.quant_tbl_no, dct.quant_tbl_no)):
                    return None  # the encoder did not reproduce the tables: the blocks would not fit
                fresh = [new.Y] + ([new.Cb, new.Cr] if image.mode == "RGB" else [])
                for index, (old, blocks) in enumerate(zip(components, fresh)):
                    scale = (1, 1) if index == 0 else (h, v)  # chroma blocks cover h x v luma blocks
                    bx, by = x0 // (8 * scale[0]), y0 // (8 * scale[1])
                    rows = min(blocks.shape[0], old.shape[0] - by)
                    cols = min(blocks.shape[1], old.shape[1] - bx)
                    old[by:by + rows, bx:bx + cols] = blocks[:rows, :cols]
        target = Path(folder) / "out.jpg"  # the components were changed in place
        dct.content = None  # written from the coefficients and tables alone: no metadata to copy, nothing read again
        try:
            dct.write_dct(str(target))
        except Exception:  # noqa: BLE001
            return None
        ring = 1 if sampling else 0
        width, height = image.size
        changed = [(max(0, x0 - ring), max(0, y0 - ring), min(width, x1 + ring), min(height, y1 + ring))
                   for x0, y0, x1, y1 in areas]
        return target.read_bytes(), changed


def _fast_library(jpeglib):
    """libjpeg-turbo among the libraries the jpeglib wheel carries (its default is IJG 6b: a third slower,
    the same coefficients and bytes); the default where the wheel lacks it."""
    try:
        return jpeglib.version(FAST_LIBRARY)
    except Exception:  # noqa: BLE001 - an unknown version name in another build
        return contextlib.nullcontext()


def _area(box: Box, mcu: tuple[int, int], size: tuple[int, int]) -> Box:
    """The MCU-aligned area re-encoded for one face: its grown box (what obscure changes), to whole MCUs."""
    return _aligned(grown_box(box, size), mcu, size)


def _obscured(image: Image.Image, boxes: list[Box], mcu: tuple[int, int]):
    """(cluster, pixels): each group of overlapping face areas as one array, every face in it obscured.

    Only the areas around the faces become arrays (a whole 12 MP photo as an array costs more than the
    rest of the work); faces whose areas overlap are obscured in one array, so each area's pixels are
    the same as obscuring them all in the whole picture.
    """
    clusters: list[Box] = []
    for box in boxes:
        area = _area(box, mcu, image.size)
        if area[2] <= area[0] or area[3] <= area[1]:
            continue
        while (hit := next((c for c in clusters if overlaps(c, area)), None)) is not None:
            clusters.remove(hit)
            area = (min(hit[0], area[0]), min(hit[1], area[1]), max(hit[2], area[2]), max(hit[3], area[3]))
        clusters.append(area)
    for cluster in clusters:
        pixels = np.array(image.crop(cluster))
        cx, cy = cluster[:2]
        for box in boxes:
            if inside(_area(box, mcu, image.size), cluster):
                obscure(pixels, (box[0] - cx, box[1] - cy, box[2], box[3]))
        yield cluster, pixels


def _layout_is(dct, sampling: int, mode: str) -> bool:
    """The file's own sampling factors are what Pillow reported (and what the encoder will write)."""
    factors = np.asarray(dct.samp_factor)
    if mode == "L":
        return factors.shape[0] == 1
    h, v = SAMPLINGS[sampling]
    return factors.tolist() == [[v, h], [1, 1], [1, 1]]  # jpeglib lists (vertical, horizontal)


def _aligned(region: Box, mcu: tuple[int, int], size: tuple[int, int]) -> Box:
    """The region grown outwards to whole MCUs (inside the image)."""
    x0, y0, x1, y1 = region
    if x1 <= x0 or y1 <= y0:
        return region
    return (x0 // mcu[0] * mcu[0], y0 // mcu[1] * mcu[1],
            min(size[0], math.ceil(x1 / mcu[0]) * mcu[0]), min(size[1], math.ceil(y1 / mcu[1]) * mcu[1]))
