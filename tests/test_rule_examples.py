"""Every rule's examples run as tests; every rule explains itself.

An example is a draft's text, or a mapping: ``text``, ``account``, ``consent`` (a one-learner
consent list: ``name``, ``objection``, ``photos``) and ``image`` (``{make: {...}}`` generated
here: ``gps``, ``artist``, ``truncated``; or ``{fixture: path}`` under ../shared/fixtures, skipped
when absent).
"""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml

from postcheck.config import load_config
from postcheck.engine import Engine
from postcheck.model import CATEGORIES, Severity
from postcheck.posts import load_draft
from postcheck.rulepack import load_pack

from conftest import SCHOOL, SHARED, missing_data_reason

PACK = load_pack()


def _cases():
    for rule in PACK.rules:
        for kind, examples in rule.examples.items():
            for index, example in enumerate(examples):
                yield pytest.param(rule, kind, example, id=f"{rule.id}-{kind}-{index}")


def _fixture(relative: str) -> Path:
    path = SHARED / "fixtures" / relative
    if not path.is_file():
        pytest.skip(missing_data_reason(("fixtures", *Path(relative).parts)))
    return path


def _make_image(target: Path, spec: dict) -> None:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (90, 140, 200))
    exif = Image.Exif()
    if spec.get("gps"):
        lat, lon = spec["gps"]
        exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: (abs(lat), 0.0, 0.0),
                        3: "E" if lon >= 0 else "W", 4: (abs(lon), 0.0, 0.0)}
    if spec.get("artist"):
        exif[0x013B] = spec["artist"]
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    target.write_bytes(data[: len(data) // 2] if spec.get("truncated") else data)


def _post(example, tmp_path: Path):
    """Write the example as a draft (with its image and consent list) and load it."""
    if not isinstance(example, dict):
        example = {"text": example}
    settings = yaml.safe_load((SCHOOL / "postcheck.yaml").read_text(encoding="utf-8"))
    for key in ("roster", "staff"):
        settings[key] = str(SCHOOL / settings[key])
    consent = example.get("consent")
    if consent:
        photos = []
        for index, photo in enumerate(consent.get("photos", ())):
            photos.append(f"ref{index}{Path(photo).suffix}")
            shutil.copyfile(_fixture(photo), tmp_path / photos[-1])
        (tmp_path / "consent.yaml").write_text(
            "learners:\n  - id: L0001\n"
            f"    name: {consent.get('name', 'Robin Example')}\n"
            f"    objection: {consent.get('objection', 'photos')}\n"
            f"    photos: [{', '.join(photos)}]\n", encoding="utf-8")
        settings["consent_list"] = "consent.yaml"
    (tmp_path / "postcheck.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    front = [f"account: {example.get('account', 'school')}"]
    image = example.get("image")
    if image is not None:
        if "fixture" in image:
            source = _fixture(image["fixture"])
            shutil.copyfile(source, tmp_path / f"photo{source.suffix}")
            front.append(f"images: [photo{source.suffix}]")
        else:
            _make_image(tmp_path / "photo.jpg", image.get("make") or {})
            front.append("images: [photo.jpg]")
    draft = tmp_path / "draft.md"
    draft.write_text("---\n" + "\n".join(front) + "\n---\n" + str(example.get("text", "")) + "\n", encoding="utf-8")
    return load_config(tmp_path / "postcheck.yaml"), load_draft(draft)


@pytest.fixture(scope="module")
def shared_nlp(engine):
    return engine.ctx.nlp


@pytest.mark.parametrize("rule, kind, example", list(_cases()))
def test_rule_example(rule, kind, example, tmp_path, shared_nlp):
    config, post = _post(example, tmp_path)
    assert post.account in rule.accounts, f"example uses account {post.account!r}, which {rule.id} does not cover"
    result = Engine(config, nlp=shared_nlp).check_post(post)
    mine = [f for f in result.findings if f.rule == rule.id]
    shown = [(f.severity.value, f.match, f.message) for f in mine]
    if kind == "pass":  # info findings only say what was checked
        assert not [f for f in mine if f.severity is not Severity.INFO], f"{rule.id} should pass: {example!r} -> {shown}"
    elif kind == "fail":
        assert any(f.severity is Severity.ERROR for f in mine), f"{rule.id} should fail: {example!r} -> {shown}"
    else:
        assert mine and all(f.severity is Severity.WARNING for f in mine), f"{rule.id} should need review: {example!r} -> {shown}"


@pytest.mark.parametrize("rule", PACK.rules, ids=lambda r: r.id)
def test_rule_is_documented(rule):
    assert rule.why and rule.fix and rule.message
    assert rule.category in CATEGORIES
    assert all(clause in PACK.clauses for clause in rule.clauses)
    if rule.check != "input_errors":
        assert rule.examples.get("fail") or rule.examples.get("review"), f"{rule.id} has no failing example"
        assert rule.examples.get("pass"), f"{rule.id} has no passing example"


def test_every_clause_has_a_summary():
    for clause, summary in PACK.clauses.items():
        assert len(summary) > 20, clause


def test_readme_lists_every_rule():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [rule.id for rule in PACK.rules if f"| `{rule.id}` |" not in readme]
    assert not missing, f"README's rule table lacks {missing}"
