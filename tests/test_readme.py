"""Every snippet in the README works as written: YAML parses, postcheck command lines parse with the
real CLI (options and their values), the pre-commit config names the shipped hook, the Quick start
is two commands and the install lines need no uv override (tests/test_install.py installs them)."""
from __future__ import annotations

import re
import shlex

import pytest
import typer
import yaml

from postcheck.cli import COMMANDS, app

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, re.S | re.M)
CLI = typer.main.get_command(app)


def blocks(*langs: str) -> list[str]:
    return [body for lang, body in BLOCKS if lang in langs]


def command_lines() -> list[str]:
    """postcheck invocations in shell and YAML snippets (comments and YAML list marks removed)."""
    found = []
    for body in blocks("sh", "yaml"):
        for line in body.splitlines():
            line = re.sub(r"\s#.*$", "", line).strip()
            line = re.sub(r"^(- |run: )+", "", line).strip()
            if re.match(r"(\.venv/bin/(uv run )?)?postcheck\s", line):
                found.append(line)
    return found


def test_the_readme_has_the_snippets_these_tests_read():
    assert len(blocks("yaml")) >= 6 and len(command_lines()) >= 10


@pytest.mark.parametrize("body", blocks("yaml"), ids=lambda b: b.split("\n", 1)[0][:40])
def test_yaml_snippets_parse(body):
    # the code-scanning steps are a fragment of the job's step list, indented as they go there
    data = yaml.safe_load(re.sub(r"(?m)^      ", "", body)) if body.startswith("      - if:") else yaml.safe_load(body)
    assert data


@pytest.mark.parametrize("line", command_lines())
def test_postcheck_command_lines_parse_with_the_real_cli(line):
    words = shlex.split(re.sub(r"^\.venv/bin/(uv run )?", "", line))[1:]
    words = [w for w in words if not w.startswith("$")]  # a shell variable such as $CHANGED (options or nothing)
    command = words[0] if words and words[0] in COMMANDS else "check"
    args = words[1:] if words and words[0] in COMMANDS else words
    target = CLI.commands[command]
    if hasattr(target, "commands"):  # a group: `postcheck cache clear`
        target, args = target.commands[args[0]], args[1:]
    try:
        target.make_context(command, list(args), resilient_parsing=False)
    except Exception as exc:  # noqa: BLE001 - click's usage errors (typer vendors its own click)
        pytest.fail(f"README: `{line}` does not parse: {getattr(exc, 'format_message', exc.__str__)()}")


def test_pre_commit_snippet_names_the_shipped_hook_and_its_files_pattern_matches_posts():
    (config,) = [yaml.safe_load(b) for b in blocks("yaml") if b.startswith("repos:")]
    (hook,) = config["repos"][0]["hooks"]
    shipped = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] in {h["id"] for h in shipped}
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in ("posts/sports-day.md", "posts/2026/relay.jpg", "posts/a.HEIC".lower()))
    assert not pattern.search("README.md") and not pattern.search("staff.txt")


def test_quick_start_is_two_commands_that_install_and_run_the_example_then_the_tests():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    body = re.findall(r"```sh\n(.*?)```", section, re.S)[0]
    first, second = body.strip().splitlines()
    assert first.startswith("python3.11 -m venv .venv") and first.endswith("postcheck examples/sports-day.md")
    assert second.endswith("pytest")
    assert "uv tool install" in section  # how to get `postcheck` on PATH, right there


def test_ci_install_lines_are_plain_pip_without_a_uv_override():
    for body in blocks("yaml"):
        for line in body.splitlines():
            if "pip install" in line and "postcheck" in line:
                assert "--overrides" not in line and "uv pip" not in line, line
                assert "postcheck @ git+https://" in line, line
