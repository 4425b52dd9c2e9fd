"""Drawing the board with pygame, as a function of a frame, a layout and the UI state.

:class:`Renderer` owns everything that is expensive to make and is therefore made once and
cached: fonts (looked up and loaded once per process), rendered text, and the static layer
of each window size (background, panel frames, the projected map, the legend, the ladder's
cells). A redraw blits the static layer and draws the turn's arrows, gauges, feed and
controls on top. Nothing here reads the game: only :class:`~tripwire.board.common.frame.Frame`.
"""

from __future__ import annotations

import functools
import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np
import pygame

from tripwire.board.common import colours as C
from tripwire.board.common.colours import HALO, RGB
from tripwire.board.common.frame import Frame
from tripwire.board.common.geo import Viewport
from tripwire.board.common.layout import (
    Layout,
    Rect,
    UiState,
    actor_screen_positions,
    ladder_geometry,
    map_viewport,
    stroke_pieces,
)
from tripwire.board.replay import view_map
from tripwire.board.replay.view_panels import KIND_COLOURS, draw_panels, star
from tripwire.gamelog import MARKED
from tripwire.sim.events import KIND_NAMES

Point = tuple[float, float]

_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/usr/share/fonts/truetype/noto",
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
    "C:/Windows/Fonts",
)
_FONT_NAMES = {
    "regular": ("DejaVuSans.ttf", "NotoSans-Regular.ttf", "segoeui.ttf", "Arial.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf", "segoeuib.ttf", "Arial Bold.ttf"),
    "cond": ("DejaVuSansCondensed.ttf", "NotoSans-Condensed.ttf", "segoeui.ttf", "Arial.ttf"),
    "cond_bold": (
        "DejaVuSansCondensed-Bold.ttf",
        "NotoSans-CondensedBold.ttf",
        "segoeuib.ttf",
        "Arial Bold.ttf",
    ),
}
# Typographic characters with plain fallbacks, for fonts that lack them.
_FALLBACKS = {"→": "->", "−": "-", "–": "-", "—": "-", "±": "+/-", "…": "...", "×": "x"}


@functools.cache
def font_file(face: str) -> str | None:
    """The font file used for a face (regular, bold, cond, cond_bold); None: pygame's own.

    Looked up once per process: known folders first (fast), then fontconfig via pygame.
    """
    for folder in _FONT_DIRS:
        for name in _FONT_NAMES[face]:
            path = Path(folder) / name
            if path.is_file():
                return str(path)
    bold = "bold" in face
    return pygame.font.match_font("dejavusans,notosans,segoeui,arial,helvetica", bold=bold)


