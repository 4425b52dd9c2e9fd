"""Batches: seeded, chunked, resumable, identical whatever the workers or backend."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from PIL import Image

from tripwire.api import run_batch  # the batch layer's, then summary.md and the plots
from tripwire.batch import runner
from tripwire.batch.backends import DaskBackend, ProcessBackend, SerialBackend, choose_backend
from tripwire.batch.summary import wilson
from tripwire.batch.worker import run_seed
from tripwire.scenario.overrides import Assignment
from tripwire.sim.model import CrisisModel

OUTCOMES = (
    "enhanced_tech_alliance",
    "missile_crisis_2",
    "sanctions_collapse",
    "china_mediation_backfires",
)


def tripwire(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tripwire", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted 120-run baseline batch, played in this process."""
    return run_batch("baseline", 120, seed=5, jobs=1, out=tmp_path_factory.mktemp("ref") / "b")


def test_wilson_interval_known_values():
    """The 95% intervals are Wilson score intervals (checked against textbook values)."""
    lo, hi = wilson(0, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.0, 0.2775)
    lo, hi = wilson(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    assert wilson(0, 0) == (0.0, 1.0)


def test_run_seeds_are_fixed_per_run_and_distinct():
    """Run i of a batch seeded S always gets the same seed; runs and batches differ."""
    assert run_seed(1, 0) == run_seed(1, 0)
    seeds = {run_seed(1, i) for i in range(1000)}
    assert len(seeds) == 1000
    assert run_seed(1, 3) != run_seed(2, 3)
    assert all(0 <= s < 2**63 for s in seeds)


def test_outputs_follow_the_contract(reference):
    """summary.json has count, probability and Wilson interval per outcome; runs.parquet has
    one row per run with seed, outcomes and first turns, peak rung, escalation score, trigger
    counts and final state; summary.md and the plots are there."""
    out = reference.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "baseline" and summary["runs"] == 120 and summary["seed"] == 5
    for oid in OUTCOMES:
        o = summary["outcomes"][oid]
        assert 0 <= o["count"] <= 120
        assert o["probability"] == round(o["count"] / 120, 4)
        assert o["ci95"][0] <= o["probability"] <= o["ci95"][1]
        assert o["rating"] in ("high", "medium", "low")
    table = pq.read_table(out / "runs.parquet")
    assert table.num_rows == 120
    names = set(table.column_names)
    assert {"run", "seed", "peak_rung", "total_escalation_score"} <= names
    for oid in OUTCOMES:
        assert {f"reached.{oid}", f"turn.{oid}"} <= names
    assert any(n.startswith("trigger.") for n in names)
    assert {"final.world.tension", "final.PRK.icbm"} <= names
    assert table.column("run").to_pylist() == list(range(120))
    md = (out / "summary.md").read_text()
    assert "| Outcome |" in md and "Wilson" in md
    for name in ("outcomes.png", "fan_tension.png", "fan_rung.png", "fan_escalation.png"):
        with Image.open(out / name) as img:
            assert img.size[0] > 600 and img.size[1] > 200
    assert not (out / "parts").exists()


def test_a_batch_game_replays_from_its_seed(reference):
    """Any run of a batch can be replayed, full log and all, from the seed in runs.parquet."""
    frame = reference.frame
    row = frame.iloc[17]
    model = CrisisModel("baseline", rng=int(row["seed"]), collect=False).run()
    for oid in OUTCOMES:
        assert model.reached[oid] == (None if not row[f"reached.{oid}"] else row[f"turn.{oid}"])
    assert model.peak_rung == row["peak_rung"]
    assert model.value("world.tension") == pytest.approx(row["final.world.tension"])


def test_chunking_does_not_change_results(reference, tmp_path):
    """Run i is the same game whatever the chunk size: same rows, same summary."""
    other = run_batch("baseline", 120, seed=5, jobs=1, out=tmp_path / "b", chunk_size=7)
    assert (other.out / "summary.json").read_bytes() == (
        reference.out / "summary.json"
    ).read_bytes()
    assert pq.read_table(other.out / "runs.parquet").equals(
        pq.read_table(reference.out / "runs.parquet")
    )


def test_a_batch_without_plots_has_the_same_summary(reference, tmp_path):
    """plots=False (calibration's internal batches) draws no PNG and links none; the summary
    and the runs are those of the batch with plots."""
    bare = run_batch("baseline", 120, seed=5, jobs=1, out=tmp_path / "b", plots=False)
    assert not list(bare.out.glob("*.png"))
    assert "![" not in (bare.out / "summary.md").read_text(encoding="utf-8")
    assert (bare.out / "summary.json").read_bytes() == (reference.out / "summary.json").read_bytes()
    assert (bare.out / "runs.parquet").read_bytes() == (reference.out / "runs.parquet").read_bytes()
    assert list(reference.out.glob("*.png"))


def test_the_batch_layer_returns_data_and_draws_nothing(reference, tmp_path):
    """tripwire.batch's run_batch writes runs.parquet and summary.json (the same bytes) and
    returns the summary; summary.md and the plots are the report layer's, made from it."""
    from tripwire.batch.runner import run_batch as play
    from tripwire.report.batch_outputs import write_batch_outputs

    data = play("baseline", 120, seed=5, jobs=1, out=tmp_path / "b")
    assert sorted(p.name for p in data.out.iterdir()) == [
        "batch.json",
        "runs.parquet",
        "summary.json",
    ]
    assert data.summary == json.loads((data.out / "summary.json").read_text(encoding="utf-8"))
    assert (data.out / "runs.parquet").read_bytes() == (reference.out / "runs.parquet").read_bytes()
    write_batch_outputs(data.out, data.summary)
    for name in ("summary.md", "outcomes.png"):
        assert (data.out / name).read_bytes() == (reference.out / name).read_bytes()


def test_joined_file_has_few_row_groups(reference, tmp_path, monkeypatch):
    """Parts are joined into row groups of exactly JOIN_ROWS runs, not one group per chunk
    (the writer keeps metadata for every group, which grew the parent's memory with N), and
    the groups do not depend on the chunking: files with more runs than a group are the same
    bytes whatever the chunk size (--jobs 1 and 2 chunk differently)."""
    monkeypatch.setattr(runner, "JOIN_ROWS", 50)
    other = run_batch("baseline", 120, seed=5, jobs=1, out=tmp_path / "b", chunk_size=7)
    meta = pq.ParquetFile(other.out / "runs.parquet").metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sizes == [50, 50, 20]
    assert pq.read_table(other.out / "runs.parquet").equals(
        pq.read_table(reference.out / "runs.parquet")
    )
    third = run_batch("baseline", 120, seed=5, jobs=1, out=tmp_path / "c", chunk_size=30)
    assert (third.out / "runs.parquet").read_bytes() == (other.out / "runs.parquet").read_bytes()


def test_two_jobs_give_the_same_summary_as_one(reference, tmp_path):
    """A local pool of 2 worker processes gives a byte-identical summary.json (the pool is
    forced: a batch this small would otherwise play in this process)."""
    two = run_batch(
        "baseline", 120, seed=5, jobs=2, out=tmp_path / "b", chunk_size=7,
        backend=ProcessBackend(2),
    )  # fmt: skip
    assert (two.out / "summary.json").read_bytes() == (reference.out / "summary.json").read_bytes()


def test_small_batches_play_in_this_process():
    """Up to 2,000 games, --jobs 2 plays in this process (sooner than workers can start);
    above, or for Dask, the chosen backend is the pool or the cluster."""
    assert isinstance(choose_backend(2, None, None, games=2000), SerialBackend)
    assert isinstance(choose_backend(2, None, None, games=2001), ProcessBackend)
    assert isinstance(choose_backend(1, None, None, games=50_000), SerialBackend)
    assert isinstance(choose_backend(2, None, 2, games=10), DaskBackend)
    assert isinstance(choose_backend(2, None, None), ProcessBackend)  # size unknown


def test_dask_local_cluster_gives_the_same_summary(reference, tmp_path):
    """A real dask.distributed LocalCluster (2 worker processes) gives the same summary."""
    dask = run_batch("baseline", 120, seed=5, out=tmp_path / "b", backend=DaskBackend(workers=2))
    assert (dask.out / "summary.json").read_bytes() == (reference.out / "summary.json").read_bytes()


def test_killed_batch_resumes_to_the_same_summary(tmp_path):
    """A batch killed with SIGKILL mid-way and re-run with --resume finishes with exactly the
    summary of an uninterrupted batch; no run is lost or counted twice."""
    args = [
        "batch",
        "baseline",
        "--runs",
        "240",
        "--seed",
        "9",
        "--jobs",
        "1",
        "--chunk-size",
        "10",
    ]
    whole = tripwire(*args, "--out", "whole", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "tripwire", *args, "--out", "cut"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parts = tmp_path / "cut" / "parts"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(parts.glob("runs-*.parquet"))) < 4:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list(parts.glob("runs-*.parquet")))
    assert 4 <= done_before < 24, "the batch should have been cut mid-way"
    assert not (tmp_path / "cut" / "summary.json").exists()
    resumed = tripwire(*args, "--out", "cut", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    played = int(resumed.stdout.split("played ")[1].split(" ")[0])
    assert played <= 240 - 10 * done_before
    assert (tmp_path / "cut" / "summary.json").read_bytes() == (
        tmp_path / "whole" / "summary.json"
    ).read_bytes()
    runs = pq.read_table(tmp_path / "cut" / "runs.parquet").column("run").to_pylist()
    assert runs == list(range(240))
    assert not list((tmp_path / "cut").glob(".*.tmp"))


def _descendants(root: int) -> set[int]:
    """Processes below ``root`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited (its new parent has not reaped it yet)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_workers_exit_when_the_batch_is_killed(tmp_path):
    """kill -9 of a batch leaves no worker, forkserver or resource tracker behind."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tripwire", "batch", "baseline", "--runs", "20000",
         "--jobs", "2", "--out", "b"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    parts = tmp_path / "b" / "parts"
    deadline = time.monotonic() + 120
    helpers: set[int] = set()
    # the batch has begun writing results and its 2 workers and forkserver are running
    while time.monotonic() < deadline and (
        not list(parts.glob("runs-*.parquet")) or len(helpers) < 3
    ):
        time.sleep(0.05)
        helpers = _descendants(proc.pid)
    assert len(helpers) >= 3, "the workers should be running"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_running(p) for p in helpers):
        time.sleep(0.2)
    assert not [p for p in helpers if _running(p)]


