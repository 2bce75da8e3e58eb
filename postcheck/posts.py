"""Loading posts: drafts with front matter, their images, and images that stand alone."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from postcheck import yamlio
from postcheck.model import Segment
from postcheck.yamlio import SourceError

DRAFT_SUFFIXES = {".md", ".markdown", ".txt"}
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm"})  # clips are linked and walked like photos
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".tif", ".tiff", ".bmp"} | VIDEO_SUFFIXES
MAX_DRAFT_BYTES = 1_000_000  # a social-media post is a few KB; anything this big is not a draft
ACCOUNTS = ("school", "personal")
PLATFORMS = ("facebook", "x", "instagram", "linkedin")
# Front-matter keys that are settings, not post text.
_SETTING_KEYS = {"account", "platform", "images", "date", "tags_off"}

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# Inline Markdown links and images: ![alt](dest "title") / [text](dest)
_INLINE_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<label>(?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]"
    r"\(\s*(?P<dest><[^>\n]*>|[^\s)]+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image that belongs to a post."""

    path: Path  # resolved file
    display: str  # as shown in reports
    alt: str | None = None
    line: int | None = None  # where the draft refers to it
    column: int | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that stopped part of a post being checked (becomes an input-error finding)."""

    message: str
    path: str
    line: int | None = None
    column: int | None = None


@dataclass(slots=True)
class Post:
    """A draft (or a lone image) ready to check.

    ``text`` joins the post's front-matter text fields, its Markdown body and its image file
    names; ``segments`` map offsets in it back to files and lines. ``prose`` is ``text`` with
    link and image destinations blanked (same length, same offsets) for checks that read words.
    """

    path: Path
    display: str
    account: str
    platform: str | None = None
    front_matter: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    segments: tuple[Segment, ...] = ()
    link_spans: tuple[tuple[int, int], ...] = ()  # (start, end) of each link/image destination in text
    images: tuple[ImageRef, ...] = ()
    problems: tuple[Problem, ...] = ()
    digest: str = ""  # hash of the draft bytes

    @property
    def prose(self) -> str:
        chars = list(self.text)
        for start, end in self.link_spans:
            chars[start:end] = " " * (end - start)
        return "".join(chars)

    def segment_at(self, offset: int) -> Segment | None:
        for segment in self.segments:
            if segment.start <= offset <= segment.end:
                return segment
        return None

    def locate(self, offset: int) -> tuple[str, int | None, int | None]:
        """(path, line, column) of an offset in ``text``; line and column are 1-based."""
        segment = self.segment_at(offset)
        if segment is None:
            return self.display, None, None
        if segment.line is None:
            return segment.path, None, None
        before = self.text[segment.start:offset]
        newlines = before.count("\n")
        if newlines:
            column = len(before) - before.rfind("\n")
        else:
            column = (segment.column or 1) + len(before)
        return segment.path, segment.line + newlines, column

    def line_text(self, offset: int) -> tuple[str, int]:
        """The full line of ``text`` around an offset, and the offset where that line starts."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return self.text[start:end if end >= 0 else len(self.text)], start


