"""``tripwire scenarios``, ``actions``, ``variables`` and ``schema``: what there is to play
and the names the other commands take."""

from __future__ import annotations

import sys

from tripwire.commands.common import stdout
from tripwire.errors import Diagnostic, InputError, Location, did_you_mean


def scenarios() -> None:
    """Print the bundled scenarios with one-line descriptions."""
    from rich.table import Table

    from tripwire.scenario.loader import bundled_scenarios, load_scenario

    table = Table(show_lines=False, header_style="bold")
    table.add_column("Name", no_wrap=True)
    table.add_column("Title", no_wrap=True)
    table.add_column("Turns", justify="right")
    table.add_column("Start")
    table.add_column("Description")
    for name in bundled_scenarios():
        sc = load_scenario(name)
        line = sc.summary or sc.description.split(". ")[0].rstrip(".") + "."
        table.add_row(name, sc.title, str(sc.turns), sc.start, line)
    stdout().print(table)


def actions(scenario: str, actors: str | None) -> None:
    """Print each actor's actions (all six, or the comma-separated ``actors``)."""
    from tripwire.listing import actions_tables
    from tripwire.scenario.overrides import load_with_sets
    from tripwire.sim.rules import compile_rules

    rules = compile_rules(load_with_sets(scenario, []))
    wanted = [a.strip() for a in actors.split(",")] if actors else list(rules.actors)
    unknown = [a for a in wanted if a not in rules.actors]
    if unknown:
        raise InputError(
            [
                Diagnostic(
                    Location("--actor"),
                    f"unknown actor '{a}'{did_you_mean(a, rules.actors)} "
                    f"(actors: {', '.join(rules.actors)})",
                )
                for a in unknown
            ]
        )
    console = stdout()
    for table in actions_tables(rules, wanted):
        console.print(table)


def variables(scenario: str, match: str | None) -> None:
    """Print the names ``--set``, ``--sweep`` and ``--watch`` take (those containing
    ``match``)."""
    from tripwire.listing import variables_tables
    from tripwire.scenario.overrides import load_with_sets
    from tripwire.sim.rules import compile_rules

    spec = load_with_sets(scenario, [])
    console = stdout()
    for table in variables_tables(spec, compile_rules(spec), match):
        console.print(table)


def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from tripwire.scenario.scaffold import schema_json

    sys.stdout.write(schema_json())
