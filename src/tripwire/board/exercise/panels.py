"""Drawing the exercise overlays: the white-cell console, the text prompt and the help.

Part of the exercise view (with :mod:`tripwire.board.exercise.view`, which owns the renderer
and the screens under these overlays); the rectangles come from
:mod:`tripwire.board.exercise.layout`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from tripwire.board.common import colours as C
from tripwire.board.common.layout import Rect
from tripwire.board.exercise.layout import (
    CONSOLE_COMMANDS,
    ConsoleGeometry,
    ExerciseLayout,
    console_geometry,
    prompt_geometry,
)
from tripwire.board.exercise.text import briefing_acts, inject_effects

if TYPE_CHECKING:
    from tripwire.board.exercise.app import ExerciseApp
    from tripwire.board.exercise.view import ExerciseRenderer

HELP_SECTIONS = (
    (
        "Turn flow",
        (
            ("Enter", "begin the next turn (briefing)"),
            ("Enter or click", "hand-over screen: the team named has the controls"),
            ("Number or click", "choose / unchoose a card (1 then 2: card 12; 1, Space: card 1)"),
            ("Arrows, Space", "move along the cards, choose the highlighted one"),
            ("PgUp / PgDn", "more moves (when they fill more than a page)"),
            ("Enter / 0", "confirm the choice / hold (choose nothing)"),
            ("Click or ↑/↓", "review: pick a chosen move"),
            ("V / S / X", "review: veto / force success / force failure"),
            ("D", "review: clear the mark, let the dice decide"),
            ("R or Enter", "review: resolve the turn"),
            ("B", "menu or review: look at the board (B again returns)"),
            ("Wheel, PgUp / PgDn", "board: scroll the event feed of a busy turn"),
        ),
    ),
    (
        "White cell",
        (
            ("Tab or F2", "open / close the white-cell console"),
            ("I / A", "inject from the library / an ad-hoc inject"),
            ("E / N", "edit (set) a state variable / write a note"),
            ("U", "undo the last turn (asks first)"),
            ("M / L", "Monte Carlo fork (M again cancels) / show the last fork"),
        ),
    ),
    (
        "Board (briefing)",
        (
            ("← / →, Home / End", "look back at earlier turns"),
            ("Space, + / −", "play through the turns, speed"),
            ("Click the timeline", "jump to that turn"),
        ),
    ),
    (
        "Everywhere",
        (
            ("Typing in a box", "Backspace deletes, Tab completes, Enter accepts, Esc cancels"),
            ("H, F1 or ?", "this help"),
            ("F or F11", "full screen on / off (the same on every screen)"),
            ("Esc", "close what is open; else quit (asks first)"),
            ("Q", "quit (asks first): the session is saved all along"),
        ),
    ),
)


def console(app: ExerciseApp, surf: pygame.Surface) -> None:
    """The white-cell console: commands with their keys, then the inject library, or the
    fork's progress, the last fork and the white cell's acts since the last turn."""
    r, lay = app.renderer, app.layout
    px = lay.px
    lib = list(app.session.rules.library) if app.console_view == "library" else []
    g = console_geometry(lay, len(lib))
    box = lay.console
    shade = pygame.Surface(lay.board.tuple()[2:], pygame.SRCALPHA)
    shade.fill((*C.BACKGROUND, 150))
    surf.blit(shade, (0, 0))
    pygame.draw.rect(surf, C.PANEL, box.tuple(), border_radius=px(10))
    pygame.draw.rect(surf, C.HIGHLIGHT, box.tuple(), 2, border_radius=px(10))
    r.put(
        surf,
        "WHITE CELL",
        (g.title.x, g.title.centre[1]),
        lay.title,
        C.HIGHLIGHT,
        face="bold",
        anchor="midleft",
    )
    r.button(surf, g.close, "Close (Tab)", lay.small)
    session = app.session
    between = session.phase == "briefing"
    undoable = session.turn >= 1 or session.under_way
    spec = {cid: rest for cid, *rest in CONSOLE_COMMANDS}
    for cid, rect in g.commands:  # none while the library is open
        key, label, when = spec[cid]
        usable = undoable if cid == "undo" else (between or when == "any time")
        text = label
        if cid == "undo" and undoable:
            text = f"Undo turn {session.turn}: back to just before it began"
        elif cid == "fork" and app.fork_job is not None:
            text, usable = "Cancel the fork under way", True
        pygame.draw.rect(
            surf, C.mix(C.PANEL, C.PANEL_EDGE, 0.45), rect.tuple(), border_radius=px(6)
        )
        cap = Rect(rect.x + px(8), rect.y + px(7), px(28), rect.h - px(14))
        r.key_box(surf, cap, key, lay.small)
        ink = C.TEXT if usable else C.mix(C.MUTED, C.PANEL, 0.3)
        tag = r.put(
            surf,
            when,
            (rect.right - px(10), rect.centre[1]),
            lay.small - 1,
            C.MUTED,
            face="cond",
            anchor="midright",
        )
        r.put(
            surf,
            text,
            (cap.right + px(10), rect.centre[1]),
            lay.body,
            ink,
            face="cond",
            width=tag.x - cap.right - px(20),
            anchor="midleft",
        )
    if app.console_view == "library":
        _library(app, surf, g, lib)
    else:
        _acts(app, surf, g)


def _library(app: ExerciseApp, surf: pygame.Surface, g: ConsoleGeometry, lib: list[str]) -> None:
    r, lay = app.renderer, app.layout
    px, ctx = lay.px, g.context
    r.put(
        surf,
        "INJECT LIBRARY: click one, or press its number · Esc: back",
        (ctx.x, ctx.y),
        lay.small,
        C.MUTED,
        face="bold",
        width=ctx.w,
    )
    for k, (rect, inject_id) in enumerate(zip(g.items, lib, strict=False)):
        rule = app.session.rules.library[inject_id]
        pygame.draw.rect(surf, C.mix(C.PANEL, C.INJECT, 0.12), rect.tuple(), border_radius=px(6))
        cap = Rect(rect.x + px(8), rect.y + px(8), px(26), px(24))
        r.key_box(surf, cap, str(k + 1) if k < 9 else "", lay.small)
        tx = cap.right + px(10)
        r.put(
            surf,
            inject_id,
            (tx, rect.y + px(6)),
            lay.small,
            C.INJECT,
            face="cond_bold",
            width=rect.right - tx - px(8),
        )
        compact = rect.h < px(70)  # a long library: the entry's text is left out
        below = (
            rect.y + px(24)
            if compact
            else r.paragraph(
                surf,
                rule.text,
                (tx, rect.y + px(26)),
                lay.small - 1,
                rect.right - tx - px(8),
                face="cond",
                max_lines=2,
                line_h=px(17),
            )
        )
        effects = inject_effects(rule.effects, app.session.rules.var_names) or "no direct effect"
        r.put(
            surf,
            effects,
            (tx, below + px(1)),
            lay.small - 1,
            C.mix(C.TEXT, C.MUTED, 0.5),
            face="cond",
            width=rect.right - tx - px(8),
        )
    if len(g.items) < len(lib):
        more = f"… and {len(lib) - len(g.items)} more (enlarge the window to see them)"
        r.put(surf, more, (ctx.x, ctx.bottom - px(20)), lay.small, C.MUTED, face="cond")


def _acts(app: ExerciseApp, surf: pygame.Surface, g: ConsoleGeometry) -> None:
    r, lay = app.renderer, app.layout
    px, ctx = lay.px, g.context
    x, y, w = ctx.x, ctx.y, ctx.w
    job = app.fork_job
    if job is not None:
        text = f"FORK RUNNING: {job.done} of {job.runs} continuations (F cancels)"
        r.put(surf, text, (x, y), lay.small, C.INJECT, face="bold", width=w)
        y += px(30)
    elif app.fork_result is not None:
        res = app.fork_result
        text = f"Last fork: {res.runs} continuations from turn {res.turn} · L shows it"
        r.put(surf, text, (x, y), lay.small, C.INJECT, face="bold", width=w)
        y += px(30)
    title = "SINCE THE LAST TURN" if app.session.phase == "briefing" else "THIS TURN"
    r.put(surf, f"{title}: THE WHITE CELL'S ACTS", (x, y), lay.small, C.MUTED, face="bold", width=w)
    y += px(24)
    acts = briefing_acts(app.session.lines)
    if not acts:
        r.put(surf, "None yet.", (x, y), lay.small, C.MUTED, face="cond")
    for act in acts[-8:]:
        if y > ctx.bottom - px(80):
            break
        y = r.paragraph(surf, "• " + act, (x, y), lay.small, w, face="cond", max_lines=2) + px(4)
    note = (
        "Injects and set values take effect now and are recorded at the start of the next "
        "turn. Every act is saved with its rationale."
    )
    r.paragraph(surf, note, (x, ctx.bottom - px(36)), lay.small - 2, w, colour=C.MUTED, face="cond")


def prompt(app: ExerciseApp, surf: pygame.Surface) -> None:
    """The open prompt over a dimmed screen: a text field (or a yes/no question)."""
    p = app.prompt
    assert p is not None
    r, lay = app.renderer, app.layout
    px = lay.px
    suggestions = app.suggestions()
    g = prompt_geometry(lay, suggestions=len(suggestions), confirm=p.confirm)
    shade = pygame.Surface(lay.size, pygame.SRCALPHA)
    shade.fill((*C.BACKGROUND, 190))
    surf.blit(shade, (0, 0))
    box = g.box
    pygame.draw.rect(surf, C.PANEL, box.tuple(), border_radius=px(12))
    pygame.draw.rect(surf, C.HIGHLIGHT, box.tuple(), 2, border_radius=px(12))
    x, w = g.field.x, g.field.w
    r.paragraph(
        surf,
        p.title,
        (x, box.y + px(18)),
        lay.title,
        w,
        colour=C.HIGHLIGHT,
        face="bold",
        max_lines=2,
        line_h=px(27),
    )
    if p.confirm:
        r.paragraph(surf, p.label, (x, box.y + px(80)), lay.body, w, max_lines=3)
    else:
        r.put(surf, p.label, (x, g.field.y - px(28)), lay.body, C.TEXT, width=w)
        field = g.field
        pygame.draw.rect(surf, C.BACKGROUND, field.tuple(), border_radius=px(6))
        pygame.draw.rect(surf, C.TEXT, field.tuple(), 2, border_radius=px(6))
        size, inner = lay.title, field.w - px(24)
        shown = p.text
        while shown and r.width(shown + "|", size) > inner:
            shown = shown[1:]  # show the end of a long text, where the caret is
        t = r.put(surf, shown, (field.x + px(12), field.centre[1]), size, C.TEXT, anchor="midleft")
        caret_x = t.right + px(2) if shown else field.x + px(12)
        pygame.draw.line(
            surf, C.HIGHLIGHT, (caret_x, field.y + px(9)), (caret_x, field.bottom - px(9)), 2
        )
        for rect, name in zip(g.suggestions, suggestions, strict=True):
            at = r.put(
                surf,
                "→ " + name,
                (rect.x + px(8), rect.centre[1]),
                lay.body,
                C.INJECT,
                face="cond",
                anchor="midleft",
            )
            now = app.value_of(name)
            if now is not None:
                r.put(
                    surf,
                    f"now {now:.4g}",
                    (at.right + px(14), rect.centre[1]),
                    lay.small,
                    C.MUTED,
                    face="cond",
                    anchor="midleft",
                )
    y = g.ok.y - px(34)
    if p.error:
        r.put(surf, p.error, (x, y), lay.body, C.FAILED, face="cond_bold", width=w)
    elif p.hint:
        r.put(surf, p.hint, (x, y), lay.small, C.MUTED, face="cond", width=w)
    r.button(surf, g.cancel, "Cancel (Esc)", lay.body)
    r.button(surf, g.ok, p.ok_label, lay.body, style="primary")


def help_overlay(r: ExerciseRenderer, surf: pygame.Surface, lay: ExerciseLayout) -> None:
    """Every key of exercise mode, over a dimmed screen."""
    w, h = lay.size
    px = lay.px
    shade = pygame.Surface((w, h), pygame.SRCALPHA)
    shade.fill((*C.BACKGROUND, 215))
    surf.blit(shade, (0, 0))
    bw, bh = min(px(1220), w - 2 * lay.pad), min(px(720), h - 2 * lay.pad)
    box = Rect((w - bw) // 2, (h - bh) // 2, bw, bh)
    pygame.draw.rect(surf, C.PANEL, box.tuple(), border_radius=px(12))
    pygame.draw.rect(surf, C.HIGHLIGHT, box.tuple(), 2, border_radius=px(12))
    r.put(
        surf,
        "Exercise mode: keys and mouse",
        (box.x + px(28), box.y + px(18)),
        lay.title,
        C.TEXT,
        face="bold",
    )
    margin = px(28)
    col_w = (box.w - margin * 3) // 2
    size = lay.small + 1
    line = px(24)
    key_w = round(col_w * 0.3)
    columns = ((HELP_SECTIONS[0], HELP_SECTIONS[2]), (HELP_SECTIONS[1], HELP_SECTIONS[3]))
    for c, sections in enumerate(columns):
        x = box.x + margin + c * (col_w + margin)
        y = box.y + px(64)
        for title, rows in sections:
            r.put(surf, title.upper(), (x, y), lay.small, C.MUTED, face="bold")
            y += line + px(4)
            for key, what in rows:
                r.put(surf, key, (x, y), size, C.HIGHLIGHT, face="cond_bold", width=key_w - px(8))
                y = r.paragraph(
                    surf, what, (x + key_w, y), size, col_w - key_w, face="cond", line_h=line
                )
            y += px(14)
    r.put(
        surf,
        "Press H, F1, ? or Esc (or click) to close",
        (box.centre[0], box.bottom - px(14)),
        lay.small,
        C.MUTED,
        anchor="midbottom",
    )
