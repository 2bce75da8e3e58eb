"""The text as a reader sees it, with a map back to the source.

A draft can hide a name from a plain string search and still show it to every reader: a
zero-width space or soft hyphen inside it, Cyrillic or Greek look-alike letters, decomposed
accents, mathematical bold letters, HTML entities (``&#101;``), emphasis split inside a word
(``**Ame**lia``), inline HTML (``Ame<span>lia</span>``) or a right-to-left override that shows
reversed letters in the right order. :func:`reader_view` undoes all of these and keeps, for
every stretch of the result, the stretch of the source it came from, so findings still point at
the source's line and column.

Ordinary text is left as written: accents (Zoë), emoji (joiners and flag tags included),
non-Latin words, URLs, HTML comments (allow comments live there) and tags that carry a link,
an image or alt text.
"""
from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from postcheck.names.fold import URL_PATTERN as _URL

# Cyrillic and Greek letters that look like Latin ones in common fonts (after Unicode's
# confusables list, upright shapes only: Cyrillic к, м, т, п are left alone).
_CONFUSABLES = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "Ү": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y", "ɡ": "g", "Ғ": "F",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ι": "i", "ν": "v", "κ": "k", "ρ": "p", "α": "a",
    "ϲ": "c", "ϳ": "j", "Ϲ": "C", "Ϳ": "J",
}
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")

# Inline elements a renderer draws as nothing but their content; block elements break the line.
_INLINE_TAGS = frozenset(
    "a span b i u s em strong mark small big sub sup font ins del strike tt code kbd samp var abbr cite dfn q "
    "bdi bdo wbr time data label nobr".split())
_BLOCK_TAGS = frozenset(
    "br p div li ul ol h1 h2 h3 h4 h5 h6 tr td th table thead tbody tfoot blockquote hr section article "
    "header footer aside nav main figure figcaption dl dt dd pre center details summary caption".split())
# Attributes that hold something a check reads (a link, an image, words shown on hover or to a
# screen reader): a tag carrying one is left as written.
_KEEP_ATTRS = re.compile(r"\b(?:href|src|srcset|alt|title|poster|data|action|formaction|cite)\s*=", re.I)

_SPECIAL = re.compile(
    r"</?(?P<tag>[A-Za-z][A-Za-z0-9]*)(?P<attrs>(?:\s[^<>]*)?)/?>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
    r"|\*{1,3}"
    r"|(?P<char>[A-Za-z](?=[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]))"
    r"|(?P<run>[^\x00-\x7f][^<&*\n]*)",  # non-ASCII text, with the spaces and stops between its words
    re.S,
)
# Unicode's format characters (category Cf): invisible, yet they split a word for a plain search.
_FORMAT = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
                     "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                     "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
_CHUNK = re.compile(r"[^ \t\n]+")
_STARS = re.compile(r"\*{1,3}")
_URL_END = re.compile(r"[\"'<>]")  # an address in HTML ends at its attribute's quote or the tag's end
_RLO, _PDF, _PDI = "\u202e", "\u202c", "\u2069"
_ZWJ = "\u200d"