class Renderer:
    """Draws frames; keeps fonts, text and the static layer cached between frames."""

    def __init__(self) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self._fonts: dict[tuple[str, int], pygame.font.Font] = {}
        self._plain: dict[str, bool] = {}
        self._text: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._static_key: tuple | None = None
        self._static: pygame.Surface | None = None
        self.viewport: Viewport | None = None
        # Per-frame layouts that are costly to compute (arrow polygons, the wrapped feed),
        # keyed by the frame's identity and the window size; cleared on resize.
        self.cache: OrderedDict[tuple, tuple] = OrderedDict()
        self._positions: dict[tuple[int, int], dict[str, tuple[float, float]]] = {}
        self._label_rects: list[pygame.Rect] = []

    # --- fonts and text --------------------------------------------------------------------

    def font(self, face: str, size: int) -> pygame.font.Font:
        """A font, loaded once per (face, size)."""
        key = (face, size)
        f = self._fonts.get(key)
        if f is None:
            f = pygame.font.Font(font_file(face), size)
            self._fonts[key] = f
        return f

    def _clean(self, face: str, text: str) -> str:
        plain = self._plain.get(face)
        if plain is None:
            f = self.font(face, 16)
            missing = f.metrics("\uffff")
            plain = self._plain[face] = f.metrics("→") == missing
        if plain:
            for k, v in _FALLBACKS.items():
                text = text.replace(k, v)
        return text

    def text(
        self, text: str, size: int, colour: RGB = C.TEXT, face: str = "regular"
    ) -> pygame.Surface:
        """Rendered text (cached; the cache forgets the least recently used)."""
        key = (text, size, colour, face)
        surf = self._text.get(key)
        if surf is None:
            surf = self.font(face, size).render(self._clean(face, text), True, colour)
            self._text[key] = surf
            if len(self._text) > 3000:
                self._text.popitem(last=False)
        else:
            self._text.move_to_end(key)
        return surf

    def width(self, text: str, size: int, face: str = "regular") -> int:
        """The width of a text in pixels."""
        return self.font(face, size).size(self._clean(face, text))[0]

    def blit_text(
        self,
        surf: pygame.Surface,
        text: str,
        pos: Point,
        size: int,
        colour: RGB = C.TEXT,
        *,
        face: str = "regular",
        anchor: str = "topleft",
    ) -> pygame.Rect:
        """Draw text with its ``anchor`` (a pygame.Rect attribute name) at ``pos``."""
        img = self.text(text, size, colour, face)
        r = img.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
        surf.blit(img, r)
        return r

    def wrap(self, text: str, size: int, width: int, face: str = "regular") -> list[str]:
        """Greedy word wrap to a pixel width; a dash inside a word ("harassment—retortions")
        may end a line too."""
        tokens: list[tuple[str, bool]] = []  # (text, space before it)
        for word in text.split():
            parts = word.split("—")
            for i, part in enumerate(parts):
                piece = part + ("—" if i < len(parts) - 1 else "")
                if piece:
                    tokens.append((piece, i == 0))
        lines, line = [], ""
        for piece, spaced in tokens:
            trial = (f"{line} {piece}" if spaced else line + piece) if line else piece
            if not line or self.width(trial, size, face) <= width:
                line = trial
            else:
                lines.append(line)
                line = piece
        if line:
            lines.append(line)
        return lines or [""]

    # --- the frame -------------------------------------------------------------------------

    def draw(self, surf: pygame.Surface, frame: Frame, layout: Layout, ui: UiState) -> None:
        """Draw one complete frame of the board onto ``surf``."""
        self._ensure_static(layout, frame)
        surf.blit(self._static, (0, 0))
        pos = self._positions.get(layout.size)
        if pos is None:
            pos = self._positions[layout.size] = actor_screen_positions(layout)
        surf.set_clip(layout.map_area.tuple())
        view_map.usa_panel(self, surf, frame, layout)
        view_map.arrows(self, surf, frame, layout, pos)
        view_map.markers(self, surf, frame, layout, pos)
        # Names stay readable: their plates (from the static layer) go above the arrows.
        for rect in self._label_rects:
            surf.blit(self._static, rect, rect)
        surf.set_clip(None)
        draw_panels(self, surf, frame, layout, ui)
        if ui.help:
            help_overlay(self, surf, layout)

    def _ensure_static(self, layout: Layout, frame: Frame) -> None:
        key = (layout.size, frame.title, frame.planned_turns)
        if key == self._static_key and self._static is not None:
            return
        self.viewport = map_viewport(layout)
        surf = pygame.Surface(layout.size)
        surf.fill(C.BACKGROUND)
        for name, r in layout.panels().items():
            if name in ("top", "controls", "timeline"):
                continue
            pygame.draw.rect(surf, C.PANEL, r.tuple(), border_radius=round(6 * layout.scale))
        view_map.map_base(self, surf, layout)
        surf.set_clip(layout.map_area.tuple())
        self._label_rects = [
            view_map.actor_label(self, surf, code, at, layout).clip(layout.map_area.tuple())
            for code, at in actor_screen_positions(layout).items()
            if code in view_map.ACTOR_LABELS
        ]
        view_map.legend(self, surf, layout)
        surf.set_clip(None)
        self._ladder_static(surf, layout, frame)
        if pygame.display.get_surface() is not None:
            surf = surf.convert()  # the screen's pixel format: the fastest blit
        self._static, self._static_key = surf, key
        self.cache.clear()

    def _ladder_static(self, surf: pygame.Surface, layout: Layout, frame: Frame) -> None:
        geo, s = ladder_geometry(layout, len(frame.ladder.rungs) or 44), layout.scale
        panel = layout.ladder
        self.blit_text(
            surf,
            "ESCALATION",
            (panel.x + 10 * s, panel.y + 8 * s),
            layout.small,
            C.MUTED,
            face="bold",
        )
        colours = {}
        for i, (group, first, last) in enumerate(frame.ladder.groups):
            colour = C.LADDER_GROUP_COLOURS[i % len(C.LADDER_GROUP_COLOURS)]
            colours[group] = colour
            top, bottom = geo.cell(last).y, geo.cell(first).bottom
            lines = self.wrap(
                group, layout.small, panel.right - geo.labels_x - round(6 * s), "cond"
            )
            line_h = self.font("cond", layout.small).get_linesize()
            y = (top + bottom) / 2 - line_h * len(lines) / 2
            for line in lines:
                self.blit_text(
                    surf,
                    line,
                    (geo.labels_x, y),
                    layout.small,
                    C.mix(colour, C.TEXT, 0.55),
                    face="cond",
                )
                y += line_h
            pygame.draw.line(
                surf, C.PANEL_EDGE, (geo.strip.x - 6 * s, top), (panel.right - 6 * s, top)
            )
        for rung, _name, group in frame.ladder.rungs:
            cell = geo.cell(rung)
            pygame.draw.rect(surf, C.mix(C.PANEL, colours.get(group, C.MUTED), 0.75), cell.tuple())
            pygame.draw.line(surf, C.PANEL, (cell.x, cell.y), (cell.right - 1, cell.y))
        for rung in (1, 10, 20, 30, 40, 44):
            cell = geo.cell(rung)
            self.blit_text(
                surf,
                str(rung),
                (cell.x - 4 * s, cell.centre[1]),
                round(12 * s),
                C.MUTED,
                face="cond",
                anchor="midright",
            )

    # --- primitives ------------------------------------------------------------------------

    def stroke(
        self,
        surf: pygame.Surface,
        pts: Sequence[Point] | np.ndarray,
        colour: RGB,
        *,
        style: str,
        width: float,
        halo: bool = False,
    ) -> None:
        """A polyline drawn as a smooth filled band; dashed when failed, dotted when cancelled."""
        for poly in stroke_pieces(pts, style, width + (4 if halo else 0)):
            pygame.draw.polygon(surf, HALO if halo else colour, poly)
            if not halo:
                pygame.draw.aalines(surf, colour, True, poly)

    def badge(
        self,
        surf: pygame.Surface,
        centre: Point,
        letter: str,
        colour: RGB,
        *,
        radius: float,
        faded: bool = False,
    ) -> None:
        """A domain badge: a dark disc ringed in the arrow's colour with a bold letter."""
        cx, cy = round(centre[0]), round(centre[1])
        r = max(round(radius), 4)
        pygame.draw.circle(surf, HALO, (cx, cy), r + 2)
        pygame.draw.circle(surf, C.PANEL, (cx, cy), r)
        pygame.draw.circle(surf, colour, (cx, cy), r, max(round(r / 5), 2))
        ink = C.MUTED if faded else C.TEXT
        self.blit_text(
            surf, letter, (cx, cy + 1), round(r * 1.25), ink, face="bold", anchor="center"
        )

    def status_icon(self, surf: pygame.Surface, centre: Point, status: str, radius: float) -> None:
        """✗ (failed: orange disc with a dark cross) or ⊘ (cancelled: grey circle, slash)."""
        cx, cy, r = centre[0], centre[1], max(radius, 4)
        w = max(round(r / 3), 2)
        if status == "failed":
            pygame.draw.circle(surf, HALO, (cx, cy), r + 2)
            pygame.draw.circle(surf, C.FAILED, (cx, cy), r)
            d = r * 0.5
            pygame.draw.line(surf, HALO, (cx - d, cy - d), (cx + d, cy + d), w)
            pygame.draw.line(surf, HALO, (cx - d, cy + d), (cx + d, cy - d), w)
        elif status == "cancelled":
            pygame.draw.circle(surf, HALO, (cx, cy), r + 2)
            pygame.draw.circle(surf, C.MUTED, (cx, cy), r, w)
            d = r * 0.7
            pygame.draw.line(surf, C.MUTED, (cx - d, cy + d), (cx + d, cy - d), w)

    def ring_icon(self, surf: pygame.Surface, centre: Point, s: float) -> None:
        """The legend's symbol for an untargeted action: a dot in a ring."""
        pygame.draw.circle(surf, C.NEUTRAL, centre, round(9 * s), max(round(2 * s), 1))
        pygame.draw.circle(surf, C.TEXT, centre, round(3 * s))


