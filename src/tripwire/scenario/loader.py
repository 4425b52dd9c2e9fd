"""Loading scenarios: YAML file -> validated, frozen :class:`~tripwire.scenario.schema.Scenario`.

This module owns finding a scenario (a bundled name or a path), resolving ``extends:`` by
merging the marked YAML of the base under the file's own entries, validating the merged
document against the schema with the catalog's and the scenario's names in context, and the
checks that need several fields at once (objective names per actor, references between
entries, starting values in range). Every problem, in whichever file of the ``extends`` chain
it stands, is reported with its own ``PATH:LINE:COL``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tripwire.errors import Diagnostic, Location, ScenarioError, did_you_mean
from tripwire.scenario.catalog import Catalog, load_catalog, names_from
from tripwire.scenario.schema import ACTORS, LIST_LIMITS, Names, Scenario
from tripwire.scenario.validation import format_path, validate_model
from tripwire.scenario.yamlsafe import MarkedMap, MarkedSeq, key_location, locate, read_yaml

MAX_EXTENDS = 8
# What a scenario may cost (docs/scenario-guide.md, "Limits"). Setting up a game (compiling
# the rules and the batch engine's kernel) grows with the square of the moves (one per
# action, actor and target; the catalog has about 100): 1,000 take about a second, 9,000
# took half a minute and 1.2 GB. A game keeps a record of every inject and trigger at every
# turn (a batch, for 1,000 games at once), and its event log holds every move and event: a
# scenario whose worst case passes these limits is refused before anything is played.
MAX_MOVES = 1000
MAX_EVENT_CELLS = 60_000  # turns x (injects + triggers)
MAX_LOG_MB = 64  # the worst-case event log of one game
_KEYED_LISTS = {
    "variables": "name",
    "injects": "id",
    "triggers": "id",
    "outcomes": "id",
    "dynamics": "id",
    "actions": "id",
}


def bundled_dir() -> Path:
    """The folder of the bundled scenarios (package data)."""
    return Path(str(resources.files("tripwire").joinpath("scenarios")))


def bundled_scenarios() -> dict[str, Path]:
    """Bundled scenario name -> file, sorted by name."""
    return {p.stem: p for p in sorted(bundled_dir().glob("*.yaml"))}


def _display(path: Path) -> str:
    """A path as the user would like to read it: relative to the working directory if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def resolve_ref(ref: str | Path, relative_to: Path | None = None) -> Path | None:
    """A scenario reference (bundled name or path) as a file path, or None if it names nothing."""
    text = str(ref)
    candidate = Path(text)
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to / candidate
    if _is_file(candidate) or text.endswith((".yaml", ".yml")) or "/" in text:
        return candidate
    return bundled_scenarios().get(text)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _is_file(path: Path) -> bool:
    """Like Path.is_file, but False for names the system refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _put(out: MarkedMap, src: MarkedMap, key: str, value: Any) -> None:
    """Set ``out[key]`` to ``value``, taking the key's locations from ``src``."""
    out[key] = value
    out.key_locations[key] = src.key_locations[key]
    out.value_locations[key] = src.value_locations[key]
    out.value_styles[key] = src.value_styles[key]


def _merge_map(base: MarkedMap, child: MarkedMap) -> MarkedMap:
    """Child's keys over base's, keeping each value's location (mappings merge key by key)."""
    out = MarkedMap(child.location)
    for src in (base, child):
        for key, value in src.items():
            prev = out.get(key)
            if isinstance(prev, MarkedMap) and isinstance(value, MarkedMap):
                _put(out, src, key, _merge_map(prev, value))
            else:
                _put(out, src, key, value)
    return out


def _merge_keyed(base: Any, child: Any, key: str) -> Any:
    """Merge two lists of entries by id: a child entry replaces the base entry with its id."""
    if not (isinstance(base, MarkedSeq) and isinstance(child, MarkedSeq)):
        return child
    out = MarkedSeq(child.location)
    # only text ids can match (a list or mapping in an id's place is the schema's to report)
    child_ids = {e.get(key) for e in child if isinstance(e, dict) and isinstance(e.get(key), str)}
    for i, entry in enumerate(base):
        ident = entry.get(key) if isinstance(entry, dict) else None
        if isinstance(ident, str) and ident in child_ids:
            continue
        _copy_item(out, base, i)
    for i in range(len(child)):
        _copy_item(out, child, i)
    return out


