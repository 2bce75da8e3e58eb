"""Video clips (.mp4 .mov .m4v .webm) with PyAV: frames sampled, faces found, metadata read, sizes capped.

PyAV (its wheel bundles FFmpeg) is imported only when a video is met. Frames are decoded one at a
time and only sampled ones are analysed, so memory stays at about one frame whatever the length.
A frame is sampled at every scene change and at least every ``1 / faces.video_fps`` seconds, so a
learner on screen for that long is in at least one sampled frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from PIL import Image

from postcheck.images.loader import ImageError, LoadedImage
from postcheck.images.media_settings import VideoSettings
from postcheck.images.settings import FaceSettings
from postcheck.posts import VIDEO_SUFFIXES

DEMUXERS = {".mp4": "mov", ".mov": "mov", ".m4v": "mov", ".webm": "matroska"}
SCENE_CHANGE = 14.0  # mean difference (0-255) of 32x18 greyscale thumbnails that counts as a new scene
MIN_SCENE_GAP = 0.2  # seconds: a fast pan does not sample every frame
SCENE_BUDGET = 10  # scene-change samples beyond the regular ones
MAX_FRAME_RATE = 240.0
TRUNCATED_SLACK = 0.5  # seconds short of the stated duration tolerated at the end of a stream
STRIP_SIDE = 240  # thumbnails kept for the HTML report


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


@dataclass(frozen=True, slots=True)
class VideoFace:
    """A face in a sampled frame: ``face`` is a faces.Face whose ``frame`` is the sample number."""

    time: float
    face: Any


@dataclass(frozen=True, slots=True)
class VideoScan:
    """What a video holds for the checks: faces with times, sample times, and its size."""

    faces: tuple[VideoFace, ...]
    times: tuple[float, ...]  # time of each sampled frame, in order
    duration: float
    size: tuple[int, int]  # upright width, height


def fmt_time(seconds: float) -> str:
    """``0:07``, ``12:03``, ``1:02:03``."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def time_ranges(times: list[float], samples: tuple[float, ...]) -> list[tuple[float, float]]:
    """Merge the sample times where someone was seen into ranges: a range ends at a sample without them."""
    seen = set(times)
    ranges: list[tuple[float, float]] = []
    start = last = None
    for t in samples:
        if t in seen:
            start = t if start is None else start
            last = t
        elif start is not None:
            ranges.append((start, last))
            start = None
    if start is not None:
        ranges.append((start, last))
    return ranges


def describe_ranges(ranges: list[tuple[float, float]]) -> str:
    return ", ".join(fmt_time(a) if fmt_time(a) == fmt_time(b) else f"{fmt_time(a)}–{fmt_time(b)}" for a, b in ranges)


def _av():
    import av  # noqa: PLC0415 - heavy (bundled FFmpeg): only when a video is met

    return av


