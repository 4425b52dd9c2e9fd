"""The board drawn headless (SDL's dummy video driver): pixels where they should be, the
event loop driven by synthetic events, screenshots, replay and live mode.
"""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

import subprocess
import sys
import time

import numpy as np
import pygame
import pytest

from tests.test_board_layout import synthetic_log
from tripwire.board.common.colours import HIGHLIGHT, PANEL
from tripwire.board.common.layout import (
    actor_screen_positions,
    arrow_geometry,
    ladder_geometry,
    timeline_x,
)
from tripwire.board.replay import app as board_app
from tripwire.board.replay.app import App, LiveSource, replay, save_screenshots
from tripwire.errors import InputError
from tripwire.gamelog import Game
from tripwire.sim.events import dumps_log


@pytest.fixture(scope="module")
def records():
    """A finished three-turn game (see tests/test_board_layout.py)."""
    return synthetic_log()


@pytest.fixture
def window_app(records):
    """The app in a (dummy) 1280x800 window."""
    pygame.display.init()
    app = App(records, size=(1280, 800))
    yield app
    pygame.display.quit()


def key(k: int, unicode: str = "") -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode=unicode, scancode=0)


def click(pos) -> pygame.event.Event:
    return pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=tuple(map(int, pos)))


def pixel(surface: pygame.Surface, pos) -> tuple[int, int, int]:
    return tuple(surface.get_at((round(pos[0]), round(pos[1]))))[:3]


def test_conflict_arrow_is_red_and_cooperation_arrow_blue_on_screen(records):
    """China's blockade drill against Japan (Goldstein -9) is drawn red along its shaft; the
    Japan-ROK summit (+8) is drawn blue."""
    app = App(records, size=(1280, 800), window=False)
    app.jump(1)
    surface = app.draw()
    layout = app.layout
    pos = actor_screen_positions(layout)
    s = layout.scale
    for actor, target, check in (
        ("CHN", "JPN", lambda r, g, b: r > 180 and r > g + 90 and r > b + 90),
        ("JPN", "KOR", lambda r, g, b: b > 180 and b > r + 90),
    ):
        g = arrow_geometry(pos[actor], pos[target], 1, scale=s, start_gap=9 * s, end_gap=11 * s)
        shaft = g.shaft
        for frac in (0.2, 0.3, 0.75):
            p = shaft[round(frac * (len(shaft) - 1))]
            assert check(*pixel(surface, p)), (actor, target, frac, pixel(surface, p))


@pytest.mark.parametrize("turn, rung", [(0, 3), (1, 5), (3, 7)])
def test_current_rung_is_highlighted_on_the_ladder(records, turn, rung):
    """The current rung's cell is drawn in the highlight colour; other rungs are not."""
    app = App(records, size=(1280, 800), window=False)
    app.jump(turn)
    surface = app.draw()
    geo = ladder_geometry(app.layout)
    cell = geo.cell(rung)
    # Sample beside the rung number written in the cell.
    assert pixel(surface, (cell.x + 2, cell.centre[1])) == HIGHLIGHT
    for other in (1, 2, 10, 44):
        if other != rung:
            c = geo.cell(other)
            assert pixel(surface, (c.x + 2, c.centre[1])) != HIGHLIGHT


def test_help_overlay_appears_after_pressing_h(window_app):
    """Pressing H opens the help overlay (drawn over the board); Esc closes it."""
    w, h = window_app.layout.size
    before = pixel(window_app.draw(), (w / 2 - 320, h / 2))
    pygame.event.post(key(pygame.K_h, "h"))
    window_app.run(max_frames=3)
    assert window_app.help and window_app.running
    after = pixel(pygame.display.get_surface(), (w / 2 - 320, h / 2))
    assert after == PANEL and after != before
    pygame.event.post(key(pygame.K_ESCAPE))
    window_app.run(max_frames=2)
    assert not window_app.help and window_app.running
    pygame.event.post(key(pygame.K_SLASH, "?"))
    window_app.run(max_frames=2)
    assert window_app.help


