"""Whether a board window can be shown, and showing one or saying clearly why not."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from tripwire.commands import CommandFailed

NO_WINDOW = (
    "; on a machine without a display, use `tripwire run ... --screenshots DIR` "
    "to save the board as PNG files"
)


def has_display() -> bool:
    """Whether a board window can be shown (SDL would otherwise draw to nowhere, forever)."""
    driver = os.environ.get("SDL_VIDEODRIVER", "")
    if driver in ("dummy", "offscreen"):
        return False
    if sys.platform.startswith("linux") and not driver:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def with_display(show: Callable[[], object]) -> None:
    """Open a board window with ``show``.

    Raises:
        CommandFailed: there is no display, or pygame cannot open a window (status 1).
    """
    if not has_display():
        raise CommandFailed(f"error: no display to open the board window on{NO_WINDOW}")
    import pygame

    try:
        show()
    except pygame.error as err:
        raise CommandFailed(f"error: cannot open the board window ({err}){NO_WINDOW}") from None
