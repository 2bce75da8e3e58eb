"""What surrounds a name: learner cues, public adults, titles, places. Word lists come from rule options."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)|\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)|\n#")


def _words(values: Iterable[Any]) -> frozenset[str]:
    return frozenset(str(v).casefold() for v in values or ())


def _any_pattern(values: Iterable[Any]) -> re.Pattern[str] | None:
    items = [str(v) for v in values or ()]
    if not items:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(items) + r")(?!\w)", re.I)


def _tail_pattern(values: Iterable[Any], gap: str = r"\W*") -> re.Pattern[str] | None:
    """Phrases that must end right before a name (only punctuation or spaces between, of the kind `gap` allows)."""
    items = [str(v) for v in values or ()]
    if not items:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(items) + r")" + gap + "$", re.I)


def _head_pattern(values: Iterable[Any]) -> re.Pattern[str] | None:
    """Phrases that must start right after a name."""
    items = [str(v) for v in values or ()]
    if not items:
        return None
    return re.compile(r"(?:" + "|".join(items) + r")", re.I)


@dataclass(frozen=True)
class Cues:
    """The rule's word lists, compiled once."""

    learner: re.Pattern[str] | None  # regexes: "well done", "year\\s*\\d+", ...
    adult: re.Pattern[str] | None  # words in the sentence that make a name an adult's
    adult_roles: frozenset[str]  # a role word just before a name: author, councillor
    adult_before: re.Pattern[str] | None  # phrases just before a name: "inspired by"
    titles: frozenset[str]  # Mr, Mrs, Dr ...
    learner_titles: frozenset[str]  # titles a learner may hold too: Captain, Coach (a young leader)
    place_before: frozenset[str]  # St, Mount ...
    place_after: frozenset[str]  # Primary, Harbour, Day, Award ...
    not_names: frozenset[str]  # words never part of a person's name
    particles: frozenset[str]  # Mac, Ní, van, de ...
    learner_before: re.Pattern[str] | None  # "team captain", "Master": a learner whatever the role list says
    cause_before: re.Pattern[str] | None  # "raised £420 for": a charity or cause named after someone
    place_last: frozenset[str]  # Road, Street, Avenue: the pair is a street, never a person
    place_last_weak: frozenset[str]  # Green, Hill, Park: also surnames, so a street only beside a place word
    place_lead: frozenset[str]  # on, along, near: the word before a street
    learner_after: re.Pattern[str] | None = None  # "in Year 8", "(8B)": a learner cue bound to the name
    praise_before: re.Pattern[str] | None = None  # "well done to": praise bound to the name
    weak_place_lead: frozenset[str] = frozenset()  # "to", "visited": before a weak pair, a place
    adult_after: re.Pattern[str] | None = None  # ", our new Year 3 teacher": a role right after the name
    work_by: re.Pattern[str] | None = None  # "Noughts & Crosses by": a title right before "by" and the name
    book_words: re.Pattern[str] | None = None  # the sentence is about books: the title's name is an author's
    learner_work: re.Pattern[str] | None = None  # ... unless it is about a learner's own work ("winning poem")
    named_after: re.Pattern[str] | None = None  # " celebration", " song": a thing named after a famous person
    achievement: re.Pattern[str] | None = None  # "star of the week", "house points": only learners earn these
    achieves_after: re.Pattern[str] | None = None  # " won", " earned": the name is the one who achieved it
    given_to: re.Pattern[str] | None = None  # "Star Reader this month is": an achievement given to the name
    learner_noun_after: re.Pattern[str] | None = None  # "..., the most uncoordinated child": said of the name
    adult_list: re.Pattern[str] | None = None  # "Present:", "Apologies –": a line listing those at a meeting

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> "Cues":
        return cls(
            learner=_any_pattern(options.get("learner_context")),
            adult=_any_pattern(options.get("adult_context")),
            adult_roles=_words(options.get("adult_roles")),
            adult_before=_tail_pattern(options.get("adult_before")),
            titles=_words(options.get("titles")),
            learner_titles=_words(options.get("learner_titles")),
            place_before=_words(options.get("place_before")),
            place_after=_words(options.get("place_after")),
            not_names=_words(options.get("not_names")),
            particles=_words(options.get("particles")),
            # in the same sentence: "pupils: Tom Hart", not "our Year 7 students. As Tom ..." (a line break may
            # come between: "Star of the week" above a name)
            learner_before=_tail_pattern(options.get("learner_before"), gap=r"[^\w.]*"),
            cause_before=_tail_pattern(options.get("cause_before")),
            place_last=_words(options.get("place_last")),
            place_last_weak=_words(options.get("place_last_weak")),
            place_lead=_words(options.get("place_lead")),
            learner_after=_head_pattern(options.get("learner_after")),
            praise_before=_tail_pattern(options.get("praise_before")),
            weak_place_lead=_words(options.get("weak_place_lead")),
            adult_after=_head_pattern(options.get("adult_after")),
            work_by=_tail_pattern(options.get("work_by")),
            book_words=_any_pattern(options.get("book_words")),
            learner_work=_any_pattern(options.get("learner_work")),
            named_after=_head_pattern(options.get("named_after")),
            achievement=_any_pattern(options.get("learner_achievement")),
            achieves_after=_head_pattern(options.get("achieves_after")),
            given_to=_head_pattern(options.get("given_to")),
            learner_noun_after=_any_pattern(options.get("learner_noun_after")),
            adult_list=_any_pattern(options.get("adult_list_labels")),
        )


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or list item, or heading) around text[start:end]."""
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    m = _SENTENCE_END.search(text, end)
    return left, (m.start() if m else len(text))


def word_before(text: str, start: int) -> str:
    m = re.search(r"([^\W\d_]+)\.?[ \t]*$", text[max(0, start - 40):start])
    return m.group(1) if m else ""


def word_after(text: str, end: int) -> str:
    m = re.match(r"[ \t]+([^\W\d_]+)", text[end:end + 40])
    return m.group(1) if m else ""


def has_learner_cue(cues: Cues, text: str) -> bool:
    return bool(cues.learner and cues.learner.search(text))


def has_adult_cue(cues: Cues, text: str) -> bool:
    return bool(cues.adult and cues.adult.search(text))


_ROLE_LABEL = re.compile(r"([^\W\d_]+)[ \t]*([:,])[ \t]*$")
_APPOSITION_END = re.compile(r"[ \t]*[,)]")
# roles a pupil holds too (a team sheet's "Captain:", a school council's "Chair:" and "Secretary:"): as a label
# or in apposition they say nothing of age
_HELD_BY_LEARNERS = frozenset({"captain", "capt", "chair", "chairperson", "chairman", "chairwoman", "secretary",
                               "treasurer", "president", "editor", "leader", "ambassador", "representative"})
_HYPHENED_BEFORE = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)+)[ \t]*$")
_WITH_ME_AFTER = re.compile(
    r"(?:[ \t]*,[ \t]*(?:[A-Z][\w'’-]+[ \t]+){0,2}[A-Z][\w'’-]+)*[ \t]*,?[ \t]+(?:and|&)[ \t]+(?:I|me|myself)\b")
_WITH_ME_BEFORE = re.compile(r"\b(?:I|[Mm]e|[Mm]yself)[ \t]+(?:and|&)[ \t]+$")
_LISTED_AFTER = re.compile(
    r"([^\W\d_][\w'’-]*[ \t]+[^\W\d_][\w'’-]*)(?:[ \t]*\([^()\n]{0,40}\))?[ \t]+(?:and|&)[ \t]+$")


def adult_just_before(cues: Cues, text: str, start: int, listed: bool = True, end: int | None = None) -> bool:
    """"author Julia Donaldson", "Councillor", "inspired by": the name is a public adult's.

    A name joined by "and" to such a name shares its cue: "learned about Mary Seacole and Walter Tull"
    (not after a comma, which often starts a new clause: "Inspired by Mary Seacole, Tom Hart wrote").
    """
    before = text[max(0, start - 60):start]
    word = word_before(text, start).casefold()
    if word in cues.adult_roles or (word.endswith("s") and word[:-1] in cues.adult_roles):  # "referees X and Y"
        return True
    # a role as a label or in apposition: "Coach: Rob Russell", "Academy Principal, James Andriot, said"
    label = _ROLE_LABEL.search(before)
    if label and label.group(1).casefold() in cues.adult_roles and label.group(1).casefold() not in _HELD_BY_LEARNERS \
            and (label.group(2) == ":" or (end is not None and _APPOSITION_END.match(text, end))):
        return True
    joined = _HYPHENED_BEFORE.search(before)  # "co-ordinator Rob Dowler" reads as "coordinator"
    if joined and joined.group(1).replace("-", "").casefold() in cues.adult_roles:
        return True
    if cues.adult_before and cues.adult_before.search(before):
        return True
    m = _LISTED_AFTER.search(before) if listed else None
    return bool(m) and adult_just_before(cues, text, start - len(before) + m.start(1), listed=False)


def author_of_book(cues: Cues, text: str, start: int, end: int) -> bool:
    """"Library book of the month: Noughts & Crosses by Malorie Blackman": a book's author (or the name
    that opens its title, "Molly Moon and the Morphing Mystery, by ..."), not a learner ("The winning poem,
    Autumn Leaves by ..." is a learner's work)."""
    if cues.work_by is None or cues.book_words is None:
        return False
    window = max(0, start - 120)
    quoted = _QUOTED_BY.search(text, window, start)
    if quoted is not None:  # "'Paper Dolls' by Julia Donaldson": a title set off as one is a work's, whatever else
        left, right = sentence_bounds(text, start, end)
        sentence = text[left:quoted.start()] + " " + text[end:right]
        return not (cues.learner_work and cues.learner_work.search(sentence))
    m = cues.work_by.search(text, window, start)
    left, right = sentence_bounds(text, start, end)
    if m is not None:
        sentence = text[left:m.start()] + " " + text[end:right]  # the title's own words say nothing
    else:  # the name opens the title: "- Molly Moon and the Morphing Mystery, by Georgia Byng"
        by = _TITLE_BY.match(text, end)
        if by is None:
            return False
        sentence = text[left:start] + " " + text[by.end():right]
    sentence += " " + _list_intro(text, start)  # "These are the books she has chosen:" above "- Wonder, by ..."
    return bool(cues.book_words.search(sentence)) and not (cues.learner_work and cues.learner_work.search(sentence))


_QUOTED_BY = re.compile(r"(?:(?<![\w'’])['‘][^'’\n]{2,60}['’](?![\w'’])|[\"“][^\"”\n]{2,60}[\"”]|\*[^*\n]{2,60}\*|(?<!\w)_[^_\n]{2,60}_)"
                        r",?[ \t]+(?:(?:written|illustrated|retold|translated)[ \t]+)?by[ \t]+$")
_TITLE_BY = re.compile(r"(?:[ \t]+(?:[A-Z][\w'’-]*|&|and|of|the|a|an|in|on|at|to|for|with|from)){0,8}[:,]?[ \t]+by[ \t]+[A-Z]")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]")


