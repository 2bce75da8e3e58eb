"""Loading posts: drafts with front matter, their images, and images that stand alone."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from postcheck import safeio, yamlio
from postcheck.draftimages import INLINE_LINK, find_images
from postcheck.frontmatter import text_fields
from postcheck.model import Segment
from postcheck.text.view import reader_view
from postcheck.yamlio import SourceError

DRAFT_SUFFIXES = {".md", ".markdown", ".txt"}
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm"})  # clips are linked and walked like photos
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".tif", ".tiff", ".bmp"} | VIDEO_SUFFIXES
# A social-media post is a few KB (LinkedIn's longest article body is ~125,000 characters): anything
# bigger is not a draft, and checking it would cost minutes and gigabytes (spaCy, allow comments).
MAX_DRAFT_BYTES = 200_000
ACCOUNTS = ("school", "personal")
# "website": the school's own news pages and newsletters, which the policy covers as much as its social accounts
PLATFORMS = ("facebook", "x", "instagram", "linkedin", "website")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# image_roots for a look at which images a draft refers to (never for checking it): any folder
ANY_FOLDER: tuple[Path, ...] = (Path("/"),)
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
    names, each as a reader sees it (postcheck/text/view.py: ``Ame&#8203;lia`` reads "Amelia");
    ``segments`` map offsets in it back to files, lines and columns of the source. ``prose`` is
    ``text`` with link and image destinations blanked (same length, same offsets) for checks that
    read words.
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
        """(path, line, column) in the source of an offset in ``text``; line and column are 1-based."""
        return self.locate_span(offset, offset)[:3]

    def locate_span(self, start: int, end: int) -> tuple[str, int | None, int | None, int | None, int | None]:
        """(path, line, column, end line, end column) in the source of text[start:end]."""
        segment = self.segment_at(start)
        if segment is None:
            return self.display, None, None, None, None
        if segment.line is None:
            return segment.path, None, None, None, None
        lo, hi = start - segment.start, min(max(end, start), segment.end) - segment.start
        if segment.view is not None:  # the reader's view differs from what was written: map back
            lo, hi = segment.view.source_span(lo, hi)
            source, base = segment.view.source, 0
        else:
            source, base = self.text, segment.start
        return (segment.path, *self._line_column(segment, source, base, base + lo),
                *self._line_column(segment, source, base, base + hi))

    @staticmethod
    def _line_column(segment: Segment, source: str, base: int, offset: int) -> tuple[int, int]:
        # count and rfind over a range, not a copy of it: a post with thousands of findings
        # (allow comments, say) would otherwise copy the text once per finding
        newlines = source.count("\n", base, offset)
        if newlines:
            column = offset - source.rfind("\n", base, offset)
        else:
            column = (segment.column or 1) + (offset - base)
        return segment.line + newlines, column

    def line_text(self, offset: int) -> tuple[str, int]:
        """The full line of ``text`` around an offset, and the offset where that line starts."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return self.text[start:end if end >= 0 else len(self.text)], start


def display_path(path: Path) -> str:
    """A path as a report shows it: relative to the current folder when inside it.

    Control characters, bidi overrides and bytes that are not UTF-8 are shown as escapes
    (``\\x1b``), so a file name can neither drive a terminal nor break a UTF-8 report.
    """
    try:
        rel = os.path.relpath(path, Path.cwd())
    except ValueError:
        return safeio.printable(str(path))
    return safeio.printable(str(path) if rel.startswith("..") else rel)


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


def read_draft_bytes(path: Path) -> bytes:
    """A draft's bytes: a regular file of at most MAX_DRAFT_BYTES; raises safeio.UnsafeFile."""
    size = safeio.check_regular(path, 1 << 62).st_size
    if size > MAX_DRAFT_BYTES:
        raise safeio.UnsafeFile(f"draft is {size:,} bytes, over the {MAX_DRAFT_BYTES:,}-byte limit "
                                "(a post is a few KB; split it): not checked")
    return safeio.read_bytes(path, MAX_DRAFT_BYTES)


