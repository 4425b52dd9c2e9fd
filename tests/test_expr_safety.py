"""The condition language is safe and correct.

(a) Hostile text is rejected by :func:`parse_expr` with a located :class:`ExprError`, and
nothing in it runs. (b) The same text in a scenario's trigger gives one located diagnostic per
trigger, and ``tripwire validate`` exits with status 2. (c) Accepted expressions compile to
functions that compute what the text says, with no builtins in reach.
"""

from __future__ import annotations

import builtins
import json
import math
import operator
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripwire.errors import ScenarioError
from tripwire.scenario.expr import (
    MAX_BRACKETS,
    MAX_LAST,
    Binding,
    Expr,
    ExprContext,
    ExprError,
    compile_group,
    parse_expr,
)
from tripwire.scenario.ir import Call, Num, Var, walk
from tripwire.scenario.loader import load_scenario

ACTORS = ("RUS", "PRK", "CHN", "USA", "KOR", "JPN")
# Real catalog names (src/tripwire/catalog/variables.yaml).
VARIABLES = frozenset(
    {
        "world.tension",
        "world.sanctions_enforcement",
        "PRK.icbm",
        "PRK.posture",
        "USA.posture",
        "rel.PRK_RUS",
        "rel.CHN_PRK",
    }
)
CTX = ExprContext(
    variables=VARIABLES,
    actors=ACTORS,
    tags={"missile_test"},
    actions={"icbm_test"},
    events={"t1"},
)
FUNCS = "count, fired, turn, start, rel, min, max, abs"
ONLY_FUNCS = f"only the functions {FUNCS} may be called"
POWERS = "powers must be a whole number from 0 to 4, like x ** 2"
TOO_LARGE = "number too large (limit 1e+09)"
TEXT_ONLY_IN_ARGS = "text is only allowed as an argument of count(), fired() or rel()"
LAST = f"last= must be a whole number of turns from 1 to {MAX_LAST}"


def _unknown_function(name: str, hint: str = "") -> str:
    return f"unknown function '{name}' (allowed: {FUNCS}){hint}"


