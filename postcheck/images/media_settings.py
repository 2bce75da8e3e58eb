"""The ``images:`` (OCR) and ``video:`` sections of postcheck.yaml, validated (no heavy imports here)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcheck import yamlio


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Reading printed text inside photos."""

    ocr: bool = True
    ocr_side: int = 1280  # longest side the text detector sees (text from ~1/100 of the height is found)
    ocr_score: float = 0.5  # recognised lines below this confidence are dropped


@dataclass(frozen=True, slots=True)
class VideoSettings:
    """Video clips: on or off, and the caps that bound decode time and memory."""

    enabled: bool = True
    max_seconds: int = 600  # longer clips are an input error, not checked
    max_megabytes: int = 2000
    max_side: int = 4096  # 4K; larger frames are refused


_LIMITS: dict[str, dict[str, tuple[type, float, float]]] = {
    "images": {"ocr_side": (int, 320, 8000), "ocr_score": (float, 0.0, 1.0)},
    "video": {"max_seconds": (int, 1, 36000), "max_megabytes": (int, 1, 100000), "max_side": (int, 64, 16384)},
}


def _values(name: str, section: dict[str, Any], known: list[str], flags: tuple[str, ...], where: Any) -> dict[str, Any]:
    from postcheck.config import ConfigError

    values: dict[str, Any] = {}
    for key, value in section.items():
        line = yamlio.line_of(section, key)
        dotted = f"{name}.{key}"
        if key not in known:
            raise ConfigError(where, f"unknown setting {key!r} in {name} (known: {', '.join(known)})", line, dotted)
        if key in flags:
            if not isinstance(value, bool):
                raise ConfigError(where, f"{dotted} must be true or false", line, dotted)
        else:
            kind, low, high = _LIMITS[name][key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
                raise ConfigError(where, f"{dotted} must be {'a whole number' if kind is int else 'a number'}", line, dotted)
            if not low <= value <= high:
                raise ConfigError(where, f"{dotted} must be between {low:g} and {high:g}", line, dotted)
            value = kind(value)
        values[key] = value
    return values


def ocr_settings(section: Any, path: str | Path | None = None) -> OcrSettings:
    """Validate ``images:`` ({ocr: false} turns text reading off); raises ConfigError."""
    from postcheck.config import ConfigError

    where = path or "postcheck.yaml"
    if section is None:
        return OcrSettings()
    if not isinstance(section, dict):
        raise ConfigError(where, "images must be a mapping (for example images: {ocr: false})", None, "images")
    return OcrSettings(**_values("images", section, sorted(OcrSettings.__dataclass_fields__), ("ocr",), where))


def video_settings(value: Any, path: str | Path | None = None) -> VideoSettings:
    """Validate ``video:`` (false, true, or a mapping of limits); raises ConfigError."""
    from postcheck.config import ConfigError

    where = path or "postcheck.yaml"
    if value is None or value is True:
        return VideoSettings()
    if value is False:
        return VideoSettings(enabled=False)
    if not isinstance(value, dict):
        raise ConfigError(where, "video must be true, false or a mapping (max_seconds, max_megabytes, max_side)",
                          None, "video")
    return VideoSettings(**_values("video", value, sorted(VideoSettings.__dataclass_fields__), ("enabled",), where))