def test_clicking_the_timeline_jumps_to_that_turn(window_app):
    """A click on the timeline's tick for turn 2 shows turn 2."""
    layout = window_app.layout
    x = timeline_x(layout, 2, window_app.game.planned_turns)
    pygame.event.post(click((x, layout.track.centre[1])))
    window_app.run(max_frames=2)
    assert window_app.turn == 2


def test_keyboard_steps_plays_and_quits(window_app):
    """Right/Left step, End/Home jump, Space plays, +/- change speed, Q quits."""
    app = window_app
    for k, turn in ((pygame.K_RIGHT, 1), (pygame.K_RIGHT, 2), (pygame.K_LEFT, 1)):
        app.handle(key(k))
        assert app.turn == turn
    app.handle(key(pygame.K_END))
    assert app.turn == 3
    app.handle(key(pygame.K_RIGHT))
    assert app.turn == 3  # no turn after the last
    app.handle(key(pygame.K_HOME))
    speed = app.seconds_per_turn
    app.handle(key(pygame.K_PLUS, "+"))
    assert app.seconds_per_turn < speed
    app.handle(key(pygame.K_MINUS, "-"))
    assert app.seconds_per_turn == speed
    app.handle(key(pygame.K_SPACE, " "))
    assert app.playing
    app.update(speed + 0.01)
    assert app.turn == 1
    for _ in range(3):
        app.update(speed + 0.01)
    assert app.turn == 3 and not app.playing  # stops at the end
    assert app.ui_state().status == "GAME OVER"
    app.handle(key(pygame.K_q, "q"))
    assert not app.running


def test_buttons_do_what_they_say(window_app):
    """Clicking the on-screen buttons steps, plays and opens the help."""
    ids = {b.id: b.rect.centre for b in window_app.layout.buttons}
    window_app.handle(click(ids["forward"]))
    window_app.handle(click(ids["last"]))
    assert window_app.turn == 3
    window_app.handle(click(ids["back"]))
    assert window_app.turn == 2
    window_app.handle(click(ids["play"]))
    assert window_app.playing
    window_app.handle(click(ids["help"]))
    assert window_app.help
    window_app.handle(click(ids["help"]))  # any click closes the help
    assert not window_app.help


def test_resizing_recomputes_the_layout(window_app):
    """Resizing the window lays the board out again for the new size and draws it all."""
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=1920, h=1080, size=(1920, 1080)))
    window_app.run(max_frames=2)
    assert window_app.layout.size == (1920, 1080)
    surface = pygame.display.get_surface()
    assert surface.get_size() == (1920, 1080)
    geo = ladder_geometry(window_app.layout)
    cell = geo.cell(window_app.frame().ladder.rung)
    assert pixel(surface, (cell.x + 2, cell.centre[1])) == HIGHLIGHT


def test_save_screenshots_writes_one_png_per_turn(records, tmp_path):
    """One PNG per turn, named turn_00.png..., of the requested size, without a window."""
    paths = save_screenshots(records, tmp_path / "shots", size=(1280, 800))
    assert [p.name for p in paths] == [f"turn_{t:02d}.png" for t in range(4)]
    for p in paths:
        assert pygame.image.load(str(p)).get_size() == (1280, 800)
    two = save_screenshots(records, tmp_path / "two", size=(1920, 1080), turns=[2])
    assert [p.name for p in two] == ["turn_02.png"]
    assert pygame.image.load(str(two[0])).get_size() == (1920, 1080)
    with pytest.raises(ValueError, match="not in the log"):
        save_screenshots(records, tmp_path / "bad", turns=[9])


def test_replay_of_a_truncated_log_raises_input_error(records, tmp_path):
    """A log cut off mid-line is bad input: located diagnostics, no window."""
    text = dumps_log(records)
    path = tmp_path / "cut.jsonl"
    path.write_text(text[: len(text) - 40], encoding="utf-8")
    with pytest.raises(InputError) as err:
        replay(path)
    assert "truncated" in err.value.diagnostics[0].format()


