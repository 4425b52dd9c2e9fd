"""The game's memory of what happened: action and event counts by turn.

Conditions ask ``count('PRK', tag='missile_test', last=3)`` and ``fired('my_trigger',
last=6)``. :class:`History` answers both in constant time from cumulative counts kept per
turn, and is updated as actions resolve and events fire, so that a rule evaluated mid-turn
sees what has happened so far this turn.
"""

from __future__ import annotations

from tripwire.sim.turn import window


class History:
    """Cumulative counts of actions (per actor and count key) and events, turn by turn.

    Args:
        n_actors: number of count actors (the six plus ``any``).
        n_keys: number of count keys (``*``, tags, action ids).
        n_events: number of trigger and inject ids.
    """

    __slots__ = ("_actions", "_events", "n_keys", "turn")

    def __init__(self, n_actors: int, n_keys: int, n_events: int):
        self.n_keys = n_keys
        self.turn = 0
        self._actions: list[list[int]] = [[0] * (n_actors * n_keys)]
        self._events: list[list[int]] = [[0] * n_events]

    def begin_turn(self, turn: int) -> None:
        """Open a new turn's row (a copy of the running totals)."""
        self.turn = turn
        self._actions.append(list(self._actions[-1]))
        self._events.append(list(self._events[-1]))

    def add_action(self, rows: tuple[int, ...]) -> None:
        """Record one action taken, under each of its counter rows
        (``Rules.move_count_rows``: its keys, for its actor and for ``any``)."""
        row = self._actions[-1]
        for i in rows:
            row[i] += 1

    def add_event(self, event: int) -> None:
        """Record one firing of a trigger or inject."""
        self._events[-1][event] += 1

    def count(self, actor: int, key: int, last: int) -> int:
        """Actions by ``actor`` under ``key`` in the last ``last`` turns, this one included."""
        return window(self._actions, self.turn, last, actor * self.n_keys + key)

    def fired(self, event: int, last: int) -> int:
        """Firings of ``event`` in the last ``last`` turns, this one included."""
        return window(self._events, self.turn, last, event)

    def rows(self) -> tuple[list[list[int]], list[list[int]]]:
        """The running totals of actions and events after each turn so far (turn 0 first)."""
        return self._actions, self._events

    def total_events(self, event: int) -> int:
        """Firings of ``event`` so far."""
        return self._events[-1][event]
