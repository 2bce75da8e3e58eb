"""A photo's clean copy: no metadata at all (ICC colour profile kept), upright, objectors' faces obscured.

A JPEG that needs neither turning nor blurring is copied losslessly (its metadata segments
dropped, its compressed picture kept byte for byte); an upright JPEG with faces to obscure keeps
every 8x8 block except those around the faces (jpeg_blocks); anything else is decoded, changed and
saved afresh with no metadata. Every frame of an animation is written, each obscured where the frame it
repeats (or is) had the face.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from postcheck.fixer.obscure import obscure
from postcheck.images.loader import (
    _UPRIGHT,
    ORIENTATION_TAG,
    ImageError,
    LoadedImage,
    load_image,
    open_image,
    strict_pillow,
)

# Formats written as they came; others (HEIC, MPO...) become JPEG copies.
KEEP_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp"}
JPEGS = ("JPEG", "MPO")  # MPO: a phone's JPEG with preview pictures after it (dropped from the copy)
JPEG_KEEP_APP = (b"ICC_PROFILE\x00", b"Adobe")  # colour profile; Adobe's colour-transform flag (needed to decode)


@dataclass
class PhotoResult:
    """What a clean copy changed."""

    removed: list[str] = field(default_factory=list)  # kinds of metadata present and dropped
    turned: bool = False  # EXIF orientation applied to the pixels
    regions: list[tuple[int, int, int, int, int]] = field(default_factory=list)  # (frame, x0, y0, x1, y1) obscured
    frames: int = 1
    lossless: bool = False  # picture data copied unchanged
    blocks_kept: bool = False  # a JPEG's blocks outside ``regions`` kept as they were: those pixels are unchanged
    format: str = ""


def output_suffix(path: Path) -> str:
    """The extension the copy gets (.jpg for formats written as JPEG)."""
    try:
        with strict_pillow(), open_image(path) as image:
            fmt = image.format or ""
    except ImageError:
        return path.suffix
    if fmt in KEEP_FORMATS or fmt in JPEGS:
        return path.suffix
    return ".jpg"


def metadata_kinds(image: Image.Image, raw: bytes) -> list[str]:
    """The kinds of metadata a file carries (for the report; never the values)."""
    kinds = []
    exif = image.getexif()
    if len(exif):
        kinds.append("EXIF" + (" (GPS)" if exif.get_ifd(0x8825) else ""))
    if image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b"http://ns.adobe.com/xap/1.0/" in raw[:200_000]:
        kinds.append("XMP")
    if image.info.get("photoshop") or b"Photoshop 3.0\x00" in raw[:200_000]:
        kinds.append("IPTC")
    if image.info.get("comment"):
        kinds.append("comment")
    texts = [k for k in getattr(image, "text", {}) or {}] if image.format == "PNG" else []
    if texts:
        kinds.append("PNG text")
    if b"MPF\x00" in raw[:200_000]:
        kinds.append("embedded previews")
    return kinds


def clean_photo(source: Path, boxes: dict[int, list[tuple[int, int, int, int]]], max_frames: int = 60,
                decoded: LoadedImage | None = None) -> tuple[bytes, PhotoResult]:
    """The clean copy's bytes. ``boxes``: frame index (as the face check numbers frames) -> face boxes.
    ``decoded``: the photo as the check decoded it, whose pixels are reused where they are the file's own."""
    raw = source.read_bytes()
    with strict_pillow():
        image = open_image(source)
        with image:
            result = PhotoResult(format=image.format or "")
            result.removed = metadata_kinds(image, raw)
            orientation = image.getexif().get(ORIENTATION_TAG)
            transpose = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
            result.turned = transpose is not None
            frames = 1 if image.format == "MPO" else getattr(image, "n_frames", 1) or 1
            if image.format in JPEGS and frames == 1 and transpose is None and not boxes:
                stripped = strip_jpeg(raw)
                if stripped is not None:
                    result.lossless = True
                    return stripped, result
            if image.format in JPEGS and frames == 1 and transpose is None and set(boxes) == {0}:
                kept = _keep_blocks(raw, image, boxes[0], result, decoded)
                if kept is not None:
                    return kept, result
            groups = _frame_groups(source, frames, max_frames) if frames > 1 and boxes else None
            lossless_webp = image.format == "WEBP" and b"VP8L" in raw and b"VP8 " not in raw
            return _reencode(image, transpose, boxes, groups, result, lossless_webp), result


def _keep_blocks(raw: bytes, image: Image.Image, boxes: list, result: PhotoResult,
                 decoded: LoadedImage | None = None) -> bytes | None:
    """The JPEG with only the faces' blocks re-encoded, metadata stripped; None to re-encode it all."""
    from postcheck.fixer.jpeg_blocks import obscure_blocks

    frame = decoded.frames[0] if decoded is not None and len(decoded.frames) == 1 else None
    if frame is None or frame.size != image.size or frame.mode != image.mode or decoded.size != image.size:
        image.load()  # the check decoded it smaller, or turned it: decode it here
        frame = image
    done = obscure_blocks(raw, image, boxes, frame)
    stripped = strip_jpeg(done[0]) if done is not None else None
    if done is None or stripped is None:
        return None
    result.regions = [(0, *area) for area in done[1]]
    result.blocks_kept = True
    return stripped


