"""Masking learners' names in reports: "Amelia Hart" -> "A***** H***", same length, first letters kept."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable, Mapping

from postcheck.model import Finding, PostResult, Report

# Categories whose `match` is (or contains) a person's name or personal details. A finding of any
# other category can opt in with details={"personal": True}.
PERSONAL_CATEGORIES = frozenset({
    "learner-full-name", "personal-info", "objected-image", "learner-contact",
})
# Detail keys that hold a person's name, masked whole in personal findings.
_NAME_KEYS = frozenset({"name", "names", "learner", "learners", "person", "full_name"})
# Formats a person reads at their own desk; every other format is a log or a file that travels.
PERSONAL_FORMATS = frozenset({"human", "html"})

_WORD = re.compile(r"\w+")


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
    return finding.category in PERSONAL_CATEGORIES or bool(finding.details.get("personal"))


class _Scrubber:
    """Replaces every known name (case-insensitive, whole words) by its mask."""

    def __init__(self, names: Iterable[str]):
        unique = sorted({" ".join(n.split()) for n in names if n and n.strip()}, key=len, reverse=True)
        parts = [r"\s+".join(re.escape(w) for w in n.split()) for n in unique]
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.I) if parts else None

    def __call__(self, text: str | None) -> str | None:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(lambda m: mask(m.group(0)), text)

    def value(self, value: Any, whole: bool = False) -> Any:
        if isinstance(value, str):
            return mask(value) if whole else self(value)
        if isinstance(value, Mapping):
            return {k: self.value(v, whole or k in _NAME_KEYS) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v, whole) for v in value]
        return value


def _personal_findings(post: PostResult) -> Iterable[Finding]:
    yield from (f for f in post.findings if is_personal(f))
    yield from (a.finding for a in getattr(post, "allowed", ()) if is_personal(a.finding))


def redact_report(report: Report) -> Report:
    """A copy of the report with every personal match masked wherever it would be shown."""
    names = {f.match for post in report.posts for f in _personal_findings(post)}
    scrub = _Scrubber(names)
    posts = tuple(_redact_post(post, scrub) for post in report.posts)
    return replace(report, posts=posts, notices=tuple(scrub(n) or n for n in report.notices))


def _redact_finding(finding: Finding, scrub: _Scrubber) -> Finding:
    personal = is_personal(finding)
    return replace(
        finding,
        match=mask(finding.match) if personal else (scrub(finding.match) or ""),
        message=scrub(finding.message) or "",
        suggestion=scrub(finding.suggestion),
        details=scrub.value(dict(finding.details)),
    )


def _redact_post(post: PostResult, scrub: _Scrubber) -> PostResult:
    chars = list(post.text)
    for finding in _personal_findings(post):
        if finding.span is not None:
            start, end = finding.span
            chars[start:end] = mask(post.text[start:end])
    text = scrub("".join(chars)) or ""
    changes: dict[str, Any] = {
        "text": text,
        "findings": tuple(_redact_finding(f, scrub) for f in post.findings),
    }
    if getattr(post, "allowed", ()):
        changes["allowed"] = tuple(replace(a, finding=_redact_finding(a.finding, scrub)) for a in post.allowed)
    return replace(post, **changes)
