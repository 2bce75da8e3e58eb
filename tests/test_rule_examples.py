"""Every rule's examples run as tests; every rule explains itself."""
from __future__ import annotations

import pytest

from postcheck.model import CATEGORIES, Severity
from postcheck.rulepack import load_pack

PACK = load_pack()


def _cases():
    for rule in PACK.rules:
        for kind, examples in rule.examples.items():
            for index, example in enumerate(examples):
                yield pytest.param(rule, kind, example, id=f"{rule.id}-{kind}-{index}")


@pytest.mark.parametrize("rule, kind, example", list(_cases()))
def test_rule_example(rule, kind, example, check_text):
    if isinstance(example, dict):
        if "text" not in example:
            pytest.skip("example is not a text draft (image rules test with generated images)")
        text, account = example["text"], example.get("account", "school")
    else:
        text, account = example, "school"
    if account not in rule.accounts:
        pytest.fail(f"example uses account {account!r}, which rule {rule.id} does not apply to")
    result = check_text(text, account=account)
    mine = [f for f in result.findings if f.rule == rule.id]
    if kind == "pass":
        assert not mine, f"{rule.id} should pass: {text!r} -> {[f.match for f in mine]}"
    elif kind == "fail":
        assert any(f.severity is Severity.ERROR for f in mine), f"{rule.id} should fail: {text!r}"
    else:
        assert mine and all(f.severity is Severity.WARNING for f in mine), f"{rule.id} should need review: {text!r}"


@pytest.mark.parametrize("rule", PACK.rules, ids=lambda r: r.id)
def test_rule_is_documented(rule):
    assert rule.why and rule.fix and rule.message
    assert rule.category in CATEGORIES
    assert all(clause in PACK.clauses for clause in rule.clauses)
    if rule.check != "input_errors":
        assert rule.examples.get("fail") or rule.examples.get("review"), f"{rule.id} has no failing example"


def test_every_category_cited_by_a_rule_has_clause_summaries():
    for clause, summary in PACK.clauses.items():
        assert len(summary) > 20, clause
