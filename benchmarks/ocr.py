"""Text in photos: how often a learner's name on a certificate is caught, and what OCR adds to a 12 MP photo.

Usage: python benchmarks/ocr.py [--count 100] [--runs 5]
Accuracy: --count certificates rendered by tests/certificates.py (seeds 0..count-1; the fonts on this
machine and Pillow's default, 4.5-8.5% name sizes, rotations up to 10 degrees, JPEG quality 35-90,
60% with a photographed look: perspective, busy background, uneven light, blur), each checked as a
photo with the test school's (fictional) roster; a hit is a learner-full-name finding for the name.
Time: OCR alone (the decode is shared with face detection) on a 4032x3024 photo with a certificate in
it, on the same photo without one and on a portrait, wall and CPU seconds, medians of --runs, with one
ONNX Runtime thread and with the thread count a check uses on this machine (faces.threads).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACES = ROOT.parent / "shared" / "fixtures" / "faces"
SCHOOL = ROOT / "tests" / "fixtures" / "school"


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if c.isalnum())


def accuracy(count: int, folder: Path) -> None:
    from certificates import render

    from postcheck.config import load_config
    from postcheck.engine import Engine
    from postcheck.posts import image_post

    (folder / "roster.csv").write_bytes((SCHOOL / "roster.csv").read_bytes())
    (folder / "postcheck.yaml").write_text("roster: roster.csv\nrules: {learner-photo: false, objected-image: false}\n")
    engine = Engine(load_config(folder / "postcheck.yaml"))
    names = [learner.full_name for learner in engine.config.roster]
    caught, seen, missed = Counter(), Counter(), []
    seconds = []
    for seed in range(count):
        certificate = render(names[seed % len(names)], seed)
        photo = folder / f"certificate-{seed}.jpg"
        certificate.image.save(photo, quality=95)
        started = time.perf_counter()
        result = engine.check_post(image_post(photo, "school"))
        seconds.append(time.perf_counter() - started)
        hit = any(f.rule == "learner-full-name" and fold(f.match) == fold(certificate.name) for f in result.findings)
        for key in (certificate.font, "photographed" if certificate.photographed else "flat", "all"):
            seen[key] += 1
            caught[key] += hit
        if not hit:
            read = [s for s in result.text.split("\n\n")[1:]]
            missed.append(f"  seed {seed}: {certificate.name!r} ({certificate.font}, name {certificate.name_height} px, "
                          f"{'photographed' if certificate.photographed else 'flat'}) read as {read}")
        photo.unlink()
    print(f"certificates: {caught['all']}/{seen['all']} caught ({100 * caught['all'] / seen['all']:.1f}%), "
          f"median {statistics.median(seconds):.2f} s per photo (whole check)")
    for key in sorted(seen):
        if key != "all":
            print(f"  {key:40s} {caught[key]:3d}/{seen[key]:3d}")
    print("missed:" if missed else "missed: none")
    print("\n".join(missed))


def speed(runs: int) -> None:
    from certificates import render
    from PIL import Image

    from postcheck.images.loader import load_image
    from postcheck.images.media_settings import OcrSettings
    from postcheck.images.ocr import read_text
    from postcheck.images.settings import FaceSettings

    def twelve_megapixels(fixture: str) -> Image.Image:
        photo = Image.open(FACES / fixture).convert("RGB")
        scale = max(4032 / photo.width, 3024 / photo.height)
        photo = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.Resampling.BICUBIC)
        return photo.crop((0, 0, 4032, 3024))

    plain = twelve_megapixels("groups/group_6_faces.jpg")
    portrait = twelve_megapixels("people/kit_harington/kit1.jpg")
    with_text = plain.copy()
    sheet = render("Amelia Hart", 3).image.convert("RGB")
    sheet.thumbnail((1400, 1400))  # a certificate held up: about a third of the photo's width
    with_text.paste(sheet, (2400, 1500))
    settings = OcrSettings()
    counts = sorted({1, FaceSettings().thread_count})  # one thread, and what a check uses here
    with tempfile.TemporaryDirectory() as tmp:
        for label, picture in (("12 MP photo with a certificate", with_text), ("12 MP group photo, no text", plain),
                               ("12 MP portrait, no text", portrait)):
            path = Path(tmp) / "photo.jpg"
            picture.save(path, quality=90)
            image = load_image(path)
            for threads in counts:
                read_text(image, settings, threads)  # models loaded once per process, not per photo
                wall, cpu, lines = [], [], []
                for _ in range(runs):
                    c, t = time.process_time(), time.perf_counter()
                    lines = read_text(image, settings, threads)
                    wall.append(time.perf_counter() - t)
                    cpu.append(time.process_time() - c)
                print(f"{label}: OCR adds {statistics.median(wall):.3f} s wall, {statistics.median(cpu):.3f} s CPU "
                      f"(median of {runs}, {threads} thread{'s' if threads > 1 else ''}); "
                      f"read {[line.text for line in lines]}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    started = time.perf_counter()
    from postcheck.images import ocr

    ocr._engines.clear()
    ocr._engine(counts[-1])
    print(f"loading the models (once per process): {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not FACES.is_dir():
        raise SystemExit(f"{FACES} is absent: the benchmark needs the shared face fixtures")
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    print(f"cores: {os.cpu_count()}, load: {os.getloadavg()[0]:.2f}")
    speed(args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        accuracy(args.count, Path(tmp))


if __name__ == "__main__":
    main()
