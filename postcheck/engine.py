"""Run the rule pack over posts: build each check once, run it over each post once, make findings."""
from __future__ import annotations

import re
import string
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from postcheck import allows
from postcheck.checks import check_class
from postcheck.config import Config, ConfigError
from postcheck.model import Allowed, Checked, Finding, Hit, PostResult, Report, Severity
from postcheck.nlp import NLP
from postcheck.posts import Post
from postcheck.rulepack import Rule, RulePack, load_pack

# Posts per nlp.pipe call. Small batches parse as fast as large ones with the small English models
# (16 measured quicker than 64) and let the progress bar move in small steps.
BATCH = 16


@dataclass
class Context:
    """What checks share during a run: the config, the spaCy pipeline, run-wide notices."""

    config: Config
    nlp: NLP
    notices: list[str] = field(default_factory=list)
    _docs: dict[int, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # per-run memo for checks (models, indexes)

    def notice(self, message: str) -> None:
        """Say something once per run (e.g. a check that could not run)."""
        if message not in self.notices:
            self.notices.append(message)

    def doc(self, post: Post) -> Any:
        """The spaCy Doc of ``post.prose`` (None without a pipeline, or when it has no prose)."""
        if not _has_prose(post):
            return None  # a lone photo: its file name is checked without loading spaCy
        cached = self._docs.get(id(post))
        # Keyed by id() but holding the post itself: an id reused after a post is freed never
        # hands a check another post's Doc.
        if cached is None or cached[0] is not post:
            cached = (post, next(iter(self.nlp.pipe([post.prose]))))
            self._docs[id(post)] = cached
        if cached[1] is None and self.nlp.problem:
            self.notice(self.nlp.problem)
        return cached[1]

    def prefetch_docs(self, posts: list[Post]) -> None:
        todo = [p for p in posts if _has_prose(p) and self._docs.get(id(p), (None,))[0] is not p]
        for post, doc in zip(todo, self.nlp.pipe([p.prose for p in todo], batch_size=BATCH)):
            self._docs[id(post)] = (post, doc)

    def forget(self, posts: list[Post]) -> None:
        for post in posts:
            self._docs.pop(id(post), None)


def _has_prose(post: Post) -> bool:
    """Whether the post has text of its own, not only image file names."""
    return any(segment.field != "image-name" for segment in post.segments)


class _Template(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, values: dict[str, Any]) -> str:
    try:
        return string.Formatter().vformat(template, (), _Template(values))
    except (ValueError, IndexError):
        return template


class Engine:
    """The rule pack bound to a configuration."""

    def __init__(self, config: Config | None = None, pack: RulePack | None = None, nlp: NLP | None = None):
        self.config = config or Config()
        self.pack = pack or load_pack(self.config.rule_packs, self.config.rule_overrides, self.config.path)
        model = self.config.section("nlp").get("model")
        self.ctx = Context(self.config, nlp or NLP(model))
        self._checks: dict[str, Any] = {}
        self._learned_rules = frozenset(r.id for r in self.pack.rules if r.check == "learned")
        from postcheck.checks.learned import model_floors

        self._floors = model_floors(self.pack.rules, self.config)

    def check_for(self, rule: Rule) -> Any:
        if rule.id not in self._checks:
            try:
                self._checks[rule.id] = check_class(rule.check)(rule, self.config)
            except (TypeError, ValueError, AttributeError, KeyError, re.error) as exc:
                # options of the wrong shape (a number where a list of phrases belongs): the rule file's fault
                raise ConfigError(rule.source or rule.id, f"rule {rule.id}: options of the wrong shape ({exc})",
                                  None, "options") from None
        return self._checks[rule.id]

    def rules_for(self, post: Post) -> list[Rule]:
        return [r for r in self.pack.rules if post.account in r.accounts]

    def check_post(self, post: Post) -> PostResult:
        """Check one post; its Doc (prefetched by a batch, or parsed now) is dropped afterwards."""
        started = time.perf_counter()
        self._read_images(post)
        findings: dict[tuple, Finding] = {}
        checked: list[Checked] = []
        for rule in self.rules_for(post):
            check = self.check_for(rule)
            for hit in check.run(post, self.ctx):
                if isinstance(hit, Checked):  # what was looked at: reported apart from findings
                    checked.append(hit)
                    continue
                finding = self._finding(rule, post, hit)
                findings.setdefault((finding.rule, finding.path, finding.line, finding.column, finding.match), finding)
        merged = self._combine(post, list(findings.values()))
        self.ctx.forget([post])  # one pass per post: its Doc is not needed again
        kept, allowed = self._apply_allows(post, merged)
        ordered = tuple(sorted(kept, key=Finding.sort_key))
        return PostResult(
            path=post.display,
            account=post.account,
            platform=post.platform,
            images=tuple(ref.display for ref in post.images),
            findings=ordered,
            text=post.text,
            seconds=time.perf_counter() - started,
            allowed=tuple(allowed),
            checked=tuple(checked),
        )

    def _combine(self, post: Post, findings: list[Finding]) -> list[Finding]:
        """The learned layer's findings meet the rules' (postcheck/checks/learned.py: combine)."""
        learned = self._learned_rules
        if self._floors:
            from postcheck.checks.learned import doubted

            findings = doubted(post, self.ctx, findings, self._floors)
        if not any(f.rule in learned for f in findings):
            return findings
        from postcheck.checks.learned import combine

        disclaimed = False
        if any(f.category == "disclaimer" for f in findings if f.rule in learned):
            rule = next((r for r in self.rules_for(post) if r.check == "disclaimer"), None)
            disclaimed = rule is not None and self.check_for(rule).has_disclaimer(post, self.ctx)
        return combine(findings, learned, disclaimed)

    def _apply_allows(self, post: Post, findings: list[Finding]) -> tuple[list[Finding], list[Allowed]]:
        """Inline allows (postcheck/allows.py): hide allowed findings, report allows that hid nothing."""
        if "postcheck" not in post.text:
            return findings, []
        known = {r.id for r in self.pack.rules} | {r.category for r in self.pack.rules}
        kept, allowed, unused = allows.apply(post, findings, known)
        rule = self.pack.get(allows.RULE_ID)
        if rule is not None and post.account in rule.accounts:
            kept += [self._finding(rule, post, hit) for hit in unused]
        return kept, allowed

    def iter_results(self, posts: Iterable[Post]) -> Iterator[PostResult]:
        """Check posts in batches, sharing one nlp.pipe call per batch."""
        needs_doc = any(getattr(check_class(r.check), "needs_doc", False) for r in self.pack.rules)
        batch: list[Post] = []
        for post in posts:
            batch.append(post)
            if len(batch) >= BATCH:
                yield from self._run_batch(batch, needs_doc)
                batch = []
        if batch:
            yield from self._run_batch(batch, needs_doc)

    def _read_images(self, post: Post) -> None:
        """Text read inside the post's photos joins its text (before spaCy parses it)."""
        if post.images:
            from postcheck.images.post_text import add_image_text

            add_image_text(post, self.ctx, self.config)

    def _run_batch(self, batch: list[Post], needs_doc: bool) -> Iterator[PostResult]:
        for post in batch:
            self._read_images(post)
        if needs_doc:
            self.ctx.prefetch_docs(batch)
        for post in batch:
            yield self.check_post(post)

    def run(self, posts: Iterable[Post]) -> Report:
        results = list(self.iter_results(posts))
        return Report(tuple(results), tuple(self.ctx.notices))

    def _finding(self, rule: Rule, post: Post, hit: Hit) -> Finding:
        if hit.start is not None:
            path, line, column, end_line, end_column = post.locate_span(
                hit.start, hit.end if hit.end is not None else hit.start)
            if hit.end is None or line is None:
                end_line = end_column = None
        elif hit.image is not None:
            path, line, column, end_line, end_column = hit.image, None, None, None, None
        else:
            path, line, column, end_line, end_column = hit.path or post.display, hit.line, hit.column, None, None
        details = dict(hit.details)
        segment = post.segment_at(hit.start) if hit.start is not None else None
        if segment is not None and segment.box is not None:  # text read inside a photo: say where
            details.setdefault("box", list(segment.box))
            details.setdefault("source", "text in the photo")
        values = {"match": hit.match, "suggestion": hit.suggestion or "", **details}
        message = hit.message or _format(rule.message, values)
        severity = hit.severity or rule.severity
        # an info finding reports what was checked: there is nothing to fix
        suggestion = _format(rule.fix, values) if rule.fix and severity is not Severity.INFO else None
        if suggestion and hit.start is not None and _in_file_name(post, hit.start):
            suggestion = file_name_fix(path)
        return Finding(
            rule=rule.id,
            category=rule.category,
            severity=severity,
            clauses=rule.clauses,
            message=message,
            path=path,
            line=line,
            column=column,
            match=hit.match,
            suggestion=suggestion,
            confidence=hit.confidence,
            details=details,
            end_line=end_line,
            end_column=end_column,
            span=(hit.start, hit.end if hit.end is not None else hit.start) if hit.start is not None else None,
        )


def _in_file_name(post: Post, offset: int) -> bool:
    segment = post.segment_at(offset)
    return segment is not None and segment.field == "image-name"


def file_name_fix(path: str) -> str:
    """The fix for something found in a photo's file name: the words of a post do not carry it."""
    suffix = path[path.rfind("."):] if "." in path.rsplit("/", 1)[-1] else ""
    return f"Rename the file (e.g. to photo-1{suffix.lower()}): a photo's file name can be seen when it is posted."


def summarise(report: Report) -> dict[str, Any]:
    """Counts by verdict, category and clause (for summary tables)."""
    by_category: dict[str, int] = defaultdict(int)
    by_clause: dict[str, int] = defaultdict(int)
    for post in report.posts:
        for finding in post.findings:
            by_category[finding.category] += 1
            for clause in finding.clauses:
                by_clause[clause] += 1
    return {**report.summary(), "categories": dict(by_category), "clauses": dict(by_clause)}
