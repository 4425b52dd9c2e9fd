"""Sensitivity analysis throughput, next to the plain batch engine measured in the same run.

    python benchmarks/sensitivity.py [--quick] [--jobs J] [--samples N] [--runs R]

The target (issue 15, item 4): a Sobol' analysis of 10 parameters of the baseline scenario
with 256 base samples (N(2D+2) = 5,632 design points) and 200 games per point, under 10
minutes on 2 cores. Prints, measured in this run:

- the analysis' wall time (design, games, SALib, discovery, plots, files) next to the target;
- the floor: the plain batch engine (``run_batch``, same scenario, same ``--jobs``) playing
  ``--floor-games`` games in one point, its games/s, and the time the analysis' games would
  take at that rate: what the analysis costs beyond playing its games is the difference;
- where an analysis' point goes, timed one by one in this process: building the point's
  scenario (overrides, validation), compiling its rules and the lockstep kernel, and playing
  its games (a batch compiles once; a design compiles once per point).

``--quick`` runs 16 base samples and 50 games per point (352 points): a check that the
script works, in about a minute. A smaller design (``--samples 32``) also prints the target's
time projected from its own games/s (the cost per point does not depend on the design's
size), for machines where the full run does not fit.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

SCENARIO = "baseline"
TARGET_SECONDS = 600.0
# Ten --set names of different kinds: starting values, model parameters, actor parameters
# (--design mixed). A value that a condition reads with start() (world.taiwan_strait) changes
# the compiled rules, so each point compiles its own.
MIXED = [
    "world.tension=20:90",
    "world.sanctions_enforcement=0.1:0.8",
    "world.taiwan_strait=10:80",
    "world.sanctions_loopholes=30:80",
    "RUS.war_urgency=40:95",
    "USA.attention_elsewhere=10:70",
    "param.war_urgency_target=40:95",
    "param.erosion_war=0.01:0.1",
    "PRK.risk_tolerance=0.2:0.9",
    "CHN.risk_tolerance=0.1:0.8",
]
# Ten starting values and model parameters that compiling reads nowhere, and risk tolerances
# (--design state, the default): points share the base rules, 1,000 games to a chunk.
STATE = [
    "world.tension=20:90",
    "world.sanctions_enforcement=0.1:0.8",
    "world.sanctions_loopholes=30:80",
    "RUS.war_urgency=40:95",
    "USA.attention_elsewhere=10:70",
    "param.war_urgency_target=40:95",
    "param.erosion_war=0.01:0.1",
    "param.tension_rungs=0:1",
    "param.arms_race_tension=0:0.06",
    "PRK.risk_tolerance=0.2:0.9",
]
PARAMS = STATE


def floor(games: int, jobs: int) -> float:
    """Games per second of the plain batch engine on this machine now."""
    from tripwire.batch.runner import run_batch

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_batch(SCENARIO, games, seed=1, jobs=jobs, out=Path(tmp) / "b", plots=False)
        return games / (time.perf_counter() - start)


def per_point(runs: int, points: int = 12) -> dict[str, float]:
    """Median seconds of each step of a design point, played in this process."""
    from tripwire.batch.sensitivity import _tasks, make_design, play_point
    from tripwire.batch.worker import run_seed
    from tripwire.catalog import load_catalog
    from tripwire.scenario.loader import scenario_names
    from tripwire.scenario.overrides import apply_overrides
    from tripwire.scenario.schema import Scenario
    from tripwire.sim.lockstep import LockstepModel, kernel
    from tripwire.sim.rules import compile_rules

    design = make_design(SCENARIO, PARAMS, method="lhs", samples=points, runs=runs, seed=9)
    catalog = load_catalog()
    seeds = tuple(run_seed(1, i) for i in range(runs))
    steps: dict[str, list[float]] = {"scenario": [], "compile": [], "kernel": [], "games": []}
    for point in range(points):
        t0 = time.perf_counter()
        spec = apply_overrides(design.scenario, design.assignments(point), catalog, "--param")
        doc = spec.model_dump(mode="json")
        spec = Scenario.model_validate(doc, context=scenario_names(doc, catalog))
        t1 = time.perf_counter()
        rules = compile_rules(spec, catalog)
        t2 = time.perf_counter()
        kernel(rules)
        t3 = time.perf_counter()
        LockstepModel(rules, seeds).run()
        t4 = time.perf_counter()
        for key, value in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            value and steps[key].append(value)
    # the worker's own function, once, to check it is what is timed above
    play_point(next(_tasks(design, seeds, [0])))
    return {key: statistics.median(values) for key, values in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 base samples, 50 games each")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--floor-games", type=int, default=None, help="games of the floor")
    parser.add_argument(
        "--design",
        choices=("state", "mixed"),
        default="state",
        help="state: ten starting values and model parameters (points share rules); mixed: "
        "actor parameters and start()-read values too (each point compiles its own)",
    )
    args = parser.parse_args()
    global PARAMS  # noqa: PLW0603 (the design the whole run uses)
    PARAMS = STATE if args.design == "state" else MIXED
    samples = args.samples or (16 if args.quick else 256)
    runs = args.runs or (50 if args.quick else 200)
    floor_games = args.floor_games or (20_000 if args.quick else 60_000)

    from tripwire.batch.sensitivity import design_points, run_sensitivity
    from tripwire.report.sensitivity import render

    points = design_points("sobol", len(PARAMS), samples)
    games = points * runs
    print(
        f"Sobol' analysis of {SCENARIO}: {len(PARAMS)} parameters, N = {samples}: "
        f"{points:,} points x {runs} games = {games:,} games, --jobs {args.jobs}"
    )

    rate = floor(floor_games, args.jobs)
    print(
        f"floor: plain batch engine, {floor_games:,} games in one point: {rate:,.0f} games/s"
        f" -> the analysis' games alone would take {games / rate:,.0f} s"
    )

    steps = per_point(runs)
    total = sum(steps.values())
    print(
        f"one design point of {runs} games, in this process (median of 12): "
        + ", ".join(f"{k} {v * 1000:.0f} ms ({v / total:.0%})" for k, v in steps.items())
    )

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = run_sensitivity(
            SCENARIO,
            PARAMS,
            method="sobol",
            samples=samples,
            runs=runs,
            seed=1,
            jobs=args.jobs,
            out=Path(tmp) / "s",
            render=render,
            discover_outcomes=["sanctions_collapse"],
        )
        wall = time.perf_counter() - start
    played = result.played.seconds
    full = design_points("sobol", len(PARAMS), 256) * 200
    if games != full:
        verdict = "not the target design: see the projection below"
    else:
        verdict = "met" if wall <= TARGET_SECONDS else "MISSED"
    print(
        f"sensitivity analysis: {wall:,.0f} s wall ({played:,.0f} s playing the points, "
        f"{games / played:,.0f} games/s; {wall - played:,.0f} s design, SALib, discovery, "
        f"plots, files)"
    )
    print(
        f"target: {TARGET_SECONDS:.0f} s ({verdict}); the floor's games/s would play these "
        f"games in {games / rate:,.0f} s: the analysis takes {wall / (games / rate):.2f}x that"
    )
    if games != full:  # the per-game cost measured here, on the target's games
        print(
            f"projected for the target design ({full:,} games) at this run's rate: "
            f"{wall * full / games:,.0f} s; at the floor's: {full / rate:,.0f} s"
        )
    top = result.indices.get("p.sanctions_collapse", {})
    if "params" in top:
        ranked = sorted(top["params"], key=lambda n: -(top["params"][n]["ST"] or 0))[:3]
        print(
            "p.sanctions_collapse, largest ST: "
            + ", ".join(
                f"{n} {top['params'][n]['ST']:.2f}±{top['params'][n]['ST_conf']:.2f}"
                for n in ranked
            )
        )


if __name__ == "__main__":
    main()