@dataclass(frozen=True, slots=True)
class View:
    """A reader's view of ``source``: ``text``, and where each stretch of it came from.

    ``pieces`` holds (view_start, view_end, source_start, source_end, copied): a copied piece maps
    character by character; any other maps as a whole (an entity, a composed letter, a tag).
    An identity view (nothing to change) has no pieces.
    """

    text: str
    source: str
    pieces: tuple[tuple[int, int, int, int, bool], ...] = ()
    _starts: tuple[int, ...] = ()

    @property
    def identity(self) -> bool:
        return not self.pieces

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The stretch of ``source`` that view[start:end] shows (start == end: a point)."""
        if not self.pieces:
            return start, end
        if end <= start:
            point = self._point(start)
            return point, point
        lo, hi = len(self.source), 0
        index = max(0, bisect_right(self._starts, start) - 1)
        while index < len(self.pieces):
            v0, v1, s0, s1, copied = self.pieces[index]
            if v0 >= end:
                break
            if v1 > start:
                if copied:
                    lo = min(lo, s0 + max(start, v0) - v0)
                    hi = max(hi, s0 + min(end, v1) - v0)
                else:
                    lo, hi = min(lo, s0), max(hi, s1)
            index += 1
        return (lo, hi) if lo <= hi else (self._point(start),) * 2

    def _point(self, offset: int) -> int:
        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return 0
        v0, v1, s0, s1, copied = self.pieces[index]
        if offset >= v1:
            return s1
        return s0 + (offset - v0) if copied else s0


def reader_view(source: str, reverse: bool = True) -> View:
    """``source`` as a reader sees it (see the module docstring); cheap when nothing changes.

    ``reverse=False``: a right-to-left override is only dropped (inside another one's reach).
    """
    if source.isascii() and "&" not in source and "<" not in source and "*" not in source:
        return View(source, source)
    builder = _Builder(source, reverse)
    builder.run()
    if not builder.changed:
        return View(source, source)
    pieces = tuple(builder.pieces)
    return View("".join(builder.out), source, pieces, tuple(p[0] for p in pieces))


class _Builder:
    def __init__(self, source: str, reverse: bool = True):
        self.source = source
        self.reverse = reverse
        self.out: list[str] = []
        self.pieces: list[tuple[int, int, int, int, bool]] = []
        self.length = 0
        self.copied_to = 0  # source offset up to which pieces are made
        self.changed = False
        self.fold_at = _confusable_positions(source)
        self.fold_list = sorted(self.fold_at)
        self.star_drops = _split_emphasis(source) if "*" in source else set()
        # kept as written: web and e-mail addresses (a look-alike letter there is the link check's to
        # see) and HTML comments (inline allows live there; a reader sees neither)
        urls = [(m.start(), m.start() + len(_URL_END.split(m.group(0), 1)[0]))
                for m in _URL.finditer(source)] if "." in source else []
        self.verbatim = sorted(urls + _comments(source))
        self.verbatim_starts = [start for start, _ in self.verbatim]

    def verbatim_end(self, offset: int) -> int | None:
        """The end of the verbatim stretch ``offset`` is in, if it is in one."""
        index = bisect_right(self.verbatim_starts, offset) - 1
        ends = [end for _, end in self.verbatim[max(0, index - 2):index + 1] if offset < end] if index >= 0 else []
        return max(ends) if ends else None

    def next_verbatim(self, offset: int) -> int:
        index = bisect_right(self.verbatim_starts, offset)
        return self.verbatim_starts[index] if index < len(self.verbatim_starts) else len(self.source)

    def copy(self, upto: int) -> None:
        if upto > self.copied_to:
            chunk = self.source[self.copied_to:upto]
            self.out.append(chunk)
            self.pieces.append((self.length, self.length + len(chunk), self.copied_to, upto, True))
            self.length += len(chunk)
            self.copied_to = upto

    def replace(self, start: int, end: int, text: str) -> None:
        self.copy(start)
        self.changed = True
        if text:
            self.out.append(text)
            self.pieces.append((self.length, self.length + len(text), start, end, False))
            self.length += len(text)
        self.copied_to = end

    def run(self) -> None:
        source = self.source
        pos = 0
        while True:
            m = _SPECIAL.search(source, pos)
            if m is None:
                break
            pos = m.end()
            token = m.group(0)
            first = token[0]
            if self.verbatim:
                skip_to = self.verbatim_end(m.start())
                if skip_to is not None:
                    pos = skip_to
                    continue
            if m.group("tag") is not None:
                self._tag(m)
            elif first == "&" and len(token) > 1:
                decoded = html.unescape(token)
                if decoded != token:
                    self.replace(m.start(), m.end(), _char_form(decoded, source, m.start(), m.end()))
            elif first == "*" and m.group("char") is None:
                if m.start() in self.star_drops:
                    self.replace(m.start(), m.end(), "")
            elif m.group("char") is not None:
                pos = self._char(m.start())
            elif m.group("run") is not None:
                end = min(m.end(), self.next_verbatim(m.start())) if self.verbatim else m.end()
                pos = end if self._plain(m.start(), end) else self._run(m.start(), end)
        self.copy(len(source))

    def _plain(self, start: int, end: int) -> bool:
        """Whether a run of non-ASCII text reads as written (most do: accents, emoji, other scripts)."""
        run = self.source[start:end]
        if not unicodedata.is_normalized("NFKC", run) or _FORMAT.search(run):
            return False
        index = bisect_right(self.fold_list, start - 1)
        return index >= len(self.fold_list) or self.fold_list[index] >= end

    def _run(self, start: int, end: int) -> int:
        """Each word of a run that does not read as written, character by character."""
        for word in _CHUNK.finditer(self.source, start, end):
            if self._plain(word.start(), word.end()):
                continue
            at = word.start()
            while at < word.end():
                if self.source[at] == _RLO and self.reverse:
                    return self._reversed(at)
                at = self._char(at)
        return end

    def _tag(self, m: re.Match) -> None:
        name = m.group("tag").lower()
        if _KEEP_ATTRS.search(m.group("attrs") or ""):
            return
        if name in _INLINE_TAGS:
            self.replace(m.start(), m.end(), "")
        elif name in _BLOCK_TAGS:
            self.replace(m.start(), m.end(), "\n")

    def _char(self, at: int) -> int:
        """One non-ASCII character with the combining marks after it; returns where to go on."""
        source = self.source
        end = at + 1
        ch = source[at]
        if (end == len(source) or not unicodedata.combining(source[end])) and at not in self.fold_at and (
                ch < "\x80" or (unicodedata.is_normalized("NFKC", ch) and unicodedata.category(ch) != "Cf")):
            return end  # reads as written
        while end < len(source) and unicodedata.combining(source[end]):
            end += 1
        cluster = source[at:end]
        if at in self.fold_at:
            cluster = _CONFUSABLES[cluster[0]] + cluster[1:]
        form = _char_form(cluster, source, at, end)
        if form != source[at:end]:
            self.replace(at, end, form)
        return end

    def _reversed(self, at: int) -> int:
        """A right-to-left override shows the letters after it in reverse order, up to its end."""
        source = self.source
        end = len(source)
        for stop in (_PDF, _PDI, "\n"):
            found = source.find(stop, at + 1)
            if 0 <= found < end:
                end = found
        self.replace(at, at + 1, "")
        inner = reader_view(source[at + 1:end], reverse=False)
        units = _units(inner, at + 1)
        for text, s0, s1 in reversed(units):
            self.out.append(text)
            self.pieces.append((self.length, self.length + len(text), s0, s1, False))
            self.length += len(text)
        self.copied_to = end
        if end < len(source) and source[end] in (_PDF, _PDI):
            self.replace(end, end + 1, "")
            return end + 1
        return end


def _comments(source: str) -> list[tuple[int, int]]:
    """Spans of complete HTML comments; an unterminated ``<!--`` is shown as text, so read as text."""
    spans = []
    start = source.find("<!--")
    while start >= 0:
        end = source.find("-->", start + 4)
        if end < 0:
            break  # no later comment can end either
        spans.append((start, end + 3))
        start = source.find("<!--", end + 3)
    return spans


def _units(view: View, offset: int) -> list[tuple[str, int, int]]:
    """The view cut into single characters, each with its source stretch (shifted by ``offset``)."""
    units = []
    for i, ch in enumerate(view.text):
        s0, s1 = view.source_span(i, i + 1)
        units.append((ch, s0 + offset, s1 + offset))
    return units


def _char_form(text: str, source: str, start: int, end: int) -> str:
    """What a reader sees for ``text``: compatibility forms folded, invisible formatting dropped."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            if ch == _ZWJ or "\U000e0000" <= ch <= "\U000e007f":
                if not (_wordy(source, start - 1) or _wordy(source, end)):
                    out.append(ch)  # an emoji sequence's joiner or flag tag
            continue  # zero-width space, soft hyphen, bidi marks and the like
        if category[0] in "LNZS" and not unicodedata.is_normalized("NFKC", ch):
            folded = unicodedata.normalize("NFKC", ch)
            # ², ½, ™ stay as written; Ⓐ is a letter to a reader
            out.append(ch if category == "No" or (category[0] == "S" and not (len(folded) == 1 and folded.isalpha()))
                       else folded)
            continue
        out.append(ch)
    form = "".join(out)
    if len(form) > 1 and not unicodedata.is_normalized("NFC", form):
        form = unicodedata.normalize("NFC", form)
    return form


def _wordy(source: str, index: int) -> bool:
    return 0 <= index < len(source) and (source[index].isalnum() or unicodedata.combining(source[index]) > 0)


_CONFUSABLE = re.compile("[" + "".join(_CONFUSABLES) + "]")
_LETTERS = r"[^\W\d_]+(?:[\u00ad\u200b-\u200f\u2060-\u2064\ufeff][^\W\d_]+)*"
# a word (formatting characters inside it allowed) with a look-alike letter in it
_CONFUSABLE_WORD = re.compile(rf"(?<![^\W\d_])(?=[^\W\d_\u00ad\u200b-\u200f\u2060-\u2064\ufeff]*[{''.join(_CONFUSABLES)}]){_LETTERS}")
_OTHER_LETTER = re.compile(rf"(?![{''.join(_CONFUSABLES)}])[^\W\d_]")


def _confusable_positions(source: str) -> set[int]:
    """Offsets of look-alike letters to read as Latin: in a word that mixes them with Latin letters,
    or in a word made of nothing else ("Нагt" stays; "Аmelia" and "НОМЕ" read as Latin)."""
    if source.isascii() or not _CONFUSABLE.search(source):
        return set()
    positions: set[int] = set()
    for m in _CONFUSABLE_WORD.finditer(source):
        word = m.group(0)
        if _LATIN.search(word) or not _OTHER_LETTER.search(word):
            positions.update(m.start() + i for i, ch in enumerate(word) if ch in _CONFUSABLES)
    return positions


def _split_emphasis(source: str) -> set[int]:
    """Starts of ``*`` runs that emphasise part of a word (``**Ame**lia``, ``Ame*lia*``): a renderer
    shows the word whole. ``sh*t`` (one run) and ``**Well done** Amelia`` are left alone."""
    drops: set[int] = set()
    runs = list(_STARS.finditer(source))
    i = 0
    while i + 1 < len(runs):
        left, right = runs[i], runs[i + 1]
        inner = source[left.end():right.start()]
        before = source[left.start() - 1] if left.start() else " "
        after = source[right.end()] if right.end() < len(source) else " "
        if (len(left.group(0)) == len(right.group(0)) and inner and not any(c.isspace() for c in inner)
                and any(c.isalpha() for c in inner) and (before.isalpha() or after.isalpha())
                and source[left.start() - 1:left.start()] != "*" and source[right.end():right.end() + 1] != "*"):
            drops.update((left.start(), right.start()))
            i += 2
            continue
        i += 1
    return drops
