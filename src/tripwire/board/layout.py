"""Everything about the board that is geometry or colour, without pygame.

This module owns the screen layout (panel rectangles and font sizes for a window size), the
colour scales and theme, the geometry of action arrows (curves, offsets, arrowheads, dashes,
badge placement) and hit-testing of the timeline and buttons. The projection and viewport
live in :mod:`tripwire.board.geo` and the description of a turn in
:mod:`tripwire.board.frame`; both are re-exported here so that the pure side of the board is
one import. All of it is testable without a display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tripwire.board.colours import goldstein_colour
from tripwire.board.frame import Frame, curve_offsets, frame_model, split_turns
from tripwire.board.geo import LambertConformal, Viewport, actor_positions, load_map, project

__all__ = [
    "Frame",
    "LambertConformal",
    "Layout",
    "Rect",
    "Viewport",
    "actor_positions",
    "arrow_geometry",
    "button_at",
    "compute_layout",
    "curve_offsets",
    "frame_model",
    "goldstein_colour",
    "load_map",
    "project",
    "split_turns",
    "timeline_turn_at",
]

# --- rectangles and the layout ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned rectangle in pixels (x, y of the top-left corner, width, height)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        """The x just past the right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> int:
        """The y just past the bottom edge."""
        return self.y + self.h

    @property
    def centre(self) -> tuple[float, float]:
        """The centre point."""
        return (self.x + self.w / 2, self.y + self.h / 2)

    def tuple(self) -> tuple[int, int, int, int]:
        """As (x, y, w, h), the form pygame takes."""
        return (self.x, self.y, self.w, self.h)

    def contains(self, x: float, y: float) -> bool:
        """Whether a point is inside."""
        return self.x <= x < self.right and self.y <= y < self.bottom

    def overlaps(self, other: Rect) -> bool:
        """Whether the two rectangles share any area."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def inset(self, dx: int, dy: int | None = None) -> Rect:
        """The rectangle shrunk by ``dx`` (and ``dy``) on every side."""
        dy = dx if dy is None else dy
        return Rect(self.x + dx, self.y + dy, max(self.w - 2 * dx, 0), max(self.h - 2 * dy, 0))


@dataclass(frozen=True, slots=True)
class Button:
    """A clickable control: ``id`` is what the app does ("play", "back", ...)."""

    id: str
    rect: Rect
    tip: str


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything goes for one window size, and how big the text is."""

    size: tuple[int, int]
    scale: float
    pad: int
    body: int
    small: int
    title: int
    big: int
    top: Rect
    ladder: Rect
    map: Rect
    map_area: Rect
    legend: Rect
    usa: Rect
    indicators: Rect
    outcomes: Rect
    feed: Rect
    controls: Rect
    timeline: Rect
    track: Rect
    buttons: tuple[Button, ...]

    def panels(self) -> dict[str, Rect]:
        """The main panels, which never overlap one another."""
        return {
            "top": self.top,
            "ladder": self.ladder,
            "map": self.map,
            "indicators": self.indicators,
            "outcomes": self.outcomes,
            "feed": self.feed,
            "controls": self.controls,
            "timeline": self.timeline,
        }


BUTTONS = (
    ("first", "First turn (Home)"),
    ("back", "Step back (←)"),
    ("play", "Play / pause (Space)"),
    ("forward", "Step forward (→)"),
    ("last", "Last turn (End)"),
    ("slower", "Slower (−)"),
    ("faster", "Faster (+)"),
    ("help", "Help (H)"),
    ("fullscreen", "Full screen (F)"),
)
BASE_SIZE = (1280, 800)


