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
    """Utility-maximising bot with seeded noise: the choice of
    :func:`tripwire.sim.turn.choose_moves`, made once for every actor in the view.

    Each legal move scores its expected utility (objective gains minus cost and risk
    aversion) plus ``noise x Gumbel`` (a random-utility, i.e. softmax, choice); the bot takes
    its best-scoring moves, up to its action points, while they beat holding (utility 0).
    """

    def choose(self, actor_index: int, view: DecisionView) -> list[int]:
        return view.ranked[actor_index][: view.rules.action_points[actor_index]]


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
