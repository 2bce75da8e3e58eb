"""--changed-since in a throwaway git repository; pre-commit style file lists (--find-drafts)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.gitutil import GitError, changed_files
from postcheck.owners import specs_for_files

from conftest import ROOT, SCHOOL, make_content_repo

runner = CliRunner()
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    env_args = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false",
                "-c", "init.defaultBranch=main"]
    return subprocess.run(["git", *env_args, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    posts = make_content_repo(tmp_path)
    (posts / "a.md").write_text("Amelia Hart won.\n", encoding="utf-8")
    (posts / "b.md").write_text("Tom Hart won.\n\n![team](team.jpg)\n", encoding="utf-8")
    (posts / "team.jpg").write_bytes(b"jpeg-ish")
    (posts / "lone.png").write_bytes(b"png-ish")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    git(tmp_path, "tag", "v1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _paths(output: str) -> list[str]:
    return [post["path"] for post in json.loads(output)["posts"]]


def test_nothing_changed_checks_nothing_and_passes(repo):
    result = runner.invoke(app, ["check", "-f", "json", "--changed-since", "v1", "posts"])
    assert result.exit_code == 0 and _paths(result.output) == []
    assert any("0 changed posts checked, 3 unchanged skipped" in n for n in json.loads(result.output)["notices"])


def test_changed_draft_is_checked(repo):
    (repo / "posts" / "a.md").write_text("Amelia Hart won again.\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "-f", "json", "--changed-since", "v1", "posts"])
    assert result.exit_code == 1 and _paths(result.output) == ["posts/a.md"]


def test_committed_and_new_files_count_and_changed_image_brings_its_draft(repo):
    (repo / "posts" / "team.jpg").write_bytes(b"another jpeg")
    git(repo, "commit", "-qam", "new photo")
    (repo / "posts" / "new.md").write_text("Fresh post.\n", encoding="utf-8")  # untracked
    result = runner.invoke(app, ["check", "-f", "json", "--changed-since", "v1", "posts"])
    assert sorted(_paths(result.output)) == ["posts/b.md", "posts/new.md"]


def test_settings_change_rechecks_everything(repo):
    with open(repo / "postcheck.yaml", "a", encoding="utf-8") as handle:
        handle.write("account: school\n")
    result = runner.invoke(app, ["check", "-f", "json", "--changed-since", "v1", "posts"])
    assert _paths(result.output) == ["posts/a.md", "posts/b.md", "posts/lone.png"]
    assert any("postcheck.yaml changed since v1" in n for n in json.loads(result.output)["notices"])


def test_roster_change_rechecks_everything(repo):
    with open(repo / "roster.csv", "a", encoding="utf-8") as handle:
        handle.write("New,Learner,3,\n")
    result = runner.invoke(app, ["check", "-f", "json", "--changed-since", "v1", "posts"])
    assert len(_paths(result.output)) == 3
    assert any("roster.csv changed since v1" in n for n in json.loads(result.output)["notices"])


def test_branch_changes_are_measured_from_the_merge_base(repo):
    git(repo, "checkout", "-qb", "feature")
    (repo / "posts" / "a.md").write_text("Amelia won.\n", encoding="utf-8")
    git(repo, "commit", "-qam", "feature edit")
    git(repo, "checkout", "-q", "main")
    (repo / "posts" / "b.md").write_text("Tom won.\n", encoding="utf-8")
    git(repo, "commit", "-qam", "main edit")
    git(repo, "checkout", "-q", "feature")
    assert changed_files("main", repo) == {(repo / "posts" / "a.md").resolve()}


def test_bad_ref_and_not_a_repo_are_one_line_errors(repo, tmp_path_factory, monkeypatch):
    result = runner.invoke(app, ["check", "--changed-since", "no-such-ref", "posts"])
    assert result.exit_code == 2 and "unknown git ref 'no-such-ref'" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = runner.invoke(app, ["check", "--changed-since", "--output=x", "posts"])
    assert result.exit_code == 2 and "unknown git ref" in result.output
    outside = tmp_path_factory.mktemp("plain")
    (outside / "p.md").write_text("Hello\n", encoding="utf-8")
    monkeypatch.chdir(outside)
    with pytest.raises(GitError, match="not inside a git repository"):
        changed_files("HEAD", outside)
    result = runner.invoke(app, ["check", "-c", str(SCHOOL / "postcheck.yaml"), "--changed-since", "HEAD", "p.md"])
    assert result.exit_code == 2 and "not inside a git repository" in result.output


def test_find_drafts_checks_a_lone_image_through_its_draft(repo):
    specs = specs_for_files([Path("posts/team.jpg"), Path("posts/lone.png")])
    assert [(s.path.as_posix(), s.kind) for s in specs] == [("posts/b.md", "draft"), ("posts/lone.png", "image")]
    specs = specs_for_files([Path("posts/b.md"), Path("posts/team.jpg"), Path("posts/lone.png")])
    assert [(s.path.as_posix(), s.kind) for s in specs] == [("posts/b.md", "draft"), ("posts/lone.png", "image")]
    result = runner.invoke(app, ["check", "-f", "json", "--find-drafts", "posts/a.md", "posts/lone.png"])
    assert _paths(result.output) == ["posts/a.md", "posts/lone.png"]


def test_pre_commit_hook_definition():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "postcheck" and hook["language"] == "python" and hook["require_serial"] is True
    assert hook["entry"].split()[:2] == ["postcheck", "check"] and "--find-drafts" in hook["entry"]
    import re

    pattern = re.compile(hook["files"])
    assert all(pattern.search(n) for n in ("a.md", "b.MARKDOWN", "c.txt", "d.JPG", "e.jpeg", "f.png", "g.heic"))
    assert not any(pattern.search(n) for n in ("postcheck.yaml", "roster.csv", "x.py"))
