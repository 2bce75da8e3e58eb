"""Word-matching checks: tokens and phrase patterns of postcheck.text (rule cases in tests/cases/ run in test_cases.py)."""
from __future__ import annotations

import pytest

from postcheck.text.phrases import Matcher, compile_phrase
from postcheck.text.tokens import negated, tokenize


@pytest.mark.parametrize("text, phrase, expected", [
    ("Her post was made redundant.", "made redundant", "made redundant"),
    ("They are sh*t at it", "shit", "sh*t"),
    ("What an a$$", "ass", "a$$"),
    ("a total M0RON", "moron", "M0RON"),
    ("It's not been announced yet", "not been|yet announced", "not been announced"),
    ("Redundancies were announced", "redundancy", "Redundancies"),
    ("Views expressed are my own", "views|opinions expressed? be my own", "Views expressed are my own"),
    ("keep this under your hat", "keep this ... hat", "keep this under your hat"),
    ("Year 6 did well", "year #num", "Year 6"),
    ("#ViewsMyOwn", "viewsmyown", "ViewsMyOwn"),
    ("self-harm", "self-harm", "self-harm"),
])
def test_phrase_matches_without_spacy(text, phrase, expected):
    tokens = tokenize(text)
    found = list(Matcher(tokens).find(compile_phrase(phrase)))
    assert found, phrase
    i, end = found[0]
    assert text[tokens[i].start:tokens[end - 1].end] == expected


@pytest.mark.parametrize("text, phrase", [
    ("a sack race", "sacked"),
    ("Keep calm. It is quiet", "keep it quiet"),  # phrases stay within one sentence
    ("Happy birthday", "year #num"),
    ("****", "shit"),
])
def test_phrase_does_not_match(text, phrase):
    assert not list(Matcher(tokenize(text)).find(compile_phrase(phrase)))


def test_negation_looks_back_within_the_sentence():
    tokens = tokenize("Nobody was excluded. Ben was excluded.")
    excluded = [i for i, t in enumerate(tokens) if t.lower == "excluded"]
    assert negated(tokens, excluded[0]) and not negated(tokens, excluded[1])


def test_no_one_is_a_negation():
    tokens = tokenize("No one felt excluded")
    assert negated(tokens, 3)


def test_works_without_spacy(school_config):
    from postcheck.engine import Engine
    from postcheck.nlp import NLP
    from postcheck.posts import post_from_text

    engine = Engine(school_config, nlp=NLP("off"))
    bad = engine.check_post(post_from_text("The referee was a total moron.", account="school", name="d.md"))
    good = engine.check_post(post_from_text("What a horrible storm last night.", account="school", name="d.md"))
    assert any(f.category == "disparaging" for f in bad.findings)
    assert not any(f.category == "disparaging" for f in good.findings)


def test_bad_topic_options_name_the_rule_file(tmp_path):
    from postcheck.checks.topics import Topics
    from postcheck.config import Config, ConfigError
    from postcheck.model import Severity
    from postcheck.rulepack import Rule

    rule = Rule(id="x", check="topics", category="confidential", severity=Severity.ERROR, clauses=("4.5",),
                message="m", why="w", fix="f", options={"topics": [{"name": "a", "terms": ["b"], "look": "sideways"}]},
                source=tmp_path / "x.yaml")
    with pytest.raises(ConfigError) as info:
        Topics(rule, Config())
    assert "x.yaml" in str(info.value) and "look" in str(info.value)


def test_tokens_are_made_once_per_post_and_never_shared_between_posts(school_config):
    from postcheck.engine import Context
    from postcheck.nlp import NLP
    from postcheck.posts import post_from_text
    from postcheck.text.tokens import tokens_for

    ctx = Context(school_config, NLP("off"))
    first = post_from_text("Ben was excluded.", account="school", name="a.md")
    same_text = post_from_text("Ben was excluded.", account="school", name="b.md")
    tokens = tokens_for(first, ctx)
    assert tokens_for(first, ctx) is tokens
    assert tokens_for(same_text, ctx) is not tokens  # another post object: its own tokens
    assert [t.text for t in tokens_for(same_text, ctx)] == ["Ben", "was", "excluded"]


def test_school_name_forms_include_hashtags_with_and_without_the():
    from postcheck.checks.disclaimer import school_phrases

    forms = school_phrases("The Link School")
    assert forms[0] == "link school"  # the name reports use stays first
    assert {"link school", "linkschool", "thelinkschool"} <= set(forms)
    assert "thehollinbankacademy" not in school_phrases("Hollin Bank Academy")
    assert {"hollin bank", "hollinbank"} <= set(school_phrases("Hollin Bank Academy"))


def test_topic_phrases_name_lists_from_the_rule_options(tmp_path):
    from postcheck.checks.topics import Topics
    from postcheck.config import Config, ConfigError
    from postcheck.engine import Context
    from postcheck.model import Severity
    from postcheck.nlp import NLP
    from postcheck.posts import post_from_text
    from postcheck.rulepack import Rule

    def rule(options):
        return Rule(id="x", check="topics", category="disparaging", severity=Severity.ERROR, clauses=("4.3",),
                    message="m", why="w", fix="f", options=options, source=tmp_path / "x.yaml")

    check = Topics(rule({"lists": {"dull": ["gnat", "fruit-fly"]}, "topics": [{"name": "t", "terms": ["memory of a {dull}"]}]}),
                   Config())
    ctx = Context(Config(), NLP("off"))
    found = [h.match for text in ("He has the memory of a fruit fly.", "The memory of a gnat.", "The memory of a friend.")
             for h in check.run(post_from_text(text, name="d.md"), ctx)]
    assert found == ["memory of a fruit fly", "memory of a gnat"]
    with pytest.raises(ConfigError) as info:
        Topics(rule({"lists": ["gnat"], "topics": [{"name": "t", "terms": ["b"]}]}), Config())
    assert "lists" in str(info.value)


