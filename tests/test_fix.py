"""postcheck fix on drafts: names rewritten at the findings' spans only, originals untouched, dry runs, JSON."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postcheck.cli import app

from conftest import SCHOOL

runner = CliRunner()

DRAFT = """---
title: "Well done AMELIA HART"
platform: facebook
---
Congratulations to Whitfield, Jonah (8B) and #WellDoneAmeliaHart! Amelia Hart's medal.
Well done to Amelia and Tom Hart. ![Jonah Whitfield in Year 8](field.png)
Our star swimmer Zoë Castellano smashed the Year 10 record.
"""
FIXED_FIRST = """---
title: "Well done AMELIA"
platform: facebook
---
Congratulations to Jonah (8B) and #WellDoneAmelia! Amelia's medal.
Well done to Amelia and Tom. ![Jonah in Year 8](field.png)
Our star swimmer Zoë smashed the Year 10 record.
"""


@pytest.fixture()
def school(tmp_path: Path) -> Path:
    """A folder with the fixture school's configuration (roster, staff) and nothing else."""
    for name in ("postcheck.yaml", "roster.csv", "staff.txt"):
        (tmp_path / name).write_bytes((SCHOOL / name).read_bytes())
    return tmp_path


def field_png(folder: Path) -> Path:
    from PIL import Image

    path = folder / "field.png"
    Image.new("RGB", (64, 48), (40, 160, 40)).save(path)
    return path


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fix(folder: Path, *args: str, env: dict | None = None):
    return runner.invoke(app, ["fix", "-c", str(folder / "postcheck.yaml"), *args], env=env)


def test_every_form_of_a_learners_name_becomes_the_first_name_and_nothing_else_changes(school):
    draft = school / "post.md"
    draft.write_text(DRAFT, encoding="utf-8")
    field_png(school)
    before = hashes(school)
    result = fix(school, str(draft))
    assert result.exit_code == 0, result.output
    assert (school / "post.cleaned.md").read_text(encoding="utf-8") == FIXED_FIRST
    assert "check of the copy: PASS" in result.output
    after = hashes(school)
    assert {k: v for k, v in after.items() if k in before} == before  # originals untouched
    assert set(after) - set(before) == {"post.cleaned.md"}  # the photo had nothing to remove


def test_copy_differs_from_the_original_only_inside_the_name_spans(school):
    from postcheck.config import load_config
    from postcheck.engine import Engine
    from postcheck.posts import load_draft

    draft = school / "post.md"
    draft.write_text(DRAFT, encoding="utf-8")
    field_png(school)
    fix(school, str(draft))
    result = Engine(load_config(school / "postcheck.yaml")).check_post(load_draft(draft))
    names = [result.text[a:b] for f in result.findings if f.category == "learner-full-name" and f.span
             for a, b in [f.span]]
    copy = (school / "post.cleaned.md").read_text(encoding="utf-8")
    covered = sorted((at, at + len(name)) for name in names for at in _occurrences(DRAFT, name))
    outside, cursor = [], 0
    for start, end in covered:
        if start > cursor:
            outside.append(DRAFT[cursor:start])
        cursor = max(cursor, end)
    outside.append(DRAFT[cursor:])
    # the copy is the original's text outside the names, in order, with only the names' places changed
    assert re.fullmatch("(.*?)".join(re.escape(piece) for piece in outside), copy, re.S), (names, copy)
    assert copy != DRAFT


def _occurrences(text: str, piece: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(piece), text)]


def test_initials_and_line_endings_encoding_and_front_matter_kept(school):
    draft = school / "post.md"
    text = "---\r\ntitle: Sports Day\r\n---\r\nWell done to Amelia Hart in Year 9!\r\nGo #AmeliaHart\r\n"
    draft.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = fix(school, str(draft), "--names", "initials")
    assert result.exit_code == 0, result.output
    expected = text.replace("Amelia Hart in", "A.H. in").replace("#AmeliaHart", "#AH")
    assert (school / "post.cleaned.md").read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")


def test_dry_run_prints_a_unified_diff_and_writes_nothing(school):
    draft = school / "post.md"
    draft.write_text(DRAFT, encoding="utf-8")
    field_png(school)
    before = hashes(school)
    result = fix(school, str(draft), "--dry-run")
    assert result.exit_code == 0, result.output
    assert hashes(school) == before
    assert "--- " in result.output and "+++ " in result.output
    assert '-title: "Well done AMELIA HART"' in result.output and '+title: "Well done AMELIA"' in result.output
    assert "nothing written" in result.output


def test_judgement_findings_are_listed_by_hand_and_not_rewritten(school):
    draft = school / "post.md"
    text = "Well done to Amelia Hart in Year 9!\n\nOur new head of maths is useless and lazy.\n"
    draft.write_text(text, encoding="utf-8")
    result = fix(school, str(draft))
    assert result.exit_code == 1  # the copy still fails: a person must rewrite that sentence
    assert "still to fix by hand" in result.output and "disparaging" in result.output
    copy = (school / "post.cleaned.md").read_text(encoding="utf-8")
    assert copy == text.replace("Amelia Hart", "Amelia")
    assert "check of the copy: FAIL" in result.output


