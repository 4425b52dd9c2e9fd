"""Convenience functions over the model for scripts and notebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tripwire.scenario.loader import bundled_scenarios, load_scenario
from tripwire.scenario.schema import Scenario
from tripwire.sim.model import CrisisModel
from tripwire.sim.rules import Rules


def run_game(
    scenario: str | Path | Scenario | Rules, seed: int, turns: int | None = None
) -> list[dict[str, Any]]:
    """Play one game with bots in every seat and return its event log (list of records).

    ``scenario`` is a bundled name, a path to a scenario file, a Scenario or Rules.
    """
    if isinstance(scenario, Path) or (
        isinstance(scenario, str) and scenario not in bundled_scenarios()
    ):
        scenario = load_scenario(scenario)
    return CrisisModel(scenario, rng=seed, turns=turns, collect=False).run().log


def run_batch(
    scenario: str | Path | Scenario, runs: int, *, plots: bool = True, **options: Any
) -> Any:
    """Play a batch (:func:`tripwire.batch.runner.run_batch`, same arguments) and write its
    ``summary.md`` and, unless ``plots`` is false, its PNG plots, as ``tripwire batch`` does.

    Returns:
        The :class:`tripwire.batch.runner.BatchResult` (``result.frame``: one row per game).
    """
    from tripwire.batch.runner import run_batch as play
    from tripwire.report.batch_outputs import write_batch_outputs

    result = play(scenario, runs, **options)
    write_batch_outputs(result.out, result.summary, plots=plots)
    return result
