"""``--format human``: the report a member of staff reads in a terminal (rich)."""
from __future__ import annotations

import io
import re
from typing import IO

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from postcheck.model import Finding, PostResult, Report, Severity, Verdict

BADGE = {
    Verdict.PASS: ("PASS", "bold white on green"),
    Verdict.REVIEW: ("REVIEW", "bold black on yellow"),
    Verdict.FAIL: ("FAIL", "bold white on red"),
}
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


class _TrimmedLines(io.StringIO):
    """Collects rich's output so wrapped lines lose the padding rich adds on the right."""

    def flush_to(self, out: IO[str]) -> None:
        for line in self.getvalue().splitlines(keepends=True):
            body, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
            out.write(_TRAILING.sub(r"\1", body) + newline)


_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")


def render(report: Report, out: IO[str], options) -> None:
    buffer = _TrimmedLines()
    _render(report, buffer, options)
    buffer.flush_to(out)


def _render(report: Report, out: IO[str], options) -> None:
    console = Console(file=out, width=options.width or 100, color_system="auto" if options.color else None,
                      force_terminal=options.color, no_color=not options.color, highlight=False,
                      soft_wrap=False, emoji=False)
    clauses = options.clauses or {}
    for post in report.posts:
        if options.quiet and post.verdict is Verdict.PASS:
            continue
        _post(console, post, clauses, checked=not options.quiet)
    for notice in report.notices:
        console.print(Text(f"note: {notice}", style="dim"))
    if len(report.posts) > 1:  # the batch view: counts by verdict, category, clause; slowest posts
        from postcheck.summary import tables

        for table in tables(report, clauses, slowest=not options.quiet):
            console.print(table)
            console.print()
    summary = report.summary()
    line = Text("Summary: ")
    line.append(f"{summary['posts']} post{'s' if summary['posts'] != 1 else ''} checked — ")
    line.append(f"{summary['pass']} pass", style="green")
    line.append(", ")
    line.append(f"{summary['review']} review", style="yellow")
    line.append(", ")
    line.append(f"{summary['fail']} fail", style="red")
    console.print(line)


def _post(console: Console, post: PostResult, clauses: dict[str, str], checked: bool = True) -> None:
    label, style = BADGE[post.verdict]
    header = Text()
    header.append(f" {label} ", style=style)
    header.append(f" {post.path}", style="bold")
    facts = [post.account]
    if post.platform:
        facts.append(post.platform)
    if post.images:
        facts.append(f"{len(post.images)} image{'s' if len(post.images) != 1 else ''}")
    header.append(f"  ({' · '.join(facts)})", style="dim")
    console.print(header)
    for finding in post.findings:
        _finding(console, post, finding, clauses)
    for allowed in post.allowed:  # never silent: say what an inline allow let through, and why
        f = allowed.finding
        where = f.path + (f":{f.line}" if f.line is not None else "")
        console.print(Text.assemble("  ", (where, "bold"), ("  allowed", "green"), (f"  {f.rule}  ", "dim"),
                                    f"reason: {allowed.reason}"))
    for record in post.checked if checked else ():  # what was looked at and found clear: not a finding
        console.print(Text.assemble("  ", (record.path, "bold"), ("  checked  ", "dim"), (record.message, "dim")))
    console.print()


def _finding(console: Console, post: PostResult, finding: Finding, clauses: dict[str, str]) -> None:
    where = finding.path
    if finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    line = Text()
    line.append(where, style="bold")
    line.append("  ")
    line.append(finding.severity.value, style=SEVERITY_STYLE[finding.severity])
    line.append(f"  {finding.rule}  ", style="dim")
    line.append(finding.message)
    # long lines wrap under their own indent, not at the left margin
    console.print(Padding(line, (0, 0, 0, 2), expand=False))
    excerpt = _excerpt(post.text, finding, console.width)
    if excerpt is not None:
        console.print(excerpt)
    for clause in finding.clauses:
        summary = clauses.get(clause, "")
        console.print(Padding(Text.assemble(("policy ", "dim"), (clause, "cyan"), (f"  {summary}", "dim")), (0, 0, 0, 4), expand=False))
    evidence = (finding.details or {}).get("evidence")
    if evidence:  # why the check thinks so, in a few words ("praise addressed to the name")
        console.print(Padding(Text.assemble(("why ", "dim"), (str(evidence), "dim")), (0, 0, 0, 4), expand=False))
    if finding.suggestion:
        console.print(Padding(Text.assemble(("fix ", "dim"), finding.suggestion), (0, 0, 0, 4), expand=False))
    reference = finding.details.get("reference")  # face findings; dropped whenever names are masked
    if reference:
        console.print(Padding(Text.assemble(("compare ", "dim"), f"face {_box(finding.details.get('box'))} with reference "
                                            f"photo {reference} (face {_box(finding.details.get('reference_box'))})"),
                              (0, 0, 0, 4), expand=False))


def _box(box) -> str:
    try:
        left, top, width, height = (int(v) for v in box)
    except (TypeError, ValueError):
        return "?"
    return f"{width}x{height} at x={left}, y={top}"


def _excerpt(text: str, finding: Finding, width: int = 100, limit: int = 90) -> Text | None:
    """The line around a match and a caret line under it, both within ``width`` columns.

    A long match is shown shortened (ending in "…"), so the carets never wrap back to column 0.
    """
    if finding.span is None or not text:
        return None
    start, end = finding.span
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    end = min(end, line_end)
    room = max(20, min(limit, width - len(GUTTER)))  # columns after the gutter
    shown = text[start:end]
    shortened = cell_len(shown) > room - 12  # keep a little context before it
    if shortened:
        shown = _fit(shown, room - 13) + "…"
    before_room = min(limit // 2, room - cell_len(shown))
    before = text[line_start:start]
    if cell_len(before) > before_room:
        before = "…" + _fit(before[::-1], max(0, before_room - 1))[::-1]
    after_room = room - cell_len(before) - cell_len(shown)
    after = "" if shortened else text[end:line_end]
    if cell_len(after) > after_room:
        after = _fit(after, max(0, after_room - 1)) + "…" if after_room > 0 else ""
    excerpt = Text(GUTTER, style="dim")
    excerpt.append(before)
    excerpt.append(shown, style="bold reverse")
    excerpt.append(after)
    marker = Text(GUTTER + " " * cell_len(before) + "^" * max(1, cell_len(shown)), style="red")
    return Text("\n").join([excerpt, marker])


GUTTER = "    │ "


def _fit(text: str, cells: int) -> str:
    """The longest start of ``text`` that takes at most ``cells`` terminal columns."""
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(out)
