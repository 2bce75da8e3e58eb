"""Learner full names with no roster, on real posts whose every person-like span is labelled.

    uv run python scripts/evaluate_spans.py                       # corpus/names/check.jsonl
    uv run python scripts/evaluate_spans.py FILE.jsonl --verbose  # also every post it gets wrong

Reads posts in the format of corpus/names/spans.jsonl (corpus/README.md) that the name model was NOT trained on,
checks each with postcheck as shipped and no roster, and counts posts: one is flagged when postcheck reports a
learner full name in it (error or warning; notes do not count), and names a learner when one of its spans is
labelled `learner`. Prints recall and precision over posts, the share of posts without a learner that are
flagged, and how the flagged names that name no learner were labelled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from postcheck.config import Config  # noqa: E402
from postcheck.engine import Engine  # noqa: E402
from postcheck.model import Severity  # noqa: E402
from postcheck.posts import post_from_text  # noqa: E402


def label_of(match: str, spans: list[dict]) -> str:
    """The label of the span the reported name is, lies in or covers ("?" for none)."""
    for span in spans:
        if match and (match in span["text"] or span["text"] in match):
            return span["label"]
    return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, nargs="?", default=ROOT / "corpus" / "names" / "check.jsonl")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    posts = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    engine = Engine(Config(school="Our School"))
    tp = fp = fn = 0
    wrong: Counter[str] = Counter()
    # postcheck knows two accounts; a post labelled with another (a club's, a newspaper's) is public text, read as
    # the school's own (a post's front matter with such an account is an input error, which checks no names)
    other = Counter(p["account"] for p in posts if p.get("account", "school") not in ("school", "personal"))
    if other:
        print(f"read as the school's account: {sum(other.values())} posts labelled {dict(other)}")
    for post in posts:
        account = post.get("account", "school")
        account = account if account in ("school", "personal") else "school"
        result = engine.check_post(post_from_text(post["text"], account=account, name="post.md"))
        found = [f for f in result.findings if f.category == "learner-full-name" and f.severity is not Severity.INFO]
        learner = any(s["label"] == "learner" for s in post["spans"])
        tp += bool(found) and learner
        fp += bool(found) and not learner
        fn += learner and not found
        labels = [label_of(f.match or "", post["spans"]) for f in found]
        wrong.update(label for label in labels if label != "learner")
        if args.verbose and bool(found) != learner:
            shown = ", ".join(f"{f.match!r} ({label})" for f, label in zip(found, labels)) or "nothing found"
            print(f"  {post['id']}: {'missed a learner' if learner else 'flagged'}: {shown}")
    clean = sum(1 for p in posts if not any(s["label"] == "learner" for s in p["spans"]))
    print(f"{len(posts)} posts, {tp + fn} naming a learner in full, {clean} naming none")
    print(f"posts: recall {tp / max(1, tp + fn):.3f}, precision {tp / max(1, tp + fp):.3f}; "
          f"posts naming no learner flagged: {fp} of {clean}")
    print("names reported that are not a learner's, by label:", dict(wrong.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
