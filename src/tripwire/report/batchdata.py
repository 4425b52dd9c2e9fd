"""A finished batch folder, read for a report: ``summary.json`` and (when needed) the runs.

A batch is finished when its ``summary.json`` exists: the runner writes it, atomically, only
after all the chunks are joined into ``runs.parquet``. Everything else (a missing folder, an
interrupted batch, a damaged summary or runs file) is bad input, reported as a located
diagnostic that says how to fix it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
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
    _check_summary(summary, summary_path, text)
    if (folder / RUNS).exists() and not (folder / RUNS).is_file():
        raise _fail(folder / RUNS, "is a folder, not the batch's runs file")
    batch = Batch(folder, summary)
    if runs:
        batch.runs = _read_runs(folder / RUNS, summary)
    return batch


# --- the shape of summary.json --------------------------------------------------------------

Check = Callable[[Any], bool]


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _str(v: Any) -> bool:
    return isinstance(v, str)


def _opt(check: Check) -> Check:
    return lambda v: v is None or check(v)


def _list(check: Check, size: int | None = None) -> Check:
    return lambda v: (
        isinstance(v, list) and (size is None or len(v) == size) and all(check(x) for x in v)
    )


def _map(check: Check) -> Check:
    return lambda v: (
        isinstance(v, dict) and all(isinstance(k, str) and check(x) for k, x in v.items())
    )


def _obj(required: dict[str, Check], optional: dict[str, Check] | None = None) -> Check:
    optional = optional or {}
    return lambda v: (
        isinstance(v, dict)
        and all(k in v and c(v[k]) for k, c in required.items())
        and all(k not in v or c(v[k]) for k, c in optional.items())
    )


_OUTCOME = _obj(
    {"title": _str, "count": _count, "probability": _num, "ci95": _list(_num, 2)},
    {
        "mean_first_turn": _opt(_num),
        "rating": _opt(_str),
        "band": _list(_num, 2),
        "in_band": lambda v: isinstance(v, bool),
        "ci_in_band": lambda v: isinstance(v, bool),
    },
)
_QUANTILES = ("turn", "p10", "p25", "median", "p75", "p90")


def _incidence(v: Any) -> bool:
    return (
        _obj(
            {
                "turn": _list(_count),
                "count": _list(_count),
                "probability": _list(_num),
                "ci95": _list(_list(_num, 2)),
            }
        )(v)
        and len({len(v[k]) for k in ("turn", "count", "probability", "ci95")}) == 1
    )


def _fan(v: Any) -> bool:
    return (
        _obj({q: _list(_num) for q in _QUANTILES})(v)
        and len(v["turn"]) >= 1
        and len({len(v[q]) for q in _QUANTILES}) == 1
    )


_SUMMARY: dict[str, tuple[Check, str]] = {
    "scenario": (_str, "the scenario's id"),
    "title": (_str, "the scenario's title"),
    "runs": (_count, "the number of games"),
    "turns": (_count, "the number of turns"),
    "outcomes": (_map(_OUTCOME), "outcome id -> title, count, probability, ci95..."),
    "triggers": (
        _map(_obj({"share_of_runs": _num}, {"runs_fired": _count, "mean_times_per_run": _num})),
        "trigger id -> share_of_runs, runs_fired...",
    ),
    "fans": (_map(_fan), "variable -> turn, p10, p25, median, p75, p90 (lists of one length)"),
    "seed": (_count, "the batch seed"),
    "tripwire": (_str, "a version"),
    "scenario_sha256": (_str, "a digest"),
    "catalog_sha256": (_str, "a digest"),
    "runs_per_point": (_count, "the games per sweep point"),
    "sets": (_map(_num), "name -> value"),
    "sweeps": (
        _list(lambda x: isinstance(x, list) and len(x) == 2 and _str(x[0]) and _list(_num)(x[1])),
        "[name, [values...]] pairs",
    ),
    "points": (
        _list(
            _obj(
                {"values": _map(_num), "runs": _count, "outcomes": _map(_OUTCOME)},
                {"cumulative_incidence": _map(_incidence), "fans": _map(_fan)},
            )
        ),
        "a list of sweep points",
    ),
    "cumulative_incidence": (_map(_incidence), "outcome id -> turn, count, probability, ci95"),
    "differences": (
        _list(
            _obj(
                {
                    "outcome": _str,
                    "point": _count,
                    "values": _map(_num),
                    "difference": _num,
                    "ci95": _list(_num, 2),
                    "unpaired_ci95": _list(_num, 2),
                }
            )
        ),
        "a list of paired differences: outcome, point, values, difference, ci95...",
    ),
    "peak_rung": (_map(_num), "quantile -> value"),
    "total_escalation_score": (_map(_num), "quantile -> value"),
    "sensitivity": (
        _list(
            _obj(
                {
                    "name": _str,
                    "outcome": _str,
                    "values": _list(_num),
                    "probabilities": _list(_num),
                    "swing": _num,
                }
            )
        ),
        "a list of rows: name, outcome, values, probabilities, swing",
    ),
    "combinations": (
        _list(_obj({"reached": _list(_str), "count": _count, "probability": _num})),
        "a list of outcome combinations",
    ),
}


def _check_summary(summary: dict[str, Any], path: Path, text: str) -> None:
    """Refuse a summary whose values are not of the shape Tripwire writes (a hand edit, a
    damaged file), located at the key: the report would otherwise fail half-way."""
    for key, (check, what) in _SUMMARY.items():
        if key in summary and not check(summary[key]):
            at = text.find(f'"{key}"')
            line = text.count("\n", 0, at) + 1 if at >= 0 else 1
            raise _fail(
                path,
                f"'{key}' is not what a batch summary holds (expected {what}): the file was "
                "changed after the batch finished; rerun the batch with --resume to rebuild it",
                line,
            )


def _numeric(kind: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_integer(kind) or pa.types.is_floating(kind)


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
    needed = ["peak_rung", "total_escalation_score"]
    for oid in summary["outcomes"]:
        needed += [f"reached.{oid}", f"turn.{oid}"]
    missing = [c for c in needed if c not in table.column_names]
    wrong = [
        c
        for c in table.column_names
        if not (pa.types.is_boolean if c.startswith("reached.") else _numeric)(
            table.schema.field(c).type
        )
    ]
    if missing or wrong:
        names = ", ".join((missing or wrong)[:3])
        what = "no column" if missing else "wrong type of"
        raise _fail(
            path,
            f"runs.parquet is not this batch's runs file ({what} {names}): the folder was "
            "changed after the batch finished; rerun it with --resume",
        )
    out: dict[str, np.ndarray] = {}
    for name in table.column_names:
        column = table.column(name)
        if name.startswith("turn."):
            out[name] = column.to_numpy(zero_copy_only=False).astype(float)  # null -> nan
        else:
            out[name] = column.to_numpy(zero_copy_only=False)
    return out
