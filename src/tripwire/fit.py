"""Fitting the model's free parameters: approximate Bayesian computation (ABC-SMC, pyabc).

The free parameters (:data:`FREE`) are the model's least-known numbers: how fast each cause
erodes sanctions, how strongly the DPRK is drawn to posturing and to coercion, what repeated
moves cost. Everything else comes from the analysis or the reference data. ABC draws
parameter sets from uniform priors, plays each as a lockstep batch of the scenario (the same
seeds for every set: common random numbers), and measures how far the batch lies from the
targets: the analysis' outcome bands (section VI) and the record's base rates, trends and
levels (``catalog/targets.yaml``); a target met counts 0, one missed counts its distance
outside its range in units of the range (aiming a little inside each range,
:data:`BAND_ROOM` and :data:`RATE_ROOM`, so that the calibration's own batch lands
inside). pyabc's sequential Monte Carlo (Del Moral et al. 2012, Klinger et al. 2018) keeps
the sets closest to the targets, generation by generation.

Late generations of ABC-SMC can collapse: a few particles carry nearly all the weight and
the 90% intervals shrink to points, an artefact of a tolerance tighter than the games' noise,
not knowledge. The fit therefore takes its intervals and posterior draws from the last
generation whose effective sample size (Kish: (sum w)^2 / sum w^2) is at least
:data:`MIN_ESS` of the population, and records which. The defaults are chosen among the
:data:`CONFIRM` parameter sets closest to the targets in any generation, by replaying each on
fresh games (another batch seed), against the targets and every one-cause check of
``tripwire calibrate``: the closest set of the fit's own games is partly the one
whose games happened to land nearest (the winner's curse), and such a set can miss a target
on the calibration's larger batch.

``tripwire fit`` (``make fit``) writes the result to ``catalog/fitted.yaml``: the confirmed
parameter set becomes the defaults (a point the model was played at;
marginal medians need not be one), with each parameter's central 90% interval and a handful of
posterior draws that ``tripwire calibrate`` plays to report each outcome's probability with
its parameter uncertainty. The same seed gives the same fit.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tripwire import targets
from tripwire.batch.worker import ChunkTask, run_chunk, run_seed
from tripwire.calibration import CAUSAL_CHECKS, CausalCheck, counterfactual
from tripwire.catalog import load_catalog
from tripwire.scenario.loader import load_scenario, scenario_digest
from tripwire.scenario.overrides import Assignment, apply_overrides
from tripwire.scenario.schema import Scenario
from tripwire.sim.rules import compile_rules

BAND_ROOM = 0.06  # the fit aims this far inside each band
RATE_ROOM = 0.05  # and this share of each rate range's width inside it (bounds but 0)
# The causal claims the fit aims at besides the targets: those the free parameters bear on
# most directly (the strength of the DPRK's opportunism, how tension lifts a test into a
# crisis), which a fit to rates and bands alone can trade away. Each is played as its
# calibrate counterfactual on the same seeds, aiming CAUSE_ROOM beyond the check's factor.
CAUSES = ("No crisis over Taiwan or in Ukraine", "A tense start (tension 85)")
CAUSE_ROOM = 0.03


@dataclass(frozen=True, slots=True)
class Free:
    """A free parameter: a name ``--set`` takes, and the range of its uniform prior."""

    name: str
    low: float
    high: float
    why: str


FREE: tuple[Free, ...] = (
    Free("param.erosion_loopholes", 0.005, 0.08, "V.2: how fast loopholes erode enforcement"),
    Free("param.erosion_war", 0.01, 0.1, "V.5: how fast Russia's war erodes enforcement"),
    Free("param.loophole_growth", 0.3, 3.0, "V.2: how fast evasion networks grow"),
    Free("param.deterrence_erosion", 0.05, 0.4, "II.2: credibility lost per point of ICBM"),
    Free("param.repetition_cost", 0.1, 1.5, "diminishing returns of repeated moves"),
    Free("PRK.objectives.posture", 0.1, 1.5, "II.2: the DPRK's drive to challenge"),
    Free("PRK.objectives.coercion", 0.2, 2.0, "VI MC2.0: testing while the US is stretched"),
    Free("param.arms_trade_decay", 0.005, 0.1, "II.4: how fast the arms pipeline lapses"),
    Free("PRK.objectives.campaign", 0.1, 1.0, "II.1: the pull of a testing campaign"),
    Free("param.campaign_fade", 0.05, 0.4, "how fast a testing campaign loses momentum"),
)

MIN_ESS = 0.1  # the kept generation's effective sample size, as a share of the population
CONFIRM = 8  # the closest parameter sets replayed on fresh seeds to choose the defaults
CONFIRM_SCALE = 2  # times the fit's games, each, of batch seed + 1


def statistics(frame: pd.DataFrame, spec: Scenario) -> dict[str, float]:
    """A batch's distance from each target: 0 when met, else how far outside its range."""
    catalog = load_catalog()
    rules = compile_rules(spec, catalog)
    out: dict[str, float] = {}
    rating = {o.id: o.rating for o in (*catalog.outcomes, *spec.outcomes)}
    for oid in rules.outcome_ids:
        band = catalog.bands.get(rating.get(oid) or "")
        if band is not None:
            # inside the band with room to spare, so that the calibration batch's
            # confidence interval, not only its estimate, lies inside it
            p = float(frame[f"reached.{oid}"].mean())
            out[f"band.{oid}"] = targets.miss(p, band[0] + BAND_ROOM, band[1] - BAND_ROOM)
    rates = targets.rate_verdicts(frame, rules, room=RATE_ROOM)
    for v in (*rates, *targets.trend_verdicts(frame, rules)):
        out[f"{v.kind}.{v.name}"] = v.miss
    return out


