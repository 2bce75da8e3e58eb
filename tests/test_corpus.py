"""The training corpus (corpus/data/*.jsonl) is well formed: what scripts/train.py learns from. So are the posts
written for the second reader (corpus/context/*.jsonl, scripts/train_context.py; train.py's disparaging head reads them too) and the validation posts
(corpus/validation/*.jsonl), which neither learns from."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from postcheck.model import CATEGORIES

from conftest import ROOT

DATA = ROOT / "corpus" / "data"
VALIDATION = ROOT / "corpus" / "validation"
CONTEXT = ROOT / "corpus" / "context"
REGISTRY = re.compile(r"pypi\.org|files\.pythonhosted|/simple/", re.I)


def _posts(folder=DATA):
    posts = []
    for file in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                posts.append((f"{file.name}:{number}", json.loads(line)))
    return posts


POSTS = _posts()
CHECKED = POSTS + _posts(CONTEXT) + _posts(VALIDATION)


def test_the_corpus_is_big_enough_and_mostly_clean():
    assert len(POSTS) >= 5000
    clean = sum(1 for _, p in POSTS if not p["categories"])
    assert clean / len(POSTS) >= 0.5
    per = Counter(c for _, p in POSTS for c in p["categories"])
    assert all(per[c] >= 100 for c in ("disparaging", "confidential", "personal-info", "learner-contact",
                                        "reference", "disclaimer")), per


def test_every_post_is_well_formed():
    ids = Counter(p["id"] for _, p in CHECKED)
    assert not [i for i, n in ids.items() if n > 1]
    for where, post in CHECKED:
        assert post["account"] in ("school", "personal"), where
        assert isinstance(post["text"], str) and post["text"].strip(), where
        assert set(post["categories"]) <= set(CATEGORIES), where
        evidence = post.get("evidence") or {}
        assert set(evidence) == set(post["categories"]), where
        for category, spans in evidence.items():
            assert spans and all(s and s in post["text"] for s in spans), f"{where}: {category} evidence not in text"


@pytest.mark.parametrize("kind", ["real", "adapted"])
def test_real_text_says_where_it_came_from(kind):
    sourced = [p for _, p in CHECKED if p.get("source", "").startswith(kind + ":")]
    assert sourced and all(re.match(rf"{kind}:\S+\.\S+", p["source"]) for p in sourced)


def test_no_package_registry_address_in_the_corpus():
    assert not [w for w, p in CHECKED if REGISTRY.search(json.dumps(p))]


def test_the_validation_posts_are_not_in_the_training_corpus():
    validation = {p["id"] for _, p in _posts(VALIDATION)}
    assert len(validation) >= 300
    assert not validation & {p["id"] for _, p in POSTS + _posts(CONTEXT)}


def test_the_second_readers_own_posts_are_about_disparagement_and_its_hard_negatives():
    posts = [p for _, p in _posts(CONTEXT)]
    assert len(posts) >= 400
    disparaging = [p for p in posts if "disparaging" in p["categories"]]
    assert 0.3 <= len(disparaging) / len(posts) <= 0.6
    assert sum(1 for p in disparaging if p["account"] == "school") / len(disparaging) >= 0.7
    assert sum(1 for p in posts if p["source"].startswith("adapted:")) / len(posts) >= 0.3


SPAN_LABELS = {"learner", "adult", "public", "fictional", "thing", "not-name"}


def _span_posts(name):
    path = ROOT / "corpus" / "names" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_name_check_posts_are_well_formed_and_not_trained_on():
    trained, check = _span_posts("spans.jsonl"), _span_posts("check.jsonl")
    assert len(check) >= 100 and any(s["label"] == "learner" for p in check for s in p["spans"])
    assert not {p["id"] for p in check} & {p["id"] for p in trained}
    for post in check:
        assert post["account"] in ("school", "personal") and post["source"].startswith(("real:", "adapted:")), post["id"]
        assert all(s["text"] in post["text"] and s["label"] in SPAN_LABELS for s in post["spans"]), post["id"]
        assert not REGISTRY.search(json.dumps(post)), post["id"]
