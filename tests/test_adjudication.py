"""Conformance tests: one test per rule of a turn, the rule quoted in the docstring.

Each test plays a purpose-built scenario in which the catalog's actions, triggers and
dynamics are switched off, so that only the rule under test moves the state. Seats are
played by :class:`QueuedPolicy` with explicit moves, so nothing depends on bot taste.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import yaml

from tripwire.catalog import load_catalog
from tripwire.scenario.loader import load_scenario
from tripwire.sim.model import CrisisModel
from tripwire.sim.policies import QueuedPolicy
from tripwire.sim.rules import Rules, compile_rules
from tripwire.sim.turn import ARRAY, SCALAR, next_rung

ACTORS = ("RUS", "PRK", "CHN", "USA", "KOR", "JPN")


def action(id: str, actors: list[str], **extra: Any) -> dict[str, Any]:
    """A test action with neutral defaults."""
    spec = {
        "id": id,
        "name": id,
        "description": id,
        "actors": actors,
        "domain": "military",
        "cost": 0,
        "success": 1.0,
        "cameo": "010",
        "escalation": "status_quo",
        "rung": 1,
        "source": "test",
    }
    spec.update(extra)
    return spec


def isolated(tmp_path, **parts: Any) -> Rules:
    """Compile a scenario with the catalog's actions, triggers and dynamics switched off."""
    cat = load_catalog()
    doc = {
        "schema_version": 1,
        "id": "conformance",
        "title": "Conformance",
        "description": "Adjudication conformance test.",
        "turns": parts.pop("turns", 4),
        "start": "2026-01",
        "disable": {
            "actions": [a.id for a in cat.actions],
            "triggers": [t.id for t in cat.triggers],
            "dynamics": [d.id for d in cat.dynamics],
        },
        **parts,
    }
    path = tmp_path / "conformance.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return compile_rules(load_scenario(path))


def move(rules: Rules, actor: str, action_id: str, target: str | None = None) -> int:
    for m in rules.moves:
        if m.actor == actor and m.action == action_id and m.target == target:
            return m.index
    raise KeyError((actor, action_id, target))


def play(
    rules: Rules, plan: dict[str, list[list[int]]], seed: int = 1, turns: int | None = None
) -> CrisisModel:
    """Play with every seat queued: ``plan[actor]`` lists the moves of each turn."""
    policies = {a: QueuedPolicy(plan.get(a, [[]] * rules.turns)) for a in ACTORS}
    model = CrisisModel(rules, rng=seed, policies=policies, collect=False, turns=turns)
    return model.run()


def actions_of(model: CrisisModel, turn: int) -> list[dict[str, Any]]:
    return [
        e
        for e in model.log
        if e.get("type") == "event" and e["turn"] == turn and e["kind"] == "action"
    ]


def snapshot(model: CrisisModel, turn: int) -> dict[str, float]:
    return next(r for r in model.log if r["type"] == "turn" and r["turn"] == turn)["state"]


def test_rule1_resolution_order(tmp_path):
    """Rule 1: moves resolve by domain (diplomatic, economic, intelligence, propaganda,
    military), then by actor (RUS, PRK, CHN, USA, KOR, JPN), then in the actor's own order."""
    rules = isolated(
        tmp_path,
        actions=[
            action("mil_a", ["PRK", "RUS"], domain="military"),
            action("mil_b", ["PRK"], domain="military"),
            action("dip", ["PRK"], domain="diplomatic"),
            action("eco", ["JPN"], domain="economic"),
        ],
    )
    model = play(
        rules,
        {
            "PRK": [
                [
                    move(rules, "PRK", "mil_b"),
                    move(rules, "PRK", "dip"),
                    move(rules, "PRK", "mil_a"),
                ]
            ],
            "RUS": [[move(rules, "RUS", "mil_a")]],
            "JPN": [[move(rules, "JPN", "eco")]],
        },
        turns=1,
    )
    order = [(e["actor"], e["action"]) for e in actions_of(model, 1) if e["action"] != "hold"]
    assert order == [
        ("PRK", "dip"),
        ("JPN", "eco"),
        ("RUS", "mil_a"),
        ("PRK", "mil_b"),
        ("PRK", "mil_a"),
    ]
    seqs = [e["seq"] for e in actions_of(model, 1)]
    assert seqs == sorted(seqs)


