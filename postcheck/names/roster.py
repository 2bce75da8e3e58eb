"""Roster learners in every written form: any case, accents or none, hashtags, handles, reversed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from postcheck.names.fold import URL_PATTERN, fold, fold_with_map, letters

_LETTER = r"[^\W\d_]"
# Between the pieces of one name: Lacey-Mai, O'Connor, Ní Bhriain, OConnor, Dawson-⏎Hughes.
_PIECE_SEP = r"(?:['\-][ \t]*\n?[ \t]*|[ \t]+|_)?"
# Between first name and surname: spaces, one line break, Markdown emphasis, or the _ . - of
# handles and file names, or nothing at all (#AmeliaHart).
_GAP = r"(?:[ \t*]*\n?[ \t*]*|[_.\-])"
_REVERSED_GAP = r"(?:[ \t]*,[ \t]*|[ \t]+)"
_BEFORE_LIST = re.compile(r"(" + _LETTER + r"+)[ \t]*(?:,|\band\b|&|\+)[ \t]*(?:\band\b[ \t]*)?$")
_TAG = re.compile(r"(?<![\w@#])[#@][\w.'’\-]*\w")


@dataclass(frozen=True, slots=True)
class RosterHit:
    """A roster learner named in full at text[start:end]."""

    start: int
    end: int
    learner: object  # config.Learner
    first_written: str  # the first (or preferred) name as the post wrote it
    form: str  # "full" | "reversed" | "joined" | "shared-surname" | "nickname"


def _name_pattern(name: str) -> str:
    pieces = re.findall(_LETTER + "+", fold(name))
    return _PIECE_SEP.join(re.escape(p) for p in pieces)


def _alternation(names: Iterable[str]) -> str:
    unique = sorted({n for n in names if letters(n)}, key=lambda n: (-len(letters(n)), n))
    return "|".join(_name_pattern(n) for n in unique)


class RosterIndex:
    """Every learner's first/preferred name + surname, found in one pass over folded text."""

    def __init__(self, learners: Sequence[object]):
        self.pairs: dict[tuple[str, str], object] = {}
        firsts, lasts = set(), set()
        for learner in learners:
            last = learner.last_name
            for first in {learner.first_name, getattr(learner, "preferred_name", None) or learner.first_name}:
                self.pairs.setdefault((letters(first), letters(last)), learner)
                firsts.add(first)
            lasts.add(last)
        self.joined = {f + l: pair for pair in self.pairs for f, l in [pair]}
        self.joined.update({l + f: pair for pair in self.pairs for f, l in [pair]})
        # Bill Frost for William Frost: a nickname or diminutive with the learner's surname (never one
        # that is itself a listed learner's first name with that surname)
        from postcheck.names.nicknames import nicknames

        self.nick_pairs: dict[tuple[str, str], object] = {}
        nicks: set[str] = set()
        for (first, last), learner in self.pairs.items():
            for nick in nicknames(first):
                if (nick, last) not in self.pairs and len(nick) > 2:
                    self.nick_pairs.setdefault((nick, last), learner)
                    nicks.add(nick)
        self._full = self._reversed = self._nick = None
        if self.nick_pairs:
            self._nick = re.compile(
                rf"(?<!{_LETTER})(?P<f>{_alternation(nicks)}){_GAP}(?P<l>{_alternation(lasts)})(?!{_LETTER})")
        if self.pairs:
            first_alt, last_alt = _alternation(firsts), _alternation(lasts)
            self._full = re.compile(
                rf"(?<!{_LETTER})(?P<f>{first_alt}){_GAP}(?P<l>{last_alt})(?!{_LETTER})")
            self._reversed = re.compile(
                rf"(?<!{_LETTER})(?P<l>{last_alt}){_REVERSED_GAP}(?P<f>{first_alt})(?!{_LETTER})")

    def find(self, text: str) -> list[RosterHit]:
        """All roster full names in ``text`` (offsets into ``text``)."""
        if not self.pairs:
            return []
        folded, where = fold_with_map(text)
        hits: list[RosterHit] = []
        for pattern, form in ((self._full, "full"), (self._reversed, "reversed")):
            for m in pattern.finditer(folded):
                if "\n\n" in folded[m.start():m.end()]:
                    continue
                key = (letters(m.group("f")), letters(m.group("l")))
                learner = self.pairs.get(key)
                if learner is None:
                    continue
                start, end = where[m.start()], where[m.end()]
                first = text[where[m.start("f")]:where[m.end("f")]]
                hits.append(RosterHit(start, end, learner, first, form))
                if form == "full":
                    hits.extend(self._shared_surname(text, folded, where, m, key[1]))
        hits.extend(self._nicknamed(text, folded, where))
        hits.extend(self._in_tags(text))
        return _unique(hits)

    def _nicknamed(self, text: str, folded: str, where: list[int]) -> Iterable[RosterHit]:
        """"Bill Frost" for William Frost: written with a capital (or glued, as in a file name), so
        "we will frost the cakes" is words."""
        if self._nick is None:
            return
        for m in self._nick.finditer(folded):
            learner = self.nick_pairs.get((letters(m.group("f")), letters(m.group("l"))))
            if learner is None or "\n\n" in folded[m.start():m.end()]:
                continue
            start, end = where[m.start()], where[m.end()]
            first = text[where[m.start("f")]:where[m.end("f")]]
            glued = folded[m.end("f"):m.start("l")] in ("_", ".", "-")
            if first[:1].isupper() or glued:
                yield RosterHit(start, end, learner, first, "nickname")

    def _shared_surname(self, text: str, folded: str, where: list[int], m: re.Match, last: str) -> Iterable[RosterHit]:
        """"Amelia and Tom Hart": the surname belongs to every first name listed before it."""
        cursor = m.start()
        line_start = folded.rfind("\n", 0, cursor) + 1
        for _ in range(6):
            before = _BEFORE_LIST.search(folded, line_start, cursor)
            if before is None:
                return
            learner = self.pairs.get((letters(before.group(1)), last))
            if learner is not None:
                start, end = where[before.start(1)], where[before.end(1)]
                yield RosterHit(start, end, learner, text[start:end], "shared-surname")
            cursor = before.start(1)

    def _in_tags(self, text: str) -> Iterable[RosterHit]:
        """#WellDoneAmeliaHart, @amelia.hart2: name pieces glued together inside a tag."""
        for tag in _TAG.finditer(text):
            body = tag.group(0)[1:]
            squashed = letters(body)
            starts = word_starts(body)
            for joined, pair in self.joined.items():
                at = squashed.find(joined)
                while at >= 0:
                    # an all-lower-case tag has no word starts to go by: trust only longer names
                    if at in starts or (body.islower() and min(len(pair[0]), len(pair[1])) >= 4):
                        learner = self.pairs[pair]
                        yield RosterHit(tag.start(), tag.end(), learner, learner_first(learner, pair[0]), "joined")
                        break
                    at = squashed.find(joined, at + 1)


    def in_addresses(self, text: str, destinations: Iterable[tuple[int, int]] = ()) -> list[RosterHit]:
        """Learners named inside a web address's path: /news/amelia-hart-county-champion,
        /Amelia_Hart, /AmeliaHart (pieces split at - _ . / + %20 and CamelCase). ``destinations``: the
        (start, end) of each link and image destination in ``text``; one that is a path and not a full
        address (``/uploads/raft-amelia-hart.jpg``, ``../news/amelia-hart``) is read the same way."""
        if not self.pairs:
            return []
        hits: list[RosterHit] = []
        for path_start, path_end in address_paths(text, destinations):
            words = path_words(text, path_start, path_end)
            # a name of several pieces is several words of the path: /ruby-fitzgerald-oneill, /lacey-mai-dawson-hughes
            for i in range(len(words) - 1):
                for a in range(1, _MAX_PIECES + 1):
                    w0 = "".join(w for _, _, w in words[i:i + a])
                    for b in range(1, _MAX_PIECES + 1):
                        if i + a + b > len(words):
                            break
                        w1 = "".join(w for _, _, w in words[i + a:i + a + b])
                        pair = self.pairs.get((w0, w1)) or self.pairs.get((w1, w0))
                        if pair is not None:
                            hits.append(RosterHit(words[i][0], words[i + a + b - 1][1], pair,
                                                  learner_first(pair, w0 if (w0, w1) in self.pairs else w1), "address"))
            for start, end, word in words:  # /ameliahart: both parts long enough to trust
                pair = self.joined.get(word)
                if pair is not None and min(len(pair[0]), len(pair[1])) >= 4:
                    hits.append(RosterHit(start, end, self.pairs[pair], learner_first(self.pairs[pair], pair[0]),
                                          "address"))
        return hits