def _copy_item(out: MarkedSeq, src: MarkedSeq, i: int) -> None:
    """Append item ``i`` of ``src`` to ``out`` with its marks and its place in its own file."""
    out.append(src[i])
    out.item_locations.append(src.item_locations[i])
    out.item_styles.append(src.item_styles[i])
    out.item_indices.append(src.item_indices[i] if i < len(src.item_indices) else i)


def merge_documents(base: MarkedMap, child: MarkedMap) -> MarkedMap:
    """The document ``child`` would be if written out in full on top of ``base``.

    Lists of entries merge by id (a child entry replaces the base's entry of the same id),
    ``actors`` and ``state`` merge key by key, ``disable`` lists add up, anything else in the
    child replaces the base's value.
    """
    out = MarkedMap(child.location)
    for src in (base, child):
        for key, value in src.items():
            prev = out.get(key)
            merged = value
            if key in out and key in _KEYED_LISTS:
                merged = _merge_keyed(prev, value, _KEYED_LISTS[key])
            elif isinstance(prev, MarkedMap) and isinstance(value, MarkedMap):
                if key == "disable":
                    merged = _merge_disable(prev, value)
                elif key in ("actors", "state"):
                    merged = _merge_map(prev, value)
            _put(out, src, key, merged)
    return out


def _merge_disable(base: MarkedMap, child: MarkedMap) -> MarkedMap:
    out = _merge_map(base, child)
    for key in set(base) & set(child):
        a, b = base[key], child[key]
        if isinstance(a, MarkedSeq) and isinstance(b, MarkedSeq):
            merged = MarkedSeq(b.location)
            for seq in (a, b):
                for i in range(len(seq)):
                    _copy_item(merged, seq, i)
            out[key] = merged
    return out


def read_document(path: Path, display: str, chain: tuple[Path, ...] = ()) -> MarkedMap:
    """Read a scenario file and everything it extends, merged into one marked document.

    Raises:
        ExtendsError: the file itself is readable but its ``extends`` is not; it carries the
            file's own document so that its other problems can still be reported.
    """
    data = read_yaml(path, display)
    if not isinstance(data, MarkedMap):
        where = getattr(data, "location", Location(display))
        raise ScenarioError(
            [
                Diagnostic(
                    where, "a scenario file must be a mapping of keys (schema_version, id, ...)"
                )
            ]
        )
    ref = data.get("extends")
    if ref is None:
        return data
    where = data.value_locations["extends"]
    if not isinstance(ref, str):
        raise ExtendsError([Diagnostic(where, "extends: expected a scenario name or a path")], data)
    base_path = resolve_ref(ref, path.parent)
    if base_path is None:
        raise ExtendsError(
            [
                Diagnostic(
                    where,
                    f"extends: no bundled scenario or file '{ref}'"
                    + did_you_mean(ref, bundled_scenarios()),
                )
            ],
            data,
        )
    if not _is_file(base_path):
        what = (
            "is a directory, not a scenario file"
            if _is_dir(base_path)
            else "not a regular file"
            if os.path.lexists(base_path) and os.path.exists(base_path)
            else "no such file"
        )
        raise ExtendsError([Diagnostic(where, f"extends: '{ref}': {what}")], data)
    resolved = base_path.resolve()
    if resolved in chain or resolved == path.resolve():
        raise ExtendsError(
            [Diagnostic(where, f"extends: '{ref}' extends this file again (a cycle)")], data
        )
    if len(chain) >= MAX_EXTENDS:
        raise ExtendsError([Diagnostic(where, f"extends: more than {MAX_EXTENDS} levels")], data)
    try:
        base = read_document(base_path, _display(base_path), (*chain, path.resolve()))
    except ScenarioError as err:
        # The base is broken: report its problems, and still check this file on its own.
        raise ExtendsError(list(err.diagnostics), data) from None
    return merge_documents(base, data)


class ExtendsError(ScenarioError):
    """The base of a scenario could not be read; carries the scenario's own document."""

    def __init__(self, diagnostics: list[Diagnostic], document: MarkedMap):
        super().__init__(diagnostics)
        self.document = document


