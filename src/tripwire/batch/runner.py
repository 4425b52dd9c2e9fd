"""Batches: thousands of seeded games of a scenario, streamed to disk, resumable.

:func:`run_batch` plans the batch (run ``i`` of every sweep point plays seed
``run_seed(seed, i)``), writes a manifest into the output folder, sends chunks of runs to a
backend, and writes each finished chunk as its own Parquet part, atomically. A batch killed
at any moment (even ``kill -9``) loses at most the chunks in flight; ``resume=True`` plays
only the missing chunks. When all chunks are in, the parts are joined in a fixed order into
``runs.parquet`` and the summary (``summary.json``) is computed from that file alone, so it
is the same whatever the number of workers, the backend or the interruptions. The batch layer
returns data; ``summary.md`` and the plots are the report layer's
(:mod:`tripwire.report.batch_outputs`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tripwire import __version__
from tripwire.batch.backends import Backend, SerialBackend, choose_backend
from tripwire.batch.export import CSV_FILES, write_csv
from tripwire.batch.worker import (
    EVENT_COLUMNS,
    ChunkResult,
    ChunkTask,
    prime,
    result_columns,
    run_seed,
)
from tripwire.catalog import load_catalog
from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import read_text, replace_with, write_text_atomic
from tripwire.scenario.loader import bundled_scenarios, load_scenario, scenario_digest
from tripwire.scenario.overrides import (
    Assignment,
    apply_overrides,
    point_assignments,
    sweep_points,
)
from tripwire.scenario.schema import Scenario
from tripwire.sim.rules import Rules, compile_rules
from tripwire.workers import batch_games

MANIFEST = "batch.json"
PARTS = "parts"
# Rows per row group of the joined files: the writer keeps metadata for every row group it
# has written, so one per 100-run part would grow the parent's memory with the batch.
JOIN_ROWS = 4096
MANIFEST_KIND = "tripwire-batch"
MANIFEST_FORMAT = 1
_PART = re.compile(r"runs-p(\d{4})-c(\d{6})\.parquet")

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Plan:
    """What a batch plays: points (sweep values) x runs, in chunks."""

    scenario: Scenario  # after --set
    rules: Rules
    seed: int
    runs: int
    chunk_size: int
    sets: dict[str, float]
    sweeps: list[tuple[str, list[float]]]
    points: list[dict[str, float]]
    point_scenarios: list[Scenario]
    series: bool
    # judged against the analysis' bands (not part of the manifest: it changes no game)
    bands: bool = False
    events: bool = False  # also write events.parquet

    @property
    def swept(self) -> list[str]:
        """The swept names (a column each in runs.parquet)."""
        return [name for name, _ in self.sweeps]

    @property
    def chunks_per_point(self) -> int:
        return math.ceil(self.runs / self.chunk_size)

    def manifest(self) -> dict[str, Any]:
        """The folder's record of the batch (what a resume must match)."""
        return {
            "kind": MANIFEST_KIND,
            "format": MANIFEST_FORMAT,
            "tripwire": __version__,
            "catalog_sha256": self.rules.catalog_sha256,
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "scenario_sha256": scenario_digest(self.scenario),
            "turns": self.rules.turns,
            "seed": self.seed,
            "runs": self.runs,
            "chunk_size": self.chunk_size,
            "sets": self.sets,
            "sweeps": [[name, values] for name, values in self.sweeps],
            "points": self.points,
            "series": self.series,
            # only when asked, so that a folder written before events existed still resumes
            **({"events": True} if self.events else {}),
        }

    def task(self, point: int, chunk: int) -> ChunkTask:
        runs = range(chunk * self.chunk_size, min(self.runs, (chunk + 1) * self.chunk_size))
        scenario = self.point_scenarios[point]
        return ChunkTask(
            point=point,
            chunk=chunk,
            scenario=scenario.model_dump(mode="json"),
            scenario_sha256=scenario_digest(scenario),
            catalog_sha256=self.rules.catalog_sha256,
            runs=tuple(runs),
            seeds=tuple(run_seed(self.seed, i) for i in runs),
            series=self.series,
            events=self.events,
        )

    def expected_rows(self, chunk: int) -> int:
        return min(self.runs, (chunk + 1) * self.chunk_size) - chunk * self.chunk_size


