"""Where clean copies go (NAME.cleaned.EXT beside the original, or mirrored under -o DIR) and how they are written."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

from postcheck.outfile import OutputError, write_bytes_atomic
from postcheck.posts import CLEANED_MARK as MARK


class FixPathError(Exception):
    """A copy that must not or cannot be written (one line, names the file)."""


def is_cleaned(path: Path) -> bool:
    """A copy this command wrote: never fixed again."""
    return path.stem.endswith(MARK) or f"{MARK}." in path.name


def neutral_stem(source: Path) -> str:
    """A file name that says nothing about who is in the photo, the same on every run."""
    return "photo-" + hashlib.sha256(str(source.resolve()).encode("utf-8")).hexdigest()[:8]


class Layout:
    """Copies beside their originals, or under ``out_dir`` mirroring the folders below ``base``."""

    def __init__(self, out_dir: Path | None, roots: Iterable[Path]) -> None:
        """``roots``: the paths given on the command line (folders mirror from themselves, files from their folder)."""
        self.out_dir = out_dir.resolve() if out_dir else None
        folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in roots]
        self.base = Path(os.path.commonpath([str(f) for f in folders])) if folders and out_dir else None

    def copy_of(self, source: Path, stem: str | None = None, suffix: str | None = None) -> Path:
        name = f"{stem or source.stem}{MARK}{suffix or source.suffix}"
        if self.out_dir is None or self.base is None:
            return source.parent / name
        try:
            return self.out_dir / source.resolve().parent.relative_to(self.base) / name
        except ValueError:  # a photo from outside the folders given: beside the others, under a neutral folder
            return self.out_dir / "_outside" / name

    def inside_output(self, path: Path) -> bool:
        """A file under -o DIR (copies from an earlier run), unless DIR holds the inputs themselves."""
        if self.out_dir is None or self.base is None or self.base.is_relative_to(self.out_dir):
            return False
        try:
            path.resolve().relative_to(self.out_dir)
        except ValueError:
            return False
        return True


def write_copy(target: Path, data: bytes, protected: set[Path]) -> None:
    """Write atomically; never over an input, a configuration file or anything that is not a clean copy."""
    resolved = target.resolve()
    if resolved in protected:
        raise FixPathError(f"{target}: is one of the inputs; not overwritten")
    if target.exists() and (not target.is_file() or not is_cleaned(target)):
        raise FixPathError(f"{target}: exists and is not a clean copy; not overwritten")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, data)
    except OSError as exc:
        raise FixPathError(f"{target}: cannot write: {exc.strerror or exc}") from None
    except OutputError as exc:
        raise FixPathError(str(exc)) from None
