"""The Pygame board: a live or replayed view of a game's event log, for a projector.

The board reads log records (plain dicts) only, never the model. Its pure half is importable
and testable without pygame: ``geo`` (projection, viewport, map data), ``arrows`` (arrow
geometry), ``colours``, ``game`` (a log split into turns), ``frame`` (what a turn shows) and
``layout`` (panels, hit-testing; re-exports the rest). pygame is imported only by the drawing
modules ``view``, ``view_map``, ``view_panels`` and by ``app`` (the event loop), which are
loaded lazily, so importing ``tripwire`` or ``tripwire.board`` and playing games never loads
it.

Entry points (in :mod:`tripwire.board.app`, re-exported here lazily)::

    show(records, title=None)                     # a finished (or cut-short) game
    show_live(source, header)                     # follow a game turn by turn as it is played
    show_live(play_turns(model), model.log[0])    # ... e.g. a CrisisModel being played
    save_screenshots(records, out_dir, size=...)  # one PNG per turn, headless
    replay(path)                                  # read a log file and show it
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["play_turns", "replay", "save_screenshots", "show", "show_live"]

if TYPE_CHECKING:
    from tripwire.board.app import play_turns, replay, save_screenshots, show, show_live


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tripwire.board import app

        return getattr(app, name)
    raise AttributeError(f"module 'tripwire.board' has no attribute {name!r}")
