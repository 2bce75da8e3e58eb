"""A labelled corpus folder (drafts/, roster.csv, staff.txt) as a configuration and its posts, for benchmarks."""
from __future__ import annotations

import tempfile
from pathlib import Path

from postcheck.config import Config, load_config
from postcheck.discovery import discover, load
from postcheck.posts import Post


def load_corpus(corpus: Path, roster: bool = True) -> tuple[Config, list[Post]]:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "postcheck.yaml"
        lists = f"roster: {corpus / 'roster.csv'}\nstaff: {corpus / 'staff.txt'}\n" if roster else ""
        cfg.write_text(f"school: The Link School\n{lists}", encoding="utf-8")
        config = load_config(cfg)
    return config, [load(spec, "school") for spec in discover([corpus / "drafts"])]
