"""People's names that are not on the roster: NER and the names list, robust to case and hashtags."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from postcheck.names.context import Cues
from postcheck.names.lexicon import NamesList
from postcheck.text.tokens import verb_stems

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_CAMEL = re.compile(r"[A-Z][a-z'’]+|[A-Z]+(?=[A-Z][a-z]|$)|[a-z]+")
TAG = re.compile(r"(?<![\w@#])[#@][\w.'’\-]*\w")
_PERSON = {"PERSON"}
_NOT_PERSON = {"GPE", "LOC", "FAC", "ORG", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "DATE", "LAW", "LANGUAGE"}
_PREFIXED = re.compile(r"^(?:Mc|Mac|O['’]|Fitz)[A-Z]")
_POSSESSIVE = re.compile(r"['’]s?$")
RARE_FIRST = 1500  # a first name ranked past this needs NER or a listed surname to count
WEAK_LAST = 2000  # a surname that is also a word (Green, Brown) counts only if this common as a surname
_COMMON_SURNAME_WORD = 1000  # a part of a double-barrelled surname that is also a word: Scott yes, Saxon no
WORDY_FIRST = 300  # a first name that is also a word (Grace, Josh) is worth a look only this common ("As", "Else" are not)


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    glued: bool  # inside a hashtag, handle or file name (lower case and no spaces are normal there)

    @property
    def shape(self) -> str:
        t = self.text
        if t.isupper() and len(t) > 1:
            return "caps"
        if t[0].isupper():
            return "title"
        return "lower"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A first name + surname that looks like a person's, with the evidence for it."""

    start: int
    end: int
    first: Token
    last: Token
    ner_person: bool
    ner_other: bool
    first_rank: int | None
    last_rank: int | None
    # "strong": a name by NER or both lists. Weaker kinds count only with a learner cue:
    # "wordy" (Lily Green: the surname is a word), "unknown" (Imogen Trelawney: the surname is in
    # no list and no dictionary), "lower" (reece smith in plain text).
    kind: str = "strong"

    @property
    def text_span(self) -> tuple[int, int]:
        return self.start, self.end


def tokens(text: str, glued_spans: Iterable[tuple[int, int]] = ()) -> list[Token]:
    """Words with offsets; CamelCase hashtags split into their words."""
    glued_spans = [*glued_spans, *(m.span() for m in TAG.finditer(text))]
    out: list[Token] = []
    for m in _WORD.finditer(text):
        glued = bool(glued_spans) and any(s <= m.start() < e for s, e in glued_spans)
        word = m.group(0)
        if glued and not word.isupper() and any(c.isupper() for c in word[1:]) and not _PREFIXED.match(word):
            for part in _CAMEL.finditer(word):
                out.append(Token(m.start() + part.start(), m.start() + part.end(), part.group(0), True))
        else:
            out.append(Token(m.start(), m.end(), word, glued))
    return out


def _joinable(text: str, left: Token, right: Token) -> bool:
    gap = text[left.end:right.start]
    if left.glued and right.glued:
        return gap in ("", "_", ".", "-", " ")
    return bool(re.fullmatch(r"[ \t]*\n?[ \t]*", gap)) and gap != ""


def _initials(first: Token, last_word: str) -> bool:
    """A surname that is one letter, or at most three letters ending in a capital after a first name
    written in Title Case ("Nell DW", "Oscar McK")."""
    letters_only = [c for c in last_word if c.isalpha()]
    if len(letters_only) < 2:
        return True
    return first.shape == "title" and len(letters_only) <= 3 and letters_only[-1].isupper()


