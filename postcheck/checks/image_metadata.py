"""Identifying metadata in images: GPS positions (error), names, people tags and serial numbers (warning).

One finding per photo lists everything found in it: one fix (save a copy without metadata) covers all.
"""
from __future__ import annotations

from typing import Iterable

from postcheck.model import Hit, Severity


class ImageMetadata:
    needs_doc = False

    def __init__(self, rule, config) -> None:
        self.rule = rule
        self.config = config
        self.options = rule.options

    def _video(self, path) -> list:
        """Container tags of a clip (QuickTime ©xyz location, author, device names); none when video is off."""
        from postcheck.images.media_settings import video_settings
        from postcheck.images.video import video_metadata

        settings = video_settings(self.config.section("video") or None, self.config.path)
        return video_metadata(path, settings) if settings.enabled else []

    def run(self, post, ctx) -> Iterable[Hit]:
        from postcheck.images.loader import ImageError
        from postcheck.images.metadata import identifying_metadata
        from postcheck.images.video import is_video

        for ref in post.images:
            try:
                items = identifying_metadata(ref.path) if not is_video(ref.path) else self._video(ref.path)
            except ImageError:
                continue  # image-unreadable reports it
            if not items:
                continue
            gps = [item.label for item in items if item.kind == "gps"]
            other = [item.label for item in items if item.kind != "gps"]
            if gps:
                message = self.rule.message.format(label=", ".join(gps))
                if other:
                    message += "; also " + ", ".join(other)
            else:
                message = self.options.get("identifying_message", self.rule.message).format(label=", ".join(other))
            labels = gps + other
            yield Hit(match=", ".join(labels), image=ref.display, severity=None if gps else Severity.WARNING,
                      message=message, details={"metadata": labels, "kind": "gps" if gps else "identifying"})