# (id, source, exact message, offset of the offending node or None when not pinned)
HOSTILE: list[tuple[str, str, str, int | None]] = [
    ("import_os_system", "__import__('os').system('x')", ONLY_FUNCS, 0),
    ("subclasses_walk", "().__class__.__bases__[0].__subclasses__()", ONLY_FUNCS, 0),
    ("open_file", "open('/etc/passwd')", _unknown_function("open"), 0),
    ("eval", "eval('1')", _unknown_function("eval"), 0),
    ("exec", "exec('1')", _unknown_function("exec"), 0),
    ("getattr", "getattr(x, 'y')", _unknown_function("getattr"), 0),
    ("breakpoint", "breakpoint()", _unknown_function("breakpoint"), 0),
    ("globals", "globals()", _unknown_function("globals"), 0),
    (
        "call_after_valid_part",
        "world.tension > 1 and open('x') > 0",
        _unknown_function("open"),
        22,
    ),
    (
        "attribute_of_variable",
        "world.tension.__class__",
        "only variable names like 'PRK.icbm' may contain '.'",
        0,
    ),
    ("dunder_attribute", "world.__dict__", "names starting with '_' are not allowed", 0),
    (
        "dunder_builtins",
        "__builtins__",
        "names starting with '_' are not allowed: '__builtins__'",
        0,
    ),
    ("underscore_name", "_x > 1", "names starting with '_' are not allowed: '_x'", 0),
    (
        "underscore_name_later",
        "world.tension > _secret",
        "names starting with '_' are not allowed: '_secret'",
        16,
    ),
    (
        "huge_comprehension",
        "[x for x in range(10**9)]",
        "comprehensions are not allowed in conditions",
        0,
    ),
    (
        "generator",
        "max(x for x in range(10**9)) > 0",
        "max() takes 2 to 16 numbers",
        0,
    ),
    ("lambda", "lambda: 1", "lambdas are not allowed in conditions", 0),
    (
        "conditional_expression",
        "x if y else z",
        "conditional expressions ('x if y else z') are not allowed in conditions",
        0,
    ),
    ("walrus", "(y := 1)", "assignments (':=') are not allowed in conditions", 1),
    ("f_string", "f'{world.tension}' > 1", "f-strings are not allowed in conditions", 0),
    (
        "subscript",
        "world.tension[0] > 1",
        "subscripts ('x[...]') are not allowed in conditions",
        0,
    ),
    ("list", "[1] > 0", "lists are not allowed in conditions", 0),
    ("dict", "{1: 2}", "dictionaries are not allowed in conditions", 0),
    ("tuple", "(1, 2)", "tuples are not allowed in conditions", 0),
    ("await", "await x", "'await' expressions are not allowed in conditions", 0),
    ("huge_power_constant", "2 ** 10000 > 1", POWERS, 0),
    ("power_of_five", "world.tension ** 5 > 1", POWERS, 0),
    ("tower_of_powers", "9 ** 9 ** 9 > 1", POWERS, 0),
    ("power_by_variable", "2 ** world.tension > 1", POWERS, 0),
    ("fractional_power", "world.tension ** 0.5 > 1", POWERS, 0),
    ("power_400_digits", "10**400 > 1", POWERS, 0),
    ("literal_400_digits", "1" * 400 + " > 1", TOO_LARGE, 0),
    ("literal_just_above_limit", "1000000001 > 1", TOO_LARGE, 0),
    ("float_overflow_literal", "world.tension > 1e400", TOO_LARGE, 16),
    (
        "parentheses_200_deep",
        "(" * 200 + "1" + ")" * 200 + " > 1",
        f"brackets nested too deeply (more than {MAX_BRACKETS})",
        None,
    ),
    (
        "not_500_times",
        "not " * 500 + "true",
        "expression too long (more than 2000 characters)",
        0,
    ),
    (
        "not_400_times",
        "not " * 400 + "true",
        "expression nested too deeply (more than 100 levels)",
        None,
    ),
    (
        "long_sum",
        " + ".join(["world.tension"] * 120) + " > 0",
        "expression nested too deeply (more than 100 levels)",
        None,
    ),
    (
        "five_thousand_characters",
        "world.tension + " * 312 + "1 > 0" + " " * 8,
        "expression too long (more than 2000 characters)",
        0,
    ),
    ("incomplete", "1 +", "invalid syntax", 3),
    ("statement_after", "world.tension > 1; import os", "invalid syntax", 17),
    ("empty", "   ", "empty expression", 0),
    ("string_alone", "'abc'", TEXT_ONLY_IN_ARGS, 0),
    ("string_compared", "world.tension > 'x'", TEXT_ONLY_IN_ARGS, 16),
    (
        "count_bad_keyword",
        "count('PRK', tga='missile_test') >= 1",
        "count() has no argument 'tga' (it takes tag, action, last)",
        13,
    ),
    ("count_last_huge", "count('PRK', last=10**9) >= 1", LAST, 18),
    ("count_last_too_many", f"count('PRK', last={MAX_LAST + 1}) >= 1", LAST, 18),
    ("count_last_zero", "count('PRK', last=0) >= 1", LAST, 18),
    ("count_last_bool", "count('PRK', last=True) >= 1", LAST, 18),
    (
        "count_unquoted_actor",
        "count(PRK) > 0",
        "actor must be quoted text, like 'PRK'",
        6,
    ),
    (
        "count_tag_and_action",
        "count('PRK', tag='missile_test', action='icbm_test') > 0",
        "count() takes a tag or an action, not both",
        0,
    ),
    ("count_star_args", "count(*'PRK') > 0", "'*' and '**' arguments are not allowed", 0),
    ("rel_same_actor", "rel('RUS','RUS') > 0", "rel() needs two different actors", 0),
    (
        "rel_unknown_actor",
        "rel('RUS', 'XXX') > 0",
        "unknown actor 'XXX' (actors: CHN, JPN, KOR, PRK, RUS, USA)",
        11,
    ),
    (
        "fired_unknown",
        "fired('no_such_event') > 0",
        "unknown trigger or inject 'no_such_event' (triggers and injects: t1)",
        6,
    ),
    (
        "start_of_expression",
        "start(world.tension + 1) > 0",
        "start() takes one variable, like start(world.tension)",
        0,
    ),
    ("modulo", "world.tension % 2 > 0", "operator '%' is not supported", 0),
    ("floor_division", "world.tension // 2 > 0", "operator '//' is not supported", 0),
    ("bitwise_and", "world.tension & 1 > 0", "operator '&' is not supported", 0),
    ("bitwise_or", "world.tension | 1 > 0", "operator '|' is not supported", 0),
    ("bitwise_xor", "world.tension ^ 1 > 0", "operator '^' is not supported", 0),
    ("shift", "world.tension << 1 > 0", "operator '<<' is not supported", 0),
    ("invert", "~1 > 0", "operator '~' is not supported", 0),
    ("matmul", "world.tension @ 1 > 0", "operator '@' is not supported", 0),
    ("in", "1 in 2", "comparison 'in' is not allowed", 0),
    ("not_in", "1 not in 2", "comparison 'not in' is not allowed", 0),
    ("is", "world.tension is 1", "comparison 'is' is not allowed", 0),
    ("is_not", "world.tension is not 1", "comparison 'is not' is not allowed", 0),
    ("none", "None", "constant None is not allowed", 0),
    ("ellipsis", "... > 1", "constant Ellipsis is not allowed", 0),
    ("bytes", "b'x' > 1", "constant b'x' is not allowed", 0),
    ("complex", "1j > 1", "constant 1j is not allowed", 0),
    ("call_a_variable", "(world.tension)() > 0", ONLY_FUNCS, 0),
    ("function_without_call", "abs > 0", "'abs' is a function: write abs(...)", 0),
    (
        "self_outside_action",
        "self.posture > 1",
        "'self.' can only be used in an action's rules",
        0,
    ),
    (
        "unknown_variable",
        "world.tension > 1 and PRK.icmb > 1",
        "unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)",
        22,
    ),
    (
        "number_as_condition",
        "world.tension",
        "a condition must be true or false, not a number "
        "(add a comparison, like 'world.tension > 0')",
        0,
    ),
    (
        "bool_in_arithmetic",
        "true + 1 > 0",
        "the left side of '+' must be a number, not true or false",
        0,
    ),
    ("not_of_number", "not 1", "'not' must be true or false, not a number", 4),
]
HOSTILE_IDS = [c[0] for c in HOSTILE]


