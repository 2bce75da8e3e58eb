"""scripts/release.py sets the version everywhere, commits, tags; and refuses what would lose track."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

import postcheck

from conftest import ROOT

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
PINNED = re.compile(r"(?:postcheck@v|rev: v)(\d+\.\d+\.\d+)")


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_readme_install_snippets_name_this_version():
    pinned = PINNED.findall((ROOT / "README.md").read_text())
    assert len(pinned) >= 3  # GitHub Actions, GitLab CI, pre-commit
    assert set(pinned) == {version()} == {postcheck.__version__}


@pytest.fixture
def repo(tmp_path):
    """A copy of the files the script edits, in a fresh git repository with one commit."""
    for name in ("pyproject.toml", "README.md", "postcheck/__init__.py", "scripts/release.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "start")
    return tmp_path


def git(repo, *args) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def release(repo, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(repo / "scripts" / "release.py"), *args], cwd=repo,
                          capture_output=True, text=True, env={**os.environ, **GIT_ENV}, timeout=60)


def bump(v: str) -> str:
    major, minor, patch = map(int, v.split("."))
    return f"{major}.{minor}.{patch + 1}"


def test_release_sets_the_version_everywhere_commits_and_tags(repo):
    new = bump(version())
    done = release(repo, new)
    assert done.returncode == 0, done.stderr
    assert f"Tagged v{new}" in done.stdout and f"git push origin HEAD v{new}" in done.stdout
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-1", "--format=%s") == f"Release v{new}"
    assert git(repo, "cat-file", "-t", f"v{new}") == "tag"  # annotated
    assert git(repo, "rev-parse", f"v{new}^{{commit}}") == git(repo, "rev-parse", "HEAD")
    assert tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"] == new
    assert f'__version__ = "{new}"' in (repo / "postcheck" / "__init__.py").read_text()
    readme = (repo / "README.md").read_text()
    assert set(PINNED.findall(readme)) == {new}
    assert "actions/checkout@v4" in readme  # other pins are left alone
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["README.md", "postcheck/__init__.py", "pyproject.toml"]


def test_first_release_of_the_current_version_only_tags(repo):
    head = git(repo, "rev-parse", "HEAD")
    done = release(repo, version())
    assert done.returncode == 0, done.stderr
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "rev-parse", f"v{version()}^{{commit}}") == head


@pytest.mark.parametrize("case", ["dirty", "untracked", "tag exists", "lower", "not a version"])
def test_release_refuses_and_changes_nothing(repo, case):
    new = bump(version())
    if case == "dirty":
        (repo / "README.md").write_text((repo / "README.md").read_text() + "\nedit\n")
    elif case == "untracked":
        (repo / "notes.txt").write_text("draft\n")
    elif case == "tag exists":
        git(repo, "tag", f"v{new}")
    elif case == "lower":
        new = "0.0.1"
    else:
        new = "1.2"
    before = (git(repo, "rev-parse", "HEAD"), git(repo, "tag", "-l"), git(repo, "status", "--porcelain"))
    done = release(repo, new)
    assert done.returncode == 2
    assert done.stderr.startswith("release: ") and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert (git(repo, "rev-parse", "HEAD"), git(repo, "tag", "-l"), git(repo, "status", "--porcelain")) == before
    assert tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"] == version()
