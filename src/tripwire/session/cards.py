"""Action cards in plain language: what a seat may do, what each move does, and why a move
is not available now.

One card per move of the seat (an action, at one target), in the order of the catalog and
the scenario, numbered from 1. The numbering never depends on what is available, so "card 7"
means the same move every turn of a session; an unavailable card is still listed, with the
reason in words.

Effects are said in words and direction, not variable names: "raises tension a little",
"lowers China's influence over Pyongyang a lot", "improves relations between Russia and North
Korea". How much is judged against the variable's whole range (a 0.05 change of a 0-1 share
is as large as a 5-point change of a 0-100 index):

====================  ==========================
change / range        words
====================  ==========================
below 3%              "a little"
3% to below 8%        "somewhat"
8% or more            "a lot"
====================  ==========================

The game's bookkeeping parameters (``param.*``) are never mentioned. Why a card is
unavailable comes from its precondition: each part that fails, e.g. "needs tension above 60
(now 42)" (0-1 shares are written as percentages, as the board shows them).

Pure functions of the compiled rules and a game's current state (no pygame, nothing
changed): the Pygame board's menu and the session server's team view both draw from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tripwire.catalog import load_catalog
from tripwire.scenario.expr import IR, Binding, Expr, compile_group, rel_name
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
)

__all__ = [
    "A_LITTLE",
    "A_LOT",
    "ActionCard",
    "Effect",
    "action_cards",
    "effect_phrase",
    "format_value",
    "session_cards",
    "variable_label",
]

A_LITTLE = 0.03  # below this share of the range: "a little"
A_LOT = 0.08  # from this share of the range: "a lot" (between: "somewhat")

# Short labels for the catalog's variables (others get one made from their name).
_LABELS = {
    "world.tension": "tension",
    "world.sanctions_enforcement": "sanctions enforcement",
    "world.escalation_rung": "the escalation rung",
    "world.escalation_score": "the escalation score",
    "world.talks_prospects": "the prospects for talks",
    "world.illicit_arms_trade": "the illicit arms trade",
    "world.sanctions_loopholes": "sanctions loopholes",
    "world.enforcement_coordination": "coordination of sanctions enforcement",
    "world.unsc_paralysis": "Security Council paralysis",
    "world.unsc_draft": "the Security Council draft resolution",
    "world.taiwan_strait": "tension in the Taiwan Strait",
    "world.nonproliferation_norm": "the non-proliferation norm",
    "coop.military": "Russia–North Korea military cooperation",
    "coop.diplomatic": "Russia–North Korea diplomatic cooperation",
    "coop.economic": "Russia–North Korea economic cooperation",
    "coop.intelligence": "Russia–North Korea intelligence cooperation",
    "coop.propaganda": "Russia–North Korea propaganda cooperation",
    "alliance.cohesion": "US–South Korea–Japan cohesion",
    "RUS.war_urgency": "Russia's war urgency",
    "RUS.munitions_need": "Russia's need for munitions",
    "RUS.isolation": "Russia's isolation",
    "PRK.icbm": "North Korea's ICBM maturity",
    "PRK.nuclear_miniaturization": "North Korea's warhead miniaturisation",
    "PRK.satellite_recon": "North Korea's satellite reconnaissance",
    "PRK.tactical_nuclear": "North Korea's tactical nuclear weapons",
    "PRK.economy": "North Korea's economy",
    "PRK.legitimacy": "North Korea's international standing",
    "PRK.self_reliance": "North Korea's self-reliance",
    "CHN.influence_over_PRK": "China's influence over Pyongyang",
    "CHN.stability_image": "China's image as a force for stability",
    "CHN.sanctions_pressure": "pressure on China over sanctions",
    "CHN.border_enforcement": "China's border enforcement",
    "USA.deterrence_credibility": "US deterrence credibility",
    "USA.attention_elsewhere": "US attention elsewhere",
    "KOR.nuclear_debate": "South Korea's nuclear debate",
    "JPN.missile_defense": "Japan's missile defence",
}
_NAMES = {
    "RUS": "Russia",
    "PRK": "North Korea",
    "CHN": "China",
    "USA": "the United States",
    "KOR": "South Korea",
    "JPN": "Japan",
}
_OWNER = {"USA": "the United States'"}
_CMP_WORDS = {
    ">=": "at least",
    ">": "above",
    "<=": "at most",
    "<": "below",
    "==": "exactly",
    "!=": "other than",
}
_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}


def _name(code: str, names: Mapping[str, str] | None = None) -> str:
    if names and code in names:
        return names[code]
    return _NAMES.get(code, code)


def variable_label(name: str, names: Mapping[str, str] | None = None) -> str:
    """A variable in words: "tension", "China's influence over Pyongyang", "relations
    between Russia and North Korea"."""
    if name in _LABELS:
        return _LABELS[name]
    head, _, attr = name.partition(".")
    words = attr.replace("_", " ")
    if head == "rel":
        a, _, b = attr.partition("_")
        return f"relations between {_name(a, names)} and {_name(b, names)}"
    if head in _NAMES:
        if attr == "posture":
            words = "military posture"
        owner = _OWNER.get(head) or f"{_name(head, names)}'s"
        return f"{owner} {words}"
    return words if head in ("world", "") else f"{head} {words}"


