"""``tripwire batch``: many seeded games, with a progress bar, then the outcome table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tripwire.commands import CommandFailed
from tripwire.commands.common import ProgressBar, check_outputs, print_lint_note, stdout
from tripwire.errors import Diagnostic, InputError, Location

# The files a batch writes in its folder, over whatever they name.
BATCH_DATA = (
    "batch.json",
    "runs.parquet",
    "series.parquet",
    "events.parquet",
    "summary.json",
    "summary.md",
    "runs.csv",
    "events.csv",
    "series.csv",
)


def default_folder(scenario: str, seed: int, runs: int) -> Path:
    """``batch-SCENARIO-sSEED-nRUNS``."""
    return Path(f"batch-{Path(scenario).stem}-s{seed}-n{runs}")


def batch(
    scenario: str,
    *,
    runs: int,
    seed: int,
    jobs: int,
    out: Path | None,
    sets: Sequence[str] = (),
    sweeps: Sequence[str] = (),
    scheduler: str | None = None,
    dask_workers: int | None = None,
    **options: Any,
) -> None:
    """Check the options and outputs, play the batch (:func:`tripwire.batch.runner.
    run_batch`; ``options`` are its other keywords), write its summary.md and plots and
    print its outcome table.

    Raises:
        InputError: bad input, before any game.
        CommandFailed: the batch failed (status 1) or was interrupted (130).
    """
    from tripwire.scenario.overrides import check_sweeps, parse_set, parse_sweep
    from tripwire.workers import check_jobs

    if scheduler is not None and dask_workers is not None:
        message = "give --scheduler or --dask-workers, not both"
        raise InputError([Diagnostic(Location("--scheduler"), message)])
    assignments = [parse_set(a) for a in sets]
    sweep_list = [parse_sweep(a) for a in sweeps]
    check_sweeps(sweep_list)  # their product, before a point is built
    if scheduler is None and dask_workers is None:
        check_jobs(jobs)  # local workers
    check_jobs(dask_workers, "--dask-workers")
    folder = out or default_folder(scenario, seed, runs)
    # the batch's own files and folders: none may be its scenario (or a file it extends)
    check_outputs(scenario, folders=[(folder, "--out", BATCH_DATA)])
    _play(
        scenario,
        out=folder,
        runs=runs,
        seed=seed,
        jobs=jobs,
        sets=assignments,
        sweeps=sweep_list,
        scheduler=scheduler,
        dask_workers=dask_workers,
        **options,
    )
    print_lint_note(scenario)  # after the batch: errors come first, alone


def _play(scenario: str, *, out: Path, **options: Any) -> None:
    """Run a batch with a progress bar, then print its outcome table."""
    from tripwire.workers import start_batch_workers

    workers = start_batch_workers(
        options["runs"],
        options["sweeps"],
        jobs=options["jobs"],
        scheduler=options["scheduler"],
        dask_workers=options["dask_workers"],
    )
    from tripwire.batch.runner import run_batch

    if workers:  # this process mostly waits on them
        _import_plotting_meanwhile()
    try:
        with ProgressBar(f"batch {Path(scenario).stem}", rate=True) as bar:
            result = run_batch(scenario, out=out, progress=bar.update, **options)
            from tripwire.report.batch_outputs import write_batch_outputs

            write_batch_outputs(result.out, result.summary)  # summary.md and the plots
    except KeyboardInterrupt:
        if (out / "batch.json").is_file():
            message = f"interrupted: run the same command with --resume to finish {out}"
        else:  # stopped before the batch's folder was made: nothing to resume
            message = "interrupted before the batch started: nothing was written"
        raise CommandFailed(message, status=130) from None
    except (OSError, RuntimeError) as err:
        raise CommandFailed(f"error: the batch failed: {err}") from None
    _print_done(result, out)


def _print_done(result: Any, out: Path) -> None:
    """A finished batch's outcome table, speed and files."""
    from tripwire.listing import print_batch

    console = stdout()
    print_batch(console, result.summary)
    speed = f" ({result.played / result.seconds:.0f} runs/s)" if result.seconds > 0 else ""
    console.print(f"  played {result.played} games in {result.seconds:.1f} s{speed}")
    extra = "".join(
        f", {name}" for name in ("events.parquet", "runs.csv") if (out / name).is_file()
    )
    console.print(f"  wrote {out}/summary.json, summary.md, runs.parquet{extra} and plots")


def _import_plotting_meanwhile() -> None:
    """Import matplotlib (about half a second) on a thread while workers play, so that the
    plots at the end do not wait for it (the main thread mostly waits on the workers)."""
    import contextlib
    import threading

    def load() -> None:
        # any problem shows again, and is reported, when the plotting step imports it
        with contextlib.suppress(Exception):
            import tripwire.report.plots  # noqa: F401

    threading.Thread(target=load, name="import-plotting", daemon=True).start()
