"""Many games of one scenario played in lockstep: the batch engine.

A batch plays thousands of bot-only games of one scenario. :class:`CrisisModel` plays one
game at a time, and most of a turn's cost there is Python's and numpy's per-call overhead on
small arrays, the same calls for every game. :class:`LockstepModel` plays ``G`` games at
once: the state is a ``(V, G)`` matrix with a column per game, and every phase of the turn
(docs/architecture.md, One turn) is one set of array operations over all columns, so the overhead is
paid once per turn for all of them.

It is a Mesa model like the one-game model: one step per turn, six
:class:`LockstepCountry` agents that each choose their moves in every game at once.

**Its results are those of the one-game model, to the last bit.** Each game keeps its own
random generator, seeded like :class:`CrisisModel` (``numpy.random.default_rng(seed)``),
and draws the same blocks in the same order; the conditions run through the element-wise
twin of the scalar compiler (:mod:`tripwire.scenario.vectorized`); every sum adds the same
numbers in the same order as the scalar code, and ``min``/``max`` and clipping keep
Python's rules. ``tests/test_lockstep.py`` plays every bundled scenario, and scenarios that
use every feature of the rules, both ways and compares the games field by field.

What it does not do: write event logs (with ``events=True`` it records each game's events
in lean columns, the actions, holds, injects, triggers and outcomes the one-game model logs,
in the same order: ``tripwire batch --events``) or take human seats and white-cell acts;
those are :class:`CrisisModel`'s job. It can continue a game in progress with bots in every seat
(:meth:`LockstepModel.continuing`), which is how a session's fork plays its futures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from tripwire.scenario.vectorized import (
    VectorGroup,
    compile_vector_group,
    compile_vector_update,
    reads,
)
from tripwire.sim import turn as rule
from tripwire.sim.rules import COUNT_ACTORS, Effects, InjectRule, Rules
from tripwire.sim.turn import ARRAY

if TYPE_CHECKING:
    from tripwire.sim.model import CrisisModel

GROUP_ABOVE = 4  # re-checks of more different moves than this use the compiled group


def _table(rows: Sequence[Sequence[Any]], pad: Any, dtype: Any) -> np.ndarray:
    """A list of rows of different lengths as a padded 2-D array (at least one column)."""
    width = max(1, max((len(r) for r in rows), default=0))
    out = np.full((len(rows), width), pad, dtype=dtype)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def _rows_of(slots: np.ndarray, n: int) -> np.ndarray:
    """(n,) the row of each item in a compiled group's result, or -1."""
    rows = np.full(n, -1, dtype=np.int64)
    rows[slots] = np.arange(len(slots))
    return rows