def _share(lo: float, hi: float) -> bool:
    """Whether a variable is a 0-1 share (shown as a percentage)."""
    return lo >= 0.0 and hi <= 1.0


def format_value(value: float, lo: float, hi: float) -> str:
    """A value as the board shows it: "35%" for a 0-1 share, "42" or "2.5" otherwise."""
    if _share(lo, hi):
        return f"{value * 100:.0f}%"
    if abs(value - round(value)) < 0.05:
        return f"{round(value):.0f}"
    return f"{value:.1f}"


def _amount(delta: float, lo: float, hi: float) -> str:
    share = abs(delta) / max(hi - lo, 1e-9)
    return "a little" if share < A_LITTLE else "somewhat" if share < A_LOT else "a lot"


def effect_phrase(
    name: str, delta: float, lo: float, hi: float, names: Mapping[str, str] | None = None
) -> str:
    """One change in words: "raises tension a little", "worsens relations between China and
    Japan somewhat" (see the module docstring for the thresholds)."""
    up = delta > 0
    if name.startswith("rel."):
        verb = "improves" if up else "worsens"
    else:
        verb = "raises" if up else "lowers"
    return f"{verb} {variable_label(name, names)} {_amount(delta, lo, hi)}"


@dataclass(frozen=True, slots=True)
class Effect:
    """One expected change of a move, in words and as data.

    Attributes:
        variable: the state variable's name (for tools; never shown to players).
        delta: the change (in the variable's own units).
        words: "raises tension a little".
        share: abs(delta) as a share of the variable's range (what the words judge).
    """

    variable: str
    delta: float
    words: str
    share: float


@dataclass(frozen=True, slots=True)
class ActionCard:
    """One move of a seat, in plain language.

    Attributes:
        number: the card's number, 1 up, stable for the whole game (catalog and scenario
            order of the seat's moves; it does not depend on availability).
        index: the move's index in the rules (what the session's inputs resolve to).
        action: the action's id and ``target`` its target's code (None: untargeted); a
            ``decide`` input names them.
        name: "Deploy carrier group"; ``target_name`` "North Korea" or "".
        description: the catalog's sentence.
        domain: "Military", "Diplomatic", ...
        points: action points the move uses (each move uses one).
        chance: the chance of success now, 0-1.
        on_success, on_failure: the expected changes, largest first.
        available: whether the seat may choose it now.
        reasons: why not, one sentence per failing part of its precondition ("needs tension
            above 60 (now 42)"); empty when available.
        partners: display names of the partners of a joint move ("" none).
    """

    number: int
    index: int
    action: str
    target: str | None
    name: str
    target_name: str
    description: str
    domain: str
    points: int
    chance: float
    on_success: tuple[Effect, ...]
    on_failure: tuple[Effect, ...]
    available: bool
    reasons: tuple[str, ...]
    partners: tuple[str, ...]

    @property
    def label(self) -> str:
        """ "Deploy carrier group → North Korea" (or just the name)."""
        return f"{self.name} → {self.target_name}" if self.target_name else self.name

    @property
    def title(self) -> str:
        """ "7. Deploy carrier group → North Korea"."""
        return f"{self.number}. {self.label}"

    @property
    def effects_text(self) -> str:
        """ "If it succeeds: raises tension a little, ... If it fails: ..."."""
        parts = []
        if self.on_success:
            parts.append("If it succeeds: " + ", ".join(e.words for e in self.on_success) + ".")
        if self.on_failure:
            parts.append("If it fails: " + ", ".join(e.words for e in self.on_failure) + ".")
        return " ".join(parts) or "No expected change."

    @property
    def cost_text(self) -> str:
        """ "1 action point"."""
        return f"{self.points} action point" + ("" if self.points == 1 else "s")

    @property
    def reason_text(self) -> str:
        """Why it is not available ("" when it is)."""
        return "; ".join(self.reasons)

    @property
    def partners_text(self) -> str:
        """ "Joint with Japan and South Korea: it goes ahead only if they take part" ("")."""
        if not self.partners:
            return ""
        who = (
            self.partners[0]
            if len(self.partners) == 1
            else ", ".join(self.partners[:-1]) + " and " + self.partners[-1]
        )
        they = "it takes" if len(self.partners) == 1 else "they take"
        return f"Joint with {who}: it goes ahead only if {they} part"