def _list_intro(text: str, start: int) -> str:
    """For a name in a list item, the line that introduces the list (the nearest line above that is not an
    item); otherwise nothing."""
    line_start = text.rfind("\n", 0, start) + 1
    if not _LIST_ITEM.match(text, line_start):
        return ""
    end = line_start - 1
    for _ in range(40):  # a long list is still one list; further up is another paragraph
        if end <= 0:
            return ""
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        if line.strip() and not _LIST_ITEM.match(line):
            return line
        end = begin - 1
    return ""


def possessive(text: str, start: int, end: int) -> bool:
    """"Tom Hart's" / "Tom Hart’s" (the apostrophe may be inside the span or just after it)."""
    return bool(re.search(r"['’]s?$", text[start:end]) or re.match(r"['’]", text[end:end + 1]))


def learner_just_before(cues: Cues, text: str, start: int) -> bool:
    """"team captain", "Master": the name is a learner's even when a title or role word precedes it."""
    return bool(cues.learner_before and cues.learner_before.search(text[max(0, start - 60):start]))


def learner_just_after(cues: Cues, text: str, end: int) -> bool:
    """"Callum Fenwick in Year 8", "(8B)", ", 7C": a learner cue bound to this name, not to the sentence."""
    if cues.learner_after is None:
        return False
    end += len(re.match(r"(?:['’]s?)?", text[end:end + 2]).group(0))  # "Callum Fenwick's (Year 8) poem"
    return bool(cues.learner_after.match(text, end))


