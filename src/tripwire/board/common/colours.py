"""The board's colours: the theme, the actors' colours and the Goldstein arrow scale.

Pure (no pygame). Colours are (r, g, b) tuples. The actor colours are from the Okabe-Ito
palette, which stays distinguishable with the common colour-vision deficiencies; the arrow
scale is diverging red (conflict) - grey - blue (cooperation), also safe for them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

RGB = tuple[int, int, int]

# --- theme -----------------------------------------------------------------------------------
# A dark theme: a projector cannot show true black, but bright strokes on a dark ground keep
# their contrast in a lit room better than dark strokes on a washed-out white.
BACKGROUND: RGB = (14, 19, 26)
PANEL: RGB = (24, 31, 41)
PANEL_EDGE: RGB = (52, 63, 78)
TEXT: RGB = (236, 240, 244)
MUTED: RGB = (160, 171, 184)
SEA: RGB = (22, 38, 56)
LAND: RGB = (52, 58, 66)
BORDER: RGB = (110, 120, 132)
HIGHLIGHT: RGB = (255, 214, 64)
INJECT: RGB = (86, 180, 233)
TRIGGER: RGB = (240, 194, 70)
OUTCOME: RGB = (236, 120, 200)
FAILED: RGB = (255, 150, 60)
HALO: RGB = (8, 11, 16)  # the dark outline that keeps strokes and text apart

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies). Red and
# blue are kept for the arrows' conflict/cooperation scale, so no country is filled with them.
ACTOR_COLOURS: dict[str, RGB] = {
    "RUS": (204, 121, 167),  # reddish purple
    "PRK": (230, 159, 0),  # orange
    "CHN": (240, 228, 66),  # yellow
    "USA": (222, 224, 236),  # off-map: a pale neutral, never confused with a map fill
    "KOR": (86, 180, 233),  # sky blue
    "JPN": (0, 158, 115),  # bluish green
}
ACTOR_FILL_STRENGTH = 0.55

DOMAIN_LETTERS = {
    "military": "M",
    "diplomatic": "D",
    "economic": "E",
    "intelligence": "I",
    "propaganda": "P",
    None: "H",  # a hold: the actor chose to do nothing
}

CONFLICT: RGB = (235, 64, 52)
NEUTRAL: RGB = (160, 164, 170)
COOPERATION: RGB = (60, 150, 245)


def mix(a: Sequence[int], b: Sequence[int], t: float) -> RGB:
    """The colour ``t`` of the way from ``a`` to ``b`` (0: a, 1: b)."""
    t = min(max(t, 0.0), 1.0)
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def goldstein_colour(goldstein: float | None) -> RGB:
    """The diverging colour of a Goldstein value: red -10 (conflict), grey 0, blue +10.

    The scale is steeper near zero (square root) so that a mild -2 already reads as reddish.
    """
    g = 0.0 if goldstein is None else max(-10.0, min(10.0, float(goldstein)))
    t = math.sqrt(abs(g) / 10.0)
    return mix(NEUTRAL, CONFLICT if g < 0 else COOPERATION, t)


def actor_fill(code: str) -> RGB:
    """The muted map fill of an actor's country (non-actors are :data:`LAND`)."""
    return mix(LAND, ACTOR_COLOURS.get(code, LAND), ACTOR_FILL_STRENGTH)


# Kahn's seven groups of rungs, from calm to catastrophic: a sequential heat scale.
LADDER_GROUP_COLOURS: tuple[RGB, ...] = (
    (64, 124, 112),
    (138, 140, 58),
    (196, 128, 36),
    (204, 76, 44),
    (166, 44, 62),
    (122, 36, 92),
    (84, 34, 96),
)
