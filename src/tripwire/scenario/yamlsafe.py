"""A strict, safe YAML reader that remembers where every key and value stood.

It owns the step from text to plain Python data for every file Tripwire reads (scenarios, the
catalog, session scripts). On top of PyYAML's safe composer it:

* resolves plain scalars by the YAML 1.2 core schema, so ``no``/``on``/``yes`` stay strings and
  ``010`` is ten, never octal eight (the YAML 1.1 surprises);
* rejects duplicate keys, explicit tags (``!!python/object`` and friends) and several documents
  in one file;
* bounds the file size, nesting depth and the number of nodes after alias expansion, so a
  "billion laughs" document or a recursive anchor cannot hang or exhaust the process;
* returns :class:`MarkedMap`/:class:`MarkedSeq` containers that record the location of every
  key and value, so that later validation errors can point at ``PATH:LINE:COL``.

Every problem becomes a located :class:`~tripwire.errors.Diagnostic`; all of them are raised
together as a :class:`~tripwire.errors.ScenarioError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tripwire.errors import Diagnostic, Location, ScenarioError
from tripwire.files import read_text

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_NODES = 100_000
MAX_INT = 2**64  # larger integers are surely typos (and overflow floats); seeds still fit

_PLAIN = "tag:tripwire,2026:plain"
_QUOTED = "tag:tripwire,2026:quoted"
_MAP = "tag:tripwire,2026:map"
_SEQ = "tag:tripwire,2026:seq"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


class MarkedMap(dict):
    """A ``dict`` that knows where it, each key and each value stood in the file."""

    __slots__ = ("key_locations", "location", "value_locations", "value_styles")

    def __init__(self, location: Location):
        super().__init__()
        self.location = location
        self.key_locations: dict[str, Location] = {}
        self.value_locations: dict[str, Location] = {}
        self.value_styles: dict[str, Style] = {}


class MarkedSeq(list):
    """A ``list`` that knows where it and each item stood in the file.

    ``item_indices`` holds each item's position in the list of the file it was written in:
    after ``extends`` merges two lists, the first entry of a file is still its entry 0.
    """

    __slots__ = ("item_indices", "item_locations", "item_styles", "location")

    def __init__(self, location: Location):
        super().__init__()
        self.location = location
        self.item_locations: list[Location] = []
        self.item_styles: list[Style] = []
        self.item_indices: list[int] = []


# libyaml's C parser when PyYAML has it (17x faster on the catalog), else the pure one; both
# hand every resolution to the method below, so behaviour is the same.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader with tag resolution left to us (see :func:`_scalar`)."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return _MAP if kind is yaml.MappingNode else _SEQ


def _loc(path: str, mark: Any) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def _yaml_error(path: str, err: yaml.YAMLError, text: str) -> Diagnostic:
    if isinstance(err, yaml.reader.ReaderError):
        before = text[: err.position]
        line = before.count("\n") + 1
        column = err.position - (before.rfind("\n") + 1) + 1
        what = f"#x{err.character:04x}" if isinstance(err.character, int) else repr(err.character)
        return Diagnostic(
            Location(path, line, column),
            f"not valid YAML: unacceptable character {what} ({err.reason})",
        )
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    context_mark = getattr(err, "context_mark", None)
    text = problem
    if context:
        text += f" ({context}"
        if context_mark is not None and context_mark is not mark:
            text += f" started at line {context_mark.line + 1}, column {context_mark.column + 1}"
        text += ")"
    if any(p in problem for p in _INDENTATION_PROBLEMS):
        text += "; check the indentation of this line and the one before it"
    location = _loc(path, mark) if mark is not None else Location(path)
    return Diagnostic(location, f"not valid YAML: {text}")


# the parser's words for what is, nearly always, a line indented too much or too little
_INDENTATION_PROBLEMS = (
    "did not find expected '-' indicator",
    "did not find expected key",
    "mapping values are not allowed here",
    "expected <block end>",
    "could not find expected ':'",
)


@dataclass(frozen=True, slots=True)
class SourceLines:
    """Where each source line of a multi-line scalar (``>-``, ``|``, a wrapped plain or
    quoted scalar) starts in its value: ``(offset in the value, line, column)``, 1-based."""

    starts: tuple[tuple[int, int, int], ...]


Style = str | SourceLines | None


def _style(node: yaml.Node, text: str) -> Style:
    """How a scalar was written, so that a position inside its value maps onto the file.

    ``""`` for a plain one-line scalar; for a quoted one-line scalar, its source text with the
    quotes (so that escapes can be counted, see :func:`column_in_source`); for a scalar over
    several lines, where each line starts (:class:`SourceLines`); ``None`` for collections.
    """
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.start_mark.line != node.end_mark.line:
        return _source_lines(node, text)
    if node.style in ("'", '"'):
        return text[node.start_mark.index : node.end_mark.index]
    return "" if node.style in (None, "") else None


def _source_lines(node: yaml.ScalarNode, text: str) -> SourceLines | None:
    """Find each source line's text in the folded value, in order (escapes are not counted:
    a line holding one is skipped and its neighbours still map)."""
    source = text[node.start_mark.index : node.end_mark.index].split("\n")
    first = 1 if node.style in (">", "|") else 0  # a block scalar's first line is its header
    starts: list[tuple[int, int, int]] = []
    cursor = 0
    for k, line in enumerate(source[first:], start=first):
        content = line.strip(" ")
        if node.style in ("'", '"'):  # leave out the quotes
            content = content[1:] if k == 0 else content
            content = content[:-1] if k == len(source) - 1 else content
        if not content:
            continue
        at = node.value.find(content, cursor)
        if at < 0:
            continue
        column = len(line) - len(line.lstrip(" ")) + (1 if k == 0 and node.style else 0)
        if k == 0:
            column += node.start_mark.column
        starts.append((at, node.start_mark.line + k + 1, column + 1))
        cursor = at + len(content)
    return SourceLines(tuple(starts)) if starts else None


_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}


def place_in_source(where: Location, style: Style, offset: int) -> Location:
    """The location of character ``offset`` of a scalar's value that starts at ``where``."""
    if isinstance(style, SourceLines):
        _, line, column = style.starts[0]
        base = 0
        for start, row, col in style.starts:
            if start > offset:
                break
            base, line, column = start, row, col
        return Location(where.path, line, column + max(0, offset - base))
    if style is None:
        return where
    return where.shifted(column_in_source(style, offset))


