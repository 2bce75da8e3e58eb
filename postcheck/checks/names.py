"""Learner names: roster learners in any written form, other people's full names in learner context."""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from postcheck.model import Hit, Severity
from postcheck.names.context import (
    Cues,
    achievement_bound,
    adult_just_after,
    adult_just_before,
    author_of_book,
    cause_just_before,
    has_adult_cue,
    has_learner_cue,
    in_adult_list,
    in_post_as_a_thing,
    is_street,
    learner_just_after,
    learner_just_before,
    learner_noun_said_of,
    praise_just_before,
    praised,
    quoted_title,
    sentence_bounds,
    title_case_heading,
    with_the_author,
    without_titles,
    word_after,
    word_before,
)
from postcheck.names.fold import fold_with_map, letters, mask_addresses
from postcheck.names.learned import context_text, context_vectors, name_model, span_features
from postcheck.names.people import TAG
from postcheck.names.roster import RosterHit, RosterIndex, address_paths, path_words, word_starts

_NO_CONTEXT = {"school": "warning", "personal": "info"}

# details.evidence: why a name is taken for a learner's. The first three are direct evidence bound to
# the name, the only kinds that make a name missing from a configured roster an error.
LEARNER_BEFORE = "learner role just before the name"
LEARNER_AFTER = "year group or learner role just after the name"
LEARNER_ACHIEVEMENT = "a learner-only achievement bound to the name"
PRAISED = "praise addressed to the name"
CALLED_LEARNER = "its sentence calls it a learner"
_ROSTER_FORMS = {"full": "on the roster", "reversed": "on the roster, surname first",
                 "joined": "on the roster, joined in a tag or file name",
                 "shared-surname": "on the roster, first names sharing a surname",
                 "nickname": "a roster learner's nickname and surname"}
DIRECT = frozenset({LEARNER_BEFORE, LEARNER_AFTER, LEARNER_ACHIEVEMENT, PRAISED, CALLED_LEARNER})


def initials(*names: str) -> str:
    return "".join(piece[0].upper() + "." for name in names for piece in name.replace("-", " ").split() if piece[:1].isalpha())


def first_name_form(written: str) -> str:
    """AMELIA / amelia -> Amelia; Lacey-Mai stays as written."""
    return written if not (written.isupper() or written.islower()) else "-".join(p.capitalize() for p in written.split("-"))


def glued_spans(post: Any) -> list[tuple[int, int]]:
    """Image file names: words there are joined by _ - . and written in lower case."""
    return [(s.start, s.end) for s in post.segments if s.field == "image-name"]


def _staff_keys(staff: Iterable[str]) -> set[tuple[str, str]]:
    keys = set()
    for name in staff or ():
        parts = name.split()
        if len(parts) >= 2:
            keys.add((letters(parts[0]), letters(parts[-1])))
    return keys


_WORDS = re.compile(r"[^\W\d_]{2,}")
_COMMON_FIRST = 1000  # a first name that is also a word (Ruby, Grace) counts in an address only this common
# "1st – Mazur, Hanna (Year 4)", "| Llewellyn, Reuben | 117 |", "Year 9 Shot: 3rd - NWOSU, ADAEZE": Surname, First
# at the head of a line or table cell, after any bullet or placing (and an event's label before a placing), and
# followed by nothing more of the name (an end, a bracket, a dash, a number)
_SURNAME_FIRST = re.compile(
    r"^[ \t]*(?:[^:\n|]{1,60}+:[ \t]*+(?=\d|[–—-]))?+(?:[|*+•>–—-][ \t]*|\d++(?:st|nd|rd|th)?[.)]?[ \t]++)*+"
    r"(?P<name>(?P<last>[A-Z][A-Za-z'’]+(?:-[A-Z][A-Za-z'’]+)?),[ \t]+"
    r"(?P<first>[A-Z](?:[a-z'’]+|[A-Z'’]+)(?:-[A-Z](?:[a-z'’]+|[A-Z'’]+))?))"
    r"(?=[ \t]*(?:$|[|(\[–—-]|\d))", re.M)
