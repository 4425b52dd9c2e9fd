"""The condition language: a small, safe expression language for rules.

Preconditions, triggers, outcomes, success chances, objective gains and the dynamics equations
are written in it, for example::

    count('PRK', tag='missile_test', last=3) >= 2 and world.tension >= 60

What it has: numbers, ``true``/``false``, state variables (``world.tension``, ``PRK.icbm``,
``rel.PRK_RUS``), ``+ - * /``, ``**`` with a small whole exponent, comparisons, ``and or not``
and the functions ``count``, ``fired``, ``turn``, ``start``, ``rel``, ``min``, ``max``,
``abs``.

How it stays safe: the text is parsed once with :func:`ast.parse` and every node is checked
against a whitelist; anything else (attribute walking, subscripts, lambdas, calls outside the
whitelist, names starting with ``_``, strings outside function arguments) is a located error.
Text length, bracket depth, tree depth, node count and constants are bounded, so no condition
can hang the engine. Names are resolved when the scenario loads, so a misspelt variable is a
validation error, not a run-time surprise. The checked tree becomes a tiny intermediate form
(:class:`Expr`), and :func:`compile_group` builds a *new* Python syntax tree from that form
only, compiles it and wraps it as a function whose globals hold no builtins: user text never
reaches the compiler, and the generated code can only read the state list it is given.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tripwire.errors import did_you_mean
from tripwire.scenario.ir import (
    And,
    Bin,
    Bool,
    Call,
    Cmp,
    Count,
    Fired,
    Neg,
    Node,
    Not,
    Num,
    Or,
    Rel,
    Start,
    Turn,
    Var,
    walk,
)

MAX_SOURCE = 2000
MAX_BRACKETS = 24
MAX_DEPTH = 100
MAX_NODES = 400
MAX_CONSTANT = 1e9
MAX_LISTED = 60  # an unknown name's message lists the known ones up to this many
MAX_LAST = 240
MAX_POWER = 4

FUNCTIONS = ("count", "fired", "turn", "start", "rel", "min", "max", "abs")
_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_OP_NAMES = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Invert: "~",
}
_NODE_NAMES = {
    ast.Subscript: "subscripts ('x[...]')",
    ast.Lambda: "lambdas",
    ast.IfExp: "conditional expressions ('x if y else z')",
    ast.NamedExpr: "assignments (':=')",
    ast.JoinedStr: "f-strings",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Starred: "'*' unpacking",
    ast.Await: "'await' expressions",
    ast.Yield: "'yield' expressions",
    ast.YieldFrom: "'yield' expressions",
    ast.Slice: "slices",
}
_ACTOR_WORDS = ("self", "target")
# The text is parsed as "(\n" + text + "\n)": brackets let a condition span lines (YAML
# block scalars) and make Python point at the end of an incomplete expression. Its first
# line is therefore line 2 of what Python parses.
_FIRST_LINE = 2


class ExprError(ValueError):
    """A problem in a condition, ``offset`` characters into its text."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class ExprContext:
    """What an expression may refer to.

    Attributes:
        variables: every state variable name.
        actors: actor codes, for ``count``/``rel``.
        tags: action tags, for ``count(..., tag=...)``.
        actions: action ids, for ``count(..., action=...)``.
        events: trigger and inject ids, for ``fired(...)``.
        self_vars: attribute names valid after ``self.`` (None: ``self`` not allowed here).
        target_vars: attribute names valid after ``target.`` (None: not allowed here).
    """

    variables: Collection[str]
    actors: Sequence[str]
    tags: Collection[str] = ()
    actions: Collection[str] = ()
    events: Collection[str] = ()
    self_vars: Collection[str] | None = None
    target_vars: Collection[str] | None = None


# The intermediate form: typed nodes (tripwire.scenario.ir).
IR = Node


@dataclass(frozen=True, slots=True)
class Expr:
    """A checked expression: its text, type (``"bool"`` or ``"num"``) and intermediate form."""

    source: str
    kind: str
    ir: IR = field(repr=False)
    names: frozenset[str] = frozenset()


def _char_column(line: str, utf8_column: int) -> int:
    """Python reports node columns in UTF-8 bytes; diagnostics count characters."""
    return len(line.encode("utf-8")[:utf8_column].decode("utf-8", errors="ignore"))


