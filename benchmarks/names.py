#!/usr/bin/env python3
"""Cost per draft of the learner-name check against a bare ``nlp(text)`` call on the same texts.

    python benchmarks/names.py [CORPUS] [--repeat 5] [--no-roster]

Prints medians over repeats (ms per draft): bare nlp(text); the name check alone on a ready Doc
(roster + names list + context); and both together, which is what a run pays for names.
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

from postcheck.checks.names import PersonNames  # noqa: E402
from postcheck.engine import Context  # noqa: E402
from postcheck.nlp import NLP  # noqa: E402
from postcheck.rulepack import load_pack  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-roster", action="store_true",
                        help="no roster or staff list: every name is judged by context and the name model")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    config, posts = load_corpus(corpus, roster=not args.no_roster)
    nlp = NLP()
    pipeline = nlp.pipeline
    if pipeline is None:
        print(nlp.problem)
        return 1
    check = PersonNames(load_pack().get("learner-full-name"), config)
    ctx = Context(config, nlp)
    ctx.prefetch_docs(posts)
    list(check.run(posts[0], ctx))  # warm: names list and lemmatizer tables load once per run
    bare, names = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for post in posts:
            pipeline(post.prose)
        bare.append((time.perf_counter() - started) * 1000 / len(posts))
        started = time.perf_counter()
        for post in posts:
            list(check.run(post, ctx))
        names.append((time.perf_counter() - started) * 1000 / len(posts))
    b, n = statistics.median(bare), statistics.median(names)
    print(f"{len(posts)} drafts, median of {args.repeat} runs")
    print(f"bare nlp(text):            {b:7.2f} ms/draft")
    print(f"name check on a ready Doc: {n:7.2f} ms/draft  ({100 * n / b:.0f}% of bare nlp)")
    print(f"nlp + name check:          {b + n:7.2f} ms/draft")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