def compute_layout(width: int, height: int) -> Layout:
    """The board's layout for a window of ``width`` x ``height`` pixels.

    Everything is sized for 1280x800 and scaled with the window; a wider window gives its
    spare width to the map, a taller one its spare height to the map as well.

    Args:
        width: window width in pixels.
        height: window height in pixels.

    Returns:
        The panel rectangles, buttons and font sizes.
    """
    width, height = max(int(width), 320), max(int(height), 240)
    s = max(min(width / BASE_SIZE[0], height / BASE_SIZE[1]), 0.4)

    def px(v: float) -> int:
        return round(v * s)

    pad = max(px(8), 3)
    top = Rect(0, 0, width, px(52))
    bar_h = px(62)
    controls_w = px(9 * 46 + 96)
    bar_y = height - bar_h
    controls = Rect(pad, bar_y + pad // 2, controls_w, bar_h - pad)
    timeline = Rect(
        controls.right + pad, bar_y + pad // 2, width - controls.right - 2 * pad, bar_h - pad
    )
    track = Rect(timeline.x + px(14), timeline.y + px(8), timeline.w - px(28), px(18))

    y0, y1 = top.bottom + pad, bar_y - pad
    mid_h = y1 - y0
    ladder = Rect(pad, y0, px(176), mid_h)
    feed_w = px(440)
    feed = Rect(width - pad - feed_w, y0, feed_w, mid_h)
    cx0, cx1 = ladder.right + pad, feed.x - pad
    lower_h = px(222)
    map_rect = Rect(cx0, y0, cx1 - cx0, mid_h - lower_h - pad)
    legend_h = px(58)
    legend = Rect(map_rect.x, map_rect.bottom - legend_h, map_rect.w, legend_h)
    map_area = Rect(map_rect.x, map_rect.y, map_rect.w, map_rect.h - legend_h)
    usa_w, usa_h = px(196), px(128)
    usa = Rect(map_area.right - usa_w - pad, map_area.bottom - usa_h - pad, usa_w, usa_h)
    ind_w = round((cx1 - cx0 - pad) * 0.55)
    indicators = Rect(cx0, map_rect.bottom + pad, ind_w, lower_h)
    outcomes = Rect(indicators.right + pad, indicators.y, cx1 - indicators.right - pad, lower_h)

    size = px(40)
    gap = px(6)
    buttons = []
    bx = controls.x
    by = controls.y + (controls.h - size) // 2
    for i, (bid, tip) in enumerate(BUTTONS):
        if bid == "faster":
            bx += px(90)  # room for the speed read-out between slower and faster
        buttons.append(Button(bid, Rect(bx, by, size, size), tip))
        bx += size + gap
        if i == 4:
            bx += gap
    return Layout(
        size=(width, height),
        scale=s,
        pad=pad,
        body=max(round(18 * s), 11),
        small=max(round(15 * s), 10),
        title=max(round(22 * s), 13),
        big=max(round(30 * s), 16),
        top=top,
        ladder=ladder,
        map=map_rect,
        map_area=map_area,
        legend=legend,
        usa=usa,
        indicators=indicators,
        outcomes=outcomes,
        feed=feed,
        controls=controls,
        timeline=timeline,
        track=track,
        buttons=tuple(buttons),
    )


# --- hit-testing -----------------------------------------------------------------------------


def timeline_x(layout: Layout, turn: int, last_turn: int) -> float:
    """The x of a turn's tick on the timeline (turns 0..last_turn span the track)."""
    t = layout.track
    return t.x + t.w * (turn / max(last_turn, 1))


def timeline_turn_at(layout: Layout, pos: tuple[float, float], last_turn: int) -> int | None:
    """The turn under a click on the timeline, or None if the click is elsewhere.

    The whole timeline panel is clickable (not just the thin track): the nearest tick wins.
    """
    x, y = pos
    if not layout.timeline.contains(x, y):
        return None
    t = layout.track
    frac = (x - t.x) / max(t.w, 1)
    return min(max(round(frac * max(last_turn, 1)), 0), last_turn)


def button_at(layout: Layout, pos: tuple[float, float]) -> str | None:
    """The id of the button under a point, or None."""
    for b in layout.buttons:
        if b.rect.contains(*pos):
            return b.id
    return None


# --- arrows ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArrowGeometry:
    """A drawn arrow: the shaft polyline, the arrowhead triangle and the badge centre."""

    shaft: np.ndarray
    head: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
    badge: tuple[float, float]
    control: tuple[float, float]


def bezier(p0: np.ndarray, c: np.ndarray, p1: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Points of the quadratic Bézier curve p0 -> p1 with control point c at parameters t."""
    t = np.asarray(t, dtype=float)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t**2 * p1


def control_point(
    p0: Sequence[float], p1: Sequence[float], lane: int, scale: float = 1.0
) -> np.ndarray:
    """The control point of an arrow in ``lane`` (1, 2, ...), bent to the right of p0 -> p1.

    Short arrows (Seoul-Pyongyang is a few dozen pixels) bow out proportionally more, so
    their lanes stay apart and their badges off the capitals.
    """
    a, b = np.asarray(p0, dtype=float), np.asarray(p1, dtype=float)
    d = b - a
    length = float(np.hypot(*d)) or 1.0
    # Screen y points down, so (-dy, dx) is the right-hand normal of the direction.
    normal = np.array([-d[1], d[0]]) / length
    unit = max(0.26 * length, 46 * scale)
    bend = unit * (1 + 0.85 * (lane - 1))
    return (a + b) / 2 + normal * bend


def _cut(points: np.ndarray, start: float, end: float) -> np.ndarray:
    """The part of a polyline from arc length ``start`` to ``end`` (interpolated ends)."""
    seg = np.hypot(*np.diff(points, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    start, end = max(start, 0.0), min(end, cum[-1])
    if end <= start:
        mid = np.array([np.interp((start + end) / 2, cum, points[:, i]) for i in (0, 1)])
        return np.stack([mid, mid])
    inner = points[(cum > start) & (cum < end)]
    first = np.array([np.interp(start, cum, points[:, i]) for i in (0, 1)])
    last = np.array([np.interp(end, cum, points[:, i]) for i in (0, 1)])
    return np.vstack([first, inner, last])


def arrow_geometry(
    p0: Sequence[float],
    p1: Sequence[float],
    lane: int = 1,
    *,
    scale: float = 1.0,
    start_gap: float = 10.0,
    end_gap: float = 12.0,
    head_length: float = 16.0,
    head_width: float = 13.0,
    badge_t: float = 0.5,
    samples: int = 32,
) -> ArrowGeometry:
    """The geometry of one action arrow from screen point p0 to p1.

    Args:
        p0: the actor's marker (screen px).
        p1: the target's marker (screen px).
        lane: 1 for the first arrow between the pair in this direction, 2 for the next...
        scale: the layout scale (bends and sizes grow with the window).
        start_gap: pixels left free around the actor's marker.
        end_gap: pixels between the arrowhead's tip and the target's marker centre.
        head_length: arrowhead length in pixels.
        head_width: arrowhead width in pixels.
        badge_t: where along the curve (0..1) the domain badge sits.
        samples: points sampled along the curve.

    Returns:
        The shaft (ending at the arrowhead's base), the arrowhead and the badge centre.
    """
    a, b = np.asarray(p0, dtype=float), np.asarray(p1, dtype=float)
    c = control_point(a, b, lane, scale)
    pts = bezier(a, c, b, np.linspace(0.0, 1.0, samples))
    total = float(np.hypot(*np.diff(pts, axis=0).T).sum())
    visible = _cut(pts, start_gap, total - end_gap)
    tip = visible[-1]
    # The head follows the curve's direction where it meets the target.
    back = _cut(pts, 0.0, max(total - end_gap - head_length, start_gap))[-1]
    direction = tip - back
    norm = float(np.hypot(*direction)) or 1.0
    u = direction / norm
    base = tip - u * head_length
    n = np.array([-u[1], u[0]]) * head_width / 2
    shaft = _cut(pts, start_gap, max(total - end_gap - head_length * 0.6, start_gap + 1))
    badge = bezier(a, c, b, np.array([badge_t]))[0]
    head = (
        (float(tip[0]), float(tip[1])),
        (float(base[0] + n[0]), float(base[1] + n[1])),
        (float(base[0] - n[0]), float(base[1] - n[1])),
    )
    return ArrowGeometry(
        shaft, head, (float(badge[0]), float(badge[1])), (float(c[0]), float(c[1]))
    )


def stroke_polygon(points: np.ndarray, width: float) -> list[tuple[float, float]]:
    """The outline of a polyline drawn ``width`` pixels wide (for a filled, smooth stroke)."""
    pts = np.asarray(points, dtype=float)
    if len(pts) < 2:
        return []
    d = np.gradient(pts, axis=0)
    norm = np.hypot(d[:, 0], d[:, 1])
    norm[norm == 0] = 1.0
    n = np.stack([-d[:, 1], d[:, 0]], axis=1) / norm[:, None] * (width / 2)
    left, right = pts + n, (pts - n)[::-1]
    return [(float(x), float(y)) for x, y in np.vstack([left, right])]


def dashes(points: np.ndarray, dash: float, gap: float) -> list[np.ndarray]:
    """A polyline cut into dashes ``dash`` long separated by ``gap`` (both in pixels)."""
    pts = np.asarray(points, dtype=float)
    total = float(np.hypot(*np.diff(pts, axis=0).T).sum()) if len(pts) > 1 else 0.0
    out, pos = [], 0.0
    while pos < total:
        out.append(_cut(pts, pos, min(pos + dash, total)))
        pos += dash + gap
    return out


def place_badges(
    candidates: Sequence[Sequence[tuple[float, float]]], radius: float
) -> list[tuple[float, float]]:
    """Pick one position per badge from its candidates so that badges overlap as little as
    possible (first candidate preferred; greedy, in order)."""
    placed: list[tuple[float, float]] = []
    for options in candidates:
        best, best_clear = options[0], -1.0
        for opt in options:
            clear = min((math.dist(opt, p) for p in placed), default=1e9)
            if clear >= 2.2 * radius:
                best = opt
                break
            if clear > best_clear:
                best, best_clear = opt, clear
        placed.append(best)
    return placed


def ring_badge_positions(
    centre: tuple[float, float], count: int, radius: float
) -> list[tuple[float, float]]:
    """Where the badges of an actor's untargeted actions sit on the ring around its marker
    (from the top, clockwise)."""
    cx, cy = centre
    out = []
    for i in range(count):
        ang = math.radians(-90 + 50 * i - 25 * (count - 1))
        out.append((cx + radius * math.cos(ang), cy + radius * math.sin(ang)))
    return out


# --- the app's state, as the view needs it ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class UiState:
    """What the controls show: play state, speed, help, the timeline's known turns.

    Attributes:
        playing: whether playback is running.
        seconds_per_turn: the playback speed.
        help: whether the help overlay is open.
        status: a short status word for the top bar ("PLAYING", "PAUSED", "LIVE", "FINAL").
        known_turns: the last turn available (the timeline beyond it is greyed out).
        marks: (turn, kind) pairs marked on the timeline (outcome, trigger, inject).
        message: an extra line for the top bar (e.g. "waiting for turn 8…"), or "".
    """

    playing: bool = False
    seconds_per_turn: float = 2.0
    help: bool = False
    status: str = ""
    known_turns: int = 0
    marks: tuple[tuple[int, str], ...] = ()
    message: str = ""
