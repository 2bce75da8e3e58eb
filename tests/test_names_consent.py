"""The consent-list name rule (its examples run in test_rule_examples.py)."""
from __future__ import annotations

from postcheck.config import load_config
from postcheck.engine import Engine
from postcheck.posts import post_from_text
from postcheck.rulepack import load_pack

RULE = load_pack().get("learner-name-objection")


def _engine(tmp_path, consent: dict) -> Engine:
    (tmp_path / "consent.yaml").write_text(
        f"learners:\n  - id: L1\n    name: {consent['name']}\n    objection: {consent['objection']}\n", encoding="utf-8")
    (tmp_path / "postcheck.yaml").write_text("consent_list: consent.yaml\nnlp: {model: none}\n", encoding="utf-8")
    return Engine(load_config(tmp_path / "postcheck.yaml"))


def test_without_a_consent_list_says_so_once(tmp_path):
    (tmp_path / "postcheck.yaml").write_text("nlp: {model: none}\n", encoding="utf-8")
    engine = Engine(load_config(tmp_path / "postcheck.yaml"))
    for _ in range(2):
        engine.check_post(post_from_text("Poppy read a poem.", name="d.md"))
    assert sum("consent list not configured" in n for n in engine.ctx.notices) == 1
