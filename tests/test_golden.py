"""Golden logs and determinism: the same scenario and seed give the same bytes.

The golden logs in tests/golden/ are regenerated only on purpose (``make golden``); a
difference here means the game played differently, which must be explained in the commit
that regenerates them.
"""

from __future__ import annotations

import pytest

from tests.golden_update import SEED, golden_path
from tripwire.logfile import parse_log
from tripwire.scenario.loader import bundled_scenarios
from tripwire.sim.events import dumps_log
from tripwire.sim.model import CrisisModel

SCENARIOS = list(bundled_scenarios())


def test_every_bundled_scenario_has_a_golden_log():
    """Each bundled scenario is pinned by a golden log (and no stale ones linger)."""
    expected = {golden_path(name).name for name in SCENARIOS}
    present = {p.name for p in golden_path("x").parent.glob("*.jsonl")}
    assert present == expected, "run `make golden` and commit tests/golden/"


@pytest.mark.parametrize("name", SCENARIOS)
def test_golden_log_unchanged(name):
    """Playing a bundled scenario with the golden seed reproduces its golden log byte for byte."""
    expected = golden_path(name).read_text(encoding="utf-8")
    actual = dumps_log(CrisisModel(name, rng=SEED, collect=False).run().log)
    if actual != expected:
        for n, (a, b) in enumerate(
            zip(actual.splitlines(), expected.splitlines(), strict=False), 1
        ):
            if a != b:
                hint = "run `make golden` if intended"
                pytest.fail(f"{name}: line {n} differs ({hint})\n+ {a[:300]}\n- {b[:300]}")
        pytest.fail(f"{name}: logs differ in length (run `make golden` if intended)")


@pytest.mark.parametrize("name", SCENARIOS)
def test_golden_log_is_a_valid_log(name):
    """The golden logs follow the log contract: header, per-turn events and snapshot, result."""
    records = parse_log(golden_path(name).read_text(encoding="utf-8"), str(golden_path(name)))
    header, result = records[0], records[-1]
    assert header["type"] == "header" and header["seed"] == SEED and header["scenario"] == name
    assert result["type"] == "result" and result["turns_played"] == header["turns"]
    turns = [r["turn"] for r in records if r["type"] == "turn"]
    assert turns == list(range(header["turns"] + 1))
    seqs: dict[int, list[int]] = {}
    for r in records:
        if r["type"] == "event":
            seqs.setdefault(r["turn"], []).append(r["seq"])
    assert all(s == list(range(len(s))) for s in seqs.values())


def test_same_seed_same_bytes_different_seed_different_game():
    """Two runs with the same seed are identical; another seed plays another game."""
    a = dumps_log(CrisisModel("missile_crisis_2", rng=11, collect=False).run().log)
    b = dumps_log(CrisisModel("missile_crisis_2", rng=11, collect=False).run().log)
    c = dumps_log(CrisisModel("missile_crisis_2", rng=12, collect=False).run().log)
    assert a == b
    assert a != c


def test_recording_and_collecting_do_not_change_the_game():
    """Lean runs (no log, no DataCollector) play exactly the same game as recorded ones."""
    full = CrisisModel("baseline", rng=3).run()
    lean = CrisisModel("baseline", rng=3, record=False, collect=False).run()
    assert (full.state == lean.state).all()
    assert full.reached == lean.reached
    assert full.trigger_counts == lean.trigger_counts


def test_no_wall_clock_in_the_log():
    """Logs carry no wall-clock time: nothing that looks like a timestamp of today."""
    text = dumps_log(CrisisModel("baseline", rng=1, collect=False).run().log)
    for token in ("timestamp", 'time"', "created", "T00:", 'Z"'):
        assert token not in text
