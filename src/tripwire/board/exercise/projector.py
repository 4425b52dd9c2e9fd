"""The projector: the room's big screen, showing public information only.

When a session is served to the room (``tripwire play ... --serve --projector``), the teams
and the white cell work in their browsers and this window is what everyone sees: the board
(map, ladder, indicators, outcome watch, the public feed), the turn and its month, what the
session is doing in public words ("the teams are deciding"), the exercise clock, and an
alert when an outcome is reached or a risk trigger fires. It has no console, no action
menu, no review, and shows no pending decision, white-cell note or rationale: every record
it draws passes :func:`tripwire.sim.events.visible` for the ``"public"`` viewer, and the
turn under way shows only its public injects.

It only reads the session, under the lock the server holds while it applies an input, so
it never sees half an input. Like the other apps it draws off-screen for tests:
``visible_text`` lists every string drawn in the last frame.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Mapping
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from tripwire.board.common import colours as C
from tripwire.board.common.frame import date_label, reference
from tripwire.board.common.layout import Rect
from tripwire.board.common.window import Window
from tripwire.board.exercise.input import VIEW_KEYS
from tripwire.board.exercise.layout import exercise_layout
from tripwire.board.exercise.text import live_records
from tripwire.board.exercise.view import PHASES, ExerciseRenderer
from tripwire.board.replay.app import App
from tripwire.sim.events import PUBLIC, describe

__all__ = ["ALERT_SECONDS", "ProjectorApp", "public_phase", "run_projector"]

ALERT_SECONDS = 12.0  # how long an alert stays up (several alerts follow one another)


def public_phase(phase: str, turn: int) -> str:
    """What the session is doing, as the room may hear it (nobody's choice, no names)."""
    return {
        "briefing": f"Between turns: turn {turn + 1} is next",
        "deciding": f"Turn {turn}: the teams are deciding",
        "review": f"Turn {turn}: the white cell reviews the moves",
        "over": "The game is over",
    }.get(phase, "")


def _clock_text(clock: Mapping[str, Any] | None) -> str:
    if not clock:
        return ""

    def mmss(seconds: float) -> str:
        s = max(round(seconds), 0)
        return f"{s // 60}:{s % 60:02d}"

    remaining = clock.get("remaining")
    if remaining is not None:
        text = f"{mmss(float(remaining))} left" if remaining > 0 else "time is up"
    else:
        text = mmss(float(clock.get("elapsed") or 0.0))
    return text + ("" if clock.get("running") else " (paused)")


class ProjectorApp(Window):
    """The projector window over a session (see the module docstring).

    Args:
        session: the session shown (read only).
        lock: held while reading the session (the server's lock); None for none.
        clock: returns the exercise clock's state (``running``, ``elapsed``, ``limit``,
            ``remaining``), or None when there is no clock.
        size: window (or off-screen surface) size.
        window: open a window (False: draw off-screen, for tests and screenshots).
    """

    def __init__(
        self,
        session: Any,
        *,
        lock: Any = None,
        clock: Callable[[], Mapping[str, Any]] | None = None,
        size: tuple[int, int] = (1280, 800),
        window: bool = True,
    ) -> None:
        self.session = session
        self.lock = lock if lock is not None else contextlib.nullcontext()
        self.clock = clock
        self.window = window
        self.running = True
        self.fullscreen = False
        self.help = False
        self._windowed_size = size
        self.renderer = ExerciseRenderer()
        self.visible_text: list[str] = []
        self.alerts: list[str] = []  # waiting to be shown, oldest first
        self.alert: str = ""
        self._alert_left = 0.0
        self._seen_alerts: int | None = None  # public outcome and trigger records seen
        self._viewer: App | None = None
        self._key: tuple[Any, ...] | None = None
        self._phase, self._turn, self._title = "briefing", 0, ""
        self._quit_armed = False
        if window:
            if not pygame.display.get_init():
                pygame.display.init()
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
            pygame.display.set_caption(f"Tripwire projector — {session.spec.title}")
        else:
            self.screen = pygame.Surface(size)
        self.layout = exercise_layout(*self.screen.get_size())
        self.sync()

    # --- what is shown -----------------------------------------------------------------

    @property
    def viewer(self) -> App:
        """The board over the session's public records."""
        assert self._viewer is not None
        return self._viewer

    def sync(self) -> None:
        """Read the session (under the lock): rebuild the board when the game changed, and
        queue an alert for each outcome reached or trigger fired since the last look."""
        with self.lock:
            key = self.session.version()
            self._phase, self._turn = self.session.phase, self.session.turn
            self._title = self.session.spec.title
            if self._viewer is not None and self._key is not None and self._key == key:
                return
            records = live_records(self.session, PUBLIC)
        alarms = [
            r
            for r in records
            if r.get("type") == "event" and r.get("kind") in ("outcome", "trigger")
        ]
        if self._seen_alerts is not None:
            for r in alarms[self._seen_alerts :]:
                said = describe(r, reference().words)
                self.alerts.append(f"{said.head.upper()} {said.body}")
        self._seen_alerts = len(alarms)
        app = App(records, size=self.layout.board.tuple()[2:], window=False)
        app.renderer = self.renderer
        old = self._viewer
        follow = old is None or old.turn >= old.last_turn
        app.jump(app.last_turn if follow else old.turn)
        self._viewer, self._key = app, key

    # --- input -------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        """Keys: F or F11 full screen, H help, the board's keys to look around, Q or Esc
        twice to close the projector."""
        kind = event.type
        if kind == pygame.QUIT:
            self.running = False
        elif kind == pygame.VIDEORESIZE:
            self.resize(event.w, event.h)
        elif kind == pygame.WINDOWSIZECHANGED:
            self.resize(event.x, event.y)
        elif kind == pygame.MOUSEWHEEL:
            self.viewer.handle(event)
        elif kind == pygame.KEYDOWN:
            key, char = event.key, getattr(event, "unicode", "")
            if key in (pygame.K_q, pygame.K_ESCAPE) and not self.help:
                if self._quit_armed:
                    self.running = False
                self._quit_armed = True
                return
            self._quit_armed = False
            if key in (pygame.K_f, pygame.K_F11):
                self.toggle_fullscreen()
            elif key in (pygame.K_h, pygame.K_F1, pygame.K_ESCAPE) or char == "?":
                self.help = not self.help
            elif key in VIEW_KEYS:
                self.viewer.handle(event)

    def resize(self, width: int, height: int) -> None:
        self.layout = exercise_layout(*self.fit_screen(width, height))
        self.viewer.resize(*self.layout.board.tuple()[2:])

    def update(self, dt: float) -> None:
        """Follow the session; show each alert for :data:`ALERT_SECONDS`."""
        self.sync()
        self.viewer.update(dt)
        self._alert_left -= dt
        if self._alert_left <= 0:
            self.alert = self.alerts.pop(0) if self.alerts else ""
            self._alert_left = ALERT_SECONDS if self.alert else 0.0

    # --- drawing -----------------------------------------------------------------------

    def draw(self) -> pygame.Surface:
        """Draw the board and the projector's bar; ``visible_text`` lists every text drawn."""
        self.sync()
        self.renderer.drawn.clear()
        surf, lay, r = self.screen, self.layout, self.renderer
        surf.fill(C.BACKGROUND)
        viewer = self.viewer
        ui = viewer.ui_state()
        word, colour = PHASES.get(self._phase, ("", C.MUTED))
        if viewer.turn < viewer.last_turn:
            message = "looking back · End: now"
        elif self._phase in ("deciding", "review"):
            message = f"turn {self._turn} under way"
        elif self._phase == "briefing":
            message = f"turn {self._turn + 1} next"
        else:
            message = ""
        ui = dataclasses.replace(ui, help=False, status=word, message=message)
        board = surf.subsurface(lay.board.tuple())
        r.draw(board, viewer.frame(), viewer.layout, ui)
        self._bar(surf, word, colour)
        if self.alert:
            self._alert(surf)
        if self.help:
            self._help(surf)
        self.visible_text = list(r.drawn)
        return surf

    def _bar(self, surf: pygame.Surface, word: str, colour: tuple[int, int, int]) -> None:
        r, lay = self.renderer, self.layout
        bar = lay.bar
        pygame.draw.rect(surf, C.PANEL, bar.tuple())
        pygame.draw.line(surf, C.PANEL_EDGE, (bar.x, bar.y), (bar.right, bar.y))
        chip = lay.chip
        pygame.draw.rect(surf, C.mix(C.PANEL, colour, 0.25), chip.tuple(), border_radius=6)
        pygame.draw.rect(surf, colour, chip.tuple(), 2, border_radius=6)
        r.put(surf, word, chip.centre, lay.small, colour, face="bold", width=chip.w - 10,
              anchor="center")  # fmt: skip
        rules = self.session.rules
        month = date_label(rules.month(max(self._turn + (self._phase == "briefing"), 1)))
        x = chip.right + 2 * lay.pad
        right = bar.right - 2 * lay.pad
        clock = _clock_text(self.clock() if self.clock is not None else None)
        if clock:
            at = r.put(surf, f"Clock {clock}", (right, bar.centre[1]), lay.big, C.HIGHLIGHT,
                       face="bold", anchor="midright")  # fmt: skip
            right = at.x - 2 * lay.pad
        line = f"{public_phase(self._phase, self._turn)} · {month}"
        r.put(surf, line, (x, bar.centre[1]), lay.body, C.TEXT, face="cond_bold",
              width=max(right - x, 20), anchor="midleft")  # fmt: skip

    def _alert(self, surf: pygame.Surface) -> None:
        """The alert in a band over the board, in full (two lines at most)."""
        r, lay, px = self.renderer, self.layout, self.layout.px
        w = min(px(980), lay.board.w - 4 * lay.pad)
        lines = r.wrap(self.alert, lay.title, w - px(40), "bold")[:2]
        step = r.font("bold", lay.title).get_linesize()
        box = Rect(lay.board.x + (lay.board.w - w) // 2, lay.board.y + px(70), w,
                   len(lines) * step + px(28))  # fmt: skip
        colour = C.OUTCOME if self.alert.startswith("OUTCOME") else C.TRIGGER
        pygame.draw.rect(surf, C.mix(C.PANEL, colour, 0.35), box.tuple(), border_radius=px(10))
        pygame.draw.rect(surf, colour, box.tuple(), 3, border_radius=px(10))
        y = box.y + px(14)
        for line in lines:
            r.put(surf, line, (box.centre[0], y), lay.title, C.TEXT, face="bold",
                  width=box.w - px(30), anchor="midtop")  # fmt: skip
            y += step

    def _help(self, surf: pygame.Surface) -> None:
        r, lay, px = self.renderer, self.layout, self.layout.px
        w, h = min(px(760), lay.board.w - 4 * lay.pad), px(300)
        box = Rect((lay.size[0] - w) // 2, (lay.board.h - h) // 2, w, h)
        pygame.draw.rect(surf, C.PANEL, box.tuple(), border_radius=px(12))
        pygame.draw.rect(surf, C.HIGHLIGHT, box.tuple(), 2, border_radius=px(12))
        rows = (
            ("F or F11", "full screen on / off"),
            ("← / →, Home / End", "look back at earlier turns, back to now"),
            ("Space, + / −", "play through the turns, speed"),
            ("Wheel, PgUp / PgDn", "scroll the event feed"),
            ("H or Esc", "close this help"),
            ("Q twice", "close the projector"),
        )
        y = box.y + px(20)
        r.put(surf, "Projector: public view only", (box.x + px(24), y), lay.title, C.TEXT,
              face="bold")  # fmt: skip
        y += px(44)
        for keys, what in rows:
            r.put(surf, keys, (box.x + px(24), y), lay.body, C.HIGHLIGHT, face="cond_bold")
            r.put(surf, what, (box.x + px(260), y), lay.body, C.TEXT, face="cond")
            y += px(34)


def run_projector(
    session: Any,
    *,
    lock: Any = None,
    clock: Callable[[], Mapping[str, Any]] | None = None,
    size: tuple[int, int] = (1280, 800),
) -> None:
    """Open the projector window over a session until it is closed (Q twice or the window's
    close button). The session is only read."""
    try:
        ProjectorApp(session, lock=lock, clock=clock, size=size).run(fps=30)
    finally:
        pygame.display.quit()
