"""Where chunks are played: in this process, in a local process pool, or on Dask.

Every backend takes an iterable of :class:`ChunkTask` and yields :class:`ChunkResult` in
completion order, keeping only a bounded number of chunks in flight so that memory stays
flat however many runs a batch has. The same :func:`run_chunk` runs everywhere, so results
do not depend on the backend.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Protocol

from tripwire.batch.worker import run_chunk
from tripwire.workers import forkserver_context, pool_pays


class Backend(Protocol):
    """Plays chunks somewhere and hands back their results as they finish."""

    name: str

    def run(self, tasks: Iterable[Any], fn: Callable[[Any], Any] = run_chunk) -> Iterator[Any]:
        """Apply ``fn`` (a module-level function: it travels to workers) to every task; yield
        each result once, in completion order."""
        ...


class SerialBackend:
    """Plays chunks one after the other in this process (one job)."""

    name = "serial"

    def run(self, tasks: Iterable[Any], fn: Callable[[Any], Any] = run_chunk) -> Iterator[Any]:
        for task in tasks:
            yield fn(task)


class ProcessBackend:
    """A local pool of worker processes.

    Workers are forked from a *forkserver*, a clean single-threaded process that has
    imported Tripwire once: they start quickly, and never inherit the parent's threads
    (pyarrow's and the BLAS library's thread pools, a progress bar), which plain fork
    could deadlock on.
    """

    name = "processes"

    def __init__(self, jobs: int):
        self.jobs = jobs

    def run(self, tasks: Iterable[Any], fn: Callable[[Any], Any] = run_chunk) -> Iterator[Any]:
        """Play the chunks on the pool; while its workers start, play some here.

        Starting the first workers of a process takes about a second (the forkserver imports
        Tripwire, Mesa and numpy first), and the first submission waits for it. So the pool
        is started from a thread, and if it is not up within 0.1 s this process plays chunks
        itself until it is: on a batch of a few thousand games that second would otherwise
        be a third of the batch. Which process plays a chunk never changes its results.
        """
        context = forkserver_context()
        pending = iter(tasks)
        try:
            with (
                ProcessPoolExecutor(
                    max_workers=self.jobs,
                    mp_context=context,
                    initializer=exit_with_parent,
                    initargs=(os.getpid(),),
                ) as pool,
                ThreadPoolExecutor(1, thread_name_prefix="start-workers") as starter,
            ):
                first = _take(pending, self.jobs)
                started = starter.submit(lambda: {pool.submit(fn, t) for t in first})
                try:  # a forkserver already running (an earlier batch) forks workers at once
                    started.result(timeout=0.1)
                except FutureTimeout:
                    while not started.done() and (task := _take(pending, 1)):
                        yield fn(task[0])
                yield from _bounded(pool.submit, pending, fn, 4 * self.jobs, started.result())
        except BrokenProcessPool as err:
            raise RuntimeError(
                "a batch worker process died. If run_batch(jobs > 1) is called from a script, "
                'put the call under `if __name__ == "__main__":` (worker processes import the '
                "script); otherwise the machine may be out of memory"
            ) from err


def exit_with_parent(pid: int, interval: float = 1.0) -> None:
    """In a worker: exit as soon as the process that started the pool is gone.

    Pool workers wait on a queue whose write end they share among themselves, so when the
    parent is killed (``kill -9``, an out-of-memory kill) they would wait forever. A daemon
    thread checks every ``interval`` seconds that the parent still exists.
    """

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its number reused)
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class DaskBackend:
    """Chunks sent to a ``dask.distributed`` cluster (an existing one, or a local one).

    Args:
        scheduler: address of an existing scheduler (``tcp://host:8786``), or None to start
            a local cluster of ``workers`` processes for the duration of the batch.
        workers: number of worker processes of the local cluster.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int = 2):
        self.scheduler = scheduler
        self.workers = workers

    @contextmanager
    def _client(self) -> Iterator[Any]:
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            with Client(self.scheduler, timeout="30s") as client:
                yield client
            return
        with (
            LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: two batches may run at once
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client

    def run(self, tasks: Iterable[Any], fn: Callable[[Any], Any] = run_chunk) -> Iterator[Any]:
        from distributed import as_completed

        with self._client() as client:
            limit = 4 * max(1, sum(client.nthreads().values()))
            pending = iter(tasks)
            ac = as_completed()
            for task in _take(pending, limit):
                ac.add(client.submit(fn, task, pure=False))
            for future in ac:
                result = future.result()
                future.release()
                for task in _take(pending, 1):
                    ac.add(client.submit(fn, task, pure=False))
                yield result


def _take(tasks: Iterator[Any], n: int) -> list[Any]:
    out = []
    for task in tasks:
        out.append(task)
        if len(out) == n:
            break
    return out


def _bounded(
    submit: Any,
    tasks: Iterator[Any],
    fn: Callable[[Any], Any],
    limit: int,
    running: set[Future[Any]],
) -> Iterator[Any]:
    """Keep at most ``limit`` futures in flight (``running`` are already); yield results as
    they complete."""
    running |= {submit(fn, t) for t in _take(tasks, limit - len(running))}
    while running:
        done, running = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            for task in _take(tasks, 1):
                running.add(submit(fn, task))
            yield future.result()


def choose_backend(
    jobs: int, scheduler: str | None, dask_workers: int | None, games: int | None = None
) -> Backend:
    """The backend for the options ``--jobs``, ``--scheduler`` and ``--dask-workers``.

    With ``games`` given, a batch too small to repay starting local workers
    (:func:`tripwire.workers.pool_pays`) is played in this process.
    """
    if scheduler is not None or dask_workers is not None:
        return DaskBackend(scheduler, dask_workers or 2)
    if jobs <= 1 or (games is not None and not pool_pays(games, jobs)):
        return SerialBackend()
    return ProcessBackend(jobs)
