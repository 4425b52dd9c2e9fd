"""Adjudication: turning the turn's chosen moves into consequences.

The rules, each with a conformance test in ``tests/test_adjudication.py``:

1. Moves resolve in a declared order: by domain (the catalog's ``adjudication_order``:
   diplomatic, economic, intelligence, propaganda, military), then by actor (RUS, PRK, CHN,
   USA, KOR, JPN), then in the order the actor ranked them.
2. A move's precondition is checked again when it resolves; if an earlier move this turn has
   made it false, the move is cancelled: no roll, no effects, not counted, no escalation.
3. A move succeeds when its pre-drawn roll (uniform on [0, 1)) is below its success chance,
   evaluated at resolution and clipped to [0, 1]. Roll and chance are recorded in the event.
4. A success applies the action's ``effects``; a failure its ``on_failure`` effects.
5. A targeted move moves relations between actor and target by
   ``param.goldstein_to_relations`` x the Goldstein value of its CAMEO code (half on failure).
6. Every change is clipped at once to the variable's range.
7. The turn's escalation score is the sum of the Rivera et al. category scores of the moves
   taken (successful or not; cancelled moves and holds count 0).
8. The escalation rung rises to the highest rung signalled by a successful move; if no
   successful move signalled the current rung or higher, it falls by one (never below 1).
9. A joint move (an exercise, a summit) is made once: the first copy to resolve is the
   move, with its partners named in the event, and counts for every partner; a partner's
   copy chosen the same turn joins it (no second roll, effects or event; the event names
   it in ``joined``), and the white cell's veto or forced result of any copy is the joint
   move's. A human partner
   takes part only if it chose the move itself: otherwise the move is cancelled, marked
   ``declined``. (Bot partners' willingness is part of the decision, and the partners share
   its cost: see :func:`tripwire.sim.turn.willing`.)

In a facilitated exercise the white cell may veto a move before it resolves (it is then
skipped like a cancelled move, marked ``vetoed``) or force its success or failure (its roll
is still recorded, and the event is marked ``forced``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tripwire.scenario.expr import Applier, compile_effects
from tripwire.sim import turn as rule
from tripwire.sim.events import effects_dict, rounded
from tripwire.sim.rules import Rules
from tripwire.sim.state import History
from tripwire.sim.turn import SCALAR


@dataclass(slots=True)
class Resolution:
    """What a turn's adjudication produced."""

    events: list[dict[str, Any]]
    score: float
    max_rung: int
    taken: list[int]


def resolution_order(rules: Rules, chosen: list[list[int]]) -> list[int]:
    """Rule 1: the order in which one game's chosen moves resolve (per actor, its moves in
    its own order; a scripted seat may be handed more moves than it has action points):
    sorted by :func:`tripwire.sim.turn.resolution_key`."""
    ranked = [(m, rank) for moves in chosen for rank, m in enumerate(moves)]
    points, table, n_moves, key = (
        len(ranked),
        rules.resolve_key,
        len(rules.moves),
        rule.resolution_key,
    )
    # the keys are distinct (the move is their last part), so the pairs sort by key alone
    return [m for _, m in sorted([(key(table, m, r, points, n_moves), m) for m, r in ranked])]


def apply_effects(
    s: list[float], pairs: tuple[tuple[int, float], ...], rules: Rules, *, track: bool = True
) -> Sequence[tuple[int, float]]:
    """Rule 6: add each change and clip it to the variable's range (``lo if v < lo elif
    v > hi``: :func:`tripwire.sim.turn.clip_add`), one after the other.

    Returns the changes actually applied when ``track`` (for the log), else nothing. The
    changes run as straight-line code compiled once per rules
    (:func:`tripwire.scenario.expr.compile_effects`).
    """
    return _applier(rules, pairs, track)(s)


def _applier(rules: Rules, pairs: tuple[tuple[int, float], ...], track: bool) -> Applier:
    """The compiled changes ``pairs`` (compiled on first use, kept with the rules)."""
    appliers = rules.cache.get("appliers")
    if appliers is None:
        appliers = rules.cache["appliers"] = {}
    fn = appliers.get((pairs, track))
    if fn is None:
        fn = appliers[(pairs, track)] = compile_effects(pairs, rules.lo_list, rules.hi_list, track)
    return fn


def _move_table(rules: Rules) -> tuple[tuple[Any, ...], ...]:
    """Per move, what resolution reads of it, gathered once per rules: the move, its joint
    key, its precondition and success-chance functions (or None), its constant chance, its
    history rows, its escalation score and its rung."""
    table = rules.cache.get("resolution")
    if table is None:
        table = rules.cache["resolution"] = tuple(
            zip(
                rules.moves,
                rules.joint_key_list,
                rules.precondition_one,
                rules.success_one,
                rules.success_const_list,
                rules.move_count_rows,
                [move.escalation_score for move in rules.moves],
                [move.rung for move in rules.moves],
                strict=True,
            )
        )
    return table


def _move_appliers(rules: Rules, track: bool) -> list[Applier | None]:
    """Per move, its compiled success effects (at ``2 m``) and failure effects (at ``2 m +
    1``), or None until first used (:func:`_move_applier`)."""
    key = ("move appliers", track)
    fns = rules.cache.get(key)
    if fns is None:
        fns = rules.cache[key] = [None] * (2 * len(rules.moves))
    return fns