# several results on one line, each "Surname, First" with its placing: "Year 4 Boys: Asante, Kwame (1st);
# Nowicki, Bartosz (2nd)" (a label alone before names is not enough: "Pairs: Jack, Ella")
_SURNAME_FIRST_PLACED = re.compile(
    r"(?:^[ \t]*[^:\n|]{1,60}+:|;)[ \t]*"
    r"(?P<name>(?P<last>[A-Z][A-Za-z'’]+(?:-[A-Z][A-Za-z'’]+)?),[ \t]+"
    r"(?P<first>[A-Z](?:[a-z'’]+|[A-Z'’]+)(?:-[A-Z](?:[a-z'’]+|[A-Z'’]+))?))"
    r"(?=[ \t]*\((?:\d{1,2}(?:st|nd|rd|th)|joint|=?\d{1,2})\b)", re.M)
_DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_MONTHS = frozenset("january february march april may june july august september october november december".split())
_REFERENCE_SITE = re.compile(r"(?:wikipedia|wikimedia|britannica|imdb)\.(?:org|com)/\S*$", re.I)


class PersonNames:
    """Learner full names: the roster in every form; other people's names judged by their context."""

    needs_doc = True

    def __init__(self, rule: Any, config: Any) -> None:
        self.rule = rule
        self.options = rule.options
        self.cues = Cues.from_options(rule.options)
        self.roster = RosterIndex(config.roster or ())
        self.has_roster = config.roster is not None
        staff = _staff_keys(config.staff or ())
        # a staff member with a learner's exact name: the name is the learner's unless a staff title
        # or role is attached to it (otherwise the learner could never be found)
        self.shared = staff & set(self.roster.pairs)
        self.staff = staff - self.shared
        self.roster_rows = len(config.roster or ())
        self.no_context = {**_NO_CONTEXT, **(rule.options.get("no_context_severity") or {})}
        self.adult_words = self.cues.titles | self.cues.adult_roles  # a word on a list's line or before an address

    def run(self, post: Any, ctx: Any) -> Iterable[Hit]:
        text = mask_addresses(post.prose)
        if self.has_roster and not self.roster_rows:
            ctx.notice("roster has a header but no learners: learner full names are found by NER and the names list only")
        if not self.has_roster:
            ctx.notice("roster not configured: learner full names are found by NER and the names list only")
        if self.shared:
            count = len(self.shared)
            ctx.notice(f"staff list: {count} name{'s are' if count > 1 else ' is'} also on the roster; "
                       "such a name is treated as a learner's unless a staff title or role is attached to it")
        taken: list[tuple[int, int]] = []
        destinations = _unread_destinations(post)
        for hit in [*self.roster.find(text), *self.roster.in_addresses(post.text, destinations)]:
            if self._is_adult(text, hit.start, hit.end, letters(hit.first_written), letters(hit.learner.last_name),
                              on_roster=True):
                continue
            if hit.form == "full" and self._ordinary_words(ctx, text, hit):
                continue
            taken.append((hit.start, hit.end))
            yield self._roster_hit(post.text if hit.form == "address" else text, hit)
        if self.options.get("unlisted_names", True) is False:
            return
        if len(_WORDS.findall(text)) < 2:
            return  # a name needs two words; a photo's file name such as IMG_2041 has none to pair
        doc = ctx.doc(post)
        model = None if self.has_roster else name_model(ctx)
        for cand, severity, evidence in self.judged(post, ctx, text, doc, taken):
            if severity is None:
                continue
            if model is not None:
                severity, evidence = self._learned(model, _finder(ctx, self.cues), post, text, doc, cand,
                                                        severity, evidence)
            taken.append((cand.start, cand.end))
            first = first_name_form(cand.first.text)
            yield Hit(match=text[cand.start:cand.end], start=cand.start, end=cand.end,
                      suggestion=first,
                      severity=severity, confidence=0.9 if cand.ner_person else 0.7,
                      details={"source": "ner" if cand.ner_person else "names-list", "evidence": evidence})
        if not self.has_roster:
            yield from self._unlisted_in_addresses(post, ctx, text, destinations)
            yield from self._unlisted_surname_first(ctx, text, taken)

    def _unlisted_surname_first(self, ctx: Any, text: str, taken: list[tuple[int, int]]) -> Iterator[Hit]:
        """With no roster: a list of names written "Surname, First", one at the head of each line or table
        cell (results, averages, a register), at least two such lines, none with a title or role on it.
        Only a warning: the list does not say whose names they are."""
        names = _finder(ctx, self.cues).names
        found = []
        placed = list(_SURNAME_FIRST_PLACED.finditer(text))
        starts = {m.start("name") for m in placed}
        for m in [*placed, *(m for m in _SURNAME_FIRST.finditer(text) if m.start("name") not in starts)]:
            last, first = m.group("last"), m.group("first")
            if names.last_rank(last.split("-")[0]) is None or names.first_rank(first.split("-")[0]) is None:
                continue
            if last.casefold() in _DAYS or first.casefold() in _MONTHS:  # "Saturday, June 14"
                continue
            if (letters(first), letters(last)) in self.staff or any(s <= m.start("last") < e for s, e in taken):
                continue
            line_end = text.find("\n", m.end())
            line = text[m.start():len(text) if line_end < 0 else line_end]
            if any(w.casefold() in self.adult_words for w in _WORDS.findall(line)):
                continue
            found.append(m)
        if len(found) < 2:
            return
        for m in found:
            yield Hit(match=m.group("name"), start=m.start("name"), end=m.end("name"), severity=Severity.WARNING,
                      confidence=0.5, suggestion=first_name_form(m.group("first")),
                      details={"source": "names-list",
                               "evidence": "names written Surname, First in a list (no roster to tell whose)"})

    def _unlisted_in_addresses(self, post: Any, ctx: Any, prose: str,
                               destinations: list[tuple[int, int]]) -> Iterator[Hit]:
        """With no roster: a first name and a surname side by side in a link's or image's path
        (/news/ruby-stokoe-wins), neither an English word, with no title or role before them, on no
        staff list and not written out in the post's own words (there the prose judges it). Only a
        warning: nothing in an address says whose name it is."""
        finder = _finder(ctx, self.cues)
        names = finder.names
        said = " ".join(letters(w) for w in _WORDS.findall(prose))
        for start, end in address_paths(post.text, destinations):
            path = post.text[start:end]
            if path.lstrip().casefold().startswith(("mailto:", "tel:")):
                continue  # an e-mail address is the contact rule's
            if _REFERENCE_SITE.search(post.text, max(0, start - 40), start + 1):
                continue  # an encyclopaedia's page on a person is about a public figure
            cut = re.search(r"[?#]", path)
            words = path_words(post.text, start, start + cut.start() if cut else end)
            for before, (s0, _, w0), (_, e1, w1) in zip([None, *words], words, words[1:]):
                if min(len(w0), len(w1)) < 3 or names.first_rank(w0) is None or names.last_rank(w1) is None:
                    continue
                if finder.is_word(w1) or (w0, w1) in self.staff:
                    continue
                if finder.is_word(w0) and names.first_rank(w0) > _COMMON_FIRST:  # Ruby, Grace: names first
                    continue
                if before is not None and before[2] in self.adult_words:
                    continue
                if f"{w0} {w1}" in said:
                    continue
                yield Hit(match=post.text[s0:e1], start=s0, end=e1, severity=Severity.WARNING, confidence=0.5,
                          suggestion=first_name_form(w0.capitalize()),
                          details={"source": "names-list",
                                   "evidence": "a first name and a surname in a web address (no roster to tell "
                                               "whose)"})

    def judged(self, post: Any, ctx: Any, text: str, doc: Any,
               taken: list[tuple[int, int]]) -> Iterator[tuple[Any, Severity | None, str]]:
        """Every first name + surname pair not inside a span already taken, with the rules' severity and
        evidence (None: not a learner's name). The caller adds the spans it reports to ``taken``."""
        finder = _finder(ctx, self.cues)
        # pairs the model calls PERSON first: "Met [Steph Houghton]" beats "Met Steph"
        for cand in sorted(finder.find(text, doc, glued_spans(post)), key=lambda c: (not c.ner_person, c.start)):
            if any(s < cand.end and cand.start < e for s, e in taken):
                continue
            severity, evidence = self._judge(post, text, cand)
            yield cand, severity, evidence

    def bound_evidence(self, text: str, cand: Any, evidence: str) -> str | None:
        """Direct learner evidence bound to the name (a year group or learner role in apposition, a
        learner-only achievement, the sentence calling it a child), or None."""
        if evidence in (LEARNER_BEFORE, LEARNER_AFTER, LEARNER_ACHIEVEMENT, CALLED_LEARNER):
            return evidence
        if achievement_bound(self.cues, text, cand.start, cand.end):
            return LEARNER_ACHIEVEMENT
        if learner_noun_said_of(self.cues, text, cand.start, cand.end):
            return CALLED_LEARNER
        return None

    def _learned(self, model: Any, finder: Any, post: Any, text: str, doc: Any, cand: Any,
                 severity: Severity, evidence: str) -> tuple[Severity, str]:
        """No roster: a name the span model scores as clearly not a learner's drops to a note (info);
        direct learner evidence bound to the name keeps it an error whatever the model says."""
        if self.bound_evidence(text, cand, evidence) is not None:
            return severity, evidence
        context = None
        if model.dense is not None:
            context = context_vectors([context_text(text, cand.start, cand.end)])[0]
        score = model.score(span_features(self.cues, finder, post, text, doc, cand, evidence), context)
        if score >= model.threshold:
            return severity, evidence
        return Severity.INFO, f"{evidence}; the name model reads it as an adult's or not a name ({score:.2f})"

    def _roster_hit(self, text: str, hit: RosterHit) -> Hit:
        first = first_name_form(hit.first_written)
        match = text[hit.start:hit.end]
        if hit.form == "shared-surname":
            match = f"{match} … {hit.learner.last_name}"
        return Hit(match=match, start=hit.start, end=hit.end, suggestion=first,
                   details={"evidence": _ROSTER_FORMS.get(hit.form, "on the roster")})

    def _judge(self, post: Any, text: str, cand: Any) -> tuple[Severity | None, str]:
        """The severity and the evidence for it. With a roster, a name not on it is an error only on
        direct evidence bound to the name; weaker context makes it a note (info), never a review."""
        severity, evidence = self._severity(post, text, cand)
        if severity is None or not self.has_roster or evidence in DIRECT:
            return severity, evidence
        if achievement_bound(self.cues, text, cand.start, cand.end):
            return Severity.ERROR, LEARNER_ACHIEVEMENT
        if praised(self.cues, text, cand.start):
            return Severity.ERROR, PRAISED
        if learner_noun_said_of(self.cues, text, cand.start, cand.end):
            return Severity.ERROR, CALLED_LEARNER
        return Severity.INFO, f"{evidence}; not on the roster"

    def _ordinary_words(self, ctx: Any, text: str, hit: RosterHit) -> bool:
        """"We hope frost stays away", "Summer hill walks" for Hope Frost and Summer Hill: two English
        words in running prose, the surname in lower case, and nothing addressed to a learner just before."""
        written = text[hit.start:hit.end]
        words = written.split()
        if len(words) != 2 or not words[1].islower() or words[0].isupper():
            return False
        finder = _finder(ctx, self.cues)
        if not (finder.is_word(words[0]) and finder.is_word(words[1])):
            return False
        return not (praise_just_before(self.cues, text, hit.start) or learner_just_before(self.cues, text, hit.start)
                    or learner_just_after(self.cues, text, hit.end))

    def _is_adult(self, text: str, start: int, end: int, first_key: str, last_key: str, on_roster: bool = False) -> bool:
        if (first_key, last_key) in self.staff:
            return True
        if learner_just_before(self.cues, text, start):
            return False  # "team captain Amelia Hart": captain is a title only for adults
        written = word_before(text, start)
        before = written.casefold()
        if before in self.cues.titles:
            # a roster learner's name: only a title written as one ("Mrs", "Dr", not "his sister") and one no
            # learner holds ("Captain Ellie-Mae Drummond lifted the trophy" is the team's captain) says adult
            return not on_roster or (written[:1].isupper() and before not in self.cues.learner_titles)
        # a learner's name that a member of staff shares: only a role attached to it says "staff"
        return (first_key, last_key) in self.shared and (
            adult_just_before(self.cues, text, start) or adult_just_after(self.cues, text, start, end))

    def _severity(self, post: Any, text: str, cand: Any) -> tuple[Severity | None, str]:
        if self._is_adult(text, cand.start, cand.end, letters(cand.first.text), letters(cand.last.text)):
            return None, ""
        # a middle name belongs to the name: "written by Carol Ann Duffy" judges "Ann Duffy" from "by"
        starts = (cand.start, _name_start(text, cand.start))
        if starts[1] != cand.start and word_before(text, starts[1]).casefold() in self.cues.titles:
            return None, ""
        if word_before(text, cand.start).casefold() in self.cues.place_before:
            return None, ""
        if title_case_heading(text, cand) or quoted_title(text, cand.start, cand.end):
            return None, ""
        if word_after(text, cand.end).casefold() in self.cues.place_after:
            return None, ""
        last_word = re.sub(r"['’]s?$", "", cand.last.text).casefold()
        # "the Diamond Awards", "Harvest Festival": a "surname" that is no surname but the head of a thing's name
        if cand.last_rank is None and last_word in self.cues.place_after:
            return None, ""
        if in_post_as_a_thing(self.cues, text, cand.first.text, re.sub(r"['’]s?$", "", cand.last.text)):
            return None, ""
        if is_street(self.cues, text, cand.start, cand.end, cand.last.text):
            return None, ""
        weak_last = last_word in self.cues.place_last_weak
        if (cand.kind != "strong" or weak_last) and self._weak_place(text, cand.start, cand):
            return None, ""
        if any(learner_just_before(self.cues, text, start) for start in starts):
            return Severity.ERROR, LEARNER_BEFORE
        # a learner cue bound to the name beats an author or adult cue: "a poem written by Callum Fenwick in Year 8"
        if adult_just_after(self.cues, text, cand.start, cand.end):
            return None, ""
        if learner_just_after(self.cues, text, cand.end):
            return Severity.ERROR, LEARNER_AFTER
        if cand.kind == "wordy-first":  # "Grace Lennox": nothing weaker than a bound year group or role will do
            return None, ""
        if in_adult_list(self.cues, text, cand.start) or with_the_author(text, cand.start, cand.end):
            return None, ""
        if cand.kind == "lower":  # "well done reece smith": only praise bound to the pair makes it a name
            return (Severity.ERROR, "praise for this name") if praise_just_before(self.cues, text, cand.start) else (None, "")
        # a famous or public person ("dressed as", "learned about", "author"), a book's author, or a
        # charity named after one
        if any(author_of_book(self.cues, text, start, cand.end) for start in starts):
            return None, ""
        if any(adult_just_before(self.cues, text, start, end=cand.end) or cause_just_before(self.cues, text, start, cand.end)
               for start in starts):
            return None, ""
        left, right = sentence_bounds(text, cand.start, cand.end)
        sentence = without_titles(text[left:cand.start] + " " + text[cand.end:right])
        learner, adult = has_learner_cue(self.cues, sentence), has_adult_cue(self.cues, sentence)
        if learner and not adult:
            return Severity.ERROR, "learner words in the sentence"
        if cand.kind != "strong":
            # Lily Green, Imogen Trelawney: only a learner cue makes these a name; an unknown surname
            # with no cue at all is worth a second look, a word-like one is not
            if learner or adult or cand.kind != "unknown" or cand.ner_other:
                return None, ""
            return self._no_context(post), "no context"
        if learner or (not adult and has_learner_cue(self.cues, without_titles(text[:cand.start] + " " + text[cand.end:]))):
            return Severity.WARNING, "learner words in the post"
        if adult:
            return None, ""
        return self._no_context(post), "no context"

    def _no_context(self, post: Any) -> Severity | None:
        band = self.no_context.get(post.account, "warning")
        return None if band in (None, "none", "off") else Severity(band)

    def _weak_place(self, text: str, start: int, cand: Any) -> bool:
        """"walked to Holly Hill", "visited Lily Green": a weak pair after a place word is a place."""
        if praise_just_before(self.cues, text, start) or learner_just_after(self.cues, text, cand.end):
            return False
        return word_before(text, start).casefold() in self.cues.weak_place_lead | self.cues.place_lead