def test_a_log_without_result_line_replays(records, tmp_path, monkeypatch):
    """A game cut short (no result line) replays the turns it has and says so."""
    path = tmp_path / "short.jsonl"
    # a log on disk keeps progress within 0-1 (the reader checks; the synthetic log's 1.3
    # tests the board's own clipping)
    cut = [
        {**r, "progress": {k: min(v, 1.0) for k, v in r["progress"].items()}}
        if r["type"] == "turn"
        else r
        for r in records[:-1]
    ]
    path.write_text(dumps_log(cut), encoding="utf-8")
    seen = []
    original = App.run

    def run_briefly(self, max_frames=None, fps=60):
        seen.append(self)
        self.jump(self.last_turn)
        original(self, max_frames=2, fps=fps)

    monkeypatch.setattr(board_app.App, "run", run_briefly)
    replay(path)
    (app,) = seen
    assert app.last_turn == 3 and app.game.result is None
    assert "cut short" in app.ui_state().message


def game_turns(records):
    """The records of a finished log as a live source yields them, turn by turn."""
    game = Game.from_records(records)
    for td in game.turns:
        batch = [*td.events, td.snapshot]
        if td.turn == game.last_turn and game.result is not None:
            batch.append(game.result)
        yield batch


def test_live_board_follows_the_newest_turn_unless_stepped_back(records):
    """Live: each turn arrives as it is played and is shown at once; after stepping back the
    board stays where the user is; End follows again."""
    header = records[0]
    app = App(header=header, live=LiveSource(game_turns(records), threaded=False), window=False)
    assert app.turn == 0 and app.last_turn == 0 and app.playing
    app.draw()
    app.update(app.seconds_per_turn + 0.01)
    assert app.last_turn == 1 and app.turn == 1  # followed
    app.handle(key(pygame.K_LEFT))
    app.update(app.seconds_per_turn + 0.01)  # turn 2 arrives; the view steps on from 0
    assert app.last_turn == 2 and app.turn == 1
    app.handle(key(pygame.K_END))
    app.update(app.seconds_per_turn + 0.01)
    assert app.last_turn == 3 and app.turn == 3
    app.handle(key(pygame.K_SPACE, " "))  # pause: nothing more is pulled
    app.update(100.0)
    assert app.turn == 3 and not app.live.done
    app.handle(key(pygame.K_SPACE, " "))
    app.update(app.seconds_per_turn + 0.01)
    assert app.live.done and app.game.result is not None
    app.draw()


def test_live_board_pulls_turns_in_a_worker_thread(records):
    """With the threaded source the window keeps drawing while a turn is being computed."""
    header = records[0]

    def slow():
        for batch in game_turns(records):
            time.sleep(0.05)
            yield batch

    app = App(header=header, live=LiveSource(slow()), window=False)
    assert app.last_turn == 0 and not app.game.turns
    app.draw()  # "waiting for the game" screen while turn 0 is on its way
    deadline = time.monotonic() + 5
    while app.last_turn < 3 and time.monotonic() < deadline:
        app.update(app.seconds_per_turn + 0.01)
        app.draw()
        time.sleep(0.01)
    assert app.last_turn == 3 and app.turn == 3


def test_play_turns_yields_a_real_game_turn_by_turn():
    """A model played through play_turns gives the live contract: turn 0 first, then each
    turn's events and snapshot, the result with the last turn; together, the whole log."""
    from tripwire.sim.model import CrisisModel

    model = CrisisModel("baseline", rng=1, turns=3)
    batches = list(board_app.play_turns(model))
    assert [b[-1]["type"] for b in batches] == ["turn", "turn", "turn", "result"]
    assert [[r["turn"] for r in b if r["type"] == "turn"] for b in batches] == [[0], [1], [2], [3]]
    assert [model.log[0], *[r for b in batches for r in b]] == model.log
    app = App(header=model.log[0], live=LiveSource(iter(batches), threaded=False), window=False)
    for _ in range(4):
        app.update(app.seconds_per_turn + 0.01)
    assert app.turn == 3 and app.game.result is not None


