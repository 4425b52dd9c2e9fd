"""Scenario files with mistakes: every problem is reported once, at its own PATH:LINE:COL.

Each case starts from a small valid scenario, breaks one or several things, and pins the exact
set of ``(line, column, message)`` of *all* diagnostics, so a case also proves that nothing else
is reported. Columns are 1-based, as printed by ``PATH:LINE:COL: error: MESSAGE``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tripwire.catalog import load_catalog
from tripwire.errors import ScenarioError
from tripwire.scenario.loader import iter_bundled, load_scenario
from tripwire.scenario.validation import format_path

VALID = """\
schema_version: 1
id: test
title: Test
description: A test scenario.
turns: 6
start: 2026-01
"""

# A trigger appended to VALID: `when:` stands on line 10; a quoted value's text starts at
# column 12 (after `    when: "`), a plain one at column 11.
TRIGGER = VALID + "triggers:\n  - id: t1\n    text: T\n    when: "

YAML11_HINT = " (write true or false; 'yes'/'no'/'on'/'off' are text in Tripwire files)"
FUNCS = "count, fired, turn, start, rel, min, max, abs"
TAGS = sorted({tag for action in load_catalog().actions for tag in action.tags})
NOT_A_MAPPING = "a scenario file must be a mapping of keys (schema_version, id, ...)"
ACTOR_CODES = "'RUS', 'PRK', 'CHN', 'USA', 'KOR' or 'JPN'"

Expected = list[tuple[int, int, str]]

CASES: list[tuple[str, str | bytes, Expected]] = [
    (
        "unknown_top_level_key_did_you_mean",
        VALID + "trigers: []\n",
        [(7, 1, "unknown key 'trigers' (did you mean 'triggers'?)")],
    ),
    (
        "duplicate_key_names_first_line",
        VALID + "turns: 7\n",
        [(7, 1, "duplicate key 'turns' (first given at line 5)")],
    ),
    (
        "wrong_type_quoted_number",
        VALID.replace("turns: 6", 'turns: "24"'),
        [(5, 8, "turns: expected a whole number, got the text '24'")],
    ),
    (
        "yaml11_no_is_not_false",
        TRIGGER + '"world.tension > 60"\n    once: no\n',
        [(11, 11, "triggers[0].once: expected true or false, got the text 'no'" + YAML11_HINT)],
    ),
    (
        "yaml11_yes_is_not_true",
        TRIGGER + '"world.tension > 60"\n    once: yes\n',
        [(11, 11, "triggers[0].once: expected true or false, got the text 'yes'" + YAML11_HINT)],
    ),
    (
        "yaml11_yes_is_not_a_number",
        VALID.replace("turns: 6", "turns: yes"),
        [(5, 8, "turns: expected a whole number, got the text 'yes'")],
    ),
    (
        "bad_month_13",
        VALID.replace("start: 2026-01", "start: 2026-13"),
        [(6, 8, "start: '2026-13' is not a month: write YYYY-MM, like 2026-01")],
    ),
    (
        "bad_month_words",
        VALID.replace("start: 2026-01", "start: January 2026"),
        [(6, 8, "start: 'January 2026' is not a month: write YYYY-MM, like 2026-01")],
    ),
    (
        "state_unknown_variable_at_key",
        VALID + "state:\n  world.tensoin: 50\n",
        [
            (
                8,
                3,
                "state[world.tensoin]: unknown variable 'world.tensoin' "
                "(did you mean 'world.tension'?)",
            )
        ],
    ),
    (
        "state_value_out_of_range",
        VALID + "state:\n  world.tension: 150\n",
        [(8, 18, "state[world.tension]: 150 is outside the variable's range [0, 100]")],
    ),
    (
        "state_value_below_range_relations",
        VALID + "state:\n  rel.PRK_RUS: -101\n",
        [(8, 16, "state[rel.PRK_RUS]: -101 is outside the variable's range [-100, 100]")],
    ),
    (
        "when_unknown_variable_double_quoted",
        TRIGGER + '"world.tension > 60 and PRK.icmb >= 2"\n',
        [(10, 35, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "when_unknown_variable_single_quoted",
        TRIGGER + "'world.tension > 60 and PRK.icmb >= 2'\n",
        [(10, 35, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "when_unknown_variable_plain",
        TRIGGER + "world.tension > 60 and PRK.icmb >= 2\n",
        [(10, 34, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "when_unknown_variable_leading_spaces",
        TRIGGER + '"   PRK.icmb > 1"\n',
        [(10, 15, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "when_unknown_variable_flow_mapping",
        VALID + 'triggers:\n  - {id: t1, text: T, when: "PRK.icmb > 1"}\n',
        [(8, 30, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "when_unknown_function",
        TRIGGER + "\"cout('PRK') >= 1\"\n",
        [
            (
                10,
                12,
                f"triggers[0].when: unknown function 'cout' (allowed: {FUNCS}) "
                "(did you mean 'count'?)",
            )
        ],
    ),
    (
        "when_unknown_tag_in_count",
        TRIGGER + "\"count('PRK', tag='misile_test') >= 1\"\n",
        [(10, 29, "triggers[0].when: unknown tag 'misile_test' (did you mean 'missile_test'?)")],
    ),
    (
        "when_syntax_error_unclosed_bracket",
        TRIGGER + '"world.tension > (1"\n',
        [(10, 28, "triggers[0].when: '(' is never closed")],
    ),
    (
        "when_is_a_number_not_a_condition",
        TRIGGER + '"world.tension + 1"\n',
        [
            (
                10,
                12,
                "triggers[0].when: a condition must be true or false, not a number "
                "(add a comparison, like 'world.tension + 1 > 0')",
            )
        ],
    ),
    (
        "when_not_quoted_number",
        TRIGGER + "60\n",
        [(10, 11, 'triggers[0].when: must be a condition in quotes, like "world.tension > 60"')],
    ),
    (
        "when_self_outside_action",
        TRIGGER + '"self.posture > 1"\n',
        [(10, 12, "triggers[0].when: 'self.' can only be used in an action's rules")],
    ),
    (
        "unknown_actor_code",
        VALID + "actors:\n  PRC:\n    risk_tolerance: 0.5\n",
        [
            (
                8,
                3,
                f"actors.PRC: unknown name 'PRC' (expected {ACTOR_CODES}) (did you mean 'PRK'?)",
            )
        ],
    ),
    (
        "unknown_objective_for_actor",
        VALID + "actors:\n  PRK:\n    objectives: {tecnology: 1.0}\n",
        [
            (
                9,
                18,
                "actors.PRK.objectives: PRK has no objective 'tecnology' "
                "(did you mean 'technology'?)",
            )
        ],
    ),
    (
        "relation_pair_in_the_wrong_order",
        TRIGGER + '"rel.USA_KOR > 3"\n',
        [
            (
                10,
                12,
                "triggers[0].when: unknown variable 'rel.USA_KOR' (did you mean 'rel.KOR_USA'? "
                "a relation names its actors in alphabetical order)",
            )
        ],
    ),
    (
        "unknown_tag_lists_the_tags_when_none_is_close",
        TRIGGER + "\"count('PRK', tag='hacking') >= 1\"\n",
        [(10, 29, "triggers[0].when: unknown tag 'hacking' (tags: " + ", ".join(TAGS) + ")")],
    ),
    (
        "chance_as_a_percentage",
        VALID + "injects:\n  - id: i1\n    chance: 15%\n    text: T\n",
        [
            (
                9,
                13,
                "injects[0].chance: expected a number, got the text '15%' "
                "(a chance from 0 to 1: write 15% as 0.15)",
            )
        ],
    ),
    (
        "chance_as_a_word",
        VALID + "injects:\n  - id: i1\n    chance: high\n    text: T\n",
        [
            (
                9,
                13,
                "injects[0].chance: expected a number, got the text 'high' "
                "(a chance from 0 to 1, like 0.15)",
            )
        ],
    ),
    (
        "weights_objective_far_from_any_lists_the_actors_objectives",
        TRIGGER + '"world.tension > 1"\n    weights: {USA.sanctions: 1}\n',
        [
            (
                11,
                15,
                "triggers[0].weights: unknown objective 'USA.sanctions' "
                "(USA's objectives: alliances, deterrence, nonproliferation, stability)",
            )
        ],
    ),
    (
        "folded_condition_points_into_its_lines",
        TRIGGER + ">-\n      world.tension > 60\n      and PRK.icmb > 3\n",
        [(12, 11, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "literal_condition_points_into_its_lines",
        TRIGGER + "|\n      world.tension > 60 and\n        PRK.icmb > 3\n",
        [(12, 9, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "wrapped_plain_condition_points_into_its_lines",
        TRIGGER + "world.tension > 60\n      and PRK.icmb > 3\n",
        [(11, 11, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "wrapped_quoted_condition_points_into_its_lines",
        TRIGGER + '"world.tension > 60\n      and PRK.icmb > 3"\n',
        [(11, 11, "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)")],
    ),
    (
        "objective_of_another_actor",
        VALID + "actors:\n  RUS:\n    objectives:\n      technology: 1.0\n",
        [
            (
                10,
                7,
                "actors.RUS.objectives: RUS has no objective 'technology' "
                "(RUS's objectives: alliances, pressure_point, resupply)",
            )
        ],
    ),
    (
        "duplicate_trigger_id",
        TRIGGER + '"world.tension > 60"\n  - id: t1\n    text: U\n    when: "world.tension > 70"\n',
        [(11, 9, "triggers[1].id: 't1' is given twice (first at line 8)")],
    ),
    (
        "trigger_inject_missing",
        VALID + "injects:\n  - id: flood\n    text: F\n    turn: 2\n"
        'triggers:\n  - id: t1\n    text: T\n    when: "world.tension > 60"\n    inject: flod\n',
        [
            (
                15,
                13,
                "triggers[0].inject: no inject 'flod' in this scenario (did you mean 'flood'?)",
            )
        ],
    ),
    (
        "extends_missing_still_reports_other_errors",
        VALID + "extends: basline\ntrigers: []\n",
        [
            (7, 10, "extends: no bundled scenario or file 'basline' (did you mean 'baseline'?)"),
            (8, 1, "unknown key 'trigers' (did you mean 'triggers'?)"),
        ],
    ),
    (
        "extends_missing_does_not_report_keys_the_base_would_give",
        "schema_version: 1\nextends: nowhere_at_all\nturns: yes\n",
        [
            (2, 10, "extends: no bundled scenario or file 'nowhere_at_all'"),
            (3, 8, "turns: expected a whole number, got the text 'yes'"),
        ],
    ),
    (
        "extends_itself",
        VALID + "extends: scenario.yaml\nbogus: 1\n",
        [
            (7, 10, "extends: 'scenario.yaml' extends this file again (a cycle)"),
            (8, 1, "unknown key 'bogus'"),
        ],
    ),
    (
        "extends_not_text",
        VALID + "extends: [baseline]\n",
        [(7, 10, "extends: expected a scenario name or a path")],
    ),
    ("yaml_list_not_mapping", "- schema_version: 1\n- id: test\n", [(1, 1, NOT_A_MAPPING)]),
    ("yaml_scalar_not_mapping", "hello\n", [(1, 1, NOT_A_MAPPING)]),
    ("empty_file", "", [(1, 1, NOT_A_MAPPING)]),
    ("only_a_comment", "# nothing here\n", [(1, 1, NOT_A_MAPPING)]),
    ("not_utf8", VALID.encode() + b"title2: caf\xe9\n", [(7, 1, "not UTF-8 text")]),
    ("not_utf8_first_line", b"\xff\xfe" + VALID.encode(), [(1, 1, "not UTF-8 text")]),
    (
        "invalid_yaml_unclosed_brace",
        VALID + "state: {world.tension: 5\n",
        [
            (
                8,
                1,
                "not valid YAML: did not find expected ',' or '}' "
                "(while parsing a flow mapping started at line 7, column 8)",
            )
        ],
    ),
    (
        "invalid_yaml_unclosed_bracket",
        VALID + "disable:\n  actions: [a, b\n",
        [
            (
                9,
                1,
                "not valid YAML: did not find expected ',' or ']' "
                "(while parsing a flow sequence started at line 8, column 12)",
            )
        ],
    ),
    (
        "invalid_yaml_bad_indentation",
        VALID + "state:\n  world.tension: 5\n world.tension: 6\n",
        [
            (
                9,
                2,
                "not valid YAML: did not find expected key "
                "(while parsing a block mapping started at line 1, column 1); "
                "check the indentation of this line and the one before it",
            )
        ],
    ),
    (
        "control_character_located_on_its_line",
        VALID + "title2: a\x00b\n",
        [
            (
                7,
                10,
                "not valid YAML: unacceptable character #x0000 "
                "(control characters are not allowed)",
            )
        ],
    ),
    (
        "invalid_yaml_undefined_alias",
        VALID + "title2: *nope\n",
        [(7, 9, "not valid YAML: found undefined alias")],
    ),
    (
        "two_documents",
        VALID + "---\n" + VALID,
        [(7, 1, "one YAML document per file")],
    ),
    (
        "explicit_python_tag",
        VALID + "x: !!python/object/apply:os.system ['touch /tmp/tripwire_pwned']\n",
        [
            (
                7,
                4,
                "YAML tags such as 'tag:yaml.org,2002:python/object/apply:os.system' "
                "are not allowed",
            )
        ],
    ),
    (
        "explicit_python_tag_on_known_field",
        VALID.replace("title: Test", "title: !!python/object/apply:os.system ['echo hi']"),
        [
            (
                3,
                8,
                "YAML tags such as 'tag:yaml.org,2002:python/object/apply:os.system' "
                "are not allowed",
            )
        ],
    ),
    (
        "explicit_harmless_tag_still_rejected",
        VALID.replace("title: Test", "title: !!str Test"),
        [(3, 8, "YAML tags such as 'tag:yaml.org,2002:str' are not allowed")],
    ),
    (
        "merge_key_top_level",
        "defaults: &d\n  turns: 6\n" + VALID.replace("turns: 6\n", "<<: *d\n"),
        [(7, 1, "merge keys ('<<') are not supported; use 'extends:'")],
    ),
    (
        "merge_key_nested",
        VALID + "actors:\n  PRK: &p\n    risk_tolerance: 0.5\n  RUS:\n    <<: *p\n",
        [(11, 5, "merge keys ('<<') are not supported; use 'extends:'")],
    ),
    (
        "recursive_anchor",
        VALID + "x: &a [*a]\n",
        [(7, 4, "an alias refers to a node that contains it (recursive anchor)")],
    ),
    (
        "yaml_bomb",
        VALID
        + "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        + "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        + "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        + "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        + "f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
        [
            (
                7,
                14,
                "the document expands to more than 100000 values "
                "(aliases repeated too often: a YAML bomb?)",
            )
        ],
    ),
    (
        "nesting_too_deep",
        VALID + "x: " + "[" * 50 + "]" * 50 + "\n",
        [(7, 43, "nesting deeper than 40 levels")],
    ),
    (
        # a weight or an objective: a value both refuse gets one message, not one per form
        "union_refusals_once_each",
        VALID + "actors:\n  PRK:\n    objectives: {legitimation: -1, survival: [1]}\n",
        [
            (9, 32, "actors.PRK.objectives.legitimation: must be at least 0.0, got the number -1"),
            (
                9,
                46,
                "actors.PRK.objectives.survival: expected a number or a mapping of keys to "
                "values, got a list",
            ),
        ],
    ),
    (
        "several_errors_all_reported",
        VALID.replace("turns: 6", "turns: 0").replace("start: 2026-01", "start: 2026-1")
        + "trigers: []\n"
        + "state:\n  world.tension: -5\n  PRK.icmb: 3\n"
        + "triggers:\n  - id: t1\n    text: T\n"
        + '    when: "world.tension > 60 and PRK.icmb > 1"\n'
        + "    once: no\n    inject: nope\n",
        [
            (5, 8, "turns: must be at least 1, got the number 0"),
            (6, 8, "start: '2026-1' is not a month: write YYYY-MM, like 2026-01"),
            (7, 1, "unknown key 'trigers' (did you mean 'triggers'?)"),
            (9, 18, "state[world.tension]: -5 is outside the variable's range [0, 100]"),
            (
                10,
                3,
                "state[PRK.icmb]: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)",
            ),
            (
                14,
                35,
                "triggers[0].when: unknown variable 'PRK.icmb' (did you mean 'PRK.icbm'?)",
            ),
            (15, 11, "triggers[0].once: expected true or false, got the text 'no'" + YAML11_HINT),
            (16, 13, "triggers[0].inject: no inject 'nope' in this scenario"),
        ],
    ),
]


def _write(write_yaml, text: str | bytes, name: str = "scenario.yaml") -> Path:
    """Write a case's text (or raw bytes, for encoding errors) and return the file's path."""
    if isinstance(text, bytes):
        path = write_yaml("", name)
        path.write_bytes(text)
        return path
    return write_yaml(text, name)


def _load_errors(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def _same_file(reported: str, path: Path) -> bool:
    return Path(reported).resolve() == path.resolve()


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_loader_reports_exact_located_diagnostics(write_yaml, text, expected):
    """A broken scenario reports exactly these problems, each at its own line and column."""
    path = _write(write_yaml, text)
    err = _load_errors(path)
    got = sorted((d.location.line, d.location.column, d.message) for d in err.diagnostics)
    assert got == sorted(expected)
    for d in err.diagnostics:
        assert _same_file(d.location.path, path), d.format()
        assert d.severity == "error"
        assert "\n" not in d.message
        assert d.format().endswith(f":{d.location.line}:{d.location.column}: error: {d.message}")


# --- several files: `extends` -------------------------------------------------------------

BASE_B = VALID.replace("id: test", "id: other")

# (id, {file name: text}, file to load, [(file, line, column, message)])
MULTI: list[tuple[str, dict[str, str], str, list[tuple[str, int, int, str]]]] = [
    (
        "extends_cycle_between_two_files",
        {"a.yaml": VALID + "extends: b.yaml\n", "b.yaml": BASE_B + "extends: a.yaml\n"},
        "a.yaml",
        [("b.yaml", 7, 10, "extends: 'a.yaml' extends this file again (a cycle)")],
    ),
    (
        "error_in_base_file_is_located_in_base",
        {
            "child.yaml": "extends: base.yaml\nid: child\nturns: 8\n",
            "base.yaml": VALID + "state:\n  world.tensoin: 50\n",
        },
        "child.yaml",
        [
            (
                "base.yaml",
                8,
                3,
                "state[world.tensoin]: unknown variable 'world.tensoin' "
                "(did you mean 'world.tension'?)",
            )
        ],
    ),
    (
        "errors_in_base_and_child_each_in_their_file",
        {
            "child.yaml": VALID + "extends: base.yaml\nstate:\n  world.tension: 150\n",
            "base.yaml": BASE_B + 'triggers:\n  - id: t1\n    text: T\n    when: "PRK.icmb > 1"\n',
        },
        "child.yaml",
        [
            ("base.yaml", 10, 12, "triggers[0].when: unknown variable 'PRK.icmb' "),
            ("child.yaml", 9, 18, "state[world.tension]: 150 is outside the variable's range "),
        ],
    ),
    (
        "three_level_chain",
        {
            "top.yaml": "extends: mid.yaml\nid: top\n",
            "mid.yaml": "extends: bottom.yaml\nid: mid\nstate:\n  world.tension: 500\n",
            "bottom.yaml": VALID + "trigers: []\n",
        },
        "top.yaml",
        [
            ("bottom.yaml", 7, 1, "unknown key 'trigers' (did you mean 'triggers'?)"),
            ("mid.yaml", 4, 18, "state[world.tension]: 500 is outside the variable's range "),
        ],
    ),
    (
        "child_entry_replaces_base_entry_of_same_id",
        {
            "child.yaml": "extends: base.yaml\nid: child\n"
            'triggers:\n  - id: t1\n    text: T\n    when: "world.tension > 1"\n    once: off\n',
            "base.yaml": VALID + 'triggers:\n  - id: t1\n    text: T\n    when: "PRK.icmb > 1"\n',
        },
        "child.yaml",
        [("child.yaml", 7, 11, "triggers[0].once: expected true or false, got the text 'off'")],
    ),
]


@pytest.mark.parametrize(
    ("files", "main", "expected"), [c[1:] for c in MULTI], ids=[c[0] for c in MULTI]
)
def test_extends_diagnostics_point_at_the_right_file(write_yaml, files, main, expected):
    """With `extends`, each problem is reported in the file (and line) where it was written.

    Messages are compared by prefix where the rest is the standard range or hint suffix.
    """
    paths = {name: write_yaml(text, name) for name, text in files.items()}
    err = _load_errors(paths[main])
    got = sorted(
        (Path(d.location.path).name, d.location.line, d.location.column, d.message)
        for d in err.diagnostics
    )
    assert len(got) == len(expected), got
    for (g_file, g_line, g_col, g_msg), (e_file, e_line, e_col, e_msg) in zip(
        got, sorted(expected), strict=True
    ):
        assert (g_file, g_line, g_col) == (e_file, e_line, e_col), got
        assert g_msg.startswith(e_msg), got
    for d in err.diagnostics:
        assert any(_same_file(d.location.path, p) for p in paths.values()), d.format()


# --- valid documents ----------------------------------------------------------------------


def test_minimal_valid_document_loads(write_yaml):
    """The six required keys are a complete scenario: it loads with the catalog defaults."""
    scenario = load_scenario(write_yaml(VALID))
    assert scenario.id == "test"
    assert scenario.turns == 6
    assert scenario.start == "2026-01"
    assert scenario.triggers == []


def test_yaml_12_scalars_are_not_yaml_11_surprises(write_yaml):
    """`no` stays text (the 'Norway problem') and `010` is ten, not octal eight."""
    scenario = load_scenario(write_yaml(VALID.replace("id: test", "id: no")))
    assert scenario.id == "no"
    scenario = load_scenario(write_yaml(VALID.replace("turns: 6", "turns: 010"), "octal.yaml"))
    assert scenario.turns == 10


def test_valid_document_with_extends_and_trigger_loads(write_yaml):
    """A small scenario built on a bundled one, with a correct trigger, loads cleanly."""
    text = (
        VALID
        + "extends: baseline\n"
        + "state:\n  world.tension: 55\n"
        + 'triggers:\n  - id: t1\n    text: T\n    when: "world.tension > 60"\n    once: true\n'
    )
    scenario = load_scenario(write_yaml(text))
    assert scenario.state["world.tension"] == 55
    assert any(t.id == "t1" and t.once for t in scenario.triggers)


def test_bundled_scenarios_all_load():
    """Every scenario shipped with Tripwire passes validation."""
    loaded = dict(iter_bundled())
    assert {"baseline", "missile_crisis_2"} <= set(loaded)
    for name, scenario in loaded.items():
        assert scenario.id == name
        assert scenario.turns >= 1


# --- regressions: bugs found while writing these tests, now fixed -----------------------


def test_extends_missing_file_is_located_at_extends_key(write_yaml):
    """`extends: nothere.yaml` is reported at the `extends:` value, other errors still shown."""
    path = write_yaml(VALID + "extends: nothere.yaml\nbogus: 1\n")
    err = _load_errors(path)
    got = {(d.location.line, d.location.column) for d in err.diagnostics}
    assert all(_same_file(d.location.path, path) for d in err.diagnostics)
    assert got == {(7, 10), (8, 1)}
    assert any("nothere.yaml" in d.message for d in err.diagnostics)


def test_missing_base_deeper_in_chain_still_reports_own_errors(write_yaml):
    """If a base of the base is missing, the scenario's own mistakes are still reported."""
    write_yaml("extends: nowhere_at_all\nid: mid\n", "mid.yaml")
    path = write_yaml(VALID + "extends: mid.yaml\nbogus: 1\n")
    err = _load_errors(path)
    got = {(Path(d.location.path).name, d.location.line, d.message) for d in err.diagnostics}
    assert ("mid.yaml", 1, "extends: no bundled scenario or file 'nowhere_at_all'") in got
    assert ("scenario.yaml", 8, "unknown key 'bogus'") in got


