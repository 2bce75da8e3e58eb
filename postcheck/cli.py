"""The command line: parse -> core -> reporter -> exit code. The only module that imports typer."""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from postcheck import __version__
from postcheck.clihelp import PlainHelpCommand

app = typer.Typer(
    help="Check school social-media posts against the social media policy before they are published.\n\n"
         "Run `postcheck PATH...` (drafts, images or folders); see `postcheck check --help`.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class Format(str, Enum):
    human = "human"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    html = "html"
    concise = "concise"


class Account(str, Enum):
    school = "school"
    personal = "personal"


class FailOn(str, Enum):
    fail = "fail"
    review = "review"


def _error(message: str) -> typer.Exit:
    """One line on stderr, exit code 2."""
    from postcheck.safeio import printable

    typer.echo(f"postcheck: error: {printable(message)}", err=True)
    return typer.Exit(EXIT_USAGE)


def _load_config(config: Optional[Path], paths: Optional[List[Path]] = None):
    """--config, else postcheck.yaml upwards from the current folder, else from the checked paths."""
    from postcheck.config import ConfigError, find_config, load_config

    if config is None:
        config = find_config()
        for path in paths or ():
            if config is not None:
                break
            config = find_config(path if path.is_dir() else path.parent)
    try:
        return load_config(config)
    except ConfigError as exc:
        raise _error(str(exc)) from None


def _load_pack(config):
    from postcheck.config import ConfigError
    from postcheck.rulepack import load_pack

    try:
        return load_pack(config.rule_packs, config.rule_overrides, config.path)
    except ConfigError as exc:
        raise _error(str(exc)) from None


def _use_color() -> bool:
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


@app.command(cls=PlainHelpCommand)
def check(
    paths: List[Path] = typer.Argument(..., metavar="PATH", help="Drafts (.md, .markdown, .txt), images, or folders to walk."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", metavar="FILE", help="postcheck.yaml to use (default: nearest one upwards)."),
    fmt: Format = typer.Option(Format.human, "--format", "-f", metavar="FORMAT", help="Report format: human, json, github, sarif, junit, html or concise (one line per finding)."),
    account: Optional[Account] = typer.Option(None, "--account", metavar="ACCOUNT", help="Treat every post as from this account: school or personal."),
    fail_on: FailOn = typer.Option(FailOn.fail, "--fail-on", metavar="VERDICT", help="Exit 1 when a post fails (fail), or also when one needs review (review)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Human report: only posts that need attention."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to this file (atomically; never over an input)."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when posts fail (advisory runs); 2 still means a usage error."),
    show_names: bool = typer.Option(False, "--show-names", help="Show learners' names in json/github/sarif/junit output and under CI (masked otherwise)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE", help="Baseline file of accepted findings (default: .postcheck-baseline.json beside postcheck.yaml, if present)."),
    no_baseline: bool = typer.Option(False, "--no-baseline", help="Ignore any baseline file: show every finding."),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="REF", help="Only posts whose draft or images changed since this git ref (e.g. origin/main)."),
    find_drafts: bool = typer.Option(False, "--find-drafts", help="An image given alone is checked through the draft beside it that uses it (pre-commit)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, metavar="N", help="Worker processes (default: every core; small runs use one)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Check every post again; do not read or write the result cache."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="RULES", help="Only these rules or categories (comma-separated; repeatable)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="RULES", help="Leave out these rules or categories (comma-separated; repeatable)."),
    statistics: bool = typer.Option(False, "--statistics", help="Print how many findings each rule made, instead of the report."),
) -> None:
    """Check posts and print a pass / review / fail report."""
    from postcheck.model import Verdict
    from postcheck.reporters import RenderOptions

    cfg = _load_config(config, paths)
    pack = _load_pack(cfg)
    chosen = _selection(select, ignore, cfg, pack)
    if statistics and fmt is not Format.human:
        raise _error("--statistics prints its own table: leave out --format")
    documents: list[Path] = []
    specs = _specs(paths, find_drafts, cfg, documents)
    if not specs and not changed_since:
        from postcheck.discovery import skipped_note

        raise _error("no drafts or images found in " + ", ".join(str(p) for p in paths)
                     + (f"; {skipped_note(documents)}" if documents else ""))
    if output is not None:  # refuse a bad --output before the run, not after it
        _guard_output(output, cfg, specs, None, [baseline])
    changed = _changed_filter(changed_since, cfg)
    if changed:
        specs = changed(specs)
    report = _run_batch(cfg, pack, specs, account.value if account else None, jobs, no_cache,
                        quiet=quiet, machine=fmt not in (Format.human, Format.html) or output is not None)
    if changed:
        report = changed.note(report)
    if documents:
        from dataclasses import replace

        from postcheck.discovery import skipped_note

        report = replace(report, notices=report.notices + (skipped_note(documents),))
    report = _apply_baseline(report, baseline, no_baseline, cfg)
    from postcheck import selection

    report = selection.apply(report, *chosen, base=cfg.path.parent if cfg.path else None)
    from postcheck.redact import known_names, names_hidden

    hidden = names_hidden(fmt.value, show_names, os.environ)
    options = RenderOptions(color=_use_color() and output is None, quiet=quiet, clauses=pack.clauses, pack=pack,
                            show_names=not hidden, fail_on=fail_on.value, names=known_names(cfg) if hidden else ())
    from postcheck.outfile import protected

    inputs = protected(cfg, specs, report, [baseline])
    if statistics:
        _emit_text(selection.statistics_text(report), output, inputs)
    else:
        _emit(fmt.value, report, options, output, inputs)
    worst = report.verdict
    threshold = Verdict.REVIEW if fail_on is FailOn.review else Verdict.FAIL
    raise typer.Exit(EXIT_FAIL if worst.rank >= threshold.rank and not exit_zero else EXIT_OK)


def _guard_output(output: Path, cfg, specs, report, extra=(), baseline: bool = True) -> None:
    from postcheck.outfile import OutputError, guard, protected

    try:
        guard(output, protected(cfg, specs, report, extra, baseline=baseline))
    except OutputError as exc:
        raise _error(str(exc)) from None


def _selection(select, ignore, cfg, pack):
    """--select / --ignore and per_path_ignores in postcheck.yaml (postcheck/selection.py)."""
    from postcheck.config import ConfigError
    from postcheck.selection import SelectionError, codes, path_ignores

    try:
        return (codes(select, pack, "--select"), codes(ignore, pack, "--ignore"),
                path_ignores(cfg.sections.get("per_path_ignores"), cfg.path, pack))
    except (SelectionError, ConfigError) as exc:
        raise _error(str(exc)) from None


def _emit_text(text: str, output: Optional[Path], inputs) -> None:
    from postcheck.outfile import OutputError, guard, write_atomic

    if output is None:
        sys.stdout.write(text)
        return
    try:
        guard(output, [p for p in inputs if p is not None])
        write_atomic(output, text)
    except OutputError as exc:
        raise _error(str(exc)) from None


def _specs(paths: List[Path], find_drafts: bool, cfg, documents: Optional[list] = None):
    from postcheck.discovery import InputPathError, discover
    from postcheck.owners import specs_for_files

    try:
        return specs_for_files(paths) if find_drafts else discover(paths, skip=cfg.own_files(), documents=documents)
    except InputPathError as exc:
        raise _error(str(exc)) from None


def _changed_filter(ref: Optional[str], cfg):
    """--changed-since (postcheck/gitutil.py); a change to the settings rechecks everything."""
    if not ref:
        return None
    from postcheck.gitutil import GitError, changed_only, settings_files

    try:
        return changed_only(ref, Path.cwd(), settings_files(cfg))
    except GitError as exc:
        raise _error(str(exc)) from None


def _apply_baseline(report, path: Optional[Path], ignore: bool, cfg):
    """--baseline (postcheck/baseline.py): drop findings the baseline file records."""
    from postcheck import baseline as baselines

    path = None if ignore else (path or baselines.discover(cfg.path))
    if path is None:
        return report
    try:
        return baselines.apply(report, baselines.load(path))
    except baselines.BaselineError as exc:
        raise _error(str(exc)) from None


def _emit(fmt: str, report, options, output: Optional[Path], inputs) -> None:
    """Render to stdout, or to --output atomically (never over an input)."""
    from postcheck.outfile import OutputError, guard, write_atomic
    from postcheck.reporters import render

    if output is None:
        render(fmt, report, sys.stdout, options)
        return
    import io

    buffer = io.StringIO()
    render(fmt, report, buffer, options)
    # a report that shows names or photos is the owner's alone, like the cache
    private = fmt == "html" or options.show_names
    try:
        guard(output, [p for p in inputs if p is not None])
        write_atomic(output, buffer.getvalue(), private=private)
    except OutputError as exc:
        raise _error(str(exc)) from None
    if fmt in ("human", "html"):  # reports for people: say where it went (machine formats stay silent)
        counts = report.summary()
        typer.echo(f"wrote {output}: {counts['posts']} post{'s' if counts['posts'] != 1 else ''}, "
                   f"{counts['fail']} fail, {counts['review']} review", err=True)


@app.command("baseline", cls=PlainHelpCommand)
def write_baseline(
    paths: List[Path] = typer.Argument(..., metavar="PATH", help="Drafts, images or folders to record (usually the whole repo: .)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", metavar="FILE", help="postcheck.yaml to use (default: nearest one upwards)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Baseline file (default: .postcheck-baseline.json beside postcheck.yaml)."),
) -> None:
    """Record today's findings in a baseline file, so only new findings fail from now on."""
    from postcheck import baseline as baselines
    from postcheck.discovery import load
    from postcheck.engine import Engine
    from postcheck.outfile import OutputError, guard, protected, write_atomic
    from postcheck.safeio import printable

    cfg = _load_config(config)
    pack = _load_pack(cfg)
    specs = _specs(paths, False, cfg)
    target = output or baselines.default_path(cfg.path)
    _guard_output(target, cfg, specs, None, baseline=False)
    salt = None
    if target.is_file():  # keep the salt, so re-recording the same findings changes nothing
        try:
            salt = baselines.load(target).salt
        except baselines.BaselineError:
            salt = None
    report = Engine(cfg, pack).run(load(spec, cfg.account) for spec in specs)
    recorded = baselines.record(report, baselines.new(target, salt))
    try:
        guard(target, protected(cfg, specs, report, baseline=False))
        write_atomic(target, baselines.dumps(recorded.baseline))
    except OutputError as exc:
        raise _error(str(exc)) from None
    typer.echo(printable(baselines.describe(recorded, target, len(report.posts))))


def _run_batch(cfg, pack, specs, account_override, jobs, no_cache, quiet, machine):
    """Cache, workers and the stderr progress bar around the engine (see postcheck.runner)."""
    from postcheck import progress
    from postcheck.cache import ResultCache
    from postcheck.config import ConfigError
    from postcheck.runner import Runner

    cache = None if no_cache else ResultCache()
    show = progress.wanted(sys.stderr, quiet, machine_format=machine)
    try:
        with progress.progress_bar(len(specs), sys.stderr, show) as advance:
            runner = Runner(cfg, pack, jobs=jobs, cache=cache, account_override=account_override, progress=advance)
            report = runner.run(specs)
    except ConfigError as exc:  # a rule whose options its check cannot use: found when the check is built
        raise _error(str(exc)) from None
    if cache is not None and cache.problem and not (quiet and machine):
        from postcheck.safeio import printable

        typer.echo(f"postcheck: note: {printable(cache.problem)}", err=True)
    if show and len(specs) > 1:
        stats = runner.stats
        typer.echo(f"postcheck: {stats.posts} posts in {stats.seconds:.1f} s, {stats.cached} from cache", err=True)
    return report


class FixFormat(str, Enum):
    human = "human"
    json = "json"


class NameStyle(str, Enum):
    first = "first"
    initials = "initials"


class BlurLevel(str, Enum):
    objectors = "objectors"
    possible = "possible"


@app.command("fix")
def fix(
    paths: List[Path] = typer.Argument(..., metavar="PATH", help="Drafts, images or folders to make clean copies of."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="postcheck.yaml to use (default: nearest one upwards)."),
    output_dir: Optional[Path] = typer.Option(None, "--output-dir", "-o", help="Write the copies here, mirroring folders (default: beside the originals as NAME.cleaned.EXT)."),
    names: NameStyle = typer.Option(NameStyle.first, "--names", help="Learners named in full become their first name, or initials."),
    blur: BlurLevel = typer.Option(BlurLevel.objectors, "--blur", help="Obscure faces of objectors only, or possible matches too."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show a diff of the text changes and the photo changes; write nothing."),
    fmt: FixFormat = typer.Option(FixFormat.human, "--format", "-f", help="Output format."),
    account: Optional[Account] = typer.Option(None, "--account", help="Treat every post as from this account."),
    show_names: bool = typer.Option(False, "--show-names", help="Show learners' names in json output and under CI (masked otherwise)."),
) -> None:
    """Write corrected copies of posts (names, photo metadata, objectors' faces); never changes the originals."""
    from postcheck.config import ConfigError
    from postcheck.fixer import FixOptions, fix_posts
    from postcheck.fixer.render import render_human, render_json
    from postcheck.model import Verdict
    from postcheck.redact import names_hidden

    cfg = _load_config(config, paths)
    pack = _load_pack(cfg)
    specs = _specs(paths, False, cfg)
    if not specs:
        raise _error("no drafts or images found in " + ", ".join(str(p) for p in paths))
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        raise _error(f"{output_dir}: is not a folder")
    options = FixOptions(names.value, blur.value, output_dir, dry_run, account.value if account else None, tuple(paths))
    try:
        report = fix_posts(cfg, pack, specs, options)
    except ConfigError as exc:
        raise _error(str(exc)) from None
    hidden = names_hidden(fmt.value, show_names, os.environ)
    (render_json if fmt is FixFormat.json else render_human)(report, sys.stdout, hidden)
    failed = any(p.problem for p in report.posts) or (not dry_run and report.verdict is Verdict.FAIL)
    raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)


cache_app = typer.Typer(help="The result cache (unchanged posts are not checked again).", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("clear", cls=PlainHelpCommand)
def cache_clear() -> None:
    """Delete every cached result (and the cache's key)."""
    from postcheck.cache import NotACache, ResultCache

    cache = ResultCache()
    try:
        removed = cache.clear()
    except NotACache as exc:
        raise _error(str(exc)) from None
    from postcheck.safeio import printable

    typer.echo(f"cleared {printable(str(cache.folder))} ({removed} file{'s' if removed != 1 else ''})")


@cache_app.command("dir", cls=PlainHelpCommand)
def cache_dir() -> None:
    """Print the cache folder."""
    from postcheck.cache import default_dir

    typer.echo(str(default_dir()))


@app.command("rules", cls=PlainHelpCommand)
def list_rules(
    config: Optional[Path] = typer.Option(None, "--config", "-c", metavar="FILE", help="postcheck.yaml (for extra packs and overrides)."),
) -> None:
    """List the rule pack: id, category, severity and policy clauses."""
    from rich.console import Console
    from rich.table import Table

    pack = _load_pack(_load_config(config))
    table = Table(box=None, pad_edge=False, show_edge=False)
    # ids are what people type into `explain`, --select and allow comments: never cut; others wrap
    table.add_column("rule", no_wrap=True, min_width=max((len(r.id) for r in pack.rules), default=4))
    table.add_column("category", no_wrap=True, min_width=max((len(r.category) for r in pack.rules), default=8))
    table.add_column("severity", no_wrap=True, min_width=8)
    for column in ("clauses", "accounts"):
        table.add_column(column, overflow="fold")
    for rule in pack.rules:
        table.add_row(rule.id, rule.category, rule.severity.value, ", ".join(rule.clauses), ", ".join(rule.accounts))
    console = Console(color_system="auto" if _use_color() else None, highlight=False)
    if not sys.stdout.isatty():  # piped or redirected: one row per line, whatever the width
        console.width = max(console.width, console.measure(table, options=console.options.update_width(500)).maximum)
    console.print(table)


@app.command(cls=PlainHelpCommand)
def explain(
    rule_id: str = typer.Argument(..., metavar="RULE", help="A rule id from `postcheck rules`."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", metavar="FILE", help="postcheck.yaml (for extra packs)."),
) -> None:
    """Explain a rule: the clauses it enforces, why, how to fix, and examples."""
    loaded = _load_config(config)
    pack = _load_pack(loaded)
    rule = pack.get(rule_id)
    if rule is None:
        from postcheck.allows import did_you_mean

        close = did_you_mean(rule_id, [r.id for r in pack.rules])
        hint = f"did you mean `{close}`?" if close else "run `postcheck rules` to list them"
        raise _error(f"no rule named {rule_id!r}; {hint}")
    from postcheck.starter import explain_text

    typer.echo(explain_text(rule, pack, loaded))


@app.command(cls=PlainHelpCommand)
def init() -> None:
    """Write a starter postcheck.yaml and an example consent list in the current folder (never overwrites)."""
    from postcheck.starter import EXAMPLE_CONSENT_LIST, STARTER_CONFIG, example_consent_list

    target = Path.cwd() / "postcheck.yaml"
    try:
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(STARTER_CONFIG)
    except FileExistsError:
        raise _error(f"{target.name} already exists here; not overwritten") from None
    written = [target.name]
    example = Path.cwd() / EXAMPLE_CONSENT_LIST
    try:
        with open(example, "x", encoding="utf-8") as handle:
            handle.write(example_consent_list())
        written.append(example.name)
    except FileExistsError:
        pass  # someone's own notes may be in it
    typer.echo(f"wrote {' and '.join(written)}: fill in roster, staff and consent_list, then run `postcheck PATH`")


COMMANDS = {"check", "rules", "explain", "init", "baseline", "cache", "fix"}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"postcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    pass


def _mistyped_command(word: str) -> str | None:
    """The command a first argument was probably meant to be (it is not a file or folder here)."""
    if word.startswith("-") or os.path.exists(word) or "/" in word or os.sep in word or "." in word:
        return None
    from postcheck.allows import did_you_mean

    return did_you_mean(word.lower(), COMMANDS)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point: ``postcheck PATH...`` is short for ``postcheck check PATH...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "help" and not os.path.exists("help"):  # `postcheck help [COMMAND]`, as git has it
        args = args[1:2] + ["--help"]
    elif args and args[0] not in COMMANDS and args[0] not in ("-h", "--help", "--version"):
        mistyped = _mistyped_command(args[0])
        if mistyped:
            typer.echo(f"postcheck: error: {args[0]!r} is not a command, file or folder; did you mean `{mistyped}`?",
                       err=True)
            return EXIT_USAGE
        args.insert(0, "check")
    try:
        app(args=args, prog_name="postcheck", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return 0
