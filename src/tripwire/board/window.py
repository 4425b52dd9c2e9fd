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
        """Switch between full screen and the resizable window."""
        self.fullscreen = not self.fullscreen
        if not self.window:
            return
        if self.fullscreen:
            self._windowed_size = self.screen.get_size()
            self.screen = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            self.screen = pygame.display.set_mode(self._windowed_size, pygame.RESIZABLE)
        self.resize(*self.screen.get_size())

    def fit_screen(self, width: int, height: int) -> tuple[int, int]:
        """Make ``screen`` the given size (as near as the window allows); return its size."""
        if self.window:
            current = pygame.display.get_surface()
            if current is None or current.get_size() != (width, height):
                # SDL2 usually resizes the window surface itself; asking again is harmless
                # and covers drivers (and synthetic events) that do not.
                flags = pygame.FULLSCREEN if self.fullscreen else pygame.RESIZABLE
                current = pygame.display.set_mode((width, height), flags)
            self.screen = current
        elif (width, height) != self.screen.get_size():
            self.screen = pygame.Surface((width, height))
        return self.screen.get_size()

    def resize(self, width: int, height: int) -> None:
        """Lay the app out again for a new window size."""
        raise NotImplementedError
