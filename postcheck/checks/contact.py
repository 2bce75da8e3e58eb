"""Learner contact: invitations to private or personal contact (DMs, Snapchat, follow-backs)."""
from __future__ import annotations

from typing import Iterable

from postcheck.checks.wordmatch import Patterns, sentences, token_range, words
from postcheck.model import Hit


class PrivateContact:
    """Phrases that invite learners or families into private contact, outside official channels.

    A school-account post speaks to the school community, so any such invitation counts; a
    personal-account post counts when it is addressed to learners or families.
    """

    needs_doc = True

    def __init__(self, rule, config) -> None:
        options = rule.options
        sets = dict(options.get("lists", {}))
        self.invitations = Patterns(options.get("invitations", []), sets)
        self.official = Patterns(options.get("official_channels", []), sets)
        self.audience = Patterns(options.get("audience", []), sets)
        self.negations = Patterns(options.get("negations", []), sets)
        self.personal_platforms = Patterns(options.get("personal_platforms", []), sets)

    def run(self, post, ctx) -> Iterable[Hit]:
        text = post.prose
        tokens = words(text, ctx.doc(post))
        if post.account == "personal" and self.audience.search(tokens) is None:
            return  # a personal post not addressed to learners or families
        for start, end in sentences(text):
            first, last = token_range(tokens, start, end)
            for pattern, i, j in self.invitations.finditer(tokens, first, last):
                if self.negations.search(tokens, first, i) is not None:
                    continue  # "we will never ask you to DM us"
                if (self.official.search(tokens, first, last) is not None
                        and self.personal_platforms.search(tokens, first, last) is None):
                    continue  # "message me through the school office"
                match = text[tokens[i].start:tokens[j - 1].end]
                yield Hit(match=match, start=tokens[i].start, end=tokens[j - 1].end, details={"pattern": pattern})
                break  # one finding a sentence is enough