_MIDDLE = re.compile(r"([A-Z][a-z'’-]+)[ \t]+$")


def _name_start(text: str, start: int) -> int:
    """The start of a capitalised first name just before the pair (a middle name), else the pair's start."""
    from postcheck.names.lexicon import names_list

    m = _MIDDLE.search(text[max(0, start - 30):start])
    if m and names_list().first_rank(m.group(1)) is not None:
        return start - len(m.group(0))
    return start


def _finder(ctx: Any, cues: Cues) -> Any:
    """One PeopleFinder per run (the names list and the lemmatizer's word tables load once)."""
    key = f"names.finder.{id(cues)}"
    if key not in ctx.cache:
        from postcheck.names.lexicon import names_list
        from postcheck.names.people import PeopleFinder

        ctx.cache[key] = PeopleFinder(names_list(), cues, _words(ctx, ("verb", "adj", "adv")),
                                      _words(ctx, ("noun", "verb", "adj", "adv")))
    return ctx.cache[key]


def _words(ctx: Any, kinds: tuple[str, ...]) -> frozenset[str]:
    """English words of these parts of speech from the pipeline's lemmatizer (Star, Joy, Grace, Will).

    Read from the model package's lookup tables when they are there, so a run that needs no Doc
    (a lone photo, whose file name is still checked) does not import spaCy for them.
    """
    tables = _lookup_tables(ctx)
    if tables is None:
        nlp = ctx.nlp.pipeline
        if nlp is None or "lemmatizer" not in nlp.pipe_names:
            return frozenset()
        tables = {}
        for name in ("lemma_index", "lemma_exc"):
            try:
                table = nlp.get_pipe("lemmatizer").lookups.get_table(name)
            except (KeyError, ValueError, AttributeError):
                continue
            tables[name] = {pos: table[pos] for pos in ("adj", "adv", "noun", "verb") if pos in table}
    words: set[str] = set()
    for name in ("lemma_index", "lemma_exc"):  # exceptions: irregular forms (met, won, ran, best)
        for pos in kinds:
            words.update(w for w in tables.get(name, {}).get(pos, ()) if "_" not in w)
    return frozenset(words)