_MAX_PIECES = 3  # words a first name or a surname may take in an address's path ("mary-kate", "fitzgerald-o-neill")


def address_paths(text: str, destinations: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of the path of every web address in ``text``, and of each destination in
    ``destinations`` that is not inside one (a path with no host)."""
    paths = []
    if "/" in text or "www." in text:
        for url in URL_PATTERN.finditer(text):
            address = url.group(0)
            slash = address.find("/", address.find("//") + 2 if "//" in address else 0)
            if slash >= 0:
                paths.append((url.start() + slash, url.end()))
    for start, end in destinations:
        if not any(s <= start < e or start <= s < end for s, e in paths):
            paths.append((start, end))
    return paths


def path_words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, letters) of each word of text[start:end] read as an address's path."""
    return [(m.start(), m.end(), letters(m.group(0))) for m in _URL_WORD.finditer(text, start, end)]


# A word of a web address: a run of letters, split at CamelCase ("AmeliaHart" is two).
_URL_WORD = re.compile(r"[A-ZÀ-Þ]?[^\W\d_A-ZÀ-Þ]+|[A-ZÀ-Þ]+(?![^\W\d_A-ZÀ-Þ])")


def learner_first(learner: object, folded_first: str) -> str:
    preferred = getattr(learner, "preferred_name", None)
    if preferred and letters(preferred) == folded_first:
        return preferred
    return learner.first_name


def word_starts(body: str) -> set[int]:
    """Positions (in the letters-only form of a tag) where a word starts: CamelCase, _, ., digits."""
    starts: set[int] = set()
    index = 0
    previous = ""
    for ch in body:
        if not ch.isalpha():
            previous = ch
            continue
        if index == 0 or not previous.isalpha() or (ch.isupper() and previous.islower()):
            starts.add(index)
        index += len(letters(ch))
        previous = ch
    return starts


def _unique(hits: list[RosterHit]) -> list[RosterHit]:
    """One hit per place: #AmeliaHart is not also AmeliaHart."""
    out: list[RosterHit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if any(k.start <= hit.start and hit.end <= k.end for k in out):
            continue
        out.append(hit)
    return out
