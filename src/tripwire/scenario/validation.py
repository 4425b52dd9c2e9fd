"""Turning pydantic's validation errors into located, readable diagnostics.

Pydantic reports an error as a path (``('triggers', 0, 'when')``) and a terse message. This
module finds that path in the marked YAML data to get ``LINE:COL``, points at the offending
*key* for unknown or misspelt keys (with a "did you mean"), points inside an expression at the
exact column of the problem, and rewords the common messages for scenario authors.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from tripwire.errors import Diagnostic, Location, ScenarioError, did_you_mean
from tripwire.scenario.yamlsafe import (
    MarkedSeq,
    is_union_tag,
    key_location,
    locate,
    place_in_source,
    plain,
)

_TYPE_WORDS = {
    "int_type": "a whole number",
    "float_type": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "dict_type": "a mapping of keys to values",
    "list_type": "a list",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "int_from_float": "a whole number",
}
_CHANCES = {"chance", "success", "p"}  # keys whose numbers are probabilities
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO"}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text '{shown}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def format_path(loc: Sequence[str | int], data: Any = None) -> str:
    """``('triggers', 0, 'effects', 'PRK.icbm')`` -> ``triggers[0].effects[PRK.icbm]``.

    Given the document, a list entry is numbered by its place in the file it was written in
    (see :class:`~tripwire.scenario.yamlsafe.MarkedSeq`): after ``extends``, the merged list
    also holds the base's entries, which the person reading the message did not write.
    """
    out = ""
    node = data
    for part in loc:
        label: str | int = part
        if isinstance(part, int):
            in_range = isinstance(node, list) and 0 <= part < len(node)
            if in_range and isinstance(node, MarkedSeq) and part < len(node.item_indices):
                label = node.item_indices[part]
            node = node[part] if in_range else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(part, int) or "." in part or " " in part:
            out += f"[{label}]"
        else:
            out += f".{label}" if out else label
    return out


def _unwrap(tp: Any) -> Any:
    """Strip Annotated/Optional wrappers down to a model, list or dict type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else args[0]
        else:
            return tp


def _model_at(cls: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (to suggest its field names)."""
    tp: Any = cls
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            field = tp.model_fields.get(part)
            if field is None:
                return None
            tp = field.annotation
        elif origin is list and isinstance(part, int):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _real_path(data: Any, loc: Sequence[str | int]) -> tuple[list[str | int], bool]:
    """The prefix of ``loc`` that exists in the data, and whether it ends on a dict key."""
    node = data
    out: list[str | int] = []
    for k, part in enumerate(loc):
        if part == "[key]":
            return out, True
        if is_union_tag(node, loc, k):
            continue
        if (isinstance(node, dict) and isinstance(part, str) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            break
        out.append(part)
    return out, False


def diagnostics_from(
    err: ValidationError, data: Any, path: str, cls: type[BaseModel]
) -> list[Diagnostic]:
    """One located diagnostic per distinct problem in a pydantic ``ValidationError``."""
    fallback = Location(path)
    found: list[Diagnostic] = []
    wrong_type: dict[tuple[Location, str], tuple[int, list[Any]]] = {}
    said: set[tuple[Location, str]] = set()  # (place, path) of each message of the loop
    for e in err.errors(include_url=False):
        loc: tuple[str | int, ...] = tuple(e["loc"])
        kind = e["type"]
        ctx = e.get("ctx") or {}
        real, on_key = _real_path(data, loc)
        where = format_path(real, data) or "(top level)"
        if kind == "extra_forbidden":
            key = loc[-1]
            model = _model_at(cls, loc[:-1])
            hint = did_you_mean(str(key), model.model_fields) if model else ""
            location = key_location(data, loc, fallback=fallback)
            parent = format_path(loc[:-1], data)
            prefix = f"{parent}: " if parent else ""
            found.append(Diagnostic(location, f"{prefix}unknown key '{key}'{hint}"))
            continue
        if kind == "missing":
            location, _ = locate(data, loc[:-1], fallback=fallback)
            parent = format_path(loc[:-1], data)
            prefix = f"{parent}: " if parent else ""
            found.append(Diagnostic(location, f"{prefix}missing required key '{loc[-1]}'"))
            continue
        if on_key:
            location = key_location(data, real, fallback=fallback)
        else:
            location, style = locate(data, real, fallback=fallback)
            if kind == "expression":
                location = place_in_source(location, style, int(ctx.get("offset", 0)))
        if not on_key and kind in _TYPE_WORDS:
            wrong_type.setdefault((location, where), (len(found), []))[1].append(e)
            continue
        found.append(Diagnostic(location, f"{where}: {_message(e, on_key)}"))
        said.add((location, where))
    # a value a union refuses fails each of its branches: one message for it, the branch
    # its type matched if any (its constraint), else every type it could have had
    for (location, where), (place, errors) in reversed(wrong_type.items()):
        if (location, where) in said:
            continue
        words = list(dict.fromkeys(_TYPE_WORDS[e["type"]] for e in errors))
        if len(words) == 1:
            message = _message(errors[0], False)
        else:
            message = f"expected {' or '.join(words)}, got {_describe(errors[0].get('input'))}"
        found.insert(place, Diagnostic(location, f"{where}: {message}"))
    return found


def _message(e: Any, on_key: bool) -> str:
    kind = e["type"]
    value = e.get("input")
    ctx = e.get("ctx") or {}
    if kind in _TYPE_WORDS:
        msg = f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}"
        if kind == "bool_type" and isinstance(value, str) and value in _YAML11_BOOLS:
            msg += " (write true or false; 'yes'/'no'/'on'/'off' are text in Tripwire files)"
        if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
            msg += " (put it in quotes)"
        percent = isinstance(value, str) and value.strip().endswith("%")
        if kind == "float_type" and e["loc"] and e["loc"][-1] in _CHANCES:
            msg += (
                " (a chance from 0 to 1: write 15% as 0.15)"
                if percent
                else (" (a chance from 0 to 1, like 0.15)")
            )
        elif kind == "float_type" and percent:
            msg += " (write the number without %)"
        return msg
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        hint = did_you_mean(str(value), options)
        if on_key:
            return f"unknown name {value!r} (expected {expected}){hint}"
        return f"{value!r} is not one of {expected}{hint}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values())) if ctx else "?"
        word = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        return f"must be {word} {bound}, got {_describe(value)}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)} item(s)"
    if kind == "too_long":
        return f"too long (at most {ctx.get('max_length')} characters)"
    if kind == "string_pattern_mismatch":
        return f"{_describe(value)} does not have the expected form ({ctx.get('pattern')})"
    if kind == "finite_number":
        return "must be a finite number (not .inf or .nan)"
    return str(e["msg"])


def validate_model[M: BaseModel](cls: type[M], data: Any, names: Any, path: str) -> M:
    """Validate marked YAML data against a model, raising located diagnostics.

    Args:
        cls: the model class.
        data: marked data from :func:`tripwire.scenario.yamlsafe.parse_yaml`.
        names: the :class:`~tripwire.scenario.schema.Names` context.
        path: the file name for diagnostics.
    """
    try:
        return cls.model_validate(plain(data), context=names)
    except ValidationError as err:
        raise ScenarioError(diagnostics_from(err, data, path, cls)) from None
