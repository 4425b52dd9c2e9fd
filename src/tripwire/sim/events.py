"""The event log's records (docs/event-log.md) and their exact serialisation.

A game's record is a list of plain dicts: a ``header``, then for each turn its ``event``
records and one ``turn`` snapshot, then a ``result``. This module owns their field names and
the one way they become JSON text, so that the same game always gives the same bytes: keys in
a fixed order, numbers rounded to a fixed number of decimals, no wall-clock time anywhere.
The board, the reports, replay, resume and the tests all read this format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

LOG_SCHEMA = 1
DECIMALS = 4

EVENT_KINDS = ("inject", "action", "trigger", "outcome", "decision", "intervention", "note")


def told_once(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """A turn's events for a reader: an inject the white cell fired is dropped when its
    ``intervention`` record (which says the same, with the rationale) is there."""
    if not any(e.get("kind") == "intervention" and e.get("what") == "inject" for e in events):
        return list(events)
    return [
        e for e in events if not (e.get("kind") == "inject" and e.get("cause") == "facilitator")
    ]


def rounded(value: float) -> float:
    """A number as the log stores it (fixed decimals, no negative zero)."""
    r = round(float(value), DECIMALS)
    return 0.0 if r == 0 else r


def effects_dict(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Effects as the log stores them: variable -> applied change, zero changes dropped."""
    out: dict[str, float] = {}
    for name, delta in pairs:
        d = rounded(delta)
        if d != 0:
            # a name seen before (a move naming a variable twice) adds up; a new one is d
            out[name] = rounded(out[name] + d) if name in out else d
    return out


def header(
    *,
    version: str,
    scenario: str,
    title: str,
    scenario_sha256: str,
    catalog_sha256: str,
    seed: int | None,
    turns: int,
    start: str,
    actors: Sequence[str],
    outcomes: Mapping[str, str],
    humans: Sequence[str] = (),
) -> dict[str, Any]:
    """The first record of a log."""
    return {
        "type": "header",
        "schema": LOG_SCHEMA,
        "tripwire": version,
        "scenario": scenario,
        "title": title,
        "scenario_sha256": scenario_sha256,
        "catalog_sha256": catalog_sha256,
        "seed": seed,
        "turns": turns,
        "start": start,
        "actors": list(actors),
        "outcomes": [{"id": k, "title": v} for k, v in outcomes.items()],
        "humans": list(humans),
    }


def snapshot(
    turn: int,
    date: str,
    state: Mapping[str, float],
    *,
    escalation_score: float,
    rung: float,
    progress: Mapping[str, float],
) -> dict[str, Any]:
    """The end-of-turn snapshot (turn 0 is the starting position).

    ``progress`` says how close each outcome's condition is to holding (1.0: it holds; see
    :class:`tripwire.scenario.expr.Progress`), for outcome watches.
    """
    return {
        "type": "turn",
        "turn": turn,
        "date": date,
        "state": dict(state),
        "escalation_score": round(escalation_score),
        "rung": round(rung),
        "progress": dict(progress),
    }


def result(
    turns_played: int,
    outcomes: Mapping[str, int | None],
    peak_rung: float,
    total_escalation_score: float,
    trigger_counts: Mapping[str, int],
) -> dict[str, Any]:
    """The last record of a finished game."""
    return {
        "type": "result",
        "turns_played": turns_played,
        "outcomes": {k: {"reached": t is not None, "turn": t} for k, t in outcomes.items()},
        "peak_rung": round(peak_rung),
        "total_escalation_score": round(total_escalation_score),
        "triggers": dict(trigger_counts),
    }


def dumps(record: Mapping[str, Any]) -> str:
    """One record as one line of JSON, byte-for-byte reproducible."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps_log(records: Iterable[Mapping[str, Any]]) -> str:
    """A whole log as JSON Lines text."""
    return "".join(dumps(r) + "\n" for r in records)