def test_existing_batch_is_never_overwritten(reference, tmp_path):
    """Re-running into a folder that holds a batch without --resume exits 2 and changes nothing;
    --resume with a different seed is refused too; a finished batch resumes to itself."""
    out = tmp_path / "b"
    first = tripwire(
        "batch", "baseline", "--runs", "30", "--jobs", "1", "--out", str(out), cwd=tmp_path
    )
    assert first.returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = tripwire(
        "batch", "baseline", "--runs", "30", "--jobs", "1", "--out", str(out), cwd=tmp_path
    )
    assert again.returncode == 2 and "already holds a batch" in again.stderr
    other = tripwire(
        "batch",
        "baseline",
        "--runs",
        "30",
        "--seed",
        "2",
        "--resume",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert other.returncode == 2 and "different batch" in other.stderr and "seed" in other.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    refresh = tripwire(
        "batch",
        "baseline",
        "--runs",
        "30",
        "--jobs",
        "1",
        "--resume",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert refresh.returncode == 0 and "played 0 games" in refresh.stdout
    assert (out / "summary.json").read_bytes() == before["summary.json"]
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    refused = tripwire("batch", "baseline", "--runs", "5", "--out", "full", cwd=tmp_path)
    assert refused.returncode == 2 and (tmp_path / "full" / "notes.txt").read_text() == "mine"
    (tmp_path / "afile").write_text("mine")
    for out_arg in ("afile", "afile/sub"):
        refused = tripwire("batch", "baseline", "--runs", "5", "--out", out_arg, cwd=tmp_path)
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.startswith(("--out:1:1: error: ", f"{out_arg}:1:1: error: "))
        assert "afile" in refused.stderr and len(refused.stderr.splitlines()) == 1
        assert "Traceback" not in refused.stderr and "━" not in refused.stderr
    assert (tmp_path / "afile").read_text() == "mine"


def test_bad_overrides_are_located_errors(tmp_path):
    """A misspelt --set name or an out-of-range --sweep value exits 2 before anything is written."""
    bad = tripwire(
        "batch", "baseline", "--runs", "5", "--set", "PRK.icbn=50", "--out", "x", cwd=tmp_path
    )
    assert bad.returncode == 2
    assert "--set:1:1: error: unknown name 'PRK.icbn' (did you mean 'PRK.icbm'?)" in bad.stderr
    far = tripwire(
        "batch",
        "baseline",
        "--runs",
        "5",
        "--sweep",
        "world.tension=50,500",
        "--out",
        "x",
        cwd=tmp_path,
    )
    assert far.returncode == 2 and "outside its range" in far.stderr
    assert not (tmp_path / "x").exists()


def test_sweep_gives_points_sensitivity_and_tornado(tmp_path):
    """--sweep plays every value; the summary has each point, a sensitivity table and a
    tornado plot; a higher Russian war urgency makes the munitions-for-technology trade, and
    so the Enhanced Tech Alliance, more likely (section V.5, I.2)."""
    result = run_batch(
        "baseline",
        60,
        seed=3,
        jobs=1,
        out=tmp_path / "s",
        sweeps=[("param.war_urgency_target", [30.0, 90.0]), ("RUS.risk_tolerance", [0.3, 0.8])],
    )
    s = result.summary
    assert len(s["points"]) == 4 and s["runs"] == 240 and s["runs_per_point"] == 60
    assert s["points"][0]["values"] == {"param.war_urgency_target": 30.0, "RUS.risk_tolerance": 0.3}
    rows = [r for r in s["sensitivity"] if r["outcome"] == "enhanced_tech_alliance"]
    urgency = next(r for r in rows if r["name"] == "param.war_urgency_target")
    assert urgency["probabilities"][1] > urgency["probabilities"][0]
    assert (tmp_path / "s" / "tornado.png").exists()
    frame = result.frame
    assert sorted(frame["point"].unique()) == [0, 1, 2, 3]
    assert (frame.groupby("point")["seed"].apply(list).apply(tuple).nunique()) == 1  # same dice
    # each run carries its swept values, ready to group by
    by_point = frame.groupby("point")[["param.war_urgency_target", "RUS.risk_tolerance"]].first()
    assert by_point.to_dict("records") == [p["values"] for p in s["points"]]
    # which outcomes games reach together: every game counted once
    assert sum(c["count"] for c in s["combinations"]) == s["runs"]
    reached = frame[[f"reached.{o}" for o in s["outcomes"]]].sum().tolist()
    assert reached == [
        sum(c["count"] for c in s["combinations"] if o in c["reached"]) for o in s["outcomes"]
    ]


def test_set_changes_every_run(tmp_path):
    """--set applies to every run and is recorded in the summary."""
    result = run_batch(
        "baseline", 20, seed=1, out=tmp_path / "b", sets=[Assignment("world.tension", 90.0)]
    )
    assert result.summary["sets"] == {"world.tension": 90.0}
    base = CrisisModel("baseline", rng=run_seed(1, 0), collect=False).run()
    assert result.frame["final.world.tension"].iloc[0] != pytest.approx(base.value("world.tension"))


def test_series_keeps_every_variable_every_turn(tmp_path):
    """--series writes series.parquet: one row per run and turn, every variable."""
    result = run_batch("missile_crisis_2", 6, seed=1, out=tmp_path / "b", series=True)
    series = result.series_frame()
    assert len(series) == 6 * 25
    assert {"run", "turn", "world.tension", "PRK.icbm", "coop.military"} <= set(series.columns)
    run0 = series[series["run"] == 0].sort_values("turn")
    model = CrisisModel("missile_crisis_2", rng=run_seed(1, 0)).run()
    tension = model.datacollector.get_model_vars_dataframe()["tension"].tolist()
    assert run0["world.tension"].tolist() == pytest.approx(tension, rel=1e-6)


def test_existing_dask_scheduler_by_address(reference, tmp_path):
    """--scheduler ADDRESS sends the chunks to an existing cluster, with the same results."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as cluster:
        remote = run_batch(
            "baseline", 120, seed=5, out=tmp_path / "b", scheduler=cluster.scheduler_address
        )
    assert (remote.out / "summary.json").read_bytes() == (
        reference.out / "summary.json"
    ).read_bytes()
