"""The learned layer beside the rules: how a model's scores become findings and meet the rules'.

The model here is a stand-in with known scores, so each test says exactly what the engine must do
with a score; tests/test_learned_model.py checks the real, shipped model.
"""
from __future__ import annotations

import re
import sys
import types

import numpy as np
import pytest

from postcheck.config import Config, ConfigError, load_config
from postcheck.engine import Engine
from postcheck.learned.model import LearnedModel
from postcheck.model import Severity
from postcheck.posts import post_from_text

CATEGORIES = ("disparaging", "confidential", "personal-info", "learner-contact", "reference", "disclaimer")
# A made-up word in a sentence gives it a score in one category (capitals score higher): no rule
# knows these words, so what is found is the model's doing.
WORDS = {"zorbly": "disparaging", "hushhush": "confidential", "myaddress": "personal-info",
         "pingme": "learner-contact", "glimmock": "reference", "myclass": "disclaimer"}


class FakeModel:
    version = "fake-1"
    categories = CATEGORIES
    thresholds = {c: (0.6, 0.95) for c in CATEGORIES}

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def score(self, texts, account, platform):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), len(CATEGORIES)), dtype=np.float32)
        for row, text in enumerate(texts):
            for word, category in WORDS.items():
                if word.upper() in text:
                    out[row, CATEGORIES.index(category)] = 0.99
                elif word in text.lower():
                    out[row, CATEGORIES.index(category)] = 0.7
        return out


class ModelMissing(Exception):
    pass


@pytest.fixture
def fake(monkeypatch):
    model = FakeModel()
    module = types.ModuleType("postcheck.learned")
    module.LearnedModelError = ModelMissing
    module.load_model = lambda: model
    module.split_units = lambda text: [m.span() for m in re.finditer(r"[^.!?\n]+[.!?]?", text) if m.group().strip()]
    monkeypatch.setitem(sys.modules, "postcheck.learned", module)
    return model


def check(text: str, config: Config | None = None, account: str = "school"):
    engine = Engine(config or Config(school="The Link School"))
    return engine.check_post(post_from_text(text, account=account, name="draft.md")), engine


def by_rule(result, rule: str):
    return [f for f in result.findings if f.rule == rule]


def test_a_sentence_the_model_alone_scores_for_review_is_a_warning_that_points_at_it(fake):
    result, _ = check("Sports day was sunny.\nThe visitors were a zorbly bunch of people, frankly.\n")
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.severity is Severity.WARNING and result.verdict.value == "review"
    assert finding.match == "The visitors were a zorbly bunch of people, frankly."
    assert (finding.line, finding.column) == (2, 1)
    assert finding.details["score"] == pytest.approx(0.7) and finding.details["review_at"] == 0.6
    assert finding.clauses == ("4.3", "5.3", "3.1(d)", "3.1(e)")


def test_a_score_above_the_high_threshold_is_an_error(fake):
    result, _ = check("The visitors were ZORBLY people, frankly.")
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.severity is Severity.ERROR and result.verdict.value == "fail"


def test_low_scores_and_short_fragments_are_left_alone(fake):
    result, _ = check("Well done!\n\nWhat a lovely afternoon of races on the field.\n\nZorbly!")
    assert not by_rule(result, "learned-disparaging")
    assert result.verdict.value == "pass"
    # every unit is scored in order (neighbours are context), but a fragment this short is not reported
    assert any("Zorbly!" in t for call in fake.calls for t in call)


def test_rule_and_model_in_the_same_sentence_are_one_error(fake):
    # the rules find "Call me on 07700 900123" (a phone number); the model agrees on that sentence
    result, _ = check("Parents, myaddress: call me on 07700 900123 tonight.")
    personal = [f for f in result.findings if f.category == "personal-info"]
    assert len(personal) == 1 and personal[0].rule != "learned-personal-info"
    assert personal[0].severity is Severity.ERROR
    assert personal[0].details["judged_by"] == "rule and model" and personal[0].details["model_score"] == pytest.approx(0.7)


