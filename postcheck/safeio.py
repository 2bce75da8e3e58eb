"""Reading untrusted files safely: regular files only, with a size cap; paths resolved without loops.

A draft, image, roster or baseline may be a symlink to /dev/zero, a FIFO that never writes, a
symlink loop or a file far bigger than any post: each is refused with a one-line reason before a
byte is read, so a run never blocks, never reads without limit and never raises a traceback.
"""
from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

MB = 1 << 20
CONFIG_BYTES = 64 * MB  # a roster, staff list, consent list, rule file or baseline
IMAGE_BYTES = 200 * MB  # a photo (a 48 MP HEIC or RAW-ish TIFF stays well below)


class UnsafeFile(OSError):
    """A file that must not be read; ``reason`` is one line without the path."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.strerror = reason  # callers that print exc.strerror show the reason


def resolve(path: str | os.PathLike) -> Path:
    """``Path.resolve()`` that never raises: a symlink loop resolves as far as it can."""
    return Path(os.path.realpath(path))


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    return exc.strerror or str(exc)


def check_regular(path: str | os.PathLike, limit: int) -> os.stat_result:
    """Stat ``path`` (following symlinks); raise UnsafeFile unless it is a regular file within ``limit``."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UnsafeFile(_reason(exc)) from None
    except ValueError:  # an embedded NUL in the name
        raise UnsafeFile("invalid file name") from None
    if stat.S_ISDIR(st.st_mode):
        raise UnsafeFile("is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile(f"not a regular file ({_kind(st.st_mode)}); not read")
    if st.st_size > limit:
        raise UnsafeFile(f"{st.st_size:,} bytes, over the {limit:,}-byte limit; not read")
    return st


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "special file"


def read_bytes(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; raises UnsafeFile (an OSError).

    The file is opened without blocking (a FIFO swapped in after the check cannot hang the run)
    and read to at most ``limit`` + 1 bytes (a file that grows is still refused).
    """
    check_regular(path, limit)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnsafeFile(_reason(exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafeFile("not a regular file; not read")
        chunks, size = [], 0
        while size <= limit:
            block = os.read(fd, min(MB, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
    except UnsafeFile:
        raise
    except OSError as exc:
        raise UnsafeFile(_reason(exc)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise UnsafeFile(f"over the {limit:,}-byte limit; not read")
    return b"".join(chunks)


# C0 and C1 controls, DEL, bidi and other invisible formatting characters, and lone surrogates
# (from file names that are not valid UTF-8): a terminal or an annotation must show them, not obey them.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with control, bidi and undecodable characters written as ``\\xNN`` / ``\\uNNNN`` escapes."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(_escape, text)


def _escape(m: re.Match) -> str:
    code = ord(m.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
