"""The safe image loader, on images the tests make: orientation, frames, modes, truncation, bombs."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from postcheck.images.loader import ImageError, load_image

RED, BLUE, WHITE = (220, 20, 20), (20, 20, 220), (255, 255, 255)


def halves(width: int = 60, height: int = 30) -> Image.Image:
    """Left half red, right half blue."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height))
    return image


def near(pixel, colour, slack: int = 40) -> bool:
    return all(abs(int(a) - b) <= slack for a, b in zip(pixel, colour))


@pytest.mark.parametrize("orientation, size, top_left, bottom_right", [
    (1, (60, 30), RED, BLUE),
    (3, (60, 30), BLUE, RED),   # upside down
    (6, (30, 60), RED, BLUE),   # phone held upright: stored sideways, rotate 90° clockwise
    (8, (30, 60), BLUE, RED),
])
def test_exif_orientation_is_applied(tmp_path, orientation, size, top_left, bottom_right):
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "phone.jpg"
    halves().save(path, exif=exif, quality=95)
    loaded = load_image(path)
    (frame,) = loaded.frames
    assert loaded.size == size and frame.size == size
    assert near(frame.getpixel((2, 2)), top_left)
    assert near(frame.getpixel((size[0] - 3, size[1] - 3)), bottom_right)


def _animation(path: Path, colours: list[tuple[int, int, int]], fmt: str) -> None:
    frames = []
    for index, colour in enumerate(colours):
        frame = Image.new("RGB", (40, 40), colour)
        frame.putpixel((index, 0), (0, 0, 0))  # encoders merge identical frames; keep near-repeats apart
        frames.append(frame)
    frames[0].save(path, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True)


@pytest.mark.parametrize("fmt, suffix", [("GIF", "gif"), ("WEBP", "webp")])
def test_every_distinct_frame_is_kept_including_a_late_one(tmp_path, fmt, suffix):
    path = tmp_path / f"anim.{suffix}"
    _animation(path, [(128, 128, 128)] * 5 + [RED], fmt)
    loaded = load_image(path)
    assert loaded.frame_count == 6
    assert loaded.frame_indexes == (0, 5)  # repeats skipped, the late frame kept
    assert near(loaded.frames[-1].getpixel((20, 20)), RED)
    assert loaded.unchecked_frames == 0


def test_frames_over_the_cap_are_counted_not_dropped_silently(tmp_path):
    path = tmp_path / "many.gif"
    _animation(path, [(i * 40, 255 - i * 40, 0) for i in range(6)], "GIF")
    loaded = load_image(path, max_frames=2)
    assert len(loaded.frames) == 2 and loaded.unchecked_frames == 4


@pytest.mark.parametrize("mode, fmt, fill, expected", [
    ("CMYK", "JPEG", (0, 255, 255, 0), (255, 0, 0)),  # pure magenta+yellow ink = red
    ("L", "PNG", 200, (200, 200, 200)),
    ("1", "PNG", 1, WHITE),
    ("P", "PNG", None, RED),
    ("LA", "PNG", (90, 255), (90, 90, 90)),
    ("RGBA", "PNG", (220, 20, 20, 0), WHITE),         # fully transparent: the background, not black
    ("I;16", "PNG", 65535, WHITE),                   # 16-bit white stays white (not clipped)
    ("I;16", "PNG", 32896, (128, 128, 128)),         # 16-bit mid-grey is mid-grey
    ("I", "TIFF", 200, (200, 200, 200)),
])
def test_modes_become_8bit_rgb(tmp_path, mode, fmt, fill, expected):
    if mode == "P":
        image = Image.new("RGB", (20, 20), RED).convert("P")
    else:
        image = Image.new(mode, (20, 20), fill)
    path = tmp_path / f"img.{fmt.lower()}"
    image.save(path, format=fmt)
    (frame,) = load_image(path).frames
    assert frame.mode == "RGB"
    assert near(frame.getpixel((10, 10)), expected, slack=30 if mode == "P" else 8), frame.getpixel((10, 10))


def test_heic_is_read(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif (iPhone photo support) is not installed, so reading HEIC photos is not tested")
    path = tmp_path / "iphone.heic"
    image = Image.new("RGB", (64, 48), RED)
    try:
        pillow_heif.from_pillow(image).save(path, quality=90)
    except Exception as exc:  # encoder missing from this build
        pytest.skip(f"this machine cannot write iPhone (HEIC) photos, so reading them is not tested: {exc}")
    loaded = load_image(path)
    assert loaded.size == (64, 48) and near(loaded.frames[0].getpixel((30, 20)), RED)


def _jpeg_bytes(size=(200, 150)) -> bytes:
    buffer = io.BytesIO()
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("global_setting", [False, True])
def test_truncated_file_is_refused_even_if_another_library_allowed_it(tmp_path, global_setting, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", global_setting)  # face_recognition sets True
    path = tmp_path / "cut.jpg"
    data = _jpeg_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated"):
        load_image(path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is global_setting  # restored afterwards


def test_truncated_png_is_refused(tmp_path):
    path = tmp_path / "cut.png"
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (100, 100, 3), dtype=np.uint8)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue()[:5000])
    with pytest.raises(ImageError):
        load_image(path)


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "bomb.png"
    Image.new("L", (300, 300)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # 90,000 px is over twice the limit
    with pytest.raises(ImageError, match="pixels"):
        load_image(path)


@pytest.mark.parametrize("content", [b"Dear parents, sports day is on Friday.\n", b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_not_an_image_is_refused(tmp_path, content):
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError):
        load_image(path)


def test_large_jpeg_is_decoded_reduced_but_not_below_the_size_asked(tmp_path):
    path = tmp_path / "big.jpg"
    Image.new("RGB", (1600, 1200), RED).save(path)
    loaded = load_image(path, scale_for=lambda w, h: 0.3)
    assert loaded.size == (1600, 1200)
    assert 0.3 <= loaded.scale <= 0.5  # decoded at 1/2 (the JPEG step just above 0.3)
    assert load_image(path, scale_for=lambda w, h: 2.0).scale == 1.0
