"""The leak test: four teams and the projector connect to a live session server over the
network (server-sent events, pages, JSON states, handouts) while the white cell plays several
turns with private and published notes, rationales, injects, vetoes, forces, an undo, and the
teams decide. Every message each client receives is scanned for what it must not see:
another team's decision, the white cell's private notes and rationales (distinctive marker
strings). The published ones must reach everyone, so the scan cannot pass by seeing nothing.
The last test breaks the filter on purpose and checks that the scan then fails.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tripwire.room import handouts, views
from tripwire.room.server import RoomServer
from tripwire.scenario.loader import load_scenario
from tripwire.session import Session

TEAMS = ("USA", "KOR", "JPN", "RUS")
PRIVATE = "ZZSECRET"  # every private marker holds this
PUBLISHED = "ZZPUBLIC"


class Client:
    """One browser's worth of traffic: an event stream read in a thread, and every page,
    state and handout it asks for; everything received is kept."""

    def __init__(self, base: str, viewer: str):
        self.base, self.viewer = base, viewer
        self.received: list[str] = []
        self.version = -1
        self.http = httpx.Client(timeout=10)
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        with httpx.stream("GET", self.base + "/events", timeout=httpx.Timeout(10, read=60)) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    self.received.append(line)
                    self.version = json.loads(line[6:])["version"]

    def fetch_all(self) -> None:
        for path in ("", "/state", "/print/briefing", "/print/cards", "/print/turns"):
            self.received.append(self.http.get(self.base + path).text)

    def post(self, path: str, body: dict) -> int:
        answer = self.http.post(self.base + path, json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()["version"]


def _wait(clients: list[Client], version: int) -> None:
    deadline = time.monotonic() + 20
    while any(c.version < version for c in clients) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert all(c.version >= version for c in clients), "a client missed an update"


def leaks(clients: dict[str, Client]) -> list[str]:
    """What each client received and must not have: private markers anywhere but the white
    cell; another team's decision."""
    found = []
    for viewer, client in clients.items():
        if viewer == "white":
            continue
        text = "\n".join(client.received)
        if PRIVATE in text:
            at = text.index(PRIVATE)
            found.append(f"{viewer} received {text[max(at - 60, 0) : at + 30]!r}")
        for team in TEAMS:
            if f"team:{team}" != viewer and f"{team} team decided" in text:
                found.append(f"{viewer} received {team}'s decision")
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[RoomServer, dict[str, Client]]]:
    session = Session.create(
        load_scenario("missile_crisis_2"), seed=11, humans=list(TEAMS), folder=tmp_path / "s"
    )
    server = RoomServer(session, port=0)
    server.start()
    clients = {link.viewer: Client(url, link.viewer) for link, url in server.links}
    try:
        yield server, clients
    finally:
        server.stop()
        for c in clients.values():
            c.http.close()
        session.close()


def play(clients: dict[str, Client]) -> None:
    """Three turns and an undo, with the white cell's private and published words."""
    white = clients["white"]
    everyone = list(clients.values())

    def act(body: dict) -> None:
        _wait(everyone, white.post("/act", body))

    def decide_all() -> None:
        for k, team in enumerate(TEAMS):
            client = clients[f"team:{team}"]
            v = client.post("/decide", {"moves": []} if k % 2 else _first_available(client))
            _wait(everyone, v)
            if k == 1:  # mid-turn: some teams decided, others not
                for c in everyone:
                    c.fetch_all()

    act({"do": "note", "text": f"{PRIVATE}-note-before", "who": "white cell"})
    act({"do": "note", "text": f"{PUBLISHED}-note-before", "publish": True})
    act({"do": "set", "variable": "world.tension", "value": 62,
         "rationale": f"{PRIVATE}-why-set"})  # fmt: skip
    act({"do": "inject", "text": f"{PUBLISHED}-adhoc-news", "effects": {"world.tension": 2},
         "rationale": f"{PRIVATE}-why-inject"})  # fmt: skip
    for turn in (1, 2):
        act({"do": "begin"})
        decide_all()
        act({"do": "note", "text": f"{PRIVATE}-note-in-review-{turn}"})
        chosen = next(
            p for p in white.http.get(white.base + "/state").json()["white"]["pending"]
            if p["human"] and p["moves"]
        )  # fmt: skip
        move = chosen["moves"][0]
        act({"do": "veto" if turn == 1 else "force", "actor": chosen["actor"],
             "action": move["action"], "target": move["target"],
             **({"success": False} if turn == 2 else {}),
             "rationale": f"{PUBLISHED}-why-{turn}" if turn == 1 else f"{PRIVATE}-why-force",
             "publish": turn == 1})  # fmt: skip
        act({"do": "resolve"})
        for c in everyone:
            c.fetch_all()
    act({"do": "undo", "rationale": f"{PRIVATE}-why-undo"})
    act({"do": "begin"})
    decide_all()
    act({"do": "resolve"})
    for c in everyone:
        c.fetch_all()


def _first_available(client: Client) -> dict:
    """The first card the team's own page shows as available (a move of its own alone)."""
    cards = client.http.get(client.base + "/state").json()["team"]["cards"]
    card = next(c for c in cards if c["available"] and not c["partners"])
    return {"moves": [{"action": card["action"], "target": card["target"]}]}


def test_no_client_receives_what_it_must_not(served):
    server, clients = served
    play(clients)
    assert leaks(clients) == []
    # the scan saw real traffic: the published words reached everyone, the private ones
    # reached the white cell, and each team saw its own decision
    for viewer, client in clients.items():
        text = "\n".join(client.received)
        for marker in ("note-before", "adhoc-news", "why-1"):
            assert f"{PUBLISHED}-{marker}" in text, (viewer, marker)
        if viewer.startswith("team:"):
            assert f"{viewer.removeprefix('team:')} team decided" in text
        assert len(client.received) > 20
    white = "\n".join(clients["white"].received)
    for marker in ("note-before", "why-set", "why-inject", "note-in-review-1", "why-force",
                   "why-undo"):  # fmt: skip
        assert f"{PRIVATE}-{marker}" in white
    assert all(f"{t} team decided" in white for t in TEAMS)
    log = (server.room.session.folder / "log.jsonl").read_text()
    assert log.count('"kind":"decision"') == 2 * len(TEAMS)  # turn 1, and turn 2 replayed


def test_the_scan_catches_a_broken_filter(served, monkeypatch):
    """Break the one filter (every record visible to everyone): the same play must leak."""
    monkeypatch.setattr(views, "visible", lambda record, viewer: True)
    monkeypatch.setattr(handouts, "visible", lambda record, viewer: True)
    _, clients = served
    play(clients)
    found = leaks(clients)
    assert any(PRIVATE in f or "received" in f for f in found)
    assert any("decision" in f for f in found)
    assert {f.split()[0] for f in found} == {*(f"team:{t}" for t in TEAMS), "public"}
