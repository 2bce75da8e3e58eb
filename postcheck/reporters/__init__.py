"""Reporters: one module per ``--format``; each has ``render(report, out, options)``."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import IO, Any

FORMATS = ("human", "json", "github", "sarif", "junit", "html", "concise")


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What the reporter needs beyond the results."""

    color: bool = False
    quiet: bool = False
    show_names: bool = True
    width: int | None = None
    clauses: dict[str, str] | None = None  # clause -> summary, for the human report
    pack: Any = None  # the RulePack, for formats that describe rules (sarif)
    fail_on: str = "fail"  # "fail" | "review": which verdicts count as failures (junit)
    names: tuple = ()  # known learners' (first, last) names, masked wherever they appear (redact.known_names)


def render(fmt: str, report: Any, out: IO[str], options: RenderOptions) -> None:
    module = importlib.import_module(f"postcheck.reporters.{fmt}")
    if not options.show_names:
        from postcheck.redact import redact_report

        report = redact_report(report, options.names)
    module.render(report, out, options)
