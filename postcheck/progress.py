"""The progress bar on stderr: only on a terminal, never when piped, in CI or asked to be quiet."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import IO, Any, Callable, Iterator

# Environment variables CI services set; any of them means nobody watches a bar.
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "TF_BUILD", "JENKINS_URL", "TEAMCITY_VERSION")


def wanted(stream: IO[str], quiet: bool, machine_format: bool, env: dict[str, str] | None = None) -> bool:
    """Whether to draw a bar on ``stream``."""
    env = os.environ if env is None else env
    if quiet and machine_format:
        return False
    if any(env.get(name) for name in CI_VARIABLES) or env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def rate_text(completed: float, elapsed: float | None) -> str:
    """Posts per second so far, as the bar shows it ("" until there is something to say)."""
    if not completed or not elapsed:
        return ""
    rate = completed / elapsed
    return f"{rate:.1f} posts/s" if rate < 10 else f"{rate:.0f} posts/s"


@contextmanager
def progress_bar(total: int, stream: IO[str], enabled: bool) -> Iterator[Callable[[Any, bool], None]]:
    """Yields a callback ``(result, from_cache)`` that advances the bar (a no-op when disabled)."""
    if not enabled or total < 2:
        yield lambda result, from_cache: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.speed  # over the last half minute: model loading at the start does not drag it down
            return Text(rate_text(speed, 1.0) if speed else rate_text(task.completed, task.elapsed))

    console = Console(file=stream, stderr=True, highlight=False)
    bar = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[note]}"),
                   RateColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True,
                   refresh_per_second=8)
    cached = 0
    with bar:
        task = bar.add_task("check", total=total, note="(starting: loading models…)")

        def advance(result: Any, from_cache: bool) -> None:
            nonlocal cached
            cached += from_cache
            bar.update(task, advance=1, note=f"({cached} cached)" if cached else "")

        yield advance
