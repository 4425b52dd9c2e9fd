"""Drawing the board's panels: top bar, ladder, indicators, outcome watch, feed, controls.

Part of the view (with :mod:`tripwire.board.replay.view`, which owns the fonts, caches and the map);
split off only to keep files short. Like the rest of the view it draws a
:class:`~tripwire.board.common.frame.Frame` for a
:class:`~tripwire.board.common.layout.Layout` and reads nothing else.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pygame

from tripwire.board.common import colours as C
from tripwire.board.common.colours import HALO, RGB
from tripwire.board.common.frame import FeedItem, Frame
from tripwire.board.common.layout import Layout, Rect, UiState, ladder_geometry, timeline_x

if TYPE_CHECKING:
    from tripwire.board.replay.view import Renderer

Point = tuple[float, float]

KIND_COLOURS = {"inject": C.INJECT, "trigger": C.TRIGGER, "outcome": C.OUTCOME}


def draw_panels(
    r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout, ui: UiState
) -> None:
    """Draw every panel except the map (see :meth:`Renderer.draw`)."""
    _top(r, surf, frame, layout, ui)
    _ladder(r, surf, frame, layout)
    _indicators(r, surf, frame, layout)
    _outcomes(r, surf, frame, layout)
    _feed(r, surf, frame, layout, ui.feed_offset)
    _controls(r, surf, layout, ui)
    _timeline(r, surf, frame, layout, ui)


def _title(
    r: Renderer, surf: pygame.Surface, rect: Rect, text: str, layout: Layout, *, right: str = ""
) -> int:
    s = layout.scale
    r.blit_text(surf, text, (rect.x + 10 * s, rect.y + 8 * s), layout.small, C.MUTED, face="bold")
    if right:
        r.blit_text(
            surf,
            right,
            (rect.right - 10 * s, rect.y + 8 * s),
            layout.small,
            C.MUTED,
            face="cond",
            anchor="topright",
        )
    return rect.y + round(34 * s)


def _top(r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout, ui: UiState) -> None:
    t, s = layout.top, layout.scale
    cy = t.y + t.h / 2
    right = t.right - layout.pad * 2
    d = r.blit_text(
        surf, frame.date_label, (right, cy), layout.big, C.HIGHLIGHT, face="bold", anchor="midright"
    )
    of = f" of {frame.planned_turns}" if frame.planned_turns else ""
    tr = r.blit_text(
        surf,
        f"Turn {frame.turn}{of}",
        (d.x - 28 * s, cy),
        layout.big,
        C.TEXT,
        face="bold",
        anchor="midright",
    )
    status = ui.status or ""
    if ui.message:
        status = f"{status} · {ui.message}" if status else ui.message
    left_of = tr.x - 24 * s
    if status:
        img = r.text(status, layout.small, C.BACKGROUND, "bold")
        chip = img.get_rect(midright=(round(tr.x - 24 * s), round(cy)))
        colour = C.COOPERATION if "LIVE" in status else (C.HIGHLIGHT if ui.playing else C.MUTED)
        plate = chip.inflate(16 * s, 8 * s)
        pygame.draw.rect(surf, colour, plate, border_radius=round(5 * s))
        surf.blit(img, chip)
        left_of = plate.x - 16 * s
    # The title gets what is left; a long one is shortened rather than overlapped.
    x0 = layout.pad * 2
    title = frame.title
    while r.width(title, layout.title, "bold") > left_of - x0 and len(title) > 4:
        title = title[:-2].rstrip() + "…"
    x = r.blit_text(surf, title, (x0, cy), layout.title, C.TEXT, face="bold", anchor="midleft")
    sub_x = x.right + 14 * s
    if frame.subtitle and sub_x + r.width(frame.subtitle, layout.small, "cond") < left_of:
        r.blit_text(
            surf,
            frame.subtitle,
            (sub_x, cy + 2 * s),
            layout.small,
            C.MUTED,
            face="cond",
            anchor="midleft",
        )


def _ladder(r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout) -> None:
    lad, s = frame.ladder, layout.scale
    geo = ladder_geometry(layout, len(lad.rungs) or 44)
    cap = geo.caption
    group_i = next((i for i, g in enumerate(lad.groups) if g[0] == lad.group), 0)
    colour = C.LADDER_GROUP_COLOURS[group_i % len(C.LADDER_GROUP_COLOURS)]
    pygame.draw.rect(surf, C.mix(C.PANEL, colour, 0.35), cap.tuple(), border_radius=round(5 * s))
    pygame.draw.rect(surf, C.HIGHLIGHT, cap.tuple(), 2, border_radius=round(5 * s))
    x, y = cap.x + round(7 * s), cap.y + round(5 * s)
    r.blit_text(
        surf,
        f"Rung {lad.rung} of {len(lad.rungs)}",
        (x, y),
        layout.small,
        C.HIGHLIGHT,
        face="cond_bold",
    )
    y += round(20 * s)
    width = cap.w - round(12 * s)
    room = cap.bottom - round(46 * s) - y  # above the group and change lines
    size = layout.body
    while True:
        lines = r.wrap(lad.name, size, width, "cond_bold")
        line_h = r.font("cond_bold", size).get_linesize()
        if len(lines) * line_h <= room or size <= layout.small - 2:
            break
        size -= 1
    for line in lines:
        r.blit_text(surf, line, (x, y), size, C.TEXT, face="cond_bold")
        y += line_h
    if lad.previous is None or lad.previous == lad.rung:
        change = "no change" if lad.previous is not None else "starting position"
    else:
        change = f"{'▲ up' if lad.rung > lad.previous else '▼ down'} from {lad.previous}"
    bottom = cap.bottom - round(5 * s)
    r.blit_text(surf, change, (x, bottom), layout.small, C.MUTED, face="cond", anchor="bottomleft")
    group_size = layout.small
    while r.width(lad.group, group_size, "cond_bold") > width and group_size > 9:
        group_size -= 1
    group_colour = C.mix(colour, C.TEXT, 0.6)
    r.blit_text(
        surf,
        lad.group,
        (x, bottom - 19 * s),
        group_size,
        group_colour,
        face="cond_bold",
        anchor="bottomleft",
    )
    # The current rung: the cell in the highlight colour with its number, and a pointer; the
    # previous turn's rung keeps an outline so a change is visible at a glance.
    if lad.previous is not None and lad.previous != lad.rung:
        prev = geo.cell(lad.previous)
        pygame.draw.rect(surf, C.TEXT, prev.inset(-1).tuple(), 1)
    cell = geo.cell(lad.rung)
    pygame.draw.rect(surf, C.HIGHLIGHT, cell.inset(-1, -2).tuple())
    cx, cy = cell.x - 2 * s, cell.centre[1]
    tri = [(cx, cy), (cx - 12 * s, cy - 8 * s), (cx - 12 * s, cy + 8 * s)]
    pygame.draw.polygon(surf, C.HIGHLIGHT, tri)
    r.blit_text(
        surf,
        str(lad.rung),
        cell.centre,
        round(12 * s),
        C.BACKGROUND,
        face="cond_bold",
        anchor="center",
    )


def _bar(
    surf: pygame.Surface, rect: Rect, fraction: float, colour: RGB, previous: float | None = None
) -> None:
    pygame.draw.rect(surf, C.PANEL_EDGE, rect.tuple(), border_radius=2)
    w = round(rect.w * min(max(fraction, 0.0), 1.0))
    if w:
        pygame.draw.rect(surf, colour, (rect.x, rect.y, w, rect.h), border_radius=2)
    if previous is not None and abs(previous - fraction) > 0.002:
        px = rect.x + round(rect.w * previous)
        pygame.draw.line(surf, C.TEXT, (px, rect.y - 3), (px, rect.bottom + 2), 2)


def _indicators(r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout) -> None:
    p, s = layout.indicators, layout.scale
    y = _title(r, surf, p, "INDICATORS", layout, right="change since last turn") - round(4 * s)
    row_h = (p.bottom - y - round(2 * s)) / max(len(frame.gauges), 1)
    x0, x1 = p.x + round(12 * s), p.right - round(12 * s)
    for g in frame.gauges:
        r.blit_text(surf, g.label, (x0, y), layout.body, C.TEXT, face="cond")
        delta_colour = C.HIGHLIGHT if g.delta_text not in ("", "±0") else C.MUTED
        d = r.blit_text(
            surf, g.delta_text, (x1, y), layout.body, delta_colour, face="cond", anchor="topright"
        )
        r.blit_text(
            surf,
            g.text,
            (d.x - 10 * s, y),
            layout.body,
            C.TEXT,
            face="cond_bold",
            anchor="topright",
        )
        bar_y = y + r.font("cond", layout.body).get_linesize()
        bar = Rect(x0, round(bar_y), x1 - x0, max(round(6 * s), 3))
        _bar(surf, bar, g.fraction, C.mix(C.TEXT, C.PANEL, 0.25), g.previous_fraction)
        y += row_h


def _outcomes(r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout) -> None:
    p, s = layout.outcomes, layout.scale
    y = _title(r, surf, p, "OUTCOME WATCH", layout, right="how close") - round(4 * s)
    row_h = (p.bottom - y - round(4 * s)) / max(len(frame.outcomes), 1)
    x0, x1 = p.x + round(12 * s), p.right - round(12 * s)
    for o in frame.outcomes:
        reached = o.reached_turn is not None
        colour = C.OUTCOME if reached else C.TEXT
        title = o.title
        while r.width(title, layout.body, "cond") > x1 - x0 and len(title) > 4:
            title = title[:-2].rstrip() + "…"
        r.blit_text(surf, title, (x0, y), layout.body, colour, face="cond")
        tag = f"★ turn {o.reached_turn}" if reached else f"{o.progress * 100:.0f}%"
        bar_y = y + r.font("cond", layout.body).get_linesize() + 2 * s
        t = r.blit_text(
            surf,
            tag,
            (x1, bar_y + 3 * s),
            layout.small,
            colour,
            face="cond_bold",
            anchor="midright",
        )
        bar = Rect(x0, round(bar_y), t.x - x0 - round(8 * s), max(round(7 * s), 3))
        fill = C.OUTCOME if o.progress >= 1.0 else C.mix(C.OUTCOME, C.PANEL, 0.4)
        _bar(surf, bar, o.progress, fill)
        y += row_h


def _line_height(size: int) -> int:
    # Tighter than the font's own line spacing: a busy turn then still fits at full size.
    return round(size * 1.12)


def _feed_layout(r: Renderer, frame: Frame, layout: Layout):
    """Word-wrapped feed lines at the largest size that fits: the body size, or smaller on a
    busy turn, never below the small size (readable from the back of a room); what does not
    fit then scrolls (:func:`feed_scroll_limit`)."""
    key = (id(frame), layout.size)
    hit = r.cache.get(key)
    if hit is not None and hit[0] is frame:
        return hit[1]
    p, s = layout.feed, layout.scale
    top = p.y + round(34 * s)
    avail = p.bottom - top - round(4 * s)
    icon_w = round(30 * s)
    width = p.w - icon_w - round(20 * s)
    gap = round(3 * s)
    for size in range(layout.body, layout.small - 1, -1):
        items, total = [], 0
        for item in frame.feed:
            lines = _item_lines(r, item, size, width)
            h = len(lines) * _line_height(size) + gap
            items.append((item, lines, h, size))
            total += h
        if total <= avail:
            break
    result = (items, total > avail, avail)
    r.cache[key] = (frame, result)
    if len(r.cache) > 64:
        r.cache.popitem(last=False)
    return result


def _item_lines(r: Renderer, item: FeedItem, size: int, width: int) -> list[tuple[str, str]]:
    """(head, body) per line: all on one line if it fits, else the bold head ("Russia → North
    Korea:") on its own line and the body wrapped below it."""
    if r.width(item.head, size, "bold") + r.width(" " + item.body, size) <= width:
        return [(item.head, item.body)]
    out = [(line, "") for line in r.wrap(item.head, size, width, "bold")]
    return out + [("", line) for line in r.wrap(item.body, size, width)]


def feed_scroll_limit(r: Renderer, frame: Frame, layout: Layout) -> int:
    """The largest useful feed offset: scrolled that far, the last event is in view."""
    items, overflow, avail = _feed_layout(r, frame, layout)
    if not overflow:
        return 0
    room, k = avail - _line_height(items[-1][3]), len(items)
    while k > 0 and room - items[k - 1][2] >= 0:
        room -= items[k - 1][2]
        k -= 1
    return k


def _feed(r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout, offset: int = 0) -> None:
    p, s = layout.feed, layout.scale
    n = len(frame.feed)
    y = _title(
        r, surf, p, f"TURN {frame.turn}: WHAT HAPPENED", layout, right=f"{n} events" if n else ""
    )
    if not frame.feed:
        msg = "The starting position." if frame.turn == 0 else "Nothing happened this turn."
        r.blit_text(surf, msg, (p.x + 12 * s, y), layout.body, C.MUTED)
        return
    items, _overflow, avail = _feed_layout(r, frame, layout)
    x_icon, x_text = p.x + round(22 * s), p.x + round(40 * s)
    bottom = p.y + round(34 * s) + avail
    offset = min(max(offset, 0), feed_scroll_limit(r, frame, layout))
    if offset:
        size = items[0][3]
        note = f"▲ {offset} earlier: scroll up (wheel, PgUp)"
        r.blit_text(surf, note, (x_text, y), size, C.MUTED, face="bold")
        y += _line_height(size) + round(3 * s)
    for at, (item, lines, h, size) in enumerate(items[offset:], start=offset):
        more = at + 1 < len(items)  # keep a line for the "more" note under this one
        if y + h + (_line_height(size) if more else 0) > bottom:
            left = len(items) - at
            note = f"▼ {left} more: scroll down (wheel, PgDn)"
            r.blit_text(surf, note, (x_text, y), size, C.MUTED, face="bold")
            break
        line_h = _line_height(size)
        kind_colour = KIND_COLOURS.get(item.kind)
        if kind_colour:
            plate = (p.x + round(6 * s), y - round(1 * s), p.w - round(12 * s), h - round(2 * s))
            pygame.draw.rect(surf, C.mix(C.PANEL, kind_colour, 0.22), plate, border_radius=4)
            pygame.draw.rect(surf, kind_colour, (plate[0], plate[1], round(4 * s), plate[3]))
        _feed_icon(r, surf, item, (x_icon, y + line_h / 2), s)
        body_colour = {"failed": C.FAILED, "cancelled": C.MUTED}.get(item.status or "", C.TEXT)
        head_colour = kind_colour or (C.MUTED if item.status == "cancelled" else C.TEXT)
        for head, body in lines:
            x = x_text
            if head:
                x = r.blit_text(surf, head, (x, y), size, head_colour, face="bold").right
                x += r.width(" ", size)
            if body:
                r.blit_text(surf, body, (x, y), size, body_colour)
            y += line_h
        y += round(3 * s)


def _feed_icon(r: Renderer, surf: pygame.Surface, item: FeedItem, centre: Point, s: float) -> None:
    cx, cy = centre
    if item.kind == "action":
        r.badge(
            surf,
            centre,
            item.letter or "?",
            item.colour or C.NEUTRAL,
            radius=10 * s,
            faded=item.status != "succeeded",
        )
        if item.status in ("failed", "cancelled"):
            r.status_icon(surf, (cx + 11 * s, cy - 8 * s), item.status, 6 * s)
    elif item.kind == "inject":
        pts = [(cx - 6 * s, cy - 8 * s), (cx + 8 * s, cy), (cx - 6 * s, cy + 8 * s)]
        pygame.draw.polygon(surf, C.INJECT, pts)
    elif item.kind == "trigger":
        pygame.draw.line(surf, C.TRIGGER, (cx - 6 * s, cy - 9 * s), (cx - 6 * s, cy + 9 * s), 2)
        flag = [(cx - 5 * s, cy - 9 * s), (cx + 8 * s, cy - 5 * s), (cx - 5 * s, cy)]
        pygame.draw.polygon(surf, C.TRIGGER, flag)
    elif item.kind == "outcome":
        pygame.draw.polygon(surf, C.OUTCOME, star(cx, cy, 10 * s))
    else:
        pygame.draw.circle(surf, C.MUTED, (cx, cy), 5 * s)


def star(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        rad = radius if i % 2 == 0 else radius * 0.45
        a = math.radians(-90 + 36 * i)
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return pts


def _controls(r: Renderer, surf: pygame.Surface, layout: Layout, ui: UiState) -> None:
    s = layout.scale
    for b in layout.buttons:
        rect = b.rect
        active = (b.id == "play" and ui.playing) or (b.id == "help" and ui.help)
        pygame.draw.rect(
            surf,
            C.mix(C.PANEL, C.HIGHLIGHT, 0.3) if active else C.PANEL,
            rect.tuple(),
            border_radius=round(6 * s),
        )
        pygame.draw.rect(surf, C.PANEL_EDGE, rect.tuple(), 1, border_radius=round(6 * s))
        _button_icon(r, surf, b.id, rect, ui)
        if b.id == "slower":
            label = f"{ui.seconds_per_turn:g} s/turn"
            r.blit_text(
                surf,
                label,
                (rect.right + 45 * s + 3 * s, rect.centre[1]),
                layout.small,
                C.TEXT,
                face="cond_bold",
                anchor="center",
            )


def _button_icon(r: Renderer, surf: pygame.Surface, bid: str, rect: Rect, ui: UiState) -> None:
    s = rect.h / 40
    cx, cy = rect.centre
    k = rect.w * 0.22
    ink = C.TEXT

    def tri(x: float, direction: int) -> None:
        pts = [(x + direction * k, cy), (x - direction * k, cy - k), (x - direction * k, cy + k)]
        pygame.draw.polygon(surf, ink, pts)

    w = max(round(3 * s), 2)
    if bid == "play":
        if ui.playing:
            for dx in (-k * 0.55, k * 0.55):
                pygame.draw.rect(surf, ink, (cx + dx - w / 2 - 1, cy - k, w + 2, 2 * k))
        else:
            tri(cx + k * 0.2, 1)
    elif bid in ("back", "forward"):
        tri(cx, -1 if bid == "back" else 1)
    elif bid in ("first", "last"):
        d = -1 if bid == "first" else 1
        tri(cx - d * k * 0.3, d)
        bx = cx + d * k * 0.9
        pygame.draw.line(surf, ink, (bx, cy - k), (bx, cy + k), w)
    elif bid in ("slower", "faster"):
        pygame.draw.line(surf, ink, (cx - k, cy), (cx + k, cy), w)
        if bid == "faster":
            pygame.draw.line(surf, ink, (cx, cy - k), (cx, cy + k), w)
    elif bid == "help":
        r.blit_text(surf, "?", (cx, cy), round(rect.h * 0.55), ink, face="bold", anchor="center")
    elif bid == "fullscreen":
        for sx in (-1, 1):
            for sy in (-1, 1):
                x, y = cx + sx * k, cy + sy * k
                pygame.draw.line(surf, ink, (x, y), (x - sx * k * 0.6, y), w)
                pygame.draw.line(surf, ink, (x, y), (x, y - sy * k * 0.6), w)


def _timeline(r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout, ui: UiState) -> None:
    tr, s = layout.track, layout.scale
    last = max(frame.planned_turns, ui.known_turns, frame.turn, 1)
    y = tr.y + tr.h / 2
    known_x = timeline_x(layout, ui.known_turns, last)
    pygame.draw.line(surf, C.PANEL_EDGE, (tr.x, y), (tr.right, y), max(round(4 * s), 2))
    pygame.draw.line(surf, C.MUTED, (tr.x, y), (known_x, y), max(round(4 * s), 2))
    step = 1
    while tr.w / last * step < 26 * s:
        step += 1
    size = round(13 * s)
    for t in range(last + 1):
        x = timeline_x(layout, t, last)
        colour = C.MUTED if t <= ui.known_turns else C.PANEL_EDGE
        pygame.draw.line(surf, colour, (x, y - 5 * s), (x, y + 5 * s), 1)
        if t % step == 0 or t == last:
            r.blit_text(
                surf, str(t), (x, tr.bottom + 3 * s), size, colour, face="cond", anchor="midtop"
            )
    for t, kind in ui.marks:
        x = timeline_x(layout, t, last)
        if kind == "outcome":
            pygame.draw.polygon(surf, C.OUTCOME, star(x, tr.y - 3 * s, 7 * s))
        else:
            dy = -3 if kind == "trigger" else -9
            pygame.draw.circle(surf, KIND_COLOURS[kind], (x, tr.y + dy * s), round(3 * s))
    x = timeline_x(layout, frame.turn, last)
    pygame.draw.circle(surf, HALO, (x, y), round(11 * s))
    pygame.draw.circle(surf, C.HIGHLIGHT, (x, y), round(9 * s))
