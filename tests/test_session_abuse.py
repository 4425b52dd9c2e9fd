"""Abuse of session and batch folders: two processes on one session, a Tripwire upgrade, a
lost journal, hand-edited or corrupted files, batches killed at awkward moments.

The promise under test: bad input gets one located ``PATH:LINE:COL: error:`` message and
exit status 2, never a traceback or an internal error, and a refused command changes no file
of the folder.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.session.journal import JOURNAL, LOG, SESSION

ROOT = Path(__file__).resolve().parents[1]
LOCK = "session.lock"  # the lock file a process with the session open holds
LOCATED = re.compile(r"^\S.*:\d+:\d+: error: \S", re.MULTILINE)

# A short exercise: decisions, a veto, notes, an inject, a set, an undo and a fork.
SCRIPT = """\
humans: [USA, KOR]
steps:
  - turn: 1
    before:
      - note: Opening brief delivered.
    decide:
      USA: [deploy_carrier_group, "extended_deterrence_pledge -> KOR"]
      KOR: [strengthen_kill_chain]
  - turn: 2
    decide:
      USA: [offer_talks]
      KOR: [inter_korean_outreach]
    review:
      - veto: USA offer_talks
        rationale: Not cleared.
  - undo: Replay turn 2.
  - turn: 2
    before:
      - inject: japan_overflight
        rationale: Bring Japan in.
      - set: {variable: world.tension, value: 72}
        rationale: Match the room.
    decide:
      USA: [trilateral_exercise]
      KOR: [trilateral_exercise]
    review:
      - force: KOR trilateral_exercise
        success: true
  - fork: 20
  - turn: 3
    before:
      - inject:
          text: A fishing fleet is seized.
          effects: {world.tension: 4, KOR.posture: 3}
    decide:
      USA: [coordinate_enforcement]
      KOR: [hold]
"""

runner = CliRunner()


def play(*args: str):
    return runner.invoke(app, ["play", *args])


def tripwire(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tripwire", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kw,
    )


def files(folder: Path) -> dict[str, bytes | None]:
    """Every path under a folder with its bytes (None for a folder)."""
    out: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        out[str(path.relative_to(folder))] = None if path.is_dir() else path.read_bytes()
    return out


def assert_refused_cleanly(result, folder: Path, before: dict[str, bytes | None]) -> None:
    """Exit 2 with a located error, no traceback, and not one file changed."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert LOCATED.search(result.stderr), result.stderr
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert files(folder) == before


@pytest.fixture(scope="module")
def script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("script") / "exercise.yaml"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory, script) -> Path:
    """A session folder made by a short headless scripted session, then left alone."""
    folder = tmp_path_factory.mktemp("made") / "s"
    args = ["missile_crisis_2", "-H", "USA,KOR", "-s", "7", "--session", str(folder)]
    result = play(*args, "--script", str(script), "--headless")
    assert result.exit_code == 0, result.output
    assert set(files(folder)) == {SESSION, JOURNAL, LOG}  # the lock went with the process
    return folder


