"""Drawing the exercise screen: the renderer, the board under it and the exercise bar, and
the order of everything else (the full screens are in :mod:`tripwire.board.exercise.sheets`,
the console, prompt and help in :mod:`tripwire.board.exercise.panels`).

Everything is drawn from the app's state and the rectangles of
:mod:`tripwire.board.exercise.layout`; nothing here changes the game. The
:class:`ExerciseRenderer` is the board's renderer (same fonts and caches) that also records
every text it draws, so tests can check what a screen shows, and hides.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pygame

from tripwire.board.common import colours as C
from tripwire.board.common.colours import RGB
from tripwire.board.common.layout import Rect
from tripwire.board.exercise import panels, sheets
from tripwire.board.exercise.sheets import OK
from tripwire.board.replay.view import Renderer

if TYPE_CHECKING:
    from tripwire.board.exercise.app import ExerciseApp

# The session's phases as the bar's chip says them.
PHASES: dict[str, tuple[str, RGB]] = {
    "briefing": ("BRIEFING", C.INJECT),
    "deciding": ("TEAMS DECIDE", C.HIGHLIGHT),
    "review": ("WHITE CELL REVIEW", C.OUTCOME),
    "over": ("GAME OVER", C.MUTED),
}


class ExerciseRenderer(Renderer):
    """The board's renderer, recording every text drawn (``drawn``), with a few widgets."""

    def __init__(self) -> None:
        super().__init__()
        self.drawn: list[str] = []

    def text(
        self, text: str, size: int, colour: RGB = C.TEXT, face: str = "regular"
    ) -> pygame.Surface:
        """Rendered text (see :meth:`Renderer.text`); the text is recorded in ``drawn``."""
        self.drawn.append(text)
        return super().text(text, size, colour, face)

    def fit(self, text: str, size: int, width: int, face: str = "regular") -> tuple[str, int]:
        """The text and size that fit ``width``: a few sizes smaller at most, then shortened
        with an ellipsis."""
        floor = max(size - 2, 10)
        while size > floor and self.width(text, size, face) > width:
            size -= 1
        while self.width(text, size, face) > width and len(text) > 2:
            text = text[:-2].rstrip() + "…"
        return text, size

    def clip(self, text: str, size: int, width: int, face: str = "regular") -> str:
        """The text shortened with an ellipsis to fit ``width`` (at this size)."""
        if self.width(text, size, face) <= width:
            return text
        while len(text) > 2 and self.width(text + "…", size, face) > width:
            text = text[:-1]
        return text.rstrip(" ,;—") + "…"

    def put(
        self,
        surf: pygame.Surface,
        text: str,
        pos: tuple[float, float],
        size: int,
        colour: RGB = C.TEXT,
        *,
        face: str = "regular",
        width: int | None = None,
        anchor: str = "topleft",
    ) -> pygame.Rect:
        """Draw one line of text, fitted to ``width`` if given."""
        if width is not None:
            text, size = self.fit(text, size, max(width, 8), face)
        return self.blit_text(surf, text, pos, size, colour, face=face, anchor=anchor)

    def paragraph(
        self,
        surf: pygame.Surface,
        text: str,
        pos: tuple[float, float],
        size: int,
        width: int,
        *,
        colour: RGB = C.TEXT,
        face: str = "regular",
        max_lines: int = 99,
        line_h: int | None = None,
    ) -> float:
        """Draw wrapped text (at most ``max_lines``, the last shortened); return the y below."""
        lines = self.wrap(text, size, width, face)
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
        step = line_h or self.font(face, size).get_linesize()
        x, y = pos
        for i, line in enumerate(lines):
            shown = self.clip(line, size, width, face) if i == len(lines) - 1 else line
            self.blit_text(surf, shown, (x, y), size, colour, face=face)
            y += step
        return y

    def button(
        self,
        surf: pygame.Surface,
        rect: Rect,
        label: str,
        size: int,
        *,
        style: str = "normal",
        radius: int = 6,
    ) -> None:
        """A button: ``primary`` (filled highlight), ``normal``, ``active`` or ``off``."""
        fill, ink, edge = {
            "primary": (C.HIGHLIGHT, C.BACKGROUND, C.HIGHLIGHT),
            "active": (C.mix(C.PANEL, C.HIGHLIGHT, 0.3), C.TEXT, C.HIGHLIGHT),
            "danger": (C.mix(C.PANEL, C.FAILED, 0.35), C.TEXT, C.FAILED),
            "off": (C.PANEL, C.mix(C.MUTED, C.PANEL, 0.4), C.PANEL_EDGE),
        }.get(style, (C.mix(C.PANEL, C.PANEL_EDGE, 0.5), C.TEXT, C.PANEL_EDGE))
        pygame.draw.rect(surf, fill, rect.tuple(), border_radius=radius)
        pygame.draw.rect(surf, edge, rect.tuple(), 1, border_radius=radius)
        self.put(
            surf,
            label,
            rect.centre,
            size,
            ink,
            face="cond_bold",
            width=rect.w - 12,
            anchor="center",
        )

    def key_box(
        self, surf: pygame.Surface, rect: Rect, label: str, size: int, *, on: bool = False
    ) -> None:
        """A small key cap ("1", "V"); filled with a tick when ``on`` (a chosen card)."""
        if on:
            pygame.draw.rect(surf, C.HIGHLIGHT, rect.tuple(), border_radius=4)
            self.blit_text(surf, "✓", rect.centre, size, C.BACKGROUND, face="bold", anchor="center")
        else:
            pygame.draw.rect(surf, C.BACKGROUND, rect.tuple(), border_radius=4)
            pygame.draw.rect(surf, C.MUTED, rect.tuple(), 1, border_radius=4)
            if label:
                self.blit_text(surf, label, rect.centre, size, C.TEXT, face="bold", anchor="center")


