"""Reading and writing event logs (JSON Lines files).

Writing is atomic: the log goes to a temporary file in the target folder, is flushed to disk
and then renamed over the target, so a crash never leaves a half-written log where a complete
one was expected. Reading checks every line and reports problems as located diagnostics
(``PATH:LINE:COL``): a truncated last line, a line that is not a JSON object, a missing
header or an unknown log schema are bad input, not crashes.

Reading also checks the shape the readers (report, replay, board) rely on, so that a
hand-edited log is bad input rather than a crash: each field the format defines
(docs/event-log.md) has its type (a number is a finite number of sensible size, never
``NaN`` or ``1e999``; a list of names holds text), and the records come in the order a game
writes them: one header, the turn-0 snapshot (the starting position), then each turn's
events followed by its snapshot, turns counting up by one, ``seq`` increasing within a turn,
and the result last. Fields the format does not define are ignored.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import read_text, write_text_atomic
from tripwire.sim.events import EVENT_KINDS, LOG_SCHEMA, dumps

RECORD_TYPES = ("header", "event", "turn", "result")
MAX_LOG_BYTES = 512 * 1024 * 1024
MAX_PROBLEMS = 20
# Bounds on what a log may hold: no variable, score or probability comes near them, and
# anything larger is an edit (or damage) that would overflow the readers' arithmetic.
MAX_NUMBER = 1e9
MAX_TURNS = 10_000
TOP_RUNG = 44


# C0 and C1 control characters but newline and tab, and DEL: a log's text (a rationale, a
# note) may hold terminal escapes, which a report or a terminal table must not pass on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with each control character but newline and tab shown as ``\\xNN``, so that
    text from a log never reaches a reader's terminal or page as escape codes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def write_log(path: Path, records: Iterable[Mapping[str, Any]]) -> None:
    """Write an event log atomically."""
    write_text_atomic(path, "".join(dumps(r) + "\n" for r in records))


def _problem(path: str, line: int, column: int, message: str) -> Diagnostic:
    return Diagnostic(Location(path, line, column), message)


# --- the shape of a field -------------------------------------------------------------------
# A check returns None when the value fits, else what was expected (for the message).
Check = Callable[[Any], str | None]


def _number(lo: float = -MAX_NUMBER, hi: float = MAX_NUMBER) -> Check:
    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return "a number"
        if isinstance(v, float) and not math.isfinite(v):
            return "a finite number"
        if not lo <= v <= hi:
            return f"a number from {lo:g} to {hi:g}"
        return None

    return check


def _integer(lo: int = 0, hi: int = MAX_TURNS) -> Check:
    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int):
            return "a whole number"
        return None if lo <= v <= hi else f"a whole number from {lo} to {hi}"

    return check


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) else "text"


def _flag(v: Any) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def _or_null(check: Check) -> Check:
    def inner(v: Any) -> str | None:
        return None if v is None else (None if check(v) is None else f"{check(v)} or null")

    return inner


def _list(item: Check) -> Check:
    def check(v: Any) -> str | None:
        if not isinstance(v, list):
            return "a list"
        bad = next((item(x) for x in v if item(x) is not None), None)
        return None if bad is None else f"a list of {_plural(bad)}"

    return check


def _mapping(value: Check) -> Check:
    def check(v: Any) -> str | None:
        if not isinstance(v, dict):
            return "a mapping"
        bad = next((value(x) for x in v.values() if value(x) is not None), None)
        return None if bad is None else f"a mapping of names to {_plural(bad)}"

    return check


def _record(fields: Mapping[str, tuple[bool, Check]]) -> Check:
    """A mapping with these fields (name -> (required, check)); other keys are ignored."""

    def check(v: Any) -> str | None:
        if not isinstance(v, dict):
            return "a mapping"
        for key, (required, inner) in fields.items():
            if key not in v:
                if required:
                    return f"a mapping with '{key}'"
            elif inner(v[key]) is not None:
                return f"a mapping whose '{key}' is {inner(v[key])}"
        return None

    return check


def _plural(what: str) -> str:
    for one, many in (
        ("a number", "numbers"),
        ("a whole number", "whole numbers"),
        ("a finite number", "finite numbers"),
    ):
        if what.startswith(one):
            return many + what[len(one) :]
    if what.startswith("a mapping"):
        return "mappings" + what[len("a mapping") :]
    if what.startswith("a list"):
        return "lists" + what[len("a list") :]
    return what


Problems = list[tuple[str, int, str]]  # (key, column or 0 to find the key's, message)
NUMBER = _number()
EFFECTS = _mapping(NUMBER)
NAMES = _list(_text)
OPT = False
REQ = True

HEADER: dict[str, tuple[bool, Check]] = {
    "schema": (REQ, _integer(0, 1_000_000)),
    "tripwire": (OPT, _text),
    "scenario": (REQ, _text),
    "title": (OPT, _text),
    "scenario_sha256": (OPT, _text),
    "catalog_sha256": (OPT, _text),
    "seed": (OPT, _or_null(_integer(0, 2**64))),
    "turns": (REQ, _integer(0, MAX_TURNS)),
    "start": (OPT, _text),
    "actors": (REQ, NAMES),
    "outcomes": (REQ, _list(_record({"id": (REQ, _text), "title": (OPT, _text)}))),
    "humans": (OPT, NAMES),
}
SNAPSHOT: dict[str, tuple[bool, Check]] = {
    "turn": (REQ, _integer(0, MAX_TURNS)),
    "date": (OPT, _text),
    "state": (REQ, EFFECTS),
    "escalation_score": (OPT, NUMBER),
    "rung": (OPT, _number(1, TOP_RUNG)),
    "progress": (OPT, _mapping(_number(0, 1))),
}
RESULT: dict[str, tuple[bool, Check]] = {
    "turns_played": (OPT, _integer(0, MAX_TURNS)),
    "outcomes": (
        OPT,
        _mapping(_record({"reached": (OPT, _flag), "turn": (OPT, _or_null(_integer()))})),
    ),
    "peak_rung": (OPT, _number(1, TOP_RUNG)),
    "total_escalation_score": (OPT, NUMBER),
    "triggers": (OPT, _mapping(_integer(0, MAX_TURNS))),
}
EVENT: dict[str, tuple[bool, Check]] = {
    "turn": (REQ, _integer(0, MAX_TURNS)),
    "seq": (REQ, _integer(0, 1_000_000)),
}
MOVE = _record({"action": (REQ, _text), "target": (OPT, _or_null(_text)), "actor": (OPT, _text)})
EVENTS: dict[str, dict[str, tuple[bool, Check]]] = {
    "inject": {
        "id": (REQ, _text),
        "cause": (OPT, _text),
        "text": (OPT, _text),
        "effects": (OPT, EFFECTS),
    },
    "action": {
        "actor": (REQ, _text),
        "target": (OPT, _or_null(_text)),
        "action": (REQ, _text),
        "name": (OPT, _or_null(_text)),
        "domain": (OPT, _or_null(_text)),
        "cameo": (OPT, _or_null(_text)),
        "goldstein": (OPT, _or_null(_number(-10, 10))),
        "escalation": (OPT, _or_null(_text)),
        "score": (OPT, _or_null(NUMBER)),
        "p": (OPT, _or_null(_number(0, 1))),
        "roll": (OPT, _or_null(_number(0, 1))),
        "success": (OPT, _flag),
        "effects": (OPT, EFFECTS),
        "cancelled": (OPT, _flag),
        "vetoed": (OPT, _flag),
        "forced": (OPT, _flag),
        "partners": (OPT, NAMES),
        "joined": (OPT, NAMES),
        "declined": (OPT, NAMES),
    },
    "trigger": {"id": (REQ, _text), "text": (OPT, _text), "effects": (OPT, EFFECTS)},
    "outcome": {"id": (REQ, _text), "title": (OPT, _text)},
    "decision": {"actor": (REQ, _text), "who": (OPT, _text), "moves": (REQ, _list(MOVE))},
    "intervention": {
        "who": (OPT, _text),
        "what": (REQ, _text),
        "text": (OPT, _text),
        "rationale": (OPT, _text),
        "actor": (OPT, _text),
        "action": (OPT, _text),
        "target": (OPT, _or_null(_text)),
        "inject": (OPT, _text),
        "variable": (OPT, _text),
        "value": (OPT, NUMBER),
        "previous": (OPT, NUMBER),
        "runs": (OPT, _integer(0, 1_000_000)),
        "from_turn": (OPT, _integer()),
        "outcomes": (
            OPT,
            _mapping(
                _record(
                    {
                        "title": (OPT, _text),
                        "probability": (OPT, _number(0, 1)),
                        "ci95": (OPT, _list(_number(0, 1))),
                    }
                )
            ),
        ),
        "undone_turn": (OPT, _integer()),
        "undone": (
            OPT,
            _list(
                _record(
                    {
                        "actor": (OPT, _text),
                        "action": (OPT, _text),
                        "target": (OPT, _or_null(_text)),
                        "result": (OPT, _or_null(_text)),
                    }
                )
            ),
        ),
    },
    "note": {"who": (OPT, _text), "text": (REQ, _text)},
}


def _column(line: str, key: str) -> int:
    """The column of ``"key":`` in a line (1 when it cannot be found)."""
    at = line.find(json.dumps(key) + ":")
    return at + 1 if at >= 0 else 1


def _fields(record: dict[str, Any], spec: Mapping[str, tuple[bool, Check]], what: str) -> Problems:
    """(key, 0, message) for each field of ``record`` that is missing or of the wrong shape."""
    out: Problems = []
    for key, (required, check) in spec.items():
        if key not in record:
            if required:
                out.append((key, 0, f"{what} has no '{key}'"))
            continue
        expected = check(record[key])
        if expected is not None:
            shown = json.dumps(record[key], ensure_ascii=False, default=str)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            out.append((key, 0, f"'{key}' of the {what} must be {expected}, not {shown}"))
    return out


class _Order:
    """Checks that records come in the order a game writes them.

    A record out of place is reported and then read past, so that one line moved, deleted
    or doubled gives one message rather than one for every line after it.
    """

    def __init__(self, records: list[tuple[int, dict[str, Any]]]) -> None:
        self.records = records  # (line, record) of the records of a good shape, in order
        self.planned = MAX_TURNS
        self.header_line = 0
        self.snapshot: int | None = None  # the last snapshot's turn
        self.seqs: dict[int, int] = {}  # seq -> line, in the turn under way

    def problems(self) -> list[tuple[int, str, str]]:
        """(line, key, message) for each record out of place."""
        out = []
        for k, (n, record) in enumerate(self.records):
            kind = record["type"]
            if kind == "header":
                bad = self._header(record, n)
            elif kind == "turn":
                bad = self._snapshot(int(record["turn"]), k)
            elif kind == "event":
                bad = self._event(int(record["turn"]), int(record["seq"]), n, k)
            else:
                bad = self._result(record, k)
            if bad:
                out.append((n, *bad))
            if len(out) >= MAX_PROBLEMS:
                break
        return out

    def _header(self, record: dict[str, Any], n: int) -> tuple[str, str] | None:
        if self.header_line:
            return "type", f"a second header (the first is line {self.header_line})"
        self.header_line = n
        self.planned = int(record["turns"])
        return None

    def _snapshot(self, turn: int, k: int) -> tuple[str, str] | None:
        want = 0 if self.snapshot is None else self.snapshot + 1
        after = self._next_turn(k)
        if turn != want and after == want:
            # the events of the turn under way go on after it: a line out of place
            return "turn", f"a snapshot of turn {turn} among the events of turn {want}"
        # a wrong turn is read as the one expected, unless the records after it follow it
        self.snapshot, self.seqs = (turn if after == turn + 1 != want + 1 else want), {}
        if turn != want:
            if want == 0:
                return "turn", (
                    f"the first snapshot is of turn {turn}: the turn-0 snapshot "
                    "(the starting position) is missing"
                )
            return "turn", f"a snapshot of turn {turn} where turn {want}'s was expected"
        if turn > self.planned:
            return "turn", f"turn {turn} is past the {self.planned} turns the header plans"
        return None

    def _next_turn(self, k: int) -> int | None:
        """The turn of the record after the k-th (None at the end or for a header/result)."""
        if k + 1 >= len(self.records):
            return None
        record = self.records[k + 1][1]
        return int(record["turn"]) if record["type"] in ("event", "turn") else None

    def _event(self, turn: int, seq: int, n: int, k: int) -> tuple[str, str] | None:
        if self.snapshot is None:
            self.snapshot, self.seqs = turn - 1, {seq: n}
            return "type", (
                f"an event of turn {turn} before the turn-0 snapshot: the log's starting "
                "position is missing"
            )
        want = self.snapshot + 1
        if turn == want + 1 and self.seqs and self._next_turn(k) == turn:
            # the events of the next turn follow this one's: this turn's snapshot is missing
            self.snapshot, self.seqs = want, {seq: n}
            return (
                "turn",
                f"the snapshot of turn {want} is missing before this event of turn {turn}",
            )
        if turn != want:
            return "turn", (
                f"an event of turn {turn} after the snapshot of turn {self.snapshot} "
                f"(expected the events of turn {want}, then its snapshot)"
            )
        if turn > self.planned:
            return "turn", f"turn {turn} is past the {self.planned} turns the header plans"
        if seq in self.seqs:
            return "seq", f"'seq' {seq} of turn {turn} again (line {self.seqs[seq]} has it)"
        self.seqs[seq] = n
        return None

    def _result(self, record: dict[str, Any], k: int) -> tuple[str, str] | None:
        if k + 1 < len(self.records):
            return "type", "the result must be the last line"
        if self.snapshot is None:
            return "type", "a result without any turn snapshot"
        if self.seqs:
            return "type", (
                f"a result after events of turn {self.snapshot + 1} without that turn's snapshot"
            )
        played = record.get("turns_played")
        if played is not None and played != self.snapshot:
            return "turns_played", (
                f"'turns_played' is {played} but the last snapshot is of turn {self.snapshot}"
            )
        return None


def parse_log(text: str, path: str) -> list[dict[str, Any]]:
    """Parse and check the text of an event log.

    Raises:
        InputError: one located diagnostic per problem (at most a few dozen).
    """
    lines = text.split("\n")
    complete = text.endswith("\n")
    if complete:
        lines = lines[:-1]
    if not lines or lines == [""]:
        raise InputError([_problem(path, 1, 1, "empty log: expected a header line")])
    problems: list[Diagnostic] = []
    good: list[tuple[int, dict[str, Any]]] = []
    texts: dict[int, str] = {}
    for n, line in enumerate(lines, start=1):
        if len(problems) >= MAX_PROBLEMS:
            break
        record, bad = _decode(line, n, cut=n == len(lines) and not complete)
        if record is not None:
            bad = _record_problems(str(record["type"]), record)
            if not bad or (record["type"] == "turn" and _placeable(record)):
                good.append((n, record))  # a snapshot of a bad shape still closes its turn
                texts[n] = line
        problems += [_problem(path, n, col or _column(line, key), msg) for key, col, msg in bad]
        if bad and n == 1:
            raise InputError(problems)  # without its header the rest cannot be read
    for n, key, message in _Order(good).problems():
        problems.append(_problem(path, n, _column(texts[n], key), message))
    if problems:
        raise InputError(problems)
    return [record for _, record in good]


def _decode(line: str, n: int, cut: bool) -> tuple[dict[str, Any] | None, Problems]:
    """A line as a record of a known type, or why it is not one."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        if n == 1:
            return None, [
                ("", err.colno, f"not a Tripwire event log (line 1 is not JSON: {err.msg})")
            ]
        why = " (the log looks truncated)" if cut else ""
        return None, [("", err.colno, f"not valid JSON: {err.msg}{why}")]
    except (ValueError, RecursionError) as err:  # a number of 5,000 digits, deep nesting
        return None, [("", 1, f"not readable JSON: {err}")]
    if not isinstance(record, dict):
        return None, [("", 1, "each line must be a JSON object")]
    kind = record.get("type")
    if not isinstance(kind, str) or kind not in RECORD_TYPES:
        shown = kind if isinstance(kind, str | int | float | None) else type(kind).__name__
        expected = ", ".join(RECORD_TYPES)
        return None, [("type", 0, f"unknown record type {shown!r} (expected one of {expected})")]
    if n == 1 and kind != "header":
        return None, [("", 1, "the first line must be the header")]
    if n == 1 and record.get("schema") != LOG_SCHEMA:
        schema = record.get("schema")
        shown = schema if isinstance(schema, str | int | float | None) else type(schema).__name__
        return None, [
            ("schema", 0, f"unsupported log schema {shown!r} (this Tripwire reads {LOG_SCHEMA})")
        ]
    return record, []