def display_path(path: Path) -> str:
    """A path as a report shows it: relative to the current folder when inside it."""
    try:
        rel = os.path.relpath(path, Path.cwd())
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def decode_draft(raw: bytes) -> tuple[str | None, str | None]:
    """(text, None) or (None, reason). Tries UTF-8, BOM-marked UTF-16, then Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, "cannot decode UTF-16 text"
    if b"\x00" in raw:
        return None, "binary file, not a text draft"
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        return None, f"cannot decode text (not UTF-8 or Windows-1252, byte {exc.start})"
    return text, None


def _is_binaryish(text: str) -> bool:
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls > max(8, len(text[:4096]) // 20)


def load_draft(path: Path, default_account: str = "school", account_override: str | None = None,
               extra_images: Iterable[Path] = ()) -> Post:
    """Read a draft; never raises for bad content (problems become input-error findings)."""
    display = display_path(path)
    post = Post(path=path, display=display, account=account_override or default_account)
    problems: list[Problem] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        post.problems = (Problem(f"cannot read draft: {exc.strerror or exc}", display),)
        return post
    post.digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > MAX_DRAFT_BYTES:
        post.problems = (Problem(f"draft is {len(raw):,} bytes, over the {MAX_DRAFT_BYTES:,}-byte limit: not checked", display),)
        return post
    text, reason = decode_draft(raw)
    if text is None or _is_binaryish(text):
        post.problems = (Problem(reason or "binary file, not a text draft", display),)
        return post
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    front: dict[str, Any] = {}
    body, body_line = text, 1
    match = _FRONT_MATTER.match(text)
    if match:
        body = text[match.end():]
        body_line = text[:match.end()].count("\n") + 1
        try:
            parsed = yamlio.parse(match.group(1) or "", display, line_offset=1)
        except SourceError as exc:
            problems.append(Problem(f"front matter: {exc.message}", display, exc.line))
            parsed = None
        if parsed is not None and not isinstance(parsed, dict):
            problems.append(Problem("front matter must be a mapping of key: value", display, 2))
        elif parsed:
            front = parsed
    post.front_matter = front

    account = front.get("account")
    if account is not None and account not in ACCOUNTS:
        problems.append(Problem(f"account must be one of {', '.join(ACCOUNTS)}, not {account!r}",
                                display, yamlio.line_of(front, "account")))
        account = None
    post.account = account_override or account or default_account
    platform = front.get("platform")
    if platform is not None and str(platform).lower() not in PLATFORMS:
        problems.append(Problem(f"platform must be one of {', '.join(PLATFORMS)}, not {platform!r}",
                                display, yamlio.line_of(front, "platform")))
        platform = None
    post.platform = str(platform).lower() if platform else None

    pieces: list[tuple[str, str, str, int | None, int | None]] = []  # text, field, path, line, column
    for key, value in front.items():
        if key in _SETTING_KEYS or not isinstance(value, str) or not value.strip():
            continue
        line = yamlio.line_of(front, key)
        column = _column_of(text, line, value)
        pieces.append((value, f"front-matter:{key}", display, line, column))
    body_index = len(pieces)
    pieces.append((body, "body", display, body_line, 1))

    images: list[ImageRef] = []
    links: list[tuple[int, int]] = []  # relative to body
    base = path.parent
    for m in _INLINE_LINK.finditer(body):
        dest = m.group("dest").strip("<>")
        links.append(m.span("dest"))
        if not m.group("bang"):
            continue
        line = body_line + body.count("\n", 0, m.start())
        column = m.start() - body.rfind("\n", 0, m.start())
        _add_image(images, problems, base, dest, display, m.group("label"), line, column)
    fm_images = front.get("images")
    if fm_images is not None:
        if isinstance(fm_images, str):
            fm_images = [fm_images]
        if not isinstance(fm_images, list):
            problems.append(Problem("images must be a list of files", display, yamlio.line_of(front, "images")))
        else:
            line = yamlio.line_of(front, "images")
            for item in fm_images:
                if isinstance(item, dict):  # - {path: a.jpg, alt: "..."}
                    dest, alt = str(item.get("path") or item.get("src") or ""), item.get("alt")
                    if isinstance(alt, str) and alt.strip():
                        pieces.append((alt, "front-matter:images.alt", display, getattr(item, "line", line), None))
                else:
                    dest, alt = str(item), None
                _add_image(images, problems, base, dest, display, alt, line, None)
    for extra in extra_images:
        if all(ref.path != extra.resolve() for ref in images):
            images.append(ImageRef(extra.resolve(), display_path(extra)))
    for ref in images:
        pieces.append((ref.path.stem, "image-name", ref.display, None, None))

    _join(post, pieces, body_index, links)
    post.images = tuple(images)
    post.problems = tuple(problems)
    return post


def _column_of(text: str, line: int | None, value: str) -> int | None:
    if line is None:
        return None
    lines = text.split("\n")
    if line - 1 >= len(lines):
        return None
    index = lines[line - 1].find(value.split("\n")[0][:40])
    return index + 1 if index >= 0 else None


def _add_image(images: list[ImageRef], problems: list[Problem], base: Path, dest: str, display: str,
               alt: str | None, line: int | None, column: int | None) -> None:
    if not dest:
        problems.append(Problem("empty image reference", display, line, column))
        return
    if _REMOTE.match(dest):
        problems.append(Problem(f"remote image {dest} cannot be checked offline: save it beside the draft",
                                display, line, column))
        return
    target = (base / dest).resolve()
    if not target.is_file():
        problems.append(Problem(f"image not found: {dest}", display, line, column))
        return
    if any(ref.path == target for ref in images):
        return
    images.append(ImageRef(target, display_path(target), alt or None, line, column))


def _join(post: Post, pieces: list[tuple[str, str, str, int | None, int | None]], body_index: int,
          body_links: list[tuple[int, int]]) -> None:
    parts: list[str] = []
    segments: list[Segment] = []
    offset = 0
    links: list[tuple[int, int]] = []
    for index, (text, field_name, path, line, column) in enumerate(pieces):
        if parts:
            parts.append("\n\n")
            offset += 2
        segments.append(Segment(offset, offset + len(text), path, line, column, field_name))
        if index == body_index:
            links.extend((offset + s, offset + e) for s, e in body_links)
        parts.append(text)
        offset += len(text)
    post.text = "".join(parts)
    post.segments = tuple(segments)
    post.link_spans = tuple(links)


def image_post(path: Path, account: str) -> Post:
    """A lone image checked as a post of its own."""
    ref = ImageRef(path.resolve(), display_path(path))
    post = Post(path=path, display=ref.display, account=account, images=(ref,))
    _join(post, [(path.stem, "image-name", ref.display, None, None)], -1, [])
    return post


def post_from_text(text: str, account: str = "school", name: str = "<text>", base: Path | None = None) -> Post:
    """A post made from a string (rule examples, explain, the library API)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        draft = folder / "draft.md"
        draft.write_text(text, encoding="utf-8")
        post = load_draft(draft, default_account=account)
    post.path = (base or Path.cwd()) / name
    post.display = name
    post.segments = tuple(
        Segment(s.start, s.end, name if s.field != "image-name" else s.path, s.line, s.column, s.field)
        for s in post.segments
    )
    post.problems = tuple(Problem(p.message, name, p.line, p.column) for p in post.problems)
    return post