# spaCy keys lookup tables by the 64-bit hash of the part-of-speech name (spacy.strings.hash_string).
_POS_HASHES = {12401032943472870168: "adj", 10054248821341768113: "adv",
               16833663260455505849: "noun", 6360137228241296794: "verb"}


def _lookup_tables(ctx: Any) -> dict[str, dict[str, Any]] | None:
    """The lemmatizer's lemma_index/lemma_exc tables straight from the installed model package."""
    if "names.lookups" in ctx.cache:
        return ctx.cache["names.lookups"]
    ctx.cache["names.lookups"] = tables = _read_lookups(ctx.nlp.requested)
    return tables


def _read_lookups(model: str | None) -> dict[str, dict[str, Any]] | None:
    import importlib.util
    from pathlib import Path

    from postcheck.nlp import DEFAULT_MODELS

    if model in ("none", "off", ""):
        return None
    for name in (model,) if model else DEFAULT_MODELS:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            for path in sorted(Path(folder).glob("*/lemmatizer/lookups/lookups.bin")):
                try:
                    import srsly

                    raw = srsly.msgpack_loads(path.read_bytes())
                    tables = {}
                    for table in ("lemma_index", "lemma_exc"):
                        data = raw[table]
                        data = srsly.msgpack_loads(data) if isinstance(data, bytes) else data
                        tables[table] = {_POS_HASHES[k]: v for k, v in data.items() if k in _POS_HASHES}
                    if all(tables.values()):
                        return tables
                except Exception:  # noqa: BLE001 - an unexpected layout: fall back to the pipeline
                    return None
    return None