def _placeable(record: dict[str, Any]) -> bool:
    """Whether a record with bad fields still has what the order check reads."""
    keys = {"header": ("turns",), "turn": ("turn",), "event": ("turn", "seq")}.get(
        record["type"], ()
    )
    return all(_integer(0, MAX_TURNS * 100)(record.get(k)) is None for k in keys)


def _record_problems(kind: str, record: dict[str, Any]) -> Problems:
    """(key, message) for each field of a record that is missing or of the wrong shape."""
    if kind == "header":
        return _fields(record, HEADER, "header")
    if kind == "turn":
        return _fields(record, SNAPSHOT, "snapshot")
    if kind == "result":
        return _fields(record, RESULT, "result")
    event = record.get("kind")
    if not isinstance(event, str) or event not in EVENT_KINDS:
        shown = event if isinstance(event, str | int | float | None) else type(event).__name__
        return [
            ("kind", 0, f"unknown event kind {shown!r} (expected one of {', '.join(EVENT_KINDS)})")
        ]
    return _fields(record, EVENT, "event") + _fields(record, EVENTS[event], f"{event} event")


def read_log(path: Path, display: str | None = None) -> list[dict[str, Any]]:
    """Read and check an event log file."""
    name = display or str(path)
    return parse_log(read_text(path, name, max_bytes=MAX_LOG_BYTES), name)


def is_finished(records: list[dict[str, Any]]) -> bool:
    """Whether a log ends with its result record."""
    return bool(records) and records[-1].get("type") == "result"
