"""Identifying metadata in images: GPS positions (error), names, people tags and serial numbers (warning)."""
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
            for item in items:
                gps = item.kind == "gps"
                template = self.rule.message if gps else self.options.get("identifying_message", self.rule.message)
                yield Hit(match=item.label, image=ref.display, severity=None if gps else Severity.WARNING,
                          message=template.format(label=item.label),
                          details={"metadata": item.label, "kind": item.kind})
