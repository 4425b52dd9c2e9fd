"""The board from the command line: headless screenshots, replay, and no window to nowhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image


def tripwire(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tripwire", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def headless() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")
    }
    return env


def test_screenshots_one_png_per_turn_without_a_window(tmp_path):
    """`run --screenshots DIR` saves the board of every turn (turn 0 included) as 1280x800
    PNGs, with no display at all."""
    done = tripwire(
        "run",
        "missile_crisis_2",
        "--seed",
        "7",
        "--turns",
        "4",
        "-q",
        "--screenshots",
        "shots",
        cwd=tmp_path,
        env=headless(),
    )
    assert done.returncode == 0, done.stderr
    shots = sorted((tmp_path / "shots").glob("turn_*.png"))
    assert [p.name for p in shots] == [f"turn_0{i}.png" for i in range(5)]
    with Image.open(shots[-1]) as img:
        assert img.size == (1280, 800)
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 200  # a real picture, not a blank


def test_replay_of_a_truncated_log_is_a_located_error(tmp_path):
    """`tripwire replay` on a log cut mid-line says where (exit 2), even without a display."""
    log = tmp_path / "game.jsonl"
    assert (
        tripwire("run", "baseline", "--seed", "2", "-q", "--log", str(log), cwd=tmp_path).returncode
        == 0
    )
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(log.read_bytes()[:5000])
    done = tripwire("replay", str(cut), cwd=tmp_path, env=headless())
    assert done.returncode == 2
    assert "(the log looks truncated)" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{cut}:")


def test_replay_of_a_file_that_is_not_a_log(tmp_path):
    """A YAML file given to replay is one clear error, not one per line."""
    bad = tmp_path / "scenario.yaml"
    bad.write_text("schema_version: 1\nid: x\n")
    done = tripwire("replay", str(bad), cwd=tmp_path, env=headless())
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"{bad}:1:1: error: not a Tripwire event log (line 1 is not JSON: Expecting value)"
    ]


def test_no_display_means_a_clear_message_not_an_invisible_window(tmp_path):
    """Without a display, `replay` and `run --board` say so and point to --screenshots
    (instead of drawing into an invisible window forever)."""
    log = tmp_path / "game.jsonl"
    assert (
        tripwire(
            "run", "baseline", "--turns", "2", "-q", "--log", str(log), cwd=tmp_path
        ).returncode
        == 0
    )
    for args in (["replay", str(log)], ["run", "baseline", "--board", "-q"]):
        done = tripwire(*args, cwd=tmp_path, env=headless())
        assert done.returncode == 1
        assert "no display" in done.stderr and "--screenshots" in done.stderr


def test_projector_needs_serve_and_a_display(tmp_path):
    """--projector shows a served session: alone it is a usage error (exit 2, nothing made);
    with --serve but no display it says so (exit 1) instead of opening a window to nowhere."""
    done = tripwire("play", "baseline", "--human", "USA", "--projector", cwd=tmp_path)
    assert done.returncode == 2
    assert "--projector" in done.stderr and "--serve" in done.stderr
    assert not (tmp_path / "sessions").exists()
    done = tripwire(
        "play", "baseline", "--human", "USA", "--serve", "--projector", "--port", "0",
        "--session", str(tmp_path / "room"), cwd=tmp_path, env=headless(),
    )  # fmt: skip
    assert done.returncode == 1
    assert "no display to open the projector window" in done.stderr
    assert "Traceback" not in done.stderr
