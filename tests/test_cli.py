"""The command line end to end: exit codes, formats, subcommands, errors without tracebacks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from postcheck.cli import app, main

from conftest import ROOT, SCHOOL

runner = CliRunner()
CONFIG = str(SCHOOL / "postcheck.yaml")


def write(tmp_path: Path, text: str, name: str = "post.md") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_pass_exits_zero(tmp_path):
    result = runner.invoke(app, ["check", "-c", CONFIG, write(tmp_path, "Well done to Amelia in Year 9!")])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "1 pass" in result.output


def test_fail_exits_one_with_clause_and_fix(tmp_path):
    result = runner.invoke(app, ["check", "-c", CONFIG, write(tmp_path, "Well done to Amelia Hart!")])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "6.3(f)" in result.output and "post.md:1:14" in result.output
    assert "fix" in result.output


def test_json_shape(tmp_path):
    result = runner.invoke(app, ["check", "-c", CONFIG, "--format", "json", write(tmp_path, "Hi\n\nBravo AMELIA HART")])
    data = json.loads(result.output)
    assert data["schema"] == 1 and data["postcheck"] == "0.1.0"
    (post,) = data["posts"]
    assert post["verdict"] == "fail" and post["account"] == "school" and post["images"] == []
    (finding,) = post["findings"]
    assert {k: finding[k] for k in ("rule", "category", "severity", "clauses", "line", "column")} == {
        "rule": "learner-full-name", "category": "learner-full-name", "severity": "error",
        "clauses": ["6.3(f)"], "line": 3, "column": 7}
    assert finding["suggestion"] and finding["match"] == "A***** H***"  # masked in machine formats
    assert data["summary"] == {"posts": 1, "pass": 0, "review": 0, "fail": 1}


def test_default_command_and_fail_on_review(tmp_path, capsys):
    path = write(tmp_path, "Nothing to see")
    assert main(["-c", CONFIG, path]) == 0
    assert main(["--config", CONFIG, "--fail-on", "review", path]) == 0
    assert "PASS" in capsys.readouterr().out


def test_account_option_overrides_front_matter(tmp_path):
    path = write(tmp_path, "---\naccount: school\n---\nHello")
    data = json.loads(runner.invoke(app, ["check", "-c", CONFIG, "-f", "json", "--account", "personal", path]).output)
    assert data["posts"][0]["account"] == "personal"


def test_missing_path_is_usage_error(tmp_path):
    result = runner.invoke(app, ["check", "-c", CONFIG, str(tmp_path / "nope.md")])
    assert result.exit_code == 2
    assert "nope.md: no such file" in result.output
    assert "Traceback" not in result.output


def test_config_error_is_one_line_exit_two(tmp_path):
    bad = tmp_path / "postcheck.yaml"
    bad.write_text("roster: missing.csv\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "-c", str(bad), write(tmp_path, "x")])
    assert result.exit_code == 2
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert lines == [f"postcheck: error: {bad}:1: [roster] roster: file not found: missing.csv"]


def test_broken_draft_is_input_error_not_crash(tmp_path):
    path = tmp_path / "bin.md"
    path.write_bytes(b"\x00\x01\x02" * 100)
    result = runner.invoke(app, ["check", "-c", CONFIG, "-f", "json", str(path)])
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)["posts"][0]["findings"]
    assert finding["category"] == "input-error" and finding["severity"] == "error"


def test_quiet_hides_passing_posts(tmp_path):
    write(tmp_path, "All good", "a.md")
    write(tmp_path, "Amelia Hart again", "b.md")
    result = runner.invoke(app, ["check", "-c", CONFIG, "--quiet", str(tmp_path)])
    assert "a.md" not in result.output and "b.md" in result.output


def test_rules_and_explain():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0 and "learner-full-name" in result.output and "6.3(f)" in result.output
    result = runner.invoke(app, ["explain", "learner-full-name"])
    assert result.exit_code == 0
    assert "6.3(f)" in result.output and "Why:" in result.output and "Examples that pass" in result.output
    result = runner.invoke(app, ["explain", "no-such-rule"])
    assert result.exit_code == 2 and "postcheck rules" in result.output


def test_explain_gives_the_learned_thresholds_and_the_named_school_one():
    disclaimer = runner.invoke(app, ["explain", "learned-disclaimer"]).output
    assert "needs review (one that names a school" in " ".join(disclaimer.split()) and "from 0.80" in disclaimer
    disparaging = runner.invoke(app, ["explain", "learned-disparaging"]).output
    flat = " ".join(disparaging.split())
    assert "On the school's own account two readers judge it" in flat
    meta = json.loads((ROOT / "postcheck" / "data" / "learned" / "context.json").read_text(encoding="utf-8"))
    review, error = meta["thresholds"]["disparaging"]
    assert f"review from {review:.2f}, fails from {error:.2f}." in flat
    assert "alone" not in meta and "second reader alone" not in flat  # scripts/train_context.py: no alone route
    (p_review, p_error) = meta["account_thresholds"]["personal"]["disparaging"]
    personal = flat[flat.index("On a personal account two readers judge it"):]
    assert f"review from {p_review:.2f}, fails from {p_error:.2f}." in personal and "alone" not in personal
    assert "names a school" not in disparaging
    reference = " ".join(runner.invoke(app, ["explain", "learned-reference"]).output.split())
    assert "needs review;" in reference and "two readers" not in reference  # the static reader alone



def test_explain_says_below_which_model_score_a_confidential_match_is_info():
    confidential = " ".join(runner.invoke(app, ["explain", "confidential"]).output.split())
    assert "scores below 0.05 for confidential is told as info" in confidential
    personal = " ".join(runner.invoke(app, ["explain", "personal-contact-details"]).output.split())
    assert "told as info" not in personal

def test_init_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    written = (tmp_path / "postcheck.yaml").read_text()
    (tmp_path / "postcheck.yaml").write_text("school: Mine\n")
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2 and "already exists" in result.output
    assert (tmp_path / "postcheck.yaml").read_text() == "school: Mine\n"
    assert "roster" in written


def test_every_command_has_help():
    for command in ("check", "rules", "explain", "init"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and len(result.output) > 80, command


def test_help_does_not_load_heavy_libraries():
    code = ("import sys; from postcheck.cli import main; "
            "rc = main(['--help']); "
            "heavy = [m for m in ('spacy', 'PIL', 'dlib', 'face_recognition', 'numpy', 'av', 'cv2', 'onnxruntime') "
            "if m in sys.modules]; "
            "print(heavy); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_no_color_when_piped(tmp_path):
    env = {**os.environ, "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "postcheck", "-c", CONFIG, write(tmp_path, "Amelia Hart")],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 1 and "\x1b[" not in out.stdout


def test_config_found_beside_the_checked_draft(tmp_path, monkeypatch):
    school = tmp_path / "school"
    school.mkdir()
    (school / "postcheck.yaml").write_text("roster: roster.csv\n", encoding="utf-8")
    (school / "roster.csv").write_text("first_name,last_name\nAmelia,Hart\n", encoding="utf-8")
    path = write(school, "Well done Amelia Hart")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main([path]) == 1


def test_folder_walk_skips_the_configurations_own_files(tmp_path):
    from PIL import Image

    (tmp_path / "consent").mkdir()
    Image.new("RGB", (16, 16), "white").save(tmp_path / "consent" / "ref.jpg")
    (tmp_path / "consent.yaml").write_text(
        "learners:\n  - id: L1\n    name: Robin Example\n    photos: [consent/ref.jpg]\n", encoding="utf-8")
    (tmp_path / "staff.txt").write_text("Helen Marsh\n", encoding="utf-8")
    (tmp_path / "postcheck.yaml").write_text("staff: staff.txt\nconsent_list: consent.yaml\n", encoding="utf-8")
    write(tmp_path, "Lovely day", "post.md")
    result = runner.invoke(app, ["check", "-c", str(tmp_path / "postcheck.yaml"), "-f", "json", str(tmp_path)])
    assert [p["path"].rsplit("/", 1)[-1] for p in json.loads(result.output)["posts"]] == ["post.md"]


def test_explain_says_when_the_model_reads_a_contact_match_as_a_reference():
    contact = " ".join(runner.invoke(app, ["explain", "learner-contact"]).output.split())
    assert "names no learner or family, which the model reads as reference and not as learner-contact" in contact
