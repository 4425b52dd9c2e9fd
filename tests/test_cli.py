"""The command line, as a user or a shell script sees it.

Contract (cli.py, docs/architecture.md): exit 0 = fine, 1 = the run failed, 2 = bad input or
usage; bad input is one ``PATH:LINE:COL: error: MESSAGE`` line per problem on stderr and never
a traceback. Most tests drive the Typer app in-process with ``CliRunner``; a few run the real
``python -m tripwire`` and the installed ``tripwire`` script to see what a shell sees.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tripwire import __version__
from tripwire.cli import app
from tripwire.logfile import read_log

BUNDLED = (
    "baseline",
    "enhanced_tech_alliance",
    "missile_crisis_2",
    "sanctions_collapse",
    "china_mediation_backfires",
)
OUTCOMES = (
    "enhanced_tech_alliance",
    "missile_crisis_2",
    "sanctions_collapse",
    "china_mediation_backfires",
)
ACTORS = ("RUS", "PRK", "CHN", "USA", "KOR", "JPN")
COMMANDS = {
    "scenarios": "List the bundled scenarios with one-line descriptions.",
    "actions": "List each actor's actions in a scenario",
    "variables": "List the names --set, --sweep and --watch take",
    "validate": "Check scenario files: exit 0 if all are valid, 2 with PATH:LINE:COL errors",
    "schema": "Print the JSON Schema of scenario files",
    "run": "Play a scenario with bots in every seat and print the turn table.",
    "batch": "Play many seeded games and write outcome probabilities",
    "sensitivity": "Global sensitivity (Sobol', Morris, Latin hypercube) and scenario discovery",
    "replay": "Watch a finished (or cut-short) game on the board",
    "calibrate": "Check the model against the analysis and the record",
    "fit": "Fit the free parameters to the analysis' bands and the record",
    "play": "Run a facilitated exercise",
    "new": "Write a commented scenario file",
    "lint": "Go past validity",
    "triggers": "Dry run",
    "report": "Write a report people can read",
}
DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+)$")
TIMEOUT = 60  # seconds: generous for a loaded CI machine; the real runs take about 2 s

# The runner gets a plain, colourless, non-interactive environment.
runner = CliRunner(env={"NO_COLOR": "1", "FORCE_COLOR": None, "TERM": "dumb", "COLUMNS": "100"})

VALID_SCENARIO = """\
schema_version: 1
id: tiny
title: Tiny
description: A short valid scenario for the tests.
extends: baseline
turns: 3
start: 2026-01
"""

BROKEN_SCENARIO = """\
schema_version: 1
id: Bad-Id
title: Broken
description: A scenario with several mistakes.
turns: 0
start: 2026-13
tension: 5
state:
  world.tensoin: 60
triggers:
  - id: oops
    text: t
    when: "world.tension >> 3"
"""


# --- helpers ------------------------------------------------------------------------------


def invoke(*args: str):
    """Run the app in-process, keeping stdout and stderr apart."""
    return runner.invoke(app, list(args))


def flat(text: str) -> str:
    """Help text without Rich's box drawing and line wrapping, for phrase matching."""
    return " ".join(re.sub(r"[│╭╮╰╯─┃━]", " ", text).split())


def assert_no_crash(result) -> None:
    """The command ended by its own decision (an exit status), not by an escaping exception."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"unexpected {type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output


def diagnostics(stderr: str) -> list[re.Match[str]]:
    """Every stderr line, each of which must be a ``PATH:LINE:COL: error: MESSAGE`` line."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "expected at least one diagnostic on stderr"
    found = []
    for line in lines:
        m = DIAGNOSTIC.match(line)
        assert m, f"not a PATH:LINE:COL diagnostic: {line!r}"
        assert int(m["line"]) >= 1 and int(m["col"]) >= 1
        found.append(m)
    return found


def run_log(tmp_path: Path, name: str, *args: str) -> tuple[Path, object]:
    """``tripwire run ARGS --log tmp/NAME --quiet``; return the log path and the result."""
    log = tmp_path / name
    result = invoke("run", *args, "--log", str(log), "--quiet")
    return log, result


def tripwire_script() -> Path:
    """The installed ``tripwire`` console script next to this interpreter."""
    script = Path(sys.executable).with_name("tripwire")
    if not script.exists():
        pytest.skip("the tripwire console script is not installed next to this Python")
    return script


