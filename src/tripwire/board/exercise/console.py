"""The white cell's console commands: what each asks for, and the session input it makes.

Each command is a short chain of prompts (what happens, its effects, a rationale...) that
ends in exactly one ``session.apply`` entry through :meth:`ExerciseApp.apply`, so it is
journaled like every other input. Typed names and numbers are checked as they are entered
(with "did you mean" hints), before the session sees them. Forks to Monte Carlo run in a
:class:`ForkJob` thread that the app polls, so the window stays responsive.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from tripwire.board.exercise.layout import CONSOLE_COMMANDS
from tripwire.board.exercise.text import (
    check_variable,
    is_share,
    parse_effects,
    parse_number,
    parse_value,
    suggest_variables,
)
from tripwire.session.fork import ForkResult, fork

if TYPE_CHECKING:
    from tripwire.board.exercise.app import ExerciseApp
    from tripwire.session.session import Session

DEFAULT_FORK_RUNS = 200
MAX_FORK_RUNS = 100_000


class _Cancelled(Exception):
    """Raised from the fork's progress callback to stop it."""


class ForkJob:
    """A fork to Monte Carlo running in a daemon thread; the UI polls ``finished``.

    While it runs the app makes no input to the session (the fork reads the session's
    journal and its outcomes).
    """

    def __init__(self, session: Session, runs: int, jobs: int) -> None:
        self.runs, self.done = runs, 0
        self.result: ForkResult | None = None
        self.error: BaseException | None = None
        self.cancelled = False
        self.finished = threading.Event()
        self._args = (session, runs, jobs)
        self.thread = threading.Thread(target=self._work, name="tripwire-fork", daemon=True)
        self.thread.start()

    def _progress(self, done: int, total: int) -> None:
        self.done, self.runs = done, total
        if self.cancelled:
            raise _Cancelled

    def _work(self) -> None:
        session, runs, jobs = self._args
        try:
            self.result = fork(session, runs, jobs=jobs, progress=self._progress)
        except _Cancelled:
            pass
        except Exception as err:  # handed to the UI thread, which shows it
            self.error = err
        finally:
            self.finished.set()


