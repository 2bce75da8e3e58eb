#!/usr/bin/env python3
"""Cost per draft of the word-matching rules (topics, disclaimer, contact, circumstances) on ready Docs.

    python benchmarks/words.py [CORPUS] [--repeat 15]

Parses every draft once, then times only the word-matching rules over all drafts, with the spaCy
Docs and without (the fallback tokens), and prints the median and the fastest run in ms a draft.
The per-run memo (ctx.cache) is emptied between runs, so each run tokenises each post afresh.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _corpus import load_corpus  # noqa: E402

from postcheck.checks import check_class  # noqa: E402
from postcheck.engine import Context  # noqa: E402
from postcheck.nlp import NLP  # noqa: E402
from postcheck.rulepack import load_pack  # noqa: E402

WORD_KINDS = {"topics", "disclaimer", "private_contact", "contact_details", "personal_circumstances"}


def _time(checks: list, posts: list, ctx: Context, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        ctx.cache.clear()
        started = time.perf_counter()
        for post in posts:
            for check in checks:
                list(check.run(post, ctx))
        runs.append((time.perf_counter() - started) * 1000 / len(posts))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    config, posts = load_corpus(corpus)
    rules = [r for r in load_pack().rules if r.check in WORD_KINDS]
    checks = [check_class(r.check)(r, config) for r in rules]
    print(f"{len(posts)} drafts, {len(rules)} word-matching rules, {args.repeat} runs")
    for label, nlp in (("with spaCy Docs", NLP()), ("without spaCy", NLP("none"))):
        ctx = Context(config, nlp)
        ctx.prefetch_docs(posts)
        _time(checks, posts, ctx, 1)  # warm: lazy imports and tables
        runs = _time(checks, posts, ctx, args.repeat)
        print(f"{label:16} median {statistics.median(runs):6.2f}  fastest {min(runs):6.2f} ms/draft")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
