"""Baselines: today's findings recorded so a repo can adopt postcheck gradually, without storing names.

An entry is (rule, path, hash of the match): no names, no line numbers, no timestamps, so it
survives edits around the match and leaks nothing readable. The hash is PBKDF2 over the rule,
path and normalised match with a random per-file salt, so a name cannot be recovered by hashing
a list of likely names cheaply, and the same name in two posts gives two unrelated hashes.
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

from postcheck.model import Finding, Report
from postcheck.posts import display_path

FILE_NAME = ".postcheck-baseline.json"
FORMAT = 1
ITERATIONS = 10_000  # ~3 ms per distinct finding; makes guessing names from hashes slow
# A post postcheck could not read is never passed as safe, and a broken allow is fixed, not recorded.
NOT_BASELINED = frozenset({"input-error"})  # includes allow-comment findings

Key = tuple[str, str, str]  # rule, path (relative to the baseline's folder, POSIX), match hash


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
    absolute = (Path.cwd() / display).resolve()
    return Path(os.path.relpath(absolute, root.resolve())).as_posix()


@dataclass(frozen=True, slots=True)
class Baseline:
    path: Path
    salt: str
    iterations: int = ITERATIONS
    entries: Counter = field(default_factory=Counter)  # Key -> how many findings it covers

    def key(self, finding: Finding) -> Key:
        path = relative_path(finding.path, self.path.parent)
        return finding.rule, path, match_hash(finding.rule, path, finding.match, self.salt, self.iterations)


def new(path: Path, salt: str | None = None) -> Baseline:
    return Baseline(path=path, salt=salt or secrets.token_hex(16))


def load(path: Path) -> Baseline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise BaselineError(f"{path}{f':{line}' if line else ''}: not a postcheck baseline (invalid JSON)") from None
    if not isinstance(data, dict) or data.get("postcheck_baseline") != FORMAT:
        raise BaselineError(f"{path}: not a postcheck baseline (expected \"postcheck_baseline\": {FORMAT})")
    salt, iterations, rows = data.get("salt"), data.get("iterations", ITERATIONS), data.get("findings")
    try:
        bytes.fromhex(salt)
    except (TypeError, ValueError):
        raise BaselineError(f"{path}: [salt] must be hex text") from None
    if not isinstance(iterations, int) or not 1 <= iterations <= 10_000_000 or not isinstance(rows, list):
        raise BaselineError(f"{path}: [findings] must be a list (and iterations a positive number)")
    entries: Counter = Counter()
    for index, row in enumerate(rows):
        try:
            key = (str(row["rule"]), str(row["path"]), str(row["match"]))
            count = int(row.get("count", 1))
        except (TypeError, KeyError, ValueError):
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


def record(report: Report, baseline: Baseline) -> tuple[Baseline, int]:
    """A baseline of every finding in the report; also how many findings it could not record."""
    entries: Counter = Counter()
    skipped = 0
    for post in report.posts:
        for finding in post.findings:
            if finding.category in NOT_BASELINED:
                skipped += 1
                continue
            entries[baseline.key(finding)] += 1
    return replace(baseline, entries=entries), skipped


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
    for post in report.posts:
        checked_paths.add(relative_path(post.path, baseline.path.parent))
        checked_paths.update(relative_path(image, baseline.path.parent) for image in post.images)
        kept = []
        for finding in post.findings:
            if finding.category not in NOT_BASELINED:
                key = baseline.key(finding)
                if remaining[key] > 0:
                    remaining[key] -= 1
                    dropped += 1
                    continue
            kept.append(finding)
        posts.append(replace(post, findings=tuple(kept)) if len(kept) != len(post.findings) else post)
    notices = list(report.notices)
    name = display_path(baseline.path)
    if dropped:
        notices.append(f"{dropped} finding{'s' if dropped != 1 else ''} baselined by {name} "
                       "(not shown; --no-baseline shows them)")
    stale = sum(count for (rule, path, _), count in remaining.items() if count > 0 and path in checked_paths)
    if stale:
        notices.append(f"{stale} baseline entr{'ies' if stale != 1 else 'y'} in {name} no longer match: "
                       "run `postcheck baseline` to refresh it")
    return replace(report, posts=tuple(posts), notices=tuple(notices), baselined=report.baselined + dropped)
