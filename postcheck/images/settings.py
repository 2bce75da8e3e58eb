"""The ``faces:`` section of postcheck.yaml, validated into FaceSettings (no heavy imports here)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcheck import yamlio

DETECTORS = ("hog", "cnn")


@dataclass(frozen=True, slots=True)
class FaceSettings:
    """How faces are found and matched."""

    tolerance: float = 0.6  # distance at or below which a face is the learner (error)
    possible: float = 0.7  # up to this distance: "possible match — check by eye" (warning)
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


_NUMBERS: dict[str, tuple[type, float, float]] = {
    "tolerance": (float, 0.1, 1.0),
    "possible": (float, 0.1, 1.2),
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
    if settings.possible < settings.tolerance:
        raise ConfigError(where, "possible must be at least tolerance (it is the upper end of the check-by-eye band)",
                          yamlio.line_of(section, "possible"), "faces.possible")
    return settings
