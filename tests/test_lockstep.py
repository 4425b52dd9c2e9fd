"""The lockstep batch engine plays exactly the games the one-game model plays.

A batch's results are defined as those of :class:`CrisisModel` with each run's seed; the
lockstep engine is only a faster way to get them. These tests play the same seeds both ways
and compare every result field exactly (no tolerance): outcome turns, peak rung, escalation
score, trigger counts, moves taken, the final state and the per-turn series.
"""

from __future__ import annotations

import copy
from pathlib import Path

import mesa
import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.test_properties import perturbed_scenario
from tripwire.errors import ScenarioError
from tripwire.scenario.expr import compile_group
from tripwire.scenario.loader import bundled_scenarios, load_scenario
from tripwire.scenario.overrides import Assignment, apply_overrides
from tripwire.scenario.vectorized import compile_vector_group, compile_vector_update
from tripwire.session import whitecell
from tripwire.sim.lockstep import LockstepCountry, LockstepModel
from tripwire.sim.model import CrisisModel, rules_for
from tripwire.sim.policies import BotPolicy, HumanSeat
from tripwire.sim.rules import Rules, compile_rules

FEATURES = Path(__file__).parent / "data" / "lockstep_features.yaml"
BUNDLED = sorted(bundled_scenarios())
WATCH = ("world.tension", "world.escalation_rung", "world.escalation_score", "PRK.icbm")


def seeds(n: int, start: int = 0) -> list[int]:
    return [1_000_003 * i + 17 for i in range(start, start + n)]


def assert_same_games(rules: Rules, game_seeds: list[int], *, turns: int | None = None) -> None:
    """Play the seeds both ways and compare every result of every game."""
    batch = LockstepModel(rules, game_seeds, turns=turns, series=WATCH).run().result()
    for g, seed in enumerate(game_seeds):
        one = CrisisModel(rules, rng=seed, turns=turns, record=False, collect=False, series=WATCH)
        one.run()
        where = f"game {g} (seed {seed})"
        assert batch.reached[:, g].tolist() == [t or 0 for t in one.reached.values()], where
        assert batch.peak_rung[g] == one.peak_rung, where
        assert batch.total_score[g] == one.total_score, where
        assert batch.trigger_counts[:, g].tolist() == list(one.trigger_counts.values()), where
        assert batch.move_counts[:, g].tolist() == one.move_counts.tolist(), where
        # bit for bit, not just equal values
        assert batch.state[:, g].tobytes() == one.state.tobytes(), where
        assert batch.series[:, g, :].tobytes() == np.asarray(one.series).tobytes(), where


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenarios_play_the_same_games(name: str) -> None:
    assert_same_games(rules_for(name), seeds(40))


def test_a_scenario_using_every_rule_plays_the_same_games() -> None:
    assert_same_games(compile_rules(load_scenario(FEATURES)), seeds(150))


def test_the_features_scenario_exercises_what_it_is_for() -> None:
    """The comparison above means something only if the features are used in those games:
    every inject and trigger fires, the outcome is reached in some games and not others,
    the move that names a relation twice is taken, and moves are cancelled by the re-check
    of their precondition at resolution (adjudication rule 2)."""
    rules = compile_rules(load_scenario(FEATURES))
    batch = LockstepModel(rules, seeds(150)).run().result()
    for k, trigger in enumerate(rules.triggers):
        if trigger.id in ("drill_backlash", "first_fatigue"):
            assert batch.trigger_counts[k].sum() > 0, trigger.id
    drills = rules.outcome_ids.index("drills_exhausted")
    assert 0 < (batch.reached[drills] > 0).sum() < 150
    usa_drill = next(
        m.index for m in rules.moves if m.action == "stress_drill" and m.actor == "USA"
    )
    assert batch.move_counts[usa_drill].sum() > 0
    fired: set[str] = set()
    cancelled = 0
    for seed in seeds(30):
        model = CrisisModel(rules, rng=seed, collect=False).run()
        for record in model.log:
            if record.get("kind") == "inject":
                fired.add(record["id"])
            cancelled += bool(record.get("cancelled"))
    assert {"rumour", "one_off_shock", "scheduled_if_calm", "backlash_follow_up"} <= fired
    assert cancelled > 0


def test_a_different_number_of_turns_and_a_single_game() -> None:
    rules = rules_for("missile_crisis_2")
    assert_same_games(rules, seeds(5), turns=7)
    assert_same_games(rules, seeds(1, start=99))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tension=st.floats(0, 100),
    risk=st.floats(0, 1),
    points=st.integers(1, 4),
    noise=st.sampled_from([0.0, 0.5, 3.0, 20.0]),
    aversion=st.floats(0, 5),
    first_seed=st.integers(0, 2**40),
)
def test_overridden_scenarios_play_the_same_games(  # noqa: PLR0917 (hypothesis arguments)
    tension: float, risk: float, points: int, noise: float, aversion: float, first_seed: int
) -> None:
    """Any --set of the starting state and the actors' parameters: the same games."""
    spec = apply_overrides(
        load_scenario("missile_crisis_2"),
        [
            Assignment("world.tension", tension),
            Assignment("KOR.risk_tolerance", risk),
            Assignment("USA.action_points", points),
            Assignment("PRK.noise", noise),
            Assignment("param.risk_aversion", aversion),
        ],
    )
    assert_same_games(compile_rules(spec), [first_seed + i for i in range(6)], turns=12)


