"""A game's review, from its log: its turning points, the largest moves of the state and what
caused them, and how each actor fared.

The game is read by :mod:`tripwire.gamelog` (the one reader) and said in words by
:func:`tripwire.sim.events.describe` (the one describer). The analyses are plain functions of
a :class:`~tripwire.gamelog.Game`: the turning points (outcomes reached, risk triggers,
scenario events, white-cell interventions and notes, the peak of the escalation), the largest
single-turn moves of the state with the logged events that caused them, and each actor's
record against the variables its objectives weigh.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from dataclasses import dataclass, field

from tripwire.catalog import load_catalog
from tripwire.gamelog import RUNG, SCORE, Game
from tripwire.report.labels import actor_names, record_names, rung_name, var_info
from tripwire.sim.events import describe

TENSION = "world.tension"
ESCALATORY = ("posturing", "non_violent", "violent", "nuclear")
TURNING = ("outcome", "trigger", "inject", "intervention", "note")  # kinds of turning point


@dataclass(slots=True)
class TurningPoint:
    """A moment worth discussing in the hotwash."""

    turn: int
    kind: str  # outcome, trigger, inject, intervention, note, peak
    title: str
    detail: str = ""
    rationale: str = ""
    who: str = ""
    turns: list[int] = field(default_factory=list)
    label: str = ""  # the record's label (tripwire.sim.events.Said.label), or the title


def turning_points(game: Game) -> list[TurningPoint]:
    """Outcomes, triggers (grouped by id), scenario events, white-cell acts and notes, and the
    turn escalation peaked, in turn order: each titled by its short name, with its words when
    they say more (:func:`tripwire.sim.events.describe`)."""
    names = record_names()
    points: list[TurningPoint] = []
    triggers: dict[str, TurningPoint] = {}
    for turn, e in game.every_event():
        kind = str(e.get("kind"))
        if kind not in TURNING or (kind == "inject" and e.get("cause") == "facilitator"):
            continue  # a white-cell inject is told by its intervention
        said = describe(e, names)
        if kind == "trigger" and said.name in triggers:
            triggers[said.name].turns.append(turn)
            continue
        point = TurningPoint(
            turn,
            kind,
            said.name,
            " — ".join(x for x in (said.text, said.cause) if x) if said.body != said.name else "",
            rationale=str(e.get("rationale") or ""),
            who=str(e.get("who") or ""),
            turns=[turn] if kind == "trigger" else [],
            label=said.label,
        )
        if kind == "trigger":
            triggers[said.name] = point
        points.append(point)
    rungs = game.series(RUNG)
    peak = max(rungs)
    if peak > rungs[0]:
        turn = game.turn_numbers[rungs.index(peak)]
        title = f"Escalation peaks at rung {peak:.0f}: {rung_name(peak)}"
        points.append(TurningPoint(turn, "peak", title, label=title))
    order = {"inject": 0, "intervention": 1, "note": 2, "trigger": 3, "peak": 4, "outcome": 5}
    return sorted(points, key=lambda p: (p.turn, order.get(p.kind, 9)))


@dataclass(slots=True)
class Change:
    """A large one-turn move of a variable and the logged events that pushed it."""

    turn: int
    name: str
    before: float
    after: float
    causes: list[tuple[str, float | None]]

    @property
    def delta(self) -> float:
        """The move (after - before)."""
        return self.after - self.before


@functools.cache
def _action_rungs() -> dict[str, int]:
    return {a.id: a.rung for a in load_catalog().actions}


def causes_of(game: Game, turn: int, name: str, delta: float) -> list[tuple[str, float | None]]:
    """The logged events of ``turn`` that moved ``name``, largest first, and the unlogged rest
    (dynamics: drift, arms races, decay) when it matters."""
    evs = game.events(turn)
    names = record_names()
    if name == RUNG:
        out: list[tuple[str, float | None]] = []
        rungs = _action_rungs()
        signalled = [
            (rungs.get(str(e.get("action")), 0), e)
            for e in evs
            if e.get("kind") == "action" and e.get("success") and not e.get("cancelled")
        ]
        if signalled and delta > 0:
            top, e = max(signalled, key=lambda p: p[0])
            out.append((f"{describe(e, names).label} (signals rung {top})", None))
        for e in evs:
            if e.get("kind") == "trigger" and RUNG in (e.get("effects") or {}):
                out.append((describe(e, names).label, float(e["effects"][RUNG])))
        if delta < 0 and not out:
            out.append(("no move signalled the current rung, so the crisis stepped down", None))
        return out
    found: list[tuple[str, float | None]] = []
    for e in evs:
        effect = (e.get("effects") or {}).get(name)
        if e.get("kind") == "intervention" and e.get("what") == "set" and e.get("variable") == name:
            effect = float(e.get("value", 0)) - float(e.get("previous", 0))
        if isinstance(effect, int | float) and effect:
            found.append((describe(e, names).label, float(effect)))
    found.sort(key=lambda c: -abs(c[1] or 0))
    logged = sum(c[1] or 0 for c in found)
    rest = delta - logged
    if abs(rest) > max(0.15 * abs(delta), 1e-3 * var_info(name).span):
        found.append(("dynamics (drift, arms race, decay) and clipping", rest))
    return found[:3] + found[-1:] if len(found) > 4 else found


def largest_changes(game: Game, count: int = 6) -> list[Change]:
    """The largest one-turn moves, measured against each variable's range; at most one per
    variable, the rung's and the tension's largest always among them when they moved."""
    moves: list[tuple[float, int, str, float, float]] = []
    # the score is a per-turn flow, not a level; a flag's flip is not a move of a quantity
    names = [n for n in game.snapshots[0]["state"] if n != SCORE and var_info(n).unit != "flag"]
    for prev, turn in itertools.pairwise(game.turn_numbers):
        for name in names:
            a, b = game.value(prev, name), game.value(turn, name)
            if a is None or b is None or a == b:
                continue
            moves.append((abs(b - a) / var_info(name).span, turn, name, a, b))
    moves.sort(key=lambda m: -m[0])
    best: dict[str, tuple[float, int, str, float, float]] = {}
    for m in moves:
        best.setdefault(m[2], m)
    chosen = [best[n] for n in (RUNG, TENSION) if n in best]
    for m in sorted(best.values(), key=lambda m: -m[0]):
        if len(chosen) >= count:
            break
        if m not in chosen:
            chosen.append(m)
    chosen.sort(key=lambda m: (m[1], -m[0]))  # in turn order: the table reads as a story
    return [
        Change(turn, name, a, b, causes_of(game, turn, name, b - a))
        for _, turn, name, a, b in chosen
    ]


@dataclass(slots=True)
class ObjectiveRecord:
    """How one objective's variables moved over the game, for its actor."""

    id: str
    description: str
    weight: float
    net: float  # sum of coefficient x change: > 0 the game went the actor's way
    terms: list[tuple[str, float, float, float]]  # (variable, coefficient, start, end)


