"""The board's event loop and entry points: show, show_live, save_screenshots, replay.

:class:`App` holds the viewing state (which turn, playing or paused, speed, help, full
screen) and turns pygame events into changes of it; drawing is delegated to
:class:`~tripwire.board.replay.view.Renderer`. The app is built so that tests can drive it: feed it
events with :meth:`App.handle` (or post them and :meth:`App.run` a few frames), draw with
:meth:`App.draw`, and inspect ``turn``, ``help``, ``layout``.

In live mode the game is pulled turn by turn from an iterator in a worker thread (so a turn
that waits for people never freezes the window), one turn per playback interval while
playing; the board follows the newest turn unless the user has stepped back or paused.
"""

from __future__ import annotations

import io
import os
import queue
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from tripwire.board.common.frame import Frame, game_frame
from tripwire.board.common.layout import (
    UiState,
    button_at,
    compute_layout,
    timeline_turn_at,
)
from tripwire.board.common.window import Window
from tripwire.board.replay.view import Renderer
from tripwire.board.replay.view_panels import feed_scroll_limit
from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import write_bytes_atomic
from tripwire.gamelog import Game, read_game

SPEEDS = (8.0, 5.0, 3.0, 2.0, 1.5, 1.0, 0.5, 0.25)  # seconds per turn, slow to fast
DEFAULT_SPEED = 3  # 2 s per turn: time to read the arrows, quick enough to watch a game
_DONE = object()


class LiveSource:
    """Pulls a game's turns from an iterator on request, in a worker thread or inline.

    Args:
        source: yields, turn by turn, the new records of each turn.
        threaded: pull in a daemon thread (True) or synchronously inside :meth:`request`.
    """

    def __init__(self, source: Iterator[list[dict]], *, threaded: bool = True) -> None:
        self._source = iter(source)
        self._threaded = threaded
        self._results: queue.Queue = queue.Queue()
        self._wanted = threading.Semaphore(0)
        self.busy = False
        self.done = False
        self.error: BaseException | None = None
        if threaded:
            threading.Thread(target=self._work, name="tripwire-live", daemon=True).start()

    def _pull(self) -> None:
        try:
            self._results.put(list(next(self._source)))
        except StopIteration:
            self._results.put(_DONE)
        except BaseException as err:  # handed to the UI thread, which re-raises it
            self._results.put(err)

    def _work(self) -> None:
        while True:
            self._wanted.acquire()
            self._pull()

    def request(self) -> None:
        """Ask for the next turn (ignored while one is on its way or the game is over)."""
        if self.busy or self.done:
            return
        self.busy = True
        if self._threaded:
            self._wanted.release()
        else:
            self._pull()

    def poll(self) -> list[list[dict]]:
        """The turns that arrived since the last poll (raises the source's error, if any)."""
        out = []
        while True:
            try:
                item = self._results.get_nowait()
            except queue.Empty:
                return out
            self.busy = False
            if item is _DONE:
                self.done = True
            elif isinstance(item, BaseException):
                self.done = True
                self.error = item
                raise item
            else:
                out.append(item)


