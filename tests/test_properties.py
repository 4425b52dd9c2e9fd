"""Properties that must hold for every seed, every scenario tweak and every input text.

* (a) no state variable ever leaves its declared range, and the rung stays on Kahn's ladder;
* (b) a perturbed scenario either loads and plays within range, or is refused with
  diagnostics located in the file;
* (c) whatever bytes a scenario file holds, loading it gives a scenario or a located
  ScenarioError, never another exception;
* (d) the same seed gives the same log, byte for byte (and collecting statistics or reading
  the log back does not change it).

Targeted properties pin down inputs that used to, or still do, crash the loader: any
`extends:` reference, and integers too large for a float in every numeric field.

The Hypothesis profile (conftest.py) is deterministic and has no deadline; example counts are
kept small so that the file runs in well under a minute on a two-core machine.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from tripwire.catalog import load_catalog
from tripwire.errors import ScenarioError
from tripwire.logfile import parse_log
from tripwire.scenario.loader import bundled_scenarios, load_scenario
from tripwire.scenario.schema import Scenario
from tripwire.sim.events import dumps_log
from tripwire.sim.model import CrisisModel
from tripwire.sim.rules import Rules, compile_rules

BUNDLED = (
    "baseline",
    "enhanced_tech_alliance",
    "missile_crisis_2",
    "sanctions_collapse",
    "china_mediation_backfires",
)
ACTORS = ("RUS", "PRK", "CHN", "USA", "KOR", "JPN")
SEEDS = st.integers(0, 2**32 - 1)
LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


@functools.cache
def rules_of(name: str) -> Rules:
    """The compiled rules of a bundled scenario (compiled once per test session)."""
    return compile_rules(load_scenario(name))


BASE = rules_of("baseline")
VARIABLES = tuple(
    (name, float(lo), float(hi))
    for name, lo, hi in zip(BASE.var_names, BASE.lo, BASE.hi, strict=True)
)
VAR_NAMES = tuple(name for name, _, _ in VARIABLES)
CATALOG_TRIGGERS = tuple(t.id for t in BASE.triggers)
CATALOG_DYNAMICS = tuple(d.id for d in load_catalog().dynamics)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One folder for the scenario files the properties write (rewritten per example)."""
    return tmp_path_factory.mktemp("properties")


def assert_in_range(rules: Rules, log: list[dict[str, Any]], turns: int) -> None:
    """Every snapshot: every shown variable within [min, max], rung an integer 1..44."""
    bounds = {
        name: (lo, hi) for name, lo, hi in zip(rules.var_names, rules.lo, rules.hi, strict=True)
    }
    shown = {name for name in rules.var_names if not name.startswith("param.")}
    snapshots = [r for r in log if r["type"] == "turn"]
    assert [s["turn"] for s in snapshots] == list(range(turns + 1))
    for snap in snapshots:
        assert set(snap["state"]) == shown
        for name, value in snap["state"].items():
            lo, hi = bounds[name]
            assert math.isfinite(value), (snap["turn"], name, value)
            assert lo <= value <= hi, f"turn {snap['turn']}: {name} = {value} not in [{lo}, {hi}]"
        rung = snap["rung"]
        assert isinstance(rung, int) and not isinstance(rung, bool), rung
        assert 1 <= rung <= 44, (snap["turn"], rung)


def assert_located(err: ScenarioError, path: Path, text: str | None = None) -> None:
    """Every diagnostic names this file, a line and column >= 1, and a message."""
    assert err.diagnostics, "a ScenarioError must carry at least one diagnostic"
    max_line = None if text is None else 2 + sum(text.count(b) for b in LINE_BREAKS)
    for d in err.diagnostics:
        loc = d.location
        assert Path(loc.path).resolve() == path.resolve(), d.format()
        assert isinstance(loc.line, int) and loc.line >= 1, d.format()
        assert isinstance(loc.column, int) and loc.column >= 1, d.format()
        assert d.message.strip(), d.format()
        if max_line is not None:
            assert loc.line <= max_line, d.format()
        assert d.format().startswith(f"{loc.path}:{loc.line}:{loc.column}: error: ")


def load_or_located(path: Path, text: str | None = None) -> Scenario | None:
    """Load a file; on ScenarioError check its diagnostics and return None."""
    try:
        scenario = load_scenario(path)
    except ScenarioError as err:
        event("refused")
        assert_located(err, path, text)
        return None
    event("loaded")
    return scenario