class PeopleFinder:
    """Finds first name + surname pairs; the check decides what they mean."""

    def __init__(self, names: NamesList, cues: Cues, common_words: frozenset[str] = frozenset(),
                 dictionary: frozenset[str] = frozenset()):
        self.names = names
        self.cues = cues
        self.common = common_words  # verbs/adjectives/adverbs from the pipeline's lemmatizer tables
        self.dictionary = dictionary  # every English word the lemmatizer knows, nouns included

    def _plausible_part(self, token: Token, lower_ok: bool = False) -> bool:
        low = token.text.casefold()
        if low in self.cues.not_names or low in self.cues.titles or len(token.text) < 2:
            return False
        return token.shape != "lower" or token.glued or lower_ok

    def _inflected_common(self, word: str) -> bool:
        """"Endorsing", "Congratulated": a common verb's -ing or -ed form (the tables hold lemmas)."""
        return not self.common.isdisjoint(verb_stems(word.casefold()))

    def is_word(self, word: str) -> bool:
        """Whether the lemmatizer knows the word (or its -s/-es stem): Green, Brook, Frost."""
        low = word.casefold()
        return any(w in self.dictionary for w in (low, low[:-1] if low.endswith("s") else low,
                                                   low[:-2] if low.endswith("es") else low))

    def find(self, text: str, doc: Any = None, glued_spans: Iterable[tuple[int, int]] = ()) -> list[Candidate]:
        words = tokens(text, glued_spans)
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents] if doc is not None else []
        found: list[Candidate] = []
        for i, first in enumerate(words[:-1]):
            if first.text.islower() and not (first.glued or words[i + 1].glued) \
                    and self.names.first_rank(first.text) is None:
                continue  # running prose: a lower-case word that is no first name starts no pair
            if not self._plausible_part(first, lower_ok=True) or first.text.casefold() in self.cues.particles:
                continue
            j = i + 1
            # particles: Oisín Mac Cárthaigh, Ruud van Dijk, Siobhán Ní Bhriain
            while j < len(words) - 1 and words[j].text.casefold() in self.cues.particles and _joinable(text, words[j - 1], words[j]):
                j += 1
            last = words[j]
            if not _joinable(text, words[j - 1], last) or not self._plausible_part(last, lower_ok=True):
                continue
            if (first.shape == "lower") != (last.shape == "lower") and not (first.glued or last.glued):
                continue  # "Tom smith", "grace Darling": not a name written either way
            if any(not _joinable(text, words[k], words[k + 1]) for k in range(i, j)):
                continue
            if first.shape == "lower" and not (first.glued or last.glued) and (
                    self.names.first_rank(first.text) is None or self.names.last_rank(last.text) is None):
                continue  # most lower-case word pairs: skip the costlier judging
            candidate = self._judge(text, first, last, ents)
            if candidate:
                found.append(candidate)
        return found

    def _judge(self, text: str, first: Token, last: Token, ents: list[tuple[int, int, str]]) -> Candidate | None:
        start, end = first.start, last.end
        # PERSON must cover the whole pair ("Met [Steph Houghton]" is not "Met Steph")
        ner_person = any(label in _PERSON and s <= start and e >= end for s, e, label in ents)
        labels = {label for s, e, label in ents if s < end and e > start}
        ner_other = bool(labels & _NOT_PERSON) and not ner_person
        last_word = _POSSESSIVE.sub("", last.text)  # "Barnard's" is looked up as Barnard
        if _initials(first, last_word):
            return None  # "Evie B's", "Nell DW": a first name and initials, as the policy asks
        f_rank = self.names.first_rank(first.text)
        l_rank = self.names.last_rank(last_word)
        if l_rank is None:
            l_rank = self._hyphenated_rank(last_word)
        wordy = (first.text.casefold() in self.common or last_word.casefold() in self.common
                 or (f_rank is None and self._inflected_common(first.text)))
        listed = f_rank is not None and (l_rank is not None or f_rank <= RARE_FIRST)
        if first.shape == "title" and last.shape == "title":
            if ner_person and not wordy:
                ok = True
            elif ner_person:
                ok = f_rank is not None
            elif ner_other or wordy:
                # the model sometimes calls "Amelia Hart" an ORG: trust both lists then
                ok = f_rank is not None and l_rank is not None and not wordy
            else:  # also CamelCase hashtags, where NER is blind
                ok = listed
        else:
            # ALL CAPS, lower case in handles and file names: NER is blind here, so both lists must agree
            ok = f_rank is not None and l_rank is not None and not wordy
            ok = ok or (ner_person and f_rank is not None and not wordy)
        if first.shape == "lower" and not (first.glued or last.glued):
            ok = False  # plain lower-case words: only ever a weak pair
        kind = "strong" if ok else self._weak_kind(first, last, last_word, f_rank, l_rank)
        if kind is None:
            return None
        return Candidate(start, end, first, last, ner_person, ner_other, f_rank, l_rank, kind)

    def _hyphenated_rank(self, word: str) -> int | None:
        """"Manahi-Scott", "Cardew-Lumb": a double-barrelled surname the list lacks, of which one part is a listed
        surname and every other part no English word, takes the rank of its rarest listed part. A listed part that
        is also a word must be a common surname (Scott, not Saxon: "Anglo-Saxon" and "Lay-By" are no names)."""
        parts = word.split("-")
        if not 2 <= len(parts) <= 3 or not all(p[:1].isupper() and len(p) >= 3 for p in parts):
            return None
        ranks = [self.names.last_rank(p) for p in parts]
        if all(r is None for r in ranks) or any(
                self.is_word(p) and (r is None or r > _COMMON_SURNAME_WORD) for p, r in zip(parts, ranks)):
            return None
        return max(r for r in ranks if r is not None)

    def _weak_kind(self, first: Token, last: Token, last_word: str, f_rank: int | None, l_rank: int | None) -> str | None:
        """A pair that is a name only if a learner cue says so (the check decides)."""
        low = last_word.casefold()
        if f_rank is not None and f_rank <= WORDY_FIRST and first.text.casefold() in self.common \
                and l_rank is not None and first.shape == "title" and last.shape == "title" \
                and low not in self.common and low not in self.cues.place_after and low not in self.cues.not_names:
            return "wordy-first"  # Grace Lennox, Josh Armitage: a name only with a year group or learner role bound to it
        if f_rank is None or f_rank > RARE_FIRST or first.text.casefold() in self.common or len(last_word) < 3:
            return None  # Grace, Will, Joy: the first word must be a name and nothing else
        if low in self.cues.place_last or low in self.cues.place_after or low in self.cues.not_names:
            return None  # Victoria Park, Hope Street
        if first.shape == "lower" and last.shape == "lower" and not (first.glued or last.glued):
            ok = l_rank is not None and l_rank <= WEAK_LAST and low not in self.common
            return "lower" if ok and self.dictionary else None
        if first.shape == "lower" or last.shape == "lower":
            return None
        if l_rank is not None and l_rank <= WEAK_LAST:
            return "wordy"
        if l_rank is None and self.dictionary and not self.is_word(last_word):
            return "unknown"
        return None
