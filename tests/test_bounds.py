"""Bounded work: bad or oversized input is refused with one located error (exit 2) before
the work it would cost, never with a MemoryError, an internal error or minutes of set-up.

Covers the sweep product (refused before a point is built), start:stop:count sweeps that
overflow, the number of worker processes, and scenarios whose lists, moves or records pass
the documented limits (docs/scenario-guide.md, "Limits").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.errors import InputError
from tripwire.scenario import overrides
from tripwire.scenario.loader import (
    MAX_EVENT_CELLS,
    MAX_MOVES,
    game_cost,
    load_scenario,
)
from tripwire.scenario.overrides import MAX_POINTS, check_sweeps, parse_sweep, sweep_points
from tripwire.scenario.schema import MAX_ACTIONS, MAX_INJECTS, Scenario
from tripwire.workers import MAX_JOBS, max_jobs

runner = CliRunner(env={"NO_COLOR": "1", "FORCE_COLOR": None, "TERM": "dumb", "COLUMNS": "100"})
DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+)$")
ACTORS = ["RUS", "PRK", "CHN", "USA", "KOR", "JPN"]


def invoke(*args: str):
    return runner.invoke(app, list(args))


def located(result, path: str) -> str:
    """Exit 2 with located error lines only (no traceback); the first line's message."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines
    for line in lines:
        match = DIAGNOSTIC.match(line)
        assert match, line
        assert match["path"] == path, line
    return DIAGNOSTIC.match(lines[0])["msg"]


# --- scenario generator -------------------------------------------------------------------


def _action(i: int) -> dict:
    """A custom action every actor may aim at every other one (30 moves)."""
    return {
        "id": f"custom_{i}",
        "name": f"Custom {i}",
        "description": "A generated move.",
        "actors": ACTORS,
        "targets": ACTORS,
        "domain": "diplomatic",
        "tags": ["generated"],
        "precondition": f"world.tension < 90 and count('any', action='custom_{i}', last=6) < 3",
        "cost": 1.0,
        "success": "0.5 + world.tension / 400",
        "effects": {"world.tension": 1},
        "cameo": "036",
        "escalation": "posturing",
        "rung": 2,
        "source": "generated",
    }


def _inject(i: int, text: str = "A generated event.") -> dict:
    return {"id": f"inj_{i}", "text": text, "chance": 0.5, "once": False}


def scenario_file(tmp_path: Path, *, actions=0, injects=0, turns=24, text=None) -> Path:
    doc: dict = {
        "schema_version": 1,
        "id": "generated",
        "title": "Generated",
        "description": "Generated for the bounds tests.",
        "extends": "baseline",
        "turns": turns,
        "start": "2026-01",
    }
    if actions:
        doc["actions"] = [_action(i) for i in range(actions)]
    if injects:
        doc["injects"] = [_inject(i, text or "A generated event.") for i in range(injects)]
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=10**7))
    return path


def line_of(path: Path, key: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(key)
    )


# --- sweeps ------------------------------------------------------------------------------


def test_the_sweep_product_is_refused_before_a_point_is_built(monkeypatch):
    """Three 1,000-value sweeps are 10^9 points: refused from their sizes, not built."""

    def product(*args, **kwargs):
        raise AssertionError("the sweep points were built before the limit was checked")

    monkeypatch.setattr(overrides.itertools, "product", product)
    sweeps = [(f"name{k}", [float(v) for v in range(1000)]) for k in range(3)]
    with pytest.raises(InputError, match=r"1000 x 1000 x 1000 = 1000000000 sweep points"):
        sweep_points(sweeps)
    with pytest.raises(InputError):
        check_sweeps(sweeps)
    assert check_sweeps([("a", [1.0, 2.0]), ("b", [1.0, 2.0, 3.0])]) == 6


def test_batch_refuses_a_huge_sweep_product_with_a_located_error(monkeypatch, tmp_path):
    def product(*args, **kwargs):
        raise AssertionError("the sweep points were built before the limit was checked")

    monkeypatch.setattr(overrides.itertools, "product", product)
    sweeps = [
        "world.tension=0:100:1000",
        "param.war_urgency_target=0:100:1000",
        "PRK.risk_tolerance=0:1:1000",
    ]
    args = [a for s in sweeps for a in ("--sweep", s)]
    result = invoke("batch", "baseline", "-n", "1", "--out", str(tmp_path / "b"), *args)
    assert f"(limit {MAX_POINTS})" in located(result, "--sweep")
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    "sweep",
    [
        "PRK.action_points=-1e308:1e308:2",  # was: internal error: ValueError (NaN to integer)
        "PRK.action_points=1e308:-1e308:3",
        "world.tension=-1e308:1e308:2",  # was: 'world.tension=nan is outside its range'
    ],
)
def test_sweep_ranges_too_wide_for_a_float_are_located_errors(sweep, tmp_path):
    result = invoke("batch", "baseline", "-n", "1", "--out", str(tmp_path / "b"), "--sweep", sweep)
    message = located(result, "--sweep")
    assert "too wide" in message and "nan" not in message


