"""Baselines: recorded findings drop out of later runs; the file holds no names, lines or times."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postcheck import baseline as baselines
from postcheck.cli import app

from conftest import make_content_repo

runner = CliRunner()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A content repo: config beside the drafts, run from its top folder."""
    posts = make_content_repo(tmp_path)
    (posts / "old.md").write_text("Intro.\n\nWell done to Amelia Hart and to Amelia Hart again!\n", encoding="utf-8")
    (posts / "other.md").write_text("Tom Hart scored.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    return tmp_path


def _check(*args):
    return runner.invoke(app, ["check", "-f", "json", *args, "posts"])


def test_baseline_file_has_no_names_lines_or_times(repo):
    result = runner.invoke(app, ["baseline", "posts"])
    assert result.exit_code == 0 and "3 findings in 2 posts (2 posts checked)" in result.output
    text = (repo / baselines.FILE_NAME).read_text()
    data = json.loads(text)
    assert "Amelia" not in text and "Hart" not in text and "hart" not in text.lower()
    assert {tuple(sorted(row)) for row in data["findings"]} == {("count", "match", "path", "rule")}
    assert sorted((r["path"], r["count"]) for r in data["findings"]) == [("posts/old.md", 2), ("posts/other.md", 1)]
    assert set(data) == {"postcheck_baseline", "hash", "iterations", "salt", "findings"}


def test_baselined_findings_are_dropped_and_counted(repo):
    runner.invoke(app, ["baseline", "posts"])
    result = _check()
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["baselined"] == 3
    assert all(post["findings"] == [] for post in data["posts"])
    assert any("3 findings in 2 posts baselined by .postcheck-baseline.json" in n for n in data["notices"])
    everything = json.loads(_check("--no-baseline").output)
    assert everything["baselined"] == 0 and sum(len(p["findings"]) for p in everything["posts"]) == 3


def test_baseline_survives_edits_but_not_new_findings(repo):
    runner.invoke(app, ["baseline", "posts"])
    (repo / "posts" / "old.md").write_text(
        "A new first line.\n\nIntro.\n\nWell done to  amelia hart and to Amelia Hart again! And Niamh O'Connor.\n",
        encoding="utf-8")
    result = _check()
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["baselined"] == 3
    (finding,) = [f for p in data["posts"] for f in p["findings"]]
    assert finding["match"] == "N**** O'C*****"


def test_count_limits_what_an_entry_covers(repo):
    runner.invoke(app, ["baseline", "posts"])
    (repo / "posts" / "other.md").write_text("Tom Hart scored. Tom Hart again.\n", encoding="utf-8")
    data = json.loads(_check().output)
    assert data["baselined"] == 3
    assert [len(p["findings"]) for p in data["posts"]] == [0, 1]


def test_fixed_findings_leave_stale_entries_noted(repo):
    runner.invoke(app, ["baseline", "posts"])
    (repo / "posts" / "other.md").write_text("Tom scored.\n", encoding="utf-8")
    notices = json.loads(_check().output)["notices"]
    assert any("1 baseline entry" in n and "no longer match" in n for n in notices)


def test_rerecording_keeps_the_salt_so_the_file_is_stable(repo):
    runner.invoke(app, ["baseline", "posts"])
    first = (repo / baselines.FILE_NAME).read_text()
    runner.invoke(app, ["baseline", "posts"])
    assert (repo / baselines.FILE_NAME).read_text() == first


def test_same_name_in_two_posts_hashes_differently():
    salt = "00" * 16
    assert (baselines.match_hash("r", "a.md", "Amelia Hart", salt)
            != baselines.match_hash("r", "b.md", "Amelia Hart", salt))
    assert (baselines.match_hash("r", "a.md", "Amelia  HART", salt)
            == baselines.match_hash("r", "a.md", "amelia hart", salt))
    assert baselines.match_hash("r", "a.md", "Amelia Hart", salt) != baselines.match_hash("r", "a.md", "Amelia Hart", "11" * 16)


def test_explicit_baseline_and_input_errors_not_recorded(repo):
    (repo / "posts" / "bad.md").write_bytes(b"\x00\x01" * 50)
    result = runner.invoke(app, ["baseline", "posts", "-o", "elsewhere.json"])
    assert result.exit_code == 0 and "1 input or allow-comment error not baselined" in result.output
    assert not (repo / baselines.FILE_NAME).exists()
    result = _check("--baseline", "elsewhere.json")
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["baselined"] == 3
    assert [f["category"] for p in data["posts"] for f in p["findings"]] == ["input-error"]


@pytest.mark.parametrize("content, message", [
    ("{not json", "invalid JSON"),
    ('{"findings": []}', "not a postcheck baseline"),
    ('{"postcheck_baseline": 1, "salt": "zz", "findings": []}', "[salt]"),
    ('{"postcheck_baseline": 1, "salt": "00", "findings": [{"rule": "x"}]}', "[findings.0]"),
])
def test_bad_baseline_is_one_line_usage_error(repo, content, message):
    Path("b.json").write_text(content, encoding="utf-8")
    result = _check("--baseline", "b.json")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_baseline_command_through_main_and_help(repo, capsys):
    from postcheck.cli import main

    assert main(["baseline", "posts"]) == 0
    assert "wrote" in capsys.readouterr().out and (repo / baselines.FILE_NAME).is_file()
    result = runner.invoke(app, ["baseline", "--help"])
    assert result.exit_code == 0 and "baseline" in result.output.lower()


def _gps_photo(path: Path) -> Path:
    from PIL import Image

    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    Image.new("RGB", (64, 48), (200, 200, 200)).save(path, exif=exif)
    return path


def test_an_entry_belongs_to_its_post_never_to_a_new_or_renamed_one(repo):
    _gps_photo(repo / "posts" / "trip.jpg")
    (repo / "posts" / "trip.md").write_text("Our trip.\n\n![trip](trip.jpg)\n", encoding="utf-8")
    assert "4 findings in 3 posts (3 posts checked)" in runner.invoke(app, ["baseline", "posts"]).output
    assert _check().exit_code == 0
    # a new draft reusing the baselined photo, and one repeating a baselined name: both fail
    (repo / "posts" / "again.md").write_text("Trip again!\n\n![trip](trip.jpg)\n", encoding="utf-8")
    (repo / "posts" / "copy.md").write_text("Tom Hart scored.\n", encoding="utf-8")
    result = _check()
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["baselined"] == 4
    failing = {p["path"]: [f["rule"] for f in p["findings"]] for p in data["posts"] if p["findings"]}
    assert failing == {"posts/again.md": ["image-metadata"], "posts/copy.md": ["learner-full-name"]}
    # a renamed post inherits nothing either
    (repo / "posts" / "again.md").unlink()
    (repo / "posts" / "copy.md").unlink()
    (repo / "posts" / "trip.md").rename(repo / "posts" / "our-trip.md")
    data = json.loads(_check().output)
    assert [p["path"] for p in data["posts"] if p["findings"]] == ["posts/our-trip.md"]
    assert data["baselined"] == 3


def test_baseline_counts_findings_posts_and_checked_posts(repo):
    (repo / "posts" / "clean.md").write_text("A lovely day.\n", encoding="utf-8")
    (repo / "posts" / "personal.md").write_text("---\naccount: personal\n---\nLovely lunch with Harriet Wilde.\n",
                                                encoding="utf-8")
    result = runner.invoke(app, ["baseline", "posts"])
    assert "3 findings in 2 posts (4 posts checked)" in result.output, result.output
    rows = json.loads((repo / baselines.FILE_NAME).read_text())["findings"]
    assert sum(r["count"] for r in rows) == 3  # an info finding is nothing to accept: not recorded


def test_entries_under_an_image_path_are_stale_not_applied(repo):
    """An older postcheck keyed a photo's findings by the photo alone: any post reusing it inherited them."""
    _gps_photo(repo / "posts" / "trip.jpg")
    (repo / "posts" / "trip.md").write_text("Our trip.\n\n![trip](trip.jpg)\n", encoding="utf-8")
    (finding,) = [f for p in json.loads(_check().output)["posts"] for f in p["findings"] if f["path"] == "posts/trip.jpg"]
    old = baselines.new(repo / baselines.FILE_NAME)
    old.entries[("image-metadata", "posts/trip.jpg",
                 baselines.match_hash("image-metadata", "posts/trip.jpg", finding["match"], old.salt))] += 1
    (repo / baselines.FILE_NAME).write_text(baselines.dumps(old), encoding="utf-8")
    result = _check()
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["baselined"] == 0
    assert any("1 baseline entry" in n and "no longer match" in n for n in data["notices"])
