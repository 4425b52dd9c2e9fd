"""A finished batch folder, read for a report: ``summary.json`` and (when needed) the runs.

A batch is finished when its ``summary.json`` exists: the runner writes it, atomically, only
after all the chunks are joined into ``runs.parquet``. Everything else (a missing folder, an
interrupted batch, a damaged summary or runs file) is bad input, reported as a located
diagnostic that says how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import read_text

SUMMARY = "summary.json"
RUNS = "runs.parquet"
MAX_SUMMARY_BYTES = 64 * 1024 * 1024
REQUIRED = ("scenario", "title", "runs", "outcomes", "triggers", "fans", "turns")


@dataclass(slots=True)
class Batch:
    """A finished batch: its folder, its summary and, if loaded, columns of its runs."""

    folder: Path
    summary: dict[str, Any]
    runs: dict[str, np.ndarray] | None = None

    @property
    def is_sweep(self) -> bool:
        """Whether the batch played several sweep points."""
        return bool(self.summary.get("sweeps")) and len(self.summary.get("points") or []) > 1


def _fail(path: Path | str, message: str, line: int = 1, column: int = 1) -> InputError:
    return InputError([Diagnostic(Location(str(path), line, column), message)])


def load_batch(folder: Path, *, runs: bool = False) -> Batch:
    """Read a finished batch folder.

    Args:
        folder: the batch's output folder.
        runs: also read the per-game columns the reports need from ``runs.parquet``.

    Raises:
        InputError: not a folder, not a finished batch, or a damaged summary or runs file.
    """
    folder = Path(folder)
    if not folder.exists():
        raise _fail(folder, "no such batch folder")
    if not folder.is_dir():
        raise _fail(folder, "not a folder: a batch report needs the folder `tripwire batch` wrote")
    summary_path = folder / SUMMARY
    if not summary_path.is_file():
        if (folder / "batch.json").is_file():
            raise _fail(
                folder,
                "the batch in this folder is not finished (no summary.json yet): finish it with "
                f"`tripwire batch SCENARIO --runs N --out {folder} --resume`",
            )
        raise _fail(folder, "not a Tripwire batch folder: no summary.json")
    text = read_text(summary_path, str(summary_path), max_bytes=MAX_SUMMARY_BYTES)
    try:
        summary = json.loads(text)
    except json.JSONDecodeError as err:
        raise _fail(summary_path, f"not valid JSON: {err.msg}", err.lineno, err.colno) from None
    if not isinstance(summary, dict):
        raise _fail(summary_path, "a batch summary must be a JSON object")
    missing = [k for k in REQUIRED if k not in summary]
    if missing:
        raise _fail(
            summary_path,
            f"not a Tripwire batch summary: missing {', '.join(repr(k) for k in missing)}",
        )
    batch = Batch(folder, summary)
    if runs:
        batch.runs = _read_runs(folder / RUNS, summary)
    return batch


def _read_runs(path: Path, summary: dict[str, Any]) -> dict[str, np.ndarray]:
    """The columns a game-in-its-ensemble report compares against."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        raise _fail(path, "the batch has no runs.parquet: rerun it with --resume to rebuild it")
    try:
        names = set(pq.ParquetFile(path).schema_arrow.names)
        wanted = [
            c
            for c in names
            if c.startswith(("reached.", "turn."))
            or c in ("peak_rung", "total_escalation_score")
            or c == "final.world.tension"
        ]
        table = pq.read_table(path, columns=sorted(wanted))
    except (OSError, pa.ArrowException) as err:
        raise _fail(path, f"cannot read the runs file: {err}") from None
    if table.num_rows != summary.get("runs"):
        raise _fail(
            path,
            f"runs.parquet holds {table.num_rows} games but summary.json says {summary.get('runs')}"
            ": the folder was changed after the batch finished; rerun it with --resume",
        )
    out: dict[str, np.ndarray] = {}
    for name in table.column_names:
        column = table.column(name)
        if name.startswith("turn."):
            out[name] = column.to_numpy(zero_copy_only=False).astype(float)  # null -> nan
        else:
            out[name] = column.to_numpy(zero_copy_only=False)
    return out