def test_a_rule_warning_the_model_agrees_with_becomes_an_error(fake, tmp_path):
    (tmp_path / "postcheck.yaml").write_text("school: The Link School\nrules: {personal-contact-details: {severity: warning}}\n")
    config = load_config(tmp_path / "postcheck.yaml")
    alone, _ = check("Parents, call me on 07700 900123 tonight.", config)
    assert {f.severity for f in alone.findings if f.category == "personal-info"} == {Severity.WARNING}
    agreed, _ = check("Parents, myaddress: call me on 07700 900123 tonight.", config)
    assert {f.severity for f in agreed.findings if f.category == "personal-info"} == {Severity.ERROR}


def test_a_model_disclaimer_finding_stands_only_without_a_views_my_own_line(fake):
    text = "Marking all weekend again for myclass of thirty.\n"
    bare, _ = check(text, account="personal")
    assert [f.severity for f in by_rule(bare, "learned-disclaimer")] == [Severity.WARNING]
    disclaimed, _ = check(text + "Views my own.\n", account="personal")
    assert not by_rule(disclaimed, "learned-disclaimer")
    school, _ = check(text)  # the school's own account needs no disclaimer
    assert not by_rule(school, "learned-disclaimer")


def test_a_sentence_naming_a_school_is_judged_at_the_lower_named_school_threshold(fake):
    # the shipped rule judges a sentence that names a school from 0.8; others from the model's review threshold
    fake.thresholds = {**fake.thresholds, "disclaimer": (0.9, 0.99)}
    plain = fake.score
    fake.score = lambda texts, account, platform: np.where(plain(texts, account, platform) == np.float32(0.7),
                                                           np.float32(0.85), plain(texts, account, platform))
    named, _ = check("Ten happy years at Ashcombe Primary with myclass this week.\n", account="personal")
    (finding,) = by_rule(named, "learned-disclaimer")
    assert finding.severity is Severity.WARNING and finding.details["names_a_school"] is True
    assert finding.details["review_at"] == 0.8 and finding.details["score"] == pytest.approx(0.85)
    tagged, _ = check("Ten happy years with myclass this week at #AshcombePrimary\n", account="personal")
    assert [f.details.get("names_a_school") for f in by_rule(tagged, "learned-disclaimer")] == [True]
    for unnamed in ("Ten happy years with myclass this week.\n", "Ten happy years at the Great North Junior Run with myclass.\n",
                    "Ten happy years with myclass this week #BackToSchool #PrimarySchoolTeacher\n"):
        result, _ = check(unnamed, account="personal")
        assert not by_rule(result, "learned-disclaimer"), unnamed
    disclaimed, _ = check("Ten happy years at Ashcombe Primary with myclass this week. Views my own.\n", account="personal")
    assert not by_rule(disclaimed, "learned-disclaimer")


def test_a_rule_account_review_option_lowers_the_review_threshold_on_that_account_only(fake, tmp_path):
    # rule option account_review {school: 0.85}: the school's account judged from 0.85, never above the model's own
    from postcheck.checks.learned import Learned

    fake.thresholds = {**fake.thresholds, "disparaging": (0.9, 0.99)}
    rule = types.SimpleNamespace(category="disparaging", options={"account_review": {"school": 0.85}})
    learned = Learned(rule, Config(school="The Link School"))
    assert learned.thresholds(fake, "school") == (0.85, 0.99)
    assert learned.thresholds(fake, "personal") == (0.9, 0.99)
    # a review threshold in postcheck.yaml is the user's, on every account
    (tmp_path / "postcheck.yaml").write_text(
        "school: The Link School\nmodel:\n  thresholds:\n    disparaging: {review: 0.88}\n")
    own = Learned(rule, load_config(tmp_path / "postcheck.yaml"))
    assert own.thresholds(fake, "school") == (0.88, 0.99) and own.thresholds(fake, "personal") == (0.88, 0.99)