def test_rule2_precondition_rechecked_at_resolution(tmp_path):
    """Rule 2: a move whose precondition an earlier move of the same turn made false is
    cancelled: no roll, no effects, not counted, no escalation."""
    rules = isolated(
        tmp_path,
        state={"world.unsc_draft": 1},
        actions=[
            action(
                "withdraw_draft", ["USA"], domain="diplomatic", effects={"world.unsc_draft": -1}
            ),
            action(
                "needs_draft",
                ["PRK"],
                domain="military",
                precondition="world.unsc_draft >= 1",
                escalation="violent",
                effects={"world.tension": 10},
            ),
        ],
        triggers=[
            {
                "id": "counted",
                "text": "PRK acted",
                "when": "count('PRK', action='needs_draft') >= 1",
            }
        ],
    )
    model = play(
        rules,
        {
            "USA": [[move(rules, "USA", "withdraw_draft")]],
            "PRK": [[move(rules, "PRK", "needs_draft")]],
        },
        turns=1,
    )
    cancelled = next(e for e in actions_of(model, 1) if e["action"] == "needs_draft")
    assert cancelled["cancelled"] is True
    assert (
        cancelled["success"] is False and cancelled["roll"] is None and cancelled["effects"] == {}
    )
    assert snapshot(model, 1)["world.tension"] == snapshot(model, 0)["world.tension"]
    assert model.log[-2]["escalation_score"] == 0
    assert model.trigger_counts["counted"] == 0


@pytest.mark.parametrize("seed", range(12))
def test_rule3_success_is_roll_below_chance(tmp_path_factory, seed):
    """Rule 3: a move succeeds when its pre-drawn roll (uniform on [0, 1)) is below its
    success chance, evaluated at resolution and clipped to [0, 1]; both are recorded."""
    rules = isolated(
        tmp_path_factory.mktemp("r3"),
        actions=[
            action("coin", ["PRK"], success=0.5, effects={"world.tension": 1}),
            action("by_state", ["RUS"], success="world.tension / 50", effects={"world.tension": 1}),
            action("sure", ["USA"], success="2", effects={"world.tension": 1}),
            action("never", ["KOR"], success="-1", effects={"world.tension": 1}),
        ],
    )
    plan = {
        "PRK": [[move(rules, "PRK", "coin")]] * 4,
        "RUS": [[move(rules, "RUS", "by_state")]] * 4,
        "USA": [[move(rules, "USA", "sure")]] * 4,
        "KOR": [[move(rules, "KOR", "never")]] * 4,
    }
    model = play(rules, plan, seed=seed)
    for turn in range(1, 5):
        for e in actions_of(model, turn):
            if e["action"] == "hold":
                continue
            assert 0.0 <= e["roll"] < 1.0
            assert e["success"] == (e["roll"] < e["p"])
            if e["action"] == "sure":
                assert e["p"] == 1.0 and e["success"]
            if e["action"] == "never":
                assert e["p"] == 0.0 and not e["success"]


def test_rule3_rolls_are_fixed_per_move_and_turn(tmp_path):
    """Rule 3 (dice): every move has its own roll each turn, drawn whether or not anyone
    chose it, so a seat's choice does not change the dice of the others."""
    rules = isolated(
        tmp_path,
        actions=[action("coin", ["PRK", "RUS"], success=0.5), action("other", ["JPN"])],
    )
    with_jpn = play(
        rules,
        {"PRK": [[move(rules, "PRK", "coin")]], "JPN": [[move(rules, "JPN", "other")]]},
        seed=5,
        turns=1,
    )
    without = play(rules, {"PRK": [[move(rules, "PRK", "coin")]]}, seed=5, turns=1)
    roll = [e["roll"] for e in actions_of(with_jpn, 1) if e["action"] == "coin"]
    assert roll == [e["roll"] for e in actions_of(without, 1) if e["action"] == "coin"]