@pytest.fixture
def copy(made, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(made, target)
    return target


def journal_lines(folder: Path) -> list[str]:
    return (folder / JOURNAL).read_text(encoding="utf-8").splitlines()


def test_a_status_resume_of_a_sound_session_changes_nothing(copy):
    before = files(copy)
    result = play("--resume", str(copy), "--headless")
    assert result.exit_code == 0, result.output
    assert "the game stands after turn 3" in result.stdout
    assert files(copy) == before


# --- 1. one session, two processes -----------------------------------------------------------


def _wait_for(predicate: Callable[[], bool], proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not predicate():
        assert proc.poll() is None, f"the holder exited early: {proc.stderr.read()}"
        time.sleep(0.05)
    assert predicate(), what


def test_two_processes_cannot_play_one_session(tmp_path, script):
    """While one process plays a session, a second resume (scripted or status-only) and a new
    session in the same folder are refused with a located error naming the holder, and the
    journal is not touched; once the holder is killed (-9), its lock blocks nothing."""
    folder = tmp_path / "s"
    holder = subprocess.Popen(
        [sys.executable, "-m", "tripwire", "play", "missile_crisis_2", "-H", "USA,KOR",
         "-s", "7", "--session", str(folder), "--script", str(script), "--headless",
         "--delay", "60"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # the first turn is played once its snapshot is in the log (written after the journal
        # line): only then does the holder sit still for its --delay
        _wait_for(
            lambda: (
                (folder / JOURNAL).is_file()
                and journal_lines(folder)
                and '{"type":"turn","turn":1,' in (folder / LOG).read_text(encoding="utf-8")
            ),
            holder,
            "a turn",
        )
        before = files(folder)
        assert LOCK in before
        message = f"{folder}:1:1: error: this session is open in another process (pid {holder.pid})"
        for args in (
            ["--resume", str(folder), "--headless"],
            ["--resume", str(folder), "--script", str(script), "--headless"],
            [
                "missile_crisis_2",
                "-H",
                "USA,KOR",
                "--session",
                str(folder),
                "--script",
                str(script),
                "--headless",
            ],
        ):
            result = play(*args)
            assert result.exit_code == 2, result.output
            assert "internal error" not in result.output
            assert files(folder) == before
        assert message in play("--resume", str(folder), "--headless").stderr
    finally:
        holder.kill()
        holder.wait()
    assert (folder / LOCK).exists()  # left by kill -9: stale, it must not block
    result = play("--resume", str(folder), "--script", str(script), "--headless")
    assert result.exit_code == 0, result.output
    assert len(journal_lines(folder)) == 6
    assert not (folder / LOCK).exists()


def test_a_new_session_in_a_folder_in_use_is_refused(tmp_path, script):
    """A folder another process has locked (here before it wrote session.json) is not
    taken by a new session."""
    folder = tmp_path / "s"
    folder.mkdir()
    code = (
        "import sys, time; from pathlib import Path;"
        "from tripwire.session.journal import lock_folder;"
        f"held = lock_folder(Path({str(folder)!r})); print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = play(
            "missile_crisis_2", "-H", "USA,KOR", "--session", str(folder),
            "--script", str(script), "--headless",
        )  # fmt: skip
        assert result.exit_code == 2, result.output
        assert f"(pid {holder.pid}); close it first" in result.stderr
        assert not (folder / SESSION).exists() and not (folder / JOURNAL).exists()
    finally:
        holder.kill()
        holder.wait()


def test_two_resumes_at_once_never_play_a_step_twice(tmp_path, script):
    """The reported race: two `--resume DIR --script` at once. One plays, the other is
    refused; the journal holds each step once and the session resumes afterwards."""
    folder = tmp_path / "s"
    first = tmp_path / "first.yaml"
    first.write_text(SCRIPT.split("  - turn: 2", maxsplit=1)[0], encoding="utf-8")
    made = tripwire("play", "missile_crisis_2", "-H", "USA,KOR", "-s", "7", "--session",
                    str(folder), "--script", str(first), "--headless")  # fmt: skip
    assert made.returncode == 0, made.stderr
    cmd = [sys.executable, "-m", "tripwire", "play", "--resume", str(folder), "--script",
           str(script), "--headless", "--delay", "0.3"]  # fmt: skip
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 2], outcomes
    refused = next(err for code, err in outcomes if code == 2)
    assert "this session is open in another process" in refused
    steps = [json.loads(line).get("step") for line in journal_lines(folder)]
    assert steps == [0, 1, 2, 3, 4, 5]
    again = play("--resume", str(folder), "--script", str(script), "--headless")
    assert again.exit_code == 0, again.output


# --- 2. another Tripwire ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "key", "says"),
    [
        (lambda d: d.update(catalog_sha256="0" * 64), "catalog_sha256", "catalog"),
        (lambda d: d.update(tripwire="0.0.1"), "tripwire", "made by Tripwire 0.0.1"),
    ],
    ids=["catalog", "version"],
)
def test_a_session_of_another_tripwire_is_refused_untouched(copy, edit, key, says):
    """After an upgrade (simulated by editing what session.json records), even the
    status-only resume would rewrite the log with another history: it is refused, located at
    the recorded value, and no file changes."""
    data = json.loads((copy / SESSION).read_text(encoding="utf-8"))
    edit(data)
    text = json.dumps(data, indent=2) + "\n"
    (copy / SESSION).write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.strip().startswith(f'"{key}"'))
    before = files(copy)
    for args in (["--headless"], ["--headless", "--script", str(ROOT / "nowhere.yaml")]):
        result = play("--resume", str(copy), *args)
        assert_refused_cleanly(result, copy, before)
        assert result.stderr.startswith(f"{copy / SESSION}:{line}:1: error: ")
        assert says in result.stderr


def test_an_upgraded_catalog_refuses_the_resume(copy, monkeypatch):
    """The same with the upgrade on the other side: this Tripwire's catalog differs."""
    import dataclasses

    from tripwire.catalog import load_catalog
    from tripwire.session import session as session_module

    real = load_catalog()
    changed = dataclasses.replace(real, digest="f" * 64)
    monkeypatch.setattr(session_module, "load_catalog", lambda: changed)
    before = files(copy)
    result = play("--resume", str(copy), "--headless")
    assert_refused_cleanly(result, copy, before)
    assert "catalog" in result.stderr


def test_a_fork_worker_of_another_tripwire_refuses_the_work(made):
    """Fork continuations replay the session in workers: a worker whose catalog differs from
    the session's refuses rather than play other rules."""
    import dataclasses

    from tripwire.session.fork import ForkTask, play_continuations
    from tripwire.session.journal import SessionInfo

    data = json.loads((made / SESSION).read_text(encoding="utf-8"))
    fields = [f.name for f in dataclasses.fields(SessionInfo)]
    info = SessionInfo(**{k: data[k] for k in fields if k != "humans"}, humans=("USA", "KOR"))
    other = dataclasses.replace(info, catalog_sha256="0" * 64)
    with pytest.raises(RuntimeError, match="differs from the session's"):
        play_continuations(ForkTask(other, (), (0, 1), 0))


# --- 3. a lost journal, a torn last line -----------------------------------------------------


@pytest.mark.parametrize("damage", ["empty", "missing"])
def test_a_lost_journal_is_refused_and_the_log_kept(copy, damage):
    """A missing or emptied journal would replay into a fresh game and overwrite the log
    (103 lines -> 2): refused, located at the journal, nothing changed."""
    if damage == "empty":
        (copy / JOURNAL).write_bytes(b"")
    else:
        (copy / JOURNAL).unlink()
    before = files(copy)
    result = play("--resume", str(copy), "--headless")
    assert_refused_cleanly(result, copy, before)
    assert result.stderr.startswith(f"{copy / JOURNAL}:1:1: error: ")


def test_a_torn_last_line_is_dropped_with_a_warning(copy, made):
    whole = (copy / JOURNAL).read_bytes()
    n = whole.count(b"\n")
    with (copy / JOURNAL).open("ab") as fh:
        fh.write(b'{"entries":[{"do":"begin"},{"do":"dec')
    result = play("--resume", str(copy), "--headless")
    assert result.exit_code == 0, result.output
    warning = (
        f"{copy / JOURNAL}:{n + 1}:1: warning: ignored an incomplete last line "
        "(the process stopped while writing it)"
    )
    assert warning in result.stderr
    assert (copy / JOURNAL).read_bytes() == whole
    assert (copy / LOG).read_bytes() == (made / LOG).read_bytes()


def test_a_complete_but_malformed_last_line_is_not_dropped(copy):
    with (copy / JOURNAL).open("a", encoding="utf-8") as fh:
        fh.write('{"entries":[{"do":"begin"},{"do":"dec\n')
    n = len(journal_lines(copy))
    before = files(copy)
    result = play("--resume", str(copy), "--headless")
    assert_refused_cleanly(result, copy, before)
    assert result.stderr.startswith(f"{copy / JOURNAL}:{n}:")


def test_a_crash_between_journal_and_log_resumes_at_every_point(made, tmp_path, script):
    """No false alarm: the folder as a crash leaves it after any step (the journal written,
    the log of that step or still of the step before) resumes, and finishes the script to
    the same log as an uninterrupted session."""
    lines = journal_lines(made)
    logs = []
    for k in range(len(lines) + 1):  # the log after k journal lines, as the session wrote it
        folder = tmp_path / f"k{k}"
        folder.mkdir()
        shutil.copy(made / SESSION, folder / SESSION)
        (folder / JOURNAL).write_text("".join(f"{t}\n" for t in lines[:k]), encoding="utf-8")
        result = play("--resume", str(folder), "--headless")
        assert result.exit_code == 0, result.output
        logs.append((folder / LOG).read_bytes())
    for k in range(1, len(lines) + 1):
        folder = tmp_path / f"k{k}"
        (folder / LOG).write_bytes(logs[k - 1])  # killed before the log was rewritten
        result = play("--resume", str(folder), "--script", str(script), "--headless")
        assert result.exit_code == 0, result.output
        assert (folder / LOG).read_bytes() == (made / LOG).read_bytes()


# --- 4. hand-edited or corrupted session files -----------------------------------------------


def _set_line(k: int, value: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        lines = journal_lines(folder)
        lines[k] = value if isinstance(value, str) else json.dumps(value)
        (folder / JOURNAL).write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _edit_entry(k: int, i: int, **changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        lines = journal_lines(folder)
        line = json.loads(lines[k])
        line["entries"][i].update(changes)
        lines[k] = json.dumps(line)
        (folder / JOURNAL).write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _edit_info(**changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / SESSION).read_text(encoding="utf-8"))
        for key, value in changes.items():
            if value is ...:
                del data[key]
            else:
                data[key] = value
        (folder / SESSION).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    return edit


def _edit_scenario(**changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / SESSION).read_text(encoding="utf-8"))
        data["scenario"].update(changes)
        (folder / SESSION).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    return edit


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def _make_dir(name: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).mkdir()

    return edit


def _swap_lines(a: int, b: int) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        lines = journal_lines(folder)
        lines[a], lines[b] = lines[b], lines[a]
        (folder / JOURNAL).write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _drop_line(k: int) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        lines = journal_lines(folder)
        del lines[k]
        (folder / JOURNAL).write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _double_lines(folder: Path) -> None:
    """What two processes appending the same steps left behind."""
    lines = journal_lines(folder)
    (folder / JOURNAL).write_text("\n".join(lines + lines) + "\n", encoding="utf-8")


# Journal lines of the made session: 0 turn 1, 1 turn 2, 2 undo, 3 turn 2, 4 fork, 5 turn 3;
# entries of a turn: [before...], begin, decide USA, decide KOR, [review...], resolve.
CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "journal line is a list": _set_line(2, [1, 2]),
    "journal line is a number": _set_line(1, 42),
    "journal line is a string": _set_line(1, "x"),
    "journal line is null": _set_line(0, None),
    "journal line is empty object": _set_line(1, {}),
    "journal line not JSON": _set_line(3, "{not json"),
    "unknown input kind": _set_line(2, {"do": "teleport"}),
    "entries not a list": _set_line(1, {"entries": "begin", "step": 1}),
    "entries of numbers": _set_line(1, {"entries": [1, 2], "step": 1}),
    "entries empty": _set_line(1, {"entries": [], "step": 1}),
    "step is text": _edit_entry(1, 0),  # replaced below
    "decide actor is a number": _edit_entry(0, 2, actor=5),
    "decide moves is text": _edit_entry(0, 2, moves="deploy_carrier_group"),
    "decide move action is a number": _edit_entry(0, 2, moves=[{"action": 3}]),
    "decide unknown action": _edit_entry(0, 2, moves=[{"action": "fly_to_moon"}]),
    "decide unknown actor": _edit_entry(0, 2, actor="XXX"),
    "decide for a bot seat": _edit_entry(0, 2, actor="CHN"),
    "veto success of a veto": _edit_entry(1, 3, action=["offer_talks"]),
    "set value is text": _edit_entry(3, 1, value="high"),
    "set value is NaN": _edit_entry(3, 1, value=float("nan")),
    "set unknown variable": _edit_entry(3, 1, variable="world.nothing"),
    "inject effects a list": _edit_entry(5, 0, effects=[1, 2]),
    "inject unknown variable": _edit_entry(5, 0, effects={"world.nothing": 1}),
    "inject unknown id": _edit_entry(3, 0, id="no_such_inject"),
    "force success is text": _edit_entry(3, 5, success="yes"),
    "note text is a list": _edit_entry(0, 0, text=["x"]),
    "who is a number": _edit_entry(0, 0, who=7),
    "undo turn is text": _edit_entry(2, 0, undone_turn="two"),
    "undo undone is text": _edit_entry(2, 0, undone="everything"),
    "fork runs is text": _edit_entry(4, 0, runs="many"),
    "fork runs is zero": _edit_entry(4, 0, runs=0),
    "fork outcomes is a list": _edit_entry(4, 0, outcomes=[]),
    "resolve twice": _edit_entry(0, 2, do="resolve"),
    "steps out of order": _swap_lines(0, 1),
    "a middle line lost": _drop_line(1),
    "every line twice": _double_lines,
    "not UTF-8 in the middle": lambda f: (f / JOURNAL).write_bytes(
        (f / JOURNAL).read_bytes().replace(b"Opening", b"Op\xffening")
    ),
    "journal is a directory": _make_dir(JOURNAL),
    "session.json seed is text": _edit_info(seed="7"),
    "session.json seed is fractional": _edit_info(seed=7.5),
    "session.json seed is true": _edit_info(seed=True),
    "session.json seed is negative": _edit_info(seed=-1),
    "session.json humans is text": _edit_info(humans="USA,KOR"),
    "session.json humans are numbers": _edit_info(humans=[1, 2]),
    "session.json humans unknown": _edit_info(humans=["USA", "XXX"]),
    "session.json humans twice": _edit_info(humans=["USA", "USA"]),
    "session.json humans other seats": _edit_info(humans=["JPN"]),
    "session.json turns is text": _edit_info(turns="24"),
    "session.json turns is zero": _edit_info(turns=0),
    "session.json turns is one": _edit_info(turns=1),
    "session.json scenario is a list": _edit_info(scenario=[]),
    "session.json scenario is empty": _edit_info(scenario={}),
    "session.json scenario bad field": _edit_scenario(turns="many"),
    "session.json scenario unknown key": _edit_scenario(colour="red"),
    "session.json no seed": _edit_info(seed=...),
    "session.json other seed": _edit_info(seed=8),
    "session.json format 2": _edit_info(format=2),
    "session.json kind": _edit_info(kind="tripwire-batch"),
    "session.json is a list": _write(SESSION, b"[1, 2]\n"),
    "session.json not JSON": _write(SESSION, b'{"kind": "tripwire-session",\n  "seed": }\n'),
    "session.json not UTF-8": _write(SESSION, b'{"kind": "\xff"}\n'),
    "session.json is a directory": _make_dir(SESSION),
    "log is a directory": _make_dir(LOG),
    "log is garbage": _write(LOG, b"\x00\x01garbage\n"),
    "log not UTF-8": _write(LOG, b"\xff\xfe\n"),
    "log cut short": lambda f: (f / LOG).write_bytes((f / LOG).read_bytes()[:5000]),
    "log hand-edited": lambda f: (f / LOG).write_bytes(
        (f / LOG).read_bytes().replace(b"Opening brief", b"Closing brief")
    ),
}
CORRUPTIONS["step is text"] = _set_line(
    1,
    '{"entries":[{"do":"begin"},{"do":"decide","actor":"USA","moves":[]},'
    '{"do":"decide","actor":"KOR","moves":[]},{"do":"resolve"}],"step":"one"}',
)


