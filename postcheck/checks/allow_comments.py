"""Inline allow comments that are malformed (no reason, unreadable, unknown image)."""
from __future__ import annotations

from typing import Iterable

from postcheck import allows
from postcheck.model import Hit


class AllowComments:
    """Reports bad ``<!-- postcheck: allow ... -->`` comments; the engine applies the good ones."""

    needs_doc = False

    def __init__(self, rule, config) -> None:
        self.rule = rule

    def run(self, post, ctx) -> Iterable[Hit]:
        if "postcheck" not in post.text:
            return
        yield from allows.problems(post)
