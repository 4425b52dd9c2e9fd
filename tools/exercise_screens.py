"""Render the exercise mode's main screens to PNG files, headless, for people to look at.

    python tools/exercise_screens.py OUT_DIR [--size 1280x800] [--scenario missile_crisis_2]

Plays a short session of the scenario (the United States and South Korea played by people)
through the real app with synthetic events, and saves: the briefing, the hand-over screen,
the United States' action menu with one move chosen, the hold confirmation, the review
with a veto's rationale being typed, the board after the turn resolved, the white-cell
console, the inject library, the set-variable and ad-hoc inject prompts, the fork running
and its result, the help and the quit confirmation.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from tripwire.board.exercise.app import ExerciseApp
from tripwire.scenario.loader import load_scenario
from tripwire.session import Session


def key(k: int, char: str = "") -> pygame.event.Event:
    """A key press."""
    return pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode=char, scancode=0)


def text(t: str) -> pygame.event.Event:
    """Typed text."""
    return pygame.event.Event(pygame.TEXTINPUT, text=t)


def click_target(app: ExerciseApp, tid: str, arg: object = None) -> None:
    """Click the middle of the first clickable part with this id (and argument)."""
    for t in app.targets():
        if t.id == tid and (arg is None or t.arg == arg):
            pos = tuple(round(v) for v in t.rect.centre)
            app.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos))
            return
    raise LookupError(f"nothing to click with id {tid!r} on the {app.screen_name} screen")


# The session played, as steps: ("key", key, char), ("text", typed), ("click", target id,
# argument), ("say", message), ("fork", None) waits for a fork, ("shot", file name).
K = pygame
STEPS: tuple[tuple, ...] = (
    # A first turn played quickly, so that the board has something to show.
    ("key", K.K_RETURN, ""),
    *(
        step
        for _seat in "UK"
        for step in (("key", K.K_RETURN, ""), ("key", K.K_2, "2"), ("key", K.K_RETURN, ""))
    ),
    ("key", K.K_RETURN, ""),
    ("key", K.K_r, "r"),
    ("say", "Turn 1 resolved: the board shows what happened."),
    ("shot", "01_briefing"),
    ("key", K.K_RETURN, ""),
    ("shot", "02_handover"),
    ("key", K.K_RETURN, ""),
    ("click", "card", 0),
    ("key", K.K_DOWN, ""),
    ("shot", "03_menu_usa"),
    ("key", K.K_b, "b"),
    ("shot", "03b_menu_peek_at_board"),
    ("key", K.K_b, "b"),
    ("key", K.K_RETURN, ""),
    ("key", K.K_RETURN, ""),
    ("key", K.K_0, "0"),
    ("shot", "04_hold_confirm"),
    ("key", K.K_RETURN, ""),
    ("shot", "05_handover_white_cell"),
    ("key", K.K_RETURN, ""),
    ("click", "row", None),
    ("shot", "06_review"),
    ("key", K.K_v, "v"),
    ("text", "Too provocative for this exercise's learning goals"),
    ("shot", "07_review_veto_rationale"),
    ("key", K.K_RETURN, ""),
    ("key", K.K_DOWN, ""),
    ("key", K.K_DOWN, ""),
    ("key", K.K_s, "s"),
    ("key", K.K_RETURN, ""),
    ("shot", "08_review_marked"),
    ("key", K.K_r, "r"),
    ("shot", "09_board_after_turn"),
    ("key", K.K_TAB, ""),
    ("key", K.K_n, "n"),
    ("text", "Room debated the carrier deployment for ten minutes"),
    ("key", K.K_RETURN, ""),
    ("shot", "10_console"),
    ("key", K.K_i, "i"),
    ("shot", "11_console_library"),
    ("key", K.K_ESCAPE, ""),
    ("key", K.K_e, "e"),
    ("text", "PRK.postu"),
    ("shot", "12_set_variable_prompt"),
    ("key", K.K_ESCAPE, ""),
    ("key", K.K_a, "a"),
    ("text", "A DPRK fishing fleet defects en masse to the South"),
    ("key", K.K_RETURN, ""),
    ("text", "world.tension=+5, PRK.legitimcy=-3"),
    ("key", K.K_RETURN, ""),
    ("shot", "13_adhoc_effects_error"),
    ("key", K.K_ESCAPE, ""),
    ("key", K.K_m, "m"),
    ("fork", None),
    ("shot", "14_fork_running"),
    ("wait", None),
    ("shot", "15_fork_result"),
    ("key", K.K_ESCAPE, ""),
    ("key", K.K_h, "h"),
    ("shot", "16_help"),
    ("key", K.K_ESCAPE, ""),
    ("key", K.K_q, "q"),
    ("shot", "17_quit_confirm"),
)


def render(out: Path, size: tuple[int, int], scenario: str, fork_runs: int) -> list[Path]:
    """Play the session through the screens and save each; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    session = Session.create(load_scenario(scenario), seed=7, humans=["USA", "KOR"], folder=None)
    app = ExerciseApp(session, size=size, window=False)
    paths: list[Path] = []
    for kind, *args in STEPS:
        if kind == "key":
            app.handle(key(*args))
        elif kind == "text":
            app.handle(text(args[0]))
        elif kind == "click":
            click_target(app, *args)
        elif kind == "say":
            app.say(args[0], "ok")
        elif kind == "fork":  # replace the default number of runs, and start
            app.prompt.text = str(fork_runs)
            app.handle(key(pygame.K_RETURN))
            app.update(0.0)
        elif kind == "wait":
            deadline = time.monotonic() + 300
            while app.fork_job is not None and time.monotonic() < deadline:
                time.sleep(0.05)
                app.update(0.05)
        elif kind == "shot":
            path = out / f"{args[0]}.png"
            pygame.image.save(app.draw(), str(path))
            paths.append(path)
        if app.last_exception is not None:
            raise app.last_exception
    return paths


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--scenario", default="missile_crisis_2")
    parser.add_argument("--fork-runs", type=int, default=100)
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    pygame.display.init()
    pygame.display.set_mode((1, 1))
    for path in render(args.out, (width, height), args.scenario, args.fork_runs):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
