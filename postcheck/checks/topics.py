"""Topic lexicons: words and phrases a rule names in ``options.topics``, matched on lemmas in context.

One check kind serves several rules (confidential matters, disparaging language, references):
each rule lists topics, and each topic says which phrases count (``terms``), which context
they need (``needs``), what cancels them (``unless``), and whether they must be aimed at a
person (``target: person``). Everything is data, so a school can extend the lexicons.

    topics:
      - name: exclusion
        terms: ["exclude", "exclusion"]
        needs: ["pupil|student|child", "term|week|day", "@person"]   # one of these nearby
        needs_scope: sentence        # or "post"; a list of lists means one from each list
        unless: ["sport* day"]       # none of these in the sentence
        except: ["feel|felt exclude"]   # none of these overlapping the term itself
        target: person               # only when aimed at a person or group ...
        look: both                   # ... found after the word, before it, or both
        undecided: skip              # no noun found either way: skip (default) or hit
        negation: true               # "nobody was excluded" does not count (default)
        skip_pos: [NOUN]             # not when spaCy tags the word so ("collected rubbish")
        skip_titles: false           # capitalised runs count too ("Eastern European"); default: the rule's
        alone: true                  # only when the phrase is its sentence's only words ("Clueless.")
        severity: warning            # overrides the rule's severity

Rule-level options: ``lists`` (named word lists a phrase names as ``{name}``), ``person_words``,
``thing_words``, ``person_words_after_possessive`` ("our chair"), ``person_entities`` (spaCy labels
that count as people, default PERSON), ``unless`` (cancels every topic in that sentence),
``unless_post`` with ``unless_post_not`` (one of the first anywhere and none of the second: the rule
leaves the whole post alone, e.g. professional sport with nothing of school in it), ``personal_needs_post``
(on a personal account the rule reads only a post with one of these anywhere, or the configured school's
name: the author's own school, not schools in general), ``skip_quoted`` (words in quotation marks or emphasis are titles or reported speech; default
true) and ``skip_titles`` (capitalised runs such as "Horrid Henry"; default true).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from postcheck.config import ConfigError
from postcheck.model import Hit, Severity
from postcheck.text.phrases import Matcher, Phrase, PhraseIndex, compile_phrases
from postcheck.text.targets import Targets
from postcheck.text.tokens import in_title, negated, quoted_spans, tokens_for

_TOPIC_KEYS = {"name", "terms", "needs", "needs_scope", "unless", "except", "target", "look", "undecided", "negation",
               "severity", "skip_pos", "skip_titles", "alone"}


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    terms: tuple[Phrase, ...]
    needs: tuple[tuple[Phrase, ...], ...] = ()  # one phrase from each group
    needs_scope: str = "sentence"
    unless: tuple[Phrase, ...] = ()
    excepts: tuple[Phrase, ...] = ()
    target: str | None = None
    look: str = "both"
    undecided: str = "skip"
    negation: bool = True
    severity: Severity | None = None
    skip_pos: frozenset[str] = frozenset()
    skip_titles: bool | None = None  # None: the rule's setting
    alone: bool = False


def _topic(raw: Any, index: int, rule: Any, lists: dict | None = None) -> Topic:
    def fail(message: str, key: str = "") -> ConfigError:
        return ConfigError(rule.source or rule.id, message, None, f"options.topics[{index}]{key}")

    if not isinstance(raw, dict):
        raise fail("a topic must be a mapping with at least name and terms")
    unknown = set(raw) - _TOPIC_KEYS
    if unknown:
        raise fail(f"unknown topic key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_TOPIC_KEYS))})")
    if not raw.get("terms") or not isinstance(raw["terms"], list):
        raise fail("terms must be a non-empty list of phrases", ".terms")
    for key in ("needs", "unless", "except"):
        if raw.get(key) is not None and not isinstance(raw[key], list):
            raise fail(f"{key} must be a list of phrases", f".{key}")
    needs = raw.get("needs") or []
    groups = needs if needs and all(isinstance(g, list) for g in needs) else [needs] if needs else []
    if any(isinstance(g, list) for g in needs) and not all(isinstance(g, list) for g in needs):
        raise fail("needs is either a list of phrases or a list of lists of phrases", ".needs")
    choices = {"needs_scope": ("sentence", "post"), "target": (None, "person"),
               "look": ("forward", "backward", "both"), "undecided": ("skip", "hit")}
    for key, allowed in choices.items():
        if key in raw and raw[key] not in allowed:
            raise fail(f"{key} must be one of {', '.join(str(a) for a in allowed if a)}", f".{key}")
    try:
        severity = Severity(raw["severity"]) if raw.get("severity") else None
    except ValueError:
        raise fail("severity must be error, warning or info", ".severity") from None
    return Topic(
        name=str(raw.get("name") or f"topic {index + 1}"),
        terms=compile_phrases(raw["terms"], lists),
        needs=tuple(compile_phrases(group, lists) for group in groups),
        needs_scope=raw.get("needs_scope", "sentence"),
        unless=compile_phrases(raw.get("unless") or (), lists),
        excepts=compile_phrases(raw.get("except") or (), lists),
        target=raw.get("target"),
        look=raw.get("look", "both"),
        undecided=raw.get("undecided", "skip"),
        negation=bool(raw.get("negation", True)),
        severity=severity,
        skip_pos=frozenset(str(p).upper() for p in raw.get("skip_pos") or ()),
        skip_titles=None if raw.get("skip_titles") is None else bool(raw["skip_titles"]),
        alone=bool(raw.get("alone", False)),
    )


class Topics:
    """Lexicon topics in context; one hit per matched phrase."""

    needs_doc = True

    def __init__(self, rule: Any, config: Any) -> None:
        options = rule.options
        raw_topics = options.get("topics")
        if not isinstance(raw_topics, list) or not raw_topics:
            raise ConfigError(rule.source or rule.id, "options.topics must be a non-empty list", None, "options.topics")
        lists = options.get("lists") or {}
        if not isinstance(lists, dict):
            raise ConfigError(rule.source or rule.id, "options.lists must map names to word lists", None, "options.lists")
        self.topics = tuple(_topic(raw, i, rule, lists) for i, raw in enumerate(raw_topics))
        self.targets = Targets.from_options(options)
        self.unless = compile_phrases(options.get("unless") or ())
        # a whole post the rule leaves alone: one of ``unless_post`` anywhere, none of ``unless_post_not``
        # ("the manager is clueless" about a professional club, on a post with no school in it)
        self.unless_post = compile_phrases(options.get("unless_post") or ())
        self.unless_post_not = compile_phrases(options.get("unless_post_not") or ())
        # on a personal account, a post the rule reads at all: one that points at the author's own school somewhere
        # (``personal_needs_post``, or the configured school's name, "a long day at Link" too); national news is
        # nobody's confidential matter
        needs = [str(p) for p in options.get("personal_needs_post") or ()]
        self.short_name = None
        if needs:
            from postcheck.checks.disclaimer import school_phrases, short_name

            needs += school_phrases(getattr(config, "school", None), options.get("aliases") or ())
            self.short_name = short_name(getattr(config, "school", None))
        self.personal_needs = compile_phrases(needs, lists)
        self.index = PhraseIndex(phrase for topic in self.topics for phrase in topic.terms)
        self.skip_quoted = bool(options.get("skip_quoted", True))
        self.skip_titles = bool(options.get("skip_titles", True))

    def run(self, post: Any, ctx: Any) -> Iterable[Hit]:
        text = post.prose
        tokens = tokens_for(post, ctx)
        if not tokens:
            return
        matcher = Matcher(tokens, self.targets)
        if self.unless_post and matcher.any_in(self.unless_post) is not None \
                and matcher.any_in(self.unless_post_not) is None:
            return
        if self.personal_needs and post.account == "personal" and matcher.any_in(self.personal_needs) is None \
                and (self.short_name is None or self.short_name.search(text) is None):
            return
        quotes = quoted_spans(text) if self.skip_quoted else []
        cancelled = {tokens[i].sent for phrase in self.unless for i, _ in matcher.find(phrase)}
        taken: list[tuple[int, int]] = []
        allowed = self.index.candidates(matcher)
        for topic in self.topics:
            for i, end in self._matches(matcher, topic, allowed):
                sent = tokens[i].sent
                if sent in cancelled or any(a <= i < b or i <= a < end for a, b in taken):
                    continue
                start, stop = tokens[i].start, tokens[end - 1].end
                if any(a <= start and stop <= b for a, b in quotes):
                    continue
                skip_titles = self.skip_titles if topic.skip_titles is None else topic.skip_titles
                if skip_titles and in_title(tokens, i, end):
                    continue
                if tokens[i].pos in topic.skip_pos:
                    continue
                if topic.alone and not _alone(tokens, i, end):
                    continue
                if topic.negation and negated(tokens, i):
                    continue
                if not self._context_ok(matcher, topic, sent):
                    continue
                if any(a < end and i < b for phrase in topic.excepts for a, b in matcher.find(phrase)):
                    continue
                if topic.target == "person":
                    aim = self.targets.of(tokens, i, end, topic.look)
                    if aim == "thing" or (aim is None and topic.undecided == "skip"):
                        continue
                taken.append((i, end))
                yield Hit(match=text[start:stop], start=start, end=stop, severity=topic.severity,
                          details={"topic": topic.name})

    @staticmethod
    def _matches(matcher: Matcher, topic: Topic, allowed: set[int] | None) -> list[tuple[int, int]]:
        found = {m for phrase in topic.terms if allowed is None or id(phrase) in allowed for m in matcher.find(phrase)}
        # the longest match at each place wins ("final written warning" over "warning")
        return sorted(found, key=lambda m: (m[0], -(m[1] - m[0])))

    @staticmethod
    def _context_ok(matcher: Matcher, topic: Topic, sent: int) -> bool:
        scope = None if topic.needs_scope == "post" else sent
        if any(matcher.any_in(group, scope) is None for group in topic.needs):
            return False
        return not (topic.unless and matcher.any_in(topic.unless, sent) is not None)


def _alone(tokens: list, i: int, end: int) -> bool:
    """Whether tokens i:end are all the words of their sentence (a one-word put-down: "Useless.")."""
    sent = tokens[i].sent
    before = i == 0 or tokens[i - 1].sent != sent
    after = end >= len(tokens) or tokens[end].sent != sent
    return before and after
