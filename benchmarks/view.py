#!/usr/bin/env python3
"""Cost of the reader's view (postcheck/text/view.py) beside loading a draft.

    python benchmarks/view.py [CORPUS] [--repeat 5]

Prints medians over repeats: ms per corpus draft for load_draft (which builds the view) and for
reader_view alone, then ms for reader_view on 200 KB texts of four kinds (plain ASCII, accented
and emoji-rich prose, a non-Latin script, and text full of the evasions it undoes).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from postcheck.discovery import discover  # noqa: E402
from postcheck.posts import load_draft  # noqa: E402
from postcheck.text.view import reader_view  # noqa: E402

SIZE = 200_000
SAMPLES = {
    "ascii": "Well done to the Year 6 relay team for a brilliant sports day! ",
    "accents+emoji": "Zoë and Siobhán’s café trip 👏🏽 was a triumph — well done! 👨‍👩‍👧 ",
    "non-latin": "Москва и Санкт-Петербург — Ελλάδα — 東京の学校 — مرحبا بكم ",
    "evasions": "Well done Ame\u200blia H&#97;rt, **Ame**lia <span>Hart</span> and \u0410m\u0435lia! ",
}


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    drafts = [spec.path for spec in discover([Path(args.corpus) / "drafts"]) if spec.kind == "draft"]
    if drafts:
        texts = [d.read_text(encoding="utf-8") for d in drafts]
        load = median_ms(lambda: [load_draft(d) for d in drafts], args.repeat) / len(drafts)
        view = median_ms(lambda: [reader_view(t) for t in texts], args.repeat) / len(drafts)
        changed = sum(not reader_view(t).identity for t in texts)
        print(f"{len(drafts)} drafts: load_draft {load:.3f} ms a draft, of which reader_view {view:.3f} ms "
              f"({changed} drafts changed by it)")
    for name, sample in SAMPLES.items():
        text = (sample * (SIZE // len(sample) + 1))[:SIZE]
        print(f"reader_view, 200 KB {name:14} {median_ms(lambda: reader_view(text), args.repeat):8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
