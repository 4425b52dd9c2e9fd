"""Drawing the exercise's full screens: the hand-over screen, a seat's action menu (its
move cards), the white cell's review and the fork result.

Part of the exercise view (with :mod:`tripwire.board.exercise.view`, which owns the renderer
and the bar); the rectangles come from :mod:`tripwire.board.exercise.layout`. These screens
cover the board entirely, so the hand-over and the menu show nothing but what they say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from tripwire.board.common import colours as C
from tripwire.board.common.colours import RGB
from tripwire.board.common.frame import reference
from tripwire.board.common.layout import Rect
from tripwire.board.exercise.layout import (
    REVIEW_BUTTONS,
    fork_geometry,
    menu_geometry,
    review_geometry,
)
from tripwire.board.exercise.text import MoveCard
from tripwire.sim.events import describe

if TYPE_CHECKING:
    from tripwire.board.exercise.app import ExerciseApp
    from tripwire.board.exercise.view import ExerciseRenderer

OK: RGB = (110, 205, 150)


def sheet_header(app: ExerciseApp, surf: pygame.Surface, kicker: str, right: int = 0) -> None:
    """The line atop a full screen: turn, month, what the screen is, who plays.

    It ends before ``right`` (the x of the buttons beside it; 0: the sheet's edge), never
    under them: who plays is left out first when a long month leaves no room, then the rest
    is shortened.
    """
    r, lay = app.renderer, app.layout
    s = app.session
    turn = s.turn
    humans = ", ".join(app.name(h) for h in s.info.humans) or "nobody"
    sheet = lay.sheet
    x = sheet.x + 2 * lay.pad
    width = (right - lay.pad if right else sheet.right - 2 * lay.pad) - x
    head = f"TURN {turn} · {app.turn_label(turn).upper()} · {kicker}"
    text = f"{head} · PEOPLE PLAY {humans.upper()}"
    if r.width(text, lay.small, "bold") > width:
        text = head
    r.put(surf, text, (x, sheet.y + lay.pad), lay.small, C.MUTED, face="bold", width=width)


def handover(app: ExerciseApp, surf: pygame.Surface) -> None:
    """The hand-over screen: nothing about anyone's choice this turn is shown."""
    r, lay = app.renderer, app.layout
    seat = app.seat
    sheet, px = lay.sheet, lay.px
    w, h = min(px(860), sheet.w - 4 * lay.pad), min(px(440), sheet.h - 4 * lay.pad)
    box = Rect(sheet.x + (sheet.w - w) // 2, sheet.y + (sheet.h - h) // 2, w, h)
    colour = C.ACTOR_COLOURS.get(seat or "", C.HIGHLIGHT) if seat else C.OUTCOME
    pygame.draw.rect(surf, C.PANEL, box.tuple(), border_radius=px(14))
    pygame.draw.rect(surf, colour, box.tuple(), 3, border_radius=px(14))
    cx, y = box.centre[0], box.y + px(34)
    turn = app.session.turn
    r.put(
        surf,
        f"TURN {turn} · {app.turn_label(turn).upper()}",
        (cx, y),
        lay.small,
        C.MUTED,
        face="bold",
        anchor="midtop",
    )
    y += px(44)
    r.put(surf, "Pass the controls to", (cx, y), lay.title, C.TEXT, anchor="midtop")
    y += px(46)
    who = f"the {app.name(seat)} team" if seat else "the white cell"
    r.put(
        surf,
        who,
        (cx, y),
        round(lay.big * 1.5),
        colour,
        face="bold",
        width=box.w - px(40),
        anchor="midtop",
    )
    y += px(82)
    r.put(
        surf,
        "Press Enter or click when ready",
        (cx, y),
        lay.title,
        C.HIGHLIGHT,
        face="bold",
        anchor="midtop",
    )
    y += px(56)
    if seat:
        waiting = app.session.waiting_for()
        lines = [
            "What the other teams choose stays hidden until the turn resolves.",
            "Still to decide this turn: " + ", ".join(app.name(c) for c in waiting) + ".",
        ]
    else:
        lines = [
            "Every team has decided. The white cell now sees every chosen move (the bots' too)",
            "and may veto it or force its success or failure before the turn resolves.",
        ]
    for line in lines:
        r.put(surf, line, (cx, y), lay.body, C.MUTED, width=box.w - px(40), anchor="midtop")
        y += px(28)
    sheet_header(app, surf, "HAND-OVER")


def menu(app: ExerciseApp, surf: pygame.Surface) -> None:
    """A seat's action menu: every move as a numbered card, the unavailable ones greyed
    with the reason."""
    r, lay = app.renderer, app.layout
    seat = app.seat or ""
    cards = app.cards()
    g = menu_geometry(lay, len(cards), app.page)
    app.page = g.page
    head, px = g.header, lay.px
    points = app.action_points(seat)
    sheet_header(app, surf, "ACTION MENU", right=g.board.x)
    left_w = g.board.x - head.x - 2 * lay.pad
    r.put(
        surf,
        f"{app.name(seat)}: choose up to {points} action{'s' * (points != 1)}",
        (head.x, head.y + px(24)),
        lay.big,
        C.ACTOR_COLOURS.get(seat, C.TEXT),
        face="bold",
        width=left_w,
    )
    n = len(app.selected)
    r.button(surf, g.board, "Board  (B)", lay.body)
    r.button(surf, g.hold, "Hold  (0)", lay.body)
    r.button(surf, g.confirm, f"Confirm {n} of {points}  (Enter)", lay.body, style="primary")
    y = head.y + px(62)
    help_line = (
        "Click a card or type its number to choose it · ↑↓←→ and Space work too · "
        "% = chance of success · effects are expected changes · greyed: not available now"
    )
    r.put(surf, help_line, (head.x, y), lay.small, C.MUTED, face="cond", width=head.w)
    news = [
        describe(e, reference().words).body  # the event's text, as the feed says it
        for e in app.session.turn_events()
        if e.get("kind") == "inject"
    ]
    if news:
        r.put(
            surf,
            "This month: " + " · ".join(news),
            (head.x, y + px(18)),
            lay.small,
            C.INJECT,
            face="cond_bold",
            width=head.w,
        )
    for k, rect in g.cards:
        _card(app, surf, rect, k)
    if g.previous is not None and g.following is not None:
        r.button(surf, g.previous, "◀ PgUp", lay.small)
        r.button(surf, g.following, "PgDn ▶", lay.small)
        r.put(
            surf,
            f"page {g.page + 1} of {g.pages} · {len(cards)} moves",
            (g.previous.x - lay.pad * 2, g.previous.centre[1]),
            lay.small,
            C.MUTED,
            face="cond",
            anchor="midright",
        )


def _card(app: ExerciseApp, surf: pygame.Surface, rect: Rect, k: int) -> None:
    """One move's card: key and check box, domain badge, name and target, chance; the
    domain, cost and description; the expected effects on success and on failure."""
    r, lay, px = app.renderer, app.layout, app.layout.px
    card = app.cards()[k]
    chosen = card.index in app.selected
    grey = not card.available
    fill = C.mix(C.PANEL, C.HIGHLIGHT, 0.14) if chosen else C.PANEL
    if grey:
        fill = C.mix(C.PANEL, C.BACKGROUND, 0.6)
    pygame.draw.rect(surf, fill, rect.tuple(), border_radius=px(8))
    cursor = k == app.cursor
    edge, width = (C.HIGHLIGHT, 3) if chosen else ((C.TEXT, 2) if cursor else (C.PANEL_EDGE, 1))
    pygame.draw.rect(surf, edge, rect.tuple(), width, border_radius=px(8))
    pad = px(10)
    x, y = rect.x + pad, rect.y + px(7)
    inner = rect.w - 2 * pad
    name_size, size = round(17 * lay.scale), max(round(14 * lay.scale), 10)
    line = r.font("cond", size).get_linesize()
    box = Rect(x, y, px(24), px(22))
    ink = C.MUTED if grey else C.TEXT
    box = Rect(x, y, max(px(24), r.width(str(card.number), size, "bold") + px(10)), px(22))
    r.key_box(surf, box, str(card.number or k + 1), size, on=chosen)
    badge = C.mix(card.colour, C.PANEL, 0.6) if grey else card.colour
    r.badge(surf, (box.right + px(16), box.centre[1]), card.letter, badge, radius=px(10))
    chance = r.put(
        surf,
        "not now" if grey else f"{card.chance * 100:.0f}%",
        (rect.right - pad, box.centre[1]),
        name_size,
        ink,
        face="cond_bold",
        anchor="midright",
    )
    lx = box.right + px(32)
    room = chance.x - lx - px(8)
    title, target = card.label, ""
    if card.target_name and r.width(card.label, name_size - 2, "cond_bold") > room:
        title, target = card.name, f"→ {card.target_name} · "  # the target moves down a line
    r.put(
        surf,
        title,
        (lx, box.centre[1]),
        name_size,
        ink,
        face="cond_bold",
        width=room,
        anchor="midleft",
    )
    y = box.bottom + px(4)
    if grey:  # why not, in words, where the description goes; the effects stay, greyed
        r.paragraph(
            surf,
            f"{target}Not available: {card.reason}",
            (x, y),
            size,
            inner,
            colour=C.mix(C.TRIGGER, C.TEXT, 0.2),
            face="cond_bold",
            max_lines=2,
            line_h=line,
        )
        _effects(r, surf, card, (x, y + 2 * line), size=size, width=inner, line_h=line, grey=True)
        return
    r.paragraph(
        surf,
        f"{target}{card.meta} — {card.description}",
        (x, y),
        size,
        inner,
        colour=C.mix(C.TEXT, C.MUTED, 0.45),
        face="cond",
        max_lines=2,
        line_h=line,
    )
    _effects(r, surf, card, (x, y + 2 * line), size=size, width=inner, line_h=line)


def _effects(
    r: ExerciseRenderer,
    surf: pygame.Surface,
    card: MoveCard,
    pos: tuple[float, float],
    *,
    size: int,
    width: int,
    line_h: int,
    grey: bool = False,
) -> None:
    """The expected effects in two lines: as many of the largest as fit, success first
    (``grey``: muted, for a move not available now)."""
    tried = []
    for ks in range(len(card.on_success), -1, -1):
        for kf in range(len(card.on_failure), -1, -1):
            if (ks or not card.on_success) and (kf or not card.on_failure):
                tried.append((ks, kf))
    # last resorts: the failure's effects as "…", then the success's too
    tried += [(ks, 0) for ks in range(len(card.on_success), 0, -1)] + [(0, 0)]
    for ks, kf in tried:
        good, bad = (C.MUTED, C.MUTED) if grey else (OK, C.FAILED)
        tokens = _effect_tokens("Success:", card.on_success, ks, good)
        tokens += _effect_tokens("Failure:", card.on_failure, kf, bad)
        lines = _flow(r, tokens, size, width)
        if len(lines) <= 2:
            break
    x0, y = pos
    for line in lines[:2]:
        for text, colour, face, x in line:
            r.blit_text(surf, text, (x0 + x, y), size, colour, face=face)
        y += line_h


def _effect_tokens(head: str, items: tuple[str, ...], k: int, colour: RGB) -> list:
    ink = C.mix(colour, C.TEXT, 0.55)
    if not items:
        return [(head, colour, "cond_bold"), ("no change", ink, "cond")]
    shown = [f"{item}," for item in items[:k]]
    if k < len(items):
        shown.append("…")
    else:
        shown[-1] = shown[-1].rstrip(",")
    words = [w for item in shown for w in item.split(" ")]  # effects are phrases: wrap words
    return [(head, colour, "cond_bold")] + [(t, ink, "cond") for t in words]


def _flow(r: ExerciseRenderer, tokens: list, size: int, width: int) -> list[list]:
    """Lay unbreakable tokens out in lines, each placed at an x. A heading ("Failure:") stays
    on the line of its first item and starts after a wider gap."""
    space = r.width(" ", size, "cond")
    units, i = [], 0
    while i < len(tokens):
        take = 2 if tokens[i][2] == "cond_bold" and i + 1 < len(tokens) else 1
        units.append(tokens[i : i + take])
        i += take
    lines: list[list] = [[]]
    x = 0
    for unit in units:
        widths = [r.width(text, size, face) for text, _colour, face in unit]
        w = sum(widths) + space * (len(unit) - 1)
        gap = 0 if x == 0 else (space * 3 if unit[0][2] == "cond_bold" else space)
        if x and x + gap + w > width:
            lines.append([])
            x, gap = 0, 0
        at = x + gap
        for (text, colour, face), tw in zip(unit, widths, strict=True):
            lines[-1].append((text, colour, face, at))
            at += tw + space
        x += gap + w
    return lines


def review(app: ExerciseApp, surf: pygame.Surface) -> None:
    """The white cell's review: every chosen move, bots' too, with veto and force marks."""
    r, lay = app.renderer, app.layout
    rows = app.review()
    g = review_geometry(lay, app.blocks(rows))
    head, px = g.header, lay.px
    sheet_header(app, surf, "WHITE CELL")
    r.put(
        surf,
        f"Review turn {app.session.turn}: every move chosen, the bots' too",
        (head.x, head.y + px(24)),
        lay.big,
        C.OUTCOME,
        face="bold",
        width=head.w,
    )
    r.put(
        surf,
        "Click a move (or ↑/↓), then Veto, Force success or Force failure, or Dice to clear "
        "the mark: each asks for a rationale. Resolve the turn when done.",
        (head.x, head.y + px(64)),
        lay.small,
        C.MUTED,
        face="cond",
        width=head.w,
    )
    labels = {bid: label for bid, label, _w in REVIEW_BUTTONS}
    picked = app.review_pick is not None
    for bid, rect in g.buttons:
        style = {"resolve": "primary", "peek": "normal"}.get(bid, "normal" if picked else "off")
        r.button(surf, rect, labels[bid], lay.body, style=style)
    for a, rect in g.titles:
        code = app.session.rules.actors[a]
        who = "people" if code in app.session.info.humans else "bot"
        colour = C.ACTOR_COLOURS.get(code, C.TEXT)
        pygame.draw.circle(surf, colour, (rect.x + px(8), rect.centre[1]), px(6))
        r.put(
            surf,
            f"{app.name(code)}  ·  {who}",
            (rect.x + px(22), rect.centre[1]),
            lay.body,
            colour,
            face="bold",
            anchor="midleft",
            width=rect.w - px(22),
        )
    size = lay.body
    for row, rect in zip(rows, g.rows, strict=True):
        selected = row.index is not None and row.index == app.review_pick
        fill = C.mix(C.PANEL, C.HIGHLIGHT, 0.16) if selected else C.PANEL
        pygame.draw.rect(surf, fill, rect.tuple(), border_radius=px(6))
        edge = C.HIGHLIGHT if selected else C.PANEL_EDGE
        pygame.draw.rect(surf, edge, rect.tuple(), 2 if selected else 1, border_radius=px(6))
        cy = rect.centre[1]
        r.badge(surf, (rect.x + px(20), cy), row.letter, row.colour, radius=px(10))
        if row.index is None:
            r.put(
                surf, row.label, (rect.x + px(40), cy), size, C.MUTED, face="cond", anchor="midleft"
            )
            continue
        tag, colour = {
            "vetoed": ("VETOED", C.MUTED),
            "forced success": ("FORCED SUCCESS", OK),
            "forced failure": ("FORCED FAILURE", C.FAILED),
        }.get(row.status, (f"{(row.chance or 0) * 100:.0f}% chance", C.TEXT))
        t = r.put(
            surf,
            tag,
            (rect.right - px(10), cy),
            lay.small,
            colour,
            face="cond_bold",
            anchor="midright",
        )
        ink = C.MUTED if row.status == "vetoed" else C.TEXT
        label = r.put(
            surf,
            row.label,
            (rect.x + px(40), cy),
            size,
            ink,
            face="cond",
            width=t.x - rect.x - px(52),
            anchor="midleft",
        )
        if row.status == "vetoed":
            pygame.draw.line(surf, C.MUTED, label.midleft, label.midright, 2)


def fork_result(app: ExerciseApp, surf: pygame.Surface) -> None:
    """The fork result: how often each outcome is reached in the continuations."""
    r, lay = app.renderer, app.layout
    res = app.fork_result
    assert res is not None
    g = fork_geometry(lay, len(res.outcomes))
    px, head = lay.px, g.header
    r.put(
        surf,
        "Where is this heading?",
        (head.x, head.y),
        lay.big,
        C.HIGHLIGHT,
        face="bold",
        width=g.close.x - head.x - lay.pad,
    )
    r.put(
        surf,
        f"{res.runs} bot continuations from turn {res.turn} ({app.turn_label(res.turn)}):"
        " the share that reaches each outcome by the end of the game, with its 95% interval",
        (head.x, head.y + px(46)),
        lay.body,
        C.TEXT,
        face="cond",
        width=head.w,
    )
    r.button(surf, g.close, "Close  (Esc)", lay.body)
    value_w = px(230)
    for (oid, o), rect in zip(res.outcomes.items(), g.rows, strict=True):
        already = o.get("already")
        title = o.get("title") or oid
        if already is not None:
            title += f"   (already reached in turn {already})"
        r.put(
            surf,
            title,
            (rect.x, rect.y + px(6)),
            lay.title,
            C.OUTCOME if already is not None else C.TEXT,
            face="bold",
            width=rect.w,
        )
        track_y = rect.y + px(6) + r.font("bold", lay.title).get_linesize() + px(6)
        bar_h = min(px(24), rect.bottom - track_y - px(8))
        track = Rect(rect.x, track_y, rect.w - value_w, max(bar_h, 4))
        pygame.draw.rect(surf, C.PANEL_EDGE, track.tuple(), border_radius=4)
        p = float(o["probability"])
        pygame.draw.rect(
            surf, C.OUTCOME, (track.x, track.y, round(track.w * p), track.h), border_radius=4
        )
        lo, hi = (float(v) for v in o["ci95"])
        x0, x1 = track.x + track.w * lo, track.x + track.w * hi
        cy = track.centre[1]
        for x in (x0, x1):
            pygame.draw.line(surf, C.TEXT, (x, track.y - px(4)), (x, track.bottom + px(3)), 2)
        pygame.draw.line(surf, C.TEXT, (x0, cy), (x1, cy), 2)
        r.put(
            surf,
            f"{p * 100:.0f}%  ({lo * 100:.0f}–{hi * 100:.0f}%)",
            (track.right + px(16), cy),
            lay.title,
            C.TEXT,
            face="cond_bold",
            anchor="midleft",
            width=value_w - px(16),
        )
    t, k = res.tension, res.peak_rung
    foot = g.footer
    r.put(
        surf,
        f"Final tension: median {t['median']:.0f} (10th-90th percentile "
        f"{t['p10']:.0f}-{t['p90']:.0f})",
        (foot.x, foot.y),
        lay.body,
        C.TEXT,
        width=foot.w,
    )
    r.put(
        surf,
        f"Peak escalation rung: median {k['median']:.0f} (10th-90th percentile "
        f"{k['p10']:.0f}-{k['p90']:.0f})",
        (foot.x, foot.y + px(30)),
        lay.body,
        C.TEXT,
        width=foot.w,
    )
