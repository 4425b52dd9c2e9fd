"""A facilitated session: the game, its human seats, the white cell, and its journal.

Every input (a turn begins; a seat decides; the white cell vetoes, forces, injects, sets a
value, annotates, undoes; a turn resolves) goes through :meth:`Session.apply`, which acts on
the model (the white cell's acts through :mod:`tripwire.session.whitecell`) and then appends
the input to the journal (durably) and, after a turn, rewrites the log.
:meth:`Session.resume` rebuilds a session by replaying its journal on a fresh model with the
same seed: since a turn's dice are drawn in fixed blocks whatever anyone chooses,
the same inputs give the same game, byte for byte.

Undo goes back to just before the last turn began (white-cell acts made before it began are
kept): the inputs since then are dropped and the game is replayed; the undo itself is recorded
as an intervention, so the after-action review shows it. The undone turn is replayed with the
same dice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from tripwire import __version__
from tripwire.catalog import load_catalog
from tripwire.errors import Diagnostic, InputError, Location, did_you_mean
from tripwire.files import read_text, write_text_atomic
from tripwire.scenario.loader import scenario_names
from tripwire.scenario.schema import Scenario
from tripwire.session import whitecell
from tripwire.session.commands import (
    Begin,
    Clear,
    Command,
    CommandError,
    Decide,
    Force,
    Fork,
    Inject,
    Note,
    Resolve,
    SetValue,
    Undo,
    Veto,
    parse_command,
)
from tripwire.session.journal import (
    JOURNAL,
    LOG,
    SESSION,
    Journal,
    SessionInfo,
    lock_folder,
    read_info,
    read_journal,
    write_info,
)
from tripwire.sim.events import dumps_log
from tripwire.sim.model import CrisisModel
from tripwire.sim.policies import HumanSeat
from tripwire.sim.rules import Move, compile_rules

# inputs after which the event log changes (the others wait in the journal for their turn)
_LOGGED = ("resolve", "undo", "inject", "set", "note", "fork")


class SessionError(ValueError):
    """An input the session cannot take (the message says why)."""


class ReplayError(SessionError):
    """A saved input that cannot be replayed; ``line`` is its journal line's index."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _cut(pairs: Iterable[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    out: list[tuple[int, dict[str, Any]]] = []
    for k, entry in pairs:
        if entry.get("do") == "undo":
            begins = [i for i, (_, e) in enumerate(out) if e.get("do") == "begin"]
            if begins:
                del out[begins[-1] :]
        out.append((k, entry))
    return out


