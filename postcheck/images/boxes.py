"""Boxes as (x0, y0, x1, y1) corners: the one overlap test the face, text and fix code share."""
from __future__ import annotations


def overlaps(a: tuple, b: tuple) -> bool:
    """The two boxes share some area (touching edges do not count)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: tuple, b: tuple) -> bool:
    """Box ``a`` lies wholly within box ``b``."""
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]
