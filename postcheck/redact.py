"""Masking learners' names in reports: "Amelia Hart" -> "A***** H***", same length, first letters kept.

Only names are masked, and everywhere they occur: the roster's and consent list's learners in any
written form (any case or accents, reversed, glued into a URL or handle: ``bit.ly/amelia-hart``),
and every name a check detected (the match of a learner-name finding), in matches, messages,
fixes, details, allow reasons, notices, "checked" records and the post text behind excerpts.
Every other word is left as it is: learner ids, initials, counts and ordinary words. The one
exception is a personal-info finding's own match (a phone number, address, e-mail, handle or date
of birth): that detail is masked too.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable, Mapping

from postcheck.model import Finding, PostResult, Report
from postcheck.names.fold import fold, fold_with_map

# Categories whose `match` is a name, or a personal detail, and is masked whole. A finding of any
# other category can opt in with details={"personal": True}.
PERSONAL_CATEGORIES = frozenset({"learner-full-name", "personal-info"})
# Categories whose `match` is a detected name: masked wherever else it is written, too.
NAME_CATEGORIES = frozenset({"learner-full-name"})
# Detail keys that hold a person's name, masked whole (a learner *id* is not a name).
_NAME_KEYS = frozenset({"name", "names", "person", "full_name"})
# Detail keys that point at a learner's own photo (the face check's reference): dropped, not masked.
_PHOTO_KEYS = frozenset({"reference", "reference_box"})
# Formats a person reads at their own desk; every other format is a log or a file that travels.
PERSONAL_FORMATS = frozenset({"human", "html"})

_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]+")
# Between the words of a detected name as it may be written again: spaces, a line break, or the
# - _ . of URLs, handles and file names, or nothing (#AmeliaHart).
_SEP = r"[\s_.\-'’*]*"


def mask(text: str) -> str:
    """Keep the first character of each word; star the rest. Length is unchanged, so offsets hold."""
    return _WORD.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text)


def names_hidden(fmt: str, show_names: bool, environ: Mapping[str, str]) -> bool:
    """Whether a report in ``fmt`` masks names: always in machine formats, in any format under CI."""
    if show_names:
        return False
    if environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return True
    return fmt not in PERSONAL_FORMATS


def is_personal(finding: Finding) -> bool:
    """Whether the finding's match is a name or personal detail (masked whole)."""
    return finding.category in PERSONAL_CATEGORIES or bool(finding.details.get("personal"))


def known_names(config: Any) -> tuple[tuple[str, str], ...]:
    """(first, last) for every roster learner (first and preferred name) and consent-list learner."""
    pairs: set[tuple[str, str]] = set()
    for learner in getattr(config, "roster", None) or ():
        for first in {learner.first_name, getattr(learner, "preferred_name", None) or learner.first_name}:
            if first and learner.last_name:
                pairs.add((first, learner.last_name))
    consent = getattr(config, "consent_list", None)
    for entry in getattr(consent, "learners", None) or ():
        words = entry.name.split()
        pairs.add((" ".join(words[:-1]), words[-1]) if len(words) > 1 else (entry.name, ""))
        if entry.restricts_name and len(words) > 1:  # "not even the first name": masked alone too
            pairs.add((words[0], ""))
    return tuple(sorted(pairs))


