"""The rules of a turn, written once.

A turn (one month) has five phases, played in this order by both executors, the one-game
model (:class:`tripwire.sim.model.CrisisModel`: event logs, exercises, ``tripwire run``)
and the lockstep batch engine (:class:`tripwire.sim.lockstep.LockstepModel`: many games at
once):

1. **Injects due** (:func:`roll_dice`, :func:`due_injects`): the white cell's queued injects,
   then the timeline's for this turn whose condition holds, then the chance injects whose
   roll is below their chance (a ``once`` inject fires at most once: one that has fired
   before, by the white cell's hand or with a trigger, does not fire again).
2. **Decisions** (:func:`success_chance`, :func:`move_scores`, :func:`choose_moves`): every
   actor decides on the same state; bots take their best-scoring legal moves while they
   beat holding.
3. **Adjudication** (:func:`resolution_order`, :func:`clip_add`, :func:`signalled_rung`;
   the conformance rules are listed in :mod:`tripwire.sim.adjudication`).
4. **The world moves**: the turn's escalation score and rung (:func:`next_rung`), the
   dynamics terms, the risk triggers (:func:`trigger_fires`, :func:`shift_weight`), then the
   outcomes (:func:`newly_reached`).
5. **The record**: the executor's own business (an event log, or per-game columns).

Every function here is *shape-agnostic*: it takes one game's values (Python floats and
bools) or many games' (numpy arrays with a trailing game axis) and an ops namespace,
:data:`SCALAR` or :data:`ARRAY`, for the few operations whose spelling differs. The tables
the rules read (resolution keys, effects, count rows, utility coefficients) are compiled
once into :class:`tripwire.sim.rules.Rules`. So a modeller who changes a rule edits one
function here, and both executors play the new rule; ``tests/test_lockstep.py`` plays every
bundled scenario both ways and compares the games bit for bit.

The executors differ only in data layout and in how they skip work: the lockstep engine
evaluates a precondition again at resolution only in the games where an earlier move of the
turn changed what it reads, which gives the same answer as evaluating it everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tripwire.sim.rules import InjectRule, Rules


class _Scalar:
    """Operations on one game's Python floats and bools."""

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        return a if condition else b

    @staticmethod
    def both(a: Any, b: Any) -> Any:
        return a and b

    @staticmethod
    def floor(v: float) -> float:
        return float(math.floor(v))

    @staticmethod
    def clip(v: float, lo: float, hi: float) -> float:
        """``lo if v < lo elif v > hi``: a nan stays nan."""
        if v < lo:
            return lo
        if v > hi:
            return hi
        return v


class _Array:
    """The same operations, element by element, on numpy arrays (one column per game)."""

    where = staticmethod(np.where)
    both = staticmethod(np.logical_and)
    floor = staticmethod(np.floor)

    @staticmethod
    def clip(v: Any, lo: Any, hi: Any) -> Any:
        """``lo if v < lo elif v > hi``, element by element: a nan stays nan."""
        return np.where(v < lo, lo, np.where(v > hi, hi, v))


SCALAR = _Scalar()
ARRAY = _Array()
Ops = _Scalar | _Array