class ConsentNames:
    """Learners whose parents objected to their name being used: even the first name alone."""

    needs_doc = False

    def __init__(self, rule: Any, config: Any) -> None:
        self.rule = rule
        self.entries = [e for e in (config.consent_list.learners if config.consent_list else ()) if e.restricts_name]
        self.configured = config.consent_list is not None
        self._firsts: dict[str, Any] = {}
        for entry in self.entries:
            first = entry.name.split()[0] if entry.name.split() else ""
            if letters(first):
                self._firsts.setdefault(letters(first), entry)

    def run(self, post: Any, ctx: Any) -> Iterable[Hit]:
        if not self.configured:
            ctx.notice("consent list not configured: name objections are not checked")
            return
        if not self._firsts:
            return
        import re

        text = mask_addresses(post.prose)
        folded, where = fold_with_map(text)
        for m in re.finditer(r"[^\W\d_]+(?:['\-][^\W\d_]+)*", folded):
            entry = self._firsts.get(letters(m.group(0)))
            if entry is None:
                continue
            start, end = where[m.start()], where[m.end()]
            written = text[start:end]
            if written.islower() and len(written) > 2 and not _in_glued(post, start):
                continue  # "joy", "will": a word, not the name (names in tags and file names are checked)
            yield Hit(match=written, start=start, end=end, suggestion=initials(entry.name))
        for tag in TAG.finditer(text):  # #WellDonePoppy, @poppy.a
            body = tag.group(0)[1:]
            squashed, starts = letters(body), word_starts(body)
            for first, entry in self._firsts.items():
                if any(squashed.startswith(first, at) for at in starts):
                    yield Hit(match=tag.group(0), start=tag.start(), end=tag.end(), suggestion=initials(entry.name))
                    break


def _in_glued(post: Any, offset: int) -> bool:
    return any(s <= offset < e for s, e in glued_spans(post))


def _unread_destinations(post: Any) -> list[tuple[int, int]]:
    """Link and image destinations, less those of photos that were read: a read photo's file name is
    checked as a file name already (and its fix is to rename the file)."""
    read = {post.text[s.start:s.end].strip().casefold() for s in post.segments if s.field == "image-name"}
    if not read:
        return list(post.link_spans)

    def stem(destination: str) -> str:  # the segment holds the file name without its extension
        name = destination.strip().rsplit("/", 1)[-1].casefold()
        return name.rsplit(".", 1)[0] if "." in name else name

    return [(start, end) for start, end in post.link_spans if stem(post.text[start:end]) not in read]
