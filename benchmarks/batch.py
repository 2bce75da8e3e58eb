"""Batch speed and memory: postcheck over 1,000 drafts vs bare nlp.pipe, 2 workers vs 1, warm vs cold.

    python benchmarks/batch.py [--posts 1000] [--photos 24] [--repeat 3]

Every measurement runs in a fresh process (so model loading and peak RSS are counted honestly) and
the median of ``--repeat`` runs is reported. Goals (issue 7): postcheck ≤ 1.3× bare ``nlp.pipe``;
2 workers ≥ 1.8× faster than 1 on photos; a warm re-run ≥ 20× faster than a cold one; memory flat
as the folder grows. The machine's other load makes timings noisy: re-run at a quiet moment.

Photos: when no face check is registered yet, a stand-in check (full decode, EXIF orientation,
greyscale, edge filter — the per-photo work a detector does before its model) is used, and the
report says so.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = ["Amelia", "Tom", "Priya", "Kofi", "Zara", "Oliver", "Maya", "Leo", "Isla", "Noah", "Freya", "Arlo"]
LAST = ["Hart", "Quill", "Ashdown", "Brennan", "Castellan", "Dorsey", "Ellery", "Fairbank"]
PHRASES = [
    "What a brilliant sports day at Hollin Bank Academy!", "Our Year {y} choir sang at the town hall tonight.",
    "Well done to {first} for a superb 200 m run.", "Thank you to Mrs Marsh for organising the trip to the coast.",
    "Congratulations to {first} {last} on the maths challenge certificate.", "Reminder: parents' evening is on Thursday.",
    "The eco club planted forty trees along the school field this week.", "Book fair opens on Monday in the library.",
    "{first} and {first2} led the assembly on kindness.", "Read more at https://www.hollinbank.example.org.uk/news",
]
STAND_IN_KIND = "bench_image_work"


def make_drafts(folder: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        lines = []
        for _ in range(rng.randint(3, 8)):
            lines.append(rng.choice(PHRASES).format(y=rng.randint(3, 11), first=rng.choice(FIRST),
                                                    first2=rng.choice(FIRST), last=rng.choice(LAST)))
        front = f"---\ntitle: Post {i}\nplatform: {rng.choice(['facebook', 'x', 'instagram'])}\n---\n"
        (folder / f"post-{i:04d}.md").write_text(front + " ".join(lines) + "\n", encoding="utf-8")


def make_photos(folder: Path, count: int, size: tuple[int, int] = (2400, 1800)) -> None:
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    base = rng.integers(0, 255, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
    for i in range(count):
        small = np.roll(base, i * 7, axis=1)
        image = Image.fromarray(small).resize(size, Image.BILINEAR)
        image.save(folder / f"photo-{i:03d}.jpg", quality=88)


# -- stand-in image check (used only when postcheck has no face check yet) -----------------------
class StandInImageWork:
    needs_doc = False

    def __init__(self, rule, config) -> None:
        self.rule = rule

    def run(self, post, ctx):
        from PIL import Image, ImageFilter, ImageOps

        for ref in post.images:
            with Image.open(ref.path) as image:
                grey = ImageOps.exif_transpose(image).convert("L")
                for _ in range(3):
                    grey.filter(ImageFilter.FIND_EDGES)
        return ()


SITECUSTOMIZE = """# Registers the stand-in check kind in every process, workers included (benchmark only).
import os
if os.environ.get("BENCH_STAND_IN"):
    from postcheck.checks import CHECK_KINDS
    CHECK_KINDS["%s"] = "batch_standin:StandInImageWork"
    CHECK_KINDS["bench_doc_work"] = "batch_standin:StandInNameWork"
""" % STAND_IN_KIND


class StandInNameWork:
    needs_doc = True

    def __init__(self, rule, config) -> None:
        self.rule = rule

    def run(self, post, ctx):
        doc = ctx.doc(post)
        if doc is not None:
            sum(1 for ent in doc.ents if ent.label_ == "PERSON")
        return ()


def _stand_in_pack(workdir: Path, kind: str) -> Path:
    pack = workdir / f"pack-{kind}"
    pack.mkdir(exist_ok=True)
    (pack / f"{kind.replace('_', '-')}.yaml").write_text(
        f"check: {kind}\ncategory: learner-photo\nseverity: info\nclauses: ['4.10']\n"
        "message: stand-in work\nwhy: benchmark only\nfix: none\n", encoding="utf-8")
    return pack


def _config_with(workdir: Path, base: Path, name: str, packs: list[Path]) -> Path:
    """The test school's config, with absolute paths and extra rule packs."""
    text = base.read_text(encoding="utf-8")
    for key, file in (("roster", "roster.csv"), ("staff", "staff.txt")):
        text = text.replace(f"{key}: {file}", f"{key}: {base.parent / file}")
    if packs:
        text += "rules:\n  packs: [" + ", ".join(str(p) for p in packs) + "]\n"
    target = workdir / name
    target.write_text(text, encoding="utf-8")
    return target


