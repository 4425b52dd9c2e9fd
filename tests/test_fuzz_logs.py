"""Hand-edited event logs are bad input, never a crash.

A bounded, seeded mutation fuzzer edits a real log (lines deleted, doubled, swapped or cut
short; values of another type; keys dropped; unknown kinds; huge numbers, NaN, unicode,
control characters; turns negative or out of order) and reads each mutant the two ways a
person would: ``tripwire report LOG`` (exit 0, 1 or 2, never a traceback or an internal
error) and the replay's loader (``gamelog.read_game``: the game or a located
``InputError``). The log is never changed. Before the reader checked shapes and order, 4 of
400 mutants crashed the report and 5 of 400 the replay (a ``seq`` of text, a gap in the
turns, ``1e999``, a 30-digit integer, a list where a number belongs).

Also: a log missing its turn-0 snapshot is located at its own path and line, and control
characters in a log's text (a rationale, a note) never reach report.md, report.html or the
terminal table raw.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.errors import InputError
from tripwire.gamelog import read_game
from tripwire.logfile import parse_log

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "examples" / "missile_crisis_2_exercise.yaml"
ESC = "\x1b[31mRED\x1b[0m\x9b2J\x07"

WEIRD = [
    None,
    "x",
    "",
    [],
    {},
    [1, 2],
    {"a": 1},
    -1,
    0,
    True,
    3.5,
    1e308,
    10**30,
    -(10**30),
    "\x1b[31mred\x1b[0m",
    "日本語 ✓ \u202e",
]
OPERATIONS = (
    "delete",
    "duplicate",
    "swap",
    "truncate",
    "retype",
    "retype",
    "retype",
    "drop_key",
    "drop_key",
    "unknown_kind",
    "huge",
    "nan",
    "unicode",
    "negative_turn",
    "turn_order",
    "add_key",
)


def _paths(obj, prefix=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _parent(obj, path):
    for p in path[:-1]:
        obj = obj[p]
    return obj


def _edit_record(line: str, op: str, rng: random.Random) -> str:
    record = json.loads(line)
    paths = list(_paths(record))
    if op == "retype" and paths:
        path = rng.choice(paths)
        _parent(record, path)[path[-1]] = rng.choice(WEIRD)
    elif op == "drop_key" and paths:
        path = rng.choice(paths)
        del _parent(record, path)[path[-1]]
    elif op == "add_key":
        record[rng.choice(["extra", "kind", "type", "turn", "seq"])] = rng.choice(WEIRD)
    elif op == "unknown_kind":
        kind = rng.choice(["meteor", "action", "intervention", "note", "outcome"])
        record = {"type": "event", "turn": record.get("turn", 1), "seq": 99, "kind": kind}
    elif op == "huge" and paths:
        path = rng.choice(paths)
        _parent(record, path)[path[-1]] = rng.choice([10**400, 1e308, -1e308, 2**63])
    elif op == "unicode" and paths:
        path = rng.choice(paths)
        _parent(record, path)[path[-1]] = rng.choice(["\x1b[31m", "\x00", "\ufffd", "𝔘𝔫𝔦"])
    elif op == "negative_turn":
        record["turn"] = rng.choice([-1, -100, 10**9])
    elif op == "turn_order":
        record["turn"] = rng.randrange(0, 30)
    return json.dumps(record, ensure_ascii=rng.random() < 0.5)


def mutate(lines: list[str], rng: random.Random) -> list[str]:
    """One edit of a log's lines."""
    lines = list(lines)
    op = rng.choice(OPERATIONS)
    i = rng.randrange(len(lines))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "truncate":
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    elif op == "nan":
        old = rng.choice(["0.", "1", "2", "5"])
        lines[i] = lines[i].replace(old, rng.choice(["NaN", "Infinity", "-Infinity", "1e999"]), 1)
    else:
        try:
            lines[i] = _edit_record(lines[i], op, rng)
        except ValueError:  # a line cut short by an earlier edit
            lines[i] = lines[i][:-1]
    return lines or [""]


def mutants(text: str, seed: int, count: int):
    """``count`` edited copies of a log: one to three edits each, seeded."""
    rng = random.Random(seed)  # noqa: S311 - a fixed seed: the same mutants every run
    base = text.split("\n")[:-1]
    for _ in range(count):
        lines = base
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            lines = mutate(lines, rng)
        yield "\n".join(lines) + ("\n" if rng.random() < 0.95 else "")


@pytest.fixture(scope="module")
def game_log(tmp_path_factory) -> Path:
    """``tripwire run missile_crisis_2 --seed 7 --log g.jsonl``."""
    from tripwire.cli import app

    log = tmp_path_factory.mktemp("log") / "g.jsonl"
    done = CliRunner().invoke(app, ["run", "missile_crisis_2", "--seed", "7", "--log", str(log)])
    assert done.exit_code == 0, done.output
    return log


