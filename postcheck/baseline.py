"""Baselines: today's findings recorded so a repo can adopt postcheck gradually, without storing names.

An entry is (rule, post, hash of the match): no names, no line numbers, no timestamps, so it
survives edits around the match and leaks nothing readable. An entry belongs to the post it was
recorded for: its path is the post's draft, and an image finding's hash also covers the image, so
a new or renamed post never inherits an entry, even one that reuses a baselined photo. The hash is
PBKDF2 over the rule, post path, normalised match (and image path) with a random per-file salt,
so a name cannot be recovered by hashing a list of likely names cheaply, and the same name in two
posts gives two unrelated hashes.

Some findings are never baselined: input errors (a post postcheck could not read is never passed
as safe; a broken allow is fixed, not recorded) and photos of learners whose parents objected
(policy 7.2: a child's safety is not a backlog; a deliberate exception is an inline allow with a
reason, listed in every report). Info findings never fail a post, so there is nothing to accept.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from postcheck import safeio
from postcheck.model import Finding, Report, Severity
from postcheck.posts import display_path

FILE_NAME = ".postcheck-baseline.json"
FORMAT = 1
ITERATIONS = 10_000  # ~3 ms per distinct finding; makes guessing names from hashes slow
MAX_ITERATIONS = 100_000  # a hand-edited file must not make each finding cost seconds
MAX_BYTES = 64 << 20
# Categories a baseline never accepts (see above); input-error includes allow-comment findings.
NOT_BASELINED = frozenset({"input-error", "objected-image"})

Key = tuple[str, str, str]  # rule, post path (relative to the baseline's folder, POSIX), match hash


class BaselineError(Exception):
    """A baseline file that cannot be read (one line, names the file)."""


@lru_cache(maxsize=4096)
def match_hash(rule: str, path: str, match: str, salt: str, iterations: int = ITERATIONS) -> str:
    """Salted PBKDF2-SHA256 of rule, path and the normalised match (case, spacing, Unicode form)."""
    normalised = " ".join(unicodedata.normalize("NFKC", match).casefold().split())
    data = "\0".join((rule, path, normalised)).encode("utf-8")
    return hashlib.pbkdf2_hmac("sha256", data, bytes.fromhex(salt), iterations).hex()[:32]


def relative_path(display: str, root: Path) -> str:
    """A report path (relative to the current folder) as a path relative to ``root``."""
    absolute = safeio.resolve(Path.cwd() / display)
    return Path(os.path.relpath(absolute, safeio.resolve(root))).as_posix()


@dataclass(frozen=True, slots=True)
class Baseline:
    path: Path
    salt: str
    iterations: int = ITERATIONS
    entries: Counter = field(default_factory=Counter)  # Key -> how many findings it covers

    def key(self, finding: Finding, post_path: str | None = None) -> Key:
        """The entry for ``finding`` in the post at ``post_path`` (a report path; default the finding's own)."""
        path = relative_path(post_path or finding.path, self.path.parent)
        match = finding.match
        if post_path is not None and finding.path != post_path:  # an image of the post: the pair, not the image
            match += "\0" + relative_path(finding.path, self.path.parent)
        return finding.rule, path, match_hash(finding.rule, path, match, self.salt, self.iterations)


def baselinable(finding: Finding) -> bool:
    return finding.category not in NOT_BASELINED and finding.severity is not Severity.INFO


def new(path: Path, salt: str | None = None) -> Baseline:
    return Baseline(path=path, salt=salt or secrets.token_hex(16))


def load(path: Path) -> Baseline:
    try:
        data = json.loads(safeio.read_bytes(path, MAX_BYTES).decode("utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a postcheck baseline (nested too deeply)") from None
    except ValueError as exc:  # invalid JSON or UTF-8, or a number too long to read
        line = getattr(exc, "lineno", None)
        raise BaselineError(f"{path}{f':{line}' if line else ''}: not a postcheck baseline (invalid JSON)") from None
    if not isinstance(data, dict) or data.get("postcheck_baseline") != FORMAT:
        raise BaselineError(f"{path}: not a postcheck baseline (expected \"postcheck_baseline\": {FORMAT})")
    salt, iterations, rows = data.get("salt"), data.get("iterations", ITERATIONS), data.get("findings")
    try:
        bytes.fromhex(salt)
    except (TypeError, ValueError):
        raise BaselineError(f"{path}: [salt] must be hex text") from None
    if not isinstance(iterations, int) or isinstance(iterations, bool) or not 1 <= iterations <= MAX_ITERATIONS:
        raise BaselineError(f"{path}: [iterations] must be a whole number from 1 to {MAX_ITERATIONS:,}")
    if not isinstance(rows, list):
        raise BaselineError(f"{path}: [findings] must be a list")
    entries: Counter = Counter()
    for index, row in enumerate(rows):
        try:
            key = (str(row["rule"]), str(row["path"]), str(row["match"]))
            count = int(row.get("count", 1))
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError):  # 1e400 is inf
            raise BaselineError(f"{path}: [findings.{index}] needs rule, path, match (and a whole count)") from None
        entries[key] += max(count, 0)
    return Baseline(path=path, salt=salt, iterations=iterations, entries=entries)


def discover(config_path: Path | None) -> Path | None:
    """The baseline beside postcheck.yaml (or in the current folder without one), if there is one."""
    folder = config_path.parent if config_path is not None else Path.cwd()
    candidate = folder / FILE_NAME
    return candidate if candidate.is_file() else None


def default_path(config_path: Path | None) -> Path:
    folder = config_path.parent if config_path is not None else Path.cwd()
    return folder / FILE_NAME


@dataclass(frozen=True, slots=True)
class Recorded:
    """What ``record`` wrote, with the counts the baseline command reports."""

    baseline: Baseline
    findings: int  # findings recorded
    posts: int  # posts with at least one recorded finding
    refused: Counter  # category -> findings that are never baselined (input errors, objected images)


def record(report: Report, baseline: Baseline) -> Recorded:
    """A baseline of every finding in the report that may be baselined, and the counts."""
    entries: Counter = Counter()
    refused: Counter = Counter()
    posts = 0
    for post in report.posts:
        recorded = 0
        for finding in post.findings:
            if finding.severity is Severity.INFO:
                continue  # never fails a post: nothing to accept
            if finding.category in NOT_BASELINED:
                refused[finding.category] += 1
                continue
            entries[baseline.key(finding, post.path)] += 1
            recorded += 1
        posts += recorded > 0
    return Recorded(replace(baseline, entries=entries), sum(entries.values()), posts, refused)


def dumps(baseline: Baseline) -> str:
    rows = [{"rule": rule, "path": path, "match": digest, "count": count}
            for (rule, path, digest), count in sorted(baseline.entries.items()) if count > 0]
    data = {"postcheck_baseline": FORMAT, "hash": "pbkdf2-sha256", "iterations": baseline.iterations,
            "salt": baseline.salt, "findings": rows}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def apply(report: Report, baseline: Baseline) -> Report:
    """Drop findings the baseline records (each entry covers up to its count); say how many."""
    remaining = Counter(baseline.entries)
    dropped = 0
    posts = []
    checked_paths: set[str] = set()
    touched = 0
    for post in report.posts:
        checked_paths.add(relative_path(post.path, baseline.path.parent))
        # entries under an image's own path come from an older postcheck: stale, never applied
        checked_paths.update(relative_path(image, baseline.path.parent) for image in post.images)
        kept, gone = [], []
        for finding in post.findings:
            if baselinable(finding):
                key = baseline.key(finding, post.path)
                if remaining[key] > 0:
                    remaining[key] -= 1
                    gone.append(finding)
                    continue
            kept.append(finding)
        if gone:
            touched += 1
            dropped += len(gone)
            post = replace(post, findings=tuple(kept), baselined=post.baselined + tuple(gone))
        posts.append(post)
    notices = list(report.notices)
    name = display_path(baseline.path)
    if dropped:
        notices.append(f"{_n(dropped, 'finding')} in {_n(touched, 'post')} baselined by {name} "
                       "(not shown; --no-baseline shows them)")
    stale = sum(count for (rule, path, _), count in remaining.items() if count > 0 and path in checked_paths)
    if stale:
        notices.append(f"{stale} baseline entr{'ies' if stale != 1 else 'y'} in {name} no longer match: "
                       "run `postcheck baseline` to refresh it")
    return replace(report, posts=tuple(posts), notices=tuple(notices), baselined=report.baselined + dropped)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def describe(recorded: Recorded, target: Path, checked: int) -> str:
    """The baseline command's one line: what was written, and what was refused and why."""
    message = (f"wrote {target}: {_n(recorded.findings, 'finding')} in {_n(recorded.posts, 'post')} "
               f"({_n(checked, 'post')} checked)")
    errors = recorded.refused.get("input-error", 0)
    if errors:
        message += f"; {errors} input or allow-comment error{'s' if errors != 1 else ''} not baselined (fix them)"
    photos = recorded.refused.get("objected-image", 0)
    if photos:
        message += (f"; {_n(photos, 'objected-image finding')} not baselined (a photo of a learner whose "
                    "parents objected never is: remove it, or allow it inline with the reason)")
    return message