def _move_applier(rules: Rules, m: int, success: bool, track: bool) -> Applier:
    """Move ``m``'s compiled success or failure effects, compiled now and kept."""
    pairs = rules.effects_success[m] if success else rules.effects_failure[m]
    fn = _move_appliers(rules, track)[2 * m + (not success)] = _applier(rules, pairs, track)
    return fn


def named(rules: Rules, applied: Sequence[tuple[int, float]]) -> dict[str, float]:
    """Applied changes as the log stores them."""
    return effects_dict((rules.var_names[i], d) for i, d in applied)


def resolve(
    rules: Rules,
    s: list[float],
    history: History,
    turn: int,
    chosen: list[list[int]],
    *,
    rolls: list[float],
    record: bool = True,
    vetoed: frozenset[int] = frozenset(),
    forced: dict[int, bool] | None = None,
    humans: frozenset[int] = frozenset(),
) -> Resolution:
    """Resolve the chosen moves in order (rules 1-7), mutating the state list ``s``.

    Args:
        rules: the compiled rules.
        s: the state as a list of floats; updated in place.
        history: action counts; updated as moves are taken.
        turn: the turn number.
        chosen: per actor, the moves it chose, best first.
        rolls: this turn's pre-drawn uniform rolls, one per move.
        record: build the event records (off for lean batch runs).
        vetoed: moves the white cell vetoed (treated as cancelled, marked ``vetoed``).
        forced: move -> success, for moves whose outcome the white cell forced.
        humans: the actor indices of human seats (rule 9: a human partner must choose a
            joint move itself).
    """
    count, fired = history.count, history.fired
    forced = forced or {}
    events: list[dict[str, Any]] = []
    taken: list[int] = []
    score = 0.0
    max_rung = 0
    made: set[int] = set()  # joint moves made this turn (rule 9)
    every = {m for moves in chosen for m in moves}
    table = _move_table(rules)
    appliers = _move_appliers(rules, record)
    add_action, signalled_rung = history.add_action, rule.signalled_rung
    for m in resolution_order(rules, chosen):
        move, key, check, one, p_const, count_rows, escalation, rung = table[m]
        if key >= 0 and key in made:
            continue  # a partner's copy joins the move already made
        copies = _copies(rules, m, key, every) if key >= 0 else []
        if vetoed and (m in vetoed or any(c in vetoed for c in copies)):
            if record:
                events.append(_action_event(move, None, None, False, {}) | {"vetoed": True})
            if key >= 0:
                made.add(key)
            continue
        if check is not None and not check(s, count, fired, turn)[0]:
            if record:
                events.append(_action_event(move, None, None, False, {}) | {"cancelled": True})
            continue
        declined = _declined(rules, m, humans, every) if key >= 0 and humans else []
        if declined:
            if record:
                event = _action_event(move, None, None, False, {})
                events.append(event | {"cancelled": True, "declined": declined})
            continue
        p = p_const if one is None else rule.success_chance(one(s, count, fired, turn)[0], SCALAR)
        roll = rolls[m]
        decided = [forced[c] for c in (m, *copies) if c in forced] if forced else []
        success = decided[0] if decided else roll < p
        effects = appliers[2 * m + (not success)] or _move_applier(rules, m, success, record)
        applied = effects(s)
        add_action(count_rows)
        taken.append(m)
        if key >= 0:
            made.add(key)
        score += escalation
        max_rung = signalled_rung(max_rung, success, rung, SCALAR)
        if record:
            event = _action_event(move, rounded(p), rounded(roll), success, named(rules, applied))
            events.append(event | _marks(rules, move, bool(decided), copies))
    return Resolution(events, score, max_rung, taken)


def _marks(rules: Rules, move: Any, forced: bool, copies: list[int]) -> dict[str, Any]:
    """What the white cell decided and who took part, for a resolved move's event."""
    marks: dict[str, Any] = {"forced": True} if forced else {}
    if move.partners:
        marks["partners"] = list(move.partners)
    if copies:
        marks["joined"] = sorted({rules.moves[c].actor for c in copies})
    return marks


def _copies(rules: Rules, m: int, key: int, every: set[int]) -> list[int]:
    """Rule 9: the partners' copies of joint move ``m`` chosen this turn (the white cell
    reviews a joint move as one)."""
    if key < 0:
        return []
    joint_key = rules.joint_key_list
    return [c for c in every if c != m and joint_key[c] == key]


def _declined(rules: Rules, m: int, humans: frozenset[int], every: set[int]) -> list[str]:
    """Rule 9: the human partners of joint move ``m`` who did not choose it."""
    return [
        rules.moves[c].actor
        for c in rules.joint_partners[m].tolist()
        if c < len(rules.moves) and rules.moves[c].actor_index in humans and c not in every
    ]


def _action_event(
    move: Any, p: float | None, roll: float | None, success: bool, effects: dict[str, float]
) -> dict[str, Any]:
    return {
        "kind": "action",
        "actor": move.actor,
        "target": move.target,
        "action": move.action,
        "name": move.name,
        "domain": move.domain,
        "cameo": move.cameo,
        "goldstein": move.goldstein,
        "escalation": move.escalation,
        "score": move.escalation_score,
        "p": p,
        "roll": roll,
        "success": success,
        "effects": effects,
    }
