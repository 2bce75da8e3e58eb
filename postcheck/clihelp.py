"""Help text in plain words: `PATH...` and `FILE`, not `{PATH}...`, `<list[Path]>` or `<int range>`.

Part of the command line (with cli.py): typer's help shows Python types to people who write posts.
"""
from __future__ import annotations

import re
from typing import Any

from typer.core import TyperCommand

_RANGE = re.compile(r"\[x>=(\d+)\]")


def _plain(help_text: str) -> str:
    return _RANGE.sub(r"(at least \1)", help_text).replace("  [required]", "")


def _argument_name(param: Any) -> str:
    name = param.metavar or (param.name or "").upper()
    return name + ("..." if param.nargs != 1 else "")


class PlainHelpCommand(TyperCommand):
    """A typer command whose usage line and help name arguments and values in plain words."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(_argument_name(param) if param.required else f"[{_argument_name(param)}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), _plain(getattr(param, "help", None) or "")))
            else:
                record = param.get_help_record(ctx)
                if record is not None:
                    options.append((record[0], _plain(record[1])))
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)
