"""CI formats (github, sarif, junit): golden files, escaping, -o, --exit-zero and exit codes."""
from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.config import load_config
from postcheck.discovery import discover, load
from postcheck.engine import Engine
from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.reporters import RenderOptions, render
from postcheck.reporters.github import annotation, escape_data, escape_property

from conftest import ROOT, SCHOOL

GOLDEN = Path(__file__).parent / "golden"
CONFIG = str(SCHOOL / "postcheck.yaml")
runner = CliRunner()


@pytest.fixture(scope="module")
def ci_report():
    config = load_config(SCHOOL / "postcheck.yaml")
    engine = Engine(config)
    cwd = os.getcwd()
    os.chdir(ROOT)  # report paths are relative to the current folder
    try:
        report = engine.run(load(spec, config.account) for spec in discover([Path("tests/fixtures/ci")]))
    finally:
        os.chdir(cwd)
    return report, engine.pack


def _compare(text: str, name: str, update: bool) -> None:
    golden = GOLDEN / name
    if update or not golden.exists():
        golden.write_text(text, encoding="utf-8", newline="")
        if not update:
            pytest.fail(f"{golden} was missing and has been written; check it and commit it")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt, name", [("github", "ci.github.txt"), ("sarif", "ci.sarif"), ("junit", "ci.junit.xml")])
def test_golden(ci_report, fmt, name, update_golden, tmp_path, monkeypatch):
    report, pack = ci_report
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = io.StringIO()
    render(fmt, report, out, RenderOptions(show_names=False, clauses=pack.clauses, pack=pack))
    assert "Amelia Hart" not in out.getvalue() and "O'Connor" not in out.getvalue()
    _compare(out.getvalue(), name, update_golden)
    if fmt == "github":
        text = summary.read_text(encoding="utf-8")
        assert text.startswith("earlier step\n")  # appended, never overwritten
        _compare(text[len("earlier step\n"):], "ci.github-summary.md", update_golden)
    else:
        assert summary.read_text(encoding="utf-8") == "earlier step\n"


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    finding = Finding("r", "reference", Severity.WARNING, ("3.3",), "Line one,\nline: two 100%", "dir,x/a:b.md",
                      3, 5, "m", None)
    assert annotation(finding) == ("::warning file=dir%2Cx/a%3Ab.md,line=3,col=5,title=postcheck r (policy 3.3)"
                                   "::Line one,%0Aline: two 100%25: m")
    image = Finding("r", "objected-image", Severity.ERROR, ("7.2",), "Objected", "img/team.jpg", None, None, "")
    assert annotation(image) == "::error file=img/team.jpg,title=postcheck r (policy 7.2)::Objected"


def test_github_summary_lists_everything_beyond_the_annotation_limit(tmp_path, monkeypatch):
    findings = tuple(Finding("learner-full-name", "learner-full-name", Severity.ERROR, ("6.3(f)",), "Full name",
                             "p.md", i, 1, f"Amelia Hart{i}") for i in range(1, 13))
    report = Report((PostResult("p.md", "school", None, (), findings),))
    summary = tmp_path / "s.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render("github", report, io.StringIO(), RenderOptions(show_names=False))
    text = summary.read_text(encoding="utf-8")
    assert "GitHub shows only 10 error" in text and text.count("| FAIL |") == 12 and "Amelia" not in text


def test_github_summary_that_cannot_be_written_is_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "file.md"))
    out = io.StringIO()
    render("github", Report(()), out, RenderOptions(show_names=False))
    assert "cannot append to GITHUB_STEP_SUMMARY" in out.getvalue()