def play(spec: Scenario, games: int, seed: int) -> pd.DataFrame:
    """One lockstep batch of ``games`` runs (the seeds of ``tripwire batch --seed``)."""
    catalog = load_catalog()
    task = ChunkTask(
        point=0,
        chunk=0,
        scenario=spec.model_dump(mode="json"),
        scenario_sha256=scenario_digest(spec),
        catalog_sha256=catalog.digest,
        runs=tuple(range(games)),
        seeds=tuple(run_seed(seed, i) for i in range(games)),
    )
    return pd.DataFrame(run_chunk(task).columns)


def cause_miss(check: CausalCheck, before: float, after: float) -> float:
    """How far a counterfactual's effect falls short of its calibrate check, aiming
    :data:`CAUSE_ROOM` beyond the check's factor: the shortfall of the ratio after/before
    plus that of the difference, in units of the check's margin (0 when met)."""
    ratio = after / max(abs(before), 1e-9)
    if check.direction == "down":
        short, difference = ratio - (check.factor - CAUSE_ROOM), before - after
    else:
        short, difference = (check.factor + CAUSE_ROOM) - ratio, after - before
    wanted = check.margin * (1 + CAUSE_ROOM)
    return max(0.0, short) + max(0.0, wanted - difference) / check.margin


def cause_scenarios(
    scenario: str | Path, folder: Path, checks: Sequence[CausalCheck] | None = None
) -> list[tuple[CausalCheck, Scenario]]:
    """The counterfactuals of ``checks`` (default: every check named in :data:`CAUSES`), as
    calibrate builds them (files in ``folder``); checks of the same change share one
    scenario."""
    chosen = [c for c in CAUSAL_CHECKS if c.name in CAUSES] if checks is None else checks
    out = []
    built: dict[str, Scenario] = {}
    for k, check in enumerate(chosen):
        if check.changes not in built:
            place = folder / f"cause{k}"
            place.mkdir(parents=True, exist_ok=True)
            built[check.changes] = counterfactual(str(scenario), check, place)
        out.append((check, built[check.changes]))
    return out


def simulate(
    base: Scenario,
    values: Mapping[str, float],
    games: int,
    seed: int,
    causes: Sequence[tuple[CausalCheck, Scenario]] = (),
) -> float:
    """The total distance from the targets of the scenario with ``values`` set; with
    ``causes``, also how far each counterfactual (with the same values, played on the same
    seeds) falls short of its claim (:func:`cause_miss`)."""
    changes = [Assignment(k, float(v)) for k, v in values.items()]
    spec = apply_overrides(base, changes)
    frame = play(spec, games, seed)
    total = float(sum(statistics(frame, spec).values()))
    played: dict[int, pd.DataFrame] = {}  # one batch per counterfactual scenario
    for check, counter in causes:
        if id(counter) not in played:
            played[id(counter)] = play(apply_overrides(counter, changes), games, seed)
        cf = played[id(counter)]
        before = float(np.mean(check.metric(frame)))
        total += cause_miss(check, before, float(np.mean(check.metric(cf))))
    return total


