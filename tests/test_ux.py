"""What people meet first: listings, excerpts and messages that read well at any width."""
from __future__ import annotations

import io

from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.reporters import RenderOptions, render
from postcheck.rulepack import load_pack

from conftest import SCHOOL

runner = CliRunner()
CONFIG = str(SCHOOL / "postcheck.yaml")


def test_rules_listing_never_cuts_ids(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    result = runner.invoke(app, ["rules", "-c", CONFIG])
    assert result.exit_code == 0 and "…" not in result.output
    words = result.output.split()
    for rule in load_pack().rules:
        assert rule.id in words and rule.category in words


def _long_match_report(width_of_match: int) -> tuple[Report, str]:
    text = "Our news: " + "Amelia Hart " + "x" * width_of_match + " and the rest of the line goes on for a while here."
    span = (10, 10 + 12 + width_of_match)
    finding = Finding("learner-full-name", "learner-full-name", Severity.ERROR, ("6.3(f)",), "Learner named",
                      "p.md", 1, 11, text[span[0]:span[1]], span=span)
    return Report((PostResult("p.md", "school", None, (), (finding,), text),)), text


def test_caret_line_under_a_long_match_stays_under_it():
    for length in (5, 60, 75, 150):
        report, _ = _long_match_report(length)
        for width in (100, 72):
            out = io.StringIO()
            render("human", report, out, RenderOptions(width=width))
            lines = out.getvalue().splitlines()
            carets = [i for i, line in enumerate(lines) if line.lstrip(" │").startswith("^")]
            assert len(carets) == 1, (length, width, out.getvalue())
            caret, excerpt = lines[carets[0]], lines[carets[0] - 1]
            assert caret.startswith("    │ ") and excerpt.startswith("    │ ")  # never wrapped to column 0
            assert max(len(caret), len(excerpt)) <= width
            start, stop = caret.index("^"), caret.rindex("^") + 1
            under = excerpt[start:stop]
            assert under.startswith("Amelia Hart x")  # the carets sit under the match
            assert under == "Amelia Hart " + "x" * length or (under.endswith("…") and len(under) < 12 + length)


def test_github_summary_rows_show_post_line_and_finding_and_skip_passes(tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    gps = Finding("image-metadata", "image-metadata", Severity.ERROR, ("3.1(f)",), "GPS position in the photo file",
                  "posts/img/relay.jpg", None, None, "EXIF GPS", "Save a copy without metadata")
    name = Finding("learner-full-name", "learner-full-name", Severity.ERROR, ("6.3(f)",), "Learner named", "posts/a.md",
                   4, 9, "Amelia Hart", "Use the first name")
    info = Finding("faces-checked", "learner-photo", Severity.INFO, (), "2 faces checked", "posts/img/team.jpg", None, None, "")
    report = Report((PostResult("posts/a.md", "school", None, ("posts/img/relay.jpg",), (name, gps)),
                     PostResult("posts/b.md", "school", None, ("posts/img/team.jpg",), (info,))))
    render("github", report, io.StringIO(), RenderOptions(show_names=False))
    rows = [line for line in summary.read_text(encoding="utf-8").splitlines() if line.startswith("| FAIL") or line.startswith("| PASS")]
    assert rows == [
        "| FAIL | `posts/a.md` | 4:9 | error `learner-full-name`: Learner named: A***** H*** | 6.3(f) | Use the first name |",
        "| FAIL | `posts/a.md` | `relay.jpg` | error `image-metadata`: GPS position in the photo file: EXIF GPS | 3.1(f) | Save a copy without metadata |",
    ]


def _main(capsys, *argv: str) -> tuple[int, str]:
    from postcheck.cli import main

    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_mistyped_commands_get_did_you_mean(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out = _main(capsys, "chek", "draft.md")
    assert code == 2 and out == "postcheck: error: 'chek' is not a command, file or folder; did you mean `check`?\n"
    code, out = _main(capsys, "rule")
    assert code == 2 and "did you mean `rules`?" in out
    code, out = _main(capsys, "help")
    assert code == 0 and "Commands:" in out and "no such file" not in out
    code, out = _main(capsys, "help", "check")
    assert code == 0 and "Usage: postcheck check" in out
    (tmp_path / "chek").write_text("Sports day!\n", encoding="utf-8")  # a real file of that name is checked
    code, out = _main(capsys, "chek", "-c", CONFIG)
    assert "did you mean" not in out and "chek" in out
    code, out = _main(capsys, "nothing-like-a-command.md")
    assert code == 2 and "no such file or folder" in out


def test_explain_unknown_rule_suggests_the_closest(capsys):
    code, out = _main(capsys, "explain", "learner-fullname", "-c", CONFIG)
    assert code == 2 and "did you mean `learner-full-name`?" in out
    code, out = _main(capsys, "explain", "qqqq", "-c", CONFIG)
    assert code == 2 and "postcheck rules" in out and "did you mean" not in out


def test_help_uses_plain_words(capsys):
    for command in ("check", "baseline", "explain", "rules", "init"):
        code, out = _main(capsys, command, "--help")
        assert code == 0
        for jargon in ("<list[", "{PATH}", "{RULE}", "<int range>", "<path>", "<str>", "x>=", "[required]"):
            assert jargon not in out, (command, jargon)
    _, out = _main(capsys, "check", "--help")
    assert "Usage: postcheck check [OPTIONS] PATH..." in out and "--config FILE" in out and "--jobs N" in out


def test_word_files_are_named_plainly_on_the_command_line_and_in_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "fine.md").write_text("Sports day was great.\n", encoding="utf-8")
    (folder / "newsletter.docx").write_bytes(b"PK\x03\x04 not really a document")
    (folder / "~$newsletter.docx").write_bytes(b"lock")  # Word's lock file: not a draft anyone wrote
    (folder / "notes.odt").write_bytes(b"PK")
    result = runner.invoke(app, ["check", "-c", CONFIG, "drafts"])
    assert result.exit_code == 0
    note = ("skipped 2 OpenDocument and Word files (OpenDocument and Word files are not read: save as .txt or .md): "
            "drafts/newsletter.docx, drafts/notes.odt")
    assert result.output.count("skipped 2") == 1 and note in " ".join(result.output.split())
    alone = runner.invoke(app, ["check", "-c", CONFIG, "-f", "json", "drafts/newsletter.docx"])
    assert alone.exit_code == 1
    assert "Word files are not read: save as .txt or .md" in alone.output and "unsupported file type" not in alone.output
    (folder / "fine.md").unlink()
    empty = runner.invoke(app, ["check", "-c", CONFIG, "drafts"])
    assert empty.exit_code == 2 and "Word files are not read: save as .txt or .md" in empty.output


def _linter_folder(tmp_path):
    (tmp_path / "school").mkdir()
    import shutil

    for item in SCHOOL.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy)(item, tmp_path / "school" / item.name)
    posts = tmp_path / "school" / "posts"
    (posts / "archive").mkdir(parents=True)
    (posts / "news.md").write_text("Well done Amelia Hart! See http://198.51.100.23/menu\n", encoding="utf-8")
    (posts / "archive" / "old.md").write_text("Well done Amelia Hart!\n", encoding="utf-8")
    (posts / "notes.docx.md").write_bytes(b"\xff\xfe\x00")  # cannot be decoded: an input error
    return tmp_path / "school"


def test_select_and_ignore_by_rule_or_category(tmp_path, monkeypatch):
    school = _linter_folder(tmp_path)
    monkeypatch.chdir(school)
    base = ["check", "posts", "-f", "concise", "--no-cache"]
    everything = runner.invoke(app, base).output.splitlines()
    assert any("learner-full-name" in l for l in everything) and any("unsafe-link" in l for l in everything)
    only_links = runner.invoke(app, base + ["--select", "unsafe-link"])
    rules = {line.split(": ")[1].split()[1] for line in only_links.output.splitlines()}
    assert rules == {"unsafe-link", "input-error"}  # an input error is never dropped
    no_names = runner.invoke(app, base + ["--ignore", "learner-full-name,unsafe-link"])  # a category and a rule
    assert not any("learner-full-name" in l or "unsafe-link" in l for l in no_names.output.splitlines())
    assert no_names.exit_code == 1  # the input error still fails its post
    mistyped = runner.invoke(app, base + ["--select", "unsafe-links"])
    assert mistyped.exit_code == 2 and "did you mean `unsafe-link`?" in mistyped.output
    refused = runner.invoke(app, base + ["--ignore", "input-error"])
    assert refused.exit_code == 2 and "input errors cannot be ignored" in refused.output


def test_per_path_ignores_in_config(tmp_path, monkeypatch):
    school = _linter_folder(tmp_path)
    monkeypatch.chdir(school)
    config = school / "postcheck.yaml"
    config.write_text(config.read_text(encoding="utf-8") + 'per_path_ignores:\n  "posts/archive/*": [learner-full-name]\n',
                      encoding="utf-8")
    out = runner.invoke(app, ["check", "posts", "-f", "concise", "--no-cache"]).output
    assert "posts/archive/old.md" not in out and "posts/news.md:1:11: error learner-full-name" in out
    lines = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join(lines[:-1] + ['  "posts/*": [learner-fullname]']) + "\n", encoding="utf-8")
    bad = runner.invoke(app, ["check", "posts", "--no-cache"])
    assert bad.exit_code == 2 and f"postcheck.yaml:{len(lines)}:" in bad.output and "did you mean `learner-full-name`?" in bad.output


