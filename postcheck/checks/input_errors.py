"""Problems met while loading a post: a post is never passed unchecked."""
from __future__ import annotations

from typing import Iterable

from postcheck.model import Hit


class InputErrors:
    needs_doc = False

    def __init__(self, rule, config) -> None:
        self.rule = rule

    def run(self, post, ctx) -> Iterable[Hit]:
        for problem in post.problems:
            yield Hit(match="", message=problem.message, path=problem.path,
                      line=problem.line, column=problem.column)
