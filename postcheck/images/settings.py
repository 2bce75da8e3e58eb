"""The ``faces:`` section of postcheck.yaml, validated into FaceSettings (no heavy imports here)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcheck import yamlio

DETECTORS = ("hog", "cnn")
AGE_BANDS = ("child", "teen", "adult")
DEFAULT_BAND = "child"  # a learner of unknown age is judged as a child: the strictest error threshold


@dataclass(frozen=True, slots=True)
class FaceSettings:
    """How faces are found and matched."""

    # None: the age-aware defaults of postcheck.images.matching (child, teen, adult); a number
    # here applies to every age band
    tolerance: float | None = None  # distance at or below which a face is the learner (error)
    possible: float | None = None  # up to this distance: "possible match — check by eye" (warning)
    margin: float = 0.05  # an error needs every other known face (learner or pupil) this much further
    review_margin: float = 0.06  # a learner this close behind someone else is still a possible match
    detector: str = "hog"  # hog (fast) | cnn (slower, finds more turned faces)
    min_face: int = 36  # smallest face to find, in pixels of the original image
    max_side: int = 3200  # longest side analysed; caps the cost of huge photos
    jitters: int = 1  # re-samplings per encoding (face_recognition's num_jitters)
    max_frames: int = 60  # distinct frames of an animation analysed
    threads: int = 0  # detector threads per image; 0 = one per core
    cache: bool = True  # keep reference-photo encodings in the per-user cache folder
    video_fps: float = 1.0  # video frames sampled per second at least (plus one at each scene change)

    @property
    def thread_count(self) -> int:
        if self.threads:
            return self.threads
        share = os.environ.get("POSTCHECK_FACE_THREADS", "")  # set in --jobs worker processes
        return int(share) if share.isdigit() and int(share) > 0 else min(4, os.cpu_count() or 1)

    def policy(self):  # -> postcheck.images.matching.Policy
        """The matching policy: age-aware thresholds unless tolerance/possible are set."""
        from dataclasses import replace

        from postcheck.images.matching import Policy, Thresholds

        thresholds = {}
        for band, default in Policy.default().thresholds.items():
            match = default.match if self.tolerance is None else self.tolerance
            possible = default.possible if self.possible is None else self.possible
            thresholds[band] = Thresholds(match, max(match, possible))
        return replace(Policy.default(), thresholds=thresholds, match_margin=self.margin,
                       review_margin=self.review_margin)


_NUMBERS: dict[str, tuple[type, float, float]] = {
    "tolerance": (float, 0.1, 1.0),
    "possible": (float, 0.1, 1.2),
    "margin": (float, 0.0, 0.5),
    "review_margin": (float, 0.0, 0.5),
    "min_face": (int, 12, 1000),
    "max_side": (int, 320, 20000),
    "jitters": (int, 1, 100),
    "max_frames": (int, 1, 10000),
    "threads": (int, 0, 64),
    "video_fps": (float, 0.2, 30.0),
}


def face_settings(section: dict[str, Any] | None, path: str | Path | None = None) -> FaceSettings:
    """Validate the ``faces:`` mapping; raises ConfigError naming file, line and key."""
    from postcheck.config import ConfigError

    section = section or {}
    where = path or "postcheck.yaml"
    values: dict[str, Any] = {}
    known = sorted(FaceSettings.__dataclass_fields__)
    for key, value in section.items():
        line = yamlio.line_of(section, key)
        name = f"faces.{key}"
        if key not in known:
            raise ConfigError(where, f"unknown setting {key!r} (known: {', '.join(known)})", line, name)
        if value is None and key in ("tolerance", "possible"):
            values[key] = None  # by age band (the default)
            continue
        if key == "detector":
            if value not in DETECTORS:
                raise ConfigError(where, f"detector must be one of {', '.join(DETECTORS)}", line, name)
        elif key == "cache":
            if not isinstance(value, bool):
                raise ConfigError(where, "cache must be true or false", line, name)
        else:
            kind, low, high = _NUMBERS[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
                raise ConfigError(where, f"{key} must be {'a whole number' if kind is int else 'a number'}", line, name)
            if not low <= value <= high:
                raise ConfigError(where, f"{key} must be between {low:g} and {high:g}", line, name)
            value = kind(value)
        values[key] = value
    settings = FaceSettings(**values)
    if settings.possible is not None and settings.tolerance is not None and settings.possible < settings.tolerance:
        raise ConfigError(where, "possible must be at least tolerance (it is the upper end of the check-by-eye band)",
                          yamlio.line_of(section, "possible"), "faces.possible")
    return settings


def band_of_year(year: object) -> str | None:
    """The age band of a consent-list ``year``: a UK year group (N, R, 1-13, "Year 6", "Y6") or a band name;
    up to Year 7 (age 11-12) a child, from Year 8 a teen.

    None when absent; raises ValueError for anything else.
    """
    if year is None or year == "":
        return None
    text = str(year).strip().lower()
    if text in AGE_BANDS:
        return text
    if text in ("n", "nursery", "r", "reception", "yr"):
        return "child"
    for prefix in ("year", "yr", "y"):
        if text.startswith(prefix) and text[len(prefix):].strip().isdigit():
            text = text[len(prefix):].strip()
            break
    if text.isdigit() and 0 <= int(text) <= 13:
        return "child" if int(text) <= 7 else "teen"  # Year 8 turn 13 during the year
    raise ValueError(f"year must be a year group (N, R, 1-13) or one of {', '.join(AGE_BANDS)}")