# --- (a) every variable stays in its range ------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
@settings(max_examples=30)
@given(seed=SEEDS)
def test_state_stays_within_declared_ranges(name: str, seed: int) -> None:
    """For any seed, every variable of every turn snapshot lies in its declared [min, max]."""
    rules = rules_of(name)
    model = CrisisModel(name, rng=seed, collect=False).run()
    assert_in_range(rules, model.log, rules.turns)
    for i, value in enumerate(model.state.tolist()):
        assert rules.lo[i] <= value <= rules.hi[i], (rules.var_names[i], value)


def test_bundled_scenarios_are_the_five_known_ones() -> None:
    """The properties cover every bundled scenario (a new one must be added to BUNDLED)."""
    assert set(bundled_scenarios()) == set(BUNDLED)


# --- (b) perturbed scenarios: load and stay in range, or a located refusal ----------------


def _outside(lo: float, hi: float) -> st.SearchStrategy[float]:
    span = max(hi - lo, 1.0)
    return st.one_of(
        st.floats(hi, hi + span, exclude_min=True),
        st.floats(lo - span, lo, exclude_max=True),
    )


@st.composite
def state_value(draw, lo: float, hi: float) -> tuple[float, bool]:
    """A starting value and whether it is inside the variable's range."""
    if draw(st.integers(0, 9)) == 0:
        return draw(_outside(lo, hi)), False
    if draw(st.booleans()) and math.floor(hi) >= math.ceil(lo):
        return draw(st.integers(math.ceil(lo), math.floor(hi))), True
    return draw(st.floats(lo, hi)), True


@st.composite
def actor_override(draw) -> tuple[dict[str, Any], bool]:
    """Overrides of risk tolerance, action points and noise, and whether they are valid."""
    out: dict[str, Any] = {}
    valid = True
    bad = draw(st.integers(0, 9)) == 0
    if draw(st.booleans()):
        if bad:
            out["risk_tolerance"] = draw(
                st.floats(1, 2, exclude_min=True) | st.floats(-1, 0, exclude_max=True)
            )
            valid = False
        else:
            out["risk_tolerance"] = draw(st.floats(0, 1))
    if draw(st.booleans()):
        if bad and valid:
            out["action_points"] = draw(st.sampled_from([-1, 0, 5, 9]))
            valid = False
        else:
            out["action_points"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        out["noise"] = draw(st.floats(0, 10))
    return out, valid


_NUMBER = st.floats(-100, 2000).map(lambda x: round(x, 3))
_VAR = st.sampled_from(VAR_NAMES)
_ATOM = st.one_of(
    st.just("true"),
    st.builds(
        "{} {} {}".format, _VAR, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), _NUMBER
    ),
    st.integers(1, 6).map("turn() >= {}".format),
    st.sampled_from(ACTORS).map("count('{}', last=2) >= 1".format),
    st.builds("{} / (turn() - 1) > {}".format, _VAR, _NUMBER),  # divides by zero on turn 1
    _VAR.map("{0} ** 4 * {0} ** 4 - start({0}) > 1".format),
    st.builds("max({}, {}) - min({}, 0) >= 0".format, _VAR, _VAR, _VAR),
)
CONDITIONS = st.lists(_ATOM, min_size=1, max_size=3).flatmap(
    lambda atoms: st.sampled_from([" and ", " or "]).map(lambda op: op.join(atoms))
)


@st.composite
def effects(draw) -> tuple[dict[str, float], bool]:
    """Random changes of random variables, and whether every change is allowed (|d| <= 1e6)."""
    out: dict[str, float] = {}
    valid = True
    for name in draw(st.lists(_VAR, unique=True, max_size=4)):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            out[name] = draw(st.floats(1e6, 1e12, exclude_min=True)) * draw(
                st.sampled_from([1, -1])
            )
            valid = False
        elif choice == 1:
            out[name] = draw(st.floats(-1e6, 1e6))
        else:
            out[name] = draw(st.floats(-60, 60))
    return out, valid


