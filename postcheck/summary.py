"""The end-of-run summary for multi-post runs: posts by verdict, findings by category and clause, slowest posts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from postcheck.model import Report, Verdict

SLOWEST = 5


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts for one run, in a stable order (most frequent first, ties by name)."""

    verdicts: tuple[tuple[str, int], ...]
    categories: tuple[tuple[str, int, int], ...]  # category, findings, posts
    clauses: tuple[tuple[str, int, int], ...]  # clause, findings, posts
    slowest: tuple[tuple[str, float], ...]  # path, seconds


def summarise(report: Report, slowest: int = SLOWEST) -> Summary:
    verdicts = Counter(post.verdict for post in report.posts)
    findings_by: dict[str, Counter] = {"category": Counter(), "clause": Counter()}
    posts_by: dict[str, Counter] = {"category": Counter(), "clause": Counter()}
    for post in report.posts:
        seen: dict[str, set[str]] = {"category": set(), "clause": set()}
        for finding in post.findings:
            findings_by["category"][finding.category] += 1
            seen["category"].add(finding.category)
            for clause in finding.clauses:
                findings_by["clause"][clause] += 1
                seen["clause"].add(clause)
        for kind, names in seen.items():
            posts_by[kind].update(names)

    def ranked(kind: str) -> tuple[tuple[str, int, int], ...]:
        rows = [(name, count, posts_by[kind][name]) for name, count in findings_by[kind].items()]
        return tuple(sorted(rows, key=lambda row: (-row[1], row[0])))

    slow = sorted(report.posts, key=lambda p: (-p.seconds, p.path))[:slowest]
    return Summary(
        verdicts=tuple((v.value, verdicts.get(v, 0)) for v in (Verdict.FAIL, Verdict.REVIEW, Verdict.PASS)),
        categories=ranked("category"),
        clauses=ranked("clause"),
        slowest=tuple((p.path, p.seconds) for p in slow if p.seconds > 0),
    )


def tables(report: Report, clauses: dict[str, str] | None = None, slowest: bool = True) -> list:
    """rich tables for the human report; ``slowest=False`` (quiet) leaves out passing posts' names."""
    from rich.table import Table
    from rich.text import Text

    data = summarise(report, SLOWEST if slowest else 0)
    clauses = clauses or {}
    out = []
    verdicts = Table(title="Posts by verdict", title_justify="left", title_style="bold", box=None, pad_edge=False, min_width=40)
    verdicts.add_column("verdict")
    verdicts.add_column("posts", justify="right")
    styles = {"fail": "red", "review": "yellow", "pass": "green"}
    for verdict, count in data.verdicts:
        verdicts.add_row(Text(verdict, style=styles[verdict]), str(count))
    out.append(verdicts)
    if data.categories:
        table = Table(title="Findings by category", title_justify="left", title_style="bold", box=None, pad_edge=False, min_width=40)
        for column, justify in (("category", "left"), ("findings", "right"), ("posts", "right")):
            table.add_column(column, justify=justify)
        for name, count, posts in data.categories:
            table.add_row(Text(name), str(count), str(posts))
        out.append(table)
    if data.clauses:
        table = Table(title="Findings by policy clause", title_justify="left", title_style="bold", box=None, pad_edge=False, min_width=40)
        for column, justify in (("clause", "left"), ("findings", "right"), ("posts", "right"), ("", "left")):
            table.add_column(column, justify=justify)
        for name, count, posts in data.clauses:
            table.add_row(Text(name), str(count), str(posts), Text(clauses.get(name, ""), style="dim"))
        out.append(table)
    if data.slowest:
        table = Table(title="Slowest posts", title_justify="left", title_style="bold", box=None, pad_edge=False, min_width=40)
        table.add_column("post")
        table.add_column("seconds", justify="right")
        for path, seconds in data.slowest:
            table.add_row(Text(path), f"{seconds:.3f}")
        out.append(table)
    return out
