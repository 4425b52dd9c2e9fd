"""tripwire sensitivity: designs from SALib played with common random numbers, indices with
intervals, scenario discovery, and the folder written whole or not at all.

The known answers come from a small scenario whose outcome ``driven`` holds exactly when the
starting value of ``world.driver`` is 60 or more (nothing changes it), beside a variable
``world.unread`` that nothing reads: with the same seeds at every point, moving
``world.unread`` changes no game at all, so its indices are exactly zero, while
``world.driver`` explains the whole variance of P(driven) and ranks first.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tripwire.batch.runner import run_batch
from tripwire.batch.sensitivity import Param, make_design, run_sensitivity
from tripwire.cli import app
from tripwire.report.sensitivity import render

runner = CliRunner(env={"NO_COLOR": "1", "FORCE_COLOR": None, "TERM": "dumb", "COLUMNS": "100"})
DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+)$")

KNOWN = """\
schema_version: 1
id: known_answers
title: Known answers
description: An outcome set by a starting value, and a variable nothing reads.
extends: baseline
turns: 2
start: 2026-01
variables:
  - {name: world.driver, min: 0, max: 100, default: 50, description: Sets the outcome.}
  - {name: world.unread, min: 0, max: 100, default: 50, description: Nothing reads it.}
outcomes:
  - id: driven
    title: Driven
    when: "world.driver >= 60"
    description: Reached exactly when world.driver starts at 60 or more.
"""
PARAMS = ["world.driver=0:100", "world.unread=0:100"]


@pytest.fixture(scope="module")
def known(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("known") / "known.yaml"
    path.write_text(KNOWN, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sobol(known, tmp_path_factory):
    out = tmp_path_factory.mktemp("sobol") / "s"
    return run_sensitivity(
        known, PARAMS, method="sobol", samples=16, runs=4, seed=5, out=out,
        outcomes=["driven"], means=["world.tension"], discover_outcomes=["driven"], render=render,
    )  # fmt: skip


def test_a_parameter_nothing_reads_has_zero_indices_and_the_driver_ranks_first(sobol):
    entry = sobol.indices["p.driven"]["params"]
    unread, driver = entry["world.unread"], entry["world.driver"]
    assert unread["S1"] == pytest.approx(0.0, abs=1e-12)
    assert unread["ST"] == pytest.approx(0.0, abs=1e-12)
    assert driver["ST"] > 0.8
    assert driver["S1"] > 0.6
    assert driver["ST"] - driver["ST_conf"] > unread["ST"] + unread["ST_conf"]
    for key in ("S1_conf", "ST_conf"):
        assert driver[key] is not None and driver[key] >= 0


def test_common_random_numbers_leave_no_noise_between_points(sobol):
    """Final tension varies from game to game, and neither parameter changes a game (nothing
    reads them but the outcome), so with game i playing the same seed at every point the
    mean final tension is the same at every point: a constant, not noise to share out."""
    entry = sobol.indices["mean.world.tension"]
    assert set(entry) == {"constant"}
    assert sobol.frame["mean.world.tension"].nunique() == 1
    assert 0 < entry["constant"] < 100


def test_each_point_plays_its_values_with_the_same_seeds(sobol):
    """The probability is a step at 60: each point's games all reach the outcome or none."""
    frame = sobol.frame
    assert len(frame) == 16 * (2 * 2 + 2)
    expected = (frame["world.driver"] >= 60).astype(float)
    assert (frame["p.driven"] == expected).all()
    assert frame["p.driven"].nunique() == 2


def test_morris_screens_the_unread_parameter_out(known, tmp_path):
    result = run_sensitivity(
        known, PARAMS, method="morris", samples=6, runs=3, seed=2, out=tmp_path / "m",
        outcomes=["driven"],
    )  # fmt: skip
    entry = result.indices["p.driven"]["params"]
    assert entry["world.unread"]["mu_star"] == 0.0
    assert entry["world.unread"]["sigma"] == 0.0
    assert entry["world.driver"]["mu_star"] > 0.1
    assert entry["world.driver"]["mu_star_conf"] is not None


