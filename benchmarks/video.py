"""Speed of `postcheck` on a 30 s 1080p clip against face_recognition's CLI on the same sampled frames.

Usage: python benchmarks/video.py [--runs 3] [--seconds 30]
Builds, in a temporary folder, a 1920x1080 H.264 clip at 30 frames/s from ../shared/fixtures/faces
(a cut every 3 s between group photos and portraits, with a slow pan so every frame differs; the
reference person on screen 12.0-13.5 s), then times, as separate processes:
  face_recognition known/ frames/   (the frames postcheck samples, saved as JPEG: faces and matches only)
  postcheck -c postcheck.yaml clip.mp4   (decodes every frame, samples, finds and matches faces)
and prints medians, wall and CPU, and what each one found. Nothing is written outside the temporary folder.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACES = ROOT.parent / "shared" / "fixtures" / "faces"
BIN = Path(sys.executable).parent
SIZE = (1920, 1080)
FPS = 30


def scenes(seconds: int) -> list[tuple[str, float]]:
    """(fixture, seconds on screen): cuts every 3 s; the reference person from 12.0 to 13.5 s."""
    others = ["groups/group_6_faces.jpg", "people/kit_harington/kit1.jpg", "groups/group_7_faces.jpg",
              "people/kit_harington/kit2.jpg"]
    plan: list[tuple[str, float]] = []
    elapsed, index = 0.0, 0
    while elapsed < seconds:
        if abs(elapsed - 12.0) < 1e-6:
            plan.append(("people/obama/obama2.jpg", 1.5))
            elapsed += 1.5
            continue
        length = min(3.0, seconds - elapsed, 12.0 - elapsed if elapsed < 12.0 else 3.0)
        plan.append((others[index % len(others)], length))
        index += 1
        elapsed += length
    return plan


def make_clip(path: Path, seconds: int) -> None:
    import av
    from PIL import Image

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        for fixture, length in scenes(seconds):
            photo = Image.open(FACES / fixture).convert("RGB")
            if fixture.startswith("groups/"):  # a crowd fills the frame
                scale = 1.06 * max(SIZE[0] / photo.width, SIZE[1] / photo.height)
                scene = photo.resize((round(photo.width * scale), round(photo.height * scale)))
            else:  # a portrait, whole, on a plain background
                photo.thumbnail((SIZE[0], SIZE[1]))
                scene = Image.new("RGB", (round(SIZE[0] * 1.06), SIZE[1]), (60, 60, 60))
                scene.paste(photo, ((scene.width - photo.width) // 2, (scene.height - photo.height) // 2))
            frames = round(length * FPS)
            spare = scene.width - SIZE[0]
            for n in range(frames):
                left = round(spare * n / max(1, frames))  # a slow pan: no two frames alike
                frame = av.VideoFrame.from_image(scene.crop((left, 0, left + SIZE[0], SIZE[1])))
                for packet in stream.encode(frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


from _timing import CPU, timed  # noqa: E402 - the benchmarks folder is the script's own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    if not FACES.is_dir():
        raise SystemExit(f"{FACES} is absent: the benchmark needs the shared face fixtures")
    sys.path.insert(0, str(ROOT))
    from postcheck.images.media_settings import VideoSettings
    from postcheck.images.video import sampled_frames

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip = folder / "clip.mp4"
        started = time.perf_counter()
        make_clip(clip, args.seconds)
        print(f"clip: {SIZE[0]}x{SIZE[1]} H.264, {args.seconds} s at {FPS}/s, {clip.stat().st_size / 1e6:.1f} MB "
              f"(made in {time.perf_counter() - started:.0f} s)")
        frames = folder / "frames"
        frames.mkdir()
        times = []
        for number, (when, picture) in enumerate(sampled_frames(clip, VideoSettings(), 1.0)):
            picture.save(frames / f"{number:04d}.jpg", quality=95)
            times.append(when)
        known = folder / "known"
        known.mkdir()
        (known / "L0042.jpg").write_bytes((FACES / "people" / "obama" / "obama.jpg").read_bytes())
        (folder / "consent_list.yaml").write_text(
            "learners:\n  - id: L0042\n    name: Test Learner\n    objection: photos\n    photos: [known/L0042.jpg]\n")
        config = folder / "postcheck.yaml"
        config.write_text("school: Benchmark School\nconsent_list: consent_list.yaml\naccount: school\n")
        env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "PYTHONWARNINGS": "ignore"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        theirs_cmd = [str(BIN / "face_recognition"), "--show-distance", "true", str(known), str(frames)]
        ours_cmd = [str(BIN / "postcheck"), "-c", str(config), "--format", "json", "--no-cache", str(clip)]
        for command in (theirs_cmd, ours_cmd):  # warm-up: bytecode, page cache, reference encodings
            subprocess.run(command, capture_output=True, env=env)
        theirs, ours = [], []
        out_theirs = out_ours = ""
        for _ in range(args.runs):  # interleaved, so load changes hit both alike
            seconds, out_theirs = timed(theirs_cmd, env, "theirs")
            theirs.append(seconds)
            seconds, out_ours = timed(ours_cmd, env, "ours")
            ours.append(seconds)
        their_lines = [line for line in out_theirs.splitlines() if line.startswith(str(frames))]
        their_hits = sorted({Path(line.split(",")[0]).stem for line in their_lines if ",L0042," in line})
        findings = json.loads(out_ours)["posts"][0]["findings"]
        matches = [f for f in findings if f["rule"] == "objected-image" and f["severity"] == "error"]
        t, o = statistics.median(theirs), statistics.median(ours)
        tc, oc = statistics.median(CPU["theirs"]), statistics.median(CPU["ours"])
        print(f"{len(times)} sampled frames; {args.runs} runs each, medians (cores: {os.cpu_count()}, "
              f"load: {os.getloadavg()[0]:.2f})")
        print(f"face_recognition CLI on the sampled frames: {t:6.2f} s wall {tc:6.2f} s CPU   "
              f"frames with the reference person: {[f'{times[int(n)]:.1f}s' for n in their_hits]}")
        print(f"postcheck on the clip                     : {o:6.2f} s wall ({o / t:.2f}x) {oc:6.2f} s CPU "
              f"({oc / tc:.2f}x)   findings: {[f['details'].get('ranges') for f in matches]}")
        print("all runs (s): theirs " + " ".join(f"{x:.2f}" for x in theirs) + " | ours " + " ".join(f"{x:.2f}" for x in ours))


if __name__ == "__main__":
    main()