class Scrubber:
    """Masks every known or detected name in a text, in whatever form it is written."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = (), names: Iterable[str] = (), literals: Iterable[str] = ()):
        from postcheck.config import Learner
        from postcheck.names.roster import RosterIndex

        pairs = list(pairs)
        self._done: dict[str, str] = {}
        full = [Learner(first, last) for first, last in pairs if first and last]
        self.index = RosterIndex(full) if full else None
        # single-word names (a consent-list learner known by one name) and detected names
        words = {tuple(_LETTERS.findall(fold(n))) for n in list(names) + [f for f, l in pairs if not l]}
        parts = [_SEP.join(re.escape(w) for w in ws) for ws in sorted(words, key=lambda w: -len("".join(w)))
                 if ws and len("".join(ws)) >= 2]
        self.pattern = re.compile(r"(?<![^\W\d_])(?:" + "|".join(parts) + r")(?![^\W\d_])") if parts else None
        # a quick test that a text may hold a name at all: every name holds one of these pieces
        pieces = {p for first, last in pairs for p in _LETTERS.findall(fold(f"{first} {last}"))}
        pieces |= {w for ws in words for w in ws}
        self.maybe = re.compile("|".join(re.escape(p) for p in sorted(pieces, key=len, reverse=True))) if pieces else None
        exact = sorted({t for t in literals if t and t.strip()}, key=len, reverse=True)
        self.exact = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in exact) + r")(?!\w)", re.I) if exact else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        if self.maybe is not None and self.maybe.search(fold(text)):
            if self.index is not None:
                found += [(hit.start, hit.end) for hit in self.index.find(text)]
            if self.pattern is not None:
                if text.isascii():  # folding keeps every offset
                    found += [m.span() for m in self.pattern.finditer(fold(text)) if m.end() > m.start()]
                else:
                    folded, where = fold_with_map(text)
                    found += [(where[m.start()], where[m.end()]) for m in self.pattern.finditer(folded)
                              if m.end() > m.start()]
        if self.exact is not None:
            found += [m.span() for m in self.exact.finditer(text)]
        return found

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        done = self._done.get(text)  # messages and fixes repeat across posts
        if done is None:
            spans = self.spans(text)
            done = mask_spans(text, spans) if spans else text
            if len(text) < 300:
                self._done[text] = done
        return done

    def value(self, value: Any, whole: bool = False) -> Any:
        if isinstance(value, str):
            return mask(value) if whole else self(value)
        if isinstance(value, Mapping):
            return {k: self.value(v, whole or k in _NAME_KEYS) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v, whole) for v in value]
        return value


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        start, end = max(0, start), min(len(text), end)
        if start < end:
            chars[start:end] = mask(text[start:end])
    return "".join(chars)


def _every_finding(post: PostResult) -> Iterable[Finding]:
    yield from post.findings
    yield from (a.finding for a in post.allowed)
    yield from post.baselined


def redact_report(report: Report, pairs: Iterable[tuple[str, str]] = ()) -> Report:
    """A copy of the report with every learner's name masked wherever it would be shown.

    ``pairs`` are the known learners' (first, last) names (``known_names(config)``); names the
    checks detected are added from the report itself.
    """
    findings = [f for post in report.posts for f in _every_finding(post)]
    detected = {f.match for f in findings if f.category in NAME_CATEGORIES}
    detected |= {name for f in findings for name in _detail_names(f.details)}
    literals = {f.match for f in findings if is_personal(f)}
    scrub = Scrubber(pairs, detected, literals)
    posts = tuple(_redact_post(post, scrub) for post in report.posts)
    return replace(report, posts=posts, notices=tuple(scrub(n) or n for n in report.notices))


def _detail_names(details: Any, named: bool = False) -> Iterable[str]:
    """Strings a check put under a name key of its details (``name``, ``person``...)."""
    if isinstance(details, str):
        if named:
            yield details
    elif isinstance(details, Mapping):
        for key, value in details.items():
            yield from _detail_names(value, named or key in _NAME_KEYS)
    elif isinstance(details, (list, tuple)):
        for value in details:
            yield from _detail_names(value, named)


def _redact_finding(finding: Finding, scrub: Scrubber) -> Finding:
    return replace(
        finding,
        match=mask(finding.match) if is_personal(finding) else (scrub(finding.match) or ""),
        message=scrub(finding.message) or "",
        suggestion=scrub(finding.suggestion),
        details=scrub.value({k: v for k, v in finding.details.items() if k not in _PHOTO_KEYS}),
    )


def _redact_post(post: PostResult, scrub: Scrubber) -> PostResult:
    spans = [f.span for f in _every_finding(post) if f.span is not None and is_personal(f)]
    text = scrub(mask_spans(post.text, spans)) or ""
    return replace(
        post,
        text=text,
        findings=tuple(_redact_finding(f, scrub) for f in post.findings),
        allowed=tuple(replace(a, finding=_redact_finding(a.finding, scrub), reason=scrub(a.reason) or "")
                      for a in post.allowed),
        checked=tuple(replace(c, message=scrub(c.message) or "", details=scrub.value(dict(c.details)))
                      for c in post.checked),
        baselined=tuple(_redact_finding(f, scrub) for f in post.baselined),
    )
