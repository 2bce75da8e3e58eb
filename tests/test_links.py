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
    text = "Clubs: http://clubs.trusted-partner.example/list and https://www.sketchy-games.example/play"
    plain = _findings(_engine(), text)
    assert [f.match for f in plain] == ["http://clubs.trusted-partner.example/list"]
    configured = _findings(_engine(allow=["trusted-partner.example"], deny=["https://sketchy-games.example"]), text)
    assert [f.match for f in configured] == ["https://www.sketchy-games.example/play"]
    assert "deny list" in configured[0].message


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
