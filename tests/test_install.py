"""Every documented way to install postcheck uses prebuilt wheels only, with no compiler at hand.

Slow (each test installs postcheck and its dependencies from the package registry into a fresh
environment, reusing pip's and uv's download caches), so these run only with `pytest --install`,
as `.ci/run` does, and skip with the reason when the registry cannot be reached.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.install

EXAMPLE = ROOT / "examples" / "sports-day.md"
INSTALL_TIMEOUT = 1500  # seconds; a first install downloads ~250 MB


@pytest.fixture(scope="module")
def registry() -> None:
    """Skips the test when the package index pip is configured with cannot be reached (asked through
    pip itself, so no index address is written here)."""
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "dlib-bin"],
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.skip("the package registry did not answer within 2 minutes; these tests install from it")
    if done.returncode != 0 or "20.0.1" not in done.stdout:
        why = (done.stderr.strip().splitlines() or ["no answer"])[-1][:200]
        pytest.skip(f"the package registry cannot be reached ({why}); these tests install from it")


# a C/C++ compiler, a build tool for one, or a compiler wrapper: gcc-12, x86_64-linux-gnu-g++, clang++-16, c99...
COMPILER = re.compile(r"(^|-)(cc|gcc|g\+\+|c\+\+|cpp|c89|c99|clang|clang\+\+|cmake|make|ninja|ccache|tcc)(-[\d.]+)?$")


@pytest.fixture
def wheel_only_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine without a C/C++ compiler: every program on PATH but compilers and
    build tools (cc, gcc, g++, c++, clang, cmake, make...), CC/CXX unset.

    HOME stays, so pip's and uv's download caches are reused; results go to a private cache."""
    bin_dir = tmp_path / "no-compiler-bin"
    bin_dir.mkdir()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for program in sorted(os.listdir(folder)):
            path, link = os.path.join(folder, program), bin_dir / program
            if not COMPILER.search(program) and os.access(path, os.X_OK) and not os.path.lexists(link):
                link.symlink_to(path)
    env = {k: v for k, v in os.environ.items() if k not in ("CC", "CXX", "CPP", "LD", "CMAKE", "VIRTUAL_ENV")}
    env |= {"PATH": str(bin_dir), "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
            "POSTCHECK_CACHE_DIR": str(tmp_path / "postcheck-cache"), "PYTHONWARNINGS": "ignore"}
    assert not [c for c in ("cc", "gcc", "g++", "c++", "clang", "cmake") if shutil.which(c, path=env["PATH"])]
    assert shutil.which("git", path=env["PATH"]), "git is needed (pre-commit and try-repo use it)"
    return env


def run(command: list, env: dict[str, str], cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def installed(python: Path, env: dict[str, str], cwd: Path) -> set[str]:
    """Normalised names of the distributions installed for ``python``."""
    script = ("import importlib.metadata as m, json, re; "
              "print(json.dumps(sorted({re.sub(r'[-_.]+', '-', d.metadata['Name']).lower() for d in m.distributions()})))")
    done = run([python, "-c", script], env, cwd)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout))


def assert_wheels_only(python: Path, env: dict[str, str], cwd: Path) -> None:
    names = installed(python, env, cwd)
    assert "postcheck" in names and "dlib-bin" in names and "face-recognition-models" in names
    assert "dlib" not in names, "the sdist dlib was installed (built from source)"
    assert "face-recognition" not in names, "face_recognition is only the `compare` extra"
    # the installed package finds and loads every dlib model it uses, without pkg_resources (gone in setuptools 81)
    script = ("import sys; sys.modules['pkg_resources'] = None; from postcheck.images import faces; "
              "[faces._model(n) for n in ('hog', 'cnn', 'shape', 'encoder')]; print(faces.models_dir())")
    done = run([python, "-c", script], env | {"XDG_CACHE_HOME": str(cwd / "xdg-cache")}, cwd)
    assert done.returncode == 0, done.stderr[-2000:]
    assert Path(done.stdout.strip()).is_relative_to(Path(python).parent.parent), done.stdout


def assert_checks_the_example(postcheck: Path, env: dict[str, str], cwd: Path) -> None:
    done = run([postcheck, EXAMPLE, "--format", "json"], env, cwd)
    assert done.returncode == 1, done.stderr[-2000:]  # the example fails on purpose
    (post,) = json.loads(done.stdout)["posts"]
    assert post["verdict"] == "fail"
    assert {f["rule"] for f in post["findings"]} == {"learner-full-name", "image-metadata"}


def test_plain_pip_installs_wheels_only_and_checks_the_example(registry, wheel_only_env, tmp_path):
    venv = tmp_path / "venv"
    done = run([sys.executable, "-m", "venv", venv], wheel_only_env, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    done = run([venv / "bin" / "pip", "install", ROOT], wheel_only_env, tmp_path, INSTALL_TIMEOUT)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert_wheels_only(venv / "bin" / "python", wheel_only_env, tmp_path)
    assert_checks_the_example(venv / "bin" / "postcheck", wheel_only_env, tmp_path)


def test_uv_tool_install_puts_postcheck_on_path_with_wheels_only(registry, wheel_only_env, tmp_path):
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (the Quick start installs it into .venv)")
    tools, bin_dir = tmp_path / "tools", tmp_path / "bin"
    env = wheel_only_env | {"UV_TOOL_DIR": str(tools), "UV_TOOL_BIN_DIR": str(bin_dir)}
    # from outside the repository, so no project settings (its [tool.uv] override) apply: as for a user
    done = run([uv, "tool", "install", "--python", sys.executable, ROOT], env, tmp_path, INSTALL_TIMEOUT)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert_wheels_only(tools / "postcheck" / "bin" / "python", env, tmp_path)
    assert_checks_the_example(bin_dir / "postcheck", env, tmp_path)


CONFIG = """\
school: Hollin Vale Primary School
website: https://www.hollinvale.example.org.uk
roster: roster.csv
account: school
"""
ROSTER = "first_name,last_name\nTamsin,Pellow\nOrrin,Castellane\n"  # fictional learners
GOOD = "Well done to our Year 5 choir, who sang beautifully at the spring concert!\n"
BAD = "A huge well done to Tamsin Pellow, who won the county spelling bee this week.\n"


def test_pre_commit_try_repo_installs_wheels_only_and_blocks_a_bad_draft(registry, wheel_only_env, tmp_path):
    """The hook as a content repository's pre-commit runs it. try-repo's hook environment is temporary; with no
    compiler on PATH its `pip install .` (as in the first test) could not have built dlib from source."""
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed (the dev group has it)")
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "postcheck.yaml").write_text(CONFIG)
    (content / "roster.csv").write_text(ROSTER)
    (content / "posts" / "good.md").write_text(GOOD)
    (content / "posts" / "bad.md").write_text(BAD)
    env = wheel_only_env | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_CONFIG_GLOBAL": os.devnull}
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        assert run(command, env, content).returncode == 0

    done = run([pre_commit, "try-repo", ROOT, "postcheck", "--files", "posts/good.md", "posts/bad.md"], env, content,
               INSTALL_TIMEOUT)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    assert "postcheck (social media policy)" in out and "Failed" in out, out[-3000:]
    assert "FAIL" in out and "posts/bad.md" in out and "learner-full-name" in out, out[-3000:]
    assert "posts/good.md" not in out.split("exit code: 1", 1)[1]  # --quiet: only posts that need attention
    assert "1 pass, 0 review, 1 fail" in out, out[-3000:]
    assert (content / "posts" / "bad.md").read_text() == BAD  # never modifies an input