def test_discovery_recovers_the_box_that_sets_the_outcome(sobol):
    (found,) = sobol.discovery
    assert found["outcome"] == "driven"
    best = found["boxes"][0]
    assert list(best["ranges"]) == ["world.driver"]  # the unread variable is never a limit
    low, high = best["ranges"]["world.driver"]
    driver = sobol.frame["world.driver"]
    assert high == 100
    assert driver[driver < 60].max() <= low < driver[driver >= 60].min()  # the cut at 60
    assert best["density"] == 1.0 and best["coverage"] == 1.0


def test_a_point_is_the_batch_of_its_values(tmp_path):
    """A design point's probability is that of tripwire batch --set with the point's values
    and the same seed and runs: each point is what it says, played like a batch."""
    result = run_sensitivity(
        "baseline", ["world.sanctions_enforcement=0.05:0.6", "PRK.risk_tolerance=0.1:0.9"],
        method="lhs", samples=5, runs=30, seed=7, out=tmp_path / "l", turns=12,
        outcomes=["sanctions_collapse", "missile_crisis_2"],
    )  # fmt: skip
    frame = result.frame
    for point in (0, 2):
        row = frame.iloc[point]
        sets = {"world.sanctions_enforcement": row["world.sanctions_enforcement"],
                "PRK.risk_tolerance": row["PRK.risk_tolerance"]}  # fmt: skip
        batch = run_batch("baseline", 30, seed=7, sets=sets, out=tmp_path / f"b{point}",
                          turns=12, plots=False)  # fmt: skip
        runs = batch.frame
        for outcome in ("sanctions_collapse", "missile_crisis_2"):
            assert row[f"reached.{outcome}"] == runs[f"reached.{outcome}"].sum()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_command_writes_the_same_bytes_whatever_jobs(known, tmp_path):
    # 48 points: enough for the design to go to the worker pool with --jobs 2
    args = ["sensitivity", str(known), "-p", PARAMS[0], "-p", PARAMS[1], "-N", "8",
            "-n", "3", "--seed", "3", "--discover", "driven", "--outcome", "driven"]  # fmt: skip
    one = runner.invoke(app, [*args, "--jobs", "1", "--out", str(tmp_path / "one")])
    two = runner.invoke(app, [*args, "--jobs", "2", "--out", str(tmp_path / "two")])
    assert one.exit_code == 0, one.output
    assert two.exit_code == 0, two.output
    a, b = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert set(a) >= {"points.parquet", "indices.json", "indices.parquet", "sensitivity.md",
                      "sensitivity.html", "sensitivity_p_driven.png"}  # fmt: skip
    assert a == b
    assert "p.driven: ST world.driver" in one.output


@pytest.mark.parametrize(
    ("args", "where", "message"),
    [
        (["-p", "world.tensoin=20:80"], "--param:1:1", "unknown name 'world.tensoin'"),
        (["-p", "world.tension=80:20"], "--param:1:15", "LOW must be below HIGH"),
        (["-p", "world.tension=20:20"], "--param:1:15", "LOW must be below HIGH"),
        (["-p", "world.tension=-5:80"], "--param:1:1", "outside its range [0, 100]"),
        (["-p", "world.tension=20:x"], "--param:1:18", "'x' is not a number"),
        (["-p", "world.tension"], "--param:1:1", "write NAME=LOW:HIGH"),
        (["-p", "PRK.risk_tolerance=0.2:3"], "--param:1:1", "risk_tolerance"),
        (["-p", "world.tension=20:80", "-N", "12"], "--samples:1:1", "power of 2"),
        (["-p", "world.tension=20:80", "--outcome", "nope"], "--outcome:1:1", "unknown outcome"),
        (["-p", "world.tension=20:80", "--method", "fast"], "--method:1:1", "choose sobol"),
        ([], "--param:1:1", "give at least one --param"),
    ],
)
def test_bad_input_is_one_located_error_and_no_folder(tmp_path, args, where, message):
    out = tmp_path / "never"
    result = runner.invoke(app, ["sensitivity", "baseline", *args, "-N", "4", "--out", str(out)]
                           if "-N" not in args else ["sensitivity", "baseline", *args,
                                                     "--out", str(out)])  # fmt: skip
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    match = DIAGNOSTIC.match(lines[0])
    assert match, lines[0]
    assert f"{match['path']}:{match['line']}:{match['col']}" == where
    assert message in match["msg"]
    assert not out.exists()
    assert not list(tmp_path.iterdir())  # no temporary folder either


