"""The calibration method: ABC-SMC (pyabc) fits the free parameters, reproducibly, and the
fitted values are the model's defaults."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from tripwire.calibration import CAUSAL_CHECKS
from tripwire.catalog import load_catalog
from tripwire.fit import (
    CAUSE_ROOM,
    CAUSES,
    FREE,
    MIN_ESS,
    FitResult,
    candidates,
    cause_miss,
    cause_scenarios,
    confirm,
    effective_sample_size,
    fit,
    fitted_yaml,
    from_history,
    kept_generation,
    posterior_draws,
    simulate,
)
from tripwire.scenario.loader import load_scenario


def _fitted() -> dict:
    from importlib import resources

    text = resources.files("tripwire.catalog").joinpath("fitted.yaml").read_text("utf-8")
    return yaml.safe_load(text) or {}


def test_fitted_values_are_the_defaults():
    """Every value of catalog/fitted.yaml is the catalog's default, inside its prior's
    range; the posterior draws name the free parameters."""
    catalog = load_catalog()
    values = _fitted().get("values") or {}
    assert set(values) == {f.name for f in FREE}
    defaults = {v.name: v.default for v in catalog.variables}
    for free in FREE:
        entry = values[free.name]
        lo, hi = entry["interval"]
        assert free.low <= lo <= hi <= free.high and free.low <= entry["value"] <= free.high
        if free.name in defaults:
            assert defaults[free.name] == pytest.approx(entry["value"])
        else:
            code, _, objective = free.name.partition(".objectives.")
            weight = catalog.actors[code].objectives[objective].weight
            assert weight == pytest.approx(entry["value"])
    draws = posterior_draws()
    assert len(draws) >= 5 and all(set(d) == set(values) for d in draws)


def test_a_collapsed_generation_is_not_kept():
    """A generation whose weight sits on a few particles (intervals shrunk to points) is
    not kept; the last healthy one is. Equal weights have the full sample size."""
    even = np.ones(100)
    collapsed = np.r_[np.full(3, 1.0), np.full(97, 1e-6)]
    assert effective_sample_size(even) == pytest.approx(100)
    assert effective_sample_size(collapsed) < MIN_ESS * 100
    assert kept_generation([even, even * 2, collapsed], 100) == 1
    assert kept_generation([even, collapsed, even], 100) == 2
    assert kept_generation([collapsed], 100) == 0


def test_the_fitted_model_is_closer_to_the_targets_than_the_edges_of_the_prior():
    """The distance from the targets at the fitted values is smaller than at the corners of
    the prior box: the fit found something (a wrong fit, or none, would not)."""
    base = load_scenario("baseline")
    fitted = simulate(base, {}, 300, 1)
    low = simulate(base, {f.name: f.low for f in FREE}, 300, 1)
    high = simulate(base, {f.name: f.high for f in FREE}, 300, 1)
    assert fitted < min(low, high)


def test_a_cause_the_fit_aims_at_counts_when_its_effect_is_too_small():
    """The fit's distance counts how far each causal claim it aims at falls short of its
    calibrate check: nothing when the effect is clear, more the further it falls short, most
    when it goes the wrong way; a counterfactual that changes nothing adds its whole miss."""
    checks = {c.name: c for c in CAUSAL_CHECKS}
    assert set(CAUSES) <= set(checks)
    down = checks["No crisis over Taiwan or in Ukraine"]  # tests must fall, by at least 1
    assert cause_miss(down, 20.0, 15.0) == 0
    assert 0 < cause_miss(down, 20.0, 18.5) < cause_miss(down, 20.0, 19.5)
    assert cause_miss(down, 20.0, 19.5) < cause_miss(down, 20.0, 22.0)
    up = checks["A tense start (tension 85)"]  # MC2.0 must rise 1.05x and by 0.02
    assert cause_miss(up, 0.40, 0.50) == 0
    assert cause_miss(up, 0.40, 0.41) > 0 and cause_miss(up, 0.40, 0.38) > 0
    # aiming a little beyond the check: an effect that only just passes still counts
    assert cause_miss(up, 0.40, 0.40 * up.factor + 1e-9) > 0
    base = load_scenario("baseline")
    plain = simulate(base, {}, 100, 1)
    nothing = simulate(base, {}, 100, 1, [(down, base)])
    assert nothing - plain == pytest.approx(1 - (down.factor - CAUSE_ROOM) + 1 + CAUSE_ROOM)


@pytest.mark.slow
def test_a_fit_is_reproducible_and_narrows():
    """The same seed gives the same fit; the accepted distance falls generation by
    generation."""
    first = fit("baseline", population=8, generations=2, games=120, seed=3, finalists=2)
    second = fit("baseline", population=8, generations=2, games=120, seed=3, finalists=2)
    assert fitted_yaml(first, "baseline", seed=3) == fitted_yaml(second, "baseline", seed=3)
    assert first.epsilons[-1] < first.epsilons[1]


class _Particle:
    def __init__(self, a: float, distance: float, weight: float = 1.0):
        self.parameter, self.distance, self.weight = {"p0": a}, distance, weight


class _History:
    """pyabc's History, as much of it as the fit reads: two generations of particles."""

    max_t = 1

    def __init__(self):
        self.generations = [
            [_Particle(0.1, 3.0), _Particle(0.2, 2.0), _Particle(0.3, 2.5)],
            [_Particle(0.2, 2.0), _Particle(0.4, 1.0), _Particle(0.5, 1.5)],
        ]

    def get_population(self, t: int):
        class Population:
            particles = self.generations[t]

        return Population

    def get_all_populations(self):
        import pandas as pd

        return pd.DataFrame({"t": [-1, 0, 1], "epsilon": [np.inf, 3.0, 2.0]})


