"""Nicknames and diminutives of English first names (Bill, Will and Liam for William), from the shipped
table postcheck/data/nicknames.csv (see postcheck/data/README.md for its source and licence)."""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from postcheck.names.fold import letters

DATA_FILE = "nicknames.csv"


@lru_cache(maxsize=1)
def nickname_table() -> dict[str, frozenset[str]]:
    """Folded first name -> the folded names it is also known by."""
    table: dict[str, set[str]] = {}
    with (resources.files("postcheck") / "data" / DATA_FILE).open("r", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name, other = letters(row.get("name1") or ""), letters(row.get("name2") or "")
            if name and other and name != other and row.get("relationship") == "has_nickname":
                table.setdefault(name, set()).add(other)
    return {name: frozenset(others) for name, others in table.items()}


def nicknames(first: str) -> frozenset[str]:
    """The nicknames and diminutives of a first name (folded), or none."""
    return nickname_table().get(letters(first), frozenset())