class WhiteCell:
    """The console's commands for one app (see the module docstring)."""

    def __init__(self, app: ExerciseApp) -> None:
        self.app = app

    def key(self, char: str) -> None:
        """A key pressed while the console is open: a command's letter, an inject's number
        in the library, or L to show the last fork."""
        app = self.app
        if char.upper() == "L" and app.fork_result is not None:
            app.console, app.show_fork = False, True
            return
        if app.console_view == "library" and char.isdigit() and char != "0":
            lib = list(app.session.rules.library)
            if int(char) <= len(lib):
                self.inject_from_library(lib[int(char) - 1], char)
            return
        for cid, letter, *_ in CONSOLE_COMMANDS:
            if char.upper() == letter:
                self.command(cid, char)
                return

    def _between_turns(self, what: str) -> bool:
        phase = self.app.session.phase
        if phase == "briefing":
            return True
        why = "the game is over" if phase == "over" else "a turn is under way"
        self.app.say(f"{what} only between turns ({why}).", "error")
        return False

    def command(self, cid: str, opened_by: str = "") -> None:
        """Start a command: library, adhoc, set, note, undo or fork.

        Args:
            cid: the command's id (see :data:`CONSOLE_COMMANDS`).
            opened_by: the character of the key that started it (dropped from the first
                prompt's text: SDL sends it as typed text too).
        """
        app, rules = self.app, self.app.session.rules
        if cid == "library" and self._between_turns("Injects are made"):
            app.console_view = "library"
        elif cid == "adhoc" and self._between_turns("Injects are made"):
            app.ask(
                "Ad-hoc inject (1 of 3)",
                "What happens? (read to the room, and logged)",
                self._adhoc_text,
                hint="Enter: next · Esc cancels",
                swallow=opened_by,
            )
        elif cid == "set" and self._between_turns("Variables are set"):
            app.ask(
                "Set a state variable (1 of 3)",
                "Variable name (e.g. world.tension)",
                self._set_name,
                hint="Tab completes · Enter: next · Esc cancels",
                suggest=lambda t: suggest_variables(t, rules.var_names),
                swallow=opened_by,
            )
        elif cid == "note":
            app.ask(
                "Note",
                "Annotation for this turn (goes into the log)",
                self._note,
                hint="Enter records it · Esc cancels",
                swallow=opened_by,
            )
        elif cid == "undo":
            self._ask_undo(opened_by)
        elif cid == "fork":
            self._ask_fork(opened_by)

    def _note(self, text: str) -> str | None:
        if not text:
            return "Type the note (or Esc to cancel)."
        self.app.apply({"do": "note", "text": text}, "Note recorded.")
        return None

    def inject_from_library(self, inject_id: str, opened_by: str = "") -> None:
        """Ask the rationale for a library inject, then fire it."""
        app = self.app
        if not self._between_turns("Injects are made"):
            return
        rule = app.session.rules.library[inject_id]
        nxt = app.session.turn + 1

        def fire(why: str) -> None:
            done = f"Injected '{inject_id}': it takes effect now and opens turn {nxt}."
            if app.apply({"do": "inject", "id": inject_id, "rationale": why}, done):
                app.console_view = "commands"

        app.ask_rationale(f"Inject: {rule.text}", fire, opened_by)

    def _adhoc_text(self, text: str) -> str | None:
        if not text:
            return "Type what happens (it is read to the room and logged)."
        app = self.app
        names = app.session.rules.var_names

        def effects(typed: str) -> str | None:
            try:
                parsed = parse_effects(typed, names) if typed else {}
            except ValueError as err:
                return str(err)

            def fire(why: str) -> None:
                entry = {"do": "inject", "text": text, "effects": parsed, "rationale": why}
                app.apply(entry, f"Injected: {text}")

            app.ask_rationale(f"Ad-hoc inject: {text}", fire)
            return None

        app.ask(
            "Ad-hoc inject (2 of 3)",
            "Effects, e.g. world.tension=+5, PRK.posture=-3 (may be empty)",
            effects,
            hint="Tab completes the name being typed · Enter: next · Esc cancels",
            suggest=lambda t: suggest_variables(t.split(",")[-1].split("=")[0], names),
            complete=_complete_last_name,
        )
        return None

    def _set_name(self, typed: str) -> str | None:
        app = self.app
        rules = app.session.rules
        try:
            name = check_variable(typed, rules.var_names)
        except ValueError as err:
            return str(err)
        i = rules.var_names.index(name)
        now, lo, hi = app.session.value(name), rules.lo_list[i], rules.hi_list[i]
        percent = is_share(lo, hi)  # shown as "35%" on the board: typed in percent too

        def shown(v: float) -> str:
            return f"{v * 100:.4g}%" if percent else f"{v:.4g}"

        def value(text: str) -> str | None:
            try:
                v = parse_value(text, lo, hi, percent=percent)
            except ValueError as err:
                return str(err)
            app.ask_rationale(
                f"Set {name} to {shown(v)}",
                lambda why: app.apply(
                    {"do": "set", "variable": name, "value": v, "rationale": why},
                    f"{name} set to {shown(v)}; it was {shown(now)}.",
                ),
            )
            return None

        unit = " in percent, e.g. 45 for 45%" if percent else ""
        app.ask(
            f"Set {name} (2 of 3)",
            f"New value{unit} (now {shown(now)}; from {shown(lo)} to {shown(hi)})",
            value,
            hint="Enter: next · Esc cancels",
        )
        return None

    def _ask_undo(self, opened_by: str) -> None:
        app = self.app
        s = app.session
        if s.turn < 1 and not s.under_way:
            app.say("There is no turn to undo yet.", "error")
            return
        turn = s.turn

        def undo(why: str) -> None:
            if app.apply(
                {"do": "undo", "rationale": why},
                f"Turn {turn} undone: back to just before it began.",
            ):
                app.reset_turn_ui()

        app.ask_rationale(f"Undo turn {turn}? Goes back to just before it began", undo, opened_by)

    def _ask_fork(self, opened_by: str) -> None:
        app = self.app
        if app.fork_job is not None:
            job = app.fork_job
            app.ask(
                "Cancel the fork?",
                f"{job.done} of {job.runs} continuations played. Enter cancels it.",
                lambda _t: setattr(job, "cancelled", True),
                confirm=True,
                ok_label="Cancel fork (Enter)",
            )
            return
        if not self._between_turns("Forks are run"):
            return

        def start(text: str) -> str | None:
            try:
                runs = parse_number(text or str(DEFAULT_FORK_RUNS))
            except ValueError as err:
                return str(err)
            if runs != int(runs) or not 1 <= runs <= MAX_FORK_RUNS:
                return f"choose a whole number of continuations, 1 to {MAX_FORK_RUNS}"
            app.fork_job = ForkJob(app.session, int(runs), app.fork_jobs)
            app.say(f"Forking {int(runs)} continuations from turn {app.session.turn}…")
            return None

        app.ask(
            "Fork: where is this heading?",
            "How many bot continuations?",
            start,
            text=str(DEFAULT_FORK_RUNS),
            hint="Enter starts (a few seconds per hundred) · Esc cancels",
            swallow=opened_by,
        )


def _complete_last_name(text: str, name: str) -> str:
    """Replace the name being typed (after the last comma, before any '=') by ``name``."""
    head, comma, last = text.rpartition(",")
    _name, eq, value = last.partition("=")
    lead = " " if comma else ""
    return f"{head}{comma}{lead}{name}{eq or '='}{value}"
