"""Word patterns from rule options, matched on lower-cased words or spaCy lemmas, with sentences."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

_WORD = re.compile(r"[\w@#]+(?=['’]s\b)|['’]s\b|[\w@#]+(?:['’.\-][\w]+)*|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
MAX_GAP = 3  # "..." in a pattern skips up to this many words


@dataclass(frozen=True, slots=True)
class Word:
    """One token of a post: its offsets, its lower-cased form and its lemma."""

    text: str
    lower: str
    lemma: str
    start: int
    end: int
    tag: str = ""  # spaCy part of speech ("PROPN"), "" without a pipeline
    ent: str = ""  # spaCy entity label ("PERSON"), "" without a pipeline


def _fold(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").lower()


def _naive_lemma(lower: str) -> str:
    """A crude lemma for when spaCy is off: enough for plural nouns and common verb endings."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if lower.endswith(suffix) and len(lower) - len(suffix) >= 3:
            return lower[: len(lower) - len(suffix)] + repl
    return lower


def words(text: str, doc: Any = None) -> list[Word]:
    """The words of ``text`` (from the spaCy Doc of the same text when there is one)."""
    if doc is not None:
        return [Word(t.text, _fold(t.text), _fold(t.lemma_ or t.text), t.idx, t.idx + len(t.text), t.pos_, t.ent_type_)
                for t in doc if not t.is_space]
    out = []
    for m in _WORD.finditer(text):
        lower = _fold(m.group(0))
        out.append(Word(m.group(0), lower, _naive_lemma(lower), m.start(), m.end()))
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a rough split that is good enough for nearby-word tests."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


class Patterns:
    """Word patterns such as ``add|follow me on {platforms}``.

    Elements are separated by spaces: ``a|b`` alternatives, ``{set}`` any word of a named list,
    ``*`` any one word, ``...`` up to three words, a trailing ``?`` makes an element optional.
    A pattern word matches a token's lower-cased form or its lemma.
    """

    def __init__(self, patterns: Iterable[str], sets: Mapping[str, Iterable[str]] | None = None):
        sets = {k: [_fold(str(v)) for v in vs] for k, vs in (sets or {}).items()}
        self.compiled: list[tuple[str, list[tuple[frozenset[str] | None, bool, bool]]]] = []
        for pattern in patterns:
            elements = []
            for part in str(pattern).split():
                optional = part.endswith("?") and len(part) > 1
                part = part.rstrip("?") if optional else part
                if part == "...":
                    elements.append((None, True, True))
                    continue
                if part == "*":
                    elements.append((None, optional, False))
                    continue
                options: set[str] = set()
                for alt in part.split("|"):
                    if alt.startswith("{") and alt.endswith("}"):
                        options.update(sets.get(alt[1:-1], []))
                    else:
                        options.add(_fold(alt))
                elements.append((frozenset(options), optional, False))
            if elements:
                self.compiled.append((str(pattern), elements))

    def finditer(self, tokens: list[Word], start: int = 0, end: int | None = None) -> Iterable[tuple[str, int, int]]:
        """(pattern, first token index, last token index + 1) for each match, leftmost first."""
        end = len(tokens) if end is None else end
        for i in range(start, end):
            for pattern, elements in self.compiled:
                stop = _match(elements, tokens, i, end)
                if stop is not None:
                    yield pattern, i, stop

    def search(self, tokens: list[Word], start: int = 0, end: int | None = None) -> tuple[str, int, int] | None:
        return next(iter(self.finditer(tokens, start, end)), None)


def _match(elements, tokens: list[Word], i: int, end: int) -> int | None:
    if not elements:
        return i
    options, optional, gap = elements[0]
    rest = elements[1:]
    if gap:
        for skip in range(0, MAX_GAP + 1):
            if i + skip > end:
                break
            found = _match(rest, tokens, i + skip, end)
            if found is not None:
                return found
        return None
    if i < end and (options is None or tokens[i].lower in options or tokens[i].lemma in options):
        found = _match(rest, tokens, i + 1, end)
        if found is not None:
            return found
    if optional:
        return _match(rest, tokens, i, end)
    return None


def token_range(tokens: list[Word], start: int, end: int) -> tuple[int, int]:
    """Indexes of the first token at or after ``start`` and past the last token before ``end``."""
    first = next((i for i, t in enumerate(tokens) if t.start >= start), len(tokens))
    last = next((i for i, t in enumerate(tokens) if t.start >= end), len(tokens))
    return first, last