def _frame_groups(source: Path, frames: int, max_frames: int) -> list[int]:
    """For each frame of an animation, the analysed frame it repeats (the face check skips repeats)."""
    loaded = load_image(source, None, max_frames)
    kept = list(loaded.frame_indexes)
    group, out = 0, []
    for index in range(frames):
        if index in kept:
            group = index
        out.append(group)
    return out


def _working_mode(image: Image.Image) -> str:
    if image.mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return image.mode
    alpha = image.mode in ("PA", "La", "RGBa") or "transparency" in image.info
    return "RGBA" if alpha else "RGB"


def _reencode(image: Image.Image, transpose, boxes, groups, result: PhotoResult, lossless_webp: bool = False) -> bytes:
    fmt = image.format if image.format in KEEP_FORMATS else "JPEG"
    icc = image.info.get("icc_profile")
    quant = getattr(image, "quantization", None) if image.format in JPEGS else None
    sampling = _jpeg_sampling(image) if image.format in JPEGS else -1
    count = getattr(image, "n_frames", 1) or 1
    if image.format == "MPO":
        count = 1  # the second picture of a phone's MPO is a preview: not copied
    out_frames: list[Image.Image] = []
    durations: list[int] = []
    for index in range(count):
        if index:
            image.seek(index)
        image.load()
        durations.append(int(image.info.get("duration", 100) or 100))
        frame = image.convert(_working_mode(image)) if image.mode != _working_mode(image) else image.copy()
        if transpose is not None:
            frame = frame.transpose(transpose)
        face_frame = groups[index] if groups else 0
        wanted = boxes.get(face_frame, []) if (groups or index == 0) else []
        if wanted:
            pixels = np.array(frame)
            for box in wanted:
                x0, y0, x1, y1 = obscure(pixels, box)
                result.regions.append((index, x0, y0, x1, y1))
            frame = Image.fromarray(pixels, frame.mode)
        else:
            frame = Image.frombytes(frame.mode, frame.size, frame.tobytes())  # a fresh image: no info carried
        out_frames.append(frame)
    result.frames = len(out_frames)
    buffer = io.BytesIO()
    first, rest = out_frames[0], out_frames[1:]
    extra: dict = {"icc_profile": icc} if icc and fmt in ("JPEG", "PNG", "WEBP", "TIFF") else {}
    if fmt == "JPEG":
        if first.mode in ("RGBA", "LA"):
            first = first.convert("RGB")
        if quant and first.mode in ("RGB", "L", "CMYK"):
            first.save(buffer, "JPEG", qtables=quant, subsampling=sampling, optimize=True, **extra)
        else:
            first.save(buffer, "JPEG", quality=95, optimize=True, **extra)
    elif fmt in ("GIF", "WEBP") and rest:
        options = {"save_all": True, "append_images": rest, "duration": durations, "loop": image.info.get("loop", 0)}
        if fmt == "WEBP":
            options.update(lossless=True) if lossless_webp else options.update(quality=95)
        else:
            options.update(disposal=2)
        first.save(buffer, fmt, **options, **extra)
    elif fmt == "WEBP":
        first.save(buffer, "WEBP", **({"lossless": True} if lossless_webp else {"quality": 95}), **extra)
    else:
        first.save(buffer, fmt, **extra)
    return buffer.getvalue()


def _jpeg_sampling(image: Image.Image) -> int:
    try:
        from PIL import JpegImagePlugin

        return JpegImagePlugin.get_sampling(image)
    except Exception:  # noqa: BLE001 - unknown layouts: Pillow's default
        return -1


def strip_jpeg(data: bytes) -> bytes | None:
    """The JPEG without metadata segments (EXIF, XMP, IPTC, comments, previews); None if the layout is odd."""
    if data[:2] != b"\xff\xd8":
        return None
    out = [b"\xff\xd8"]
    i = 2
    size = len(data)
    while i + 1 < size:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:
            out.append(b"\xff\xd9")
            return b"".join(out)  # anything after the end (MPF previews) is dropped
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(data[i:i + 2])
            i += 2
            continue
        if i + 4 > size:
            return None
        length = int.from_bytes(data[i + 2:i + 4], "big")
        end = i + 2 + length
        if length < 2 or end > size:
            return None
        if marker == 0xDA:  # start of scan: the entropy-coded data runs to the next real marker
            j = end
            while True:
                k = data.find(b"\xff", j)
                if k < 0 or k + 1 >= size:
                    return None
                following = data[k + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    j = k + 1
                    continue
                break
            out.append(data[i:k])
            i = k
            continue
        payload = data[i + 4:end]
        if marker == 0xE0 and payload.startswith(b"JFIF\x00") and len(payload) >= 12:
            out.append(b"\xff\xe0\x00\x10" + payload[:12] + b"\x00\x00")  # JFIF without its thumbnail
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:
            if marker in (0xE2, 0xEE) and payload.startswith(JPEG_KEEP_APP):
                out.append(data[i:end])
        else:
            out.append(data[i:end])
        i = end
    return None
