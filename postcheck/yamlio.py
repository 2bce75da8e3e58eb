"""YAML loading that remembers where each key was, so errors can name file and line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from postcheck import safeio

# Bounds on what a YAML document may expand to: aliases make a few lines mean billions of values
# ("billion laughs"), and every consumer (front-matter checks, repr for the cache key) walks them.
MAX_NODES = 100_000  # values after aliases are expanded
MAX_DEPTH = 100  # nesting of lists and mappings
MAX_CHARS = 20_000_000  # characters of text after aliases are expanded (front matter: far less)


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
    """SafeLoader that records the line of every mapping key, and refuses documents too big to walk."""

    max_chars = MAX_CHARS

    def construct_document(self, node: yaml.Node) -> Any:
        _check_size(node, self.max_chars)
        return super().construct_document(node)


def _check_size(root: yaml.Node, max_chars: int) -> None:
    """Refuse a node graph that expands past MAX_NODES values, ``max_chars`` characters or MAX_DEPTH
    levels, or refers to itself.

    Iterative, and each node (an alias is the same node object) is sized once, so checking a
    billion-laughs document costs as much as reading it.
    """
    sizes: dict[int, tuple[int, int]] = {}  # node -> (values, characters) once expanded
    active: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = [sizes[id(c)] for c in _children(node)]
            chars = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            sizes[key] = total = (1 + sum(c[0] for c in children), chars + sum(c[1] for c in children))
            if total[0] > MAX_NODES or total[1] > max_chars:
                what = f"{MAX_NODES:,} values" if total[0] > MAX_NODES else f"{max_chars:,} characters"
                raise yaml.constructor.ConstructorError(
                    None, None, f"expands to more than {what} (aliases?)", node.start_mark)
            continue
        if key in sizes:
            continue
        if key in active:
            raise yaml.constructor.ConstructorError(None, None, "an alias refers to itself", node.start_mark)
        if depth > MAX_DEPTH:
            raise yaml.constructor.ConstructorError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                                    node.start_mark)
        active.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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


class LineList(list):
    """A list from YAML that knows the line of each item (``lines``) and of itself (``line``)."""

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.lines: list[int] = []
        self.line: int | None = None


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode, deep: bool = False) -> list:
    items = LineList(loader.construct_object(child, deep=deep) for child in node.value)
    items.lines = [child.start_mark.line + 1 for child in node.value]
    items.line = node.start_mark.line + 1
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse(text: str, path: str | Path, line_offset: int = 0, max_chars: int = MAX_CHARS) -> Any:
    """Parse YAML text; a syntax error (or a document too big once expanded) becomes a SourceError."""
    loader = _LineLoader(text)
    loader.max_chars = max_chars
    try:
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
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
    except RecursionError:
        raise SourceError(path, f"invalid YAML: nested more than {MAX_DEPTH} levels deep") from None
    if line_offset and data is not None:
        _shift_lines(data, line_offset)
    return data


def _shift_lines(data: Any, offset: int) -> None:
    """Add ``offset`` to every recorded line, once per mapping or list even when aliases share it."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, LineDict):
            item.lines = {k: v + offset for k, v in item.lines.items()}
            item.line = (item.line or 1) + offset
            stack.extend(item.values())
        elif isinstance(item, list):
            if isinstance(item, LineList):
                item.lines = [v + offset for v in item.lines]
                item.line = (item.line or 1) + offset
            stack.extend(item)


def load(path: str | Path) -> Any:
    """Read and parse a YAML file; unreadable or invalid files raise SourceError."""
    path = Path(path)
    try:
        text = safeio.read_bytes(path, safeio.CONFIG_BYTES).decode("utf-8-sig")
    except safeio.UnsafeFile as exc:
        raise SourceError(path, exc.reason if exc.reason in ("file not found", "is a folder, not a file")
                          else f"cannot read: {exc.reason}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text (byte {exc.start})") from None
    return parse(text, path)


def line_of(data: Any, key: Any) -> int | None:
    """The line of ``key`` in a mapping loaded by this module, if known."""
    if isinstance(data, LineDict):
        return data.lines.get(key, data.line)
    return None
