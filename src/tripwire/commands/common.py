"""What several commands share: the console, checks of outputs and turns before any work,
the lint note, a progress bar that appears once work is under way."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from tripwire.commands import CommandFailed, print_errors
from tripwire.errors import InputError, Location


def stdout() -> Console:
    """The console for a command's results."""
    # A pipe or file gets a fixed, generous width so tables do not wrap at 80 columns.
    return Console(width=None if sys.stdout.isatty() else 140, highlight=False, soft_wrap=False)


def check_outputs(
    scenario: str | None,
    *,
    files: Sequence[tuple[Path, str]] = (),
    folders: Sequence[tuple[Path | None, str, Sequence[str]]] = (),
    inputs: Sequence[Path] = (),
) -> None:
    """Before any work: each output file, and each output folder (with the names the command
    writes in it), can be written and is none of the command's inputs (the scenario, the
    files it extends, ``inputs``).

    Raises:
        InputError: a located error per bad output.
    """
    from tripwire.files import check_outputs as check
    from tripwire.scenario.loader import scenario_files

    read = [*(scenario_files(scenario) if scenario is not None else []), *inputs]
    check(files=files, folders=folders, inputs=read)


def check_turns(spec: Any, turns: int | None) -> None:
    """A game longer than its scenario's own may pass the limits on what a game records.

    Raises:
        InputError: located at ``--turns``.
    """
    from tripwire.scenario.loader import check_cost

    if turns is not None and spec is not None:
        check_cost(spec, turns, Location("--turns"))


def lint_note(ref: str) -> str:
    """`` (N warnings: tripwire lint REF)`` for a valid scenario file with lint warnings,
    else ``""`` (bundled scenarios are kept free of warnings; lint never fails a command)."""
    from tripwire.scenario.loader import bundled_scenarios

    if ref in bundled_scenarios():
        return ""
    try:
        from tripwire.authoring.lint import lint

        n = len(lint(ref))
    except Exception:  # a problem here is reported by the command itself
        return ""
    return f" ({n} warning{'s' * (n != 1)}: tripwire lint {ref})" if n else ""


def print_lint_note(ref: str) -> None:
    """After a command's work (its errors come first, alone): a note on stderr when its
    scenario file has lint warnings."""
    if note := lint_note(ref):
        print(f"note: {ref} is valid{note}", file=sys.stderr)


def each_file(paths: Sequence[str], work: Callable[[str], None]) -> None:
    """Do ``work`` on every file; print the located errors of those that are bad input.

    Raises:
        CommandFailed: status 2 at the end if one was (its errors are printed already).
    """
    failed = False
    for ref in paths:
        try:
            work(ref)
        except InputError as err:
            failed = True
            print_errors(err)
    if failed:
        raise CommandFailed(status=2)


class ProgressBar:
    """A progress bar on stderr that appears once the work is under way (bad input is
    reported without one) and is redrawn at each report (no refresh thread is needed).

    Use as a context manager, with :meth:`update` as the work's ``progress`` callback; the
    bar is stopped on the way out, before any error is printed.
    """

    def __init__(self, label: str, *, rate: bool = False):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn()]
        if rate:
            columns.append(TextColumn("{task.fields[rate]}"))
        columns.append(TimeRemainingColumn())
        self._bar = Progress(*columns, console=Console(stderr=True), auto_refresh=False)
        self._task = self._bar.add_task(label, total=None, rate="")
        self._rate = rate
        self._first: tuple[float, int] | None = None

    def update(self, done: int, total: int) -> None:
        """``done`` of ``total`` are done."""
        now = time.perf_counter()
        if self._first is None:
            self._first = (now, done)
            self._bar.start()
        fields: dict[str, Any] = {}
        if self._rate:
            elapsed = now - self._first[0]
            rate = (done - self._first[1]) / elapsed if elapsed > 0.5 else None
            fields["rate"] = f"{rate:.0f} runs/s" if rate is not None else ""
        self._bar.update(self._task, completed=done, total=total, **fields)
        self._bar.refresh()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._first is not None:
            self._bar.stop()
