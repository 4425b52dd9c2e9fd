"""Experimental designs and global sensitivity: which parameters move which outcomes.

``tripwire sensitivity SCENARIO --param NAME=LOW:HIGH ...`` draws a design over the chosen
``--set`` names (SALib: Saltelli's Sobol' sampling, Morris trajectories or a Latin hypercube),
plays every design point ``runs`` times with **common random numbers** (run ``i`` plays seed
``run_seed(seed, i)`` at every point: the seeds of run ``i`` of ``tripwire batch``), and
measures at each point the probability of each outcome (and, on request, the mean final value
of some variables). SALib then estimates the indices from those responses: Sobol' first- and
total-order indices (and second order) with bootstrap confidence intervals, Morris' mu* and
sigma with mu*'s interval, or for a Latin hypercube RBD-FAST's first-order indices with
their intervals. No estimator is written here.

Each point is a scenario of its own (the base scenario with the point's values applied through
:func:`tripwire.scenario.overrides.apply_overrides`, validated like a file), played by the
lockstep engine on the batch's backends, so a point's probability is exactly that of
``tripwire batch SCENARIO --runs R --seed S --set NAME=VALUE ...`` with the point's values
(``tests/test_sensitivity.py`` checks it). Outputs depend only on the design and the games,
never on ``--jobs``.

Scenario discovery (:func:`discover`): which parameter ranges lead to an outcome. A shallow
decision tree (scikit-learn) is fitted to the **per-game** target "this game reached the
outcome", each point's games weighted by how many reached it and how many did not (the same
fit as one row per game, without the rows); each leaf is a box of parameter ranges, reported
with its coverage (share of all games reaching the outcome that fall in the box), density
(share of the box's games that reach it) and mass (share of all games in the box).

This module computes and returns data; plots and the Markdown/HTML section are made by
:mod:`tripwire.report.sensitivity`, handed in by the caller as ``render``.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tripwire import __version__
from tripwire.batch.backends import Backend, choose_backend
from tripwire.batch.worker import ChunkTask, run_seed, worker_rules
from tripwire.catalog import load_catalog
from tripwire.errors import Diagnostic, InputError, Location, did_you_mean
from tripwire.files import write_text_atomic
from tripwire.scenario.ir import Start, walk
from tripwire.scenario.loader import load_scenario, scenario_digest
from tripwire.scenario.overrides import Assignment, apply_overrides, known_names
from tripwire.scenario.schema import Scenario
from tripwire.sim.lockstep import LockstepModel
from tripwire.sim.rules import Rules, compile_rules

METHODS = ("sobol", "morris", "lhs")
KIND = "tripwire-sensitivity"
FORMAT = 1
MANIFEST = "indices.json"
# Design points at most (a Sobol' analysis of 10 parameters with 2,048 base samples is 45,056)
MAX_POINTS = 100_000
MAX_GAMES = 200_000_000
MAX_PARAMS = 50
INTEGER_SUFFIX = ".action_points"  # whole numbers: sampled values are rounded to the nearest
COMPILE_GAMES = 50
GROUP_GAMES = 1000  # games one task plays at once when points share their rules
RESAMPLES = 100  # bootstrap resamples of SALib's confidence intervals
CONF_LEVEL = 0.95

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Param:
    """One ``--param NAME=LOW:HIGH``: a ``--set`` name and the range the design covers."""

    name: str
    low: float
    high: float
    line: int = field(default=0, compare=False)  # which --param (1-based; 0: not from one)
    where: Location | None = field(default=None, compare=False)  # a problem file's entry

    @property
    def integer(self) -> bool:
        return self.name.endswith(INTEGER_SUFFIX)


def _at(option: str, line: int, column: int, message: str) -> Diagnostic:
    return Diagnostic(Location(option, line, column), message)


def parse_param(text: str, line: int = 1, option: str = "--param") -> Param:
    """Parse ``NAME=LOW:HIGH`` (the ``line``-th ``--param``; errors located there).

    Raises:
        InputError: not of that form, a bound that is not a finite number, LOW >= HIGH.
    """
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise InputError(
            [_at(option, line, 1, f"'{text}': write NAME=LOW:HIGH, like world.tension=20:80")]
        )
    column = len(text.partition("=")[0]) + 2
    parts = rest.split(":")
    if len(parts) != 2:
        raise InputError([_at(option, line, column, f"'{rest}': write LOW:HIGH, like 20:80")])
    bounds = []
    for k, part in enumerate(parts):
        where = column + (len(parts[0]) + 1 if k else 0)
        try:
            value = float(part.strip())
        except ValueError:
            raise InputError([_at(option, line, where, f"'{part}' is not a number")]) from None
        if not math.isfinite(value):
            raise InputError([_at(option, line, where, f"'{part}' is not a finite number")])
        bounds.append(value)
    low, high = bounds
    if low >= high:
        raise InputError(
            [_at(option, line, column, f"LOW must be below HIGH ({low:g} >= {high:g})")]
        )
    return Param(name, low, high, line)


def parse_params(texts: Sequence[str], option: str = "--param") -> list[Param]:
    """Parse every ``--param``; one located message per bad one (all of them).

    Raises:
        InputError: bad ones, a name given twice, none at all, too many.
    """
    params, problems = _parse_params(texts, option)
    if problems:
        raise InputError(problems)
    return params


def _parse_params(
    texts: Sequence[Param | str], option: str = "--param"
) -> tuple[list[Param], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    params: list[Param] = []
    seen: dict[str, int] = {}
    for line, text in enumerate(texts, start=1):
        try:
            p = text if isinstance(text, Param) else parse_param(text, line, option)
            if not p.line and p.where is None:
                p = Param(p.name, p.low, p.high, line)
        except InputError as err:
            problems.extend(err.diagnostics)
            continue
        if p.name in seen:
            problems.append(
                _at(option, line, 1, f"'{p.name}' is given twice (also --param {seen[p.name]})")
            )
            continue
        seen[p.name] = line
        params.append(p)
    if not texts:
        problems.append(_at(option, 1, 1, "give at least one --param NAME=LOW:HIGH"))
    if len(texts) > MAX_PARAMS:
        problems.append(_at(option, 1, 1, f"{len(texts)} parameters (limit {MAX_PARAMS})"))
    return params, problems


PROBLEM_KEYS = ("params", "outcomes", "means", "discover")


def read_problem(path: Path) -> dict[str, Any]:
    """A problem file (YAML or JSON, read safely): ``params`` maps each ``--set`` name to
    ``[LOW, HIGH]``; ``outcomes``, ``means`` and ``discover`` are lists of names, added to
    the command line's.

    Returns:
        ``{"params": [Param...], "outcomes": [...], "means": [...], "discover": [...]}``.

    Raises:
        InputError: one located message per problem, at ``PATH:LINE:COL``.
    """
    from tripwire.errors import ScenarioError
    from tripwire.scenario.yamlsafe import MarkedMap, MarkedSeq, read_yaml

    name = str(path)
    try:
        data = read_yaml(Path(path), name)
    except ScenarioError as err:
        raise InputError(list(err.diagnostics)) from None
    if not isinstance(data, MarkedMap):
        raise InputError([Diagnostic(Location(name), "write a mapping with a 'params' key")])
    problems: list[Diagnostic] = []
    out: dict[str, Any] = {"params": [], "outcomes": [], "means": [], "discover": []}
    for key in data:
        if key not in PROBLEM_KEYS:
            hint = did_you_mean(str(key), PROBLEM_KEYS)
            where = data.key_locations.get(key, data.location)
            problems.append(Diagnostic(where, f"unknown key '{key}'{hint}"))
    params = data.get("params")
    if not isinstance(params, MarkedMap) or not params:
        where = data.value_locations.get("params", data.location)
        problems.append(Diagnostic(where, "'params' maps each --set name to [LOW, HIGH]"))
        params = MarkedMap(data.location)
    for param, bounds in params.items():
        where = params.value_locations.get(param, params.location)
        ok = (
            isinstance(bounds, MarkedSeq)
            and len(bounds) == 2
            and all(
                isinstance(b, int | float) and not isinstance(b, bool) and math.isfinite(b)
                for b in bounds
            )
        )
        if not ok:
            problems.append(Diagnostic(where, f"{param}: write [LOW, HIGH], two numbers"))
            continue
        low, high = float(bounds[0]), float(bounds[1])
        if low >= high:
            problems.append(
                Diagnostic(where, f"{param}: LOW must be below HIGH ({low:g} >= {high:g})")
            )
            continue
        key_at = params.key_locations.get(param, where)
        out["params"].append(Param(str(param), low, high, where=key_at))
    for key in ("outcomes", "means", "discover"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            where = data.value_locations.get(key, data.location)
            problems.append(Diagnostic(where, f"'{key}' is a list of names"))
            continue
        out[key] = list(value)
    if problems:
        raise InputError(problems)
    return out


@dataclass(frozen=True, slots=True)
class Design:
    """What a sensitivity analysis plays: design points x runs, and what it measures."""

    scenario: Scenario  # the base scenario (after --turns)
    method: str
    params: tuple[Param, ...]
    samples: int
    runs: int
    seed: int
    outcomes: tuple[str, ...]
    means: tuple[str, ...]
    x: np.ndarray  # (P, D) the design SALib drew (the values its estimators assume)
    values: np.ndarray  # (P, D) the values played (whole numbers rounded)
    catalog_sha256: str = field(repr=False)

    @property
    def points(self) -> int:
        return len(self.x)

    def problem(self) -> dict[str, Any]:
        """SALib's problem definition."""
        return {
            "num_vars": len(self.params),
            "names": [p.name for p in self.params],
            "bounds": [list(_sampled_bounds(p)) for p in self.params],
        }

    def assignments(self, point: int) -> list[Assignment]:
        return [
            Assignment(p.name, float(v))
            for p, v in zip(self.params, self.values[point], strict=True)
        ]

    def manifest(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "format": FORMAT,
            "tripwire": __version__,
            "catalog_sha256": self.catalog_sha256,
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "scenario_sha256": scenario_digest(self.scenario),
            "turns": self.scenario.turns,
            "method": self.method,
            "samples": self.samples,
            "points": self.points,
            "runs": self.runs,
            "games": self.points * self.runs,
            "seed": self.seed,
            "params": [{"name": p.name, "low": p.low, "high": p.high} for p in self.params],
            "outcomes": list(self.outcomes),
            "means": list(self.means),
        }


