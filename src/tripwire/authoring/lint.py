"""Warnings for scenario files that are valid but will not play as their author meant.

This module owns ``tripwire lint``: it goes past validity, to rules that cannot matter. A
trigger, outcome, inject or precondition that can never hold (or always holds), actions
nobody can take, objective weights no action acts on, effects pushing a variable past its
range, injects after the last turn or never fired at all.

It reasons with interval arithmetic over the conditions' intermediate form
(:attr:`tripwire.scenario.expr.Expr.ir`): each quantity is an interval of the values it can
take in a game of this scenario. A variable spans its declared range, narrowed to its
starting value on each side nothing can move it towards (no action, inject, trigger or
dynamics term lowers it, say); ``count()`` spans zero to what the actors' action points
allow; ``turn()`` the scenario's turns. The analysis is sound but not complete: it warns only
about what is certain, and reasons about the file as written (``--set`` can change starting
values).

Only the linted file's own entries are warned about: entries inherited through ``extends``
belong to their own file. Warnings are located like errors (``PATH:LINE:COL: warning: ...``).
"""

from __future__ import annotations

import ast
import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tripwire.catalog import Catalog, load_catalog
from tripwire.errors import Diagnostic, Location
from tripwire.scenario.expr import IR, Expr, rel_name
from tripwire.scenario.ir import (
    And,
    Bin,
    Bool,
    Call,
    Cmp,
    Count,
    Fired,
    Neg,
    Not,
    Num,
    Or,
    Rel,
    Start,
    Turn,
    Var,
    walk,
)

# _display is the loader's own rule for printing a path; errors and warnings must agree.
from tripwire.scenario.loader import _display, load_scenario, read_document, resolve_ref
from tripwire.scenario.schema import Scenario, parse_checked
from tripwire.scenario.validation import format_path
from tripwire.scenario.yamlsafe import MarkedMap, key_location, locate, place_in_source
from tripwire.sim.rules import ANY, Rules, compile_rules

Interval = tuple[float, float]
INF = math.inf
_FULL: Interval = (-INF, INF)
Loc = tuple[str | int, ...]
_READS = (Var, Rel, Start, Turn, Count, Fired)  # the leaves whose value the game decides


def _g(x: float) -> str:
    """A number as a designer writes it (``0.42``, ``100``, ``-3``)."""
    return f"{x:g}"


def _span(iv: Interval) -> str:
    return _g(iv[0]) if iv[0] == iv[1] else f"{_g(iv[0])} to {_g(iv[1])}"


# --- interval arithmetic ------------------------------------------------------------------


def _times(x: float, y: float) -> float:
    return 0.0 if x == 0 or y == 0 else x * y  # 0 x inf is 0 here: a bound, not a limit


def _mul(a: Interval, b: Interval) -> Interval:
    p = [_times(x, y) for x in a for y in b]
    return min(p), max(p)


def _div(a: Interval, b: Interval) -> Interval:
    if a == (0.0, 0.0):
        return a
    if b[0] > 0 or b[1] < 0:  # (the engine's x / 0 is 0: only a b without 0 is bounded)
        return _mul(a, (1 / b[1], 1 / b[0]))
    return _FULL


def _pow(a: Interval, n: int) -> Interval:
    if n == 0:
        return 1.0, 1.0
    ends = (a[0] ** n, a[1] ** n)
    if n % 2 == 0 and a[0] < 0 < a[1]:
        return 0.0, max(ends)
    return min(ends), max(ends)


def _abs(a: Interval) -> Interval:
    if a[0] >= 0:
        return a
    if a[1] <= 0:
        return -a[1], -a[0]
    return 0.0, max(-a[0], a[1])


def _compare(op: str, a: Interval, b: Interval) -> tuple[bool, bool]:
    """(can be true, can be false) of ``a OP b`` for values anywhere in the intervals."""
    if op == "<":
        return a[0] < b[1], a[1] >= b[0]
    if op == "<=":
        return a[0] <= b[1], a[1] > b[0]
    if op == ">":
        return a[1] > b[0], a[0] <= b[1]
    if op == ">=":
        return a[1] >= b[0], a[0] < b[1]
    overlap = a[0] <= b[1] and b[0] <= a[1]
    point = a[0] == a[1] == b[0] == b[1]
    return (overlap, not point) if op == "==" else (not point, overlap)


