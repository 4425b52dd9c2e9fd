"""Convenience functions over the model for scripts and notebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tripwire.scenario.schema import Scenario
from tripwire.sim.model import CrisisModel
from tripwire.sim.rules import Rules


def run_game(
    scenario: str | Path | Scenario | Rules, seed: int, turns: int | None = None
) -> list[dict[str, Any]]:
    """Play one game with bots in every seat and return its event log (list of records)."""
    return CrisisModel(scenario, rng=seed, turns=turns, collect=False).run().log