HELP_LINES = (
    ("Space", "play / pause"),
    ("← / →", "step back / forward one turn"),
    ("Home / End", "first / last turn"),
    ("+ / −", "faster / slower playback"),
    ("Click the timeline", "jump to that turn (or drag along it)"),
    ("H or ?", "show / hide this help"),
    ("F or F11", "full screen on / off"),
    ("Esc or Q", "quit (Esc first closes this help)"),
)


def help_overlay(r: Renderer, surf: pygame.Surface, layout: Layout) -> None:
    """Draw the keyboard and mouse help over a dimmed board."""
    w, h = layout.size
    s = layout.scale
    shade = pygame.Surface((w, h), pygame.SRCALPHA)
    shade.fill((*C.BACKGROUND, 200))
    surf.blit(shade, (0, 0))
    box = Rect(round(w / 2 - 340 * s), round(h / 2 - 222 * s), round(680 * s), round(444 * s))
    pygame.draw.rect(surf, C.PANEL, box.tuple(), border_radius=round(10 * s))
    pygame.draw.rect(surf, C.HIGHLIGHT, box.tuple(), 2, border_radius=round(10 * s))
    x, y = box.x + round(30 * s), box.y + round(22 * s)
    r.blit_text(surf, "Keyboard and mouse", (x, y), layout.title, C.TEXT, face="bold")
    y += round(46 * s)
    for key, what in HELP_LINES:
        r.blit_text(surf, key, (x, y), layout.body, C.HIGHLIGHT, face="bold")
        r.blit_text(surf, what, (x + 230 * s, y), layout.body, C.TEXT)
        y += round(36 * s)
    # What the marks above the timeline mean.
    x = r.blit_text(surf, "Timeline marks:", (x, y), layout.body, C.HIGHLIGHT, face="bold").right
    cy = y + layout.body * 0.65
    for kind in MARKED:
        word = KIND_NAMES[kind].lower()
        x += round(18 * s)
        if kind == "outcome":
            pygame.draw.polygon(surf, C.OUTCOME, star(x, cy, 8 * s))
        else:
            pygame.draw.circle(surf, KIND_COLOURS[kind], (x, cy), round(5 * s))
        x = r.blit_text(surf, word, (x + 12 * s, y), layout.body, C.TEXT).right
    r.blit_text(
        surf,
        "Press H, ? or Esc to close",
        (box.centre[0], box.bottom - 16 * s),
        layout.small,
        C.MUTED,
        face="regular",
        anchor="midbottom",
    )
