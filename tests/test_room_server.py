"""The session server (tripwire.room): tokens, views and bad input, through Starlette's test
client; the `play --serve` command line's refusals (exit 2, one located line)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its test client; httpx works
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient
from typer.testing import CliRunner

from tripwire.cli import app as cli
from tripwire.room.server import CLOCK, Clock, Room, create_app
from tripwire.room.tokens import ROOM, Tokens
from tripwire.scenario.loader import load_scenario
from tripwire.session import Session
from tripwire.session.journal import JOURNAL

HUMANS = ["USA", "KOR"]


@pytest.fixture
def room(tmp_path: Path):
    session = Session.create(
        load_scenario("missile_crisis_2"), seed=7, humans=HUMANS, folder=tmp_path / "s"
    )
    room = Room(session, Tokens.for_folder(session.folder, session.info.humans))
    yield room
    session.close()


@pytest.fixture
def client(room: Room):
    with TestClient(create_app(room), raise_server_exceptions=False) as c:
        yield c


def link(room: Room, viewer: str) -> str:
    return "/t/" + room.tokens.by_viewer[viewer]


def test_every_link_opens_its_own_view_only(room, client):
    for viewer in ("team:USA", "team:KOR", "white", "public"):
        page = client.get(link(room, viewer))
        assert page.status_code == 200 and "room.js" in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        state = client.get(link(room, viewer) + "/state").json()
        assert state["viewer"] == viewer
        assert ("white" in state) == (viewer == "white")
        assert ("team" in state) == viewer.startswith("team:")
    tokens = set(room.tokens.by_viewer.values())
    assert len(tokens) == 4 and all(len(t) >= 32 for t in tokens)


@pytest.mark.parametrize("token", ["nope", "a" * 32, "%00", "..%2f..%2fsession.json"])
def test_an_unknown_token_gets_nothing(room, client, token):
    for path in ("", "/state", "/events", "/print/briefing"):
        answer = client.get(f"/t/{token}{path}")
        assert answer.status_code == 404
        assert set(answer.json()) == {"error"}  # JSON, and nothing of the session
    assert client.get("/").status_code == 404
    assert client.get("/static/../session.json").status_code == 404


def test_a_team_cannot_act_for_the_white_cell_or_another_team(room, client):
    usa = link(room, "team:USA")
    assert client.post(usa + "/act", json={"do": "begin"}).status_code == 403
    assert client.post(usa + "/clock", json={"do": "start"}).status_code == 403
    assert client.post(link(room, "public") + "/decide", json={"moves": []}).status_code == 403
    assert client.post(link(room, "white") + "/act", json={"do": "begin"}).status_code == 200
    # the seat is the token's: naming another actor in the body is refused, not obeyed
    answer = client.post(usa + "/decide", json={"moves": [], "actor": "KOR"})
    assert answer.status_code == 400
    assert client.post(usa + "/decide", json={"moves": []}).status_code == 200
    waiting = client.get(link(room, "white") + "/state").json()["waiting"]
    assert waiting == ["KOR"]


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/act", b"{not json", 400, "the input is not JSON (line 1, column 2)"),
        ("/act", b"\xff\xfe", 400, "the input is not JSON"),
        ("/act", b"[1, 2]", 400, "an input must be a JSON object"),
        ("/act", b'{"do": "teleport"}', 400, "unknown input 'teleport'"),
        ("/act", b'{"do": "note"}', 400, "'text' is missing"),
        ("/act", b'{"do": "note", "text": "x", "publsh": true}', 400, "'publsh' is not a key"),
        ("/act", b'{"do": "decide", "actor": "USA", "moves": []}', 400, "not a white-cell act"),
        ("/act", b'{"do": "resolve"}', 409, "no turn is under way"),
        ("/act", b'{"do": "undo"}', 409, "there is no turn to undo"),
        ("/act", b'{"do": "set", "variable": "world.tension", "value": 145}', 400,
         "145 is outside world.tension's range [0, 100]"),
        ("/act", b'{"do": "set", "variable": "world.sanctions_enforcement", "value": 45}', 400,
         "(a share: 45% is 0.45)"),
        ("/act", b'{"do": "set", "variable": "world.nothing", "value": 4}', 400,
         "unknown variable 'world.nothing'"),
        ("/act", b'{"do": "inject", "id": "no_such"}', 409, "unknown inject 'no_such'"),
        ("/act", b'{"do": "veto", "actor": "USA", "action": "x"}', 409, "no action 'x'"),
        ("/clock", b'{"do": "stop"}', 400, "send {"),
        ("/clock", b'{"do": "reset", "minutes": "ten"}', 400, "'minutes' must be a number"),
        ("/clock", b'{"do": "reset", "minutes": 1e9}', 400, "between 0 and 600"),
        ("/act", b"9" * 70_000, 413, "too large"),
    ],
)  # fmt: skip
def test_bad_white_cell_input_is_a_clear_4xx(room, client, path, body, status, message):  # noqa: PLR0917
    before = (room.session.folder / JOURNAL).read_bytes()
    answer = client.post(link(room, "white") + path, content=body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["error"]
    assert (room.session.folder / JOURNAL).read_bytes() == before  # nothing saved
    assert client.get(link(room, "white") + "/state").status_code == 200  # still serving


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, 'send {"moves"'),
        ({"moves": "deploy_carrier_group"}, 400, "'moves' must be a list"),
        ({"moves": [{"action": 3}]}, 400, "'moves' must be a list"),
        ({"moves": [{"action": "fly_to_moon"}]}, 409, "USA has no action 'fly_to_moon'"),
        ({"moves": [{"action": "extended_deterrence_pledge"}]}, 409, "needs a target"),
    ],
)
def test_bad_team_input_is_a_clear_4xx(room, client, body, status, message):
    usa = link(room, "team:USA")
    assert client.post(usa + "/decide", json={"moves": []}).status_code == 409  # not begun
    client.post(link(room, "white") + "/act", json={"do": "begin"})
    answer = client.post(usa + "/decide", json=body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["error"]
    assert "USA" in client.get(usa + "/state").json()["waiting"]


def test_a_turn_played_from_the_web_is_the_journal_a_script_writes(room, client, tmp_path):
    white, usa, kor = (link(room, v) for v in ("white", "team:USA", "team:KOR"))
    steps = [
        (white + "/act", {"do": "note", "text": "opening", "publish": True}),
        (white + "/act", {"do": "begin"}),
        (usa + "/decide", {"moves": [{"action": "deploy_carrier_group", "target": "PRK"}]}),
        (kor + "/decide", {"moves": []}),
        (white + "/act", {"do": "resolve"}),
    ]
    for path, body in steps:
        assert client.post(path, json=body).status_code == 200
    lines = [json.loads(x) for x in (room.session.folder / JOURNAL).read_text().splitlines()]
    assert [line["do"] for line in lines] == ["note", "begin", "decide", "decide", "resolve"]
    assert lines[2] == {
        "do": "decide",
        "actor": "USA",
        "moves": [{"action": "deploy_carrier_group", "target": "PRK"}],
        "who": "USA team",
    }
    # the same inputs applied directly give the same game, byte for byte
    twin = Session.create(room.session.spec, seed=7, humans=HUMANS, folder=tmp_path / "twin")
    for line in lines:
        twin.apply(line)
    log = (room.session.folder / "log.jsonl").read_bytes()
    assert (twin.folder / "log.jsonl").read_bytes() == log
    twin.close()
    state = client.get(usa + "/state").json()
    assert state["turn"] == 1 and state["situation"]["turn"] == 1
    assert any("United States" in f["text"] for f in state["feed"])
    (result,) = state["team"]["results"]
    assert result.startswith("United States → North Korea: Deploy carrier group — ")
    assert client.get(kor + "/state").json()["team"]["results"] == [
        "South Korea: holds (no action this turn)"
    ]


def test_the_clock_is_set_started_and_paused_by_the_white_cell(room, client):
    white = link(room, "white")
    assert client.post(white + "/clock", json={"do": "reset", "minutes": 10}).status_code == 200
    assert client.post(white + "/clock", json={"do": "start"}).status_code == 200
    clock = client.get(link(room, "team:KOR") + "/state").json()["clock"]
    assert clock["running"] and clock["limit"] == 600
    client.post(white + "/clock", json={"do": "pause"})
    assert not client.get(link(room, "public") + "/state").json()["clock"]["running"]


def test_the_clock_survives_a_restart_of_the_server(tmp_path):
    """The clock is saved in the session folder at every change: a paused clock comes back
    as it was; a running one comes back running, the time the server was down counted."""
    wall = [1000.0]
    mono = [50.0]
    path = tmp_path / CLOCK
    clock = Clock(now=lambda: mono[0], path=path, wall=lambda: wall[0])
    clock.reset(10)
    clock.start()
    mono[0] += 120
    wall[0] += 120
    clock.pause()
    again = Clock(now=lambda: mono[0], path=path, wall=lambda: wall[0])
    assert again.state() == {"running": False, "elapsed": 120.0, "limit": 600.0,
                             "remaining": 480.0}  # fmt: skip
    again.start()  # saved running at wall 1120
    wall[0] += 30  # the server is down for 30 s
    mono[0] = 7.0  # a new process: another monotonic origin
    back = Clock(now=lambda: mono[0], path=path, wall=lambda: wall[0])
    assert back.running and back.state()["elapsed"] == 150.0
    path.write_text("{not json", encoding="utf-8")
    fresh = Clock(now=lambda: mono[0], path=path, wall=lambda: wall[0])
    assert fresh.state() == {"running": False, "elapsed": 0.0, "limit": 0.0, "remaining": None}


def test_handouts_print_each_viewers_share(room, client):
    white = link(room, "white")
    client.post(white + "/act", json={"do": "note", "text": "HIDDEN-NOTE-7"})
    client.post(white + "/act", json={"do": "begin"})
    client.post(link(room, "team:USA") + "/decide", json={"moves": []})
    client.post(link(room, "team:KOR") + "/decide", json={"moves": []})
    client.post(white + "/act", json={"do": "resolve"})
    for viewer in ("team:USA", "public", "white"):
        for what in ("briefing", "cards", "turns"):
            page = client.get(link(room, viewer) + f"/print/{what}")
            assert page.status_code == 200 and "@media print" not in page.text
            assert "/static/room.css" in page.text
            assert ("HIDDEN-NOTE-7" in page.text) == (viewer == "white" and what == "turns")
    brief = client.get(link(room, "team:USA") + "/print/briefing").text
    assert "United States team" in brief and "South Korea team" not in brief
    assert "Summer 2026" in brief  # the read-aloud description
    assert "South Korea team" in client.get(white + "/print/briefing").text
    assert client.get(white + "/print/secrets").status_code == 404


def test_links_survive_a_restart_and_a_bad_room_file_is_located(room, tmp_path):
    folder = room.session.folder
    again = Tokens.for_folder(folder, tuple(HUMANS))
    assert again.by_viewer == room.tokens.by_viewer
    assert oct((folder / ROOM).stat().st_mode & 0o777) == "0o600"
    (folder / ROOM).write_text('{"kind": "tripwire-room", "tokens": {"white": "x"}}')
    from tripwire.errors import InputError

    with pytest.raises(InputError, match="not the room links of this session"):
        Tokens.for_folder(folder, tuple(HUMANS))


runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missile_crisis_2", "--serve", "--headless"], "--serve takes its input from the"),
        (["missile_crisis_2", "--port", "9000"], "--host and --port are options of --serve"),
        (["missile_crisis_2", "--serve", "--port", "70000"], "--port"),
        (["missile_crisis_2", "--serve", "--host", "no.such.host.invalid", "--port", "0"],
         "--host:1:1: error: cannot listen on no.such.host.invalid:0"),
        (["missile_crisis_2", "-H", "USA,XXX", "--serve"], "unknown actor 'XXX'"),
    ],
)  # fmt: skip
def test_play_serve_refuses_bad_options(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["play", *args, "--session", str(tmp_path / "s")])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_play_serve_refuses_a_port_in_use(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(
            cli,
            ["play", "missile_crisis_2", "-H", "USA", "--serve", "--port", str(port),
             "--session", str(tmp_path / "s")],
        )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"--port:1:1: error: cannot listen on 127.0.0.1:{port}: Address already in use" in (
        result.output
    )


def test_alerts_say_when_an_outcome_or_a_risk_trigger_fires(room, client):
    white = link(room, "white")
    client.post(white + "/act", json={"do": "set", "variable": "world.tension", "value": 95})
    seen = []
    for _ in range(6):
        client.post(white + "/act", json={"do": "begin"})
        for team in HUMANS:
            client.post(link(room, f"team:{team}") + "/decide", json={"moves": []})
        assert client.post(white + "/act", json={"do": "resolve"}).status_code == 200
        turn = room.session.turn
        fired = [
            r for r in room.session.model.log
            if r.get("turn") == turn and r.get("kind") in ("outcome", "trigger")
        ]  # fmt: skip
        alerts = client.get(link(room, "public") + "/state").json()["alerts"]
        assert len(alerts) == len(fired)
        assert all(a["turn"] == turn for a in alerts)
        seen += alerts
    assert {a["kind"] for a in seen} == {"outcome", "trigger"}
    assert any(a["text"].startswith("Outcome reached: ") for a in seen)


def test_the_white_cell_opens_the_review_of_the_game_so_far(room, client):
    white = link(room, "white")
    client.post(white + "/act", json={"do": "note", "text": "REVIEW-NOTE-9"})
    assert client.get(white + "/review").status_code == 409  # nothing played yet
    client.post(white + "/act", json={"do": "begin"})
    for team in HUMANS:
        client.post(link(room, f"team:{team}") + "/decide", json={"moves": []})
    client.post(white + "/act", json={"do": "resolve"})
    assert client.get(link(room, "team:USA") + "/review").status_code == 403
    assert client.get(link(room, "public") + "/review").status_code == 403
    review = client.get(white + "/review")
    assert review.status_code == 200, review.text
    assert "after-action review" in review.text and "REVIEW-NOTE-9" in review.text
    assert "Private: seen by the white cell only." in review.text
    assert review.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_white_cell_sees_its_marks_and_clears_one_the_teams_see_none(room, client):
    """A forced result shows as the move's mark in the white cell's view only; 'clear' lets
    the dice decide again (the mark reads 'dice'); clearing an unmarked move is a 409."""
    white = link(room, "white")
    client.post(white + "/act", json={"do": "begin"})
    pending = client.get(white + "/state").json()["white"]["pending"]
    prk = next(p for p in pending if p["actor"] == "PRK")
    move = prk["moves"][0]
    assert move["mark"] == "dice"
    ref = {"actor": "PRK", "action": move["action"], "target": move["target"]}
    assert (
        client.post(white + "/act", json={"do": "force", "success": False, **ref}).status_code
        == 200
    )

    def mark() -> str:
        pending = client.get(white + "/state").json()["white"]["pending"]
        return next(p for p in pending if p["actor"] == "PRK")["moves"][0]["mark"]

    assert mark() == "forced to fail"
    for team in ("team:USA", "team:KOR", "public"):
        assert "forced to fail" not in client.get(link(room, team) + "/state").text
    assert client.post(white + "/act", json={"do": "clear", **ref}).status_code == 200
    assert mark() == "dice"
    again = client.post(white + "/act", json={"do": "clear", **ref})
    assert again.status_code == 409 and "no veto or forced result" in again.json()["error"]


def test_the_white_cell_forks_from_the_web_and_sees_where_the_game_is_heading(room, client):
    """A fork between turns plays bot continuations, is logged as the board's is, and shows
    its outcome shares to the white cell only; teams cannot fork, bad sizes are 400, and a
    fork during a turn is 409."""
    white = link(room, "white")
    assert client.post(link(room, "team:USA") + "/fork", json={"runs": 20}).status_code == 403
    assert client.post(white + "/fork", json={"runs": 0}).status_code == 400
    assert client.post(white + "/fork", json={"runs": "many"}).status_code == 400
    assert client.post(white + "/fork", json={"runs": 40}).status_code == 200
    fork = client.get(white + "/state").json()["white"]["fork"]
    assert fork["runs"] == 40 and fork["turn"] == 0
    assert {o["id"] for o in fork["outcomes"]} >= {"missile_crisis_2", "sanctions_collapse"}
    assert all(0 <= o["probability"] <= 1 for o in fork["outcomes"])
    assert room.session.lines[-1]["do"] == "fork" and room.session.lines[-1]["runs"] == 40
    assert "fork" not in client.get(link(room, "team:KOR") + "/state").text
    client.post(white + "/act", json={"do": "begin"})
    during = client.post(white + "/fork", json={"runs": 20})
    assert during.status_code == 409 and "between turns" in during.json()["error"]