def _leaves(ir: IR) -> Iterator[IR]:
    """The leaves of a condition that read the game, in written order."""
    return (node for node in walk(ir) if isinstance(node, _READS))


class _World:
    """What a game of the compiled scenario lets every variable, count and firing be."""

    def __init__(self, rules: Rules, dynamics: Sequence[tuple[int, IR]]):
        self.rules = rules
        self.turns = rules.turns
        names = rules.var_names
        self.initial = dict(zip(names, rules.initial.tolist(), strict=True))
        self.range = {
            n: (lo, hi) for n, lo, hi in zip(names, rules.lo_list, rules.hi_list, strict=True)
        }
        self.triggers = {t.id: t for t in rules.triggers}
        self.groups: dict[tuple[str, str], set[str]] = defaultdict(set)
        for m in rules.moves:
            for key in ("*", *(f"tag:{t}" for t in m.tags), f"action:{m.action}"):
                self.groups[(m.actor, key)].add(m.action)
        up: set[str] = set()
        down: set[str] = set()
        for deltas in (rules.delta_success, rules.delta_failure):
            up.update(names[i] for i in (deltas > 0).any(axis=0).nonzero()[0])
            down.update(names[i] for i in (deltas < 0).any(axis=0).nonzero()[0])
        for effects in [t.effects for t in rules.triggers] + [
            r.effects for r in rules.library.values()
        ]:
            up.update(names[i] for i, d in effects if d > 0)
            down.update(names[i] for i, d in effects if d < 0)
        # adjudication sets the rung and the score itself every turn
        for i in (rules.rung_index, rules.score_index):
            up.add(names[i])
            down.add(names[i])
        self.bounds = dict(self.range)
        self.up, self.down = up, down
        for _ in range(4):  # each pass is sound given the last one's bounds; they only narrow
            scope = _Scope(self, (1, self.turns))
            rates = [(names[i], scope.num(ir)) for i, ir in dynamics]
            self.up = up | {n for n, r in rates if r[1] > 0}
            self.down = down | {n for n, r in rates if r[0] < 0}
            new = {
                n: (
                    lo if n in self.down else self.initial[n],
                    hi if n in self.up else self.initial[n],
                )
                for n, (lo, hi) in self.range.items()
            }
            if new == self.bounds:
                break
            self.bounds = new

    def count_cap(self, actor: str, key: str, last: int) -> float:
        actors = self.rules.actors if actor == ANY else (actor,)
        per_turn = sum(
            min(self.rules.action_points[self.rules.actors.index(a)], len(self.groups[(a, key)]))
            for a in actors
        )
        return float(per_turn * min(last, self.turns))

    def fired_cap(self, event: str, last: int) -> float:
        trigger = self.triggers.get(event)
        if trigger is not None:
            span = min(last, self.turns)
            return 1.0 if trigger.once else float(math.ceil(span / (trigger.cooldown + 1)))
        return INF if event in self.rules.library else 0.0  # (a facilitator may fire injects)

    def describe(self, name: str) -> str:
        v, (lo, hi) = _g(self.initial[name]), self.range[name]
        if name not in self.up and name not in self.down:
            return f"{name} stays at {v}: nothing changes it"
        if name not in self.down:
            return f"{name} stays from {v} to {_g(hi)}: it starts at {v} and nothing lowers it"
        if name not in self.up:
            return f"{name} stays from {_g(lo)} to {v}: it starts at {v} and nothing raises it"
        return f"{name} is between {_g(lo)} and {_g(hi)}"

    def describe_count(self, actor: str, key: str, last: int, seen: int) -> str:
        """Why a count is what it is (``seen``: the turns of the window that can hold any)."""
        kind, _, what = key.partition(":")
        call = _count_call(actor, key, last)
        cap = self.count_cap(actor, key, seen)
        if cap:
            return f"{call} is at most {_g(cap)}"
        if kind == "action":
            why = f"nobody can take '{what}'" if actor == ANY else f"{actor} cannot take '{what}'"
        else:
            who = "no actor" if actor == ANY else actor
            why = f"{who} has no action" + (f" tagged '{what}'" if what else "")
        return f"{call} is always 0: {why}"