def test_statistics_and_concise_format(tmp_path, monkeypatch):
    school = _linter_folder(tmp_path)
    monkeypatch.chdir(school)
    stats = runner.invoke(app, ["check", "posts", "--statistics", "--no-cache"])
    lines = stats.output.splitlines()
    assert stats.exit_code == 1 and lines[0].split() == ["findings", "posts", "rule", "category", "severity"]
    assert lines[1].split() == ["2", "2", "learner-full-name", "learner-full-name", "error"]
    assert lines[-1] == "4 findings in 3 posts" and "Amelia" not in stats.output
    concise = runner.invoke(app, ["check", "posts", "-f", "concise", "--no-cache"])
    out = concise.output.splitlines()
    assert len(out) == 4 and out[0] == (
        "posts/news.md:1:11: error learner-full-name: Learner identified by full name: A***** H*** (policy 6.3(f))")
    assert "posts/archive/old.md:1:11: error learner-full-name: Learner identified by full name: A***** H*** (policy 6.3(f))" in out
    wrong = runner.invoke(app, ["check", "posts", "--statistics", "-f", "json"])
    assert wrong.exit_code == 2


def test_init_writes_an_example_consent_list_and_never_overwrites(tmp_path, monkeypatch):
    from postcheck.config import load_config

    from conftest import ROOT

    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0 and "wrote postcheck.yaml and consent_list.example.yaml" in result.output
    example = tmp_path / "consent_list.example.yaml"
    assert example.read_text(encoding="utf-8") == (ROOT / "consent_list.example.yaml").read_text(encoding="utf-8")
    assert "see consent_list.example.yaml" in (tmp_path / "postcheck.yaml").read_text(encoding="utf-8")
    assert load_config(tmp_path / "postcheck.yaml").consent_list is None  # an example, not in use
    (tmp_path / "postcheck.yaml").unlink()
    example.write_text("# our own notes\n", encoding="utf-8")
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 0 and "consent_list.example.yaml" not in again.output
    assert example.read_text(encoding="utf-8") == "# our own notes\n"


def test_skip_reasons_for_missing_development_data_are_in_plain_words():
    from conftest import missing_data_reason

    faces = missing_data_reason(("fixtures", "faces", "people", "obama", "obama-480p.jpg"))
    assert faces.startswith("face photos from the development data set are not here") and "skipped" in faces
    assert missing_data_reason(("corpus",)).startswith("the labelled drafts used to measure name detection are not here")
    assert "../shared" not in faces
