"""Learner contact: invitations to private or personal contact (DMs, Snapchat, follow-backs, own inboxes)."""
from __future__ import annotations

import re
from typing import Iterable

from postcheck.model import Hit
from postcheck.text.phrases import Matcher, compile_phrases
from postcheck.text.tokens import Token, fold, sentence_at, sentences, tokens_for

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]+@((?:[\w-]+\.)+[A-Za-z]{2,})\b")


class PrivateContact:
    """Phrases that invite learners or families into private contact, outside official channels.

    A school-account post speaks to the school community, so any such invitation counts; a
    personal-account post counts when it is addressed to learners or families. An address at a
    personal webmail domain offered in such a post is an invitation too.
    """

    needs_doc = True

    def __init__(self, rule, config) -> None:
        options = rule.options
        lists = options.get("lists", {})
        self.invitations = compile_phrases(options.get("invitations", []), lists)
        self.official = compile_phrases(options.get("official_channels", []), lists)
        self.audience = compile_phrases(options.get("audience", []), lists)
        self.not_audience = compile_phrases(options.get("not_audience", []), lists)
        self.negations = compile_phrases(options.get("negations", []), lists)
        self.other_audiences = compile_phrases(options.get("other_audiences", []), lists)
        self.webmail = {fold(str(d)) for d in options.get("webmail", [])}
        self.personal_platforms = compile_phrases(options.get("personal_platforms", []), lists)
        self.mail_owners = compile_phrases(options.get("mail_owner_cues", []), lists)

    def _addressed(self, matcher: Matcher) -> bool:
        """Whether the post speaks to learners or families (not merely mentions the author's own kids)."""
        own = [(i, j) for _, i, j in matcher.scan(self.not_audience)]
        return any(not any(a <= i and j <= b for a, b in own) for _, i, j in matcher.scan(self.audience))

    def run(self, post, ctx) -> Iterable[Hit]:
        text = post.prose
        tokens = tokens_for(post, ctx)
        matcher = Matcher(tokens)
        school = post.account != "personal"
        if not school and not self._addressed(matcher):
            return  # a personal post not addressed to learners or families
        done: set[int] = set()
        for first, last in sentences(tokens):
            if matcher.search(self.other_audiences, first, last) is not None:
                continue  # "message me if you're hiring": employers, not learners
            for phrase, i, j in matcher.scan(self.invitations, first, last):
                if matcher.search(self.negations, first, i) is not None:
                    continue  # "we will never ask you to DM us"
                if (matcher.search(self.official, first, last) is not None
                        and matcher.search(self.personal_platforms, first, last) is None
                        and not self._webmail_in(text, tokens, first, last)):
                    continue  # "message me through the school office"
                done.add(tokens[first].sent)
                match = text[tokens[i].start:tokens[j - 1].end]
                yield Hit(match=match, start=tokens[i].start, end=tokens[j - 1].end, details={"pattern": phrase.source})
                break  # one finding a sentence is enough
        yield from self._inboxes(text, tokens, matcher, school, done)

    def _is_webmail(self, domain: str) -> bool:
        return fold(domain).split(".")[0] in self.webmail

    def _webmail_in(self, text: str, tokens: list[Token], first: int, last: int) -> bool:
        start, end = tokens[first].start, tokens[last - 1].end
        return any(self._is_webmail(m.group(1)) for m in _EMAIL.finditer(text, start, end))

    def _inboxes(self, text: str, tokens: list[Token], matcher: Matcher, school: bool, done: set[int]) -> Iterable[Hit]:
        """Personal webmail addresses offered to the post's readers."""
        for m in _EMAIL.finditer(text):
            if not self._is_webmail(m.group(1)):
                continue
            first, last = sentence_at(tokens, m.start())
            if first >= last or tokens[first].sent in done:
                continue
            # on the school account, only a staff member's own inbox ("me", "Mr Kay", "his")
            if school and matcher.search(self.mail_owners, first, last) is None:
                continue
            done.add(tokens[first].sent)
            yield Hit(match=m.group(0), start=m.start(), end=m.end(), details={"pattern": "personal e-mail address"})