def _offset(source: str, node: ast.AST) -> int:
    """Character offset of a node in the source (parsed wrapped in brackets, see parse_expr)."""
    lines = source.split("\n")
    line = getattr(node, "lineno", _FIRST_LINE) - _FIRST_LINE
    if not 0 <= line < len(lines):
        return 0
    col = _char_column(lines[line], getattr(node, "col_offset", 0))
    return sum(len(x) + 1 for x in lines[:line]) + col


_CLOSING = {")": "(", "]": "[", "}": "{"}


def _check_brackets(source: str) -> None:
    """Bracket balance and depth, checked before parsing (quoted text is skipped).

    Python's own messages would point at the wrapping brackets parse_expr adds; these point
    at the bracket in the author's text.
    """
    stack: list[tuple[str, int]] = []
    quote: str | None = None
    for i, ch in enumerate(source):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            stack.append((ch, i))
            if len(stack) > MAX_BRACKETS:
                raise ExprError(f"brackets nested too deeply (more than {MAX_BRACKETS})", i)
        elif ch in _CLOSING:
            if not stack or stack[-1][0] != _CLOSING[ch]:
                raise ExprError(f"'{ch}' does not close any bracket", i)
            stack.pop()
    if stack:
        ch, i = stack[-1]
        raise ExprError(f"'{ch}' is never closed", i)


def rel_name(a: str, b: str) -> str:
    """The variable holding relations between two actors (the pair in alphabetical order)."""
    first, second = sorted((a, b))
    return f"rel.{first}_{second}"


