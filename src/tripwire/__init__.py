"""Tripwire: a tabletop wargame engine for political-military crises in Northeast Asia.

The public API::

    from tripwire import load_scenario, CrisisModel, run_game

    scenario = load_scenario("missile_crisis_2")      # validated, frozen
    model = CrisisModel(scenario, rng=7).run()         # a Mesa model; model.log is the record
    log = run_game("missile_crisis_2", seed=7)         # the same, as a list of log records
    batch = run_batch("baseline", 2000, jobs=2, out="b") # batch.frame: one row per game

Heavy modules (Mesa, numpy) load on first use, so that ``tripwire validate`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "CrisisModel",
    "InputError",
    "ScenarioError",
    "__version__",
    "compile_rules",
    "load_scenario",
    "run_batch",
    "run_game",
]

from tripwire.errors import InputError, ScenarioError

if TYPE_CHECKING:
    from tripwire.api import run_batch, run_game
    from tripwire.scenario.loader import load_scenario
    from tripwire.sim.model import CrisisModel
    from tripwire.sim.rules import compile_rules

_LAZY = {
    "CrisisModel": "tripwire.sim.model",
    "compile_rules": "tripwire.sim.rules",
    "load_scenario": "tripwire.scenario.loader",
    "run_game": "tripwire.api",
    "run_batch": "tripwire.api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tripwire' has no attribute {name!r}")
