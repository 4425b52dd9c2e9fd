"""Batches of seeded games: ``run_batch`` and its result (see :mod:`tripwire.batch.runner`)."""

from tripwire.batch.runner import BatchResult, run_batch

__all__ = ["BatchResult", "run_batch"]
