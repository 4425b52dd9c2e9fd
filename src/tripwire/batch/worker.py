"""A chunk of a batch: the unit of work a process-pool or Dask worker plays.

A :class:`ChunkTask` is self-contained (the resolved scenario document travels with it, so a
Dask worker on another machine needs no files) and deterministic (run ``i`` is played with
its own seed, whatever chunk it falls in). :func:`run_chunk` plays the chunk's games in lean
mode and returns one column-oriented :class:`ChunkResult`: one round trip per chunk, not per
game. Compiled rules are cached per process, keyed by the scenario's digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tripwire import __version__
from tripwire.catalog import load_catalog
from tripwire.scenario.loader import scenario_digest, scenario_names
from tripwire.scenario.schema import Scenario
from tripwire.sim.lockstep import ACTION, EVENT_KINDS, HOLD, INJECT, TRIGGER, LockstepModel
from tripwire.sim.rules import Rules, compile_rules

# Per-turn series kept for every run (fan charts); --series keeps every variable.
FAN_SERIES = ("world.tension", "world.escalation_rung", "world.escalation_score")

_RULES: dict[str, Rules] = {}


def run_seed(seed: int, run: int) -> int:
    """The seed of run ``run`` of a batch seeded ``seed`` (the same whatever the chunking).

    Derived with numpy's SeedSequence spawning (``spawn_key=(run,)``) and reduced to 63 bits
    so that it fits the log, Parquet's int64 and ``tripwire run --seed``.
    """
    state = np.random.SeedSequence(seed, spawn_key=(run,)).generate_state(1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Everything needed to play one chunk of runs of one sweep point."""

    point: int
    chunk: int
    scenario: dict[str, Any]
    scenario_sha256: str
    catalog_sha256: str
    runs: tuple[int, ...]
    seeds: tuple[int, ...]
    series: bool = False
    tripwire: str = __version__
    events: bool = False


@dataclass(slots=True)
class ChunkResult:
    """Column-oriented results of a chunk (one value per run), plus optional series rows."""

    point: int
    chunk: int
    columns: dict[str, Any]
    series: dict[str, Any] | None = field(default=None)
    events: dict[str, Any] | None = field(default=None)


def worker_rules(scenario: dict[str, Any], catalog_sha256: str, tripwire: str) -> Rules:
    """A task's scenario compiled in this worker, once the worker is known to run the
    client's Tripwire (the same catalog and version: the same games)."""
    catalog = load_catalog()
    if catalog.digest != catalog_sha256 or tripwire != __version__:
        raise RuntimeError(
            "this worker's Tripwire differs from the client's (catalog or version); "
            "install the same Tripwire version on every worker"
        )
    spec = Scenario.model_validate(scenario, context=scenario_names(scenario, catalog))
    return compile_rules(spec, catalog)


def _rules(task: ChunkTask) -> Rules:
    rules = _RULES.get(task.scenario_sha256)
    if rules is None:
        rules = worker_rules(task.scenario, task.catalog_sha256, task.tripwire)
        _RULES[task.scenario_sha256] = rules
    return rules


def prime(rules: Rules) -> None:
    """Put rules the caller has compiled into this process's cache.

    The key is the digest of the scenario the rules were compiled from, never a task's:
    a sweep point's task names its own scenario, and filing the base rules under it would
    play that point with the base scenario.
    """
    _RULES.setdefault(scenario_digest(rules.scenario), rules)


