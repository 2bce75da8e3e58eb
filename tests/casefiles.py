"""Read tests/cases/<name>.txt: blocks headed `#: <rule-id>` (must be flagged) or `#: Okay`."""
from __future__ import annotations

from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "cases"


def load_cases(name: str) -> list:
    """pytest params (expected rule id or None, account, text), one per block."""
    params, header, lines = [], None, []

    def flush() -> None:
        if header is not None and "".join(lines).strip():
            words = header.split()
            rule = None if words[0] == "Okay" else words[0]
            account = next((w.split("=", 1)[1] for w in words[1:] if w.startswith("account=")), "school")
            text = "\n".join(lines).strip()
            params.append(pytest.param(rule, account, text, id=f"{words[0]}-{len(params)}"))

    for line in (CASES / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#:"):
            flush()
            header, lines = line[2:].strip(), []
        elif not line.startswith("#") and header is not None:
            lines.append(line)
    flush()
    return params


def check_case(check_text, category: str, rule: str | None, account: str, text: str) -> None:
    result = check_text(text, account=account)
    mine = [f for f in result.findings if f.category == category]
    if rule is None:
        assert not mine, f"should pass: {text!r} -> {[(f.rule, f.match) for f in mine]}"
    else:
        assert any(f.rule == rule for f in mine), f"{rule} should flag: {text!r} -> {[(f.rule, f.match) for f in mine]}"
