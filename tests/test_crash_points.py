"""kill -9 at any write resumes exactly.

A scripted headless exercise and a small batch are killed at their fsync, rename and link
calls in turn (``os._exit`` just before the call, as a power cut or ``kill -9`` would leave
things), then resumed the documented way (``play --resume DIR --script ... --headless``,
``batch ... --resume``); the final ``log.jsonl``, or ``runs.parquet`` and ``summary.json``,
must be byte-identical to those of a run never stopped.

Each run is a child forked from this process (the imports are paid once): the child counts
``os.fsync``, ``os.replace``, ``os.rename`` and ``os.link`` calls (``Path.replace`` goes
through ``os.replace``) and exits on the N-th. When there are more points than the bound,
evenly spaced ones are taken, always with the first and the last.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded:DeprecationWarning"
)

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "examples" / "missile_crisis_2_exercise.yaml"
KILLED = 137
# per scenario: at most this many kill points (about 60 s for both on 2 cores); set
# TRIPWIRE_TEST_CRASH_POINTS=100 to kill at every one (34 in the exercise, 21 in the batch)
POINTS = int(os.environ.get("TRIPWIRE_TEST_CRASH_POINTS", "14"))
HOOKED = ("fsync", "replace", "rename", "link")


def _run(args: list[str], cwd: Path, crash_at: int = 0) -> tuple[int, int, str]:
    """Run ``tripwire ARGS`` in a forked child; (exit status, points passed, its output).

    With ``crash_at`` = N the child dies (``os._exit``) just before its N-th hooked call.
    """
    out = cwd / ".child-output"
    count = cwd / ".child-count"
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(cwd)
            passed = [0]

            def hook(real):
                def inner(*a, **k):
                    passed[0] += 1
                    if passed[0] == crash_at:
                        os._exit(KILLED)
                    return real(*a, **k)

                return inner

            for name in HOOKED:
                setattr(os, name, hook(getattr(os, name)))
            from tripwire.cli import main

            sys.argv = ["tripwire", *args]
            try:
                main()
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            for name in HOOKED:  # the count file itself is written plainly
                setattr(os, name, getattr(os, name).__closure__[0].cell_contents)
            Path(count).write_text(str(passed[0]))
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    passed = int(count.read_text()) if code != KILLED and count.exists() else -1
    count.unlink(missing_ok=True)
    return code, passed, out.read_text(encoding="utf-8", errors="replace")


def _spread(total: int, bound: int = POINTS) -> list[int]:
    """Up to ``bound`` points of 1..total, evenly spaced, the first and the last included."""
    if total <= bound:
        return list(range(1, total + 1))
    return sorted({1 + round(k * (total - 1) / (bound - 1)) for k in range(bound)})


@pytest.fixture(autouse=True)
def _imports():
    """Import once in this process what every child would otherwise import again."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    import pyarrow.parquet  # noqa: F401

    import tripwire.batch.runner
    import tripwire.cli
    import tripwire.session.play  # noqa: F401


PLAY = ["play", "missile_crisis_2", "--human", "USA,KOR", "--seed", "7"]
PLAY += ["--script", str(SCRIPT), "--headless", "--session", "s"]
RESUME = ["play", "--resume", "s", "--script", str(SCRIPT), "--headless"]


@pytest.mark.slow
def test_a_scripted_exercise_killed_at_any_write_resumes_to_the_same_log(tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    code, total, output = _run(PLAY, clean)
    assert code == 0, output
    expected = (clean / "s" / "log.jsonl").read_bytes()
    assert total > 10, total
    failures = []
    for point in _spread(total):
        here = tmp_path / f"kill{point}"
        here.mkdir()
        code, _, output = _run(PLAY, here, crash_at=point)
        assert code == KILLED, (point, output)
        if (here / "s" / "session.json").exists():
            code, _, output = _run(RESUME, here)
        else:  # killed before the session existed: the same command starts it afresh
            code, _, output = _run(PLAY, here)
        log = here / "s" / "log.jsonl"
        if code != 0 or not log.exists() or log.read_bytes() != expected:
            failures.append((point, code, output[-600:]))
    assert not failures, failures


BATCH = ["batch", "baseline", "--runs", "300", "--chunk-size", "50", "--seed", "3", "--out", "b"]


@pytest.mark.slow
def test_a_batch_killed_at_any_write_resumes_to_the_same_results(tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    code, total, output = _run(BATCH, clean)
    assert code == 0, output
    expected = {n: (clean / "b" / n).read_bytes() for n in ("runs.parquet", "summary.json")}
    assert total > 5, total
    failures = []
    for point in _spread(total):
        here = tmp_path / f"kill{point}"
        here.mkdir()
        code, _, output = _run(BATCH, here, crash_at=point)
        assert code == KILLED, (point, output)
        code, _, output = _run([*BATCH, "--resume"], here)
        got = {n: (here / "b" / n).read_bytes() for n in expected if (here / "b" / n).exists()}
        if code != 0 or got != expected:
            failures.append((point, code, output[-600:]))
    assert not failures, failures