def _random_corruptions(made: Path, count: int) -> dict[str, Callable[[Path], None]]:
    """Byte flips, cuts and deletions at random places of the journal and session.json."""
    rng = random.Random(20240611)  # noqa: S311 (reproducible damage)
    out: dict[str, Callable[[Path], None]] = {}
    for n in range(count):
        name = rng.choice([JOURNAL, SESSION])
        size = len((made / name).read_bytes())
        at = rng.randrange(size)
        how = rng.choice(["flip", "cut", "delete", "insert"])
        byte = rng.choice(b'{}[]",:0123456789 \nxyz\xff')

        def edit(folder: Path, name=name, at=at, how=how, byte=byte) -> None:
            data = bytearray((folder / name).read_bytes())
            if how == "flip":
                data[at] = byte
            elif how == "cut":
                del data[at:]
            elif how == "delete":
                del data[at : at + 7]
            else:
                data[at:at] = bytes([byte])
            (folder / name).write_bytes(bytes(data))

        out[f"random {n}: {how} {name}@{at}"] = edit
    return out


def test_corrupted_session_folders_are_refused_cleanly(made, tmp_path):
    """Every corruption of a real session folder gives exit 0 (a harmless change, or a torn
    last line) or exit 2 with a located error and every file as it was; never an internal
    error or a traceback. The hand-picked ones that damage the game are all refused."""
    cases = {**CORRUPTIONS, **_random_corruptions(made, 60)}
    refused, failures = [], []
    for k, (name, corrupt) in enumerate(cases.items()):
        folder = tmp_path / f"c{k}"
        shutil.copytree(made, folder)
        corrupt(folder)
        before = files(folder)
        result = play("--resume", str(folder), "--headless")
        problem = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problem = f"exception {result.exception!r}"
        elif result.exit_code not in (0, 2):
            problem = f"exit {result.exit_code}: {result.output[-300:]}"
        elif "internal error" in result.output or "Traceback" in result.output:
            problem = result.output[-300:]
        elif result.exit_code == 2:
            refused.append(name)
            if not LOCATED.search(result.stderr):
                problem = f"not located: {result.stderr}"
            elif files(folder) != before:
                problem = "a refused resume changed the folder"
        if problem:
            failures.append(f"{name}: {problem}")
        if os.environ.get("ABUSE_DEBUG"):
            print(name, result.exit_code, result.stderr.strip()[-160:])
    assert not failures, "\n".join(failures)
    harmless = {"session.json scenario unknown key", "session.json turns is one"}
    assert set(CORRUPTIONS) - harmless <= set(refused), set(CORRUPTIONS) - set(refused)


