"""Learner contact: invitations to private or personal contact (DMs, Snapchat, follow-backs, own inboxes)."""
from __future__ import annotations

import re
from typing import Iterable

from postcheck.model import Hit
from postcheck.text.phrases import Matcher, option_phrases
from postcheck.text.tokens import Token, fold, sentence_at, sentences, tokens_for

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]+@((?:[\w-]+\.)+[A-Za-z]{2,})\b")


_IRREGULAR_PAST = {"sent", "rang", "rung"}


def _reported(token: Token) -> bool:
    """Whether an invitation's first word is a verb in the past or the -ing form: an invitation is an imperative
    or an infinitive ("message me", "feel free to DM me"); "she messaged me", "who keep messaging me", "followed
    me on Spotify" tell of contact instead (whether that is itself a problem is the model's and the other rules'
    to judge)."""
    if token.pos not in ("VERB", "AUX", ""):
        return False
    word = token.lower
    return word in _IRREGULAR_PAST or (word.endswith(("ed", "ing")) and any(form != word for form in token.forms))


class PrivateContact:
    """Phrases that invite learners or families into private contact, outside official channels.

    A school-account post speaks to the school community, so any such invitation counts; a
    personal-account post counts when it is addressed to learners or families. An address at a
    personal webmail domain offered in such a post is an invitation too. A sentence that names an
    official channel is exempt unless it steps around it ("if you'd rather not go through the
    office, message me"); a negation cancels an invitation only in its own clause or a clause that
    is not a condition. "Add me" counts when the post names a platform or game; social meet-ups
    count on personal posts to (former) learners when the sentence invites.
    """

    needs_doc = True

    def __init__(self, rule, config) -> None:
        options = rule.options
        self.nouns = option_phrases(options, "noun_invitations")  # a channel named: counts with a noun cue only
        self.invitations = (*option_phrases(options, "invitations"), *self.nouns)
        self.noun_cues = option_phrases(options, "noun_cues")
        self.official = option_phrases(options, "official_channels")
        self.audience = option_phrases(options, "audience")
        self.near_audience = option_phrases(options, "near_audience")
        self.not_audience = option_phrases(options, "not_audience")
        self.negations = option_phrases(options, "negations")
        self.other_audiences = option_phrases(options, "other_audiences")
        self.webmail = {fold(str(d)) for d in options.get("webmail", [])}
        self.personal_platforms = option_phrases(options, "personal_platforms")
        self.mail_owners = option_phrases(options, "mail_owner_cues")
        self.bypass = option_phrases(options, "bypass_cues")
        self.conditionals = {fold(str(w)) for w in options.get("conditionals", [])}
        # "add me" counts when the post names a platform or game somewhere ("on Fortnite? Add me tonight")
        self.platform_invitations = option_phrases(options, "platform_invitations")
        self.platform_context = option_phrases(options, "platform_context")
        self.not_before = {fold(str(w)) for w in options.get("platform_invitations_not_before", [])}
        # social meet-ups ("I'll be at the pub if any of you fancy a catch-up"): personal posts to learners
        self.social = option_phrases(options, "social_invitations")
        self.social_audience = option_phrases(options, "social_audience")
        self.social_cues = option_phrases(options, "social_cues")

    def _addressed(self, matcher: Matcher, first: int | None = None, last: int | None = None,
                   near: bool = False) -> bool:
        """Whether the post (or its tokens first:last) speaks to learners or families (not merely mentions the
        author's own kids); with ``near``, the words that count only close to an invitation count too."""
        span = () if first is None else (first, last)
        own = [(i, j) for _, i, j in matcher.scan(self.not_audience, *span)]
        phrases = (*self.audience, *self.near_audience) if near else self.audience
        return any(not any(a <= i and j <= b for a, b in own) for _, i, j in matcher.scan(phrases, *span))

    def run(self, post, ctx) -> Iterable[Hit]:
        text = post.prose
        tokens = tokens_for(post, ctx)
        matcher = Matcher(tokens)
        school = post.account != "personal"
        # a personal post counts when it speaks to learners or families: anywhere with the plain words ("my Year
        # 9s", "parents"), only near the invitation with the words adults' posts use too ("team", "the kids")
        everywhere = school or self._addressed(matcher)
        if not everywhere and not self._addressed(matcher, near=True):
            return  # a personal post not addressed to learners or families
        done: set[int] = set()
        invitations = self.invitations
        if self.platform_invitations and matcher.search(self.platform_context) is not None:
            invitations = (*invitations, *self.platform_invitations)
        if not school and self.social and matcher.search(self.social_audience) is not None:
            invitations = (*invitations, *self.social)
        spans = sentences(tokens)
        for n, (first, last) in enumerate(spans):
            if matcher.search(self.other_audiences, first, last) is not None:
                continue  # "message me if you're hiring": employers, not learners
            near = spans[max(0, n - 2)][0], spans[min(len(spans) - 1, n + 2)][1]  # two sentences either side
            if not everywhere and not self._addressed(matcher, *near, near=True):
                continue  # "message me for the hotel" three paragraphs after "took the kids to Edinburgh"
            bypass = matcher.search(self.bypass, first, last) is not None
            for phrase, i, j in matcher.scan(invitations, first, last):
                if phrase in self.platform_invitations and j < last and tokens[j].lower in self.not_before:
                    continue  # "add me to the rota"
                if phrase in self.social and matcher.search(self.social_cues, first, last) is None:
                    continue  # "I'm at the pub quiz tonight": not an invitation
                if self._negated(tokens, matcher, first, i):
                    continue  # "we will never ask you to DM us"
                if phrase in self.nouns and matcher.search(self.noun_cues, first, last) is None:
                    continue  # "parents' WhatsApp groups are the worst", "declined a friend request"
                if _reported(tokens[i]):
                    continue  # "three of them messaged me", "parents who keep messaging me": told, not invited
                if (not bypass and matcher.search(self.official, first, last) is not None
                        and matcher.search(self.personal_platforms, first, last) is None
                        and not self._webmail_in(text, tokens, first, last)):
                    continue  # "message me through the school office"
                done.add(tokens[first].sent)
                match = text[tokens[i].start:tokens[j - 1].end]
                # whether the sentence itself names learners or families: where it names neither, the model may
                # read it as something else (model_instead: "message me for a reference" speaks to an employer)
                yield Hit(match=match, start=tokens[i].start, end=tokens[j - 1].end,
                          details={"pattern": phrase.source, "audience": self._addressed(matcher, first, last, near=True)})
                break  # one finding a sentence is enough
        yield from self._inboxes(text, tokens, matcher, school, done)

    def _negated(self, tokens: list[Token], matcher: Matcher, first: int, i: int) -> bool:
        """A negation before the invitation in its own clause, or in an earlier clause that is not a
        condition: "if you can't reach the office, ring my mobile" still invites."""
        start = i
        while start > first and not tokens[start].brk:
            start -= 1
        if matcher.search(self.negations, start, i) is not None:
            return True
        clause_end = start
        while clause_end > first:
            begin = clause_end - 1
            while begin > first and not tokens[begin].brk:
                begin -= 1
            if tokens[begin].lower not in self.conditionals and matcher.search(self.negations, begin, clause_end) is not None:
                return True
            clause_end = begin
        return False

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
