"""How fast the board draws, headless: full-turn redraws per second and time to first frame.

    python benchmarks/board.py [--seconds S] [--size 1280x800] [--log FILE]

A "full-turn redraw" draws a complete frame of one turn (static layer blit, arrows, markers,
US panel, ladder, gauges, outcome watch, feed, controls, timeline) onto a 1280x800 surface;
the benchmark cycles through every turn of a 24-turn game (missile_crisis_2, seed 7, or
--log) so no two consecutive frames show the same turn. Targets: >= 240 redraws/s.

Time to first frame runs from building the app with the records to the first complete
frame: "cold" in a fresh process that has only read the log (so the catalog, the map's
projection and the font lookup are included; importing pygame is not), "warm" for another
app in a process that has drawn before (new renderer and fonts, process-wide caches filled).
Each figure is the best of three rounds, so a busy moment of the machine does not decide it.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from tripwire.board.replay.app import App


def first_frame(records: list[dict], size: tuple[int, int]) -> float:
    """Seconds from building an (off-screen) app to its first complete frame."""
    start = time.perf_counter()
    app = App(records, size=size, window=False)
    app.jump(app.last_turn // 2)
    app.draw()
    return time.perf_counter() - start


def cold_first_frame(records: list[dict], size: tuple[int, int]) -> float:
    """:func:`first_frame` in a fresh Python process (best of three)."""
    from tripwire.logfile import write_log

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "game.jsonl"
        write_log(log, records)
        code = (
            "import sys, time; sys.path.insert(0, sys.argv[1]);"
            "from pathlib import Path; from board import first_frame, App;"
            "from tripwire.logfile import read_log;"
            "records = read_log(Path(sys.argv[2]));"
            "print(first_frame(records, (int(sys.argv[3]), int(sys.argv[4]))))"
        )
        here = str(Path(__file__).resolve().parent)
        args = [sys.executable, "-c", code, here, str(log), str(size[0]), str(size[1])]
        runs = [
            subprocess.run(args, check=True, capture_output=True, text=True)  # noqa: S603
            for _ in range(3)
        ]
    return min(float(r.stdout.strip().splitlines()[-1]) for r in runs)


def redraws_per_second(records: list[dict], size: tuple[int, int], seconds: float) -> float:
    """Full-turn redraws per second, cycling through the turns."""
    app = App(records, size=size, window=False)
    turns = app.last_turn + 1
    for t in range(turns):  # every turn drawn once: frame models and text cached
        app.jump(t)
        app.draw()
    best = 0.0
    for _ in range(3):
        n, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            app.jump(n % turns)
            app.draw()
            n += 1
        best = max(best, n / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="length of a timed round")
    parser.add_argument("--size", default="1280x800", help="surface size, WxH")
    parser.add_argument("--log", type=Path, help="an event log (default: play a game)")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))

    if args.log:
        from tripwire.logfile import read_log

        records = read_log(args.log)
    else:
        from tripwire.api import run_game

        records = run_game("missile_crisis_2", seed=7)
    pygame.font.init()
    cold = cold_first_frame(records, size)
    first_frame(records, size)
    warm = min(first_frame(records, size) for _ in range(3))
    rate = redraws_per_second(records, size, args.seconds)
    print(f"board benchmark, {size[0]}x{size[1]}, headless ({platform.python_version()})")
    print(f"  time to first frame: {cold * 1000:.0f} ms cold, {warm * 1000:.0f} ms warm")
    print(f"  full-turn redraws:   {rate:.0f} per second (target >= 240)")


if __name__ == "__main__":
    main()
