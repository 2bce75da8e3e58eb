"""Safe image loading: upright, RGB, every distinct frame; truncated, corrupt and oversized files refused."""
from __future__ import annotations

import math
import struct
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from postcheck import safeio

# EXIF orientation -> the transpose that makes the picture upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
ORIENTATION_TAG = 0x0112
# Two frames whose 24x24 greyscale thumbnails differ by less than this (mean of 0-255) are one scene.
SAME_FRAME = 2.0
_lock = threading.Lock()
_heif_registered = False


class ImageError(Exception):
    """An image that cannot be read fully; the message is one line, without the path."""


@dataclass(frozen=True, slots=True)
class LoadedImage:
    """An image ready for analysis: RGB frames, upright, possibly decoded at a reduced size."""

    path: Path
    format: str
    size: tuple[int, int]  # upright size at full resolution
    frames: tuple[Image.Image, ...]  # distinct frames, RGB, upright
    frame_indexes: tuple[int, ...]  # position of each kept frame in the file
    frame_count: int  # frames in the file
    unchecked_frames: int = 0  # distinct frames beyond the cap, not analysed

    @property
    def scale(self) -> float:
        """Decoded frame width over full-resolution width."""
        return self.frames[0].width / self.size[0] if self.frames else 1.0


def register_heif() -> None:
    """Let Pillow open HEIC/HEIF (iPhone photos); done on first need, since pillow-heif is slow to import."""
    global _heif_registered
    with _lock:
        if not _heif_registered:
            from pillow_heif import register_heif_opener

            register_heif_opener()
            _heif_registered = True


def _looks_heif(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return head[4:8] == b"ftyp"


@contextmanager
def strict_pillow() -> Iterator[None]:
    """Refuse truncated files even if another library (face_recognition) switched that off globally."""
    old = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Pillow warns about decompression bombs under twice MAX_IMAGE_PIXELS and "Corrupt EXIF
            # data"; the library never prints, and what matters about an image is in its findings.
            warnings.simplefilter("ignore")
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = old


def open_image(path: Path) -> Image.Image:
    """Image.open with HEIF support registered on demand; raises ImageError.

    Only a regular file within IMAGE_BYTES is opened: a FIFO or a link to /dev/zero is refused.
    """
    try:
        safeio.check_regular(path, safeio.IMAGE_BYTES)
    except safeio.UnsafeFile as exc:
        raise ImageError(f"cannot read image: {exc.reason}") from None
    try:
        return Image.open(path)
    except UnidentifiedImageError:
        if not _heif_registered and _looks_heif(path):
            register_heif()
            return open_image(path)
        raise ImageError("not an image postcheck can read (supported: JPEG, PNG, GIF, WebP, HEIC, TIFF, BMP)") from None
    except Image.DecompressionBombError as exc:
        raise ImageError(f"too many pixels to open safely ({exc})") from None
    except OSError as exc:
        raise ImageError(f"cannot read image: {exc.strerror or exc}") from None
    except (SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, struct.error, MemoryError) as exc:
        # e.g. a PNG text chunk over Pillow's MAX_TEXT_CHUNK ("Decompressed Data Too Large")
        raise ImageError(f"cannot read image: {str(exc) or type(exc).__name__}") from None


def load_image(path: Path, scale_for: Callable[[int, int], float] | None = None, max_frames: int = 60) -> LoadedImage:
    """Read every distinct frame of an image, upright and RGB.

    ``scale_for(width, height)`` says how much of the full resolution the caller needs (1.0 = all),
    so large JPEGs can be decoded at 1/2, 1/4 or 1/8 size for speed; never below what is asked.
    Raises ImageError for anything that cannot be read completely.
    """
    with strict_pillow():
        image = open_image(path)
        try:
            with image:
                return _read(image, path, scale_for, max_frames)
        except ImageError:
            raise
        except Image.DecompressionBombError as exc:
            raise ImageError(f"too many pixels to decode safely ({exc})") from None
        except MemoryError:
            raise ImageError("image too large to decode in memory") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
            reason = str(exc) or type(exc).__name__
            if "truncated" in reason:
                reason = "file is truncated (incomplete download or copy?)"
            raise ImageError(f"cannot read image: {reason}") from None


def _read(image: Image.Image, path: Path, scale_for: Callable[[int, int], float] | None, max_frames: int) -> LoadedImage:
    fmt = image.format or "unknown"
    orientation = image.getexif().get(ORIENTATION_TAG) if hasattr(image, "getexif") else None
    transpose = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    width, height = image.size
    upright = (height, width) if transpose in (Image.Transpose.TRANSPOSE, Image.Transpose.TRANSVERSE,
                                               Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270) else (width, height)
    frame_count = getattr(image, "n_frames", 1) or 1
    if frame_count == 1 and scale_for is not None and fmt == "JPEG":
        wanted = min(1.0, scale_for(*upright))
        if wanted < 1.0:
            # JPEG decodes at 1/2, 1/4, 1/8 for a fraction of the cost; draft keeps at least the size asked for
            image.draft(image.mode if image.mode in ("RGB", "L") else None,
                        (math.ceil(width * wanted), math.ceil(height * wanted)))
    frames: list[Image.Image] = []
    indexes: list[int] = []
    signature_of_last: np.ndarray | None = None
    unchecked = 0
    for index in range(frame_count):
        if index:
            image.seek(index)
        image.load()
        frame = _detached(image) if frame_count == 1 else to_rgb(image)
        if transpose is not None:
            frame = frame.transpose(transpose)
        if frame_count > 1:
            # animations repeat near-identical frames; a learner in any *different* frame must be seen
            signature = np.asarray(frame.convert("L").resize((24, 24), Image.Resampling.BILINEAR), dtype=np.float32)
            if signature_of_last is not None and float(np.abs(signature - signature_of_last).mean()) < SAME_FRAME:
                continue
            signature_of_last = signature
            if len(frames) >= max_frames:
                unchecked += 1
                continue
        frames.append(frame)
        indexes.append(index)
    return LoadedImage(path, fmt, upright, tuple(frames), tuple(indexes), frame_count, unchecked)


def _detached(image: Image.Image) -> Image.Image:
    """A still RGB picture's decoded pixels, kept when the file is closed, without copying them (a 12 MP copy
    costs ~25 ms); pixels mapped from the file itself, and other modes, are copied or converted."""
    if image.mode != "RGB" or getattr(image, "map", None) is not None:
        return to_rgb(image)
    return image._new(image.im)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode (CMYK, greyscale, palette, alpha, 16-bit, float) as 8-bit RGB."""
    mode = image.mode
    if mode == "RGB":
        return image.copy()
    if mode.startswith("I") or mode == "F":
        # 16/32-bit greyscale: convert("L") would clip everything above 255 to white
        values = np.asarray(image, dtype=np.float64)
        top = float(values.max()) if values.size else 0.0
        if top > 255:
            values = values * (255.0 / (65535.0 if top <= 65535 else top))
        return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "L").convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
