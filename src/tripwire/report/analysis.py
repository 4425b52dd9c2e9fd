"""A game log read for a review: its turns, its turning points and how each actor fared.

:func:`load_game` reads and checks an event log (``tripwire.logfile.read_log``) and arranges
it by turn. The analyses are plain functions of a :class:`Game`: the turning points (outcomes
reached, risk triggers, scenario events, white-cell interventions and notes, the peak of the
escalation), the largest single-turn moves of the state with the logged events that caused
them, and each actor's record against the variables its objectives weigh.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tripwire.catalog import load_catalog
from tripwire.dates import turn_month
from tripwire.errors import Diagnostic, InputError, Location
from tripwire.logfile import is_finished, read_log
from tripwire.report.labels import actor_names, fmt_value, label, rung_name, var_info
from tripwire.sim.events import describe_intervention as describe_intervention_words

RUNG = "world.escalation_rung"
SCORE = "world.escalation_score"
TENSION = "world.tension"
ESCALATORY = ("posturing", "non_violent", "violent", "nuclear")


@dataclass(slots=True)
class Game:
    """One game's log, arranged by turn."""

    path: str
    header: dict[str, Any]
    snapshots: list[dict[str, Any]]
    events: dict[int, list[dict[str, Any]]]
    result: dict[str, Any] | None
    records: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def turns(self) -> list[int]:
        """The turns with a snapshot (0 = the starting position)."""
        return [s["turn"] for s in self.snapshots]

    @property
    def last_turn(self) -> int:
        """The last turn recorded."""
        return self.snapshots[-1]["turn"]

    @property
    def finished(self) -> bool:
        """Whether the log ends with its result (a game not cut short)."""
        return self.result is not None

    @property
    def actors(self) -> list[str]:
        """The actors' codes, in the log's order."""
        return list(self.header.get("actors", []))

    @property
    def outcomes(self) -> list[tuple[str, str]]:
        """(id, title) of the outcomes checked."""
        return [
            (o.get("id", "?"), o.get("title", o.get("id", "?")))
            for o in self.header.get("outcomes", [])
        ]

    def snapshot(self, turn: int) -> dict[str, Any]:
        """The snapshot that closed ``turn``."""
        return self._by_turn()[turn]

    def _by_turn(self) -> dict[int, dict[str, Any]]:
        return {s["turn"]: s for s in self.snapshots}

    def value(self, turn: int, name: str) -> float | None:
        """A variable's value at the end of ``turn`` (None if not recorded)."""
        snap = self._by_turn().get(turn)
        if snap is None:
            return None
        if name == RUNG and isinstance(snap.get("rung"), int | float):
            return float(snap["rung"])
        if name == SCORE and isinstance(snap.get("escalation_score"), int | float):
            return float(snap["escalation_score"])
        v = snap["state"].get(name)
        return float(v) if isinstance(v, int | float) else None

    def series(self, name: str) -> list[float]:
        """A variable per turn (missing values carry the previous one forward)."""
        out: list[float] = []
        for t in self.turns:
            v = self.value(t, name)
            out.append(v if v is not None else (out[-1] if out else 0.0))
        return out

    def date(self, turn: int) -> str:
        """The turn's month (``YYYY-MM``)."""
        snap = self._by_turn().get(turn, {})
        # a turn whose snapshot is not written yet (the white cell's acts that open it)
        return str(snap.get("date") or turn_month(str(self.header.get("start") or ""), turn))

    def reached(self) -> dict[str, int | None]:
        """Outcome id -> first turn it held (None: not reached)."""
        out: dict[str, int | None] = {oid: None for oid, _ in self.outcomes}
        if self.result:
            for oid, r in (self.result.get("outcomes") or {}).items():
                if isinstance(r, dict) and r.get("reached"):
                    out[oid] = r.get("turn")
                else:
                    out.setdefault(oid, None)
        for turn, evs in self.events.items():
            for e in evs:
                if e.get("kind") == "outcome" and out.get(e.get("id")) is None:
                    out[e.get("id", "?")] = turn
        return out

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        """All events of one kind, in order."""
        return [e for t in sorted(self.events) for e in self.events[t] if e.get("kind") == kind]


def load_game(path: Path) -> Game:
    """Read and check an event log.

    Raises:
        InputError: a missing, truncated or corrupt log, or one without any turn snapshot.
    """
    records = read_log(Path(path), str(path))
    header = records[0]
    snapshots = sorted((r for r in records if r.get("type") == "turn"), key=lambda r: r["turn"])
    if not snapshots:
        raise InputError(
            [
                Diagnostic(
                    Location(str(path), len(records) + 1),
                    "the log holds no turn snapshot to report on: expected the turn-0 snapshot",
                )
            ]
        )
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r.get("type") == "event":
            events[r["turn"]].append(r)
    for evs in events.values():
        evs.sort(key=lambda e: e.get("seq", 0))
    result = records[-1] if is_finished(records) else None
    return Game(str(path), header, snapshots, dict(events), result, records)


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