@pytest.fixture
def parse_watched(monkeypatch):
    """parse_expr with the dangerous builtins replaced by recorders while it runs.

    Returns ``(error, calls)``: the ExprError raised and every import or dangerous call made.
    """

    def parse(source: str) -> tuple[ExprError, list[tuple[str, str]]]:
        calls: list[tuple[str, str]] = []
        real_import = builtins.__import__

        def spy_import(name, *args, **kwargs):
            calls.append(("import", name))
            return real_import(name, *args, **kwargs)

        def recorder(what):
            def record(*args, **kwargs):
                calls.append((what, repr(args)))
                raise AssertionError(f"{what} was called")

            return record

        with monkeypatch.context() as m:
            # (not `compile`: ast.parse itself calls it to build the syntax tree)
            for name in ("open", "eval", "exec", "breakpoint"):
                m.setattr(builtins, name, recorder(name))
            m.setattr(os, "system", recorder("os.system"))
            m.setattr(builtins, "__import__", spy_import)  # last: setattr itself imports
            try:
                parse_expr(source, CTX)
            except ExprError as err:
                return err, calls
        raise AssertionError(f"accepted: {source!r}")

    return parse


@pytest.mark.parametrize(("source", "message", "offset"), [c[1:] for c in HOSTILE], ids=HOSTILE_IDS)
def test_hostile_expression_is_rejected_without_running(parse_watched, source, message, offset):
    """Dangerous or unsupported text is a located error, and none of it is executed."""
    err, calls = parse_watched(source)
    assert calls == []
    assert err.message == message
    assert str(err) == message
    if offset is not None:
        assert err.offset == offset
    assert 0 <= err.offset <= len(source)


def test_deep_brackets_point_at_a_bracket():
    """The bracket-depth error points at an opening bracket of the too-deep nest."""
    source = "(" * 200 + "1" + ")" * 200 + " > 1"
    with pytest.raises(ExprError) as info:
        parse_expr(source, CTX)
    assert info.value.offset == MAX_BRACKETS  # the first bracket past the limit
    assert source[info.value.offset] == "("