def test_a_confidential_rule_match_the_model_scores_below_its_floor_is_info(fake, tmp_path):
    # rules/confidential.yaml: model_floor 0.05; the stand-in model scores 0 unless "hushhush" is in the sentence
    doubted, _ = check("Class 4 wrote to the council to complain about litter in the park.")
    (finding,) = [f for f in doubted.findings if f.category == "confidential"]
    assert finding.rule == "confidential" and finding.severity is Severity.INFO and finding.suggestion is None
    assert finding.details["model_score"] == 0.0 and finding.details["model_floor"] == 0.05
    assert finding.details["judged_by"] == "rule, doubted by the model" and finding.details["topic"] == "complaint"
    assert doubted.verdict.value == "pass"
    agreed, _ = check("Class 4 hushhush wrote to the council to complain about litter in the park.")
    assert {f.severity for f in agreed.findings if f.category == "confidential"} == {Severity.ERROR}
    assert agreed.verdict.value == "fail"
    # with the model switched off the rule judges alone, as before
    (tmp_path / "postcheck.yaml").write_text("school: The Link School\nmodel: {enabled: false}\n")
    alone, _ = check("Class 4 wrote to the council to complain about litter in the park.",
                     load_config(tmp_path / "postcheck.yaml"))
    assert [f.severity for f in alone.findings if f.category == "confidential"] == [Severity.ERROR]


@pytest.mark.parametrize("rule_id, floor, message", [
    ("confidential", 2, "rule confidential: model_floor must be a number between 0 and 1"),
    ("confidential", True, "rule confidential: model_floor must be a number between 0 and 1"),
    ("unsafe-link", 0.1, "rule unsafe-link: model_floor given, but the model does not judge 'unsafe-link'"),
    ("confidential", {"two_reader_floor": 1.5}, "rule confidential: two_reader_floor must be a number between 0 and 1"),
    ("unsafe-link", {"two_reader_floor": 0.3},
     "rule unsafe-link: two_reader_floor given, but the model does not judge 'unsafe-link'"),
    ("learner-contact", {"model_instead": "learner-contact"}, "rule learner-contact: model_instead must name another"),
    ("learner-contact", {"model_instead": "unsafe-link"}, "rule learner-contact: model_instead must name another"),
    ("unsafe-link", {"model_instead": "reference"},
     "rule unsafe-link: model_instead given, but the model does not judge 'unsafe-link'"),
])
def test_a_bad_model_floor_is_one_line_naming_the_rule(rule_id, floor, message):
    from dataclasses import replace

    from postcheck.checks.learned import model_floors
    from postcheck.rulepack import load_pack

    rule = load_pack().get(rule_id)
    with pytest.raises(ConfigError) as caught:
        options = floor if isinstance(floor, dict) else {"model_floor": floor}
        model_floors([replace(rule, options={**rule.options, **options})], Config())
    assert message in str(caught.value) and "\n" not in str(caught.value)

def test_thresholds_in_postcheck_yaml_move_the_line(fake, tmp_path):
    (tmp_path / "postcheck.yaml").write_text(
        "school: The Link School\nmodel:\n  thresholds:\n    disparaging: {review: 0.8}\n    reference: {error: 0.65}\n")
    config = load_config(tmp_path / "postcheck.yaml")
    quieter, _ = check("The visitors were a zorbly bunch of people, frankly.", config)
    assert not by_rule(quieter, "learned-disparaging")
    stricter, _ = check("Our trainee was a real glimmock in every lesson this year.", config)
    assert [f.severity for f in by_rule(stricter, "learned-reference")] == [Severity.ERROR]


def test_the_model_can_be_switched_off(fake, tmp_path):
    (tmp_path / "postcheck.yaml").write_text("school: The Link School\nmodel: {enabled: false}\n")
    result, _ = check("The visitors were ZORBLY people, frankly.", load_config(tmp_path / "postcheck.yaml"))
    assert not [f for f in result.findings if f.rule.startswith("learned-")] and not fake.calls


@pytest.mark.parametrize("body, message", [
    ("model:\n  thresholds:\n    unsafe-link: {review: 0.5}\n", "does not judge 'unsafe-link'"),
    ("model:\n  thresholds:\n    disparaging: {review: 1.5}\n", "review must be a number between 0 and 1"),
    ("model:\n  thresholds:\n    disparaging: {review: 0.9, error: 0.5}\n", "review must not be above error"),
    ("model:\n  threshold: {}\n", "unknown key 'threshold'"),
    ("model: yes\n", "model must be a mapping"),
])
def test_bad_model_settings_are_one_line_naming_the_file(tmp_path, body, message):
    (tmp_path / "postcheck.yaml").write_text("school: The Link School\n" + body)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "postcheck.yaml")
    text = str(caught.value)
    assert message in text and "postcheck.yaml" in text and "\n" not in text


