"""Outputs and inputs that are not what a command expects: it must destroy nothing.

Bad input is one located ``PATH:LINE:COL: error: MESSAGE`` line per problem and exit 2, never
a traceback; an output never replaces a device, a FIFO, a symbolic or hard link, nor one of
the command's own inputs; a FIFO never blocks a command forever. Device nodes are made in the
test's own folder (``mknod``, when the system allows it); nothing here touches ``/dev``.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.errors import Diagnostic, Location
from tripwire.files import write_bytes_atomic
from tripwire.scenario.loader import bundled_scenarios

runner = CliRunner(env={"NO_COLOR": "1", "FORCE_COLOR": None, "TERM": "dumb", "COLUMNS": "100"})
LOCATED = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): \S")
TIMEOUT = 60


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def located(result, code: int = 2) -> list[re.Match[str]]:
    """The command exited with ``code`` by its own decision, every stderr line located."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output and "internal error" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines
    matches = [LOCATED.match(line) for line in lines]
    assert all(matches), lines
    return matches  # type: ignore[return-value]


def tripwire(*args: str, cwd: Path, timeout: float = TIMEOUT, **env: str):
    """``python -m tripwire ARGS`` in a fresh process (a hang fails by timeout, not forever)."""
    return subprocess.run(
        [sys.executable, "-m", "tripwire", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **env},
    )


def mknod(path: Path, kind: int, major: int, minor: int) -> Path:
    try:
        os.mknod(path, kind | 0o666, os.makedev(major, minor))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("cannot make device nodes here")
    return path


@pytest.fixture(scope="module")
def game(tmp_path_factory) -> Path:
    """A short game's log."""
    folder = tmp_path_factory.mktemp("game")
    result = invoke("run", "baseline", "--turns", "3", "--quiet", "--log", folder / "game.jsonl")
    assert result.exit_code == 0, result.output
    return folder / "game.jsonl"


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """A small finished batch folder."""
    folder = tmp_path_factory.mktemp("batch") / "B"
    result = invoke("batch", "baseline", "--runs", "20", "--jobs", "1", "--out", folder)
    assert result.exit_code == 0, result.output
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- 1. an output never replaces what its path names ---------------------------------------


def test_log_to_a_character_device_writes_through_it(tmp_path) -> None:
    """`--log NULLDEV` (a null device like /dev/null): exit 0, still the same device node."""
    null = mknod(tmp_path / "null", stat.S_IFCHR, 1, 3)
    before = os.stat(null)
    result = invoke("run", "baseline", "--turns", "2", "--quiet", "--log", null)
    assert result.exit_code == 0, result.output
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temporary left over


def test_dev_null_is_a_character_device_after_a_log_written_to_it() -> None:
    """The real /dev/null is only looked at (os.stat): the writer would write through it."""
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_log_to_a_fifo_with_a_reader_writes_through_it(tmp_path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.2)  # the reader is waiting on the FIFO
    result = invoke("run", "baseline", "--turns", "2", "--quiet", "--log", fifo)
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].startswith(b'{"type":"header"')


