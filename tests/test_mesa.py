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
    assert len(results) == 2
    assert {"tension", "rung", "Step"} <= set(results[0])
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
