"""Command-line changes to a scenario: ``--set NAME=VALUE`` and ``--sweep NAME=a,b,c``.

A name is a state variable (``world.tension``, ``param.richardson_k``: the starting value),
an actor parameter (``PRK.risk_tolerance``, ``PRK.action_points``, ``PRK.noise``) or an
objective weight (``PRK.objectives.technology``). Changes are applied to the scenario
document and validated again, so an override can never produce a scenario a file could not.
Problems are reported like file errors, located in the argument: ``--set:1:COL: error: ...``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tripwire.errors import Diagnostic, InputError, Location, did_you_mean
from tripwire.scenario.catalog import Catalog, load_catalog
from tripwire.scenario.loader import load_scenario, scenario_names
from tripwire.scenario.schema import ACTORS, Scenario

ACTOR_PARAMETERS = ("risk_tolerance", "action_points", "noise")
MAX_POINTS = 1000


@dataclass(frozen=True, slots=True)
class Assignment:
    """One ``NAME=VALUE`` from the command line."""

    name: str
    value: float


def _fail(option: str, column: int, message: str) -> InputError:
    return InputError([Diagnostic(Location(option, 1, column), message)])


def _number(text: str, option: str, column: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _fail(option, column, f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise _fail(option, column, f"'{text}' is not a finite number")
    return value


def known_names(scenario: Scenario, catalog: Catalog | None = None) -> list[str]:
    """Every name an override may use for this scenario."""
    catalog = catalog or load_catalog()
    names = [v.name for v in (*catalog.variables, *scenario.variables)]
    for code in ACTORS:
        names += [f"{code}.{p}" for p in ACTOR_PARAMETERS]
        names += [f"{code}.objectives.{o}" for o in catalog.actors[code].objectives]
        own = scenario.actors[code].objectives if code in scenario.actors else {}
        names += [f"{code}.objectives.{o}" for o, v in own.items() if not isinstance(v, float)]
    return names


def parse_set(text: str, option: str = "--set") -> Assignment:
    """Parse ``NAME=VALUE``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise _fail(option, 1, f"'{text}': write NAME=VALUE, like world.tension=60")
    return Assignment(name.strip(), _number(value.strip(), option, len(name) + 2))


def parse_sweep(text: str, option: str = "--sweep") -> tuple[str, list[float]]:
    """Parse ``NAME=a,b,c`` or ``NAME=start:stop:count`` (evenly spaced, both ends included)."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip() or not values.strip():
        raise _fail(option, 1, f"'{text}': write NAME=a,b,c or NAME=start:stop:count")
    column = len(name) + 2
    if ":" in values:
        parts = values.split(":")
        if len(parts) != 3:
            raise _fail(option, column, f"'{values}': write start:stop:count, like 0.1:0.5:5")
        start, stop = (_number(p, option, column) for p in parts[:2])
        count = _number(parts[2], option, column)
        if not (2 <= count <= MAX_POINTS and count == int(count)):
            raise _fail(option, column, f"count must be a whole number from 2 to {MAX_POINTS}")
        n = int(count)
        # finite ends can still be a span too wide for a float (1e308:-1e308 is -inf wide)
        if not math.isfinite(stop - start):
            raise _fail(option, column, f"'{values}': the range is too wide for a number")
        points = [start + (stop - start) * k / (n - 1) for k in range(n)]
        if not all(math.isfinite(p) for p in points):
            raise _fail(option, column, f"'{values}': the range is too wide for a number")
    else:
        items = values.split(",")
        if len(items) > MAX_POINTS:
            raise _fail(option, column, f"{len(items)} values (limit {MAX_POINTS})")
        points = [_number(p.strip(), option, column) for p in items]
    if len(set(points)) != len(points):
        raise _fail(option, column, "a value is given twice")
    return name.strip(), points


def apply_overrides(
    scenario: Scenario,
    assignments: Iterable[Assignment],
    catalog: Catalog | None = None,
    option: str = "--set",
) -> Scenario:
    """The scenario with the assignments applied (validated like a file).

    Raises:
        InputError: an unknown name, a value out of range, or a value of the wrong kind.
    """
    catalog = catalog or load_catalog()
    doc: dict[str, Any] = scenario.model_dump(mode="json")
    names = set(known_names(scenario, catalog))
    ranges = {v.name: (v.min, v.max) for v in (*catalog.variables, *scenario.variables)}
    problems: list[Diagnostic] = []
    for a in assignments:
        if a.name not in names:
            hint = did_you_mean(a.name, names)
            problems.append(Diagnostic(Location(option, 1, 1), f"unknown name '{a.name}'{hint}"))
            continue
        if a.name in ranges:
            lo, hi = ranges[a.name]
            if not lo <= a.value <= hi:
                message = f"{a.name}={a.value:g} is outside its range [{lo:g}, {hi:g}]"
                problems.append(Diagnostic(Location(option, 1, 1), message))
                continue
            doc.setdefault("state", {})[a.name] = a.value
            continue
        code, _, rest = a.name.partition(".")
        actor = doc.setdefault("actors", {}).setdefault(code, {})
        if rest.startswith("objectives."):
            objectives = actor.setdefault("objectives", {})
            name = rest.removeprefix("objectives.")
            if isinstance(objectives.get(name), dict):  # the scenario's own objective
                objectives[name] = {**objectives[name], "weight": a.value}
            else:
                objectives[name] = a.value
        elif rest == "action_points":
            if a.value != int(a.value):
                problems.append(Diagnostic(Location(option, 1, 1), f"{a.name} must be whole"))
                continue
            actor[rest] = int(a.value)
        else:
            actor[rest] = a.value
    if problems:
        raise InputError(problems)
    try:
        return Scenario.model_validate(doc, context=scenario_names(scenario, catalog))
    except ValidationError as err:
        raise InputError(
            [Diagnostic(Location(option, 1, 1), f"{e['loc']}: {e['msg']}") for e in err.errors()]
        ) from None


def load_with_sets(ref: str, sets: Sequence[str], option: str = "--set") -> Scenario:
    """Load a scenario (bundled name or path) and apply ``NAME=VALUE`` changes to it.

    Raises:
        InputError: the scenario is not valid, or a change is not (located at ``option``).
    """
    spec = load_scenario(ref)
    return (
        apply_overrides(spec, [parse_set(a, option) for a in sets], option=option) if sets else spec
    )


def sweep_points(sweeps: Sequence[tuple[str, Sequence[float]]]) -> list[dict[str, float]]:
    """The cartesian product of the sweeps, in order (the first sweep varies slowest)."""
    if not sweeps:
        return [{}]
    check_sweeps(sweeps)
    names = [name for name, _ in sweeps]
    combos = itertools.product(*(values for _, values in sweeps))
    return [dict(zip(names, combo, strict=True)) for combo in combos]


def check_sweeps(sweeps: Sequence[tuple[str, Sequence[float]]]) -> int:
    """The number of points of the sweeps, refused (before any is built) above MAX_POINTS.

    Raises:
        InputError: a name swept twice, or more points than MAX_POINTS.
    """
    names = [name for name, _ in sweeps]
    if len(set(names)) != len(names):
        raise _fail("--sweep", 1, "a name is swept twice")
    points = math.prod(len(values) for _, values in sweeps)
    if points > MAX_POINTS:
        sizes = " x ".join(str(len(values)) for _, values in sweeps)
        raise _fail("--sweep", 1, f"{sizes} = {points} sweep points (limit {MAX_POINTS})")
    return points


def point_assignments(point: Mapping[str, float]) -> list[Assignment]:
    """A sweep point as assignments."""
    return [Assignment(k, v) for k, v in point.items()]
