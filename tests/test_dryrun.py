"""`tripwire triggers`: how often and how early each inject, trigger and outcome happens.

The dry run must count what the games really did (checked against full event logs of the
same games), be reproducible for a seed whatever the number of jobs, and replay the games a
batch with the same seed plays.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

from tripwire.authoring.dryrun import format_table, trigger_frequencies
from tripwire.batch.worker import run_seed
from tripwire.scenario.loader import load_scenario
from tripwire.sim.model import CrisisModel

STATS = {
    "text",
    "origin",
    "games",
    "share",
    "mean",
    "first_median",
    "first_p10",
    "first_p90",
    "first_month",
}


@pytest.fixture(scope="module")
def crisis():
    """missile_crisis_2, 30 games: a timeline, chance injects, an on-call inject, triggers."""
    return trigger_frequencies("missile_crisis_2", 30, seed=3)


def test_result_lists_every_inject_trigger_and_outcome(crisis, baseline_rules) -> None:
    """Every enabled inject, trigger and outcome has a row, with the documented fields."""
    spec = load_scenario("missile_crisis_2")
    assert crisis["scenario"] == "missile_crisis_2"
    assert (crisis["runs"], crisis["seed"], crisis["turns"], crisis["start"]) == (
        30,
        3,
        24,
        "2026-06",
    )
    assert list(crisis["injects"]) == [i.id for i in spec.injects]
    assert "missile_over_japan" in crisis["triggers"]
    assert set(baseline_rules.outcome_ids) <= set(crisis["outcomes"])
    for kind in ("injects", "triggers", "outcomes"):
        for stats in crisis[kind].values():
            assert set(stats) == STATS
            assert 0 <= stats["share"] <= 1
            assert stats["games"] == round(stats["share"] * 30)
    assert crisis["triggers"]["missile_over_japan"]["origin"] == "scenario"
    assert crisis["triggers"]["provocation_spiral"]["origin"] == "catalog"


def test_timeline_injects_happen_on_their_turn(crisis) -> None:
    """A scheduled inject fires once in every game, on its turn (and its month is shown)."""
    stats = crisis["injects"]["taiwan_strait_crisis"]
    assert (stats["share"], stats["mean"]) == (1.0, 1.0)
    assert (stats["first_p10"], stats["first_median"], stats["first_p90"]) == (3, 3, 3)
    assert stats["first_month"] == "2026-08"


def test_counts_match_the_event_logs_of_the_same_games(crisis) -> None:
    """Shares, means and first turns are those of the games' full logs."""
    rules = CrisisModel("missile_crisis_2").rules
    fired: dict[str, list[list[int]]] = {}
    for i in range(30):
        model = CrisisModel(rules, rng=run_seed(3, i), collect=False).run()
        turns: dict[str, list[int]] = {}
        for e in model.log:
            if e.get("kind") in ("inject", "trigger", "outcome"):
                turns.setdefault(e["id"], []).append(e["turn"])
        for ident in {**crisis["injects"], **crisis["triggers"], **crisis["outcomes"]}:
            fired.setdefault(ident, []).append(turns.get(ident, []))
    for kind in ("injects", "triggers", "outcomes"):
        for ident, stats in crisis[kind].items():
            games = [t for t in fired[ident] if t]
            assert stats["games"] == len(games), ident
            assert stats["mean"] == pytest.approx(sum(map(len, fired[ident])) / 30), ident
            if games:
                first = np.array([min(t) for t in games])
                median = np.quantile(first, 0.5, method="inverted_cdf")
                assert stats["first_median"] == median, ident
                assert stats["first_p10"] <= stats["first_median"] <= stats["first_p90"]
            else:
                assert stats["first_median"] is stats["first_month"] is None


def test_same_seed_same_numbers_whatever_the_jobs(crisis) -> None:
    """A dry run is reproducible: the same seed gives the same result, with 1 or 2 jobs."""
    assert trigger_frequencies("missile_crisis_2", 30, seed=3, jobs=2) == crisis
    other = trigger_frequencies("missile_crisis_2", 30, seed=4)
    assert other != crisis


def test_runs_and_jobs_must_be_positive() -> None:
    """Zero games or zero jobs is a usage error, not an empty table."""
    with pytest.raises(ValueError, match="at least 1"):
        trigger_frequencies("baseline", 0)
    with pytest.raises(ValueError, match="at least 1"):
        trigger_frequencies("baseline", 5, jobs=0)


def test_table_shows_a_row_per_entry_and_dashes_for_never(crisis) -> None:
    """The table has one row per entry; the scenario's own rows come before the catalog's."""
    table = format_table(crisis)
    rows = sum(len(crisis[k]) for k in ("injects", "triggers", "outcomes"))
    assert table.row_count == rows
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(table)
    text = out.getvalue()
    assert "Missile Crisis 2.0: 30 games (seed 3)" in text
    assert text.index("missile_over_japan") < text.index("provocation_spiral")
    never = [i for i, s in crisis["triggers"].items() if s["games"] == 0]
    for ident in never:
        line = next(x for x in text.splitlines() if f" {ident} " in x)
        assert line.rstrip(" │").endswith("-")
