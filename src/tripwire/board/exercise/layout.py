"""Where the exercise screens' parts go, without pygame: the exercise bar, the action menu's
cards, the review's rows, the white-cell console, the text prompt and the fork result.

Everything is sized for 1280x800 and scaled with the window, like the board's own
:func:`~tripwire.board.common.layout.compute_layout`. The app hit-tests clicks and the view draws
with the same rectangles, so a test can click "the second card" without drawing anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tripwire.board.common.layout import Rect, type_sizes

__all__ = [
    "CONSOLE_COMMANDS",
    "ConsoleGeometry",
    "ExerciseLayout",
    "ForkGeometry",
    "MenuGeometry",
    "PromptGeometry",
    "ReviewGeometry",
    "console_geometry",
    "exercise_layout",
    "fork_geometry",
    "menu_geometry",
    "prompt_geometry",
    "review_geometry",
]

BASE = (1280, 800)

# The console's commands: id, key, label, when it can be used.
CONSOLE_COMMANDS = (
    ("library", "I", "Inject an event from the scenario's library", "between turns"),
    ("adhoc", "A", "Ad-hoc inject: your text and effects", "between turns"),
    ("set", "E", "Edit a value: set a state variable", "between turns"),
    ("note", "N", "Note: annotate this turn", "any time"),
    ("undo", "U", "Undo the last turn", "any time"),
    ("fork", "M", "Monte Carlo fork: where is this heading?", "between turns"),
)


@dataclass(frozen=True, slots=True)
class ExerciseLayout:
    """The exercise screen for one window size.

    Attributes:
        size: the window size.
        scale: 1.0 at 1280x800.
        pad: the standard gap.
        body, small, title, big: font sizes.
        board: where the board is drawn (it lays itself out inside).
        bar: the exercise bar along the bottom (phase, main control, status line).
        sheet: the area modal screens cover (handover, menu, review, fork result).
        chip, primary, console_button, help_button, status: the bar's parts.
        console: the white-cell console panel (over the board's right side).
    """

    size: tuple[int, int]
    scale: float
    pad: int
    body: int
    small: int
    title: int
    big: int
    board: Rect
    bar: Rect
    sheet: Rect
    chip: Rect
    primary: Rect
    console_button: Rect
    help_button: Rect
    status: Rect
    console: Rect

    def px(self, v: float) -> int:
        """``v`` pixels at 1280x800, scaled to this window."""
        return round(v * self.scale)


def exercise_layout(width: int, height: int) -> ExerciseLayout:
    """The exercise screen's layout for a ``width`` x ``height`` window."""
    width, height = max(int(width), 480), max(int(height), 360)
    s = max(min(width / BASE[0], height / BASE[1]), 0.4)

    def px(v: float) -> int:
        return round(v * s)

    pad = max(px(8), 3)
    bar_h = px(50)
    bar = Rect(0, height - bar_h, width, bar_h)
    board = Rect(0, 0, width, height - bar_h)
    by, bh = bar.y + px(6), bar_h - px(12)
    chip = Rect(pad, by, px(190), bh)
    primary = Rect(chip.right + pad, by, px(250), bh)
    console_button = Rect(primary.right + pad, by, px(200), bh)
    help_button = Rect(console_button.right + pad, by, px(120), bh)
    status = Rect(help_button.right + 2 * pad, by, max(width - help_button.right - 3 * pad, 0), bh)
    cw = min(px(520), width - 2 * pad)
    console = Rect(width - cw - pad, pad, cw, board.h - 2 * pad)
    return ExerciseLayout(
        size=(width, height),
        scale=s,
        pad=pad,
        **type_sizes(s),
        board=board,
        bar=bar,
        sheet=board,
        chip=chip,
        primary=primary,
        console_button=console_button,
        help_button=help_button,
        status=status,
        console=console,
    )


# --- the action menu ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MenuGeometry:
    """A seat's action menu: a header with its buttons, and a page of move cards.

    Attributes:
        header: the seat's name and instructions.
        confirm, hold, board: the header's buttons (board: look at the board).
        grid: the area of the cards.
        cards: (position in the seat's legal moves, card rectangle) on the shown page,
            numbered down the columns.
        page, pages: the page shown (from 0) and how many there are.
        previous, following: the pager's buttons (None with a single page).
        rows: cards per column.
        per_page: cards per page.
    """

    header: Rect
    confirm: Rect
    hold: Rect
    board: Rect
    grid: Rect
    cards: tuple[tuple[int, Rect], ...]
    page: int
    pages: int
    previous: Rect | None
    following: Rect | None
    rows: int
    per_page: int


def menu_geometry(lay: ExerciseLayout, n: int, page: int = 0) -> MenuGeometry:
    """Cards for ``n`` moves: as many columns of fixed-height cards as fit, paged."""
    px, pad, sheet = lay.px, lay.pad, lay.sheet
    header = Rect(sheet.x + 2 * pad, sheet.y + pad, sheet.w - 4 * pad, px(98))
    bw, bh = px(210), px(46)
    confirm = Rect(header.right - bw, header.y + px(10), bw, bh)
    hold = Rect(confirm.x - pad - px(150), confirm.y, px(150), bh)
    board = Rect(hold.x - pad - px(150), confirm.y, px(150), bh)
    pager_h = px(34)
    grid = Rect(header.x, header.bottom + pad, header.w, sheet.bottom - header.bottom - 2 * pad)
    gap, card_h = px(8), px(112)
    cols = max(1, (grid.w + gap) // (px(380) + gap))
    rows = max(1, (grid.h + gap) // (card_h + gap))
    per_page = cols * rows
    pages = max(1, math.ceil(n / per_page))
    if pages > 1:  # room for the pager under the cards
        rows = max(1, (grid.h - pager_h + gap) // (card_h + gap))
        per_page = cols * rows
        pages = max(1, math.ceil(n / per_page))
    page = min(max(page, 0), pages - 1)
    card_w = (grid.w - (cols - 1) * gap) // cols
    cards = []
    for k in range(page * per_page, min(n, (page + 1) * per_page)):
        j = k - page * per_page
        col, row = divmod(j, rows)
        cards.append(
            (k, Rect(grid.x + col * (card_w + gap), grid.y + row * (card_h + gap), card_w, card_h))
        )
    previous = following = None
    if pages > 1:
        y = grid.bottom - pager_h + px(4)
        following = Rect(grid.right - px(120), y, px(120), pager_h - px(4))
        previous = Rect(following.x - pad - px(120), y, px(120), pager_h - px(4))
    return MenuGeometry(
        header,
        confirm,
        hold,
        board,
        grid,
        tuple(cards),
        page,
        pages,
        previous,
        following,
        rows,
        per_page,
    )


# --- the review --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewGeometry:
    """The white cell's review: a header with its buttons, and every actor's block of rows.

    Attributes:
        header: title and instructions.
        buttons: (id, rectangle) for veto, force_success, force_failure, resolve and peek
            (look at the board).
        titles: (actor position, rectangle of the actor's name line).
        rows: one rectangle per review row, in the order given.
    """

    header: Rect
    buttons: tuple[tuple[str, Rect], ...]
    titles: tuple[tuple[int, Rect], ...]
    rows: tuple[Rect, ...]


REVIEW_BUTTONS = (
    ("veto", "Veto (V)", 150),
    ("force_success", "Force success (S)", 220),
    ("force_failure", "Force failure (X)", 210),
    ("clear", "Dice (D)", 130),
    ("resolve", "Resolve turn (R)", 230),
    ("peek", "Board (B)", 150),
)


def review_geometry(lay: ExerciseLayout, blocks: list[int]) -> ReviewGeometry:
    """Rows for actors with ``blocks[i]`` rows each, in two columns (the first half of the
    actors on the left)."""
    px, pad, sheet = lay.px, lay.pad, lay.sheet
    header = Rect(sheet.x + 2 * pad, sheet.y + pad, sheet.w - 4 * pad, px(146))
    buttons = []
    x = header.x
    for bid, _label, w in REVIEW_BUTTONS:
        rect = Rect(x, header.bottom - px(50), px(w), px(44))
        buttons.append((bid, rect))
        x = rect.right + pad
    area = Rect(header.x, header.bottom + 2 * pad, header.w, sheet.bottom - header.bottom - 3 * pad)
    gap = px(16)
    col_w = (area.w - gap) // 2
    title_h, row_h, block_gap = px(32), px(40), px(14)
    half = math.ceil(len(blocks) / 2)
    total = [sum(title_h + n * row_h + block_gap for n in blocks[:half])]
    total.append(sum(title_h + n * row_h + block_gap for n in blocks[half:]))
    if max(total) > area.h:  # many moves: squeeze the rows rather than lose any
        k = area.h / max(total)
        title_h, row_h, block_gap = round(title_h * k), round(row_h * k), round(block_gap * k)
    titles, rows = [], []
    for a, n in enumerate(blocks):
        col = 0 if a < half else 1
        if a in (0, half):
            y = area.y
        x = area.x + col * (col_w + gap)
        titles.append((a, Rect(x, y, col_w, title_h)))
        y += title_h
        for _ in range(n):
            rows.append(Rect(x, y, col_w, row_h - px(4)))
            y += row_h
        y += block_gap
    return ReviewGeometry(header, tuple(buttons), tuple(titles), tuple(rows))


# --- the console -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsoleGeometry:
    """The white-cell console: its command rows, then a context area (the inject library,
    the fork's progress, the acts of this briefing).

    Attributes:
        title: the panel's title line.
        close: the close button.
        commands: (command id, rectangle), one per :data:`CONSOLE_COMMANDS`.
        context: the area under the commands.
        items: rectangles of the inject library's entries in the context area.
    """

    title: Rect
    close: Rect
    commands: tuple[tuple[str, Rect], ...]
    context: Rect
    items: tuple[Rect, ...]


def console_geometry(lay: ExerciseLayout, n_items: int = 0) -> ConsoleGeometry:
    """The console's parts. With ``n_items`` (the inject library open), the library's
    entries take the commands' place (those that do not fit are left out: libraries are
    short)."""
    px, pad, box = lay.px, lay.pad, lay.console
    title = Rect(box.x + 2 * pad, box.y + pad, box.w - 4 * pad, px(40))
    close = Rect(box.right - pad - px(92), box.y + pad, px(92), px(34))
    commands = []
    y = title.bottom + pad
    for cid, *_ in CONSOLE_COMMANDS if not n_items else ():
        commands.append((cid, Rect(box.x + pad, y, box.w - 2 * pad, px(40))))
        y += px(44)
    context = Rect(box.x + 2 * pad, y + pad, box.w - 4 * pad, box.bottom - y - 2 * pad)
    items = []
    # a full entry (name, text, effects) when the library fits; else a compact one (name and
    # effects) so that a longer library still shows whole before anything is left out
    room = context.bottom - context.y - px(30)
    item_h = px(82) if n_items * px(82) <= room else px(52)
    iy = context.y + px(30)
    for _ in range(n_items):
        if iy + item_h > context.bottom:
            break
        items.append(Rect(context.x - pad, iy, context.w + 2 * pad, item_h - px(4)))
        iy += item_h
    return ConsoleGeometry(title, close, tuple(commands), context, tuple(items))


# --- the prompt and the fork result ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PromptGeometry:
    """The text prompt (or a yes/no question) over everything else.

    Attributes:
        box: the dialog.
        field: where the typed text goes (a yes/no question has none drawn).
        ok, cancel: its buttons.
        suggestions: where suggested variable names go, one line each.
    """

    box: Rect
    field: Rect
    ok: Rect
    cancel: Rect
    suggestions: tuple[Rect, ...]


def prompt_geometry(
    lay: ExerciseLayout, *, suggestions: int = 0, confirm: bool = False
) -> PromptGeometry:
    """The prompt's parts, with room for ``suggestions`` lines of suggested names (a yes/no
    question is shorter: its field is not drawn)."""
    px, pad = lay.px, lay.pad
    w = min(px(860), lay.size[0] - 4 * pad)
    line = px(28)
    h = px(236) if confirm else px(276) + suggestions * line
    box = Rect(
        (lay.size[0] - w) // 2, max((lay.board.h - h) // 2, pad), w, min(h, lay.board.h - 2 * pad)
    )
    field = Rect(box.x + px(24), box.y + px(120), box.w - px(48), px(46))
    sugg = tuple(
        Rect(field.x, field.bottom + px(6) + i * line, field.w, line) for i in range(suggestions)
    )
    by = box.bottom - px(62)
    ok = Rect(box.right - px(24) - px(170), by, px(170), px(44))
    cancel = Rect(ok.x - pad - px(150), by, px(150), px(44))
    return PromptGeometry(box, field, ok, cancel, sugg)


@dataclass(frozen=True, slots=True)
class ForkGeometry:
    """The fork result: a header, one bar row per outcome, a footer for tension and rung.

    Attributes:
        header: the title and what was played.
        rows: one rectangle per outcome.
        footer: final tension and peak rung.
        close: the close button.
    """

    header: Rect
    rows: tuple[Rect, ...]
    footer: Rect
    close: Rect


def fork_geometry(lay: ExerciseLayout, n: int) -> ForkGeometry:
    """The fork result sheet for ``n`` outcomes."""
    px, pad, sheet = lay.px, lay.pad, lay.sheet
    width = min(sheet.w - 8 * pad, px(1100))
    x = sheet.x + (sheet.w - width) // 2
    header = Rect(x, sheet.y + 3 * pad, width, px(100))
    close = Rect(header.right - px(150), header.y, px(150), px(44))
    footer = Rect(x, sheet.bottom - px(90), width, px(80))
    avail = footer.y - header.bottom - 2 * pad
    row_h = min(px(96), avail // max(n, 1))
    rows = tuple(Rect(x, header.bottom + pad + i * row_h, width, row_h) for i in range(n))
    return ForkGeometry(header, rows, footer, close)