def test_rule4_effects_on_success_and_on_failure(tmp_path):
    """Rule 4: a success applies the action's effects; a failure its on_failure effects."""
    rules = isolated(
        tmp_path,
        actions=[
            action(
                "works",
                ["PRK"],
                success=1.0,
                effects={"PRK.icbm": 4},
                on_failure={"world.tension": 9},
            ),
            action(
                "fails",
                ["RUS"],
                success=0.0,
                effects={"RUS.posture": 4},
                on_failure={"world.tension": 3},
            ),
        ],
    )
    model = play(
        rules,
        {"PRK": [[move(rules, "PRK", "works")]], "RUS": [[move(rules, "RUS", "fails")]]},
        turns=1,
    )
    before, after = snapshot(model, 0), snapshot(model, 1)
    assert after["PRK.icbm"] == before["PRK.icbm"] + 4
    assert after["RUS.posture"] == before["RUS.posture"]
    assert after["world.tension"] == before["world.tension"] + 3
    events = {e["action"]: e for e in actions_of(model, 1)}
    assert events["works"]["effects"] == {"PRK.icbm": 4.0}
    assert events["fails"]["effects"] == {"world.tension": 3.0}


def test_rule5_relations_move_by_goldstein(tmp_path):
    """Rule 5: a targeted move moves relations between actor and target by
    param.goldstein_to_relations x the Goldstein value of its CAMEO code (half on failure)."""
    rules = isolated(
        tmp_path,
        state={"param.goldstein_to_relations": 0.5},
        actions=[
            action("threaten", ["USA"], targets=["PRK"], cameo="138", success=1.0),
            action("aid", ["CHN"], targets=["PRK"], cameo="071", success=0.0),
        ],
    )
    model = play(
        rules,
        {
            "USA": [[move(rules, "USA", "threaten", "PRK")]],
            "CHN": [[move(rules, "CHN", "aid", "PRK")]],
        },
        turns=1,
    )
    cameo = load_catalog().cameo
    before, after = snapshot(model, 0), snapshot(model, 1)
    assert after["rel.PRK_USA"] == pytest.approx(before["rel.PRK_USA"] + 0.5 * cameo["138"][1])
    assert after["rel.CHN_PRK"] == pytest.approx(before["rel.CHN_PRK"] + 0.5 * cameo["071"][1] / 2)
    threaten = next(e for e in actions_of(model, 1) if e["action"] == "threaten")
    assert threaten["goldstein"] == cameo["138"][1] and threaten["cameo"] == "138"


def test_rule6_changes_clipped_to_range(tmp_path):
    """Rule 6: every change is clipped at once to the variable's range, and the log records
    the change actually applied."""
    rules = isolated(
        tmp_path,
        state={"PRK.icbm": 98},
        actions=[
            action(
                "overshoot", ["PRK"], effects={"PRK.icbm": 10, "world.sanctions_enforcement": -5}
            )
        ],
    )
    model = play(rules, {"PRK": [[move(rules, "PRK", "overshoot")]]}, turns=1)
    after = snapshot(model, 1)
    assert after["PRK.icbm"] == 100.0
    assert after["world.sanctions_enforcement"] == 0.0
    event = next(e for e in actions_of(model, 1) if e["action"] == "overshoot")
    assert event["effects"]["PRK.icbm"] == 2.0


def test_rule7_escalation_score_sums_categories(tmp_path):
    """Rule 7: the turn's escalation score is the sum of the Rivera et al. category scores of
    the moves taken (successful or not); cancelled moves and holds count 0."""
    rules = isolated(
        tmp_path,
        actions=[
            action("strike", ["PRK"], escalation="violent", success=0.0),
            action("drill", ["USA"], escalation="posturing"),
            action("talk", ["CHN"], escalation="de_escalation", domain="diplomatic"),
            action(
                "impossible", ["KOR"], escalation="nuclear", precondition="world.tension > 1000"
            ),
        ],
    )
    model = play(
        rules,
        {
            "PRK": [[move(rules, "PRK", "strike")]],
            "USA": [[move(rules, "USA", "drill")]],
            "CHN": [[move(rules, "CHN", "talk")]],
            "KOR": [[move(rules, "KOR", "impossible")]],
        },
        turns=1,
    )
    assert snapshot(model, 1)["world.escalation_score"] == 28 + 4 - 2
    assert model.log[-2]["escalation_score"] == 30


