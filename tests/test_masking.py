"""Masking hides learners' names and nothing else, in every format: names from the roster, the
consent list and the checks, wherever they are written (allow reasons, URLs, notices, excerpts)."""
from __future__ import annotations

import json
import re

import pytest
from PIL import Image
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.config import Learner
from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.redact import Scrubber, known_names, redact_report

from conftest import make_content_repo

runner = CliRunner()

# Names that must never appear once masked, however written (roster and consent-list learners).
NAMES = [r"amelia\W*hart", r"hart\W*amelia", r"jonah\W*whitfield", r"tomasz", r"nowicki", r"priya\W*raman"]
# Ordinary words the same reports contain, which masking must leave exactly as they are.
WORDS = ["Unsafe link", "link shortener", "not encrypted", "Learner identified by full name", "bit.ly",
         "no face found in reference photo consent/p****-r****.png for learner L0042", "consent list", "6.3(f)"]

DRAFT = """\
Sports day!

<!-- postcheck: allow learner-full-name reason="Mum of Tomasz Nowicki agreed on the phone" -->
Well done to Tomasz Nowicki for the relay.

Well done to Amelia Hart and to HART, Amelia again! See http://bit.ly/amelia-hart for photos.

![field](field.png)
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    posts = make_content_repo(tmp_path)
    (tmp_path / "consent_list.yaml").write_text(
        "learners:\n"
        "  - {id: L0042, name: Priya Raman, objection: photos, photos: [consent/priya-raman.png]}\n"
        "  - {id: L0057, name: Tomasz Nowicki, objection: name}\n", encoding="utf-8")
    with open(tmp_path / "postcheck.yaml", "a", encoding="utf-8") as config:
        config.write("consent_list: consent_list.yaml\n")
    (posts / "sports.md").write_text(DRAFT, encoding="utf-8")
    (posts / "other.md").write_text("Jonah Whitfield's page: http://example.org/news/jonah_whitfield-wins\n",
                                    encoding="utf-8")
    Image.new("RGB", (80, 60), (40, 160, 40)).save(posts / "field.png")
    (tmp_path / "consent").mkdir()  # a reference photo named after the child (as the README says not to)
    Image.new("RGB", (80, 60), (90, 90, 160)).save(tmp_path / "consent" / "priya-raman.png")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _leaks(text: str) -> list[str]:
    return [name for name in NAMES if re.search(name, text, re.I)]


@pytest.mark.parametrize("fmt, ci", [("human", True), ("json", False), ("github", False), ("sarif", False),
                                     ("junit", False), ("html", True)])
def test_no_name_in_any_format_and_ordinary_words_survive(repo, monkeypatch, fmt, ci):
    summary = repo / "summary.md"
    if ci:
        monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = runner.invoke(app, ["check", "-f", fmt, "--no-cache", "posts"])
    assert result.exit_code == 1, result.output
    outputs = [result.output] + ([summary.read_text(encoding="utf-8")] if fmt == "github" else [])
    for text in outputs:
        assert _leaks(text) == [], text
        text = re.sub(r"\s+", " ", text.replace("&#x27;", "'"))
        assert [w for w in WORDS if w not in text] == []
    # with --show-names (a local run) the same report names them: the test above is not vacuous
    shown = runner.invoke(app, ["check", "-f", fmt, "--no-cache", "--show-names", "posts"]).output
    assert "Amelia Hart" in shown and ("Mum of Tomasz Nowicki" in shown or fmt in ("github", "human"))


def test_masking_keeps_ids_counts_and_words_and_masks_names_in_urls_and_reasons(repo):
    data = json.loads(runner.invoke(app, ["check", "-f", "json", "--no-cache", "posts"]).output)
    sports = next(p for p in data["posts"] if p["path"].endswith("sports.md"))
    link = next(f for f in sports["findings"] if f["rule"] == "unsafe-link")
    assert link["match"] == "http://bit.ly/a*****-h***"
    assert sports["allowed"][0]["reason"] == "Mum of T***** N****** agreed on the phone"
    other = next(p for p in data["posts"] if p["path"].endswith("other.md"))
    (link,) = [f for f in other["findings"] if f["rule"] == "unsafe-link"]
    assert link["match"] == "http://example.org/news/j**************-wins"
    assert any("reference photo consent/p****-r****.png for learner L0042" in n for n in data["notices"])


def test_scrubber_masks_names_only():
    scrub = Scrubber(known_names_for([("Amelia", "Hart")]), names=["Tomasz Nowicki"])
    assert scrub("7 faces checked against the consent list") == "7 faces checked against the consent list"
    assert scrub("distance 0.08: Learner 1234 photo at x=120, y=60") == "distance 0.08: Learner 1234 photo at x=120, y=60"
    assert scrub("bit.ly/amelia-hart, AMELIA_HART.jpg, #AmeliaHart, Hart, Amelia") == \
        "bit.ly/a*****-h***, A**********.jpg, #A*********, H***, A*****"
    assert scrub("tomasz.nowicki@example.com wrote to Tomasz") == "t*****.n******@example.com wrote to Tomasz"
    assert scrub("Amelia and Tom Hart; Ameliana Hartley") == "Amelia and Tom Hart; Ameliana Hartley"


def known_names_for(pairs):
    class Config:
        roster = tuple(Learner(first, last) for first, last in pairs)
        consent_list = None
    return known_names(Config())


def test_learner_id_is_shown_alike_in_message_and_details():
    finding = Finding("objected-image", "objected-image", Severity.ERROR, ("7.2",),
                      "Photo shows learner L0101 (A.H.) on the consent list: face 334x334 px at x=139, y=287, distance 0.08",
                      "p.jpg", None, None, "L0101 334x334 px at x=139, y=287",
                      details={"learner": "L0101", "initials": "A.H.", "distance": 0.08})
    post = redact_report(Report((PostResult("p.md", "school", None, ("p.jpg",), (finding,)),)),
                         [("Amelia", "Hart")]).posts[0]
    assert post.findings[0] == finding  # nothing in it is a name


def test_a_baselined_name_stays_masked_in_excerpts_under_ci(tmp_path, monkeypatch):
    posts = make_content_repo(tmp_path)
    draft = posts / "news.md"
    draft.write_text("Well done to Harriet Wilde in Year 6!\n", encoding="utf-8")  # not on the roster
    monkeypatch.chdir(tmp_path)
    assert "1 finding in 1 post" in runner.invoke(app, ["baseline", "posts"]).output
    draft.write_text("Well done to Harriet Wilde in Year 6! Photos: http://bit.ly/sports\n", encoding="utf-8")
    monkeypatch.setenv("CI", "true")
    for fmt in ("human", "html"):
        result = runner.invoke(app, ["check", "-f", fmt, "--no-cache", "posts"])
        assert result.exit_code == 1 and "bit.ly/sports" in result.output
        assert "Harriet" not in result.output and "Wilde" not in result.output
        assert "H****** W****" in result.output


def test_a_name_a_check_puts_in_details_is_masked_everywhere():
    finding = Finding("reference", "reference", Severity.WARNING, ("3.3",), "Reference for Harriet Wilde",
                      "p.md", 1, 1, "a reference", details={"person": "Harriet Wilde"})
    post = PostResult("p.md", "school", None, (), (finding,), "I recommend Harriet Wilde warmly.")
    post = redact_report(Report((post,))).posts[0]
    assert post.findings[0].message == "Reference for H****** W****"
    assert post.findings[0].details == {"person": "H****** W****"} and post.findings[0].match == "a reference"
    assert post.text == "I recommend H****** W**** warmly."