def test_a_missing_model_leaves_the_rules_to_judge_and_says_so(monkeypatch):
    module = types.ModuleType("postcheck.learned")
    module.LearnedModelError = ModelMissing

    def missing():
        raise ModelMissing("artefact not found")

    module.load_model = missing
    module.split_units = lambda text: [(0, len(text))]
    monkeypatch.setitem(sys.modules, "postcheck.learned", module)
    result, engine = check("Parents, call me on 07700 900123 tonight.")
    assert [f.rule for f in result.findings if f.category == "personal-info"] == ["personal-contact-details"]
    assert any("learned model not loaded (artefact not found)" in n for n in engine.ctx.notices)


def test_image_file_names_are_not_sentences_for_the_model(fake, tmp_path):
    from postcheck.posts import load_draft

    (tmp_path / "zorbly-visitors-from-the-other-school.jpg").write_bytes(b"")
    draft = tmp_path / "post.md"
    draft.write_text("A lovely afternoon on the field with everyone.\n\n![x](zorbly-visitors-from-the-other-school.jpg)\n")
    result = Engine(Config(school="The Link School")).check_post(load_draft(draft))
    assert not by_rule(result, "learned-disparaging")
    assert all("zorbly" not in t for call in fake.calls for t in call)


def test_one_scoring_per_post_serves_every_category(fake):
    check("The visitors were a zorbly bunch. Our trainee was a real glimmock all year, honestly.")
    assert len(fake.calls) == 1


def _loads_the_model(code: str) -> bool:
    """Whether running ``code`` in a fresh process imports the learned model (or numpy for it)."""
    import subprocess

    from conftest import ROOT

    done = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('postcheck.learned' in sys.modules)"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1] == "True"


def test_help_and_a_lone_photo_load_no_model(tmp_path):
    from PIL import Image

    Image.new("RGB", (320, 240), (90, 140, 90)).save(tmp_path / "field.jpg")
    assert not _loads_the_model(
        "from typer.testing import CliRunner\nfrom postcheck.cli import app\nCliRunner().invoke(app, ['--help'])")
    assert not _loads_the_model(
        "from pathlib import Path\nfrom postcheck.config import Config\nfrom postcheck.discovery import PostSpec, load\n"
        "from postcheck.engine import Engine\n"
        f"Engine(Config()).check_post(load(PostSpec(Path({str(tmp_path / 'field.jpg')!r}), 'image'), 'school'))")
    draft = tmp_path / "post.md"
    draft.write_text("The visitors were a rude and horrible bunch of people today.\n", encoding="utf-8")
    assert _loads_the_model(  # the same process with words to read does load it: the test can tell
        "from pathlib import Path\nfrom postcheck.config import Config\nfrom postcheck.engine import Engine\n"
        f"from postcheck.posts import load_draft\nEngine(Config()).check_post(load_draft(Path({str(draft)!r})))")


@pytest.mark.parametrize("rule_id, text, agreeing_word, floor", [
    ("personal-circumstances", "Mrs Ellery is recovering from chemo and sends her love.", "myaddress", 0.01),
    ("learner-contact", "Add me on Snapchat for the match photos.", "pingme", 0.02),
])
def test_rules_of_everyday_words_are_doubted_below_their_floor(fake, rule_id, text, agreeing_word, floor):
    # rules/personal-circumstances.yaml and learner-contact.yaml have floors too ("Food Bank", "a personal message
    # of condolence"); the stand-in model scores 0 unless the category's made-up word is in the sentence
    doubted, _ = check(text)
    (finding,) = by_rule(doubted, rule_id)
    assert finding.severity is Severity.INFO and finding.details["model_floor"] == floor
    agreed, _ = check(f"{agreeing_word} {text}")
    assert {f.severity for f in by_rule(agreed, rule_id)} - {Severity.INFO}, "the model agrees: the rule stands"


