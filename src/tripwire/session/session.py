"""A facilitated session: the game, its human seats, the white cell, and its journal.

Every input (a turn begins; a seat decides; the white cell vetoes, forces, injects, sets a
value, annotates, undoes; a turn resolves) goes through :meth:`Session.apply`, which acts on
the model and then appends the input to the journal (durably) and, after a turn, rewrites
the log. :meth:`Session.resume` rebuilds a session by replaying its journal on a fresh model
with the same seed: since a turn's dice are drawn in fixed blocks whatever anyone chooses,
the same inputs give the same game, byte for byte.

Undo goes back to just before the last turn began (white-cell acts made before it began are
kept): the inputs since then are dropped and the game is replayed; the undo itself is recorded
as an intervention, so the after-action review shows it. The undone turn is replayed with the
same dice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tripwire import __version__
from tripwire.catalog import load_catalog
from tripwire.errors import did_you_mean
from tripwire.files import write_text_atomic
from tripwire.scenario.loader import scenario_names
from tripwire.scenario.schema import Scenario
from tripwire.session.journal import LOG, Journal, SessionInfo, read_info, read_journal, write_info
from tripwire.sim.events import dumps_log
from tripwire.sim.model import CrisisModel
from tripwire.sim.policies import HumanSeat
from tripwire.sim.rules import Move, compile_rules

# inputs after which the event log changes (the others wait in the journal for their turn)
_LOGGED = ("resolve", "undo", "inject", "set", "note", "fork")


class SessionError(ValueError):
    """An input the session cannot take (the message says why)."""


def effective(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inputs that count: each ``undo`` drops everything from the last ``begin`` on.

    The undo entry itself is kept (replaying it records the intervention).
    """
    out: list[dict[str, Any]] = []
    for entry in entries:
        if entry.get("do") == "undo":
            begins = [i for i, e in enumerate(out) if e.get("do") == "begin"]
            if begins:
                del out[begins[-1] :]
        out.append(entry)
    return out


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
    return out