def draw_exercise(app: ExerciseApp, surf: pygame.Surface) -> None:
    """Draw the whole exercise screen for the app's state."""
    r, lay = app.renderer, app.layout
    screen = app.screen_name
    surf.fill(C.BACKGROUND)
    if app.show_fork and app.fork_result is not None:
        sheets.fork_result(app, surf)
    elif screen in ("briefing", "over") or app.peeking:
        _board(app, surf)
    elif screen == "handover":
        sheets.handover(app, surf)
    elif screen == "menu":
        sheets.menu(app, surf)
    elif screen == "review":
        sheets.review(app, surf)
    if app.console:
        panels.console(app, surf)
    _bar(app, surf)
    if app.help:
        panels.help_overlay(r, surf, lay)
    if app.prompt is not None:
        panels.prompt(app, surf)


def _board(app: ExerciseApp, surf: pygame.Surface) -> None:
    """The board of the viewed turn, its top bar saying the session's phase."""
    viewer, lay = app.viewer, app.layout
    ui = viewer.ui_state()
    phase = app.session.phase
    status = "PLAYING" if viewer.playing else PHASES[phase][0]
    message = ""
    if viewer.turn < viewer.last_turn:
        message = f"looking back · End: turn {viewer.last_turn}"
    elif app.peeking:
        message = f"turn {app.session.turn} under way · B: back"
    elif phase == "briefing":
        message = f"turn {app.session.turn + 1} next"
    ui = dataclasses.replace(ui, help=False, status=status, message=message)
    board = surf.subsurface(lay.board.tuple())
    app.renderer.draw(board, viewer.frame(), viewer.layout, ui)


def _bar(app: ExerciseApp, surf: pygame.Surface) -> None:
    """The exercise bar: phase, the screen's main control, console, help, status line and
    the fork's progress."""
    r, lay = app.renderer, app.layout
    bar = lay.bar
    pygame.draw.rect(surf, C.PANEL, bar.tuple())
    pygame.draw.line(surf, C.PANEL_EDGE, (bar.x, bar.y), (bar.right, bar.y))
    word, colour = PHASES.get(app.session.phase, ("", C.MUTED))
    chip = lay.chip
    pygame.draw.rect(surf, C.mix(C.PANEL, colour, 0.25), chip.tuple(), border_radius=6)
    pygame.draw.rect(surf, colour, chip.tuple(), 2, border_radius=6)
    r.put(
        surf, word, chip.centre, lay.small, colour, face="bold", width=chip.w - 10, anchor="center"
    )
    primary = app.primary()
    blocked = app.console or app.show_fork
    if primary is not None:
        style = "off" if blocked else "primary"
        r.button(surf, lay.primary, primary[1], lay.body, style=style)
    r.button(
        surf,
        lay.console_button,
        "White cell  (Tab)",
        lay.body,
        style="active" if app.console else "normal",
    )
    r.button(surf, lay.help_button, "Help  (H)", lay.body, style="active" if app.help else "normal")
    status = lay.status
    x1 = status.right
    job = app.fork_job
    if job is not None:  # the fork's progress, at the right end of the status line
        w = min(lay.px(260), status.w // 2)
        track = Rect(status.right - w, round(status.centre[1] + lay.px(6)), w, lay.px(8))
        pygame.draw.rect(surf, C.PANEL_EDGE, track.tuple(), border_radius=3)
        done = round(w * job.done / max(job.runs, 1))
        pygame.draw.rect(surf, C.INJECT, (track.x, track.y, done, track.h), border_radius=3)
        r.put(
            surf,
            f"Fork: {job.done} of {job.runs} continuations",
            (track.x, track.y - lay.px(3)),
            lay.small,
            C.INJECT,
            face="cond_bold",
            width=w,
            anchor="bottomleft",
        )
        x1 = track.x - lay.pad * 2
    if app.message:
        colour = {"error": C.FAILED, "ok": OK}.get(app.message_kind, C.TEXT)
        lines = r.wrap(app.message, lay.small, x1 - status.x, "cond")
        if len(lines) == 1:
            r.put(
                surf,
                app.message,
                (status.x, status.centre[1]),
                lay.body,
                colour,
                face="cond",
                width=x1 - status.x,
                anchor="midleft",
            )
        else:  # two lines at the small size
            y = status.centre[1] - r.font("cond", lay.small).get_linesize()
            r.paragraph(
                surf,
                app.message,
                (status.x, y),
                lay.small,
                x1 - status.x,
                colour=colour,
                face="cond",
                max_lines=2,
            )


__all__ = ["ExerciseRenderer", "draw_exercise"]