class FakeTwoReaders(FakeModel):
    """The stand-in with a second reader for disparaging on the school's account: it scores 0.9 where the sentence
    says "sneer", 0.1 elsewhere, and records what it was asked to read."""

    context_categories = ("disparaging", "reference")
    context_accounts = ("school",)
    context_thresholds = {"disparaging": (0.6, 0.95)}
    context_account_thresholds: dict = {}
    context_thresholds_for = LearnedModel.context_thresholds_for  # where the mean judges: the real model's rule

    def __init__(self) -> None:
        super().__init__()
        self.read: list[list[str]] = []

    def context_score(self, texts, account, platform):
        self.read.append(list(texts))
        return np.array([[0.9 if "sneer" in t else 0.1, 0.0] for t in texts], dtype=np.float32)


def _loaded(model):
    """`model` as the stand-in postcheck.learned (the `fake` fixture's) loads it."""
    sys.modules["postcheck.learned"].load_model = lambda: model
    return model


@pytest.fixture
def two(fake):
    return _loaded(FakeTwoReaders())


def test_the_second_reader_reads_only_sentences_whose_static_score_could_reach_review(two):
    # review 0.6: only a static score of 0.2 or more can lift the mean to 0.6, so the stand-in's 0.7 ("zorbly") is
    # read and its 0 elsewhere is not
    result, _ = check("Sports day was sunny, a sneer of weather.\nThe visitors were zorbly, a sneer.\n")
    assert two.read == [["The visitors were zorbly, a sneer."]]
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.details["score"] == pytest.approx((0.7 + 0.9) / 2) and finding.details["review_at"] == 0.6
    assert finding.severity is Severity.WARNING


def test_a_high_static_score_the_second_reader_disagrees_with_is_not_flagged(two):
    # (0.7 + 0.1) / 2 = 0.4, below review 0.6: the sentence is read and let go
    result, _ = check("The visitors were a zorbly bunch of people, frankly.\n")
    assert two.read == [["The visitors were a zorbly bunch of people, frankly."]]
    assert not by_rule(result, "learned-disparaging") and result.verdict.value == "pass"


def test_on_a_personal_account_the_static_reader_judges_alone(two):
    # the stand-in's own review threshold, 0.6, for the static score 0.7; nothing is read twice
    result, _ = check("The visitors were a zorbly bunch of people, frankly.\n", account="personal")
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.details["score"] == pytest.approx(0.7) and two.read == []


def test_categories_the_second_reader_does_not_judge_keep_the_static_score(two):
    # it has an output for references, but no thresholds for them: the static reader judges them
    result, _ = check("Please glimmock her for the job, she is great.\n")
    (finding,) = by_rule(result, "learned-reference")
    assert finding.details["score"] == pytest.approx(0.7) and two.read == []


class FakePersonalReaders(FakeTwoReaders):
    """The stand-in whose two readers also judge disparagement on personal accounts, from their own thresholds (as
    context.json's account_thresholds say); the second reader alone asks nothing there."""

    context_account_thresholds = {"personal": {"disparaging": (0.75, 0.95)}}
    context_alone = {"disparaging": (0.05, 0.85)}


@pytest.fixture
def personal_two(fake):
    return _loaded(FakePersonalReaders())


def test_on_a_personal_account_the_two_readers_judge_from_that_accounts_own_thresholds(personal_two):
    # (0.7 + 0.9) / 2 = 0.8: above the personal account's 0.75
    result, _ = check("The new deputy was zorbly, a sneer of a leader.\n", account="personal")
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.details["score"] == pytest.approx(0.8) and finding.details["review_at"] == 0.75
    assert personal_two.read == [["The new deputy was zorbly, a sneer of a leader."]]
    # (0.7 + 0.1) / 2 = 0.4: the second reader disagrees, and on this account it does not ask alone either
    calm, _ = check("The new deputy was zorbly and kind.\n", account="personal")
    assert not by_rule(calm, "learned-disparaging")