@dataclass(slots=True)
class ActorRecord:
    """An actor's game: objectives and most frequent moves."""

    code: str
    name: str
    human: bool
    objectives: list[ObjectiveRecord]
    top_actions: list[tuple[str, int, int]]  # (name, times, successes)
    moves: int
    holds: int
    failed: int
    escalatory: int
    de_escalatory: int


def actor_records(game: Game) -> list[ActorRecord]:
    """Each actor against its catalog objectives (start vs end of every weighted variable)."""
    catalog = load_catalog()
    names = actor_names()
    first, last = game.turn_numbers[0], game.last_turn
    humans = set(game.header.get("humans") or [])
    actions = game.kinds("action")
    out = []
    for code in game.actors:
        profile = catalog.actors.get(code)
        objectives = []
        for oid, spec in profile.objectives.items() if profile else []:
            terms = []
            for var, coef in spec.terms.items():
                a, b = game.value(first, var), game.value(last, var)
                if a is not None and b is not None:
                    terms.append((var, float(coef), a, b))
            net = sum(c * (b - a) for _, c, a, b in terms)
            objectives.append(ObjectiveRecord(oid, spec.description, spec.weight, net, terms))
        mine = [e for e in actions if e.get("actor") == code]
        taken = [e for e in mine if e.get("action") != "hold"]
        counts: Counter[str] = Counter()
        wins: Counter[str] = Counter()
        for e in taken:
            label = str(e.get("name") or e.get("action"))
            counts[label] += 1
            wins[label] += bool(e.get("success")) and not e.get("cancelled")
        out.append(
            ActorRecord(
                code=code,
                name=names.get(code, code),
                human=code in humans,
                objectives=objectives,
                top_actions=[(n, c, wins[n]) for n, c in counts.most_common(3)],
                moves=len(taken),
                holds=len(mine) - len(taken),
                failed=sum(1 for e in taken if not e.get("success") or e.get("cancelled")),
                escalatory=sum(1 for e in taken if e.get("escalation") in ESCALATORY),
                de_escalatory=sum(1 for e in taken if e.get("escalation") == "de_escalation"),
            )
        )
    return out


def snapshot_turns(
    game: Game, points: list[TurningPoint], changes: list[Change], limit: int = 6
) -> list[int]:
    """The turns worth a board picture: outcomes, white-cell acts, the escalation peak, the
    largest move, and the last turn."""
    wanted: list[int] = []
    for kind in ("outcome", "intervention", "peak"):
        wanted += [p.turn for p in points if p.kind == kind]
    biggest = sorted(changes, key=lambda c: -abs(c.delta) / var_info(c.name).span)
    wanted += [c.turn for c in biggest[:1]]
    wanted.append(game.last_turn)
    chosen: list[int] = []
    for t in wanted:
        if t not in chosen and 0 < t <= game.last_turn:
            chosen.append(t)
    if game.last_turn not in chosen[: limit - 1]:
        chosen = [*[t for t in chosen if t != game.last_turn][: limit - 1], game.last_turn]
    return sorted(chosen[:limit])
