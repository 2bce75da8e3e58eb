"""Writing a report or baseline to a file: atomically, and never over one of the inputs."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable


class OutputError(Exception):
    """An output file that cannot or must not be written (one line, names the file)."""


def guard(target: Path, inputs: Iterable[Path]) -> None:
    """Refuse a target that is one of the inputs (a draft, an image, the config, the baseline)."""
    resolved = target.resolve()
    for path in inputs:
        if path is not None and path.resolve() == resolved:
            raise OutputError(f"{target}: is one of the inputs; not overwritten (choose another --output file)")
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name")


def write_atomic(target: Path, text: str) -> None:
    """Write beside the target, then rename over it, so a reader never sees half a report."""
    write_bytes_atomic(target, text.encode("utf-8"))


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """write_atomic for bytes (clean copies of drafts and photos)."""
    folder = target.resolve().parent
    if not folder.is_dir():
        raise OutputError(f"{target}: folder {folder} does not exist")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