@pytest.mark.parametrize(
    ("rung", "signalled", "tension", "expected"),
    [
        (3, 5, 50, 5),
        (5, 5, 50, 5),
        (5, 2, 50, 4),
        (1, 0, 50, 1),
        (9, 0, 50, 8),
        (2, 44, 50, 44),
        # a tense month lifts a military signal (rung 4 and up) one rung per 20 points above
        # 50 at param.tension_rungs 0.5, whole rungs only
        (3, 5, 69, 5),
        (3, 5, 70, 6),
        (3, 5, 90, 7),
        (3, 4, 100, 6),
        # ... but not a political gesture (below rung 4), nor a calm month
        (1, 3, 90, 3),
        (3, 5, 20, 5),
        # the lift counts when it takes the signal to the current rung: no fall then
        (6, 5, 70, 6),
    ],
)
def test_rule8_rung_table(rung, signalled, tension, expected):
    """Rule 8: the rung rises to the highest rung signalled by a successful move; if none
    signalled the current rung or higher, it falls by one (never below 1). One function is
    the rule for both executors: one game's floats and many games' arrays."""
    assert next_rung(float(rung), signalled, float(tension), 0.5, SCALAR) == expected
    many = next_rung(
        np.array([float(rung)] * 2),
        np.array([signalled] * 2),
        np.array([float(tension)] * 2),
        np.array([0.5] * 2),
        ARRAY,
    )
    assert many.tolist() == [expected, expected]


def test_rule8_rung_in_play(tmp_path):
    """Rule 8 in a game: a show of force lifts the rung; failed moves signal nothing; quiet
    turns bring it down one rung at a time."""
    rules = isolated(
        tmp_path,
        state={"world.escalation_rung": 3},
        actions=[action("show", ["USA"], rung=6), action("dud", ["PRK"], rung=12, success=0.0)],
    )
    model = play(
        rules,
        {"USA": [[move(rules, "USA", "show")], [], []], "PRK": [[move(rules, "PRK", "dud")]] * 3},
        turns=3,
    )
    assert [snapshot(model, t)["world.escalation_rung"] for t in (1, 2, 3)] == [6.0, 5.0, 4.0]


def test_decisions_are_simultaneous(tmp_path):
    """Turn phase 2: every actor decides on the same view of the state; nobody sees this
    turn's other choices before deciding."""
    rules = isolated(tmp_path, actions=[action("a", list(ACTORS), effects={"world.tension": 5})])
    seen = []

    class Recorder(QueuedPolicy):
        def choose(self, actor_index, view):
            seen.append((view.turn, id(view), float(view.state[rules.index["world.tension"]])))
            return [rules.actor_slices[actor_index].start]

    model = CrisisModel(
        rules, rng=1, policies={a: Recorder() for a in ACTORS}, collect=False, turns=2
    ).run()
    for turn in (1, 2):
        views = {(v, t) for (tt, v, t) in seen if tt == turn}
        assert len(views) == 1
    assert snapshot(model, 1)["world.tension"] == snapshot(model, 0)["world.tension"] + 30


def test_hold_is_logged(tmp_path):
    """A seat that takes no action is recorded as holding (no CAMEO code, score 0)."""
    rules = isolated(tmp_path, actions=[action("a", ["PRK"])])
    model = play(rules, {}, turns=1)
    holds = [e for e in actions_of(model, 1) if e["action"] == "hold"]
    assert sorted(e["actor"] for e in holds) == sorted(ACTORS)
    assert all(e["cameo"] is None and e["score"] == 0 for e in holds)


def test_injects_timeline_chance_and_when(tmp_path):
    """Turn phase 1: a scheduled inject fires on its turn; a chance inject fires when its
    roll is below its chance and its condition holds, at most once if `once`."""
    rules = isolated(
        tmp_path,
        turns=5,
        injects=[
            {"id": "on_three", "turn": 3, "text": "t3", "effects": {"world.tension": 1}},
            {"id": "always", "chance": 1.0, "once": False, "text": "a", "effects": {"PRK.icbm": 1}},
            {"id": "first_only", "chance": 1.0, "once": True, "text": "f"},
            {"id": "gated", "chance": 1.0, "once": False, "when": "turn() >= 4", "text": "g"},
            {"id": "never", "chance": 0.0, "once": False, "text": "n"},
            {"id": "library", "text": "only on call"},
        ],
    )
    model = play(rules, {}, turns=5)
    fired: dict[str, list[int]] = {}
    for e in model.log:
        if e.get("kind") == "inject":
            fired.setdefault(e["id"], []).append(e["turn"])
    assert fired == {
        "on_three": [3],
        "always": [1, 2, 3, 4, 5],
        "first_only": [1],
        "gated": [4, 5],
    }


