"""A game's log as turns, without pygame: the header, each turn's snapshot with the events
that led to it, and the result (absent when the game was cut short).

Reads only log records (plain dicts, see ``docs/event-log.md``); :func:`read_game` reads them
from a file, checked by :func:`tripwire.logfile.read_log` (what ``tripwire replay`` shows,
without a window).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.logfile import read_log


@dataclass(frozen=True, slots=True)
class TurnData:
    """One turn of a log: its end-of-turn snapshot and the events that led to it."""

    turn: int
    snapshot: Mapping[str, Any]
    events: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Game:
    """A log split into turns (``turns[i].turn == i``), with its header and result."""

    header: Mapping[str, Any]
    turns: tuple[TurnData, ...]
    result: Mapping[str, Any] | None

    @property
    def last_turn(self) -> int:
        """The highest turn present (0 when only the start position is known)."""
        return self.turns[-1].turn if self.turns else 0

    @property
    def planned_turns(self) -> int:
        """How many turns the game was set to play (the header's ``turns``)."""
        return int(self.header.get("turns") or self.last_turn)


def split_turns(records: Iterable[Mapping[str, Any]]) -> Game:
    """Group log records into turns.

    Events belong to the turn named in their ``turn`` field; a turn is complete when its
    snapshot is present. Events after the last snapshot (a game cut short mid-turn) are
    dropped, since there is no state to show them against.

    Args:
        records: the log's records in file order.

    Returns:
        The header, the complete turns in order and the result (None if unfinished).
    """
    header: Mapping[str, Any] = {}
    result: Mapping[str, Any] | None = None
    events: dict[int, list[Mapping[str, Any]]] = {}
    snaps: dict[int, Mapping[str, Any]] = {}
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
    turns = []
    for t in sorted(snaps):
        if t != len(turns):
            break  # a gap: show the unbroken run from the start only
        evs = sorted(events.get(t, []), key=lambda e: e.get("seq", 0))
        turns.append(TurnData(t, snaps[t], tuple(evs)))
    return Game(header, tuple(turns), result)


def read_game(path: Path, display: str | None = None) -> Game:
    """Read an event log file as turns.

    Raises:
        InputError: the log is missing, truncated, of the wrong shape or out of order, or
            holds no turn snapshot (located diagnostics, ``LOG:LINE:COL``).
    """
    name = display or str(path)
    records = read_log(Path(path), name)
    game = split_turns(records)
    if not game.turns:
        where = Location(name, len(records) + 1)
        raise InputError(
            [Diagnostic(where, "the log has no turn to show: expected the turn-0 snapshot")]
        )
    return game


def reached_turns(game: Game, upto: int | None = None) -> dict[str, int]:
    """Outcome id -> the first turn it was reached (from ``outcome`` events up to ``upto``)."""
    out: dict[str, int] = {}
    for td in game.turns:
        if upto is not None and td.turn > upto:
            break
        for e in td.events:
            if e.get("kind") == "outcome" and e.get("id") not in out:
                out[str(e.get("id"))] = td.turn
    return out


def timeline_marks(game: Game) -> tuple[tuple[int, str], ...]:
    """(turn, kind) for every turn with an inject, trigger or outcome, for the timeline."""
    out = []
    for td in game.turns:
        kinds = {str(e.get("kind")) for e in td.events}
        out.extend((td.turn, k) for k in ("inject", "trigger", "outcome") if k in kinds)
    return tuple(out)
