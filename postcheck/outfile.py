"""Writing a report or baseline to a file: atomically, and never over an input or a setting."""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Iterable

from postcheck import safeio


class OutputError(Exception):
    """An output file that cannot or must not be written (one line, names the file)."""


def protected(config: Any = None, specs: Iterable[Any] = (), report: Any = None,
              extra: Iterable[Path | None] = (), baseline: bool = True) -> list[Path]:
    """Every file a run read or is configured with: drafts and their images, postcheck.yaml, the
    roster, staff and consent lists, reference photos, rule packs and (``baseline``) the baseline."""
    paths: list[Path] = []
    for spec in specs:
        paths.append(spec.path)
        paths.extend(spec.extra_images)
    if report is not None:  # images a draft refers to (report paths are relative to the current folder)
        for post in report.posts:
            paths.extend(Path(image) for image in post.images)
    if config is not None:
        paths.extend(config.own_files())
        for folder in config.rule_packs:
            paths.append(folder)
            paths.extend(folder.glob("*.yaml"))
        if baseline:
            from postcheck.baseline import default_path

            paths.append(default_path(config.path))
    paths.extend(p for p in extra if p is not None)
    return paths


def guard(target: Path, inputs: Iterable[Path]) -> None:
    """Refuse a target that is one of the inputs, a folder, or anything but a regular file."""
    shown = safeio.printable(str(target))
    resolved = safeio.resolve(target)
    try:
        target_stat = os.stat(target)
    except (OSError, ValueError):
        target_stat = None
    for path in inputs:
        if path is None:
            continue
        same = safeio.resolve(path) == resolved
        if not same and target_stat is not None:
            try:
                other = os.stat(path)
                same = (other.st_dev, other.st_ino) == (target_stat.st_dev, target_stat.st_ino)  # a hard link
            except (OSError, ValueError):
                pass
        if same:
            raise OutputError(f"{shown}: is one of the inputs or settings of this run; not overwritten "
                              "(choose another --output file)")
    if target_stat is not None:
        if stat.S_ISDIR(target_stat.st_mode):
            raise OutputError(f"{shown}: is a folder; give a file name")
        if not stat.S_ISREG(target_stat.st_mode):
            raise OutputError(f"{shown}: is not a regular file (a device, FIFO or socket); not replaced")


def write_atomic(target: Path, text: str, private: bool = False) -> None:
    """Write beside the target, then rename over it, so a reader never sees half a report.
    ``private``: readable by the owner only (0600), for reports that hold names or photos."""
    # a lone surrogate (a name that was not UTF-8) cannot be written
    write_bytes_atomic(target, text.encode("utf-8", "replace"), private)


def write_bytes_atomic(target: Path, data: bytes, private: bool = False) -> None:
    """write_atomic for bytes (reports, clean copies of drafts and photos).

    The temporary file is made in the folder named by ``target`` itself (not in the folder a
    symlink points to), and removed on any failure.
    """
    shown = safeio.printable(str(target))
    folder = Path(os.path.abspath(target)).parent
    if not folder.is_dir():
        raise OutputError(f"{shown}: folder {safeio.printable(str(folder))} does not exist")
    try:
        fd, temp = tempfile.mkstemp(prefix=".postcheck-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            mode = 0o600 if private else os.stat(target).st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)
