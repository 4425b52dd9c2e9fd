"""The catalog's loader: the world's variables, actors, actions and rules, read from the
``tripwire.catalog`` package data and validated against the scenario schema.

The YAML files of ``tripwire/catalog/`` hold everything the engine plays with; the CSV files
are the reference tables the catalog is coded against (CAMEO/Goldstein, the Rivera et al.
escalation categories, Kahn's ladder, estimative-probability bands, and the historical data
used for calibration). :func:`load_catalog` reads and validates them once per process.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tripwire.errors import Diagnostic, Location, ScenarioError
from tripwire.scenario.schema import (
    ACTORS,
    DOMAINS,
    ActionSpec,
    ActorProfile,
    CatalogFile,
    DynamicsTerm,
    Names,
    OutcomeSpec,
    TriggerSpec,
    VariableSpec,
)
from tripwire.scenario.validation import validate_model
from tripwire.scenario.yamlsafe import parse_yaml

DATA = "tripwire.catalog"  # the package that holds the catalog's files (data only)

RULE_FILES = (
    "variables.yaml",
    "actors.yaml",
    "actions.yaml",
    "triggers.yaml",
    "outcomes.yaml",
    "dynamics.yaml",
)


@dataclass(frozen=True, slots=True)
class Rung:
    """A rung of Kahn's escalation ladder."""

    rung: int
    name: str
    group: str


@dataclass(frozen=True, slots=True)
class Catalog:
    """The validated catalog (see the module docstring)."""

    variables: tuple[VariableSpec, ...]
    actors: Mapping[str, ActorProfile]
    actions: tuple[ActionSpec, ...]
    triggers: tuple[TriggerSpec, ...]
    outcomes: tuple[OutcomeSpec, ...]
    dynamics: tuple[DynamicsTerm, ...]
    adjudication_order: tuple[str, ...]
    cameo: Mapping[str, tuple[str, float]]
    escalation_scores: Mapping[str, int]
    ladder: tuple[Rung, ...]
    bands: Mapping[str, tuple[float, float]]
    digest: str

    def names(self) -> Names:
        """Names the catalog alone defines (scenarios add their own)."""
        return names_from(self.variables, self.actions, self.triggers, (), self.cameo)


def names_from(
    variables: Any, actions: Any, triggers: Any, injects: Any, cameo: Mapping[str, Any]
) -> Names:
    """Build a :class:`Names` from validated entries or raw dicts (best effort for the latter).

    Raw dicts are read leniently (entries that are malformed are skipped): validation of those
    entries reports their problems, and the names of the well-formed ones are still known.
    """

    def get(entry: Any, key: str) -> Any:
        return entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)

    var_ranges: dict[str, tuple[float, float]] = {}
    actor_vars: dict[str, set[str]] = {a: set() for a in ACTORS}
    for v in variables:
        name, lo, hi = get(v, "name"), get(v, "min"), get(v, "max")
        if isinstance(name, str):
            ok = isinstance(lo, int | float) and isinstance(hi, int | float)
            var_ranges[name] = (float(lo), float(hi)) if ok else (float("-inf"), float("inf"))
            base, _, attr = name.partition(".")
            if base in actor_vars:
                actor_vars[base].add(attr)
    tags: set[str] = set()
    action_ids: set[str] = set()
    for a in actions:
        if isinstance(get(a, "id"), str):
            action_ids.add(get(a, "id"))
        for tag in get(a, "tags") or ():
            if isinstance(tag, str):
                tags.add(tag)
    events = {get(e, "id") for e in [*triggers, *injects] if isinstance(get(e, "id"), str)}
    return Names(
        variables=var_ranges,
        actor_vars={a: frozenset(s) for a, s in actor_vars.items()},
        tags=frozenset(tags),
        actions=frozenset(action_ids),
        events=frozenset(events),
        cameo=cameo,
    )


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(DATA).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def read_reference(name: str) -> list[dict[str, str]]:
    """Rows of one of the bundled reference CSV files."""
    return _read_csv(name)


