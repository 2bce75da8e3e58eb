"""Inline allows: parsing, scope (next paragraph or named image), reasons, unused allows, listing."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from postcheck import allows
from postcheck.cli import app

from conftest import SCHOOL

CONFIG = str(SCHOOL / "postcheck.yaml")


@pytest.mark.parametrize("comment, rules, reason, image, problem", [
    ('<!-- postcheck: allow learner-full-name reason="Parent agreed" -->', ("learner-full-name",), "Parent agreed", None, None),
    ("<!--postcheck:allow learner-full-name reason='ok'-->", ("learner-full-name",), "ok", None, None),
    ('<!-- postcheck: allow a-rule, b-rule reason="both" -->', ("a-rule", "b-rule"), "both", None, None),
    ('<!-- postcheck: allow objected-image image="team.jpg" reason="Consent renewed" -->', ("objected-image",), "Consent renewed", "team.jpg", None),
    ("<!-- postcheck: allow learner-full-name -->", ("learner-full-name",), None, None, "no reason"),
    ('<!-- postcheck: allow learner-full-name reason="  " -->', ("learner-full-name",), None, None, "no reason"),
    ('<!-- postcheck: allow reason="why" -->', (), None, None, "names no rule"),
    ('<!-- postcheck allow learner-full-name reason="x" -->', (), None, None, "not understood"),
    ('<!-- postcheck: allow learner-full-name because="x" -->', ("learner-full-name",), None, None, "unknown setting"),
    ('<!-- postcheck: allow learner-full-name reason="unclosed -->', ("learner-full-name",), None, None, "cannot read"),
])
def test_parse(comment, rules, reason, image, problem):
    (allow,) = allows.parse("Intro\n\n" + comment + "\nText")
    assert allow.rules == rules and allow.reason == reason and allow.image == image
    assert (allow.problem is None) if problem is None else (problem in allow.problem)


def test_ordinary_html_comments_are_ignored():
    assert allows.parse("<!-- a note for the editor -->\nHello") == []


def test_allow_covers_the_next_paragraph_only(check_text):
    result = check_text('<!-- postcheck: allow learner-full-name reason="Parent agreed in writing" -->\n'
                        "Well done Amelia Hart,\nand again Amelia Hart.\n\nLater: Tom Hart too.")
    assert [f.match for f in result.findings] == ["Tom Hart"]
    assert [(a.finding.match, a.reason, a.line) for a in result.allowed] == [
        ("Amelia Hart", "Parent agreed in writing", 1), ("Amelia Hart", "Parent agreed in writing", 1)]


def test_allow_by_category_and_multiple_rules(check_text):
    result = check_text('<!-- postcheck: allow learner-full-name, other-rule reason="x" -->\nAmelia Hart')
    assert [a.finding.rule for a in result.allowed] == ["learner-full-name"]
    (unused,) = result.findings
    assert unused.rule == "allow-comment" and "'other-rule', which is not a rule" in unused.message


def test_same_line_allow_covers_that_line_only(check_text):
    result = check_text('Well done Amelia Hart! <!-- postcheck: allow learner-full-name reason="Parent agreed" -->\n'
                        "Next line: Tom Hart.\n\nLater: Sam Hart.")
    assert [(a.finding.match, a.line) for a in result.allowed] == [("Amelia Hart", 1)]
    assert sorted(f.match for f in result.findings) == ["Sam Hart", "Tom Hart"]  # no "unused allow" warning
    above = check_text('Well done Tom Hart.\nAnd Amelia Hart! <!-- postcheck: allow learner-full-name reason="ok" -->')
    assert [f.match for f in above.findings] == ["Tom Hart"] and [a.finding.match for a in above.allowed] == ["Amelia Hart"]


def test_allow_naming_an_unknown_rule_suggests_the_closest(check_text):
    result = check_text('<!-- postcheck: allow learner-fullname reason="x" -->\nAmelia Hart')
    by_rule = {f.rule: f for f in result.findings}
    assert "'learner-fullname', which is not a rule" in by_rule["allow-comment"].message
    assert by_rule["allow-comment"].suggestion.endswith("did you mean learner-full-name?")
    far = check_text('<!-- postcheck: allow zzzz reason="x" -->\nHello')
    assert "nothing here needs it" not in far.findings[0].suggestion and "postcheck rules" in far.findings[0].suggestion


def test_unused_allow_is_a_warning(check_text):
    result = check_text('Amelia Hart\n\n<!-- postcheck: allow learner-full-name reason="old" -->\nNothing here.')
    rules = sorted((f.rule, f.severity.value) for f in result.findings)
    assert rules == [("allow-comment", "warning"), ("learner-full-name", "error")]
    assert result.allowed == ()


def test_allow_without_reason_allows_nothing_and_fails(check_text):
    result = check_text("<!-- postcheck: allow learner-full-name -->\nAmelia Hart")
    assert sorted(f.rule for f in result.findings) == ["allow-comment", "learner-full-name"]
    assert result.verdict.value == "fail" and result.allowed == ()


def test_input_errors_cannot_be_allowed(check_text):
    result = check_text('<!-- postcheck: allow input-error reason="x" -->\n![p](missing.jpg)')
    assert {f.rule for f in result.findings} == {"input-error", "allow-comment"}


def _image_post(tmp_path, comment):
    from PIL import Image

    for name in ("team.jpg", "Amelia Hart.jpg"):  # plain images: no faces, no metadata
        Image.new("RGB", (32, 32), "white").save(tmp_path / name)
    draft = tmp_path / "post.md"
    draft.write_text(f"---\nimages: [team.jpg, Amelia Hart.jpg]\n---\n{comment}\nOur team!\n", encoding="utf-8")
    return draft


def test_image_allow_covers_findings_in_that_image(tmp_path):
    draft = _image_post(tmp_path, '<!-- postcheck: allow learner-full-name image="Amelia Hart.jpg" reason="Her own photo, consent on file" -->')
    result = CliRunner().invoke(app, ["check", "-c", CONFIG, "-f", "json", "--show-names", str(draft)])
    post = json.loads(result.output)["posts"][0]
    assert [f["rule"] for f in post["findings"]] == []
    (allowed,) = post["allowed"]
    assert allowed["match"] == "Amelia Hart" and allowed["reason"] == "Her own photo, consent on file"
    assert allowed["path"].endswith("Amelia Hart.jpg") and allowed["allowed_at"] == 4


def test_image_allow_for_an_image_the_post_does_not_use(tmp_path):
    draft = _image_post(tmp_path, '<!-- postcheck: allow learner-full-name image="other.jpg" reason="x" -->')
    result = CliRunner().invoke(app, ["check", "-c", CONFIG, "-f", "json", str(draft)])
    findings = json.loads(result.output)["posts"][0]["findings"]
    assert any(f["rule"] == "allow-comment" and "other.jpg" in f["message"] for f in findings)
    assert any(f["rule"] == "learner-full-name" for f in findings)


def test_allows_are_listed_in_every_format(tmp_path):
    draft = tmp_path / "post.md"
    draft.write_text('<!-- postcheck: allow learner-full-name reason="Parent agreed" -->\nAmelia Hart\n', encoding="utf-8")
    runner = CliRunner()
    human = runner.invoke(app, ["check", "-c", CONFIG, str(draft)])
    assert human.exit_code == 0 and "allowed" in human.output and "Parent agreed" in human.output
    assert "Parent agreed" in runner.invoke(app, ["check", "-c", CONFIG, "-f", "junit", str(draft)]).output
    sarif = json.loads(runner.invoke(app, ["check", "-c", CONFIG, "-f", "sarif", str(draft)]).output)
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "Parent agreed"}]
