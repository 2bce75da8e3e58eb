"""Phrase patterns from rule options, found in a post's tokens within one sentence.

Phrase patterns are plain strings, one token spec per word:

* ``word`` matches the token's lower-case text, its de-obfuscated form or its lemma;
* ``a|b|c`` any of these; ``redundan*`` any word starting so; ``word?`` optional;
* ``...`` a gap of up to three words; ``#num`` a number; ``@person`` a person cue
  (see :class:`postcheck.text.targets.Targets`); both may be alternatives too (``#num|ten``).

An alternative is one word: "keep it quiet|secret" is keep, it, quiet-or-secret.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from postcheck.text.tokens import IRREGULAR, Token, fold

if TYPE_CHECKING:
    from postcheck.text.targets import Targets


@dataclass(frozen=True, slots=True)
class Spec:
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    optional: bool = False
    gap: bool = False
    special: str = ""


@dataclass(frozen=True, slots=True)
class Phrase:
    source: str
    specs: tuple[Spec, ...]


def compile_phrase(source: str) -> Phrase:
    specs = []
    words = []
    for word in fold(source).split():
        # "self-harm" is two tokens in a post, so two specs here (hyphens only outside alternatives)
        words.extend(word.split("-") if "-" in word and "|" not in word and len(word) > 1 else [word])
    for word in words:
        if word == "...":
            specs.append(Spec(gap=True))
            continue
        optional = word.endswith("?") and len(word) > 1
        word = word.rstrip("?") if optional else word
        words, prefixes, special = set(), [], ""
        for alt in word.split("|"):
            if alt in ("#num", "@person"):
                special = alt
            elif alt.endswith("*") and len(alt) > 1:
                prefixes.append(alt[:-1])
            elif alt:
                words.add(alt)
                words.add(IRREGULAR.get(alt, alt))
        specs.append(Spec(frozenset(words), tuple(prefixes), optional, special=special))
    return Phrase(source, tuple(specs))


def compile_phrases(sources: Iterable[Any]) -> tuple[Phrase, ...]:
    return tuple(compile_phrase(str(s)) for s in sources or () if str(s).strip())


class Matcher:
    """Finds phrases in a token list, within one sentence."""

    def __init__(self, tokens: Sequence[Token], targets: "Targets | None" = None):
        self.tokens = tokens
        self.targets = targets

    def token_matches(self, i: int, spec: Spec) -> bool:
        token = self.tokens[i]
        if spec.special == "#num" and token.lower.replace(",", "").replace(".", "").isdigit():
            return True
        if spec.special == "@person" and self.targets is not None and self.targets.is_person(self.tokens, i):
            return True
        if not token.forms.isdisjoint(spec.words):
            return True
        if spec.prefixes and any(f.startswith(p) for f in token.forms for p in spec.prefixes):
            return True
        return token.wild is not None and any(token.wild.fullmatch(w) for w in spec.words)

    def _match(self, i: int, specs: tuple[Spec, ...], k: int, sent: int) -> int:
        if k == len(specs):
            return i
        spec = specs[k]
        if spec.gap:
            for skip in range(0, 4):
                if i + skip > len(self.tokens) or (skip and self.tokens[i + skip - 1].sent != sent):
                    break
                end = self._match(i + skip, specs, k + 1, sent)
                if end >= 0:
                    return end
            return -1
        if i < len(self.tokens) and self.tokens[i].sent == sent and self.token_matches(i, spec):
            end = self._match(i + 1, specs, k + 1, sent)
            if end >= 0:
                return end
        if spec.optional:
            return self._match(i, specs, k + 1, sent)
        return -1

    def find(self, phrase: Phrase) -> Iterable[tuple[int, int]]:
        """(first, last + 1) token indexes of each match, within one sentence."""
        for i, token in enumerate(self.tokens):
            end = self._match(i, phrase.specs, 0, token.sent)
            if end > i:
                yield i, end

    def any_in(self, phrases: Iterable[Phrase], sent: int | None = None) -> tuple[int, int] | None:
        for phrase in phrases:
            for i, end in self.find(phrase):
                if sent is None or self.tokens[i].sent == sent:
                    return i, end
        return None


