"""What was checked is said, but is never a finding; a photo of an objecting learner is never baselined.

"1 face checked against the consent list: no match" is a per-post "checked" record: shown in the
human report (not with --quiet), in JSON under "checked" and in HTML; never counted in a summary,
never annotated, never in SARIF, JUnit or the step summary, never baselined.
"""
from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from postcheck import baseline as baselines
from postcheck.cli import app

from conftest import make_content_repo, shared_path

runner = CliRunner()
CHECKED = "1 face checked against the consent list: no match"


def faces(*parts: str):
    return shared_path("fixtures", "faces", "people", *parts)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """Amelia Hart (L0042) objects to photos; team.jpg shows someone else."""
    posts = make_content_repo(tmp_path)
    (tmp_path / "consent").mkdir()
    shutil.copyfile(faces("obama", "obama.jpg"), tmp_path / "consent" / "L0042-1.jpg")
    shutil.copyfile(faces("kit_harington", "kit1.jpg"), posts / "team.jpg")
    (tmp_path / "consent_list.yaml").write_text(
        "learners:\n  - {id: L0042, name: Amelia Hart, objection: photos, photos: [consent/L0042-1.jpg]}\n",
        encoding="utf-8")
    with open(tmp_path / "postcheck.yaml", "a", encoding="utf-8") as config:
        config.write("consent_list: consent_list.yaml\n")
    (posts / "team.md").write_text("Our netball team.\n\n![team](team.jpg)\n", encoding="utf-8")
    (posts / "notes.md").write_text("A lovely day.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def _run(*args, env=None):
    return runner.invoke(app, ["check", *args, "posts"], env=env)  # later runs come from the cache


def test_checked_is_said_but_never_a_finding(repo):
    data = json.loads(_run("-f", "json").output)
    team = next(p for p in data["posts"] if p["path"] == "posts/team.md")
    assert team["verdict"] == "pass" and team["findings"] == []
    (record,) = team["checked"]
    assert record["path"] == "posts/team.jpg" and record["message"] == CHECKED
    assert record["details"]["face_count"] == 1

    human = _run()
    assert human.exit_code == 0 and f"posts/team.jpg  checked  {CHECKED}" in human.output
    assert "objected-image" not in human.output  # not in the category or clause tables either
    assert "7.2" not in human.output
    html = _run("-f", "html").output
    assert CHECKED in html and "nothing found" in html and "1 problem<" not in html
    assert 'data-faces="1"' in html  # the face looked at is still drawn

    # --quiet shows a failing post's findings, but not what was checked
    (repo / "posts" / "team.md").write_text("Well done to Amelia Hart!\n\n![team](team.jpg)\n", encoding="utf-8")
    quiet = _run("--quiet").output
    assert "FAIL  posts/team.md" in quiet and "learner-full-name" in quiet and "checked against" not in quiet
    assert CHECKED in _run().output


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_checked_is_not_in_ci_formats(repo, fmt):
    summary = repo / "summary.md"
    result = _run("-f", fmt, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0
    text = result.output + (summary.read_text(encoding="utf-8") if summary.exists() else "")
    assert "checked against" not in text and "::notice" not in text
    if fmt == "sarif":
        assert json.loads(result.output)["runs"][0]["results"] == []
    else:
        assert "objected-image" not in text


def test_checked_is_never_baselined(repo):
    result = runner.invoke(app, ["baseline", "posts"])
    assert "0 findings in 0 posts (2 posts checked)" in result.output
    assert json.loads((repo / baselines.FILE_NAME).read_text())["findings"] == []


def test_objector_photo_is_never_baselined_nor_inherited(repo):
    shutil.copyfile(faces("obama", "obama2.jpg"), repo / "posts" / "relay.jpg")
    (repo / "posts" / "relay.md").write_text("Relay!\n\n![relay](relay.jpg)\n", encoding="utf-8")
    result = runner.invoke(app, ["baseline", "posts"])
    assert "1 objected-image finding not baselined" in result.output
    rows = json.loads((repo / baselines.FILE_NAME).read_text())["findings"]
    assert rows and all(r["rule"] != "objected-image" for r in rows)  # the photo's metadata is recorded

    (repo / "posts" / "again.md").write_text("New post!\n\n![relay again](relay.jpg)\n", encoding="utf-8")
    result = _run("-f", "json")
    data = json.loads(result.output)
    assert result.exit_code == 1
    rules = {p["path"]: sorted({f["rule"] for f in p["findings"]}) for p in data["posts"]}
    # the old post still lists the objector photo; the new one inherits nothing from it
    assert rules["posts/relay.md"] == ["objected-image"]
    assert rules["posts/again.md"] == ["image-metadata", "objected-image"]
    finding = next(f for f in data["posts"][0]["findings"] if f["rule"] == "objected-image")
    # masking (json) hides names only: the learner id, distance and face position stay readable
    assert finding["details"]["learner"] == "L0042" and "learner L0042 (A.H.)" in finding["message"]
    assert "distance 0." in finding["message"] and " px at x=" in finding["message"]
