"""The text a draft's front matter holds: every string in it, lists and nested maps included, with
the line each one is on."""
from __future__ import annotations

from typing import Any, Iterator

from postcheck import yamlio

# Front-matter keys that are settings, not post text.
SETTING_KEYS = frozenset({"account", "platform", "images", "date", "tags_off"})
_MAX_DEPTH = 20


def text_fields(front: dict[str, Any], source: str) -> Iterator[tuple[str, str, int | None, int | None]]:
    """(text, field name, line, column) for each piece of text in the front matter.

    ``tags: [Amelia Hart, relay]`` gives "Amelia Hart" (front-matter:tags[0]) and "relay"; in a
    nested map both its keys and its values are text a reader may see.
    """
    lines = source.split("\n")
    for key, value in front.items():
        if key in SETTING_KEYS:
            continue
        yield from _walk(value, f"front-matter:{key}", yamlio.line_of(front, key), lines, 0)


def _walk(value: Any, name: str, line: int | None, lines: list[str], depth: int
          ) -> Iterator[tuple[str, str, int | None, int | None]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        if value.strip():
            yield value, name, line, column_of(lines, line, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            key_line = yamlio.line_of(value, key) or line
            if isinstance(key, str) and key.strip():
                yield key, f"{name}.key", key_line, column_of(lines, key_line, key)
            yield from _walk(item, f"{name}.{key}", key_line, lines, depth + 1)
    elif isinstance(value, list):
        item_lines = getattr(value, "lines", None) or []
        for index, item in enumerate(value):
            item_line = item_lines[index] if index < len(item_lines) else line
            yield from _walk(item, f"{name}[{index}]", item_line, lines, depth + 1)


def column_of(lines: list[str], line: int | None, value: str) -> int | None:
    """The 1-based column where ``value`` (its first line) starts on ``line`` of the draft."""
    if line is None or not 0 < line <= len(lines):
        return None
    index = lines[line - 1].find(value.split("\n")[0][:40])
    return index + 1 if index >= 0 else None
