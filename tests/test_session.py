# ruff: noqa: RUF005  (argument lists read better split by meaning)
"""Facilitated sessions: scripts, interventions, autosave, resume (also after kill -9), undo, fork.

The scripted exercise in docs/examples is the acceptance case of issue 5: missile_crisis_2
with USA and KOR played by people and the white cell intervening.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.catalog import load_catalog
from tripwire.cli import app
from tripwire.errors import InputError
from tripwire.scenario.loader import load_scenario
from tripwire.session import Session, SessionError
from tripwire.session.fork import continuation_seed, fork
from tripwire.session.journal import JOURNAL, LOG, SESSION
from tripwire.session.script import load_script, play_script
from tripwire.sim.events import dumps_log

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = ROOT / "docs" / "examples" / "missile_crisis_2_exercise.yaml"
HUMANS = ["USA", "KOR"]
SEED = 7


@pytest.fixture(scope="module")
def mc2():
    return load_scenario("missile_crisis_2")


def _scripted(spec, folder: Path | None, script: Path = EXERCISE) -> Session:
    session = Session.create(spec, seed=SEED, humans=HUMANS, folder=folder)
    for _ in play_script(session, load_script(script, session)):
        pass
    return session


def _events(session: Session, kind: str) -> list[dict]:
    return [r for r in session.model.log if r.get("kind") == kind]


@pytest.fixture(scope="module")
def played(mc2, tmp_path_factory) -> Session:
    return _scripted(mc2, tmp_path_factory.mktemp("session") / "s")


# --- the scripted exercise ----------------------------------------------------------------


def test_script_plays_human_seats_and_interventions(played):
    assert played.turn == 6 and played.phase == "briefing"
    decisions = _events(played, "decision")
    assert {d["actor"] for d in decisions} == set(HUMANS)
    # six turns played (plus the undone turn 3, whose decisions stay in the log's history
    # only through the undo record): one decision per seat per played turn
    assert len(decisions) == 2 * 6
    first = decisions[0]
    assert first["turn"] == 1 and first["who"] == "USA team"
    assert first["moves"] == [
        {"action": "deploy_carrier_group", "target": "PRK"},
        {"action": "extended_deterrence_pledge", "target": "KOR"},
    ]
    kor4 = next(d for d in decisions if d["actor"] == "KOR" and d["turn"] == 4)
    assert kor4["moves"] == []  # [hold]


def test_interventions_carry_who_what_and_rationale(played):
    by_what = {e["what"]: e for e in _events(played, "intervention")}
    assert set(by_what) == {"veto", "inject", "set", "undo", "fork"}
    fork_event = by_what["fork"]  # the fork after turn 3: what the room was shown
    assert (fork_event["turn"], fork_event["runs"], fork_event["from_turn"]) == (4, 200, 3)
    shares = fork_event["outcomes"]
    assert set(shares) == set(played.rules.outcome_ids)
    assert all(o["ci95"][0] <= o["probability"] <= o["ci95"][1] for o in shares.values())
    veto = by_what["veto"]
    assert (veto["turn"], veto["actor"], veto["action"]) == (2, "USA", "offer_talks")
    assert veto["who"] == "white cell"
    assert veto["rationale"].startswith("The President has not cleared talks")
    vetoed = [
        e
        for e in _events(played, "action")
        if e["turn"] == 2 and e["actor"] == "USA" and e["action"] == "offer_talks"
    ]
    assert vetoed and vetoed[0]["vetoed"] is True and vetoed[0]["success"] is False
    assert by_what["set"]["variable"] == "world.tension" and by_what["set"]["value"] == 72.0
    assert by_what["undo"]["undone_turn"] == 3
    assert "replay turn 3" in by_what["undo"]["rationale"]
    adhoc = [e for e in _events(played, "intervention") if e.get("inject") == "adhoc"]
    assert adhoc and "fishing fleet" in adhoc[0]["text"]
    notes = _events(played, "note")
    assert [n["turn"] for n in notes] == [1, 5]


def test_undo_drops_the_turn_but_keeps_acts_made_before_it(played):
    # the force of the undone turn 3 is gone; the inject and set made before it stay
    whats = [(e["turn"], e["what"]) for e in _events(played, "intervention")]
    assert (3, "force_success") not in whats
    assert (3, "inject") in whats and (3, "set") in whats
    turn3 = [d for d in _events(played, "decision") if d["turn"] == 3]
    assert {m["action"] for d in turn3 for m in d["moves"]} == {
        "missile_defense_deployment",
        "strengthen_kill_chain",
    }
    assert [r["turn"] for r in played.model.log if r.get("type") == "turn"] == list(range(7))


def test_same_script_same_log_and_saved_log_matches(played, mc2):
    again = _scripted(mc2, None)
    text = dumps_log(played.model.records())
    assert dumps_log(again.model.records()) == text
    assert (played.folder / LOG).read_text(encoding="utf-8") == text
    # the fork after the last turn is saved, as the first event of the turn to come
    last = json.loads(text.splitlines()[-1])
    assert (last["turn"], last["kind"], last["what"]) == (played.turn + 1, "intervention", "fork")


def test_resume_rebuilds_the_same_game(played):
    resumed = Session.resume(played.folder)
    assert resumed.turn == played.turn
    assert dumps_log(resumed.model.log) == dumps_log(played.model.log)
    assert resumed.script_step == len(load_script(EXERCISE, resumed).steps) - 1


def test_resuming_after_every_input_gives_the_same_future(mc2, tmp_path):
    """Stop and resume after every single input: the game is the one played straight through."""
    straight = Session.create(mc2, seed=SEED, humans=HUMANS, folder=None)
    folder = tmp_path / "s"
    stopping = Session.create(mc2, seed=SEED, humans=HUMANS, folder=folder)
    inputs = [
        {"do": "set", "variable": "world.tension", "value": 66, "rationale": "r"},
        {"do": "begin"},
        {"do": "decide", "actor": "USA", "moves": [{"action": "offer_talks", "target": "PRK"}]},
        {"do": "decide", "actor": "KOR", "moves": []},
        {"do": "resolve"},
        {"do": "begin"},
        {"do": "decide", "actor": "KOR", "moves": [{"action": "strengthen_kill_chain"}]},
        {"do": "decide", "actor": "USA", "moves": []},
        {"do": "note", "text": "mid-turn note"},
        {"do": "undo", "rationale": "again"},
        {"do": "begin"},
        {"do": "decide", "actor": "USA", "moves": [{"action": "deploy_carrier_group"}]},
        {"do": "decide", "actor": "KOR", "moves": []},
        {"do": "resolve"},
    ]
    for entry in inputs:
        straight.apply(dict(entry))
        stopping.apply(dict(entry))
        stopping = Session.resume(folder)
        assert dumps_log(stopping.model.log) == dumps_log(straight.model.log)
    # the bots then play on identically
    for s in (straight, stopping):
        for _ in range(3):
            s.apply({"do": "begin"})
            for seat in HUMANS:
                s.apply({"do": "decide", "actor": seat, "moves": []})
            s.apply({"do": "resolve"})
    assert dumps_log(stopping.model.log) == dumps_log(straight.model.log)


def test_undo_replays_the_turn_with_the_same_dice(mc2):
    a = Session.create(mc2, seed=SEED, humans=["USA"], folder=None)
    b = Session.create(mc2, seed=SEED, humans=["USA"], folder=None)
    move = [{"action": "deploy_carrier_group"}]
    for s in (a, b):
        s.apply({"do": "begin"})
        s.apply({"do": "decide", "actor": "USA", "moves": move})
        s.apply({"do": "resolve"})
    a.apply({"do": "undo", "rationale": "try again"})
    assert a.turn == 0
    a.apply({"do": "begin"})
    a.apply({"do": "decide", "actor": "USA", "moves": move})
    a.apply({"do": "resolve"})
    snap = [r for r in a.model.log if r.get("type") == "turn"][-1]
    ref = [r for r in b.model.log if r.get("type") == "turn"][-1]
    assert snap["state"] == ref["state"]


def test_undo_mid_turn_goes_back_to_before_the_turn(mc2):
    s = Session.create(mc2, seed=SEED, humans=["USA"], folder=None)
    s.apply({"do": "begin"})
    assert s.phase == "deciding"
    s.apply({"do": "undo", "rationale": "wrong brief"})
    assert s.phase == "briefing" and s.turn == 0
    with pytest.raises(SessionError, match="no turn to undo"):
        Session.create(mc2, seed=SEED, humans=[], folder=None).apply({"do": "undo"})


def test_refused_inputs_change_nothing(mc2, tmp_path):
    s = Session.create(mc2, seed=SEED, humans=HUMANS, folder=tmp_path / "s")
    before = dumps_log(s.model.log)
    bad = [
        ({"do": "resolve"}, "no turn is under way"),
        ({"do": "set", "variable": "world.tensoin", "value": 1}, "unknown variable"),
        ({"do": "inject", "id": "nope"}, "unknown inject"),
        ({"do": "decide", "actor": "USA", "moves": []}, "not waiting"),
    ]
    for entry, message in bad:
        with pytest.raises(SessionError, match=message):
            s.apply(entry)
    s.apply({"do": "begin"})
    with pytest.raises(SessionError, match="waiting for USA, KOR"):
        s.apply({"do": "resolve"})
    with pytest.raises(SessionError, match="twice"):
        s.apply(
            {
                "do": "decide",
                "actor": "USA",
                "moves": [{"action": "offer_talks"}, {"action": "offer_talks"}],
            }
        )
    with pytest.raises(SessionError, match="between turns"):
        s.apply({"do": "set", "variable": "world.tension", "value": 1})
    resumed = Session.resume(tmp_path / "s")
    assert resumed.phase == "deciding"
    assert [json.loads(x) for x in (tmp_path / "s" / JOURNAL).read_text().splitlines()] == [
        {"do": "begin"}
    ]
    assert before.splitlines()[0] == dumps_log(resumed.model.log).splitlines()[0]


# --- scripts: located errors ----------------------------------------------------------------


SCRIPT_ERRORS = [
    (  # an unknown actor (a schema error)
        "steps:\n  - turn: 1\n    decide:\n      KXR: [hold]\n",
        "4:7",
        "unknown name 'KXR'",
    ),
    (  # an action the actor does not have
        "steps:\n  - turn: 1\n    decide:\n      USA: [fly_to_moon]\n",
        "4:13",
        "USA has no action 'fly_to_moon'",
    ),
    (  # a misspelt action gets a suggestion
        "steps:\n  - turn: 1\n    decide:\n      USA: [deploy_carier_group]\n",
        "4:13",
        "USA has no action 'deploy_carier_group' (did you mean 'deploy_carrier_group'?)",
    ),
    (  # a misspelt variable gets a suggestion
        "steps:\n  - turn: 1\n    before:\n      - set: {variable: world.tensoin, value: 70}\n",
        "4:9",
        "unknown variable 'world.tensoin' (did you mean 'world.tension'?)",
    ),
    (  # a value outside the variable's range is a typo, not something to clip quietly
        "steps:\n  - turn: 1\n    before:\n      - set: {variable: world.tension, value: 720}\n",
        "4:9",
        "720 is outside world.tension's range [0, 100]",
    ),
    (  # a misspelt library inject gets a suggestion
        "steps:\n  - turn: 1\n    before:\n      - inject: japan_overflite\n",
        "4:9",
        "unknown inject 'japan_overflite' (did you mean 'japan_overflight'?)",
    ),
    (  # a target the action cannot have
        "steps:\n  - turn: 1\n    decide:\n      USA: [deploy_carrier_group -> KOR]\n",
        "4:13",
        "cannot target KOR",
    ),
    (  # a bot's seat
        "steps:\n  - turn: 1\n    decide:\n      PRK: [icbm_test]\n",
        "4:7",
        "PRK is played by a bot",
    ),
    (  # veto belongs in review
        "steps:\n  - turn: 1\n    before:\n      - veto: USA offer_talks\n",
        "4:9",
        "veto and force belong in review",
    ),
    (  # an unknown inject
        "steps:\n  - turn: 1\n    before:\n      - inject: moon_landing\n",
        "4:9",
        "unknown inject 'moon_landing'",
    ),
    (  # an unknown variable in an ad-hoc inject
        "steps:\n  - turn: 1\n    before:\n"
        "      - inject: {text: x, effects: {world.tensoin: 3}}\n",
        "4:9",
        "unknown variable 'world.tensoin'",
    ),
    (  # force without success
        "steps:\n  - turn: 1\n    review:\n      - force: USA offer_talks\n",
        "4:9",
        "force needs success",
    ),
    (  # human seats that do not match the session's
        "humans: [USA]\nsteps: []\n",
        "1:9",
        "the session's human seats are USA, KOR",
    ),
    (  # a duplicate key
        "steps: []\nsteps: []\n",
        "2:1",
        "duplicate key 'steps'",
    ),
]


@pytest.mark.parametrize(("text", "where", "message"), SCRIPT_ERRORS)
def test_script_errors_are_located(mc2, tmp_path, text, where, message):
    path = tmp_path / "script.yaml"
    path.write_text(text, encoding="utf-8")
    session = Session.create(mc2, seed=SEED, humans=HUMANS, folder=None)
    with pytest.raises(InputError) as info:
        load_script(path, session)
    formatted = [d.format() for d in info.value.diagnostics]
    assert any(f.startswith(f"{path}:{where}: error: ") and message in f for f in formatted), (
        formatted
    )


def test_an_action_illegal_at_that_point_is_located_and_keeps_the_steps_before(mc2, tmp_path):
    # a satellite launch twice in a row breaks its precondition (one in three turns)
    path = tmp_path / "script.yaml"
    path.write_text(
        "steps:\n"
        "  - turn: 1\n    decide:\n      PRK: [satellite_launch]\n"
        "  - turn: 2\n    decide:\n      PRK: [satellite_launch]\n",
        encoding="utf-8",
    )
    session = Session.create(mc2, seed=SEED, humans=["PRK"], folder=tmp_path / "s")
    loaded = load_script(path, session)
    with pytest.raises(InputError) as info:
        list(play_script(session, loaded))
    (diag,) = info.value.diagnostics
    assert diag.format().startswith(f"{path}:7:13: error: PRK cannot take")
    assert "precondition" in diag.message
    assert session.turn == 1 and Session.resume(tmp_path / "s").turn == 1


def test_a_step_for_the_wrong_turn_is_located(mc2, tmp_path):
    path = tmp_path / "script.yaml"
    path.write_text("steps:\n  - turn: 2\n", encoding="utf-8")
    session = Session.create(mc2, seed=SEED, humans=[], folder=None)
    with pytest.raises(InputError, match=r"script.yaml:2:\d+: error: this step is for turn 2"):
        list(play_script(session, load_script(path, session)))


# --- fork to Monte Carlo ------------------------------------------------------------------


def test_fork_reports_the_distribution_of_futures(played):
    result = fork(played, 40)
    assert result.turn == 6 and result.runs == 40
    assert list(result.outcomes) == list(played.rules.outcome_ids)
    for oid, data in result.outcomes.items():
        assert 0 <= data["count"] <= 40
        assert data["ci95"][0] <= data["probability"] <= data["ci95"][1]
        if played.model.reached[oid] is not None:  # reached already: reached in every future
            assert data["count"] == 40 and data["already"] == played.model.reached[oid]
    assert result.tension["p10"] <= result.tension["median"] <= result.tension["p90"]
    # continuations draw their own dice: not all alike, and the session itself is untouched
    assert fork(played, 40) == result
    assert played.turn == 6 and played.phase == "briefing"


def test_fork_continuations_differ_and_are_seeded(played):
    seeds = {continuation_seed(SEED, 6, i) for i in range(100)}
    assert len(seeds) == 100
    assert continuation_seed(SEED, 6, 0) != continuation_seed(SEED, 5, 0)


def test_fork_needs_a_turn_between_turns(mc2):
    s = Session.create(mc2, seed=SEED, humans=["USA"], folder=None)
    s.apply({"do": "begin"})
    with pytest.raises(SessionError, match="between turns"):
        fork(s, 10)


# --- the CLI ----------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_play_headless_script(tmp_path):
    folder = tmp_path / "sess"
    args = ["play", "missile_crisis_2", "--human", "USA,KOR", "--seed", str(SEED)]
    args += ["--script", str(EXERCISE), "--headless", "--session", str(folder)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Where this is heading: 200 bot continuations from turn 3" in result.output
    assert "turn 3 undone by the white cell" in result.output
    assert f"tripwire play --resume {folder}" in result.output
    assert {p.name for p in folder.iterdir()} == {SESSION, JOURNAL, LOG}
    # the same command again refuses to overwrite the session
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "already holds a session" in again.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["play", "missile_crisis_2", "-H", "USA,KXR", "--headless", "--script", "x"], 2, "KXR"),
        (["play", "--headless"], 2, "give a SCENARIO"),
        (["play", "baseline", "--headless"], 2, "--headless plays a --script"),
        (["play", "baseline", "--resume", "somewhere"], 2, "give no SCENARIO"),
        (["play", "baseline"], 1, "no display"),
        (["play", "--resume", "nowhere", "--headless"], 2, "no session here"),
        (["play", "--resume", "nowhere"], 2, "nowhere:1:1: error: no session here"),
    ],
)
def test_cli_play_bad_input(tmp_path, args, code, message):
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_cli_bad_script_leaves_no_session_folder(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - turn: 1\n    decide:\n      USA: [fly_to_moon]\n")
    folder = tmp_path / "sess"
    result = runner.invoke(
        app,
        ["play", "missile_crisis_2", "-H", "USA", "--headless"]
        + ["--script", str(bad), "--session", str(folder)],
    )
    assert result.exit_code == 2
    assert f"{bad}:4:13: error: USA has no action 'fly_to_moon'" in result.stderr
    assert not folder.exists()


def test_cli_resume_refuses_other_seats_and_broken_sessions(played, tmp_path):
    result = runner.invoke(app, ["play", "--resume", str(played.folder), "-H", "JPN", "--headless"])
    assert result.exit_code == 2 and "cannot change on resume" in result.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / SESSION).write_text('{"kind": "tripwire-session", "seed": ')
    result = runner.invoke(app, ["play", "--resume", str(broken), "--headless"])
    assert result.exit_code == 2
    assert f"{broken / SESSION}:1:" in result.stderr and "not valid JSON" in result.stderr


def test_a_line_cut_short_by_a_crash_is_dropped(played, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(played.folder, copy)
    with (copy / JOURNAL).open("a", encoding="utf-8") as fh:
        fh.write('{"entries":[{"do":"begin"},{"do":"dec')
    resumed = Session.resume(copy)
    assert dumps_log(resumed.model.log) == dumps_log(played.model.log)
    resumed.apply({"do": "note", "text": "after the crash"})
    lines = (copy / JOURNAL).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1]) == {"do": "note", "text": "after the crash"}
    assert all(json.loads(line) for line in lines)


# --- kill -9 mid-session, then resume ------------------------------------------------------


def test_killed_mid_session_resumes_to_an_identical_log(mc2, tmp_path):
    """A real process playing the script is killed (SIGKILL) part-way; resuming the session
    with the same script gives the byte-identical log of an uninterrupted run."""
    reference = _scripted(mc2, None)
    folder = tmp_path / "sess"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    base = [sys.executable, "-m", "tripwire", "play"]
    start = [*base, "missile_crisis_2", "-H", "USA,KOR", "-s", str(SEED), "--session", str(folder)]
    script = ["--script", str(EXERCISE), "--headless"]
    proc = subprocess.Popen(
        [*start, *script, "--delay", "0.4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    journal = folder / JOURNAL
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and len(journal.read_bytes().splitlines()) >= 2:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    played_before_kill = len(journal.read_bytes().splitlines())
    assert 2 <= played_before_kill < 8, "the kill should land mid-script"
    resumed = subprocess.run(
        [*base, "--resume", str(folder), *script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming: steps[0] to steps[" in resumed.stdout
    assert (folder / LOG).read_text(encoding="utf-8") == dumps_log(reference.model.records())


def test_undo_remembers_what_the_undone_turn_held(played):
    """The undo record keeps the human seats' moves and the white cell's forced move of the
    turn it took back, so the after-action review can tell what was replayed."""
    [undo] = [e for e in _events(played, "intervention") if e["what"] == "undo"]
    assert undo["undone_turn"] == 3
    # the exercise is one joint move, made by the USA and joined by KOR's team, whose forced
    # success the white cell decided
    assert {(m["actor"], m["action"], m["result"]) for m in undo["undone"]} >= {
        ("USA", "trilateral_exercise", "forced to succeed"),
        ("KOR", "trilateral_exercise", "forced to succeed"),
    }
    assert {m["actor"] for m in undo["undone"]} == set(HUMANS)


def test_resuming_with_an_edited_script_is_refused(mc2, tmp_path):
    """Steps already played are skipped on resume; if the script has changed there, the
    change would be silently ignored, so it is an error at the changed line."""
    script = tmp_path / "script.yaml"
    script.write_text(EXERCISE.read_text(encoding="utf-8"), encoding="utf-8")
    session = _scripted(mc2, tmp_path / "s", script)
    resumed = Session.resume(tmp_path / "s")
    list(play_script(resumed, load_script(script, resumed)))  # unchanged: nothing to do
    text = script.read_text(encoding="utf-8")
    edited = text.replace("KOR: [strengthen_kill_chain]", "KOR: [inter_korean_outreach]", 1)
    script.write_text(edited, encoding="utf-8")
    line = edited.splitlines().index("      KOR: [inter_korean_outreach]") + 1
    with pytest.raises(InputError) as info:
        list(play_script(resumed, load_script(script, resumed)))
    [first, *_] = info.value.diagnostics
    assert (first.location.line, first.location.column) == (line, 12)
    assert "has changed since this session played it" in first.message
    assert session.turn == resumed.turn


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ("veto: USA offer_talks", "USA's 'offer_talks' was not chosen this turn (USA chose: "),
        ("veto: CHN {unchosen}", "CHN's '{unchosen}' was not chosen this turn (CHN chose: "),
        ("force: KOR tighten_border\n        success: true", "KOR has no action 'tighten_border' "
         "(it is an action of CHN)"),
    ],
)  # fmt: skip
def test_review_errors_say_what_was_chosen(mc2, tmp_path, review, message):
    decide = "steps:\n  - turn: 1\n    decide:\n      USA: [deploy_carrier_group]\n"
    decide += "      KOR: [strengthen_kill_chain]\n"
    if "{unchosen}" in review:  # a China action the bot did not choose in this turn
        plain = tmp_path / "plain.yaml"
        plain.write_text(decide, encoding="utf-8")
        played = Session.create(mc2, seed=SEED, humans=HUMANS, folder=None)
        list(play_script(played, load_script(plain, played)))
        chosen = {e.get("action") for e in played.log if e.get("actor") == "CHN"}
        unchosen = next(a.id for a in load_catalog().actions if "CHN" in a.actors
                        and a.id not in chosen)  # fmt: skip
        review, message = (x.replace("{unchosen}", unchosen) for x in (review, message))
    script = tmp_path / "script.yaml"
    script.write_text(decide + f"    review:\n      - {review}\n", encoding="utf-8")
    session = Session.create(mc2, seed=SEED, humans=HUMANS, folder=None)
    with pytest.raises(InputError) as info:
        list(play_script(session, load_script(script, session)))
    [d] = info.value.diagnostics
    assert d.location.line == 7 and message in d.message, d.format()


def test_the_review_shows_acts_after_the_last_turn(played, tmp_path):
    """A fork (or note) made after the last played turn is in the saved log, and the
    after-action review dates it by the turn it opens."""
    from tripwire.dates import turn_month
    from tripwire.report.aar import write_game_report

    assert turn_month("2026-06", 1) == "2026-06" and turn_month("2026-06", 7) == "2026-12"
    _, md = write_game_report(played.folder / LOG, tmp_path / "aar.html")
    text = md.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if "continuations from turn 6" in line)
    assert row.startswith("| **7**<br>Dec 2026 | White cell |")