def test_trigger_once_and_cooldown(tmp_path):
    """Turn phase 4: a trigger fires on every turn its condition holds, except that a `once`
    trigger fires at most once and a trigger with cooldown n waits n turns after firing."""
    rules = isolated(
        tmp_path,
        turns=8,
        triggers=[
            {"id": "every", "text": "e", "when": "true"},
            {"id": "once", "text": "o", "when": "true", "once": True},
            {"id": "cool2", "text": "c", "when": "true", "cooldown": 2},
        ],
    )
    model = play(rules, {}, turns=8)
    turns: dict[str, list[int]] = {}
    for e in model.log:
        if e.get("kind") == "trigger":
            turns.setdefault(e["id"], []).append(e["turn"])
    assert turns["every"] == list(range(1, 9))
    assert turns["once"] == [1]
    assert turns["cool2"] == [1, 4, 7]
    assert model.log[-1]["triggers"] == {"every": 8, "once": 1, "cool2": 3}


def test_trigger_effects_weights_and_inject(tmp_path):
    """A firing trigger applies its effects, shifts objective weights for the rest of the
    game, and fires the inject it names."""
    rules = isolated(
        tmp_path,
        turns=2,
        injects=[{"id": "consequence", "text": "c", "effects": {"KOR.posture": 2}}],
        triggers=[
            {
                "id": "t",
                "text": "t",
                "when": "turn() == 1",
                "effects": {"world.tension": 5},
                "weights": {"KOR.security": 0.5},
                "inject": "consequence",
            }
        ],
    )
    model = play(rules, {}, turns=1)
    k = rules.objective_index("KOR.security")
    assert model.weights[k] == pytest.approx(rules.weights0[k] + 0.5)
    kinds = [(e["kind"], e["id"]) for e in model.log if e.get("kind") in ("trigger", "inject")]
    assert kinds == [("trigger", "t"), ("inject", "consequence")]
    after, before = snapshot(model, 1), snapshot(model, 0)
    assert after["world.tension"] == before["world.tension"] + 5
    assert after["KOR.posture"] == before["KOR.posture"] + 2


def test_outcome_first_turn_recorded_once(tmp_path):
    """Turn phase 4: outcomes are checked every turn; the first turn one holds is recorded
    and announced once."""
    rules = isolated(
        tmp_path,
        turns=5,
        outcomes=[{"id": "late", "title": "Late", "when": "turn() >= 3"}],
    )
    model = play(rules, {}, turns=5)
    assert model.reached["late"] == 3
    assert [e["turn"] for e in model.log if e.get("kind") == "outcome" and e["id"] == "late"] == [3]
    assert model.log[-1]["outcomes"]["late"] == {"reached": True, "turn": 3}
    assert model.log[-1]["outcomes"]["sanctions_collapse"]["reached"] is False


def test_dynamics_are_simultaneous(tmp_path):
    """Turn phase 4: every dynamics rate is computed from the same state, then all are added
    and clipped: two terms that swap two variables swap them."""
    rules = isolated(
        tmp_path,
        state={"KOR.posture": 20, "JPN.posture": 60},
        dynamics=[
            {"id": "a", "var": "KOR.posture", "rate": "JPN.posture - KOR.posture"},
            {"id": "b", "var": "JPN.posture", "rate": "KOR.posture - JPN.posture"},
            {"id": "c", "var": "PRK.icbm", "rate": 1000},
        ],
    )
    model = play(rules, {}, turns=1)
    after = snapshot(model, 1)
    assert (after["KOR.posture"], after["JPN.posture"]) == (60.0, 20.0)
    assert after["PRK.icbm"] == 100.0


