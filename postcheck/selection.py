"""Choosing findings as linters do: ``--select`` / ``--ignore`` (rule ids or categories) and
``per_path_ignores`` in postcheck.yaml.

Input errors are never dropped: a post that could not be read is never passed as safe.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from postcheck.model import Finding, Report, Severity

NEVER_DROPPED = "input-error"  # the category


class SelectionError(ValueError):
    """A rule id or category that is not in the pack (one line, with a did-you-mean)."""


def codes(values: Iterable[str] | None, pack: Any, option: str) -> frozenset[str]:
    """Comma- or space-separated rule ids and categories, checked against the pack."""
    from postcheck.allows import did_you_mean

    known = {r.id for r in pack.rules} | {r.category for r in pack.rules}
    out: set[str] = set()
    for value in values or ():
        for code in value.replace(",", " ").split():
            if code not in known:
                close = did_you_mean(code, known)
                hint = f"did you mean `{close}`?" if close else "see `postcheck rules` for rule ids and categories"
                raise SelectionError(f"{option} {code}: no rule or category of that name; {hint}")
            if code == NEVER_DROPPED and option != "--select":
                raise SelectionError(f"{option} {code}: input errors cannot be ignored (a post that could not be "
                                     "read is never passed as safe)")
            out.add(code)
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class PathIgnore:
    """``per_path_ignores`` entry: posts whose path matches ``pattern`` drop these rules/categories."""

    pattern: str  # relative to the folder of postcheck.yaml; * matches any characters, / included
    codes: frozenset[str]
    line: int | None = None


def path_ignores(section: Any, config_path: Path | None, pack: Any) -> list[PathIgnore]:
    """The ``per_path_ignores`` mapping of postcheck.yaml, checked (a ConfigError names its line)."""
    from postcheck import yamlio
    from postcheck.config import ConfigError

    if not section:
        return []
    where = config_path or "postcheck.yaml"
    if not isinstance(section, dict):
        raise ConfigError(where, "per_path_ignores must be a mapping: pattern -> [rules or categories]",
                          None, "per_path_ignores")
    out = []
    for pattern, values in section.items():
        line = yamlio.line_of(section, pattern)
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(where, f"per_path_ignores.{pattern} must be a list of rule ids or categories", line,
                              f"per_path_ignores.{pattern}")
        try:
            chosen = codes(values, pack, f"per_path_ignores.{pattern}:")
        except SelectionError as exc:
            raise ConfigError(where, str(exc), line, f"per_path_ignores.{pattern}") from None
        out.append(PathIgnore(str(pattern), chosen, line))
    return out


def _relative(path: str, base: Path | None) -> str:
    if base is None:
        return path.replace("\\", "/")
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.replace("\\", "/")


def _hit(finding: Finding, codes_: frozenset[str]) -> bool:
    return finding.rule in codes_ or finding.category in codes_


def apply(report: Report, select: frozenset[str] = frozenset(), ignore: frozenset[str] = frozenset(),
          per_path: list[PathIgnore] | None = None, base: Path | None = None) -> Report:
    """The report with only the chosen findings (input errors always kept)."""
    if not (select or ignore or per_path):
        return report
    posts = []
    for post in report.posts:
        here = _relative(post.path, base)
        dropped = frozenset().union(*(p.codes for p in per_path or () if fnmatch.fnmatchcase(here, p.pattern)))
        kept = tuple(f for f in post.findings if f.category == NEVER_DROPPED or (
            (not select or _hit(f, select)) and not _hit(f, ignore) and not _hit(f, dropped)))
        posts.append(post if len(kept) == len(post.findings) else replace(post, findings=kept))
    return replace(report, posts=tuple(posts))


def statistics(report: Report) -> list[tuple[str, str, str, int, int]]:
    """(rule, category, severity, findings, posts) per rule, most findings first."""
    counts: dict[str, list] = {}
    for post in report.posts:
        for finding in post.findings:
            if finding.severity is Severity.INFO:
                continue  # what was checked, not a finding to count
            row = counts.setdefault(finding.rule, [finding.category, finding.severity.value, 0, set()])
            row[2] += 1
            row[3].add(post.path)
    rows = [(rule, c, s, n, len(p)) for rule, (c, s, n, p) in counts.items()]
    return sorted(rows, key=lambda r: (-r[3], r[0]))


def statistics_text(report: Report) -> str:
    """``--statistics``: findings per rule, as a plain table (most first), and a total line."""
    rows = statistics(report)
    if not rows:
        return "no findings\n"
    header = ("findings", "posts", "rule", "category", "severity")
    table = [header] + [(str(n), str(p), rule, category, severity) for rule, category, severity, n, p in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) if i < 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
             for row in table]
    total = sum(r[3] for r in rows)
    lines.append(f"{total} finding{'s' if total != 1 else ''} in {len(report.posts)} post{'s' if len(report.posts) != 1 else ''}")
    return "\n".join(lines) + "\n"