def _open(path: Path, settings: VideoSettings) -> Any:
    av = _av()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageError(f"cannot read video: {exc.strerror or exc}") from None
    if size > settings.max_megabytes * 1_000_000:
        raise ImageError(f"video is {size / 1e6:,.0f} MB, over the {settings.max_megabytes:,} MB limit "
                         "(video.max_megabytes): not checked")
    try:
        # The demuxer is chosen by the file's extension and may open nothing but local files: FFmpeg
        # otherwise follows what a file says (an HLS playlist named .mp4 would fetch URLs).
        return av.open(str(path), format=DEMUXERS[path.suffix.lower()], metadata_errors="ignore",
                       options={"protocol_whitelist": "file", "enable_drefs": "0"})
    except av.error.FFmpegError as exc:
        reason = _reason(exc)
        if "moov atom not found" in reason or "Invalid data" in reason:
            reason = "file is truncated or not a video (incomplete download or copy?)"
        raise ImageError(f"cannot read video: {reason}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ImageError(f"cannot read video: {exc}") from None


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(": '/")[0].split(": '")[0].strip() or type(exc).__name__


def _duration(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0


def _video_stream(container: Any, settings: VideoSettings) -> tuple[Any, float]:
    if not container.streams.video:
        raise ImageError("no video stream in this file (audio only?)")
    stream = container.streams.video[0]
    duration = _duration(container, stream)
    if duration > settings.max_seconds:
        raise ImageError(f"video lasts {fmt_time(duration)}, over the {fmt_time(settings.max_seconds)} limit "
                         "(video.max_seconds): not checked")
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height:
        raise ImageError("video has no picture size (damaged header?)")
    if max(width, height) > settings.max_side:
        raise ImageError(f"video is {width}x{height}, over the {settings.max_side} px limit (video.max_side): not checked")
    rate = float(stream.average_rate or stream.guessed_rate or 0)
    if rate > MAX_FRAME_RATE:
        raise ImageError(f"video frame rate {rate:.0f}/s is over {MAX_FRAME_RATE:.0f}: not checked")
    return stream, duration


def sampled_frames(path: Path, settings: VideoSettings, fps: float) -> Iterator[tuple[float, Image.Image]]:
    """(time, upright RGB frame) at every scene change and at least every 1/fps seconds.

    Every frame is decoded (a damaged or truncated stream is found wherever it breaks); raises ImageError.
    """
    av = _av()
    container = _open(path, settings)
    try:
        stream, duration = _video_stream(container, settings)
        stream.thread_type = "AUTO"
        interval = 1.0 / fps
        last_kept: float | None = None
        last_signature: np.ndarray | None = None
        last_time = 0.0
        half_frame = 0.5 / float(stream.average_rate or 30)
        decoded = regular = scenes = 0
        try:
            for frame in container.decode(stream):
                if frame.is_corrupt:
                    raise ImageError(f"video is damaged at {fmt_time(frame.time or 0)}")
                time = float(frame.time) if frame.time is not None else last_time
                if time > settings.max_seconds:  # a header without a duration does not lift the cap
                    raise ImageError(f"video runs past the {fmt_time(settings.max_seconds)} limit "
                                     "(video.max_seconds): not checked")
                last_time = time
                decoded += 1
                signature = frame.reformat(width=32, height=18, format="gray").to_ndarray().astype(np.float32)
                due = last_kept is None or time - last_kept >= interval - half_frame
                # scene changes add samples, at most as many as the regular ones (+10): a shaky clip stays bounded
                scene = (not due and last_signature is not None and time - last_kept >= MIN_SCENE_GAP
                         and scenes < regular + SCENE_BUDGET
                         and float(np.abs(signature - last_signature).mean()) >= SCENE_CHANGE)
                if not (due or scene):
                    continue
                regular, scenes = regular + due, scenes + scene
                last_kept, last_signature = time, signature
                yield time, _upright(frame)
        except av.error.FFmpegError as exc:
            raise ImageError(f"cannot decode video: {_reason(exc)} (damaged or truncated file?)") from None
        if decoded == 0:
            raise ImageError("video has no frames that can be decoded (damaged or truncated file?)")
        frame_span = 1.0 / float(stream.average_rate or 30)
        if duration and last_time + frame_span < duration - TRUNCATED_SLACK:
            raise ImageError(f"video is truncated: frames end at {fmt_time(last_time)} of {fmt_time(duration)} "
                             "(incomplete download or copy?)")
    finally:
        container.close()


def _upright(frame: Any) -> Image.Image:
    image = frame.to_image()  # RGB
    rotation = int(round(getattr(frame, "rotation", 0) or 0)) % 360
    if rotation:
        # the display matrix turns the picture counter-clockwise by this many degrees (phones held upright)
        image = image.rotate(rotation, expand=True)
    return image


def scan_video(path: Path, video: VideoSettings, faces: FaceSettings, encode: bool) -> VideoScan:
    """Faces in the sampled frames of a clip (with encodings when ``encode``); raises ImageError."""
    from postcheck.images.faces import find_faces

    found: list[VideoFace] = []
    times: list[float] = []
    size = (0, 0)
    duration = 0.0
    for number, (time, frame) in enumerate(sampled_frames(path, video, faces.video_fps)):
        size = frame.size
        times.append(time)
        duration = time
        one = LoadedImage(path, "video", frame.size, (frame,), (number,), 1)
        found.extend(VideoFace(time, face) for face in find_faces(one, faces, encode))
    return VideoScan(tuple(found), tuple(times), duration, size)


def frame_at(path: Path, time: float, side: int = STRIP_SIDE,
             video: VideoSettings | None = None) -> tuple[Image.Image, int, int] | None:
    """(small upright picture of the frame shown at ``time``, full width, full height) for reports; None if unreadable."""
    try:
        av = _av()
        container = _open(path, video or VideoSettings())
    except (ImageError, ImportError):
        return None
    try:
        stream = container.streams.video[0]
        best = None
        if time > 0 and stream.time_base:
            container.seek(int(time / stream.time_base), stream=stream, backward=True, any_frame=False)
        for frame in container.decode(stream):
            best = frame
            if frame.time is None or frame.time >= time - 1e-3:
                break
        if best is None:
            return None
        image = _upright(best)
        width, height = image.size
        image.thumbnail((side, side))
        return image, width, height
    except (av.error.FFmpegError, ValueError, IndexError, OSError):
        return None
    finally:
        container.close()


@dataclass(frozen=True, slots=True)
class VideoMetadata:
    kind: str  # "gps" | "identifying"
    label: str


# Container tags (FFmpeg's names for QuickTime/MP4 atoms and Matroska tags) -> what they reveal.
_GPS_TAGS = ("location", "iso6709", "xyz", "gps")
_PEOPLE_TAGS = {"artist": "artist (a person's name)", "author": "author (a person's name)",
                "com.apple.quicktime.author": "QuickTime author (a person's name)",
                "com.apple.quicktime.artist": "QuickTime artist (a person's name)",
                "owner": "owner name", "com.apple.quicktime.owner": "QuickTime owner name",
                "copyright": "copyright holder (a person's name?)"}
_DEVICE_TAGS = ("serial", "device", "com.apple.quicktime.camera.identifier", "com.android.capture")


def video_metadata(path: Path, settings: VideoSettings | None = None) -> list[VideoMetadata]:
    """GPS positions, people's names and device names/serials in a clip's container tags (values never returned)."""
    av = _av()
    container = _open(path, settings or VideoSettings())
    try:
        tags: dict[str, str] = {}
        for source in (container.metadata, *(s.metadata for s in container.streams)):
            for key, value in (source or {}).items():
                if str(value).strip("\x00 "):
                    tags.setdefault(str(key).lower(), str(value))
    except av.error.FFmpegError as exc:
        raise ImageError(f"cannot read video metadata: {_reason(exc)}") from None
    finally:
        container.close()
    found: list[VideoMetadata] = []
    gps = sorted(k for k in tags if any(word in k for word in _GPS_TAGS))
    if gps:
        found.append(VideoMetadata("gps", f"video GPS ({gps[0]})"))
    for key, label in _PEOPLE_TAGS.items():
        if key in tags:
            found.append(VideoMetadata("identifying", f"video {label}"))
    devices = sorted(k for k in tags if any(word in k for word in _DEVICE_TAGS) and not any(w in k for w in _GPS_TAGS))
    if devices:
        found.append(VideoMetadata("identifying", f"video device name or serial ({devices[0]})"))
    return found