@dataclass(slots=True)
class BatchResult:
    """A finished batch: its folder, its summary, and its runs as a DataFrame."""

    out: Path
    summary: dict[str, Any]
    plan: Plan = field(repr=False)
    played: int = 0  # runs played by this call (fewer than all when resuming)
    seconds: float = 0.0

    @property
    def frame(self) -> Any:
        """One row per run (``pandas.DataFrame``), read from ``runs.parquet``; for a sweep,
        with a column per swept name holding the run's value (``point`` numbers the points;
        the columns are in the file)."""
        return pq.read_table(self.out / "runs.parquet").to_pandas()

    def series_frame(self) -> Any:
        """One row per run and turn with every variable (only with ``series=True``)."""
        return pq.read_table(self.out / "series.parquet").to_pandas()


def default_chunk_size(runs: int, workers: int) -> int:
    """Chunks big enough to amortise a round trip and let the lockstep engine play many
    games at once (it plays ~1,300 games/s per core 250 at a time, ~2,100 1,000 at a time),
    small enough to balance the workers (four chunks each) and keep the progress bar moving.
    One process plays chunks of 1,000 (half a second each).
    """
    if workers <= 1:
        return max(1, min(1000, runs))
    return max(1, min(1000, math.ceil(runs / (workers * 4))))


def make_plan(
    scenario: str | Path | Scenario,
    runs: int,
    *,
    seed: int = 1,
    sets: Sequence[Assignment] = (),
    sweeps: Sequence[tuple[str, Sequence[float]]] = (),
    series: bool = False,
    chunk_size: int | None = None,
    workers: int = 1,
    turns: int | None = None,
    bands: bool | None = None,
    events: bool = False,
) -> Plan:
    """Validate everything a batch needs before anything is written.

    ``bands``: judge the outcomes against the analysis' bands. By default (None) only a
    bundled scenario as shipped is (no ``sets``, no ``sweeps``): the bands are the analysis'
    ratings of the status quo's scenarios, not of a custom or changed one.

    Raises:
        InputError: a bad scenario, an unknown name or value in ``sets``/``sweeps``.
    """
    if runs < 1:
        raise InputError([Diagnostic(Location("--runs"), "the number of runs must be at least 1")])
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if turns is not None:  # tripwire run --turns T replays a row
        spec = spec.model_copy(update={"turns": turns})
    catalog = load_catalog()
    base = apply_overrides(spec, sets, catalog) if sets else spec
    sweep_list = [(name, list(values)) for name, values in sweeps]
    points = sweep_points(sweep_list)
    point_scenarios = [
        apply_overrides(base, point_assignments(p), catalog, "--sweep") if p else base
        for p in points
    ]
    if bands is None:
        bands = not sets and not sweep_list and _as_shipped(spec)
    return Plan(
        scenario=base,
        rules=compile_rules(base, catalog),
        seed=seed,
        runs=runs,
        chunk_size=chunk_size or default_chunk_size(runs, workers),
        sets={a.name: a.value for a in sets},
        sweeps=sweep_list,
        points=points,
        point_scenarios=point_scenarios,
        series=series,
        bands=bool(bands),
        events=events,
    )


def _as_shipped(spec: Scenario) -> bool:
    """Whether a scenario is one of the bundled scenarios as shipped (its turns aside)."""
    if spec.id not in bundled_scenarios():
        return False
    shipped = load_scenario(spec.id)
    return scenario_digest(shipped.model_copy(update={"turns": spec.turns})) == scenario_digest(
        spec
    )