@st.composite
def trigger(draw, ident: str) -> tuple[dict[str, Any], bool]:
    """An extra risk trigger with a random condition and random effects."""
    changes, valid = draw(effects())
    entry: dict[str, Any] = {"id": ident, "text": "A generated trigger fires."}
    entry["when"] = draw(CONDITIONS)
    entry["effects"] = changes
    if draw(st.booleans()):
        entry["cooldown"] = draw(st.integers(0, 5))
    if draw(st.booleans()):
        entry["once"] = draw(st.booleans())
    return entry, valid


_BIG = "((1000000000 ** 4) ** 4) ** 4"  # overflows to inf when evaluated
RATES = st.one_of(
    st.floats(-50, 50).map(lambda x: repr(round(x, 4))),
    st.builds("{} * {}".format, _VAR, st.floats(-1, 1).map(lambda x: repr(round(x, 4)))),
    st.builds("({} - {}) / 10".format, _VAR, _VAR),
    _VAR.map("1 / ({0} - start({0}))".format),  # divides by zero at the start
    _VAR.map((_BIG + " * {0} - " + _BIG).format),  # inf - inf or inf * 0: nan
    _VAR.map(("-" + _BIG + " * ({0} + 1)").format),  # -inf
    st.builds("max({}, {}) ** 3 / 1000".format, _VAR, _VAR),
)


@st.composite
def dynamics_term(draw, ident: str) -> dict[str, Any]:
    """An extra (or replacing) dynamics term with a random rate on a random variable."""
    return {"id": ident, "var": draw(_VAR), "rate": draw(RATES)}


@st.composite
def perturbed_scenario(draw) -> tuple[dict[str, Any], bool]:
    """A scenario extending a bundled one with random tweaks, and whether it should load.

    Tweaks: starting values (sometimes out of range), actor overrides (sometimes invalid),
    extra or replacing triggers with random effects, and extra or replacing dynamics terms
    whose rates may divide by zero or overflow to inf or nan.
    """
    valid = True
    doc: dict[str, Any] = {
        "schema_version": 1,
        "id": "perturbed",
        "title": "Perturbed",
        "description": "Random changes to a bundled scenario.",
        "extends": draw(st.sampled_from(BUNDLED)),
        "turns": 6,
        "start": "2026-01",
    }
    state: dict[str, Any] = {}
    for i in draw(st.lists(st.integers(0, len(VARIABLES) - 1), unique=True, max_size=6)):
        name, lo, hi = VARIABLES[i]
        value, ok = draw(state_value(lo, hi))
        state[name] = value
        valid &= ok
    if state:
        doc["state"] = state
    actors: dict[str, Any] = {}
    for code in draw(st.lists(st.sampled_from(ACTORS), unique=True, max_size=3)):
        override, ok = draw(actor_override())
        actors[code] = override
        valid &= ok
    if actors:
        doc["actors"] = actors
    ids = draw(
        st.lists(
            st.sampled_from(("extra_a", "extra_b", "extra_c", *CATALOG_TRIGGERS)),
            unique=True,
            max_size=3,
        )
    )
    triggers = []
    for ident in ids:
        entry, ok = draw(trigger(ident))
        triggers.append(entry)
        valid &= ok
    if triggers:
        doc["triggers"] = triggers
    dynamics_ids = draw(
        st.lists(
            st.sampled_from(("extra_drift", "extra_shock", *CATALOG_DYNAMICS[:8])),
            unique=True,
            max_size=2,
        )
    )
    if dynamics_ids:
        doc["dynamics"] = [draw(dynamics_term(ident)) for ident in dynamics_ids]
    return doc, valid


@settings(max_examples=80)
@given(case=perturbed_scenario(), seed=SEEDS)
def test_perturbed_scenarios_load_and_stay_in_range_or_fail_located(
    workdir: Path, case: tuple[dict[str, Any], bool], seed: int
) -> None:
    """A tweaked scenario plays 6 turns within range, or is refused with located errors."""
    doc, valid = case
    path = workdir / "perturbed.yaml"
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    try:
        scenario = load_scenario(path)
    except ScenarioError as err:
        event("refused")
        assert_located(err, path, text)
        assert not valid, "a scenario with every value in range was refused:\n" + str(err)
        return
    event("loaded and played")
    assert valid, "a scenario with a value out of range was accepted:\n" + text
    rules = compile_rules(scenario)
    model = CrisisModel(rules, rng=seed, collect=False).run()
    assert model.turn == 6
    assert_in_range(rules, model.log, 6)
    for i, value in enumerate(model.state.tolist()):
        assert math.isfinite(value)
        assert rules.lo[i] <= value <= rules.hi[i], (rules.var_names[i], value)


