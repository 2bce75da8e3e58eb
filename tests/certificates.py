"""Certificates rendered with a learner's name, flat or with a photographed look (tests and benchmarks/ocr.py).

Fonts are whatever the machine has (``fc-list``), plus Pillow's own default font; none is shipped.
Each certificate is made from a seed, so a set is the same on every run on the same machine.
"""
from __future__ import annotations

import functools
import random
import subprocess
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

TITLES = ("Certificate of Achievement", "Star of the Week", "Award for Excellence", "Headteacher's Award",
          "Certificate of Merit", "Reading Champion")
REASONS = ("for outstanding effort in maths", "for kindness to others", "for brilliant sports day running",
           "for reading 50 books", "for excellent attendance", "for a superb science project")
PAPERS = ((252, 248, 235), (255, 255, 255), (240, 246, 255), (255, 244, 230), (245, 255, 240))
INKS = ((10, 10, 10), (20, 30, 90), (90, 20, 20), (30, 60, 30))


@functools.cache
def fonts() -> tuple[str | None, ...]:
    """Latin text fonts on this machine (None: Pillow's built-in default font)."""
    try:
        out = subprocess.run(["fc-list", ":lang=en", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    usable = [f for f in files if f.lower().endswith((".ttf", ".otf"))
              and not any(word in f.lower() for word in ("math", "symbol", "emoji", "extralight", "dingbat"))]
    return (*usable, None)


def _font(path: str | None, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


@dataclass(frozen=True)
class Certificate:
    image: Image.Image
    name: str
    font: str
    name_height: int  # pixels of the name's capital letters in the final image
    photographed: bool


def render(name: str, seed: int) -> Certificate:
    """A certificate naming ``name``: font, size, colours, rotation (<= 10°), blur, perspective and JPEG vary."""
    rng = random.Random(seed)
    font_path = rng.choice(fonts())
    width = rng.choice((1000, 1400, 1800))
    height = round(width * rng.uniform(0.68, 0.75))
    paper, ink = rng.choice(PAPERS), rng.choice(INKS)
    sheet = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(sheet)
    draw.rectangle((width * 0.03, height * 0.03, width * 0.97, height * 0.97), outline=ink, width=max(2, width // 150))
    size = round(width * rng.uniform(0.045, 0.085))  # the name: 4.5-8.5% of the sheet's width

    def centred(text: str, y: float, px: int) -> None:
        font = _font(font_path, px)
        box = draw.textbbox((0, 0), text, font=font)
        while box[2] - box[0] > width * 0.9 and px > 10:
            px = int(px * 0.9)
            font = _font(font_path, px)
            box = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (box[2] - box[0])) / 2, y * height), text, font=font, fill=ink)

    centred(rng.choice(TITLES), 0.12, round(size * 1.1))
    centred("This is awarded to", 0.32, round(size * 0.6))
    centred(name, 0.45, size)
    centred(rng.choice(REASONS), 0.63, round(size * 0.5))
    centred(f"Signed: Mrs J. Baxter          Date: {rng.randint(1, 28)}/{rng.randint(1, 12)}/2026", 0.82,
            round(size * 0.35))
    photographed = rng.random() < 0.6
    image = sheet.rotate(rng.uniform(-10, 10), expand=True, resample=Image.Resampling.BICUBIC,
                         fillcolor=(rng.randint(60, 200),) * 3)
    scale = 1.0
    if photographed:
        image, scale = _photographed(image, rng)
    import io

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(35, 90))
    buffer.seek(0)
    final = Image.open(buffer)
    final.load()
    label = font_path.rsplit("/", 1)[-1] if font_path else "Pillow default"
    return Certificate(final, name, label, round(size * 0.72 * scale), photographed)


def _photographed(sheet: Image.Image, rng: random.Random) -> tuple[Image.Image, float]:
    """The sheet held up in a room: perspective, a busy background, uneven light, blur, noise."""
    w, h = sheet.size
    squeeze = rng.uniform(0.0, 0.12)
    # perspective: one side of the sheet further away than the other
    dx, dy = w * squeeze, h * squeeze / 2
    coeffs = _perspective_coeffs([(0, 0), (w, 0), (w, h), (0, h)],
                                 [(0, 0), (w, dy), (w - dx * 0.3, h - dy), (0, h)])
    warped = sheet.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC,
                             fillcolor=(120, 110, 100))
    canvas_w = round(w * rng.uniform(1.3, 2.2))
    canvas_h = round(canvas_w * 0.75)
    background = Image.effect_noise((canvas_w // 8, canvas_h // 8), rng.uniform(20, 60)).convert("RGB")
    background = background.resize((canvas_w, canvas_h), Image.Resampling.BICUBIC)
    tint = Image.new("RGB", (canvas_w, canvas_h), (rng.randint(60, 180), rng.randint(60, 160), rng.randint(40, 140)))
    canvas = Image.blend(background, tint, 0.6)
    canvas.paste(warped, (rng.randint(0, canvas_w - w), rng.randint(0, canvas_h - h)))
    light = Image.linear_gradient("L").resize((canvas_w, canvas_h)).rotate(rng.uniform(0, 360))
    canvas = Image.composite(canvas, Image.blend(canvas, Image.new("RGB", canvas.size, (0, 0, 0)), 0.35), light)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.6)))
    target = rng.choice((1600, 2400, 4032))  # phone photos up to 12 MP
    scale = target / canvas_w
    canvas = canvas.resize((target, round(canvas_h * scale)), Image.Resampling.BICUBIC)
    return canvas, scale


def _perspective_coeffs(source: list[tuple[float, float]], target: list[tuple[float, float]]) -> list[float]:
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(target, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.asarray(rows, dtype=np.float64)
    b = np.asarray(source, dtype=np.float64).reshape(8)
    return list(np.linalg.solve(a, b))
