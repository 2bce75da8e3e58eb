"""Learner contact: invitations to private or personal contact (DMs, Snapchat, follow-backs)."""
from __future__ import annotations

from typing import Iterable

from postcheck.model import Hit
from postcheck.text.phrases import Matcher, compile_phrases
from postcheck.text.tokens import sentences, tokens_for


class PrivateContact:
    """Phrases that invite learners or families into private contact, outside official channels.

    A school-account post speaks to the school community, so any such invitation counts; a
    personal-account post counts when it is addressed to learners or families.
    """

    needs_doc = True

    def __init__(self, rule, config) -> None:
        options = rule.options
        lists = options.get("lists", {})
        self.invitations = compile_phrases(options.get("invitations", []), lists)
        self.official = compile_phrases(options.get("official_channels", []), lists)
        self.audience = compile_phrases(options.get("audience", []), lists)
        self.negations = compile_phrases(options.get("negations", []), lists)
        self.personal_platforms = compile_phrases(options.get("personal_platforms", []), lists)

    def run(self, post, ctx) -> Iterable[Hit]:
        text = post.prose
        tokens = tokens_for(post, ctx)
        matcher = Matcher(tokens)
        if post.account == "personal" and matcher.search(self.audience) is None:
            return  # a personal post not addressed to learners or families
        for first, last in sentences(tokens):
            for phrase, i, j in matcher.scan(self.invitations, first, last):
                if matcher.search(self.negations, first, i) is not None:
                    continue  # "we will never ask you to DM us"
                if (matcher.search(self.official, first, last) is not None
                        and matcher.search(self.personal_platforms, first, last) is None):
                    continue  # "message me through the school office"
                match = text[tokens[i].start:tokens[j - 1].end]
                yield Hit(match=match, start=tokens[i].start, end=tokens[j - 1].end, details={"pattern": phrase.source})
                break  # one finding a sentence is enough
