"""Mesa idioms: the model is an ordinary Mesa 3.5 model and works with mesa.batch_run."""

from __future__ import annotations

import warnings

import mesa
import numpy as np

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
