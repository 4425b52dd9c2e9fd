"""The event log's records (docs/event-log.md): their fields, their serialisation and their
words.

A game's record is a list of plain dicts: a ``header``, then for each turn its ``event``
records and one ``turn`` snapshot, then a ``result``. This module owns every record kind: its
field names, the one way a record becomes JSON text, so that the same game always gives the
same bytes (keys in a fixed order, numbers rounded to a fixed number of decimals, no
wall-clock time anywhere), and the one way it is said in words (:func:`describe`), which the
board's feed, the room, the turn table and the reports all use. :mod:`tripwire.gamelog` is the
one reader of a log.

Every record says who may see it (``seen``): ``"public"`` (the room, the projector, every
team), ``"white"`` (the white cell only) or ``"team:<ACTOR>"`` (that team and the white
cell). :func:`audience` reads it and :func:`visible` is the one filter every view applies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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


# --- records in words -----------------------------------------------------------------------
# What each kind of event is called (the report's "Kind" column, the charts' and the board's
# legends, the heads of the feeds' lines).
KIND_NAMES = {
    "action": "Move",
    "inject": "Event",
    "trigger": "Risk trigger",
    "outcome": "Outcome reached",
    "decision": "Decision",
    "intervention": "White cell",
    "note": "Note",
}


def _g(_name: str, value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class Names:
    """How the words write what a record holds as codes: actors, actions, variables, values.

    The default (:data:`RAW`) writes codes and ids as logged, as the log's own ``text`` does;
    readers pass the catalog's names (``tripwire.report.labels.record_names()``).
    """

    actors: Mapping[str, str] = field(default_factory=dict)  # "PRK" -> "North Korea"
    actions: Mapping[str, str] = field(default_factory=dict)  # action id -> its name
    variable: Callable[[str], str] = str  # a variable's label
    value: Callable[[str, float], str] = _g  # value(variable, x): a value in its own scale

    def actor(self, code: Any) -> str:
        """An actor's name (its code when unknown)."""
        return self.actors.get(str(code), str(code))

    def action(self, action: Any) -> str:
        """An action's name (its id when unknown)."""
        return self.actions.get(str(action), str(action))


RAW = Names()


@dataclass(frozen=True, slots=True)
class Said:
    """One event record in words.

    Attributes:
        kind: the record's kind.
        head: who acted or what happened, ending in a colon: "Russia → North Korea:",
            "Event:", "Risk trigger:", "USA team decided:", "White cell:", "Note (white cell):".
        body: what happened: "Buy DPRK shells — succeeded", an event's text.
        detail: what is said after the body, or "": an intervention's rationale.
        name: the record's short name, for tables: a move with its target and partners
            ("Buy DPRK shells → North Korea"), an event's or a trigger's id (an ad-hoc event's
            text), an outcome's title, a decision's moves, an intervention's or a note's words.
        label: the record named in a list of causes: "Russia Buy DPRK shells → North Korea",
            "Risk trigger: provocation_spiral".
        cause: what set an event off, or "" ("set off by the trigger missile_over_japan").
        status: a move's result: "succeeded", "failed", "cancelled" or "vetoed" ("" for
            other kinds).
        result: a move's result in words ("forced to fail by the white cell"; "" for other
            kinds).
    """

    kind: str
    head: str
    body: str
    detail: str = ""
    name: str = ""
    label: str = ""
    cause: str = ""
    status: str = ""
    result: str = ""

    @property
    def text(self) -> str:
        """The body and its detail: what a line says after its head."""
        return f"{self.body} — {self.detail}" if self.detail else self.body

    @property
    def line(self) -> str:
        """The whole line: head, body and detail."""
        return f"{self.head} {self.text}"


def _text(record: Mapping[str, Any], *keys: str, default: str = "?") -> str:
    return next((str(record[k]) for k in keys if record.get(k) not in (None, "")), default)


def _names(codes: Any, names: Names) -> str:
    return ", ".join(names.actor(c) for c in codes)


def _move(record: Mapping[str, Any], names: Names, arrow: str = " → ") -> str:
    name = str(record.get("name") or names.action(record.get("action")))
    target = record.get("target")
    text = f"{name}{arrow}{names.actor(target)}" if target else name
    partners, declined = record.get("partners"), record.get("declined")
    if isinstance(partners, list) and partners:  # a joint move: made together
        text += f" (with {_names(partners, names)})"
    if isinstance(declined, list) and declined:
        text += f" ({_names(declined, names)} declined)"
    return text


def move_words(record: Mapping[str, Any], names: Names = RAW, *, arrow: str = " → ") -> str:
    """A move as a table shows it: its name, its target and its partners
    ("Trilateral exercise → PRK (with USA, JPN)"); "holds" for a hold. A narrow table
    writes the arrow tight (``arrow="→"``), so that a move and its target wrap together."""
    return "holds" if record.get("action") == "hold" else _move(record, names, arrow)


def _result(record: Mapping[str, Any]) -> tuple[str, str]:
    """A move's (status, result in words)."""
    if record.get("vetoed"):
        return "vetoed", "vetoed by the white cell"
    if record.get("cancelled"):
        return "cancelled", "cancelled"
    status = "succeeded" if record.get("success", True) else "failed"
    if record.get("forced"):
        return (
            status,
            f"forced to {'succeed' if status == 'succeeded' else 'fail'} by the white cell",
        )
    return status, status


