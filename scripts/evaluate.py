#!/usr/bin/env python3
"""Measure postcheck on a labelled corpus (the layout of ../shared/corpus).

    python scripts/evaluate.py [CORPUS] [--verbose] [--json]

CORPUS holds drafts/*.md, labels.yaml, roster.csv and staff.txt (and optionally a
postcheck.yaml, used instead of the roster/staff pair). Prints, per category, recall and
precision at draft level (a category counts as found when any finding of it is an error or a
warning), and verdict accuracy. Drafts labelled `any` are left out of the verdict figures and
of the categories they list as in doubt.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from postcheck.config import load_config  # noqa: E402
from postcheck.discovery import PostSpec, load  # noqa: E402
from postcheck.engine import Engine  # noqa: E402
from postcheck.model import CATEGORIES, Severity  # noqa: E402


def corpus_config(corpus: Path, folder: Path) -> Path:
    own = corpus / "postcheck.yaml"
    if own.is_file():
        return own
    lines = ["school: The Link School", "website: https://www.linkschool.org.uk"]
    if (corpus / "roster.csv").is_file():
        lines.append(f"roster: {corpus / 'roster.csv'}")
    if (corpus / "staff.txt").is_file():
        lines.append(f"staff: {corpus / 'staff.txt'}")
    path = folder / "postcheck.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--verbose", "-v", action="store_true", help="list every draft that disagrees")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    corpus = Path(args.corpus).resolve()  # the config written below lives elsewhere: its paths must be absolute
    if not (corpus / "labels.yaml").is_file():
        print(f"evaluate: {corpus / 'labels.yaml'}: no labels file (a corpus folder holds labels.yaml and drafts/)",
              file=sys.stderr)
        return 2
    labels = yaml.safe_load((corpus / "labels.yaml").read_text(encoding="utf-8"))

    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(corpus_config(corpus, Path(tmp)))
    engine = Engine(config)
    drafts = sorted((corpus / "drafts").glob("*.md"))
    started = time.perf_counter()
    posts = [load(PostSpec(d, "draft"), config.account) for d in drafts]
    results = list(engine.iter_results(posts))
    elapsed = time.perf_counter() - started

    tp, fp, fn = Counter(), Counter(), Counter()
    verdict_ok = verdict_total = strict_ok = 0
    clean_total = clean_flagged = clean_failed = 0
    disagreements = []
    for draft, result in zip(drafts, results):
        label = labels.get(draft.stem) or {}
        expected = set(label.get("categories") or [])
        doubtful = expected if label.get("verdict") == "any" else set()
        if doubtful:
            expected = set()
        found = {f.category for f in result.findings if f.severity in (Severity.ERROR, Severity.WARNING)}
        for category in CATEGORIES:
            if category in doubtful:
                continue
            if category in found and category in expected:
                tp[category] += 1
            elif category in found:
                fp[category] += 1
            elif category in expected:
                fn[category] += 1
        if label.get("verdict") in ("pass", "fail"):
            verdict_total += 1
            flagged = result.verdict.value != "pass"
            verdict_ok += flagged == (label["verdict"] == "fail")
            strict_ok += result.verdict.value == label["verdict"]
            if label["verdict"] == "pass":  # a clean post sent to review costs trust too
                clean_total += 1
                clean_flagged += flagged
                clean_failed += result.verdict.value == "fail"
        missed, extra = expected - found - doubtful, found - expected - doubtful
        if missed or extra:
            disagreements.append((draft.name, sorted(missed), sorted(extra), label.get("note", "")))

    rows = {}
    for category in CATEGORIES:
        support = tp[category] + fn[category]
        predicted = tp[category] + fp[category]
        if not support and not predicted:
            continue
        rows[category] = {
            "support": support,
            "tp": tp[category], "fp": fp[category], "fn": fn[category],
            "recall": round(tp[category] / support, 3) if support else None,
            "precision": round(tp[category] / predicted, 3) if predicted else None,
        }
    figures = {
        "drafts": len(drafts),
        "categories": rows,
        "verdict_accuracy": round(verdict_ok / verdict_total, 3) if verdict_total else None,
        "verdict_accuracy_strict": round(strict_ok / verdict_total, 3) if verdict_total else None,
        "clean_posts": clean_total,
        "clean_flagged": round(clean_flagged / clean_total, 3) if clean_total else None,
        "clean_failed": round(clean_failed / clean_total, 3) if clean_total else None,
        "ms_per_draft": round(1000 * elapsed / max(1, len(drafts)), 1),
        "notices": engine.ctx.notices,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{len(drafts)} drafts from {corpus}  ({figures['ms_per_draft']} ms a draft, models loaded)")
        print(f"{'category':20} {'support':>7} {'tp':>4} {'fp':>4} {'fn':>4} {'recall':>7} {'precision':>9}")
        for category, row in rows.items():
            fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
            print(f"{category:20} {row['support']:>7} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} "
                  f"{fmt(row['recall']):>7} {fmt(row['precision']):>9}")
        print(f"verdict accuracy (review counts as flagged): {figures['verdict_accuracy']}")
        print(f"verdict accuracy (strict pass/fail):         {figures['verdict_accuracy_strict']}")
        if clean_total:
            print(f"clean posts flagged (fail or review): {clean_flagged}/{clean_total} = {figures['clean_flagged']}"
                  f"  (failed: {clean_failed})")
        for notice in engine.ctx.notices:
            print(f"note: {notice}")
        if args.verbose:
            for name, missed, extra, note in disagreements:
                print(f"  {name}: missed {missed or '-'}  extra {extra or '-'}  ({note})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
