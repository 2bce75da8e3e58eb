"""Learner contact: account rules, and the rule-option patterns ({lists}, *, gaps) behind it."""
from __future__ import annotations

import pytest

from postcheck.text.phrases import Matcher, compile_phrases
from postcheck.text.tokens import sentence_at, sentences, tokenize


def _contact(check_text, text, account):
    """What the phrase rule finds (the learned model's own view is tested in test_learned_*)."""
    return [f.match for f in check_text(text, account=account).findings if f.rule == "learner-contact"]


def test_a_personal_post_counts_only_when_it_speaks_to_learners_or_families(check_text):
    assert _contact(check_text, "Add me on Snapchat!", "personal") == []
    assert _contact(check_text, "Add me on Snapchat, Year 8!", "personal") == ["Add me on"]
    assert _contact(check_text, "Add me on Snapchat!", "school") == ["Add me on"]


@pytest.mark.parametrize("text", [
    "Took the kids to Edinburgh for the first time. The castle was brilliant. We stayed in a lovely guest house near "
    "the Meadows. The food was great too. Message me if you want the name of the place.",
    "Full house at the village hall quiz! Our team came fourth. The raffle was the best bit. I won a bottle of wine. "
    "Message me if you want tickets held at the door.",
])
def test_words_adults_use_too_count_only_near_the_invitation(check_text, text):
    # "team", "the kids": an adult's quiz night or day out, the invitation three sentences on
    assert _contact(check_text, text, "personal") == []


@pytest.mark.parametrize("text", [
    "Great to see so many of you at the match today, team! The away fans were loud. Add me on Snapchat, I always "
    "follow back.",
    "Thanks for a brilliant term, Year 9. It flew by. The hall was freezing today. The heating is fixed now. "
    "Add me on Snapchat for revision tips.",  # a year group counts anywhere in the post
])
def test_a_learner_audience_near_the_invitation_or_anywhere_by_year_still_counts(check_text, text):
    assert _contact(check_text, text, "personal") == ["Add me on"]


def test_official_channel_in_the_sentence_unless_a_personal_platform_too(check_text):
    assert _contact(check_text, "Message me via the school office, parents.", "personal") == []
    assert _contact(check_text, "Message me on WhatsApp, not the office, parents.", "personal")


LISTS = {"platforms": ["snapchat", "whatsapp"], "year_groups": ["y7", "under-11s"]}


@pytest.mark.parametrize("pattern, text, expected", [
    ("dm|pm me", "Just DM me!", "DM me"),
    ("add me on {platforms}", "add ME on SnapChat", "add ME on SnapChat"),
    ("send me a ... message", "send me a quick private message", "send me a quick private message"),
    ("follow my personal? insta", "follow my insta", "follow my insta"),
    ("follow my personal? insta", "follow my personal insta", "follow my personal insta"),
    ("drop|bring * to|at", "bring them to the gate", "bring them to"),
    ("{year_groups}", "well done, Under-11s!", "Under-11s"),
    ("join ... groupchat|group-chat", "join our group-chat", "join our group-chat"),
    ("message me", "messaging me", "messaging me"),  # a stand-in lemma without spaCy
    ("dm me", "dim me", None),
    ("add me on {nowhere}", "add me on it", None),  # a list the rule does not give matches nothing
    ("dm me", "DM. Me", None),  # within one sentence
    ("asperger's|adhd", "she has Asperger’s", "Asperger’s"),  # cut at the apostrophe as the post is
    ("down's syndrome", "Down's syndrome", "Down's syndrome"),
    ("cannot", "you can DM me", None),  # a pattern's negation is not its positive lemma
])
def test_patterns_without_spacy(pattern, text, expected):
    tokens = tokenize(text)
    found = Matcher(tokens).search(compile_phrases([pattern], LISTS))
    got = text[tokens[found[1]].start:tokens[found[2] - 1].end] if found else None
    assert got == expected