@dataclass(frozen=True, slots=True)
class FitResult:
    """The fitted (posterior) population."""

    samples: pd.DataFrame  # one row per particle, a column per free parameter
    weights: np.ndarray
    distances: np.ndarray
    epsilons: list[float]
    generation: int = 0  # the generation kept (see kept_generation)
    sizes: tuple[float, ...] = ()  # each generation's effective sample size
    closest: tuple[float, dict[str, float]] | None = None  # (distance, values) of any generation
    # the set chosen by replaying the closest sets on fresh seeds (see confirm): its
    # distance there, its values
    chosen: tuple[float, dict[str, float]] | None = None
    confirm_games: int = 0  # how many games of batch seed + 1 confirmed it

    def best(self) -> dict[str, float]:
        """The defaults: the set :func:`confirm` chose, or else the accepted parameter set
        closest to the targets, in any generation (ties: the heaviest of the kept one); a
        point the model was actually played at, unlike a vector of marginal medians."""
        if self.chosen is not None:
            return dict(self.chosen[1])
        order = np.lexsort((-self.weights, self.distances))
        if self.closest is not None and self.closest[0] < self.distances[order[0]]:
            return dict(self.closest[1])
        row = self.samples.iloc[int(order[0])]
        return {name: float(row[name]) for name in self.samples.columns}

    def distance(self) -> float:
        """The distance from the targets of :meth:`best`'s parameter set (for a chosen set,
        on the seeds it was confirmed on)."""
        if self.chosen is not None:
            return self.chosen[0]
        kept = float(self.distances.min())
        return min(kept, self.closest[0]) if self.closest is not None else kept

    def quantile(self, name: str, q: float) -> float:
        order = np.argsort(self.samples[name].to_numpy())
        values = self.samples[name].to_numpy()[order]
        cum = np.cumsum(self.weights[order])
        return float(values[min(np.searchsorted(cum, q * cum[-1]), len(values) - 1)])


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted particles: (sum w)^2 / sum w^2."""
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    return total * total / float((w * w).sum()) if total > 0 else 0.0


def kept_generation(weights_by_generation: Sequence[np.ndarray], population: int) -> int:
    """The last generation whose effective sample size is at least ``MIN_ESS`` of the
    population (the first generation when none is)."""
    kept = 0
    for t, weights in enumerate(weights_by_generation):
        if effective_sample_size(weights) >= MIN_ESS * population:
            kept = t
    return kept


def fit(
    scenario: str | Path = "baseline",
    *,
    population: int = 40,
    generations: int = 4,
    games: int = 300,
    seed: int = 1,
    free: Sequence[Free] = FREE,
    finalists: int = CONFIRM,
    progress: Callable[[str], None] | None = None,
) -> FitResult:
    """Fit the free parameters with ABC-SMC (see the module docstring); ``finalists``
    closest sets are replayed to choose the defaults."""
    import logging

    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc reports every generation
    say = progress or (lambda _m: None)
    base = load_scenario(scenario)
    keys = {f.name: f"p{k}" for k, f in enumerate(free)}  # pyabc wants plain names
    prior = pyabc.Distribution(
        **{keys[f.name]: pyabc.RV("uniform", f.low, f.high - f.low) for f in free}
    )
    calls = [0]
    causes: list[tuple[CausalCheck, Scenario]] = []

    def model(parameters: Mapping[str, float]) -> dict[str, float]:
        calls[0] += 1
        values = {f.name: float(parameters[keys[f.name]]) for f in free}
        distance = simulate(base, values, games, seed, causes)
        if calls[0] % 10 == 0:
            say(f"{calls[0]} parameter sets played")
        return {"distance": distance}

    np.random.seed(seed)
    abc = pyabc.ABCSMC(
        model,
        prior,
        distance_function=lambda x, _x0: x["distance"],
        population_size=population,
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    with tempfile.TemporaryDirectory(prefix="tripwire-fit-") as tmp:
        causes += cause_scenarios(scenario, Path(tmp))
        abc.new(f"sqlite:///{os.path.join(tmp, 'abc.db')}", {"distance": 0.0})
        history = abc.run(max_nr_populations=generations, minimum_epsilon=0.0)
        result = from_history(history, free, population)
        say(f"replaying the {finalists} closest parameter sets on fresh games")
        every = [c for c in CAUSAL_CHECKS if c.kind == "cause"]
        judged = cause_scenarios(scenario, Path(tmp) / "confirm", every)
        result = confirm(
            result, history, base=base, free=free, causes=judged, seed=seed, games=games,
            count=finalists,
        )  # fmt: skip
    say(
        f"kept generation {result.generation} of {len(result.sizes) - 1} (effective sample "
        f"size {result.sizes[result.generation]:.0f} of {population})"
    )
    return result


def from_history(
    history: Any, free: Sequence[Free] = FREE, population: int = 40, last: int | None = None
) -> FitResult:
    """The fit's result from pyabc's record of its generations (``history``), up to
    generation ``last`` (default: all): what :func:`fit` returns, and what a fit stopped
    after ``last + 1`` generations would have returned (each generation depends only on
    those before it)."""
    keys = {f.name: f"p{k}" for k, f in enumerate(free)}
    top = history.max_t if last is None else min(last, history.max_t)
    populations = [history.get_population(t=t).particles for t in range(top + 1)]
    weights_by = [np.array([p.weight for p in ps], dtype=float) for ps in populations]
    generation = kept_generation(weights_by, population)
    particles = populations[generation]
    near = min((p for ps in populations for p in ps), key=lambda p: (p.distance, -p.weight))
    closest = (float(near.distance), {f.name: float(near.parameter[keys[f.name]]) for f in free})
    table = history.get_all_populations()
    epsilons = table[table["t"] <= top]["epsilon"].tolist()
    samples = pd.DataFrame(
        {f.name: [float(p.parameter[keys[f.name]]) for p in particles] for f in free}
    )
    weights = np.array([p.weight for p in particles], dtype=float)
    distances = np.array([p.distance for p in particles], dtype=float)
    sizes = tuple(effective_sample_size(w) for w in weights_by)
    return FitResult(samples, weights, distances, epsilons, generation, sizes, closest)


def candidates(history: Any, free: Sequence[Free], count: int) -> list[dict[str, float]]:
    """The ``count`` distinct accepted parameter sets closest to the targets, over every
    generation (ties: the heavier first)."""
    keys = {f.name: f"p{k}" for k, f in enumerate(free)}
    particles = [p for t in range(history.max_t + 1) for p in history.get_population(t=t).particles]
    particles.sort(key=lambda p: (p.distance, -p.weight))
    out: list[dict[str, float]] = []
    for p in particles:
        values = {f.name: float(p.parameter[keys[f.name]]) for f in free}
        if values not in out:
            out.append(values)
        if len(out) == count:
            break
    return out


def confirm(
    result: FitResult,
    history: Any,
    *,
    base: Scenario,
    free: Sequence[Free],
    causes: Sequence[tuple[CausalCheck, Scenario]],
    seed: int,
    games: int,
    count: int = CONFIRM,
) -> FitResult:
    """Choose the defaults by replaying the ``count`` closest sets on
    :data:`CONFIRM_SCALE` times the fit's ``games`` of other seeds (batch seed ``seed + 1``),
    keeping the one closest there to the targets and to ``causes`` (:func:`fit` passes every
    one-cause check of calibrate, not only :data:`CAUSES`: a few finalists cost little to
    judge on all of them). The closest set of the fit is partly chosen by the luck
    of the fit's own games (the winner's curse): of many sets near the targets, the one whose
    games happened to land nearest; fresh games judge the finalists without that luck."""
    scored = [
        (simulate(base, values, CONFIRM_SCALE * games, seed + 1, causes), k, values)
        for k, values in enumerate(candidates(history, free, count))
    ]
    distance, _, values = min(scored)
    return replace(result, chosen=(distance, values), confirm_games=CONFIRM_SCALE * games)


def fitted_yaml(result: FitResult, scenario: str, *, draws: int = 12, seed: int = 1) -> str:
    """``catalog/fitted.yaml``'s text: medians, 90% intervals and a few posterior draws."""
    lines = [
        "# The calibrated values of the model's free parameters, written by `tripwire fit`",
        "# (make fit): approximate Bayesian computation (ABC-SMC, pyabc) against the",
        "# analysis' outcome bands and the record's base rates and trends (targets.yaml).",
        "# Each value replaces the catalog's default; `interval` is the central 90% of the",
        "# fitted (posterior) distribution; `draws` are posterior samples `tripwire calibrate`",
        "# plays to give each outcome's probability with its parameter uncertainty.",
        f"scenario: {scenario}",
        f"seed: {seed}",
        f"epsilons: [{', '.join(f'{e:.4g}' for e in result.epsilons)}]",
        f"generation: {result.generation}",
        f"effective_sample_sizes: [{', '.join(f'{e:.1f}' for e in result.sizes)}]",
        f"distance_of_values: {result.distance():.4g}",
        *(
            [f"confirmed_on: {result.confirm_games} games of batch seed {seed + 1}"]
            if result.chosen
            else []
        ),
        "values:",
    ]
    best = result.best()
    for name in result.samples.columns:
        lo, hi = result.quantile(name, 0.05), result.quantile(name, 0.95)
        lines.append(f"  {name}: {{value: {best[name]:.4g}, interval: [{lo:.4g}, {hi:.4g}]}}")
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(result.samples), size=min(draws, len(result.samples)),
                       replace=False, p=result.weights / result.weights.sum())  # fmt: skip
    lines.append("draws:")
    for i in sorted(picks.tolist()):
        row = result.samples.iloc[i]
        body = ", ".join(f"{name}: {row[name]:.4g}" for name in result.samples.columns)
        lines.append(f"  - {{{body}}}")
    return "\n".join(lines) + "\n"


def posterior_draws() -> list[dict[str, float]]:
    """The posterior draws recorded in ``catalog/fitted.yaml`` (empty before a fit)."""
    from importlib import resources

    import yaml

    text = resources.files("tripwire.catalog").joinpath("fitted.yaml").read_text("utf-8")
    doc: dict[str, Any] = yaml.safe_load(text) or {}
    return [dict(d) for d in doc.get("draws") or []]
