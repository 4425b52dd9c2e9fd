"""Everything about the board that is geometry or colour, without pygame.

This module owns the screen layout (panel rectangles and font sizes for a window size), the
colour scales and theme, the geometry of action arrows (curves, offsets, arrowheads, dashes,
badge placement) and hit-testing of the timeline and buttons. The projection and viewport
live in :mod:`tripwire.board.common.geo` and the description of a turn in
:mod:`tripwire.board.common.frame`; both are re-exported here so that the pure side of the board is
one import. All of it is testable without a display.
"""

from __future__ import annotations

from dataclasses import dataclass

from tripwire.board.common.arrows import (
    ArrowGeometry,
    arrow_geometry,
    bezier,
    control_point,
    curve_offsets,
    dashes,
    place_badges,
    ring_badge_positions,
    side_away_from,
    stroke_pieces,
    stroke_polygon,
)
from tripwire.board.common.colours import goldstein_colour
from tripwire.board.common.frame import Frame, frame_model
from tripwire.board.common.geo import (
    LambertConformal,
    Viewport,
    actor_positions,
    load_map,
    project,
    theatre_bounds,
)

__all__ = [
    "ArrowGeometry",
    "Frame",
    "LambertConformal",
    "Layout",
    "Rect",
    "Viewport",
    "actor_positions",
    "actor_screen_positions",
    "arrow_geometry",
    "bezier",
    "button_at",
    "compute_layout",
    "control_point",
    "curve_offsets",
    "dashes",
    "frame_model",
    "goldstein_colour",
    "load_map",
    "map_viewport",
    "place_badges",
    "project",
    "ring_badge_positions",
    "side_away_from",
    "stroke_pieces",
    "stroke_polygon",
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


def type_sizes(scale: float) -> dict[str, int]:
    """The board's type sizes in pixels at a layout scale (never below legible minimums)."""
    return {
        "body": max(round(18 * scale), 11),
        "small": max(round(15 * scale), 10),
        "title": max(round(22 * scale), 13),
        "big": max(round(30 * scale), 16),
    }


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
    ladder = Rect(pad, y0, px(170), mid_h)
    feed_w = px(420)
    feed = Rect(width - pad - feed_w, y0, feed_w, mid_h)
    cx0, cx1 = ladder.right + pad, feed.x - pad
    lower_h = px(200)
    map_rect = Rect(cx0, y0, cx1 - cx0, mid_h - lower_h - pad)
    map_area = map_rect
    # The legend sits over the map's north-west corner (Mongolia and Siberia: nothing there
    # is part of the game); the US panel over the open Pacific in the south-east corner.
    legend = Rect(map_area.x + pad, map_area.y + pad, px(320), px(126))
    usa_w, usa_h = px(222), px(118)
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
        **type_sizes(s),
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


def map_viewport(layout: Layout) -> Viewport:
    """The map's viewport: the theatre fitted into the map area of this layout."""
    return Viewport.fit(theatre_bounds(), layout.map_area.tuple())


def actor_screen_positions(layout: Layout) -> dict[str, tuple[float, float]]:
    """Screen positions of the actors' markers; the United States' is on its panel's edge."""
    vp = map_viewport(layout)
    out = {c: tuple(map(float, vp.to_screen(p))) for c, p in actor_positions().items()}
    u = layout.usa
    out["USA"] = (float(u.x), u.y + u.h * 0.3)
    return out


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
        feed_offset: how many of the turn's events the feed has scrolled past.
    """

    playing: bool = False
    seconds_per_turn: float = 2.0
    help: bool = False
    status: str = ""
    known_turns: int = 0
    marks: tuple[tuple[int, str], ...] = ()
    message: str = ""
    feed_offset: int = 0  # events of the feed scrolled past (wheel, PgUp / PgDn)


@dataclass(frozen=True, slots=True)
class LadderGeometry:
    """Where the escalation ladder's parts go inside its panel.

    Attributes:
        caption: the box naming the current rung and group.
        strip: the column of 44 cells (rung 1 at the bottom).
        labels_x: where the group names start (right of the strip).
        rungs: how many rungs the strip holds.
    """

    caption: Rect
    strip: Rect
    labels_x: int
    rungs: int

    def cell(self, rung: int) -> Rect:
        """The cell of one rung (1 = bottom)."""
        top = self.strip.y + self.strip.h * (self.rungs - rung) / self.rungs
        bottom = self.strip.y + self.strip.h * (self.rungs - rung + 1) / self.rungs
        return Rect(self.strip.x, round(top), self.strip.w, max(round(bottom) - round(top), 1))

    def row(self, rung: int, panel: Rect) -> Rect:
        """The whole row of one rung, across the strip and the group labels."""
        c = self.cell(rung)
        return Rect(c.x, c.y, panel.right - c.x - 4, c.h)


def ladder_geometry(layout: Layout, rungs: int = 44) -> LadderGeometry:
    """The ladder's caption box and strip for a layout."""
    s, p = layout.scale, layout.ladder
    title_h = round(34 * s)
    caption = Rect(p.x + round(6 * s), p.y + title_h, p.w - round(12 * s), round(128 * s))
    strip_top = caption.bottom + round(12 * s)
    strip_h = p.bottom - strip_top - round(10 * s)
    # Whole pixels per rung, so every row is the same height on screen.
    cell_h = max(strip_h // rungs, 1)
    strip = Rect(
        p.x + round(22 * s), strip_top + (strip_h - cell_h * rungs), round(28 * s), cell_h * rungs
    )
    return LadderGeometry(caption, strip, strip.right + round(8 * s), rungs)