def describe(record: Mapping[str, Any], names: Names = RAW) -> Said:
    """An event record in words: the one wording of every kind of record (docs/event-log.md)
    for the board's feed, the room's pages, the turn table and the reports.

    Logged text (an event's or a trigger's text, a note) is shown as logged; an intervention
    is worded from its data fields (:func:`describe_intervention`). A kind newer than this
    module is shown with whatever text it carries.

    Args:
        record: an ``event`` record.
        names: how codes are written (default: as logged).
    """
    kind = str(record.get("kind") or record.get("type") or "record")
    if kind == "action":
        return _action(record, names)
    if kind == "inject":
        text = _text(record, "text", "id", default="")
        cause = str(record.get("cause") or "")
        why = (
            f"set off by the trigger {cause.split(':', 1)[1]}"
            if cause.startswith("trigger:")
            else ""
        )
        name = text if record.get("id") == "adhoc" else _text(record, "id", "text", default="")
        head = f"{KIND_NAMES[kind]}:"
        return Said(kind, head, text, name=name, label=f"{head} {name}", cause=why)
    if kind == "trigger":
        tid, head = _text(record, "id"), f"{KIND_NAMES[kind]}:"
        return Said(kind, head, _text(record, "text", "id"), name=tid, label=f"{head} {tid}")
    if kind == "outcome":
        title, head = _text(record, "title", "id"), f"{KIND_NAMES[kind]}:"
        return Said(kind, head, title, name=title, label=f"{head} {title}")
    if kind == "decision":
        moves = "; ".join(
            move_words(m, names) for m in record.get("moves") or [] if isinstance(m, Mapping)
        )
        who = _text(record, "who", default=f"{record.get('actor', '?')} team")
        return Said(
            kind,
            f"{who} decided:",
            moves or "hold",
            name=moves or "hold",
            label=f"{who} decided: {moves or 'hold'}",
        )
    if kind == "intervention":
        who = str(record.get("who") or "white cell")
        head = f"{KIND_NAMES[kind]}:" if who == "white cell" else f"{KIND_NAMES[kind]} ({who}):"
        words = describe_intervention(record, names, subject=False)
        why = f"rationale: {record['rationale']}" if record.get("rationale") else ""
        return Said(kind, head, words, why, words, f"{head} {words}")
    if kind == "note":
        text = _text(record, "text", default="")
        head = f"{KIND_NAMES[kind]} ({record.get('who') or 'white cell'}):"
        return Said(kind, head, text, name=text, label=f"{head} {text}")
    # a kind newer than this module: whatever text it carries
    text = _text(record, "text", "what", "summary", "id", default=kind)
    who = record.get("actor") or record.get("by")
    head = f"{kind.capitalize()} ({names.actor(who)}):" if who else f"{kind.capitalize()}:"
    return Said(kind, head, text, name=text, label=f"{head} {text}")


def _action(record: Mapping[str, Any], names: Names) -> Said:
    """A move: "Russia → North Korea:" "Buy DPRK shells — succeeded"."""
    actor, target = names.actor(record.get("actor")), record.get("target")
    head = f"{actor} → {names.actor(target)}:" if target else f"{actor}:"
    status, result = _result(record)
    name = move_words(record, names)
    if record.get("action") == "hold":
        body = "holds (no action this turn)"
    else:
        body = f"{record.get('name') or names.action(record.get('action'))} — {result}"
        partners, declined = record.get("partners"), record.get("declined")
        if isinstance(partners, list) and partners:  # a joint move: made together
            body += f", with {_names(partners, names)}"
        if isinstance(declined, list) and declined:
            body += f" ({_names(declined, names)} declined)"
    return Said(
        "action", head, body, name=name, label=f"{actor} {name}", status=status, result=result
    )


def describe_intervention(
    record: Mapping[str, Any], names: Names = RAW, *, subject: bool = True
) -> str:
    """What the white cell did, in one line, from the record's data fields: the log's
    ``text`` (with :data:`RAW` names) and the body of :func:`describe`.

    Args:
        record: an ``intervention`` record (its data fields; ``text`` is read only when they
            are missing, from a log older than them: then it is shown as logged).
        names: how codes are written.
        subject: start with "White cell" (the log's text); without it the line starts with
            the verb, for readers whose heading already says who acted.
    """
    what = str(record.get("what") or "")
    text = _intervention_words(record, what, names)
    if text is None:  # a record without the data fields its kind needs: its own words
        return str(record.get("text") or what or "intervention")
    if subject:
        return f"White cell {text}"
    return text[:1].upper() + text[1:]


def _intervention_words(record: Mapping[str, Any], what: str, names: Names) -> str | None:
    if what in ("veto", "force_success", "force_failure", "clear") and record.get("actor"):
        actor = names.actor(record["actor"])
        whose = f"{actor}'" if actor.endswith("s") else f"{actor}'s"
        move = f"{whose} {_move(record, names)}"
        if what == "veto":
            return f"vetoed {move}"
        if what == "clear":
            return f"let the dice decide {move} again"
        return f"forced {move} to {'succeed' if what == 'force_success' else 'fail'}"
    if what == "inject" and record.get("headline") is not None:
        return f"injected: {record['headline']}"
    if what == "set" and isinstance(record.get("value"), int | float):
        name = str(record.get("variable"))
        before = record.get("previous")
        was = f" (was {names.value(name, before)})" if isinstance(before, int | float) else ""
        return f"set {names.variable(name)} to {names.value(name, record['value'])}{was}"
    if what == "undo":
        text = f"undid turn {record.get('undone_turn')}"
        undone = [m for m in record.get("undone") or [] if isinstance(m, Mapping)]
        if undone:
            moves = "; ".join(
                f"{names.actor(m.get('actor'))} {_move(m, names)} ({m.get('result')})"
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
