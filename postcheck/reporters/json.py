"""``--format json``: the stable machine shape (schema 1)."""
from __future__ import annotations

import json
from typing import IO

from postcheck import __version__
from postcheck.model import Report


def to_dict(report: Report, redacted: bool = False) -> dict:
    return {
        "schema": 1,
        "postcheck": __version__,
        "posts": [post.to_dict() for post in report.posts],
        "summary": report.summary(),
        "baselined": report.baselined,
        "notices": list(report.notices),
        "redacted": redacted,
    }


def render(report: Report, out: IO[str], options) -> None:
    json.dump(to_dict(report, redacted=not options.show_names), out, indent=2, ensure_ascii=False)
    out.write("\n")