def test_phrase_index_lets_through_exactly_the_phrases_a_post_can_hold():
    from postcheck.text.phrases import Matcher, PhraseIndex, compile_phrases
    from postcheck.text.tokens import tokenize

    phrases = compile_phrases(["final written warning", "sacked", "off? sick", "redundan*", "f**k"])
    index = PhraseIndex(phrases)
    allowed = index.candidates(Matcher(tokenize("She got a written warning and was then sacked.")))
    by_source = {p.source: id(p) in allowed for p in phrases}
    # "final" is missing, so the first cannot match; "sick" is needed by the third; prefixes are always tried
    assert by_source == {"final written warning": False, "sacked": True, "off? sick": False, "redundan*": True, "f**k": False}
    assert index.candidates(Matcher(tokenize("What the f**k was that?"))) is None  # a censored word may be any word


@pytest.mark.parametrize("text, flagged", [
    ("Parents' evening at Link tonight. Eleven appointments and four no-shows.", True),
    ("He left us at Link's maths department in the lurch.", True),
    ("Provisional SATs in for Link, and I'm gutted for the kids.", True),
    ("Parents' evening at Link tonight. Views my own.", False),
    ("Click the link below to book.", False),  # the word, not the name
    ("Link up with us at the fun run!", False),  # a sentence's first word
    ("We met on Link Road by the park.", False),  # another name
    ("Record it in Scout Book Link on the resource page.", False),  # part of another name
])
def test_a_personal_post_naming_the_school_by_its_one_word_core_needs_a_disclaimer(text, flagged):
    from postcheck.config import Config
    from postcheck.engine import Engine
    from postcheck.posts import post_from_text

    result = Engine(Config(school="The Link School")).check_post(post_from_text(text, account="personal", name="d.md"))
    found = [f for f in result.findings if f.rule == "disclaimer"]
    assert bool(found) is flagged, text
    if flagged:
        assert found[0].match.startswith("Link")


@pytest.mark.parametrize("text, account, flagged", [
    # a personal post that points at no school the author belongs to, nor at anyone in it: schools in general
    ("Five years ago I was made redundant from a marketing job I hated. Today I got my QTS!", "personal", False),
    ("For anyone facing redundancy in education: check your union's guidance first.", "personal", False),
    # ... but the same words about the author's own school, its people or its name still count
    ("Two of our TAs are being made redundant at Easter.", "personal", True),
    ("Mr Price is being made redundant at Easter.", "personal", True),
    ("Redundancies announced at Link today, and nobody saw it coming.", "personal", True),
    ("Redundancies announced at #TheLinkSchool today, and nobody saw it coming.", "personal", True),
    # the school's own account speaks for the school: no such condition
    ("Mr Price's post is being made redundant at Easter.", "school", True),
])
def test_the_confidential_rule_on_a_personal_post_needs_a_pointer_to_the_authors_own_school(text, account, flagged, tmp_path):
    from postcheck.config import load_config
    from postcheck.engine import Engine
    from postcheck.posts import post_from_text

    (tmp_path / "postcheck.yaml").write_text("school: The Link School\nmodel: {enabled: false}\n")  # the rule alone
    result = Engine(load_config(tmp_path / "postcheck.yaml")).check_post(post_from_text(text, account=account, name="d.md"))
    assert any(f.rule == "confidential" for f in result.findings) is flagged, text


@pytest.mark.parametrize("text, flagged", [
    # Ofsted in general, the framework, another school's report: not the author's school's performance
    ("Hot take: Ofsted's single-word judgements were a blunt instrument and I'm glad they've gone. Report cards "
     "are a step towards nuance.", False),
    ("Can't believe Ofsted sent an inspector to a primary school who'd only ever worked in secondary. The report "
     "said it all.", False),
    ("Most teachers are scared of Ofsted. An inspection system that makes adults sick isn't measuring schools.", False),
    # ... the author's own school, by "we", "my class", "at school" or its name, still counts
    ("Ofsted visit done! Lead inspector said we're staying Good, fingers crossed for the report.", True),
    ("Back at school after the inspection: the lead inspector told the head the report will say Requires "
     "Improvement.", True),
    ("Inspectors at Link today. Feedback was tough but fair.", True),
    ("Only 48% of my class reached the expected standard in the SATs this year.", True),
])
def test_inspection_and_results_on_a_personal_post_need_the_authors_own_school(text, flagged, tmp_path):
    from postcheck.config import load_config
    from postcheck.engine import Engine
    from postcheck.posts import post_from_text

    (tmp_path / "postcheck.yaml").write_text("school: The Link School\nmodel: {enabled: false}\n")  # the rule alone
    result = Engine(load_config(tmp_path / "postcheck.yaml")).check_post(post_from_text(text, account="personal", name="d.md"))
    assert any(f.rule == "confidential-performance" for f in result.findings) is flagged, text
