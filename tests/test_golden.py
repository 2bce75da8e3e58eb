"""Golden reports for the bundled example, compared exactly (rewrite with --update-golden)."""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from postcheck.config import load_config
from postcheck.discovery import discover, load
from postcheck.engine import Engine
from postcheck.reporters import RenderOptions, render

from conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = ROOT / "examples"


@pytest.fixture(scope="module")
def example_report():
    config = load_config(EXAMPLE / "postcheck.yaml")
    engine = Engine(config)
    cwd = os.getcwd()
    os.chdir(ROOT)  # paths in the report are relative to the current folder
    try:
        specs = discover([Path("examples/sports-day.md")])
        report = engine.run(load(spec, config.account) for spec in specs)
    finally:
        os.chdir(cwd)
    return report, engine.pack


@pytest.mark.parametrize("fmt, name", [("human", "example.human.txt"), ("json", "example.json")])
def test_golden(example_report, fmt, name, update_golden):
    report, pack = example_report
    out = io.StringIO()
    render(fmt, report, out, RenderOptions(color=False, width=100, clauses=pack.clauses))
    golden = GOLDEN / name
    if update_golden or not golden.exists():
        golden.write_text(out.getvalue(), encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{golden} was missing and has been written; check it and commit it")
    assert out.getvalue() == golden.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(out.getvalue())["posts"][0]["verdict"] in ("fail", "review")