def test_a_personal_post_about_professional_sport_is_left_to_the_first_reader(personal_two):
    # rules/learned-disparaging.yaml static_only: a fan's post with nothing of school in it is not read twice;
    # the first reader's own threshold (0.6) judges its 0.7
    result, _ = check("That new striker was zorbly and kind. #NUFC\n", account="personal")
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.details["score"] == pytest.approx(0.7) and finding.details["review_at"] == 0.6
    assert personal_two.read == []
    # ... but the same post about the school's own team is read twice: (0.7 + 0.1) / 2 is below 0.75
    school_team, _ = check("That new striker was zorbly and kind. Proud of our Year 9 team!\n", account="personal")
    assert not by_rule(school_team, "learned-disparaging") and personal_two.read


def test_the_sport_lists_of_the_model_rule_are_the_disparaging_rules_own():
    from postcheck.rulepack import load_pack

    pack = load_pack()
    rule, model_rule = pack.get("disparaging").options, pack.get("learned-disparaging").options["static_only"]
    assert model_rule["post"] == rule["unless_post"] and model_rule["post_not"] == rule["unless_post_not"]


class FakeReaderAlone(FakeTwoReaders):
    """The stand-in whose second reader may also ask for review alone: a sentence the static reader scores 0.05 or
    more ("meh" scores 0.1 there, below the gate of 0.2 that review 0.6 sets) is read, and one it scores 0.85 or
    more needs review whatever the mean."""

    context_alone = {"disparaging": (0.05, 0.85)}

    def score(self, texts, account, platform):
        out = super().score(texts, account, platform)
        for row, text in enumerate(texts):
            if re.search(r"\bmeh\b", text):
                out[row, CATEGORIES.index("disparaging")] = 0.1
        return out


@pytest.fixture
def alone(fake):
    return _loaded(FakeReaderAlone())


def test_the_second_reader_alone_asks_for_review_where_it_is_sure(alone):
    # static 0.1 reaches the floor 0.05, not the gate 0.2; the reader's 0.9 reaches its own 0.85; the mean, 0.5, is
    # below review 0.6: a warning, with both scores
    result, _ = check("Sports day was sunny.\nThe visitors were meh, a sneer of a side.\n")
    assert alone.read == [["The visitors were meh, a sneer of a side."]]
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.severity is Severity.WARNING and result.verdict.value == "review"
    assert finding.match == "The visitors were meh, a sneer of a side."
    assert finding.details["score"] == pytest.approx(0.5) and finding.details["second_reader"] == pytest.approx(0.9)
    assert finding.details["second_reader_at"] == 0.85 and finding.details["review_at"] == 0.6
    assert "(model score 0.5; the second reader alone 0.9)" in finding.message  # why it asks, below review 0.6


def test_the_second_reader_alone_needs_the_floor_and_its_own_threshold(alone):
    # "sneer" with no static score is never read; "meh" without a sneer is read and let go (0.1 and 0.1)
    result, _ = check("What a sneer of a day.\nThe visitors were meh, frankly, all afternoon.\n")
    assert alone.read == [["The visitors were meh, frankly, all afternoon."]]
    assert not by_rule(result, "learned-disparaging") and result.verdict.value == "pass"


def test_the_second_reader_alone_stays_quiet_on_personal_accounts_and_under_thresholds_set_in_config(alone, tmp_path):
    text = "The visitors were meh, a sneer of a side.\n"
    result, _ = check(text, account="personal")
    assert not by_rule(result, "learned-disparaging") and alone.read == []
    (tmp_path / "postcheck.yaml").write_text(
        "school: The Link School\nmodel:\n  thresholds:\n    disparaging: {review: 0.6}\n")
    result, _ = check(text, load_config(tmp_path / "postcheck.yaml"))
    assert not by_rule(result, "learned-disparaging") and alone.read == []


def test_a_lower_threshold_in_postcheck_yaml_lowers_the_gate_to_match(two, tmp_path):
    # review 0.3: a static score of 0 can no longer rule a sentence out... but a score below 2 x 0.3 - 1 < 0
    # never exists, so every sentence is read
    (tmp_path / "postcheck.yaml").write_text(
        "school: The Link School\nmodel:\n  thresholds:\n    disparaging: {review: 0.3}\n")
    result, _ = check("A plain sentence about the day, with a sneer.\n", load_config(tmp_path / "postcheck.yaml"))
    assert two.read == [["A plain sentence about the day, with a sneer."]]
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.details["score"] == pytest.approx(0.45)