class _Scope:
    """What each quantity of the condition language can be at one place of a game.

    Args:
        world: the scenario's bounds.
        turn: the turns at which the condition is checked.
        exact: checked on turn 1 before anything happened (a turn-1 inject): every
            variable is at its starting value and nothing has been counted yet.
        first: checked first in a turn (an inject's condition), before any action, trigger
            or other inject of that turn: ``count`` and ``fired`` see the earlier turns only.
        self_code, target_code: what ``self`` and ``target`` mean (action rules).
    """

    def __init__(
        self,
        world: _World,
        turn: Interval,
        *,
        exact: bool = False,
        first: bool = False,
        self_code: str | None = None,
        target_code: str | None = None,
    ):
        self.w = world
        self.turn = turn
        self.exact = exact
        self.first = first
        self.codes = {"self": self_code, "target": target_code}

    def seen(self, last: int) -> int:
        """How many turns of a ``last=`` window hold anything yet when the rule is checked."""
        return last - 1 if self.first else last

    def actor(self, word: str) -> str:
        return self.codes.get(word) or word

    def name(self, leaf: Var | Rel | Start) -> str:
        """The variable a ``Var``/``Rel``/``Start`` leaf reads, ``self``/``target`` resolved."""
        if isinstance(leaf, Rel):
            return rel_name(self.actor(leaf.a), self.actor(leaf.b))
        base, _, attr = leaf.name.partition(".")
        return f"{self.actor(base)}.{attr}"

    def var(self, name: str) -> Interval:
        v = self.w.initial[name]
        return (v, v) if self.exact else self.w.bounds[name]

    def num(self, ir: IR) -> Interval:
        out = self._num(ir)
        return _FULL if math.isnan(out[0]) or math.isnan(out[1]) else out

    def _num(self, ir: IR) -> Interval:
        match ir:
            case Num(value):
                return value, value
            case Var() | Rel():
                return self.var(self.name(ir))
            case Start():
                v = self.w.initial[self.name(ir)]
                return v, v
            case Turn():
                return self.turn
            case Count(actor, key, last):
                seen = self.seen(last)
                none = self.exact or not seen
                return 0.0, 0.0 if none else self.w.count_cap(self.actor(actor), key, seen)
            case Fired(event, last):
                seen = self.seen(last)
                return 0.0, 0.0 if self.exact or not seen else self.w.fired_cap(event, seen)
            case Neg(operand):
                a = self.num(operand)
                return -a[1], -a[0]
            case Call(fn, args):
                values = [self.num(a) for a in args]
                if fn == "abs":
                    return _abs(values[0])
                pick = min if fn == "min" else max
                return pick(a[0] for a in values), pick(a[1] for a in values)
            case Bin(op, left, right):
                a, b = self.num(left), self.num(right)
                if op == "+":
                    return a[0] + b[0], a[1] + b[1]
                if op == "-":
                    return a[0] - b[1], a[1] - b[0]
                if op == "*":
                    return _mul(a, b)
                return _div(a, b) if op == "/" else _pow(a, int(b[0]))
        raise AssertionError(f"not a number: {ir!r}")  # pragma: no cover (checked at parse)

    def truth(self, ir: IR) -> tuple[bool, bool]:
        """(can be true, can be false) of a condition."""
        match ir:
            case Bool(value):
                return value, not value
            case Not(operand):
                t, f = self.truth(operand)
                return f, t
            case And(args):
                parts = [self.truth(a) for a in args]
                return all(t for t, _ in parts), any(f for _, f in parts)
            case Or(args):
                parts = [self.truth(a) for a in args]
                return any(t for t, _ in parts), all(f for _, f in parts)
            case Cmp(ops, operands):
                values = [self.num(a) for a in operands]
                pairs = [
                    _compare(op, a, b) for op, a, b in zip(ops, values, values[1:], strict=False)
                ]
                return all(t for t, _ in pairs), any(f for _, f in pairs)
        raise AssertionError(f"not a condition: {ir!r}")  # pragma: no cover (checked at parse)

    def narrowed(self, ir: IR | None, name: str) -> Interval:
        """The values of variable ``name`` whenever the condition holds (and-chains only)."""
        lo, hi = self.var(name)
        for part in () if ir is None else ir.args if isinstance(ir, And) else (ir,):
            if not (isinstance(part, Cmp) and len(part.ops) == 1):
                continue
            op, (left, right) = part.ops[0], part.operands
            if left == Var(name):
                other = self.num(right)
            elif right == Var(name):
                other = self.num(left)
                op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
            else:
                continue
            lo = max(lo, other[0]) if op in (">", ">=", "==") else lo
            hi = min(hi, other[1]) if op in ("<", "<=", "==") else hi
        return lo, hi

    def facts(self, ir: IR) -> str:
        """Why the leaves of a condition take the values they do, for messages."""
        out: dict[str, None] = {}
        for leaf in _leaves(ir):
            match leaf:
                case Var() | Rel():
                    name = self.name(leaf)
                    fact = f"{name} is {_g(self.w.initial[name])} on turn 1" if self.exact else None
                    out[fact or self.w.describe(name)] = None
                case Start():
                    name = self.name(leaf)
                    out[f"start({name}) is {_g(self.w.initial[name])}"] = None
                case Turn():
                    out[f"turn() is {_span(self.turn)}"] = None
                case _ if self.exact:
                    out["nothing has been counted or fired yet on turn 1"] = None
                case Count(actor, key, 1) if self.first:
                    call = _count_call(self.actor(actor), key, 1)
                    out[f"{call}{_FIRST}"] = None
                case Fired(event, 1) if self.first:
                    out[f"fired('{event}'){_FIRST}"] = None
                case Count(actor, key, last):
                    actor = self.actor(actor)
                    out[self.w.describe_count(actor, key, last, self.seen(last))] = None
                case Fired(event, last) if math.isfinite(cap := self.num(leaf)[1]):
                    call = f"fired('{event}'" + (f", last={last})" if last != 1 else ")")
                    why = "is always 0: it is switched off" if cap == 0 else f"is at most {_g(cap)}"
                    out[f"{call} {why}"] = None
        return "; ".join(list(out)[:4])


