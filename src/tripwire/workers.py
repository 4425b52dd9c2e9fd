"""Starting local worker processes early.

Batch workers are forked from a *forkserver* (see :class:`tripwire.batch.backends.
ProcessBackend`), which first imports what the workers need: Tripwire, Mesa, numpy, about a
second. This module is deliberately light, so that a command can start the forkserver before
it imports all that itself; both imports then run at the same time, on two cores.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver

WORKER_MODULES = ["tripwire.batch.worker"]


def forkserver_context() -> multiprocessing.context.BaseContext:
    """The start method of batch workers, preloading what they import."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    return context


def start_forkserver() -> None:
    """Start the workers' forkserver now (it imports in the background); idempotent."""
    forkserver_context()
    multiprocessing.forkserver.ensure_running()