@pytest.mark.parametrize(
    "template",
    [
        "__import__('os').system('touch {p}')",
        "open('{p}', 'w') > 0",
        "count('PRK', tag=open('{p}', 'w')) > 0",
        "[open('{p}', 'w') for _ in '1']",
        "(lambda: open('{p}', 'w'))() > 0",
        "world.tension > 1 or exec(\"open('{p}', 'w')\")",
    ],
)
def test_rejected_text_has_no_side_effect(tmp_path, template):
    """Code smuggled into a condition never runs: the file it would create does not appear."""
    sentinel = tmp_path / "pwned"
    source = template.format(p=sentinel)
    with pytest.raises(ExprError):
        parse_expr(source, CTX)
    assert not sentinel.exists()


@pytest.mark.parametrize(
    "source",
    [
        "count('PRK', tag='missile_test', last=240) >= 2",
        "world.tension ** 4 > 0",
        "world.tension ** 0 == 1",
        "world.tension > 1e9 or world.tension < -1000000000",
        "(" * MAX_BRACKETS + "world.tension" + ")" * MAX_BRACKETS + " > 0",
        "count('any') > 0 and fired('t1', last=3) == 0",
        "rel('PRK', 'RUS') > rel('CHN', 'PRK')",
        "start(world.tension) < world.tension",
        "min(1, 2, 3) <= max(world.tension, 0) and abs(-1) == 1 and turn() >= 1",
        "not not true",
        "True and not False",
    ],
)
def test_expressions_at_the_limits_are_accepted(source):
    """The limits are not stricter than documented: values right at each limit still parse."""
    assert parse_expr(source, CTX).kind == "bool"


# --- (b) the same text in a scenario file ---------------------------------------------------

VALID = """\
schema_version: 1
id: test
title: Test
description: A test scenario.
turns: 6
start: 2026-01
triggers:
"""
IN_FILE = HOSTILE


def _scenario_with_triggers(sources: list[str]) -> tuple[str, list[int]]:
    """A scenario with one trigger per source; returns the text and each `when:` line."""
    lines = VALID.splitlines()
    when_lines = []
    for i, source in enumerate(sources):
        lines += [f"  - id: t{i}", "    text: T"]
        lines.append(f"    when: {json.dumps(source)}")
        when_lines.append(len(lines))
    return "\n".join(lines) + "\n", when_lines


