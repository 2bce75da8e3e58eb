"""Every image a renderer would show in a draft: Markdown images (inline, reference-style, inside a
link) and HTML ``<img>`` tags, each with where the draft names it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

# Inline Markdown links and images: ![alt](dest "title") / [text](dest). A plain pattern, so that
# images in places CommonMark would not render (an indented line) are checked all the same.
INLINE_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<label>(?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]"
    r"\(\s*(?P<dest><[^>\n]*>|[^\s)]+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_IMG = re.compile(r"<img\b[^<>]*>", re.I)
_ATTR = re.compile(r"""\b(?P<name>src|srcset|alt)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""", re.I)


@dataclass(frozen=True, slots=True)
class DraftImage:
    """An image the draft shows: its destination as written, alt text, and its place (1-based line
    within the body, column)."""

    dest: str
    alt: str | None
    line: int
    column: int


def find_images(body: str) -> list[DraftImage]:
    """Images in a Markdown body, in the order they appear, each destination once."""
    found: dict[str, DraftImage] = {}
    for image in (*_plain_images(body), *_rendered_images(body)):
        found.setdefault(image.dest, image)
    return sorted(found.values(), key=lambda i: (i.line, i.column))


def _place(body: str, offset: int) -> tuple[int, int]:
    return body.count("\n", 0, offset) + 1, offset - body.rfind("\n", 0, offset)


def _plain_images(body: str) -> Iterator[DraftImage]:
    if "![" not in body:
        return
    for m in INLINE_LINK.finditer(body):
        # a linked image [![team](team.jpg)](https://...): the image sits inside the link's label
        for inner in INLINE_LINK.finditer(m.group("label")) if "![" in m.group("label") else ():
            if inner.group("bang"):
                yield DraftImage(inner.group("dest").strip("<>"), inner.group("label"),
                                 *_place(body, m.start("label") + inner.start()))
        if m.group("bang"):
            yield DraftImage(m.group("dest").strip("<>"), m.group("label"), *_place(body, m.start()))


@lru_cache(maxsize=None)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.normalizeLink = lambda url: url  # keep the destination as written so it can be located
    md.validateLink = lambda url: True
    return md


def _rendered_images(body: str) -> Iterator[DraftImage]:
    """What CommonMark renders as an image, and <img> tags in the draft's HTML."""
    lowered = body.lower()
    if "![" not in body and "<img" not in lowered:
        return
    lines = body.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for token in _markdown().parse(body):
        block_start = starts[token.map[0]] if token.map else 0
        if token.type == "html_block":
            yield from _img_tags(body, token.content, block_start)
        for child in _walk(token.children or []):
            if child.type == "image":
                src = str(child.attrs.get("src") or "")
                yield _located(body, src, child.content or None, block_start)
            elif child.type == "html_inline":
                yield from _img_tags(body, child.content, block_start)


def _walk(children: list[Any]) -> Iterator[Any]:
    for child in children:
        yield child
        if child.children:
            yield from _walk(child.children)


def _img_tags(body: str, html: str, block_start: int) -> Iterator[DraftImage]:
    for tag in _IMG.finditer(_COMMENT.sub(lambda m: " " * len(m.group(0)), html)):
        attrs: dict[str, str] = {}
        for a in _ATTR.finditer(tag.group(0)):
            attrs.setdefault(a.group("name").lower(), a.group("dq") or a.group("sq") or a.group("bare") or "")
        alt = attrs.get("alt") or None
        dests = [attrs["src"]] if attrs.get("src") is not None else []
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.split():
                dests.append(candidate.split()[0])
        for dest in dests:
            yield _located(body, dest, alt, block_start)


def _located(body: str, dest: str, alt: str | None, block_start: int) -> DraftImage:
    at = body.find(dest, block_start) if dest else -1
    if at < 0 and dest:
        at = body.find(dest)  # a reference definition above its use
    return DraftImage(dest, alt, *_place(body, at if at >= 0 else block_start))
