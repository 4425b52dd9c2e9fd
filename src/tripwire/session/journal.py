"""A session's journal: every input of a facilitated game, saved as soon as it is made.

A session folder holds ``session.json`` (the resolved scenario, the seed, the human seats),
``journal.jsonl`` (one line per input, or per scripted step: appended, flushed and synced to
disk before the game goes on) and ``log.jsonl`` (the event log so far, rewritten atomically
after every turn). Because a game is determined by its scenario, seed and inputs, replaying
the journal rebuilds it exactly: that is how a session resumes after a crash, and how undo
works. A line cut short by a crash was never acted on and is dropped when the journal is read.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import read_text, write_text_atomic

SESSION = "session.json"
JOURNAL = "journal.jsonl"
LOG = "log.jsonl"
SESSION_KIND = "tripwire-session"
SESSION_FORMAT = 1
MAX_JOURNAL_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What ``session.json`` holds."""

    scenario: dict[str, Any]
    seed: int
    humans: tuple[str, ...]
    turns: int | None
    tripwire: str
    catalog_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": SESSION_KIND,
            "format": SESSION_FORMAT,
            "tripwire": self.tripwire,
            "catalog_sha256": self.catalog_sha256,
            "seed": self.seed,
            "humans": list(self.humans),
            "turns": self.turns,
            "scenario": self.scenario,
        }


def write_info(folder: Path, info: SessionInfo) -> None:
    """Create a session folder (it must not hold a session already)."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / SESSION).exists():
        raise InputError(
            [
                Diagnostic(
                    Location(str(folder / SESSION)),
                    "this folder already holds a session: "
                    "use --resume to continue it, or choose another --session",
                )
            ]
        )
    write_text_atomic(folder / SESSION, json.dumps(info.to_json(), indent=2) + "\n")
    (folder / JOURNAL).touch()


def read_info(folder: Path) -> SessionInfo:
    """Read ``session.json`` (a missing or broken one is bad input, located)."""
    path = folder / SESSION
    name = str(path)
    data = _json(read_text(path, name, max_bytes=16 * 1024 * 1024), name, 1)
    if not isinstance(data, dict) or data.get("kind") != SESSION_KIND:
        raise InputError([Diagnostic(Location(name), "not a Tripwire session file")])
    try:
        return SessionInfo(
            scenario=data["scenario"],
            seed=int(data["seed"]),
            humans=tuple(data["humans"]),
            turns=data.get("turns"),
            tripwire=data["tripwire"],
            catalog_sha256=data["catalog_sha256"],
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError([Diagnostic(Location(name), f"incomplete session file ({err})")]) from None


def _json(text: str, name: str, line: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            [Diagnostic(Location(name, line, err.colno), f"not valid JSON: {err.msg}")]
        ) from None


def read_journal(folder: Path) -> tuple[list[dict[str, Any]], bool]:
    """The journal's lines, and whether a last line cut short by a crash was dropped."""
    path = folder / JOURNAL
    if not path.exists():
        return [], False
    text = read_text(path, str(path), max_bytes=MAX_JOURNAL_BYTES)
    lines = text.split("\n")
    complete, tail = lines[:-1], lines[-1]
    entries = []
    for n, line in enumerate(complete, start=1):
        if line.strip():
            entries.append(_json(line, str(path), n))
    return entries, bool(tail.strip())


class Journal:
    """Appends inputs to ``journal.jsonl``, durably (flushed and synced before returning)."""

    def __init__(self, folder: Path):
        self.path = folder / JOURNAL
        self._trim()

    def _trim(self) -> None:
        """Drop a partial last line left by a crash, so appends start on a fresh line."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            with self.path.open("r+b") as fh:
                fh.truncate(keep)
                fh.flush()
                os.fsync(fh.fileno())

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