def column_in_source(style: str, offset: int) -> int:
    """How many source characters precede character ``offset`` of a one-line scalar's value.

    ``style`` is what :func:`_style` recorded: ``""`` (plain: the same), or the quoted source
    text, whose opening quote and escapes (``''`` in single quotes, ``\\x``-style in
    double quotes) are counted.
    """
    if not style:
        return offset
    i, count = 1, 0
    while count < offset and i < len(style) - 1:
        if style[0] == "'" and style.startswith("''", i):
            i += 2
        elif style[0] == '"' and style[i] == "\\":
            i += _ESCAPE_LENGTH.get(style[i + 1 : i + 2], 2)
        else:
            i += 1
        count += 1
    return i


def _scalar(node: yaml.ScalarNode) -> Any:
    """Resolve a scalar by the YAML 1.2 core schema (quoted and block scalars are strings)."""
    text = node.value
    if node.tag == _QUOTED:
        return text
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


class _Builder:
    """Turns a composed node graph into marked Python data, collecting every problem."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.problems: list[Diagnostic] = []
        self.nodes = 0
        self.budget_spent = False

    def error(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Diagnostic(_loc(self.path, node.start_mark), message))

    def build(self, node: yaml.Node, depth: int, active: frozenset[int]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if not self.budget_spent:
                self.budget_spent = True
                self.error(
                    node,
                    f"the document expands to more than {MAX_NODES} values "
                    "(aliases repeated too often: a YAML bomb?)",
                )
            return None
        if depth > MAX_DEPTH:
            self.error(node, f"nesting deeper than {MAX_DEPTH} levels")
            return None
        if node.tag not in (_PLAIN, _QUOTED, _MAP, _SEQ):
            self.error(node, f"YAML tags such as '{node.tag}' are not allowed")
            return None
        if id(node) in active:
            self.error(node, "an alias refers to a node that contains it (recursive anchor)")
            return None
        if isinstance(node, yaml.ScalarNode):
            try:
                value = _scalar(node)
            except ValueError:  # more digits than Python converts
                value = MAX_INT + 1
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
                self.error(node, f"number too large: {node.value[:24]}... (limit 2**64)")
                return None
            return value
        active = active | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            seq = MarkedSeq(_loc(self.path, node.start_mark))
            for item in node.value:
                seq.append(self.build(item, depth + 1, active))
                seq.item_locations.append(_loc(self.path, item.start_mark))
                seq.item_styles.append(_style(item, self.text))
                seq.item_indices.append(len(seq.item_indices))
            return seq
        return self._mapping(node, depth, active)

    def _mapping(self, node: yaml.MappingNode, depth: int, active: frozenset[int]) -> MarkedMap:
        mapping = MarkedMap(_loc(self.path, node.start_mark))
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "keys must be plain names, not lists or mappings")
                continue
            key = key_node.value
            if key == "<<" and key_node.tag == _PLAIN:
                self.error(key_node, "merge keys ('<<') are not supported; use 'extends:'")
                continue
            if key in mapping.key_locations:
                first = mapping.key_locations[key]
                self.error(key_node, f"duplicate key '{key}' (first given at line {first.line})")
                continue
            mapping.key_locations[key] = _loc(self.path, key_node.start_mark)
            mapping.value_locations[key] = _loc(self.path, value_node.start_mark)
            mapping.value_styles[key] = _style(value_node, self.text)
            mapping[key] = self.build(value_node, depth + 1, active)
        return mapping


def _check_shape(text: str, path: str) -> list[Diagnostic]:
    """Bound nesting depth and document count with PyYAML's (non-recursive) event parser."""
    depth = 0
    documents = 0
    for event in yaml.parse(text, Loader=_StrictLoader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                return [Diagnostic(_loc(path, event.start_mark), "one YAML document per file")]
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return [
                    Diagnostic(
                        _loc(path, event.start_mark), f"nesting deeper than {MAX_DEPTH} levels"
                    )
                ]
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return []


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document into marked data.

    Args:
        text: the document.
        path: the name to put in diagnostics (usually the file's path as given).

    Returns:
        Marked Python data (``MarkedMap``/``MarkedSeq``/scalars), or ``None`` for an empty file.

    Raises:
        ScenarioError: with one located diagnostic per problem.
    """
    if len(text) > MAX_BYTES:
        raise ScenarioError(
            [Diagnostic(Location(path), f"file too large (more than {MAX_BYTES} bytes)")]
        )
    try:
        problems = _check_shape(text, path)
        if problems:
            raise ScenarioError(problems)
        node = yaml.compose(text, Loader=_StrictLoader)
    except yaml.YAMLError as err:
        raise ScenarioError([_yaml_error(path, err, text)]) from None
    if node is None:
        return None
    builder = _Builder(path, text)
    data = builder.build(node, 0, frozenset())
    if builder.problems:
        raise ScenarioError(builder.problems)
    return data


def read_yaml(path: Path, display: str | None = None) -> Any:
    """Read and parse a YAML file; unreadable files become located errors too."""
    name = display or str(path)
    return parse_yaml(read_text(path, name, max_bytes=MAX_BYTES, error=ScenarioError), name)


def is_union_tag(node: Any, loc: Sequence[str | int], k: int) -> bool:
    """Whether ``loc[k]`` is a tag pydantic put in an error's path (a union member's name)
    rather than a key of the document: it is not in the mapping, but the next part is."""
    part = loc[k]
    return (
        isinstance(node, dict)
        and isinstance(part, str)
        and part not in node
        and k + 1 < len(loc)
        and loc[k + 1] in node
    )


def locate(root: Any, loc: Sequence[str | int], *, fallback: Location) -> tuple[Location, Style]:
    """Find where the value at ``loc`` (a pydantic error path) stands in marked data.

    Path elements that do not name a key or index (pydantic's union-member tags, a missing
    field) stop the walk; the deepest location found is returned, with the scalar's style
    (see :func:`_style`) when the walk ended on a scalar. ``'[key]'`` selects the location of
    the preceding mapping key rather than its value.
    """
    node: Any = root
    best = getattr(root, "location", fallback)
    style: str | None = None
    previous_key: tuple[MarkedMap, str] | None = None
    for k, part in enumerate(loc):
        if part == "[key]" and previous_key is not None:
            mapping, key = previous_key
            return mapping.key_locations.get(key, best), None
        if is_union_tag(node, loc, k):
            continue
        if isinstance(node, MarkedMap) and isinstance(part, str) and part in node:
            best, style = node.value_locations[part], node.value_styles[part]
            previous_key = (node, part)
            node = node[part]
        elif isinstance(node, MarkedSeq) and isinstance(part, int) and 0 <= part < len(node):
            best, style = node.item_locations[part], node.item_styles[part]
            previous_key = None
            node = node[part]
        else:
            break
    return best, style


def key_location(root: Any, loc: Sequence[str | int], *, fallback: Location) -> Location:
    """The location of the *key* at the end of ``loc`` (for unknown-key errors)."""
    if not loc:
        return getattr(root, "location", fallback)
    parent_loc, last = loc[:-1], loc[-1]
    node: Any = root
    for part in parent_loc:
        if (isinstance(node, MarkedMap) and isinstance(part, str) and part in node) or (
            isinstance(node, MarkedSeq) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return locate(root, loc, fallback=fallback)[0]
    if isinstance(node, MarkedMap) and isinstance(last, str) and last in node.key_locations:
        return node.key_locations[last]
    return locate(root, loc, fallback=fallback)[0]


def plain(data: Any) -> Any:
    """Strip marks: plain ``dict``/``list`` copies for validation and hashing."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data