def test_sarif_structure(ci_report):
    report, pack = ci_report
    out = io.StringIO()
    render("sarif", report, out, RenderOptions(show_names=False, pack=pack, clauses=pack.clauses))
    data = json.loads(out.getvalue())
    assert data["version"] == "2.1.0" and len(data["runs"]) == 1
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in pack.rules]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["properties"]["clauses"] and rule["properties"]["category"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert result["level"] in ("error", "warning", "note")
        assert result["partialFingerprints"]["postcheckMatch/v2"]
    assert any(r.get("suppressions") for r in run["results"])


def test_sarif_fingerprints_do_not_depend_on_show_names(tmp_path):
    draft = tmp_path / "p.md"
    draft.write_text("Amelia Hart and Amelia Hart\n", encoding="utf-8")

    def prints(*flags):
        data = json.loads(runner.invoke(app, ["check", "-c", CONFIG, "-f", "sarif", *flags, str(draft)]).output)
        return [r["partialFingerprints"] for r in data["runs"][0]["results"]]

    masked, shown = prints(), prints("--show-names")
    assert masked == shown and len({json.dumps(p) for p in masked}) == 2


def test_junit_fail_on_review_and_bad_characters(tmp_path):
    draft = tmp_path / "p.md"
    draft.write_text('Hello \x0b there\n\n<!-- postcheck: allow learner-full-name reason="old" -->\nNothing.\n',
                     encoding="utf-8")
    for fail_on, failures in (("fail", "0"), ("review", "1")):
        result = runner.invoke(app, ["check", "-c", CONFIG, "-f", "junit", "--fail-on", fail_on, str(draft)])
        suite = ET.fromstring(result.output).find("testsuite")
        assert suite.get("failures") == failures and suite.get("tests") == "1"
        case = suite.find("testcase")
        assert (case.find("failure") is not None) == (failures == "1")
        assert result.exit_code == (1 if fail_on == "review" else 0)


def test_output_file_is_written_and_inputs_are_never_overwritten(tmp_path):
    draft = tmp_path / "p.md"
    draft.write_text("Amelia Hart\n", encoding="utf-8")
    target = tmp_path / "report.sarif"
    result = runner.invoke(app, ["check", "-c", CONFIG, "-f", "sarif", "-o", str(target), str(draft)])
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left
    result = runner.invoke(app, ["check", "-c", CONFIG, "-o", str(draft), str(draft)])
    assert result.exit_code == 2 and "is one of the inputs" in result.output
    assert draft.read_text(encoding="utf-8") == "Amelia Hart\n"
    result = runner.invoke(app, ["check", "-c", CONFIG, "-o", CONFIG, str(draft)])
    assert result.exit_code == 2 and "is one of the inputs" in result.output
    result = runner.invoke(app, ["check", "-c", CONFIG, "-o", str(tmp_path / "no" / "r.txt"), str(draft)])
    assert result.exit_code == 2 and "does not exist" in result.output
    human = tmp_path / "r.txt"
    assert runner.invoke(app, ["check", "-c", CONFIG, "-o", str(human), str(draft)]).exit_code == 1
    assert "Amelia Hart" in human.read_text(encoding="utf-8") and "\x1b[" not in human.read_text(encoding="utf-8")


@pytest.mark.parametrize("text, args, code", [
    ("Amelia Hart", [], 1),
    ("Amelia Hart", ["--exit-zero"], 0),
    ("Amelia", [], 0),
    ('<!-- postcheck: allow learner-full-name reason="x" -->\nAmelia', [], 0),
    ('<!-- postcheck: allow learner-full-name reason="x" -->\nAmelia', ["--fail-on", "review"], 1),
    ('<!-- postcheck: allow learner-full-name reason="x" -->\nAmelia', ["--fail-on", "review", "--exit-zero"], 0),
])
def test_exit_codes(tmp_path, text, args, code):
    draft = tmp_path / "p.md"
    draft.write_text(text, encoding="utf-8")
    for fmt in ("human", "github", "junit"):
        assert runner.invoke(app, ["check", "-c", CONFIG, "-f", fmt, *args, str(draft)]).exit_code == code


def test_exit_zero_still_reports_usage_errors(tmp_path):
    result = runner.invoke(app, ["check", "-c", CONFIG, "--exit-zero", str(tmp_path / "missing.md")])
    assert result.exit_code == 2