# -- one measurement in this process ------------------------------------------------------------
def measure(mode: str, folder: Path, config_path: Path, cache_dir: Path, jobs: int) -> dict:
    started = time.perf_counter()
    if mode == "bare":
        from postcheck.discovery import discover, load
        from postcheck.nlp import NLP

        texts = [load(spec, "school").prose for spec in discover([folder])]
        nlp = NLP()
        docs = sum(1 for _ in nlp.pipe(texts, batch_size=64))
        extra = {"docs": docs}
    else:
        from postcheck.cache import ResultCache
        from postcheck.config import load_config
        from postcheck.discovery import discover
        from postcheck.rulepack import load_pack
        from postcheck.runner import Runner

        cfg = load_config(config_path)
        pack = load_pack(cfg.rule_packs, cfg.rule_overrides, cfg.path)
        cache = ResultCache(cache_dir) if mode in ("cold", "warm") else None
        worker_kb: list[int] = []

        class MeasuredRunner(Runner):
            def close(self) -> None:  # workers are the fork server's children: read their peak RSS here
                if self._pool is not None:
                    for pid in list(getattr(self._pool, "_processes", {}) or {}):
                        try:
                            status = Path(f"/proc/{pid}/status").read_text()
                            worker_kb.append(int(status.split("VmHWM:")[1].split()[0]))
                        except (OSError, IndexError, ValueError):
                            pass
                super().close()

        runner = MeasuredRunner(cfg, pack, jobs=jobs, cache=cache)
        report = runner.run(discover([folder]))
        extra = {"posts": len(report.posts), "cached": runner.stats.cached, "workers": runner.stats.workers,
                 "worker_peak_mb": max(worker_kb, default=0) / 1024}
    seconds = time.perf_counter() - started
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "rss_mb": self_kb / 1024, "worker_rss_mb": 0.0, **extra}


