"""Dates of birth: stated outright, or given away by an age and a date ("turns 11 today")."""
from __future__ import annotations

import datetime
import re
from typing import Iterable

from postcheck.model import Hit, Severity

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_DATE = (rf"(?:{_DAY}\s+(?:of\s+)?{_MONTHS}\.?(?:,?\s+(?:19|20)\d\d)?"
         rf"|{_MONTHS}\.?\s+{_DAY}(?:,?\s+(?:19|20)\d\d)?"
         r"|[0-3]?\d[/.-][01]?\d[/.-](?:19|20)?\d\d)")
_ORDINAL_WORDS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
                  "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth").split()
_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                 "fifteen sixteen seventeen eighteen nineteen").split()


class DatesOfBirth:
    """A learner's date of birth, or an age with a day that reveals it."""

    needs_doc = False

    def __init__(self, rule, config) -> None:
        options = rule.options
        self.max_age = int(options.get("max_age", 19))
        labels = "|".join(options.get("birth_labels", [])) or "born"
        gap = int(options.get("max_gap", 25))
        self.stated = re.compile(rf"(?i)\b(?:{labels})\b[^.!?\n]{{0,{gap}}}?\b({_DATE})\b")
        self.born_year = re.compile(r"(?i)\bborn\s+in\s+((?:19|20)\d\d)\b")
        # "born on this day in 2012", "born today, 2013": the post's date completes the birth date
        days = "|".join(options.get("this_day_words", [])) or "today"
        self.born_this_day = re.compile(rf"(?i)\b(?:{labels})\s+(?:{days})(?:\s+in|,)?\s+((?:19|20)\d\d)\b")
        age = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
        # "born 11 years ago today": an age and the post's date
        self.born_ago = re.compile(rf"(?i)\b(?:{labels})\s+(?:exactly\s+)?{age}\s+years?\s+ago\s+(?:{days})\b")
        when = "|".join(options.get("today_words", [])) or "today"
        ordinal = r"(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(_ORDINAL_WORDS) + r")"
        self.turns = re.compile(rf"(?i)\b(?:turns?|turned|turning|is|was)\s+{age}(?:\s+years?\s+old)?\s+(?:{when}|on\s+{_DATE})\b")
        self.birthday = re.compile(rf"(?i)\b(?:{ordinal})\s+birthday\b")

    def run(self, post, ctx) -> Iterable[Hit]:
        text = post.prose
        this_year = datetime.date.today().year
        for m in self.stated.finditer(text):
            year = re.search(r"(?:19|20)\d\d$", m.group(1))
            if year and int(year.group(0)) < this_year - self.max_age:
                continue  # a famous person's birthday, not a learner's
            yield Hit(match=m.group(0), start=m.start(), end=m.end(), details={"what": "a date of birth"})
        for m in self.born_this_day.finditer(text):
            if int(m.group(1)) >= this_year - self.max_age:
                yield Hit(match=m.group(0), start=m.start(), end=m.end(), details={"what": "a date of birth"})
        for m in self.born_ago.finditer(text):
            if _age(m.group(1)) <= self.max_age:
                yield Hit(match=m.group(0), start=m.start(), end=m.end(), details={"what": "a date of birth"})
        for m in self.born_year.finditer(text):
            if any(a.start() <= m.start() < a.end() for a in self.born_this_day.finditer(text)):
                continue
            if int(m.group(1)) >= this_year - self.max_age:
                yield Hit(match=m.group(0), start=m.start(), end=m.end(), severity=Severity.WARNING,
                          details={"what": "a learner's year of birth"})
        for pattern in (self.turns, self.birthday):
            for m in pattern.finditer(text):
                number = next(g for g in m.groups() if g)
                if _age(number) <= self.max_age:
                    yield Hit(match=m.group(0), start=m.start(), end=m.end(), severity=Severity.WARNING,
                              details={"what": "an age and a date, which together give a date of birth"})


def _age(word: str) -> int:
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS.index(word) + 1
    if word in _ORDINAL_WORDS:
        return _ORDINAL_WORDS.index(word) + 1
    return 99