def test_it_is_a_mesa_model_with_six_country_agents() -> None:
    model = LockstepModel(rules_for("baseline"), seeds(3), turns=4)
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == 6
    assert all(isinstance(a, LockstepCountry) for a in model.agents)
    model.run()
    assert model.turn == 4 and not model.running
    with pytest.raises(RuntimeError, match="over"):
        model.step()


# --- the condition language, vectorised ----------------------------------------------------


def _every_condition(rules: Rules) -> list[tuple[str, object]]:
    src = rules.sources
    return [
        *(("num", item) for item in (*src.gain, *src.success)),
        *(("bool", item) for item in (*src.precondition, *src.inject_when, *src.trigger)),
        *(("bool", item) for item in src.outcome),
    ]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), turn=st.integers(1, 30))
def test_vector_conditions_agree_with_scalar_ones_in_any_state(seed: int, turn: int) -> None:
    """Every condition of the features scenario, in random states (values anywhere in their
    ranges, nearly half of them exactly at a bound, at 0 or at -0), evaluated for 5 games at
    once, equals its scalar evaluation in each game, bit for bit."""
    rules = compile_rules(load_scenario(FEATURES))
    games = 5
    rng = np.random.default_rng(seed)
    state = rng.uniform(rules.lo[:, None], rules.hi[:, None], size=(len(rules.lo), games))
    pick = rng.integers(0, 9, size=state.shape)
    special = np.stack([np.repeat(rules.lo[:, None], games, 1),
                        np.repeat(rules.hi[:, None], games, 1),
                        np.zeros_like(state), np.full_like(state, -0.0)])  # fmt: skip
    state = np.where(pick < 4, special[np.minimum(pick, 3), *np.indices(state.shape)], state)
    state = np.ascontiguousarray(state)
    counts = rng.integers(0, 5, size=(2, games))

    def c_vec(actor: int, key: int, last: int) -> np.ndarray:
        return counts[0] * (actor + 1) + key + last % 3

    def f_vec(event: int, last: int) -> np.ndarray:
        return counts[1] + event % 2 + last % 2

    for kind, (expr, binding) in _every_condition(rules):
        vector = compile_vector_group([(expr, binding)], kind)
        got = vector(state, c_vec, f_vec, turn)[0]
        one = compile_group([(expr, binding)])
        for g in range(games):
            want = one(
                state[:, g].tolist(),
                lambda a, k, la, g=g: int(c_vec(a, k, la)[g]),
                lambda e, la, g=g: int(f_vec(e, la)[g]),
                turn,
            )[0]
            assert np.float64(got[g]).tobytes() == np.float64(want).tobytes() or (
                np.isnan(got[g]) and np.isnan(want)
            ), (expr.source, g)


def test_vector_dynamics_step_agrees_with_the_scalar_step() -> None:
    rules = compile_rules(load_scenario(FEATURES))
    rng = np.random.default_rng(5)
    state = rng.uniform(rules.lo[:, None], rules.hi[:, None], size=(len(rules.lo), 64))
    state[:, 0] = rules.lo
    state[:, 1] = rules.hi
    update = compile_vector_update(rules.sources.dynamics, rules.lo_list, rules.hi_list)

    def zeros(*_: int) -> np.ndarray:
        return np.zeros(64, dtype=np.int64)

    vector = state.copy()
    with np.errstate(all="ignore"):  # the overflowing rate: inf and nan, skipped
        update(vector, zeros, zeros, 3)
    for g in range(64):
        s = state[:, g].tolist()
        rules.dynamics_update(s, lambda *_: 0, lambda *_: 0, 3)
        assert np.array(s).tobytes() == vector[:, g].tobytes(), g


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=perturbed_scenario(), first_seed=st.integers(0, 2**40))
def test_generated_scenarios_play_the_same_games(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[dict, bool], first_seed: int
) -> None:
    """Any scenario the generator of tests/test_properties.py makes that loads (random
    starting values, actor overrides, triggers with random conditions and effects, dynamics
    whose rates divide by zero or overflow to inf and nan) plays the same games both ways."""
    doc, _ = case
    path = tmp_path_factory.mktemp("generated") / "perturbed.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    try:
        spec = load_scenario(path)
    except ScenarioError:
        event("refused")
        return  # refusals are test_properties.py's concern
    event("played")
    assert_same_games(compile_rules(spec), [first_seed + i for i in range(4)])


