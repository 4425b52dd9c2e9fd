"""Tables for the terminal: what a scenario offers (actions, variables, parameters) and a
finished batch's outcomes. The CLI prints them; they read compiled rules and summaries only.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from tripwire.catalog import load_catalog
from tripwire.scenario.overrides import ACTOR_PARAMETERS
from tripwire.scenario.schema import Scenario
from tripwire.sim.rules import Rules


def actions_tables(rules: Rules, actors: list[str]) -> list[Table]:
    """Per actor, its actions: id, name, domain, targets, cost and what it does."""
    tables = []
    for actor in actors:
        points = rules.action_points[rules.actors.index(actor)]
        table = Table(
            title=f"{actor}: {points} action point(s) a turn",
            title_justify="left",
            header_style="bold",
        )
        for column in ("Id", "Name", "Domain", "Targets", "Cost", "What it does"):
            table.add_column(column, no_wrap=column in ("Id", "Domain"))
        by_action: dict[str, list[Any]] = {}
        for move in rules.moves_of(actor):
            by_action.setdefault(move.action, []).append(move)
        for action, moves in by_action.items():
            first = moves[0]
            targets = ", ".join(m.target for m in moves if m.target) or "-"
            table.add_row(
                action, first.name, first.domain, targets, f"{first.cost:g}", first.description
            )
        tables.append(table)
    return tables


def variables_tables(spec: Scenario, rules: Rules, match: str | None = None) -> list[Table]:
    """The variables (range, the scenario's starting value, meaning) and the actor
    parameters, each name one that ``--set``, ``--sweep`` and ``--watch`` take."""
    described = {v.name: v for v in (*load_catalog().variables, *spec.variables)}
    table = Table(title=f"Variables of {spec.id}", title_justify="left", header_style="bold")
    for column in ("Name", "Range", "Start", "Unit", "What it is"):
        table.add_column(column, no_wrap=column in ("Name", "Range", "Start"))
    for i, name in enumerate(rules.var_names):
        if match and match not in name:
            continue
        v = described.get(name)
        table.add_row(
            name,
            f"{rules.lo_list[i]:g} to {rules.hi_list[i]:g}",
            f"{rules.initial[i]:g}",
            v.unit if v else "",
            v.description if v else "",
        )
    params = Table(
        title=f"Actor parameters of {spec.id}", title_justify="left", header_style="bold"
    )
    params.add_column("Name", no_wrap=True)
    params.add_column("Value", justify="right")
    for a, code in enumerate(rules.actors):
        values = {
            "risk_tolerance": float(rules.risk_tolerance[a]),
            "action_points": float(rules.action_points[a]),
            "noise": float(rules.noise[a]),
        }
        rows = [(f"{code}.{p}", values[p]) for p in ACTOR_PARAMETERS]
        rows += [
            (f"{code}.objectives.{o.id}", float(rules.weights0[k]))
            for k, o in enumerate(rules.objectives)
            if o.actor == code
        ]
        for name, value in rows:
            if not match or match in name:
                params.add_row(name, f"{value:g}")
    return [table, params]


def print_batch(console: Console, summary: dict[str, Any]) -> None:
    """A finished batch's outcomes: per point for a sweep, else with intervals and bands."""
    if summary["sweeps"]:
        _print_sweep(console, summary)
    else:
        _print_outcomes(console, summary)


def _print_sweep(console: Console, summary: dict[str, Any]) -> None:
    """A sweep's outcome probability at every point (pooling the points would mix them)."""
    names = [name for name, _ in summary["sweeps"]]
    table = Table(
        title=f"{summary['title']}: {len(summary['points'])} points x "
        f"{summary['runs_per_point']} games (probability of each outcome)",
        header_style="bold",
    )
    for name in names:
        table.add_column(name, justify="right")
    outcomes = summary["outcomes"]
    for o in outcomes.values():
        table.add_column(o["title"], justify="right")
    for point in summary["points"]:
        cells = []
        for oid in outcomes:
            o = point["outcomes"][oid]
            cells.append(f"{o['probability']:.3f} [{o['ci95'][0]:.3f}-{o['ci95'][1]:.3f}]")
        table.add_row(*(f"{point['values'][n]:g}" for n in names), *cells)
    console.print(table)
    console.print("  (each point's probability [Wilson 95% interval]; points are not pooled)")
    differences = summary.get("differences") or []
    if differences:
        top = max(differences, key=lambda d: (abs(d["difference"]), -d["point"]))
        title = outcomes[top["outcome"]]["title"]
        values = ", ".join(f"{k}={v:g}" for k, v in top["values"].items())
        reference = ", ".join(f"{k}={v:g}" for k, v in summary["points"][0]["values"].items())
        console.print(
            f"  largest difference from {reference}: {title} {top['difference']:+.3f} at "
            f"{values} [{top['ci95'][0]:+.3f} to {top['ci95'][1]:+.3f}, paired by seed] "
            "(every difference in summary.md)"
        )


def _print_outcomes(console: Console, summary: dict[str, Any]) -> None:
    table = Table(title=f"{summary['title']}: {summary['runs']} games", header_style="bold")
    judged = any("band" in o for o in summary["outcomes"].values())
    headers = ("Outcome", "Probability", "95% interval", "Analysis", "In band")
    for name in headers if judged else headers[:3]:
        table.add_column(name, justify="right" if name != "Outcome" else "left")
    for o in summary["outcomes"].values():
        verdict = ""
        if "band" in o:
            verdict = "yes" if o["ci_in_band"] else ("estimate only" if o["in_band"] else "no")
        cells = [o["title"], f"{o['probability']:.3f}", f"{o['ci95'][0]:.3f}-{o['ci95'][1]:.3f}"]
        table.add_row(*cells, *((o.get("rating") or "", verdict) if judged else ()))
    console.print(table)
    if not judged:
        console.print(
            "  (a custom or changed scenario: not judged against the analysis' bands; "
            "--bands asks for it)"
        )
    console.print(
        "  (outcomes are not alternatives: a game can reach several; summary.md says which "
        "go together)"
    )
