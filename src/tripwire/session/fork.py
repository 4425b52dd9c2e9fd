"""Fork to Monte Carlo: where is this game heading?

From the current point of a session (between turns), play many continuations with bots in
every seat and report how often each outcome is reached. Each continuation replays the
session's inputs on a fresh model (so it starts from exactly the game in the room), then
draws its own dice (``SeedSequence(seed, spawn_key=(turn, i))``) for the rest of the game.
Chunks of continuations go to the same backends as batches (this process, a process pool,
or Dask), and each chunk is played by the lockstep engine, all its continuations at once.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tripwire.batch.backends import Backend, choose_backend
from tripwire.batch.summary import wilson
from tripwire.session.journal import SessionInfo
from tripwire.session.session import Session, SessionError, effective, flatten
from tripwire.sim.lockstep import LockstepModel
from tripwire.sim.model import CrisisModel


@dataclass(frozen=True, slots=True)
class ForkTask:
    """A chunk of continuations of one session state."""

    info: SessionInfo
    lines: tuple[dict[str, Any], ...]
    runs: tuple[int, ...]
    turn: int


def continuation_seed(seed: int, turn: int, run: int) -> int:
    """The seed of continuation ``run`` forked at ``turn`` of a session seeded ``seed``."""
    state = np.random.SeedSequence(seed, spawn_key=(turn, run)).generate_state(1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


_STARTS: dict[str, CrisisModel] = {}


def _start(task: ForkTask) -> CrisisModel:
    """The game at the fork point: compiled and replayed once per process and fork."""
    key = hashlib.sha256(
        json.dumps([task.info.to_json(), task.lines], sort_keys=True).encode()
    ).hexdigest()
    if key not in _STARTS:
        session = Session(task.info, None)
        session.lines = list(task.lines)
        session._replay()
        model = session.model
        model.record = False  # continuations keep no log: copying one would be most of the cost
        model.log = []
        _STARTS.clear()  # one fork at a time: keep only its starting point
        _STARTS[key] = model
    return _STARTS[key]


def play_continuations(task: ForkTask) -> list[dict[str, Any]]:
    """Play a chunk of continuations; one row per continuation (runs in worker processes).

    They are played together by the lockstep engine: continuation ``i`` is the game a copy of
    the session's model plays with bots in every seat and its own dice
    (:func:`continuation_seed`).
    """
    start = _start(task)
    seeds = [continuation_seed(task.info.seed, task.turn, run) for run in task.runs]
    games = LockstepModel.continuing(start, seeds).run()
    tension = games.state[start.rules.index["world.tension"]].tolist()
    return [
        {
            "run": run,
            "reached": {
                oid: int(games.reached[k, g]) or None
                for k, oid in enumerate(start.rules.outcome_ids)
            },
            "tension": tension[g],
            "peak_rung": float(games.peak_rung[g]),
        }
        for g, run in enumerate(task.runs)
    ]


@dataclass(frozen=True, slots=True)
class ForkResult:
    """The distribution of a session's possible futures."""

    turn: int
    runs: int
    outcomes: dict[str, dict[str, Any]]  # id -> title, count, probability, ci95, already
    tension: dict[str, float]  # final tension: p10, median, p90
    peak_rung: dict[str, float]


def fork(
    session: Session,
    runs: int,
    *,
    jobs: int = 1,
    backend: Backend | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ForkResult:
    """Play ``runs`` bot continuations of the session from its current turn.

    Raises:
        SessionError: a turn is under way (fork between turns) or the game is over.
    """
    if session.phase != "briefing":
        raise SessionError("fork between turns (finish or undo the turn under way first)")
    lines = tuple(effective(flatten(session.lines)))
    size = max(1, min(1000, math.ceil(runs / (max(jobs, 1) * 4))))
    tasks = [
        ForkTask(session.info, lines, tuple(range(i, min(runs, i + size))), session.turn)
        for i in range(0, runs, size)
    ]
    rows: list[dict[str, Any]] = []
    chosen = backend or choose_backend(jobs, None, None, games=runs)
    for chunk in chosen.run(tasks, play_continuations):
        rows.extend(chunk)
        if progress is not None:
            progress(len(rows), runs)
    rows.sort(key=lambda r: r["run"])
    rules = session.rules
    titles = dict(zip(rules.outcome_ids, rules.outcome_titles, strict=True))
    outcomes = {}
    for oid in rules.outcome_ids:
        count = sum(r["reached"][oid] is not None for r in rows)
        lo, hi = wilson(count, len(rows))
        outcomes[oid] = {
            "title": titles[oid],
            "count": count,
            "probability": round(count / len(rows), 4),
            "ci95": [round(lo, 4), round(hi, 4)],
            "already": session.model.reached[oid],
        }
    tension = np.array([r["tension"] for r in rows])
    peaks = np.array([r["peak_rung"] for r in rows])
    return ForkResult(
        turn=session.turn,
        runs=len(rows),
        outcomes=outcomes,
        tension={
            k: round(float(np.percentile(tension, q)), 2)
            for k, q in (("p10", 10), ("median", 50), ("p90", 90))
        },
        peak_rung={
            k: float(np.percentile(peaks, q)) for k, q in (("p10", 10), ("median", 50), ("p90", 90))
        },
    )


def fork_entry(result: ForkResult) -> dict[str, Any]:
    """The session input that records a fork in the log (what the room was shown)."""
    return {
        "do": "fork",
        "runs": result.runs,
        "outcomes": {
            oid: {"title": o["title"], "probability": o["probability"], "ci95": o["ci95"]}
            for oid, o in result.outcomes.items()
        },
    }