def test_turn_order_injects_before_decisions_triggers_after_dynamics(tmp_path):
    """A turn runs injects, decisions, adjudication, dynamics, triggers, outcomes in that
    order: the trigger sees the dynamics' result, the decision sees the inject's."""
    rules = isolated(
        tmp_path,
        turns=1,
        state={"world.talks_prospects": 0},
        injects=[{"id": "open", "turn": 1, "text": "o", "effects": {"world.talks_prospects": 50}}],
        actions=[
            action(
                "talk",
                ["CHN"],
                precondition="world.talks_prospects >= 50",
                effects={"world.tension": -1},
            )
        ],
        dynamics=[{"id": "d", "var": "PRK.posture", "rate": 40}],
        triggers=[{"id": "after_dynamics", "text": "t", "when": "PRK.posture >= 90"}],
        outcomes=[{"id": "after_triggers", "title": "o", "when": "fired('after_dynamics') >= 1"}],
    )
    before = play(rules, {"CHN": [[move(rules, "CHN", "talk")]]}, turns=1)
    kinds = [
        e["kind"] for e in before.log if e.get("type") == "event" and e.get("action") != "hold"
    ]
    assert kinds == ["inject", "action", "trigger", "outcome"]
    talk = next(e for e in actions_of(before, 1) if e["action"] == "talk")
    assert talk["success"] and not talk.get("cancelled")


def _joint_rules(tmp_path) -> Rules:
    return isolated(
        tmp_path,
        variables=[{"name": "world.drills", "min": 0, "max": 100, "default": 0,
                    "description": "Drills held."}],
        actions=[action("drill", ["USA", "KOR", "JPN"], joint=True, tags=["drill"],
                        effects={"world.drills": 1})],
        outcomes=[{"id": f"{a.lower()}_drilled", "title": f"{a} drilled",
                   "when": f"count('{a}', tag='drill', last=1) >= 1"}
                  for a in ("USA", "KOR", "JPN")],
    )  # fmt: skip


def test_rule9_a_joint_move_is_made_once_and_counts_for_every_partner(tmp_path):
    """Rule 9: when several partners choose a joint move in one turn it is made once (one
    roll, one set of effects, one event naming the partners), and it counts for each of
    them, whoever made it."""
    rules = _joint_rules(tmp_path)
    plan = {
        "USA": [[move(rules, "USA", "drill")]],
        "KOR": [[move(rules, "KOR", "drill")]],
        "JPN": [[]],
    }
    model = play(rules, plan, turns=1)
    made = [e for e in actions_of(model, 1) if e["action"] == "drill"]
    assert len(made) == 1
    assert made[0]["actor"] == "USA" and made[0]["partners"] == ["KOR", "JPN"]
    assert snapshot(model, 1)["world.drills"] == 1
    assert {
        o: model.reached[o] for o in ("usa_drilled", "kor_drilled", "jpn_drilled")
    } == dict.fromkeys(("usa_drilled", "kor_drilled", "jpn_drilled"), 1)


def test_rule9_a_human_partner_must_choose_a_joint_move(tmp_path):
    """A human partner takes part only if it chose the move: a bot's joint move with a
    human partner who did not is cancelled, marked declined; the seat is never drawn into
    a move it did not choose."""
    from tripwire.sim.policies import HumanSeat

    rules = _joint_rules(tmp_path)
    policies = {a: QueuedPolicy([[]] * 2) for a in ACTORS}
    policies["USA"] = QueuedPolicy([[move(rules, "USA", "drill")], []])
    policies["KOR"] = HumanSeat()
    model = CrisisModel(rules, rng=1, policies=policies, collect=False, turns=1)
    model.begin_turn()
    model.decide("KOR", [])
    model.resolve_turn()
    (drill,) = [e for e in actions_of(model, 1) if e["action"] == "drill"]
    assert drill["cancelled"] and drill["declined"] == ["KOR"]
    assert snapshot(model, 1)["world.drills"] == 0


