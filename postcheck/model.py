"""Values shared by every layer: severities, verdicts, hits, findings, results."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping


class Severity(str, enum.Enum):
    """How much a finding matters; errors fail a post, warnings send it to review."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Verdict(str, enum.Enum):
    """The answer for one post."""

    PASS = "pass"
    REVIEW = "review"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return {"pass": 0, "review": 1, "fail": 2}[self.value]


CATEGORIES = (
    "learner-full-name",
    "objected-image",
    "learner-photo",
    "confidential",
    "disparaging",
    "unsafe-link",
    "personal-info",
    "learner-contact",
    "disclaimer",
    "reference",
    "image-metadata",
    "input-error",
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a post's analysed text and where it came from.

    A post's text joins its front-matter fields, its body and its image file names; each
    segment maps offsets in that joined text back to a file, line and column.
    """

    start: int
    end: int
    path: str
    line: int | None
    column: int | None
    field: str  # "body", "front-matter:title", "image-name", "image-text"
    view: Any = None  # postcheck.text.view.View: the source of this stretch and the map back to it
    box: tuple[int, int, int, int] | None = None  # image-text: where the line is in the photo (left, top, w, h)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check found: a span of the post text, or an image."""

    match: str
    start: int | None = None  # offsets into Post.text; None for image hits
    end: int | None = None
    image: str | None = None  # image path (display form) for image hits
    path: str | None = None  # explicit location, for hits that are not in the text (input errors)
    line: int | None = None
    column: int | None = None
    suggestion: str | None = None
    severity: Severity | None = None  # overrides the rule's severity (e.g. a "possible" band)
    message: str | None = None  # overrides the rule's message template
    confidence: float = 1.0
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, order=False)
class Finding:
    """One policy problem in one post, with the clause it breaks.

    ``match`` may hold a child's name: only reporters decide whether to show it.
    """

    rule: str
    category: str
    severity: Severity
    clauses: tuple[str, ...]
    message: str
    path: str
    line: int | None
    column: int | None
    match: str
    suggestion: str | None = None
    confidence: float = 1.0
    details: Mapping[str, Any] = field(default_factory=dict)
    end_line: int | None = None
    end_column: int | None = None
    span: tuple[int, int] | None = None  # offsets in PostResult.text, for excerpts (not serialised)

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, self.rule, self.match)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.value,
            "clauses": list(self.clauses),
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "match": self.match,
            "suggestion": self.suggestion,
            "confidence": round(self.confidence, 3),
        }
        if self.details:
            data["details"] = dict(self.details)
        return data


def verdict_for(findings: list[Finding] | tuple[Finding, ...]) -> Verdict:
    """Fail if any error, review if any warning, else pass."""
    worst = max((f.severity.rank for f in findings), default=0)
    if worst >= Severity.ERROR.rank:
        return Verdict.FAIL
    if worst >= Severity.WARNING.rank:
        return Verdict.REVIEW
    return Verdict.PASS


@dataclass(frozen=True, slots=True)
class Allowed:
    """A finding an inline ``<!-- postcheck: allow RULE reason="..." -->`` comment allowed."""

    finding: Finding
    reason: str
    line: int | None = None  # where the allow comment is

    def to_dict(self) -> dict[str, Any]:
        return {**self.finding.to_dict(), "reason": self.reason, "allowed_at": self.line}


@dataclass(frozen=True, slots=True)
class Checked:
    """What a check looked at and found clear (e.g. "3 faces checked against the consent list: no match").

    Not a finding: never counted, baselined, annotated or shown by ``--quiet``. Reports that list a
    post in full show it, so that no finding never reads as "not looked".
    """

    rule: str
    path: str  # the file that was looked at (an image's display path)
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule, "path": self.path, "message": self.message}
        if self.details:
            data["details"] = dict(self.details)
        return data


@dataclass(frozen=True, slots=True)
class PostResult:
    """The findings and verdict for one post."""

    path: str
    account: str
    platform: str | None
    images: tuple[str, ...]
    findings: tuple[Finding, ...]
    text: str = ""  # the analysed text, for reporters that show excerpts
    seconds: float = 0.0
    allowed: tuple[Allowed, ...] = ()  # findings suppressed by inline allows: listed, never silent
    checked: tuple[Checked, ...] = ()  # what was looked at and found clear: not findings
    baselined: tuple[Finding, ...] = ()  # findings a baseline file accepted (counted, kept for masking)

    @property
    def verdict(self) -> Verdict:
        return verdict_for(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "account": self.account,
            "platform": self.platform,
            "verdict": self.verdict.value,
            "images": list(self.images),
            "findings": [f.to_dict() for f in self.findings],
            "allowed": [a.to_dict() for a in self.allowed],
            "checked": [c.to_dict() for c in self.checked],
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one run produced: per-post results and run-wide notices."""

    posts: tuple[PostResult, ...]
    notices: tuple[str, ...] = ()  # e.g. "consent list not configured: photos not matched"
    baselined: int = 0  # findings dropped because a baseline file recorded them

    def summary(self) -> dict[str, int]:
        counts = {"posts": len(self.posts), "pass": 0, "review": 0, "fail": 0}
        for post in self.posts:
            counts[post.verdict.value] += 1
        return counts

    @property
    def verdict(self) -> Verdict:
        return max((p.verdict for p in self.posts), key=lambda v: v.rank, default=Verdict.PASS)