class App(Window):
    """The board: viewing state, input handling and drawing.

    Args:
        records: the log's records so far (header first), or empty with ``header`` given.
        header: the header record (needed when ``records`` has none, as in live mode).
        title: shown instead of the scenario's title.
        size: window (or off-screen surface) size in pixels.
        window: open a resizable window (False: draw off-screen, e.g. for screenshots).
        live: a :class:`LiveSource` to follow (live mode).
    """

    def __init__(
        self,
        records: Iterable[Mapping[str, Any]] = (),
        *,
        header: Mapping[str, Any] | None = None,
        title: str | None = None,
        size: tuple[int, int] = (1280, 800),
        window: bool = True,
        live: LiveSource | None = None,
    ) -> None:
        self.records: list[Mapping[str, Any]] = list(records)
        if header is not None and not any(r.get("type") == "header" for r in self.records):
            self.records.insert(0, header)
        self.title = title
        self.window = window
        self.live = live
        self.turn = 0
        self.feed_offset = 0  # events of the feed scrolled past
        self.playing = live is not None
        self.speed = DEFAULT_SPEED
        self.help = False
        self.fullscreen = False
        self.running = True
        self._timer = 0.0
        self._windowed_size = size
        self._frames: dict[int, Frame] = {}
        self._marks_cache: tuple[tuple[int, str], ...] = ()
        self._marks_for: Game | None = None
        self.renderer = Renderer()
        if window:
            if not pygame.display.get_init():
                pygame.display.init()
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        else:
            self.screen = pygame.Surface(size)
        self.layout = compute_layout(*self.screen.get_size())
        self.game: Game = Game.from_records(self.records)
        if window:
            name = title or self.game.header.get("title") or "game"
            pygame.display.set_caption(f"Tripwire — {name}")
        if live is not None:
            live.request()
            self._poll_live()

    # --- state -----------------------------------------------------------------------------

    @property
    def last_turn(self) -> int:
        """The newest turn available."""
        return self.game.last_turn

    @property
    def seconds_per_turn(self) -> float:
        """The playback speed."""
        return SPEEDS[self.speed]

    def frame(self, turn: int | None = None) -> Frame:
        """The frame model of a turn (cached)."""
        t = self.turn if turn is None else turn
        f = self._frames.get(t)
        if f is None:
            f = self._frames[t] = game_frame(self.game, t, title=self.title)
        return f

    def jump(self, turn: int) -> None:
        """Show a turn (clamped to the turns available); restarts the playback interval."""
        self.turn = min(max(int(turn), 0), self.last_turn)
        self._timer = 0.0
        self.feed_offset = 0

    def ui_state(self) -> UiState:
        """What the controls and status show now."""
        if self.live is not None and not self.live.done:
            status = "LIVE" if self.playing else "LIVE · PAUSED"
        elif self.game.result is not None and self.turn == self.last_turn and not self.playing:
            status = "GAME OVER"
        else:
            status = "PLAYING" if self.playing else "PAUSED"
        message = ""
        if self.live is not None and self.live.busy and self.turn == self.last_turn:
            message = f"waiting for turn {self.last_turn + 1}…"
        elif self.live is None and self.game.result is None and self.turn == self.last_turn:
            message = "log ends here: game cut short"
        return UiState(
            playing=self.playing,
            seconds_per_turn=self.seconds_per_turn,
            help=self.help,
            status=status,
            known_turns=self.last_turn,
            marks=self._marks(),
            message=message,
            feed_offset=self.feed_offset,
        )

    def _marks(self) -> tuple[tuple[int, str], ...]:
        if self._marks_for is not self.game:
            self._marks_cache, self._marks_for = self.game.marks(), self.game
        return self._marks_cache

    # --- input -----------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        """Apply one pygame event (keys, clicks, resizing, quitting)."""
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.KEYDOWN:
            self._key(event)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self._click(event.pos)
        elif event.type == pygame.MOUSEMOTION and event.buttons and event.buttons[0]:
            turn = timeline_turn_at(self.layout, event.pos, self._timeline_last())
            if turn is not None and not self.help:
                self.jump(turn)
        elif event.type == pygame.MOUSEWHEEL:
            self.scroll_feed(-int(event.y))
        elif event.type == pygame.VIDEORESIZE:
            self.resize(event.w, event.h)
        elif event.type == pygame.WINDOWSIZECHANGED:
            self.resize(event.x, event.y)

    def _key(self, event: pygame.event.Event) -> None:
        key, char = event.key, getattr(event, "unicode", "")
        if key == pygame.K_ESCAPE:
            if self.help:
                self.help = False
            else:
                self.running = False
        elif key == pygame.K_q:
            self.running = False
        elif key in (pygame.K_h, pygame.K_QUESTION) or char == "?":
            self.help = not self.help
        elif key in (pygame.K_f, pygame.K_F11):
            self.toggle_fullscreen()
        elif key == pygame.K_SPACE:
            self.toggle_play()
        elif key == pygame.K_LEFT:
            self.step(-1)
        elif key == pygame.K_RIGHT:
            self.step(1)
        elif key in (pygame.K_PAGEUP, pygame.K_PAGEDOWN):
            self.scroll_feed(3 if key == pygame.K_PAGEDOWN else -3)
        elif key == pygame.K_HOME:
            self.jump(0)
        elif key == pygame.K_END:
            self.jump(self.last_turn)
        elif key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS) or char == "+":
            self.speed = min(self.speed + 1, len(SPEEDS) - 1)
        elif key in (pygame.K_MINUS, pygame.K_KP_MINUS, pygame.K_UNDERSCORE) or char == "-":
            self.speed = max(self.speed - 1, 0)

    def _click(self, pos: tuple[int, int]) -> None:
        if self.help:
            self.help = False  # any click closes the help
            return
        action = button_at(self.layout, pos)
        if action is not None:
            {
                "first": lambda: self.jump(0),
                "back": lambda: self.step(-1),
                "play": self.toggle_play,
                "forward": lambda: self.step(1),
                "last": lambda: self.jump(self.last_turn),
                "slower": lambda: setattr(self, "speed", max(self.speed - 1, 0)),
                "faster": lambda: setattr(self, "speed", min(self.speed + 1, len(SPEEDS) - 1)),
                "help": lambda: setattr(self, "help", True),
                "fullscreen": self.toggle_fullscreen,
            }[action]()
            return
        turn = timeline_turn_at(self.layout, pos, self._timeline_last())
        if turn is not None:
            self.jump(turn)

    def _timeline_last(self) -> int:
        return max(self.game.planned_turns, self.last_turn, 1)

    def scroll_feed(self, delta: int) -> None:
        """Scroll the event feed by ``delta`` events (down when positive), within the turn's."""
        limit = feed_scroll_limit(self.renderer, self.frame(), self.layout)
        self.feed_offset = min(max(self.feed_offset + delta, 0), limit)

    def step(self, delta: int) -> None:
        """Step ``delta`` turns (negative: back)."""
        self.jump(self.turn + delta)

    def toggle_play(self) -> None:
        """Play or pause; playing from the last turn of a replay starts again at turn 0."""
        if not self.playing and self.live is None and self.turn >= self.last_turn:
            self.turn = 0
        self.playing = not self.playing
        self._timer = 0.0

    def resize(self, width: int, height: int) -> None:
        """Recompute the layout for a new window size."""
        self.layout = compute_layout(*self.fit_screen(width, height))

    # --- time ------------------------------------------------------------------------------

    def _poll_live(self) -> None:
        if self.live is None:
            return
        batches = self.live.poll()
        if not batches:
            return
        follow = self.playing and self.turn >= self.last_turn
        for batch in batches:
            self.records.extend(batch)
        self._frames.pop(self.last_turn, None)  # its "finished" flag may change
        self.game = Game.from_records(self.records)
        if follow or not self.game.turns:
            self.jump(self.last_turn)

    def update(self, dt: float) -> None:
        """Advance time by ``dt`` seconds: take arrived live turns, move playback on."""
        self._poll_live()
        if not self.playing:
            return
        self._timer += dt
        if self._timer < self.seconds_per_turn:
            return
        self._timer = 0.0
        live = self.live
        behind = self.turn < self.last_turn
        if live is not None and not live.done:
            live.request()
            self._poll_live()  # a synchronous source has already delivered
        if behind:
            self.turn += 1
        elif self.turn >= self.last_turn and (live is None or live.done):
            self.playing = False  # the end of the game

    # --- drawing and the loop --------------------------------------------------------------

    def draw(self) -> pygame.Surface:
        """Draw the current turn onto the screen (or off-screen surface) and return it."""
        if not self.game.turns:
            self.screen.fill((14, 19, 26))
            text = self.renderer.text("Waiting for the game to start…", self.layout.title)
            self.screen.blit(text, text.get_rect(center=self.screen.get_rect().center))
            return self.screen
        self.renderer.draw(self.screen, self.frame(), self.layout, self.ui_state())
        return self.screen


