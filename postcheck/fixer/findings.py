"""What the fixer reads from a Finding, in one place (so a change to findings is one change here)."""
from __future__ import annotations

from typing import Any

from postcheck.model import Finding, Severity

NAME_CATEGORY = "learner-full-name"
NAME_OBJECTION_RULE = "learner-name-objection"
FACE_CATEGORY = "objected-image"
METADATA_CATEGORY = "image-metadata"


def span(finding: Finding) -> tuple[int, int] | None:
    """Offsets of the finding in the post's analysed text, or None (image findings)."""
    return finding.span if finding.span and finding.span[1] > finding.span[0] else None


def is_name(finding: Finding) -> bool:
    """A learner named in full (or a name the consent list restricts), rewritable in the text."""
    return finding.category == NAME_CATEGORY and span(finding) is not None


def is_name_objection(finding: Finding) -> bool:
    """A learner whose parents restricted the name: at most initials, even for a first name."""
    return finding.rule == NAME_OBJECTION_RULE


def name_source(finding: Finding) -> str:
    """"roster" for roster learners, else how the name was found (ner, names-list)."""
    return str(finding.details.get("source") or "roster")


def is_metadata(finding: Finding) -> bool:
    return finding.category == METADATA_CATEGORY


def face_band(finding: Finding) -> str | None:
    """"match" (an objector: blurred) or "possible" (blurred with --blur possible) for a face finding."""
    if finding.category != FACE_CATEGORY or face_box(finding) is None:
        return None
    band = finding.details.get("band")
    if band in ("match", "possible"):
        return str(band)
    return "match" if finding.severity is Severity.ERROR else "possible"


def face_box(finding: Finding) -> tuple[int, int, int, int] | None:
    """(left, top, width, height) in upright full-resolution pixels, or None."""
    box: Any = finding.details.get("box")
    if not isinstance(box, (list, tuple)) or len(box) != 4:
        return None
    try:
        left, top, width, height = (int(v) for v in box)
    except (TypeError, ValueError):
        return None
    return (left, top, width, height) if width > 0 and height > 0 else None


def face_frame(finding: Finding) -> int:
    frame = finding.details.get("frame", 0)
    return frame if isinstance(frame, int) and frame >= 0 else 0


def needs_fixing(finding: Finding) -> bool:
    """Whether a finding is a problem at all (info findings say what was checked)."""
    return finding.severity is not Severity.INFO