def _effects(
    row: np.ndarray, rules: Any, names: Mapping[str, str] | None, k: int
) -> tuple[Effect, ...]:
    out = []
    for i in np.flatnonzero(row):
        name = rules.var_names[i]
        if name.startswith("param."):
            continue
        lo, hi = rules.lo_list[i], rules.hi_list[i]
        d = float(row[i])
        out.append(
            Effect(name, d, effect_phrase(name, d, lo, hi, names), abs(d) / max(hi - lo, 1e-9))
        )
    out.sort(key=lambda e: (-e.share, e.variable))
    return tuple(out[:k])


class _Explainer:
    """Says which parts of a precondition fail, in words, on one state."""

    def __init__(self, rules: Any, binding: Binding, args: tuple, names: Mapping[str, str]):
        self.rules = rules
        self.b = binding
        self.args = args
        self.names = names

    def value(self, ir: IR) -> float:
        fn = compile_group([(Expr("", "num", ir), self.b)])
        return float(fn(*self.args)[0])

    def holds(self, ir: IR) -> bool:
        fn = compile_group([(Expr("", "bool", ir), self.b)])
        return bool(fn(*self.args)[0])

    def var(self, name: str) -> str:
        base, _, attr = name.partition(".")
        if base == "self" and self.b.self_code:
            return f"{self.b.self_code}.{attr}"
        if base == "target" and self.b.target_code:
            return f"{self.b.target_code}.{attr}"
        return name

    def actor(self, word: str) -> str:
        if word == "self":
            return self.b.self_code or word
        if word == "target":
            return self.b.target_code or word
        return word

    def scale_of(self, ir: IR) -> tuple[float, float] | None:
        """The range of the variable an operand reads directly (None: not a variable)."""
        match ir:
            case Var(name):
                i = self.rules.index.get(self.var(name))
            case Rel(a, b):
                i = self.rules.index.get(rel_name(self.actor(a), self.actor(b)))
            case _:
                return None
        return None if i is None else (self.rules.lo_list[i], self.rules.hi_list[i])

    def words(self, ir: IR) -> str:
        match ir:
            case Var(name):
                return variable_label(self.var(name), self.names)
            case Rel(a, b):
                return variable_label(rel_name(self.actor(a), self.actor(b)), self.names)
            case Num(value):
                return f"{value:g}"
            case Bool(value):
                return "true" if value else "false"
            case Turn():
                return "the turn"
            case Start(name):
                return f"{variable_label(self.var(name), self.names)} at the start"
            case Count(actor, key, last):
                who = "anyone" if actor == "any" else _name(self.actor(actor), self.names)
                what = "moves"
                if key.startswith("tag:"):
                    what = key[4:].replace("_", " ") + " moves"
                elif key.startswith("action:"):
                    action = key[7:]
                    title = next((m.name for m in self.rules.moves if m.action == action), action)
                    what = f"'{title}' moves"
                return f"{who}'s {what} in the last {last} turn{'s' if last != 1 else ''}"
            case Fired(event, last):
                return f"times '{event}' happened in the last {last} turns"
            case Call(fn, args):
                return f"{fn}({', '.join(self.words(a) for a in args)})"
            case Neg(operand):
                return f"minus {self.words(operand)}"
            case Bin(op, left, right):
                return f"{self.words(left)} {op} {self.words(right)}"
            case Not(operand):
                return f"not ({self.words(operand)})"
            case And(args) | Or(args):
                word = " and " if isinstance(ir, And) else " or "
                return word.join(self.words(a) for a in args)
            case Cmp(ops, operands):
                return (
                    " ".join(f"{self.words(a)} {o}" for o, a in zip(ops, operands, strict=False))
                    + f" {self.words(operands[-1])}"
                )
        return "a condition"  # pragma: no cover - every IR kind is named above

    def shown(self, ir: IR, value: float, scale: tuple[float, float] | None) -> str:
        """An operand's value in the units the board shows (its scale: the other side's)."""
        if scale is not None:
            return format_value(value, *scale)
        return f"{value:g}" if value == int(value) else f"{value:.2f}"

    def compare(self, op: str, left: IR, right: IR) -> str:
        if isinstance(left, Num) and not isinstance(right, Num):
            op, left, right = _FLIP[op], right, left  # "60 < tension" reads "tension above 60"
        scale = self.scale_of(left) or self.scale_of(right)
        a, b = self.value(left), self.value(right)
        if scale == (0.0, 1.0) and isinstance(right, Num) and (op, b) in ((">=", 1.0), ("==", 1.0)):
            return f"needs {self.words(left)} (none now)"  # a flag: on or off
        want = f"{_CMP_WORDS[op]} {self.shown(right, b, scale)}"
        if not isinstance(right, Num):
            want = f"{_CMP_WORDS[op]} {self.words(right)} ({self.shown(right, b, scale)})"
        return f"needs {self.words(left)} {want} (now {self.shown(left, a, scale)})"

    def failing(self, ir: IR) -> list[str]:
        """Why ``ir`` does not hold: one sentence per failing part (empty if it holds)."""
        if self.holds(ir):
            return []
        match ir:
            case And(parts):
                return [why for part in parts for why in self.failing(part)]
            case Or(parts):
                options = ["; ".join(self.failing(part)) for part in parts]
                return ["one of: " + " — or — ".join(options)]
            case Cmp(ops, operands):
                return [
                    self.compare(op, left, right)
                    for op, left, right in zip(ops, operands, operands[1:], strict=False)
                    if not self.holds(Cmp((op,), (left, right)))
                ]
            case Bool():
                return ["not available in this scenario"]
            case Not(operand):
                return [f"needs it not to be so that {self.words(operand)}"]
        return [f"needs {self.words(ir)}"]