# --- phase 1: dice and injects ----------------------------------------------------------------
def roll_dice(generator: np.random.Generator, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """One game's dice for a turn, drawn at its start in fixed-size blocks: a uniform roll per
    chance inject and per move (its success roll), then a standard Gumbel taste per move,
    whether or not the move is chosen. So the same seed gives the same game, and scenarios
    that differ in one parameter play against the same dice (common random numbers)."""
    n_moves = len(rules.moves)
    return (
        generator.random(len(rules.chance_injects) + n_moves),
        generator.gumbel(size=n_moves),
    )


def due_injects(
    rules: Rules,
    turn: int,
    queued: Sequence[InjectRule],
    when: Sequence[Any] | None,
    rolls: Any,
    fired_before: Any,
    every: Any,
    ops: Ops,
) -> list[tuple[InjectRule, str, Any]]:
    """The injects due at the start of ``turn``, in the order they fire, each with its cause
    and where it fires (``every`` for all games).

    Args:
        rules: the compiled rules.
        turn: the turn beginning.
        queued: injects the white cell queued since the last turn (they fire first).
        when: the values of the injects' conditions (``rules.inject_when_fn``), or None.
        rolls: the chance injects' rolls, indexable by position (scalar or per game).
        fired_before: ``fired_before(event_index)``, how often an inject has fired so far.
        every: True for one game; an all-True mask for many.
        ops: :data:`SCALAR` or :data:`ARRAY`.
    """
    due: list[tuple[InjectRule, str, Any]] = [(rule, "facilitator", every) for rule in queued]
    for rule in rules.injects_by_turn.get(turn, ()):
        fires = every if rule.when is None else when[rule.when]  # type: ignore[index]
        if rule.once:  # fired already (by the white cell's hand, or a trigger): not again
            fires = ops.both(fires, fired_before(rule.event_index) == 0)
        due.append((rule, "timeline", fires))
    for i, rule in enumerate(rules.chance_injects):
        fires = rolls[i] < rule.chance  # type: ignore[operator]
        if rule.once:
            fires = ops.both(fires, fired_before(rule.event_index) == 0)
        if rule.when is not None:
            fires = ops.both(fires, when[rule.when])  # type: ignore[index]
        due.append((rule, "chance", fires))
    return due


# --- phase 2: decisions -----------------------------------------------------------------------
def success_chance(p: Any, ops: Ops) -> Any:
    """A move's chance of success clipped to [0, 1] (Python's ``min(1, max(0, p))``: a nan
    chance is 0)."""
    above = ops.where(p > 0.0, p, 0.0)
    return ops.where(above < 1.0, above, 1.0)


def move_scores(
    rules: Rules,
    state: np.ndarray,
    weights: np.ndarray,
    gains: np.ndarray,
    success: np.ndarray,
    recent: np.ndarray,
    stance: np.ndarray,
    gumbel: np.ndarray,
    legal: np.ndarray,
    aversion: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every move's expected utility for its own actor, and its score (utility plus the
    actor's noise x the move's Gumbel taste; -inf where the move is not legal).

    All arrays have a trailing game axis: state (V, G), weights and gains (K, G), success,
    gumbel and legal (M, G), recent and stance (groups, G); one game passes G = 1.
    ``aversion`` is each move's (1 - risk tolerance) x risk, (M, G), for games whose actors'
    risk tolerances differ (default: the rules' own, ``rules.move_aversion``).

    utility(m) = sum over the actor's objectives k of weight_k x gain_k x (terms_k . E_m)
                 - cost_m - (1 - risk_tolerance) x param.risk_aversion x risk_m x tension/50
                 - param.repetition_cost x recent_m - param.reversal_cost x undone_m

    where E_m is the move's *expected effective* change of the state: the success and failure
    deltas, each clipped at the variables' ranges (a capability at its maximum is not worth
    pursuing), weighted by the chance of success; risk_m is the escalation the move signals
    on Kahn's ladder, (rung - 1) / 3; and recent_m counts the actor's recent uses of the
    same action, decayed by param.repetition_memory each turn (repeated signals lose value);
    undone_m the same count for the actions the move reverses, decayed by the slower
    param.stance_memory (``stance``; see remember): an actor that undoes its own recent
    stance pays audience costs for it (Fearon 1994), and a stance binds longer than a signal
    tires.
    Sums run over each move's nonzero effect entries, in one fixed order, so that every
    number of G games equals that of the same game played alone, to the last bit.
    """
    sp = rules.sparse
    # (``take`` along axis 0 gathers rows like ``a[index]`` at half numpy's per-call cost,
    # and in-place operations skip allocations: on one game a turn is mostly such calls)
    now = state.take(sp.var, axis=0)
    applied = now + sp.delta_col
    np.maximum(applied, sp.lo_col, out=applied)
    np.minimum(applied, sp.hi_col, out=applied)
    applied -= now
    weight = success.take(sp.move, axis=0)  # the chance c: c on success, 1 - c on failure
    weight *= sp.sign_col
    weight += sp.base_col
    entries = entry_values(sp.coef_obj_cols, sp.coef_val_cols, weights * gains)
    entries *= applied
    entries *= weight
    # each (move, game)'s entries added in entry order, whatever G (bincount's order)
    games = state.shape[1]
    n_moves = len(rules.moves)
    value = np.bincount(
        _bins(rules, "entries", sp.move, games), weights=entries.ravel(), minlength=n_moves * games
    ).reshape(n_moves, games)
    ix = rules.index
    scale = state[ix["param.risk_aversion"]] * state[ix["world.tension"]] / 50.0
    fatigue = recent.take(rules.move_group, axis=0)
    fatigue *= state[ix["param.repetition_cost"]]
    # audience costs: undoing one's own recent stance (Fearon 1994); each move's reversed
    # groups added in their order (bincount's), whatever G
    undone = np.bincount(
        _bins(rules, "reversal", rules.reversal_move, games),
        weights=stance.take(rules.reversal_group, axis=0).ravel(),
        minlength=n_moves * games,
    ).reshape(n_moves, games)
    reversal = undone * state[ix["param.reversal_cost"]]  # (float even when there are none)
    fatigue += reversal
    averse = rules.move_aversion_col if aversion is None else aversion
    utility = value - rules.move_cost_col  # (a new float array even when there are no entries)
    utility -= scale * averse
    utility -= fatigue
    scores = rules.move_noise_col * gumbel
    scores += utility
    legal = legal & willing(rules, utility)
    np.copyto(scores, -np.inf, where=~legal)
    return utility, scores


def remember(
    rules: Rules, state: np.ndarray, recent: np.ndarray, stance: np.ndarray, taken: Any
) -> None:
    """The end of a turn for the actors' two memories of their own moves, in place (both
    (groups,) for one game or (groups, G)): each fades, then counts the turn's moves once.
    ``taken`` indexes the cells of the (actor, action) groups taken this turn (distinct: an
    actor takes an action at most once a turn), as ``recent[taken]`` reads them.

    ``recent`` (the repetition cost's count) keeps param.repetition_memory of itself a turn:
    a signal sent again soon is worth less. ``stance`` (the reversal cost's count) keeps
    param.stance_memory: a public stance commits a leader for longer than a repeated signal
    tires its audience (Fearon 1994: audience costs grow with the commitment made; China's
    border policy shifted four or five times in 2017-2025, not month by month). With both
    memories equal, the two counts are the same.
    """
    recent *= state[rules.index["param.repetition_memory"]]
    stance *= state[rules.index["param.stance_memory"]]
    recent[taken] += 1.0
    stance[taken] += 1.0


def _bins(rules: Rules, name: str, rows: np.ndarray, games: int) -> np.ndarray:
    """bincount's bins for ``rows`` (the move of each item) in ``games`` games: row x games
    + game for each (item, game), item by item (built once per number of games)."""
    if games == 1:
        return rows
    key = (name, games)
    bins = rules.cache.get(key)
    if bins is None:
        bins = rules.cache[key] = (rows[:, None] * games + np.arange(games)).ravel()
    return bins


def willing(rules: Rules, utility: np.ndarray) -> np.ndarray:
    """(M, G) whether every partner of a joint move takes part: its own copy of the move is
    worth taking to it (expected utility above 0, the value of holding). Moves that are not
    joint are always willing."""
    positive = np.empty((utility.shape[0] + 1, utility.shape[1]), dtype=bool)
    np.greater(utility, 0.0, out=positive[:-1])
    positive[-1] = True  # the padding of rules.joint_partners: no partner
    columns = rules.joint_partner_cols
    every = positive.take(columns[0], axis=0)
    for column in columns[1:]:
        every &= positive.take(column, axis=0)
    return every


def entry_values(
    coef_obj: Sequence[np.ndarray], coef_val: Sequence[np.ndarray], wg: np.ndarray
) -> np.ndarray:
    """Each effect entry's value per unit of change for its actor: the sum over its
    objectives of coefficient x weight x gain, added in column order (``wg`` is (K, G);
    ``coef_obj`` and ``coef_val`` are the columns of the sparse tables, ``coef_val``'s as
    (E, 1))."""
    total = coef_val[0] * wg.take(coef_obj[0], axis=0)
    for obj, val in zip(coef_obj[1:], coef_val[1:], strict=True):
        total += val * wg.take(obj, axis=0)
    return total


def choose_moves(rules: Rules, scores: np.ndarray) -> np.ndarray:
    """The bots' choice in every game: each actor's best-scoring moves, up to its action
    points, while they score above 0 (holding is worth 0), are different actions (an actor
    takes an action at most once a turn) and do not reverse each other; ties go to catalog
    order.

    Args:
        rules: the compiled rules (``rules.actor_moves``: each actor's moves, padded).
        scores: (M, G) every move's score in every game.

    Returns:
        (G, P) move indices: each actor's picks, best first, in its block of
        ``rules.action_points`` columns; -1 for points left unused.
    """
    table = rules.actor_moves  # (A, n), padded
    games = scores.shape[1]
    # each actor's pick at each point as a row of the flat (A x n) tables, or the row past
    # them (no move) for points left unused
    rows = np.empty((len(table), rules.max_points, games), dtype=np.int64)
    rows.fill(table.size)
    if table.shape[1] and rules.max_points:
        padded = scores.take(table, axis=0)  # (A, n, G)
        np.copyto(padded, -np.inf, where=rules.actor_move_pad)
        cells = padded.reshape(-1)
        columns = None if games == 1 else np.arange(games)
        for p in range(rules.max_points):
            best = padded.argmax(axis=1)  # (A, G) the first of equal scores: catalog order
            row = best + rules.actor_offsets  # (A, G) the row of (actor, best) in flat tables
            good = cells.take(row if games == 1 else row * games + columns) > 0  # its score
            if p >= rules.min_points:
                good &= rules.point_open[p]
            if not good.any():
                break
            np.copyto(rows[:, p, :], row, where=good)
            if p + 1 < rules.max_points:
                # one use per action (its other targets are out), and nothing it reverses
                clash = rules.conflict_rows.take(rows[:, p, :], axis=0)  # (A, G, n)
                np.copyto(padded, -np.inf, where=clash.transpose(0, 2, 1))
    # (G, P): each actor's block of its action points
    return rules.pick_moves.take(rows.reshape(-1, games).take(rules.point_cells, axis=0)).T


# --- phase 3: adjudication --------------------------------------------------------------------
def resolution_order(
    rules: Rules, chosen: np.ndarray, rank: np.ndarray | None = None
) -> np.ndarray:
    """Adjudication rule 1: the order in which each game's chosen moves resolve.

    ``chosen`` is (G, P): per game, every actor's moves in its block of columns (the actor's
    own ranking, best first), -1 for unused points; ``rank`` (P,) is each column's place in
    its block (default: blocks as wide as the actors' action points). Moves resolve by
    domain, then actor (``rules.resolve_key``), then the actor's ranking; unused points sort
    last.
    """
    points = chosen.shape[1]
    rank = (rules.point_rank if rank is None else rank)[None, :]
    valid = chosen >= 0
    if not valid.any():  # everyone holds (or the scenario has no moves at all)
        return chosen
    safe = np.where(valid, chosen, 0)
    key = np.where(
        valid,
        resolution_key(rules.resolve_keys, safe, rank, points, len(rules.moves)),
        np.iinfo(np.int64).max,
    )
    return np.take_along_axis(chosen, np.argsort(key, axis=1, kind="stable"), axis=1)


def resolution_key(table: Any, move: Any, rank: Any, points: int, n_moves: int) -> Any:
    """Adjudication rule 1 as a sort key: by the move's domain and actor (``table``, the
    rules' ``resolve_key``), then its rank in the actor's choice, then its index (a tie
    breaker only: an actor's ranks differ). ``rank`` < ``points``."""
    return (table[move] * points + rank) * n_moves + move


def clip_add(old: Any, delta: Any, lo: Any, hi: Any, ops: Ops) -> Any:
    """Adjudication rule 6: a change added and clipped at once to the variable's range
    (``lo if v < lo elif v > hi``; a nan stays nan)."""
    return ops.clip(old + delta, lo, hi)


def signalled_rung(highest: Any, succeeded: Any, rung: Any, ops: Ops) -> Any:
    """The highest rung signalled by the turn's successful moves so far."""
    return ops.where(succeeded & (rung > highest), rung, highest)


# --- phase 4: the world moves -----------------------------------------------------------------
MILITARY_RUNG = 4  # Kahn's "traditional crises" begin at rung 4, hardening of positions


def next_rung(rung: Any, signalled: Any, tension: Any, per_ten: Any, ops: Ops) -> Any:
    """Adjudication rule 8: the rung rises to the highest rung a successful move signalled;
    if none signalled the current rung or higher, it falls by one (never below 1).

    In a tense crisis a military signal reads higher: a signal of rung 4 or more (Kahn's
    traditional crises) climbs ``per_ten`` (``param.tension_rungs``) rungs for every 10
    points of tension above 50, whole rungs only. The same test is a show of force in a calm
    month and a step towards confrontation in a tense one (II.1 'Increased missile tests may
    provoke South Korea or the U.S., raising risks of military confrontation')."""
    lift = ops.floor(per_ten * ops.where(tension > 50.0, tension - 50.0, 0.0) / 10.0)
    signalled = ops.where(signalled >= MILITARY_RUNG, signalled + lift, signalled)
    lower = rung - 1.0
    return ops.where(signalled >= rung, signalled * 1.0, ops.where(lower > 1.0, lower, 1.0))


def shift_weight(weight: Any, delta: Any, ops: Ops) -> Any:
    """An objective's weight shifted by a trigger or inject; weights never fall below 0."""
    w = weight + delta
    return ops.where(w > 0.0, w, 0.0)


def trigger_fires(
    holds: Any, turn: int, last: Any, cooldown: int, once: bool, count: Any, ops: Ops
) -> Any:
    """Whether a risk trigger fires: its condition holds, its cooldown has passed since it
    last fired, and a ``once`` trigger has not fired before."""
    fires = ops.both(holds, turn - last > cooldown)
    if once:
        fires = ops.both(fires, count == 0)
    return fires


def newly_reached(holds: Any, not_yet: Any, ops: Ops) -> Any:
    """An outcome is recorded the first turn its condition holds."""
    return ops.both(holds, not_yet)


def window(rows: Any, turn: int, last: int, i: int) -> Any:
    """What a counter gained over the last ``last`` turns, this one included, from its
    running totals ``rows[turn][i]`` (``count()`` and ``fired()`` in conditions)."""
    return rows[turn][i] - rows[max(0, turn - last)][i]
