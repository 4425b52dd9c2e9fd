"""Drawing the map: its static base (countries, seas, US bases, actor labels, legend) and
each turn's arrows, rings, markers and the US panel.

Part of the view (with :mod:`tripwire.board.replay.view`, which owns fonts and caches, and
:mod:`tripwire.board.replay.view_panels`); the geometry comes from
:mod:`tripwire.board.common.layout`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pygame

from tripwire.board.common import colours as C
from tripwire.board.common.colours import HALO, RGB
from tripwire.board.common.frame import Frame
from tripwire.board.common.geo import US_BASES, load_map, projection
from tripwire.board.common.layout import (
    Layout,
    Rect,
    arrow_geometry,
    bezier,
    place_badges,
    ring_badge_positions,
    side_away_from,
    stroke_pieces,
)

if TYPE_CHECKING:
    from tripwire.board.replay.view import Renderer

Point = tuple[float, float]
Positions = dict[str, Point]


def map_base(r: Renderer, surf: pygame.Surface, layout: Layout) -> None:
    """Draw the static map: sea, graticule, countries (actors filled), seas' names and the
    US bases, clipped to the map area."""
    area, vp, s = layout.map_area, r.viewport, layout.scale
    surf.set_clip(area.tuple())
    surf.fill(C.SEA, area.tuple())
    proj = projection()
    grid = C.mix(C.SEA, C.MUTED, 0.12)
    for lat in range(20, 70, 10):
        pts = vp.to_screen(proj.forward(list(range(80, 181, 2)), [lat] * 51))
        pygame.draw.aalines(surf, grid, False, pts.tolist())
    for lon in range(90, 181, 10):
        pts = vp.to_screen(proj.forward([lon] * 31, list(range(5, 71, 2))[:31]))
        pygame.draw.aalines(surf, grid, False, pts.tolist())
    for country in load_map().countries:
        fill = C.actor_fill(country.iso) if country.iso in C.ACTOR_COLOURS else C.LAND
        for ring in country.rings:
            pts = vp.to_screen(ring).tolist()
            pygame.draw.polygon(surf, fill, pts)
            pygame.draw.aalines(surf, C.BORDER, True, pts)
    small = layout.small
    sea = C.mix(C.SEA, C.MUTED, 0.6)
    for lon, lat, text in SEA_LABELS:
        x, y = vp.lonlat(lon, lat)
        r.blit_text(surf, text, (x, y), small, sea, face="cond", anchor="center")
    for lon, lat, _label in US_BASES:
        x, y = vp.lonlat(lon, lat)
        rad = max(round(4 * s), 2)
        pygame.draw.rect(surf, HALO, (x - rad - 1, y - rad - 1, 2 * rad + 2, 2 * rad + 2))
        pygame.draw.rect(surf, C.ACTOR_COLOURS["USA"], (x - rad, y - rad, 2 * rad, 2 * rad))
    surf.set_clip(None)
    pygame.draw.rect(surf, C.PANEL_EDGE, area.tuple(), 1)


def legend(r: Renderer, surf: pygame.Surface, layout: Layout) -> None:
    """Draw the legend box: the Goldstein colour scale, line styles and domain badges."""
    box, s, small = layout.legend, layout.scale, layout.small
    plate = pygame.Surface((box.w, box.h), pygame.SRCALPHA)
    plate.fill((*C.PANEL, 225))
    surf.blit(plate, (box.x, box.y))
    pygame.draw.rect(surf, C.PANEL_EDGE, box.tuple(), 1)
    row = round(23 * s)
    x0, y = box.x + round(8 * s), box.y + round(6 * s)
    x = r.blit_text(surf, "Conflict", (x0, y), small, C.CONFLICT, face="cond_bold").right
    x += round(6 * s)
    right = r.text("Cooperation", small, C.COOPERATION, "cond_bold")
    bar_w = box.right - round(14 * s) - right.get_width() - x
    for i in range(bar_w):
        g = -10 + 20 * i / max(bar_w - 1, 1)
        pygame.draw.line(surf, C.goldstein_colour(g), (x + i, y + 5 * s), (x + i, y + 14 * s))
    surf.blit(right, (x + bar_w + round(6 * s), y))
    y += row
    x = x0
    for label, style in (("succeeded", "solid"), ("failed", "dashed"), ("cancelled", "dotted")):
        mid = y + 9 * s
        r.stroke(surf, [(x, mid), (x + 30 * s, mid)], C.NEUTRAL, style=style, width=3 * s)
        if style != "solid":
            r.status_icon(surf, (x + 15 * s, mid), label, 6 * s)
        x = r.blit_text(surf, label, (x + 35 * s, y), small, C.TEXT, face="cond").right
        x += round(12 * s)
    for items in (
        (("M", "military"), ("D", "diplomatic"), ("E", "economic")),
        (("I", "intelligence"), ("P", "propaganda"), ("H", "hold")),
        (("", "ring: an action with no target"),),
    ):
        y += row
        x = x0
        for letter, word in items:
            centre = (x + 10 * s, y + 9 * s)
            if letter:
                r.badge(surf, centre, letter, C.NEUTRAL, radius=10 * s)
            else:
                r.ring_icon(surf, centre, s)
            x = r.blit_text(surf, word, (x + 24 * s, y), small, C.TEXT, face="cond").right
            x += round(14 * s)


def arrow_ops(r: Renderer, frame: Frame, layout: Layout, pos: Positions) -> tuple:
    """The polygons and badges of a turn's arrows at a layout (cached per frame and size:
    the geometry is the costly part of a redraw, the rasterising is not)."""
    key = ("arrows", id(frame), layout.size)
    hit = r.cache.get(key)
    if hit is not None and hit[0] is frame:
        return hit[1]
    s = layout.scale
    drawn = []
    for a in sorted(frame.arrows, key=lambda a: a.status == "succeeded"):
        if a.actor not in pos or a.target not in pos:
            continue
        end_gap = (4 if a.target == "USA" else 11) * s
        # Arrows to and from the US bow away from its panel, so they never cross it.
        side = 1
        if "USA" in (a.actor, a.target):
            side = side_away_from(pos[a.actor], pos[a.target], layout.usa.centre, a.lane)
        g = arrow_geometry(
            pos[a.actor],
            pos[a.target],
            a.lane,
            side=side,
            scale=s,
            start_gap=9 * s,
            end_gap=end_gap,
            head_length=17 * s,
            head_width=15 * s,
        )
        drawn.append((a, g))
    ts = np.array([0.5, 0.4, 0.6, 0.32, 0.68])
    options = []
    for a, g in drawn:
        pts = bezier(np.asarray(pos[a.actor]), np.asarray(g.control), np.asarray(pos[a.target]), ts)
        options.append([(float(x), float(y)) for x, y in pts])
    badges = place_badges(options, 12 * s)
    halos, strokes, marks = [], [], []
    for (a, g), b in zip(drawn, badges, strict=True):
        width, style, colour = (
            _width(a.goldstein, s),
            _style(a.status),
            _faded(a.colour, a.status),
        )
        halos.extend(stroke_pieces(g.shaft, style, width + 4))
        halos.append(_grow(g.head, 1.35))
        strokes.extend((poly, colour) for poly in stroke_pieces(g.shaft, style, width))
        strokes.append((list(g.head), colour))
        marks.append((b, a.letter, colour, a.status))
    ops = (halos, strokes, marks)
    r.cache[key] = (frame, ops)
    if len(r.cache) > 128:
        r.cache.popitem(last=False)
    return ops


def arrows(r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout, pos: Positions) -> None:
    """Draw the turn's action arrows: dark halos first, then the strokes and heads, then
    the domain badges (with ✗ or ⊘ for failed or cancelled actions) on top."""
    s = layout.scale
    halos, strokes, marks = arrow_ops(r, frame, layout, pos)
    for poly in halos:
        pygame.draw.polygon(surf, HALO, poly)
    for poly, colour in strokes:
        _polygon(surf, colour, poly)
    for b, letter, colour, status in marks:
        r.badge(surf, b, letter, colour, radius=11 * s, faded=status != "succeeded")
        if status != "succeeded":
            r.status_icon(surf, (b[0] + 13 * s, b[1] - 11 * s), status, 7 * s)


def markers(
    r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout, pos: Positions
) -> None:
    """Draw the rings of untargeted actions around their actors, then every actor's
    marker."""
    s = layout.scale
    by_actor: dict[str, list] = {}
    for m in frame.marks:
        by_actor.setdefault(m.actor, []).append(m)
    for code, marks in by_actor.items():
        if code not in pos:
            continue
        centre = pos[code]
        # The US marker sits on its panel's edge: its rings open to the left, over the sea.
        start = 180.0 if code == "USA" else -90.0
        width = max(round(3 * s), 2)
        for i, m in enumerate(marks):
            colour = _faded(m.colour, m.status)
            rad = (19 + 8 * i) * s
            rect = (centre[0] - rad, centre[1] - rad, 2 * rad, 2 * rad)
            if code == "USA":
                spans = (
                    [(90, 270)]
                    if m.status == "succeeded"
                    else [(k, k + 16) for k in range(90, 270, 30)]
                )
            else:
                spans = (
                    [(0, 360)]
                    if m.status == "succeeded"
                    else [(k, k + 16) for k in range(0, 360, 30)]
                )
            halo = (centre[0] - rad - 2, centre[1] - rad - 2, 2 * rad + 4, 2 * rad + 4)
            for a0, a1 in spans:
                arc = (math.radians(a0), math.radians(a1))
                pygame.draw.arc(surf, HALO, halo, *arc, width + 3)
                pygame.draw.arc(surf, colour, rect, *arc, width)
        for i, m in enumerate(marks):
            b = ring_badge_positions(centre, len(marks), (19 + 8 * i) * s, start)[i]
            faded = m.status != "succeeded"
            r.badge(surf, b, m.letter, _faded(m.colour, m.status), radius=10 * s, faded=faded)
            if faded:
                r.status_icon(surf, (b[0] + 12 * s, b[1] - 9 * s), m.status, 6 * s)
    for code, (x, y) in pos.items():
        rad = round(7 * s)
        pygame.draw.circle(surf, HALO, (x, y), rad + 3)
        pygame.draw.circle(surf, C.ACTOR_COLOURS[code], (x, y), rad)
        pygame.draw.circle(surf, C.TEXT, (x, y), rad, max(round(2 * s), 1))


def actor_label(
    r: Renderer, surf: pygame.Surface, code: str, at: Point, layout: Layout
) -> pygame.Rect:
    """Draw an actor's name and marker place on a dark plate beside its marker; return the
    plate's rectangle (the board redraws it above the turn's arrows)."""
    s = layout.scale
    name, sub = ACTOR_LABELS[code]
    dx, dy, anchor = LABEL_PLACES[code]
    x, y = at[0] + dx * s, at[1] + dy * s
    img = r.text(name, layout.small, C.TEXT, "bold")
    sub_img = r.text(
        sub, round(layout.small * 0.87), C.mix(C.ACTOR_COLOURS[code], C.TEXT, 0.4), "cond"
    )
    w = max(img.get_width(), sub_img.get_width()) + round(10 * s)
    h = img.get_height() + sub_img.get_height() + round(4 * s)
    box = pygame.Rect(0, 0, w, h)
    setattr(box, anchor, (round(x), round(y)))
    plate = pygame.Surface((w, h), pygame.SRCALPHA)
    plate.fill((*HALO, 170))
    surf.blit(plate, box)
    pygame.draw.rect(surf, C.ACTOR_COLOURS[code], (box.x, box.y, round(4 * s), h))
    surf.blit(img, (box.x + round(7 * s), box.y + round(2 * s)))
    surf.blit(sub_img, (box.x + round(7 * s), box.y + round(2 * s) + img.get_height()))
    return box


def usa_panel(r: Renderer, surf: pygame.Surface, frame: Frame, layout: Layout) -> None:
    """Draw the off-map United States: posture and attention elsewhere (value, change,
    bar) and its forces in the region."""
    box, s, small = layout.usa, layout.scale, layout.small
    colour = C.ACTOR_COLOURS["USA"]
    pygame.draw.rect(surf, HALO, box.inset(-2).tuple(), border_radius=round(6 * s))
    pygame.draw.rect(surf, C.PANEL, box.tuple(), border_radius=round(6 * s))
    pygame.draw.rect(surf, colour, box.tuple(), 2, border_radius=round(6 * s))
    x, y = box.x + round(14 * s), box.y + round(6 * s)
    r.blit_text(surf, "UNITED STATES", (x, y), small, C.TEXT, face="bold")
    y += round(19 * s)
    r.blit_text(surf, "Washington, off-map", (x, y), round(small * 0.87), C.MUTED, face="cond")
    y += round(22 * s)
    u = frame.usa
    for label, value, delta in (
        ("Force posture", u.posture, u.posture_delta),
        ("Attention elsewhere", u.attention, u.attention_delta),
    ):
        r.blit_text(surf, label, (x, y), round(small * 0.93), C.TEXT, face="cond")
        d = "" if round(delta) == 0 else (f" +{delta:.0f}" if delta > 0 else f" −{-delta:.0f}")
        r.blit_text(
            surf,
            f"{value:.0f}{d}",
            (box.right - 10 * s, y),
            round(small * 0.93),
            C.HIGHLIGHT if d else C.TEXT,
            face="cond_bold",
            anchor="topright",
        )
        y += round(18 * s)
        bar = Rect(x, y, box.right - x - round(10 * s), max(round(4 * s), 2))
        pygame.draw.rect(surf, C.PANEL_EDGE, bar.tuple())
        pygame.draw.rect(surf, colour, (bar.x, bar.y, round(bar.w * min(value, 100) / 100), bar.h))
        y += round(8 * s)
    # The same white square marks the US bases on the map.
    fy = box.bottom - round(13 * s)
    q = max(round(4 * s), 2)
    pygame.draw.rect(surf, colour, (x, fy - q, 2 * q, 2 * q))
    forces = "Forces: USFK · USFJ · 7th Fleet"
    r.blit_text(
        surf,
        forces,
        (x + 3 * q, fy),
        round(small * 0.8),
        C.MUTED,
        face="cond",
        anchor="midleft",
    )


SEA_LABELS = (
    (123.6, 35.0, "Yellow Sea"),
    (134.6, 40.6, "Sea of Japan"),
    (147.0, 33.8, "Pacific Ocean"),
)
ACTOR_LABELS = {
    "RUS": ("RUSSIA", "Vladivostok · Moscow off-map"),
    "PRK": ("NORTH KOREA", "Pyongyang"),
    "KOR": ("SOUTH KOREA", "Seoul"),
    "CHN": ("CHINA", "Beijing"),
    "JPN": ("JAPAN", "Tokyo"),
}
# Label offset from the marker (px at scale 1) and which corner of the label sits there:
# chosen so labels fall on land or open sea away from the Korean peninsula's arrow traffic.
LABEL_PLACES = {
    "RUS": (10, -10, "bottomleft"),
    "PRK": (-4, -14, "midbottom"),
    "KOR": (-14, 8, "topright"),
    "CHN": (-10, 12, "topright"),
    "JPN": (12, -8, "bottomleft"),
}


def _style(status: str) -> str:
    return {"succeeded": "solid", "failed": "dashed"}.get(status, "dotted")


def _width(goldstein: float, s: float) -> float:
    return (3.0 + 0.25 * min(abs(goldstein), 10)) * s


def _faded(colour: RGB, status: str) -> RGB:
    return {"succeeded": colour, "failed": C.mix(colour, C.PANEL, 0.35)}.get(
        status, C.mix(colour, C.PANEL, 0.55)
    )


def _grow(points: Sequence[Point], factor: float) -> list[Point]:
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    return [(cx + (x - cx) * factor, cy + (y - cy) * factor) for x, y in points]


def _polygon(surf: pygame.Surface, colour: RGB, points: Sequence[Point]) -> None:
    pygame.draw.polygon(surf, colour, points)
    pygame.draw.aalines(surf, colour, True, points)
