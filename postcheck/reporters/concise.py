"""``--format concise``: one line per finding, ``path:line:column: severity rule: message (policy ...)``.

For editors, grep and quick looks, as ruff's and flake8's default output. Names are masked (like the
other machine formats) unless ``--show-names``.
"""
from __future__ import annotations

from typing import IO

from postcheck.model import Finding, Report, Severity


def line(finding: Finding) -> str:
    where = finding.path
    if finding.line is not None:
        where += f":{finding.line}" + (f":{finding.column}" if finding.column is not None else "")
    message = " ".join(finding.message.split())
    if finding.match and finding.match not in message and finding.rule != "allow-comment":
        message += f": {' '.join(finding.match.split())}"
    clauses = f" (policy {', '.join(finding.clauses)})" if finding.clauses else ""
    return f"{where}: {finding.severity.value} {finding.rule}: {message}{clauses}"


def render(report: Report, out: IO[str], options) -> None:
    for post in report.posts:
        for finding in post.findings:
            if finding.severity is not Severity.INFO:  # info lines say what was checked: not findings
                out.write(line(finding) + "\n")
