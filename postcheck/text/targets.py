"""Who a word is about: a person (or group) or a thing or event ("a moron" vs "a moronic decision")."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from postcheck.text.tokens import POSSESSIVES, TITLES, Token, fold

_SKIPPABLE_POS = {"ADJ", "ADV", "DET", "NUM", "PART"}
_FILLERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "very", "so", "such", "total",
                      "complete", "absolute", "utter", "little", "real", "proper", "most", "more", "really",
                      "and", "quite", "bit", "of", "some"})
_NEUTRAL = frozenset({"what", "that", "which", "there", "whatever", "where", "when", "how", "one", "today", "tonight",
                      "yesterday", "tomorrow", "now", "time", "times", "lot", "bit", "way"})


_SHARES = frozenset({"some", "most", "all", "many", "few", "half", "one", "two", "three", "several", "both", "each",
                     "none", "any", "lot", "lots", "majority", "rest"})
_NOT_NOUNS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
_SELF = frozenset({"i", "we", "me", "us", "it", "this", "myself", "ourselves"})
# a school's groups of pupils when a number follows ("Year 9", "set 4"), not "a dreadful year"
_NUMBERED_GROUPS = frozenset({"year", "yr", "set", "form", "group"})


def _name_like(tokens: Sequence[Token], k: int) -> bool:
    """No spaCy: a capitalised word that does not open its sentence (and is not "I")."""
    token = tokens[k]
    return not token.pos and token.capitalised and token.lower != "i" and k > 0 and tokens[k - 1].sent == token.sent


@dataclass
class Targets:
    """Decides whether a word is aimed at a person (or group) or at a thing or event."""

    person_words: frozenset[str] = frozenset()
    thing_words: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset({"PERSON"})
    # words that name a person only after a possessive ("our chair", not "this chair")
    owned_roles: frozenset[str] = frozenset()

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> "Targets":
        return cls(
            person_words=frozenset(fold(w) for w in options.get("person_words") or ()),
            thing_words=frozenset(fold(w) for w in options.get("thing_words") or ()),
            entities=frozenset(options.get("person_entities") or ("PERSON",)),
            owned_roles=frozenset(fold(w) for w in options.get("person_words_after_possessive") or ()),
        )

    def is_person(self, tokens: Sequence[Token], i: int) -> bool:
        token = tokens[i]
        if token.ent and token.ent in self.entities:
            return True
        if not token.forms.isdisjoint(self.person_words) or not token.forms.isdisjoint(TITLES):
            return True
        if not token.forms.isdisjoint(self.owned_roles) and self._owned(tokens, i):
            return True
        if token.lower in _NUMBERED_GROUPS and i + 1 < len(tokens) and tokens[i + 1].sent == token.sent \
                and tokens[i + 1].lower[:1].isdigit():
            return True
        return i > 0 and not tokens[i - 1].forms.isdisjoint(TITLES) and tokens[i - 1].sent == token.sent  # "Mr Keane"

    @staticmethod
    def _owned(tokens: Sequence[Token], i: int) -> bool:
        """A possessive right before the word, or before its compound ("my tutor group", "my Year 10 group")."""
        sent = tokens[i].sent
        for k in (i - 1, i - 2, i - 3):
            if k < 0 or tokens[k].sent != sent:
                return False
            if tokens[k].lower in POSSESSIVES:
                return True
            if tokens[k].pos not in ("NOUN", "PROPN", "NUM", ""):
                return False
        return False

    def _noun_like(self, tokens: Sequence[Token], k: int) -> bool:
        token = tokens[k]
        if token.lower == "lot" and k > 0 and (tokens[k - 1].lower in POSSESSIVES or tokens[k - 1].lower == "that") \
                and not (k + 1 < len(tokens) and tokens[k + 1].is_("of")):
            return True  # "their lot", "that lot": a group of people, not "a lot of"
        if token.lower in _NEUTRAL or token.ent in _NOT_NOUNS:
            return False
        if token.pos:
            return token.pos in ("NOUN", "PROPN") or (token.pos == "PRON" and token.lower not in POSSESSIVES)
        return not token.forms.isdisjoint(self.person_words | self.thing_words | TITLES | _SELF) or _name_like(tokens, k)

    def _classify(self, tokens: Sequence[Token], i: int) -> str:
        return "person" if self.is_person(tokens, i) else "thing"

    def forward(self, tokens: Sequence[Token], j: int, reach: int = 4) -> str | None:
        """The word's object or the noun it describes: the first noun after it."""
        sent = tokens[j - 1].sent if j else 0
        k, steps = j, 0
        while k < len(tokens) and tokens[k].sent == sent and steps <= reach and not tokens[k].brk:
            token = tokens[k]
            if token.lower in POSSESSIVES and k + 1 < len(tokens):
                k, steps = k + 1, steps + 1
                continue
            if token.lower in _SHARES and k + 2 < len(tokens) and tokens[k + 1].is_("of") \
                    and tokens[k + 2].sent == sent:
                k, steps = k + 2, steps + 1  # "half of Year 10": the group, not the share
                continue
            if self._noun_like(tokens, k):
                # a possessive ("Julia Donaldson's new book") hands over to what is possessed
                if token.lower.endswith("'s") or (k + 1 < len(tokens) and tokens[k + 1].lower == "'s"):
                    k += 2 if not token.lower.endswith("'s") else 1
                    steps += 1
                    continue
                if token.pos and k + 1 < len(tokens) and tokens[k + 1].sent == sent and not tokens[k + 1].brk \
                        and self._noun_like(tokens, k + 1) \
                        and tokens[k + 1].pos != "PRON" and not (token.ent and token.ent == tokens[k + 1].ent):
                    k, steps = k + 1, steps + 1  # compound noun: the head is the last word
                    continue
                return self._classify(tokens, k)
            if token.pos in _SKIPPABLE_POS or token.lower in _FILLERS:
                k, steps = k + 1, steps + 1
                continue
            return None
        return None

    def backward(self, tokens: Sequence[Token], i: int) -> str | None:
        """The word's subject: the nearest noun before it ("the referee ... was a total moron")."""
        if i == 0:
            return None
        sent = tokens[i].sent
        k = i - 1
        while k >= 0 and tokens[k].sent == sent and not tokens[k + 1].brk:
            token = tokens[k]
            if self._noun_like(tokens, k) and token.lower not in POSSESSIVES:
                # "head of science": the noun before "of" is the one that counts
                back = k - 1
                while back >= 0 and tokens[back].sent == sent and (tokens[back].pos in ("ADJ", "DET", "NOUN", "PROPN")
                                                                   and not tokens[back].is_("of")) and back > k - 3:
                    back -= 1
                if back >= 0 and tokens[back].is_("of") and tokens[back].sent == sent:
                    # "two of them", "most of the parents": a count or share hands over to the group
                    if back > 0 and tokens[back - 1].sent == sent and (
                            tokens[back - 1].pos == "NUM" or tokens[back - 1].lower in _SHARES):
                        return self._classify(tokens, k)
                    k = back - 1
                    continue
                # "that adviser from the trust": the person, not where they come from
                if back > 0 and tokens[back].is_("from") and tokens[back].sent == sent \
                        and self._noun_like(tokens, back - 1) and tokens[back - 1].sent == sent:
                    return self._classify(tokens, back - 1)
                return self._classify(tokens, k)
            k -= 1
        return None

    def of(self, tokens: Sequence[Token], i: int, end: int, look: str) -> str | None:
        if look == "forward":
            return self.forward(tokens, end)
        if look == "backward":
            return self.backward(tokens, i)
        return self.forward(tokens, end, reach=2) or self.backward(tokens, i)
