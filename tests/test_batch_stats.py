"""Honest batch statistics (issue 15, items 2 and 3): per-point intervals, paired differences
by seed, seed-clustered pooled intervals, cumulative incidence, exact fan quantiles, the
swept values as columns and band verdicts only for the scenarios the bands rate."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from tripwire.api import run_batch  # the batch, then summary.md and the plots
from tripwire.batch.stats import (
    clustered_wilson,
    design_effect,
    paired_difference,
    unpaired_difference,
    wilson,
)

SWEEP = [("world.tension", [20.0, 85.0]), ("param.war_urgency_target", [40.0])]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("stats") / "s"
    return run_batch("baseline", 120, seed=11, jobs=1, sweeps=SWEEP, turns=10, out=out)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    out = tmp_path_factory.mktemp("stats") / "p"
    return run_batch("baseline", 150, seed=11, jobs=1, turns=10, out=out)


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[int, int, int, int]:
    return (
        int((a & b).sum()),
        int((a & ~b).sum()),
        int((~a & b).sum()),
        int((~a & ~b).sum()),
    )


def test_paired_interval_is_narrower_than_unpaired_on_correlated_points():
    """Common random numbers make points positively correlated; pairing by seed then gives a
    narrower interval than treating the points as independent batches."""
    rng = np.random.default_rng(3)
    base = rng.random(400)
    a, b = base < 0.40, base < 0.48  # the same dice: strongly correlated
    d, (lo, hi) = paired_difference(*_paired(a, b))
    _, (ulo, uhi) = unpaired_difference(*_paired(a, b))
    assert d == pytest.approx(a.mean() - b.mean())
    assert lo <= d <= hi and ulo <= d <= uhi
    assert hi - lo < 0.5 * (uhi - ulo)
    assert hi < 0  # the paired comparison sees the 8-point difference; the unpaired cannot
    assert uhi > 0


def test_paired_interval_without_correlation_is_the_unpaired_one():
    """phi = 0 (a table with ad = bc) gives Newcombe's interval for independent samples."""
    assert paired_difference(10, 10, 10, 10) == unpaired_difference(10, 10, 10, 10)
    d, (lo, hi) = paired_difference(25, 25, 25, 25)
    assert d == 0 and lo == pytest.approx(-hi)


def test_paired_interval_covers_the_true_difference():
    """Simulated paired binary data (correlated, true difference 0.1): the 95% interval
    holds the truth in about 95% of 2,000 samples of 150 pairs."""
    rng = np.random.default_rng(7)
    covered = 0
    reps = 2000
    for _ in range(reps):
        u = rng.random(150)
        v = np.where(rng.random(150) < 0.7, u, rng.random(150))  # 70% shared dice
        a, b = u < 0.45, v < 0.35
        _, (lo, hi) = paired_difference(*_paired(a, b))
        covered += lo <= 0.10 <= hi
    assert 0.93 <= covered / reps <= 0.975


def test_design_effect_widens_the_pooled_interval_of_shared_seeds():
    """Two points that play identical games (the same seeds) hold as much information as
    one: the pooled interval is that of the seeds alone, not of twice as many games."""
    rng = np.random.default_rng(1)
    hit = (rng.random(300) < 0.3).astype(np.int64)
    per_seed = 2 * hit  # both points reached it with the same seed, or neither did
    (lo, hi), deff = clustered_wilson(per_seed, 2)
    assert deff == pytest.approx(2 * 300 / 299, rel=1e-9)
    one_lo, one_hi = wilson(int(hit.sum()), 300)
    assert hi - lo == pytest.approx(one_hi - one_lo, abs=0.002)
    independent = rng.binomial(2, 0.3, size=300)
    assert design_effect(independent, 2) < 1.15  # no sharing, (almost) no widening


def test_sweep_summary_has_per_point_intervals_and_paired_differences(sweep):
    """Each point's outcomes have Wilson intervals; each later point has its paired
    difference from point 0, recomputed here from runs.parquet by pairing rows by seed."""
    s = sweep.summary
    frame = sweep.frame
    assert len(s["points"]) == 2
    for p, point in enumerate(s["points"]):
        rows = frame[frame["point"] == p]
        for oid, o in point["outcomes"].items():
            count = int(rows[f"reached.{oid}"].sum())
            assert o["count"] == count
            assert o["ci95"] == [round(x, 4) for x in wilson(count, len(rows))]
    ref = frame[frame["point"] == 0].set_index("seed")
    other = frame[frame["point"] == 1].set_index("seed")
    assert sorted(ref.index) == sorted(other.index)  # the points share their seeds
    other = other.loc[ref.index]
    rows = [d for d in s["differences"] if d["point"] == 1]
    assert len(rows) == len(s["outcomes"])
    for d in rows:
        a = other[f"reached.{d['outcome']}"].to_numpy(bool)
        b = ref[f"reached.{d['outcome']}"].to_numpy(bool)
        diff, (lo, hi) = paired_difference(*_paired(a, b))
        assert d["difference"] == round(diff, 4)
        assert d["ci95"] == [round(lo, 4), round(hi, 4)]
        assert d["ci95"][1] - d["ci95"][0] <= d["unpaired_ci95"][1] - d["unpaired_ci95"][0]


