"""How an actor chooses its moves: bots by utility, seats by what they were told.

A policy sees a :class:`DecisionView` (what an actor knows when it decides: the state at the
start of the turn, the legal moves, their expected utilities and success chances, and this
turn's pre-drawn random taste) and returns the moves it takes. Decisions are simultaneous:
every policy gets the same view of the same state, and nothing another actor chose this turn.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from tripwire.sim.rules import Rules


@dataclass(slots=True, eq=False)
class DecisionView:
    """What every actor knows when deciding a turn (policies must treat it as read-only).

    Attributes:
        turn: the turn being decided.
        rules: the compiled rules (the moves and their data).
        state: the state at the start of the decision phase (read-only).
        legal: (M,) whether each move's precondition holds.
        utility: (M,) each move's expected utility for its actor, without noise.
        success: (M,) each move's chance of success.
        gumbel: (M,) this turn's standard Gumbel draws, one per move.
        scores: (M,) utility plus each actor's noise x Gumbel; -inf for illegal moves.
        ranked: per actor, its best moves (up to its action points) that score above 0.
    """

    turn: int
    rules: Rules
    state: np.ndarray
    legal: np.ndarray
    utility: np.ndarray
    success: np.ndarray
    gumbel: np.ndarray
    scores: np.ndarray
    ranked: list[list[int]]

    def legal_moves(self, actor_index: int) -> list[int]:
        """Indices of the legal moves of one actor."""
        sl = self.rules.actor_slices[actor_index]
        return [sl.start + i for i in np.flatnonzero(self.legal[sl])]


class Policy(Protocol):
    """Chooses an actor's moves for a turn."""

    def choose(self, actor_index: int, view: DecisionView) -> list[int]:
        """Return the indices of the moves to take (at most the actor's action points)."""
        ...


class BotPolicy:
    """Utility-maximising bot with seeded noise.

    Each legal move scores its expected utility (objective gains minus cost and risk
    aversion) plus ``noise x Gumbel`` (a random-utility, i.e. softmax, choice); the bot takes
    its best-scoring moves, up to its action points, while they beat holding (utility 0).
    """

    def choose(self, actor_index: int, view: DecisionView) -> list[int]:
        return view.ranked[actor_index][: view.rules.action_points[actor_index]]


def rank_moves(rules: Rules, scores: np.ndarray) -> list[list[int]]:
    """Per actor, its best moves (up to its action points) that score above 0, best first.

    One sort for all actors, by actor and then by score, descending (ties: catalog order).
    An actor takes an action at most once a turn: a second target of the same action is
    skipped in favour of its next-best different action.
    """
    order = np.lexsort((-scores, rules.move_actor)).tolist()
    values = scores.tolist()
    group = rules.move_group_list
    ranked: list[list[int]] = []
    for sl, points in zip(rules.actor_slices, rules.action_points, strict=True):
        # moves are grouped by actor, so this actor's moves occupy the same span of `order`
        picked: list[int] = []
        seen: set[int] = set()
        for m in order[sl.start : sl.stop]:
            if values[m] <= 0 or len(picked) == points:
                break
            if group[m] not in seen:
                seen.add(group[m])
                picked.append(m)
        ranked.append(picked)
    return ranked


class HumanSeat:
    """A seat played by people: it decides nothing itself.

    The model leaves the seat pending when a turn begins; the board or a script then calls
    :meth:`tripwire.sim.model.CrisisModel.decide` with the seat's choice.
    """

    def choose(self, actor_index: int, view: DecisionView) -> None:
        return None


class QueuedPolicy:
    """Plays moves handed to it from outside (human seats, scripts, tests).

    Each turn it takes the next entry of its queue: a list of move indices (possibly empty,
    which holds). When the queue is empty it falls back to another policy (by default a bot),
    so that a seat with nothing queued still plays.
    """

    def __init__(self, turns: Iterable[Sequence[int]] = (), fallback: Policy | None = None):
        self.queue: deque[list[int]] = deque(list(t) for t in turns)
        self.fallback = fallback or BotPolicy()

    def push(self, moves: Sequence[int]) -> None:
        """Queue the moves for the next turn not yet decided."""
        self.queue.append(list(moves))

    def choose(self, actor_index: int, view: DecisionView) -> list[int]:
        if not self.queue:
            return self.fallback.choose(actor_index, view)
        moves = self.queue.popleft()
        sl = view.rules.actor_slices[actor_index]
        for m in moves:
            if not sl.start <= m < sl.stop:
                raise ValueError(
                    f"move {m} does not belong to actor {view.rules.actors[actor_index]}"
                )
        return moves


def expected_utilities(
    rules: Rules,
    state: np.ndarray,
    weights: np.ndarray,
    gains: np.ndarray,
    success: np.ndarray,
    *,
    recent: np.ndarray,
) -> np.ndarray:
    """Every move's expected utility for its own actor, as array work.

    utility(m) = sum over the actor's objectives k of weight_k x gain_k x (terms_k . E_m)
                 - cost_m - (1 - risk_tolerance) x param.risk_aversion x risk_m x tension/50
                 - param.repetition_cost x recent_m

    where E_m is the move's *expected effective* change of the state: the success and failure
    deltas, each clipped at the variables' ranges (so a capability at its maximum is not worth
    pursuing), weighted by the chance of success; risk_m is the move's escalation score in
    units of 12 points (a non-violent act); and recent_m counts the actor's recent uses of the
    same action, decayed by param.repetition_memory each turn (repeated signals lose value).
    Effects are sparse (a few variables per move), so the sums run over their nonzero entries.
    """
    sp = rules.sparse
    now = state[sp.var]
    applied = np.minimum(np.maximum(now + sp.delta, sp.lo), sp.hi) - now
    chance = success[sp.move]
    weight = np.where(sp.on_success, chance, 1.0 - chance)
    value = np.bincount(
        sp.move,
        weights=entry_values(sp.coef_obj, sp.coef_val, weights * gains) * applied * weight,
        minlength=len(success),
    )
    tension = state[rules.index["world.tension"]]
    scale = state[rules.index["param.risk_aversion"]] * tension / 50.0
    fatigue = state[rules.index["param.repetition_cost"]] * recent[rules.move_group]
    return value - rules.move_cost - scale * rules.move_aversion - fatigue


def entry_values(coef_obj: np.ndarray, coef_val: np.ndarray, wg: np.ndarray) -> np.ndarray:
    """Each effect entry's value per unit of change for its actor: the sum over its
    objectives of coefficient x weight x gain, added in column order.

    ``wg`` is (K,) for one game or (K, G) for many (the result is then (E, G)); both shapes
    add the same numbers in the same order, so they agree to the last bit.
    """
    shape = (-1,) + (1,) * (wg.ndim - 1)
    total = coef_val[:, 0].reshape(shape) * wg[coef_obj[:, 0]]
    for j in range(1, coef_obj.shape[1]):
        total = total + coef_val[:, j].reshape(shape) * wg[coef_obj[:, j]]
    return total
