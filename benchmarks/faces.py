"""Speed of a whole `postcheck` run on a 12 MP phone photo against face_recognition's own CLI.

Usage: python benchmarks/faces.py [--runs 5]
Builds a 4032x3024 JPEG from ../shared/fixtures/faces (a group photo scaled up, with a portrait
of the reference person pasted in) in a temporary folder, then times, as separate processes:
  face_recognition known/ photo.jpg   (encodes the references and checks the photo, every run)
  postcheck -c postcheck.yaml photo.jpg   (cold: empty cache; warm: references cached)
and prints medians and the faces each one finds. Nothing is written outside the temporary folder.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACES = ROOT.parent / "shared" / "fixtures" / "faces"
BIN = Path(sys.executable).parent


def make_photo(folder: Path) -> Path:
    from PIL import Image

    group = Image.open(FACES / "groups" / "group_6_faces.jpg").convert("RGB")
    scale = 3024 / group.height
    canvas = group.resize((round(group.width * scale), 3024), Image.Resampling.BICUBIC).crop((0, 0, 4032, 3024))
    portrait = Image.open(FACES / "people" / "obama" / "obama-480p.jpg").convert("RGB").resize((800, 450))
    canvas.paste(portrait, (3100, 2450))
    photo = folder / "photo.jpg"
    canvas.save(photo, quality=90)
    return photo


def setup(folder: Path) -> tuple[Path, Path, Path]:
    photo = make_photo(folder)
    known = folder / "known"
    known.mkdir()
    reference = known / "L0042.jpg"
    reference.write_bytes((FACES / "people" / "obama" / "obama.jpg").read_bytes())
    (folder / "consent_list.yaml").write_text(
        "learners:\n  - id: L0042\n    name: Test Learner\n    objection: photos\n    photos: [known/L0042.jpg]\n")
    config = folder / "postcheck.yaml"
    config.write_text("school: Benchmark School\nconsent_list: consent_list.yaml\naccount: school\n")
    return photo, known, config


from _timing import CPU, timed  # noqa: E402 - the benchmarks folder is the script's own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not FACES.is_dir():
        raise SystemExit(f"{FACES} is absent: the benchmark needs the shared face fixtures")
    if not (BIN / "face_recognition").exists():
        raise SystemExit("face_recognition is not installed here: `uv sync` (the dev group) or the `compare` extra")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photo, known, config = setup(folder)
        cache = folder / "cache"
        env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONWARNINGS": "ignore"}
        # An installed tool runs from cached bytecode; with PYTHONDONTWRITEBYTECODE set (as in some
        # sandboxes) both tools would recompile ~1000 modules on every run and time that instead.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        theirs_cmd = [str(BIN / "face_recognition"), "--show-distance", "true", str(known), str(photo)]
        # --no-cache: the result cache would answer a re-run without looking at the photo at all;
        # "warm" here means only that the consent list's reference encodings are cached.
        ours_cmd = [str(BIN / "postcheck"), "-c", str(config), "--format", "json", "--no-cache", str(photo)]

        def clear_cache() -> None:
            subprocess.run(["rm", "-rf", str(cache)], check=True)

        for command in (theirs_cmd, ours_cmd):  # warm-up: bytecode written, files in the page cache
            subprocess.run(command, capture_output=True, env=env)
        CPU.clear()
        theirs, cold, warm = [], [], []
        out_theirs = out_ours = ""
        for _ in range(args.runs):  # interleaved, so load changes hit both alike
            seconds, out_theirs = timed(theirs_cmd, env, "theirs")
            theirs.append(seconds)
            seconds, _ = timed(ours_cmd, env, "cold", clear_cache)
            cold.append(seconds)
            seconds, out_ours = timed(ours_cmd, env, "warm")
            warm.append(seconds)

        their_faces = [line for line in out_theirs.splitlines() if line.startswith(str(photo))]
        their_matches = [line for line in their_faces if ",L0042," in line]
        findings = json.loads(out_ours)["posts"][0]["findings"]
        our_matches = [f for f in findings if f["rule"] == "objected-image" and f["severity"] == "error"]
        sys.path.insert(0, str(ROOT))
        from postcheck.images.faces import find_faces, working_scale
        from postcheck.images.loader import load_image
        from postcheck.images.settings import FaceSettings

        settings = FaceSettings()
        our_faces = find_faces(load_image(photo, lambda w, h: working_scale(w, h, settings)), settings, encode=False)

        t, c, w = statistics.median(theirs), statistics.median(cold), statistics.median(warm)
        print(f"photo: 4032x3024 JPEG, {args.runs} runs each, medians (cores: {os.cpu_count()}, "
              f"load: {os.getloadavg()[0]:.2f})")
        tc, cc, wc = (statistics.median(CPU[k]) for k in ("theirs", "cold", "warm"))
        print(f"face_recognition CLI : {t:6.2f} s wall {tc:6.2f} s CPU   faces {len(their_faces)}, matches {len(their_matches)}")
        print(f"postcheck, cold cache: {c:6.2f} s ({c / t:.2f}x) {cc:6.2f} s CPU ({cc / tc:.2f}x)")
        print(f"postcheck, warm cache: {w:6.2f} s ({w / t:.2f}x) {wc:6.2f} s CPU ({wc / tc:.2f}x)   "
              f"faces {len(our_faces)}, matches {len(our_matches)}")
        print("all runs (s): theirs " + " ".join(f"{x:.2f}" for x in theirs)
              + " | cold " + " ".join(f"{x:.2f}" for x in cold) + " | warm " + " ".join(f"{x:.2f}" for x in warm))


if __name__ == "__main__":
    main()
