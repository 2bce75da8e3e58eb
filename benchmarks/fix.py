"""Cost of `postcheck fix` on a 12 MP phone photo with 7 faces (one an objector) against checking it.

Usage: python benchmarks/fix.py [--runs 3]
Builds the photo of benchmarks/faces.py (a group photo scaled to 4032x3024 with a portrait of the
consent list's learner pasted in; GPS added) in a temporary folder, then times, as separate
processes with the reference encodings cached:
  postcheck check --no-cache photo.jpg
  postcheck fix photo.jpg          (check, obscure the face, write the copy without metadata, check the copy)
once with the pasted learner on the consent list (a face to obscure: the copy keeps every 8x8 block
but the face's, so its check decodes it, proves the rest the same pixels and finds faces and reads text
afresh only around the face) and once with another learner there (metadata only: the copy keeps the picture
data, so its check reuses the face scan); and, in one process, the parts of the first fix, with a
fresh full check of the copy for comparison.
Nothing is written outside the temporary folder.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def parts(photo: Path, config_path: Path) -> dict[str, float]:
    """Seconds for each step of a fix, in this process (models already loaded)."""
    sys.path.insert(0, str(ROOT))
    from postcheck.config import load_config
    from postcheck.discovery import PostSpec, load
    from postcheck.engine import Engine
    from postcheck.fixer.findings import face_band, face_box
    from postcheck.fixer.photos import clean_photo
    from postcheck.images.store import image_store

    config = load_config(config_path)
    engine = Engine(config)
    engine.check_post(load(PostSpec(photo, "image"), "school"))  # models and references loaded
    engine = Engine(config)
    engine.check_post(load(PostSpec(photo, "image"), "school"))
    started = time.perf_counter()
    engine = Engine(config)
    result = engine.check_post(load(PostSpec(photo, "image"), "school"))
    check = time.perf_counter() - started
    boxes = {0: [face_box(f) for f in result.findings if face_band(f) == "match"]}
    started = time.perf_counter()
    data, cleaned = clean_photo(photo, boxes, decoded=image_store(engine.ctx, config).decoded(photo))  # as fix does
    copy = photo.with_name("photo.cleaned.jpg")
    copy.write_bytes(data)
    clean = time.perf_counter() - started
    started = time.perf_counter()
    if cleaned.blocks_kept:  # as fix's proof does: faces found afresh around the obscured blocks only
        image_store(engine.ctx, config).patched(photo, copy, [r[1:] for r in cleaned.regions])
    engine.check_post(load(PostSpec(copy, "image"), "school"))
    proof = time.perf_counter() - started
    started = time.perf_counter()
    Engine(config).check_post(load(PostSpec(copy, "image"), "school"))
    fresh = time.perf_counter() - started
    return {"check": check, "clean copy": clean, "check of the copy": proof, "fresh check of the copy": fresh,
            "faces": len(boxes[0])}


def add_gps(photo: Path) -> None:
    from PIL import Image

    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    with Image.open(photo) as image:
        image.load()
        image.save(photo, quality=90, exif=exif)


def compare(photo: Path, config: Path, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median seconds of `postcheck check --no-cache` and `postcheck fix` on the photo, as processes."""
    check_cmd = [str(BIN / "postcheck"), "check", "-c", str(config), "--no-cache", "--format", "json", str(photo)]
    fix_cmd = [str(BIN / "postcheck"), "fix", "-c", str(config), "--format", "json", str(photo)]
    for command in (check_cmd, fix_cmd):  # warm-up: bytecode, page cache, reference encodings
        subprocess.run(command, capture_output=True, env=env)
    checks: list[float] = []
    fixes: list[float] = []
    for _ in range(runs):  # interleaved, so load changes hit both alike
        for command, times in ((check_cmd, checks), (fix_cmd, fixes)):
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, env=env)
            times.append(time.perf_counter() - started)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{command[1]} failed: {done.stderr[-500:]}")
    return statistics.median(checks), statistics.median(fixes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from faces import FACES, setup  # the same photo and consent list as benchmarks/faces.py

    if not FACES.is_dir():
        raise SystemExit(f"{FACES} is absent: the benchmark needs the shared face fixtures")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photo, _, config = setup(folder)
        add_gps(photo)
        other = folder / "other.yaml"  # a consent list whose learner is not in the photo
        (folder / "other_list.yaml").write_text(
            "learners:\n  - id: L0050\n    name: Other Learner\n    objection: photos\n"
            f"    photos: [{FACES / 'people' / 'kit_harington' / 'kit1.jpg'}]\n")
        other.write_text("school: Benchmark School\nconsent_list: other_list.yaml\naccount: school\n")
        env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "PYTHONWARNINGS": "ignore"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"photo: 4032x3024 JPEG, 7 faces, {args.runs} runs each, medians "
              f"(cores: {os.cpu_count()}, load: {os.getloadavg()[0]:.2f})")
        for label, settings in (("objector's face obscured", config), ("metadata only", other)):
            c, f = compare(photo, settings, env, args.runs)
            print(f"{label:25}: check --no-cache {c:6.2f} s, fix {f:6.2f} s ({f / c:.2f}x)")
        first = parts(photo, config)  # the first photo of a run also imports the JPEG coefficient library
        later = [parts(photo, config) for _ in range(args.runs)]
        steps = {k: statistics.median(run[k] for run in later) for k in first}
        print(f"in one process (medians of {args.runs} after the first): "
              + ", ".join(f"{k} {v:.2f} s" if k != "faces" else f"{v:.0f} face(s) obscured" for k, v in steps.items()))
        for label, run in (("the first photo", first), ("later photos", steps)):
            inside = run["check"] + run["clean copy"] + run["check of the copy"]
            print(f"in one process, {label}: check + clean copy + its check {inside / run['check']:.2f}x the check "
                  f"(without the check of the copy: {(run['check'] + run['clean copy']) / run['check']:.2f}x)")


if __name__ == "__main__":
    main()
