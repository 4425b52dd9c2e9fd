"""The dry run behind ``tripwire triggers``: does the crisis a designer wrote actually happen?

This module owns playing a scenario's games quickly, in process, and counting, for every
inject, risk trigger and outcome, in how many games it happened, how often per game, and on
which turn it first happened. Games are played with the batch runner's seeds (run ``i`` of a
dry run seeded ``S`` is run ``i`` of ``tripwire batch --seed S``, so ``tripwire run SCENARIO
--seed SEED`` replays any of them), without the event log, by the lockstep batch engine,
reading each turn's firings from the games' history. The same scenario, runs and seed always
give the same numbers, whatever the number of jobs.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from rich.table import Table

from tripwire.batch.worker import run_seed
from tripwire.scenario.loader import load_scenario, scenario_digest
from tripwire.scenario.schema import Scenario
from tripwire.sim.lockstep import LockstepModel
from tripwire.sim.rules import Rules, compile_rules

KINDS = ("injects", "triggers", "outcomes")
_RULES: dict[str, Rules] = {}  # compiled rules per scenario digest, per process


def _rules(scenario: Scenario) -> Rules:
    key = scenario_digest(scenario)
    if key not in _RULES:
        _RULES[key] = compile_rules(scenario)
    return _RULES[key]


def _events(rules: Rules) -> list[tuple[str, str, int]]:
    """(kind, id, event index) of every inject and trigger a game can fire."""
    return [
        *(("injects", r.id, r.event_index) for r in rules.library.values()),
        *(("triggers", t.id, t.event_index) for t in rules.triggers),
    ]


def play(scenario: Scenario, seeds: Sequence[int]) -> list[tuple[list[int], list[int]]]:
    """Play one game per seed; per game, (firings of each event, first turn of each, 0 if never).

    Events are the injects and triggers (see :func:`_events`) followed by the outcomes, which
    happen at most once per game.
    """
    rules = _rules(scenario)
    index = [i for _, _, i in _events(rules)]
    games = LockstepModel(rules, seeds).run()
    cumulative = games.events[:, index, :]  # (turns + 1, events, games), turn 0 first
    counts = cumulative[-1]
    happened = np.diff(cumulative, axis=0) > 0
    first = np.where(happened.any(axis=0), happened.argmax(axis=0) + 1, 0)
    reached = games.reached
    return [
        (
            counts[:, g].tolist() + (reached[:, g] > 0).astype(int).tolist(),
            first[:, g].tolist() + reached[:, g].tolist(),
        )
        for g in range(len(seeds))
    ]


def _stats(counts: np.ndarray, first: np.ndarray, runs: int) -> dict[str, Any]:
    happened = first > 0
    games = int(happened.sum())
    stats: dict[str, Any] = {
        "games": games,
        "share": games / runs,
        "mean": float(counts.sum()) / runs,
        "first_median": None,
        "first_p10": None,
        "first_p90": None,
    }
    if games:
        # inverted_cdf picks turns that happened: whole numbers, no interpolation
        p10, med, p90 = np.quantile(first[happened], [0.1, 0.5, 0.9], method="inverted_cdf")
        stats.update(first_median=int(med), first_p10=int(p10), first_p90=int(p90))
    return stats


def trigger_frequencies(
    scenario: str | Path | Scenario,
    runs: int,
    *,
    seed: int = 1,
    jobs: int = 1,
    turns: int | None = None,
) -> dict[str, Any]:
    """How often and how early each inject, trigger and outcome happens over ``runs`` games.

    Args:
        scenario: a bundled name, a path or a validated Scenario.
        runs: number of games (at least 1).
        seed: the dry run's seed; game ``i`` is played with ``run_seed(seed, i)``.
        jobs: worker processes (1 plays in this process). Results do not depend on it.
        turns: play this many turns instead of the scenario's.

    Returns:
        ``{"scenario", "title", "runs", "seed", "turns", "start", "injects", "triggers",
        "outcomes"}``; each of the last three maps an id to ``{"text", "origin", "games",
        "share", "mean", "first_median", "first_p10", "first_p90", "first_month"}``:
        games in which it happened and their share, mean times per game, median and
        10th/90th percentiles of the first turn it happened in the games where it did (None
        if it never did), and the calendar month of that median. ``origin`` is
        ``"scenario"`` for the scenario's own entries (or those of a scenario it extends),
        ``"catalog"`` for the catalog's.

    Raises:
        ScenarioError: the scenario is not valid.
        ValueError: ``runs`` or ``jobs`` is below 1.
    """
    if runs < 1 or jobs < 1:
        raise ValueError("runs and jobs must be at least 1")
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if turns is not None:
        spec = spec.model_copy(update={"turns": turns})
    rules = _rules(spec)
    seeds = [run_seed(seed, i) for i in range(runs)]
    if jobs == 1 or runs < 2 * jobs:
        games = play(spec, seeds)
    else:
        size = math.ceil(runs / jobs)
        chunks = [seeds[i : i + size] for i in range(0, runs, size)]
        # A forkserver, as the batch runner uses: workers never inherit the caller's threads.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            games = [g for part in pool.map(play, [spec] * len(chunks), chunks) for g in part]
    counts = np.array([g[0] for g in games], dtype=np.int64)
    first = np.array([g[1] for g in games], dtype=np.int64)
    own = {"triggers": {t.id for t in spec.triggers}, "outcomes": {o.id for o in spec.outcomes}}
    texts = {
        **{r.id: r.text for r in rules.library.values()},
        **{t.id: t.text for t in rules.triggers},
        **dict(zip(rules.outcome_ids, rules.outcome_titles, strict=True)),
    }
    entries = [(kind, ident) for kind, ident, _ in _events(rules)]
    entries += [("outcomes", o) for o in rules.outcome_ids]
    result: dict[str, Any] = {
        "scenario": spec.id,
        "title": spec.title,
        "runs": runs,
        "seed": seed,
        "turns": rules.turns,
        "start": spec.start,
        **{kind: {} for kind in KINDS},
    }
    for k, (kind, ident) in enumerate(entries):
        stats = _stats(counts[:, k], first[:, k], runs)
        origin = "scenario" if kind == "injects" or ident in own[kind] else "catalog"
        month = rules.month(stats["first_median"]) if stats["first_median"] else None
        result[kind][ident] = {
            "text": texts[ident],
            "origin": origin,
            **stats,
            "first_month": month,
        }
    return result


def format_table(result: dict[str, Any]) -> Table:
    """The dry run as a table: one row per inject, trigger and outcome.

    The scenario's own entries come first within each kind, then the catalog's. Entries
    that never happened show dashes.
    """
    table = Table(
        title=f"{result['title']}: {result['runs']} games (seed {result['seed']})",
        header_style="bold",
        caption=(
            "Games: share of games in which it happened. Per game: mean times per game. "
            "First turn: median first turn (and month) in those games; 10-90%: the middle "
            "80% of those first turns."
        ),
        caption_justify="left",
    )
    for name, justify in (
        ("Kind", "left"),
        ("Id", "left"),
        ("Games", "right"),
        ("Per game", "right"),
        ("First turn", "right"),
        ("10-90%", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)
    for kind in KINDS:
        rows = sorted(result[kind].items(), key=lambda item: item[1]["origin"] != "scenario")
        for ident, s in rows:
            label = kind[:-1] + ("" if s["origin"] == "scenario" else " (catalog)")
            if s["games"] == 0:
                when = spread = "-"
            else:
                when = f"{s['first_median']} ({s['first_month']})"
                spread = f"{s['first_p10']}-{s['first_p90']}"
            per_game = "" if kind == "outcomes" else f"{s['mean']:.2f}"
            table.add_row(label, ident, share_text(s["share"]), per_game, when, spread)
    return table


def share_text(share: float) -> str:
    """A share of games as a percentage that never reads 0% or 100% when it is not."""
    if 0 < share < 0.01 or 0.99 < share < 1:
        return f"{share:.1%}"
    return f"{share:.0%}"
