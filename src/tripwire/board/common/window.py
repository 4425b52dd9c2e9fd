"""What the board's apps share about their window: full screen and resizing.

An app draws into ``self.screen``: the window's surface, or an off-screen surface when it
has no window (screenshots, tests). Subclasses implement :meth:`Window.resize` by calling
:meth:`Window.fit_screen` and laying themselves out for the size it returns.
"""

from __future__ import annotations

import pygame

FPS = 60


class Window:
    """The event loop, full screen and resizing, for an app with a ``screen`` surface.

    Subclasses provide ``handle(event)``, ``update(dt)``, ``draw()`` and :meth:`resize`.
    """

    screen: pygame.Surface
    window: bool
    fullscreen: bool
    running: bool
    _windowed_size: tuple[int, int]

    def handle(self, event: pygame.event.Event) -> None:
        raise NotImplementedError

    def update(self, dt: float) -> None:
        raise NotImplementedError

    def draw(self) -> pygame.Surface:
        raise NotImplementedError

    def run(self, max_frames: int | None = None, fps: int = FPS) -> None:
        """Run the event loop until quit (or for ``max_frames`` frames, for tests)."""
        clock = pygame.time.Clock()
        frames = 0
        while self.running and (max_frames is None or frames < max_frames):
            for event in pygame.event.get():
                self.handle(event)
            if not self.running:
                break
            self.update(clock.get_time() / 1000.0)
            self.draw()
            if self.window:
                pygame.display.flip()
            clock.tick(fps)
            frames += 1

    def toggle_fullscreen(self) -> None:
        """Switch between full screen and the resizable window, once per call.

        The window is asked for full screen once; whatever size the display then gives is
        taken as it is (see :meth:`fit_screen`), so a display without a window manager, which
        answers with size events of its own, cannot start a loop of resizes. A display that
        refuses full screen leaves the window as it was (``fullscreen`` stays False).
        """
        if not self.window:
            self.fullscreen = not self.fullscreen
            return
        if not self.fullscreen:
            self._windowed_size = self.screen.get_size()
            try:
                self.screen = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
                self.fullscreen = True
            except pygame.error:
                self.screen = pygame.display.set_mode(self._windowed_size, pygame.RESIZABLE)
                self.fullscreen = False
        else:
            self.fullscreen = False
            self.screen = pygame.display.set_mode(self._windowed_size, pygame.RESIZABLE)
        self.resize(*self.screen.get_size())

    def fit_screen(self, width: int, height: int) -> tuple[int, int]:
        """Make ``screen`` the given size (as near as the window allows); return its size.

        In full screen the display's surface is taken as it is: asking for another size
        there makes some displays (no window manager) answer with another size event, and
        so on for ever.
        """
        if self.window:
            current = pygame.display.get_surface()
            if self.fullscreen and current is not None:
                self.screen = current
                return current.get_size()
            if current is None or current.get_size() != (width, height):
                # SDL2 usually resizes the window surface itself; asking again is harmless
                # and covers drivers (and synthetic events) that do not.
                current = pygame.display.set_mode((width, height), pygame.RESIZABLE)
            self.screen = current
        elif (width, height) != self.screen.get_size():
            self.screen = pygame.Surface((width, height))
        return self.screen.get_size()

    def resize(self, width: int, height: int) -> None:
        """Lay the app out again for a new window size."""
        raise NotImplementedError
