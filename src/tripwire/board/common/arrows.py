"""The geometry of action arrows, without pygame: lanes, curves, arrowheads, strokes, dashes
and where the domain badges go.

An arrow is a quadratic Bézier curve from the actor's marker to the target's, bent to the
right of its direction: so A->B and B->A bow to opposite sides, and further arrows between
the same pair in the same direction take lanes further out. Shapes are computed here as
plain point lists; :mod:`tripwire.board.replay.view_map` only fills them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


def curve_offsets(pairs: Iterable[tuple[str, str]], one_sided: Iterable[str] = ()) -> list[int]:
    """How many lanes out each arrow is drawn (1, 2, 3...) so that arrows never coincide.

    Every arrow bends to the right of its direction, so A->B and B->A bow to opposite sides;
    a second, third... arrow between the same actors in the same direction gets the next
    lane out. Arrows touching an actor in ``one_sided`` (the US, whose marker sits on the
    edge of its panel) all bow to the same side, away from the panel, so there the lanes are
    counted for both directions together.
    """
    special = set(one_sided)
    seen: dict[tuple[str, str], int] = {}
    out = []
    for pair in pairs:
        key = tuple(sorted(pair)) if special.intersection(pair) else pair
        seen[key] = seen.get(key, 0) + 1
        out.append(seen[key])
    return out


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
    p0: Sequence[float], p1: Sequence[float], lane: int, scale: float = 1.0, side: int = 1
) -> np.ndarray:
    """The control point of an arrow in ``lane`` (1, 2, ...), bent to the right of p0 -> p1
    (``side=-1``: to the left).

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
    return (a + b) / 2 + normal * bend * side


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
    side: int = 1,
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
        side: 1 to bow to the right of the direction of travel, -1 to the left.
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
    c = control_point(a, b, lane, scale, side)
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


def stroke_pieces(points: np.ndarray, style: str, width: float) -> list[list[tuple[float, float]]]:
    """The filled polygons that draw a polyline ``width`` px wide in a line style: "solid",
    "dashed" (failed actions) or "dotted" (cancelled ones)."""
    arr = np.asarray(points, dtype=float)
    if style == "dashed":
        parts = dashes(arr, 3.0 * width, 2.0 * width)
    elif style == "dotted":
        parts = dashes(arr, 0.85 * width, 2.0 * width)
    else:
        parts = [arr]
    return [poly for part in parts if len(poly := stroke_polygon(part, width)) >= 3]


def side_away_from(
    p0: Sequence[float], p1: Sequence[float], point: Sequence[float], lane: int = 1
) -> int:
    """The side (1 right, -1 left) that bows the arrow p0 -> p1 away from ``point``."""
    right = control_point(p0, p1, lane)
    left = control_point(p0, p1, lane, side=-1)
    return 1 if math.dist(right, point) >= math.dist(left, point) else -1


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
    centre: tuple[float, float], count: int, radius: float, start: float = -90.0
) -> list[tuple[float, float]]:
    """Where the badges of an actor's untargeted actions sit on the rings around its marker:
    spread 50 degrees apart around ``start`` (degrees, screen coordinates; -90 is up)."""
    cx, cy = centre
    out = []
    for i in range(count):
        ang = math.radians(start + 50 * i - 25 * (count - 1))
        out.append((cx + radius * math.cos(ang), cy + radius * math.sin(ang)))
    return out