def _continued_one_by_one(game: CrisisModel, seed: int) -> CrisisModel:
    """The reference continuation: a copy of the game, bots in every seat, its own dice."""
    copy_ = copy.deepcopy(game, memo={id(game.rules): game.rules})
    for agent in copy_.agents:
        agent.policy = BotPolicy()
    copy_.rng = np.random.default_rng(seed)
    return copy_.run()


@pytest.mark.parametrize("scenario", ["missile_crisis_2", FEATURES])
def test_continuing_a_game_in_progress_plays_the_same_futures(scenario: str | Path) -> None:
    """A game played 5 turns, with the white cell's acts (a value set, an inject now, an
    inject queued for the next turn) and a human seat, continues the same way both ways."""
    rules = compile_rules(load_scenario(scenario))
    game = CrisisModel(rules, rng=11, record=False, collect=False, policies={"USA": HumanSeat()})
    for _ in range(5):
        game.begin_turn()
        game.decide("USA", game.view.ranked[rules.actors.index("USA")][:1])
        game.resolve_turn()
    whitecell.set_value(game, "world.tension", 83.5)
    library = list(rules.library)
    whitecell.inject(game, library[0])
    game.queue_inject(library[-1])
    futures = seeds(25, start=3)
    batch = LockstepModel.continuing(game, futures).run()
    assert batch.turn == rules.turns
    for g, seed in enumerate(futures):
        one = _continued_one_by_one(game, seed)
        where = f"continuation {g}"
        assert batch.reached[:, g].tolist() == [t or 0 for t in one.reached.values()], where
        assert batch.peak_rung[g] == one.peak_rung and batch.total_score[g] == one.total_score
        assert batch.trigger_counts[:, g].tolist() == list(one.trigger_counts.values()), where
        assert batch.move_counts[:, g].tolist() == one.move_counts.tolist(), where
        assert batch.state[:, g].tobytes() == one.state.tobytes(), where
    # the game itself is untouched
    assert game.turn == 5 and game.value("world.tension") != 0


def test_continuing_needs_a_game_between_turns() -> None:
    game = CrisisModel(rules_for("baseline"), rng=1, record=False, collect=False)
    game.begin_turn()
    with pytest.raises(ValueError, match="between turns"):
        LockstepModel.continuing(game, [1, 2])


@pytest.mark.parametrize("without", ["PRK's actions", "triggers", "every action and trigger"])
def test_scenarios_with_parts_switched_off_play_the_same_games(tmp_path, without: str) -> None:
    """Edge cases of the arrays: an actor without moves, no triggers, no moves at all."""
    base = rules_for("baseline")
    prk_only = sorted(
        {m.action for m in base.moves} - {m.action for m in base.moves if m.actor != "PRK"}
    )
    every_action = sorted({m.action for m in base.moves})
    triggers = [t.id for t in base.triggers]
    disable = {
        "PRK's actions": {"actions": prk_only},
        "triggers": {"triggers": triggers},
        "every action and trigger": {"actions": every_action, "triggers": triggers},
    }[without]
    doc = {
        "schema_version": 1,
        "id": "switched_off",
        "title": "Switched off",
        "description": "Parts of the rules switched off.",
        "extends": "baseline",
        "turns": 8,
        "start": "2026-01",
        "disable": disable,
    }
    path = tmp_path / "switched_off.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    rules = compile_rules(load_scenario(path))
    assert_same_games(rules, seeds(12))


def _rung_never_falls(rung, signalled, tension, per_ten, ops):
    return ops.where(signalled >= rung, signalled * 1.0, rung)


def _no_repeat_limit(holds, turn, last, cooldown, once, count, ops):  # noqa: PLR0917 (the rule's signature)
    return holds


def _coin_flip_chance(p, ops):
    return ops.where(p > 0.5, 1.0, 0.0)


@pytest.mark.parametrize(
    ("name", "changed"),
    [
        ("next_rung", _rung_never_falls),
        ("trigger_fires", _no_repeat_limit),
        ("success_chance", _coin_flip_chance),
    ],
)
def test_a_rule_changed_in_one_place_changes_both_engines(monkeypatch, name, changed) -> None:
    """A modeller who changes a rule of the turn edits one function of sim/turn.py: with
    the function replaced, both engines play the new rule (they still agree game for game)
    and the games differ from the old rule's."""
    from tripwire.sim import turn

    rules = compile_rules(load_scenario("missile_crisis_2"))
    game_seeds = seeds(6)
    before = LockstepModel(rules, game_seeds).run().result()
    monkeypatch.setattr(turn, name, changed)
    assert_same_games(rules, game_seeds)
    after = LockstepModel(rules, game_seeds).run().result()
    assert after.state.tobytes() != before.state.tobytes()
