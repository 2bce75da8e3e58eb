"""Split a post into judging units (sentences, list items, headings, lines) as (start, end) offsets."""

from __future__ import annotations

import re

# Leading Markdown furniture that is not part of the sentence: indentation, quote marks, bullets,
# numbered-list markers and heading hashes.
_LEAD = re.compile(r"[ \t>]*(?:(?:[-*+\u2022\u00b7\u25aa\u25cf\u2013\u2014]|\d{1,3}[.)]|#{1,6})[ \t]+)?")
# A sentence ends at . ! ? or an ellipsis, perhaps followed by closing quotes or brackets, then space.
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*\s+")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)[.]$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms miss dr st prof rev sr jr eg ie etc vs no nos approx dept est ft mt inc ltd co ave rd".split()
)
_HAS_WORD = re.compile(r"\w")


def _sentence_spans(line: str, offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(line):
        end = m.end()
        if end >= len(line):
            break
        nxt = line[end]
        if nxt.islower():
            continue
        before = _WORD_BEFORE.search(line, 0, m.start() + 1)
        if before is not None and m.group().startswith(".") and m.start() + 1 == before.end():
            word = before.group(1)
            if len(word) == 1 or word.lower() in _ABBREVIATIONS:
                continue
        spans.append((start, m.start() + len(m.group().rstrip())))
        start = end
    spans.append((start, len(line.rstrip())))
    return [(offset + a, offset + b) for a, b in spans if b > a and _HAS_WORD.search(line, a, b)]


def split_units(text: str) -> list[tuple[int, int]]:
    """Offsets of the units of `text`, in order; `text[start:end]` is a sentence, list item, heading or line.

    Deterministic and pure Python; training uses the same function, so units mean the same thing in both.
    Units without a letter or digit (rules, emoji-only lines) are left out.
    """
    units: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        lead = _LEAD.match(body)
        skip = lead.end() if lead else 0
        units.extend(_sentence_spans(body[skip:], pos + skip))
        pos += len(line)
    return units
