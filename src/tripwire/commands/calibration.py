"""``tripwire calibrate`` and ``tripwire fit``: the model against the analysis and the
record, and the fit of its free parameters."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from tripwire.commands import CommandFailed
from tripwire.commands.common import check_outputs, stdout


def default_report(scenario: str) -> Path:
    """``calibration-SCENARIO.md``."""
    return Path(f"calibration-{Path(scenario).stem}.md")


def calibrate(
    scenario: str,
    *,
    runs: int,
    check_runs: int,
    seed: int,
    jobs: int,
    out: Path | None,
    turns: int | None,
) -> None:
    """Run every check, write the Markdown report and print the verdicts.

    Raises:
        InputError: bad input, before any game.
        CommandFailed: a check FAILs (status 1; the report is written).
    """
    from tripwire.workers import check_jobs, pool_pays, start_forkserver

    check_jobs(jobs)
    if pool_pays(max(runs, check_runs), jobs):
        start_forkserver()  # its imports overlap with ours, just below
    from rich.table import Table

    from tripwire.calibration import calibrate as run_checks
    from tripwire.calibration import markdown
    from tripwire.files import write_output

    target = out or default_report(scenario)
    check_outputs(scenario, files=[(target, "--out")])
    with Console(stderr=True).status("calibrating") as status:
        cal = run_checks(
            scenario,
            runs=runs,
            check_runs=check_runs,
            seed=seed,
            jobs=jobs,
            turns=turns,
            progress=lambda msg: status.update(f"calibrating: {msg}"),
        )
    write_output(target, markdown(cal))
    table = Table(title=f"Calibration of {scenario}", header_style="bold", show_lines=False)
    for name in ("Check", "Expected", "Measured", "Verdict"):
        table.add_column(name, overflow="fold")
    verdicts = {True: "[green]pass[/]", False: "[bold red]FAIL[/]", None: "[dim]reported[/]"}
    for line in cal.lines:
        table.add_row(line.name, line.expected, line.measured, verdicts[line.passed])
    console = stdout()
    console.print(table)
    console.print(f"  {'all checks pass' if cal.passed else 'some checks FAIL'}; report: {target}")
    if not cal.passed:
        raise CommandFailed(status=1)


def fit(
    scenario: str, *, out: Path, population: int, generations: int, games: int, seed: int
) -> None:
    """Fit the free parameters (ABC-SMC), write them as YAML and print them.

    Raises:
        InputError: bad input, before the fit.
    """
    from tripwire.files import write_output
    from tripwire.fit import FREE, fitted_yaml
    from tripwire.fit import fit as run_fit

    check_outputs(scenario, files=[(out, "--out")])
    with Console(stderr=True).status("fitting") as status:
        result = run_fit(
            scenario,
            population=population,
            generations=generations,
            games=games,
            seed=seed,
            progress=lambda msg: status.update(f"fitting: {msg}"),
        )
    write_output(out, fitted_yaml(result, scenario, seed=seed))
    console = stdout()
    for free in FREE:
        mid = result.quantile(free.name, 0.5)
        lo, hi = result.quantile(free.name, 0.05), result.quantile(free.name, 0.95)
        console.print(f"  {free.name:28s} {mid:9.4g}  (90%: {lo:.4g}-{hi:.4g})  {free.why}")
    console.print(f"  distances by generation: {', '.join(f'{e:.3g}' for e in result.epsilons)}")
    sizes = ", ".join(f"{e:.0f}" for e in result.sizes)
    console.print(f"  effective sample size by generation (of {population}): {sizes}")
    console.print(
        f"  kept generation {result.generation}: later ones had collapsed onto a few particles"
        if result.generation < len(result.sizes) - 1
        else "  kept the last generation"
    )
    console.print(f"  wrote {out}")
