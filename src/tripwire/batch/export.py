"""CSV copies of a batch's Parquet files, for people without a Parquet reader.

``runs.csv`` has ``runs.parquet``'s columns, with each per-turn fan series (a list per game
in Parquet) spread over a column per turn (``fan.world.tension.t0``, ...); ``events.csv``
and ``series.csv`` are their Parquet twins. Missing values are empty cells. Written
atomically, after the Parquet files, from them alone.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tripwire.files import replace_with

CSV_FILES = ("runs.csv", "events.csv", "series.csv")
ROWS = 4096


def _flat(table: pa.Table) -> pa.Table:
    """Lists spread over a column per position; dictionaries decoded to text."""
    names, columns = [], []
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            width = pc.max(pc.list_value_length(column)).as_py() or 0
            for t in range(width):
                names.append(f"{name}.t{t}")
                columns.append(pc.list_element(column, t))
        elif pa.types.is_dictionary(kind):
            names.append(name)
            columns.append(column.cast(pa.string()))
        else:
            names.append(name)
            columns.append(column)
    return pa.table(columns, names=names)


def write_csv(folder: Path) -> list[Path]:
    """Write a CSV copy of each Parquet file of a finished batch folder; return them.

    Each is streamed into a temporary file beside it (``.NAME.tmp``, removed by a resume if
    the batch is stopped meanwhile) and then put in place: memory holds one row batch.
    """
    written = []
    for name in CSV_FILES:
        source = Path(folder) / name.replace(".csv", ".parquet")
        if not source.is_file():
            continue
        target = Path(folder) / name
        tmp = Path(folder) / f".{name}.tmp"
        writer = None
        try:
            with open(tmp, "wb") as sink:
                for batch in pq.ParquetFile(source).iter_batches(batch_size=ROWS):
                    table = _flat(pa.Table.from_batches([batch]))
                    if writer is None:
                        writer = pacsv.CSVWriter(sink, table.schema)
                    writer.write_table(table)
                if writer is not None:
                    writer.close()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        replace_with(tmp, target)
        written.append(target)
    return written