def result_columns(rules: Rules) -> list[str]:
    """The names of the per-run columns, in order (see :func:`run_chunk`)."""
    snap = [rules.var_names[i] for i in rules.snapshot_index.tolist()]
    return [
        "run",
        "point",
        "seed",
        *(f"reached.{o}" for o in rules.outcome_ids),
        *(f"turn.{o}" for o in rules.outcome_ids),
        "peak_rung",
        "total_escalation_score",
        *(f"trigger.{t.id}" for t in rules.triggers),
        *(f"action.{a}" for a in dict.fromkeys(m.action for m in rules.moves)),
        *(f"final.{v}" for v in snap),
        *(f"fan.{v}" for v in FAN_SERIES),
    ]


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Play the chunk's games and return their results as columns.

    The games are played together by :class:`tripwire.sim.lockstep.LockstepModel`, whose
    games are exactly those :class:`CrisisModel` plays with the same seeds.
    """
    rules = _rules(task)
    snap_index = rules.snapshot_index
    snap_names = [rules.var_names[i] for i in snap_index.tolist()]
    names = FAN_SERIES if not task.series else tuple(dict.fromkeys((*FAN_SERIES, *snap_names)))
    games = LockstepModel(rules, task.seeds, series=names, events=task.events).run().result()
    # numpy columns where they can be (compact to send back and to hold while in flight);
    # a list where a value may be missing (an outcome never reached has no turn)
    cols: dict[str, Any] = {
        "run": np.asarray(task.runs, dtype=np.int64),
        "point": np.full(len(task.runs), task.point, dtype=np.int64),
        "seed": np.asarray(task.seeds, dtype=np.int64),
    }
    for k, oid in enumerate(rules.outcome_ids):
        turns = games.reached[k]
        cols[f"reached.{oid}"] = turns > 0
        cols[f"turn.{oid}"] = [int(t) if t else None for t in turns.tolist()]
    cols["peak_rung"] = np.round(games.peak_rung).astype(np.int64)
    cols["total_escalation_score"] = np.round(games.total_score).astype(np.int64)
    for k, trigger in enumerate(rules.triggers):
        cols[f"trigger.{trigger.id}"] = games.trigger_counts[k]
    actions = list(dict.fromkeys(m.action for m in rules.moves))
    action_of_move = np.array([actions.index(m.action) for m in rules.moves], dtype=np.int64)
    per_action = np.zeros((len(actions), len(task.runs)), dtype=np.int64)
    np.add.at(per_action, action_of_move, games.move_counts)
    for k, aid in enumerate(actions):
        cols[f"action.{aid}"] = per_action[k]
    for k, var in enumerate(snap_names):
        cols[f"final.{var}"] = games.state[snap_index[k]].copy()
    for k, var in enumerate(FAN_SERIES):
        cols[f"fan.{var}"] = [row.astype(np.float32) for row in games.series[:, :, k].T]
    series = None
    if task.series:
        per_run = [games.series[:, g, :] for g in range(len(task.runs))]
        series = _series_columns(task, per_run, names)
    events = _event_columns(task, rules, games.events) if games.events is not None else None
    columns = {c: cols[c] for c in result_columns(rules)}
    return ChunkResult(task.point, task.chunk, columns, series, events)


# events.parquet's columns (one row per event; a column that does not apply is null)
EVENT_COLUMNS = (
    "run", "point", "turn", "seq", "kind", "actor", "action", "target", "success",
    "cancelled", "trigger", "inject", "outcome",
)  # fmt: skip


def _event_columns(task: ChunkTask, rules: Rules, ev: dict[str, np.ndarray]) -> dict[str, Any]:
    """The chunk's events with names: ``seq`` numbers a game's events within a turn in the
    order its log has them (the log's own seq also counts records the batch does not keep,
    such as a human's decisions)."""
    kinds, what = ev["kind"], ev["what"].tolist()
    n = len(kinds)
    game, turn = ev["game"], ev["turn"]
    # position within (game, turn): rows are sorted by game, then in time order
    new = np.ones(n, dtype=bool)
    new[1:] = (game[1:] != game[:-1]) | (turn[1:] != turn[:-1])
    starts = np.flatnonzero(new)
    seq = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    actor: list[str | None] = [None] * n
    action: list[str | None] = [None] * n
    target: list[str | None] = [None] * n
    named: dict[str, list[str | None]] = {k: [None] * n for k in ("trigger", "inject", "outcome")}
    for i, (kind, w) in enumerate(zip(kinds.tolist(), what, strict=True)):
        if kind == ACTION:
            move = rules.moves[w]
            actor[i], action[i], target[i] = move.actor, move.action, move.target
        elif kind == HOLD:
            actor[i], action[i] = rules.actors[w], "hold"
        elif kind == INJECT:
            named["inject"][i] = rules.event_ids[w]
        elif kind == TRIGGER:
            named["trigger"][i] = rules.triggers[w].id
        else:
            named["outcome"][i] = rules.outcome_ids[w]
    kind_names = np.array(EVENT_KINDS, dtype=object)[kinds].tolist() if n else []
    is_action = (kinds == ACTION) | (kinds == HOLD)
    return {
        "run": np.asarray(task.runs, dtype=np.int64)[game],
        "point": np.full(n, task.point, dtype=np.int32),
        "turn": turn.astype(np.int16),
        "seq": seq.astype(np.int16),
        "kind": kind_names,
        "actor": actor,
        "action": action,
        "target": target,
        "success": [bool(x) if a else None for x, a in zip(ev["success"], is_action, strict=True)],
        "cancelled": [
            bool(x) if a else None for x, a in zip(ev["cancelled"], is_action, strict=True)
        ],
        **named,
    }


def _series_columns(
    task: ChunkTask, rows: list[np.ndarray], names: tuple[str, ...]
) -> dict[str, Any]:
    turns = rows[0].shape[0] if rows else 0
    stacked = np.vstack(rows) if rows else np.zeros((0, len(names)))
    out: dict[str, Any] = {
        "run": np.repeat(np.asarray(task.runs, dtype=np.int64), turns),
        "point": np.full(len(stacked), task.point, dtype=np.int32),
        "turn": np.tile(np.arange(turns, dtype=np.int16), len(rows)),
    }
    for k, var in enumerate(names):
        out[var] = stacked[:, k].astype(np.float32)
    return out