def run_module(*args: str, cwd: Path, timeout: float = TIMEOUT, **env: str):
    """``python -m tripwire ARGS`` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "tripwire", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **env},
        check=False,
    )


@pytest.fixture(scope="module")
def seed7_log(tmp_path_factory) -> tuple[Path, object]:
    """The log of ``tripwire run missile_crisis_2 --seed 7 --log a.jsonl`` and the result."""
    folder = tmp_path_factory.mktemp("seed7")
    return run_log(folder, "a.jsonl", "missile_crisis_2", "--seed", "7")


# --- help and version ---------------------------------------------------------------------


def test_app_help_says_what_tripwire_is() -> None:
    """`tripwire --help` exits 0, describes the engine, the default run and every command."""
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "wargame engine" in text
    assert "With no command, plays the default scenario (missile_crisis_2)" in text
    for name in COMMANDS:
        assert name in text


def test_short_help_option_works() -> None:
    """`tripwire -h` is the same as `tripwire --help`."""
    long, short = invoke("--help"), invoke("-h")
    assert short.exit_code == 0
    assert short.stdout == long.stdout


def test_the_documented_commands_are_all_there_is() -> None:
    """The app offers exactly the documented commands (so every one is tested)."""
    group = typer.main.get_command(app)
    assert set(group.commands) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command: str) -> None:
    """`tripwire COMMAND --help` exits 0 and states the command's purpose."""
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert f"Usage: tripwire {command}" in text
    assert COMMANDS[command] in text


def test_run_help_documents_its_options() -> None:
    """`tripwire run --help` lists --seed, --turns, --log and --quiet with their meaning."""
    text = flat(invoke("run", "--help").stdout)
    for option in ("--seed", "--turns", "--log", "--quiet"):
        assert option in text
    assert "same seed, same game" in text
    assert "JSON Lines" in text


def test_version() -> None:
    """`tripwire --version` prints the package version and exits 0 without running a game."""
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tripwire {__version__}"


# --- scenarios ----------------------------------------------------------------------------


def test_scenarios_lists_the_five_bundled_scenarios() -> None:
    """`tripwire scenarios` lists every bundled scenario with its title, turns and start."""
    result = invoke("scenarios")
    assert result.exit_code == 0, result.output
    for name in BUNDLED:
        assert name in result.stdout
    for title in ("Baseline 2026", "Missile Crisis 2.0", "Sanctions Collapse"):
        assert title in result.stdout
    assert "2026-06" in result.stdout  # missile_crisis_2's start month
    assert result.stderr == ""


# --- validate -----------------------------------------------------------------------------


