"""A session's journal: every input of a facilitated game, saved as soon as it is made.

A session folder holds ``session.json`` (the resolved scenario, the seed, the human seats),
``journal.jsonl`` (one line per input, or per scripted step: appended, flushed and synced to
disk before the game goes on) and ``log.jsonl`` (the event log so far, rewritten atomically
after every turn). Because a game is determined by its scenario, seed and inputs, replaying
the journal rebuilds it exactly: that is how a session resumes after a crash, and how undo
works. A last line cut short by a crash (it has no newline) was never acted on: it is
dropped, with a warning; any other line that cannot be read is bad input, located.

A process that has a session open holds ``session.lock`` in its folder (``fcntl.flock``):
a second process is refused rather than let two games append to one journal. The kernel
releases the lock when the process dies, so a lock file left by ``kill -9`` blocks nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import read_text, write_text_atomic
from tripwire.session.commands import CommandError, parse_command

SESSION = "session.json"
JOURNAL = "journal.jsonl"
LOG = "log.jsonl"
LOCK = "session.lock"
SESSION_KIND = "tripwire-session"
SESSION_FORMAT = 1
MAX_JOURNAL_BYTES = 64 * 1024 * 1024


def _error(path: Path | str, message: str, line: int = 1, column: int = 1) -> InputError:
    return InputError([Diagnostic(Location(str(path), line, column), message)])


# --- the folder lock ------------------------------------------------------------------------


class _Held:
    """One flock held by this process on a session folder's lock file."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self.fd = fd

    def release(self) -> None:
        if self.fd < 0:
            return
        # unlink while holding the lock: a process waiting on the old file then sees that the
        # name no longer leads to it, and retries on a new file (see _acquire)
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = -1

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.release()


# folder (device, inode) -> the lock this process holds on it, shared by every Session of
# this process on that folder (a process does not lock itself out)
_HELD: weakref.WeakValueDictionary[tuple[int, int], _Held] = weakref.WeakValueDictionary()


@atexit.register
def _release_all() -> None:
    for held in list(_HELD.values()):
        held.release()


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip())
        return f" (pid {pid})"
    return ""


