"""A game's event log, read: the one reader of the board, the reports, the turn table and the
room (docs/event-log.md).

:func:`read_game` reads a log file, checked by :func:`tripwire.logfile.read_log`;
:meth:`Game.from_records` arranges records already in memory (a game being played, a
session's log). A :class:`Game` is the header, the turns (each its end-of-turn snapshot with
the events that led to it, ``turns[i].turn == i``) and the result (None for a game cut short).
Events logged after the last snapshot (the white cell's acts that open the next turn, or a
turn cut short) are kept apart, as ``pending``: the board has no state to show them against,
the review lists them. The words for each record are :func:`tripwire.sim.events.describe`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tripwire.dates import turn_month
from tripwire.errors import Diagnostic, InputError, Location
from tripwire.logfile import read_log

RUNG = "world.escalation_rung"
SCORE = "world.escalation_score"
MARKED = ("inject", "trigger", "outcome")  # the kinds the board's timeline marks

Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn of a log: its end-of-turn snapshot and the events that led to it."""

    turn: int
    snapshot: Record
    events: tuple[Record, ...]


@dataclass(frozen=True, slots=True)
class Game:
    """A game's log arranged by turn (build it with :meth:`from_records` or :func:`read_game`).

    Attributes:
        header: the header record ({} when the records have none).
        turns: the complete turns from turn 0, in order (``turns[i].turn == i``).
        result: the result record, None when the game was cut short.
        pending: the events after the last snapshot, in order.
        records: the records as given.
        path: the file read ("" for records in memory).
    """

    header: Record
    turns: tuple[Turn, ...]
    result: Record | None = None
    pending: tuple[Record, ...] = ()
    records: Sequence[Record] = ()
    path: str = ""

    @classmethod
    def from_records(cls, records: Iterable[Record], path: str = "") -> Game:
        """Group log records into turns.

        Events belong to the turn named in their ``turn`` field, in ``seq`` order; a turn is
        complete when its snapshot is present. Only the unbroken run of snapshots from turn 0
        makes turns; the events of later turns are ``pending``.
        """
        records = list(records)
        header: Record = {}
        result: Record | None = None
        events: dict[int, list[Record]] = {}
        snaps: dict[int, Record] = {}
        for r in records:
            kind = r.get("type")
            if kind == "header":
                header = r
            elif kind == "event":
                events.setdefault(int(r["turn"]), []).append(r)
            elif kind == "turn":
                snaps[int(r["turn"])] = r
            elif kind == "result":
                result = r
        turns: list[Turn] = []
        for t in sorted(snaps):
            if t != len(turns):
                break  # a gap: the unbroken run from the start only
            turns.append(Turn(t, snaps[t], _in_order(events.pop(t, []))))
        pending = tuple(e for t in sorted(events) for e in _in_order(events[t]))
        return cls(header, tuple(turns), result, pending, records, path)

    # --- the game as a whole ---------------------------------------------------------------

    @property
    def last_turn(self) -> int:
        """The last complete turn (0 when only the start position is known)."""
        return self.turns[-1].turn if self.turns else 0

    @property
    def planned_turns(self) -> int:
        """How many turns the game was set to play (the header's ``turns``)."""
        return int(self.header.get("turns") or self.last_turn)

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

    @property
    def turn_numbers(self) -> list[int]:
        """The turns with a snapshot (0 = the starting position)."""
        return [t.turn for t in self.turns]

    @property
    def snapshots(self) -> list[Record]:
        """The turns' snapshots, turn 0 first."""
        return [t.snapshot for t in self.turns]

    # --- events ----------------------------------------------------------------------------

    def events(self, turn: int) -> tuple[Record, ...]:
        """The events of ``turn`` in order (pending ones for a turn without its snapshot)."""
        if 0 <= turn <= self.last_turn and self.turns:
            return self.turns[turn].events
        return tuple(e for e in self.pending if e.get("turn") == turn)

    def every_event(self) -> Iterator[tuple[int, Record]]:
        """(turn, event) for every event in order, the pending ones last."""
        for t in self.turns:
            for e in t.events:
                yield t.turn, e
        for e in self.pending:
            yield int(e["turn"]), e

    def kinds(self, kind: str) -> list[Record]:
        """All events of one kind, in order."""
        return [e for _, e in self.every_event() if e.get("kind") == kind]

    def reached(self, upto: int | None = None) -> dict[str, int | None]:
        """Outcome id -> the first turn it held (None: not reached).

        Args:
            upto: count only ``outcome`` events up to this turn (the board's outcome watch);
                without it, the result's outcomes count too.
        """
        out: dict[str, int | None] = {oid: None for oid, _ in self.outcomes}
        if self.result and upto is None:
            for oid, r in (self.result.get("outcomes") or {}).items():
                if isinstance(r, Mapping) and r.get("reached"):
                    out[oid] = r.get("turn")
                else:
                    out.setdefault(oid, None)
        for turn, e in self.every_event():
            if upto is not None and turn > upto:
                break
            if e.get("kind") == "outcome" and out.get(e.get("id")) is None:
                out[e.get("id", "?")] = turn
        return out

    def marks(self) -> tuple[tuple[int, str], ...]:
        """(turn, kind) for every turn with an inject, trigger or outcome (the timeline's)."""
        out = []
        for t in self.turns:
            kinds = {str(e.get("kind")) for e in t.events}
            out.extend((t.turn, k) for k in MARKED if k in kinds)
        return tuple(out)

    # --- the state ---------------------------------------------------------------------------

    def snapshot(self, turn: int) -> Record:
        """The snapshot that closed ``turn``.

        Raises:
            KeyError: the turn has no snapshot.
        """
        if not 0 <= turn <= self.last_turn or not self.turns:
            raise KeyError(turn)
        return self.turns[turn].snapshot

    def value(self, turn: int, name: str) -> float | None:
        """A variable's value at the end of ``turn`` (None if not recorded); the rung and the
        score are the snapshot's own."""
        if not 0 <= turn <= self.last_turn or not self.turns:
            return None
        snap = self.turns[turn].snapshot
        if name == RUNG and isinstance(snap.get("rung"), int | float):
            return float(snap["rung"])
        if name == SCORE and isinstance(snap.get("escalation_score"), int | float):
            return float(snap["escalation_score"])
        v = (snap.get("state") or {}).get(name)
        return float(v) if isinstance(v, int | float) else None

    def series(self, name: str) -> list[float]:
        """A variable per turn (missing values carry the previous one forward)."""
        out: list[float] = []
        for t in self.turn_numbers:
            v = self.value(t, name)
            out.append(v if v is not None else (out[-1] if out else 0.0))
        return out

    def date(self, turn: int) -> str:
        """The turn's month (``YYYY-MM``), also of a turn whose snapshot is not written yet."""
        snap = self.turns[turn].snapshot if 0 <= turn <= self.last_turn and self.turns else {}
        return str(snap.get("date") or turn_month(str(self.header.get("start") or ""), turn))


def _in_order(events: list[Record]) -> tuple[Record, ...]:
    return tuple(sorted(events, key=lambda e: e.get("seq", 0)))


def read_game(path: Path, display: str | None = None) -> Game:
    """Read an event log file as a game.

    Raises:
        InputError: the log is missing, truncated, of the wrong shape or out of order, or
            holds no turn snapshot (located diagnostics, ``LOG:LINE:COL``).
    """
    name = display or str(path)
    records = read_log(Path(path), name)
    game = Game.from_records(records, name)
    if not game.turns:
        where = Location(name, len(records) + 1)
        raise InputError(
            [Diagnostic(where, "the log holds no turn snapshot: expected the turn-0 snapshot")]
        )
    return game