def test_hostile_triggers_give_one_located_diagnostic_each(write_yaml):
    """Each bad condition in a file is reported once, on its trigger's `when:` line and column."""
    sources = [c[1] for c in IN_FILE]
    text, when_lines = _scenario_with_triggers(sources)
    path = write_yaml(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    diags = info.value.diagnostics
    missing = set(when_lines) - {d.location.line for d in diags}
    assert not missing, [sources[when_lines.index(m)] for m in missing]
    assert len(diags) == len(sources)
    by_line = {d.location.line: d for d in diags}
    assert sorted(by_line) == when_lines
    for i, (source, line) in enumerate(zip(sources, when_lines, strict=True)):
        d = by_line[line]
        assert Path(d.location.path).resolve() == path.resolve()
        with pytest.raises(ExprError) as direct:
            parse_expr(source, CTX)
        # the list of known names that follows an unknown one depends on the scenario
        alone = re.sub(r" \([a-z ]+s: [^)]*\)$", "", direct.value.message)
        assert d.message.startswith(f"triggers[{i}].when: {alone}"), d.message
        quoted = json.dumps(source)
        if len(quoted) == len(source) + 2:  # no escapes: the column maps straight on
            assert d.location.column == len('    when: "') + 1 + direct.value.offset


def test_validate_command_exits_2_with_one_line_per_bad_trigger(write_yaml):
    """`tripwire validate` prints PATH:LINE:COL: error: lines and exits with status 2."""
    from typer.testing import CliRunner

    from tripwire.cli import app

    sources = [
        "__import__('os').system('x')",
        "world.tension ** 5 > 1",
        "lambda: 1",
        "rel('RUS','RUS') > 0",
    ]
    text, when_lines = _scenario_with_triggers(sources)
    path = write_yaml(text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == len(sources)
    for line, when_line in zip(lines, when_lines, strict=True):
        file, line_no, column, rest = line.split(":", 3)
        assert Path(file).resolve() == path.resolve()
        assert int(line_no) == when_line
        assert int(column) >= len('    when: "') + 1
        assert rest.startswith(" error: triggers[")


# --- (c) compiled expressions compute what the text says ------------------------------------

COUNT_ACTORS = {a: i for i, a in enumerate(ACTORS)} | {"any": 6}
INDEX = {
    "world.tension": 0,
    "PRK.icbm": 1,
    "rel.PRK_RUS": 2,
    "USA.posture": 3,
    "rel.CHN_PRK": 4,
}
KEYS = {"*": 0, "tag:missile_test": 1, "action:icbm_test": 2}
INITIAL = {"world.tension": 42.0, "PRK.icbm": 3.0, "rel.PRK_RUS": 60.0, "USA.posture": 50.0}
BINDING = Binding(index=INDEX, actors=COUNT_ACTORS, keys=KEYS, events={"t1": 0}, initial=INITIAL)


class Counters:
    """Stub `count` and `fired` functions that record their calls."""

    def __init__(self, count_value: int = 0, fired_value: int = 0):
        self.count_value = count_value
        self.fired_value = fired_value
        self.calls: list[tuple] = []

    def count(self, actor: int, key: int, last: int) -> int:
        self.calls.append(("count", actor, key, last))
        return self.count_value

    def fired(self, event: int, last: int) -> int:
        self.calls.append(("fired", event, last))
        return self.fired_value


def run(
    source: str,
    state: dict[str, float] | None = None,
    kind: str = "bool",
    counters: Counters | None = None,
    turn: int = 1,
):
    """Parse, compile and evaluate one expression."""
    values = {"world.tension": 50.0, "PRK.icbm": 2.0, "rel.PRK_RUS": 60.0, "USA.posture": 40.0}
    values |= state or {}
    s = [0.0] * len(INDEX)
    for name, value in values.items():
        s[INDEX[name]] = float(value)
    counters = counters or Counters()
    fn = compile_group([(parse_expr(source, CTX, kind), BINDING)])
    (value,) = fn(s, counters.count, counters.fired, turn)
    return value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3 - 4 / 2", 5.0),
        ("(1 + 2) * 3", 9.0),
        ("2 * 3 ** 2", 18.0),
        ("-2 ** 2", -4.0),
        ("(-2) ** 2", 4.0),
        ("-world.tension + 10", -40.0),
        ("+world.tension", 50.0),
        ("10 - 4 - 3", 3.0),
        ("64 / 4 / 2", 8.0),
        ("world.tension / 0", 0.0),
        ("1 / (world.tension - world.tension)", 0.0),
        ("world.tension ** 0", 1.0),
        ("start(world.tension)", 42.0),
        ("start(world.tension) - world.tension", -8.0),
        ("turn() * 2", 14.0),
        ("min(world.tension, 3, 7)", 3.0),
        ("max(world.tension, PRK.icbm, 70)", 70.0),
        ("abs(PRK.icbm - world.tension)", 48.0),
        ("rel('PRK', 'RUS')", 60.0),
        ("rel('RUS', 'PRK') + 1", 61.0),
        ("1e9 * 0 + 0.5", 0.5),
    ],
)
def test_numeric_expressions_compute_the_written_value(source, expected):
    """Arithmetic follows the usual precedence; division by zero is 0; functions work."""
    value = run(source, kind="num", turn=7)
    assert value == expected
    assert isinstance(value, float | int)


@pytest.mark.parametrize(
    ("source", "tension", "expected"),
    [
        ("1 < world.tension < 10", 5, True),
        ("1 < world.tension < 10", 10, False),
        ("1 < world.tension < 10", 0, False),
        ("0 <= world.tension <= 100 != 5", 100, True),
        ("world.tension == 50", 50, True),
        ("world.tension != 50", 50, False),
        ("not world.tension > 5", 6, False),
        ("not world.tension > 5", 5, True),
        ("world.tension > 5 and world.tension < 7 or world.tension == 100", 100, True),
        ("world.tension > 5 and (world.tension < 7 or world.tension == 100)", 8, False),
        ("true", 0, True),
        ("false", 0, False),
        ("false or not false", 0, True),
        ("true and false", 0, False),
        ("True", 0, True),
    ],
)
def test_conditions_compute_the_written_truth(source, tension, expected):
    """Comparisons chain as in mathematics; `and` binds tighter than `or`; true/false work."""
    assert run(source, {"world.tension": tension}) is expected