def _schema(rules: Rules, swept: Sequence[str] = ()) -> pa.Schema:
    """The columns of runs.parquet: the worker's, with each swept name's value after
    ``seed`` (a sweep's rows say what they played)."""
    fields = []
    names = result_columns(rules)
    at = names.index("seed") + 1
    for name in [*names[:at], *swept, *names[at:]]:
        if name in swept:
            fields.append(pa.field(name, pa.float64()))
            continue
        if name in {"run", "seed"}:
            kind = pa.int64()
        elif name == "point":
            kind = pa.int32()
        elif name.startswith("reached."):
            kind = pa.bool_()
        elif name.startswith(("turn.", "trigger.", "action.")) or name == "peak_rung":
            kind = pa.int16()
        elif name == "total_escalation_score":
            kind = pa.int32()
        elif name.startswith("fan."):
            kind = pa.list_(pa.float32())
        else:
            kind = pa.float64()
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


_TEXT = {"kind", "actor", "action", "target", "trigger", "inject", "outcome"}
EVENT_SCHEMA = pa.schema(
    [
        pa.field(
            name,
            pa.string()  # Parquet dictionary-encodes it
            if name in _TEXT
            else pa.int64()
            if name == "run"
            else pa.int32()
            if name == "point"
            else pa.bool_()
            if name in ("success", "cancelled")
            else pa.int16(),
        )
        for name in EVENT_COLUMNS
    ]
)