def test_a_second_reader_that_fails_leaves_the_static_score_and_says_so(two):
    def broken(texts, account, platform):
        raise RuntimeError("onnxruntime is missing\nsecond line")
    two.context_score = broken
    two.thresholds = {**two.thresholds, "disparaging": (0.65, 0.95)}  # the static reader's own
    result, engine = check("The visitors were a zorbly bunch of people, frankly.\n")
    (finding,) = by_rule(result, "learned-disparaging")
    assert finding.details["score"] == pytest.approx(0.7) and finding.details["review_at"] == 0.65
    assert any("second reader failed (onnxruntime is missing)" in n for n in engine.ctx.notices)
    # the rest of the run does without it, at the static reader's thresholds
    again = engine.check_post(post_from_text("Zorbly visitors again, honestly.\n", account="school", name="b.md"))
    assert [f.details["review_at"] for f in by_rule(again, "learned-disparaging")] == [0.65]


class FakeConfidentialReader(FakeTwoReaders):
    """The stand-in whose second reader also reads confidential matters: 0.9 where the sentence says "leaked",
    0 elsewhere; "quietly" gives a sentence a static confidential score of 0.5."""

    context_categories = ("disparaging", "confidential")

    def score(self, texts, account, platform):
        out = super().score(texts, account, platform)
        for row, text in enumerate(texts):
            if "quietly" in text:
                out[row, CATEGORIES.index("confidential")] = 0.5
        return out

    def context_score(self, texts, account, platform):
        self.read.append(list(texts))
        return np.array([[0.1, 0.9 if "leaked" in t else 0.0] for t in texts], dtype=np.float32)


@pytest.fixture
def confidential_reader(fake):
    return _loaded(FakeConfidentialReader())


def test_on_the_school_account_a_confidential_match_the_two_readers_doubt_is_info(confidential_reader, tmp_path):
    # rules/confidential.yaml: model_floor 0.05 (the static 0.5 passes it), two_reader_floor 0.32: the mean of 0.5
    # and the second reader's 0.0 is 0.25, below it
    from postcheck.rulepack import load_pack

    floor = load_pack().get("confidential").options["two_reader_floor"]
    assert 0.25 < floor < 0.7
    text = "Class 4 quietly wrote to the council to complain about litter in the park."
    doubted, _ = check(text)
    (finding,) = [f for f in doubted.findings if f.category == "confidential"]
    assert finding.rule == "confidential" and finding.severity is Severity.INFO and finding.suggestion is None
    assert finding.details["model_score"] == 0.25 and finding.details["model_floor"] == floor
    assert finding.details["second_reader"] == 0.0
    assert finding.details["judged_by"] == "rule, doubted by the model's two readers"
    assert confidential_reader.read == [[text]] and doubted.verdict.value == "pass"
    # the second reader agrees (mean 0.7): the rule stands
    agreed, _ = check("Class 4 quietly leaked that they complained to the council about litter in the park.")
    assert {f.severity for f in agreed.findings if f.category == "confidential"} == {Severity.ERROR}
    # a personal account has no second reader: the static floor alone, which 0.5 passes (the post points at the
    # author's own school: rules/confidential.yaml's personal_needs_post)
    personal, _ = check(text.replace("Class 4", "Our class 4"), account="personal")
    assert Severity.ERROR in {f.severity for f in personal.findings if f.category == "confidential"}
    # with the model switched off the rule judges alone, as before
    (tmp_path / "postcheck.yaml").write_text("school: The Link School\nmodel: {enabled: false}\n")
    alone, _ = check(text, load_config(tmp_path / "postcheck.yaml"))
    assert [f.severity for f in alone.findings if f.category == "confidential"] == [Severity.ERROR]


def test_a_second_reader_that_fails_leaves_a_confidential_match_standing(confidential_reader):
    def broken(texts, account, platform):
        raise RuntimeError("onnxruntime is missing")
    confidential_reader.context_score = broken
    result, engine = check("Class 4 quietly wrote to the council to complain about litter in the park.")
    assert [f.severity for f in result.findings if f.category == "confidential"] == [Severity.ERROR]
    assert any("second reader failed (onnxruntime is missing)" in n for n in engine.ctx.notices)
