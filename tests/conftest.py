"""Shared fixtures: the fictional test school, an engine per session, the ../shared folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from postcheck.config import load_config
from postcheck.engine import Engine
from postcheck.posts import post_from_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHOOL = FIXTURES / "school"
SHARED = ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from current output")
    parser.addoption("--install", action="store_true",
                     help="also run the slow tests that install postcheck from the package registry (CI does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--install"):
        return
    skip = pytest.mark.skip(reason="installs from the package registry (slow): run with --install, as .ci/run does")
    for item in items:
        if item.get_closest_marker("install"):
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _private_result_cache(tmp_path_factory):
    """Keep the result cache of CLI runs under test out of the user's own cache folder."""
    import os

    previous = os.environ.get("POSTCHECK_CACHE_DIR")
    os.environ["POSTCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("postcheck-cache"))
    yield
    if previous is None:
        os.environ.pop("POSTCHECK_CACHE_DIR", None)
    else:
        os.environ["POSTCHECK_CACHE_DIR"] = previous


# Variables a CI runner or the user's shell sets that change postcheck's output (names masked under CI,
# a GitHub step summary written, colour and width, face-detection threads). Tests that want one set it themselves.
_AMBIENT = ("CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
            "TERM", "COLUMNS", "LINES", "POSTCHECK_FACE_THREADS")


@pytest.fixture(autouse=True)
def _neutral_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test as on a developer's machine, whatever the CI runner exports."""
    for name in _AMBIENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def school_config():
    return load_config(SCHOOL / "postcheck.yaml")


@pytest.fixture(scope="session")
def engine(school_config) -> Engine:
    return Engine(school_config)


@pytest.fixture(scope="session")
def check_text(engine):
    """Check a draft given as text; returns the PostResult."""

    def run(text: str, account: str = "school"):
        return engine.check_post(post_from_text(text, account=account, name="draft.md"))

    return run


# What each part of the development data set is, in words for whoever runs the suite.
_SHARED_PARTS = {
    "corpus": "the labelled drafts used to measure name detection",
    "fixtures/faces": "face photos from the development data set",
    "fixtures/face-encodings": "face measurements of the development photos",
    "fixtures": "sample photos from the development data set",
}


def missing_data_reason(parts: tuple[str, ...]) -> str:
    """Why a test is skipped when development data is absent: what is missing and what is not tested."""
    relative = "/".join(parts)
    what = next((words for prefix, words in _SHARED_PARTS.items() if relative == prefix or relative.startswith(prefix + "/")),
                "development data")
    return (f"{what} are not here ({relative} is kept beside the repository on development machines only), "
            "so this check of real-world data is skipped; everything else is tested")


@pytest.fixture(scope="session")
def check_text_without_roster(school_config, engine):
    """check_text for the same school with no roster configured (names judged by context alone)."""
    import dataclasses

    other = Engine(dataclasses.replace(school_config, roster=None), nlp=engine.ctx.nlp)

    def run(text: str, account: str = "school"):
        return other.check_post(post_from_text(text, account=account, name="draft.md"))

    return run


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test (with a reason in plain words) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(missing_data_reason(parts))
    return path


def make_content_repo(folder: Path) -> Path:
    """A content repository like a school's: postcheck.yaml with the fixture roster, and posts/."""
    for name in ("roster.csv", "staff.txt"):
        (folder / name).write_bytes((SCHOOL / name).read_bytes())
    (folder / "postcheck.yaml").write_text("roster: roster.csv\nstaff: staff.txt\n", encoding="utf-8")
    (folder / "posts").mkdir()
    return folder / "posts"
