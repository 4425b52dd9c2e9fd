"""Local worker processes: whether to start them, and starting them early.

Batch workers are forked from a *forkserver* (see :class:`tripwire.batch.backends.
ProcessBackend`), which first imports what the workers need: Tripwire, Mesa, numpy, about a
second. A small batch is played sooner in one process than that (:func:`pool_pays`). This
module is deliberately light, so that a command can start the forkserver before it imports
all that itself; both imports then run at the same time, on two cores.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Sequence

WORKER_MODULES = ["tripwire.batch.worker"]
# Up to this many games, one process plays a batch sooner than a pool can start: workers
# take about 1.2 s to import Tripwire and Mesa, in which this process plays about 2,400
# games 1,000 at a time.
IN_PROCESS_GAMES = 2000


# At most this many local worker processes (and never more than JOBS_PER_CORE per core): each
# holds Tripwire, Mesa and numpy (~250 MB) and a chunk of games, so 48 workers on 2 cores
# took 1.5 GB and ran 5.5x slower than 2, and 1,000 would exhaust memory.
MAX_JOBS = 64
JOBS_PER_CORE = 4


def max_jobs() -> int:
    """The most local worker processes a command may start on this machine."""
    return max(1, min(MAX_JOBS, JOBS_PER_CORE * (os.cpu_count() or 1)))


def check_jobs(jobs: int | None, option: str = "--jobs") -> None:
    """Refuse more worker processes than :func:`max_jobs` with a located error.

    Raises:
        InputError: ``OPTION:1:1: error: ...``.
    """
    from tripwire.errors import Diagnostic, InputError, Location

    limit = max_jobs()
    if jobs is not None and jobs > limit:
        cores = os.cpu_count() or 1
        message = (
            f"{jobs} worker processes is too many: at most {limit} on this machine "
            f"({JOBS_PER_CORE} per core, {cores} cores, and never more than {MAX_JOBS})"
        )
        raise InputError([Diagnostic(Location(option), message)])


def pool_pays(games: int, jobs: int) -> bool:
    """Whether starting ``jobs`` local worker processes for ``games`` games saves time."""
    return jobs > 1 and games > IN_PROCESS_GAMES


def batch_games(runs: int, sweeps: Sequence[tuple[str, Sequence[float]]] = ()) -> int:
    """The games of a batch: runs times its sweep points."""
    return runs * math.prod(len(values) for _, values in sweeps)


def forkserver_context() -> multiprocessing.context.BaseContext:
    """The start method of batch workers, preloading what they import."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    return context


def start_forkserver() -> None:
    """Start the workers' forkserver now (it imports in the background); idempotent."""
    forkserver_context()
    multiprocessing.forkserver.ensure_running()


def start_batch_workers(
    runs: int,
    sweeps: Sequence[tuple[str, Sequence[float]]] = (),
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    dask_workers: int | None = None,
) -> bool:
    """Start the local workers' forkserver now when a batch will use them (its imports
    overlap with the caller's own); return whether the batch plays on workers (local or
    Dask), so that the caller may do other work meanwhile."""
    local = not scheduler and not dask_workers
    workers = not local or pool_pays(batch_games(runs, sweeps), jobs)
    if local and workers:
        start_forkserver()
    return workers