# --- (c) any text: a scenario or a located ScenarioError, nothing else --------------------

TOKENS = (
    ":",
    ": ",
    "-",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!!str ",
    "!!python/object/apply:os.system ",
    "!local ",
    "'",
    '"',
    "\n",
    "\n  ",
    "\n    ",
    "\n- ",
    "\t",
    "#",
    "? ",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "<<: *a",
    "~",
    "null",
    "yes",
    "no",
    "0x1F",
    "0o17",
    "010",
    "1e400",
    "99999999999999999999",
    ".nan",
    "-.inf",
    "12",
    "-3.5",
    "true",
    "schema_version",
    "id",
    "title",
    "turns",
    "start",
    "state",
    "actors",
    "triggers",
    "injects",
    "when",
    "effects",
    "variables",
    "world.tension",
    "PRK.icbm",
    "PRK",
    "2026-01",
    '"world.tension > 60"',
    "\"count('PRK', last=3) >= 2\"",
    "\"__import__('os')\"",
    "\\",
    "\x00",
    "\ufeff",
    "é",
    "😀",
    "\r\n",
    "\u2028",
)
TOKEN_TEXT = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)

SCENARIO_PREFIX = """\
schema_version: 1
id: fuzzed
title: Fuzzed
description: A valid start followed by generated text.
extends: baseline
turns: 3
start: 2026-01
"""
ANY_TEXT = st.one_of(
    st.text(),
    st.binary().map(lambda b: b.decode("utf-8", errors="replace")),
    TOKEN_TEXT,
    TOKEN_TEXT.map(SCENARIO_PREFIX.__add__),
    st.text().map(SCENARIO_PREFIX.__add__),
)


@settings(max_examples=300)
@given(text=ANY_TEXT)
@example(text="")
@example(text="a: &a [*a]\n")
@example(text=SCENARIO_PREFIX + "state: {world.tension: 1e400}\n")
@example(text=SCENARIO_PREFIX + "triggers:\n  - {id: x, text: t, when: '9 ** 9 ** 9 > 1'}\n")
@example(text="[" * 5000)
@example(text="- " * 200 + "x")
def test_any_text_loads_or_fails_with_located_errors(workdir: Path, text: str) -> None:
    """Whatever a scenario file says, loading gives a scenario or located errors, no crash."""
    path = workdir / "fuzzed.yaml"
    # Lone surrogates cannot be UTF-8: written as-is they make the file invalid UTF-8.
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    result = load_or_located(path, text)
    assert result is None or isinstance(result, Scenario)


@settings(max_examples=100)
@given(data=st.binary(max_size=400))
@example(data=b"\xff\xfe\x00\x00")
@example(data=b"id: x\n\xc3\x28\n")
def test_any_bytes_load_or_fail_with_located_errors(workdir: Path, data: bytes) -> None:
    """Raw bytes (not UTF-8, NULs, BOMs) also give a scenario or located errors."""
    path = workdir / "raw.yaml"
    path.write_bytes(data)
    result = load_or_located(path)
    assert result is None or isinstance(result, Scenario)


_ACTION = (
    "actions:\n  - {{id: zz, name: Z, description: d, actors: [PRK], domain: military, "
    "cost: 1, cameo: '190', escalation: violent, rung: 5, source: s, success: {n}}}\n"
)
NUMBER_PLACES = {
    "effect": "triggers:\n  - {{id: a, text: t, when: 'true', effects: {{PRK.icbm: {n}}}}}\n",
    "risk_tolerance": "actors: {{PRK: {{risk_tolerance: {n}}}}}\n",
    "action_points": "actors: {{PRK: {{action_points: {n}}}}}\n",
    "cooldown": "triggers:\n  - {{id: a, text: t, when: 'true', cooldown: {n}}}\n",
    "condition": "triggers:\n  - {{id: a, text: t, when: 'PRK.icbm > {n}'}}\n",
    "variable_default": (
        "variables:\n  - {{name: world.zz, min: 0, max: 1, default: {n}, description: d}}\n"
    ),
    "state": "state: {{world.tension: {n}}}\n",
    "variable_bound": (
        "variables:\n  - {{name: world.zz, min: 0, max: {n}, default: 0, description: d}}\n"
    ),
    "dynamics_rate": "dynamics:\n  - {{id: zz, var: world.tension, rate: {n}}}\n",
    "action_success": _ACTION,
}


