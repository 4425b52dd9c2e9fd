"""Reading and writing event logs (JSON Lines files).

Writing is atomic: the log goes to a temporary file in the target folder, is flushed to disk
and then renamed over the target, so a crash never leaves a half-written log where a complete
one was expected. Reading checks every line and reports problems as located diagnostics
(``PATH:LINE:COL``): a truncated last line, a line that is not a JSON object, a missing
header or an unknown log schema are bad input, not crashes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import read_text, write_text_atomic
from tripwire.sim.events import EVENT_KINDS, LOG_SCHEMA, dumps

RECORD_TYPES = ("header", "event", "turn", "result")
MAX_LOG_BYTES = 512 * 1024 * 1024


def write_log(path: Path, records: Iterable[Mapping[str, Any]]) -> None:
    """Write an event log atomically."""
    write_text_atomic(path, "".join(dumps(r) + "\n" for r in records))


def _problem(path: str, line: int, column: int, message: str) -> Diagnostic:
    return Diagnostic(Location(path, line, column), message)


def parse_log(text: str, path: str) -> list[dict[str, Any]]:
    """Parse and check the text of an event log.

    Raises:
        InputError: one located diagnostic per problem (at most a few dozen).
    """
    problems: list[Diagnostic] = []
    records: list[dict[str, Any]] = []
    lines = text.split("\n")
    complete = text.endswith("\n")
    if complete:
        lines = lines[:-1]
    if not lines or lines == [""]:
        raise InputError([_problem(path, 1, 1, "empty log: expected a header line")])
    for n, line in enumerate(lines, start=1):
        if len(problems) >= 20:
            break
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            if n == 1:
                raise InputError(
                    [
                        _problem(
                            path,
                            1,
                            err.colno,
                            f"not a Tripwire event log (line 1 is not JSON: {err.msg})",
                        )
                    ]
                ) from None
            last = n == len(lines)
            why = " (the log looks truncated)" if last and not complete else ""
            problems.append(_problem(path, n, err.colno, f"not valid JSON: {err.msg}{why}"))
            continue
        if not isinstance(record, dict):
            problems.append(_problem(path, n, 1, "each line must be a JSON object"))
            continue
        kind = record.get("type")
        if kind not in RECORD_TYPES:
            problems.append(
                _problem(
                    path,
                    n,
                    1,
                    f"unknown record type {kind!r} (expected one of {', '.join(RECORD_TYPES)})",
                )
            )
            continue
        if n == 1 and kind != "header":
            problems.append(_problem(path, 1, 1, "the first line must be the header"))
        if kind == "header" and n == 1 and record.get("schema") != LOG_SCHEMA:
            problems.append(
                _problem(
                    path,
                    1,
                    1,
                    f"unsupported log schema {record.get('schema')!r} "
                    f"(this Tripwire reads {LOG_SCHEMA})",
                )
            )
        if kind == "event" and record.get("kind") not in EVENT_KINDS:
            problems.append(_problem(path, n, 1, f"unknown event kind {record.get('kind')!r}"))
        if kind in ("event", "turn") and not isinstance(record.get("turn"), int):
            problems.append(_problem(path, n, 1, "missing or invalid 'turn'"))
        if kind == "turn" and not isinstance(record.get("state"), dict):
            problems.append(_problem(path, n, 1, "missing or invalid 'state'"))
        records.append(record)
    if problems:
        raise InputError(problems)
    return records


def read_log(path: Path, display: str | None = None) -> list[dict[str, Any]]:
    """Read and check an event log file."""
    name = display or str(path)
    return parse_log(read_text(path, name, max_bytes=MAX_LOG_BYTES), name)


def is_finished(records: list[dict[str, Any]]) -> bool:
    """Whether a log ends with its result record."""
    return bool(records) and records[-1].get("type") == "result"
