"""The shipped first-name and surname list (an extract of names-dataset; see scripts/build_names.py)."""
from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from postcheck.names.fold import fold

DATA_FILE = "names.tsv.gz"


@dataclass(frozen=True)
class NamesList:
    """Folded name -> rank (lower is commoner), for first names and for surnames."""

    first: dict[str, int]
    last: dict[str, int]

    def first_rank(self, word: str) -> int | None:
        return _rank(self.first, fold(word))

    def last_rank(self, word: str) -> int | None:
        return _rank(self.last, fold(word))

    def __len__(self) -> int:
        return len(self.first) + len(self.last)


def _rank(table: dict[str, int], key: str) -> int | None:
    """A name's rank. The list writes no apostrophes (O'Connor is "oconnor"); a hyphenated name it lacks
    (Lily-Mae, Okonkwo-Hale, Gordon-Mills) takes the rank of its rarer part when every part is such a name."""
    key = key.replace("'", "")
    rank = table.get(key)
    if rank is not None or "-" not in key:
        return rank
    parts = key.split("-")
    if len(parts) > 3 or not all(part in table for part in parts):
        return None
    return max(table[part] for part in parts)


@lru_cache(maxsize=1)
def names_list() -> NamesList:
    """Load the shipped list once per process (about 0.2 s; 100k names)."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    source = resources.files("postcheck") / "data" / DATA_FILE
    text = gzip.decompress(source.read_bytes()).decode("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, kind, rank = line.split("\t")
        table = first if kind == "first" else last
        key = fold(name)
        value = int(rank)
        if value < table.get(key, 1 << 30):
            table[key] = value
    return NamesList(first, last)
