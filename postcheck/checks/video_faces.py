"""Faces in video clips against the consent list: each matched learner once, with the times they are on screen."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from postcheck.model import Checked, Hit, Severity

VIDEO_MESSAGE = ("Video shows learner {learner} ({initials}) on the consent list at {times}: "
                 "best frame {time}, face {face}, distance {distance}")
POSSIBLE_MESSAGE = ("Possible match — check by eye: video at {times}, learner {learner} ({initials}), "
                    "best frame {time}, face {face}, distance {distance}")


def _where(face: Any) -> str:
    return f"{face.width}x{face.height} px at x={face.left}, y={face.top}"


def face_list(scan: Any) -> list[dict]:
    """Every face found, with the time of its frame (for reports)."""
    return [{"box": vf.face.box, "band": "other", "time": round(vf.time, 3)} for vf in scan.video.faces]


def video_hits(check: Any, ref: Any, scan: Any, checkable: list, unchecked: tuple, settings: Any) -> Iterable[Hit | Checked]:
    """One hit per learner seen in the clip (error within tolerance, warning up to ``possible``)."""
    from postcheck.images.video import describe_ranges, fmt_time, time_ranges

    video = scan.video
    options, rule = check.options, check.rule
    matched = False
    for learner in checkable:
        seen: list[tuple[float, float, Any]] = []  # distance, time, face
        for vf in video.faces:
            distance = float(np.linalg.norm(learner.encodings - vf.face.encoding, axis=1).min())
            if distance <= settings.possible:
                seen.append((distance, vf.time, vf.face))
        if not seen:
            continue
        matched = True
        distance, time, face = min(seen, key=lambda item: item[0])
        sure = distance <= settings.tolerance
        ranges = time_ranges([t for _, t, _ in seen], video.times)
        values = {"learner": learner.id, "initials": learner.initials, "times": describe_ranges(ranges),
                  "time": fmt_time(time), "face": _where(face), "distance": f"{distance:.2f}"}
        template = options.get("video_message", VIDEO_MESSAGE) if sure else options.get(
            "video_possible_message", POSSIBLE_MESSAGE)
        yield Hit(
            match=f"{learner.id} video",
            image=ref.display,
            severity=None if sure else Severity.WARNING,
            message=template.format(**values),
            confidence=max(0.0, 1.0 - distance),
            details={"learner": learner.id, "initials": learner.initials, "box": face.box, "time": round(time, 3),
                     "ranges": [[round(a, 3), round(b, 3)] for a, b in ranges], "frame": face.frame,
                     "distance": round(distance, 3), "band": "match" if sure else "possible"},
        )
    count, frames = len(video.faces), len(video.times)
    with_faces = len({vf.time for vf in video.faces})
    if not count:
        return
    values = {"faces": count, "s": "" if count == 1 else "s", "frames": frames, "with_faces": with_faces}
    if unchecked:
        ids = ", ".join(f"{r.id} ({r.initials})" for r in unchecked)
        yield Hit(match="unchecked learners", image=ref.display, severity=Severity.WARNING,
                  message=f"Faces in {with_faces} of {frames} sampled frames, but {ids} cannot be checked "
                          "(no usable reference photo): check by eye",
                  details={"face_count": count, "faces": face_list(scan), "unchecked": [r.id for r in unchecked]})
    elif not matched:  # what was looked at: a record, not a finding
        yield Checked(rule=rule.id, path=ref.display,
                      message="{faces} face{s} in {with_faces} of {frames} sampled frames checked against the "
                              "consent list: no match".format(**values),
                      details={"face_count": count, "frames": frames, "faces": face_list(scan)})