def test_the_defaults_are_the_closest_set_on_fresh_games(monkeypatch):
    """The finalists are the distinct accepted sets closest to the targets, over every
    generation; the defaults are the finalist closest on games of another seed, not the one
    whose own games happened to land nearest (the winner's curse)."""
    free = FREE[:1]
    name = free[0].name
    history = _History()
    finalists = candidates(history, free, 3)
    assert [v[name] for v in finalists] == [0.4, 0.5, 0.2]  # 0.2 twice in the record: once
    result = from_history(history, free, population=3)
    assert result.best() == {name: 0.4} and result.distance() == 1.0
    replayed = {0.4: 0.9, 0.5: 0.3, 0.2: 0.6}  # on fresh games 0.5 is the closest
    seeds = []

    def fake(_base, values, games, seed, _causes=()):
        seeds.append((games, seed))
        return replayed[values[name]]

    monkeypatch.setattr("tripwire.fit.simulate", fake)
    chosen = confirm(result, history, base=None, free=free, causes=(), seed=5, games=100, count=3)
    assert isinstance(chosen, FitResult)
    assert chosen.best() == {name: 0.5} and chosen.distance() == 0.3
    assert set(seeds) == {(200, 6)}  # twice the fit's games, of the next batch seed
    assert "confirmed_on: 200 games of batch seed 6" in fitted_yaml(chosen, "baseline", seed=5)


def test_checks_of_one_change_are_each_judged_on_one_shared_scenario(tmp_path):
    """Two checks of the same counterfactual (same name, different measures) are both
    judged, on one scenario built once: choosing checks by name judged the first twice."""
    twins = [c for c in CAUSAL_CHECKS if c.name == "Moscow keeps its military distance"]
    assert len(twins) == 2 and twins[0].label != twins[1].label
    built = cause_scenarios("baseline", tmp_path, twins)
    assert [check for check, _ in built] == twins
    assert built[0][1] is built[1][1]
    default = cause_scenarios("baseline", tmp_path / "default")
    assert [check.name for check, _ in default] == list(CAUSES)
