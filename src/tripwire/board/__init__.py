"""The Pygame board: a live or replayed view of a game's event log, and the room's screens.

Three subpackages, by what they are:

* :mod:`tripwire.board.common`: what both boards share. Its pure parts are importable and
  testable without pygame: ``geo`` (projection, viewport, map data), ``arrows`` (arrow
  geometry), ``colours``, ``frame`` (what a turn shows) and ``layout`` (panels,
  hit-testing); ``window`` is the event loop both apps share. The log is read by
  :mod:`tripwire.gamelog` and said in words by :func:`tripwire.sim.events.describe`.
* :mod:`tripwire.board.replay`: the board over a game's log (``view``, ``view_map``,
  ``view_panels`` draw it; ``app`` is the replay, live and screenshot app).
* :mod:`tripwire.board.exercise`: exercise mode over a session (its own screens, the white
  cell's console, the projector), showing its board through the replay app.

The board reads log records (plain dicts), never the model; the exercise board reads a
session. pygame is imported only by the drawing modules and the apps, which are loaded
lazily, so importing ``tripwire`` or ``tripwire.board`` and playing games never loads it.

Entry points (in :mod:`tripwire.board.replay.app`, re-exported here lazily)::

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
    from tripwire.board.replay.app import play_turns, replay, save_screenshots, show, show_live


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tripwire.board.replay import app

        return getattr(app, name)
    raise AttributeError(f"module 'tripwire.board' has no attribute {name!r}")
