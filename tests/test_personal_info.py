"""Personal information: case file, the school's own contacts, and running without spaCy."""
from __future__ import annotations

import pytest

from postcheck.config import Config
from postcheck.engine import Engine
from postcheck.model import Severity
from postcheck.posts import post_from_text


def _personal(engine: Engine, text: str, account: str = "school"):
    result = engine.check_post(post_from_text(text, account=account, name="draft.md"))
    return [f for f in result.findings if f.category == "personal-info"]


SWITCHBOARD = "Ring 0191 496 0731 or write to head.teacher.hb@outlook.com with questions."


def test_school_contacts_from_config_are_not_personal():
    # the rule alone: a model agreeing with its warning would make it an error (test_learned_layer)
    bare = Engine(Config(website="https://www.hollinbank.example.org.uk", sections={"model": {"enabled": False}}))
    found = {f.match: f.severity for f in _personal(bare, SWITCHBOARD)}
    assert found == {"0191 496 0731": Severity.WARNING, "head.teacher.hb@outlook.com": Severity.ERROR}
    configured = Engine(Config(website="https://www.hollinbank.example.org.uk", sections={
        "contacts": {"phones": ["+44 191 496 0731"], "emails": ["Head.Teacher.HB@outlook.com"]}}))
    assert _personal(configured, SWITCHBOARD) == []


@pytest.mark.parametrize("text, match", [
    ("WhatsApp me on 07700 900536 any time, parents!", "07700 900536"),  # Ofcom drama range
    ("Call Ms Rowe on +33 6 12 34 56 78 about the exchange.", "+33 6 12 34 56 78"),
    ("Mr Ainsley is in hospital this week.", "in hospital"),
    ("Sophie's date of birth is 03/05/2015.", "date of birth is 03/05/2015"),
])
def test_found_without_spacy(text, match):
    engine = Engine(Config(website="https://www.hollinbank.example.org.uk", sections={"nlp": {"model": "none"}}))
    assert match in [f.match for f in _personal(engine, text)]


@pytest.mark.parametrize("text", [
    "Childline is free on 0800 1111; the NHS on 111; NSPCC on 0808 800 5000.",
    "Final score 21-14, and we raised £2,500 in 2024/25 between 9 and 3.",
    "Thanks to @LocalLibrary for hosting us!",
])
def test_public_numbers_and_numbers_that_are_not_phones(text, check_text):
    assert not [f for f in check_text(text).findings if f.category == "personal-info"]


def test_handles_need_an_owner_and_an_audience(check_text):
    owned = "Follow me @coach.dee.runs for training tips"
    assert [f.match for f in check_text(owned + ", Year 7s!", account="personal").findings
            if f.rule == "personal-contact-details"] == ["@coach.dee.runs"]
    assert not [f for f in check_text(owned + " and race reports.", account="personal").findings
                if f.rule == "personal-contact-details"]


def test_messages_do_not_embed_the_match_for_circumstances(check_text):
    [finding] = [f for f in check_text("Zara has epilepsy, so please read the care plan.").findings
                 if f.rule == "personal-circumstances"]
    assert finding.match == "epilepsy"
    assert "Zara" not in finding.message


@pytest.mark.parametrize("line, phone_flagged", [
    ("St Bede's | E: admissions@stbede.example.org.uk | T: 0113 496 0381", False),
    ("E: head.teacher.hb@outlook.com T: 0113 496 0381", True),   # a free-mail inbox is somebody's, whatever its name
    ("E: j.hale@stbede.example.org.uk T: 0113 496 0381", True),
])
def test_a_landline_beside_an_organisation_s_shared_mailbox_is_its_contact_block(line, phone_flagged):
    bare = Engine(Config(website="https://www.hollinbank.example.org.uk", sections={"model": {"enabled": False}}))
    assert ("0113 496 0381" in [f.match for f in _personal(bare, line)]) is phone_flagged


@pytest.mark.parametrize("text, flagged", [
    ("Swimming gala results:\n- Girls 20m Breast Stroke – Rose H, Osprey, 20.5\n- Boys 25m Back Stroke – Sam T, 22.1",
     False),
    ("Well done to Ellie and Sam, who swam all four strokes in the medley relay.", False),
    ("Please keep Mrs Dale in your thoughts as she recovers from a stroke.", True),
    ("Mr Ames had a minor stroke last week and is now home.", True),
])
def test_a_swimming_stroke_is_not_a_stroke(text, flagged):
    bare = Engine(Config(sections={"model": {"enabled": False}}))
    found = [f for f in _personal(bare, text) if f.rule == "personal-circumstances"]
    assert bool(found) is flagged
