"""The HTML report's strip of video frames: the frames where faces were found, with their boxes (no metadata kept)."""
from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Iterable

from postcheck.model import Finding

MAX_FRAMES = 6
SIDE = 320  # px, longest side of each frame in the strip


def video_figures(path: str, findings: Iterable[Finding], checked_faces: Iterable[dict] = ()) -> list[dict]:
    """Figures (as html._figure draws them) for the frames of a clip with findings; one poster frame if none.

    ``checked_faces`` are the faces of "checked: no match" records (each with the time of its frame)."""
    from postcheck.images.video import fmt_time, frame_at
    from postcheck.reporters.html import BANDS, _box, _label

    marks: dict[float, dict] = {}  # time -> {box: (band, label)}
    gps = False

    def add_faces(faces: Iterable) -> None:
        for face in faces:
            if isinstance(face, dict) and "time" in face and (box := _box(face)) is not None:
                marks.setdefault(float(face["time"]), {}).setdefault(box, ("other", ""))

    for f in findings:
        details = f.details if isinstance(f.details, dict) else {}
        gps = gps or (f.category == "image-metadata" and "gps" in f.message.lower())
        band = str(details.get("band", "")).lower()
        if band in BANDS and "time" in details:
            box = _box(details.get("box"))
            if box is not None:
                marks.setdefault(float(details["time"]), {})[box] = (band, _label(details))
        add_faces(details.get("faces") or ())
    add_faces(checked_faces)
    flagged = sorted(t for t, boxes in marks.items() if any(b != "other" for b, _ in boxes.values()))
    times = (flagged or sorted(marks))[:MAX_FRAMES] or [0.0]
    figures = []
    for time in times:
        frame = frame_at(Path(path), time, SIDE)
        thumb = None
        if frame is not None:
            picture, width, height = frame
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=80)  # pixels only: no container tags reach the page
            thumb = ("data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), width, height)
        boxes = sorted((box, band, label) for box, (band, label) in marks.get(time, {}).items())
        figures.append({"path": f"{path} at {fmt_time(time)}", "thumb": thumb, "boxes": boxes, "gps": gps})
    return figures