@pytest.fixture(scope="module")
def session_log(tmp_path_factory) -> Path:
    """The log of the example exercise, its rationales and notes holding terminal escapes."""
    from tripwire.cli import app

    folder = tmp_path_factory.mktemp("session")
    script = folder / "script.yaml"
    text = SCRIPT.read_text(encoding="utf-8")
    text = re.sub(r"(rationale|note): (.*)", lambda m: f'{m[1]}: "{ESC} {m[2]}"', text)
    script.write_text(text.replace("\x1b", "\\e").replace("\x9b", "\\x9b").replace("\x07", "\\a"))
    args = ["play", "missile_crisis_2", "--human", "USA,KOR", "--seed", "7"]
    args += ["--script", str(script), "--headless", "--session", str(folder / "s")]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    log = folder / "s" / "log.jsonl"
    assert "\\u001b[31mRED" in log.read_text(encoding="utf-8")  # the escapes are in the log
    return log


def _fast_boards(monkeypatch) -> None:
    """Boards are still drawn, but kept as drawn (no 256-colour pass): 3x faster."""
    from tripwire.report import aar

    monkeypatch.setattr(aar, "_palette_png", lambda path: Path(path).read_bytes())


def _located(err: InputError, path: Path) -> None:
    assert err.diagnostics
    for d in err.diagnostics:
        assert d.location.path == str(path), d.format()
        assert d.location.line >= 1 and d.location.column >= 1, d.format()


def test_replay_loader_reads_400_edited_logs_or_locates_the_problem(game_log, tmp_path):
    text = game_log.read_text(encoding="utf-8")
    read = refused = 0
    for k, mutant in enumerate(mutants(text, seed=20240607, count=400)):
        path = tmp_path / f"m{k}.jsonl"
        path.write_text(mutant, encoding="utf-8")
        try:
            game = read_game(path)
        except InputError as err:
            _located(err, path)
            refused += 1
        else:
            assert game.turns and game.turns[0].turn == 0, k
            assert [t.turn for t in game.turns] == list(range(len(game.turns))), k
            read += 1
        assert path.read_text(encoding="utf-8") == mutant, f"mutant {k} was changed"
    assert read > 20 and refused > 200, (read, refused)  # both paths are exercised


@pytest.mark.slow
def test_report_of_edited_logs_exits_0_1_or_2_never_a_traceback(game_log, tmp_path, monkeypatch):
    from tripwire.cli import app

    _fast_boards(monkeypatch)
    runner = CliRunner()
    text = game_log.read_text(encoding="utf-8")
    codes: dict[int, int] = {}
    for k, mutant in enumerate(mutants(text, seed=7, count=160)):
        path = tmp_path / f"m{k}.jsonl"
        path.write_text(mutant, encoding="utf-8")
        done = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "x.html")])
        assert done.exit_code in (0, 1, 2), (k, done.output, done.exception)
        assert done.exception is None or isinstance(done.exception, SystemExit), (
            k,
            repr(done.exception),
        )
        assert "internal error" not in done.output and "Traceback" not in done.output, k
        if done.exit_code == 2:
            for line in done.stderr.strip().splitlines():
                assert re.match(rf"{re.escape(str(path))}:\d+:\d+: error: ", line), (k, line)
        assert path.read_text(encoding="utf-8") == mutant, f"mutant {k} was changed"
        codes[done.exit_code] = codes.get(done.exit_code, 0) + 1
    assert codes.get(0, 0) > 10 and codes.get(2, 0) > 80, codes


