"""Exercise mode: the board as the room's screen for a facilitated session.

:class:`ExerciseApp` drives a :class:`~tripwire.session.Session` through its public API only:
every change to the game is one ``session.apply`` entry (see :meth:`ExerciseApp.apply`), so
it is journaled (autosaved) and replays exactly on resume. On top of the board it adds what
a room needs:

* a turn flow: *briefing* (the board of the last turn, "Begin turn N"), then for each human
  seat in turn a hand-over screen ("pass the controls to the United States team") that hides
  the other seats' choices, then that seat's action menu; then a hand-over to the white cell
  and its *review* of every chosen move (veto, force success or failure, each with a
  rationale), then resolution, after which the board shows what happened;
* the white-cell console (:mod:`tripwire.board.exercise.console`: injects from the library
  or ad hoc, set a variable, notes, undo, fork to Monte Carlo in a worker thread), a status
  line, a help overlay, and a text prompt fed by pygame ``TEXTINPUT`` events.

Like :class:`~tripwire.board.replay.app.App` it is built to be driven by tests: feed events to
:meth:`ExerciseApp.handle` (routed by :mod:`tripwire.board.exercise.input`), call
:meth:`ExerciseApp.update` and :meth:`ExerciseApp.draw`, and inspect ``screen_name``,
``targets()`` (what can be clicked, and where), ``message`` and ``visible_text`` (every
text drawn in the last frame). The drawing is in :mod:`tripwire.board.exercise.view`, the
geometry in :mod:`tripwire.board.exercise.layout`, the words in
:mod:`tripwire.board.exercise.text`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from tripwire.board.common.frame import date_label, reference
from tripwire.board.common.window import Window
from tripwire.board.exercise.console import ForkJob, WhiteCell
from tripwire.board.exercise.input import Prompt, Target, dispatch, targets
from tripwire.board.exercise.layout import ExerciseLayout, exercise_layout
from tripwire.board.exercise.text import (
    MoveCard,
    ReviewRow,
    card_from,
    live_records,
    move_card,
    review_rows,
)
from tripwire.board.exercise.view import ExerciseRenderer, draw_exercise
from tripwire.board.replay.app import App
from tripwire.session.cards import session_cards
from tripwire.session.fork import ForkResult, fork_entry
from tripwire.session.session import Session, SessionError
from tripwire.sim.events import WHITE

__all__ = ["ExerciseApp", "run_exercise"]

WHITE_CELL = "white cell"


class ExerciseApp(Window):
    """The exercise screen over a session (see the module docstring).

    Args:
        session: the session to run (new or resumed); it saves itself on every input.
        size: window (or off-screen surface) size in pixels.
        window: open a resizable window (False: draw off-screen, for tests and screenshots).
        fork_jobs: worker processes for forks (1: in the fork's thread).
    """

    def __init__(
        self,
        session: Session,
        *,
        size: tuple[int, int] = (1280, 800),
        window: bool = True,
        fork_jobs: int = 1,
    ) -> None:
        self.session = session
        self.window = window
        self.fork_jobs = max(int(fork_jobs), 1)
        self.running = True
        self.help = False
        self.fullscreen = False
        self.console = False
        self.console_view = "commands"  # or "library"
        self.prompt: Prompt | None = None
        self.message, self.message_kind = "", "info"
        self.fork_job: ForkJob | None = None
        self.fork_result: ForkResult | None = None
        self.show_fork = False
        self.ready: tuple[int, str] | None = None  # the (turn, seat) handed over to
        self.selected: list[int] = []  # move indices chosen in the open menu
        self.cursor = 0
        self.page = 0
        self.typed_number = ""  # digits typed in the menu so far (cards 10 and up)
        self.review_pick: int | None = None
        self.peek = False  # the board over the menu or review
        self.visible_text: list[str] = []
        self.last_exception: BaseException | None = None
        self.names = dict(reference().names)
        self.renderer = ExerciseRenderer()
        self._menu_for: tuple[int, str] | None = None
        self._cards: tuple[tuple[int, str], list[MoveCard]] | None = None
        self.white = WhiteCell(self)
        self._viewer: App | None = None
        self._viewer_of: tuple[Any, ...] | None = None  # the session version it shows
        self.viewer_name = WHITE  # who the board's records are filtered for
        self._windowed_size = size
        self._repeating = False
        if window:
            if not pygame.display.get_init():
                pygame.display.init()
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
            pygame.display.set_caption(f"Tripwire exercise — {session.spec.title}")
            pygame.key.start_text_input()
        else:
            self.screen = pygame.Surface(size)
        self.layout: ExerciseLayout = exercise_layout(*self.screen.get_size())
        self._sync_viewer()
        if session.phase == "over":
            self.say("The game is over: Tab opens the white cell (undo), Q quits.")

    # --- what is shown -----------------------------------------------------------------

    @property
    def viewer(self) -> App:
        """The board over the session's log (which turn, playback), kept in step with it."""
        self._sync_viewer()
        assert self._viewer is not None
        return self._viewer

    def _sync_viewer(self) -> None:
        """Rebuild the board when the game changed: a turn resolved, an undo, or a white-cell
        act between turns (its effects show at once, not when the next turn resolves)."""
        key = self.session.version()
        if self._viewer_of == key:
            return
        records = live_records(self.session, self.viewer_name)
        app = App(records, size=self.layout.board.tuple()[2:], window=False)
        app.renderer = self.renderer  # one font and static-layer cache for everything
        old = self._viewer
        follow = old is None or old.turn >= old.last_turn  # stay on an earlier turn looked at
        app.jump(app.last_turn if follow else old.turn)
        self._viewer, self._viewer_of = app, key

    @property
    def seat(self) -> str | None:
        """The human seat whose turn it is to decide (None when no seat is to decide)."""
        waiting = self.session.waiting_for() if self.session.phase == "deciding" else []
        return waiting[0] if waiting else None

    @property
    def screen_name(self) -> str:
        """What the screen shows: briefing, handover, menu, review or over."""
        phase, turn = self.session.phase, self.session.turn
        if phase == "deciding":
            return "menu" if self.ready == (turn, self.seat) else "handover"
        if phase == "review":
            return "review" if self.ready == (turn, WHITE_CELL) else "handover"
        return phase

    def name(self, code: str | None) -> str:
        """An actor's display name ("United States")."""
        return self.names.get(code or "", code or "?")

    def turn_label(self, turn: int) -> str:
        """ "March 2027": the month of a turn."""
        return date_label(self.session.rules.month(max(turn, 1)))

    def cards(self) -> list[MoveCard]:
        """The open menu's cards: every move of the seat, numbered in catalog order (the
        same number every turn), the unavailable ones with the reason (cached for the turn
        and seat; see :mod:`tripwire.session.cards`)."""
        seat = self.seat
        if seat is None:
            return []
        key = (self.session.turn, seat)
        if self._cards is None or self._cards[0] != key:
            rules = self.session.rules
            cards = [card_from(c, rules) for c in session_cards(self.session, seat)]
            self._cards = (key, cards)
        return self._cards[1]

    def action_points(self, seat: str) -> int:
        """How many moves a seat may choose a turn."""
        return int(self.session.rules.action_points[self.session.rules.actors.index(seat)])

    def review(self) -> list[ReviewRow]:
        """The review's rows: every actor's chosen moves this turn (bots' too)."""
        review = self.session.under_review()
        if review is None:
            return []
        return review_rows(
            self.session.rules,
            review,
            humans=self.session.info.humans,
            names=self.names,
        )

    # --- clickable parts ---------------------------------------------------------------

    @property
    def peeking(self) -> bool:
        """Whether the board is shown over a seat's menu or the review (B toggles it): the
        board shows only resolved turns, so nothing of this turn's choices."""
        return self.peek and self.screen_name in ("menu", "review")

    @property
    def modal(self) -> bool:
        """Whether something is open over the screen (prompt, help, console, fork result)."""
        return self.prompt is not None or self.help or self.console or self.show_fork

    def targets(self) -> list[Target]:
        """What can be clicked now, bottom to top (the same rectangles the view draws)."""
        return targets(self)

    def primary(self) -> tuple[str, str] | None:
        """The bar's main control for the screen: (target id, label), or None."""
        turn = self.session.turn
        if self.peeking:
            back = "menu" if self.screen_name == "menu" else "review"
            return ("peek", f"Back to the {back}  (B)")
        return {
            "briefing": ("begin", f"Begin turn {turn + 1}  (Enter)"),
            "handover": ("ready", "Ready  (Enter)"),
            "menu": ("confirm", "Confirm  (Enter)"),
            "review": ("resolve", f"Resolve turn {turn}  (R)"),
        }.get(self.screen_name)

    def blocks(self, rows: list[ReviewRow]) -> list[int]:
        """How many review rows each actor has, in actor order."""
        return [sum(r.actor == code for r in rows) for code in self.session.rules.actors]

    def value_of(self, name: str) -> float | None:
        """The current value of a state variable (None for an unknown name)."""
        if name not in self.session.rules.index:
            return None
        return self.session.value(name)

    def suggestions(self) -> list[str]:
        """The open prompt's suggestions for what is typed (e.g. variable names)."""
        p = self.prompt
        if p is None or p.suggest is None:
            return []
        return p.suggest(p.text)[:5]

    # --- status ------------------------------------------------------------------------

    def say(self, text: str, kind: str = "info") -> None:
        """Show a line in the status bar (kind: info, ok or error)."""
        self.message, self.message_kind = text, kind

    def apply(self, entry: dict[str, Any], done: str = "") -> bool:
        """Give one input to the session; show its error (the game is then unchanged)."""
        if self.fork_job is not None:
            self.say(
                f"A fork is running ({self.fork_job.done}/{self.fork_job.runs}): wait for "
                "it, or cancel it from the white cell (M).",
                "error",
            )
            return False
        try:
            self.session.apply(entry)
        except (SessionError, ValueError, KeyError, TypeError) as err:
            self.say(f"Not done: {str(err).strip(chr(39) + chr(34))}", "error")
            return False
        if done:
            self.say(done, "ok")
        self._sync_viewer()
        return True

    # --- input -------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        """Apply one pygame event; any error becomes a status message, never a crash."""
        try:
            dispatch(self, event)
        except Exception as err:  # a room must never lose its screen; the session is saved
            self.last_exception = err
            self.say(f"Unexpected error (nothing was lost): {type(err).__name__}: {err}", "error")

    # --- the turn flow -----------------------------------------------------------------

    def begin(self) -> None:
        """Begin the next turn; the first human seat's hand-over screen follows."""
        turn = self.session.turn + 1
        if self.apply({"do": "begin"}):
            seat = self.seat
            who = f"the {self.name(seat)} team" if seat else "the white cell"
            self.say(f"Turn {turn} has begun: pass the controls to {who}.", "ok")
            self.ready, self.review_pick = None, None

    def hand_over(self) -> None:
        """The seat (or the white cell) named on the hand-over screen has the controls."""
        seat = self.seat or WHITE_CELL
        self.ready, self.peek = (self.session.turn, seat), False
        if self._menu_for != self.ready:
            self._menu_for, self.selected, self.cursor, self.page = self.ready, [], 0, 0
        self.say("")

    def toggle(self, k: int) -> None:
        """Choose or unchoose the ``k``-th move of the open menu."""
        cards = self.cards()
        seat = self.seat
        if seat is None or not 0 <= k < len(cards):
            return
        self.cursor = k
        card = cards[k]
        if not card.available and card.index not in self.selected:
            self.say(f"{card.number}. {card.label} is not available: {card.reason}.", "error")
            return
        if card.index in self.selected:
            self.selected.remove(card.index)
            self.say("")
            return
        group = self.session.rules.move_group
        twin = next((m for m in self.selected if group[m] == group[card.index]), None)
        if twin is not None:  # an action is taken once a turn: switch its target instead
            self.selected[self.selected.index(twin)] = card.index
            self.say(f"{card.name}: target switched to {card.target_name}.")
            return
        points = self.action_points(seat)
        if len(self.selected) >= points:
            self.say(
                f"{self.name(seat)} has {points} action point(s): unselect one first.", "error"
            )
            return
        self.selected.append(card.index)
        self.say("")

    def confirm(self) -> None:
        """Lock in the open menu's choice (nothing chosen: ask whether to hold)."""
        if not self.selected:
            self.ask_hold()
        else:
            self._decide(list(self.selected))

    def ask_hold(self) -> None:
        """Ask the seat to confirm holding (choosing nothing) this turn."""
        seat = self.seat
        if seat is None:
            return
        self.ask(
            f"Hold: {self.name(seat)} does nothing this turn?",
            "The team takes no action this month. Enter (or Y) holds; Esc goes back to the menu.",
            lambda _text: self._decide([]),
            confirm=True,
            ok_label="Hold (Enter)",
        )

    def _decide(self, moves: list[int]) -> None:
        seat = self.seat
        if seat is None:
            return
        rules = self.session.rules
        entry = {
            "do": "decide",
            "actor": seat,
            "moves": [
                {"action": rules.moves[m].action, "target": rules.moves[m].target} for m in moves
            ],
            "who": f"{seat} team",
        }
        done = f"{self.name(seat)} has decided; the choice stays hidden until the turn resolves."
        if self.apply(entry, done):
            self.selected, self.ready = [], None

    def intervene(self, what: str, opened_by: str = "") -> None:
        """Veto, force the success or failure of, or clear the mark of (let the dice decide)
        the move picked in the review; asks for the white cell's rationale first."""
        m = self.review_pick
        if self.screen_name != "review" or m is None:
            self.say("Pick a chosen move first: click it, or select it with ↑/↓.", "error")
            return
        move = self.session.rules.moves[m]
        label = move_card(self.session.rules, move, 0.0, self.names).label
        verb = {
            "veto": "Veto",
            "success": "Force success of",
            "failure": "Force failure of",
            "clear": "Let the dice decide",
        }[what]
        entry: dict[str, Any] = {
            "do": what if what in ("veto", "clear") else "force",
            "actor": move.actor,
            "action": move.action,
            "target": move.target,
            "who": WHITE_CELL,
        }
        if what in ("success", "failure"):
            entry["success"] = what == "success"

        def submit(text: str) -> None:
            done = f"{verb} {self.name(move.actor)}'s {label}: recorded with its rationale."
            self.apply({**entry, "rationale": text}, done)

        self.ask_rationale(f"{verb} {self.name(move.actor)}'s {label}", submit, opened_by)

    def resolve(self) -> None:
        """Resolve the turn under way; the board then shows what happened."""
        turn = self.session.turn
        if self.apply({"do": "resolve"}, f"Turn {turn} resolved: the board shows what happened."):
            self.ready, self.review_pick = None, None
            if self.session.phase == "over":
                self.say(f"Turn {turn} resolved: the game is over.", "ok")

    def ask_rationale(self, title: str, then: Callable[[str], Any], opened_by: str = "") -> None:
        """Ask the white cell's rationale (may be empty), then call ``then`` with it."""

        def submit(text: str) -> None:
            then(text)

        self.ask(
            title,
            "Rationale: why? (recorded in the log for the after-action review; may be empty)",
            submit,
            hint="Enter accepts · Esc cancels",
            swallow=opened_by,
        )

    def ask(
        self, title: str, label: str, on_submit: Callable[[str], str | None], **kw: Any
    ) -> None:
        """Open a prompt (see :class:`~tripwire.board.exercise.input.Prompt`)."""
        self.prompt = Prompt(title, label, on_submit, **kw)

    def submit_prompt(self) -> None:
        """Accept the open prompt: its callback runs (and may open the next prompt); an
        error it returns keeps the prompt open with the message."""
        p = self.prompt
        if p is None:
            return
        self.prompt = None
        error = p.on_submit(p.text.strip())
        if error:
            p.error = error
            self.prompt = p
            self.say(error, "error")

    def reset_turn_ui(self) -> None:
        """Forget the hand-over, menu and review state (after an undo)."""
        self.ready, self.selected, self.review_pick = None, [], None

    # --- the white cell's console ------------------------------------------------------

    def toggle_console(self) -> None:
        """Open or close the white-cell console."""
        self.console = not self.console
        self.console_view = "commands"

    # --- quitting, the window, time ----------------------------------------------------

    def ask_quit(self) -> None:
        """Ask whether to quit (everything is already saved)."""
        folder = self.session.folder
        saved = (
            f"Everything is saved in {folder}: tripwire play --resume {folder} continues it."
            if folder is not None
            else "This session has no folder: it is not saved."
        )
        self.ask(
            "Quit the exercise?",
            saved,
            lambda _t: setattr(self, "running", False),
            confirm=True,
            ok_label="Quit (Enter)",
        )

    def resize(self, width: int, height: int) -> None:
        """Lay the screen out again for a new window size."""
        self.layout = exercise_layout(*self.fit_screen(width, height))
        self.viewer.resize(*self.layout.board.tuple()[2:])

    def update(self, dt: float) -> None:
        """Advance time: board playback, and take a finished fork's result."""
        self.viewer.update(dt)
        typing = self.window and self.prompt is not None and not self.prompt.confirm
        if typing != self._repeating:  # a held Backspace repeats, but only in a text box
            if typing:
                pygame.key.set_repeat(400, 40)
            else:
                pygame.key.set_repeat()
            self._repeating = typing
        job = self.fork_job
        if job is not None and job.finished.is_set():
            self.fork_job = None
            if job.error is not None:
                self.say(f"The fork failed: {job.error}", "error")
            elif job.result is not None:
                self.fork_result, self.show_fork, self.console = job.result, True, False
                self.apply(  # logged, so the after-action review shows what the room saw
                    fork_entry(job.result),
                    f"Fork done: {job.result.runs} continuations from turn {job.result.turn}.",
                )
            else:
                self.say("Fork cancelled.")

    def draw(self) -> pygame.Surface:
        """Draw the screen and return it; ``visible_text`` lists every text drawn."""
        self._sync_viewer()
        self.renderer.drawn.clear()
        draw_exercise(self, self.screen)
        self.visible_text = list(self.renderer.drawn)
        return self.screen


def run_exercise(
    session: Session, *, fork_jobs: int = 1, size: tuple[int, int] = (1280, 800)
) -> None:
    """Open the exercise window over a session and run it until the facilitator quits.

    Every input is saved by the session as it is made, so closing the window (or a crash)
    loses nothing: ``Session.resume(folder)`` continues where it stopped.

    Args:
        session: a new or resumed session.
        fork_jobs: worker processes for forks to Monte Carlo.
        size: the window's initial size (it is resizable; F11 for full screen).
    """
    try:
        ExerciseApp(session, size=size, fork_jobs=fork_jobs).run()
    finally:
        pygame.display.quit()
