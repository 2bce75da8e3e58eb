"""postcheck fix: corrected copies of posts (names, photo metadata, objectors' faces); originals never touched."""
from __future__ import annotations

from postcheck.fixer.run import FixOptions, FixReport, fix_posts

__all__ = ["FixOptions", "FixReport", "fix_posts"]
