"""Mesa idioms: the model is an ordinary Mesa 3.5 model and works with mesa.batch_run."""

from __future__ import annotations

import warnings

import mesa
import numpy as np
import pytest

from tripwire.scenario.loader import load_scenario
from tripwire.scenario.overrides import Assignment, apply_overrides
from tripwire.sim.agents import CountryAgent
from tripwire.sim.model import CrisisModel


def test_model_is_a_mesa_model_with_six_country_agents():
    """CrisisModel is a mesa.Model holding six CountryAgents, one per actor."""
    model = CrisisModel("baseline", rng=1)
    assert isinstance(model, mesa.Model)
    agents = list(model.agents)
    assert len(agents) == 6
    assert all(isinstance(a, CountryAgent) for a in agents)
    assert [a.code for a in agents] == ["RUS", "PRK", "CHN", "USA", "KOR", "JPN"]


def test_seeded_with_rng_and_no_deprecation_warnings():
    """The model is seeded through rng= (not the deprecated seed=) and uses model.rng."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = CrisisModel("baseline", rng=42)
    assert isinstance(model.rng, np.random.Generator)
    assert model.seed == 42


def test_unseeded_games_record_their_seed():
    """A game started without a seed draws one and records it, so it can be replayed."""
    first = CrisisModel("baseline", collect=False).run()
    replay = CrisisModel("baseline", rng=first.seed, collect=False).run()
    assert first.log[0]["seed"] == first.seed
    assert first.log == replay.log


def test_datacollector_collects_every_turn():
    """The DataCollector holds one row per turn plus the starting position."""
    model = CrisisModel("missile_crisis_2", rng=3).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.turns + 1
    assert {"tension", "rung", "escalation_score", "sanctions_enforcement"} <= set(frame.columns)
    assert frame["tension"].iloc[0] == model.log[1]["state"]["world.tension"]


def test_runs_under_mesa_batch_run():
    """mesa.batch_run can drive the model (it needs model.datacollector and model.running)."""
    results = mesa.batch_run(
        CrisisModel,
        parameters={"scenario": "baseline"},
        rng=[1, 2],
        max_steps=24,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(results) == 2 * 6  # a row per country agent (agent-level reporters)
    assert {r["actor"] for r in results} == {"RUS", "PRK", "CHN", "USA", "KOR", "JPN"}
    assert {"tension", "rung", "Step", "made", "chosen"} <= set(results[0])
    solo = CrisisModel("baseline", rng=1).run()
    assert results[0]["tension"] == solo.value("world.tension")


def test_game_stops_after_its_turns():
    """model.running turns False after the last turn; run() plays exactly that many."""
    model = CrisisModel("baseline", rng=1, turns=5).run()
    assert not model.running
    assert model.turn == 5 and model.steps == 5
    assert model.log[-1] == {**model.log[-1], "type": "result", "turns_played": 5}


def test_a_generator_seeds_the_game_and_the_seed_is_recorded():
    """rng= takes a numpy Generator, as Mesa models do: the game draws its seed from it and
    records it, so the game replays from the recorded seed."""
    model = CrisisModel("baseline", rng=np.random.default_rng(11), collect=False).run()
    again = CrisisModel("baseline", rng=np.random.default_rng(11), collect=False).run()
    replay = CrisisModel("baseline", rng=model.seed, collect=False).run()
    assert model.log == again.log == replay.log
    assert model.log[0]["seed"] == model.seed


def test_override_names_are_keyword_arguments_for_batch_run():
    """The names --set takes are keyword arguments, so mesa.batch_run sweeps them; a
    misspelt name is a located ValueError, and the engine never reads a path."""
    runs = mesa.batch_run(
        CrisisModel,
        parameters={"scenario": "baseline", "world.tension": [20.0, 90.0], "collect": True},
        rng=[1],
        max_steps=1,
        number_processes=1,
        display_progress=False,
    )
    after = {r["world.tension"]: r["tension"] for r in runs}
    base = load_scenario("baseline")
    alone = {
        t: CrisisModel(apply_overrides(base, [Assignment("world.tension", t)]), rng=1, turns=1)
        .run()
        .value("world.tension")
        for t in (20.0, 90.0)
    }
    assert after == alone and after[20.0] < 50.0 < after[90.0]
    with pytest.raises(ValueError, match=r"did you mean 'world\.tension'"):
        CrisisModel("baseline", rng=1, **{"world.tensoin": 50.0})
    with pytest.raises(ValueError, match="not a bundled scenario"):
        CrisisModel("scenarios/baseline.yaml", rng=1)


def test_batch_run_reads_moves_by_name_per_agent_and_outcomes_by_name():
    """Agent-level reporters: each country's moves chosen and made this turn, by name, as
    mesa.batch_run returns them (one row per agent and step); outcomes are model-level
    columns by name. The names agree with the game's event log."""
    rows = mesa.batch_run(
        CrisisModel,
        parameters={"scenario": "missile_crisis_2", "turns": 4},
        rng=[5],
        max_steps=4,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    log = CrisisModel("missile_crisis_2", rng=5, turns=4).run().log
    for turn in range(1, 5):
        for actor in ("RUS", "PRK", "CHN", "USA", "KOR", "JPN"):
            (row,) = [r for r in rows if r["Step"] == turn and r["actor"] == actor]
            made = sorted(
                f"{e['action']}>{e['target']}" if e["target"] else e["action"]
                for e in log
                if e.get("type") == "event" and e["turn"] == turn and e["kind"] == "action"
                and e["actor"] == actor and e["action"] != "hold" and not e.get("cancelled")
            )  # fmt: skip
            assert sorted(row["made"]) == made, (turn, actor)
            assert set(row["made"]) <= set(row["chosen"])
    reached = {e["id"] for e in log if e.get("type") == "event" and e["kind"] == "outcome"}
    last = next(r for r in rows if r["Step"] == 4)
    assert reached == set(last["outcomes"])
    for oid in ("missile_crisis_2", "sanctions_collapse"):
        assert last[f"reached.{oid}"] == (oid in reached)
    assert any(r["made"] for r in rows)