def test_a_sweep_is_not_judged_and_its_pooled_intervals_are_clustered(sweep):
    """No pooled band verdict for a sweep; its pooled intervals are widened by the design
    effect of the shared seeds."""
    s = sweep.summary
    assert s["bands"] is False
    for o in s["outcomes"].values():
        assert "in_band" not in o and "ci_in_band" not in o and "band" not in o
        assert o["design_effect"] >= 1
        plain_lo, plain_hi = wilson(o["count"], s["runs"])
        assert o["ci95"][1] - o["ci95"][0] >= round(plain_hi - plain_lo, 4) - 1e-4
    for point in s["points"]:
        assert all("band" not in o for o in point["outcomes"].values())
    md = (sweep.out / "summary.md").read_text(encoding="utf-8")
    assert "In band" not in md and "Not judged against the analysis' bands" in md
    assert not (sweep.out / "outcomes.png").exists()  # no pooled chart
    assert (sweep.out / "outcomes_by_point.png").is_file()


def test_swept_values_are_columns_of_runs_parquet(sweep):
    table = pq.read_table(sweep.out / "runs.parquet")
    names = table.column_names
    assert names[:5] == ["run", "point", "seed", "world.tension", "param.war_urgency_target"]
    points = table.column("point").to_numpy()
    tension = table.column("world.tension").to_numpy()
    assert set(tension[points == 0]) == {20.0} and set(tension[points == 1]) == {85.0}
    assert set(table.column("param.war_urgency_target").to_pylist()) == {40.0}


def test_cumulative_incidence_ends_at_the_outcome_probability(sweep, plain):
    for batch in (sweep, plain):
        for point in batch.summary["points"]:
            for oid, curve in point["cumulative_incidence"].items():
                o = point["outcomes"][oid]
                assert curve["turn"] == list(range(11))
                assert curve["probability"][0] == 0.0  # nothing is reached before turn 1
                assert curve["count"][-1] == o["count"]
                assert curve["probability"][-1] == o["probability"]
                assert curve["ci95"][-1] == o["ci95"]
                assert curve["count"] == sorted(curve["count"])  # never decreases
    frame = plain.frame
    for oid, curve in plain.summary["cumulative_incidence"].items():
        turns = frame[f"turn.{oid}"]
        assert curve["count"] == [int((turns <= t).sum()) for t in range(11)]


def test_fan_quantiles_are_exact_and_start_at_the_start_value(plain):
    """Turn 0 of every quantile is the scenario's starting value; every quantile is
    numpy's inverted-CDF quantile of the games' values at that turn."""
    fans = plain.summary["fans"]
    table = pq.read_table(plain.out / "runs.parquet")
    for var, fan in fans.items():
        values = np.array(table.column(f"fan.{var}").to_pylist(), dtype=np.float64)
        for name, q in (("p10", 0.1), ("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9)):
            exact = np.quantile(values, q, axis=0, method="inverted_cdf")
            assert fan[name] == [round(float(x), 4) for x in exact], (var, name)
            assert fan[name][0] == values[0, 0]  # every game starts from the same value
    assert fans["world.tension"]["p10"][0] == fans["world.tension"]["p90"][0] == 50.0


def test_bands_judge_only_the_bundled_scenarios_as_shipped(plain, tmp_path):
    """baseline as shipped is judged; with --set, or a custom file, it is not unless asked."""
    assert plain.summary["bands"] is True
    assert all("in_band" in o for o in plain.summary["outcomes"].values())
    changed = run_batch(
        "baseline", 20, seed=1, turns=4, sets={"world.tension": 60.0}, out=tmp_path / "c"
    )
    assert changed.summary["bands"] is False
    assert all("in_band" not in o for o in changed.summary["outcomes"].values())
    asked = run_batch(
        "baseline", 20, seed=1, turns=4, sets={"world.tension": 60.0}, bands=True,
        out=tmp_path / "a",
    )  # fmt: skip
    assert all("in_band" in o for o in asked.summary["outcomes"].values())
    custom = tmp_path / "mine.yaml"
    custom.write_text(
        "schema_version: 1\nid: mine\ntitle: Mine\ndescription: baseline, renamed.\n"
        "extends: baseline\n",
        encoding="utf-8",
    )
    mine = run_batch(custom, 20, seed=1, turns=4, out=tmp_path / "m")
    assert mine.summary["bands"] is False
    assert all("in_band" not in o for o in mine.summary["outcomes"].values())


def test_each_sweep_point_has_its_own_fans(sweep):
    """The pooled fans mix the points; each point's own quantiles start at its value."""
    for point in sweep.summary["points"]:
        fan = point["fans"]["world.tension"]
        start = point["values"]["world.tension"]
        assert fan["p10"][0] == fan["median"][0] == fan["p90"][0] == start
    pooled = sweep.summary["fans"]["world.tension"]
    assert pooled["p10"][0] == 20.0 and pooled["p90"][0] == 85.0
