"""The condition language compiled for many games at once (the lockstep batch engine).

:mod:`tripwire.scenario.expr` compiles a checked condition into a function of one game's
state list. This module compiles the *same* intermediate form into a function of a state
matrix ``s`` of shape ``(V, G)``, one column per game, whose operations are numpy's
element-wise ones: ``s[i]`` is variable ``i`` in every game, and a condition's value is a row
of ``G`` values.

The two backends must agree to the last bit, because a batch's results are defined as those
of the one-game model (tests/test_lockstep.py checks it game by game). So every operation
here is the element-wise twin of the scalar one, with the same IEEE arithmetic in the same
order: ``min``/``max`` keep Python's rule (the first of equal values, a later value only if
strictly smaller/larger), division by zero gives 0, a power is computed by Python's own
``**`` element by element (C ``pow`` and numpy's may differ in the last bit), and chained
comparisons become ``and``s. Safety is unchanged: the syntax tree is generated from the
checked intermediate form only, and the function's globals hold no builtins.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tripwire.scenario.expr import (
    IR,
    Binding,
    Expr,
    _call,
    _const,
    _Emitter,
    _function,
    _local,
    _safe_pow,
    rel_name,
)
from tripwire.scenario.ir import And, Cmp, Count, Not, Or, Rel, Var, walk


def _vmin(first: Any, *rest: Any) -> Any:
    # Python's min: a later value replaces the current one only if strictly smaller
    current = first
    for x in rest:
        current = np.where(x < current, x, current)
    return current


def _vmax(first: Any, *rest: Any) -> Any:
    current = first
    for x in rest:
        current = np.where(x > current, x, current)
    return current


def _vdiv(a: Any, b: Any) -> Any:
    nonzero = b != 0
    return np.where(nonzero, np.true_divide(a, np.where(nonzero, b, 1)), 0.0)


def _vpow(a: Any, n: float) -> Any:
    if np.ndim(a) == 0:
        return _safe_pow(a, n)
    return np.array([_safe_pow(x, n) for x in np.asarray(a).tolist()], dtype=np.float64)


def _vand(*args: Any) -> Any:
    return functools.reduce(np.logical_and, args)


def _vor(*args: Any) -> Any:
    return functools.reduce(np.logical_or, args)


def _finite_or_zero(r: Any) -> Any:
    # the scalar update's "r if r - r == 0 else 0.0": nan and inf rates are skipped
    return np.where(r - r == 0, r, 0.0)


def clip(v: Any, low: Any, high: Any) -> Any:
    """Clip to ``[low, high]`` the scalar rules' way (``lo if v < lo elif v > hi``): element
    by element, a nan stays nan. Bounds may be numbers or arrays of them."""
    return np.where(v < low, low, np.where(v > high, high, v))


def _rows(dtype: Any) -> Callable[[int, np.ndarray], np.ndarray]:
    def new(n: int, s: np.ndarray) -> np.ndarray:
        return np.empty((n, s.shape[1]), dtype=dtype)

    return new


_VECTOR_GLOBALS = {
    "__builtins__": {},
    "_min": _vmin,
    "_max": _vmax,
    "_abs": np.abs,
    "_div": _vdiv,
    "_pow": _vpow,
    "_and": _vand,
    "_or": _vor,
    "_not": np.logical_not,
    "_fin": _finite_or_zero,
    "_clip": clip,
    "_float": functools.partial(np.array, dtype=np.float64),
    "_bools": _rows(bool),
    "_floats": _rows(np.float64),
}


class _VectorEmitter(_Emitter):
    """Emits element-wise operations where the scalar emitter uses Python's own."""

    def emit(self, ir: IR) -> ast.expr:
        match ir:
            case Not(operand):
                return _call("_not", self.emit(operand))
            case And(args):
                return _call("_and", *(self.emit(a) for a in args))
            case Or(args):
                return _call("_or", *(self.emit(a) for a in args))
            case Cmp(ops, operands):
                emitted = [self.emit(a) for a in operands]
                parts = [
                    ast.Compare(left=left, ops=[_CMP_AST[op]()], comparators=[right])
                    for op, left, right in zip(ops, emitted, emitted[1:], strict=False)
                ]
                return parts[0] if len(parts) == 1 else _call("_and", *parts)
        return super().emit(ir)