_FIRST = (
    " is always 0 in an inject's condition: injects come first in a turn, "
    "before any action or trigger of that turn (write last=2 for the last turn)"
)


def _count_call(actor: str, key: str, last: int) -> str:
    """``count(...)`` as the scenario would write it."""
    kind, _, what = key.partition(":")
    call = f"count('{actor}'" + (f", {kind}='{what}'" if what else "")
    return call + (f", last={last})" if last != 1 else ")")


def _comparisons(ir: IR, out: list[IR]) -> list[IR]:
    """The comparisons of a condition, in the order they are written."""
    out.extend(node for node in walk(ir) if isinstance(node, Cmp))
    return out


def _comparison_texts(source: str) -> list[tuple[int, str]]:
    """(offset, text) of each comparison written in a condition, in order (see above)."""
    text = source.strip()
    lead = len(source) - len(source.lstrip())
    wrapped = f"(\n{text}\n)"  # as parse_expr parses it: the text starts on line 2
    lines = text.split("\n")
    out: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Compare):
            line = node.lineno - 2
            col = len(lines[line].encode()[: node.col_offset].decode(errors="ignore"))
            offset = lead + sum(len(x) + 1 for x in lines[:line]) + col
            out.append((offset, " ".join((ast.get_source_segment(wrapped, node) or "").split())))
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(wrapped, mode="eval").body)
    return out


def _culprit(scope: _Scope, ir: IR) -> IR:
    """The smallest written part of a condition that makes it never hold."""
    if isinstance(ir, And):
        return next((_culprit(scope, a) for a in ir.args if not scope.truth(a)[0]), ir)
    return ir


def _merge(base: Sequence[Any], extra: Sequence[Any], off: Sequence[str]) -> list[Any]:
    """Catalog entries replaced or extended by the scenario's (as compile_rules merges them)."""
    replaced = {e.id: e for e in extra}
    out = [replaced.pop(e.id, e) for e in base]
    out.extend(replaced.values())
    return [e for e in out if e.id not in set(off)]


