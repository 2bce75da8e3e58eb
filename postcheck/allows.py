"""Inline allows: ``<!-- postcheck: allow RULE reason="..." -->`` lets a rule pass in the next paragraph.

``image="team.jpg"`` scopes an allow to one of the post's images instead. A reason is required.
An allow never hides a finding silently: what it allowed is listed in the report, an allow that
is malformed is an error, and one that suppresses nothing is a warning (like ruff's unused noqa).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from postcheck import safeio
from postcheck.model import Allowed, Finding, Hit, Severity

RULE_ID = "allow-comment"
# Findings no allow may hide: a post postcheck could not read is never passed as safe.
NOT_ALLOWABLE = frozenset({"input-error"})  # includes allow-comment findings

_OPEN = re.compile(r"<!--\s*postcheck\b", re.I)
MAX_RULES = 50  # rules one allow may name (more is a mistake, and each costs a pass over the findings)
MAX_ALLOWS = 500  # allow comments read per post; more are reported, not applied
_ALLOW = re.compile(r"\A\s*:\s*allow\b(?P<body>.*)\Z", re.S | re.I)
_ATTR = re.compile(r"""\s*(?P<key>[\w-]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))""")
_RULES = re.compile(r"\s*(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
FORM = '<!-- postcheck: allow RULE reason="why" --> before the paragraph, or with image="photo.jpg"'


@dataclass(frozen=True, slots=True)
class Allow:
    """One parsed allow comment."""

    rules: tuple[str, ...]
    reason: str | None
    image: str | None
    start: int  # offsets of the comment in Post.text
    end: int
    problem: str | None = None  # why the comment is not a valid allow
    image_span: tuple[int, int] | None = None  # the image="..." value: a file reference, not post text


def parse(text: str) -> list[Allow]:
    """Every ``<!-- postcheck ... -->`` comment in ``text``, valid or not (at most MAX_ALLOWS + 1).

    Linear time: each comment is found with str.find, and an unterminated one ends the search
    (no later ``-->`` exists), where a lazy regex would rescan the rest of the text from each.
    """
    found: list[Allow] = []
    position = 0
    while True:
        start = text.find("<!--", position)
        if start < 0:
            break
        end = text.find("-->", start + 4)
        if end < 0:
            break
        position = end + 3
        opening = _OPEN.match(text, start, end)
        if opening is None:
            continue
        if len(found) == MAX_ALLOWS:
            found.append(Allow((), None, None, start, position,
                               f"is one of more than {MAX_ALLOWS} in this post: the rest are not read"))
            break
        found.append(_parse_one(text[opening.end():end], start, position, opening.end()))
    return found


def _parse_one(rest: str, start: int, end: int, rest_start: int) -> Allow:
    allow = _ALLOW.match(rest)
    if not allow:
        return Allow((), None, None, start, end,
                     'not understood: write <!-- postcheck: allow RULE reason="..." -->')
    body = allow.group("body")
    rules_match = _RULES.match(body)
    if not rules_match or body[rules_match.end():].lstrip().startswith("="):
        return Allow((), None, None, start, end, 'names no rule: write <!-- postcheck: allow RULE reason="..." -->')
    rules = tuple(r.strip() for r in rules_match.group("rules").split(","))
    if len(rules) > MAX_RULES:
        return Allow((), None, None, start, end, f"names {len(rules)} rules; at most {MAX_RULES} (use categories)")
    attrs: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    body_start = rest_start + allow.start("body")
    position = rules_match.end()
    while _more(body, position):
        attr = _ATTR.match(body, position)
        if not attr:
            return Allow(rules, None, None, start, end, f"cannot read {body[position:].strip()[:30]!r}: "
                         'values go in quotes, e.g. reason="..."')
        key = attr.group("key").lower()
        if key not in ("reason", "image"):
            return Allow(rules, None, None, start, end, f"unknown setting {key!r} (known: reason, image)")
        group = next(g for g in ("dq", "sq", "bare") if attr.group(g) is not None)
        attrs[key] = attr.group(group)
        spans[key] = (body_start + attr.start(group), body_start + attr.end(group))
        position = attr.end()
    reason = (attrs.get("reason") or "").strip() or None
    image = (attrs.get("image") or "").strip() or None
    problem = None if reason else 'has no reason: add reason="why this is allowed"'
    return Allow(rules, reason, image, start, end, problem, spans.get("image") if image else None)


def _more(body: str, position: int) -> bool:
    """Whether anything but white space follows ``position`` (without copying the rest)."""
    return _NONSPACE.search(body, position) is not None


_NONSPACE = re.compile(r"\S")


def problems(post) -> Iterable[Hit]:
    """Hits for malformed allows, and for allows naming an image the post does not use."""
    for allow in parse(post.text):
        problem = allow.problem
        if problem is None and allow.image and _image_display(post, allow.image) is None:
            problem = f"names image {allow.image!r}, which this post does not use"
        if problem is not None:
            yield Hit(match=post.text[allow.start:allow.end][:80], start=allow.start, end=allow.end,
                      message=f"Inline allow {problem}", suggestion=FORM)


def _image_display(post, name: str) -> str | None:
    target = safeio.resolve(Path(post.path).parent / name)
    for ref in post.images:
        if ref.path == target or ref.display == name or ref.path.name == name:
            return ref.display
    return None


def _paragraph(text: str, start: int, limit: int) -> tuple[int, int]:
    """The stretch after an allow comment up to the next blank line (or the end of its segment)."""
    begin = start
    while begin < limit and text[begin].isspace():
        begin += 1
    blank = _BLANK_LINE.search(text, begin, limit)
    return begin, blank.start() if blank else limit


def _same_line(text: str, start: int, end: int, segment_start: int, limit: int) -> tuple[int, int] | None:
    """An allow written after text on its line (``text <!-- postcheck: allow ... -->``, as ruff's
    ``noqa``) covers that line only: (line start, line end), or None for a comment on its own."""
    line_start = max(text.rfind("\n", 0, start) + 1, segment_start)
    if not text[line_start:start].strip():
        return None
    line_end = text.find("\n", end, limit)
    return line_start, limit if line_end < 0 else line_end


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a mistyped word, if one is close enough."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def apply(post, findings: Iterable[Finding], known: set[str]) -> tuple[list[Finding], list[Allowed], list[Hit]]:
    """Split findings into kept and allowed; return hits for allows that allowed nothing.

    ``known`` holds the rule ids and categories an allow may name.
    """
    kept = list(findings)
    allowed: list[Allowed] = []
    unused: list[Hit] = []
    for allow in parse(post.text):
        if allow.problem is not None:
            continue  # reported by the allow-comment check; a malformed allow allows nothing
        if allow.image_span is not None:  # a name in the image's file name, written in the allow itself
            lo, hi = allow.image_span
            kept = [f for f in kept if f.span is None or not (lo <= f.span[0] and f.span[1] <= hi)]
        if allow.image:
            display = _image_display(post, allow.image)
            if display is None:
                continue
            inside = lambda f, d=display: f.path == d  # noqa: E731
        else:
            segment = post.segment_at(allow.start)
            limit = segment.end if segment is not None else len(post.text)
            same_line = _same_line(post.text, allow.start, allow.end, segment.start if segment else 0, limit)
            lo, hi = same_line or _paragraph(post.text, allow.end, limit)
            inside = lambda f, lo=lo, hi=hi: f.span is not None and lo <= f.span[0] < hi  # noqa: E731
        line = post.locate(allow.start)[1]
        for rule in allow.rules:
            hits = [f for f in kept if f.category not in NOT_ALLOWABLE and rule in (f.rule, f.category) and inside(f)]
            if hits:
                allowed.extend(Allowed(f, allow.reason or "", line) for f in hits)
                kept = [f for f in kept if f not in hits]
                continue
            suggestion = "remove it, nothing here needs it"
            if rule in known:
                message = f"Inline allow for {rule} suppresses nothing here"
            else:
                message = f"Inline allow names {rule!r}, which is not a rule or category"
                close = did_you_mean(rule, known)
                suggestion = (f"did you mean {close}?" if close
                              else "name a rule or category from `postcheck rules`")
            unused.append(Hit(match=rule, start=allow.start, end=allow.end, message=message,
                              severity=Severity.WARNING, suggestion=suggestion))
    return kept, allowed, unused