def effective(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inputs that count: each ``undo`` drops everything from the last ``begin`` on.

    The undo entry itself is kept (replaying it records the intervention).
    """
    return [entry for _, entry in _cut(enumerate(entries))]


def check_same_tripwire(info: SessionInfo, where: Path | None, text: str = "") -> None:
    """Refuse a session made by another Tripwire version or catalog: its inputs would replay
    into a different game (another success chance, another rule).

    Raises:
        InputError: located at ``where`` (the session's session.json).
        RuntimeError: with no ``where`` (a worker playing a fork's continuations).
    """
    digest = load_catalog().digest
    differences = []
    key = ""
    if info.tripwire != __version__:
        differences.append(f"it was made by Tripwire {info.tripwire}, this is {__version__}")
        key = "tripwire"
    if info.catalog_sha256 != digest:
        differences.append(
            f"its catalog of actions and rules (sha256 {info.catalog_sha256[:12]}...) is not "
            f"this Tripwire's ({digest[:12]}...)"
        )
        key = key or "catalog_sha256"
    if not differences:
        return
    if where is None:
        raise RuntimeError(
            "this worker's Tripwire differs from the session's (catalog or version); "
            "install the same Tripwire version on every worker"
        )
    at = text.find(f'"{key}"')
    line = text.count("\n", 0, at) + 1 if at >= 0 else 1
    raise InputError(
        [
            Diagnostic(
                Location(str(where), line),
                "this session cannot be resumed by this Tripwire: "
                + "; ".join(differences)
                + ". Its inputs would replay into a different game; nothing was changed "
                "(resume it with the Tripwire version that made it)",
            )
        ]
    )


def _logged(line: dict[str, Any]) -> bool:
    """Whether applying a journal line rewrote the event log."""
    return any(e.get("do") in _LOGGED for e in line.get("entries", [line]))


def undone_moves(model: CrisisModel, turn: int, humans: Sequence[str]) -> list[dict[str, Any]]:
    """What an undo takes back, for the after-action review: the human seats' moves and any
    move the white cell vetoed or forced, each with how it went ("not resolved" when the turn
    had not resolved yet)."""
    if model.pending is not None and model.pending.turn == turn:
        out = []
        for actor, moves in zip(model.rules.actors, model.pending.chosen, strict=True):
            for m in moves or []:
                if actor in humans or m in model.pending.vetoed or m in model.pending.forced:
                    move = model.rules.moves[m]
                    out.append(
                        {"actor": actor, "action": move.action, "target": move.target,
                         "result": "not resolved"}
                    )  # fmt: skip
        return out
    out = []
    for e in model.log:
        if e.get("type") != "event" or e.get("turn") != turn or e.get("kind") != "action":
            continue
        if e.get("action") == "hold" or not (
            e.get("actor") in humans or e.get("vetoed") or e.get("forced")
        ):
            continue
        if e.get("vetoed"):
            result = "vetoed"
        elif e.get("cancelled"):
            result = "cancelled"
        else:
            result = "succeeded" if e.get("success") else "failed"
            result = f"forced to {result.removesuffix('ed')}" if e.get("forced") else result
        out.append(
            {"actor": e.get("actor"), "action": e.get("action"), "target": e.get("target"),
             "result": result}
        )  # fmt: skip
        # human partners who chose a joint move joined this one (adjudication rule 9)
        out.extend(
            {"actor": who, "action": e.get("action"), "target": e.get("target"),
             "result": result}
            for who in e.get("joined") or () if who in humans
        )  # fmt: skip
    return out


def flatten(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Journal lines are single inputs or scripted steps ``{"step": k, "entries": [...]}``."""
    out: list[dict[str, Any]] = []
    for line in lines:
        out.extend(line.get("entries", [line]))
    return out


@dataclass(frozen=True, slots=True)
class Review:
    """What the white cell reviews before a turn resolves.

    Attributes:
        turn: the turn under way.
        chosen: per actor (``rules.actors`` order), its chosen move indices (None: a human
            seat still deciding).
        vetoed: the moves the white cell vetoed.
        forced: move -> the result the white cell forced (True: success).
        success: every move's chance of success this turn (``rules.moves`` order).
    """

    turn: int
    chosen: tuple[tuple[int, ...] | None, ...]
    vetoed: frozenset[int]
    forced: dict[int, bool]
    success: np.ndarray


class Session:
    """A facilitated game (see the module docstring).

    Args:
        info: the scenario document, seed and human seats.
        folder: where the session is saved (None: not saved, e.g. for forks and tests).
    """

    def __init__(self, info: SessionInfo, folder: Path | None = None):
        check_same_tripwire(info, folder / SESSION if folder is not None else None)
        self.info = info
        self.folder = folder
        self.warnings: list[Diagnostic] = []  # what resuming noticed and let pass
        self._lock: Any = None  # the folder's lock (see journal.lock_folder)
        catalog = load_catalog()
        spec = Scenario.model_validate(
            info.scenario, context=scenario_names(info.scenario, catalog)
        )
        self.rules = compile_rules(spec, catalog)
        self.spec = spec
        self.lines: list[dict[str, Any]] = []  # the journal's lines, as written
        self.script_step = -1  # the last scripted step applied (for resuming a script)
        self.model = self._fresh_model()
        self.generation = 0  # counts the games built: undo and resume replace the model
        self._journal = Journal(folder) if folder is not None else None

    def _fresh_model(self) -> CrisisModel:
        seats = {code: HumanSeat() for code in self.info.humans}
        return CrisisModel(
            self.rules, rng=self.info.seed, turns=self.info.turns, policies=seats, collect=False
        )

    # --- creating and resuming ----------------------------------------------------------
    @classmethod
    def create(
        cls,
        scenario: Scenario,
        *,
        seed: int,
        humans: Sequence[str],
        folder: Path | None,
        turns: int | None = None,
    ) -> Session:
        """Start a new session (and its folder, which must not hold one already)."""
        info = SessionInfo(
            scenario=scenario.model_dump(mode="json"),
            seed=seed,
            humans=tuple(humans),
            turns=turns,
            tripwire=__version__,
            catalog_sha256=load_catalog().digest,
        )
        if folder is None:
            session = cls(info, None)
            return session
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            where = Location(str(folder))
            raise InputError(
                [Diagnostic(where, f"cannot make this session folder: {err.strerror}")]
            ) from None
        lock, fresh = lock_folder(folder)
        try:
            write_info(folder, info)
            session = cls(info, folder)
            session._lock = lock
            session.save_log()
        except BaseException:
            if fresh:
                lock.release()
            raise
        return session

    @classmethod
    def resume(cls, folder: Path) -> Session:
        """Rebuild a saved session by replaying its journal.

        Everything is checked before anything is written: the session file, that this is
        the Tripwire (and catalog) that made it, every journal line, that the journal
        replays, and that it replays into the saved event log. A refused session's files
        are left as they were. A last journal line cut short by a crash is dropped (and
        said so in ``warnings``); the log is brought up to date with the journal.

        Raises:
            InputError: located at the file and line at fault.
        """
        if not folder.is_dir():
            raise InputError([Diagnostic(Location(str(folder)), "no session folder here")])
        lock, fresh = lock_folder(folder)
        try:
            session = cls._resume(folder)
        except BaseException:
            if fresh:
                lock.release()
            raise
        session._lock = lock
        return session

    @classmethod
    def _resume(cls, folder: Path) -> Session:
        info, text = read_info(folder)
        info_path = folder / SESSION
        check_same_tripwire(info, info_path, text)
        try:
            session = cls(info, folder)
        except (InputError, ValueError, TypeError, KeyError) as err:
            at = text.find('"scenario"')
            line = text.count("\n", 0, at) + 1 if at >= 0 else 1
            why = " ".join(str(err).split())
            if isinstance(err, ValidationError) and err.errors():
                first = err.errors()[0]
                place = ".".join(str(p) for p in first["loc"])
                why = f"{place}: {first['msg']}" if place else first["msg"]
            raise InputError(
                [
                    Diagnostic(
                        Location(str(info_path), line), f"the recorded scenario is not valid: {why}"
                    )
                ]
            ) from None
        unknown = [h for h in info.humans if h not in session.rules.actors]
        if unknown:
            at = text.find('"humans"')
            line = text.count("\n", 0, at) + 1 if at >= 0 else 1
            raise InputError(
                [Diagnostic(Location(str(info_path), line), f"unknown human seat '{unknown[0]}'")]
            )
        journal = read_journal(folder)
        session.lines = journal.lines
        session.script_step = max((line.get("step", -1) for line in journal.lines), default=-1)
        name = str(folder / JOURNAL)
        try:
            session._replay()
        except ReplayError as err:
            raise InputError(
                [
                    Diagnostic(
                        Location(name, journal.numbers[err.line]),
                        f"this input cannot be replayed: {err}",
                    )
                ]
            ) from None
        wanted = session._check_log(journal.numbers)
        if journal.torn is not None:
            session._journal.trim()  # type: ignore[union-attr]
            session.warnings.append(
                Diagnostic(
                    Location(name, journal.torn),
                    "ignored an incomplete last line (the process stopped while writing it)",
                    "warning",
                )
            )
        if wanted is not None:
            write_text_atomic(folder / LOG, wanted)
        return session

    def _check_log(self, numbers: list[int]) -> str | None:
        """Check the saved event log against the replayed journal; return the log to write
        (None: it is up to date).

        The log is rewritten after the journal is appended, so the saved log is the game
        after the last journal line that changed it, or (stopped between the two writes)
        after the one before; a log a resume has written shows the game as replayed. A
        missing log is rebuilt. Anything else means the log or the journal was changed or
        lost lines: rewriting the log would destroy a game, so it is refused.

        Raises:
            InputError: the saved log is not the journal's game.
        """
        assert self.folder is not None
        path = self.folder / LOG
        final = dumps_log(self.model.records())
        if not path.exists() and not path.is_symlink():
            return final
        saved = read_text(path, str(path), max_bytes=512 * 1024 * 1024)
        if saved == final:
            return None
        logged = [k for k, line in enumerate(self.lines) if _logged(line)]
        model = self.model
        try:
            candidates = []
            for k in logged[-2:][::-1] or [-1]:  # the last logged line, the one before
                self._replay(self.lines[: k + 1])
                candidates.append(dumps_log(self.model.records()))
            if len(logged) == 1:
                self._replay([])
                candidates.append(dumps_log(self.model.records()))
        finally:
            self.model = model
        if saved in candidates:
            return final
        journal = self.folder / JOURNAL
        if not self.lines and saved.count("\n") > candidates[0].count("\n"):
            raise InputError(
                [
                    Diagnostic(
                        Location(str(journal)),
                        "the journal is empty but log.jsonl holds a game played further: "
                        "the journal was emptied or replaced, and resuming would lose that game "
                        "(restore journal.jsonl; nothing was changed)",
                    )
                ]
            )
        ours, theirs = candidates[0].split("\n"), saved.split("\n")
        line = next(
            (n for n, (a, b) in enumerate(zip(ours, theirs, strict=False), start=1) if a != b),
            min(len(ours), len(theirs)),
        )
        raise InputError(
            [
                Diagnostic(
                    Location(str(path), line),
                    "the event log differs from the game its journal replays, from this line "
                    "on: one of them was changed or lost lines since the session wrote them. "
                    "Nothing was changed (restore the files; or, to rebuild the log from "
                    "journal.jsonl, move log.jsonl away)",
                )
            ]
        )

    def _replay(self, lines: list[dict[str, Any]] | None = None) -> None:
        """Rebuild the game from journal lines (all of them by default).

        Raises:
            ReplayError: a line's input cannot be applied (its index is in ``line``).
        """
        lines = self.lines if lines is None else lines
        pairs = [(k, e) for k, line in enumerate(lines) for e in line.get("entries", [line])]
        self.model = self._fresh_model()
        self.generation += 1
        for k, entry in _cut(pairs):
            # an undo's cut is already made by _cut(): replaying it only records it
            try:
                self._act(parse_command(entry), replaying=True)
            except (SessionError, CommandError) as err:
                raise ReplayError(k, str(err)) from None
            except Exception as err:  # a saved input of the right shape but impossible
                raise ReplayError(k, f"{type(err).__name__}: {err}") from None

    def close(self) -> None:
        """Let go of the session folder (other processes may open it once this process
        holds no other session on it)."""
        self._lock = None

    # --- state --------------------------------------------------------------------------
    @property
    def phase(self) -> str:
        """``briefing`` (between turns), ``deciding`` (seats to decide), ``review`` (white
        cell before resolution) or ``over``."""
        model = self.model
        if model.pending is not None:
            return "deciding" if model.waiting_for() else "review"
        return "briefing" if model.running else "over"

    @property
    def turn(self) -> int:
        return self.model.turn

    # --- what the views read (the board, the projector, the room) -----------------------
    # Views read the game through these, never through ``session.model``: the session owns
    # the model and replaces it on undo and resume.
    @property
    def log(self) -> list[dict[str, Any]]:
        """The event log of the turns resolved so far."""
        return self.model.log

    def records(self) -> list[dict[str, Any]]:
        """The log and, after it, the white cell's acts since the last resolved turn."""
        return self.model.records()

    @property
    def planned_turns(self) -> int:
        """How many turns the game is set to play."""
        return self.model.turns

    @property
    def under_way(self) -> bool:
        """Whether a turn has begun and not yet resolved."""
        return self.model.pending is not None

    def waiting_for(self) -> list[str]:
        """The human seats still to decide in the turn under way (in actor order)."""
        return self.model.waiting_for()

    def value(self, name: str) -> float:
        """A state variable's value now (white-cell acts and this turn's injects included)."""
        return self.model.value(name)

    @property
    def state(self) -> np.ndarray:
        """Every state variable now, in ``rules.var_names`` order (a read-only copy)."""
        state = self.model.state.copy()
        state.flags.writeable = False
        return state

    def turn_events(self) -> list[dict[str, Any]]:
        """The events of the turn under way so far (its injects, decisions and the white
        cell's review), as the white cell sees them; empty between turns."""
        pending = self.model.pending
        return list(pending.events) if pending is not None else []

    def under_review(self) -> Review | None:
        """The turn under way's chosen moves, the white cell's marks on them and each
        move's chance of success (None between turns)."""
        pending, view = self.model.pending, self.model.view
        if pending is None or view is None:
            return None
        return Review(
            turn=pending.turn,
            chosen=tuple(None if c is None else tuple(c) for c in pending.chosen),
            vetoed=frozenset(pending.vetoed),
            forced=dict(pending.forced),
            success=view.success.copy(),
        )

    def version(self) -> tuple[Any, ...]:
        """Changes whenever anything a view shows may have changed (a cheap key to redraw
        on): the game's generation (undo and resume replace it), the log, the acts, the
        turn under way's events and the state."""
        pending = self.model.pending
        return (
            self.generation,
            len(self.model.log),
            len(self.model.records()),
            len(pending.events) if pending is not None else -1,
            self.model.state.tobytes(),
        )

    # --- inputs -------------------------------------------------------------------------
    def apply(self, command: Command | Mapping[str, Any]) -> None:
        """Take one input (a command, or its JSON object): act on the game, then save it.

        Raises:
            SessionError: the input is not well formed, or not possible now (the game is
                unchanged).
        """
        self.apply_step([command])

    def apply_step(
        self, commands: Sequence[Command | Mapping[str, Any]], step: int | None = None
    ) -> None:
        """Take several inputs as one (a scripted step): all are saved together, or none.

        Raises:
            SessionError: an input is not well formed or not possible; the session returns
                to where it was.
        """
        try:
            parsed = [parse_command(c) for c in commands]
        except CommandError as err:
            raise SessionError(str(err)) from None
        entries: list[dict[str, Any]] = []
        try:
            for command in parsed:
                entries.append(self._act(command))
        except SessionError:
            if entries:
                self._replay()  # back to the state before the step
            raise
        line: dict[str, Any] = dict(entries[0]) if len(entries) == 1 and step is None else {}
        if not line:
            line = {"entries": entries}
            if step is not None:
                line["step"] = step
        self.lines.append(line)
        if step is not None:
            self.script_step = step
        if self._journal is not None:
            self._journal.append(line)
        if any(e["do"] in _LOGGED for e in entries):
            self.save_log()

    def _act(self, command: Command, *, replaying: bool = False) -> dict[str, Any]:
        """Apply one command to the game; return it as its journal entry.

        ``replaying``: the command comes from the journal (an undo's cut is already made).
        """
        model = self.model
        try:
            match command:
                case Begin():
                    if model.pending is not None:
                        raise SessionError(f"turn {model.turn} is already under way")
                    if not model.running:
                        raise SessionError("the game is over")
                    model.begin_turn()
                case Decide(actor=actor, moves=refs, who=who):
                    moves = [self.find_move(actor, m.action, m.target) for m in refs]
                    if actor not in model.waiting_for():
                        raise SessionError(f"{actor} is not waiting to decide")
                    model.decide(actor, [m.index for m in moves], who=who)
                case Veto() | Force() | Clear():
                    move = self.find_move(
                        command.actor, command.action, command.target, chosen=True
                    )
                    said = {"who": command.who, "rationale": command.rationale,
                            "publish": command.publish}  # fmt: skip
                    if isinstance(command, Veto):
                        whitecell.veto(model, move.index, **said)
                    elif isinstance(command, Clear):
                        whitecell.clear(model, move.index, **said)
                    else:
                        whitecell.force(model, move.index, command.success, **said)
                case Inject():
                    whitecell.inject(
                        model,
                        command.id,
                        text=command.text,
                        effects=command.effects,
                        who=command.who,
                        rationale=command.rationale,
                        publish=command.publish,
                    )
                case SetValue():
                    whitecell.set_value(
                        model,
                        command.variable,
                        command.value,
                        who=command.who,
                        rationale=command.rationale,
                        publish=command.publish,
                    )
                case Note():
                    whitecell.note(model, command.text, who=command.who, publish=command.publish)
                case Fork():
                    whitecell.record_fork(
                        model, command.runs, dict(command.outcomes), who=command.who,
                        publish=command.publish,
                    )  # fmt: skip
                case Resolve():
                    if model.pending is None:
                        raise SessionError("no turn is under way")
                    if model.waiting_for():
                        raise SessionError(
                            f"waiting for {', '.join(model.waiting_for())} to decide"
                        )
                    model.step()
                case Undo():
                    command = self._undo_marker(command, replaying=replaying)
        except (ValueError, KeyError, RuntimeError) as err:
            if isinstance(err, SessionError):
                raise
            # a KeyError's text comes quoted; other messages may start with a quoted name
            text = str(err)[1:-1] if isinstance(err, KeyError) else str(err)
            raise SessionError(text) from None
        return command.entry()

    def _undo_marker(self, command: Undo, *, replaying: bool) -> Undo:
        """Apply an undo live: drop the inputs since the last turn began and replay the rest.

        When replaying a journal the inputs are already dropped (see :func:`effective`);
        only the intervention is recorded.
        """
        if replaying:
            if command.undone_turn is None:
                raise SessionError("an undo in the journal must say its 'undone_turn'")
        else:
            if self.turn < 1 and self.model.pending is None:
                raise SessionError("there is no turn to undo")
            undone = self.model.turn
            # saved with the input: replays need them
            command = command.model_copy(
                update={
                    "undone_turn": undone,
                    "undone": undone_moves(self.model, undone, self.info.humans),
                }
            )
            kept = effective([*flatten(self.lines), command.entry()])
            self.model = self._fresh_model()
            for e in kept[:-1]:
                self._act(parse_command(e), replaying=True)
        whitecell.record_undo(
            self.model,
            int(command.undone_turn),  # type: ignore[arg-type]
            who=command.who,
            rationale=command.rationale,
            undone=command.undone,
            publish=command.publish,
        )
        return command

    # --- helpers ------------------------------------------------------------------------
    def _chosen_text(self, actor: str) -> str:
        """The moves an actor chose for the turn under way, as a script would name them."""
        pending = self.model.pending
        moves = pending.chosen[self.rules.actors.index(actor)] if pending else None
        if moves is None:
            return "nothing yet"
        names = [self.rules.moves[m].action for m in moves]
        targets = [self.rules.moves[m].target for m in moves]
        return ", ".join(
            f"{n} -> {t}" if t else n for n, t in zip(names, targets, strict=True)
        ) or ("hold")

    def moves_for(self, actor: str, action: str) -> list[Move]:
        """Every move of ``actor`` taking ``action`` (one per target).

        Raises:
            SessionError: no such actor, or the actor has no such action.
        """
        if actor not in self.rules.actors:
            raise SessionError(f"unknown actor '{actor}'")
        own = self.rules.moves_of(actor)
        options = [m for m in own if m.action == action]
        if not options:
            owners = [
                a
                for a in self.rules.actors
                if any(m.action == action for m in self.rules.moves_of(a))
            ]
            hint = (
                f" (it is an action of {', '.join(owners)})"
                if owners
                else did_you_mean(action, dict.fromkeys(m.action for m in own))
            )
            raise SessionError(f"{actor} has no action '{action}'{hint}")
        return options

    def find_move(
        self, actor: str, action: str, target: str | None = None, *, chosen: bool = False
    ) -> Move:
        """The move of ``actor`` taking ``action`` (at ``target``).

        Raises:
            SessionError: no such actor or action, or a target is needed and missing.
        """
        options = self.moves_for(actor, action)
        if chosen and self.model.pending is not None:
            picked = {m for ms in self.model.pending.chosen for m in (ms or [])}
            options = [m for m in options if m.index in picked]
            if not options:
                raise SessionError(
                    f"{actor}'s '{action}' was not chosen this turn "
                    f"({actor} chose: {self._chosen_text(actor)})"
                )
        if target is not None:
            options = [m for m in options if m.target == target]
            if not options:
                raise SessionError(f"{actor}'s '{action}' cannot target {target}")
        if len(options) > 1:
            targets = ", ".join(str(m.target) for m in options)
            raise SessionError(f"{actor}'s '{action}' needs a target: one of {targets}")
        return options[0]

    def legal_moves(self, actor: str) -> list[Move]:
        """The moves a seat may choose in the turn under way."""
        view = self.model.view
        if self.model.pending is None or view is None:
            return []
        a = self.rules.actors.index(actor)
        return [self.rules.moves[m] for m in view.legal_moves(a)]

    def save_log(self) -> None:
        """Rewrite the session's event log (atomically), with the white cell's acts since the
        last turn (they open the next turn), so a session that stops between turns still has
        its closing notes and forks in its log."""
        if self.folder is not None:
            write_text_atomic(self.folder / LOG, dumps_log(self.model.records()))
