"""The people's side of a batch folder: ``summary.md`` and the PNG plots, made from the summary.

The batch layer (:mod:`tripwire.batch`) plays the games and returns data: ``runs.parquet`` and
``summary.json``. This module renders that summary for people, so that the engine never
draws: ``tripwire batch`` calls :func:`write_batch_outputs` after the batch, and so does
``tripwire.run_batch`` (:mod:`tripwire.api`) for scripts and notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tripwire.files import write_text_atomic
from tripwire.report.labels import rung_name

COMBINATIONS_SHOWN = 32  # every combination of up to five outcomes


def write_batch_outputs(folder: Path, summary: dict[str, Any], *, plots: bool = True) -> list[Path]:
    """Write the plots (unless ``plots`` is false) and ``summary.md`` of a finished batch
    into its folder; return the plots drawn."""
    drawn: list[Path] = []
    if plots:
        from tripwire.report.plots import batch_plots

        drawn = batch_plots(summary, Path(folder))
    write_text_atomic(Path(folder) / "summary.md", markdown(summary, drawn))
    return drawn


def markdown(summary: dict[str, Any], plots: Iterable[Path]) -> str:
    """``summary.md``: the summary for people."""
    lines = [
        f"# Batch: {summary['title']}",
        "",
        f"{summary['runs']} games of `{summary['scenario']}` ({summary['turns']} turns each), "
        f"batch seed {summary['seed']}, Tripwire {summary['tripwire']}.",
    ]
    if summary["sets"]:
        lines.append(
            "Changes: " + ", ".join(f"`{k}={v:g}`" for k, v in summary["sets"].items()) + "."
        )
    if summary["sweeps"]:
        lines.append(
            "Sweep: "
            + "; ".join(
                f"`{n}` over {', '.join(f'{v:g}' for v in vals)}" for n, vals in summary["sweeps"]
            )
            + f" ({summary['runs_per_point']} games per point, the same seeds at every point)."
        )
    if summary["sweeps"] and len(summary["points"]) > 1:
        lines += sweep_markdown(summary)
    else:
        lines += _outcomes_markdown(summary)
    if summary.get("combinations"):
        titles = {oid: o["title"] for oid, o in summary["outcomes"].items()}
        pooled = " (all points pooled)" if len(summary.get("points") or []) > 1 else ""
        lines += [
            f"{'##' if pooled else '###'} Which outcomes games reach together{pooled}",
            "",
            "| Outcomes reached | Games | Share |",
            "|---|---:|---:|",
        ]
        shown = summary["combinations"][:COMBINATIONS_SHOWN]
        for combo in shown:
            names = " + ".join(titles[o] for o in combo["reached"]) or "none"
            lines.append(f"| {names} | {combo['count']} | {combo['probability']:.3f} |")
        rest = summary["combinations"][COMBINATIONS_SHOWN:]
        if rest:  # so that the table still adds up to every game
            games = sum(c["count"] for c in rest)
            lines.append(
                f"| {len(rest)} other combinations | {games} | {games / summary['runs']:.3f} |"
            )
        lines.append("")
    lines += incidence_markdown(summary)
    lines += [
        "## Escalation",
        "",
        _escalation_sentence(summary),
        "",
        "## Risk triggers",
        "",
        "| Trigger | Share of games | Times per game |",
        "|---|---:|---:|",
    ]
    for tid, t in sorted(summary["triggers"].items(), key=lambda kv: -kv[1]["share_of_runs"]):
        lines.append(f"| `{tid}` | {t['share_of_runs']:.3f} | {t['mean_times_per_run']:.2f} |")
    if summary["sensitivity"]:
        lines += [
            "",
            "## Sensitivity",
            "",
            "| Outcome | Swept | Probabilities | Swing |",
            "|---|---|---|---:|",
        ]
        for row in sorted(summary["sensitivity"], key=lambda r: -r["swing"]):  # largest first
            probs = ", ".join(
                f"{v:g}: {p:.3f}" for v, p in zip(row["values"], row["probabilities"], strict=True)
            )
            lines.append(f"| {row['outcome']} | `{row['name']}` | {probs} | {row['swing']:.3f} |")
    lines += ["", "## Plots", ""]
    lines += [f"![{p.stem}]({p.name})" for p in plots]
    lines += [
        "",
        "## Reproducing a game",
        "",
        "Each row of `runs.parquet` has its `seed`; "
        f"`tripwire run {summary['scenario']} --seed SEED --turns {summary['turns']}"
        + "".join(f" --set {k}={v:g}" for k, v in summary["sets"].items())
        + "` replays that game with its full event log (for a sweep, add the row's swept "
        "values, its columns named after them, as more `--set` options).",
        "",
    ]
    return "\n".join(lines)


def _judged_note(summary: dict[str, Any]) -> str:
    if summary.get("bands", True):
        return (
            "Bands: the project's reading of the analysis' High / Medium / Low (high 0.55-0.95, "
            "medium 0.25-0.55, low 0.03-0.25). In band: *yes*, the whole interval is inside the "
            "band; *estimate only*, the probability is but its interval is not (more games "
            "would tell); *no*, the probability is outside."
        )
    return (
        "Not judged against the analysis' bands: they rate the bundled scenarios as shipped, "
        "and this batch plays a custom or changed one (`--bands` asks for the verdicts)."
    )


def _outcomes_markdown(summary: dict[str, Any]) -> list[str]:
    judged = any("band" in o for o in summary["outcomes"].values())
    lines = ["", "## Outcomes", ""]
    if judged:
        lines += [
            "| Outcome | Games | Probability | 95% interval | Analysis | Band | In band |",
            "|---|---:|---:|---|---|---|---|",
        ]
    else:
        lines += ["| Outcome | Games | Probability | 95% interval |", "|---|---:|---:|---|"]
    for o in summary["outcomes"].values():
        interval = f"{o['ci95'][0]:.3f}-{o['ci95'][1]:.3f}"
        row = f"| {o['title']} | {o['count']} | {o['probability']:.3f} | {interval} |"
        if judged:
            band = f"{o['band'][0]:.2f}-{o['band'][1]:.2f}" if "band" in o else ""
            verdict = ""
            if "band" in o:
                verdict = "yes" if o["ci_in_band"] else ("estimate only" if o["in_band"] else "no")
            row += f" {o.get('rating') or ''} | {band} | {verdict} |"
        lines.append(row)
    lines += [
        "",
        "The outcomes are not alternatives: a game can reach several, so the probabilities need "
        "not add up to 1 (the combinations follow). Intervals are Wilson 95% score intervals. "
        + _judged_note(summary),
        "",
    ]
    return lines


def _interval(ci: list[float]) -> str:
    return f"{ci[0]:.3f}-{ci[1]:.3f}"


def _values(values: dict[str, float]) -> str:
    return ", ".join(f"`{k}={v:g}`" for k, v in values.items())


def sweep_markdown(summary: dict[str, Any]) -> list[str]:
    """A sweep's outcomes point by point and each point's paired difference from point 0."""
    names = [name for name, _ in summary["sweeps"]]
    outcomes = summary["outcomes"]
    lines = [
        "",
        "## Outcomes at each point",
        "",
        "Probability of each outcome at each sweep point, with its Wilson 95% interval "
        f"({summary['runs_per_point']} games per point). The points are not pooled: they "
        "play different scenarios.",
        "",
        "| "
        + " | ".join([*(f"`{n}`" for n in names), *(o["title"] for o in outcomes.values())])
        + " |",
        "|" + "---:|" * (len(names) + len(outcomes)),
    ]
    for point in summary["points"]:
        cells = [f"{point['values'][n]:g}" for n in names]
        for oid in outcomes:
            o = point["outcomes"][oid]
            cells.append(f"{o['probability']:.3f} ({_interval(o['ci95'])})")
        lines.append("| " + " | ".join(cells) + " |")
    judged = [
        (point, oid, o)
        for point in summary["points"]
        for oid, o in point["outcomes"].items()
        if "band" in o
    ]
    if judged:
        lines += [
            "",
            "In band (`--bands`): "
            + "; ".join(
                f"{_values(point['values'])} {o['title']}: "
                + ("yes" if o["ci_in_band"] else "estimate only" if o["in_band"] else "no")
                for point, oid, o in judged
            )
            + ".",
        ]
    lines += ["", _judged_note(summary), ""]
    differences = summary.get("differences") or []
    if differences:
        reference = summary["points"][0]["values"]
        lines += [
            "## Differences from the reference point",
            "",
            f"Each point's probability minus that of the reference point {_values(reference)}. "
            "The points' games share their seeds (run i of every point plays the same seed), "
            "so they are compared pair by pair: the interval is Newcombe's (1998) hybrid score "
            "interval for paired proportions. The unpaired interval, for comparison, is what "
            "independent batches of the same size would give.",
            "",
            "| Outcome | Point | Difference | 95% interval (paired) | Unpaired interval |",
            "|---|---|---:|---|---|",
        ]
        for d in differences:
            lines.append(
                f"| {outcomes[d['outcome']]['title']} | {_values(d['values'])} | "
                f"{d['difference']:+.3f} | {d['ci95'][0]:+.3f} to {d['ci95'][1]:+.3f} | "
                f"{d['unpaired_ci95'][0]:+.3f} to {d['unpaired_ci95'][1]:+.3f} |"
            )
        lines.append("")
    return lines


def incidence_markdown(summary: dict[str, Any]) -> list[str]:
    """Cumulative incidence: the share of games that had reached each outcome by turn t."""
    curves = summary.get("cumulative_incidence")
    if not curves:
        return [
            "## Time to each outcome",
            "",
            "Every point's cumulative-incidence curve (the share of games that had reached "
            "each outcome by each turn, with Wilson 95% intervals) is in summary.json "
            "(`points[i].cumulative_incidence`) and drawn in `cumulative.png`.",
            "",
        ]
    titles = {oid: o["title"] for oid, o in summary["outcomes"].items()}
    last = summary["turns"]
    shown = sorted({*range(0, last + 1, max(1, last // 6)), last} - {0})
    lines = [
        "## Time to each outcome",
        "",
        "The share of games that had reached each outcome by turn t (cumulative incidence), "
        "with its Wilson 95% interval; at the last turn it is the outcome's probability.",
        "",
        "| Turn | " + " | ".join(titles[o] for o in curves) + " |",
        "|---:|" + "---:|" * len(curves),
    ]
    for t in shown:
        cells = [f"{c['probability'][t]:.3f} ({_interval(c['ci95'][t])})" for c in curves.values()]
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _escalation_sentence(summary: dict[str, Any]) -> str:
    peak, score = summary["peak_rung"], summary["total_escalation_score"]
    median = peak.get("median", 0)
    return (
        f"Peak rung on Herman Kahn's 44-rung escalation ladder: median {median:g} "
        f"({rung_name(median)}), 10-90%: {peak.get('p10', 0):g}-{peak.get('p90', 0):g}. "
        f"Total escalation score per game: median {score.get('median', 0):g} "
        f"(mean {score.get('mean', 0):g}); every move taken scores the points of its "
        "category in Rivera et al. (2024), from -2 (de-escalation) to 60 (nuclear use)."
    )
