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
from tripwire.scenario.loader import scenario_names
from tripwire.scenario.schema import Scenario
from tripwire.sim.model import CrisisModel
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


@dataclass(slots=True)
class ChunkResult:
    """Column-oriented results of a chunk (one value per run), plus optional series rows."""

    point: int
    chunk: int
    columns: dict[str, Any]
    series: dict[str, Any] | None = field(default=None)


def _rules(task: ChunkTask) -> Rules:
    rules = _RULES.get(task.scenario_sha256)
    if rules is None:
        catalog = load_catalog()
        if catalog.digest != task.catalog_sha256 or task.tripwire != __version__:
            raise RuntimeError(
                "this worker's Tripwire differs from the client's (catalog or version); "
                "install the same Tripwire version on every worker"
            )
        spec = Scenario.model_validate(
            task.scenario, context=scenario_names(task.scenario, catalog)
        )
        rules = compile_rules(spec, catalog)
        _RULES[task.scenario_sha256] = rules
    return rules


def prime(task: ChunkTask, rules: Rules) -> None:
    """Put rules the caller has compiled into this process's cache."""
    _RULES.setdefault(task.scenario_sha256, rules)


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
    """Play the chunk's games and return their results as columns."""
    rules = _rules(task)
    snap_index = rules.snapshot_index
    snap_names = [rules.var_names[i] for i in snap_index.tolist()]
    names = FAN_SERIES if not task.series else tuple(dict.fromkeys((*FAN_SERIES, *snap_names)))
    cols: dict[str, list[Any]] = {name: [] for name in result_columns(rules)}
    actions = list(dict.fromkeys(m.action for m in rules.moves))
    action_of_move = np.array([actions.index(m.action) for m in rules.moves], dtype=np.int64)
    finals: list[np.ndarray] = []
    series_rows: list[np.ndarray] = []
    for run, seed in zip(task.runs, task.seeds, strict=True):
        model = CrisisModel(rules, rng=seed, record=False, collect=False, series=names).run()
        cols["run"].append(run)
        cols["point"].append(task.point)
        cols["seed"].append(seed)
        for oid, turn in model.reached.items():
            cols[f"reached.{oid}"].append(turn is not None)
            cols[f"turn.{oid}"].append(turn)
        cols["peak_rung"].append(round(model.peak_rung))
        cols["total_escalation_score"].append(round(model.total_score))
        for tid, count in model.trigger_counts.items():
            cols[f"trigger.{tid}"].append(count)
        per_action = np.bincount(action_of_move, weights=model.move_counts, minlength=len(actions))
        for k, aid in enumerate(actions):
            cols[f"action.{aid}"].append(int(per_action[k]))
        finals.append(model.state[snap_index])
        rows = np.asarray(model.series, dtype=np.float64)
        for k, var in enumerate(FAN_SERIES):
            cols[f"fan.{var}"].append(rows[:, k].astype(np.float32))
        if task.series:
            series_rows.append(rows)
    final = np.vstack(finals) if finals else np.zeros((0, len(snap_names)))
    for k, var in enumerate(snap_names):
        cols[f"final.{var}"] = final[:, k]
    series = None
    if task.series:
        series = _series_columns(task, series_rows, names)
    return ChunkResult(task.point, task.chunk, cols, series)


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