def test_sweep_values_and_counts_are_bounded():
    with pytest.raises(InputError, match="count must be a whole number from 2 to 1000"):
        parse_sweep("world.tension=0:100:1e19")
    with pytest.raises(InputError, match=r"1001 values \(limit 1000\)"):
        parse_sweep("world.tension=" + ",".join(str(v) for v in range(1001)))
    name, points = parse_sweep("world.tension=0:100:5")
    assert (name, points) == ("world.tension", [0.0, 25.0, 50.0, 75.0, 100.0])


# --- worker processes --------------------------------------------------------------------


def test_the_job_limit_depends_on_the_cores_and_is_capped(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert max_jobs() == 8
    monkeypatch.setattr("os.cpu_count", lambda: 1000)
    assert max_jobs() == MAX_JOBS == 64
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert max_jobs() == 4


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["batch", "baseline", "-n", "1", "--jobs", "{n}"], "--jobs"),
        (["batch", "baseline", "-n", "1", "--dask-workers", "{n}"], "--dask-workers"),
        (["calibrate", "baseline", "--jobs", "{n}"], "--jobs"),
        (["triggers", "baseline", "-n", "1", "--jobs", "{n}"], "--jobs"),
    ],
)
def test_too_many_worker_processes_are_refused_before_any_work(command, option, tmp_path):
    too_many = str(max_jobs() + 1)
    out = tmp_path / "out"
    args = [a.replace("{n}", too_many) for a in command]
    if args[0] == "batch":
        args += ["--out", str(out)]
    if args[0] == "calibrate":
        args += ["--out", str(out)]
    message = located(invoke(*args), option)
    assert f"at most {max_jobs()}" in message
    assert not out.exists()


# --- scenario limits ---------------------------------------------------------------------


def test_too_many_moves_are_refused_at_the_actions_list(tmp_path):
    """40 actions of 6 actors x 5 targets make 1,300 moves: once 100 s of set-up and GBs
    at 300 actions; now a located error before validation or compiling."""
    path = scenario_file(tmp_path, actions=40)
    result = invoke("validate", str(path))
    message = located(result, str(path))
    assert "1300 moves" in message and f"limit of {MAX_MOVES}" in message
    match = DIAGNOSTIC.match(result.stderr.splitlines()[0])
    assert int(match["line"]) == line_of(path, "actions:")


def test_moves_up_to_the_limit_load(tmp_path):
    path = scenario_file(tmp_path, actions=30)  # 100 + 900 moves
    assert len(load_scenario(path).actions) == 30


@pytest.mark.parametrize(
    ("kind", "count", "limit"), [("actions", MAX_ACTIONS + 1, MAX_ACTIONS), ("injects", 1000, 0)]
)
def test_too_long_lists_are_refused_at_the_list(kind, count, limit, tmp_path):
    path = scenario_file(tmp_path, **{kind: count})
    result = invoke("validate", str(path))
    message = located(result, str(path))
    limit = limit or MAX_INJECTS
    assert f"{kind}: " in message and f"limit of {limit}" in message
    match = DIAGNOSTIC.match(result.stderr.splitlines()[0])
    assert int(match["line"]) == line_of(path, f"{kind}:")


def test_the_schema_carries_the_list_limits():
    schema = Scenario.model_json_schema()
    assert schema["properties"]["injects"]["maxItems"] == MAX_INJECTS
    assert schema["properties"]["actions"]["maxItems"] == MAX_ACTIONS
    bundled = Path(__file__).parents[1] / "src/tripwire/scenarios/scenario.schema.json"
    assert f'"maxItems": {MAX_INJECTS}' in bundled.read_text()


def test_repeating_injects_over_many_turns_are_refused_at_turns(tmp_path):
    """150 injects that may fire every turn of 600: 100,000 records a game keeps (a batch
    1,000 games at a time); 10,000 of them took 5.3 GB and wrote a 771 MB log."""
    path = scenario_file(tmp_path, injects=150, turns=600)
    result = invoke("validate", str(path))
    message = located(result, str(path))
    assert f"limit of {MAX_EVENT_CELLS}" in message
    match = DIAGNOSTIC.match(result.stderr.splitlines()[0])
    assert int(match["line"]) == line_of(path, "turns:")


def test_a_log_too_big_to_report_is_refused_before_the_game(tmp_path):
    """One long inject that may fire every turn: an event log of some 250 MB."""
    path = scenario_file(tmp_path, injects=1, turns=600, text="x" * 200_000)
    log = tmp_path / "game.jsonl"
    result = invoke("run", str(path), "--log", str(log), "--quiet")
    message = located(result, str(path))
    assert "event log of up to" in message and "repeating injects" in message
    assert not log.exists()


def test_turns_given_on_the_command_line_are_checked_too(tmp_path):
    path = scenario_file(tmp_path, injects=150, turns=24)  # fine for its own 24 turns
    log = tmp_path / "game.jsonl"
    result = invoke("run", str(path), "--turns", "600", "--log", str(log), "--quiet")
    assert "records a game keeps" in located(result, "--turns")
    assert not log.exists()


def test_the_bundled_scenarios_are_well_within_the_limits():
    for name in ("baseline", "missile_crisis_2", "sanctions_collapse"):
        cost = game_cost(load_scenario(name), turns=600)
        assert cost.problems() == []
        assert cost.log_bytes < 20_000_000
