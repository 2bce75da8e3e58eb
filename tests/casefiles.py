"""Rule cases as data: tests/cases/<category>.txt, blocks headed by what the draft must give.

    #: <rule-id> [personal|school|account=personal]   a finding of that rule (error or warning)
    #: review [account]                                 findings of this category, all warnings
    #: Okay [account]                                   no finding of this category at all
    ... [no-roster]                                     the school with no roster configured (staff only)
    <draft text, up to the next header>

Lines starting with "# " are comments ("#hashtag" is text); the file's name is the category.
"""
from __future__ import annotations

from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "cases"


def _account(words: list[str]) -> str:
    for word in words:
        value = word.split("=", 1)[1] if word.startswith("account=") else word
        if value in ("school", "personal"):
            return value
    return "school"


def load_cases(name: str | None = None) -> list:
    """pytest params (category, expect, account, roster, text), one per block, from one file or all."""
    files = [CASES / f"{name}.txt"] if name else sorted(CASES.glob("*.txt"))
    params = []
    for file in files:
        header: list[str] | None = None
        lines: list[str] = []
        for line in [*file.read_text(encoding="utf-8").splitlines(), "#: <end>"]:
            if line.startswith("#:"):
                if header is not None and "".join(lines).strip():
                    text = "\n".join(lines).strip("\n")
                    params.append(pytest.param(file.stem, header[0], _account(header[1:]),
                                               "no-roster" not in header[1:], text,
                                               id=f"{file.stem}-{len(params)}-{header[0]}"))
                header, lines = line[2:].split(), []
            elif line == "#" or line.startswith("# "):
                continue  # a comment ("# ..."); "#hashtag" at a line's start is draft text
            elif header is not None:
                lines.append(line)
    return params


def check_case(check_text, category: str, expect: str, account: str, text: str) -> None:
    from postcheck.model import Severity

    result = check_text(text, account=account)
    mine = [f for f in result.findings if f.category == category]
    shown = [(f.rule, f.severity.value, f.match) for f in mine]
    if expect == "Okay":
        assert not [f for f in mine if f.severity is not Severity.INFO], f"should pass: {text!r} -> {shown}"
    elif expect == "review":
        assert mine and all(f.severity is not Severity.ERROR for f in mine), f"should need review: {text!r} -> {shown}"
    else:
        assert any(f.rule == expect and f.severity is not Severity.INFO for f in mine), \
            f"{expect} should flag: {text!r} -> {shown}"
