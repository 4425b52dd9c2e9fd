"""docs/examples/analysis.ipynb runs as a new user would run it: every cell, in order, in a
fresh Python kernel, from a folder of its own; any cell's error fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="a dev dependency (pip install -e '.[dev]')")
nbclient = pytest.importorskip("nbclient", reason="a dev dependency (pip install -e '.[dev]')")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "examples" / "analysis.ipynb"


def test_the_analysis_notebook_runs_without_an_error(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:  # what the file holds is not what is checked: run it afresh
        if cell.cell_type == "code":
            cell.outputs = []
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError at the first cell that fails
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the plot was not shown"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "paired 95% interval" in text
    assert not list(tmp_path.iterdir())  # it writes into a temporary folder of its own
