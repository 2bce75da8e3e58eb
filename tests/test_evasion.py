"""Wrongful passes (issue 16): names hidden from a plain search, images and text postcheck did not
see, unreadable folders, a staff member sharing a learner's name, names inside web addresses."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.config import load_config
from postcheck.discovery import discover, load
from postcheck.engine import Engine
from postcheck.posts import load_draft

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "school"
runner = CliRunner()


def names(result) -> list[tuple[str, int | None, int | None]]:
    return [(f.match, f.line, f.column) for f in result.findings if f.category == "learner-full-name"]


@pytest.mark.parametrize("written", [
    "Ame\u200blia Hart", "Ame\u00adlia Hart", "\u0410m\u0435lia Hart", "Ame\u202dlia Hart",
    "\U0001d400\U0001d426\U0001d41e\U0001d425\U0001d422\U0001d41a Hart", "Amelia&nbsp;Hart", "Am&#101;lia Hart",
    "**Ame**lia Hart", "Ame<span>lia</span> Hart", "\u202etraH ailemA\u202c",
])
def test_hidden_full_name_is_found_where_it_was_written(check_text, written):
    result = check_text(f"Sports day\n\nWell done to {written} in Year 9!")
    found = names(result)
    assert found and result.verdict.value == "fail", written
    # line 3, column 14: where the name's first letter is in the source, whatever hid it
    assert found[0][1:] == (3, 14 + len(written) - len(written.lstrip("*\u202e")))


def school_in(tmp_path: Path, roster: str, staff: str | None = None):
    """An engine for a school in ``tmp_path`` and a function that checks a draft's text with it."""
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    config = "roster: roster.csv\n"
    if staff is not None:
        (tmp_path / "staff.txt").write_text(staff, encoding="utf-8")
        config += "staff: staff.txt\n"
    (tmp_path / "postcheck.yaml").write_text(config, encoding="utf-8")
    engine = Engine(load_config(tmp_path / "postcheck.yaml"))

    def check(text: str):
        (tmp_path / "post.md").write_text(text, encoding="utf-8")
        return engine.check_post(load_draft(tmp_path / "post.md"))

    return engine, check


def test_decomposed_accents_in_a_roster_name(tmp_path):
    _, check = school_in(tmp_path, "first_name,last_name\nZoë,Brontë\n")
    result = check("Well done Zoe\u0308 Bronte\u0308!\n")
    assert [(f.line, f.column, f.end_column) for f in result.findings if f.category == "learner-full-name"] \
        == [(1, 11, 23)]


def test_every_image_a_renderer_shows_is_checked(tmp_path):
    from PIL import Image

    for name in ("inline.jpg", "ref.jpg", "linked.jpg", "tag.jpg", "block.png"):
        Image.new("RGB", (8, 8), "white").save(tmp_path / name)
    text = ("Team ![a](inline.jpg) and ![t][t]\n\n[![team](linked.jpg)](https://example.org/story)\n\n"
            "Look <img src=\"tag.jpg\" alt=\"x\"> here\n\n<img src='block.png'>\n\n[t]: ref.jpg\n")
    (tmp_path / "post.md").write_text(text, encoding="utf-8")
    post = load_draft(tmp_path / "post.md")
    assert sorted(ref.path.name for ref in post.images) == ["block.png", "inline.jpg", "linked.jpg", "ref.jpg", "tag.jpg"]
    assert post.problems == ()
    linked = next(ref for ref in post.images if ref.path.name == "linked.jpg")
    assert (linked.line, linked.column) == (3, 2)


