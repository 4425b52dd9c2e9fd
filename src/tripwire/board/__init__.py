"""The Pygame board: a live or replayed view of a game's event log, for a projector.

The board reads log records (plain dicts) only, never the model. Its pure half (layout,
projection, colours, the frame model) is importable and testable without pygame; pygame is
imported lazily by :mod:`tripwire.board.view` and :mod:`tripwire.board.app`, so importing
``tripwire`` or ``tripwire.board`` and playing games never loads it.

Entry points (in :mod:`tripwire.board.app`, re-exported here lazily)::

    show(records, title=None)                     # a finished (or cut-short) game
    show_live(source, header)                     # follow a game turn by turn as it is played
    save_screenshots(records, out_dir, size=...)  # one PNG per turn, headless
    replay(path)                                  # read a log file and show it
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["replay", "save_screenshots", "show", "show_live"]

if TYPE_CHECKING:
    from tripwire.board.app import replay, save_screenshots, show, show_live


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tripwire.board import app

        return getattr(app, name)
    raise AttributeError(f"module 'tripwire.board' has no attribute {name!r}")