def test_and_short_circuits():
    """`and` stops at the first false side: later counters are not asked."""
    counters = Counters(count_value=5, fired_value=0)
    assert run("fired('t1') > 0 and count('PRK') > 0", counters=counters) is False
    assert counters.calls == [("fired", 0, 1)]


def test_or_short_circuits():
    """`or` stops at the first true side."""
    counters = Counters(count_value=5)
    assert run("true or count('PRK') > 0", counters=counters) is True
    assert run("world.tension > 1 or count('PRK') > 0", counters=counters) is True
    assert counters.calls == []


def test_count_and_fired_arguments_are_mapped_to_numbers():
    """Actor codes, tags, actions, events and `last=` reach the counters as their numbers."""
    counters = Counters(count_value=2, fired_value=1)
    source = (
        "count('PRK', tag='missile_test', last=3) + count('any') "
        "+ count('USA', action='icbm_test', last=12) + count('CHN', 'missile_test') "
        "+ fired('t1', last=2)"
    )
    assert run(source, kind="num", counters=counters) == 9
    assert counters.calls == [
        ("count", COUNT_ACTORS["PRK"], KEYS["tag:missile_test"], 3),
        ("count", 6, KEYS["*"], 1),
        ("count", COUNT_ACTORS["USA"], KEYS["action:icbm_test"], 12),
        ("count", COUNT_ACTORS["CHN"], KEYS["tag:missile_test"], 1),
        ("fired", 0, 2),
    ]


def test_rel_maps_to_the_alphabetical_relations_variable():
    """rel('PRK','RUS') and rel('RUS','PRK') both read `rel.PRK_RUS`."""
    for source in ("rel('PRK', 'RUS')", "rel('RUS', 'PRK')"):
        expr = parse_expr(source, CTX, "num")
        assert expr.ir == Var("rel.PRK_RUS")
        assert expr.names == frozenset({"rel.PRK_RUS"})
    assert run("rel('PRK', 'CHN')", {}, kind="num") == 0.0  # index 4, unset in `run`


def test_huge_powers_saturate_instead_of_raising():
    """A power that overflows a float gives +/-infinity, not an exception mid-game."""
    big = " * ".join(["1e9"] * 20)  # 1e180
    assert run(f"({big}) ** 4", kind="num") == math.inf
    assert run(f"(-{big}) ** 3", kind="num") == -math.inf
    assert run(f"(-{big}) ** 4", kind="num") == math.inf


def test_group_returns_values_in_order():
    """Several rules compiled together return one value each, in the given order."""
    items = [
        (parse_expr("world.tension > 10", CTX), BINDING),
        (parse_expr("world.tension * 2", CTX, "num"), BINDING),
        (parse_expr("turn()", CTX, "num"), BINDING),
    ]
    fn = compile_group(items)
    state = [30.0, 0.0, 0.0, 0.0, 0.0]
    assert fn(state, Counters().count, Counters().fired, 4) == (True, 60.0, 4)


def test_compiled_function_has_no_builtins():
    """The generated code sees no builtins and names only the safe helpers."""
    fn = compile_group(
        [(parse_expr("min(world.tension, 1) / abs(PRK.icbm) ** 2", CTX, "num"), BINDING)]
    )
    assert fn.__globals__["__builtins__"] == {}
    assert set(fn.__code__.co_names) <= {"_min", "_max", "_abs", "_div", "_pow"}
    assert fn.__code__.co_varnames[:4] == ("s", "c", "f", "t")
    assert set(fn.__globals__) == {"__builtins__", "_min", "_max", "_abs", "_div", "_pow"}


def test_forged_intermediate_form_cannot_reach_builtins():
    """Even a hand-made IR naming a builtin fails with NameError: nothing to reach."""
    forged = Expr("forged", "num", Call("_import__", (Num(1.0),)))
    fn = compile_group([(forged, BINDING)])
    with pytest.raises(NameError):
        fn([0.0] * len(INDEX), Counters().count, Counters().fired, 1)


