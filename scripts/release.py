"""Make a release: set the version, commit, and create the annotated tag vX.Y.Z.

Usage: python scripts/release.py X.Y.Z

Sets X.Y.Z in pyproject.toml and postcheck/__init__.py, and in the README's install snippets
(`postcheck@vX.Y.Z`, `rev: vX.Y.Z`), commits that as "Release vX.Y.Z" and tags the commit. When the
files already say X.Y.Z (the first release), it only tags. Refuses (exit 2, nothing changed) on a
dirty work tree, an existing tag, or a version that is not above the current one. Pushes nothing:
it prints the command that publishes the release.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# (file, pattern whose group 2 is the version); the pyproject one is [project]'s first `version =` line
PLACES = (
    ("pyproject.toml", re.compile(r'(?m)^(version = ")(\d+\.\d+\.\d+)(")')),
    ("postcheck/__init__.py", re.compile(r'(?m)^(__version__ = ")(\d+\.\d+\.\d+)(")')),
    ("README.md", re.compile(r"(postcheck@v|rev: v)(\d+\.\d+\.\d+)()")),
)


class Refused(Exception):
    pass


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise Refused(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def current_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = PLACES[0][1].search(text)
    if not found:
        raise Refused("pyproject.toml: no `version = \"X.Y.Z\"` line")
    return found.group(2)


def set_version(new: str) -> list[str]:
    """Write the new version everywhere (every file is read and checked before any is written); the files changed."""
    updates = {}
    for name, pattern in PLACES:
        text = (ROOT / name).read_text(encoding="utf-8")
        if not pattern.search(text):
            raise Refused(f"{name}: no version to set")
        updated = pattern.sub(lambda m: f"{m.group(1)}{new}{m.group(3)}", text, count=int(name == "pyproject.toml"))
        if updated != text:
            updates[name] = updated
    for name, text in updates.items():
        (ROOT / name).write_text(text, encoding="utf-8")
    return list(updates)


def release(new: str) -> str:
    if not VERSION.match(new):
        raise Refused(f"{new!r} is not a version X.Y.Z")
    tag = f"v{new}"
    if git("status", "--porcelain"):
        raise Refused("the work tree has uncommitted or untracked changes: commit or stash them first")
    if subprocess.run(["git", "rev-parse", "-q", "--verify", f"refs/tags/{tag}"], cwd=ROOT,
                      capture_output=True).returncode == 0:
        raise Refused(f"tag {tag} already exists")
    old = current_version()
    as_tuple = lambda v: tuple(int(x) for x in VERSION.match(v).groups())  # noqa: E731
    if as_tuple(new) < as_tuple(old):
        raise Refused(f"{new} is below the current version {old}")
    changed = set_version(new)
    if changed:
        git("add", "--", *changed)
        git("commit", "-q", "-m", f"Release {tag}")
    git("tag", "-a", tag, "-m", f"postcheck {new}")
    return tag


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr if len(argv) != 1 else sys.stdout)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    try:
        tag = release(argv[0])
    except Refused as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 2
    print(f"Tagged {tag} at {git('rev-parse', '--short', 'HEAD')}. Publish it: git push origin HEAD {tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
