"""``tripwire validate``, ``lint``, ``new`` and ``triggers``: the scenario author's commands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tripwire.commands.common import check_outputs, each_file, lint_note, stdout


def validate(paths: Sequence[str]) -> None:
    """Check scenario files: a line for each valid one, the located errors of the others.

    Raises:
        CommandFailed: status 2 when a file is not valid (its errors are printed).
    """
    from tripwire.scenario.loader import load_scenario

    def check(ref: str) -> None:
        sc = load_scenario(ref)
        print(f"{ref}: ok ({sc.id}, {sc.turns} turns from {sc.start}){lint_note(ref)}")

    each_file(paths, check)


def lint(paths: Sequence[str]) -> None:
    """Print each file's warnings and a summary line.

    Raises:
        CommandFailed: status 2 when a file is not valid (its errors are printed).
    """
    from tripwire.authoring.lint import lint as warnings
    from tripwire.authoring.lint import summary_line

    def check(ref: str) -> None:
        found = warnings(ref)
        for d in found:
            print(d.format())
        print(summary_line(ref, found))

    each_file(paths, check)


def new(name: str, *, base: str | None, folder: Path) -> None:
    """Write a commented scenario file (and the schema beside it), never over a file."""
    from tripwire.scenario.scaffold import write_scaffold

    check_outputs(None, folders=[(folder, "--dir", ())])
    for path in write_scaffold(name, base=base, folder=folder):
        print(f"wrote {path}")


def triggers(scenario: str, *, runs: int, seed: int, jobs: int, turns: int | None) -> None:
    """Dry run: print how often and how early each inject, trigger and outcome fires."""
    from tripwire.authoring.dryrun import format_table, trigger_frequencies
    from tripwire.workers import check_jobs

    check_jobs(jobs)
    result = trigger_frequencies(scenario, runs, seed=seed, jobs=jobs, turns=turns)
    stdout().print(format_table(result))