def test_log_to_a_fifo_nobody_reads_is_an_error_not_a_hang(tmp_path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = invoke("run", "baseline", "--turns", "2", "--quiet", "--log", fifo)
    located(result)
    assert "FIFO" in result.stderr and "no process is reading" in result.stderr
    assert time.monotonic() - started < TIMEOUT
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_log_to_a_block_device_is_refused(tmp_path) -> None:
    """A block device (here one with an unused number, so nothing could be harmed) is never
    replaced nor written: a located error before the game."""
    disk = mknod(tmp_path / "disk", stat.S_IFBLK, 240, 77)
    result = invoke("run", "baseline", "--turns", "2", "--quiet", "--log", disk)
    (m,) = located(result)
    assert "block device" in m.string
    assert stat.S_ISBLK(os.lstat(disk).st_mode)


def test_log_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path) -> None:
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target.name)
    result = invoke("run", "baseline", "--turns", "2", "--quiet", "--log", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == target.name
    assert target.read_text().startswith('{"type":"header"')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.jsonl", "real.jsonl"]


def test_log_over_a_hard_linked_file_keeps_one_file(tmp_path) -> None:
    one = tmp_path / "one.jsonl"
    one.write_text("old\n")
    two = tmp_path / "two.jsonl"
    os.link(one, two)
    result = invoke("run", "baseline", "--turns", "2", "--quiet", "--log", one)
    assert result.exit_code == 0, result.output
    assert os.stat(one).st_ino == os.stat(two).st_ino and os.stat(one).st_nlink == 2
    assert two.read_text().startswith('{"type":"header"')


def test_rewriting_a_file_keeps_its_permissions(tmp_path) -> None:
    path = tmp_path / "private.md"
    path.write_text("old")
    path.chmod(0o600)
    write_bytes_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_batch_data_files_that_are_symlinks_stay_links(tmp_path) -> None:
    """The batch's joined runs.parquet goes where a link there points (kept as a link)."""
    from tripwire.files import replace_with

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "runs.parquet").write_bytes(b"old")
    out = tmp_path / "B"
    out.mkdir()
    (out / "runs.parquet").symlink_to(elsewhere / "runs.parquet")
    tmp = out / ".runs.parquet.tmp"
    tmp.write_bytes(b"new")
    replace_with(tmp, out / "runs.parquet")
    assert (out / "runs.parquet").is_symlink()
    assert (elsewhere / "runs.parquet").read_bytes() == b"new"
    assert not tmp.exists()


def test_screenshots_never_replace_a_link(tmp_path) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    keep = tmp_path / "keep.png"
    keep.write_bytes(b"old")
    (shots / "turn_00.png").symlink_to(keep)
    result = invoke("run", "baseline", "--turns", "1", "--quiet", "--screenshots", shots)
    assert result.exit_code == 0, result.output
    assert (shots / "turn_00.png").is_symlink()
    assert keep.read_bytes().startswith(b"\x89PNG")


# --- 2. an output is never one of the command's inputs -------------------------------------


def test_report_refuses_its_own_log_as_output(game) -> None:
    before = game.read_bytes()
    result = invoke("report", game, "--out", game)
    (m,) = located(result)
    assert m["path"] == "--out" and "this command's input" in m.string
    assert game.read_bytes() == before


def test_report_refuses_a_twin_that_is_its_log(tmp_path, game) -> None:
    """The Markdown twin of `--out game.html` would be game.md: not when that is the log."""
    log = tmp_path / "game.md"
    log.write_bytes(game.read_bytes())
    result = invoke("report", log)
    located(result)
    assert log.read_bytes() == game.read_bytes()
    assert not (tmp_path / "game.html").exists()


@pytest.mark.parametrize("how", ["same", "extended", "symlink"])
def test_run_refuses_its_scenario_as_log(tmp_path, how) -> None:
    base = tmp_path / "X.yaml"
    base.write_text(bundled_scenarios()["baseline"].read_text())
    scenario, log = base, base
    if how == "extended":
        scenario = tmp_path / "Y.yaml"
        scenario.write_text(
            "schema_version: 1\nid: y\ntitle: Y\ndescription: d.\nextends: X.yaml\n"
        )
    elif how == "symlink":
        log = tmp_path / "link.yaml"
        log.symlink_to(base.name)
    before = base.read_bytes()
    result = invoke("run", scenario, "--turns", "2", "--quiet", "--log", log)
    (m,) = located(result)
    assert m["path"] == "--log" and "this command's input" in m.string
    assert base.read_bytes() == before


def test_calibrate_refuses_its_scenario_as_report(tmp_path) -> None:
    scenario = tmp_path / "X.yaml"
    scenario.write_text(bundled_scenarios()["baseline"].read_text())
    before = scenario.read_bytes()
    started = time.monotonic()
    result = invoke("calibrate", scenario, "--out", scenario, "--runs", "100")
    (m,) = located(result)
    assert m["path"] == "--out" and "this command's input" in m.string
    assert time.monotonic() - started < 20  # before any game
    assert scenario.read_bytes() == before