def _is_binaryish(text: str) -> bool:
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls > max(8, len(text[:4096]) // 20)


def load_draft(path: Path, default_account: str = "school", account_override: str | None = None,
               extra_images: Iterable[Path] = (), image_roots: Iterable[Path] = ()) -> Post:
    """Read a draft; never raises for bad content (problems become input-error findings).

    Its images are read only from under its own folder or one of ``image_roots`` (the config's
    folder and the folders it allows).
    """
    display = display_path(path)
    post = Post(path=path, display=display, account=account_override or default_account)
    problems: list[Problem] = []
    try:
        raw = read_draft_bytes(path)
    except OSError as exc:  # safeio.UnsafeFile names the reason; any other OSError is reported the same way
        why = getattr(exc, "reason", None) or exc.strerror or str(exc)
        reason = why if why.startswith("draft ") else f"cannot read draft: {why}"
        post.problems = (Problem(reason, display),)
        return post
    post.digest = hashlib.sha256(raw).hexdigest()
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
            parsed = yamlio.parse(match.group(1) or "", display, line_offset=1, max_chars=MAX_DRAFT_BYTES)
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
    for value, field_name, line, column in text_fields(front, text):
        pieces.append((value, field_name, display, line, column))
    body_index = len(pieces)
    pieces.append((body, "body", display, body_line, 1))

    images: list[ImageRef] = []
    base = path.parent
    roots = None if image_roots is ANY_FOLDER else (base.resolve(), *(Path(r).resolve() for r in image_roots))
    for image in find_images(body):
        _add_image(images, problems, base, roots, image.dest, display, image.alt,
                   body_line + image.line - 1, image.column)
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
                _add_image(images, problems, base, roots, dest, display, alt, line, None)
    for extra in extra_images:
        if all(ref.path != safeio.resolve(extra) for ref in images):
            images.append(ImageRef(safeio.resolve(extra), display_path(extra)))
    for ref in images:
        pieces.append((name_text(ref.path), "image-name", ref.display, None, None))

    _join(post, pieces, body_index)
    post.images = tuple(images)
    post.problems = tuple(problems)
    return post


def _add_image(images: list[ImageRef], problems: list[Problem], base: Path, roots: tuple[Path, ...] | None,
               dest: str, display: str, alt: str | None, line: int | None, column: int | None) -> None:
    if not dest:
        problems.append(Problem("empty image reference", display, line, column))
        return
    shown = dest if len(dest) <= 80 else dest[:77] + "…"  # a data: URI can be megabytes long
    if _REMOTE.match(dest):
        problems.append(Problem(f"remote image {shown} cannot be checked offline: save it beside the draft",
                                display, line, column))
        return
    try:
        target = safeio.resolve(base / dest)
    except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte
        problems.append(Problem(f"image {shown} cannot be read: {getattr(exc, 'strerror', None) or exc}",
                                display, line, column))
        return
    if roots is not None and not any(target.is_relative_to(root) for root in roots):
        # a draft must not make postcheck read (and the HTML report embed) any file it can name
        if dest.startswith("/") and not _exists(target):
            # "/uploads/2024/sports-day.jpg": a path on the school's website, pasted from its Markdown
            problems.append(Problem(f"image {shown} is a path on a website, not a file here: save the photo beside "
                                    "the draft and point to it (![...](photo.jpg)) so its faces can be checked",
                                    display, line, column))
            return
        problems.append(Problem(f"image {shown} is outside the draft's folder and the config's folder: not read "
                                "(list its folder under image_folders in postcheck.yaml to allow it)",
                                display, line, column))
        return
    try:
        found = target.is_file()
    except (OSError, ValueError) as exc:  # a name too long for the file system
        problems.append(Problem(f"image {shown} cannot be read: {getattr(exc, 'strerror', None) or exc}",
                                display, line, column))
        return
    if not found:
        problems.append(Problem(f"image not found: {shown}", display, line, column))
        return
    if any(ref.path == target for ref in images):
        return
    images.append(ImageRef(target, display_path(target), alt or None, line, column))


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _join(post: Post, pieces: list[tuple[str, str, str, int | None, int | None]], body_index: int) -> None:
    """Join the pieces as a reader sees them (postcheck/text/view.py), each a segment that maps back."""
    parts: list[str] = []
    segments: list[Segment] = []
    offset = 0
    links: list[tuple[int, int]] = []
    for index, (text, field_name, path, line, column) in enumerate(pieces):
        if parts:
            parts.append("\n\n")
            offset += 2
        view = reader_view(text)
        shown = view.text
        segments.append(Segment(offset, offset + len(shown), path, line, column, field_name,
                                None if view.identity else view))
        if index == body_index:
            links.extend((offset + m.start("dest"), offset + m.end("dest")) for m in INLINE_LINK.finditer(shown))
        parts.append(shown)
        offset += len(shown)
    post.text = "".join(parts)
    post.segments = tuple(segments)
    post.link_spans = tuple(links)


def image_post(path: Path, account: str) -> Post:
    """A lone image checked as a post of its own."""
    ref = ImageRef(safeio.resolve(path), display_path(path))
    post = Post(path=path, display=ref.display, account=account, images=(ref,))
    _join(post, [(name_text(path), "image-name", ref.display, None, None)], -1)
    return post


CLEANED_MARK = ".cleaned"  # postcheck fix's copies are NAME.cleaned.EXT


def name_text(path: Path) -> str:
    """The words of an image's file name that are checked: its stem, less the mark postcheck fix added
    (a copy's name then says exactly what its original's said)."""
    stem = path.stem
    return stem[:-len(CLEANED_MARK)] if stem.endswith(CLEANED_MARK) and len(stem) > len(CLEANED_MARK) else stem


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
        Segment(s.start, s.end, name if s.field != "image-name" else s.path, s.line, s.column, s.field, s.view, s.box)
        for s in post.segments
    )
    post.problems = tuple(Problem(p.message, name, p.line, p.column) for p in post.problems)
    return post
