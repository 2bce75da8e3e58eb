"""Reporters: one module per ``--format``; each has ``render(report, out, options)``."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import IO, Any

FORMATS = ("human", "json", "html")


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What the reporter needs beyond the results."""

    color: bool = False
    quiet: bool = False
    show_names: bool = True
    width: int | None = None
    clauses: dict[str, str] | None = None  # clause -> summary, for the human report


def render(fmt: str, report: Any, out: IO[str], options: RenderOptions) -> None:
    module = importlib.import_module(f"postcheck.reporters.{fmt}")
    module.render(report, out, options)
