"""Kill -9 of the session server mid-turn, after some teams submitted: restarted with
``--resume``, the room has every decision it had accepted, the same links, and plays on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

TEAMS = ("USA", "KOR", "JPN")


def _start(*args: str) -> tuple[subprocess.Popen, dict[str, str]]:
    """Start `tripwire play ... --serve --port 0` and read its join links."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tripwire", "play", *args, "--serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    links: dict[str, str] = {}
    assert proc.stdout is not None
    while len(links) < len(TEAMS) + 2:
        line = proc.stdout.readline()
        assert line, f"the server stopped: {proc.stderr.read() if proc.stderr else ''}"
        if line.startswith("  ") and "/t/" in line:
            label, url = line.rsplit(None, 1)
            links[label.strip()] = url
    return proc, links


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_a_server_killed_mid_turn_resumes_with_every_decision(tmp_path: Path):
    folder = tmp_path / "room"
    proc, links = _start("missile_crisis_2", "-H", ",".join(TEAMS), "-s", "5",
                         "--session", str(folder))  # fmt: skip
    try:
        http = httpx.Client(timeout=20)
        white = links["white cell"]
        assert http.post(white + "/act", json={"do": "note", "text": "before"}).status_code == 200
        assert http.post(white + "/act", json={"do": "begin"}).status_code == 200
        usa = {"moves": [{"action": "deploy_carrier_group", "target": "PRK"}]}
        assert http.post(links["USA team"] + "/decide", json=usa).status_code == 200
        assert http.post(links["KOR team"] + "/decide", json={"moves": []}).status_code == 200
    finally:
        _kill(proc)  # mid-turn: JPN has not decided; nothing is flushed on the way out
    assert proc.returncode == -signal.SIGKILL

    proc, again = _start("--resume", str(folder))
    try:
        # the same tokens (room.json), on the new port
        assert [u.rsplit("/", 1)[1] for u in again.values()] == [
            u.rsplit("/", 1)[1] for u in links.values()
        ]
        white = again["white cell"]
        state = http.get(white + "/state").json()
        assert state["turn"] == 1 and state["waiting"] == ["JPN"]
        chosen = {p["actor"]: p["moves"] for p in state["white"]["pending"] if p["human"]}
        assert chosen["USA"] == [
            {
                "action": "deploy_carrier_group",
                "target": "PRK",
                "name": "Deploy carrier group",
                "mark": "dice",
            }
        ]
        assert chosen["KOR"] == [] and chosen["JPN"] is None
        # a second decision from a team that decided before the crash is refused
        again_usa = http.post(again["USA team"] + "/decide", json={"moves": []})
        assert again_usa.status_code == 409
        assert http.post(again["JPN team"] + "/decide", json={"moves": []}).status_code == 200
        assert http.post(white + "/act", json={"do": "resolve"}).status_code == 200
        assert http.get(again["projector"] + "/state").json()["situation"]["turn"] == 1
    finally:
        _kill(proc)
    log = [json.loads(x) for x in (folder / "log.jsonl").read_text().splitlines()]
    decisions = {r["actor"]: r["moves"] for r in log if r.get("kind") == "decision"}
    assert decisions == {
        "USA": [{"action": "deploy_carrier_group", "target": "PRK"}],
        "KOR": [],
        "JPN": [],
    }
    usa_move = [r for r in log if r.get("kind") == "action" and r.get("actor") == "USA"]
    assert [m["action"] for m in usa_move] == ["deploy_carrier_group"]
