"""No traceback, ever (issue 16): bad input is one line naming the file (exit 2) or an input-error finding."""
from __future__ import annotations

import csv
import json
import os
import warnings
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from typer.testing import CliRunner

from postcheck import yamlio
from postcheck.cli import app
from postcheck.discovery import discover, load

cli = CliRunner()


def laughs(levels: int = 9, indent: str = "") -> str:
    """A "billion laughs" YAML document: 10**levels values from a dozen lines."""
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{indent}{name}: &{name} [{','.join(['*' + prev] * 10)}]")
    return "\n".join(lines) + "\n"


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("postcheck: error: "), result.output
    for needle in needles:
        assert needle in lines[0], result.output


def problems_of(path: Path) -> list[str]:
    return [p.message for spec in discover([path]) for p in load(spec, "school").problems]


# -- YAML: aliases, recursion, depth ------------------------------------------------------------
@pytest.mark.parametrize("text, reason", [
    (laughs(), "expands to more than"),
    ("a: &a [*a]\n", "refers to itself"),
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
    ('a: &a "' + "x" * 1000 + '"\nb: [' + ",".join(["*a"] * 1000) + "]\n", "expands to more than"),
])
def test_yaml_expansion_is_refused_fast(text, reason):
    with pytest.raises(yamlio.SourceError) as caught:
        yamlio.parse(text, "f.yaml", max_chars=200_000)
    assert reason in str(caught.value) and str(caught.value).startswith("f.yaml")


def test_billion_laughs_in_front_matter_is_an_input_error(tmp_path):
    draft = tmp_path / "post.md"
    draft.write_text("---\n" + laughs() + "title: x\n---\nHello.\n")
    assert any("front matter" in m and "expands" in m for m in problems_of(draft))


@pytest.mark.parametrize("where", ["config", "consent", "pack", "staff"])
def test_billion_laughs_in_a_setting_is_one_line_exit_two(tmp_path, where):
    (tmp_path / "post.md").write_text("Hello.\n")
    config = "school: x\n"
    if where == "config":
        config += "names:\n" + laughs(indent="  ")
    elif where == "consent":
        (tmp_path / "consent.yaml").write_text(laughs() + "learners: []\n")
        config += "consent_list: consent.yaml\n"
    elif where == "staff":
        (tmp_path / "staff.yaml").write_text(laughs())
        config += "staff: staff.yaml\n"
    else:
        (tmp_path / "pack").mkdir()
        (tmp_path / "pack" / "mine.yaml").write_text(laughs())
        config += "rules: {packs: [pack/]}\n"
    (tmp_path / "postcheck.yaml").write_text(config)
    result = cli.invoke(app, ["check", "-c", str(tmp_path / "postcheck.yaml"), str(tmp_path / "post.md")])
    one_line_error(result, "expands to more than")


# -- settings files that cannot be read or decoded ----------------------------------------------------
def _config_with(tmp_path: Path, key: str, name: str) -> Path:
    (tmp_path / "post.md").write_text("Hello.\n")
    (tmp_path / "postcheck.yaml").write_text(f"school: x\n{key}: {name}\n")
    return tmp_path / "postcheck.yaml"


@pytest.mark.parametrize("key, name, data, needle", [
    ("consent_list", "consent.yaml", b"learners:\n  - id: L1\n    name: \xff\xfe\xfa\n", "not UTF-8"),
    ("staff", "staff.yaml", b"- \xff\xfe\xfa Smith\n", "not UTF-8"),
    ("roster", "roster.csv", b"first_name,last_name\n\x00\x01\x02,\x00\n", "binary"),
    ("roster", "roster.csv", ("first_name,last_name\n" + "A" * (csv.field_size_limit() + 10) + ",B\n").encode(),
     "field larger"),
    ("roster", "roster.csv", b'first_name,last_name\n"Amelia\x00",Hart\n', "binary"),
])
def test_undecodable_settings_are_one_line_exit_two(tmp_path, key, name, data, needle):
    (tmp_path / name).write_bytes(data)
    result = cli.invoke(app, ["check", "-c", str(_config_with(tmp_path, key, name)), str(tmp_path / "post.md")])
    one_line_error(result, name, needle)


def test_a_setting_that_is_a_fifo_or_a_symlink_loop_is_refused(tmp_path):
    os.mkfifo(tmp_path / "roster.csv")
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    for key, name in (("roster", "roster.csv"), ("staff", "a.txt")):
        result = cli.invoke(app, ["check", "-c", str(_config_with(tmp_path, key, name)), str(tmp_path / "post.md")])
        one_line_error(result, name)


def test_consent_photo_that_is_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "loop.jpg").symlink_to("loop.jpg")
    (tmp_path / "consent.yaml").write_text("learners:\n  - {id: L1, name: Ola Fen, objection: photos, photos: [loop.jpg]}\n")
    result = cli.invoke(app, ["check", "-c", str(_config_with(tmp_path, "consent_list", "consent.yaml")),
                              str(tmp_path / "post.md")])
    one_line_error(result, "loop.jpg")