@pytest.mark.parametrize("name", ["summary.json", "runs.parquet", "sub/x.html"])
def test_batch_report_refuses_an_output_inside_its_batch(batch, name) -> None:
    before = snapshot(batch)
    result = invoke("report", batch, "--out", batch / name)
    (m,) = located(result)
    assert m["path"] == "--out" and "this command's input" in m.string
    assert snapshot(batch) == before


def test_batch_report_beside_its_batch_is_still_the_default(batch) -> None:
    result = invoke("report", batch)
    assert result.exit_code == 0, result.output
    assert (batch / "report.html").is_file()


@pytest.mark.parametrize(
    "name",
    ["runs.parquet", "summary.json", "batch.json", "outcomes.png", "events.parquet", "runs.csv"],
)
def test_run_refuses_a_log_over_a_batch_file(batch, name) -> None:
    before = snapshot(batch)
    result = invoke("run", "baseline", "--turns", "2", "--quiet", "--log", batch / name)
    (m,) = located(result)
    assert m["path"] == "--log" and "part of the batch" in m.string
    assert snapshot(batch) == before


def test_game_report_refuses_an_output_inside_the_batch_it_reads(batch, game) -> None:
    before = snapshot(batch)
    result = invoke("report", game, "--batch", batch, "--out", batch / "game.html")
    located(result)
    assert snapshot(batch) == before


# --- 3. wrong shapes in scenario files are located errors, never crashes -------------------

MUTANTS = [[1, 2], {"a": 1}, None, 10**30, "zz"]


def _scalar_paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _scalar_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _scalar_paths(value, (*prefix, i))
    else:
        yield prefix


def _mutated(document: dict, path: tuple, value: object) -> dict:
    out = copy.deepcopy(document)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_scalar_of_a_bundled_scenario_replaced_by_a_wrong_shape(tmp_path, name) -> None:
    """Each scalar in turn becomes a list, a mapping, null, a huge number, a word: validate
    gives exit 0 or 2 with located lines only, for the file and for a scenario extending it;
    lint and a one-game dry run (triggers) check the mutants that are still valid."""
    document = yaml.safe_load(bundled_scenarios()[name].read_text(encoding="utf-8"))
    target = tmp_path / f"{name}.yaml"
    child = tmp_path / "child.yaml"
    child.write_text(
        "schema_version: 1\nid: child\ntitle: Child\ndescription: d.\n"
        f"extends: ./{name}.yaml\ninjects:\n  - id: extra\n    turn: 2\n    text: T\n"
    )
    problems = []
    for path in _scalar_paths(document):
        for value in MUTANTS:
            target.write_text(yaml.safe_dump(_mutated(document, path, value), sort_keys=False))
            valid = None
            for args in (["validate", target], ["validate", child], ["lint", target]):
                if args[0] == "lint" and not valid:
                    continue  # lint loads the file first: the same errors as validate
                result = invoke(*args)
                bad = result.exit_code not in (0, 2) or (
                    result.exception is not None and not isinstance(result.exception, SystemExit)
                )
                lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
                unlocated = [ln for ln in lines if not LOCATED.match(ln)]
                if bad or unlocated or (result.exit_code == 2 and not lines):
                    problems.append((path, value, args[0], result.exception, result.output[-300:]))
                if valid is None:
                    valid = result.exit_code == 0
            if valid and isinstance(value, list | dict):  # the dry run of a valid mutant
                result = invoke("triggers", target, "--runs", "1")
                if result.exit_code not in (0, 2) or "internal error" in result.output:
                    problems.append((path, value, "triggers", result.exception, result.output))
    assert not problems, problems[:5]


def test_a_list_where_an_id_belongs_is_a_located_error(tmp_path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "schema_version: 1\nid: s\ntitle: S\ndescription: d.\nextends: baseline\n"
        "injects:\n  - id: [1, 2]\n    turn: 2\n    text: T\n    once: {a: 1}\n"
    )
    for command in ("validate", "lint"):
        matches = located(invoke(command, scenario))
        assert {(m["line"], m["col"]) for m in matches} >= {("7", "9"), ("10", "11")}


