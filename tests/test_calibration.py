"""Fidelity: the baseline reproduces the analysis' table, for the right reasons.

The causal checks are the ones `tripwire calibrate` runs (tripwire.calibration), here on
small batches: generous thresholds, but each one a claim of the analysis about a cause.
"""

from __future__ import annotations

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
)

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


def test_missile_launches_within_history(baseline):
    """DPRK missile launch days per year sit in the range the CNS data show for 2012-2025."""
    launches, escalation = history_lines(baseline)
    assert launches.passed, launches.measured
    assert escalation.passed is None and "Rivera" in escalation.expected


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
