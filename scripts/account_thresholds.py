"""Post-level recall and precision of one learned category per account, at several review thresholds.

    uv run python scripts/account_thresholds.py                                   # disparaging on corpus/validation
    uv run python scripts/account_thresholds.py --category disclaimer FILE.jsonl ...

Reads posts in the corpus format (corpus/README.md) that the shipped model was NOT trained on
(corpus/validation/ by default) and scores them with the shipped model alone, as postcheck judges them (the mean
of the two readers where they judge, the static reader elsewhere), rules left out: a post is flagged when any of
its units reaches the threshold. This is how the school account's disparaging thresholds were checked.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from postcheck.checks.learned import two_readers  # noqa: E402
from postcheck.learned import load_model, split_units  # noqa: E402

THRESHOLDS = (0.993, 0.984, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6)


def best_scores(posts: list[dict], category: str) -> list[float]:
    model = load_model()
    column = model.categories.index(category)
    out = []
    for post in posts:
        texts = [post["text"][a:b] for a, b in split_units(post["text"])]
        if not texts:
            out.append(0.0)
            continue
        scores = model.score(texts, post["account"], post.get("platform", ""))[:, column]
        if two_readers(model, category, post["account"]):
            # the mean of the two readers for every unit: where the static score alone rules a unit out
            # (postcheck.checks.learned.judged), that mean is below the threshold too, so the maximum is flagged
            # at a threshold exactly when postcheck flags the post
            second = model.context_score(texts, post["account"], post.get("platform", ""))
            scores = (scores + second[:, model.context_categories.index(category)]) / 2
        out.append(float(scores.max()))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="*", help="JSONL files (default corpus/validation/*.jsonl)")
    parser.add_argument("--category", default="disparaging")
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "corpus" / "validation").glob("*.jsonl"))
    posts = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    scores = best_scores(posts, args.category)
    for account in ("school", "personal"):
        mine = [(s, args.category in p["categories"], not p["categories"])
                for s, p in zip(scores, posts) if p["account"] == account]
        positives = sum(1 for _, pos, _ in mine if pos)
        print(f"{account}: {len(mine)} posts, {positives} {args.category}, "
              f"{sum(1 for *_, clean in mine if clean)} clean")
        for t in THRESHOLDS:
            tp = sum(1 for s, pos, _ in mine if pos and s >= t)
            fp = sum(1 for s, pos, _ in mine if not pos and s >= t)
            clean = sum(1 for s, _, c in mine if c and s >= t)
            print(f"  review {t:.3f}: found {tp} of {positives} ({tp / max(1, positives):.2f}), "
                  f"{fp} flagged in error ({clean} of them clean), precision {tp / max(1, tp + fp):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