def test_a_failing_live_game_stops_the_board_with_its_error(records):
    """If the game being followed fails, the board stops and the error reaches the caller."""

    def broken():
        yield next(game_turns(records))
        raise RuntimeError("engine failure")

    app = App(header=records[0], live=LiveSource(broken(), threaded=False), window=False)
    assert app.last_turn == 0
    with pytest.raises(RuntimeError, match="engine failure"):
        app.update(app.seconds_per_turn + 0.01)


def test_a_real_game_renders_every_turn(tmp_path):
    """A real 24-turn game (missile_crisis_2, seed 7) renders at 1280x800 and 1920x1080."""
    from tripwire.api import run_game

    log = run_game("missile_crisis_2", seed=7)
    paths = save_screenshots(log, tmp_path, turns=[0, 11, 24])
    assert [p.name for p in paths] == ["turn_00.png", "turn_11.png", "turn_24.png"]
    big = save_screenshots(log, tmp_path / "big", size=(1920, 1080), turns=[18])
    image = pygame.surfarray.array3d(pygame.image.load(str(big[0])))
    assert image.shape[:2] == (1920, 1080) and np.ptp(image) > 200


def test_running_a_game_never_imports_pygame():
    """Playing a game (no board) never loads pygame."""
    code = (
        "from tripwire.sim.model import CrisisModel; CrisisModel('baseline', rng=1).run(); "
        "import sys; assert 'pygame' not in sys.modules"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SDL_", "PYGAME"))}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env=env)


def busy_log(records, n: int = 30):
    """The synthetic game with ``n`` more injects on turn 1 (a busy turn)."""
    out, added = [], False
    for r in records:
        if r.get("type") == "turn" and r.get("turn") == 1 and not added:
            out += [
                {"type": "event", "turn": 1, "seq": 100 + k, "kind": "inject", "id": f"news{k}",
                 "cause": "timeline", "text": f"Bulletin number {k} from the region.",
                 "effects": {}, "seen": "public"}
                for k in range(n)
            ]  # fmt: skip
            added = True
        out.append(r)
    return out


def test_a_busy_turn_keeps_its_feed_readable_and_scrolls(records, monkeypatch):
    """Thirty events: the feed's text never goes below the small size, says how many are
    below, and scrolls (wheel, PgDn) until the last event is shown; PgUp comes back."""
    app = App(busy_log(records), size=(1280, 800), window=False)
    app.jump(1)
    sizes: list[tuple[str, int]] = []
    real = app.renderer.text

    def text(t, size, colour=(0, 0, 0), face="regular"):
        sizes.append((t, size))
        return real(t, size, colour, face)

    monkeypatch.setattr(app.renderer, "text", text)

    def drawn() -> list[tuple[str, int]]:
        sizes.clear()
        app.draw()
        return [(t, s) for t, s in sizes if "Bulletin" in t or "scroll" in t]

    first = drawn()
    assert first and min(s for _t, s in first) >= app.layout.small
    assert any(t.startswith("▼") and "more" in t for t, _s in first)
    assert not any("… and" in t for t, _s in first)
    assert not any("number 29 " in t for t, _s in first)
    for _ in range(40):
        app.handle(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False))
    last = drawn()
    assert any("number 29 " in t for t, _s in last)
    assert any(t.startswith("▲") for t, _s in last)
    assert not any(t.startswith("▼") for t, _s in last)
    for _ in range(20):
        app.handle(key(pygame.K_PAGEUP))
    assert app.feed_offset == 0
    app.handle(key(pygame.K_PAGEDOWN))
    assert app.feed_offset == 3
    app.step(1)  # another turn starts at its top
    assert app.feed_offset == 0
