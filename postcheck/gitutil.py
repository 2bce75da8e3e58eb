"""``--changed-since REF``: which files git says changed, and the posts they belong to."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from postcheck import safeio
from postcheck.discovery import PostSpec
from postcheck.model import Report
from postcheck.posts import load_draft


class GitError(Exception):
    """git is missing, the folder is not a repository, or the ref is unknown (one line)."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                              errors="surrogateescape", timeout=120)
    except FileNotFoundError:
        raise GitError("--changed-since needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"--changed-since: git {args[0]} took too long") from None


def changed_files(ref: str, cwd: Path) -> set[Path]:
    """Files changed between ``ref`` (its merge base with HEAD) and the working tree, plus new files."""
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise GitError(f"--changed-since: {cwd} is not inside a git repository")
    root = Path(top.stdout.strip())
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root)
    if commit.returncode != 0 or not commit.stdout.strip():
        raise GitError(f"--changed-since: unknown git ref {ref!r} in {root} "
                       "(in CI, fetch it first, e.g. actions/checkout with fetch-depth: 0)")
    sha = commit.stdout.strip()
    # Changes on this branch since it left REF, as `git diff REF...` does, plus uncommitted work.
    base = _git(["merge-base", sha, "HEAD"], root)
    since = base.stdout.strip() if base.returncode == 0 and base.stdout.strip() else sha
    diff = _git(["diff", "--name-only", "--no-renames", "-z", since, "--"], root)
    if diff.returncode != 0:
        raise GitError(f"--changed-since: git diff failed: {diff.stderr.strip().splitlines()[-1:] or ['?']}"[:200])
    new = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    names = [n for n in (diff.stdout + "\0" + new.stdout).split("\0") if n]
    return {safeio.resolve(root / name) for name in names}


@dataclass
class ChangedOnly:
    """Filters posts to those whose draft or images changed; counts what it skipped."""

    ref: str
    changed: set[Path]
    everything: bool = False  # settings changed: every post may have a new answer
    skipped: int = 0
    reason: str = ""
    kept: int = field(default=0)

    def __call__(self, specs: Iterable[PostSpec]) -> list[PostSpec]:
        """The posts to check: those whose draft or any of its images changed."""
        kept = []
        for spec in specs:
            files = [safeio.resolve(spec.path), *(safeio.resolve(p) for p in spec.extra_images)]
            if spec.kind == "draft" and not self.everything:
                files += [ref.path for ref in load_draft(spec.path).images]
            if self.everything or any(f in self.changed for f in files):
                kept.append(spec)
            else:
                self.skipped += 1
        self.kept = len(kept)
        return kept

    def note(self, report: Report) -> Report:
        if self.everything:
            message = f"{self.reason} changed since {self.ref}: every post checked"
        else:
            message = (f"--changed-since {self.ref}: {self.kept} changed post{'s' if self.kept != 1 else ''} "
                       f"checked, {self.skipped} unchanged skipped")
        return replace(report, notices=(*report.notices, message))


def settings_files(config) -> list[Path]:
    """The files whose change can change any post's answer: the config and the files it names."""
    from postcheck import yamlio

    if config.path is None:
        return []
    files = [config.path, *config.rule_packs]
    try:
        data = yamlio.load(config.path)
    except Exception:  # already loaded once by load_config; a re-read problem is not ours to report
        data = None
    if isinstance(data, dict):
        files += [config.path.parent / str(data[key]) for key in ("roster", "staff", "consent_list")
                  if isinstance(data.get(key), str)]
    return files


def changed_only(ref: str, cwd: Path, settings: Iterable[Path | None] = ()) -> ChangedOnly:
    """A post filter for ``--changed-since``; a change to the settings files means check everything."""
    changed = changed_files(ref, cwd)
    for path in settings:
        if path is None:
            continue
        path = safeio.resolve(path)
        if path in changed or (path.is_dir() and any(path in c.parents for c in changed)):
            return ChangedOnly(ref, changed, everything=True, reason=path.name)
    return ChangedOnly(ref, changed)