class _Problems:
    """Collects located cross-field problems."""

    def __init__(self, data: MarkedMap, path: str):
        self.data = data
        self.fallback = Location(path)
        self.found: list[Diagnostic] = []

    def at(self, loc: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
        where = (
            key_location(self.data, loc, fallback=self.fallback)
            if key
            else locate(self.data, loc, fallback=self.fallback)[0]
        )
        self.found.append(Diagnostic(where, message))


def _objective_ids(catalog: Catalog) -> dict[str, set[str]]:
    return {code: set(p.objectives) for code, p in catalog.actors.items()}


def _check_weights(
    problems: _Problems,
    loc: tuple[str | int, ...],
    weights: dict[str, Any],
    objectives: dict[str, set[str]],
) -> None:
    every = sorted(f"{a}.{o}" for a, objs in objectives.items() for o in objs)
    for name in weights:
        if not isinstance(name, str):
            continue
        actor, _, objective = name.partition(".")
        if actor not in objectives or objective not in objectives[actor]:
            if actor in objectives:  # compare the objective alone: the actor is shared
                hint = _objective_hint(actor, objective, objectives[actor])
            else:
                hint = did_you_mean(name, every)
            problems.at(
                (*loc, name),
                f"{format_path(loc, problems.data)}: unknown objective '{name}'{hint}",
                key=True,
            )


def _objective_hint(actor: str, objective: str, known: set[str], *, prefix: bool = True) -> str:
    """A close spelling if there is one, else the actor's objectives (a short list)."""
    close = did_you_mean(objective, known)
    if close and prefix:
        return close.replace("mean '", f"mean '{actor}.")
    return close or f" ({actor}'s objectives: {', '.join(sorted(known))})"


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, e) for i, e in enumerate(value) if isinstance(e, dict)]


def _ids(entries: list[tuple[int, dict[str, Any]]], key: str = "id") -> set[str]:
    """The ids of entries that have a text id (any other shape is the schema's to report:
    a list or a mapping where an id belongs cannot even be put in a set)."""
    return {e[key] for _, e in entries if isinstance(e.get(key), str)}


