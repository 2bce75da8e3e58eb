"""What the text check costs with the learned layer: 1,000 real-register drafts on one core.

    python benchmarks/text_cost.py [--posts 1000] [--repeat 3]

The drafts are posts of the training corpus (corpus/data/*.jsonl, a seeded sample: one-liners to
long newsletters), written out as Markdown with front matter. Each measurement is a fresh process
pinned to one core (model loading and peak RSS counted honestly), median of ``--repeat``:

- bare ``nlp.pipe`` of en_core_web_sm over the same texts (the yardstick);
- postcheck's text check with the learned model (no result cache, one process);
- the same with ``model: enabled: false`` (the rules alone), to show the model's own share.

Goals (issue 11): the text check at most 1.6x bare ``nlp.pipe``; peak memory at most 700 MB.
The machine's other load makes timings noisy: re-run at a quiet moment.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch import median_of  # noqa: E402  (each run: a fresh process running batch.measure)


def corpus_posts(count: int, seed: int = 11) -> list[dict]:
    posts = []
    for file in sorted((ROOT / "corpus" / "data").glob("*.jsonl")):
        with file.open(encoding="utf-8") as handle:
            posts += [json.loads(line) for line in handle if line.strip()]
    if not posts:
        raise SystemExit("no training corpus under corpus/data/: nothing to measure")
    rng = random.Random(seed)
    rng.shuffle(posts)
    return (posts * (count // len(posts) + 1))[:count]


def write_drafts(folder: Path, posts: list[dict]) -> None:
    folder.mkdir(parents=True)
    for i, post in enumerate(posts):
        front = f"---\naccount: {post.get('account', 'school')}\nplatform: {post.get('platform', 'facebook')}\n---\n"
        (folder / f"post-{i:04d}.md").write_text(front + post["text"] + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})  # one core, inherited by every run

    school = ROOT / "tests" / "fixtures" / "school" / "postcheck.yaml"
    with tempfile.TemporaryDirectory(prefix="postcheck-text-cost-") as tmp:
        work = Path(tmp)
        posts = corpus_posts(args.posts)
        drafts = work / "drafts"
        write_drafts(drafts, posts)
        base = school.read_text(encoding="utf-8").replace("roster: ", f"roster: {school.parent}/").replace(
            "staff: ", f"staff: {school.parent}/")
        with_model = work / "model.yaml"
        with_model.write_text(base, encoding="utf-8")
        rules_only = work / "rules.yaml"
        rules_only.write_text(base + "\nmodel: {enabled: false}\n", encoding="utf-8")
        words = sum(len(p["text"].split()) for p in posts)
        print(f"# {len(posts)} drafts from corpus/ ({words / len(posts):.0f} words on average), one core, "
              f"median of {args.repeat} fresh processes")
        bare = median_of(args.repeat, "bare", drafts, with_model, work / "c0", 1)
        model = median_of(args.repeat, "nocache", drafts, with_model, work / "c1", 1)
        rules = median_of(args.repeat, "nocache", drafts, rules_only, work / "c2", 1)
        ms = lambda r: 1000 * r["seconds"] / len(posts)  # noqa: E731
        print(f"bare nlp.pipe            {bare['seconds']:7.2f} s  {ms(bare):5.1f} ms/draft  rss {bare['rss_mb']:5.0f} MB")
        print(f"text check, rules only   {rules['seconds']:7.2f} s  {ms(rules):5.1f} ms/draft  rss {rules['rss_mb']:5.0f} MB  "
              f"{rules['seconds'] / bare['seconds']:.2f}x bare")
        print(f"text check, with model   {model['seconds']:7.2f} s  {ms(model):5.1f} ms/draft  rss {model['rss_mb']:5.0f} MB  "
              f"{model['seconds'] / bare['seconds']:.2f}x bare (goal <= 1.6x; memory goal <= 700 MB)")
        print(f"the model's own share    {model['seconds'] - rules['seconds']:7.2f} s  "
              f"{ms(model) - ms(rules):5.1f} ms/draft")


if __name__ == "__main__":
    main()