# --- 5. batch folders ------------------------------------------------------------------------

BATCH = ["batch", "baseline", "--runs", "40", "--jobs", "1", "--chunk-size", "10"]


def batch(out: Path, *more: str):
    return runner.invoke(app, [*BATCH, "--out", str(out), *more])


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("batch") / "b"
    result = batch(out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory) -> Path:
    """A batch stopped after two of its four chunks (as by Ctrl-C)."""
    from tripwire.batch.runner import run_batch

    out = tmp_path_factory.mktemp("cut") / "b"

    def progress(done: int, total: int) -> None:
        if done >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch("baseline", 40, jobs=1, chunk_size=10, out=out, progress=progress, plots=False)
    assert len(list((out / "parts").glob("runs-*.parquet"))) == 2
    return out


def _other_table(path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(path).metadata.num_rows
    pq.write_table(pa.table({"run": list(range(rows))}), path)


def _edit_json(name: str, **changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        for key, value in changes.items():
            if value is ...:
                del data[key]
            else:
                data[key] = value
        (folder / name).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    return edit


def _first_outcome(**changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        next(iter(data["outcomes"].values())).update(changes)
        (folder / "summary.json").write_text(json.dumps(data), encoding="utf-8")

    return edit


def _make_any_dir(name: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).mkdir()

    return edit


BATCH_CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "summary garbage": _write("summary.json", b"\x00garbage"),
    "summary a list": _write("summary.json", b"[]\n"),
    "summary empty object": _write("summary.json", b"{}\n"),
    "summary runs is text": _edit_json("summary.json", runs="40"),
    "summary turns is text": _edit_json("summary.json", turns="x"),
    "summary title is a number": _edit_json("summary.json", title=5),
    "summary outcomes a list": _edit_json("summary.json", outcomes=[]),
    "summary outcome a number": _edit_json("summary.json", outcomes={"x": 1}),
    "summary outcome probability text": _first_outcome(probability="high"),
    "summary outcome ci95 short": _first_outcome(ci95=[0.1]),
    "summary outcome no title": _first_outcome(title=None),
    "summary triggers a list": _edit_json("summary.json", triggers=[]),
    "summary trigger share text": _edit_json(
        "summary.json", triggers={"t": {"share_of_runs": "x", "runs_fired": 1}}
    ),
    "summary fans a number": _edit_json("summary.json", fans={"world.tension": 3}),
    "summary fans lists unequal": _edit_json(
        "summary.json", fans={"world.tension": {"turn": [0, 1], "median": [1]}}
    ),
    "summary sweeps text": _edit_json("summary.json", sweeps="x"),
    "summary points a number": _edit_json("summary.json", points=3),
    "summary sensitivity text": _edit_json("summary.json", sensitivity="x"),
    "summary combinations text": _edit_json("summary.json", combinations="x"),
    "summary peak_rung a list": _edit_json("summary.json", peak_rung=[1]),
    "summary sets a list": _edit_json("summary.json", sets=[1]),
    "summary is a directory": _make_any_dir("summary.json"),
    "summary missing": lambda f: (f / "summary.json").unlink(),
    "runs garbage": _write("runs.parquet", b"PAR1 garbage PAR1"),
    "runs empty": _write("runs.parquet", b""),
    "runs cut short": lambda f: (f / "runs.parquet").write_bytes(
        (f / "runs.parquet").read_bytes()[:3000]
    ),
    "runs another table": lambda f: _other_table(f / "runs.parquet"),
    "runs is a directory": _make_any_dir("runs.parquet"),
    "runs missing": lambda f: (f / "runs.parquet").unlink(),
    "manifest garbage": _write("batch.json", b"\x00garbage"),
    "manifest a list": _write("batch.json", b"[1]\n"),
    "manifest empty object": _write("batch.json", b"{}\n"),
    "manifest runs text": _edit_json("batch.json", runs="40"),
    "manifest chunk_size text": _edit_json("batch.json", chunk_size="x"),
    "manifest chunk_size zero": _edit_json("batch.json", chunk_size=0),
    "manifest chunk_size huge": _edit_json("batch.json", chunk_size=10**12),
    "manifest seed null": _edit_json("batch.json", seed=None),
    "manifest sweeps text": _edit_json("batch.json", sweeps="x"),
    "manifest kind": _edit_json("batch.json", kind="x"),
    "manifest no kind": _edit_json("batch.json", kind=...),
    "manifest is a directory": _make_any_dir("batch.json"),
    "manifest missing": lambda f: (f / "batch.json").unlink(),
    "plot garbage": _write("outcomes.png", b"not a png"),
}


def _clean_run(result) -> str | None:
    """Why a command's result breaks the promise (None: it keeps it)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"exception {result.exception!r}"
    if result.exit_code not in (0, 2):
        return f"exit {result.exit_code}: {result.output[-300:]}"
    if "internal error" in result.output or "Traceback" in result.output:
        return result.output[-300:]
    if result.exit_code == 2 and not LOCATED.search(result.stderr):
        return f"not located: {result.stderr}"
    return None


def test_corrupted_batch_folders_resume_or_are_refused_cleanly(finished, tmp_path):
    """`tripwire batch ... --resume` and `tripwire report DIR` on a damaged finished batch:
    exit 0 (the damage is rebuilt from what is left: a summary from runs.parquet, runs from
    a replay) or exit 2 with a located error and the folder as it was."""
    summary = (finished / "summary.json").read_bytes()
    failures = []
    for k, (name, corrupt) in enumerate(BATCH_CORRUPTIONS.items()):
        folder = tmp_path / f"c{k}"
        shutil.copytree(finished, folder)
        corrupt(folder)
        before = files(folder)
        report = runner.invoke(app, ["report", str(folder), "--out", str(tmp_path / f"r{k}.html")])
        problem = _clean_run(report)
        if problem is None and report.exit_code == 2 and files(folder) != before:
            problem = "a refused report changed the folder"
        damaged = name.startswith(("summary", "runs")) and "missing" not in name
        if problem is None and report.exit_code == 0 and damaged:
            problem = "a damaged batch was reported as if it were sound"
        if problem is None:
            result = batch(folder, "--resume")
            problem = _clean_run(result)
            if problem is None and result.exit_code == 2 and files(folder) != before:
                problem = "a refused resume changed the folder"
            if problem is None and result.exit_code == 0:
                if (folder / "summary.json").read_bytes() != summary:
                    problem = "the resumed batch has another summary"
                elif list(folder.glob(".*.tmp")) or (folder / "parts").exists():
                    problem = "temporary files were left"
            if os.environ.get("ABUSE_DEBUG"):
                print(name, report.exit_code, result.exit_code, result.stderr.strip()[-150:])
        if problem:
            failures.append(f"{name}: {problem}")
    assert not failures, "\n".join(failures)


def _part(folder: Path, chunk: int) -> Path:
    return folder / "parts" / f"runs-p0000-c{chunk:06d}.parquet"


PART_CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "part garbage": lambda f: _part(f, 1).write_bytes(b"PAR1 garbage PAR1"),
    "part empty": lambda f: _part(f, 1).write_bytes(b""),
    "part cut short": lambda f: _part(f, 1).write_bytes(_part(f, 1).read_bytes()[:2000]),
    "part of another chunk": lambda f: shutil.copy(_part(f, 0), _part(f, 1)),
    "part another table": lambda f: _other_table(_part(f, 1)),
    "part is a directory": lambda f: (_part(f, 1).unlink(), _part(f, 1).mkdir()),
    "part out of range": lambda f: shutil.copy(_part(f, 0), _part(f, 7)),
    "stale part temporary": _write("parts/.runs-p0000-c000002.parquet.tmp", b"half"),
    "stale summary temporary": _write(".summary.json.abc123.tmp", b"half"),
    "stale runs temporary": _write(".runs.parquet.tmp", b"half"),
    "parts is a file": lambda f: (shutil.rmtree(f / "parts"), (f / "parts").write_bytes(b"x")),
}


def test_damaged_parts_are_replayed_and_temporaries_removed(finished, interrupted, tmp_path):
    """A resumable batch with a damaged part replays that chunk; stale temporaries are
    removed; the result is the uninterrupted batch's summary."""
    summary = (finished / "summary.json").read_bytes()
    failures = []
    for k, (name, corrupt) in enumerate(PART_CORRUPTIONS.items()):
        folder = tmp_path / f"p{k}"
        shutil.copytree(interrupted, folder)
        corrupt(folder)
        result = batch(folder, "--resume")
        problem = _clean_run(result)
        if problem is None and result.exit_code != 0:
            problem = f"refused: {result.stderr}"
        elif problem is None and (folder / "summary.json").read_bytes() != summary:
            problem = "another summary"
        elif problem is None and (list(folder.rglob(".*.tmp")) or (folder / "parts").exists()):
            problem = f"temporaries left: {list(folder.rglob('.*'))}"
        if problem:
            failures.append(f"{name}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("resume", [True, False])
def test_a_batch_killed_while_writing_its_manifest_starts_afresh(finished, tmp_path, resume):
    """kill -9 while batch.json is first written leaves only its temporary file: the
    folder holds nothing but Tripwire's own temporaries, so the batch starts there."""
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / ".batch.json.k2j4x9.tmp").write_text('{"kind": "tripwire-ba')
    result = batch(folder, *(["--resume"] if resume else []))
    assert result.exit_code == 0, result.output
    assert (folder / "summary.json").read_bytes() == (finished / "summary.json").read_bytes()
    assert not list(folder.glob(".*.tmp"))


def test_a_folder_with_other_hidden_files_is_still_refused(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / ".notes.tmp").write_text("mine")
    before = files(folder)
    result = batch(folder, "--resume")
    assert result.exit_code == 2 and "holds no Tripwire batch" in result.stderr
    assert files(folder) == before
