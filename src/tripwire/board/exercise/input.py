"""Keys, clicks and typed text in exercise mode: from pygame events to the app's actions.

:func:`dispatch` routes one event by what is open, topmost first: a prompt takes every key
(its text comes from ``TEXTINPUT`` events), then the help, the console, the fork result,
and last the screen (briefing, hand-over, menu, review). :func:`targets` lists what can be
clicked, with the rectangles the view draws, so clicks and drawing always agree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from tripwire.board.common.layout import Rect, button_at
from tripwire.board.exercise.layout import (
    console_geometry,
    fork_geometry,
    menu_geometry,
    prompt_geometry,
    review_geometry,
)

if TYPE_CHECKING:
    from tripwire.board.exercise.app import ExerciseApp

ENTER = (pygame.K_RETURN, pygame.K_KP_ENTER)
VIEW_KEYS = frozenset(
    {
        pygame.K_SPACE,
        pygame.K_LEFT,
        pygame.K_RIGHT,
        pygame.K_HOME,
        pygame.K_END,
        pygame.K_PLUS,
        pygame.K_EQUALS,
        pygame.K_KP_PLUS,
        pygame.K_MINUS,
        pygame.K_KP_MINUS,
        pygame.K_PAGEUP,  # the feed of a busy turn scrolls
        pygame.K_PAGEDOWN,
    }
)


@dataclasses.dataclass
class Prompt:
    """A question shown over everything: a line of text to type, or a yes/no confirmation.

    Attributes:
        title: what is being done ("Veto Russia's Buy DPRK shells → North Korea").
        label: what to type, or the question.
        on_submit: called with the text on Enter; returns an error message to keep the prompt
            open (the text stays, to be corrected), or None when done.
        text: what has been typed.
        hint: a line of help under the field.
        confirm: a yes/no question (no text field).
        suggest: names to suggest for the text typed so far (e.g. variables).
        complete: how a suggestion goes into the text (default: it replaces it).
        error: the last error, shown in the prompt.
        ok_label: the accepting button's label.
        swallow: the character of the key that opened the prompt: SDL sends it as typed text
            right after the key press, and it must not land in the field.
    """

    title: str
    label: str
    on_submit: Callable[[str], str | None]
    text: str = ""
    hint: str = ""
    confirm: bool = False
    suggest: Callable[[str], list[str]] | None = None
    complete: Callable[[str, str], str] | None = None
    error: str = ""
    ok_label: str = "OK (Enter)"
    swallow: str = ""

    def take(self, suggestion: str) -> None:
        """Put a suggestion into the text."""
        self.text = self.complete(self.text, suggestion) if self.complete else suggestion
        self.error = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """A clickable part of the current screen: what clicking does, where, and with what."""

    id: str
    rect: Rect
    arg: Any = None


def targets(app: ExerciseApp) -> list[Target]:
    """What can be clicked now, bottom to top (a prompt, the console or the fork result hide
    what is under them)."""
    lay = app.layout
    if app.prompt is not None:
        sugg = app.suggestions()
        g = prompt_geometry(lay, suggestions=len(sugg), confirm=app.prompt.confirm)
        out = [Target("prompt_ok", g.ok), Target("prompt_cancel", g.cancel)]
        return out + [Target("suggestion", r, s) for r, s in zip(g.suggestions, sugg, strict=True)]
    bar = [Target("console", lay.console_button), Target("help", lay.help_button)]
    if (p := app.primary()) is not None and not app.console and not app.show_fork:
        bar.insert(0, Target(p[0], lay.primary))
    if app.show_fork and app.fork_result is not None:
        return [Target("close_fork", fork_geometry(lay, len(app.fork_result.outcomes)).close), *bar]
    if app.console:
        lib = list(app.session.rules.library) if app.console_view == "library" else []
        g = console_geometry(lay, len(lib))
        out = [Target("command", r, cid) for cid, r in g.commands]
        out += [Target("inject", r, i) for r, i in zip(g.items, lib, strict=False)]
        return [*out, Target("close_console", g.close), *bar]
    screen = app.screen_name
    out = []
    if app.peeking:
        return bar  # its main control leads back
    if screen == "handover":
        out.append(Target("ready", lay.sheet))
    elif screen == "menu":
        m = menu_geometry(lay, len(app.cards()), app.page)
        out += [Target("card", r, k) for k, r in m.cards]
        out += [Target("peek", m.board), Target("hold", m.hold), Target("confirm", m.confirm)]
        if m.previous is not None and m.following is not None:
            out += [Target("page", m.previous, -1), Target("page", m.following, 1)]
    elif screen == "review":
        rows = app.review()
        rg = review_geometry(lay, app.blocks(rows))
        picks = zip(rg.rows, rows, strict=True)
        out += [Target("row", r, row.index) for r, row in picks if row.index is not None]
        out += [Target(bid, r) for bid, r in rg.buttons]
    return out + bar


def dispatch(app: ExerciseApp, event: pygame.event.Event) -> None:
    """Apply one pygame event to the app (see the module docstring)."""
    kind = event.type
    if kind == pygame.QUIT:
        app.running = False
    elif kind == pygame.VIDEORESIZE:
        app.resize(event.w, event.h)
    elif kind == pygame.WINDOWSIZECHANGED:
        app.resize(event.x, event.y)
    elif kind == pygame.TEXTINPUT:
        _text(app, event.text)
    elif kind == pygame.KEYDOWN:
        if app.prompt is not None:
            _prompt_key(app, event.key)
        elif app.help:
            if event.key in (pygame.K_ESCAPE, pygame.K_h, pygame.K_F1, *ENTER) or (
                getattr(event, "unicode", "") == "?"
            ):
                app.help = False
        else:
            _key(app, event)
    elif kind == pygame.MOUSEBUTTONDOWN and event.button == 1:
        _click(app, event)
    elif kind == pygame.MOUSEWHEEL and app.screen_name == "menu" and not app.modal:
        app.page -= int(event.y)
    elif (
        kind == pygame.MOUSEWHEEL
        and not app.modal
        and (app.screen_name in ("briefing", "over") or app.peeking)
    ):
        app.viewer.handle(event)  # scrolls the event feed
    elif (
        kind == pygame.MOUSEMOTION and event.buttons and event.buttons[0] and _on_board(app, event)
    ):
        app.viewer.handle(event)  # dragging along the timeline


def _on_board(app: ExerciseApp, event: pygame.event.Event) -> bool:
    shown = (app.screen_name in ("briefing", "over") or app.peeking) and not app.modal
    return shown and app.layout.board.contains(*event.pos)


def _text(app: ExerciseApp, text: str) -> None:
    p = app.prompt
    if p is None or p.confirm:
        return  # typing outside a text box does nothing (its key press may)
    if p.swallow:
        swallow, p.swallow = p.swallow, ""
        if text == swallow:
            return
    p.text += text.replace("\n", " ").replace("\r", "")
    p.error = ""


def _prompt_key(app: ExerciseApp, key: int) -> None:
    p = app.prompt
    assert p is not None
    if key == pygame.K_ESCAPE or (p.confirm and key == pygame.K_n):
        app.prompt = None
    elif key in ENTER or (p.confirm and key == pygame.K_y):
        app.submit_prompt()
    elif key == pygame.K_BACKSPACE and not p.confirm:
        p.swallow = ""
        p.text, p.error = p.text[:-1], ""
    elif key == pygame.K_TAB and app.suggestions():
        p.take(app.suggestions()[0])


def _key(app: ExerciseApp, event: pygame.event.Event) -> None:
    key, char = event.key, getattr(event, "unicode", "")
    if key == pygame.K_ESCAPE:
        _escape(app)
    elif key == pygame.K_q:
        app.ask_quit()
    elif key in (pygame.K_h, pygame.K_F1) or char == "?":
        app.help = True
    elif key in (pygame.K_F11, pygame.K_f):  # one meaning on every screen (the help lists them)
        app.toggle_fullscreen()
    elif key in (pygame.K_TAB, pygame.K_F2):
        app.toggle_console()
    elif app.console:
        app.white.key(char)
    elif app.show_fork:
        if key in ENTER:
            app.show_fork = False
    else:
        _screen_key(app, event, key, char)


def _screen_key(app: ExerciseApp, event: pygame.event.Event, key: int, char: str) -> None:
    screen = app.screen_name
    if app.peeking:  # the board over the menu or review: look around, B goes back
        if key in VIEW_KEYS:
            app.viewer.handle(event)
        elif key in (pygame.K_b, *ENTER):
            app.peek = False
        return
    if screen in ("menu", "review") and key == pygame.K_b:
        app.peek = True
    elif screen == "briefing" and key in ENTER:
        app.begin()
    elif screen in ("briefing", "over") and key in VIEW_KEYS:
        app.viewer.handle(event)
    elif screen == "handover" and (key in ENTER or key == pygame.K_SPACE):
        app.hand_over()
    elif screen == "menu":
        _menu_key(app, key, char)
    elif screen == "review":
        picks = [r.index for r in app.review() if r.index is not None]
        if key in (pygame.K_UP, pygame.K_DOWN) and picks:
            at = picks.index(app.review_pick) if app.review_pick in picks else -1
            step = 1 if key == pygame.K_DOWN else -1
            app.review_pick = picks[(at + step) % len(picks)] if at >= 0 else picks[0]
        elif key in (pygame.K_v, pygame.K_s, pygame.K_x, pygame.K_d):
            what = {pygame.K_v: "veto", pygame.K_s: "success", pygame.K_d: "clear"}
            app.intervene(what.get(key, "failure"), char)
        elif key == pygame.K_r or key in ENTER:
            app.resolve()


def _menu_key(app: ExerciseApp, key: int, char: str) -> None:
    cards = app.cards()
    g = menu_geometry(app.layout, len(cards), app.page)
    if char.isdigit() and (char != "0" or app.typed_number):
        _type_number(app, char, len(cards))
    elif key in (pygame.K_0, pygame.K_KP0) or char == "0":
        app.ask_hold()
    elif key in ENTER:
        app.typed_number = ""
        app.confirm()
    elif key == pygame.K_SPACE:
        if app.typed_number:
            number, app.typed_number = int(app.typed_number), ""
            app.toggle(number - 1)
        else:
            app.toggle(app.cursor)
    elif key == pygame.K_BACKSPACE and app.typed_number:
        app.typed_number = app.typed_number[:-1]
    elif key in (pygame.K_UP, pygame.K_DOWN, pygame.K_LEFT, pygame.K_RIGHT) and cards:
        step = {pygame.K_UP: -1, pygame.K_DOWN: 1, pygame.K_LEFT: -g.rows}.get(key, g.rows)
        app.cursor = min(max(app.cursor + step, 0), len(cards) - 1)
        app.page = app.cursor // g.per_page  # keep the highlighted card in view
    elif key in (pygame.K_PAGEUP, pygame.K_PAGEDOWN):
        app.page += 1 if key == pygame.K_PAGEDOWN else -1


def _type_number(app: ExerciseApp, char: str, n: int) -> None:
    """A digit typed in the menu: a card's number is chosen as soon as no more digits could
    make another card's number (with 24 cards, 3 chooses card 3 and 1 waits: 1 then 2
    chooses card 12, 1 then Space card 1)."""
    typed = app.typed_number + char
    if int(typed) > n:
        app.typed_number = ""
        app.say(f"There is no card {typed}: the cards are numbered 1 to {n}.", "error")
    elif int(typed) * 10 > n:
        app.typed_number = ""
        app.toggle(int(typed) - 1)
    else:
        app.typed_number = typed
        app.say(f"Card {typed}…: type another digit, or Space to choose card {typed}.")


def _escape(app: ExerciseApp) -> None:
    if app.show_fork:
        app.show_fork = False
    elif app.console and app.console_view != "commands":
        app.console_view = "commands"
    elif app.console:
        app.console = False
    else:
        app.ask_quit()


def _click(app: ExerciseApp, event: pygame.event.Event) -> None:
    pos = event.pos
    if app.help:
        app.help = False  # any click closes the help
        return
    for t in reversed(targets(app)):
        if t.rect.contains(*pos):
            _activate(app, t)
            return
    if _on_board(app, event):
        button = button_at(app.viewer.layout, pos)
        if button == "help":
            app.help = True
        elif button == "fullscreen":
            app.toggle_fullscreen()
        else:
            app.viewer.handle(event)  # the board's own controls and timeline


def _activate(app: ExerciseApp, t: Target) -> None:
    simple: dict[str, Callable[[], None]] = {
        "begin": app.begin,
        "ready": app.hand_over,
        "confirm": app.confirm,
        "hold": app.ask_hold,
        "resolve": app.resolve,
        "peek": lambda: setattr(app, "peek", not app.peek),
        "console": app.toggle_console,
        "close_console": app.toggle_console,
        "help": lambda: setattr(app, "help", True),
        "close_fork": lambda: setattr(app, "show_fork", False),
        "prompt_ok": app.submit_prompt,
        "prompt_cancel": lambda: setattr(app, "prompt", None),
        "veto": lambda: app.intervene("veto"),
        "force_success": lambda: app.intervene("success"),
        "force_failure": lambda: app.intervene("failure"),
        "clear": lambda: app.intervene("clear"),
    }
    if t.id in simple:
        simple[t.id]()
    elif t.id == "card":
        app.toggle(t.arg)
    elif t.id == "page":
        app.page += t.arg
    elif t.id == "row":
        app.review_pick = t.arg
    elif t.id == "command":
        app.white.command(t.arg)
    elif t.id == "inject":
        app.white.inject_from_library(t.arg)
    elif t.id == "suggestion" and app.prompt is not None:
        app.prompt.take(t.arg)