def test_validate_accepts_every_bundled_scenario_file() -> None:
    """`tripwire validate FILE...` on the bundled YAML files exits 0 with one ok per file."""
    from tripwire.scenario.loader import bundled_scenarios

    files = bundled_scenarios()
    assert set(files) == set(BUNDLED)
    result = invoke("validate", *(str(p) for p in files.values()))
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok (") == len(BUNDLED)
    assert result.stderr == ""


def test_validate_accepts_bundled_names() -> None:
    """`tripwire validate NAME` checks a bundled scenario by name."""
    result = invoke("validate", *BUNDLED)
    assert result.exit_code == 0, result.output
    for name in BUNDLED:
        assert f"{name}: ok ({name}, 24 turns from " in result.stdout


def test_validate_broken_file_reports_located_errors(tmp_path, monkeypatch) -> None:
    """A broken file exits 2 with one PATH:LINE:COL error per problem and no traceback."""
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    result = invoke("validate", "bad.yaml")
    assert result.exit_code == 2
    assert_no_crash(result)
    found = diagnostics(result.stderr)
    assert {m["path"] for m in found} == {"bad.yaml"}
    where = {(int(m["line"]), int(m["col"])) for m in found}
    # id, turns, start, unknown key, misspelt variable, bad operator: all six, each located
    assert len(found) == 6
    assert {line for line, _ in where} == {2, 5, 6, 7, 9, 13}
    assert any("did you mean 'world.tension'" in m["msg"] for m in found)
    assert any("'>>'" in m["msg"] and m["col"] == "12" for m in found)
    assert result.stdout == ""


def test_validate_reports_every_bad_file_in_a_mix(tmp_path, monkeypatch) -> None:
    """Good and bad files together: all bad ones are reported, the good ones pass, exit 2."""
    monkeypatch.chdir(tmp_path)
    Path("good.yaml").write_text(VALID_SCENARIO, encoding="utf-8")
    Path("bad1.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    Path("bad2.yaml").write_text("schema_version: 1\nid: [unclosed\n", encoding="utf-8")
    result = invoke("validate", "bad1.yaml", "good.yaml", "baseline", "bad2.yaml")
    assert result.exit_code == 2
    assert_no_crash(result)
    paths = {m["path"] for m in diagnostics(result.stderr)}
    assert paths == {"bad1.yaml", "bad2.yaml"}
    assert "good.yaml: ok (tiny, 3 turns from 2026-01)" in result.stdout
    assert "baseline: ok" in result.stdout


def test_validate_missing_file(tmp_path, monkeypatch) -> None:
    """A file that does not exist exits 2 with a located 'no such file' message."""
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "nosuch.yaml")
    assert result.exit_code == 2
    assert_no_crash(result)
    (m,) = diagnostics(result.stderr)
    assert m["path"] == "nosuch.yaml"
    assert "no such file" in m["msg"]


def test_validate_unknown_name_suggests_a_bundled_one() -> None:
    """A misspelt bundled name exits 2 with a did-you-mean."""
    result = invoke("validate", "sanctions_colapse")
    assert result.exit_code == 2
    (m,) = diagnostics(result.stderr)
    assert "did you mean 'sanctions_collapse'?" in m["msg"]


def test_validate_a_directory_is_bad_input(tmp_path) -> None:
    """A directory given as a scenario exits 2 with a located message."""
    result = invoke("validate", f"{tmp_path}/")
    assert result.exit_code == 2
    assert_no_crash(result)
    (m,) = diagnostics(result.stderr)
    assert "directory" in m["msg"]


def test_validate_non_utf8_and_empty_files(tmp_path, monkeypatch) -> None:
    """Binary junk and an empty file are each one located error, not a crash."""
    monkeypatch.chdir(tmp_path)
    Path("junk.yaml").write_bytes(b"id: x\n\xff\xfe\x00garbage\n")
    Path("empty.yaml").write_bytes(b"")
    result = invoke("validate", "junk.yaml", "empty.yaml")
    assert result.exit_code == 2
    assert_no_crash(result)
    by_path = {m["path"]: m for m in diagnostics(result.stderr)}
    assert set(by_path) == {"junk.yaml", "empty.yaml"}
    assert by_path["junk.yaml"]["line"] == "2"
    assert "UTF-8" in by_path["junk.yaml"]["msg"]


def test_validate_oversized_file(tmp_path, monkeypatch) -> None:
    """A file over the size limit is refused with a located message."""
    monkeypatch.chdir(tmp_path)
    Path("huge.yaml").write_text("# " + "x" * 1_100_000 + "\n", encoding="utf-8")
    result = invoke("validate", "huge.yaml")
    assert result.exit_code == 2
    (m,) = diagnostics(result.stderr)
    assert "too large" in m["msg"]


def test_validate_needs_a_path() -> None:
    """`tripwire validate` with no file is a usage error (exit 2)."""
    result = invoke("validate")
    assert result.exit_code == 2
    assert_no_crash(result)


def test_yaml_bomb_is_refused_quickly(tmp_path) -> None:
    """A billion-laughs document exits 2 fast with a located message, not a hang or OOM."""
    lines = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "loop.yaml").write_text("a: &a [*a]\n", encoding="utf-8")
    proc = run_module("validate", "bomb.yaml", "loop.yaml", cwd=tmp_path, timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    found = {m["path"]: m for m in diagnostics(proc.stderr)}
    assert set(found) == {"bomb.yaml", "loop.yaml"}
    assert "YAML bomb" in found["bomb.yaml"]["msg"]
    assert "recursive anchor" in found["loop.yaml"]["msg"]


HOSTILE_CONDITIONS = (
    "__import__('os').system('touch PWNED') == 0",
    "().__class__.__bases__[0].__subclasses__() != 0",
    "9 ** 9 ** 9 > 1",
    "world.tension ** 99999999 > 1",
    "(" * 40 + "world.tension" + ")" * 40 + " > 1",
    "not " * 300 + "true",
    "count('PRK', last=1000000000) > 0",
    "1" + "0" * 1000 + " > world.tension",
    "(lambda: 1)() > 0",
    "x" * 5000 + " > 1",
)


def test_hostile_conditions_are_refused_quickly(tmp_path) -> None:
    """Conditions that try to escape, explode or hang are located errors (exit 2), fast."""
    lines = VALID_SCENARIO.splitlines()
    lines.append("triggers:")
    when_lines = []
    for i, cond in enumerate(HOSTILE_CONDITIONS):
        lines += [f"  - id: hostile_{i}", "    text: t"]
        lines.append(f"    when: {json.dumps(cond)}")
        when_lines.append(len(lines))
    (tmp_path / "hostile.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_module("validate", "hostile.yaml", cwd=tmp_path, timeout=30)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    found = diagnostics(proc.stderr)
    assert {int(m["line"]) for m in found} == set(when_lines)
    assert not (tmp_path / "PWNED").exists()


def test_hostile_condition_in_run_is_refused(tmp_path) -> None:
    """`tripwire run` on a file with a hostile condition exits 2 before playing anything."""
    text = VALID_SCENARIO + (
        "triggers:\n  - id: evil\n    text: t\n"
        "    when: \"__import__('os').system('touch PWNED') == 0\"\n"
    )
    path = tmp_path / "evil.yaml"
    path.write_text(text, encoding="utf-8")
    log = tmp_path / "evil.jsonl"
    result = invoke("run", str(path), "--log", str(log))
    assert result.exit_code == 2
    assert_no_crash(result)
    (m,) = diagnostics(result.stderr)
    assert m["line"] == "11"
    assert not log.exists()
    assert not (tmp_path / "PWNED").exists()
    assert result.stdout == ""


def test_validate_huge_integer_state_value(tmp_path, monkeypatch) -> None:
    """A 400-digit number in `state:` is a located range error (exit 2), not a crash."""
    monkeypatch.chdir(tmp_path)
    Path("big.yaml").write_text(
        VALID_SCENARIO + "state:\n  world.tension: 1" + "0" * 400 + "\n", encoding="utf-8"
    )
    result = invoke("validate", "big.yaml")
    assert_no_crash(result)
    assert result.exit_code == 2
    (m,) = diagnostics(result.stderr)
    assert (m["path"], m["line"]) == ("big.yaml", "9")


def test_validate_overlong_file_name(tmp_path, monkeypatch) -> None:
    """A file name too long for the file system is bad input: exit 2 with a located error."""
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "a" * 300 + ".yaml")
    assert_no_crash(result)
    assert result.exit_code == 2
    (m,) = diagnostics(result.stderr)
    assert m["path"].startswith("aaa")


def test_validate_extends_with_nul_character(tmp_path, monkeypatch) -> None:
    """`extends: "a\\0b/c"` is a located error on the extends line (exit 2), not a crash."""
    monkeypatch.chdir(tmp_path)
    text = VALID_SCENARIO.replace("extends: baseline", 'extends: "a\\0b/c"')
    Path("nul.yaml").write_text(text, encoding="utf-8")
    result = invoke("validate", "nul.yaml")
    assert_no_crash(result)
    assert result.exit_code == 2
    found = diagnostics(result.stderr)
    assert any(m["path"] == "nul.yaml" and m["line"] == "5" for m in found)


def test_validate_misspelt_base_name_still_reports_the_files_own_errors(
    tmp_path, monkeypatch
) -> None:
    """`extends: <unknown name>` is reported on the extends line, with the file's other errors."""
    monkeypatch.chdir(tmp_path)
    text = VALID_SCENARIO.replace("extends: baseline", "extends: baselin").replace(
        "turns: 3", "turns: 0"
    )
    Path("child.yaml").write_text(text, encoding="utf-8")
    result = invoke("validate", "child.yaml")
    assert result.exit_code == 2
    found = {(m["path"], m["line"]) for m in diagnostics(result.stderr)}
    assert found == {("child.yaml", "5"), ("child.yaml", "6")}


def test_validate_missing_base_file_reports_the_extends_line(tmp_path, monkeypatch) -> None:
    """`extends: missing.yaml` is reported on the extends line, with the file's other errors."""
    monkeypatch.chdir(tmp_path)
    text = VALID_SCENARIO.replace("extends: baseline", "extends: missing.yaml").replace(
        "turns: 3", "turns: 0"
    )
    Path("child.yaml").write_text(text, encoding="utf-8")
    result = invoke("validate", "child.yaml")
    assert result.exit_code == 2
    found = {(m["path"], m["line"]) for m in diagnostics(result.stderr)}
    assert found == {("child.yaml", "5"), ("child.yaml", "6")}


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_validate_endless_file_is_bounded(tmp_path) -> None:
    """`tripwire validate /dev/zero` is refused before anything is read (only regular files
    are read; a regular file past the size limit is 'file too large'): exit 2, no memory."""
    # A 1 GiB address-space cap keeps the bug from eating the machine's memory.
    script = 'ulimit -v 1048576; exec "$0" -m tripwire validate /dev/zero'
    proc = subprocess.run(
        ["sh", "-c", script, sys.executable],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    (m,) = diagnostics(proc.stderr)
    assert m["msg"] == "is a character device, not a regular file: only files are read"


# --- schema -------------------------------------------------------------------------------


def test_schema_is_a_json_schema_with_descriptions() -> None:
    """`tripwire schema` prints a JSON Schema editors can use, with field descriptions."""
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    props = schema["properties"]
    for key in ("schema_version", "id", "turns", "start", "state", "triggers", "injects"):
        assert key in props
        assert props[key].get("description"), f"{key} has no description"
    assert set(schema["required"]) >= {"schema_version", "id", "turns", "start"}
    assert schema.get("additionalProperties") is False
    defs = schema["$defs"]
    trigger = defs["TriggerSpec"]["properties"]
    assert trigger["when"]["description"]
    assert all(p.get("description") for p in trigger.values())


# --- run ----------------------------------------------------------------------------------


def test_run_writes_a_log_read_log_accepts(seed7_log) -> None:
    """`run missile_crisis_2 --seed 7 --log a.jsonl`: header, 24 turns, then a result."""
    log, result = seed7_log
    assert result.exit_code == 0, result.output
    records = read_log(log)
    header, last = records[0], records[-1]
    assert header["type"] == "header"
    assert header["scenario"] == "missile_crisis_2"
    assert header["seed"] == 7
    assert header["turns"] == 24
    assert header["actors"] == list(ACTORS)
    snapshots = [r for r in records if r["type"] == "turn"]
    assert [s["turn"] for s in snapshots] == list(range(25))
    assert last["type"] == "result"
    assert last["turns_played"] == 24
    assert [r["type"] for r in records].count("result") == 1
    assert [r["type"] for r in records].count("header") == 1


def test_run_log_is_ordered_turn_by_turn(seed7_log) -> None:
    """Each turn's events come before that turn's snapshot, numbered 0, 1, 2, ..."""
    log, _ = seed7_log
    records = read_log(log)
    assert records[1] == next(r for r in records if r["type"] == "turn")  # turn 0 follows
    current, seqs = 1, []
    for r in records[2:-1]:
        if r["type"] == "event":
            assert r["turn"] == current
            seqs.append(r["seq"])
        else:
            assert r["type"] == "turn" and r["turn"] == current
            assert seqs == list(range(len(seqs)))
            current, seqs = current + 1, []
    assert current == 25


def test_run_log_has_every_actor_acting_with_coded_actions(seed7_log) -> None:
    """Every actor acts every turn (its own move, a hold, or joining a partner's joint move,
    which spends its action points too); every non-hold action carries a CAMEO code."""
    log, _ = seed7_log
    records = read_log(log)
    actions = [r for r in records if r.get("kind") == "action"]
    per_turn = {
        t: {a for r in actions if r["turn"] == t for a in (r["actor"], *r.get("joined", ()))}
        for t in range(1, 25)
    }
    assert all(actors == set(ACTORS) for actors in per_turn.values()), per_turn
    moves = [r for r in actions if r["action"] != "hold"]
    assert moves
    for r in moves:
        assert isinstance(r["cameo"], str) and re.fullmatch(r"[0-9]{2,4}", r["cameo"]), r
        assert isinstance(r["goldstein"], int | float)
        assert r["escalation"] in (
            "nuclear",
            "violent",
            "non_violent",
            "posturing",
            "de_escalation",
            "status_quo",
        )
        assert isinstance(r["success"], bool)
        if not r.get("cancelled"):
            assert 0 <= r["p"] <= 1 and 0 <= r["roll"] <= 1
            if r["roll"] != r["p"]:  # both rounded to 4 decimals: order survives rounding
                assert r["success"] == (r["roll"] < r["p"]), r
    for r in actions:
        if r["action"] == "hold":
            assert r["cameo"] is None


def test_run_log_has_triggers_and_all_four_outcomes(seed7_log) -> None:
    """The seed-7 game fires risk triggers and reports each of the four outcomes."""
    log, _ = seed7_log
    records = read_log(log)
    triggers = [r for r in records if r.get("kind") == "trigger"]
    assert triggers
    result = records[-1]
    assert set(result["outcomes"]) == set(OUTCOMES)
    reached_events = {r["id"]: r["turn"] for r in records if r.get("kind") == "outcome"}
    for oid, entry in result["outcomes"].items():
        assert entry["reached"] == (entry["turn"] is not None)
        if entry["reached"]:
            assert 1 <= entry["turn"] <= 24
            assert reached_events[oid] == entry["turn"]
        else:
            assert oid not in reached_events
    counted = Counter(r["id"] for r in triggers)
    assert {k: v for k, v in result["triggers"].items() if v} == dict(counted)


def test_run_same_seed_same_bytes_different_seed_different_log(tmp_path) -> None:
    """Same seed, byte-identical log; another seed, another game."""
    a, ra = run_log(tmp_path, "a.jsonl", "missile_crisis_2", "--seed", "7")
    b, rb = run_log(tmp_path, "b.jsonl", "missile_crisis_2", "--seed", "7")
    c, rc = run_log(tmp_path, "c.jsonl", "missile_crisis_2", "--seed", "8")
    assert ra.exit_code == rb.exit_code == rc.exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    events_a = [r for r in read_log(a) if r["type"] == "event"]
    events_c = [r for r in read_log(c) if r["type"] == "event"]
    assert events_a != events_c


def test_run_turns_option_shortens_the_game(tmp_path) -> None:
    """`--turns 3` plays three months from the scenario's start and then stops."""
    log, result = run_log(tmp_path, "short.jsonl", "missile_crisis_2", "--turns", "3")
    assert result.exit_code == 0, result.output
    records = read_log(log)
    assert records[0]["turns"] == 3
    snapshots = [r for r in records if r["type"] == "turn"]
    assert [s["turn"] for s in snapshots] == [0, 1, 2, 3]
    assert [s["date"] for s in snapshots[1:]] == ["2026-06", "2026-07", "2026-08"]
    assert records[-1]["type"] == "result" and records[-1]["turns_played"] == 3
    assert max(r["turn"] for r in records if r["type"] == "event") == 3


def test_run_unknown_scenario_suggests_the_right_name(tmp_path) -> None:
    """A misspelt scenario name exits 2 with a did-you-mean and writes no log."""
    log, result = run_log(tmp_path, "x.jsonl", "missile_crisis2")
    assert result.exit_code == 2
    assert_no_crash(result)
    (m,) = diagnostics(result.stderr)
    assert m["path"] == "missile_crisis2"
    assert "did you mean 'missile_crisis_2'?" in m["msg"]
    assert not log.exists()


def test_run_log_into_missing_folder_creates_nothing(tmp_path) -> None:
    """`--log nofolder/a.jsonl` exits 2 with a located message; no folder, no file appear."""
    target = tmp_path / "nofolder" / "a.jsonl"
    result = invoke("run", "--log", str(target), "--turns", "2")
    assert result.exit_code == 2
    assert_no_crash(result)
    (m,) = diagnostics(result.stderr)
    assert m["path"] == str(target)
    assert "does not exist" in m["msg"]
    assert list(tmp_path.iterdir()) == []
    assert result.stdout == ""


@pytest.mark.parametrize("where", ["folder", "missing"])
def test_calibrate_refuses_an_unwritable_report_before_playing(tmp_path, where) -> None:
    """`calibrate --out` naming a folder, or a file in a missing folder: exit 2 at once (not
    after minutes of games), one located message, nothing written."""
    target = tmp_path / "reports" if where == "folder" else tmp_path / "nope" / "c.md"
    if where == "folder":
        target.mkdir()
    result = invoke("calibrate", "--out", str(target), "--runs", "100", "--check-runs", "50")
    assert result.exit_code == 2
    assert_no_crash(result)
    (m,) = diagnostics(result.stderr)
    assert m["path"] == "--out"
    assert str(target) in m["msg"]
    assert [p.name for p in tmp_path.iterdir()] == (["reports"] if where == "folder" else [])
    if where == "folder":
        assert list(target.iterdir()) == []


def test_run_log_onto_a_directory_leaves_nothing_behind(tmp_path) -> None:
    """A log target that is a directory: exit 2, the directory untouched, no temp files."""
    target = tmp_path / "logs"
    target.mkdir()
    result = invoke("run", "--log", str(target), "--turns", "2", "--quiet")
    assert result.exit_code == 2
    assert_no_crash(result)
    (m,) = diagnostics(result.stderr)
    assert m["path"] == str(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs"]
    assert list(target.iterdir()) == []


def test_failed_log_write_leaves_no_partial_file(tmp_path, monkeypatch) -> None:
    """A write that fails half-way (disk full) exits 2 and leaves no partial or temp file."""
    import errno

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("tripwire.files.os.fsync", disk_full)
    target = tmp_path / "a.jsonl"
    result = invoke("run", "--log", str(target), "--turns", "2", "--quiet")
    assert result.exit_code == 2
    assert_no_crash(result)
    (m,) = diagnostics(result.stderr)
    assert "No space left on device" in m["msg"]
    assert list(tmp_path.iterdir()) == []


def test_interrupted_log_write_keeps_the_old_log(tmp_path, monkeypatch) -> None:
    """Ctrl-C during the write keeps the previous complete log and leaves no temp file."""
    target = tmp_path / "a.jsonl"
    first = invoke("run", "--log", str(target), "--turns", "2", "--quiet")
    assert first.exit_code == 0
    before = target.read_bytes()

    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("tripwire.files.os.fsync", interrupt)
    second = invoke("run", "--log", str(target), "--turns", "3", "--quiet", "--seed", "5")
    assert second.exit_code != 0
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.jsonl"]


def test_bad_scenario_does_not_clobber_an_existing_log(tmp_path) -> None:
    """A run refused for bad input leaves an earlier log at the same path untouched."""
    target = tmp_path / "a.jsonl"
    assert invoke("run", "--log", str(target), "--turns", "2", "-q").exit_code == 0
    before = target.read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN_SCENARIO, encoding="utf-8")
    result = invoke("run", str(bad), "--log", str(target), "-q")
    assert result.exit_code == 2
    assert target.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ("--seed", "abc"),
        ("--seed", "1.5"),
        ("--turns", "0"),
        ("--turns", "601"),
        ("--turns", "three"),
        ("--bogus",),
        ("a", "b"),
    ],
    ids=["seed-abc", "seed-float", "turns-0", "turns-601", "turns-word", "unknown-opt", "2-args"],
)
def test_run_rejects_bad_option_values(tmp_path, args: tuple[str, ...]) -> None:
    """Invalid option values or extra arguments are usage errors: exit 2, nothing played."""
    log = tmp_path / "x.jsonl"
    result = invoke("run", *args, "--log", str(log))
    assert result.exit_code == 2, result.output
    assert_no_crash(result)
    assert not log.exists()
    assert "Tension" not in result.stdout


def test_run_rejects_a_negative_seed(tmp_path) -> None:
    """`--seed -1` is an invalid option value: exit 2 with a message, not an internal error."""
    result = invoke("run", "--seed", "-1", "--quiet")
    assert_no_crash(result)
    assert result.exit_code == 2


def test_run_accepts_a_scenario_file_path(tmp_path) -> None:
    """`tripwire run FILE.yaml` plays a scenario file, here one extending a bundled one."""
    path = tmp_path / "tiny.yaml"
    path.write_text(VALID_SCENARIO, encoding="utf-8")
    log, result = run_log(tmp_path, "tiny.jsonl", str(path))
    assert result.exit_code == 0, result.output
    records = read_log(log)
    assert records[0]["scenario"] == "tiny"
    assert records[-1]["turns_played"] == 3


def test_run_quiet_prints_nothing(tmp_path) -> None:
    """`--quiet` plays the game and writes the log but prints no table."""
    log, result = run_log(tmp_path, "q.jsonl", "baseline", "--turns", "2")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert log.exists()


# --- the turn table -----------------------------------------------------------------------


def test_no_command_plays_the_default_scenario() -> None:
    """`tripwire` alone plays missile_crisis_2 (seed 1) and prints the turn table, exit 0."""
    result = invoke()
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Missile Crisis 2.0 — seed 1" in out
    for column in ("Turn", "Actions", "Tension", "Rung", "Fired"):
        assert column in out
    # The Actions cell of each table line starts with the acting actor's code.
    cells = [line.split("│")[2].split() for line in out.splitlines() if line.count("│") == 6]
    codes = [cell[0] for cell in cells if cell and cell[0] in ACTORS]  # not wrapped lines
    assert codes[:6] == list(ACTORS)  # one line per actor, RUS..JPN, in every turn
    assert codes == list(ACTORS) * 24
    assert re.search(r"\b24\b", out)
    assert "2028-05" in out  # turn 24's month
    assert "Missile Crisis 2.0:" in out  # the outcome lines
    assert result.stderr == ""


def test_turn_table_marks_failed_and_cancelled_actions() -> None:
    """Each failed action is marked ✗ and each cancelled one ⊘ in the printed table."""
    from tripwire.sim.model import CrisisModel

    result = invoke("run", "missile_crisis_2", "--seed", "7")
    assert result.exit_code == 0
    log = CrisisModel("missile_crisis_2", rng=7, collect=False).run().log
    actions = [r for r in log if r.get("kind") == "action"]
    failed = [r for r in actions if not r["success"] and not r.get("cancelled")]
    cancelled = [r for r in actions if r.get("cancelled")]
    assert failed and cancelled
    assert result.stdout.count("✗") == len(failed)
    assert result.stdout.count("⊘") == len(cancelled)
    example = failed[0]
    label = f"{example['name']}→{example['target']}" if example["target"] else example["name"]
    if example.get("partners"):  # a joint move names its partners before the mark
        label += f" (with {', '.join(example['partners'])})"
    assert f"{label} ✗" in result.stdout


def test_turn_table_prints_outcomes_and_log_path(tmp_path) -> None:
    """After the table: one line per outcome, then where the log went."""
    log = tmp_path / "a.jsonl"
    result = invoke("run", "missile_crisis_2", "--seed", "7", "--log", str(log))
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    outcome_lines = [line for line in lines if "reached" in line]
    assert len(outcome_lines) == 4
    assert f"log written to {log}" in lines


# --- end to end: real processes -----------------------------------------------------------


def test_python_m_tripwire_version_and_help(tmp_path) -> None:
    """`python -m tripwire` is the tripwire command: --version and --help exit 0."""
    version = run_module("--version", cwd=tmp_path)
    assert version.returncode == 0
    assert version.stdout.strip() == f"tripwire {__version__}"
    helped = run_module("--help", cwd=tmp_path)
    assert helped.returncode == 0
    assert "wargame engine" in flat(helped.stdout)


def test_exit_statuses_seen_by_a_shell(tmp_path) -> None:
    """The installed script exits 0 for valid input and 2 for bad input and usage errors."""
    script = tripwire_script()
    (tmp_path / "good.yaml").write_text(VALID_SCENARIO, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    shell = (
        'T="$0"\n'
        '"$T" validate good.yaml >/dev/null 2>&1; echo "good=$?"\n'
        '"$T" validate bad.yaml >/dev/null 2>&1; echo "bad=$?"\n'
        '"$T" validate nosuch.yaml >/dev/null 2>&1; echo "missing=$?"\n'
        '"$T" run --turns 0 >/dev/null 2>&1; echo "usage=$?"\n'
        '"$T" frobnicate >/dev/null 2>&1; echo "command=$?"\n'
        '"$T" scenarios >/dev/null 2>&1; echo "scenarios=$?"\n'
    )
    proc = subprocess.run(
        ["sh", "-c", shell, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    statuses = dict(line.split("=") for line in proc.stdout.split())
    assert statuses == {
        "good": "0",
        "bad": "2",
        "missing": "2",
        "usage": "2",
        "command": "2",
        "scenarios": "0",
    }


def test_console_script_bad_input_has_no_traceback(tmp_path) -> None:
    """A real process on a broken file prints only PATH:LINE:COL lines on stderr."""
    script = tripwire_script()
    (tmp_path / "bad.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    proc = subprocess.run(
        [str(script), "validate", "bad.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(diagnostics(proc.stderr)) == 6
    assert proc.stdout == ""


def test_logs_are_identical_across_processes(tmp_path, seed7_log) -> None:
    """The same game in fresh processes (different hash seeds) gives the same bytes."""
    for hash_seed in ("1", "987"):
        proc = run_module(
            "run",
            "missile_crisis_2",
            "--seed",
            "7",
            "--log",
            f"p{hash_seed}.jsonl",
            "--quiet",
            cwd=tmp_path,
            PYTHONHASHSEED=hash_seed,
        )
        assert proc.returncode == 0, proc.stderr
    one, two = (tmp_path / "p1.jsonl").read_bytes(), (tmp_path / "p987.jsonl").read_bytes()
    assert one == two
    in_process, _ = seed7_log
    assert one == in_process.read_bytes()


def test_run_watch_adds_a_column_per_variable(tmp_path) -> None:
    """`--watch` shows chosen variables turn by turn, with the values the log's snapshots hold."""
    log = tmp_path / "g.jsonl"
    result = invoke(
        "run", "baseline", "--seed", "3", "--turns", "3", "--log", str(log),
        "--watch", "PRK.icbm,world.sanctions_enforcement",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    turns = [r for r in read_log(log) if r["type"] == "turn"]
    lines = result.stdout.splitlines()
    assert any("PRK." in line and "world." in line for line in lines)  # the two headers
    for snap in turns[1:]:
        icbm = f"{snap['state']['PRK.icbm']:.0f}"
        enforcement = f"{snap['state']['world.sanctions_enforcement']:.2f}"
        row = next(line for line in lines if line.startswith(f"│ {snap['turn']} "))
        cells = [c.strip() for c in row.split("│")]
        assert cells[5].split()[0] == icbm and cells[6].split()[0] == enforcement, row


def test_run_watch_unknown_variable_is_a_located_error() -> None:
    result = invoke("run", "baseline", "--watch", "PRK.icbm, PRK.icmb", "--watch", "param.x")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "--watch:1:11: error: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)",
        "--watch:2:1: error: unknown variable 'param.x' "
        "(parameters do not change during a game: --set them instead)",
    ]


def test_actions_lists_each_seats_action_ids() -> None:
    """`tripwire actions` gives a facilitator the ids a script uses, per seat, with targets."""
    result = invoke("actions", "missile_crisis_2", "--actor", "USA,KOR")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "USA: 2 action point(s) a turn" in text and "KOR:" in text and "PRK:" not in text
    assert "deploy_carrier_group" in text and "extended_deterrence_pledge" in text
    assert "tighten_border" not in text  # China's
    bad = invoke("actions", "--actor", "USX")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("--actor:1:1: error: unknown actor 'USX' (did you mean 'USA'?)")


def test_variables_lists_what_set_and_sweep_take() -> None:
    """`tripwire variables` lists variables with range and the scenario's starting value, and
    the actor parameters; every name it lists is one --set accepts."""
    result = invoke("variables", "missile_crisis_2", "--match", "PRK.")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    icbm = next(line for line in lines if line.startswith("│ PRK.icbm "))
    assert "0 to 100" in icbm
    posture = next(line for line in lines if line.startswith("│ PRK.posture "))
    assert "│ 62 " in posture  # the scenario's starting value, not the catalog's
    assert any(line.startswith("│ PRK.risk_tolerance ") and "0.8" in line for line in lines)
    assert any(line.startswith("│ PRK.objectives.technology ") for line in lines)
    assert not any(line.startswith("│ USA.") for line in lines)
    names = [line.split("│")[1].strip() for line in lines if line.startswith("│ PRK.")]
    for name in names:
        ok = invoke("run", "missile_crisis_2", "--turns", "1", "--quiet", "--set", f"{name}=1")
        assert ok.exit_code == 0, (name, ok.stderr)
