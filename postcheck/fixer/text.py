"""Edits to a draft's own bytes: each name finding's span mapped back to the file and rewritten there.

Everything else in the file, front matter and Markdown, line endings and encoding, stays as it was.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from postcheck.fixer import findings as F
from postcheck.model import Finding
from postcheck.posts import Post

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class TextEdit:
    """One change in the draft file (offsets into its decoded text, original line endings)."""

    start: int
    end: int
    before: str
    after: str
    line: int | None
    column: int | None
    rule: str
    kind: str  # "name" | "image-link"


@dataclass
class Draft:
    """A draft's decoded text and how to write it back exactly as it was encoded."""

    path: Path
    text: str
    codec: str
    bom: bytes
    line_starts: list[int] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> "Draft | None":
        raw = path.read_bytes()
        for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
            if raw.startswith(bom):
                break
        else:
            bom, codec = b"", "utf-8"
        for candidate in (codec, "cp1252") if not bom else (codec,):
            try:
                text = raw[len(bom):].decode(candidate)
            except UnicodeDecodeError:
                continue
            if bom + text.encode(candidate) == raw:
                draft = cls(path, text, candidate, bom)
                draft.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
                return draft
        return None

    def encode(self, text: str) -> bytes | None:
        try:
            return self.bom + text.encode(self.codec)
        except UnicodeEncodeError:
            return None

    def offset(self, line: int | None, column: int | None) -> int | None:
        if line is None or column is None or not 1 <= line <= len(self.line_starts):
            return None
        return self.line_starts[line - 1] + column - 1


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class EditPlanner:
    """Maps spans of ``post.text`` to the draft file, checking each against the file's own characters."""

    def __init__(self, post: Post, draft: Draft) -> None:
        self.post = post
        self.draft = draft
        self.taken: list[tuple[int, int]] = []

    def place(self, start: int, end: int) -> tuple[int, int] | None:
        """The file range holding post.text[start:end], or None when it cannot be found for certain."""
        wanted = self.post.text[start:end]
        _, line, column = self.post.locate(start)
        _, end_line, end_column = self.post.locate(end)
        a, b = self.draft.offset(line, column), self.draft.offset(end_line, end_column)
        if a is not None and b is not None and _normal(self.draft.text[a:b]) == wanted and self._free(a, b):
            return a, b
        # quoted or folded front matter, or a file normalised on loading: the first unused copy on those lines
        segment = self.post.segment_at(start)
        if segment is None or segment.line is None or line is None:
            return None
        first = self.draft.line_starts[max(0, (segment.line or line) - 1)]
        last_line = (end_line or line) + 1
        stop = self.draft.line_starts[last_line] if last_line < len(self.draft.line_starts) else len(self.draft.text)
        if segment.field.startswith("front-matter"):
            stop = max(stop, self._front_matter_end())
        at = self.draft.text.find(wanted, first, stop)
        while at >= 0:
            if self._free(at, at + len(wanted)):
                return at, at + len(wanted)
            at = self.draft.text.find(wanted, at + 1, stop)
        return None

    def _front_matter_end(self) -> int:
        text = self.draft.text
        if not text.startswith("---"):
            return 0
        match = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[3:], re.M)
        return 3 + match.end() if match else 0

    def _free(self, a: int, b: int) -> bool:
        return all(b <= s or e <= a for s, e in self.taken)

    def take(self, a: int, b: int) -> None:
        self.taken.append((a, b))

    def where(self, offset: int) -> tuple[int, int]:
        """(line, column) in the file of a file offset."""
        import bisect

        index = bisect.bisect_right(self.draft.line_starts, offset) - 1
        return index + 1, offset - self.draft.line_starts[index] + 1


def name_edits(post: Post, draft: Draft, name_findings: list[Finding],
               rewrite: Callable[[str, Finding], str | None]) -> tuple[list[TextEdit], list[Finding], set[str]]:
    """(edits, findings that could not be rewritten, display paths of images whose file names hold a name)."""
    planner = EditPlanner(post, draft)
    edits: list[TextEdit] = []
    unfixed: list[Finding] = []
    in_file_names: set[str] = set()
    # widest first: a full name beats the first name inside it; an objection makes it initials (see run.py)
    for finding in sorted(name_findings, key=lambda f: (F.span(f)[0], -(F.span(f)[1]))):  # type: ignore[index]
        start, end = F.span(finding)  # type: ignore[misc]
        segment = post.segment_at(start)
        if segment is not None and segment.field == "image-name":
            in_file_names.add(segment.path)
            continue
        place = planner.place(start, end)
        if place is None:
            if any(s <= start and end <= e for s, e in _spans(edits)):
                continue
            unfixed.append(finding)
            continue
        a, b = place
        if any(not (b <= e.start or e.end <= a) for e in edits):
            continue  # inside a wider edit already made
        written = draft.text[a:b]
        after = rewrite(_normal(written), finding)
        if after is None:
            unfixed.append(finding)
            continue
        planner.take(a, b)
        if after != _normal(written):
            line, column = planner.where(a)
            edits.append(TextEdit(a, b, written, after, line, column, finding.rule, "name"))
    return edits, unfixed, in_file_names


def _spans(edits: list[TextEdit]) -> list[tuple[int, int]]:
    return [(e.start, e.end) for e in edits]


def link_edits(post: Post, draft: Draft, new_dest: Callable[[Path], str | None]) -> list[TextEdit]:
    """Image references (Markdown links and front-matter ``images:``) pointed at the clean copies."""
    planner = EditPlanner(post, draft)
    edits: list[TextEdit] = []
    base = post.path.parent
    for start, end in post.link_spans:
        dest = post.text[start:end]
        target = (base / dest.strip("<>")).resolve() if dest.strip("<>") else None
        new = new_dest(target) if target is not None else None
        place = planner.place(start, end) if new is not None else None
        if place is None or new is None:
            continue
        planner.take(*place)
        after = f"<{new}>" if dest.startswith("<") else new
        line, column = planner.where(place[0])
        edits.append(TextEdit(place[0], place[1], draft.text[place[0]:place[1]], after, line, column, "", "image-link"))
    edits.extend(_front_matter_images(post, draft, planner, new_dest))
    return edits


def _front_matter_images(post: Post, draft: Draft, planner: EditPlanner, new_dest) -> list[TextEdit]:
    items = post.front_matter.get("images")
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list):
        return []
    stop = planner._front_matter_end()
    edits = []
    for item in items:
        dest = str(item.get("path") or item.get("src") or "") if isinstance(item, dict) else str(item)
        if not dest:
            continue
        new = new_dest((post.path.parent / dest).resolve())
        if new is None:
            continue
        for m in re.finditer(r"(?<![\w./\\-])" + re.escape(dest) + r"(?![\w./\\-])", draft.text[:stop]):
            if planner._free(m.start(), m.end()):
                planner.take(m.start(), m.end())
                line, column = planner.where(m.start())
                edits.append(TextEdit(m.start(), m.end(), dest, new, line, column, "", "image-link"))
                break
    return edits


def apply(text: str, edits: list[TextEdit]) -> str:
    out = text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[:edit.start] + edit.after + out[edit.end:]
    return out


def unified_diff(before: str, after: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=old_name, tofile=new_name))


def relative_dest(target: Path, draft_copy: Path) -> str:
    return os.path.relpath(target, draft_copy.parent).replace(os.sep, "/")
