"""The corrected form of a name a finding points at: the first name, or initials, in the form it was written."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from postcheck.fixer import findings as F
from postcheck.model import Finding
from postcheck.names.fold import fold_char, letters

FIRST, INITIALS = "first", "initials"
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")
_CAMEL_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])")


def initials_of(*names: str) -> str:
    """"Amelia", "Hart" -> "A.H."; "Lacey-Mai", "Dawson-Hughes" -> "L.M.D.H." (as the name check suggests)."""
    return "".join(p[0].upper() + "." for name in names for p in name.replace("-", " ").split() if p[:1].isalpha())


def _tag_initial(written: str) -> str:
    """One letter for a name inside a hashtag or handle, in the case it was written."""
    first = next((ch for ch in written if ch.isalpha()), "")
    return first if written.islower() else first.upper()


@dataclass(frozen=True, slots=True)
class _Person:
    firsts: tuple[str, ...]  # first and preferred names
    last: str


class People:
    """The roster and consent list, looked up by the letters a span holds (never re-detecting names)."""

    def __init__(self, config: Any) -> None:
        self.people: list[_Person] = []
        for learner in config.roster or ():
            firsts = {learner.first_name, getattr(learner, "preferred_name", None) or learner.first_name}
            self.people.append(_Person(tuple(sorted(firsts)), learner.last_name))
        self.restricted: dict[str, str] = {}  # letters of first name -> full name
        consent = getattr(config, "consent_list", None)
        for entry in (consent.learners if consent else ()):
            if getattr(entry, "restricts_name", False) and entry.name.split():
                self.restricted.setdefault(letters(entry.name.split()[0]), entry.name)

    def pair_in(self, text: str, glued: bool) -> tuple[str, str, bool] | None:
        """(first, last, reversed) of a roster learner whose names make up ``text`` (or lie inside a tag)."""
        squashed = letters(text)
        best: tuple[int, tuple[str, str, bool]] | None = None
        for person in self.people:
            last = letters(person.last)
            for first_name in person.firsts:
                first = letters(first_name)
                for joined, rev in ((first + last, False), (last + first, True)):
                    if (squashed == joined or (glued and joined in squashed)) and (best is None or len(joined) > best[0]):
                        best = (len(joined), (first_name, person.last, rev))
        return best[1] if best else None

    def surname_for(self, first: str, last_written: str) -> str | None:
        for person in self.people:
            if letters(person.last) == letters(last_written) and any(letters(f) == letters(first) for f in person.firsts):
                return person.last
        return None


def _letter_map(text: str) -> tuple[str, list[int]]:
    """Folded letters of ``text`` and, for each, the offset of the character it came from."""
    out: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(text):
        for folded in fold_char(ch):
            if folded.isalpha():
                out.append(folded)
                where.append(index)
    return "".join(out), where


def _locate(text: str, name: str, after: int = 0) -> tuple[int, int] | None:
    """Character range of ``name`` (compared by folded letters) in ``text``, at or after ``after``."""
    squashed, where = _letter_map(text)
    target = letters(name)
    start = 0
    while target:
        at = squashed.find(target, start)
        if at < 0:
            return None
        if where[at] >= after:
            return where[at], where[at + len(target) - 1] + 1
        start = at + 1
    return None


def replacement(written: str, finding: Finding, people: People, style: str) -> str | None:
    """What ``written`` (the text at the finding's span) becomes; None when it cannot be worked out safely."""
    glued = written[:1] in "#@"
    if F.is_name_objection(finding):
        return _restricted(written, people, glued)
    if F.name_source(finding) == "roster":
        return _roster(written, finding, people, style, glued)
    return _unlisted(written, style)


def _restricted(written: str, people: People, glued: bool) -> str | None:
    """A name the consent list restricts: initials only, whatever the style."""
    squashed = letters(written)
    for first, full in people.restricted.items():
        if not glued and squashed == first:
            return initials_of(full)
        if glued:
            where = _locate(written, first)
            if where:
                return written[:where[0]] + initials_of(full).replace(".", "") + written[where[1]:]
    return None


def _roster(written: str, finding: Finding, people: People, style: str, glued: bool) -> str | None:
    if "…" in finding.match and not glued:  # "Amelia and Tom Hart": the first of a shared surname
        tail = finding.match.split("…", 1)[1].strip()
        if style == FIRST:
            return written
        last = people.surname_for(written, tail)
        return initials_of(written, last) if last else None
    pair = people.pair_in(written, glued)
    if pair is None:
        return None
    first, last, reversed_order = pair
    if glued:
        first_at = _locate(written, first)
        last_at = _locate(written, last, first_at[1] if first_at and not reversed_order else 0)
        if first_at is None or last_at is None:
            return None
        if style == INITIALS:
            pieces = sorted([(first_at, _tag_initial(written[slice(*first_at)])),
                             (last_at, _tag_initial(written[slice(*last_at)]))], reverse=True)
            out = written
            for (s, e), letter in pieces:
                out = out[:s] + letter + out[e:]
            return out
        s, e = last_at
        if reversed_order:
            while e < len(written) and written[e] in "_.-" and e < first_at[0]:
                e += 1  # "HartAmelia", "hart.amelia": drop the separator after the surname
        elif s > 0 and written[s - 1] in "_.-":
            s -= 1
        return written[:s] + written[e:]
    first_at = _locate(written, first)
    last_at = _locate(written, last)
    if first_at is None or last_at is None:
        return None
    first_written = written[slice(*first_at)]
    if style == INITIALS:
        return initials_of(first_written, written[slice(*last_at)])
    return first_written


def _unlisted(written: str, style: str) -> str | None:
    """A name found by NER or the names list: its first word is the first name."""
    suffix = _POSSESSIVE.search(written)
    core = written[:suffix.start()] if suffix else written
    words = [m for m in _WORD.finditer(core)]
    if len(words) >= 2:
        first, rest = words[0].group(0), [w.group(0) for w in words[1:]]
    elif len(words) == 1 and _CAMEL_BREAK.search(words[0].group(0)):
        parts = _CAMEL_BREAK.split(words[0].group(0))
        first, rest = parts[0], parts[1:]
    else:
        return None
    ending = suffix.group(0) if suffix else ""
    if style == INITIALS:
        return initials_of(first, *rest) + ending
    return core[:words[0].start()] + first + ending


def names_in(findings: Iterable[Finding]) -> list[str]:
    return [f.match for f in findings]
