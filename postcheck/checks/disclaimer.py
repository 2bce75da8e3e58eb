"""Personal posts that speak about the school: a views-my-own statement, and no official voice.

A member of staff's own post that names the school, or shows they work there ("our school",
"where I teach"), must say the views are their own (5.1, 5.4); and it must never speak for the
school ("on behalf of the school", "the school has decided"), disclaimer or not (4.4).

    options:
      mentions: ["our school", "my class|pupils", "where i teach"]   # shows the school
      aliases: ["Link"]              # other names of the school, besides config ``school``
      disclaimers: ["views be? my own", "not ... my employer"]
      on_behalf: ["on behalf of the|our school", "on behalf of {school}"]   # official voice
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from postcheck.model import Hit
from postcheck.text.phrases import Matcher, compile_phrases
from postcheck.text.tokens import tokens_for

_GENERIC = {"the", "school", "academy", "college", "primary", "secondary", "high", "junior", "infant", "infants",
            "church", "of", "england", "ce", "rc", "c", "e", "&", "and", "trust", "st", "saint"}


def school_phrases(name: str | None, aliases: Iterable[str] = ()) -> list[str]:
    """Ways a post may write the school's name: "The Link School", "Link School", "#LinkSchool", "#TheLinkSchool"."""
    found: list[str] = []
    for full in [name or "", *aliases]:
        words = re.findall(r"[\w']+", full.casefold())
        if not words:
            continue
        with_the = "".join(words) if words[0] == "the" else None  # #TheLinkSchool
        words = words[1:] if with_the else words
        if not words:
            continue
        found.append(" ".join(words))
        found.append("".join(words))  # hashtag form
        if with_the:
            found.append(with_the)
        distinctive = [w for w in words if w not in _GENERIC]
        # "Hollin Bank Academy" may be written "Hollin Bank"; a one-word core ("Link") is too common
        if len(distinctive) >= 2 and distinctive != words:
            found.append(" ".join(distinctive))
            found.append("".join(distinctive))  # #HollinBank
    return found


def short_name(name: str | None) -> re.Pattern[str] | None:
    """"at Link tonight" for The Link School: a one-word core of the school's name, as a name (capitalised, after a
    lower-case word, so not a sentence's first word; not followed by another capitalised word, so not "Link Road").
    Read as written, case and all: "link" the word is everywhere."""
    words = re.findall(r"[\w']+", name or "")
    distinctive = [w for w in words if w.casefold() not in _GENERIC]
    if len(distinctive) != 1 or len(distinctive[0]) < 3 or not distinctive[0][:1].isupper():
        return None
    core = re.escape(distinctive[0])
    # the word before starts lower case ("at", "for"), or a comma or semicolon ends it: not "Scout Book Link"
    return re.compile(r"(?:(?<![\w'’-])[a-z][\w'’-]*|[,;])[ \t]+(" + core + r"(?:['’]s)?)(?![\w'’-])(?![ \t]+[A-Z])")


def _expand(phrases: Iterable[Any], names: list[str]) -> list[str]:
    """A phrase with ``{school}`` stands for one phrase per way of writing the school's name."""
    out: list[str] = []
    for phrase in phrases:
        phrase = str(phrase)
        if "{school}" in phrase:
            out.extend(phrase.replace("{school}", name) for name in names)
        else:
            out.append(phrase)
    return out


class Disclaimer:
    """Personal posts about the school with no views-my-own line, or in the school's voice."""

    needs_doc = True

    def __init__(self, rule: Any, config: Any) -> None:
        options = rule.options
        names = school_phrases(config.school, options.get("aliases") or ())
        self.mentions = (*compile_phrases(names), *compile_phrases(options.get("mentions") or ()))
        self.disclaimers = compile_phrases(options.get("disclaimers") or ())
        self.on_behalf = compile_phrases(_expand(options.get("on_behalf") or (), names))
        self.mention_text = " or ".join(names[:1]) or "the school"
        self.short_name = short_name(config.school)
        if not config.school:
            self._notice = "school name not configured: disclaimer rule only sees phrases such as 'our school'"
        else:
            self._notice = None

    def run(self, post: Any, ctx: Any) -> Iterable[Hit]:
        if self._notice:
            ctx.notice(self._notice)
        text = post.prose
        tokens = tokens_for(post, ctx)
        if not tokens:
            return
        matcher = Matcher(tokens)
        mention = self._first(matcher, self.mentions)
        behalf = self._first(matcher, self.on_behalf)
        if behalf is not None:
            start, end = tokens[behalf[0]].start, tokens[behalf[1] - 1].end
            yield Hit(match=text[start:end], start=start, end=end, details={"reason": "speaks for the school"},
                      message="Personal post speaks on the school's behalf: {}".format(text[start:end]))
            return
        short = self.short_name.search(text) if self.short_name is not None else None
        if (mention is None and short is None) or matcher.any_in(self.disclaimers) is not None:
            return
        if mention is None or (short is not None and short.start(1) < tokens[mention[0]].start):
            start, end = short.span(1)
        else:
            start, end = tokens[mention[0]].start, tokens[mention[1] - 1].end
        yield Hit(match=text[start:end], start=start, end=end, details={"reason": "no disclaimer"})

    def has_disclaimer(self, post: Any, ctx: Any) -> bool:
        """Whether the post says the views are the author's own (the learned layer asks this too)."""
        tokens = tokens_for(post, ctx)
        return bool(tokens) and Matcher(tokens).any_in(self.disclaimers) is not None

    @staticmethod
    def _first(matcher: Matcher, phrases: Iterable[Any]) -> tuple[int, int] | None:
        found = [m for phrase in phrases for m in matcher.find(phrase)]
        return min(found) if found else None