_NEVER = {
    "triggers": "this trigger never fires",
    "outcomes": "this outcome is never reached",
    "injects": "this inject never fires",
    "actions": "nobody can take this action",
}


class _Linter:
    """Runs every check over the linted file's own entries and collects the warnings."""

    def __init__(self, doc: MarkedMap, display: str, scenario: Scenario, catalog: Catalog):
        self.doc, self.display, self.sc, self.catalog = doc, display, scenario, catalog
        self.rules = rules = compile_rules(scenario, catalog)
        self.dynamics = _merge(catalog.dynamics, scenario.dynamics, scenario.disable.dynamics)
        rates = [
            (
                rules.index[d.var],
                self.parse(d.rate, "num").ir if isinstance(d.rate, str) else Num(float(d.rate)),
            )
            for d in self.dynamics
        ]
        self.world = _World(rules, rates)
        self.everywhere = _Scope(self.world, (1, rules.turns))
        self.found: list[Diagnostic] = []

    def parse(self, source: str, kind: str = "bool", action: Any = None) -> Expr:
        if action is None:
            return parse_checked(source, self.rules.names, kind)
        actors = {"self_actors": list(action.actors), "targets": list(action.targets) or None}
        return parse_checked(source, self.rules.names, kind, **actors)

    def own(self, kind: str) -> Iterator[tuple[int, Any]]:
        """This file's entries of a list: (index in the merged list, validated entry)."""
        seq = self.doc.get(kind)
        for i, entry in enumerate(getattr(self.sc, kind)):
            if seq.item_locations[i].path == self.display:
                yield i, entry

    def owns(self, *loc: str) -> bool:
        """Whether the key at ``loc`` exists and was written in the linted file."""
        node: Any = self.doc
        for part in loc[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        where = node.key_locations.get(loc[-1]) if isinstance(node, MarkedMap) else None
        return where is not None and where.path == self.display

    def warn(self, loc: Loc, message: str, *, offset: int | None = None, key: bool = False) -> None:
        """Warn at a value (``offset`` characters into a condition) or at a key."""
        fallback = Location(self.display)
        if key:
            where = key_location(self.doc, loc, fallback=fallback)
        else:
            where, style = locate(self.doc, loc, fallback=fallback)
            if offset is not None:
                where = place_in_source(where, style, offset)
        self.found.append(Diagnostic(where, f"{format_path(loc, self.doc)}: {message}", "warning"))

    def run(self) -> list[Diagnostic]:
        self.conditions()
        self.actions()
        self.objectives()
        self.effects()
        self.events()
        self.variables()
        self.texts()
        return self.found

    # --- (a) conditions that can never hold, or always hold ------------------------------
    def condition(self, loc: Loc, expr: Expr, scopes: Sequence[_Scope], kind: str) -> bool:
        """Warn if the condition can never hold; return whether it can be false."""
        truths = [s.truth(expr.ir) for s in scopes]
        if any(t for t, _ in truths):
            return any(f for _, f in truths)
        part = _culprit(scopes[0], expr.ir)
        offset, text = len(expr.source) - len(expr.source.lstrip()), ""
        for (o, t), c in zip(
            _comparison_texts(expr.source), _comparisons(expr.ir, []), strict=False
        ):
            if c is part and part is not expr.ir:
                offset, text = o, t
        facts = scopes[0].facts(part)
        what = f'"{text}" can never hold' if text else "can never hold"
        self.warn(loc, f"{what}{facts and f' ({facts})'}, so {_NEVER[kind]}", offset=offset)
        return True

    def always(self, loc: Loc, expr: Expr, scope: _Scope, tail: str) -> None:
        facts = scope.facts(expr.ir)
        lead = len(expr.source) - len(expr.source.lstrip())
        self.warn(loc, f"always holds{facts and f' ({facts})'}, so {tail}", offset=lead)

    def conditions(self) -> None:
        for i, trig in self.own("triggers"):
            expr, loc = self.parse(trig.when), ("triggers", i, "when")
            if not self.condition(loc, expr, [self.everywhere], "triggers"):
                tail = "it fires every turn"
                if trig.once:
                    tail = "it fires on turn 1 (an inject with `turn: 1` says that more plainly)"
                elif trig.cooldown:
                    tail = f"it fires on turn 1 and then every {trig.cooldown + 1} turns"
                self.always(loc, expr, self.everywhere, tail)
        for i, out in self.own("outcomes"):
            expr, loc = self.parse(out.when), ("outcomes", i, "when")
            if not self.condition(loc, expr, [self.everywhere], "outcomes"):
                self.always(loc, expr, self.everywhere, "every game reaches it on turn 1")
        for i, inj in self.own("injects"):
            if inj.when is None or (inj.turn or 0) > self.rules.turns:
                continue
            scope = _Scope(self.world, self.everywhere.turn, first=True)
            if inj.turn is not None:
                scope = _Scope(self.world, (inj.turn, inj.turn), exact=inj.turn == 1, first=True)
            expr, loc = self.parse(inj.when), ("injects", i, "when")
            if not self.condition(loc, expr, [scope], "injects"):
                self.always(loc, expr, scope, "this `when` changes nothing")
        for i, action in self.own("actions"):
            scopes = [self.move_scope(m) for m in self.rules.moves if m.action == action.id]
            if action.precondition is not None and scopes:
                expr = self.parse(action.precondition, action=action)
                self.condition(("actions", i, "precondition"), expr, scopes, "actions")

    def move_scope(self, move: Any) -> _Scope:
        turns = (1, self.rules.turns)
        return _Scope(self.world, turns, self_code=move.actor, target_code=move.target)

    # --- (b) actions nobody can (or wants to) take ---------------------------------------
    def actions(self) -> None:
        valued = set(self.rules.sparse.move.tolist())
        for i, action in self.own("actions"):
            moves = [m for m in self.rules.moves if m.action == action.id]
            if action.id in self.sc.disable.actions:
                msg = f"'{action.id}' is switched off by disable.actions, so nobody can take it"
                self.warn(("actions", i, "id"), msg)
                continue
            if not moves:
                msg = "every target is the acting actor itself, so nobody can take this action"
                self.warn(("actions", i, "targets"), msg)
                continue
            if not any(m.index in valued for m in moves):
                who = ", ".join(action.actors)
                msg = f"no objective of {who} is moved by these effects, so bots take this action"
                self.warn(("actions", i, "effects"), msg + " only on a random whim (their noise)")
            best = action.success
            if isinstance(best, str):
                best = self.move_scope(moves[0]).num(self.parse(best, "num", action).ir)[1]
            if best <= 0:
                self.warn(("actions", i, "success"), "is never above 0: this action always fails")

    # --- (c) objectives no action moves ---------------------------------------------------
    def objectives(self) -> None:
        rules, moved = self.rules, defaultdict(set)
        for m in rules.moves:
            for deltas in (rules.delta_success, rules.delta_failure):
                moved[m.actor].update(rules.var_names[i] for i in deltas[m.index].nonzero()[0])

        def idle(code: str, oid: str) -> str:
            terms = self.catalog.actors[code].objectives[oid].terms
            return "" if moved[code] & set(terms) else ", ".join(terms)

        def check(loc: Loc, code: str, oid: str) -> None:
            touched.add((code, oid))
            if terms := idle(code, oid):
                msg = f"{code} has no action that moves {terms} (the terms of '{oid}'), so "
                self.warn(loc, msg + f"this weight does not change what {code} does", key=True)

        touched: set[tuple[str, str]] = set()
        for code, override in self.sc.actors.items():
            for oid, weight in override.objectives.items():
                loc = ("actors", code, "objectives", oid)
                if weight > 0 and self.owns(*loc):
                    check(loc, code, oid)
        for kind in ("injects", "triggers"):
            for i, entry in self.own(kind):
                for name in entry.weights:
                    check((kind, i, "weights", name), *name.split("."))
        if self.owns("disable", "actions"):
            for code, profile in self.catalog.actors.items():
                for oid in profile.objectives:
                    if (terms := idle(code, oid)) and (code, oid) not in touched:
                        msg = f"these switch off every action of {code} that moves {terms}, so "
                        msg += f"{code}'s objective '{oid}' no longer changes what it does"
                        self.warn(("disable", "actions"), msg, key=True)

    # --- (d) effects that push a variable past its range ---------------------------------
    def effect(self, loc: Loc, name: str, delta: float, at: Interval, when: str) -> None:
        lo, hi = self.world.range[name]
        up = delta > 0
        limit, word = (hi, "maximum") if up else (lo, "minimum")
        if abs(delta) > hi - lo:
            msg = f"{delta:+g} is more than the whole range of {name} ({_g(lo)} to {_g(hi)}), "
            self.warn(loc, msg + f"so it always stops at the {word}")
        elif (up and at[0] + delta > hi) or (not up and at[1] + delta < lo):
            bound = at[0] if up else at[1]
            value = (
                _g(bound) if at[0] == at[1] else f"{'at least' if up else 'at most'} {_g(bound)}"
            )
            msg = f"{name} is {value} {when}, so {delta:+g} always goes past its {word} "
            self.warn(loc, msg + f"{_g(limit)} (at most {limit - bound:+g} applies)")

    def effects(self) -> None:
        rules, score = self.rules, self.rules.var_names[self.rules.score_index]
        # How many injects (or triggers with their injects) change each variable: a `when`
        # bounds a variable at the moment an effect applies only if nothing else in the same
        # phase of the turn can have moved it since the condition was checked.
        phase: dict[str, Counter[str]] = {"injects": Counter(), "triggers": Counter()}
        for inj in rules.library.values():
            phase["injects"].update({rules.var_names[i] for i, _ in inj.effects})
        for t in rules.triggers:
            pairs = (*t.effects, *(rules.library[t.inject].effects if t.inject else ()))
            phase["triggers"].update(rules.var_names[i] for i, _ in pairs)
        first: dict[str, int] = {}  # variable -> first turn-1 timeline inject changing it
        for i, inj in enumerate(self.sc.injects):
            if inj.turn == 1 and inj.id not in self.sc.disable.injects:
                for name in inj.effects:
                    first.setdefault(name, i)
        for kind in ("injects", "triggers"):
            for i, entry in self.own(kind):
                when = self.parse(entry.when).ir if entry.when else None
                for name, delta in entry.effects.items():
                    loc = (kind, i, "effects", name)
                    if kind == "injects" and name == score:
                        msg = f"{name} is recomputed from the actions after the injects of "
                        self.warn(loc, msg + "every turn, so this change is lost")
                    elif kind == "injects" and entry.turn == 1 and first.get(name) == i:
                        v = self.world.initial[name]
                        self.effect(loc, name, delta, (v, v), "when this fires on turn 1")
                    else:
                        alone = phase[kind][name] <= 1
                        at = self.everywhere.narrowed(when if alone else None, name)
                        self.effect(loc, name, delta, at, "whenever this fires")
        for i, action in self.own("actions"):
            for field in ("effects", "on_failure"):
                for key, delta in getattr(action, field).items():
                    base, _, attr = key.partition(".")
                    codes = {"self": action.actors, "target": action.targets}.get(base)
                    name = f"{codes[0]}.{attr}" if codes else key
                    self.effect(("actions", i, field, key), name, delta, _FULL, "")

    # --- (e, f) injects after the last turn or never fired; triggers that fire twice ------
    def events(self) -> None:
        turns, off = self.rules.turns, self.sc.disable
        named = {t.inject for t in self.rules.triggers if t.inject}
        for i, inj in self.own("injects"):
            if inj.id in off.injects:
                msg = f"'{inj.id}' is switched off by disable.injects, so it never fires"
                self.warn(("injects", i, "id"), msg)
            elif inj.turn is not None and inj.turn > turns:
                msg = (
                    f"turn {inj.turn} is after the last turn ({turns}), so this inject never fires"
                )
                self.warn(("injects", i, "turn"), msg)
            elif inj.turn is None and not inj.chance and inj.id not in named:
                how = "its chance is 0" if inj.chance == 0 else "it has no `turn` or `chance`"
                msg = f"'{inj.id}' never fires in a game: {how} and no trigger names it in "
                self.warn(("injects", i), msg + "`inject:` (a facilitator can still fire it)")
        if self.owns("turns"):
            for i, inj in enumerate(self.sc.injects):
                where = Path(self.doc["injects"].item_locations[i].path).name
                if where != Path(self.display).name and (inj.turn or 0) > turns:
                    msg = f"the game ends before the inject '{inj.id}' of {where} (turn {inj.turn})"
                    self.warn(("turns",), msg + " fires")
        library = {inj.id: inj for inj in self.sc.injects}
        for i, trig in self.own("triggers"):
            if trig.id in off.triggers:
                msg = f"'{trig.id}' is switched off by disable.triggers, so it never fires"
                self.warn(("triggers", i, "id"), msg)
            if trig.once and trig.cooldown:
                self.warn(("triggers", i, "cooldown"), "has no effect with `once: true`")
            inj = library.get(trig.inject or "")
            if inj is not None and (inj.turn is not None or inj.chance):
                how = f"on turn {inj.turn}" if inj.turn is not None else "by chance"
                msg = f"'{inj.id}' also fires on its own ({how}), so it can fire twice in a game"
                self.warn(("triggers", i, "inject"), msg)

    # --- (f) variables nothing uses; entries players cannot tell apart --------------------
    def variables(self) -> None:
        sources: list[tuple[str, str, Any]] = [
            *((e.when, "bool", None) for e in (*self.sc.triggers, *self.catalog.triggers)),
            *((e.when, "bool", None) for e in (*self.sc.outcomes, *self.catalog.outcomes)),
            *((e.when, "bool", None) for e in self.sc.injects if e.when),
            *((d.rate, "num", None) for d in self.dynamics if isinstance(d.rate, str)),
        ]
        for a in _merge(self.catalog.actions, self.sc.actions, ()):
            sources += [(a.precondition, "bool", a)] if a.precondition else []
            sources += [(a.success, "num", a)] if isinstance(a.success, str) else []
        reads: set[str] = set()
        for profile in self.catalog.actors.values():
            for obj in profile.objectives.values():
                reads.update(obj.terms)
                sources += [(obj.gain, "num", None)] if isinstance(obj.gain, str) else []
        for source, kind, action in sources:
            for name in self.parse(source, kind, action).names:
                base, _, attr = name.partition(".")
                codes = {"self": action.actors, "target": action.targets} if action else {}
                reads.update(f"{c}.{attr}" for c in codes.get(base, ())) or reads.add(name)
        for i, var in self.own("variables"):
            if var.name not in reads | self.world.up | self.world.down:
                msg = f"'{var.name}' is never used: no condition reads it and nothing changes it"
                self.warn(("variables", i, "name"), msg)

    def texts(self) -> None:
        for kind, field in (("injects", "text"), ("triggers", "text"), ("outcomes", "title")):
            seen: dict[str, str] = {}
            owned = dict(self.own(kind))
            for i, entry in enumerate(getattr(self.sc, kind)):
                text = " ".join(getattr(entry, field).split()).lower()
                if text in seen and i in owned:
                    msg = f"the same {field} as '{seen[text]}', so players cannot tell them apart"
                    self.warn((kind, i, field), msg)
                seen.setdefault(text, entry.id)


def lint(path: Path | str) -> list[Diagnostic]:
    """Warnings about a valid scenario file that will not play as its author meant.

    Args:
        path: a scenario file, or a bundled scenario name (as ``tripwire validate`` takes).

    Returns:
        Diagnostics of severity ``"warning"``, in file order, each located at the offending
        key or value of the linted file (never of a file it extends).

    Raises:
        ScenarioError: the file is not valid; the same diagnostics as ``load_scenario``.
    """
    scenario = load_scenario(path)
    file = resolve_ref(path)
    assert file is not None  # load_scenario has resolved it
    display = _display(file)
    found = _Linter(read_document(file, display), display, scenario, load_catalog()).run()
    order = {d: (d.location.line, d.location.column, d.message) for d in found}
    return sorted(dict.fromkeys(found), key=order.__getitem__)


def summary_line(ref: str, warnings: Sequence[Diagnostic]) -> str:
    """The last line ``tripwire lint`` prints for a valid file: ``PATH: ok, no warnings``."""
    n = len(warnings)
    return f"{ref}: ok, no warnings" if n == 0 else f"{ref}: {n} warning{'s' * (n != 1)}"
