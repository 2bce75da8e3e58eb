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


def video_hits(check: Any, ref: Any, scan: Any, gallery: Any, people: Any, policy: Any,
               unchecked: tuple) -> Iterable[Hit | Checked]:
    """One hit per learner seen in the clip: every sampled face is decided as a photo's face is
    (postcheck.images.matching), then grouped by learner; an error if any sample matched them."""
    from postcheck.images.matching import decide
    from postcheck.images.video import describe_ranges, fmt_time, time_ranges

    video = scan.video
    options, rule = check.options, check.rule
    decisions = decide(gallery, np.array([vf.face.encoding for vf in video.faces]), policy) if video.faces else []
    seen: dict[int, list[tuple[Any, Any]]] = {}  # person -> [(decision, video face)]
    for vf, decision in zip(video.faces, decisions):
        if decision.band != "none":
            seen.setdefault(decision.person, []).append((decision, vf))
    matched = bool(seen)
    for person in sorted(seen):
        learner = people[person]
        group = seen[person]
        sure = any(decision.band == "match" for decision, _ in group)
        best, best_vf = min(((d, vf) for d, vf in group if d.band == "match" or not sure),
                            key=lambda item: item[0].distance)
        face = best_vf.face
        ranges = time_ranges([vf.time for _, vf in group], video.times)
        values = {"learner": learner.id, "initials": learner.initials, "times": describe_ranges(ranges),
                  "time": fmt_time(best_vf.time), "face": _where(face), "distance": f"{best.distance:.2f}"}
        template = options.get("video_message", VIDEO_MESSAGE) if sure else options.get(
            "video_possible_message", POSSIBLE_MESSAGE)
        yield Hit(
            match=f"{learner.id} video",
            image=ref.display,
            severity=None if sure else Severity.WARNING,
            message=template.format(**values),
            confidence=max(0.0, 1.0 - best.distance),
            details={"learner": learner.id, "initials": learner.initials, "box": face.box,
                     "time": round(best_vf.time, 3), "ranges": [[round(a, 3), round(b, 3)] for a, b in ranges],
                     "frame": face.frame, "distance": round(best.distance, 3), "band": "match" if sure else "possible",
                     "others_close": best.close, "references": len(learner.encodings)},
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