def lock_folder(folder: Path) -> tuple[_Held, bool]:
    """Lock a session folder for this process (it must exist); keep the returned object.

    The lock lasts as long as the returned object (or the process); this process may open
    the same folder again. The flag says whether the lock is new (not held already).

    Raises:
        InputError: another process has the session open.
    """
    st = os.stat(folder)
    key = (st.st_dev, st.st_ino)
    held = _HELD.get(key)
    if held is not None and held.fd >= 0:
        return held, False
    path = folder / LOCK
    for _ in range(100):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise _error(folder, f"cannot lock this session folder: {err.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            who = _holder(fd)
            os.close(fd)
            raise _error(
                folder, f"this session is open in another process{who}; close it first"
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # its holder removed it as we opened it: lock the new file instead
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        held = _Held(path, fd)
        _HELD[key] = held
        return held, True
    raise _error(folder, "cannot lock this session folder (its lock file keeps changing)")


# --- session.json ---------------------------------------------------------------------------


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
    """Write a new session's files (the folder must be locked and hold no session).

    The empty journal is made first: a ``session.json`` is never without its journal.
    """
    if (folder / SESSION).exists():
        raise _error(
            folder / SESSION,
            "this folder already holds a session: "
            "use --resume to continue it, or choose another --session",
        )
    (folder / JOURNAL).touch()
    write_text_atomic(folder / SESSION, json.dumps(info.to_json(), indent=2) + "\n")


def _key_line(text: str, key: str) -> int:
    """The line of ``"key":`` in a JSON text (1 when it is not there)."""
    at = text.find(f'"{key}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_info(folder: Path) -> tuple[SessionInfo, str]:
    """Read ``session.json`` and its text (a missing or broken one is bad input, located)."""
    path = folder / SESSION
    name = str(path)
    text = read_text(path, name, max_bytes=16 * 1024 * 1024)
    data = _json(text, name, 1)
    if not isinstance(data, dict) or data.get("kind") != SESSION_KIND:
        raise _error(name, "not a Tripwire session file")
    if data.get("format") != SESSION_FORMAT:
        raise _error(
            name,
            f"session format {data.get('format')!r}: this Tripwire reads format {SESSION_FORMAT}",
            _key_line(text, "format"),
        )
    checks = {
        "tripwire": (lambda v: isinstance(v, str), "a version string"),
        "catalog_sha256": (lambda v: isinstance(v, str), "a SHA-256 digest"),
        "seed": (lambda v: _is_int(v) and v >= 0, "a whole number, 0 or more"),
        "humans": (
            lambda v: isinstance(v, list) and all(isinstance(h, str) for h in v),
            "a list of actor codes",
        ),
        "turns": (lambda v: v is None or (_is_int(v) and v >= 1), "null or a whole number"),
        "scenario": (lambda v: isinstance(v, dict), "the scenario (an object)"),
    }
    for key, (ok, what) in checks.items():
        if key not in data:
            raise _error(name, f"incomplete session file: no '{key}'")
        if not ok(data[key]):
            raise _error(name, f"'{key}' must be {what}", _key_line(text, key))
    if len(set(data["humans"])) != len(data["humans"]):
        raise _error(name, "'humans' names a seat twice", _key_line(text, "humans"))
    info = SessionInfo(
        scenario=data["scenario"],
        seed=data["seed"],
        humans=tuple(data["humans"]),
        turns=data["turns"],
        tripwire=data["tripwire"],
        catalog_sha256=data["catalog_sha256"],
    )
    return info, text


def _json(text: str, name: str, line: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            [
                Diagnostic(
                    Location(name, line + err.lineno - 1, err.colno), f"not valid JSON: {err.msg}"
                )
            ]
        ) from None
    except RecursionError:
        raise _error(name, "not valid JSON: nested too deeply", line) from None


# --- journal.jsonl --------------------------------------------------------------------------


def _entry_problem(entry: Any) -> str | None:
    """Why a journal entry is not one Tripwire writes (None: it is well formed): the
    commands' own validation (:func:`tripwire.session.commands.parse_command`)."""
    try:
        parse_command(entry)
    except CommandError as err:
        return str(err)
    return None


def _line_problem(line: Any, last_step: int) -> str | None:
    """Why a journal line is not one Tripwire writes: an input, or a step of inputs."""
    if not isinstance(line, dict):
        return "a journal line must be a JSON object (an input, or a step of inputs)"
    if "entries" not in line:
        return _entry_problem(line)
    entries = line["entries"]
    if not isinstance(entries, list) or not entries:
        return "'entries' must be a list of inputs"
    if "step" in line:
        step = line["step"]
        if not (_is_int(step) and step >= 0):
            return "'step' must be a whole number, 0 or more"
        if step <= last_step:
            return f"step {step} comes after step {last_step}: steps are played in order"
    for k, entry in enumerate(entries):
        problem = _entry_problem(entry)
        if problem is not None:
            return f"entries[{k}]: {problem}"
    return None


@dataclass(frozen=True, slots=True)
class JournalText:
    """The journal as read: its lines (with their line numbers) and any torn last line."""

    lines: list[dict[str, Any]]
    numbers: list[int]
    torn: int | None  # the line number of a dropped incomplete last line


def read_journal(folder: Path) -> JournalText:
    """Read and check the journal.

    A last line with no newline is a write the process did not finish (it stopped): it is
    dropped and reported in ``torn``. Every other line must be a well-formed input.

    Raises:
        InputError: a missing journal, or a line that is not one Tripwire writes (located).
    """
    path = folder / JOURNAL
    name = str(path)
    if not path.exists() and not path.is_symlink():
        raise _error(
            name,
            "the journal is missing: this session's inputs are lost, so it cannot be resumed "
            "(restore journal.jsonl, or start a new session)",
        )
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_JOURNAL_BYTES + 1)
    except IsADirectoryError:
        raise _error(name, "is a directory, not a file") from None
    except OSError as err:
        raise _error(name, f"cannot read: {err.strerror or err}") from None
    if len(raw) > MAX_JOURNAL_BYTES:
        raise _error(name, f"file too large (more than {MAX_JOURNAL_BYTES} bytes)")
    cut = raw.rfind(b"\n") + 1
    complete, tail = raw[:cut], raw[cut:]
    lines: list[dict[str, Any]] = []
    numbers: list[int] = []
    last_step = -1
    rows = complete.split(b"\n")[:-1] if complete else []
    for n, row in enumerate(rows, start=1):
        try:
            text = row.decode("utf-8")
        except UnicodeDecodeError as err:
            raise _error(name, "not UTF-8 text", n, err.start + 1) from None
        if not text.strip():
            continue
        line = _json(text, name, n)
        problem = _line_problem(line, last_step)
        if problem is not None:
            raise _error(name, problem, n)
        last_step = line.get("step", last_step)
        lines.append(line)
        numbers.append(n)
    torn = len(rows) + 1 if tail else None
    return JournalText(lines, numbers, torn)


class Journal:
    """Appends inputs to ``journal.jsonl``, durably (flushed and synced before returning)."""

    def __init__(self, folder: Path):
        self.path = folder / JOURNAL

    def trim(self) -> None:
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
