"""`tripwire lint`: valid scenarios that cannot play as written get located warnings.

Each case adds a few lines to a small valid scenario and pins the exact set of
``(line, column, message)`` of *all* warnings, so a case also proves nothing else is
reported. Columns are 1-based, as printed by ``PATH:LINE:COL: warning: MESSAGE``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tripwire.authoring.lint import lint, summary_line
from tripwire.errors import ScenarioError
from tripwire.scenario.loader import bundled_scenarios, load_scenario

VALID = """\
schema_version: 1
id: test
title: Test
description: A test scenario.
turns: 12
start: 2026-01
"""
# A trigger appended to VALID: `when:` stands on line 10; a quoted condition's text starts at
# column 12 (after `    when: "`), a plain one at column 11.
TRIGGER = VALID + "triggers:\n  - id: t1\n    text: T\n    when: "
VAR = (
    "variables:\n"
    "  - {name: USA.election_pressure, min: 0, max: 100, default: 30, description: P.}\n"
)
ACTION = VALID + (
    "actions:\n  - id: parade\n    name: Parade\n    description: A parade.\n"
    "    actors: [PRK]\n    domain: propaganda\n    cost: 1\n"
    '    cameo: "051"\n    escalation: posturing\n    rung: 1\n    source: s\n'
)
# Every action of JPN that moves a term of its `defense` objective.
NO_DEFENSE = (
    "disable:\n  actions: [upgrade_missile_defense, counterstrike_capability, raise_readiness, "
    "stand_down, trilateral_exercise]\n"
)
NEVER_T = "so this trigger never fires"

Expected = list[tuple[int, int, str]]

CASES: list[tuple[str, str, Expected]] = [
    # --- (a) conditions that can never hold ----------------------------------------------
    (
        "threshold_above_range",
        TRIGGER + '"world.tension > 120"\n',
        [
            (
                10,
                12,
                "triggers[0].when: can never hold (world.tension is between 0 and 100), " + NEVER_T,
            )
        ],
    ),
    (
        "points_at_the_impossible_part",
        TRIGGER + '"world.tension > 60 and world.tension > 150"\n',
        [
            (
                10,
                35,
                'triggers[0].when: "world.tension > 150" can never hold (world.tension is '
                "between 0 and 100), " + NEVER_T,
            )
        ],
    ),
    (
        "plain_scalar_condition",
        TRIGGER + "world.tension > 120\n",
        [
            (
                10,
                11,
                "triggers[0].when: can never hold (world.tension is between 0 and 100), " + NEVER_T,
            )
        ],
    ),
    (
        "folded_condition_points_at_the_impossible_part",
        TRIGGER + ">-\n      world.tension > 60\n      and world.tension > 150\n",
        [
            (
                12,
                11,
                'triggers[0].when: "world.tension > 150" can never hold (world.tension is '
                "between 0 and 100), " + NEVER_T,
            )
        ],
    ),
    (
        "variable_nothing_changes",
        VALID
        + VAR
        + 'triggers:\n  - id: t1\n    text: T\n    when: "USA.election_pressure >= 70"\n',
        [
            (
                12,
                12,
                "triggers[0].when: can never hold (USA.election_pressure stays at 30: nothing "
                "changes it), " + NEVER_T,
            )
        ],
    ),
    (
        "variable_only_rises",
        TRIGGER + '"PRK.icbm < 40"\n',
        [
            (
                10,
                12,
                "triggers[0].when: can never hold (PRK.icbm stays from 55 to 100: it starts at "
                "55 and nothing lowers it), " + NEVER_T,
            )
        ],
    ),
    (
        "count_actor_without_such_actions",
        TRIGGER + "\"count('KOR', tag='missile_test', last=3) >= 1\"\n",
        [
            (
                10,
                12,
                "triggers[0].when: can never hold (count('KOR', tag='missile_test', last=3) is "
                "always 0: KOR has no action tagged 'missile_test'), " + NEVER_T,
            )
        ],
    ),
    (
        "count_beyond_action_points",
        TRIGGER + "\"count('PRK', tag='missile_test', last=2) >= 7\"\n",
        [
            (
                10,
                12,
                "triggers[0].when: can never hold (count('PRK', tag='missile_test', last=2) is "
                "at most 6), " + NEVER_T,
            )
        ],
    ),
    (
        "count_of_switched_off_action",
        VALID
        + "disable:\n  actions: [icbm_test]\ntriggers:\n  - id: t1\n    text: T\n"
        + "    when: \"count('any', action='icbm_test', last=6) > 0\"\n",
        [
            (
                12,
                12,
                "triggers[0].when: can never hold (count('any', action='icbm_test', last=6) is "
                "always 0: nobody can take 'icbm_test'), " + NEVER_T,
            )
        ],
    ),
    (
        "fired_of_switched_off_trigger",
        VALID
        + "disable:\n  triggers: [provocation_spiral]\ntriggers:\n  - id: t1\n    text: T\n"
        + "    when: \"fired('provocation_spiral', last=3) >= 1\"\n",
        [
            (
                12,
                12,
                "triggers[0].when: can never hold (fired('provocation_spiral', last=3) is always "
                "0: it is switched off), " + NEVER_T,
            )
        ],
    ),
    (
        "fired_twice_of_once_trigger",
        TRIGGER + "\"fired('tactical_nuclear_transfer', last=24) >= 2\"\n",
        [
            (
                10,
                12,
                "triggers[0].when: can never hold (fired('tactical_nuclear_transfer', last=24) "
                "is at most 1), " + NEVER_T,
            )
        ],
    ),
    (
        "turn_after_the_end",
        TRIGGER + '"turn() > 12"\n',
        [(10, 12, "triggers[0].when: can never hold (turn() is 1 to 12), " + NEVER_T)],
    ),
    (
        "outcome_start_is_fixed",
        VALID + 'outcomes:\n  - id: o1\n    title: O\n    when: "start(world.tension) > 90"\n',
        [
            (
                10,
                12,
                "outcomes[0].when: can never hold (start(world.tension) is 50), so this outcome "
                "is never reached",
            )
        ],
    ),
    (
        "turn_1_inject_sees_starting_values",
        VALID + 'injects:\n  - id: i1\n    turn: 1\n    text: I\n    when: "world.tension > 60"\n',
        [
            (
                11,
                12,
                "injects[0].when: can never hold (world.tension is 50 on turn 1), so this "
                "inject never fires",
            )
        ],
    ),
    (
        "inject_condition_cannot_count_its_own_turn",
        VALID + "injects:\n  - id: i1\n    chance: 0.5\n    text: I\n"
        "    when: \"count('PRK', tag='missile_test') >= 1\"\n",
        [
            (
                11,
                12,
                "injects[0].when: can never hold (count('PRK', tag='missile_test') is always 0 "
                "in an inject's condition: injects come first in a turn, before any action or "
                "trigger of that turn (write last=2 for the last turn)), "
                "so this inject never fires",
            )
        ],
    ),
    (
        "inject_condition_cannot_see_a_same_turn_inject",
        VALID + "injects:\n  - id: i0\n    turn: 2\n    text: I0\n"
        "  - id: i1\n    chance: 0.5\n    text: I\n    when: \"fired('i0') >= 1\"\n",
        [
            (
                14,
                12,
                "injects[1].when: can never hold (fired('i0') is always 0 in an inject's "
                "condition: injects come first in a turn, before any action or trigger of that "
                "turn (write last=2 for the last turn)), so this inject never fires",
            )
        ],
    ),
    (
        "inject_condition_over_earlier_turns_is_fine",
        VALID + "injects:\n  - id: i1\n    chance: 0.5\n    text: I\n"
        "    when: \"count('PRK', tag='missile_test', last=2) >= 1\"\n",
        [],
    ),
    (
        "timeline_inject_knows_its_turn",
        VALID + 'injects:\n  - id: i1\n    turn: 5\n    text: I\n    when: "turn() < 3"\n',
        [(11, 12, "injects[0].when: can never hold (turn() is 5), so this inject never fires")],
    ),
    (
        "precondition_never_holds_for_any_actor",
        ACTION.replace("actors: [PRK]", "actors: [PRK, KOR]").replace(
            "    cost: 1\n",
            '    cost: 1\n    precondition: "self.posture > 100"\n    effects: {self.posture: 2}\n',
        ),
        [
            (
                14,
                20,
                "actions[0].precondition: can never hold (PRK.posture is between 0 and 100), "
                "so nobody can take this action",
            )
        ],
    ),
    # --- (a) conditions that always hold -------------------------------------------------
    (
        "always_holds_every_turn",
        TRIGGER + '"world.tension >= 0"\n',
        [
            (
                10,
                12,
                "triggers[0].when: always holds (world.tension is between 0 and 100), so it "
                "fires every turn",
            )
        ],
    ),
    (
        "always_holds_once",
        TRIGGER + '"turn() >= 1"\n    once: true\n',
        [
            (
                10,
                12,
                "triggers[0].when: always holds (turn() is 1 to 12), so it fires on turn 1 (an "
                "inject with `turn: 1` says that more plainly)",
            )
        ],
    ),
    (
        "always_holds_with_cooldown",
        TRIGGER + '"not world.tension > 100"\n    cooldown: 2\n',
        [
            (
                10,
                12,
                "triggers[0].when: always holds (world.tension is between 0 and 100), so it "
                "fires on turn 1 and then every 3 turns",
            )
        ],
    ),
    (
        "outcome_always_holds",
        VALID + 'outcomes:\n  - id: o1\n    title: O\n    when: "abs(rel.CHN_PRK) <= 100"\n',
        [
            (
                10,
                12,
                "outcomes[0].when: always holds (rel.CHN_PRK is between -100 and 100), so every "
                "game reaches it on turn 1",
            )
        ],
    ),
    (
        "turn_1_inject_when_always_holds",
        VALID
        + "injects:\n  - id: i1\n    turn: 1\n    text: I\n"
        + "    when: \"world.tension >= 50 and count('PRK') == 0\"\n",
        [
            (
                11,
                12,
                "injects[0].when: always holds (world.tension is 50 on turn 1; nothing has been "
                "counted or fired yet on turn 1), so this `when` changes nothing",
            )
        ],
    ),
    # --- (b) actions nobody can or wants to take -----------------------------------------
    (
        "action_switched_off",
        ACTION.replace("    cost: 1\n", "    cost: 1\n    effects: {PRK.posture: 2}\n")
        + "disable:\n  actions: [parade]\n",
        [
            (
                8,
                9,
                "actions[0].id: 'parade' is switched off by disable.actions, so nobody can take it",
            )
        ],
    ),
    (
        "action_bots_see_no_point_in",
        ACTION.replace("    cost: 1\n", "    cost: 1\n    effects: {world.taiwan_strait: 1}\n"),
        [
            (
                14,
                14,
                "actions[0].effects: no objective of PRK is moved by these effects, "
                "so bots take this action only on a random whim (their noise)",
            )
        ],
    ),
    (
        "action_never_succeeds",
        ACTION.replace(
            "    cost: 1\n", "    cost: 1\n    success: 0\n    effects: {PRK.posture: 2}\n"
        ),
        [(14, 14, "actions[0].success: is never above 0: this action always fails")],
    ),
    (
        "action_only_targets_its_actor",
        ACTION.replace(
            "    cost: 1\n", "    cost: 1\n    targets: [PRK, PRK]\n    effects: {PRK.posture: 2}\n"
        ),
        [
            (
                14,
                14,
                "actions[0].targets: every target is the acting actor itself, so nobody can "
                "take this action",
            )
        ],
    ),
    # --- (c) objectives no action moves ---------------------------------------------------
    (
        "objective_weight_without_lever",
        VALID + "actors:\n  JPN:\n    objectives: {defense: 2}\n" + NO_DEFENSE,
        [
            (
                9,
                18,
                "actors.JPN.objectives.defense: JPN has no action that moves JPN.missile_defense,"
                " JPN.posture, USA.deterrence_credibility (the terms of 'defense'), so this "
                "weight does not change what JPN does",
            )
        ],
    ),
    (
        "objective_weight_shift_without_lever",
        VALID
        + NO_DEFENSE
        + 'triggers:\n  - id: t1\n    text: T\n    when: "world.tension > 80"\n'
        + "    weights: {JPN.defense: 0.5}\n",
        [
            (
                13,
                15,
                "triggers[0].weights[JPN.defense]: JPN has no action that moves "
                "JPN.missile_defense, JPN.posture, USA.deterrence_credibility (the terms of "
                "'defense'), so this weight does not change what JPN does",
            )
        ],
    ),
    (
        "disable_leaves_an_objective_without_lever",
        VALID + NO_DEFENSE,
        [
            (
                8,
                3,
                "disable.actions: these switch off every action of JPN that moves "
                "JPN.missile_defense, JPN.posture, USA.deterrence_credibility, so JPN's "
                "objective 'defense' no longer changes what it does",
            )
        ],
    ),
    # --- (d) effects past a variable's range ---------------------------------------------
    (
        "effect_larger_than_range",
        VALID
        + "injects:\n  - id: i1\n    turn: 2\n    text: I\n    effects: {world.tension: -150}\n",
        [
            (
                11,
                30,
                "injects[0].effects[world.tension]: -150 is more than the whole range of "
                "world.tension (0 to 100), so it always stops at the minimum",
            )
        ],
    ),
    (
        "effect_overshoots_on_turn_1",
        VALID
        + "state:\n  world.tension: 90\ninjects:\n  - id: i1\n    turn: 1\n    text: I\n"
        + "    effects: {world.tension: 20}\n",
        [
            (
                13,
                30,
                "injects[0].effects[world.tension]: world.tension is 90 when this fires on turn "
                "1, so +20 always goes past its maximum 100 (at most +10 applies)",
            )
        ],
    ),
    (
        "earlier_turn_1_inject_changes_the_value",
        VALID
        + "state:\n  world.tension: 90\ninjects:\n  - id: i0\n    turn: 1\n    text: I0\n"
        + "    effects: {world.tension: -50}\n  - id: i1\n    turn: 1\n    text: I\n"
        + "    effects: {world.tension: 20}\n",
        [],
    ),
    (
        "effect_overshoots_given_its_condition",
        VALID
        + "variables:\n  - {name: world.campaign, min: 0, max: 100, default: 85, description: C.}\n"
        + 'triggers:\n  - id: t1\n    text: T\n    when: "world.campaign >= 80"\n'
        + "    effects: {world.campaign: 30}\n    once: true\n",
        [
            (
                12,
                12,
                "triggers[0].when: always holds (world.campaign stays from 85 to 100: it starts "
                "at 85 and nothing lowers it), so it fires on turn 1 (an inject with `turn: 1` "
                "says that more plainly)",
            ),
            (
                13,
                31,
                "triggers[0].effects[world.campaign]: world.campaign is at least 85 whenever "
                "this fires, so +30 always goes past its maximum 100 (at most +15 applies)",
            ),
        ],
    ),
    (
        "inject_effect_on_escalation_score",
        VALID
        + "injects:\n  - id: i1\n    turn: 2\n    text: I\n"
        + "    effects: {world.escalation_score: 20}\n",
        [
            (
                11,
                39,
                "injects[0].effects[world.escalation_score]: world.escalation_score is "
                "recomputed from the actions after the injects of every turn, so this change is "
                "lost",
            )
        ],
    ),
    # --- (e, f) events ---------------------------------------------------------------------
    (
        "inject_after_last_turn",
        VALID + "injects:\n  - {id: i1, turn: 13, text: I}\n",
        [
            (
                8,
                20,
                "injects[0].turn: turn 13 is after the last turn (12), so this inject never fires",
            )
        ],
    ),
    (
        "inject_never_fired",
        VALID + "injects:\n  - id: i1\n    text: I\n",
        [
            (
                8,
                5,
                "injects[0]: 'i1' never fires in a game: it has no `turn` or `chance` and no "
                "trigger names it in `inject:` (a facilitator can still fire it)",
            )
        ],
    ),
    (
        "inject_chance_zero",
        VALID + "injects:\n  - {id: i1, chance: 0, text: I}\n",
        [
            (
                8,
                5,
                "injects[0]: 'i1' never fires in a game: its chance is 0 and no trigger names it "
                "in `inject:` (a facilitator can still fire it)",
            )
        ],
    ),
    (
        "inject_switched_off",
        VALID + "injects:\n  - {id: i1, turn: 2, text: I}\ndisable:\n  injects: [i1]\n",
        [(8, 10, "injects[0].id: 'i1' is switched off by disable.injects, so it never fires")],
    ),
    (
        "inject_fired_twice",
        VALID
        + "injects:\n  - {id: i1, chance: 0.1, text: I}\n"
        + 'triggers:\n  - id: t1\n    text: T\n    when: "world.tension > 80"\n    inject: i1\n',
        [
            (
                13,
                13,
                "triggers[0].inject: 'i1' also fires on its own (by chance), so it can fire twice "
                "in a game",
            )
        ],
    ),
    (
        "inject_on_call_from_trigger_is_fine",
        VALID
        + "injects:\n  - {id: i1, text: I}\n"
        + 'triggers:\n  - id: t1\n    text: T\n    when: "world.tension > 80"\n    inject: i1\n',
        [],
    ),
    (
        "cooldown_with_once",
        TRIGGER + '"world.tension > 80"\n    once: true\n    cooldown: 2\n',
        [(12, 15, "triggers[0].cooldown: has no effect with `once: true`")],
    ),
    (
        "trigger_switched_off",
        TRIGGER + '"world.tension > 80"\ndisable:\n  triggers: [t1]\n',
        [(8, 9, "triggers[0].id: 't1' is switched off by disable.triggers, so it never fires")],
    ),
    (
        "variable_never_used",
        VALID + VAR,
        [
            (
                8,
                12,
                "variables[0].name: 'USA.election_pressure' is never used: "
                "no condition reads it and nothing changes it",
            )
        ],
    ),
    (
        "variable_changed_by_an_effect_is_used",
        VALID
        + VAR
        + "injects:\n  - {id: i1, turn: 2, text: I, effects: {USA.election_pressure: 5}}\n",
        [],
    ),
    (
        "same_text_twice",
        VALID
        + "injects:\n  - {id: i1, turn: 2, text: A test.}\n  - {id: i2, turn: 5, text: A  TEST.}\n",
        [(9, 29, "injects[1].text: the same text as 'i1', so players cannot tell them apart")],
    ),
    # --- extends: only this file's entries ------------------------------------------------
    (
        "turns_end_before_base_injects",
        VALID.replace("turns: 12", "turns: 2") + "extends: missile_crisis_2\n",
        [
            (
                5,
                8,
                "turns: the game ends before the inject 'taiwan_strait_crisis' of "
                "missile_crisis_2.yaml (turn 3) fires",
            ),
            (
                5,
                8,
                "turns: the game ends before the inject 'ukraine_summer_offensive' of "
                "missile_crisis_2.yaml (turn 5) fires",
            ),
        ],
    ),
    ("base_entries_are_not_linted", VALID + "extends: missile_crisis_2\n", []),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_warnings_are_located(write_yaml, text: str, expected: Expected) -> None:
    """Each mistake gets exactly its warnings, at the line and column of what causes it."""
    path = write_yaml(text)
    found = lint(path)
    assert [(d.location.line, d.location.column, d.message) for d in found] == expected
    assert all(d.severity == "warning" for d in found)
    assert all(d.location.path == str(path) for d in found)


def test_inherited_disable_is_the_base_files_business(tmp_path) -> None:
    """A base file's `disable:` is warned about in the base, not in the file extending it."""
    base = tmp_path / "base.yaml"
    base.write_text(VALID + NO_DEFENSE, encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text(VALID.replace("id: test", "id: child") + "extends: base.yaml\n", "utf-8")
    assert [(d.location.line, d.location.column) for d in lint(base)] == [(8, 3)]
    assert lint(child) == []


def test_warning_lines_read_like_errors(write_yaml, monkeypatch) -> None:
    """Warnings print as `PATH:LINE:COL: warning: MESSAGE`, with the path as the user gave it."""
    path = write_yaml(TRIGGER + '"world.tension > 120"\n')
    monkeypatch.chdir(path.parent)
    (warning,) = lint(path.name)
    assert warning.format() == (
        f"{path.name}:10:12: warning: triggers[0].when: can never hold (world.tension is "
        "between 0 and 100), so this trigger never fires"
    )
    assert summary_line(path.name, [warning]) == f"{path.name}: 1 warning"
    assert summary_line(path.name, [warning, warning]) == f"{path.name}: 2 warnings"
    assert summary_line(path.name, []) == f"{path.name}: ok, no warnings"


def test_invalid_file_raises_the_validation_errors(write_yaml) -> None:
    """An invalid file is not linted: lint raises exactly what `tripwire validate` reports."""
    path = write_yaml(VALID + "trigers: []\nstate:\n  world.tension: 120\n")
    with pytest.raises(ScenarioError) as linted:
        lint(path)
    with pytest.raises(ScenarioError) as loaded:
        load_scenario(path)
    assert linted.value.diagnostics == loaded.value.diagnostics


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_bundled_scenarios_have_no_warnings(name: str) -> None:
    """The bundled scenarios play as written: lint (by name or by path) finds nothing."""
    assert lint(name) == []
    assert lint(bundled_scenarios()[name]) == []


def test_catalog_rules_are_never_called_impossible(write_yaml, catalog) -> None:
    """Soundness: the catalog's own triggers and outcomes, copied into a file, raise no warning.

    They all fire in some games, so lint must not call any of them impossible (or trivial).
    """
    lines = [VALID.replace("turns: 12", "turns: 24"), "triggers:\n"]
    for t in catalog.triggers:
        lines.append(f"  - id: copy_{t.id}\n    text: Copy of {t.id}.\n    when: {t.when!r}\n")
    lines.append("outcomes:\n")
    for o in catalog.outcomes:
        lines.append(f"  - id: copy_{o.id}\n    title: Copy of {o.id}\n    when: {o.when!r}\n")
    assert lint(write_yaml("".join(lines))) == []


def test_walkthrough_example_has_no_warnings() -> None:
    """The guide's finished example is lint-clean."""
    assert lint(ROOT / "docs" / "examples" / "seventh_test_election.yaml") == []


def test_lint_accepts_paths_and_strings(write_yaml) -> None:
    """`lint` takes what `tripwire validate` takes: a path, a string path or a bundled name."""
    path = write_yaml(TRIGGER + '"world.tension > 120"\n')
    assert lint(str(path)) == lint(Path(path))
