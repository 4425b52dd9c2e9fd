"""The event log's records (docs/event-log.md) and their exact serialisation.

A game's record is a list of plain dicts: a ``header``, then for each turn its ``event``
records and one ``turn`` snapshot, then a ``result``. This module owns their field names and
the one way they become JSON text, so that the same game always gives the same bytes: keys in
a fixed order, numbers rounded to a fixed number of decimals, no wall-clock time anywhere.
The board, the reports, replay, resume and the tests all read this format.

Every record says who may see it (``seen``): ``"public"`` (the room, the projector, every
team), ``"white"`` (the white cell only) or ``"team:<ACTOR>"`` (that team and the white
cell). :func:`audience` reads it and :func:`visible` is the one filter every view applies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

LOG_SCHEMA = 1
DECIMALS = 4

EVENT_KINDS = ("inject", "action", "trigger", "outcome", "decision", "intervention", "note")

PUBLIC = "public"
WHITE = "white"
_TEAM = "team:"


def team(actor: str) -> str:
    """The audience of one team's private records: ``"team:USA"``."""
    return f"{_TEAM}{actor}"


def published(publish: bool) -> str:
    """The audience of a white-cell record: the room if the white cell publishes it."""
    return PUBLIC if publish else WHITE


def _valid_audience(seen: Any) -> bool:
    if seen in (PUBLIC, WHITE):
        return True
    return (
        isinstance(seen, str)
        and seen.startswith(_TEAM)
        and len(seen) > len(_TEAM)
        and seen[len(_TEAM) :].isalnum()
    )


def audience(record: Mapping[str, Any]) -> str:
    """Who may see a record: ``"public"``, ``"white"`` or ``"team:<ACTOR>"``.

    It is the record's ``seen`` field. A record without one (a log written before the field
    existed) gets the audience its kind implies: a decision is its team's, a note or an
    intervention the white cell's, everything else public. A ``seen`` that is none of these
    (a hand-edited log) is treated as the white cell's: a view never shows what it cannot
    place.
    """
    seen = record.get("seen")
    if seen is None:
        kind = record.get("kind")
        if record.get("type") not in (None, "event"):
            return PUBLIC
        if kind == "decision":
            actor = record.get("actor")
            return team(actor) if _valid_audience(team(str(actor))) else WHITE
        if kind in ("note", "intervention"):
            return WHITE
        return PUBLIC
    return seen if _valid_audience(seen) else WHITE


def check_viewer(viewer: str) -> str:
    """A viewer is ``"public"``, ``"white"`` or ``"team:<ACTOR>"``.

    Raises:
        ValueError: anything else.
    """
    if not _valid_audience(viewer):
        raise ValueError(f"unknown viewer {viewer!r}: 'public', 'white' or 'team:<ACTOR>'")
    return viewer


def visible(record: Mapping[str, Any], viewer: str) -> bool:
    """Whether ``viewer`` may see ``record``: the white cell sees everything, a team sees
    public records and its own, the public sees public records.

    Raises:
        ValueError: an unknown viewer (see :func:`check_viewer`).
    """
    check_viewer(viewer)
    if viewer == WHITE:
        return True
    seen = audience(record)
    return seen in (PUBLIC, viewer)


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
        "seen": PUBLIC,
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
        "seen": PUBLIC,
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
        "seen": PUBLIC,
    }


def dumps(record: Mapping[str, Any]) -> str:
    """One record as one line of JSON, byte-for-byte reproducible."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps_log(records: Iterable[Mapping[str, Any]]) -> str:
    """A whole log as JSON Lines text."""
    return "".join(dumps(r) + "\n" for r in records)


# --- the white cell's interventions in words ------------------------------------------------
def _g(_name: str, value: float) -> str:
    return f"{value:g}"


def describe_intervention(
    record: Mapping[str, Any],
    *,
    actions: Mapping[str, str] | None = None,
    actors: Mapping[str, str] | None = None,
    value: Callable[[str, float], str] = _g,
    variable: Callable[[str], str] = str,
    subject: bool = True,
) -> str:
    """What the white cell did, in one line: the one wording of an intervention record for
    the log's ``text`` field, the feeds and the reviews.

    Args:
        record: an ``intervention`` record (its data fields; ``text`` is not read).
        actions: action id -> name (ids are shown without it).
        actors: actor code -> name (codes are shown without it).
        value: how a variable's value is written (``value(variable, x)``).
        variable: how a variable's name is written.
        subject: start with "White cell" (the log's text); without it the line starts with
            the verb, for readers whose heading already says who acted.
    """
    actions, actors = actions or {}, actors or {}
    what = str(record.get("what") or "")
    text = _intervention_words(record, what, actions, actors, value=value, variable=variable)
    if text is None:  # a record without the data fields its kind needs: its own words
        return str(record.get("text") or what or "intervention")
    if subject:
        return f"White cell {text}"
    return text[:1].upper() + text[1:]


def _intervention_words(
    record: Mapping[str, Any],
    what: str,
    actions: Mapping[str, str],
    actors: Mapping[str, str],
    *,
    value: Callable[[str, float], str],
    variable: Callable[[str], str],
) -> str | None:
    if what in ("veto", "force_success", "force_failure", "clear") and record.get("actor"):
        actor = actors.get(str(record["actor"]), str(record["actor"]))
        whose = f"{actor}'" if actor.endswith("s") else f"{actor}'s"
        name = actions.get(str(record.get("action")), str(record.get("action")))
        target = f" → {record['target']}" if record.get("target") else ""
        move = f"{whose} {name}{target}"
        if what == "veto":
            return f"vetoed {move}"
        if what == "clear":
            return f"let the dice decide {move} again"
        return f"forced {move} to {'succeed' if what == 'force_success' else 'fail'}"
    if what == "inject":
        said = record.get("headline")
        if said is None:  # a log written before inject interventions carried their headline
            said = str(record.get("text") or record.get("inject") or "")
            said = said.removeprefix("White cell injected: ")
        return f"injected: {said}"
    if what == "set" and isinstance(record.get("value"), int | float):
        name = str(record.get("variable"))
        before = record.get("previous")
        was = f" (was {value(name, before)})" if isinstance(before, int | float) else ""
        return f"set {variable(name)} to {value(name, record['value'])}{was}"
    if what == "undo":
        text = f"undid turn {record.get('undone_turn')}"
        undone = [m for m in record.get("undone") or [] if isinstance(m, Mapping)]
        if undone:
            moves = "; ".join(
                f"{actors.get(str(m.get('actor')), m.get('actor'))} "
                f"{actions.get(str(m.get('action')), m.get('action'))}"
                + (f" → {m['target']}" if m.get("target") else "")
                + f" ({m.get('result')})"
                for m in undone
            )
            text += f" (it was played again); it had: {moves}"
        return text
    if what == "fork":
        shares = "; ".join(
            f"{o.get('title', oid)} {o['probability']:.0%}"
            for oid, o in (record.get("outcomes") or {}).items()
            if isinstance(o, Mapping) and isinstance(o.get("probability"), int | float)
        )
        runs, start = record.get("runs"), record.get("from_turn")
        return f"showed {runs} bot continuations from turn {start}: {shares}"
    return None
