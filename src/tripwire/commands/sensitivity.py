"""``tripwire sensitivity``: global sensitivity and scenario discovery, with a progress bar,
then the most influential parameters of each response."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tripwire.commands import CommandFailed
from tripwire.commands.common import ProgressBar, check_outputs, stdout


def sensitivity(
    scenario: str,
    *,
    params: Sequence[str],
    method: str,
    samples: int,
    runs: int,
    seed: int,
    jobs: int,
    out: Path | None,
    outcomes: Sequence[str],
    means: Sequence[str],
    discover: Sequence[str],
    problem: Path | None,
    turns: int | None,
) -> None:
    """Check the options and outputs, run the analysis (:func:`tripwire.batch.sensitivity.
    run_sensitivity`; a ``problem`` file's entries come before the options'), write its
    folder and print a summary.

    Raises:
        InputError: bad input, before any game.
        CommandFailed: the analysis failed (status 1) or was interrupted (130).
    """
    from tripwire.batch.sensitivity import OUTPUTS, read_problem
    from tripwire.workers import check_jobs

    check_jobs(jobs)
    given: dict[str, Any] = {"params": [], "outcomes": [], "means": [], "discover": []}
    if problem is not None:
        given = read_problem(problem)
    folder = out or Path(f"sensitivity-{Path(scenario).stem}-{method}-s{seed}")
    check_outputs(
        scenario,
        folders=[(folder, "--out", (*OUTPUTS, "sensitivity.md"))],
        inputs=[problem] if problem else [],
    )
    from tripwire.batch.sensitivity import run_sensitivity
    from tripwire.report.sensitivity import render

    try:
        with ProgressBar("sensitivity") as bar:
            result = run_sensitivity(
                scenario,
                [*given["params"], *params],
                method=method,
                samples=samples,
                runs=runs,
                seed=seed,
                jobs=jobs,
                out=folder,
                named=out is not None,
                outcomes=[*given["outcomes"], *outcomes],
                means=[*given["means"], *means],
                discover_outcomes=[*given["discover"], *discover],
                turns=turns,
                render=render,
                progress=bar.update,
            )
    except KeyboardInterrupt:
        raise CommandFailed("interrupted: nothing was written", status=130) from None
    except (OSError, RuntimeError) as err:
        raise CommandFailed(f"error: the sensitivity analysis failed: {err}") from None
    _print_summary(result)


def _print_summary(result: Any) -> None:
    """The three most influential parameters of each response, the densest discovery box."""
    from tripwire.batch.sensitivity import ranking

    console = stdout()
    design = result.design
    key = {"sobol": "ST", "morris": "mu_star"}.get(design.method, "S1")
    for response, entry in result.indices.items():
        if "params" not in entry:
            console.print(f"  {response}: the same at every point ({entry['constant']:g})")
            continue
        top = ranking(entry, design.method)[:3]
        ranked = ", ".join(f"{n} {entry['params'][n][key] or 0:.3f}" for n in top)
        console.print(f"  {response}: {key} {ranked}")
    for found in result.discovery:
        for box in found["boxes"][:1]:
            ranges = "; ".join(f"{n} {lo:.4g}..{hi:.4g}" for n, (lo, hi) in box["ranges"].items())
            console.print(
                f"  {found['outcome']}: densest box {ranges or '(whole design)'}: density "
                f"{box['density']:.3f}, coverage {box['coverage']:.3f}"
            )
    console.print(
        f"  played {design.points} points x {design.runs} games in {result.played.seconds:.1f} s"
    )
    console.print(
        f"  wrote {result.out}/points.parquet, indices.json, indices.parquet, "
        "sensitivity.md, sensitivity.html and plots"
    )