def _sampled_bounds(p: Param) -> tuple[float, float]:
    """The interval SALib samples: for a whole-number parameter, half a unit past each end,
    so that rounding gives every whole value in [LOW, HIGH] an equal share."""
    if p.integer:
        return (math.ceil(p.low) - 0.5, math.floor(p.high) + 0.5)
    return (p.low, p.high)


def _check_params(base: Scenario, params: Sequence[Param], option: str) -> list[Diagnostic]:
    """Located problems with the names and ranges (each --param's ends applied to the
    scenario and validated like a file)."""
    catalog = load_catalog()
    names = known_names(base, catalog)
    problems: list[Diagnostic] = []
    for p in params:
        at, line, col = (option, p.line or 1, 1)
        if p.where is not None:  # from a problem file: located there
            at, line, col = p.where.path, p.where.line, p.where.column
        if p.name not in names:
            hint = did_you_mean(p.name, names)
            problems.append(_at(at, line, col, f"unknown name '{p.name}'{hint}"))
            continue
        if p.integer and math.ceil(p.low) > math.floor(p.high):
            message = f"{p.name} is a whole number: no whole value in [{p.low:g}, {p.high:g}]"
            problems.append(_at(at, line, col, message))
            continue
        for end in (p.low, p.high):
            value = float(round(end)) if p.integer else end
            try:
                apply_overrides(base, [Assignment(p.name, value)], catalog, option)
            except InputError as err:
                problems += [_at(at, line, col, d.message) for d in err.diagnostics]
                break
    return problems


