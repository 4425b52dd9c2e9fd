"""events.parquet (issue 15, item 3): one row per event of every game, from the lockstep
engine, that replays: a row's game played by ``tripwire run --seed`` logs the same events in
the same order. The same batch on one process or two writes the same bytes, and ``--csv``
writes copies a spreadsheet reads."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tripwire.api import run_batch, run_game
from tripwire.batch.backends import ProcessBackend, SerialBackend

SCENARIO = "missile_crisis_2"  # injects, triggers and outcomes in the first turns
TURNS = 8
SWEEP = [("world.tension", [30.0, 80.0])]


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("events") / "one"
    return run_batch(SCENARIO, 24, seed=3, turns=TURNS, sweeps=SWEEP, events=True, csv=True,
                     chunk_size=5, backend=SerialBackend(), out=out)  # fmt: skip


def _events(folder) -> pd.DataFrame:
    frame = pq.read_table(folder / "events.parquet").to_pandas().astype(object)
    return frame.where(pd.notna(frame), None)


def _logged(log: list[dict]) -> list[tuple]:
    """The events of a game's log as (turn, kind, actor, action, target, success, id)."""
    rows = []
    for rec in log:
        if rec.get("type") != "event" or rec["kind"] not in ("action", "inject", "trigger",
                                                             "outcome"):  # fmt: skip
            continue
        if rec["kind"] == "action":
            kind = "hold" if rec["action"] == "hold" else "action"
            rows.append((rec["turn"], kind, rec["actor"], rec["action"], rec["target"],
                         rec["success"], None))  # fmt: skip
        else:
            rows.append((rec["turn"], rec["kind"], None, None, None, None, rec["id"]))
    return rows


def _rows(events: pd.DataFrame) -> list[tuple]:
    return [
        (r.turn, r.kind, r.actor, r.action, r.target, r.success, r.inject or r.trigger or r.outcome)
        for r in events.itertuples()
    ]


def test_events_have_the_columns_an_analyst_groups_by(serial):
    events = _events(serial.out)
    assert list(events.columns) == [
        "run", "point", "turn", "seq", "kind", "actor", "action", "target", "success",
        "cancelled", "trigger", "inject", "outcome",
    ]  # fmt: skip
    assert {"action", "inject", "trigger", "outcome"} <= set(events["kind"]) <= {
        "action", "hold", "inject", "trigger", "outcome",
    }  # fmt: skip
    assert set(events["point"]) == {0, 1} and set(events["run"]) == set(range(24))
    # "which actions precede escalation" is a groupby: the moves taken in the turn before a
    # game reaches the outcome
    reached = events[events["outcome"] == "missile_crisis_2"][["run", "point", "turn"]]
    before = events.merge(reached, on=["run", "point"], suffixes=("", "_reached"))
    before = before[(before["kind"] == "action") & (before["turn"] == before["turn_reached"] - 1)]
    assert len(before.groupby("action").size()) > 3


@pytest.mark.parametrize("row", [0, 7, 23, 24 + 5, 24 + 19])
def test_every_sampled_game_replays_its_events(serial, row):
    """The sampled row's game, played by the one-game model with its seed, turns and
    point's values, logs exactly the events events.parquet holds for it, in order."""
    from tripwire.scenario.loader import load_scenario
    from tripwire.scenario.overrides import Assignment, apply_overrides

    runs = serial.frame
    game = runs.iloc[row]
    events = _events(serial.out)
    mine = events[(events["run"] == game["run"]) & (events["point"] == game["point"])]
    spec = load_scenario(SCENARIO).model_copy(update={"turns": TURNS})
    spec = apply_overrides(spec, [Assignment("world.tension", float(game["world.tension"]))])
    assert _rows(mine) == _logged(run_game(spec, int(game["seed"])))
    assert list(mine["seq"]) == [
        k for _, turn in mine.groupby("turn", sort=True) for k in range(len(turn))
    ]


def test_a_row_replays_with_tripwire_run(serial, tmp_path):
    """The documented way: tripwire run SCENARIO --seed SEED --turns T --set NAME=VALUE."""
    game = serial.frame.iloc[24 + 3]
    log = tmp_path / "game.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "tripwire", "run", SCENARIO, "--seed", str(int(game["seed"])),
         "--turns", str(TURNS), "--set", f"world.tension={game['world.tension']:g}",
         "--log", str(log), "--quiet"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    events = _events(serial.out)
    mine = events[(events["run"] == game["run"]) & (events["point"] == 1)]
    assert _rows(mine) == _logged(records)


def test_one_process_and_two_write_the_same_bytes(serial, tmp_path):
    two = run_batch(SCENARIO, 24, seed=3, turns=TURNS, sweeps=SWEEP, events=True, csv=True,
                    chunk_size=5, backend=ProcessBackend(2), out=tmp_path / "two")  # fmt: skip
    for name in ("runs.parquet", "events.parquet", "summary.json", "runs.csv", "events.csv"):
        assert (two.out / name).read_bytes() == (serial.out / name).read_bytes(), name


def test_csv_copies_hold_the_parquet_rows(serial):
    runs = pd.read_csv(serial.out / "runs.csv")
    parquet = serial.frame
    assert len(runs) == len(parquet)
    assert list(runs["seed"]) == list(parquet["seed"])
    assert list(runs["world.tension"]) == list(parquet["world.tension"])
    fan = [c for c in runs.columns if c.startswith("fan.world.tension.t")]
    assert fan == [f"fan.world.tension.t{t}" for t in range(TURNS + 1)]
    assert runs["fan.world.tension.t0"].tolist() == parquet["world.tension"].tolist()
    events = pd.read_csv(serial.out / "events.csv")
    assert len(events) == pq.ParquetFile(serial.out / "events.parquet").metadata.num_rows
    assert set(events["kind"]) == set(_events(serial.out)["kind"])


def test_a_resume_must_ask_for_the_events_the_batch_has(serial):
    """The folder holds a batch with events: resuming it without --events is refused (the
    batch would otherwise finish without them), with the difference named."""
    from tripwire.errors import InputError

    with pytest.raises(InputError, match="events True"):
        run_batch(SCENARIO, 24, seed=3, turns=TURNS, sweeps=SWEEP, chunk_size=5,
                  backend=SerialBackend(), out=serial.out, resume=True)  # fmt: skip