def test_search_keeps_inside_its_bounds():
    tokens = tokenize("we never said dm me")
    matcher = Matcher(tokens)
    assert matcher.search(compile_phrases(["never"]), 0, 3) is not None
    assert matcher.search(compile_phrases(["dm me"]), 0, 4) is None  # "me" is past the bound
    assert [(p.source, i) for p, i, _ in matcher.scan(compile_phrases(["dm", "dm me"]))] == [("dm", 3), ("dm me", 3)]


def test_patterns_match_lemmas_with_spacy(engine):
    doc = next(iter(engine.ctx.nlp.pipe(["She was messaging me all night."])))
    if doc is None:
        pytest.skip("the English language model (spaCy) is not installed, so matching on word forms is not tested")
    assert Matcher(tokenize(doc.text, doc)).search(compile_phrases(["message me"])) is not None


def test_sentences_split_on_stops_and_line_breaks():
    text = "One. Two!\n\nThree\n- four"
    tokens = tokenize(text)
    assert [[t.text for t in tokens[a:b]] for a, b in sentences(tokens)] == [["One"], ["Two"], ["Three"], ["four"]]
    assert sentence_at(tokens, text.index("Three")) == (2, 3)
    assert sentence_at(tokens, len(text)) == (0, 4)


@pytest.mark.parametrize("text, expected", [
    ("Year 9s, message me on Snapchat tonight.", ["message me"]),
    ("Parents, text me if the coach is late.", ["text me"]),
    ("Three of my Year 11s messaged me this week to say they'd passed.", []),
    ("Parents who keep messaging me at 9pm: I'm not a helpline.", []),
    ("To the Year 9 who followed me on Spotify: let's keep it to school.", []),
    ("A parent rang me at home last night about the trip.", []),
])
def test_an_invitation_is_an_imperative_not_a_report_of_contact(check_text, text, expected):
    # "messaged me", "keep messaging me" tell of contact; only the invitation itself is this rule's
    assert _contact(check_text, text, "personal") == expected


@pytest.mark.parametrize("text, account, expected", [
    ("Year 11s, I've made a WhatsApp group for revision tips.", "school", ["WhatsApp group"]),
    ("Parents, send me a friend request and I'll add you.", "personal", ["friend request"]),
    ("Pop me a private message, parents, and I'll ring you tonight.", "personal", ["private message"]),
    # the same channels talked about, not offered: parents' class chats, an e-safety lesson, a request declined
    ("Parents' WhatsApp groups are honestly the worst thing ever invented.", "personal", []),
    ("Declined a friend request from a former pupil today, parents.", "personal", []),
    ("Year 8 learned why strangers ask children to move to a private chat.", "school", []),
])
def test_a_private_channel_named_counts_only_where_the_sentence_offers_it(check_text, text, account, expected):
    assert _contact(check_text, text, account) == expected


@pytest.mark.parametrize("text, severity", [
    # a sentence naming no learner or family that the model reads as a reference: an invitation to an employer
    ("After seven years I'm moving on. My teaching assistant, Bonnie, is hands down the best I've ever worked with. "
     "Any school hiring: I cannot recommend her highly enough. Message me for details!", "info"),
    # ... but one that names former learners still invites them, reference or not
    ("Happy to give a reference to any of my old form group who need one – just message me here.", "error"),
    ("Year 9s, if you're stuck on the coursework, message me on Instagram.", "error"),
])
def test_an_invitation_the_model_reads_as_a_reference_to_an_employer_is_only_a_note(text, severity, tmp_path):
    from postcheck.config import load_config
    from postcheck.engine import Engine
    from postcheck.posts import post_from_text

    (tmp_path / "postcheck.yaml").write_text("school: The Link School\n")
    result = Engine(load_config(tmp_path / "postcheck.yaml")).check_post(post_from_text(text, account="personal", name="d.md"))
    (finding,) = [f for f in result.findings if f.rule == "learner-contact"]
    assert finding.severity.value == severity
    if severity == "info":
        assert finding.details["model_reads_as"] == "reference" and finding.details["audience"] is False
