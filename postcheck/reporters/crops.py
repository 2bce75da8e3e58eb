"""Face crops for the HTML report: a possible match shown beside the learner's reference photo.

Crops are re-encoded from pixels (no metadata) into ``data:`` URIs. They hold a learner's face, so
the HTML reporter only shows them when names are shown (never under CI: redaction drops the
reference from the finding before any reporter sees it).
"""
from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

CROP = 128  # px, the side of each crop
MARGIN = 0.35  # of the face box, added on every side: hair and chin help a reviewer


def face_crop(path: str | Path, box: Any, frame: int = 0, size: int = CROP) -> str | None:
    """A square JPEG data URI around ``box`` ([left, top, width, height] in the upright photo), or None."""
    try:
        left, top, width, height = (float(v) for v in box)
        from PIL import Image, ImageOps

        with Image.open(path) as image:
            if frame:
                image.seek(frame)
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except Exception:  # noqa: BLE001 - a crop that cannot be made leaves the finding's text as it is
        return None
    if width <= 0 or height <= 0:
        return None
    side = max(width, height) * (1 + 2 * MARGIN)
    cx, cy = left + width / 2, top + height / 2
    area = tuple(round(v) for v in (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2))
    crop = upright.crop(area).resize((size, size))
    buffer = io.BytesIO()
    crop.save(buffer, "JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def comparison(finding: Any) -> str:
    """HTML for a face finding with a reference: the face in the post beside the reference face; "" otherwise."""
    import html

    details = finding.details if isinstance(finding.details, dict) else {}
    reference = details.get("reference")
    if not reference:
        return ""
    frame = details.get("frame") if isinstance(details.get("frame"), int) else 0
    face = face_crop(finding.path, details.get("box"), frame)
    known = face_crop(reference, details.get("reference_box"))
    if face is None or known is None:
        return ""
    return ('<div class="compare">'
            f'<figure><img alt="face in the photo" src="{face}"><figcaption>in this photo</figcaption></figure>'
            f'<figure><img alt="reference photo" src="{known}"><figcaption>reference: {html.escape(str(reference))}'
            "</figcaption></figure></div>")
