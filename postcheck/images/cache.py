"""The per-user cache folder (POSTCHECK_CACHE_DIR, XDG_CACHE_HOME or ~/.cache/postcheck): owner-only, no names inside."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir(*parts: str) -> Path | None:
    """The cache folder (created 0700, marked as postcheck's, so `cache clear` removes it), or None."""
    from postcheck.cache import default_dir, mark_cache_dir

    folder = default_dir()
    try:
        mark_cache_dir(folder)
        for sub in (folder, *(folder.joinpath(*parts[: i + 1]) for i in range(len(parts)))):
            sub.mkdir(mode=0o700, parents=True, exist_ok=True)
            if sub.stat().st_mode & 0o077:
                sub.chmod(0o700)  # reference encodings are biometric data: owner only
    except OSError:
        return None
    return folder.joinpath(*parts)


def write_private(target: Path, data: bytes) -> bool:
    """Write a file readable only by its owner (0600), atomically; False if it cannot be written."""
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")  # mkstemp creates 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temp, 0o600)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True
