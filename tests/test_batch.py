"""Batch runs: worker determinism, the result cache (hits, invalidation, privacy), progress, summary."""
from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from postcheck import progress
from postcheck import runner as runner_module
from postcheck.cache import ResultCache, seal, unseal
from postcheck.cli import app
from postcheck.config import load_config
from postcheck.discovery import discover
from postcheck.reporters import RenderOptions, render
from postcheck.rulepack import load_pack
from postcheck.runner import Runner

from conftest import ROOT, SCHOOL

cli = CliRunner()
NAMES = (b"Amelia", b"Hart", b"AMELIA", b"amelia")


def make_folder(root: Path, drafts: int = 10, images: int = 4) -> Path:
    folder = root / "drafts"
    folder.mkdir()
    for i in range(drafts):
        body = f"Well done to Amelia Hart in Year {i}!" if i % 3 == 0 else f"Sports day {i} was great."
        (folder / f"post-{i:02d}.md").write_text(f"---\nplatform: facebook\n---\n{body}\n", encoding="utf-8")
    for i in range(images):
        Image.new("RGB", (64, 48), (i * 40, 90, 200)).save(folder / f"photo-{i}.png")
    return folder


def school_copy(root: Path) -> Path:
    target = root / "school"
    shutil.copytree(SCHOOL, target)
    return target / "postcheck.yaml"


def run(config_path: Path, folder: Path, cache: ResultCache | None, jobs: int = 1) -> tuple[str, Runner]:
    cfg = load_config(config_path)
    pack = load_pack(cfg.rule_packs, cfg.rule_overrides, cfg.path)
    batch = Runner(cfg, pack, jobs=jobs, cache=cache)
    report = batch.run(discover([folder]))
    out = io.StringIO()
    render("json", report, out, RenderOptions())
    return out.getvalue(), batch


def test_jobs_one_and_two_give_identical_output(tmp_path, monkeypatch):
    folder = make_folder(tmp_path, drafts=12, images=4)
    monkeypatch.setattr(runner_module, "CHUNK_WEIGHT", 2)  # many small chunks, so workers interleave
    monkeypatch.setattr(runner_module, "LOCAL_CHUNK_WEIGHT", 3)
    one, single = run(SCHOOL / "postcheck.yaml", folder, None, jobs=1)
    two, pooled = run(SCHOOL / "postcheck.yaml", folder, None, jobs=2)
    assert single.stats.workers == 0 and pooled.stats.workers == 2
    assert one == two
    paths = [p["path"] for p in json.loads(one)["posts"]]
    assert len(paths) == 16 and paths[:12] == sorted(paths[:12])
    assert sum(p["verdict"] == "fail" for p in json.loads(one)["posts"]) == 4


def test_cli_jobs_output_is_deterministic(tmp_path):
    folder = make_folder(tmp_path, drafts=6, images=2)
    outputs = []
    for jobs in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "postcheck", "-c", str(SCHOOL / "postcheck.yaml"), "-f", "json",
                               "--no-cache", "-j", jobs, str(folder)], capture_output=True, text=True, cwd=tmp_path,
                              timeout=300)
        assert proc.returncode == 1, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]


def test_small_runs_do_not_start_workers(tmp_path):
    folder = make_folder(tmp_path, drafts=3, images=0)
    _, batch = run(SCHOOL / "postcheck.yaml", folder, None, jobs=None)  # type: ignore[arg-type]
    assert batch.stats.workers == 0


def test_cache_hit_miss_and_draft_change(tmp_path):
    folder = make_folder(tmp_path)
    cache = ResultCache(tmp_path / "cache")
    cold, first = run(SCHOOL / "postcheck.yaml", folder, cache)
    assert (first.stats.cached, first.stats.checked) == (0, 14)
    warm, second = run(SCHOOL / "postcheck.yaml", folder, ResultCache(tmp_path / "cache"))
    assert (second.stats.cached, second.stats.checked) == (14, 0)
    assert warm == cold
    (folder / "post-01.md").write_text("Tom Hart scored twice.\n", encoding="utf-8")
    changed, third = run(SCHOOL / "postcheck.yaml", folder, ResultCache(tmp_path / "cache"))
    assert (third.stats.cached, third.stats.checked) == (13, 1)
    assert json.loads(changed)["summary"]["fail"] == json.loads(cold)["summary"]["fail"] + 1


def test_cache_invalidated_by_image_bytes(tmp_path):
    folder = make_folder(tmp_path, drafts=1, images=0)
    Image.new("RGB", (32, 32), (1, 2, 3)).save(folder / "a.png")
    (folder / "post-00.md").write_text("Our trip\n\n![trip](a.png)\n", encoding="utf-8")
    cache_dir = tmp_path / "cache"
    run(SCHOOL / "postcheck.yaml", folder, ResultCache(cache_dir))
    _, same = run(SCHOOL / "postcheck.yaml", folder, ResultCache(cache_dir))
    assert same.stats.checked == 0
    Image.new("RGB", (32, 32), (9, 9, 9)).save(folder / "a.png")
    _, after = run(SCHOOL / "postcheck.yaml", folder, ResultCache(cache_dir))
    assert after.stats.checked == 1


