"""Unsafe links: case file, link finding, trust lists, and no network access ever."""
from __future__ import annotations

import socket

import pytest

from postcheck.checks import links
from postcheck.config import Config
from postcheck.engine import Engine
from postcheck.model import Severity
from postcheck.posts import post_from_text


@pytest.mark.parametrize("text, expected", [
    ("See https://cutt.ly/abc.", [("https://cutt.ly/abc", None)]),
    ("Go to [gov.uk](https://fsm.example/start) now", [("https://fsm.example/start", "gov.uk")]),
    ("bit.ly/x and www.example.com/a, then (https://example.org/b)", [
        ("bit.ly/x", None), ("www.example.com/a", None), ("https://example.org/b", None)]),
    ("Photos in sports-day.zip and menu.pdf; e.g. Mr. Smith at 10.30am. Today.It rained.", []),
    ("Email office@school.example or @handle.name", []),
])
def test_find_links(text, expected):
    found = links.find_links(text, ["zip", "pdf"])
    assert [(link.url, link.shown) for link in found] == expected
    for link in found:
        assert text[link.start:link.end] == link.url


def test_suffix_list_is_bundled_and_never_fetched(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tldextract tried to open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    links.extractor.cache_clear()
    try:
        assert links.site_of("www.bbc.co.uk") == "bbc.co.uk"
        assert links.site_of("apply.service.gov.uk") == "service.gov.uk"
        assert links.site_of("uniform-grant.example") == "uniform-grant.example"
    finally:
        links.extractor.cache_clear()


def _engine(**links_section) -> Engine:
    return Engine(Config(website="https://www.hollinbank.example.org.uk", sections={"links": links_section}))


def _findings(engine: Engine, text: str):
    result = engine.check_post(post_from_text(text, name="draft.md"))
    return [f for f in result.findings if f.category == "unsafe-link"]


def test_allow_list_trusts_a_domain_and_deny_list_blocks_one():
    text = "Quiz: https://tickets.hollinbank-pta.example/quiz and https://www.sketchy-games.example/play"
    plain = _findings(_engine(), text)
    assert [f.match for f in plain] == ["https://tickets.hollinbank-pta.example/quiz"]
    configured = _findings(_engine(allow=["hollinbank-pta.example"], deny=["https://sketchy-games.example"]), text)
    assert [f.match for f in configured] == ["https://www.sketchy-games.example/play"]
    assert "deny list" in configured[0].message


@pytest.mark.parametrize("url, reason", [
    ("http://www.hollinbank.example.org.uk/revision/pack", "not encrypted"),
    ("http://hollinbank.example.org.uk/", "not encrypted"),
    ("http://clubs.partner-trust.example/list", "not encrypted"),
    ("https://www.hollinbank.example.org.uk/apps/quiz.apk", ".apk"),
    ("https://clubs.partner-trust.example/setup/Installer.EXE", ".exe"),
    ("https://www.hollinbank.example.org.uk/forms/letter.docm", ".docm"),
    ("https://forms.partner-trust.example@payments-hub.example/pay", "hides the real host"),
])
def test_trust_does_not_excuse_transport_payload_or_tricks(url, reason):
    [finding] = _findings(_engine(allow=["partner-trust.example"]), f"See {url} today.")
    assert finding.match == url and reason in finding.message
    assert finding.severity is Severity.ERROR


@pytest.mark.parametrize("url", [
    "https://HollinBank.example.org.uk/news",
    "https://clubs.partner-trust.example/list",
    "https://bit.ly/hollin-quiz",  # the school put this shortener on its allow list
])
def test_trust_still_exempts_identity_checks(url):
    assert _findings(_engine(allow=["partner-trust.example", "bit.ly"]), f"See {url} today.") == []


@pytest.mark.parametrize("url", [
    "https://www.hollinbank.example.org.uk/gallery/sports-day.zip",
    "https://clubs.partner-trust.example/kit/forms.7z",
])
def test_archives_are_unsafe_even_on_a_trusted_site_and_the_message_says_so(url):
    [finding] = _findings(_engine(allow=["partner-trust.example"]), f"Photos: {url} today.")
    assert "even on a trusted site" in finding.message and finding.severity is Severity.ERROR


@pytest.mark.parametrize("url, listed", [
    ("https://forms.gle/AbCdEf123", True),  # Google Forms short links: in the shipped list, not the rule's
    ("https://amzn.to/3xYz", True),
    ("https://www.forms.gle/x", True),
    ("https://youtu.be/dQw4w9WgXcQ", False),  # an exception: always opens YouTube
    ("https://www.man.ac.uk/courses", False),  # an exception: a university's own domain
    ("https://docs.google.com/forms/d/e/1FAIp/viewform", False),
])
def test_shorteners_come_from_the_shipped_list(url, listed):
    from postcheck.checks.links import shipped_shorteners

    assert len(shipped_shorteners()) > 1000
    found = _findings(_engine(), f"Sign up: {url} today.")
    assert any("shortener" in f.message for f in found) is listed, [f.message for f in found]


def test_a_more_specific_deny_entry_beats_the_allow_list():
    engine = _engine(allow=["partner-trust.example"], deny=["forum.partner-trust.example"])
    text = "Chat: https://forum.partner-trust.example/t/1 and clubs: https://clubs.partner-trust.example/"
    assert [f.match for f in _findings(engine, text)] == ["https://forum.partner-trust.example/t/1"]


@pytest.mark.parametrize("text, claimed", [
    ("[nhs.uk](https://nhs-vaccine-checker.example/schedule)", "nhs.uk"),
    ("[NHS.UK](https://nhs-vaccine-checker.example/)", "nhs.uk"),
    ("[Gov.uk/apply](https://gov-apply.example/fsm)", "gov.uk"),
    ("[police.uk](https://police-uk.example/report)", "police.uk"),
    ("[www.parentpay.com](https://parent-pay.example/login)", "www.parentpay.com"),
    ("[https://www.bbc.co.uk](https://bbc.co.uk.news-today.example/)", "www.bbc.co.uk"),
    ("[bbc.co.uk/bitesize](https://bitesize.example.net/)", "bbc.co.uk"),
    ("[Check nhs.uk for the schedule](https://nhs-vaccine-checker.example/)", "nhs.uk"),
    ("[nhs.uk](https://nhs.uk.jab-dates.example/)", "nhs.uk"),
])
def test_link_text_that_is_a_domain_must_match_the_target(text, claimed):
    findings = _findings(_engine(), f"Details: {text}.")
    assert len(findings) == 1 and f"shows {claimed} but" in findings[0].message
    assert findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("text", [
    "[nhs.uk](https://www.nhs.uk/vaccinations/)",
    "[nhs.uk](https://digital.nhs.uk/services)",
    "[www.nhs.uk](https://nhs.uk/)",
    "[GOV.UK](https://www.gov.uk/apply-free-school-meals)",
    "[gov.uk](https://apply-free-school-meals.service.gov.uk/start)",
    "[news.bbc.co.uk](https://www.bbc.co.uk/news)",
    "[hollinbank.example.org.uk](https://www.hollinbank.example.org.uk/)",
    "[www.hollinbank.example.org.uk](https://hollinbank.example.org.uk/news)",
    "[our website](https://www.hollinbank.example.org.uk/news)",
    "[Read the full letter from Mrs. Okafor, e.g. the dates](https://www.hollinbank.example.org.uk/letters)",
    "[office@hollinbank.example.org.uk](https://www.hollinbank.example.org.uk/contact)",
    "[Starts 8.45am.Please be prompt](https://www.hollinbank.example.org.uk/times)",
    "[Menu.It starts Monday](https://www.hollinbank.example.org.uk/menu)",
    "[the nhs.uk and gov.uk advice](https://www.nhs.uk/conditions/)",
    "[our news page](/news/latest)",
    "[www.hollinbank.example.org.uk/news](/news)",
])
def test_link_text_that_is_not_a_different_domain_passes(text):
    assert _findings(_engine(), f"See {text} today.") == []


def test_link_text_naming_another_site_over_our_own_page_is_a_warning():
    for target in ("https://www.hollinbank.example.org.uk/health", "/health"):
        [finding] = _findings(_engine(), f"Advice: [nhs.uk]({target})")
        assert finding.severity is Severity.WARNING and "shows nhs.uk" in finding.message


@pytest.mark.parametrize("text, expected", [
    ("nhs.uk", ["nhs.uk"]),
    ("Visit gov.uk/apply or https://www.bbc.co.uk/x", ["gov.uk", "www.bbc.co.uk"]),
    ("GOV.UK", ["gov.uk"]),
    ("office@school.example, e.g. Mr. Smith at 10.30am. Today.It rained", []),
    ("report.pdf and photos.zip", []),
    ("https://photos.zip", ["photos.zip"]),
    ("bücher.de", ["xn--bcher-kva.de"]),
])
def test_claimed_hosts(text, expected):
    assert links.claimed_hosts(text, ["pdf", "zip"]) == expected


def test_the_message_says_why_and_several_reasons_are_joined():
    [finding] = _findings(_engine(), "Game: http://203.0.113.5/game.exe")
    assert finding.severity is Severity.ERROR
    assert "not encrypted" in finding.message and "raw IP" in finding.message
    assert finding.clauses == ("6.3(g)",)


def test_unicode_domain_without_lookalikes_is_only_a_warning():
    [finding] = _findings(_engine(), "Our partner school: https://школа.example/новости")
    assert finding.severity is Severity.WARNING


def test_punycode_is_decoded_in_the_message():
    [finding] = _findings(_engine(), "Pay at https://xn--pypal-4ve.com/school")
    assert "pаypal.com" in finding.message  # the Cyrillic a is shown


def test_without_a_website_the_check_says_so(check_text):
    engine = Engine(Config())
    _findings(engine, "See https://www.example.com")
    assert any("website not configured" in n for n in engine.ctx.notices)


@pytest.mark.parametrize("url, reason", [
    ("https://www.sunderIand.gov.uk/school-meals", "a capital I in sunderIand reads as l"),  # under gov.uk, but not the council
    ("https://www.durhamcounciI.example/pay", "looks like durhamcouncil.example"),  # a lookalike of an allowed domain
])
def test_capital_i_for_lower_case_l_against_every_trusted_domain(url, reason):
    findings = _findings(_engine(allow=["durhamcouncil.example"]), f"Apply at {url} now.")
    assert findings and reason in findings[0].message and findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("url", [
    "https://www.IBM.com/uk-en",  # capitals only: a written name, not a trick
    "https://www.BigIdeas.example/kids",  # CamelCase words
    "https://www.sunderland.gov.uk/school-meals",
    "https://www.durhamcouncil.example/pay",
])
def test_capitals_that_are_not_a_lookalike_pass(url):
    assert _findings(_engine(allow=["durhamcouncil.example"]), f"Apply at {url} now.") == []


@pytest.mark.parametrize("url, reason", [
    # a school's address (or the council's) as the front of another site's: the real domain is what follows
    ("https://walbottle-village.newcastle.sch.uk.ticket-confirm.example/christmas",
     "sch.uk is only part of the name; the real domain is ticket-confirm.example"),
    ("https://www.newcastle.gov.uk-pay.example/meals", "gov.uk is only part of the name"),
])
def test_a_trusted_suffix_inside_another_sites_address_is_unsafe(url, reason):
    findings = _findings(_engine(), f"Book at {url} now.")
    assert findings and reason in findings[0].message and findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("url, reason", [
    # any whole web address at the front of another host's name, trusted or not
    ("https://chat.whatsapp.com.join-class6k.example/invite/Y6", "whatsapp.com is only part of the name"),
    ("https://www.an-author.co.uk.orders-secure.example/signed-copies", "an-author.co.uk is only part of the name"),
    ("https://youtu.be.video-share.example/watch", "youtu.be is only part of the name"),
])
def test_a_whole_domain_inside_another_hosts_name_is_unsafe(url, reason):
    findings = _findings(_engine(), f"Join here: {url}")
    assert findings and reason in findings[0].message and findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("url", ["https://uk.linkedin.com/in/someone", "https://www.uk.issworld.com/careers",
                                 "https://news.blog.example.org/term-dates", "https://en.wikipedia.org/wiki/Owl",
                                 "https://mail.google.com/", "https://www.bbc.co.uk/news"])
def test_ordinary_subdomains_are_no_domain_inside_a_host(url):
    assert _findings(_engine(), f"See {url} for more.") == []


def test_a_school_site_under_sch_uk_is_no_lookalike():
    assert _findings(_engine(), "Book at https://walbottle-village.newcastle.sch.uk/christmas now.") == []