def _draw(method: str, problem: dict[str, Any], samples: int, seed: int) -> np.ndarray:
    """The design SALib draws (seeded)."""
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, samples, calc_second_order=True, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=4, seed=seed)
    from SALib.sample import latin

    return latin.sample(problem, samples, seed=seed)


def rbd_harmonics(points: int) -> int:
    """RBD-FAST's interference factor M for a Latin hypercube of ``points`` (10, SALib's
    default, when the design is large enough: it needs more than 2M points)."""
    return max(1, min(10, (points - 1) // 2))


def design_points(method: str, params: int, samples: int) -> int:
    """How many points a design has: Sobol' N(2D+2), Morris N(D+1), Latin hypercube N."""
    return {"sobol": samples * (2 * params + 2), "morris": samples * (params + 1)}.get(
        method, samples
    )


def make_design(
    scenario: str | Path | Scenario,
    params: Sequence[Param | str],
    *,
    method: str = "sobol",
    samples: int = 64,
    runs: int = 200,
    seed: int = 1,
    outcomes: Sequence[str] = (),
    means: Sequence[str] = (),
    turns: int | None = None,
) -> Design:
    """Check everything and draw the design, before any game or file.

    Raises:
        InputError: one located message per problem (names, ranges, sizes, outcomes).
    """
    params, problems = _parse_params(params)
    if method not in METHODS:
        problems.append(_at("--method", 1, 1, f"'{method}': choose {', '.join(METHODS)}"))
    if runs < 1:
        problems.append(_at("--runs", 1, 1, "the number of games per point must be at least 1"))
    least = {"lhs": 5}.get(method, 2)
    if samples < least:
        problems.append(_at("--samples", 1, 1, f"at least {least} samples for {method}"))
    elif method == "sobol" and samples & (samples - 1):
        problems.append(
            _at(
                "--samples",
                1,
                1,
                f"{samples}: Sobol' designs need a power of 2 (e.g. "
                f"{1 << max(1, (samples - 1).bit_length())})",
            )
        )
    if method in METHODS and samples >= 1 and params:
        n = design_points(method, len(params), samples)
        if n > MAX_POINTS:
            problems.append(_at("--samples", 1, 1, f"{n} design points (limit {MAX_POINTS})"))
        elif n * runs > MAX_GAMES:
            problems.append(
                _at("--runs", 1, 1, f"{n} points x {runs} games is too many (limit {MAX_GAMES})")
            )
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if turns is not None:
        spec = spec.model_copy(update={"turns": turns})
    problems += _check_params(spec, params, "--param")
    catalog = load_catalog()
    rules = compile_rules(spec, catalog)
    for oid in outcomes:
        if oid not in rules.outcome_ids:
            hint = did_you_mean(oid, rules.outcome_ids)
            problems.append(_at("--outcome", 1, 1, f"unknown outcome '{oid}'{hint}"))
    for var in means:
        if var not in rules.index:
            hint = did_you_mean(var, rules.var_names)
            problems.append(_at("--mean", 1, 1, f"unknown variable '{var}'{hint}"))
    if problems:  # in the order of the options, and of the --params
        raise InputError(sorted(problems, key=lambda d: (d.location.path, d.location.line)))
    chosen = tuple(dict.fromkeys(outcomes)) or rules.outcome_ids
    params = tuple(params)
    problem = {
        "num_vars": len(params),
        "names": [p.name for p in params],
        "bounds": [list(_sampled_bounds(p)) for p in params],
    }
    x = np.asarray(_draw(method, problem, samples, seed), dtype=np.float64)
    values = x.copy()
    for d, p in enumerate(params):
        if p.integer:  # round half up, kept inside [LOW, HIGH]
            values[:, d] = np.clip(np.floor(x[:, d] + 0.5), math.ceil(p.low), math.floor(p.high))
    return Design(
        scenario=spec,
        method=method,
        params=params,
        samples=samples,
        runs=runs,
        seed=seed,
        outcomes=tuple(chosen),
        means=tuple(dict.fromkeys(means)),
        x=x,
        values=values,
        catalog_sha256=catalog.digest,
    )


# --- playing the points ----------------------------------------------------------------------


@dataclass(slots=True)
class PointResult:
    """What one design point's games gave: per outcome, which games reached it; per mean
    variable, each game's final value."""

    point: int
    reached: np.ndarray  # (O, R) bool, over every outcome of the scenario
    final: np.ndarray  # (F, R)


@dataclass(slots=True)
class PointTask:
    """A design point to play: a chunk of the batch engine plus the variables to keep."""

    chunk: ChunkTask
    means: tuple[str, ...]


def play_point(task: PointTask) -> PointResult:
    """Play one design point's games (a worker's job; module-level so that it travels).

    The rules are compiled for the point and not cached: a design has thousands of points,
    each a scenario of its own, which a per-process cache would keep until the end.
    """
    chunk = task.chunk
    rules = worker_rules(chunk.scenario, chunk.catalog_sha256, chunk.tripwire)
    games = LockstepModel(rules, chunk.seeds).run().result()
    final = (
        np.stack([games.state[rules.index[v]] for v in task.means])
        if task.means
        else (np.zeros((0, len(chunk.seeds))))
    )
    return PointResult(chunk.point, games.reached > 0, final)


# --- points that differ only in starting values share one compile -------------------------
# Compiling reads a starting value in two places: start(x) in a condition, and the scale of
# relations' responses to moves. A design whose parameters are all other starting values
# plays the same games with the base rules and a starting state per game (one column per
# game), so several points share one compile and one chunk of GROUP_GAMES games. The result
# is the same, game for game, as compiling each point (tests/test_sensitivity.py).
FOLDED = ("param.goldstein_to_relations",)  # starting values folded into the compiled tables


def shared_rules_names(rules: Rules) -> set[str]:
    """The ``--set`` names a design may vary over shared rules: the state variables whose
    starting value nothing reads when compiling, and the actors' risk tolerances (the
    lockstep engine takes them per game)."""
    src = rules.sources
    items = [
        *src.gain, *src.success, *src.precondition, *src.inject_when, *src.trigger,
        *src.outcome, *((expr, binding) for _, expr, binding in src.dynamics),
    ]  # fmt: skip
    read: set[str] = set()
    for expr, binding in items:
        for node in walk(expr.ir):
            if isinstance(node, Start):
                base, _, attr = node.name.partition(".")
                code = {"self": binding.self_code, "target": binding.target_code}.get(base, base)
                read.add(f"{code}.{attr}")
    shared = {name for name in rules.var_names if name not in read and name not in FOLDED}
    return shared | {f"{actor}.risk_tolerance" for actor in rules.actors}


@dataclass(slots=True)
class GroupTask:
    """Several design points that share the base rules: each point's starting values."""

    points: tuple[int, ...]
    scenario: dict[str, Any]
    catalog_sha256: str
    names: tuple[str, ...]  # the design's parameters (state variables)
    values: tuple[tuple[float, ...], ...]  # per point, per parameter
    seeds: tuple[int, ...]
    means: tuple[str, ...]
    tripwire: str = __version__


_GROUP_RULES: dict[str, Rules] = {}


def play_group(task: GroupTask) -> list[PointResult]:
    """Play several points' games in one chunk of the lockstep engine, on the base rules
    compiled once per process, with each point's starting values in its games' columns."""
    key = json.dumps(task.scenario, sort_keys=True)
    if key not in _GROUP_RULES:
        rules = worker_rules(task.scenario, task.catalog_sha256, task.tripwire)
        _GROUP_RULES.clear()  # one design at a time
        _GROUP_RULES[key] = rules
    rules = _GROUP_RULES[key]
    runs = len(task.seeds)
    games_n = runs * len(task.points)
    initial = np.repeat(rules.initial[:, None], games_n, axis=1)
    risk = np.repeat(rules.risk_tolerance[:, None], games_n, axis=1)
    for k, values in enumerate(task.values):
        cols = slice(k * runs, (k + 1) * runs)
        for name, value in zip(task.names, values, strict=True):
            if name in rules.index:
                initial[rules.index[name], cols] = value
            else:  # ACTOR.risk_tolerance
                risk[rules.actors.index(name.partition(".")[0]), cols] = value
    games = (
        LockstepModel(rules, task.seeds * len(task.points), initial=initial, risk_tolerance=risk)
        .run()
        .result()
    )
    reached = games.reached > 0
    out = []
    for k, point in enumerate(task.points):
        cols = slice(k * runs, (k + 1) * runs)
        final = (
            np.stack([games.state[rules.index[v], cols] for v in task.means])
            if task.means
            else np.zeros((0, runs))
        )
        out.append(PointResult(point, reached[:, cols], final))
    return out


def _groups(design: Design, seeds: tuple[int, ...], todo: Sequence[int]) -> Iterator[GroupTask]:
    per = max(1, GROUP_GAMES // max(design.runs, 1))
    names = tuple(p.name for p in design.params)
    scenario = design.scenario.model_dump(mode="json")
    for start in range(0, len(todo), per):
        points = tuple(todo[start : start + per])
        yield GroupTask(
            points=points,
            scenario=scenario,
            catalog_sha256=design.catalog_sha256,
            names=names,
            values=tuple(tuple(float(v) for v in design.values[p]) for p in points),
            seeds=seeds,
            means=design.means,
        )


def _tasks(design: Design, seeds: tuple[int, ...], todo: Sequence[int]) -> Iterator[PointTask]:
    catalog = load_catalog()
    runs = tuple(range(design.runs))
    for point in todo:
        spec = apply_overrides(design.scenario, design.assignments(point), catalog, "--param")
        yield PointTask(
            ChunkTask(
                point=point,
                chunk=0,
                scenario=spec.model_dump(mode="json"),
                scenario_sha256=scenario_digest(spec),
                catalog_sha256=design.catalog_sha256,
                runs=runs,
                seeds=seeds,
            ),
            design.means,
        )


@dataclass(slots=True)
class Played:
    """Every point's games, reduced: ``counts[p, o]`` games of point ``p`` reaching outcome
    ``o`` (the design's outcomes), ``means[p, f]`` the mean final value of variable ``f``."""

    counts: np.ndarray  # (P, O) int
    means: np.ndarray  # (P, F) float
    seconds: float


def play_design(
    design: Design,
    *,
    jobs: int = 1,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> Played:
    """Play every design point ``design.runs`` times with the same seeds (common random
    numbers) on the batch's backends; the result does not depend on ``jobs``."""
    base = compile_rules(design.scenario, load_catalog())
    rules_outcomes = base.outcome_ids
    picks = np.array([rules_outcomes.index(o) for o in design.outcomes], dtype=np.int64)
    shared = {p.name for p in design.params} <= shared_rules_names(base)
    seeds = tuple(run_seed(design.seed, i) for i in range(design.runs))
    total = design.points * design.runs
    # a point's own rules cost about as much to compile as COMPILE_GAMES games to play, so a
    # design of many small points repays starting workers sooner than a batch does
    work = total if shared else max(total, design.points * COMPILE_GAMES)
    chosen = backend or choose_backend(jobs, None, None, games=work)
    counts = np.zeros((design.points, len(design.outcomes)), dtype=np.int64)
    means = np.zeros((design.points, len(design.means)), dtype=np.float64)
    started = time.perf_counter()
    done = 0
    if progress:
        progress(0, total)
    todo = range(design.points)
    if shared:
        results: Iterator[PointResult] = (
            r for group in chosen.run(_groups(design, seeds, todo), play_group) for r in group
        )
    else:
        results = iter(chosen.run(_tasks(design, seeds, todo), play_point))
    for result in results:
        counts[result.point] = result.reached[picks].sum(axis=1)
        if design.means:
            # a fixed order of summation whatever the process: math.fsum per row
            means[result.point] = [math.fsum(row) / design.runs for row in result.final.tolist()]
        done += design.runs
        if progress:
            progress(done, total)
    return Played(counts, means, time.perf_counter() - started)


# --- the analysis ------------------------------------------------------------------------------


def responses(design: Design, played: Played) -> dict[str, np.ndarray]:
    """Each response's value at every point: ``p.OUTCOME`` (probability) and ``mean.VAR``."""
    out = {f"p.{o}": played.counts[:, k] / design.runs for k, o in enumerate(design.outcomes)}
    out |= {f"mean.{v}": played.means[:, k] for k, v in enumerate(design.means)}
    return out


def _clean(value: Any) -> Any:
    """JSON-ready: numpy to Python, NaN and infinities to None."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_clean(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def analyze(design: Design, played: Played) -> dict[str, Any]:
    """SALib's indices of every response (``{response: {...}}``); a response that is the
    same at every point has no variance to share out and gets ``{"constant": value}``."""
    import warnings

    problem = design.problem()
    names = [p.name for p in design.params]
    seed = design.seed + 1  # SALib treats a seed of 0 as none
    out: dict[str, Any] = {}
    for response, y in responses(design, played).items():
        if float(np.ptp(y)) == 0.0:
            out[response] = {"constant": float(y[0])}
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's advice on sample sizes goes to the report
            if design.method == "sobol":
                from SALib.analyze import sobol

                r = sobol.analyze(
                    problem,
                    y,
                    calc_second_order=True,
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    seed=seed,
                )
                keys = ("S1", "S1_conf", "ST", "ST_conf")
                entry = {"params": {n: {k: r[k][d] for k in keys} for d, n in enumerate(names)}}
                entry["S2"] = {"S2": r["S2"], "S2_conf": r["S2_conf"]}
            elif design.method == "morris":
                from SALib.analyze import morris

                r = morris.analyze(
                    problem,
                    design.x,
                    y,
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    num_levels=4,
                    seed=seed,
                )
                keys = ("mu", "mu_star", "sigma", "mu_star_conf")
                entry = {"params": {n: {k: r[k][d] for k in keys} for d, n in enumerate(names)}}
            else:
                from SALib.analyze import rbd_fast

                r = rbd_fast.analyze(
                    problem,
                    design.x,
                    y,
                    M=rbd_harmonics(design.points),
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    seed=seed,
                )
                keys = ("S1", "S1_conf")
                entry = {"params": {n: {k: r[k][d] for k in keys} for d, n in enumerate(names)}}
        entry["variance"] = float(np.var(y))
        out[response] = _clean(entry)
    return out


def ranking(entry: dict[str, Any], method: str) -> list[str]:
    """The parameters of one response's indices, most influential first (ST for Sobol',
    mu* for Morris, S1 for a Latin hypercube; ties by name)."""
    key = {"sobol": "ST", "morris": "mu_star"}.get(method, "S1")
    params = entry.get("params", {})
    return sorted(params, key=lambda n: (-(params[n][key] or 0.0), n))


# --- scenario discovery --------------------------------------------------------------------


def discover(
    design: Design,
    played: Played,
    outcome: str,
    *,
    depth: int = 3,
    min_mass: float = 0.05,
) -> dict[str, Any]:
    """Boxes of parameter ranges where ``outcome`` is more likely than overall (see the module
    docstring: a decision tree on the per-game target, weighted by point).

    Returns:
        ``{"outcome", "target", "games", "reached", "rate", "boxes": [...]}``, each box with
        ``ranges`` (only the restricted parameters: ``[low, high]``), ``games``, ``reached``,
        ``coverage``, ``density``, ``mass``; boxes densest first.
    """
    from sklearn.tree import DecisionTreeClassifier

    k = design.outcomes.index(outcome)
    hits = played.counts[:, k].astype(np.float64)
    misses = design.runs - hits
    values = design.values
    x = np.vstack([values, values])
    y = np.concatenate([np.ones(len(values)), np.zeros(len(values))])
    w = np.concatenate([hits, misses])
    keep = w > 0
    total_games = float(design.points * design.runs)
    total_hits = float(hits.sum())
    result: dict[str, Any] = {
        "outcome": outcome,
        "target": "per game: the game reached the outcome (points weighted by their games)",
        "games": int(total_games),
        "reached": int(total_hits),
        "rate": total_hits / total_games,
        "depth": depth,
        "min_mass": min_mass,
        "boxes": [],
    }
    if total_hits in (0, total_games):
        return result
    tree = DecisionTreeClassifier(
        max_depth=depth, min_weight_fraction_leaf=min_mass, random_state=0
    ).fit(x[keep], y[keep], sample_weight=w[keep])
    t = tree.tree_
    bounds = {p.name: (p.low, p.high) for p in design.params}

    def walk(node: int, box: dict[str, tuple[float, float]]) -> Iterator[dict[str, Any]]:
        if t.children_left[node] == t.children_right[node]:  # a leaf
            yield box
            return
        name = design.params[int(t.feature[node])].name
        cut = float(t.threshold[node])
        lo, hi = box.get(name, bounds[name])
        yield from walk(int(t.children_left[node]), {**box, name: (lo, min(hi, cut))})
        yield from walk(int(t.children_right[node]), {**box, name: (max(lo, cut), hi)})

    boxes = []
    for box in walk(0, {}):
        inside = np.ones(len(values), dtype=bool)
        for name, (lo, hi) in box.items():
            d = [p.name for p in design.params].index(name)
            # the tree's rule: left is value <= threshold, right is value > threshold
            column = values[:, d]
            left_open = lo > bounds[name][0]
            inside &= (column > lo) if left_open else (column >= lo)
            inside &= column <= hi
        games = float(inside.sum() * design.runs)
        reached = float(hits[inside].sum())
        if games == 0:
            continue
        boxes.append(
            {
                "ranges": {n: [lo, hi] for n, (lo, hi) in sorted(box.items())},
                "points": int(inside.sum()),
                "games": int(games),
                "reached": int(reached),
                "coverage": reached / total_hits,
                "density": reached / games,
                "mass": games / total_games,
            }
        )
    boxes.sort(key=lambda b: (-b["density"], -b["coverage"]))
    result["boxes"] = [b for b in boxes if b["density"] > result["rate"]]
    return _clean(result)


# --- outputs -------------------------------------------------------------------------------


def points_table(design: Design, played: Played) -> pa.Table:
    """``points.parquet``: one row per design point."""
    cols: dict[str, Any] = {"point": pa.array(np.arange(design.points), type=pa.int32())}
    for d, p in enumerate(design.params):
        cols[p.name] = pa.array(design.values[:, d], type=pa.float64())
    cols["games"] = pa.array(np.full(design.points, design.runs), type=pa.int32())
    for k, o in enumerate(design.outcomes):
        cols[f"reached.{o}"] = pa.array(played.counts[:, k], type=pa.int32())
    for name, y in responses(design, played).items():
        cols[name] = pa.array(y, type=pa.float64())
    return pa.table(cols)


def indices_table(design: Design, indices: dict[str, Any]) -> pa.Table:
    """``indices.parquet``: one row per (response, parameter, index) with its interval."""
    rows: dict[str, list[Any]] = {k: [] for k in ("response", "param", "index", "value", "conf")}
    for response, entry in indices.items():
        for name, values in entry.get("params", {}).items():
            for key, value in values.items():
                if key.endswith("_conf"):
                    continue
                rows["response"].append(response)
                rows["param"].append(name)
                rows["index"].append(key)
                rows["value"].append(value)
                rows["conf"].append(values.get(f"{key}_conf"))
    return pa.table(
        {
            "response": pa.array(rows["response"], type=pa.string()),
            "param": pa.array(rows["param"], type=pa.string()),
            "index": pa.array(rows["index"], type=pa.string()),
            "value": pa.array(rows["value"], type=pa.float64()),
            "conf": pa.array(rows["conf"], type=pa.float64()),
        }
    )


@dataclass(slots=True)
class SensitivityResult:
    """A finished analysis: its folder and what is in it."""

    out: Path
    design: Design = field(repr=False)
    played: Played = field(repr=False)
    indices: dict[str, Any]
    discovery: list[dict[str, Any]]
    summary: dict[str, Any]

    @property
    def frame(self) -> Any:
        """``points.parquet`` as a DataFrame."""
        return pq.read_table(self.out / "points.parquet").to_pandas()


OUTPUTS = ("points.parquet", "indices.json", "indices.parquet")
Render = Callable[[Path, dict[str, Any], Any], None]  # (folder, summary, points frame)


def check_out(out: Path, named: bool) -> None:
    """Refuse, before any work, an output folder this analysis may not (re)place.

    A folder the user named with ``--out`` may be empty or hold an earlier sensitivity
    analysis (replaced when the new one is complete); anything else is refused, and so is an
    existing folder of the default name.

    Raises:
        InputError: located at ``--out``.
    """
    from tripwire.files import check_output_folder

    where = Location("--out")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError([Diagnostic(where, f"{out} is not a folder: choose another --out")])
    check_output_folder(out, "--out")
    if out.is_dir() and any(out.iterdir()):
        if not named:
            raise InputError(
                [
                    Diagnostic(
                        where,
                        f"{out} already exists: name it with --out to replace it, "
                        "or choose another --out",
                    )
                ]
            )
        if not _holds_analysis(out):
            raise InputError(
                [
                    Diagnostic(
                        where,
                        f"{out} is not empty and holds no sensitivity analysis: "
                        "choose another --out",
                    )
                ]
            )


def _holds_analysis(folder: Path) -> bool:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kind") == KIND


def _install(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` at ``out`` (an earlier analysis there is set aside by
    a rename first, then removed): a finished folder or the old one, never half of one."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rmdir(old)
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_sensitivity(
    scenario: str | Path | Scenario,
    params: Sequence[Param | str],
    *,
    method: str = "sobol",
    samples: int = 64,
    runs: int = 200,
    seed: int = 1,
    jobs: int = 1,
    out: str | Path | None = None,
    named: bool = True,
    outcomes: Sequence[str] = (),
    means: Sequence[str] = (),
    discover_outcomes: Sequence[str] = (),
    turns: int | None = None,
    render: Render | None = None,
    progress: Progress | None = None,
    backend: Backend | None = None,
) -> SensitivityResult:
    """Draw a design, play it, analyse it and write the folder (see the module docstring).

    Args:
        params: ``Param`` or ``"NAME=LOW:HIGH"`` texts.
        samples: SALib's N: base samples (Sobol'), trajectories (Morris), points (LHS).
        runs: games per design point (the same seeds at every point).
        out: the output folder (default: a new temporary folder); written complete or not at
            all. ``named``: the user chose it (an earlier analysis in it may be replaced).
        discover_outcomes: outcomes to find parameter boxes for (scenario discovery).
        render: writes plots and the Markdown/HTML section into the folder before it is put
            in place (:func:`tripwire.report.sensitivity.render`).

    Raises:
        InputError: bad input, located, before any game is played or anything written.
    """
    for name in discover_outcomes:
        if name not in outcomes and outcomes:
            outcomes = [*outcomes, name]
    design = make_design(
        scenario,
        params,
        method=method,
        samples=samples,
        runs=runs,
        seed=seed,
        outcomes=outcomes,
        means=means,
        turns=turns,
    )
    problems = [
        _at("--discover", 1, 1, f"unknown outcome '{o}'{did_you_mean(o, design.outcomes)}")
        for o in discover_outcomes
        if o not in design.outcomes
    ]
    if problems:
        raise InputError(problems)
    folder = Path(out) if out is not None else None
    if folder is not None:
        check_out(folder, named)
    played = play_design(design, jobs=jobs, backend=backend, progress=progress)
    indices = analyze(design, played)
    discovery = [discover(design, played, o) for o in dict.fromkeys(discover_outcomes)]
    # no timings: the files depend on the design and the games only
    summary = {**design.manifest(), "indices": indices, "discovery": discovery}
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="tripwire-sensitivity-"))
        os.rmdir(folder)
    folder = folder.absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    # a fresh name beside the output (made like any folder, with the user's umask)
    tmp = folder.parent / f".{folder.name}.tmp-{secrets.token_hex(6)}"
    tmp.mkdir()
    try:
        table = points_table(design, played)
        pq.write_table(table, tmp / "points.parquet", compression="zstd")
        pq.write_table(indices_table(design, indices), tmp / "indices.parquet", compression="zstd")
        write_text_atomic(tmp / MANIFEST, json.dumps(summary, indent=2) + "\n")
        if render is not None:
            render(tmp, summary, table.to_pandas())
        _install(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SensitivityResult(folder, design, played, indices, discovery, summary)
