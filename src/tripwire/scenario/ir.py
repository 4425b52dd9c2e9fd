"""The condition language's intermediate form: typed, immutable nodes and one walker.

:mod:`tripwire.scenario.expr` checks a condition's Python syntax tree against its whitelist
and builds these nodes; everything downstream (the scalar and array code generators, the
linter's interval analysis, the plain-language explanations of the action cards, the outcome
watch's closeness) reads the nodes, never the user's text. Each node type names one
construct of the language; :func:`children` says what a node contains and :func:`walk` visits
a tree in written order, so a question such as "which variables does this read?" is one
comprehension over ``walk(node)`` rather than another hand-written traversal.

Nodes compare by value (two parses of the same text are equal) and are hashable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Num:
    """A number written in the condition."""

    value: float


@dataclass(frozen=True, slots=True)
class Bool:
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True, slots=True)
class Var:
    """A state variable (``PRK.icbm``); ``self.x``/``target.x`` in an action's rules."""

    name: str


@dataclass(frozen=True, slots=True)
class Rel:
    """``rel(a, b)`` where ``a`` or ``b`` is ``self`` or ``target`` (resolved per move); a
    relation between two named actors is a :class:`Var` (``rel.CHN_PRK``)."""

    a: str
    b: str


@dataclass(frozen=True, slots=True)
class Start:
    """``start(variable)``: the variable's value at the start of the game."""

    name: str


@dataclass(frozen=True, slots=True)
class Turn:
    """``turn()``: the turn being played."""


@dataclass(frozen=True, slots=True)
class Count:
    """``count(actor, tag=... | action=..., last=n)``; ``key`` is ``'*'``, ``'tag:x'`` or
    ``'action:y'``."""

    actor: str
    key: str
    last: int


@dataclass(frozen=True, slots=True)
class Fired:
    """``fired(event, last=n)``: times a trigger or inject fired in the last ``n`` turns."""

    event: str
    last: int


@dataclass(frozen=True, slots=True)
class Call:
    """``min``, ``max`` or ``abs`` of numbers."""

    fn: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Bin:
    """``left op right`` for ``op`` in ``+ - * / **`` (``**`` has a small whole exponent)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg:
    """``-operand``."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Not:
    """``not operand``."""

    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    """``a and b and ...``."""

    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """``a or b or ...``."""

    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Cmp:
    """A comparison chain ``a < b <= c``: ``ops`` between consecutive ``operands``."""

    ops: tuple[str, ...]
    operands: tuple[Node, ...]


Node = (
    Num | Bool | Var | Rel | Start | Turn | Count | Fired | Call | Bin | Neg | Not | And | Or | Cmp
)
LEAVES = (Num, Bool, Var, Rel, Start, Turn, Count, Fired)


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly inside ``node``, in written order (none for a leaf)."""
    match node:
        case Call(args=args) | And(args=args) | Or(args=args):
            return args
        case Cmp(operands=operands):
            return operands
        case Bin(left=left, right=right):
            return (left, right)
        case Neg(operand=operand) | Not(operand=operand):
            return (operand,)
        case _:
            return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, in written order."""
    stack = [node]
    while stack:
        here = stack.pop()
        yield here
        stack.extend(reversed(children(here)))