@pytest.mark.parametrize("change", ["roster", "rule-override", "rule-pack-content", "consent-list"])
def test_cache_invalidated_by_config_and_rules(tmp_path, change):
    folder = make_folder(tmp_path, drafts=3, images=0)
    config = school_copy(tmp_path)
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    (pack_dir / "extra-name.yaml").write_text(
        (ROOT / "rules" / "learner-full-name.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + "rules:\n  packs: [../pack]\n", encoding="utf-8")
    cache_dir = tmp_path / "cache"
    run(config, folder, ResultCache(cache_dir))
    _, unchanged = run(config, folder, ResultCache(cache_dir))
    assert unchanged.stats.checked == 0
    if change == "roster":
        with open(config.parent / "roster.csv", "a", encoding="utf-8") as handle:
            handle.write("Zara,Quill,,8\n")
    elif change == "rule-override":
        config.write_text(config.read_text(encoding="utf-8") + "  extra-name: {severity: warning}\n", encoding="utf-8")
    elif change == "rule-pack-content":
        rule = pack_dir / "extra-name.yaml"
        rule.write_text(rule.read_text(encoding="utf-8").replace("severity: error", "severity: warning"), encoding="utf-8")
    else:
        (config.parent / "consent.yaml").write_text("learners:\n  - {id: L1, name: Zara Quill, objection: name}\n")
        config.write_text(config.read_text(encoding="utf-8").replace("account: school", "account: school\nconsent_list: consent.yaml"), encoding="utf-8")
    _, after = run(config, folder, ResultCache(cache_dir))
    assert after.stats.checked == 3 and after.stats.cached == 0


def test_cache_files_private_and_without_names(tmp_path):
    folder = make_folder(tmp_path)
    cache_dir = tmp_path / "cache"
    previous = os.umask(0o002)  # a permissive umask must not leak into the cache's modes
    try:
        run(SCHOOL / "postcheck.yaml", folder, ResultCache(cache_dir))
    finally:
        os.umask(previous)
    files = [p for p in cache_dir.rglob("*") if p.is_file()]
    dirs = [cache_dir] + [p for p in cache_dir.rglob("*") if p.is_dir()]
    assert len(list((cache_dir / "results").rglob("*"))) > 10
    assert all(stat.S_IMODE(d.stat().st_mode) == 0o700 for d in dirs)
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    for file in files:
        data = file.read_bytes()
        assert not any(name in data for name in NAMES), file
        assert b"post-0" not in data and str(folder).encode() not in data  # paths are not in clear either


def test_corrupt_entries_are_misses_not_crashes(tmp_path):
    folder = make_folder(tmp_path, drafts=4, images=0)
    cache_dir = tmp_path / "cache"
    cold, _ = run(SCHOOL / "postcheck.yaml", folder, ResultCache(cache_dir))
    entries = sorted(p for p in (cache_dir / "results").rglob("*") if p.is_file())
    entries[0].write_bytes(b"garbage")
    entries[1].write_bytes(entries[1].read_bytes()[:-5])
    flipped = bytearray(entries[2].read_bytes())
    flipped[-1] ^= 1
    entries[2].write_bytes(bytes(flipped))
    (cache_dir / "key").write_bytes(b"short")  # a damaged key is replaced: everything is a miss
    again, batch = run(SCHOOL / "postcheck.yaml", folder, ResultCache(cache_dir))
    assert again == cold and batch.stats.checked == 4


def test_seal_round_trip_and_tamper():
    key = b"k" * 32
    blob = seal(b"Amelia Hart", key)
    assert b"Amelia" not in blob and unseal(blob, key) == b"Amelia Hart"
    assert unseal(blob, b"x" * 32) is None and unseal(blob[:-1], key) is None


def test_cli_no_cache_and_cache_clear(tmp_path, monkeypatch):
    cache_dir = tmp_path / "cli-cache"
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(cache_dir))
    folder = make_folder(tmp_path, drafts=2, images=0)
    result = cli.invoke(app, ["check", "-c", str(SCHOOL / "postcheck.yaml"), "--no-cache", str(folder)])
    assert result.exit_code == 1 and not (cache_dir / "results").exists()
    cli.invoke(app, ["check", "-c", str(SCHOOL / "postcheck.yaml"), str(folder)])
    assert any((cache_dir / "results").rglob("*"))
    cleared = cli.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0 and "cleared" in cleared.output
    assert not cache_dir.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_outside_ci():
    tty, pipe = _Terminal(), io.StringIO()
    assert progress.wanted(tty, quiet=False, machine_format=False, env={})
    assert progress.wanted(tty, quiet=False, machine_format=True, env={})
    assert not progress.wanted(pipe, quiet=False, machine_format=False, env={})
    assert not progress.wanted(tty, quiet=False, machine_format=False, env={"CI": "true"})
    assert not progress.wanted(tty, quiet=True, machine_format=True, env={})
    with progress.progress_bar(3, tty, True) as advance:
        for _ in range(3):
            advance(None, False)
    assert "checking" in tty.getvalue()


def test_progress_absent_when_piped(tmp_path):
    folder = make_folder(tmp_path, drafts=4, images=0)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.run([sys.executable, "-m", "postcheck", "-c", str(SCHOOL / "postcheck.yaml"), str(folder)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert "FAIL" in proc.stdout and "\x1b[" not in proc.stdout


def test_summary_tables_in_human_report(tmp_path):
    folder = make_folder(tmp_path, drafts=6, images=0)
    result = cli.invoke(app, ["check", "-c", str(SCHOOL / "postcheck.yaml"), "--no-cache", str(folder)])
    out = result.output
    assert "Posts by verdict" in out and "Findings by category" in out and "Slowest posts" in out
    tail = out[out.index("Findings by category"):]
    assert "learner-full-name" in tail and "6.3(f)" in tail
    single = cli.invoke(app, ["check", "-c", str(SCHOOL / "postcheck.yaml"), str(folder / "post-00.md")])
    assert "Posts by verdict" not in single.output


def test_cached_posts_replay_their_notices(tmp_path):
    folder = make_folder(tmp_path, drafts=3, images=0)
    bare = tmp_path / "bare.yaml"
    bare.write_text("school: Nowhere\n", encoding="utf-8")  # no roster: the name rule raises a notice
    cold, _ = run(bare, folder, ResultCache(tmp_path / "cache"))
    warm, second = run(bare, folder, ResultCache(tmp_path / "cache"))
    assert second.stats.cached == 3 and warm == cold
    assert any("roster not configured" in n for n in json.loads(warm)["notices"])


def test_cached_results_round_trip_every_field(check_text):
    from postcheck.cache import result_from_json, result_to_json

    text = ('<!-- postcheck: allow learner-full-name reason="Parent agreed" -->\nAmelia Hart\n\n'
            "Well done Jonah Whitfield! http://bit.ly/x")
    result = check_text(text)
    assert result.allowed and result.findings
    assert result_from_json(result_to_json(result)) == result


def _progress_run(folder: Path, jobs: int, monkeypatch=None):
    """(events, results): each progress call records how many results had come out by then."""
    cfg = load_config(SCHOOL / "postcheck.yaml")
    pack = load_pack(cfg.rule_packs, cfg.rule_overrides, cfg.path)
    results: list = []
    events: list = []
    batch = Runner(cfg, pack, jobs=jobs, cache=None, progress=lambda result, cached: events.append(("tick", len(results))))
    if monkeypatch is not None:  # in this process: note each post as the engine finishes it
        original = runner_module.Engine.check_post

        def check_post(engine, post):
            outcome = original(engine, post)
            events.append(("checked", post.display))
            return outcome

        monkeypatch.setattr(runner_module.Engine, "check_post", check_post)
    for result in batch.iter_results(discover([folder])):
        results.append(result)
    return events, results


def test_progress_moves_per_post_in_one_process(tmp_path, monkeypatch):
    folder = make_folder(tmp_path, drafts=12, images=0)
    events, results = _progress_run(folder, jobs=1, monkeypatch=monkeypatch)
    kinds = [kind for kind, _ in events]
    assert kinds == ["checked", "tick"] * 12  # each post moves the bar as it finishes, not a batch at the end
    assert [r.path for r in results] == sorted(r.path for r in results)


def test_progress_moves_while_workers_check_a_chunk(tmp_path):
    folder = make_folder(tmp_path, drafts=12, images=0)
    events, results = _progress_run(folder, jobs=2)
    ticks = [seen for kind, seen in events if kind == "tick"]
    assert len(ticks) == 12  # once per post, never twice
    assert ticks.count(0) >= 2  # the bar moved before the chunk's results came back
    assert [r.path for r in results] == sorted(r.path for r in results)


def test_progress_bar_shows_rate_and_eta():
    assert progress.rate_text(0, 1.0) == "" and progress.rate_text(5, None) == ""
    assert progress.rate_text(3, 2.0) == "1.5 posts/s" and progress.rate_text(300, 2.0) == "150 posts/s"
    tty = _Terminal()
    with progress.progress_bar(4, tty, True) as advance:
        for _ in range(2):
            advance(None, False)
        import time

        time.sleep(0.3)  # the bar redraws 8 times a second
    shown = tty.getvalue()
    assert "posts/s" in shown and "ETA" in shown and "2/4" in shown


def test_a_retrained_text_or_name_model_drops_old_results(tmp_path):
    from postcheck.cache import _model_fingerprint

    (tmp_path / "learned").mkdir()
    (tmp_path / "learned" / "heads.bin").write_bytes(b"heads 1")
    (tmp_path / "names_model.npz").write_bytes(b"names 1")
    first = _model_fingerprint(tmp_path)
    (tmp_path / "names_model.npz").write_bytes(b"names 2")
    second = _model_fingerprint(tmp_path)
    (tmp_path / "learned" / "heads.bin").write_bytes(b"heads 2")
    assert len({first, second, _model_fingerprint(tmp_path)}) == 3