def _write_table(table: pa.Table, path: Path) -> None:
    """Write a part atomically (a temporary name, then a rename).

    Parts are temporary, so they are not compressed: the parent process shares the cores
    with the workers, and the joined file is compressed once at the end.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="none")
    tmp.replace(path)


def _write_part(out: Path, plan: Plan, schema: pa.Schema, result: ChunkResult) -> None:
    parts = out / PARTS
    stem = f"p{result.point:04d}-c{result.chunk:06d}"
    if result.series is not None:
        _write_table(pa.table(result.series), parts / f"series-{stem}.parquet")
    if result.events is not None:
        events = pa.table(
            {f.name: pa.array(result.events[f.name], type=f.type) for f in EVENT_SCHEMA},
            schema=EVENT_SCHEMA,
        )
        _write_table(events, parts / f"events-{stem}.parquet")
    values = plan.points[result.point]
    rows = len(result.columns["run"])
    columns = {name: np.full(rows, values[name]) for name in values} | result.columns
    table = pa.table(
        {f.name: pa.array(columns[f.name], type=f.type) for f in schema}, schema=schema
    )
    _write_table(table, parts / f"runs-{stem}.parquet")  # last: its presence marks the chunk done


def _sound_part(path: Path, plan: Plan, schema: pa.Schema, point: int, chunk: int) -> bool:
    """Whether a part on disk is the complete result of its chunk (its runs, in order, with
    the batch's columns): a garbage, truncated or misnamed part is not."""
    if point >= len(plan.points) or chunk >= plan.chunks_per_point or not path.is_file():
        return False
    first = chunk * plan.chunk_size
    try:
        table = pq.read_table(path)
        if not table.schema.equals(schema, check_metadata=False):
            return False
        if table.column("run").to_pylist() != list(range(first, first + plan.expected_rows(chunk))):
            return False
        if set(table.column("point").to_pylist()) != {point}:
            return False
        if plan.series:
            series = path.with_name(path.name.replace("runs-", "series-", 1))
            if not series.is_file() or pq.read_table(series).num_rows == 0:
                return False
        if plan.events:
            events = path.with_name(path.name.replace("runs-", "events-", 1))
            if not events.is_file() or not pq.read_schema(events).equals(EVENT_SCHEMA):
                return False
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return False
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _done_chunks(out: Path, plan: Plan) -> set[tuple[int, int]]:
    """Chunks already on disk (complete, sound parts only; anything else is removed, so
    that its chunk is played again)."""
    done: set[tuple[int, int]] = set()
    parts = out / PARTS
    if not parts.is_dir():
        return done
    for tmp in parts.glob(".*.tmp"):
        _remove(tmp)
    schema = _schema(plan.rules, plan.swept)
    for path in parts.glob("runs-*.parquet"):
        match = _PART.fullmatch(path.name)
        if match:
            point, chunk = int(match.group(1)), int(match.group(2))
            if _sound_part(path, plan, schema, point, chunk):
                done.add((point, chunk))
                continue
        _remove(path)
    for path in [*parts.glob("series-*.parquet"), *parts.glob("events-*.parquet")]:
        # a part whose runs part is not done
        match = re.fullmatch(r"(?:series|events)-p(\d{4})-c(\d{6})\.parquet", path.name)
        if not match or (int(match.group(1)), int(match.group(2))) not in done:
            _remove(path)
    return done


# What Tripwire writes into a batch folder, and the temporary names it writes them under
# (``files.write_bytes_atomic``: ``.NAME.RANDOM.tmp``; a joined file: ``.NAME.tmp``).
_OUTPUTS = (
    "runs.parquet",
    "series.parquet",
    "events.parquet",
    "summary.json",
    "summary.md",
    MANIFEST,
    *CSV_FILES,
)
_TEMPORARY = re.compile(
    r"\.(batch\.json|summary\.json|summary\.md|(runs|series|events)\.(parquet|csv)"
    r"|[a-z_]+\.png)(\.[A-Za-z0-9_]+)?\.tmp"
)


def _temporaries(out: Path) -> list[Path]:
    """Temporary files a stopped Tripwire left in a batch folder."""
    return [p for p in out.iterdir() if _TEMPORARY.fullmatch(p.name) and p.is_file()]


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a batch folder, checked enough to compare with a plan.

    Raises:
        InputError: not a readable Tripwire batch manifest (located).
    """
    name = str(path)
    text = read_text(path, name, max_bytes=16 * 1024 * 1024)
    try:
        existing = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            [Diagnostic(Location(name, err.lineno, err.colno), f"not valid JSON: {err.msg}")]
        ) from None
    except RecursionError:
        raise InputError(
            [Diagnostic(Location(name), "not valid JSON: nested too deeply")]
        ) from None
    if not isinstance(existing, dict) or existing.get("kind") != MANIFEST_KIND:
        raise InputError([Diagnostic(Location(name), "not a Tripwire batch manifest")])
    if existing.get("format") != MANIFEST_FORMAT:
        raise InputError(
            [
                Diagnostic(
                    Location(name),
                    f"batch format {existing.get('format')!r}: this Tripwire reads format "
                    f"{MANIFEST_FORMAT}",
                )
            ]
        )
    chunk = existing.get("chunk_size")
    if not (isinstance(chunk, int) and not isinstance(chunk, bool) and chunk >= 1):
        at = text.find('"chunk_size"')
        line = text.count("\n", 0, at) + 1 if at >= 0 else 1
        raise InputError(
            [
                Diagnostic(
                    Location(name, line),
                    f"'chunk_size' must be a whole number, 1 or more (not {chunk!r}): the "
                    "batch's parts are named by it",
                )
            ]
        )
    return existing


def _check_folder(out: Path, plan: Plan, resume: bool) -> Plan:
    """Refuse to mix batches or overwrite one; return the plan to use (chunking from disk).

    Nothing is changed before the folder is known to hold this batch (or nothing of
    anyone's): then the temporary files a stopped Tripwire left there are removed.
    """
    manifest_path = out / MANIFEST
    if manifest_path.is_file():
        where = Location(str(manifest_path))
        existing = _read_manifest(manifest_path)
        if not resume:
            raise InputError(
                [
                    Diagnostic(
                        where,
                        "this folder already holds a batch: add --resume (resume=True from "
                        "Python) to finish or refresh it, or choose another --out",
                    )
                ]
            )
        wanted = plan.manifest()
        differences = [
            f"{key} {existing.get(key)!r} (asked: {wanted.get(key)!r})"
            for key in dict.fromkeys([*wanted, *existing])
            if key != "chunk_size" and existing.get(key) != wanted.get(key)
        ]
        if differences:
            raise InputError(
                [
                    Diagnostic(
                        where,
                        "this folder holds a different batch: " + "; ".join(differences[:4]),
                    )
                ]
            )
        for name in _OUTPUTS:
            if (out / name).is_dir():
                raise InputError(
                    [
                        Diagnostic(
                            Location(str(out / name)),
                            "is a folder where the batch writes a file: move it away",
                        )
                    ]
                )
        for tmp in _temporaries(out):
            tmp.unlink(missing_ok=True)
        if (out / PARTS).exists() and not (out / PARTS).is_dir():
            (out / PARTS).unlink()  # the name of the batch's own folder of parts
        return dataclasses.replace(plan, chunk_size=existing["chunk_size"])
    where = Location(str(out))
    if out.exists() and not out.is_dir():
        raise InputError([Diagnostic(where, "this is a file, not a folder: choose another --out")])
    # a folder holding only what a Tripwire stopped while writing the manifest left is empty
    leftovers = _temporaries(out) if out.is_dir() else []
    if out.exists() and any(p not in leftovers for p in out.iterdir()):
        raise InputError(
            [Diagnostic(where, "this folder is not empty and holds no Tripwire batch")]
        )
    for tmp in leftovers:
        tmp.unlink(missing_ok=True)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError([Diagnostic(where, f"cannot make this folder: {err.strerror}")]) from None
    write_text_atomic(manifest_path, json.dumps(plan.manifest(), indent=2) + "\n")
    return plan


def _tasks(plan: Plan, done: set[tuple[int, int]]) -> Iterator[ChunkTask]:
    for point in range(len(plan.points)):
        for chunk in range(plan.chunks_per_point):
            if (point, chunk) not in done:
                yield plan.task(point, chunk)


def _join(out: Path, prefix: str, target: str) -> None:
    """Join the parts into one file, in (point, chunk) order, streaming a few parts at a time.

    Rows are written in row groups of exactly ``JOIN_ROWS`` rows (the last one shorter),
    whatever the parts' sizes, so that the file's bytes depend on the rows alone, never on
    the chunking (``--jobs``, the backend). Memory stays bounded by one row group and a part,
    and the file's metadata grows with the batch only by one entry per group.
    """
    parts = sorted((out / PARTS).glob(f"{prefix}-p*.parquet"))
    if not parts:
        return
    tmp = out / f".{target}.tmp"
    writer: pq.ParquetWriter | None = None
    pending: list[pa.Table] = []

    def flush(rows: int) -> None:
        table = pa.concat_tables(pending)
        pending.clear()
        group = table.slice(0, rows).combine_chunks()
        writer.write_table(group, row_group_size=max(rows, 1))  # type: ignore[union-attr]
        if table.num_rows > rows:
            pending.append(table.slice(rows))

    try:
        for part in parts:
            table = pq.read_table(part)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            pending.append(table)
            while sum(t.num_rows for t in pending) >= JOIN_ROWS:
                flush(JOIN_ROWS)
        left = sum(t.num_rows for t in pending)
        if left:
            flush(left)
    finally:
        if writer is not None:
            writer.close()
    replace_with(tmp, out / target)  # a link or a device at that name is not replaced


def run_batch(
    scenario: str | Path | Scenario,
    runs: int,
    *,
    seed: int = 1,
    jobs: int = 1,
    out: str | Path | None = None,
    sets: Sequence[Assignment] | Mapping[str, float] = (),
    sweeps: Sequence[tuple[str, Sequence[float]]] = (),
    series: bool = False,
    resume: bool = False,
    scheduler: str | None = None,
    dask_workers: int | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
    backend: Backend | None = None,
    plots: bool = True,
    turns: int | None = None,
    bands: bool | None = None,
    events: bool = False,
    csv: bool = False,
) -> BatchResult:
    """Play a batch and write its outputs (see the module docstring).

    Args:
        scenario: bundled name, path or Scenario.
        runs: games per sweep point.
        seed: the batch seed; run ``i`` plays ``run_seed(seed, i)``.
        jobs: local worker processes (1: play in this process).
        out: output folder (default: a new temporary folder).
        sets: ``NAME=VALUE`` changes applied to every run.
        sweeps: ``(NAME, values)``; every combination is a point played ``runs`` times.
        series: also keep every variable at every turn (``series.parquet``).
        resume: finish (or refresh) the batch already in ``out``.
        scheduler: address of a Dask scheduler to send chunks to.
        dask_workers: start a local Dask cluster of this many worker processes.
        chunk_size: runs per chunk (default: chosen from runs and workers).
        progress: called with (runs done, runs in total) as chunks finish.
        backend: play on this backend instead (overrides jobs/scheduler/dask_workers).
        plots: kept for callers written before the batch layer stopped drawing: it changes
            nothing here. This function writes data (``runs.parquet``, ``summary.json``);
            ``tripwire.run_batch`` (:mod:`tripwire.api`) also writes ``summary.md`` and the
            plots, through :func:`tripwire.report.batch_outputs.write_batch_outputs`.
        turns: play this many turns instead of the scenario's.
        bands: judge the outcomes against the analysis' bands (default: only a bundled
            scenario as shipped, see :func:`make_plan`).
        events: also write ``events.parquet``: one row per event of every game (run, turn,
            seq, kind, actor, action, target, success, cancelled, trigger, inject, outcome).
        csv: also write CSV copies of the Parquet files (``runs.csv``, with a column per
            turn of each fan series; ``events.csv``; ``series.csv``).

    Returns:
        The finished batch. ``result.frame`` has one row per run.

    Raises:
        InputError: bad input (scenario, overrides, a folder holding another batch).
    """
    from tripwire.batch.summary import write_summary

    if isinstance(sets, Mapping):
        sets = [Assignment(k, float(v)) for k, v in sets.items()]
    chosen = backend or choose_backend(
        jobs, scheduler, dask_workers, games=batch_games(runs, sweeps)
    )
    in_process = isinstance(chosen, SerialBackend)
    workers = 1 if in_process else (dask_workers or (1 if scheduler else jobs))
    plan = make_plan(
        scenario,
        runs,
        seed=seed,
        sets=sets,
        sweeps=sweeps,
        series=series,
        chunk_size=chunk_size,
        workers=max(workers, 1),
        turns=turns,
        bands=bands,
        events=events,
    )
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="tripwire-batch-"))
    plan = _check_folder(folder, plan, resume)
    total = plan.runs * len(plan.points)
    # A finished batch has joined its parts and removed them: nothing is left to play. A
    # damaged runs.parquet (and no parts) is played again.
    finished_before = not (folder / PARTS).exists() and _joined(folder / "runs.parquet", plan)
    played = 0
    started = time.perf_counter()
    if not finished_before:
        (folder / PARTS).mkdir(exist_ok=True)
        done = _done_chunks(folder, plan)
        finished = sum(plan.expected_rows(c) for _, c in done)
        if progress:
            progress(finished, total)
        schema = _schema(plan.rules, plan.swept)
        prime(plan.rules)  # an in-process backend need not compile the base scenario again
        for result in chosen.run(_tasks(plan, done)):
            _write_part(folder, plan, schema, result)
            n = len(result.columns["run"])
            finished += n
            played += n
            if progress:
                progress(finished, total)
        _join(folder, "runs", "runs.parquet")
        if plan.series:
            _join(folder, "series", "series.parquet")
        if plan.events:
            _join(folder, "events", "events.parquet")
    seconds = time.perf_counter() - started
    try:
        summary = write_summary(folder, plan)
    except (OSError, pa.ArrowException) as err:
        if not finished_before:
            raise
        where = Location(str(folder / "runs.parquet"))
        raise InputError(
            [
                Diagnostic(
                    where,
                    f"cannot read the batch's runs ({err}): move runs.parquet away and run "
                    "the same command to play the batch again",
                )
            ]
        ) from None
    shutil.rmtree(folder / PARTS, ignore_errors=True)
    if csv:
        write_csv(folder)
    return BatchResult(folder, summary, plan, played, seconds)


def _joined(path: Path, plan: Plan) -> bool:
    """Whether ``runs.parquet`` holds every run of the batch, with the batch's columns."""
    try:
        meta = pq.ParquetFile(path)
        return meta.metadata.num_rows == plan.runs * len(plan.points) and meta.schema_arrow.equals(
            _schema(plan.rules, plan.swept), check_metadata=False
        )
    except (OSError, ValueError, pa.ArrowException):
        return False


def seeds_of(seed: int, runs: int) -> np.ndarray:
    """The seeds of runs 0..runs-1 of a batch seeded ``seed``."""
    return np.array([run_seed(seed, i) for i in range(runs)], dtype=np.int64)
