"""YAML loading that remembers where each key was, so errors can name file and line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class SourceError(Exception):
    """A problem with an input file, reported as one line: ``file:line: message``."""

    def __init__(self, path: str | Path, message: str, line: int | None = None, key: str | None = None):
        self.path = str(path)
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __reduce__(self):  # rebuilt from its parts when a worker process hands it back
        return type(self), (self.path, self.message, self.line, self.key)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        key = f" [{self.key}]" if self.key else ""
        return f"{where}:{key} {self.message}"


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: rule packs load 10x faster
    """SafeLoader that records the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "unhashable key", key_node.start_mark
            ) from None
        mapping[key] = loader.construct_object(value_node, deep=deep)
        mapping.lines[key] = key_node.start_mark.line + 1
    mapping.line = node.start_mark.line + 1
    return mapping


class LineDict(dict):
    """A dict from YAML that knows the line of each key (``lines``) and of itself (``line``)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}
        self.line: int | None = None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse(text: str, path: str | Path, line_offset: int = 0) -> Any:
    """Parse YAML text; a syntax error becomes a SourceError naming file and line."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # A missing ':' or closing quote or bracket is only noticed on a later line; the line the
        # key, quote or bracket started on is where the mistake is.
        context = exc.context or ""
        if exc.context_mark is not None and (context.startswith("while scanning") or "flow" in context):
            mark = exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError(path, f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise SourceError(path, f"invalid YAML: {exc}") from None
    if line_offset and data is not None:
        _shift_lines(data, line_offset)
    return data


def _shift_lines(data: Any, offset: int) -> None:
    if isinstance(data, LineDict):
        data.lines = {k: v + offset for k, v in data.lines.items()}
        data.line = (data.line or 1) + offset
        for value in data.values():
            _shift_lines(value, offset)
    elif isinstance(data, list):
        for value in data:
            _shift_lines(value, offset)


def load(path: str | Path) -> Any:
    """Read and parse a YAML file; unreadable or invalid files raise SourceError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceError(path, "file not found") from None
    except IsADirectoryError:
        raise SourceError(path, "is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror}") from None
    return parse(text, path)


def line_of(data: Any, key: Any) -> int | None:
    """The line of ``key`` in a mapping loaded by this module, if known."""
    if isinstance(data, LineDict):
        return data.lines.get(key, data.line)
    return None