def test_each_compiled_group_gets_its_own_globals():
    """A compiled function cannot change the helpers another one uses."""
    a = compile_group([(parse_expr("abs(world.tension)", CTX, "num"), BINDING)])
    b = compile_group([(parse_expr("abs(world.tension)", CTX, "num"), BINDING)])
    a.__globals__["_abs"] = lambda _x: 999.0
    assert b([-3.0, 0.0, 0.0, 0.0, 0.0], Counters().count, Counters().fired, 1) == (3.0,)


# --- property: compiled result == a reference evaluation of the same tree -----------------

VARS = ("world.tension", "PRK.icbm")
NUM_LEAF = st.one_of(
    st.sampled_from(VARS).map(lambda v: ("var", v)),
    st.integers(0, 50).map(lambda n: ("num", n)),
    st.sampled_from([0.5, 2.25, 10.0, 0.0]).map(lambda x: ("num", x)),
)


def num_tree(depth: int) -> st.SearchStrategy:
    """Numeric trees of bounded depth (so bracket and nesting limits are never hit)."""
    if depth == 0:
        return NUM_LEAF
    sub = num_tree(depth - 1)
    return st.one_of(
        NUM_LEAF,
        st.tuples(st.just("bin"), st.sampled_from("+-*/"), sub, sub),
        st.tuples(st.just("neg"), sub),
        st.tuples(st.just("pow"), sub, st.integers(0, 4)),
        st.tuples(
            st.just("call"),
            st.sampled_from(["min", "max"]),
            st.lists(sub, min_size=2, max_size=3).map(tuple),
        ),
        st.tuples(st.just("abs"), sub),
    )


CMP_OPS = ("<", "<=", ">", ">=", "==", "!=")


def bool_tree(depth: int) -> st.SearchStrategy:
    """Conditions of bounded size: and/or/not over comparisons and true/false."""
    num = num_tree(1)
    leaf = st.one_of(
        st.booleans().map(lambda b: ("bool", b)),
        st.integers(1, 2).flatmap(
            lambda n: st.tuples(
                st.just("cmp"),
                st.lists(st.sampled_from(CMP_OPS), min_size=n, max_size=n).map(tuple),
                st.lists(num, min_size=n + 1, max_size=n + 1).map(tuple),
            )
        ),
    )
    if depth == 0:
        return leaf
    sub = bool_tree(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(["and", "or"]), st.lists(sub, min_size=2, max_size=2).map(tuple)),
        st.tuples(st.just("not"), sub),
    )


def render(node) -> str:
    """Write a tree as condition-language text (fully bracketed)."""
    kind = node[0]
    if kind == "num":
        return repr(node[1])
    if kind == "var":
        return node[1]
    if kind == "bool":
        return "true" if node[1] else "false"
    if kind == "bin":
        return f"({render(node[2])} {node[1]} {render(node[3])})"
    if kind == "neg":
        return f"(-{render(node[1])})"
    if kind == "pow":
        return f"({render(node[1])} ** {node[2]})"
    if kind == "call":
        return f"{node[1]}({', '.join(render(a) for a in node[2])})"
    if kind == "abs":
        return f"abs({render(node[1])})"
    if kind == "cmp":
        text = render(node[2][0])
        for op, operand in zip(node[1], node[2][1:], strict=True):
            text += f" {op} {render(operand)}"
        return f"({text})"
    if kind in ("and", "or"):
        return "(" + f" {kind} ".join(render(a) for a in node[1]) + ")"
    if kind == "not":
        return f"(not {render(node[1])})"
    raise AssertionError(kind)


def reference(node, env: dict[str, float]):
    """Evaluate a tree directly, with the language's documented semantics."""
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "var":
        return env[node[1]]
    if kind == "bool":
        return node[1]
    if kind == "bin":
        a, b = reference(node[2], env), reference(node[3], env)
        match node[1]:
            case "+":
                return a + b
            case "-":
                return a - b
            case "*":
                return a * b
            case _:
                return a / b if b else 0.0
    if kind == "neg":
        return -reference(node[1], env)
    if kind == "pow":
        base, n = reference(node[1], env), float(node[2])
        try:
            return base**n
        except OverflowError:
            return math.inf if base > 0 or n % 2 == 0 else -math.inf
    if kind == "call":
        args = [reference(a, env) for a in node[2]]
        return min(args) if node[1] == "min" else max(args)
    if kind == "abs":
        return abs(reference(node[1], env))
    if kind == "cmp":
        values = [reference(a, env) for a in node[2]]
        checks = {
            "<": operator.lt,
            "<=": operator.le,
            ">": operator.gt,
            ">=": operator.ge,
            "==": operator.eq,
            "!=": operator.ne,
        }
        return all(checks[op](x, y) for op, x, y in zip(node[1], values, values[1:], strict=False))
    if kind == "and":
        return all(reference(a, env) for a in node[1])
    if kind == "or":
        return any(reference(a, env) for a in node[1])
    if kind == "not":
        return not reference(node[1], env)
    raise AssertionError(kind)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b and type(a) is type(b)