class Kernel:
    """What the lockstep engine compiles once per :class:`Rules` (see :func:`kernel`)."""

    def __init__(self, rules: Rules):
        src, n_moves = rules.sources, len(rules.moves)
        self.sources = src
        self._single: dict[tuple[str, int], VectorGroup] = {}
        group = compile_vector_group
        self.precondition = group(src.precondition, "bool") if src.precondition else None
        self.success = group(src.success, "num") if src.success else None
        self.gain = group(src.gain, "num") if src.gain else None
        self.inject_when = group(src.inject_when, "bool") if src.inject_when else None
        self.trigger = group(src.trigger, "bool") if src.trigger else None
        self.outcome = group(src.outcome, "bool") if src.outcome else None
        self.update = compile_vector_update(src.dynamics, rules.lo_list, rules.hi_list)
        self.pre_row = _rows_of(rules.precondition_slots, n_moves)
        self.success_row = _rows_of(rules.success_slots, n_moves)
        # what adjudication rules 2 and 3 evaluate again: the compiled group, each move's
        # row in it, and the kind of its values
        self.rechecks = {
            "precondition": (self.precondition, self.pre_row, "bool"),
            "success": (self.success, self.success_row, "num"),
        }
        # effects as padded tables with a row per (move, outcome): row 2m is move m's
        # success effects, row 2m + 1 its failure effects, as (variable, delta) pairs
        rows = [e for pair in zip(rules.effects_success, rules.effects_failure, strict=True)
                for e in pair]  # fmt: skip
        self.effect_var = _table([[i for i, _ in e] for e in rows], 0, np.int64)
        self.effect_delta = _table([[d for _, d in e] for e in rows], 0.0, np.float64)
        self.effect_count = np.array([len(e) for e in rows], dtype=np.int64)
        self.effect_slots = np.arange(self.effect_var.shape[1])[None, :]
        # moves that name a variable twice (an explicit effect on the relation their target
        # moves anyway) must add their changes one after the other
        self.repeats = np.array([len({i for i, _ in e}) < len(e) for e in rows])
        # the history rows each move adds to (Rules.move_count_rows), padded with a scratch
        # row past the last real one
        n_keys = len(rules.count_keys)
        self.history_rows = len(COUNT_ACTORS) * n_keys + 1
        self.key_rows = _table(rules.move_count_rows, self.history_rows - 1, np.int64)
        self.stale = self._stale(rules, rules.move_count_rows)
        self.escalation = np.array([mv.escalation_score for mv in rules.moves], dtype=np.float64)
        self.rung = np.array([mv.rung for mv in rules.moves], dtype=np.int64)

    def single(self, part: str, move: int) -> VectorGroup:
        """One move's precondition or success chance (``part``), compiled on first use."""
        key = (part, move)
        fn = self._single.get(key)
        if fn is None:
            _, rows, kind = self.rechecks[part]
            item = getattr(self.sources, part)[rows[move]]
            fn = self._single[key] = compile_vector_group([item], kind)
        return fn

    @staticmethod
    def _stale(rules: Rules, key_rows: Sequence[Sequence[int]]) -> np.ndarray:
        """(M, M): whether move ``a``, taken earlier in a turn, can change what move ``b``'s
        precondition or success chance reads (so that they must be evaluated again)."""
        n_moves, n_keys = len(rules.moves), len(rules.count_keys)
        src = rules.sources
        pre = dict(zip(rules.precondition_slots.tolist(), src.precondition, strict=True))
        chance = dict(zip(rules.success_slots.tolist(), src.success, strict=True))
        read_vars = np.zeros((len(rules.lo), n_moves), dtype=bool)
        read_rows = np.zeros((len(COUNT_ACTORS) * n_keys, n_moves), dtype=bool)
        for m in range(n_moves):
            for item in (pre.get(m), chance.get(m)):
                if item is not None:
                    variables, counters = reads(*item)
                    read_vars[sorted(variables), m] = True
                    read_rows[[a * n_keys + key for a, key in counters], m] = True
        written_vars = np.zeros((n_moves, len(rules.lo)), dtype=bool)
        written_rows = np.zeros((n_moves, len(COUNT_ACTORS) * n_keys), dtype=bool)
        for m in range(n_moves):
            for i, _ in (*rules.effects_success[m], *rules.effects_failure[m]):
                written_vars[m, i] = True
            written_rows[m, list(key_rows[m])] = True
        # one float32 product (BLAS; integer products have no fast path): each entry counts
        # the shared things, exactly, since the counts are far below float32's 2**24
        written = np.hstack([written_vars, written_rows]).astype(np.float32)
        read = np.vstack([read_vars, read_rows]).astype(np.float32)
        return (written @ read) > 0


def kernel(rules: Rules) -> Kernel:
    """The compiled lockstep kernel of some rules (built once, kept with the rules)."""
    built = rules.cache.get("lockstep")
    if built is None:
        built = rules.cache["lockstep"] = Kernel(rules)
    return built


@dataclass(slots=True)
class LockstepResult:
    """Per-game results, one column per game (the order of the seeds).

    Attributes:
        seeds: (G,) the games' seeds.
        reached: (O, G) the turn each outcome was first reached, 0 if never.
        peak_rung: (G,) the highest rung reached.
        total_score: (G,) the sum of the turns' escalation scores.
        trigger_counts: (T, G) how often each trigger fired.
        move_counts: (M, G) how often each move was taken.
        state: (V, G) the final state.
        series: (turns + 1, G, n) the watched variables after every turn (turn 0 first).
        events: with ``events=True``, one entry per event of every game, in the order the
            one-game model logs them (see :meth:`LockstepModel.event_columns`); else None.
    """

    seeds: np.ndarray
    reached: np.ndarray
    peak_rung: np.ndarray
    total_score: np.ndarray
    trigger_counts: np.ndarray
    move_counts: np.ndarray
    state: np.ndarray
    series: np.ndarray
    events: dict[str, np.ndarray] | None = None