def test_bots_make_a_joint_move_only_with_willing_partners(tmp_path):
    """A bot partner takes part when its own copy of the move is worth taking to it: with a
    partner that gains nothing and pays a cost, nobody drills; with every partner gaining,
    they drill together."""
    doc_actions = [action("drill", ["USA", "KOR"], joint=True, cost=1.0,
                          effects={"alliance.cohesion": 5})]  # fmt: skip
    rules = isolated(tmp_path, actions=doc_actions, actors={"KOR": {"objectives": {
        "alliance": 0, "security": 0, "engagement": 0, "nuclear_option": 0}}})  # fmt: skip
    usa, kor = move(rules, "USA", "drill"), move(rules, "KOR", "drill")
    model = CrisisModel(rules, rng=1, collect=False, turns=1)
    model.begin_turn()
    assert model.view.utility[kor] < 0 < model.view.utility[usa]
    assert not model.view.legal[usa] or model.view.scores[usa] == -np.inf
    assert model.view.ranked[ACTORS.index("USA")] == []
    keen = isolated(tmp_path, actions=doc_actions)
    game = CrisisModel(keen, rng=1, collect=False, turns=1).run()
    assert [e["actor"] for e in actions_of(game, 1) if e["action"] == "drill"] == ["USA"]


def test_reversing_a_recent_move_costs_and_both_never_in_one_turn(tmp_path):
    """Audience costs: an actor that undoes its own recent stance pays param.reversal_cost
    per recent use of it; a bot never takes a move and its reversal in one turn, and a
    human seat is told why it cannot."""
    acts = [
        action("tighten", ["CHN"], effects={"world.tension": -1}),
        action("relax", ["CHN"], reverses=["tighten"], effects={"world.tension": -1}),
    ]
    rules = isolated(tmp_path, actions=acts, state={"param.repetition_cost": 0})
    tighten, relax = move(rules, "CHN", "tighten"), move(rules, "CHN", "relax")
    model = CrisisModel(rules, rng=1, collect=False, turns=3,
                        policies={"CHN": QueuedPolicy([[tighten]])})  # fmt: skip
    model.begin_turn()
    before = model.view.utility[relax]
    model.resolve_turn()
    model.begin_turn()
    cost = model.view.state[rules.index["param.reversal_cost"]]
    assert model.view.utility[relax] == pytest.approx(before - cost)
    assert model.view.utility[tighten] == pytest.approx(before)  # repeating is no reversal
    picks = model.view.ranked[ACTORS.index("CHN")]
    assert not {tighten, relax} <= set(picks)
    seat = CrisisModel(rules, rng=1, collect=False, policies={"CHN": HumanSeatForTest()})
    seat.begin_turn()
    with pytest.raises(ValueError, match="one reverses the other"):
        seat.decide("CHN", [tighten, relax])


class HumanSeatForTest:
    def choose(self, actor_index, view):
        return None


def test_a_stance_binds_longer_than_a_signal_tires(tmp_path):
    """Two memories of an actor's own moves: the repetition cost reads a count that keeps
    param.repetition_memory a turn, the reversal cost one that keeps param.stance_memory
    (audience costs of a public stance outlast the fatigue of a signal). Three turns after
    one tightening, relaxing still costs reversal_cost x stance_memory^3 while tightening
    again costs repetition_cost x repetition_memory^3, whatever the other memory is."""
    acts = [
        action("tighten", ["CHN"], effects={"world.tension": -1}),
        action("relax", ["CHN"], reverses=["tighten"], effects={"world.tension": -1}),
    ]
    for stance, memory in ((0.8, 0.5), (0.5, 0.5), (0.3, 0.9)):
        rules = isolated(tmp_path, actions=acts, state={
            "param.stance_memory": stance, "param.repetition_memory": memory,
            "param.reversal_cost": 2.0, "param.repetition_cost": 1.0})  # fmt: skip
        tighten, relax = move(rules, "CHN", "tighten"), move(rules, "CHN", "relax")
        model = CrisisModel(rules, rng=1, collect=False, turns=5,
                            policies={"CHN": QueuedPolicy([[tighten], [], [], []])})  # fmt: skip
        model.begin_turn()
        fresh = model.view.utility[[tighten, relax]]
        model.resolve_turn()
        for _ in range(3):  # tighten, then hold twice
            model.begin_turn()
            model.resolve_turn()
        model.begin_turn()
        now = model.view.utility[[tighten, relax]]
        assert fresh[0] - now[0] == pytest.approx(1.0 * memory**3)
        assert fresh[1] - now[1] == pytest.approx(2.0 * stance**3)