def test_name_restricted_by_the_consent_list_becomes_initials(school):
    (school / "consent_list.yaml").write_text(
        "learners:\n  - id: L0009\n    name: Jonah Whitfield\n    objection: name\n", encoding="utf-8")
    config = (school / "postcheck.yaml").read_text(encoding="utf-8") + "consent_list: consent_list.yaml\n"
    (school / "postcheck.yaml").write_text(config, encoding="utf-8")
    draft = school / "post.md"
    draft.write_text("Jonah Whitfield read in assembly. Jonah was brilliant.\n", encoding="utf-8")
    result = fix(school, str(draft))
    assert result.exit_code == 0, result.output
    assert (school / "post.cleaned.md").read_text(encoding="utf-8") == "J.W. read in assembly. J.W. was brilliant.\n"


def test_rerun_is_idempotent_and_clean_copies_are_never_fixed_again(school):
    draft = school / "post.md"
    draft.write_text(DRAFT, encoding="utf-8")
    field_png(school)
    fix(school, str(school))
    first = hashes(school)
    result = fix(school, str(school))
    assert hashes(school) == first
    assert not any(".cleaned.cleaned" in name for name in first)
    assert "post.cleaned.md: a clean copy; not fixed again" in result.output


def test_output_dir_mirrors_folders_and_copies_refer_to_clean_photos(school):
    from PIL import Image

    posts = school / "posts" / "june"
    posts.mkdir(parents=True)
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    Image.new("RGB", (64, 48), (200, 200, 200)).save(posts / "amelia-hart-relay.jpg", exif=exif)
    (posts / "post.md").write_text("Relay day!\n\n![Relay](amelia-hart-relay.jpg)\n", encoding="utf-8")
    out = school / "clean"
    result = fix(school, str(school / "posts"), "-o", str(out))
    assert result.exit_code == 0, result.output
    copy = (out / "june" / "post.cleaned.md").read_text(encoding="utf-8")
    (photo,) = (out / "june").glob("photo-*.cleaned.jpg")  # a neutral name: the original's held a name
    assert copy == f"Relay day!\n\n![Relay]({photo.name})\n"
    assert "check of the copy: PASS" in result.output
    assert sorted(p.name for p in posts.iterdir()) == ["amelia-hart-relay.jpg", "post.md"]


def test_json_lists_every_change_with_names_masked_unless_asked(school):
    draft = school / "post.md"
    draft.write_text("Well done to Amelia Hart in Year 9!\n", encoding="utf-8")
    data = json.loads(fix(school, str(draft), "--format", "json", "--dry-run").output)
    (post,) = data["posts"]
    (change,) = post["changes"]
    assert change == {"type": "name", "path": post["path"], "line": 1, "column": 14, "rule": "learner-full-name",
                      "before": "A***** H***", "after": "A*****"}
    assert "Amelia" not in json.dumps(data)
    shown = json.loads(fix(school, str(draft), "--format", "json", "--dry-run", "--show-names").output)
    assert shown["posts"][0]["changes"][0]["before"] == "Amelia Hart"


def test_names_are_masked_in_the_human_output_under_ci(school):
    draft = school / "post.md"
    draft.write_text("Well done to Amelia Hart in Year 9!\nPhotos: https://example.org/amelia-hart\n", encoding="utf-8")
    result = fix(school, str(draft), "--dry-run", env={"CI": "true"})
    assert "amelia" not in result.output.lower() and "A***** H***" in result.output
    assert "+Well done to A***** in Year 9!" in result.output  # the diff, masked too


def test_fix_without_inputs_is_a_usage_error(school):
    result = fix(school, str(school / "missing.md"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_a_copy_is_never_written_over_an_input_or_a_file_that_is_not_a_copy(tmp_path):
    from postcheck.fixer.paths import FixPathError, write_copy

    precious = tmp_path / "notes.cleaned.md"
    precious.write_text("mine", encoding="utf-8")
    with pytest.raises(FixPathError, match="one of the inputs"):
        write_copy(precious, b"x", {precious.resolve()})
    folder = tmp_path / "post.cleaned.md"
    folder.mkdir()
    with pytest.raises(FixPathError, match="not a clean copy"):
        write_copy(folder, b"x", set())
    assert precious.read_text(encoding="utf-8") == "mine"


def test_output_dir_holding_the_inputs_still_fixes_them(school):
    draft = school / "post.md"
    draft.write_text("Well done to Amelia Hart in Year 9!\n", encoding="utf-8")
    result = fix(school, str(school), "-o", str(school))
    assert result.exit_code == 0, result.output
    assert (school / "post.cleaned.md").read_text(encoding="utf-8") == "Well done to Amelia in Year 9!\n"


def test_windows_1252_draft_and_a_name_broken_across_lines(school):
    draft = school / "post.md"
    draft.write_bytes("Caf\u00e9 trip: well done to Amelia\nHart in Year 9 and **Jonah** **Whitfield**!\n".encode("cp1252"))
    result = fix(school, str(draft))
    assert result.exit_code == 0, result.output
    assert "name: Amelia Hart -> Amelia" in result.output  # shown on one line
    expected = "Caf\u00e9 trip: well done to Amelia in Year 9 and **Jonah**!\n".encode("cp1252")
    assert (school / "post.cleaned.md").read_bytes() == expected
