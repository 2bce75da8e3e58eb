#!/usr/bin/env python3
"""Build postcheck/data/names.tsv.gz, the shipped first-name and surname list, from names-dataset.

    python -m pip download --no-deps -d /tmp/nd names-dataset==3.3.1
    python scripts/build_names.py /tmp/nd/names_dataset-3.3.1-py3-none-any.whl

names-dataset (Philippe Remy, PyPI `names-dataset`; metadata licence MIT, the wheel's LICENSE
file is Apache-2.0) ranks 730k first names and 983k surnames per country. Only the build reads it:
postcheck ships a small extract and never depends on the package at run time. The extract keeps
names that rank well in the countries UK schools' families most often come from, so a rare word
that happens to be someone's name somewhere does not count as a name.
"""
from __future__ import annotations

import argparse
import gzip
import io
import pickle
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "postcheck" / "data" / "names.tsv.gz"

# English-speaking countries: a name's rank there counts as it is.
HOME = ("GB", "IE", "US", "CA", "AU", "NZ")
# Countries many UK pupils' families come from: their ranks count at a discount.
ABROAD = ("PL", "RO", "LT", "LV", "BG", "SK", "CZ", "HU", "UA", "RU", "PT", "ES", "IT", "FR",
          "DE", "NL", "BE", "GR", "TR", "HR", "RS", "AL", "IN", "PK", "BD", "LK", "AF", "IR",
          "IQ", "SY", "EG", "MA", "DZ", "SA", "AE", "NG", "GH", "KE", "ZW", "ET", "SD", "ZA",
          "JM", "PH", "BR", "NO", "SE", "DK", "FI")
# (Romanised Chinese syllables are left out: "The", "Long" and "Man" rank there as given names.)
ABROAD_FACTOR = 4  # rank 500 in Poland counts like rank 2000 at home
LIMITS = {"first": 2500, "last": 8000}
_WORD = re.compile(r"^[^\W\d_][^\W\d_'’\- ]*(?:[-'’ ][^\W\d_]+)*$")


def load(wheel: Path, member: str) -> dict:
    with zipfile.ZipFile(wheel) as zf:
        with zf.open(member) as raw:
            return pickle.load(gzip.GzipFile(fileobj=io.BytesIO(raw.read())))


def score(ranks: dict[str, int]) -> int | None:
    best = [r for c, r in ranks.items() if c in HOME]
    best += [r * ABROAD_FACTOR for c, r in ranks.items() if c in ABROAD]
    return min(best) if best else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="names_dataset-3.3.1-py3-none-any.whl")
    args = parser.parse_args()
    rows: list[tuple[str, str, int]] = []
    for kind, member in (("first", "names_dataset/v3/first_names.pkl.gz"), ("last", "names_dataset/v3/last_names.pkl.gz")):
        data = load(args.wheel, member)
        kept = 0
        for name, info in data.items():
            rank = score(info.get("rank") or {})
            if rank is None or rank > LIMITS[kind] or len(name) < 2 or not _WORD.match(name):
                continue
            if name != name[0].upper() + name[1:]:
                continue  # lower-case entries in the dump are mostly noise
            rows.append((name, kind, rank))
            kept += 1
        print(f"{kind}: kept {kept:,} of {len(data):,}", file=sys.stderr)
    rows.sort(key=lambda r: (r[1], r[0]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    header = ("# postcheck names list: name<TAB>first|last<TAB>rank (lower is commoner).\n"
              "# Extract of names-dataset 3.3.1 (Philippe Remy, the names-dataset package on PyPI, "
              "MIT per its metadata, Apache-2.0 LICENSE file); built by scripts/build_names.py.\n")
    body = "".join(f"{n}\t{k}\t{r}\n" for n, k, r in rows)
    # mtime=0 keeps the file byte-identical between builds
    with open(OUT, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write((header + body).encode("utf-8"))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes, {len(rows):,} names)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