def test_several_bad_params_are_each_located(tmp_path):
    result = runner.invoke(
        app,
        ["sensitivity", "baseline", "-p", "world.tension=20:80", "-p", "nope=1:2", "-p",
         "world.talks_prospects=9:3", "-N", "4", "--out", str(tmp_path / "x")],
    )  # fmt: skip
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert [line.split(": error")[0] for line in lines] == ["--param:2:1", "--param:3:23"]
    assert not (tmp_path / "x").exists()


def test_a_folder_is_never_overwritten_unless_named(known, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["sensitivity", str(known), "-p", PARAMS[0], "-p", PARAMS[1], "-m", "lhs", "-N", "5",
            "-n", "2", "--seed", "4", "--jobs", "1"]  # fmt: skip
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    default = tmp_path / "sensitivity-known-lhs-s4"
    assert (default / "indices.json").is_file()
    umask = os.umask(0)
    os.umask(umask)
    assert default.stat().st_mode & 0o777 == 0o777 & ~umask  # made like any folder
    again = runner.invoke(app, args)  # the default name, not chosen by the user: refused
    assert again.exit_code == 2
    assert "already exists" in again.output
    named = runner.invoke(app, [*args, "--out", str(default), "--seed", "4"])
    assert named.exit_code == 0, named.output  # named with --out: replaced by the new one
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = runner.invoke(app, [*args, "--out", str(other)])
    assert refused.exit_code == 2
    assert "holds no sensitivity analysis" in refused.output
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "sensitivity-known-lhs-s4"]


def test_a_failure_while_writing_leaves_nothing(known, tmp_path):
    def broken(folder, summary, points):
        (folder / "half.png").write_bytes(b"x")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_sensitivity(known, PARAMS, method="lhs", samples=5, runs=2, out=tmp_path / "o",
                        render=broken)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_the_report_section_renders(sobol):
    folder = sobol.out
    md = (folder / "sensitivity.md").read_text(encoding="utf-8")
    html = (folder / "sensitivity.html").read_text(encoding="utf-8")
    assert "## Global sensitivity" in md
    assert "Sobol' indices (Saltelli sampling)" in md
    assert "`world.driver`" in md and "`world.unread`" in md
    assert "Scenario discovery: driven" in md
    assert "world.driver: " in md and "1.000" in md  # the box, its density and coverage
    assert md.count("data:image/png;base64,") == 1
    assert '<section id="sensitivity">' in html and '<img src="data:image/png' in html
    png = (folder / "sensitivity_p_driven.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    table = pq.read_table(folder / "indices.parquet").to_pandas()
    row = table[(table["param"] == "world.driver") & (table["index"] == "ST")]
    assert row["value"].iloc[0] == sobol.indices["p.driven"]["params"]["world.driver"]["ST"]
    data = json.loads((folder / "indices.json").read_text(encoding="utf-8"))
    assert data["kind"] == "tripwire-sensitivity" and data["points"] == 96


def test_whole_number_parameters_are_played_whole(tmp_path):
    design = make_design("baseline", [Param("RUS.action_points", 1, 3)], method="lhs",
                         samples=12, runs=1, seed=1)  # fmt: skip
    played = set(design.values[:, 0].tolist())
    assert played <= {1.0, 2.0, 3.0} and len(played) == 3


def test_tripwire_report_renders_an_analysis_folder(sobol, tmp_path):
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(sobol.out), "--out", str(out)])
    assert result.exit_code == 0, result.output
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Global sensitivity" in md and "Scenario discovery: driven" in md
    assert '<section id="sensitivity">' in out.read_text(encoding="utf-8")


def test_a_damaged_analysis_is_a_located_error(sobol, tmp_path):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(sobol.out, folder)
    data = json.loads((folder / "indices.json").read_text(encoding="utf-8"))
    data["indices"]["p.driven"]["params"]["world.driver"] = "oops"
    (folder / "indices.json").write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 2
    (line,) = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith(f"{folder / 'indices.json'}:1:1: error: not the indices.json")
    (folder / "indices.json").write_text('{"kind": "tripwire-sensitivity",', encoding="utf-8")
    assert runner.invoke(app, ["report", str(folder)]).exit_code == 2
    assert not (folder / "report.html").exists()