def adult_just_after(cues: Cues, text: str, start: int, end: int) -> bool:
    """"Emma Trelawney, our new Year 3 teacher": the role that follows the name is an adult's; "the best
    Jude Bellingham celebration": a thing named after a famous person (a learner's is "Tom Hart's song")."""
    if cues.adult_after and cues.adult_after.match(text, end):
        return True
    return bool(cues.named_after and cues.named_after.match(text, end)) and not possessive(text, start, end)


def praise_just_before(cues: Cues, text: str, start: int) -> bool:
    """"well done to", "congratulations": praise addressed to this very name."""
    return bool(cues.praise_before and cues.praise_before.search(text[max(0, start - 60):start]))


def cause_just_before(cues: Cues, text: str, start: int, end: int) -> bool:
    """"raised £420 for Marie Curie": a charity named after someone, but not "for Tom Hart's family"."""
    if possessive(text, start, end):
        return False
    return bool(cues.cause_before and cues.cause_before.search(text[max(0, start - 60):start]))


def is_street(cues: Cues, text: str, start: int, end: int, last: str) -> bool:
    """"Tunstall Road"; "on Lowther Green" (Green is a surname too, so it needs a place word beside it)."""
    last = re.sub(r"['’]s?$", "", last).casefold()  # "Tunstall Road's closure"
    if last in cues.place_last:
        return True
    if last not in cues.place_last_weak or possessive(text, start, end):
        return False
    return word_before(text, start).casefold() in cues.place_lead or word_after(text, end).casefold() in cues.place_after


def praised(cues: Cues, text: str, start: int) -> bool:
    """"Well done to", "congratulations": praise addressed to the name; thanks (adults get as many) is not."""
    praise = cues.praise_before.search(text[max(0, start - 60):start]) if cues.praise_before else None
    return praise is not None and "thank" not in praise.group(0).casefold()