# -- baselines edited by hand ---------------------------------------------------------------------------
@pytest.mark.parametrize("body, needle", [
    ('{"postcheck_baseline": 1, "salt": "00", "findings": [{"rule": "a", "path": "b", "match": "c", "count": 1e400}]}',
     "whole count"),
    ("[" * 100_000, "not a postcheck baseline"),
    ('{"postcheck_baseline": 1, "salt": "00", "iterations": 1e400, "findings": []}', "iterations"),
    ('{"postcheck_baseline": 1, "salt": "00", "iterations": 5000000, "findings": []}', "iterations"),
    ('{"postcheck_baseline": 1, "salt": "00", "findings": [], "x": ' + "9" * 5000 + "}", "not a postcheck baseline"),
])
def test_hand_edited_baseline_is_one_line_exit_two(tmp_path, body, needle):
    (tmp_path / "post.md").write_text("Hello.\n")
    (tmp_path / "base.json").write_text(body)
    result = cli.invoke(app, ["check", "--baseline", str(tmp_path / "base.json"), str(tmp_path / "post.md")])
    one_line_error(result, "base.json", needle)


# -- special files and loops among the posts ------------------------------------------------------------
def test_special_files_and_loops_in_a_walked_folder_are_input_errors(tmp_path):
    os.mkfifo(tmp_path / "stuck.md")
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    (tmp_path / "loop.md").symlink_to("loop.md")
    (tmp_path / "big.md").write_text("Hello there. " * 20_000)
    (tmp_path / "uses.md").write_text("![loop](loop.jpg) ![zero](zero.jpg)\n")
    (tmp_path / "loop.jpg").symlink_to("loop.jpg")
    (tmp_path / "zero.jpg").symlink_to("/dev/zero")
    found = {spec.path.name: [p.message for p in load(spec, "school").problems] for spec in discover([tmp_path])}
    assert "not a regular file (a FIFO)" in found["stuck.md"][0]
    assert "not a regular file (a device)" in found["zero.md"][0]
    assert "symlink loop" in found["loop.md"][0]
    assert "over the 200,000-byte limit" in found["big.md"][0]
    assert any("loop.jpg" in m for m in found["uses.md"])  # an image reference that loops is reported
    from postcheck.images.loader import ImageError, load_image

    for name, reason in (("zero.jpg", "not a regular file"), ("loop.jpg", "symlink loop")):
        with pytest.raises(ImageError, match=reason):
            load_image(tmp_path / name)


def test_png_text_chunk_over_pillows_limit_does_not_abort_the_batch(tmp_path, school_config):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "x" * (PngImagePlugin.MAX_TEXT_CHUNK + 10), zip=True)
    Image.new("RGB", (16, 16), "white").save(tmp_path / "big-text.png", pnginfo=info)
    Image.new("RGB", (16, 16), "white").save(tmp_path / "plain.png")
    from postcheck.engine import Engine

    specs = discover([tmp_path])
    report = Engine(school_config).run(load(s, "school") for s in specs)
    by_path = {Path(p.path).name: p for p in report.posts}
    assert set(by_path) == {"big-text.png", "plain.png"}
    assert any(f.category == "input-error" and "MAX_TEXT_CHUNK" in f.message for f in by_path["big-text.png"].findings)
    assert not any(f.category == "input-error" for f in by_path["plain.png"].findings)


def test_corrupt_exif_warnings_never_reach_stderr(tmp_path):
    exif = Image.Exif()
    exif[0x010E] = "A description long enough to live outside the IFD entry" * 3
    Image.new("RGB", (32, 32), "white").save(tmp_path / "bad.jpg", exif=exif.tobytes()[:-60])
    from postcheck.images.loader import load_image
    from postcheck.images.metadata import identifying_metadata
    from postcheck.reporters.html import thumbnail

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with Image.open(tmp_path / "bad.jpg") as image:
            image.getexif().get_ifd(0x8769)
            image.getexif()
        assert seen, "the fixture should make Pillow warn"
        seen.clear()
        load_image(tmp_path / "bad.jpg")
        identifying_metadata(tmp_path / "bad.jpg")
        thumbnail(tmp_path / "bad.jpg")
    assert [str(w.message) for w in seen] == []


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# -- file names: not UTF-8, terminal escapes ---------------------------------------------------------------
def test_file_names_with_escapes_or_bad_bytes_are_shown_safely(tmp_path):
    import subprocess
    import sys

    folder = os.fsencode(tmp_path)
    for name in (b"/caf\xe9.md", b"/red\x1b[31m.md"):  # binary: an input-error finding names each file
        with open(folder + name, "wb") as handle:
            handle.write(b"\x00\x01\x02 not a draft")
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    for fmt in ("sarif", "github", "human", "json"):
        proc = subprocess.run([sys.executable, "-m", "postcheck", "check", "--no-cache", "--format", fmt, "."],
                              cwd=tmp_path, capture_output=True, env=env, timeout=300)
        assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")[-2000:]
        out = proc.stdout.decode("utf-8")  # valid UTF-8
        assert b"Traceback" not in proc.stderr
        if fmt in ("sarif", "json"):
            out = "\n".join(_strings(json.loads(out)))
        assert "\x1b" not in out and "\ufffd" not in out
        assert ("red\\x1b[31m.md" in out and "caf\\xe9.md" in out) or ("red%5Cx1b" in out and "caf%5Cxe9" in out)
    proc = subprocess.run([sys.executable, "-m", "postcheck", "check", "--no-cache", "--format", "sarif",
                           "-o", os.fsdecode(folder + b"/out\xff.sarif"), "."],
                          cwd=tmp_path, capture_output=True, env=env, timeout=300)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert json.loads(Path(os.fsdecode(folder + b"/out\xff.sarif")).read_bytes().decode("utf-8"))
    assert not [n for n in os.listdir(folder) if n.endswith(b".tmp")]
