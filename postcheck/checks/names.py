"""Learner names: roster learners written by full name."""
from __future__ import annotations

import re
from typing import Iterable

from postcheck.model import Hit


class PersonNames:
    """Roster full names, exact and case-insensitive."""

    needs_doc = False

    def __init__(self, rule, config) -> None:
        self.rule = rule
        self.roster = config.roster
        self._pattern: re.Pattern[str] | None = None
        self._by_name: dict[str, object] = {}
        if self.roster:
            alternatives = []
            for learner in self.roster:
                self._by_name[learner.full_name.casefold()] = learner
                alternatives.append(r"\s+".join(re.escape(part) for part in learner.full_name.split()))
            alternatives.sort(key=len, reverse=True)
            self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)

    def run(self, post, ctx) -> Iterable[Hit]:
        if self._pattern is None:
            ctx.notice("roster not configured: learner full names are not checked against it")
            return
        for m in self._pattern.finditer(post.prose):
            learner = self._by_name.get(" ".join(m.group(0).split()).casefold())
            first = learner.first_name if learner else m.group(0).split()[0]
            yield Hit(match=m.group(0), start=m.start(), end=m.end(), suggestion=first)
