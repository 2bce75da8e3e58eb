"""Never modify or delete what is not postcheck's (issue 16): -o guards and `cache clear`."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.outfile import OutputError, write_atomic

from conftest import ROOT

cli = CliRunner()
EXAMPLES = ROOT / "examples"


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def school(tmp_path) -> Path:
    """A copy of the example school: config, roster, staff, consent list with a photo, a draft and its image."""
    folder = tmp_path / "school"
    shutil.copytree(EXAMPLES, folder)
    pack = folder / "pack"
    pack.mkdir()
    shutil.copy(ROOT / "rules" / "reference.yaml", pack / "our-reference.yaml")
    config = (folder / "postcheck.yaml").read_text(encoding="utf-8").replace("rules: {}", "rules: {packs: [pack/]}")
    assert "packs" in config
    (folder / "postcheck.yaml").write_text(config, encoding="utf-8")
    shutil.copy(folder / "relay.jpg", folder / "L0099.jpg")
    with open(folder / "consent_list.yaml", "a", encoding="utf-8") as handle:
        handle.write("  - id: L0099\n    name: Ola Fenwick\n    objection: photos\n    photos: [L0099.jpg]\n")
    (folder / ".postcheck-baseline.json").write_text('{"postcheck_baseline": 1, "salt": "00", "findings": []}\n')
    return folder


def _config_files(folder: Path) -> list[Path]:
    from postcheck.config import load_config

    cfg = load_config(folder / "postcheck.yaml")
    photos = [p for entry in cfg.consent_list.learners for p in entry.photos] if cfg.consent_list else []
    return [folder / "postcheck.yaml", *cfg.source_files, *photos]


def test_output_never_replaces_an_input_or_a_setting(school, monkeypatch):
    monkeypatch.chdir(school)
    cfg_files = _config_files(school)
    assert len(cfg_files) >= 4  # config, roster, staff, consent list (and its photos, if any)
    targets = [school / "relay.jpg", school / ".postcheck-baseline.json", school / "pack" / "our-reference.yaml",
               *cfg_files]
    before = _digest(school)
    for target in targets:
        for command in (["check", "sports-day.md", "--format", "json", "-o", str(target)],
                        ["baseline", "sports-day.md", "-o", str(target)]):
            if command[0] == "baseline" and target.name == ".postcheck-baseline.json":
                continue  # `baseline` writes the baseline: that is its job
            result = cli.invoke(app, command)
            assert result.exit_code == 2, (command, result.output)
            assert "not overwritten" in result.output and "Traceback" not in result.output
    assert _digest(school) == before
    assert not [p for p in school.rglob("*.tmp")]


def test_output_through_a_symlink_or_a_hard_link_to_an_input_is_refused(school, monkeypatch):
    monkeypatch.chdir(school)
    (school / "out.json").symlink_to(school / "roster.csv")
    os.link(school / "staff.txt", school / "hard.json")
    before = _digest(school)
    for name in ("out.json", "hard.json"):
        result = cli.invoke(app, ["check", "sports-day.md", "-o", name])
        assert result.exit_code == 2 and "not overwritten" in result.output
    assert _digest(school) == before


def test_output_is_never_a_device_or_fifo(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    draft = tmp_path / "post.md"
    draft.write_text("Hello.\n")
    for target in (fifo, Path(os.devnull)):
        result = cli.invoke(app, ["check", str(draft), "-o", str(target)])
        assert result.exit_code == 2 and "not a regular file" in result.output, result.output
    assert fifo.exists() and not fifo.is_file() and Path(os.devnull).is_char_device()


def test_temp_file_is_made_beside_the_link_and_removed_on_failure(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    here = tmp_path / "here"
    elsewhere.mkdir()
    here.mkdir()
    (elsewhere / "report.json").write_text("old")
    link = here / "report.json"
    link.symlink_to(elsewhere / "report.json")
    write_atomic(link, "new")
    assert link.read_text() == "new" and not link.is_symlink()  # the link is replaced, its target untouched
    assert (elsewhere / "report.json").read_text() == "old"
    assert sorted(p.name for p in here.iterdir()) == ["report.json"]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["report.json"]
    (here / "folder.json").mkdir()  # os.replace over a folder fails: the temp file must not stay
    with pytest.raises(OutputError):
        write_atomic(here / "folder.json", "x")
    assert sorted(p.name for p in here.iterdir()) == ["folder.json", "report.json"]


def test_output_with_a_name_that_is_not_utf8(tmp_path):
    draft = tmp_path / "post.md"
    draft.write_text("Hello.\n")
    target = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.json")
    write_atomic(Path(target), '{"path": "caf\udce9.md"}')
    assert os.listdir(tmp_path) and sorted(os.listdir(os.fsencode(tmp_path))) == [b"caf\xe9.json", b"post.md"]
    assert Path(target).read_bytes().decode("utf-8")  # valid UTF-8, whatever the file name


def test_cache_clear_deletes_only_what_postcheck_wrote(tmp_path, monkeypatch):
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "letter.txt").write_text("keep me")
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(foreign))
    result = cli.invoke(app, ["cache", "clear"])
    assert result.exit_code == 2 and "nothing deleted" in result.output
    assert (foreign / "letter.txt").read_text() == "keep me"

    from postcheck.cache import ResultCache
    from postcheck.images.cache import cache_dir

    cache = ResultCache(foreign)
    assert cache.file_hash(foreign / "letter.txt") != "missing"  # writes key, marker and an entry
    faces = cache_dir("faces")  # face encodings follow POSTCHECK_CACHE_DIR too
    assert faces is not None and faces.parent == foreign
    (faces / "x.npy").write_bytes(b"encoding")
    result = cli.invoke(app, ["cache", "clear"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in foreign.iterdir()) == ["letter.txt"]  # postcheck's entries gone, the letter kept


def test_cache_clear_of_a_folder_postcheck_made_removes_it(tmp_path, monkeypatch):
    from postcheck.cache import ResultCache

    folder = tmp_path / "cache"
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(folder))
    ResultCache().file_hash(Path(__file__))
    result = cli.invoke(app, ["cache", "clear"])
    assert result.exit_code == 0 and not folder.exists()
