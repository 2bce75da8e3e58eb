"""The no-roster name model: it loads from the package, it only ever lowers a flag to a note, direct
learner evidence and the roster path ignore it, and it ranks learners above adults on held-out-style spans."""
from __future__ import annotations

import dataclasses
import re

import pytest

from postcheck.engine import Engine
from postcheck.model import Severity
from postcheck.names import learned
from postcheck.posts import post_from_text

RULE = "learner-full-name"


def _findings(engine: Engine, text: str):
    return [f for f in engine.check_post(post_from_text(text, name="d.md")).findings if f.rule == RULE]


@pytest.fixture(scope="module")
def no_roster(school_config, engine):
    return Engine(dataclasses.replace(school_config, roster=None, staff=None), nlp=engine.ctx.nlp)


@pytest.fixture()
def strict(no_roster):
    """The shipped weights with a threshold no score reaches: every name the model may judge is lowered,
    and its evidence shows its score."""
    no_roster.ctx.cache["names.model"] = dataclasses.replace(learned.load_model(), threshold=1.01)
    yield no_roster
    no_roster.ctx.cache.pop("names.model")


def test_the_shipped_model_loads_with_numpy_alone():
    model = learned.load_model()
    assert len(model.weights) > 500
    assert 0.0 < model.threshold < 0.5
    assert model.weights["role_near"] < 0 < model.weights["sentence_learner"]
    assert model.weights["post_adult"] < 0 < model.weights["praised"]
    assert 0.0 < model.score(["ner_person", "sentence_learner"]) < 1.0
    assert model.dense is not None and model.dense_scale > 0


def test_the_words_around_a_name_move_its_score():
    model = learned.load_model()
    features = ["ner_person", "sentence_learner"]
    child, adult = learned.context_vectors([
        learned.context_text("Fastest in Year 4 was Ruby Stokoe, who won her heat by a mile!", 22, 33),
        learned.context_text("The minutes were taken by Ruby Stokoe, chair of governors and treasurer.", 26, 37)])
    assert model.score(features, child) > model.score(features, adult)
    assert model.score(features) != model.score(features, child)


def test_an_unreadable_model_leaves_the_rules_alone(no_roster, monkeypatch):
    def broken(data=None):
        raise OSError("no such file")

    monkeypatch.setattr(learned, "load_model", broken)
    no_roster.ctx.cache.pop("names.model", None)
    found = _findings(no_roster, "Huge thanks to Gary Cheetham for refereeing the Under 11s match on Saturday.")
    assert [f.severity for f in found] == [Severity.ERROR]
    assert any("name model not loaded" in n for n in no_roster.ctx.notices)
    no_roster.ctx.cache.pop("names.model")


def _score(finding) -> float:
    m = re.search(r"the name model reads it as an adult's or not a name \((\d\.\d\d)\)", finding.details["evidence"])
    assert m, finding.details
    return float(m.group(1))


def test_a_low_score_lowers_the_name_to_a_note_and_says_why(strict):
    found = _findings(strict, "Umpires: Craig Dawson and Chris Hebden. Thank you both!")
    assert [f.match for f in found] == ["Craig Dawson", "Chris Hebden"]
    assert all(f.severity is Severity.INFO for f in found)
    assert all(f.details["evidence"].startswith("no context; the name model") for f in found)


@pytest.mark.parametrize("text", [
    "Year 5 pupil Maisie Thorncliffe won the spelling bee.",
    "Well done to Maisie Thorncliffe in Year 5 for her brilliant poem!",
    "Star Reader this month is Jacob Thwaites.",
])
def test_direct_learner_evidence_stays_an_error_whatever_the_model_says(strict, text):
    found = _findings(strict, text)
    assert found and all(f.severity is Severity.ERROR for f in found)
    assert not any("name model" in f.details["evidence"] for f in found)


# Held-out style pairs (written for this test, not taken from the training posts): the child named in
# full must score above the adult named in full in a post of the same kind.
PAIRS = [
    ("Congratulations to Jayden Whitlock, who scored twice for the U10s on Saturday.",
     "Huge thanks to Gary Cheetham for refereeing the Under 11s match on Saturday."),
    ("Team: Josh Reay, Kieran Moss, Alfie Bell (GK), Leo Dunn, Mo Hassan.",
     "Thanks to our STEM ambassador Jo Walmsley from BAE Systems for judging the robots."),
    ("Congratulations to Jayden Whitlock, who scored twice for the U10s on Saturday.",
     "Umpires: Craig Dawson and Chris Hebden. Thank you both!"),
]


@pytest.mark.parametrize("learner_text, adult_text", PAIRS)
def test_the_model_ranks_the_child_above_the_adult(strict, learner_text, adult_text):
    child = _score(_findings(strict, learner_text)[0])
    adult = min(_score(f) for f in _findings(strict, adult_text))
    assert child > adult + 0.2, (child, adult)


def test_with_a_roster_the_model_is_never_consulted(engine):
    engine.ctx.cache.pop("names.model", None)
    for text in ("Umpires: Craig Dawson and Chris Hebden. Thank you both!",
                 "Huge thanks to Gary Cheetham for refereeing the Under 11s match on Saturday.",
                 "Well done to Amelia Hart in Year 9!"):
        found = _findings(engine, text)
        assert found and not any("name model" in f.details.get("evidence", "") for f in found)
    assert "names.model" not in engine.ctx.cache


def test_neighbours_say_what_sits_around_the_name():
    text = "**Present:** Felix Holmes (TF), Megan Moran [Treasurer], Max FC Girls, Jo Reay (8) – Teddy Gathercole"

    def around(name: str) -> list[str]:
        start = text.index(name)
        return learned._neighbours(text, start, start + len(name))

    assert {"bracket=initials", "label=present", "line_names=3+"} <= set(around("Felix Holmes"))
    assert "bracket=treasurer" in around("Megan Moran")
    assert "cap_after" in around("Max FC")
    assert "bracket=number" in around("Jo Reay")
    assert "dash_before" in around("Teddy Gathercole")
    lone = learned._neighbours("Thanks to Jo Reay.", 10, 17)
    assert lone == ["line_names=0"]


def test_without_the_text_model_s_vectors_the_name_model_stands_down(no_roster, monkeypatch):
    from postcheck.learned import LearnedModelError

    def missing(texts):
        raise LearnedModelError("learned model file missing or unreadable: vectors.bin")

    monkeypatch.setattr(learned, "context_vectors", missing)
    no_roster.ctx.cache.pop("names.model", None)
    found = _findings(no_roster, "Huge thanks to Gary Cheetham for refereeing the Under 11s match on Saturday.")
    assert [f.severity for f in found] == [Severity.ERROR]
    assert any("name model not loaded" in n and "vectors.bin" in n for n in no_roster.ctx.notices)
    no_roster.ctx.cache.pop("names.model")
