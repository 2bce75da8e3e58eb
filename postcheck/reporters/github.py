"""``--format github``: workflow-command annotations, plus a Markdown job summary of every finding.

GitHub shows at most 10 error and 10 warning annotations per step, so the summary appended to
``$GITHUB_STEP_SUMMARY`` (when set) is where the full list lives.
"""
from __future__ import annotations

import os
from typing import IO, Iterable

from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.safeio import printable

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
ANNOTATION_LIMIT = 10  # per step and per level, as GitHub documents it
SUMMARY_ROWS = 2000  # the step summary is capped at 1 MiB; a row is ~200 bytes


def escape_data(text: str) -> str:
    """Workflow-command escaping; other control characters (a file name's ESC) are shown, not obeyed."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(path: str) -> str:
    return path.replace(os.sep, "/")


def annotation(finding: Finding) -> str:
    props = [("file", _path(finding.path))]
    if finding.line is not None:
        props.append(("line", str(finding.line)))
        if finding.end_line is not None and finding.end_line != finding.line:
            props.append(("endLine", str(finding.end_line)))
        if finding.column is not None:
            props.append(("col", str(finding.column)))
            if finding.end_column is not None and finding.end_line == finding.line:
                props.append(("endColumn", str(finding.end_column)))
    props.append(("title", f"postcheck {finding.rule} (policy {', '.join(finding.clauses)})"))
    head = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMAND[finding.severity]} {head}::{escape_data(_message(finding))}"


def _message(finding: Finding) -> str:
    message = finding.message
    if finding.match and finding.match not in message and finding.rule != "allow-comment":
        message += f": {finding.match}"
    if finding.suggestion:
        message += f"\nFix: {finding.suggestion}"
    return message


def render(report: Report, out: IO[str], options) -> None:
    for post in report.posts:
        for finding in post.findings:
            out.write(annotation(finding) + "\n")
    for notice in report.notices:
        out.write(f"postcheck: note: {printable(notice)}\n")
    out.write(_summary_line(report) + "\n")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(summary_markdown(report, options))
        except OSError as exc:  # the annotations above still stand; say why the summary is missing
            out.write(f"postcheck: note: cannot append to GITHUB_STEP_SUMMARY: {exc.strerror or exc}\n")


def _summary_line(report: Report) -> str:
    s = report.summary()
    return (f"postcheck: {s['posts']} post{'s' if s['posts'] != 1 else ''} checked: "
            f"{s['pass']} pass, {s['review']} review, {s['fail']} fail")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _where(finding: Finding) -> str:
    where = _path(finding.path)
    if finding.line is not None:
        where += f":{finding.line}" + (f":{finding.column}" if finding.column is not None else "")
    return "`" + where.replace("`", "'") + "`"


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _line(post: PostResult, finding: Finding) -> str:
    """Where in the post: line:column, or the photo (or other file) the finding is in."""
    place = f"{finding.line}" + (f":{finding.column}" if finding.column is not None else "") if finding.line is not None else ""
    if finding.path == post.path:
        return place
    return _code(_path(finding.path).rsplit("/", 1)[-1] + (f":{place}" if place else ""))


def summary_markdown(report: Report, options=None) -> str:
    """Every finding as a Markdown table, worst posts first."""
    lines = [f"## {_summary_line(report)}", ""]
    # real findings only: a passing post has none, and info lines (what was checked) are not rows
    findings = [(post, f) for post in _worst_first(report.posts) for f in post.findings if f.severity is not Severity.INFO]
    counts = {level: sum(1 for _, f in findings if f.severity is level) for level in Severity}
    if counts[Severity.ERROR] > ANNOTATION_LIMIT or counts[Severity.WARNING] > ANNOTATION_LIMIT:
        lines += [f"GitHub shows only {ANNOTATION_LIMIT} error and {ANNOTATION_LIMIT} warning annotations "
                  "per step: every finding is listed below.", ""]
    if findings:
        lines += ["| Verdict | Post | Line | Finding | Policy | Fix |",
                  "|---|---|---|---|---|---|"]
        for post, finding in findings[:SUMMARY_ROWS]:
            lines.append("| " + " | ".join([
                post.verdict.value.upper(), _code(_path(post.path)), _line(post, finding),
                f"{finding.severity.value} {_code(finding.rule)}: {_cell(_message(finding).split(chr(10))[0])}",
                _cell(", ".join(finding.clauses)), _cell(finding.suggestion or ""),
            ]) + " |")
        if len(findings) > SUMMARY_ROWS:
            lines.append(f"\n…and {len(findings) - SUMMARY_ROWS} more: run postcheck locally for the full list.")
        lines.append("")
    allowed = [(post, a) for post in report.posts for a in post.allowed]
    if allowed:
        lines += [f"### Allowed by inline comments ({len(allowed)})", "",
                  "| Where | Rule | Reason |", "|---|---|---|"]
        lines += [f"| {_where(a.finding)} | {a.finding.rule} | {_cell(a.reason)} |" for _, a in allowed]
        lines.append("")
    if report.notices:
        lines += ["### Notes", ""] + [f"- {_cell(n)}" for n in report.notices] + [""]
    return "\n".join(lines) + "\n"


def _worst_first(posts: Iterable[PostResult]) -> list[PostResult]:
    return sorted(posts, key=lambda p: -p.verdict.rank)  # stable: keeps path order within a verdict