def _require_turns(game: Game, where: str) -> None:
    if not game.turns:
        raise InputError([Diagnostic(Location(where), "the log has no turn to show")])


def show(records: list[dict], *, title: str | None = None) -> None:
    """Open the board over a finished (or cut-short) game's records and run it until closed.

    Args:
        records: the event log's records (header first), as ``read_game(path).records``.
        title: shown instead of the scenario's title.

    Raises:
        InputError: the records hold no turn snapshot at all.
    """
    _require_turns(Game.from_records(records), "<records>")
    try:
        App(records, title=title).run()
    finally:
        pygame.display.quit()


def show_live(source: Iterator[list[dict]], header: dict) -> None:
    """Open the board over a game being played and follow it turn by turn.

    Args:
        source: yields, turn by turn, the new records of each turn (the first yield is the
            turn-0 snapshot). It is advanced in a worker thread, one turn per playback
            interval while the board plays.
        header: the game's header record.

    Raises:
        Exception: whatever the source raised (the window is closed first).
    """
    live = LiveSource(source)
    try:
        App(header=header, live=live).run()
    finally:
        pygame.display.quit()


def save_screenshots(
    records: list[dict],
    out_dir: Path,
    *,
    size: tuple[int, int] = (1280, 800),
    turns: Iterable[int] | None = None,
) -> list[Path]:
    """Render turns to PNG files without opening a window (works with SDL's dummy driver).

    Args:
        records: the event log's records.
        out_dir: folder for the images (created if missing).
        size: image size in pixels.
        turns: which turns (default: every turn in the log).

    Returns:
        The files written, ``turn_00.png``, ``turn_01.png``... in the order of ``turns``.

    Raises:
        ValueError: a requested turn is not in the log.
        InputError: the records hold no turn snapshot at all.
    """
    app = App(records, size=size, window=False)
    _require_turns(app.game, "<records>")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = list(range(app.last_turn + 1) if turns is None else turns)
    bad = [t for t in wanted if not 0 <= t <= app.last_turn]
    if bad:
        raise ValueError(f"turns not in the log (0..{app.last_turn}): {bad}")
    paths = []
    for t in wanted:
        app.jump(t)
        path = out_dir / f"turn_{t:02d}.png"
        buffer = io.BytesIO()
        pygame.image.save(app.draw(), buffer, "png")
        write_bytes_atomic(path, buffer.getvalue())  # atomic; never replaces a link or device
        paths.append(path)
    return paths


def play_turns(model: Any) -> Iterator[list[dict]]:
    """Play a game turn by turn, yielding each turn's new log records (for :func:`show_live`).

    The first yield is the turn-0 snapshot; the last turn's batch ends with the result
    record. Duck-typed so that the board never imports the model: ``model`` is anything with
    a growing ``log`` list of records (header first), a ``running`` flag and ``step()``, such
    as a :class:`tripwire.sim.model.CrisisModel`; its header is ``model.log[0]``.
    """
    seen = len(model.log)
    yield [r for r in model.log[1:seen] if r.get("type") != "header"]
    while model.running:
        model.step()
        fresh, seen = model.log[seen:], len(model.log)
        yield list(fresh)


def replay(path: Path) -> None:
    """Read an event log file and show it on the board.

    A log without its result line (a game cut short) shows the turns it has.

    Raises:
        InputError: the log is truncated, corrupt or has no turn (located diagnostics).
    """
    show(list(read_game(Path(path)).records))