def run_one(mode: str, folder: Path, config_path: Path, cache_dir: Path, jobs: int, env: dict | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", mode, "--folder", str(folder),
           "--config", str(config_path), "--cache", str(cache_dir), "--jobs", str(jobs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=folder.parent)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_of(repeat: int, *args, **kwargs) -> dict:
    runs = [run_one(*args, **kwargs) for _ in range(repeat)]
    out = dict(runs[0])
    for key in ("seconds", "rss_mb", "worker_peak_mb"):
        if key not in runs[0]:
            continue
        out[key] = statistics.median(r[key] for r in runs)
    out["all_seconds"] = [round(r["seconds"], 3) for r in runs]
    return out


def cli_seconds(folder: Path, config_path: Path, cache_dir: Path, repeat: int, clear: bool) -> float:
    times = []
    for _ in range(repeat):
        if clear:
            subprocess.run([sys.executable, "-m", "postcheck", "cache", "clear"], capture_output=True,
                           env={**os.environ, "POSTCHECK_CACHE_DIR": str(cache_dir)}, cwd=ROOT)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "postcheck", "-c", str(config_path), "-f", "json", "-j", "1", str(folder)],
                       capture_output=True, env={**os.environ, "POSTCHECK_CACHE_DIR": str(cache_dir)}, cwd=folder.parent)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one")
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.folder, args.config, args.cache, args.jobs)))
        return

    school = ROOT / "tests" / "fixtures" / "school" / "postcheck.yaml"
    with tempfile.TemporaryDirectory(prefix="postcheck-bench-") as tmp:
        work = Path(tmp)
        from postcheck.checks import CHECK_KINDS, check_class
        from postcheck.rulepack import load_pack

        (work / "batch_standin.py").write_text(_stand_in_source(), encoding="utf-8")
        (work / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        env = {"BENCH_STAND_IN": "1", "PYTHONPATH": str(work)}
        os.environ.update(env)
        base_pack = load_pack((), {}, None)
        has_doc_check = any(getattr(check_class(rule.check), "needs_doc", False) for rule in base_pack.rules)
        has_face_check = any("face" in kind for kind in CHECK_KINDS)
        config_path = _config_with(work, school, "text.yaml", [] if has_doc_check else [_stand_in_pack(work, "bench_doc_work")])
        photo_config = _config_with(work, school, "photo.yaml", [] if has_face_check else [_stand_in_pack(work, STAND_IN_KIND)])
        drafts = work / "drafts"
        make_drafts(drafts, args.posts)
        if not has_doc_check:
            print("# no rule reads the spaCy Doc yet: a stand-in check reads ctx.doc(post).ents (the name check's use)")
        r = args.repeat
        print(f"# {args.posts} text drafts (median of {r}; each run a fresh process, model load included)")
        bare = median_of(r, "bare", drafts, config_path, work / "c0", 1)
        j1 = median_of(r, "nocache", drafts, config_path, work / "c0", 1)
        j2 = median_of(r, "nocache", drafts, config_path, work / "c0", 2)
        print(f"bare nlp.pipe          {bare['seconds']:7.2f} s   rss {bare['rss_mb']:6.0f} MB   {bare['all_seconds']}")
        print(f"postcheck -j1          {j1['seconds']:7.2f} s   rss {j1['rss_mb']:6.0f} MB   "
              f"{j1['seconds'] / bare['seconds']:.2f}x bare (goal <= 1.3x)   {j1['all_seconds']}")
        print(f"postcheck -j2          {j2['seconds']:7.2f} s   rss {j2['rss_mb']:6.0f} MB main, "
              f"{j2['worker_peak_mb']:.0f} MB per worker   {j2['seconds'] / bare['seconds']:.2f}x bare   {j2['all_seconds']}")

        cold = [run_one("cold", drafts, config_path, work / f"cold{i}", 1) for i in range(r)]
        warm = median_of(r, "warm", drafts, config_path, work / "cold0", 1)
        cold_s = statistics.median(c["seconds"] for c in cold)
        print(f"cold (empty cache)     {cold_s:7.2f} s")
        print(f"warm (all cached)      {warm['seconds']:7.3f} s   {cold_s / warm['seconds']:.0f}x faster (goal >= 20x)   "
              f"cached {warm['cached']}/{warm['posts']}, rss {warm['rss_mb']:.0f} MB")
        cli_cold = cli_seconds(drafts, config_path, work / "cli", r, clear=True)
        cli_warm = cli_seconds(drafts, config_path, work / "cli", r, clear=False)
        print(f"CLI end to end         cold {cli_cold:.2f} s, warm {cli_warm:.2f} s ({cli_cold / cli_warm:.0f}x; "
              "includes interpreter start and imports)")

        small = work / "drafts-250"
        make_drafts(small, args.posts // 4, seed=8)
        mem_small = median_of(1, "nocache", small, config_path, work / "c0", 1)
        mem_small2 = median_of(1, "nocache", small, config_path, work / "c0", 2)
        print(f"peak RSS, {args.posts // 4} vs {args.posts} drafts: -j1 {mem_small['rss_mb']:.0f} vs {j1['rss_mb']:.0f} MB; "
              f"-j2 workers {mem_small2['worker_peak_mb']:.0f} vs {j2['worker_peak_mb']:.0f} MB")

        photos = work / "photos"
        make_photos(photos, args.photos)
        if not has_face_check:
            print(f"# {args.photos} photos 2400x1800 — no face check registered yet: stand-in image work "
                  "(decode, orientation, greyscale, 3 edge filters)")
        else:
            print(f"# {args.photos} photos 2400x1800 with the registered face check")
        p1 = median_of(r, "nocache", photos, photo_config, work / "c0", 1)
        p2 = median_of(r, "nocache", photos, photo_config, work / "c0", 2)
        print(f"photos -j1             {p1['seconds']:7.2f} s   {p1['all_seconds']}")
        print(f"photos -j2             {p2['seconds']:7.2f} s   {p1['seconds'] / p2['seconds']:.2f}x faster (goal >= 1.8x)   "
              f"{p2['all_seconds']}   workers {p2['workers']}")


def _stand_in_source() -> str:
    import inspect

    return inspect.getsource(StandInImageWork) + "\n\n" + inspect.getsource(StandInNameWork)


if __name__ == "__main__":
    main()