@pytest.mark.parametrize(
    "quoted",
    [
        '"count(\\"PRK\\", tag=\'missile_test\') >= 1 and PRK.icmb > 1"',
        "'count(''PRK'', tag=''missile_test'') >= 1 and PRK.icmb > 1'",
    ],
    ids=["double_quoted_escapes", "single_quoted_doubled_quotes"],
)
def test_expression_column_accounts_for_quote_escapes(write_yaml, quoted):
    """The column of an unknown variable points at it even after escaped quotes."""
    line = "    when: " + quoted
    err = _load_errors(write_yaml(TRIGGER + quoted + "\n"))
    [d] = err.diagnostics
    assert (d.location.line, d.location.column) == (10, line.index("PRK.icmb") + 1)


def test_weights_message_uses_the_standard_path_form(write_yaml):
    """An unknown objective in `weights` names its place like other messages do."""
    text = TRIGGER + '"world.tension > 1"\n    weights: {PRK.tech: 1}\n'
    err = _load_errors(write_yaml(text))
    [d] = err.diagnostics
    assert (d.location.line, d.location.column) == (11, 15)
    assert d.message == (
        "triggers[0].weights: unknown objective 'PRK.tech' (did you mean 'PRK.technology'?)"
    )


def test_entries_are_numbered_in_their_own_file_after_extends(write_yaml):
    """After `extends: baseline` the merged list starts with the base's injects; a message
    numbers the user's entries as their own file does (the first is 0), not by a merged
    position they never wrote."""
    text = (
        "schema_version: 1\nid: mine\ntitle: Mine\nsummary: s\ndescription: d\n"
        "extends: baseline\n"
        "injects:\n"
        "  - id: first\n"
        "    turn: 2\n"
        "    text: t\n"
        "  - id: taiwan_strait_flareup\n"  # replaces the base's entry of that id
        "    chance: 0.1\n"
        "    text: t\n"
        "  - id: my_inject\n"
        "    turn: 2\n"
        "    text: t\n"
        "    effects: {world.tension: .nan}\n"
    )
    [d] = _load_errors(write_yaml(text)).diagnostics
    assert (d.location.line, d.location.column) == (17, 30)
    assert d.message == (
        "injects[2].effects[world.tension]: must be a finite number (not .inf or .nan)"
    )


def test_positions_without_marks_are_the_lists_own():
    """Plain data (no marks) keeps the list's own positions."""
    data = {"injects": [{"id": "a"}, {"text": "no id"}]}
    assert format_path(("injects", 1, "text"), data) == "injects[1].text"
    assert format_path(("injects", 5, "text"), data) == "injects[5].text"
    assert format_path(("injects", 0, "text")) == "injects[0].text"