@functools.cache
def _action_names() -> dict[str, str]:
    return {a.id: a.name for a in load_catalog().actions}


def describe_intervention(e: dict[str, Any]) -> str:
    """What the white cell did, in words, with the catalog's names and the board's units
    (the log's own wording: :func:`tripwire.sim.events.describe_intervention`)."""
    if not e.get("what"):  # a record older than the data fields: its own text
        return str(e.get("text") or "intervention")
    return describe_intervention_words(
        e,
        actions=_action_names(),
        actors=actor_names(),
        value=fmt_value,
        variable=label,
        subject=False,
    )


def turning_points(game: Game) -> list[TurningPoint]:
    """Outcomes, triggers (grouped by id), scenario events, white-cell acts and notes, and the
    turn escalation peaked, in turn order."""
    points: list[TurningPoint] = []
    triggers: dict[str, TurningPoint] = {}
    for turn in sorted(game.events):
        for e in game.events[turn]:
            kind = e.get("kind")
            if kind == "outcome":
                points.append(TurningPoint(turn, kind, str(e.get("title") or e.get("id"))))
            elif kind == "trigger":
                tid = str(e.get("id", "?"))
                if tid in triggers:
                    triggers[tid].turns.append(turn)
                else:
                    triggers[tid] = TurningPoint(
                        turn, kind, tid, str(e.get("text", "")), turns=[turn]
                    )
                    points.append(triggers[tid])
            elif kind == "inject" and e.get("cause") != "facilitator":
                cause = str(e.get("cause", ""))
                why = (
                    f" (set off by the trigger {cause.split(':', 1)[1]})"
                    if cause.startswith("trigger:")
                    else ""
                )
                points.append(
                    TurningPoint(turn, kind, str(e.get("id", "?")), str(e.get("text", "")) + why)
                )
            elif kind == "intervention":
                points.append(
                    TurningPoint(
                        turn,
                        kind,
                        describe_intervention(e),
                        rationale=str(e.get("rationale") or ""),
                        who=str(e.get("who") or "white cell"),
                    )
                )
            elif kind == "note":
                points.append(
                    TurningPoint(turn, kind, str(e.get("text", "")), who=str(e.get("who") or ""))
                )
    rungs = game.series(RUNG)
    peak = max(rungs)
    if peak > rungs[0]:
        turn = game.turns[rungs.index(peak)]
        points.append(
            TurningPoint(turn, "peak", f"Escalation peaks at rung {peak:.0f}: {rung_name(peak)}")
        )
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


def _event_label(e: dict[str, Any]) -> str:
    kind = e.get("kind")
    if kind == "action":
        target = f" → {e['target']}" if e.get("target") else ""
        return f"{e.get('actor', '?')} {e.get('name') or e.get('action', '?')}{target}"
    if kind == "trigger":
        return f"trigger {e.get('id', '?')}"
    if kind == "inject":
        if e.get("cause") == "facilitator":
            return "white-cell inject"
        return f"event {e.get('id', '?')}"
    return str(e.get("text") or kind)


def causes_of(game: Game, turn: int, name: str, delta: float) -> list[tuple[str, float | None]]:
    """The logged events of ``turn`` that moved ``name``, largest first, and the unlogged rest
    (dynamics: drift, arms races, decay) when it matters."""
    evs = game.events.get(turn, [])
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
            out.append((f"{_event_label(e)} (signals rung {top})", None))
        for e in evs:
            if e.get("kind") == "trigger" and RUNG in (e.get("effects") or {}):
                out.append((_event_label(e), float(e["effects"][RUNG])))
        if delta < 0 and not out:
            out.append(("no move signalled the current rung, so the crisis stepped down", None))
        return out
    found: list[tuple[str, float | None]] = []
    for e in evs:
        effect = (e.get("effects") or {}).get(name)
        if e.get("kind") == "intervention" and e.get("what") == "set" and e.get("variable") == name:
            effect = float(e.get("value", 0)) - float(e.get("previous", 0))
        if isinstance(effect, int | float) and effect:
            found.append((_event_label(e), float(effect)))
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
    turns = game.turns
    for prev, turn in itertools.pairwise(turns):
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
    first, last = game.turns[0], game.last_turn
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
        if t not in chosen and t in game.turns and t > 0:
            chosen.append(t)
    if game.last_turn not in chosen[: limit - 1]:
        chosen = [*[t for t in chosen if t != game.last_turn][: limit - 1], game.last_turn]
    return sorted(chosen[:limit])