CASES = [
    # (what the edit does, line to edit (1-based), new text or a function of the record,
    #  expected line of the message, expected words)
    ("seq of text", 3, lambda r: {**r, "seq": "0"}, 3, "'seq' of the event must be"),
    ("NaN", 2, lambda r: {**r, "rung": float("nan")}, 2, "finite number"),
    ("1e999", 3, lambda r: {**r, "effects": {"world.tension": 1e999}}, 3, "finite number"),
    ("30 digits", 2, lambda r: {**r, "escalation_score": 10**30}, 2, "a number from"),
    ("list for a number", 2, lambda r: {**r, "rung": [3]}, 2, "'rung' of the snapshot"),
    ("negative turn", 3, lambda r: {**r, "turn": -1}, 3, "whole number from 0"),
    ("unknown kind", 3, lambda r: {**r, "kind": "meteor"}, 3, "unknown event kind 'meteor'"),
    ("no actor", 3, lambda r: {k: v for k, v in r.items() if k != "actor"}, 3, "no 'actor'"),
    ("actors of numbers", 1, lambda r: {**r, "actors": [1, 2]}, 1, "list of text"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_an_edited_field_is_one_located_error(game_log, tmp_path, case):
    _, line, edit, at, words = case
    lines = game_log.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = json.dumps(edit(json.loads(lines[line - 1])))
    path = tmp_path / "edited.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_game(path)
    assert len(caught.value.diagnostics) == 1, [d.format() for d in caught.value.diagnostics]
    d = caught.value.diagnostics[0]
    assert (d.location.path, d.location.line) == (str(path), at), d.format()
    assert words in d.message, d.format()


def _lines_of(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines()


def test_a_moved_deleted_or_doubled_line_is_one_error(game_log, tmp_path):
    lines = _lines_of(game_log)
    snap = next(i for i, x in enumerate(lines) if '"type":"turn","turn":5,' in x)
    cases = {
        "snapshot deleted": (lines[:snap] + lines[snap + 1 :], snap + 1, "snapshot of turn 5"),
        "event doubled": (lines[:3] + lines[2:], 4, "'seq' 0 of turn 1 again"),
        "turns swapped": (
            [*lines[: snap - 1], lines[snap], lines[snap - 1], *lines[snap + 1 :]],
            snap + 1,
            "an event of turn 5 after the snapshot of turn 5",
        ),
        "result in the middle": ([*lines[:5], lines[-1], *lines[5:-1]], 6, "must be the last"),
        "second header": ([*lines[:5], lines[0], *lines[5:]], 6, "a second header"),
    }
    for name, (edited, at, words) in cases.items():
        path = tmp_path / "edited.jsonl"
        path.write_text("\n".join(edited) + "\n", encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_game(path)
        found = [d.format() for d in caught.value.diagnostics]
        assert found[0].startswith(f"{path}:{at}:") and words in found[0], (name, found)
        assert len(found) <= 2, (name, found)


def test_a_log_without_its_turn_0_snapshot_is_located_at_its_path_and_line(game_log, tmp_path):
    """Before: the report said '<records>:1:1: error: the log has no turn to show'."""
    from tripwire.cli import app

    lines = _lines_of(game_log)
    path = tmp_path / "no-start.jsonl"
    path.write_text("\n".join([lines[0], *lines[2:]]) + "\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["report", str(path), "--out", str(tmp_path / "r.html")])
    assert done.exit_code == 2, done.output
    assert "<records>" not in done.stderr
    assert done.stderr.startswith(f"{path}:2:"), done.stderr
    assert "turn-0 snapshot" in done.stderr
    with pytest.raises(InputError) as caught:
        read_game(path)
    assert caught.value.diagnostics[0].location.line == 2
    header_only = tmp_path / "header-only.jsonl"
    header_only.write_text(lines[0] + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_game(header_only)
    assert caught.value.diagnostics[0].format().startswith(f"{header_only}:2:1: error:")
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob("*.md"))


def test_the_real_logs_still_read(game_log, session_log):
    for log in [game_log, session_log, *sorted((ROOT / "tests" / "golden").glob("*.jsonl"))]:
        records = parse_log(log.read_text(encoding="utf-8"), str(log))
        assert records[0]["type"] == "header"


def test_control_characters_in_a_logs_text_never_reach_the_report_raw(
    session_log, tmp_path, monkeypatch
):
    from tripwire.report.aar import write_game_report

    _fast_boards(monkeypatch)
    html_path, md_path = write_game_report(session_log, tmp_path / "review.html")
    for path in (html_path, md_path):
        text = path.read_text(encoding="utf-8")
        bad = {c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F}
        assert not bad, (path.name, bad)
        assert "\\x1b" in text, path.name  # shown, escaped, not dropped


def test_control_characters_never_reach_the_terminal_table(session_log):
    from rich.console import Console

    from tripwire.logfile import read_log
    from tripwire.turntable import outcome_lines, turn_table

    records = read_log(session_log)
    for r in records:  # the table shows ids, names, dates and ad-hoc text from the log
        if r.get("type") == "event" and r.get("kind") in ("action", "inject", "trigger"):
            r["name" if r["kind"] == "action" else "id"] = ESC
        if r.get("type") == "turn":
            r["date"] = ESC
    buf = io.StringIO()
    Console(file=buf, width=200, force_terminal=False).print(turn_table(records))
    text = buf.getvalue() + "\n".join(outcome_lines(records, {"x": ESC}))
    assert "\x1b" not in text and "\x9b" not in text
    assert "\\x1b[31mRED" in text


def test_the_report_keeps_the_log_and_refuses_nothing_it_can_read(game_log, tmp_path):
    """A log edited only in its text (unicode, a rationale) still gives a report."""
    from tripwire.cli import app

    path = tmp_path / "g.jsonl"
    shutil.copy(game_log, path)
    lines = _lines_of(path)
    lines[0] = lines[0].replace('"title":"Missile Crisis 2.0"', '"title":"危機 \\u001b[2J 2.0"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = path.read_bytes()
    done = CliRunner().invoke(app, ["report", str(path), "--out", str(tmp_path / "g.html")])
    assert done.exit_code == 0, done.output
    assert path.read_bytes() == before
    assert "\x1b" not in (tmp_path / "g.md").read_text(encoding="utf-8")
