"""Learner contact: case file, account rules, and the word-pattern matcher behind it."""
from __future__ import annotations

import pytest

from postcheck.checks.wordmatch import Patterns, sentences, words


def _contact(check_text, text, account):
    return [f.match for f in check_text(text, account=account).findings if f.category == "learner-contact"]


def test_a_personal_post_counts_only_when_it_speaks_to_learners_or_families(check_text):
    assert _contact(check_text, "Add me on Snapchat!", "personal") == []
    assert _contact(check_text, "Add me on Snapchat, Year 8!", "personal") == ["Add me on"]
    assert _contact(check_text, "Add me on Snapchat!", "school") == ["Add me on"]


def test_official_channel_in_the_sentence_unless_a_personal_platform_too(check_text):
    assert _contact(check_text, "Message me via the school office, parents.", "personal") == []
    assert _contact(check_text, "Message me on WhatsApp, not the office, parents.", "personal")


@pytest.mark.parametrize("pattern, text, expected", [
    ("dm|pm me", "Just DM me!", "DM me"),
    ("add me on {platforms}", "add ME on SnapChat", "add ME on SnapChat"),
    ("send me a ... message", "send me a quick private message", "send me a quick private message"),
    ("follow my personal? insta", "follow my insta", "follow my insta"),
    ("follow my personal? insta", "follow my personal insta", "follow my personal insta"),
    ("message me", "messaging me", None),  # no lemma without spaCy
    ("dm me", "dim me", None),
])
def test_patterns_without_spacy(pattern, text, expected):
    tokens = words(text)
    found = Patterns([pattern], {"platforms": ["snapchat", "whatsapp"]}).search(tokens)
    got = text[tokens[found[1]].start:tokens[found[2] - 1].end] if found else None
    assert got == expected


def test_patterns_match_lemmas_with_spacy(engine):
    doc = next(iter(engine.ctx.nlp.pipe(["She was messaging me all night."])))
    if doc is None:
        pytest.skip("spaCy pipeline not installed")
    assert Patterns(["message me"]).search(words(doc.text, doc)) is not None


def test_sentences_split_on_stops_and_blank_lines():
    text = "One. Two!\n\nThree\n- four"
    assert [text[s:e] for s, e in sentences(text)] == ["One.", "Two!", "Three", "- four"]