STATE_VALUE = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 50.0]),
    st.floats(-100, 100, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=300)
@given(
    tree=st.one_of(
        num_tree(3).map(lambda t: ("num_root", t)), bool_tree(2).map(lambda t: ("bool_root", t))
    ),
    tension=STATE_VALUE,
    icbm=STATE_VALUE,
)
def test_compiled_expression_matches_reference_evaluation(tree, tension, icbm):
    """For random arithmetic/comparison/logic over two variables, the engine computes the same
    value as a direct evaluation of the expression's tree."""
    root_kind, node = tree
    kind = "num" if root_kind == "num_root" else "bool"
    source = render(node)
    expr = parse_expr(source, CTX, kind)
    fn = compile_group([(expr, BINDING)])
    state = [0.0] * len(INDEX)
    state[INDEX["world.tension"]] = tension
    state[INDEX["PRK.icbm"]] = icbm
    (got,) = fn(state, Counters().count, Counters().fired, 1)
    want = reference(node, {"world.tension": tension, "PRK.icbm": icbm})
    if kind == "num":
        got, want = float(got), float(want)
    assert _same(got, want), (source, got, want)


# --- regressions: bugs found while writing these tests, now fixed -----------------------


def test_offset_counts_characters_after_non_ascii_identifier():
    """After a full-width letter that Python folds to ASCII, the offset is still in characters."""
    source = "\uff57orld.tension > 1 and PRK.icmb > 1"  # full-width 'w'
    with pytest.raises(ExprError) as info:
        parse_expr(source, CTX)
    assert info.value.offset == source.index("PRK.icmb")


@pytest.mark.parametrize("source", ["1 +", "world.tension >", "world.tension > 60 and"])
def test_incomplete_expression_points_at_its_end(source):
    """A condition that stops too early is reported where the missing part should be."""
    with pytest.raises(ExprError) as info:
        parse_expr(source, CTX)
    assert info.value.offset == len(source)


def test_unknown_keyword_points_at_the_keyword():
    """`count('PRK', tga=...)` points at `tga`, the misspelt word."""
    source = "count('PRK', tga='missile_test') >= 1"
    with pytest.raises(ExprError) as info:
        parse_expr(source, CTX)
    assert info.value.offset == source.index("tga")


def test_long_sums_and_multiline_conditions_are_accepted():
    """Authors can write a 40-term sum, or a condition over several lines (a YAML block),
    with a comment."""
    parse_expr(" + ".join(["world.tension"] * 40) + " > 0", CTX)
    parse_expr("world.tension > 60\n  and PRK.icbm >= 50  # two lines\n", CTX)


def test_the_intermediate_form_is_typed_nodes_walked_in_written_order():
    """One walker serves every reader of the intermediate form: parents first, then the
    children left to right, as the condition is written."""
    expr = parse_expr(
        "count('PRK', tag='missile_test', last=3) >= 2 and (world.tension > 60 or "
        "start(PRK.icbm) < abs(-PRK.icbm))",
        CTX,
    )
    kinds = [type(node).__name__ for node in walk(expr.ir)]
    assert kinds == [
        "And", "Cmp", "Count", "Num", "Or", "Cmp", "Var", "Num", "Cmp", "Start", "Call", "Neg",
        "Var",
    ]  # fmt: skip
    assert [n.name for n in walk(expr.ir) if isinstance(n, Var)] == ["world.tension", "PRK.icbm"]
    assert parse_expr("world.tension > 60", CTX).ir == parse_expr(" world.tension>60", CTX).ir
