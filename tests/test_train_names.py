"""scripts/train_names.py: how a hand-labelled span becomes a training label."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
train_names = pytest.importorskip("train_names")

SPANS = [{"text": "Ruby Stokoe's", "label": "learner"}, {"text": "Max FC Girls", "label": "thing"},
         {"text": "Gary Cheetham", "label": "adult"}]


@pytest.mark.parametrize("name, label", [
    ("Ruby Stokoe", 1),          # the labelled span without its possessive
    ("Ruby Stokoe's", 1),
    ("Max FC", 0),               # inside a longer labelled thing
    ("Gary Cheetham", 0),
    ("Gary\nCheetham", 0),       # a line break inside the name
    ("Lily Unlisted", None),     # not labelled, in a post that names a learner: unknown
])
def test_a_candidate_takes_the_label_of_the_span_it_is_or_lies_in(name, label):
    assert train_names.span_label(name, SPANS) == label


def test_an_unlisted_candidate_in_a_post_without_learners_is_not_a_learner():
    assert train_names.span_label("Lily Unlisted", SPANS[1:]) == 0


def test_span_posts_read_as_posts_with_learner_evidence(tmp_path):
    rows = [{"id": "s-1", "account": "school", "text": "Well done Ruby Stokoe's team, coached by Gary Cheetham.",
             "spans": SPANS[::2]},
            {"id": "s-2", "account": "school", "text": "Thanks to Gary Cheetham.", "spans": SPANS[2:]}]
    (tmp_path / "batch-01.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    read = train_names.read_span_posts(tmp_path)
    assert [(r["id"], r["categories"], r["evidence"]) for r in read] == [
        ("s-1", ["learner-full-name"], {"learner-full-name": ["Ruby Stokoe's"]}), ("s-2", [], {})]
    assert train_names.read_span_posts(tmp_path / "batch-01.jsonl") == read
    assert train_names.is_real(read[0]) and not train_names.is_real({"source": "written"})


def test_writers_that_train_only_other_heads_train_no_name_model(tmp_path):
    assert "w15" in train_names.OTHER_HEADS  # written for disparagement (scripts/train.py's ONLY_HEADS)
    post = {"id": "x-1", "account": "school", "platform": "website", "text": "Well done Ruby Stokoe!",
            "categories": [], "evidence": {}}
    for writer in ("w1", *train_names.OTHER_HEADS):
        (tmp_path / f"{writer}.jsonl").write_text(json.dumps({**post, "id": f"{writer}-1"}) + "\n", encoding="utf-8")
    assert [row["writer"] for row in train_names.read_posts(tmp_path, set())] == ["w1"]
