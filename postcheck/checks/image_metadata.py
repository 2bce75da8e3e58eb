"""Identifying metadata in images: GPS positions (error), names, people tags and serial numbers (warning)."""
from __future__ import annotations

from typing import Iterable

from postcheck.model import Hit, Severity


class ImageMetadata:
    needs_doc = False

    def __init__(self, rule, config) -> None:
        self.rule = rule
        self.options = rule.options

    def run(self, post, ctx) -> Iterable[Hit]:
        from postcheck.images.loader import ImageError
        from postcheck.images.metadata import identifying_metadata

        for ref in post.images:
            try:
                items = identifying_metadata(ref.path)
            except ImageError:
                continue  # image-unreadable reports it
            for item in items:
                gps = item.kind == "gps"
                template = self.rule.message if gps else self.options.get("identifying_message", self.rule.message)
                yield Hit(match=item.label, image=ref.display, severity=None if gps else Severity.WARNING,
                          message=template.format(label=item.label),
                          details={"metadata": item.label, "kind": item.kind})