def _with_number(place: str, number: int) -> str:
    """A scenario text with ``number`` written at ``place`` (line 8, or line 6 for turns)."""
    if place == "turns":
        return SCENARIO_PREFIX.replace("turns: 3", f"turns: {number}")
    return SCENARIO_PREFIX + NUMBER_PLACES[place].format(n=number)


HUGE = st.integers(min_value=2**1024, max_value=10**600).flatmap(lambda n: st.sampled_from([n, -n]))


@pytest.mark.parametrize(
    "place",
    [
        "turns",
        "effect",
        "risk_tolerance",
        "action_points",
        "cooldown",
        "condition",
        "variable_default",
        "state",
        "variable_bound",
        "dynamics_rate",
        "action_success",
    ],
)
@settings(max_examples=5)
@given(number=HUGE)
@example(number=10**400)
def test_huge_integers_are_located_errors(workdir: Path, place: str, number: int) -> None:
    """A 300+ digit integer anywhere in a scenario is a located error, not a crash."""
    path = workdir / f"huge_{place}.yaml"
    text = _with_number(place, number)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert_located(info.value, path, text)
    line = 6 if place == "turns" else 8
    assert any(d.location.line >= line for d in info.value.diagnostics)


@settings(max_examples=30)
@given(ref=st.text(max_size=40).filter(lambda s: "/" not in s))
@example(ref="a\x00b/c")
@example(ref="x\x00.yaml")
@example(ref="..")
@example(ref="child.yaml")
@example(ref="missing.yaml")
def test_any_extends_reference_loads_or_fails_located(workdir: Path, ref: str) -> None:
    """Whatever `extends:` names, loading gives a scenario or located errors, no crash."""
    path = workdir / "child.yaml"
    text = SCENARIO_PREFIX.replace("extends: baseline", f"extends: {json.dumps(ref)}")
    path.write_text(text, encoding="utf-8")
    load_or_located(path, text)


@settings(max_examples=5)
@given(ref=st.integers(256, 2000).map("b".__mul__))
@example(ref="a" * 300)
def test_overlong_extends_reference_fails_located(workdir: Path, ref: str) -> None:
    """`extends:` naming a file name too long for the file system is a located error."""
    path = workdir / "long_child.yaml"
    text = SCENARIO_PREFIX.replace("extends: baseline", f"extends: {ref}")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert_located(info.value, path, text)
    assert any(d.location.line == 5 for d in info.value.diagnostics)


# --- (d) same seed, same log --------------------------------------------------------------


@settings(max_examples=25)
@given(name=st.sampled_from(BUNDLED), seed=SEEDS)
def test_same_seed_gives_the_same_log(name: str, seed: int) -> None:
    """Two games of a scenario with the same seed produce byte-identical logs."""
    first = dumps_log(CrisisModel(name, rng=seed, collect=False).run().log)
    second = dumps_log(CrisisModel(name, rng=seed, collect=False).run().log)
    assert first == second
    assert f'"seed":{seed},' in first.splitlines()[0]


@settings(max_examples=15)
@given(name=st.sampled_from(BUNDLED), seed=SEEDS)
def test_collecting_statistics_does_not_change_the_game(name: str, seed: int) -> None:
    """The Mesa DataCollector observes the game without changing it (same log either way)."""
    plain = dumps_log(CrisisModel(name, rng=seed, collect=False).run().log)
    collected = CrisisModel(name, rng=seed, collect=True).run()
    assert dumps_log(collected.log) == plain
    frame = collected.datacollector.get_model_vars_dataframe()
    assert len(frame) == rules_of(name).turns + 1


@settings(max_examples=15)
@given(name=st.sampled_from(BUNDLED), seed=SEEDS)
def test_logs_read_back_to_the_same_text(name: str, seed: int) -> None:
    """A log parses back (parse_log) into records that serialise to the very same text."""
    text = dumps_log(CrisisModel(name, rng=seed, collect=False).run().log)
    records = parse_log(text, "game.jsonl")
    assert dumps_log(records) == text
    assert records[0]["type"] == "header" and records[-1]["type"] == "result"