def flatten(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Journal lines are single inputs or scripted steps ``{"step": k, "entries": [...]}``."""
    out: list[dict[str, Any]] = []
    for line in lines:
        out.extend(line.get("entries", [line]))
    return out


class Session:
    """A facilitated game (see the module docstring).

    Args:
        info: the scenario document, seed and human seats.
        folder: where the session is saved (None: not saved, e.g. for forks and tests).
    """

    def __init__(self, info: SessionInfo, folder: Path | None = None):
        self.info = info
        self.folder = folder
        catalog = load_catalog()
        spec = Scenario.model_validate(
            info.scenario, context=scenario_names(info.scenario, catalog)
        )
        self.rules = compile_rules(spec, catalog)
        self.spec = spec
        self.lines: list[dict[str, Any]] = []  # the journal's lines, as written
        self.script_step = -1  # the last scripted step applied (for resuming a script)
        self.model = self._fresh_model()
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
        if folder is not None:
            write_info(folder, info)
        session = cls(info, folder)
        session.save_log()
        return session

    @classmethod
    def resume(cls, folder: Path) -> Session:
        """Rebuild a saved session by replaying its journal."""
        info = read_info(folder)
        lines, _dropped = read_journal(folder)
        session = cls(info, folder)
        session.lines = lines
        session.script_step = max((line.get("step", -1) for line in lines), default=-1)
        session._replay()
        session.save_log()
        return session

    def _replay(self) -> None:
        self.model = self._fresh_model()
        for entry in effective(flatten(self.lines)):
            # an undo's cut is already made by effective(): replaying it only records it
            self._act({**entry, "_replaying": True} if entry.get("do") == "undo" else entry)

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

    # --- inputs -------------------------------------------------------------------------
    def apply(self, entry: dict[str, Any]) -> None:
        """Take one input: act on the game, then save it.

        Raises:
            SessionError: the input is not possible now (the game is unchanged).
        """
        self.apply_step([entry])

    def apply_step(self, entries: Sequence[dict[str, Any]], step: int | None = None) -> None:
        """Take several inputs as one (a scripted step): all are saved together, or none.

        Raises:
            SessionError: an input is not possible; the session returns to where it was.
        """
        done = 0
        try:
            for entry in entries:
                self._act(entry)
                done += 1
        except SessionError:
            if done:
                self._replay()  # back to the state before the step
            raise
        line: dict[str, Any] = dict(entries[0]) if len(entries) == 1 and step is None else {}
        if not line:
            line = {"entries": list(entries)}
            if step is not None:
                line["step"] = step
        self.lines.append(line)
        if step is not None:
            self.script_step = step
        if self._journal is not None:
            self._journal.append(line)
        if any(e.get("do") in _LOGGED for e in entries):
            self.save_log()

    def _act(self, entry: dict[str, Any]) -> None:
        do = entry.get("do")
        model = self.model
        who = entry.get("who", "white cell")
        rationale = entry.get("rationale", "")
        try:
            if do == "begin":
                if model.pending is not None:
                    raise SessionError(f"turn {model.turn} is already under way")
                if not model.running:
                    raise SessionError("the game is over")
                model.begin_turn()
            elif do == "decide":
                moves = [
                    self.find_move(entry["actor"], m["action"], m.get("target"))
                    for m in entry["moves"]
                ]
                if entry["actor"] not in model.waiting_for():
                    raise SessionError(f"{entry['actor']} is not waiting to decide")
                model.decide(entry["actor"], [m.index for m in moves], who=entry.get("who"))
            elif do in ("veto", "force"):
                move = self.find_move(
                    entry["actor"], entry["action"], entry.get("target"), chosen=True
                )
                if do == "veto":
                    model.veto(move.index, who=who, rationale=rationale)
                else:
                    model.force(move.index, bool(entry["success"]), who=who, rationale=rationale)
            elif do == "inject":
                model.inject(
                    entry.get("id"),
                    text=entry.get("text"),
                    effects=entry.get("effects"),
                    who=who,
                    rationale=rationale,
                )
            elif do == "set":
                model.set_value(
                    entry["variable"], float(entry["value"]), who=who, rationale=rationale
                )
            elif do == "note":
                model.note(entry["text"], who=who)
            elif do == "fork":
                model.record_fork(int(entry["runs"]), dict(entry["outcomes"]), who=who)
            elif do == "resolve":
                if model.pending is None:
                    raise SessionError("no turn is under way")
                if model.waiting_for():
                    raise SessionError(f"waiting for {', '.join(model.waiting_for())} to decide")
                model.step()
            elif do == "undo":
                self._undo_marker(entry)
            else:
                raise SessionError(f"unknown input {do!r}")
        except (ValueError, KeyError, RuntimeError) as err:
            if isinstance(err, SessionError):
                raise
            # a KeyError's text comes quoted; other messages may start with a quoted name
            text = str(err)[1:-1] if isinstance(err, KeyError) else str(err)
            raise SessionError(text) from None

    def _undo_marker(self, entry: dict[str, Any]) -> None:
        """Apply an undo live: drop the inputs since the last turn began and replay the rest.

        When replaying a journal the inputs are already dropped (see :func:`effective`);
        only the intervention is recorded.
        """
        if entry.get("_replaying"):
            undone = int(entry["undone_turn"])
        else:
            if self.turn < 1 and self.model.pending is None:
                raise SessionError("there is no turn to undo")
            undone = self.model.turn
            entry["undone_turn"] = undone  # saved with the input: replays need it
            entry["undone"] = undone_moves(self.model, undone, self.info.humans)
            kept = effective([*flatten(self.lines), {**entry, "_replaying": True}])
            self.model = self._fresh_model()
            for e in kept[:-1]:
                self._act({**e, "_replaying": True} if e.get("do") == "undo" else e)
        who, rationale = entry.get("who", "white cell"), entry.get("rationale", "")
        self.model.record_undo(undone, who=who, rationale=rationale, undone=entry.get("undone"))

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