# The kinds of events the lockstep engine records (``events=True``), as the one-game model's
# log names them: an action resolved (taken, or cancelled by rule 2), an actor holding,
# an inject, a trigger and an outcome reached.
EVENT_KINDS = ("action", "hold", "inject", "trigger", "outcome")
ACTION, HOLD, INJECT, TRIGGER, OUTCOME = range(len(EVENT_KINDS))


class LockstepCountry(mesa.Agent):
    """One country's seat in every game of a lockstep batch, played by the bot policy.

    Its choice is the bots' rule, :func:`tripwire.sim.turn.choose_moves`, made for every
    actor and game at once in the decision phase; the agent takes its own columns.
    """

    model: LockstepModel

    def __init__(self, model: LockstepModel, actor_index: int):
        super().__init__(model)
        self.actor_index = actor_index
        self.chosen = np.empty((0, 0), dtype=np.int64)

    def decide(self) -> None:
        self.chosen = self.model.picks[:, self.model.rules.point_blocks[self.actor_index]]


class LockstepModel(mesa.Model):
    """``len(seeds)`` bot-only games of one scenario, played together (module docstring).

    Args:
        rules: the compiled scenario.
        seeds: one seed per game; game ``g`` is the game ``CrisisModel(rules, rng=seeds[g])``
            plays.
        turns: number of turns (default: the scenario's).
        series: variables whose value to keep after every turn.
        events: also record every game's events (actions, holds, injects, triggers,
            outcomes), the lean twin of the one-game model's event log.
    """

    def __init__(
        self,
        rules: Rules,
        seeds: Sequence[int],
        *,
        turns: int | None = None,
        series: Sequence[str] = (),
        events: bool = False,
        initial: np.ndarray | None = None,
        risk_tolerance: np.ndarray | None = None,
    ):
        """``initial``: each game's starting state, (V, G), instead of the rules' own (for
        designs whose points differ only in starting values: see
        :func:`tripwire.batch.sensitivity.play_group`; the values are clipped to the
        variables' ranges as compiling a scenario clips them); ``risk_tolerance``: each
        game's actors' risk tolerances, (actors, G), instead of the rules' own."""
        super().__init__(rng=int(seeds[0]) if len(seeds) else 0)
        # (kind, turn, games, what, success, cancelled) blocks, in the order of the log
        self.recorded: list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.record_events = events
        self.rules = rules
        self.k = kernel(rules)
        self.seeds = np.asarray(seeds, dtype=np.int64)
        self.games = g = len(self.seeds)
        self.turns = rules.turns if turns is None else int(turns)
        self.turn = 0
        n_moves = len(rules.moves)
        self.generators = [np.random.default_rng(int(seed)) for seed in self.seeds]
        self.draws = np.empty((g, len(rules.chance_injects) + n_moves))
        self.gumbel = np.empty((g, n_moves))
        if initial is None:
            self.state = np.repeat(rules.initial[:, None], g, axis=1)  # only written in place
        else:
            if initial.shape != (len(rules.initial), g):
                raise ValueError(f"initial must be (variables, games): {initial.shape}")
            lo, hi = rules.lo[:, None], rules.hi[:, None]
            self.state = np.ascontiguousarray(np.clip(initial, lo, hi), dtype=np.float64)
        self._cells = self.state.reshape(-1)  # a flat view of it (the array is C-contiguous)
        self.weights = np.repeat(rules.weights0[:, None], g, axis=1)
        self.aversion: np.ndarray | None = None  # (M, G) when the games' actors differ
        if risk_tolerance is not None:
            # as compile_rules computes rules.move_aversion, one game per column
            self.aversion = (1.0 - risk_tolerance)[rules.move_actor] * rules.move_risk[:, None]
        self.recent = np.zeros((rules.n_groups, g))
        self.stance = np.zeros((rules.n_groups, g))
        self.move_counts = np.zeros((n_moves, g), dtype=np.int64)
        self.actions = np.zeros((self.turns + 1, self.k.history_rows, g), dtype=np.int64)
        self.events = np.zeros((self.turns + 1, len(rules.event_ids), g), dtype=np.int64)
        self.reached = np.zeros((len(rules.outcome_ids), g), dtype=np.int64)
        self.trigger_counts = np.zeros((len(rules.triggers), g), dtype=np.int64)
        self.trigger_last = np.full((len(rules.triggers), g), -(10**9), dtype=np.int64)
        self.peak_rung = self.state[rules.rung_index].copy()
        self.total_score = np.zeros(g)
        self.picks = np.empty((g, 0), dtype=np.int64)  # the bots' choices this turn
        self._columns = np.arange(g)
        self._series_index = np.array([rules.index[v] for v in series], dtype=np.int64)
        self._series = [self.state[self._series_index].T.copy()]
        self.queued: list[InjectRule] = []  # injects the white cell queued for the next turn
        self.countries = [LockstepCountry(self, a) for a in range(len(rules.actors))]
        self.running = self.turns > 0 and g > 0

    @classmethod
    def continuing(cls, game: CrisisModel, seeds: Sequence[int]) -> LockstepModel:
        """Bot continuations of a game in progress (between turns), one per seed.

        Game ``g`` is the game a copy of ``game`` plays with bots in every seat and the
        random generator ``numpy.random.default_rng(seeds[g])`` from its next turn on
        (injects the white cell queued for the next turn included).
        """
        if game.pending is not None:
            raise ValueError("continue a game between turns, not during one")
        games = cls(game.rules, seeds, turns=game.turns)
        n, turn = games.games, game.turn
        games.turn = turn
        games.state[:] = game.state[:, None]
        games.weights[:] = game.weights[:, None]
        games.recent[:] = game.recent[:, None]
        games.stance[:] = game.stance[:, None]
        games.move_counts[:] = game.move_counts[:, None]
        past_actions, past_events = game.history.rows()
        games.actions[: turn + 1, :-1] = np.asarray(past_actions, dtype=np.int64)[:, :, None]
        games.events[: turn + 1] = np.asarray(past_events, dtype=np.int64)[:, :, None]
        games.reached[:] = np.array([t or 0 for t in game.reached.values()])[:, None]
        games.trigger_counts[:] = np.array(list(game.trigger_counts.values()))[:, None]
        games.trigger_last[:] = np.array(game.trigger_last, dtype=np.int64)[:, None]
        games.peak_rung[:] = game.peak_rung
        games.total_score[:] = game.total_score
        games.queued = list(game.queued_injects)
        games._series = [games.state[games._series_index].T.copy()]
        games.running = turn < games.turns and n > 0
        return games

    # --- what conditions read -------------------------------------------------------------
    def count(self, actor: int, key: int, last: int) -> np.ndarray:
        row = actor * len(self.rules.count_keys) + key
        return rule.window(self.actions, self.turn, last, row)

    def fired(self, event: int, last: int) -> np.ndarray:
        return rule.window(self.events, self.turn, last, event)

    def _args(self) -> tuple[Any, ...]:
        return self.state, self.count, self.fired, self.turn

    # --- the turn ---------------------------------------------------------------------------
    def step(self) -> None:
        """Play one turn in every game (the phases of :meth:`CrisisModel.step`)."""
        if not self.running:
            raise RuntimeError("the games are over")
        with np.errstate(all="ignore"):  # nan/inf follow IEEE rules, as in the scalar model
            self._step()

    def run(self) -> LockstepModel:
        while self.running:
            self.step()
        return self

    def _step(self) -> None:
        rules, k = self.rules, self.k
        self.turn += 1
        t = self.turn
        self.actions[t] = self.actions[t - 1]
        self.events[t] = self.events[t - 1]
        for g, gen in enumerate(self.generators):  # each game's own dice
            self.draws[g], self.gumbel[g] = rule.roll_dice(gen, rules)
        n_chance = len(rules.chance_injects)
        self._fire_injects(self.draws[:, :n_chance])
        success = self._decide()
        self.agents.do("decide")
        chosen = np.concatenate([c.chosen for c in self.countries], axis=1)
        score, max_rung, taken = self._resolve(chosen, success, self.draws[:, n_chance:])
        if self.record_events:  # an actor that chose no move holds (after the moves)
            for country in self.countries:
                holds = ~(country.chosen >= 0).any(axis=1)
                if holds.any():
                    self._record(HOLD, holds, np.full(self.games, country.actor_index), True)
        s = self.state
        cells: list[tuple[np.ndarray, np.ndarray]] = []  # (move, game) of every move taken
        for mm, doing in taken:  # an action at most once a turn: no repeats within a game
            games = np.flatnonzero(doing)
            cells.append((mm[games], games))
            self.move_counts[mm[games], games] += 1
        moves = np.concatenate([m for m, _ in cells]) if cells else np.empty(0, np.intp)
        games = np.concatenate([g for _, g in cells]) if cells else np.empty(0, np.intp)
        rule.remember(rules, s, self.recent, self.stance, (rules.move_group[moves], games))
        s[rules.score_index] = score
        s[rules.rung_index] = rule.next_rung(
            s[rules.rung_index],
            max_rung,
            s[rules.tension_index],
            s[rules.tension_rungs_index],
            ARRAY,
        )
        k.update(*self._args())
        self._fire_triggers()
        if k.outcome is not None:
            newly = rule.newly_reached(k.outcome(*self._args()), self.reached == 0, ARRAY)
            self.reached[newly] = t
            if self.record_events:
                for i in range(len(rules.outcome_ids)):
                    if newly[i].any():
                        self._record(OUTCOME, newly[i], np.full(self.games, i), True)
        self.total_score += score
        rung = s[rules.rung_index]
        self.peak_rung = np.where(rung > self.peak_rung, rung, self.peak_rung)
        self._series.append(s[self._series_index].T.copy())
        if t >= self.turns:
            self.running = False

    def _apply(self, effects: Effects, mask: np.ndarray) -> None:
        """Add each change where ``mask`` holds and clip it (adjudication rule 6)."""
        s, lo, hi = self.state, self.rules.lo_list, self.rules.hi_list
        for i, delta in effects:
            row = s[i]
            s[i] = np.where(mask, rule.clip_add(row, delta, lo[i], hi[i], ARRAY), row)

    def _shift_weights(self, pairs: Effects, mask: np.ndarray) -> None:
        for k, delta in pairs:
            w = self.weights[k]
            self.weights[k] = np.where(mask, rule.shift_weight(w, delta, ARRAY), w)

    def _inject(self, inject: InjectRule, mask: np.ndarray) -> None:
        if self.record_events:
            self._record(INJECT, mask, np.full(self.games, inject.event_index), True)
        self._apply(inject.effects, mask)
        self._shift_weights(inject.weights, mask)
        self.events[self.turn, inject.event_index] += mask

    def _fire_injects(self, rolls: np.ndarray) -> None:
        t = self.turn
        when = self.k.inject_when(*self._args()) if self.k.inject_when is not None else None
        every = np.ones(self.games, dtype=bool)
        queued, self.queued = self.queued, []
        due = rule.due_injects(
            self.rules, t, queued, when, rolls.T, lambda e: self.events[t, e], every, ARRAY
        )
        for inject, _, mask in due:
            if mask.any():
                self._inject(inject, mask)

    def _decide(self) -> np.ndarray:
        """Phase 2: legality, success chances, utilities and scores of every move in every
        game, and the bots' choices (``self.picks``); returns the success chances."""
        rules, k, g = self.rules, self.k, self.games
        args = self._args()
        legal = np.ones((len(rules.moves), g), dtype=bool)
        if k.precondition is not None:
            legal[rules.precondition_slots] = k.precondition(*args)
        success = np.repeat(rules.success_const[:, None], g, axis=1)
        if k.success is not None:
            success[rules.success_slots] = rule.success_chance(k.success(*args), ARRAY)
        gains = np.repeat(rules.gain_const[:, None], g, axis=1)
        if k.gain is not None:
            gains[rules.gain_slots] = k.gain(*args)
        _, scores = rule.move_scores(
            rules,
            self.state,
            self.weights,
            gains,
            success,
            self.recent,
            self.stance,
            self.gumbel.T,
            legal,
            self.aversion,
        )
        self.picks = rule.choose_moves(rules, scores)
        return success

    def _resolve(
        self, chosen: np.ndarray, success_at_decision: np.ndarray, rolls: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """Phase 3 (adjudication rules 1-7) in every game; returns, per game, the turn's
        escalation score and the highest rung a successful move signalled, and per slot of
        the resolution order the moves and whether they were taken."""
        rules, k, t, cols = self.rules, self.k, self.turn, self._columns
        score = np.zeros(self.games)
        max_rung = np.zeros(self.games, dtype=np.int64)
        taken: list[tuple[np.ndarray, np.ndarray]] = []
        if not (chosen >= 0).any():  # every actor holds (or a scenario without moves)
            return score, max_rung, taken
        ordered = rule.resolution_order(rules, chosen)
        made = np.zeros((rules.n_joint + 1, self.games), dtype=bool)  # adjudication rule 9
        joint_key = np.where(rules.joint_key >= 0, rules.joint_key, rules.n_joint)
        for j in range(chosen.shape[1]):
            m = ordered[:, j]
            active = m >= 0
            if not active.any():
                break  # unused points sort last
            mm = np.where(active, m, 0)
            active = active & ~made[joint_key[mm], cols]  # a partner's copy joins the move made
            # rules 2 and 3 evaluate the precondition and chance as they are now; they differ
            # from the decision's only where an earlier move of the game changed what they read
            stale = np.zeros(self.games, dtype=bool)
            for before, took in taken:
                stale |= took & k.stale[before, mm]
            stale &= active
            doing = active
            again = stale & (k.pre_row[mm] >= 0)
            if again.any():
                doing = active & (~again | (self._again("precondition", mm, again) != 0))
            if self.record_events and (active & ~doing).any():  # cancelled by rule 2
                self._record(ACTION, active & ~doing, mm, False, cancelled=True)
            if not doing.any():
                continue
            p = success_at_decision[mm, cols]
            again = stale & doing & (k.success_row[mm] >= 0)
            if again.any():
                now = rule.success_chance(self._again("success", mm, again), ARRAY)
                p = np.where(again, now, p)
            won = rolls[cols, mm] < p
            if self.record_events:
                self._record(ACTION, doing, mm, won)
            self._apply_moves(mm, won, doing)
            for q in range(k.key_rows.shape[1]):
                self.actions[t, k.key_rows[mm, q], cols] += doing
            np.add(score, k.escalation[mm], out=score, where=doing)
            max_rung = rule.signalled_rung(max_rung, doing & won, k.rung[mm], ARRAY)
            taken.append((mm, doing))
            made[joint_key[mm], cols] |= doing
            made[rules.n_joint] = False  # the row of moves that are not joint
        return score, max_rung, taken

    def _again(self, part: str, moves: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Each game's move's precondition or success chance (``part``) evaluated now, where
        ``where`` holds (0 elsewhere).

        A few different moves are evaluated one by one; many at once through the compiled
        group of all of them (one call costs about as much as a handful of single ones).
        """
        k = self.k
        group, rows, _ = k.rechecks[part]
        unique = np.unique(moves[where]).tolist()
        if len(unique) > GROUP_ABOVE:
            now = group(*self._args())
            return np.where(where, now[np.maximum(rows[moves], 0), self._columns], 0.0)
        out = np.zeros(self.games, dtype=np.float64)
        for m in unique:
            games = where & (moves == m)
            out[games] = k.single(part, m)(*self._args())[0][games]
        return out

    def _apply_moves(self, mm: np.ndarray, won: np.ndarray, doing: np.ndarray) -> None:
        """Rules 4-6: each game's move applies its success or failure effects, each change
        clipped to the variable's range.

        Games are columns, and a move's effects name different variables, so every change of
        every game is independent: one gather, add, clip and scatter applies them all. The
        rare move that names a variable twice has its changes added one after the other.
        """
        k, games = self.k, np.flatnonzero(doing)
        rows = 2 * mm[games] + ~won[games]
        repeats = k.repeats[rows]
        if repeats.any():
            for e in range(k.effect_var.shape[1]):
                self._change(games[repeats], rows[repeats], e)
            games, rows = games[~repeats], rows[~repeats]
        which, slot = np.nonzero(k.effect_slots < k.effect_count[rows][:, None])
        self._change(games[which], rows[which], slot)

    def _change(self, games: np.ndarray, rows: np.ndarray, slot: Any) -> None:
        """Add the effect ``slot`` of ``rows`` (see :class:`Kernel`) to ``games``, clipped."""
        k, lo, hi = self.k, self.rules.lo, self.rules.hi
        keep = slot < k.effect_count[rows]
        games, rows, slot = games[keep], rows[keep], np.broadcast_to(slot, keep.shape)[keep]
        var = k.effect_var[rows, slot]
        flat = var * self.games + games
        delta = k.effect_delta[rows, slot]
        self._cells[flat] = rule.clip_add(self._cells[flat], delta, lo[var], hi[var], ARRAY)

    def _fire_triggers(self) -> None:
        rules, k, t = self.rules, self.k, self.turn
        if k.trigger is None:
            return
        holds = k.trigger(*self._args())
        for i, trigger in enumerate(rules.triggers):
            fire = rule.trigger_fires(
                holds[i], t, self.trigger_last[i], trigger.cooldown, trigger.once,
                self.trigger_counts[i], ARRAY,
            )  # fmt: skip
            if not fire.any():
                continue
            self.trigger_last[i][fire] = t
            self.trigger_counts[i] += fire
            if self.record_events:
                self._record(TRIGGER, fire, np.full(self.games, i), True)
            self.events[t, trigger.event_index] += fire
            self._apply(trigger.effects, fire)
            self._shift_weights(trigger.weights, fire)
            if trigger.inject is not None:
                self._inject(rules.library[trigger.inject], fire)

    def _record(
        self,
        kind: int,
        where: np.ndarray,
        what: np.ndarray,
        success: Any,
        *,
        cancelled: bool = False,
    ) -> None:
        """Keep the events of one kind happening now in the games ``where`` holds: ``what``
        is, per game, the move, actor, inject's event index, trigger or outcome."""
        games = np.flatnonzero(where)
        won = np.broadcast_to(np.asarray(success, dtype=bool), (self.games,))[games]
        flag = np.full(len(games), cancelled)
        self.recorded.append((kind, self.turn, games, np.asarray(what)[games], won, flag))

    def event_columns(self) -> dict[str, np.ndarray]:
        """Every recorded event as columns, sorted by game, then in the order it happened
        (the order of the one-game model's log): ``game`` (the position of its seed),
        ``turn``, ``kind`` (an index of EVENT_KINDS), ``what`` (the move for an action, the
        actor for a hold, the inject's event index, the trigger, the outcome), ``success``
        and ``cancelled``."""
        if not self.recorded:
            empty = np.zeros(0, dtype=np.int64)
            return {"game": empty, "turn": empty, "kind": empty, "what": empty,
                    "success": empty.astype(bool), "cancelled": empty.astype(bool)}  # fmt: skip
        parts = list(zip(*self.recorded, strict=True))
        sizes = [len(g) for g in parts[2]]
        cols = {
            "game": np.concatenate(parts[2]),
            "turn": np.repeat(np.asarray(parts[1], dtype=np.int64), sizes),
            "kind": np.repeat(np.asarray(parts[0], dtype=np.int64), sizes),
            "what": np.concatenate(parts[3]).astype(np.int64),
            "success": np.concatenate(parts[4]),
            "cancelled": np.concatenate(parts[5]),
        }
        order = np.argsort(cols["game"], kind="stable")  # recorded in time order
        return {name: column[order] for name, column in cols.items()}

    def result(self) -> LockstepResult:
        """The games' results (call after :meth:`run`)."""
        return LockstepResult(
            seeds=self.seeds,
            reached=self.reached,
            peak_rung=self.peak_rung,
            total_score=self.total_score,
            trigger_counts=self.trigger_counts,
            move_counts=self.move_counts,
            state=self.state,
            series=np.stack(self._series),
            events=self.event_columns() if self.record_events else None,
        )