def achievement_bound(cues: Cues, text: str, start: int, end: int) -> bool:
    """An achievement only a learner earns, bound to the name: "Lily Green won the Year 4 race", "Our Year 8
    Star Reader this month is Jacob Thwaites"."""
    if cues.achievement is None:
        return False
    left, right = sentence_bounds(text, start, end)
    if cues.given_to:
        for m in cues.achievement.finditer(text, max(left, start - 80), start):
            if cues.given_to.search(text[m.end():start]):
                return True
    return bool(cues.achieves_after and cues.achieves_after.match(text, end) and cues.achievement.search(text, end, right))


# A line's label: "**Present:**", "Members present:", "Apologies – " (bullets, bold and a few words before a colon
# or a spaced dash)
_LINE_LABEL = re.compile(r"[ \t>*_#-]*+([^\W\d_][^:\n–—]{0,40}?)[*_ \t]*(?::|[ \t][–—-](?=[ \t]))")


def with_the_author(text: str, start: int, end: int) -> bool:
    """"Kerri Duffy, Chris McGrath and I hatched a plan", "my wife and I", "me and Dan Ellis": a name the
    writer joins to themself is a grown-up's, a colleague or a friend of the writer's."""
    return bool(_WITH_ME_AFTER.match(text, end) or _WITH_ME_BEFORE.search(text, max(0, start - 20), start))


def in_post_as_a_thing(cues: Cues, text: str, first: str, last: str) -> bool:
    """"Joseph Swan's Year 8 team" after "Joseph Swan Academy" in the same post; "Leicester Grammar" after
    "Leicester Grammar School": the pair is the name of a place or body the post names in full."""
    pair = re.compile(rf"\b{re.escape(first)}[ \t]+{re.escape(last)}[ \t]+([^\W\d_]+)")
    return any(m.group(1).casefold() in cues.place_after for m in pair.finditer(text))


def in_adult_list(cues: Cues, text: str, start: int) -> bool:
    """"**Present:** Moira Lennox, Gail Souter", "Apologies – Jean Buchan": a name on a line that lists who was
    at (or sent apologies to) a meeting: minutes name the adults who run things."""
    if cues.adult_list is None:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    m = _LINE_LABEL.match(text, line_start, start)
    return bool(m and cues.adult_list.search(m.group(1)))


def learner_noun_said_of(cues: Cues, text: str, start: int, end: int) -> bool:
    """"Tobias Ferreira dropped his pancake ..., the most uncoordinated child": the name's sentence calls it a learner."""
    if cues.learner_noun_after is None:
        return False
    _, right = sentence_bounds(text, start, end)
    return bool(cues.learner_noun_after.search(without_titles(text[end:right])))


# A work's title set off in italics: *The Boy at the Back of the Class*, _The Iron Man_ (not quotation marks: those
# are as often someone's words about the people named)
_TITLED_WORK = re.compile(r"(?<![\w*_])([*_])(?=\S)[^*_\n]{1,80}?(?<=\S)\1(?![\w*_])")


def without_titles(text: str) -> str:
    """`text` with the italic titles of works in it blanked out (same length): a title's own words say nothing of the
    people around it ("*Kick* by Mitch Johnson and *The Boy at the Back of the Class* by ...")."""
    return _TITLED_WORK.sub(lambda m: " " * len(m.group()), text)


_HEADING_LINE = re.compile(r"[ \t]*(?:#{1,6}[ \t]+)?([^\n]*)")


def title_case_heading(text: str, cand: Any) -> bool:
    """"## Curriculum Overviews": a heading whose every word is capitalised, where the pair's first word
    is no first name, is a heading, not a person."""
    from postcheck.names.lexicon import names_list

    line_start = text.rfind("\n", 0, cand.start) + 1
    line_end = text.find("\n", cand.end)
    line = text[line_start:len(text) if line_end < 0 else line_end]
    body = _HEADING_LINE.match(line).group(1).strip()
    words = re.findall(r"[^\W\d_][\w'’-]*", body)
    heading = line.lstrip().startswith("#") or (len(words) <= 8 and not re.search(r"[.!?,;:]$", body))
    if not heading or not words or not all(w[0].isupper() for w in words if len(w) > 3):
        return False
    return names_list().first_rank(cand.first.text) is None


def quoted_title(text: str, start: int, end: int) -> bool:
    """'performed "Maisie Thornfield"', "came as 'Horrid Henry'": a name alone in quotation marks is a
    title or a character (a learner's own name is not quoted)."""
    before = text[max(0, start - 1):start]
    after = text[end:end + 1]
    return before in ("\"", "“", "'", "‘") and after in ("\"", "”", "'", "’")
