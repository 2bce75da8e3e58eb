"""Bounded time and memory (issue 16), by construction: caps, linear parsing, pieces, workers that die.

Speed and memory themselves are measured by benchmarks/adversarial.py; these tests check the
behaviour that keeps them bounded.
"""
from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postcheck import allows
from postcheck import runner as runner_module
from postcheck.cli import app
from postcheck.config import load_config
from postcheck.discovery import discover
from postcheck.nlp import NLP, PIECE_CHARS, RUN_CAP, cap_symbol_runs, pieces
from postcheck.posts import post_from_text
from postcheck.rulepack import load_pack
from postcheck.runner import Runner, default_jobs

from conftest import ROOT, SCHOOL


# -- allow comments: linear parsing, capped counts ------------------------------------------------------
def test_unterminated_allow_comments_end_the_search():
    assert allows.parse("<!-- postcheck " * 60_000) == []
    text = "<!-- postcheck: allow reference reason=\"ok\" -->\nHi.\n" + "<!-- postcheck " * 1000
    assert [a.rules for a in allows.parse(text)] == [("reference",)]


def test_an_allow_may_name_only_so_many_rules():
    many = ", ".join(f"rule-{i}" for i in range(allows.MAX_RULES + 1))
    (allow,) = allows.parse(f'<!-- postcheck: allow {many} reason="x" -->')
    assert allow.problem and f"at most {allows.MAX_RULES}" in allow.problem
    (fine,) = allows.parse('<!-- postcheck: allow a, b reason="x" -->')
    assert fine.problem is None and fine.rules == ("a", "b")


def test_allow_comments_past_the_cap_are_reported_not_read():
    text = '<!-- postcheck: allow reference reason="ok" -->\nHi.\n\n' * (allows.MAX_ALLOWS + 5)
    found = allows.parse(text)
    assert len(found) == allows.MAX_ALLOWS + 1
    assert found[-1].problem and "more than" in found[-1].problem
    post = post_from_text(text)
    assert any("more than" in hit.message for hit in allows.problems(post))


def test_a_long_reason_is_read_whole():
    reason = "x " * 50_000
    (allow,) = allows.parse(f'<!-- postcheck: allow reference reason="{reason}" -->')
    assert allow.reason == reason.strip() and allow.problem is None


def test_locate_is_right_far_into_a_long_post():
    post = post_from_text("line\n" * 30_000 + "Amelia here")
    offset = post.text.index("Amelia")
    assert post.locate(offset)[1:] == (30_001, 1)
    assert post.locate(offset + 3)[1:] == (30_001, 4)


# -- spaCy: symbol runs capped, long texts in pieces, offsets kept ----------------------------------------
@pytest.mark.parametrize("text", ['"' * 40_000, "\U0001F600" * 5000, "_" * 100, 'Wow!!! "' + "?" * 50 + '" ok', "plain text"])
def test_symbol_runs_are_capped_without_moving_offsets(text):
    capped = cap_symbol_runs(text)
    assert len(capped) == len(text)
    longest = max((len(run) for run in __import__("re").findall(r"(?:[^\w\s]|_)+", capped)), default=0)
    assert longest <= RUN_CAP
    assert all(a == b or b == " " for a, b in zip(text, capped))


def test_long_texts_are_cut_into_pieces_that_join_back():
    text = ("A paragraph about sports day. " * 40 + "\n\n") * 40
    parts = pieces(text)
    assert "".join(parts) == text and len(parts) > 1
    assert all(len(p) <= PIECE_CHARS for p in parts)
    assert all(p.endswith("\n\n") for p in parts[:-1])  # cut at paragraph breaks


def test_a_doc_made_in_pieces_matches_the_text():
    nlp = NLP()
    if nlp.pipeline is None:
        pytest.skip("no spaCy pipeline installed")
    text = ("Amelia Hart ran in Leeds on Friday. " * 30 + "\n\n") * 12
    assert len(text) > PIECE_CHARS
    short, long_doc = nlp.pipe(["Tom Quill swam.", text])
    assert long_doc.text == text and short.text == "Tom Quill swam."
    assert all(text[e.start_char:e.end_char] == e.text for e in long_doc.ents)  # offsets into the whole text
    assert sum(1 for e in long_doc.ents if e.text == "Amelia Hart") > 300  # entities in every piece


# -- processes -------------------------------------------------------------------------------------------
def test_jobs_are_capped_at_the_core_count():
    cfg = load_config(SCHOOL / "postcheck.yaml")
    assert Runner(cfg, load_pack(), jobs=400).jobs == default_jobs()
    assert Runner(cfg, load_pack(), jobs=1).jobs == 1


def _drafts(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "drafts"
    folder.mkdir()
    for i in range(count):
        (folder / f"post-{i}.md").write_text(f"Sports day {i} was great.\n")
    return folder


def _run_while_killing(tmp_path, monkeypatch, every_pool: bool):
    if default_jobs() < 2:
        pytest.skip("needs two cores to start workers")
    monkeypatch.setattr(runner_module, "CHUNK_WEIGHT", 1)  # one post per chunk
    cfg = load_config(SCHOOL / "postcheck.yaml")
    runner = Runner(cfg, load_pack(cfg.rule_packs, cfg.rule_overrides, cfg.path), jobs=2)
    stop = threading.Event()
    first_pool: list = []

    def killer() -> None:  # SIGKILL, as the OOM killer sends it
        while not stop.is_set():
            pool = runner._pool
            if pool is not None and not first_pool:
                first_pool.append(pool)
            if pool is not None and (every_pool or pool is first_pool[0]):
                for pid in list(getattr(pool, "_processes", None) or {}):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            time.sleep(0.005)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        report = runner.run(discover([_drafts(tmp_path, 3)]))
    finally:
        stop.set()
        thread.join()
    return report


def test_posts_whose_worker_is_always_killed_are_input_errors(tmp_path, monkeypatch):
    report = _run_while_killing(tmp_path, monkeypatch, every_pool=True)
    assert [Path(p.path).name for p in report.posts] == ["post-0.md", "post-1.md", "post-2.md"]
    for post in report.posts:
        assert [f.category for f in post.findings] == ["input-error"]
        assert "killed" in post.findings[0].message


def test_a_killed_worker_is_replaced_and_its_posts_checked_again(tmp_path, monkeypatch):
    report = _run_while_killing(tmp_path, monkeypatch, every_pool=False)
    assert len(report.posts) == 3
    assert all(not post.findings for post in report.posts), [p.findings for p in report.posts]


# -- no network, ever ---------------------------------------------------------------------------------------
def test_a_whole_run_never_opens_a_socket(tmp_path, monkeypatch):
    """Draft, photo, links, consent list, every format: nothing may touch the network."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("postcheck tried to use the network")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.chdir(ROOT / "examples")
    cli = CliRunner()
    for fmt in ("human", "json", "sarif", "html"):
        result = cli.invoke(app, ["check", "--no-cache", "--jobs", "1", "--format", fmt, "sports-day.md",
                                  "-o", str(tmp_path / f"report.{fmt}")])
        assert result.exit_code == 1, result.output
    assert attempts == []