class _Checker:
    def __init__(self, source: str, ctx: ExprContext):
        self.source = source
        self.ctx = ctx
        self.nodes = 0
        self.names: set[str] = set()

    def fail(self, node: ast.AST, message: str) -> ExprError:
        return ExprError(message, _offset(self.source, node))

    def check(self, node: ast.AST, depth: int = 0) -> tuple[str, IR]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, f"expression too long (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"expression nested too deeply (more than {MAX_DEPTH} levels)")
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            what = _NODE_NAMES.get(type(node), f"'{type(node).__name__}' expressions")
            raise self.fail(node, f"{what} are not allowed in conditions")
        return method(node, depth + 1)

    def expect(self, node: ast.AST, depth: int, kind: str, role: str) -> IR:
        got, ir = self.check(node, depth)
        if got != kind:
            wanted = "a number" if kind == "num" else "true or false"
            actual = "a number" if got == "num" else "true or false"
            raise self.fail(node, f"{role} must be {wanted}, not {actual}")
        return ir

    # --- leaves -------------------------------------------------------------------------
    def _Constant(self, node: ast.Constant, depth: int) -> tuple[str, IR]:
        value = node.value
        if isinstance(value, bool):
            return "bool", Bool(value)
        if isinstance(value, int | float):
            if not abs(value) <= MAX_CONSTANT:
                raise self.fail(node, f"number too large (limit {MAX_CONSTANT:g})")
            return "num", Num(float(value))
        if isinstance(value, str):
            raise self.fail(
                node, "text is only allowed as an argument of count(), fired() or rel()"
            )
        raise self.fail(node, f"constant {value!r} is not allowed")

    def _Name(self, node: ast.Name, depth: int) -> tuple[str, IR]:
        if node.id in ("true", "false"):
            return "bool", Bool(node.id == "true")
        if node.id.startswith("_"):
            raise self.fail(node, f"names starting with '_' are not allowed: '{node.id}'")
        if node.id in FUNCTIONS:
            raise self.fail(node, f"'{node.id}' is a function: write {node.id}(...)")
        suffix_matches = [v for v in self.ctx.variables if v.split(".", 1)[-1] == node.id]
        hint = (
            f" (did you mean '{suffix_matches[0]}'?)"
            if suffix_matches
            else did_you_mean(node.id, self.ctx.variables)
        )
        raise self.fail(node, f"unknown name '{node.id}'; variables look like 'PRK.icbm'{hint}")

    def _Attribute(self, node: ast.Attribute, depth: int) -> tuple[str, IR]:
        base = node.value
        if not isinstance(base, ast.Name):
            raise self.fail(node, "only variable names like 'PRK.icbm' may contain '.'")
        if base.id.startswith("_") or node.attr.startswith("_"):
            raise self.fail(node, "names starting with '_' are not allowed")
        name = f"{base.id}.{node.attr}"
        if base.id in _ACTOR_WORDS:
            allowed = self.ctx.self_vars if base.id == "self" else self.ctx.target_vars
            if allowed is None:
                raise self.fail(node, f"'{base.id}.' can only be used in an action's rules")
            if node.attr not in allowed:
                raise self.fail(
                    node,
                    f"'{name}' is not a variable of every actor it may mean"
                    + did_you_mean(node.attr, allowed),
                )
        elif name not in self.ctx.variables:
            raise self.fail(
                node, f"unknown variable '{name}'" + did_you_mean(name, self.ctx.variables)
            )
        self.names.add(name)
        return "num", Var(name)

    # --- operators ----------------------------------------------------------------------
    def _BinOp(self, node: ast.BinOp, depth: int) -> tuple[str, IR]:
        op = _BIN.get(type(node.op))
        if op is None:
            sym = _OP_NAMES.get(type(node.op), type(node.op).__name__)
            raise self.fail(node, f"operator '{sym}' is not supported")
        left = self.expect(node.left, depth, "num", f"the left side of '{op}'")
        if op == "**":
            exp = node.right
            if not (
                isinstance(exp, ast.Constant)
                and isinstance(exp.value, int)
                and not isinstance(exp.value, bool)
                and 0 <= exp.value <= MAX_POWER
            ):
                raise self.fail(
                    node, f"powers must be a whole number from 0 to {MAX_POWER}, like x ** 2"
                )
            return "num", Bin("**", left, Num(float(exp.value)))
        right = self.expect(node.right, depth, "num", f"the right side of '{op}'")
        return "num", Bin(op, left, right)

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> tuple[str, IR]:
        if isinstance(node.op, ast.Not):
            return "bool", Not(self.expect(node.operand, depth, "bool", "'not'"))
        if isinstance(node.op, ast.USub):
            return "num", Neg(self.expect(node.operand, depth, "num", "'-'"))
        if isinstance(node.op, ast.UAdd):
            return "num", self.expect(node.operand, depth, "num", "'+'")
        raise self.fail(node, f"operator '{_OP_NAMES.get(type(node.op), '?')}' is not supported")

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> tuple[str, IR]:
        word = "and" if isinstance(node.op, ast.And) else "or"
        args = tuple(self.expect(v, depth, "bool", f"each side of '{word}'") for v in node.values)
        return "bool", And(args) if word == "and" else Or(args)

    def _Compare(self, node: ast.Compare, depth: int) -> tuple[str, IR]:
        ops = []
        for op in node.ops:
            sym = _CMP.get(type(op))
            if sym is None:
                raise self.fail(node, f"comparison '{_OP_NAMES.get(type(op), '?')}' is not allowed")
            ops.append(sym)
        operands = tuple(
            self.expect(v, depth, "num", "a comparison's operand")
            for v in [node.left, *node.comparators]
        )
        return "bool", Cmp(tuple(ops), operands)

    # --- functions ----------------------------------------------------------------------
    def _Call(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, f"only the functions {', '.join(FUNCTIONS)} may be called")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.fail(
                node,
                f"unknown function '{name}' (allowed: {', '.join(FUNCTIONS)})"
                + did_you_mean(name, FUNCTIONS),
            )
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            raise self.fail(node, "'*' and '**' arguments are not allowed")
        return getattr(self, f"_call_{name}")(node, depth)

    def _text_arg(self, node: ast.AST, what: str, allowed: Collection[str]) -> str:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            raise self.fail(node, f"{what} must be quoted text, like 'PRK'")
        if node.value not in allowed:
            hint = did_you_mean(node.value, allowed)
            if not hint and len(allowed) <= MAX_LISTED:
                plural = "triggers and injects" if what == "trigger or inject" else f"{what}s"
                hint = f" ({plural}: {', '.join(sorted(allowed))})"
            raise self.fail(node, f"unknown {what} '{node.value}'{hint}")
        return node.value

    def _last_arg(self, node: ast.AST) -> int:
        if not (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int)
            and not isinstance(node.value, bool)
            and 1 <= node.value <= MAX_LAST
        ):
            raise self.fail(node, f"last= must be a whole number of turns from 1 to {MAX_LAST}")
        return node.value

    def _actor_words(self) -> list[str]:
        words = list(self.ctx.actors)
        if self.ctx.self_vars is not None:
            words.append("self")
        if self.ctx.target_vars is not None:
            words.append("target")
        return words

    def _keywords(self, node: ast.Call, allowed: Sequence[str]) -> dict[str, ast.AST]:
        found: dict[str, ast.AST] = {}
        for kw in node.keywords:
            if kw.arg not in allowed:
                raise self.fail(
                    kw,
                    f"{node.func.id}() has no argument '{kw.arg}' (it takes {', '.join(allowed)})",
                )
            found[kw.arg] = kw.value
        return found

    def _call_count(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        kws = self._keywords(node, ("tag", "action", "last"))
        if not 1 <= len(node.args) <= 2:
            raise self.fail(node, "count() takes an actor, like count('PRK', tag='missile_test')")
        actor = self._text_arg(node.args[0], "actor", [*self._actor_words(), "any"])
        if len(node.args) == 2:
            if "tag" in kws:
                raise self.fail(node, "count() got the tag twice")
            kws["tag"] = node.args[1]
        if "tag" in kws and "action" in kws:
            raise self.fail(node, "count() takes a tag or an action, not both")
        key = "*"
        if "tag" in kws:
            key = "tag:" + self._text_arg(kws["tag"], "tag", self.ctx.tags)
        elif "action" in kws:
            key = "action:" + self._text_arg(kws["action"], "action", self.ctx.actions)
        last = self._last_arg(kws["last"]) if "last" in kws else 1
        return "num", Count(actor, key, last)

    def _call_fired(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        kws = self._keywords(node, ("last",))
        if len(node.args) != 1:
            raise self.fail(node, "fired() takes a trigger or inject id, like fired('my_trigger')")
        event = self._text_arg(node.args[0], "trigger or inject", self.ctx.events)
        last = self._last_arg(kws["last"]) if "last" in kws else 1
        return "num", Fired(event, last)

    def _call_turn(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        if node.args or node.keywords:
            raise self.fail(node, "turn() takes no arguments")
        return "num", Turn()

    def _call_start(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        if len(node.args) != 1 or node.keywords:
            raise self.fail(node, "start() takes one variable, like start(world.tension)")
        _, ir = self.check(node.args[0], depth)
        if not isinstance(ir, Var):
            raise self.fail(node, "start() takes one variable, like start(world.tension)")
        return "num", Start(ir.name)

    def _call_rel(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        if len(node.args) != 2 or node.keywords:
            raise self.fail(node, "rel() takes two actors, like rel('CHN', 'PRK')")
        words = self._actor_words()
        a = self._text_arg(node.args[0], "actor", words)
        b = self._text_arg(node.args[1], "actor", words)
        if a == b:
            raise self.fail(node, "rel() needs two different actors")
        if a in _ACTOR_WORDS or b in _ACTOR_WORDS:
            return "num", Rel(a, b)
        name = rel_name(a, b)
        self.names.add(name)
        return "num", Var(name)

    def _call_min(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        return self._numeric_call(node, depth, "min", at_least=2)

    def _call_max(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        return self._numeric_call(node, depth, "max", at_least=2)

    def _call_abs(self, node: ast.Call, depth: int) -> tuple[str, IR]:
        return self._numeric_call(node, depth, "abs", at_least=1, at_most=1)

    def _numeric_call(
        self, node: ast.Call, depth: int, name: str, at_least: int, at_most: int = 16
    ) -> tuple[str, IR]:
        if node.keywords or not at_least <= len(node.args) <= at_most:
            want = "one number" if at_most == 1 else f"{at_least} to {at_most} numbers"
            raise self.fail(node, f"{name}() takes {want}")
        args = tuple(self.expect(a, depth, "num", f"an argument of {name}()") for a in node.args)
        return "num", Call(name, args)


def _syntax_message(err: SyntaxError) -> str:
    msg = err.msg or "invalid syntax"
    if msg.startswith("invalid syntax"):
        return "invalid syntax"
    if "null bytes" in msg:
        return "the text contains a NUL character"
    return f"invalid syntax: {msg}"


def _syntax_offset(text: str, err: SyntaxError) -> int:
    """Where in the text a syntax error is; past the end for an incomplete expression."""
    lines = text.split("\n")
    line = (err.lineno or _FIRST_LINE) - _FIRST_LINE
    if line >= len(lines):
        return len(text)
    if line < 0:
        return 0
    col = max(0, (err.offset or 1) - 1)
    return sum(len(x) + 1 for x in lines[:line]) + min(col, len(lines[line]))


def parse_expr(source: str, ctx: ExprContext, kind: str = "bool") -> Expr:
    """Check an expression and resolve its names.

    Args:
        source: the expression text.
        ctx: what it may refer to.
        kind: ``"bool"`` for conditions, ``"num"`` for quantities.

    Raises:
        ExprError: the first problem found, with its character offset.
    """
    if not isinstance(source, str):
        raise ExprError("must be an expression in quotes")
    if len(source) > MAX_SOURCE:
        raise ExprError(f"expression too long (more than {MAX_SOURCE} characters)")
    if not source.strip():
        raise ExprError("empty expression")
    _check_brackets(source)
    text = source.strip()
    lead = len(source) - len(source.lstrip())
    try:
        tree = ast.parse(f"(\n{text}\n)", mode="eval")
    except SyntaxError as err:
        raise ExprError(_syntax_message(err), lead + _syntax_offset(text, err)) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExprError("expression could not be parsed") from None
    checker = _Checker(text, ctx)
    try:
        got, ir = checker.check(tree.body)
    except ExprError as err:
        err.offset += lead
        raise
    except RecursionError:
        raise ExprError("expression nested too deeply") from None
    if got != kind:
        if kind == "bool":
            raise ExprError(
                "a condition must be true or false, not a number (add a comparison, like "
                f"'{text} > 0')",
                lead,
            )
        raise ExprError("must be a number, not true or false", lead)
    return Expr(source=source, kind=kind, ir=ir, names=frozenset(checker.names))


# --- compiling ------------------------------------------------------------------------------


def _safe_div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _safe_pow(a: float, n: float) -> float:
    try:
        return a**n
    except OverflowError:
        return float("inf") if a > 0 or n % 2 == 0 else float("-inf")


_GLOBALS: Mapping[str, Any] = {
    "__builtins__": {},
    "_min": min,
    "_max": max,
    "_abs": abs,
    "_div": _safe_div,
    "_pow": _safe_pow,
}
_AST_CMP = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq}
_AST_BIN = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}


@dataclass(frozen=True, slots=True)
class Binding:
    """How names in the intermediate form map onto the running model.

    Attributes:
        index: variable name -> position in the state list.
        actors: actor code (and ``'any'``) -> actor number for ``count``.
        keys: count key (``'*'``, ``'tag:x'``, ``'action:y'``) -> key number.
        events: trigger/inject id -> event number for ``fired``.
        self_code: the actor ``self`` means (action rules only).
        target_code: the actor ``target`` means (action rules only).
        initial: variable name -> value at the start of the game (for ``start()``).
    """

    index: Mapping[str, int]
    actors: Mapping[str, int]
    keys: Mapping[str, int] = field(default_factory=dict)
    events: Mapping[str, int] = field(default_factory=dict)
    self_code: str | None = None
    target_code: str | None = None
    initial: Mapping[str, float] = field(default_factory=dict)


def _name(n: str) -> ast.Name:
    return ast.Name(id=n, ctx=ast.Load())


def _call(fn: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=_name(fn), args=list(args), keywords=[])


def _const(v: Any) -> ast.Constant:
    return ast.Constant(value=v)


class _Emitter:
    """Builds a fresh Python syntax tree from the intermediate form (never from user text)."""

    def __init__(self, binding: Binding):
        self.b = binding

    def actor(self, word: str) -> str:
        if word == "self":
            assert self.b.self_code is not None
            return self.b.self_code
        if word == "target":
            assert self.b.target_code is not None
            return self.b.target_code
        return word

    def resolve(self, name: str) -> str:
        base, _, attr = name.partition(".")
        return f"{self.actor(base)}.{attr}" if base in _ACTOR_WORDS else name

    def var(self, name: str) -> ast.expr:
        idx = self.b.index[self.resolve(name)]
        return ast.Subscript(value=_name("s"), slice=_const(idx), ctx=ast.Load())

    def emit(self, ir: IR) -> ast.expr:
        match ir:
            case Num(value) | Bool(value):
                return _const(value)
            case Var(name):
                return self.var(name)
            case Rel(a, b):
                return self.var(rel_name(self.actor(a), self.actor(b)))
            case Start(name):
                return _const(float(self.b.initial[self.resolve(name)]))
            case Turn():
                return _name("t")
            case Count(actor, key, last):
                code = "any" if actor == "any" else self.actor(actor)
                return _call(
                    "c", _const(self.b.actors[code]), _const(self.b.keys[key]), _const(last)
                )
            case Fired(event, last):
                return _call("f", _const(self.b.events[event]), _const(last))
            case Call(fn, args):
                return _call("_" + fn, *(self.emit(a) for a in args))
            case Neg(operand):
                return ast.UnaryOp(op=ast.USub(), operand=self.emit(operand))
            case Not(operand):
                return ast.UnaryOp(op=ast.Not(), operand=self.emit(operand))
            case And(args) | Or(args):
                op = ast.And() if isinstance(ir, And) else ast.Or()
                return ast.BoolOp(op=op, values=[self.emit(a) for a in args])
            case Cmp(ops, operands):
                left, *rest = (self.emit(a) for a in operands)
                return ast.Compare(left=left, ops=[_AST_CMP[o]() for o in ops], comparators=rest)
            case Bin("/", left, Num(value)) if value != 0:
                # a nonzero constant divisor: ``_div``'s test is known to pass, so divide
                # directly (the same IEEE division, without a call)
                return ast.BinOp(left=self.emit(left), op=ast.Div(), right=_const(value))
            case Bin("/", left, right):
                return _call("_div", self.emit(left), self.emit(right))
            case Bin("**", left, right):
                return _call("_pow", self.emit(left), self.emit(right))
            case Bin(op, left, right):
                return ast.BinOp(left=self.emit(left), op=_AST_BIN[op](), right=self.emit(right))
        raise AssertionError(f"unknown IR node {ir!r}")  # pragma: no cover


CompiledGroup = Callable[
    [list[float], Callable[[int, int, int], int], Callable[..., int], int], tuple
]


def _function(
    name: str,
    body: list[ast.stmt],
    namespace: Mapping[str, Any] = _GLOBALS,
    params: Sequence[str] = ("s", "c", "f", "t"),
) -> Callable[..., Any]:
    """Wrap generated statements as ``name(s, c, f, t)`` (or ``params``) with no builtins in
    reach."""
    args = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg=a) for a in params],
        kwonlyargs=[],
        kw_defaults=[],
        defaults=[],
    )
    fn_def = ast.FunctionDef(name=name, args=args, body=body, decorator_list=[], type_params=[])
    module = ast.Module(body=[fn_def], type_ignores=[])
    ast.fix_missing_locations(module)
    code = compile(module, f"<tripwire-{name}>", "exec")
    fn_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    return types.FunctionType(fn_code, dict(namespace), name)


def compile_group(items: Sequence[tuple[Expr, Binding]]) -> CompiledGroup:
    """Compile several expressions into one function returning a tuple of their values.

    The function's signature is ``fn(s, c, f, t)``: ``s`` the state as a list of floats,
    ``c(actor, key, last)`` the action counter, ``f(event, last)`` the fired-event counter and
    ``t`` the turn. Evaluating many rules in one call keeps a turn cheap.
    """
    body = ast.Tuple(elts=[_Emitter(b).emit(e.ir) for e, b in items], ctx=ast.Load())
    return _function("rules", [ast.Return(value=body)])


def _local(n: str, store: bool = False) -> ast.Name:
    return ast.Name(id=n, ctx=ast.Store() if store else ast.Load())


def compile_update(
    items: Sequence[tuple[int, Expr, Binding]], lo: Sequence[float], hi: Sequence[float]
) -> Callable[..., None]:
    """Compile rate expressions into one function that updates the state list in place.

    For items ``(i, rate, binding)`` the function computes every rate from the state as it
    is, then adds each variable's rates to it and clips it to ``[lo[i], hi[i]]``: a
    difference equation's step, simultaneous by construction. A rate that is not finite
    (nan, inf) is skipped (``r - r == 0`` is false exactly for those).
    """
    body: list[ast.stmt] = []
    per_var: dict[int, list[str]] = {}
    for k, (i, expr, binding) in enumerate(items):
        name = f"r{k}"
        body.append(ast.Assign(targets=[_local(name, True)], value=_Emitter(binding).emit(expr.ir)))
        per_var.setdefault(i, []).append(name)
    for i, rates in per_var.items():
        value: ast.expr = ast.Subscript(value=_local("s"), slice=_const(i), ctx=ast.Load())
        for r in rates:
            finite = ast.Compare(
                left=ast.BinOp(left=_local(r), op=ast.Sub(), right=_local(r)),
                ops=[ast.Eq()],
                comparators=[_const(0)],
            )
            value = ast.BinOp(
                left=value,
                op=ast.Add(),
                right=ast.IfExp(test=finite, body=_local(r), orelse=_const(0.0)),
            )
        body.append(ast.Assign(targets=[_local("v", True)], value=value))
        target = ast.Subscript(value=_local("s"), slice=_const(i), ctx=ast.Store())
        body.append(ast.Assign(targets=[target], value=_clipped("v", lo[i], hi[i])))
    if not body:
        body.append(ast.Pass())
    return _function("update", body)


def _clipped(v: str, lo: float, hi: float) -> ast.expr:
    """``lo if v < lo else (hi if v > hi else v)`` for the local ``v``: the rules' clipping
    (a nan stays nan), written out in generated code."""
    low, high = _const(float(lo)), _const(float(hi))
    return ast.IfExp(
        test=ast.Compare(left=_local(v), ops=[ast.Lt()], comparators=[low]),
        body=low,
        orelse=ast.IfExp(
            test=ast.Compare(left=_local(v), ops=[ast.Gt()], comparators=[high]),
            body=high,
            orelse=_local(v),
        ),
    )


Applier = Callable[[list[float]], Sequence[tuple[int, float]]]


def compile_effects(
    pairs: Sequence[tuple[int, float]], lo: Sequence[float], hi: Sequence[float], track: bool
) -> Applier:
    """Compile a list of changes ``(i, delta)`` into ``fn(s)``, which adds each to the state
    list in turn and clips it at once to ``[lo[i], hi[i]]`` (the rules' clipping: a nan stays
    nan), one statement per change, with no call per change.

    With ``track`` the function returns the changes actually applied, ``(i, new - old)``
    for each change that moved its variable, in order; without it, nothing (``()``).
    """
    body: list[ast.stmt] = []
    applied: list[ast.expr] = []
    for k, (i, delta) in enumerate(pairs):
        old, new = f"o{k}", f"n{k}"
        value = ast.Subscript(value=_local("s"), slice=_const(int(i)), ctx=ast.Load())
        body.append(ast.Assign(targets=[_local(old, True)], value=value))
        total = ast.BinOp(left=_local(old), op=ast.Add(), right=_const(delta))
        body.append(ast.Assign(targets=[_local("v", True)], value=total))
        body.append(ast.Assign(targets=[_local(new, True)], value=_clipped("v", lo[i], hi[i])))
        target = ast.Subscript(value=_local("s"), slice=_const(int(i)), ctx=ast.Store())
        body.append(ast.Assign(targets=[target], value=_local(new)))
        if track:
            moved = ast.Compare(left=_local(new), ops=[ast.NotEq()], comparators=[_local(old)])
            change = ast.BinOp(left=_local(new), op=ast.Sub(), right=_local(old))
            pair = ast.Tuple(elts=[_const(int(i)), change], ctx=ast.Load())
            applied.append(ast.IfExp(test=moved, body=pair, orelse=_const(None)))
    if track and applied:
        # the applied changes, in order, without those that left their variable unchanged
        listed = ast.List(elts=applied, ctx=ast.Load())
        body.append(ast.Return(value=_call("_moved", listed)))
    else:
        body.append(ast.Return(value=ast.Tuple(elts=[], ctx=ast.Load())))
    return _function("effects", body, _EFFECT_GLOBALS, ("s",))


def _moved(changes: list[tuple[int, float] | None]) -> list[tuple[int, float]]:
    return [c for c in changes if c is not None]


_EFFECT_GLOBALS: Mapping[str, Any] = {"__builtins__": {}, "_moved": _moved}


def constant_value(expr: Expr) -> float | None:
    """The value of an expression that is a plain number, else None."""
    match expr.ir:
        case Num(value):
            return value
        case Neg(Num(value)):
            return -value
    return None


def count_keys(expr: Expr) -> set[str]:
    """The count keys (``'*'``, ``'tag:x'``, ``'action:y'``) an expression asks about."""
    return {node.key for node in walk(expr.ir) if isinstance(node, Count)}


class Progress:
    """How close a condition is to holding: 1.0 when it holds, less the further it is.

    A comparison that fails scores ``1 - gap / scale`` (at least 0), where the scale is half
    the range of the variables it compares (or the size of the constant it is compared with);
    ``and`` multiplies its parts, ``or`` takes its best part, ``not`` inverts. A condition
    that does not hold scores at most 0.99. It is a guide for an outcome watch, not a
    probability.

    Args:
        expr: a checked condition.
        binding: how its names map onto the state.
        ranges: variable name -> (min, max).
    """

    def __init__(self, expr: Expr, binding: Binding, ranges: Mapping[str, tuple[float, float]]):
        self.ir = expr.ir
        self.binding = binding
        self.ranges = ranges
        self._value = compile_group([(expr, binding)])
        self._parts: dict[int, Callable[..., tuple]] = {}
        self._scales: dict[int, float] = {}

    def _scale(self, ir: IR) -> float:
        """Half the widest range of the variables a part reads (the IR is immutable and
        kept alive by ``self.ir``, so its parts' ids are stable keys)."""
        key = id(ir)
        scale = self._scales.get(key)
        if scale is None:
            scale = self._scales[key] = self._measure(ir)
        return scale

    def _measure(self, ir: IR) -> float:
        names = [node.name for node in walk(ir) if isinstance(node, Var)]
        spans = [(hi - lo) / 2 for lo, hi in (self.ranges.get(n, (0, 0)) for n in names) if hi > lo]
        return max(spans) if spans else 0.0

    def _eval(self, ir: IR, args: tuple) -> float:
        key = id(ir)
        if key not in self._parts:
            self._parts[key] = compile_group([(Expr("", "num", ir), self.binding)])
        return float(self._parts[key](*args)[0])

    def degree(self, ir: IR, args: tuple) -> float:
        match ir:
            case And(parts):
                product = 1.0
                for part in parts:
                    product *= self.degree(part, args)
                return product
            case Or(parts):
                return max(self.degree(a, args) for a in parts)
            case Not(operand):
                return 1.0 - self.degree(operand, args)
            case Bool(value):
                return 1.0 if value else 0.0
            case Cmp(ops, operands):
                worst = 1.0
                for op, left, right in zip(ops, operands, operands[1:], strict=False):
                    a, b = self._eval(left, args), self._eval(right, args)
                    gap = {"<": a - b, "<=": a - b, ">": b - a, ">=": b - a}.get(op, abs(a - b))
                    if (op in ("<", ">") and gap >= 0) or gap > 0:
                        scale = self._scale(left) or self._scale(right) or max(abs(b), abs(a), 1.0)
                        worst = min(worst, max(0.0, 1.0 - gap / scale))
                return worst
        return 0.0

    def __call__(
        self, s: list[float], c: Callable[..., int], f: Callable[..., int], t: int
    ) -> float:
        """Closeness, 0..1, in the state ``s`` (1.0 exactly when the condition holds)."""
        args = (s, c, f, t)
        if self._value(*args)[0]:
            return 1.0
        return round(min(0.99, self.degree(self.ir, args)), 4)