def _mapping(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def check_scenario(data: MarkedMap, path: str, catalog: Catalog) -> list[Diagnostic]:
    """Checks that need several entries of the (merged) document and the catalog at once.

    They read the raw document leniently (entries of the wrong shape are skipped: the schema
    reports those), so that they run, and report, even when other parts are invalid.
    """
    problems = _Problems(data, path)
    objectives = _objective_ids(catalog)
    catalog_vars = {v.name for v in catalog.variables}
    ranges = {v.name: (v.min, v.max) for v in catalog.variables}
    for _, var in _items(data, "variables"):
        lo, hi, name = var.get("min"), var.get("max"), var.get("name")
        if isinstance(name, str) and isinstance(lo, int | float) and isinstance(hi, int | float):
            ranges.setdefault(name, (lo, hi))

    for kind, key in _KEYED_LISTS.items():
        seen: dict[str, int] = {}
        for i, entry in _items(data, kind):
            ident = entry.get(key)
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first, _ = locate(data, (kind, seen[ident], key), fallback=problems.fallback)
                where = format_path((kind, i, key), data)
                problems.at(
                    (kind, i, key),
                    f"{where}: '{ident}' is given twice (first at line {first.line})",
                )
            else:
                seen[ident] = i
    for i, var in _items(data, "variables"):
        if isinstance(var.get("name"), str) and var["name"] in catalog_vars:
            where = format_path(("variables", i, "name"), data)
            problems.at(
                ("variables", i, "name"), f"{where}: '{var['name']}' is already a catalog variable"
            )
    for code, override in _mapping(data, "actors").items():
        if code not in objectives or not isinstance(override, dict):
            continue
        for name, value in _mapping(override, "objectives").items():
            if isinstance(name, str) and isinstance(value, dict):
                objectives[code].add(name)  # a new objective of the scenario's own
    for code, override in _mapping(data, "actors").items():
        if code not in objectives or not isinstance(override, dict):
            continue
        for name, value in _mapping(override, "objectives").items():
            if isinstance(value, dict):
                continue
            if name not in objectives[code]:
                problems.at(
                    ("actors", code, "objectives", name),
                    f"actors.{code}.objectives: {code} has no objective '{name}'"
                    + _objective_hint(code, name, objectives[code], prefix=False),
                    key=True,
                )
    inject_ids = _ids(_items(data, "injects"))
    for kind in ("injects", "triggers"):
        for i, entry in _items(data, kind):
            weights = entry.get("weights")
            if isinstance(weights, dict):
                _check_weights(problems, (kind, i, "weights"), weights, objectives)
    for i, trig in _items(data, "triggers"):
        ref = trig.get("inject")
        if isinstance(ref, str) and ref not in inject_ids:
            where = format_path(("triggers", i, "inject"), data)
            problems.at(
                ("triggers", i, "inject"),
                f"{where}: no inject '{ref}' in this scenario" + did_you_mean(ref, inject_ids),
            )
    known = {
        "actions": {a.id for a in catalog.actions} | _ids(_items(data, "actions")),
        "triggers": {t.id for t in catalog.triggers} | _ids(_items(data, "triggers")),
        "dynamics": {d.id for d in catalog.dynamics} | _ids(_items(data, "dynamics")),
        "injects": inject_ids,
    }
    disable = _mapping(data, "disable")
    for kind, ids in known.items():
        listed = disable.get(kind)
        for i, ident in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(ident, str) and ident not in ids:
                problems.at(
                    ("disable", kind, i),
                    f"disable.{kind}[{i}]: unknown id '{ident}'" + did_you_mean(ident, ids),
                )
    for name, value in _mapping(data, "state").items():
        if name in ranges and isinstance(value, int | float) and math.isfinite(value):
            lo, hi = ranges[name]
            if not lo <= value <= hi:
                problems.at(
                    ("state", name),
                    f"state[{name}]: {value:g} is outside the variable's range [{lo:g}, {hi:g}]",
                )
    return problems.found


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (after ``extends``), in canonical JSON."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def scenario_names(document: Any, catalog: Catalog) -> Names:
    """The names a scenario may refer to: the catalog's and the scenario's own.

    ``document`` is a raw (possibly invalid) mapping or a validated Scenario.
    """

    def entries(key: str) -> list[Any]:
        value = document.get(key) if isinstance(document, dict) else getattr(document, key, [])
        return list(value) if isinstance(value, list | tuple) else []

    return names_from(
        [*catalog.variables, *entries("variables")],
        [*catalog.actions, *entries("actions")],
        [*catalog.triggers, *entries("triggers")],
        entries("injects"),
        catalog.cameo,
    )


def _moves(actors: Any, targets: Any) -> int:
    """The moves an action makes: one per actor and target (its own actor left out), as the
    rules compile them; entries of the wrong shape count for nothing (the schema reports
    them)."""
    actors = actors if isinstance(actors, list | tuple) else []
    targets = targets if isinstance(targets, list | tuple) else []
    codes = [code for code in ACTORS if code in actors]
    aimed = [t for t in targets if isinstance(t, str)]
    if not aimed:
        return len(codes)
    return sum(1 for code in codes for t in aimed if t != code)


def count_moves(data: Any, catalog: Catalog) -> int:
    """The moves of a (raw, merged) scenario document: the catalog's actions, replaced or
    extended by the scenario's, less the switched-off ones."""
    own = {e["id"]: e for _, e in _items(data, "actions") if isinstance(e.get("id"), str)}
    off_list = _mapping(data, "disable").get("actions")
    off = {i for i in (off_list if isinstance(off_list, list) else []) if isinstance(i, str)}
    total = sum(
        _moves(a.actors, a.targets) for a in catalog.actions if a.id not in own and a.id not in off
    )
    total += sum(_moves(e.get("actors"), e.get("targets")) for i, e in own.items() if i not in off)
    total += sum(
        _moves(e.get("actors"), e.get("targets"))
        for _, e in _items(data, "actions")
        if not isinstance(e.get("id"), str)
    )
    return total


def check_size(data: MarkedMap, path: str, catalog: Catalog) -> list[Diagnostic]:
    """The limits checked before validation, so that a huge file is refused before the work
    it would cost: each list's length (``LIST_LIMITS``) and the moves (``MAX_MOVES``)."""
    problems = _Problems(data, path)
    for key, limit in LIST_LIMITS.items():
        value = data.get(key)
        if isinstance(value, list) and len(value) > limit:
            problems.at(
                (key,), f"{key}: {len(value)} entries, more than the limit of {limit}", key=True
            )
    if not problems.found:
        moves = count_moves(data, catalog)
        if moves > MAX_MOVES:
            catalog_moves = sum(_moves(a.actors, a.targets) for a in catalog.actions)
            problems.at(
                ("actions",),
                f"actions: these actions make {moves} moves (one per action, actor and target; "
                f"the catalog's make {catalog_moves}), more than the limit of {MAX_MOVES}: "
                "give actions fewer actors or targets",
                key=True,
            )
    return problems.found


@dataclass(frozen=True, slots=True)
class GameCost:
    """The worst case of one game of a scenario (see :func:`game_cost`).

    Attributes:
        turns: the turns played.
        events: injects and triggers (every one, also those switched off).
        event_cells: ``(turns + 1) x events``: the records of injects and triggers a game
            keeps (a batch keeps them for every game of a chunk).
        log_bytes: an upper estimate of the event log's size.
        log_parts: what ``log_bytes`` is made of (turn snapshots, moves, injects, triggers).
    """

    turns: int
    events: int
    event_cells: int
    log_bytes: int
    log_parts: dict[str, int]

    def problems(self) -> list[str]:
        """What passes the limits, in words (empty when the game is within them)."""
        found = []
        if self.event_cells > MAX_EVENT_CELLS:
            found.append(
                f"{self.turns} turns x {self.events} injects and triggers (with the catalog's) "
                f"= {self.event_cells} records a game keeps, more than the limit of "
                f"{MAX_EVENT_CELLS}: play fewer turns or use fewer injects or triggers"
            )
        if self.log_bytes > MAX_LOG_MB * 1_000_000:
            part, size = max(self.log_parts.items(), key=lambda kv: kv[1])
            found.append(
                f"a game of {self.turns} turns could write an event log of up to "
                f"{self.log_bytes / 1e6:.0f} MB ({size / 1e6:.0f} MB of it from {part}), more "
                f"than the limit of {MAX_LOG_MB} MB: play fewer turns, or make repeating "
                "injects and triggers shorter or rarer (once: true, a cooldown)"
            )
        return found


def _merged(base: Sequence[Any], extra: Sequence[Any]) -> list[Any]:
    replaced = {e.id: e for e in extra}
    return [*(replaced.pop(e.id, e) for e in base), *replaced.values()]


def _record(text: str, *mappings: Any) -> int:
    """An upper estimate of one event record's size in the log (JSON)."""
    return 200 + 2 * len(text) + 60 * sum(len(m) for m in mappings)


def game_cost(
    scenario: Scenario, catalog: Catalog | None = None, turns: int | None = None
) -> GameCost:
    """The worst case of one game of ``scenario`` played for ``turns`` (default: its own):
    every actor makes all its moves, every repeating inject and trigger fires every turn it
    may. Cheap: it reads the scenario, nothing is compiled or played."""
    catalog = catalog or load_catalog()
    turns = scenario.turns if turns is None else turns
    off = scenario.disable
    triggers = _merged(catalog.triggers, scenario.triggers)
    outcomes = _merged(catalog.outcomes, scenario.outcomes)
    actions = [a for a in _merged(catalog.actions, scenario.actions) if a.id not in off.actions]
    variables = len(catalog.variables) + len(scenario.variables)
    points = 0
    for code in ACTORS:
        over = scenario.actors.get(code)
        own = over.action_points if over is not None else None
        points += own if own is not None else catalog.actors[code].action_points
    move = max((_record(a.name + a.id, a.effects, a.on_failure) for a in actions), default=0)
    on_call = {t.inject for t in triggers if t.inject is not None and t.id not in off.triggers}
    inject_bytes = 0
    for inj in scenario.injects:
        if inj.id in off.injects:
            continue
        once = inj.turn is not None or (inj.chance is not None and inj.once)
        times = 1 if once and inj.id not in on_call else turns
        inject_bytes += times * _record(inj.text + inj.id, inj.effects, inj.weights)
    trigger_bytes = sum(
        (1 if t.once else math.ceil(turns / (t.cooldown + 1)))
        * _record(t.text + t.id, t.effects, t.weights)
        for t in triggers
        if t.id not in off.triggers
    )
    parts = {
        "the turn snapshots": (turns + 1) * (300 + 40 * (variables + len(outcomes))),
        "the moves": turns * points * move,
        "repeating injects": inject_bytes,
        "repeating triggers": trigger_bytes,
        "the outcomes": sum(_record(o.title + o.id) for o in outcomes),
    }
    events = len(triggers) + len(scenario.injects)
    return GameCost(turns, events, (turns + 1) * events, sum(parts.values()), parts)


def check_cost(
    scenario: Scenario, turns: int | None, where: Location, catalog: Catalog | None = None
) -> None:
    """Refuse a game beyond the limits (:meth:`GameCost.problems`), located at ``where``
    (the scenario's ``turns`` or a ``--turns`` option).

    Raises:
        ScenarioError: one diagnostic per limit passed.
    """
    found = game_cost(scenario, catalog, turns).problems()
    if found:
        raise ScenarioError([Diagnostic(where, message) for message in found])


def load_document(data: MarkedMap, path: str, catalog: Catalog | None = None) -> Scenario:
    """Validate an already-read (and merged) scenario document."""
    catalog = catalog or load_catalog()
    too_big = check_size(data, path, catalog)
    if too_big:
        raise ScenarioError(too_big)  # before validating (or compiling) all of it
    names = scenario_names(data, catalog)
    problems = check_scenario(data, path, catalog)
    try:
        scenario = validate_model(Scenario, data, names, path)
    except ScenarioError as err:
        raise ScenarioError([*err.diagnostics, *problems]) from None
    if problems:
        raise ScenarioError(problems)
    where = locate(data, ("turns",), fallback=Location(path))[0]
    check_cost(scenario, None, where, catalog)
    return scenario


def load_scenario(ref: str | Path, catalog: Catalog | None = None) -> Scenario:
    """Load and validate a scenario.

    Args:
        ref: a bundled scenario name (``missile_crisis_2``) or a path to a YAML file.
        catalog: the catalog to validate against (default: the bundled one).

    Raises:
        ScenarioError: every problem found, located as ``PATH:LINE:COL``.
    """
    path = resolve_ref(ref)
    if path is None:
        raise ScenarioError(
            [
                Diagnostic(
                    Location(str(ref)),
                    "no bundled scenario or file of this name"
                    + did_you_mean(str(ref), bundled_scenarios()),
                )
            ]
        )
    display = _display(path)
    try:
        data = read_document(path, display)
    except ExtendsError as err:
        # Still report the file's own problems; keys its base might have given are not missing,
        # and the extends value itself has been reported already.
        problems = list(err.diagnostics)
        where = err.document.value_locations.get("extends")
        try:
            load_document(err.document, display, catalog)
        except ScenarioError as more:
            problems.extend(
                d
                for d in more.diagnostics
                if "missing required key" not in d.message and d.location != where
            )
        raise ScenarioError(problems) from None
    return load_document(data, display, catalog)


def scenario_files(ref: str | Path) -> list[Path]:
    """The files a scenario reference reads: the file itself and those its ``extends`` chain
    names (as far as they can be read; the loader reports any problem with them).

    A command checks its outputs against these before any work, so that an output never
    replaces one of its own inputs.
    """
    files: list[Path] = []
    path = resolve_ref(ref)
    while path is not None and _is_file(path) and len(files) <= MAX_EXTENDS:
        if any(path.resolve() == seen.resolve() for seen in files):
            break
        files.append(path)
        try:
            data = read_yaml(path)
        except ScenarioError:
            break
        base = data.get("extends") if isinstance(data, dict) else None
        path = resolve_ref(base, path.parent) if isinstance(base, str) else None
    return files


def iter_bundled() -> Iterator[tuple[str, Scenario]]:
    """Every bundled scenario, loaded."""
    for name in bundled_scenarios():
        yield name, load_scenario(name)
