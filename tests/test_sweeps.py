"""Sweeps play what they say: every point starts from its own values, every row of a sweep
replays with ``tripwire run --seed ... --set ...``, and every backend writes the same files.

A sweep's point 0 once played the unmodified scenario on the local backend (the base rules
were filed in the compiled-rules cache under point 0's digest); these tests fail on that bug.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tripwire.batch.backends import DaskBackend, ProcessBackend, SerialBackend
from tripwire.batch.runner import run_batch
from tripwire.scenario.loader import load_scenario
from tripwire.scenario.overrides import Assignment, apply_overrides
from tripwire.sim.model import CrisisModel

# Two names of different kinds: a state variable and a model parameter; neither point equals
# the scenario's own value, so a point that plays the base scenario shows.
SWEEP = [("world.tension", [20.0, 90.0]), ("param.war_urgency_target", [35.0, 85.0])]
SCENARIO = "baseline"


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "b"
    return run_batch(SCENARIO, 12, seed=4, sweeps=SWEEP, series=True, events=True, out=out,
                     backend=SerialBackend(), plots=False)  # fmt: skip


def test_every_point_starts_from_its_own_values(serial):
    """Turn 0 of every run of every point holds that point's values, not the scenario's."""
    series = serial.series_frame()
    start = series[series["turn"] == 0]
    base = load_scenario(SCENARIO)
    assert base.state.get("world.tension", 50.0) not in (20.0, 90.0)
    for p, point in enumerate(serial.plan.points):
        rows = start[start["point"] == p]
        assert len(rows) == 12
        shown = [name for name in point if name in rows.columns]  # params are not in series
        assert "world.tension" in shown
        for name in shown:
            assert rows[name].tolist() == [pytest.approx(point[name])] * 12, (p, name)


def test_every_row_of_a_sweep_replays_from_its_seed_and_values(serial):
    """Each row is the game CrisisModel plays with the row's seed and the point's values."""
    frame = serial.frame
    base = load_scenario(SCENARIO)
    outcomes = [c.removeprefix("reached.") for c in frame.columns if c.startswith("reached.")]
    finals = [c for c in frame.columns if c.startswith("final.")]
    for p, point in enumerate(serial.plan.points):
        spec = apply_overrides(base, [Assignment(k, v) for k, v in point.items()])
        for _, row in frame[frame["point"] == p].iterrows():
            model = CrisisModel(spec, rng=int(row["seed"]), record=False, collect=False).run()
            for oid in outcomes:
                turn = row[f"turn.{oid}"] if row[f"reached.{oid}"] else None
                assert model.reached[oid] == turn, (p, int(row["run"]), oid)
            assert model.peak_rung == row["peak_rung"]
            for col in finals:
                assert model.value(col.removeprefix("final.")) == pytest.approx(row[col])


def test_a_point_zero_row_replays_with_tripwire_run(serial, tmp_path):
    """The command line replays a point-0 row: ``tripwire run --seed S --set NAME=V ...``."""
    row = serial.frame.query("point == 0").iloc[3]
    point = serial.plan.points[0]
    sets = [arg for name, value in point.items() for arg in ("--set", f"{name}={value:g}")]
    log = tmp_path / "g.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "tripwire", "run", SCENARIO, "--seed", str(int(row["seed"])),
         *sets, "--log", str(log), "--quiet"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    first = next(r for r in records if r["type"] == "turn")
    assert first["state"]["world.tension"] == pytest.approx(point["world.tension"])
    result = records[-1]
    assert result["type"] == "result"
    for oid, got in result["outcomes"].items():
        want = row[f"turn.{oid}"] if row[f"reached.{oid}"] else None
        assert (got["turn"] if got["reached"] else None) == want, oid
    assert result["peak_rung"] == row["peak_rung"]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["pool", "dask"])
def test_every_backend_writes_the_same_sweep(serial, tmp_path, backend):
    """The same sweep on a local pool or a Dask cluster: byte-identical runs, series, events
    and summary."""
    chosen = ProcessBackend(2) if backend == "pool" else DaskBackend(workers=2)
    other = run_batch(SCENARIO, 12, seed=4, sweeps=SWEEP, series=True, events=True,
                      out=tmp_path / "b", backend=chosen, chunk_size=5, plots=False)  # fmt: skip
    for name in ("runs.parquet", "series.parquet", "events.parquet", "summary.json"):
        assert (other.out / name).read_bytes() == (serial.out / name).read_bytes(), name


def test_chunks_of_point_zero_agree_in_a_large_sweep(tmp_path):
    """With many chunks per point, every chunk of point 0 plays point 0: each of its rows
    is the game of the point's own scenario (compared with a fresh model, not with another
    batch, which could share a wrong cache entry)."""
    sweep = [("world.tension", [20.0, 90.0])]
    swept = run_batch(SCENARIO, 30, seed=2, sweeps=sweep, out=tmp_path / "s", chunk_size=4,
                      backend=SerialBackend(), plots=False)  # fmt: skip
    spec = apply_overrides(load_scenario(SCENARIO), [Assignment("world.tension", 20.0)])
    rows = swept.frame.query("point == 0")
    assert len(rows) == 30
    for _, row in rows.iterrows():
        model = CrisisModel(spec, rng=int(row["seed"]), record=False, collect=False).run()
        assert model.value("world.tension") == pytest.approx(row["final.world.tension"])
        assert model.peak_rung == row["peak_rung"]


# --- smaller things found on the way (issue 15) ----------------------------------------------


def test_a_default_outside_its_range_says_its_numbers(tmp_path):
    """The range message is filled in, not '{default:g} is outside [{min:g}, {max:g}]'."""
    from typer.testing import CliRunner

    from tripwire.cli import app

    path = tmp_path / "v.yaml"
    path.write_text(
        "schema_version: 1\nid: v\ntitle: v\ndescription: v\nextends: baseline\n"
        "variables:\n  - {name: world.foo, min: 0, max: 1, default: 30, description: d}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "default 30 is outside [0, 1]" in result.stderr and "{" not in result.stderr


def test_warnings_are_mentioned_by_validate(tmp_path):
    """validate (and run, batch) say a valid file has lint warnings, without failing."""
    from typer.testing import CliRunner

    from tripwire.cli import app

    path = tmp_path / "w.yaml"
    path.write_text(
        "schema_version: 1\nid: w\ntitle: w\ndescription: w\nextends: baseline\n"
        "injects:\n  - {id: big, turn: 2, text: A boom., effects: "
        "{world.sanctions_enforcement: 30}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert "1 warning: tripwire lint" in result.stdout


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.005, "0.5%"), (0.0, "0%"), (0.995, "99.5%"), (1.0, "100%"), (0.42, "42%")],
)
def test_rare_events_do_not_read_zero_percent(share, text):
    """The dry run's share of games: 1 game in 200 reads 0.5%, not 0%."""
    from tripwire.authoring.dryrun import share_text

    assert share_text(share) == text


def test_a_batch_of_fewer_turns_replays_with_run_turns(tmp_path):
    """batch --turns T plays T turns; a row replays with the same seed and turns, and the
    dry run takes --turns too."""
    from tripwire.authoring.dryrun import trigger_frequencies

    short = run_batch(SCENARIO, 8, seed=6, turns=5, out=tmp_path / "b", plots=False)
    assert short.summary["turns"] == 5
    row = short.frame.iloc[2]
    model = CrisisModel(load_scenario(SCENARIO), rng=int(row["seed"]), turns=5, collect=False)
    model.run()
    assert model.turn == 5 and model.peak_rung == row["peak_rung"]
    assert model.value("world.tension") == pytest.approx(row["final.world.tension"])
    assert trigger_frequencies(SCENARIO, 10, turns=3)["turns"] == 3
