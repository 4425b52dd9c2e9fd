"""Fidelity: the baseline reproduces the analysis' table, for the right reasons.

The causal checks are the ones `tripwire calibrate` runs (tripwire.calibration), here on
small batches: generous thresholds, but each one a claim of the analysis about a cause.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from tripwire.batch.runner import run_batch
from tripwire.calibration import (
    CAUSAL_CHECKS,
    CRISIS_SCENARIOS,
    band_lines,
    causal_line,
    clearly_more_likely,
    counterfactual,
    history_lines,
    logged_games,
    target_lines,
)
from tripwire.scenario.loader import load_scenario

RUNS = 200


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return run_batch("baseline", RUNS, seed=4, jobs=1, out=tmp_path_factory.mktemp("b") / "b")


@pytest.fixture(scope="module")
def calibration_batch(tmp_path_factory):
    """The calibration batch itself: 2,000 baseline games on two workers."""
    return run_batch("baseline", 2000, seed=1, jobs=2, out=tmp_path_factory.mktemp("c") / "c")


def test_baseline_reproduces_the_analysis_table(calibration_batch):
    """Over 2,000 games, each outcome's probability and its 95% interval lie inside the band
    of the analysis' rating: Enhanced Tech Alliance High, Missile Crisis 2.0 Medium,
    Sanctions Collapse High, China Mediation Backfires Low."""
    lines = band_lines(calibration_batch)
    assert [line.name for line in lines] == [
        "Enhanced Tech Alliance",
        "Missile Crisis 2.0",
        "Sanctions Collapse",
        "China Mediation Backfires",
    ]
    failed = [
        f"{line.name}: {line.measured} vs {line.expected}" for line in lines if not line.passed
    ]
    assert not failed


@pytest.mark.parametrize("check", CAUSAL_CHECKS, ids=lambda c: f"{c.name}: {c.label}")
def test_one_cause_at_a_time(check, baseline, tmp_path):
    """Changing one cause moves the outcome the way the analysis says (see the check's source)."""
    spec = counterfactual("baseline", check, tmp_path)
    cf = run_batch(spec, RUNS, seed=4, jobs=1, out=tmp_path / "cf")
    line = causal_line(check, baseline.frame, cf.frame)
    assert line.passed, f"{line.name}: {line.measured}, expected {line.expected}"


@pytest.mark.parametrize("name", CRISIS_SCENARIOS)
def test_crisis_scenario_makes_its_own_outcome_more_likely(name, baseline, tmp_path):
    """Each crisis scenario makes its own outcome clearly more likely than the baseline does."""
    own = run_batch(name, RUNS, seed=4, jobs=1, out=tmp_path / "s").frame
    before = float(baseline.frame[f"reached.{name}"].mean())
    after = float(own[f"reached.{name}"].mean())
    assert clearly_more_likely(before, after), (before, after)


def test_the_record_and_the_trends(calibration_batch):
    """The record's base rates (DPRK launch days, test mix, nuclear tests, UN resolutions,
    vetoes, summits, munitions), policy reversals, the analysis' trends and levels hold over
    the calibration batch, and no variable runs away to a bound."""
    logs = logged_games(load_scenario("baseline"), 1, 60)
    lines = target_lines(calibration_batch, logs)
    assert {line.kind for line in lines} == {"rate", "mix", "reversal", "trend", "level", "stuck"}
    failed = [f"{line.name}: {line.measured} vs {line.expected}" for line in lines
              if not line.passed]  # fmt: skip
    assert not failed


def test_escalation_score_is_reported_next_to_published_runs(baseline):
    (escalation,) = history_lines(baseline)
    assert escalation.passed is None and "Rivera" in escalation.expected


def test_no_check_holds_by_definition(baseline):
    """A counterfactual never judges an outcome whose condition names what the
    counterfactual changed (that check would hold by definition)."""
    import re

    import pandas as pd

    from tripwire.catalog import load_catalog

    class Recording(pd.DataFrame):
        read: ClassVar[set[str]] = set()

        def __getitem__(self, key):
            keys = key if isinstance(key, list) else [key]
            Recording.read.update(k for k in keys if isinstance(k, str))
            return pd.DataFrame.__getitem__(self, key)

    conditions = {o.id: o.when for o in load_catalog().outcomes}
    for check in CAUSAL_CHECKS:
        Recording.read = set()
        check.metric(Recording(baseline.frame))
        changed = set(re.findall(r"[A-Za-z_]+\.[A-Za-z_]+|\b[a-z]+_[a-z_]+\b", check.changes))
        for column in Recording.read:
            if column.startswith("reached."):
                named = changed & set(re.findall(r"[A-Za-z_.]+", conditions[column[8:]]))
                assert not named, f"{check.name}: {column} names {named}"
        assert Recording.read, check.name


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [
        (0.7, 0.99, True),
        (0.09, 0.35, True),
        (0.4, 0.45, False),
        (0.01, 0.05, False),
        (0.5, 0.6, False),
    ],
)
def test_clearly_more_likely(before, after, verdict):
    """'Clearly more likely' means odds at least doubled and at least +0.1 probability."""
    assert clearly_more_likely(before, after) is verdict