def test_a_problem_file_gives_the_same_analysis_as_the_options(known, tmp_path):
    problem = tmp_path / "problem.yaml"
    problem.write_text(
        "params:\n  world.driver: [0, 100]\n  world.unread: [0, 100]\noutcomes: [driven]\n",
        encoding="utf-8",
    )
    common = ["sensitivity", str(known), "-m", "lhs", "-N", "6", "-n", "2", "--jobs", "1"]
    by_file = runner.invoke(app, [*common, "--problem", str(problem), "--out", str(tmp_path / "f")])
    by_options = runner.invoke(
        app,
        [*common, "-p", PARAMS[0], "-p", PARAMS[1], "--outcome", "driven", "--out",
         str(tmp_path / "o")],
    )  # fmt: skip
    assert by_file.exit_code == 0, by_file.output
    assert by_options.exit_code == 0, by_options.output
    assert _files(tmp_path / "f") == _files(tmp_path / "o")


def test_a_bad_problem_file_is_located_in_the_file(tmp_path):
    problem = tmp_path / "problem.yaml"
    problem.write_text(
        "params:\n  world.tensoin: [20, 80]\n  world.talks_prospects: [9, 3]\n"
        "  PRK.noise: nope\nrounds: 3\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["sensitivity", "baseline", "--problem", str(problem), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    lines = sorted(line for line in result.output.splitlines() if line.strip())
    assert [line.split(": error")[0] for line in lines] == [
        f"{problem}:3:26",
        f"{problem}:4:14",
        f"{problem}:5:1",
    ]
    assert "LOW must be below HIGH" in lines[0] and "rounds" in lines[2]
    problem.write_text("params:\n  world.tensoin: [20, 80]\n", encoding="utf-8")
    result = runner.invoke(
        app, ["sensitivity", "baseline", "--problem", str(problem), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"{problem}:2:3: error: unknown name 'world.tensoin'")
    assert not (tmp_path / "x").exists()


def test_points_that_differ_in_starting_values_share_rules_and_play_the_same_games(
    tmp_path, monkeypatch
):
    """A design over starting values and risk tolerances plays several points in one chunk
    on the base rules (one compile); every point's games are those of compiling the point,
    and of tripwire batch --set with its values."""
    from tripwire.batch import sensitivity as sens
    from tripwire.scenario.loader import load_scenario
    from tripwire.sim.rules import compile_rules

    params = [
        "world.tension=20:90",
        "param.erosion_war=0.01:0.1",
        "world.sanctions_loopholes=30:80",
        "PRK.risk_tolerance=0.1:0.9",
    ]
    shared = sens.shared_rules_names(compile_rules(load_scenario("baseline")))
    assert {p.split("=")[0] for p in params} <= shared
    assert "world.taiwan_strait" not in shared  # start(world.taiwan_strait) is read
    assert "param.goldstein_to_relations" not in shared  # folded into the move tables
    kwargs = {"method": "lhs", "samples": 6, "runs": 25, "seed": 3, "turns": 10,
              "means": ["world.tension"]}  # fmt: skip
    calls = []
    real = sens.play_group
    monkeypatch.setattr(sens, "play_group", lambda task: calls.append(task) or real(task))
    fast = run_sensitivity("baseline", params, out=tmp_path / "fast", **kwargs)
    assert calls and max(len(t.points) for t in calls) > 1  # points shared a chunk
    monkeypatch.setattr(sens, "shared_rules_names", lambda rules: set())  # compile each point
    slow = run_sensitivity("baseline", params, out=tmp_path / "slow", **kwargs)
    assert (tmp_path / "fast" / "points.parquet").read_bytes() == (
        tmp_path / "slow" / "points.parquet"
    ).read_bytes()
    row = fast.frame.iloc[4]
    sets = {p.split("=")[0]: row[p.split("=")[0]] for p in params}
    batch = run_batch("baseline", 25, seed=3, sets=sets, out=tmp_path / "b", turns=10,
                      plots=False)  # fmt: skip
    assert row["reached.missile_crisis_2"] == batch.frame["reached.missile_crisis_2"].sum()
    assert slow.frame.equals(fast.frame)