def _args(model: Any) -> tuple:
    """The arguments a compiled condition takes now: (state, count, fired, turn); between
    turns the turn is the next one (the one the cards are for)."""
    turn = model.turn if model.pending is not None else model.turn + 1
    return (model.state.tolist(), model.history.count, model.history.fired, turn)


def _chances(rules: Any, model: Any, args: tuple) -> np.ndarray:
    view = getattr(model, "view", None)
    if model.pending is not None and view is not None:
        return np.asarray(view.success, dtype=float)
    success = rules.success_const.copy()
    if rules.success_fn is not None:
        values = np.asarray(rules.success_fn(*args), dtype=float)
        success[rules.success_slots] = values
    return np.clip(np.nan_to_num(success, nan=0.0), 0.0, 1.0)


def action_cards(
    rules: Any, model: Any, seat: str, names: Mapping[str, str] | None = None
) -> list[ActionCard]:
    """Every card of ``seat`` (an actor code), numbered, for the game's current state.

    Args:
        rules: the compiled rules (:class:`tripwire.sim.rules.Rules`).
        model: the game (:class:`tripwire.sim.model.CrisisModel`); read only. During a turn
            the cards are for that turn (its decision view); between turns, for the next.
        seat: the actor code.
        names: actor code -> display name (default: the catalog's).

    Raises:
        KeyError: an unknown seat.
    """
    if seat not in rules.actors:
        raise KeyError(f"unknown actor '{seat}'")
    names = dict(names or _catalog_names(rules))
    args = _args(model)
    chances = _chances(rules, model, args)
    slot_of = {int(m): k for k, m in enumerate(rules.precondition_slots)}
    legal: Sequence[bool] | None = None
    view = getattr(model, "view", None)
    if model.pending is not None and view is not None:
        legal = [bool(x) for x in view.legal]
    elif rules.precondition_fn is not None:
        values = rules.precondition_fn(*args)
        mask = [True] * len(rules.moves)
        for k, m in enumerate(rules.precondition_slots):
            mask[int(m)] = bool(values[k])
        legal = mask
    out = []
    for number, move in enumerate(rules.moves_of(seat), start=1):
        m = move.index
        available = True if legal is None else legal[m]
        reasons: tuple[str, ...] = ()
        if not available and m in slot_of:
            expr, binding = rules.sources.precondition[slot_of[m]]
            found = _Explainer(rules, binding, args, names).failing(expr.ir)
            reasons = tuple(found) or (f"needs {expr.source}",)
        out.append(
            ActionCard(
                number=number,
                index=m,
                action=move.action,
                target=move.target,
                name=move.name,
                target_name=_name(move.target, names) if move.target else "",
                description=move.description,
                domain=str(move.domain or "").capitalize(),
                points=1,
                chance=float(chances[m]),
                on_success=_effects(rules.delta_success[m], rules, names, 4),
                on_failure=_effects(rules.delta_failure[m], rules, names, 3),
                available=bool(available),
                reasons=reasons,
                partners=tuple(_name(p, names) for p in move.partners),
            )
        )
    return out


def _catalog_names(rules: Any) -> dict[str, str]:
    return {code: actor.name for code, actor in load_catalog().actors.items()}


def session_cards(session: Any, seat: str) -> list[ActionCard]:
    """The cards of ``seat`` in a :class:`~tripwire.session.session.Session` now."""
    return action_cards(session.rules, session.model, seat)
