"""The README's quickstart works as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block_after(marker: str, language: str) -> str:
    start = README.index(marker)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(README, start)
    assert match, f"no ```{language} block after {marker!r}"
    return match.group(1)


def test_quickstart_commands_run(tmp_path):
    """Every line of the quickstart block runs from a fresh folder and exits 0."""
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    lines = [ln for ln in _block_after("<!-- quickstart", "sh").splitlines() if ln.strip()]
    assert len(lines) >= 4
    for line in lines:
        done = subprocess.run(
            ["bash", "-c", line],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
    assert (tmp_path / "game.jsonl").stat().st_size > 0
    assert (
        json.loads((tmp_path / "scenario.schema.json").read_text())["title"] == "Tripwire scenario"
    )


def test_python_example_runs():
    """The README's Python example runs and shows what it says."""
    code = _block_after("From Python:", "python")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "missile_crisis_2" in done.stdout


def test_makefile_targets_named_in_readme_exist():
    """The README's two commands exist in the Makefile, and CI calls the test one."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