def test_an_image_outside_the_drafts_folder_is_refused(tmp_path):
    from PIL import Image

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    Image.new("RGB", (8, 8), "white").save(outside / "secret.png")
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "post.md").write_text(f"![a]({outside / 'secret.png'})\n\n![b](../elsewhere/secret.png)\n", encoding="utf-8")
    post = load_draft(drafts / "post.md")
    assert post.images == ()
    assert [p.line for p in post.problems] == [1, 3]
    assert all("outside the draft's folder" in p.message for p in post.problems)
    # the config's folder (and the folders it lists) are allowed
    assert [r.path.name for r in load_draft(drafts / "post.md", image_roots=[outside]).images] == ["secret.png"]
    config = tmp_path / "postcheck.yaml"
    config.write_text("image_folders: [elsewhere]\n", encoding="utf-8")
    assert load_config(config).image_roots() == (tmp_path.resolve(), outside.resolve())
    result = runner.invoke(app, ["check", "--no-cache", "-c", str(config), str(drafts / "post.md")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["check", "--no-cache", "-c", str(FIXTURES / "postcheck.yaml"), str(drafts / "post.md")])
    assert result.exit_code == 1 and "outside the draft's folder" in " ".join(result.output.split())


def test_front_matter_lists_and_maps_are_checked(check_text):
    result = check_text("---\ntitle: Sports day\ntags: [relay, Amelia Hart]\nteam:\n  captain: Tom Hart\n"
                        "  winners:\n    - Jonah Whitfield\n---\nWhat a day!\n")
    assert sorted(f[1:] for f in names(result)) == [(3, 15), (5, 12), (7, 7)]


def test_front_matter_without_names_passes(check_text):
    assert check_text("---\ntags: [relay, sports day, 2024]\nmeta: {year: 9, house: Red}\n---\nWhat a day!\n"
                      ).verdict.value == "pass"


def test_an_unreadable_folder_is_reported_and_fails(tmp_path, monkeypatch):
    (tmp_path / "ok.md").write_text("Well done to the relay team!\n", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.md").write_text("Well done Amelia Hart!\n", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    specs = discover([tmp_path])
    assert [s.kind for s in specs] == ["draft", "unreadable"]
    post = load(specs[1], "school")
    assert "cannot read folder" in post.problems[0].message
    result = runner.invoke(app, ["check", "--no-cache", "--jobs", "1", "-c", str(FIXTURES / "postcheck.yaml"), str(tmp_path)])
    assert result.exit_code == 1 and "cannot read folder" in " ".join(result.output.split())


def test_staff_member_with_a_learners_name(tmp_path):
    engine, check = school_in(tmp_path, "first_name,last_name\nAmelia,Hart\n", "Amelia Hart\nHelen Marsh\n")
    assert names(check("Well done Amelia Hart in the relay!"))
    assert not names(check("Thanks to Mrs Amelia Hart for running the relay."))
    assert not names(check("Thanks to our PE teacher Amelia Hart for running the relay."))
    assert not names(check("Thanks to Helen Marsh for running the relay."))
    notes = [n for n in engine.ctx.notices if "also on the roster" in n]
    assert notes == ["staff list: 1 name is also on the roster; such a name is treated as a learner's unless a "
                     "staff title or role is attached to it"]
    assert "Amelia" not in notes[0]


@pytest.mark.parametrize("text, named", [
    ("Read more: https://www.linkschool.org.uk/news/amelia-hart-county-champion", True),
    ("Story at www.linkschool.org.uk/news/Amelia_Hart", True),
    ("[Read the story](https://example.org/news/AmeliaHart/)", True),
    ("See https://example.org/winners/hart-amelia.html", True),
    # a path with no host: an image or link destination is published too, read or not
    ("![Raft building](/uploads/news/2024/raft-building-amelia-hart.jpg)", True),
    ("[Read the story](../news/amelia-hart-county-champion)", True),
    ("![The relay team](/uploads/news/2024/relay-team-year-6.jpg)", False),
    # hard negatives: ordinary addresses, accents, emoji and other scripts in legitimate text
    ("Read more: https://www.linkschool.org.uk/news/sports-day-results", False),
    ("Photos at https://example.org/gallery/red-house-winners", False),
    ("Well done Amelia! https://example.org/news/relay-team", False),
    ("Zoë and Siobhán loved the Brontë exhibition 👏🏽👨\u200d👩\u200d👧", False),
    ("Our pen pals in Москва and Αθήνα wrote back!", False),
    ("**Well done** to the whole of Year 9!", False),
    ("No sh*t Sherlock, that was a great game.", False),
])
def test_learner_named_in_a_web_address(check_text, text, named):
    assert bool(names(check_text(text))) is named, text


def test_roster_rows_without_letters_are_ignored(tmp_path):
    from postcheck.config import ConfigError, load_roster

    roster = tmp_path / "roster.csv"
    roster.write_text("first_name,last_name\nAmelia,Hart\n.,.\n-,--\n", encoding="utf-8")
    assert [learner.full_name for learner in load_roster(roster)] == ["Amelia Hart"]
    roster.write_text("first_name,last_name\nAmelia,.\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing a first or last name"):
        load_roster(roster)


@pytest.mark.parametrize("category, text", [
    ("disparaging", "The referee was a complete id\u200biot."),
    ("disparaging", "The referee was a complete <b>id</b>iot."),
    ("personal-info", "Lost property? E-mail me at jo.ellery1980&#64;gmail.com and I'll sort it."),
    ("personal-info", "Any questions, call Mrs Ellery on her mobile, \uff10\uff17\uff19\uff11\uff11 123456."),
])
def test_other_text_rules_read_the_reader_view(check_text, category, text):
    assert any(f.category == category for f in check_text(text).findings), text


def test_an_unreadable_draft_in_a_walked_folder_fails(tmp_path, monkeypatch):
    (tmp_path / "ok.md").write_text("Well done to the relay team!\n", encoding="utf-8")
    locked = tmp_path / "locked.md"
    locked.write_text("Well done Amelia Hart!\n", encoding="utf-8")
    from postcheck import safeio

    real_read_bytes = safeio.read_bytes

    def read_bytes(path, limit):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path, limit)

    monkeypatch.setattr(safeio, "read_bytes", read_bytes)
    result = runner.invoke(app, ["check", "--no-cache", "--jobs", "1", "-c", str(FIXTURES / "postcheck.yaml"), str(tmp_path)])
    assert result.exit_code == 1 and "cannot read draft: Permission denied" in " ".join(result.output.split())


def test_an_image_name_too_long_for_the_file_system_is_a_finding(tmp_path):
    (tmp_path / "post.md").write_text(f"![a]({'a' * 5000}.jpg)\n", encoding="utf-8")
    post = load_draft(tmp_path / "post.md")
    assert post.images == () and "cannot be read" in post.problems[0].message
    assert len(post.problems[0].message) < 200


def test_an_image_given_as_a_website_path_is_named_as_such(tmp_path):
    # pasted from a school website's Markdown: the photo is not on this machine, so it cannot be checked
    (tmp_path / "post.md").write_text("Sports day!\n\n![Relay](/uploads/2024/03/zz-postcheck-relay-0.jpg)\n", encoding="utf-8")
    post = load_draft(tmp_path / "post.md")
    (problem,) = post.problems
    assert post.images == () and problem.line == 3
    assert "is a path on a website, not a file here: save the photo beside the draft" in problem.message
