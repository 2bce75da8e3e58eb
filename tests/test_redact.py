"""Redaction: names masked in machine formats and under CI, shown with --show-names."""
from __future__ import annotations

import io
import json

import pytest
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.redact import mask, names_hidden, redact_report
from postcheck.reporters import RenderOptions, render

from conftest import SCHOOL

CONFIG = str(SCHOOL / "postcheck.yaml")
runner = CliRunner()


@pytest.mark.parametrize("text, masked", [
    ("Amelia Hart", "A***** H***"),
    ("NIAMH O'CONNOR", "N**** O'C*****"),
    ("Lacey-Mai Dawson-Hughes", "L****-M** D*****-H*****"),
    ("Zoë", "Z**"),
    ("amelia.hart@example.com", "a*****.h***@e******.c**"),
    ("", ""),
])
def test_mask_keeps_first_letters_and_length(text, masked):
    assert mask(text) == masked and len(mask(text)) == len(text) and mask(mask(text)) == mask(text)


@pytest.mark.parametrize("fmt, show, env, hidden", [
    ("human", False, {}, False),
    ("human", False, {"CI": "true"}, True),
    ("human", False, {"CI": "false"}, False),
    ("human", True, {"CI": "true"}, False),
    ("json", False, {}, True),
    ("github", False, {}, True),
    ("sarif", False, {}, True),
    ("junit", False, {}, True),
    ("junit", True, {}, False),
])
def test_names_hidden(fmt, show, env, hidden):
    assert names_hidden(fmt, show, env) is hidden


def _report():
    text = "Amelia Hart ran. Coach says Amelia Hart is quick."
    name = Finding("learner-full-name", "learner-full-name", Severity.ERROR, ("6.3(f)",), "Learner identified by full name",
                   "p.md", 1, 1, "Amelia Hart", "Use: Amelia", span=(0, 11), details={"learner": "Amelia Hart"})
    other = Finding("disparaging", "disparaging", Severity.WARNING, ("4.3",), "Possibly disparaging: Amelia Hart is",
                    "p.md", 1, 29, "Amelia Hart is quick", None, span=(28, 48))
    return Report((PostResult("p.md", "school", None, (), (name, other), text),))


def test_redact_report_masks_matches_messages_details_and_text():
    post = redact_report(_report()).posts[0]
    name, other = post.findings
    assert name.match == "A***** H***" and name.details == {"learner": "A***** H***"}
    assert name.suggestion == "Use: Amelia"  # a first name alone is what the policy allows
    assert other.match == "A***** H*** is quick" and "Amelia Hart" not in other.message
    assert post.text == "A***** H*** ran. Coach says A***** H*** is quick."


def test_human_excerpt_masked_when_names_hidden():
    out = io.StringIO()
    render("human", _report(), out, RenderOptions(show_names=False, width=100))
    assert "Amelia Hart" not in out.getvalue() and "A***** H***" in out.getvalue()


@pytest.fixture
def draft(tmp_path):
    path = tmp_path / "post.md"
    path.write_text("---\ntitle: Amelia Hart wins\n---\nWell done to Amelia Hart!\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("fmt", ["json", "github", "sarif", "junit"])
def test_machine_formats_mask_by_default(fmt, draft):
    result = runner.invoke(app, ["check", "-c", CONFIG, "-f", fmt, draft])
    assert result.exit_code == 1
    assert "Amelia Hart" not in result.output and "A***** H***" in result.output
    shown = runner.invoke(app, ["check", "-c", CONFIG, "-f", fmt, "--show-names", draft])
    assert "Amelia Hart" in shown.output


def test_human_masks_under_ci_only(draft, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert "Amelia Hart" in runner.invoke(app, ["check", "-c", CONFIG, draft]).output
    monkeypatch.setenv("CI", "true")
    out = runner.invoke(app, ["check", "-c", CONFIG, draft]).output
    assert "Amelia Hart" not in out and "A***** H***" in out
    assert "Amelia Hart" in runner.invoke(app, ["check", "-c", CONFIG, "--show-names", draft]).output


def test_json_says_whether_it_is_redacted(draft):
    assert json.loads(runner.invoke(app, ["check", "-c", CONFIG, "-f", "json", draft]).output)["redacted"] is True
    data = json.loads(runner.invoke(app, ["check", "-c", CONFIG, "-f", "json", "--show-names", draft]).output)
    assert data["redacted"] is False