def test_new_from_a_scenario_of_the_wrong_shape_is_a_located_error(tmp_path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(
        "schema_version: 1\nid: b\ntitle: B\ndescription: d.\ninjects:\n  - id: {a: 1}\n"
    )
    result = invoke("new", "x", "--dir", tmp_path / "out", "--from", base)
    located(result)
    assert not (tmp_path / "out" / "x.yaml").exists()


# --- 4. FIFOs as inputs, unwritable outputs, usage errors, capped output, ASCII -----------


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "FIFO"],
        ["run", "FIFO", "--quiet"],
        ["report", "FIFO"],
        ["play", "baseline", "--human", "USA", "--headless", "--script", "FIFO", "--session", "S"],
    ],
    ids=["scenario", "run", "log", "script"],
)
def test_a_fifo_as_input_is_refused_at_once(tmp_path, args) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = tripwire(*[str(fifo) if a == "FIFO" else a for a in args], cwd=tmp_path, timeout=30)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and LOCATED.match(lines[0]), lines
    assert "FIFO" in lines[0] and "not a regular file" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def _unwritable(tmp_path: Path) -> Path:
    """A folder path that cannot be made: its 'parent' is a file."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    return blocker / "sub"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["new", "x", "--dir", "DIR"], "--dir"),
        (["run", "baseline", "--turns", "2", "--quiet", "--screenshots", "DIR"], "--screenshots"),
        (
            [
                "play",
                "baseline",
                "--human",
                "USA",
                "--headless",
                "--script",
                "s.yaml",
                "--session",
                "DIR",
            ],
            "--session",
        ),
        (["calibrate", "--runs", "100", "--out", "DIR/c.md"], "--out"),
    ],
    ids=["new", "screenshots", "session", "calibrate"],
)
@pytest.mark.parametrize("where", ["under_a_file", "read_only_fs"])
def test_unwritable_outputs_are_located_errors_before_any_work(
    tmp_path, args, option, where
) -> None:
    if where == "under_a_file":
        folder = _unwritable(tmp_path)
    else:
        folder = Path("/sys/kernel")
        if os.geteuid() != 0 or not folder.is_dir() or os.access(folder, os.W_OK) is False:
            pytest.skip("needs root and /sys")
    started = time.monotonic()
    result = invoke(*[a.replace("DIR", str(folder)) for a in args])
    (m,) = located(result)
    assert m["path"] == option
    assert time.monotonic() - started < 20


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["batch", "baseline", "--runs", "abc"], "--runs"),
        (["run", "baseline", "--turns", "-1"], "--turns"),
        (["run", "baseline", "--seed", "x"], "--seed"),
        (["triggers", "baseline", "--runs", "0"], "--runs"),
        (["run", "baseline", "--runs", "3"], "--runs"),
    ],
)
def test_usage_errors_are_one_located_line(args, option) -> None:
    result = invoke(*args)
    (m,) = located(result)
    assert m["path"] == option
    assert not re.search(r"[╭╮╰╯│]", result.output)


def test_error_lines_are_capped_in_length() -> None:
    line = Diagnostic(Location("x.yaml", 3, 4), "k" * 150_071).format()
    assert len(line) < 1100 and line.endswith("...")


def test_a_file_with_thousands_of_errors_prints_a_hundred_and_a_count(tmp_path) -> None:
    from tripwire.errors import format_lines

    ids = ",".join(f"q{i}" for i in range(5000))
    scenario = tmp_path / "many.yaml"
    scenario.write_text(
        f"schema_version: 1\nid: m\ntitle: M\ndescription: d.\ndisable: {{actions: [{ids}]}}\n"
    )
    result = invoke("validate", scenario)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 101
    assert all(LOCATED.match(line) for line in lines[:100])
    assert re.fullmatch(r"\.\.\. and 490\d more errors", lines[-1]), lines[-1]
    assert len(format_lines([Diagnostic(Location("x"), "m")] * 3, limit=5)) == 3


def test_run_on_an_ascii_only_terminal(tmp_path) -> None:
    proc = tripwire(
        "run",
        "baseline",
        "--turns",
        "3",
        cwd=tmp_path,
        PYTHONIOENCODING="ascii",
        LANG="C",
        LC_ALL="C",
    )
    assert proc.returncode == 0, proc.stderr
    assert "->" in proc.stdout and "Turn" in proc.stdout
    assert proc.stdout.isascii()