_CMP_AST = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq}

VectorGroup = Callable[[np.ndarray, Callable[..., Any], Callable[..., Any], int], np.ndarray]


def compile_vector_group(items: Sequence[tuple[Expr, Binding]], kind: str) -> VectorGroup:
    """Several expressions of one kind as ``fn(s, c, f, t) -> (n, G)`` array.

    ``s`` is the ``(V, G)`` state, ``c(actor, key, last)`` and ``f(event, last)`` return a
    row of ``G`` counts, ``t`` is the turn. Row ``k`` of the result is expression ``k`` in
    every game (bools for kind ``"bool"``, floats for ``"num"``).
    """
    out = _local("o", store=True)
    body: list[ast.stmt] = [
        ast.Assign(
            targets=[out],
            value=_call("_bools" if kind == "bool" else "_floats", _const(len(items)), _local("s")),
        )
    ]
    for k, (expr, binding) in enumerate(items):
        row = ast.Subscript(value=_local("o"), slice=_const(k), ctx=ast.Store())
        body.append(ast.Assign(targets=[row], value=_VectorEmitter(binding).emit(expr.ir)))
    body.append(ast.Return(value=_local("o")))
    return _function("vector_rules", body, _VECTOR_GLOBALS)


def compile_vector_update(
    items: Sequence[tuple[int, Expr, Binding]], lo: Sequence[float], hi: Sequence[float]
) -> Callable[..., None]:
    """The dynamics step of :func:`tripwire.scenario.expr.compile_update`, for ``(V, G)``.

    Every rate is computed (and copied) before any variable changes, then each variable adds
    its finite rates in the same order as the scalar step and is clipped to its range.
    """
    body: list[ast.stmt] = []
    per_var: dict[int, list[str]] = {}
    for k, (i, expr, binding) in enumerate(items):
        name = f"r{k}"
        value = _call("_float", _VectorEmitter(binding).emit(expr.ir))
        body.append(ast.Assign(targets=[_local(name, True)], value=value))
        per_var.setdefault(i, []).append(name)
    for i, rates in per_var.items():
        total: ast.expr = ast.Subscript(value=_local("s"), slice=_const(i), ctx=ast.Load())
        for r in rates:
            total = ast.BinOp(left=total, op=ast.Add(), right=_call("_fin", _local(r)))
        clipped = _call("_clip", total, _const(float(lo[i])), _const(float(hi[i])))
        target = ast.Subscript(value=_local("s"), slice=_const(i), ctx=ast.Store())
        body.append(ast.Assign(targets=[target], value=clipped))
    if not body:
        body.append(ast.Pass())
    return _function("vector_update", body, _VECTOR_GLOBALS)


def reads(expr: Expr, binding: Binding) -> tuple[set[int], set[tuple[int, int]]]:
    """What an expression reads that a move can change: the state variables (positions in
    the state) and the action counters, as ``(actor, key)`` numbers of ``count()``."""
    emitter = _Emitter(binding)
    variables: set[int] = set()
    counters: set[tuple[int, int]] = set()
    for node in walk(expr.ir):
        match node:
            case Var(name):
                variables.add(binding.index[emitter.resolve(name)])
            case Rel(a, b):
                variables.add(binding.index[rel_name(emitter.actor(a), emitter.actor(b))])
            case Count(actor, key, _last):
                code = "any" if actor == "any" else emitter.actor(actor)
                counters.add((binding.actors[code], binding.keys[key]))
    return variables, counters