def _section(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


FITTED = "fitted.yaml"  # the calibrated values of the free parameters (`tripwire fit`)


def _apply_fitted(
    doc: Any, variables: list[Any], actors: dict[str, ActorProfile]
) -> tuple[list[Any], dict[str, ActorProfile]]:
    """The catalog with the fitted values as its defaults: ``param.*`` variables' starting
    values and ``ACTOR.objectives.NAME`` weights (see ``fitted.yaml``)."""
    where = Location(f"<catalog>/{FITTED}")
    values = (doc or {}).get("values") or {}
    if not isinstance(values, dict):
        raise ScenarioError([Diagnostic(where, "values must be a mapping")])
    by_name = {v.name: i for i, v in enumerate(variables)}
    variables, actors = list(variables), dict(actors)
    for name, entry in values.items():
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ScenarioError([Diagnostic(where, f"{name}: value must be a number")])
        code, _, rest = str(name).partition(".")
        if name in by_name:
            spec = variables[by_name[name]]
            if not spec.min <= value <= spec.max:
                raise ScenarioError([Diagnostic(where, f"{name}: {value:g} is out of range")])
            variables[by_name[name]] = spec.model_copy(update={"default": float(value)})
        elif code in actors and rest.startswith("objectives."):
            objective = rest.removeprefix("objectives.")
            profile = actors[code]
            if objective not in profile.objectives or value < 0:
                raise ScenarioError([Diagnostic(where, f"{name}: not a fittable weight")])
            updated = profile.objectives[objective].model_copy(update={"weight": float(value)})
            actors[code] = profile.model_copy(
                update={"objectives": {**profile.objectives, objective: updated}}
            )
        else:
            raise ScenarioError([Diagnostic(where, f"{name}: unknown parameter")])
    return variables, actors


@functools.cache
def load_catalog() -> Catalog:
    """Read and validate the catalog (cached: once per process).

    Raises:
        ScenarioError: the catalog itself is broken (a developer error, located like any other).
    """
    pkg = resources.files(DATA)
    cameo = {
        row["code"]: (row["name"], float(row["goldstein"]))
        for row in _read_csv("cameo_goldstein.csv")
    }
    escalation = {
        row["category"]: int(row["score"]) for row in _read_csv("escalation_categories.csv")
    }
    ladder = tuple(
        Rung(int(row["rung"]), row["name"], row["group"])
        for row in _read_csv("kahn_escalation_ladder.csv")
    )
    bands = {
        row["term"]: (float(row["low"]), float(row["high"]))
        for row in _read_csv("estimative_probability.csv")
        if row["scheme"] == "tripwire"
    }

    digest = hashlib.sha256()
    raw: dict[str, Any] = {}
    for name in RULE_FILES:
        text = pkg.joinpath(name).read_text(encoding="utf-8")
        digest.update(name.encode() + b"\0" + text.encode())
        raw[name] = parse_yaml(text, f"<catalog>/{name}")

    all_raw = [raw[n] for n in RULE_FILES]
    names = names_from(
        [v for d in all_raw for v in _section(d, "variables")],
        [a for d in all_raw for a in _section(d, "actions")],
        [t for d in all_raw for t in _section(d, "triggers")],
        (),
        cameo,
    )
    problems: list[Diagnostic] = []
    files: dict[str, CatalogFile] = {}
    for name in RULE_FILES:
        try:
            files[name] = validate_model(CatalogFile, raw[name], names, f"<catalog>/{name}")
        except ScenarioError as err:
            problems.extend(err.diagnostics)
    if problems:
        raise ScenarioError(problems)

    merged = {
        key: [e for f in files.values() for e in getattr(f, key)]
        for key in ("variables", "actions", "triggers", "outcomes", "dynamics")
    }
    actors: dict[str, ActorProfile] = {}
    order: list[str] = []
    for f in files.values():
        actors.update(f.actors)
        order.extend(f.adjudication_order)
    missing = [a for a in ACTORS if a not in actors]
    if missing:
        problems.append(
            Diagnostic(Location("<catalog>/actors.yaml"), f"no profile for {', '.join(missing)}")
        )
    if sorted(order) != sorted(DOMAINS):
        problems.append(
            Diagnostic(
                Location("<catalog>/actions.yaml"),
                f"adjudication_order must list each of {', '.join(DOMAINS)} once",
            )
        )
    for key, entries in merged.items():
        seen: set[str] = set()
        for entry in entries:
            ident = entry.name if key == "variables" else entry.id
            if ident in seen:
                problems.append(
                    Diagnostic(Location(f"<catalog>/{key}"), f"duplicate {key[:-1]} '{ident}'")
                )
            seen.add(ident)
    if problems:
        raise ScenarioError(problems)
    fitted_text = pkg.joinpath(FITTED).read_text(encoding="utf-8")
    digest.update(FITTED.encode() + b"\0" + fitted_text.encode())
    merged["variables"], actors = _apply_fitted(
        parse_yaml(fitted_text, f"<catalog>/{FITTED}"), merged["variables"], actors
    )
    return Catalog(
        variables=tuple(merged["variables"]),
        actors=actors,
        actions=tuple(merged["actions"]),
        triggers=tuple(merged["triggers"]),
        outcomes=tuple(merged["outcomes"]),
        dynamics=tuple(merged["dynamics"]),
        adjudication_order=tuple(order),
        cameo=cameo,
        escalation_scores=escalation,
        ladder=ladder,
        bands=bands,
        digest=digest.hexdigest(),
    )
