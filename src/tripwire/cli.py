"""The command line: a thin layer over the library (DESIGN.md section 8).

Exit status: 0 fine, 1 the run failed, 2 bad input or usage. Bad input is reported as one
``PATH:LINE:COL: error: MESSAGE`` line per problem on stderr, never as a traceback. Heavy
imports (Mesa, numpy) happen inside the commands that need them, so ``tripwire validate`` and
``tripwire schema`` start quickly.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from tripwire import __version__
from tripwire.errors import InputError

DEFAULT_SCENARIO = "missile_crisis_2"
DEFAULT_SEED = 1

app = typer.Typer(
    name="tripwire",
    help=(
        "Tripwire: a tabletop wargame engine for political-military crises in Northeast Asia "
        "(Russia, North Korea, China, the United States, South Korea, Japan).\n\n"
        f"With no command, plays the default scenario ({DEFAULT_SCENARIO}) "
        "and prints the turn table."
    ),
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _stdout() -> Console:
    # A pipe or file gets a fixed, generous width so tables do not wrap at 80 columns.
    return Console(width=None if sys.stdout.isatty() else 140, highlight=False, soft_wrap=False)


def _fail(err: InputError) -> NoReturn:
    for d in err.diagnostics:
        print(d.format(), file=sys.stderr)
    raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        print(f"tripwire {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Run the default scenario when no command is given."""
    if ctx.invoked_subcommand is None:
        run(DEFAULT_SCENARIO, seed=DEFAULT_SEED, turns=None, log=None, quiet=False)


@app.command("scenarios")
def scenarios_cmd() -> None:
    """List the bundled scenarios with one-line descriptions."""
    from rich.table import Table

    from tripwire.scenario.loader import bundled_scenarios, load_scenario

    table = Table(show_lines=False, header_style="bold")
    table.add_column("Name", no_wrap=True)
    table.add_column("Title", no_wrap=True)
    table.add_column("Turns", justify="right")
    table.add_column("Start")
    table.add_column("Description")
    try:
        for name in bundled_scenarios():
            sc = load_scenario(name)
            line = sc.summary or sc.description.split(". ")[0].rstrip(".") + "."
            table.add_row(name, sc.title, str(sc.turns), sc.start, line)
    except InputError as err:
        _fail(err)
    _stdout().print(table)


@app.command("validate")
def validate_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(help="Scenario files (or bundled names) to check.", show_default=False),
    ],
) -> None:
    """Check scenario files: exit 0 if all are valid, 2 with PATH:LINE:COL errors if not."""
    from tripwire.scenario.loader import load_scenario

    failed = False
    for ref in paths:
        try:
            sc = load_scenario(ref)
        except InputError as err:
            failed = True
            for d in err.diagnostics:
                print(d.format(), file=sys.stderr)
            continue
        print(f"{ref}: ok ({sc.id}, {sc.turns} turns from {sc.start})")
    if failed:
        raise typer.Exit(2)


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of scenario files (for editors and the YAML language server)."""
    from tripwire.scenario.schema import Scenario

    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Tripwire scenario"
    print(json.dumps(schema, indent=2, sort_keys=False))


@app.command("run")
def run_cmd(
    scenario: Annotated[
        str, typer.Argument(help="Bundled scenario name or path to a YAML file.")
    ] = DEFAULT_SCENARIO,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed of the game: same seed, same game.")
    ] = DEFAULT_SEED,
    turns: Annotated[
        int | None,
        typer.Option(
            "--turns", "-t", min=1, max=600, help="Turns to play (default: the scenario's)."
        ),
    ] = None,
    log: Annotated[
        Path | None, typer.Option("--log", "-l", help="Write the event log (JSON Lines) here.")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not print the turn table.")
    ] = False,
) -> None:
    """Play a scenario with bots in every seat and print the turn table."""
    run(scenario, seed=seed, turns=turns, log=log, quiet=quiet)


def run(scenario: str, *, seed: int, turns: int | None, log: Path | None, quiet: bool) -> None:
    """Implementation of ``tripwire run`` (and of ``tripwire`` with no command)."""
    from tripwire.logfile import write_log
    from tripwire.scenario.loader import load_scenario
    from tripwire.sim.model import CrisisModel
    from tripwire.turntable import outcome_lines, turn_table

    if log is not None and not (log.parent if str(log.parent) else Path(".")).is_dir():
        print(
            f"{log}:1:1: error: cannot write the log: folder '{log.parent}' does not exist",
            file=sys.stderr,
        )
        raise typer.Exit(2)
    try:
        spec = load_scenario(scenario)
    except InputError as err:
        _fail(err)
    model = CrisisModel(spec, rng=seed, turns=turns, collect=False).run()
    if log is not None:
        try:
            write_log(log, model.log)
        except OSError as err:
            print(f"{log}:1:1: error: cannot write the log: {err.strerror}", file=sys.stderr)
            raise typer.Exit(2) from None
    if quiet:
        return
    console = _stdout()
    console.print(turn_table(model.log, title=f"{spec.title} — seed {seed}"))
    titles = dict(zip(model.rules.outcome_ids, model.rules.outcome_titles, strict=True))
    for line in outcome_lines(model.log, titles):
        console.print(f"  {line}")
    if log is not None:
        console.print(f"  log written to {log}")


def main() -> None:
    """Entry point of the ``tripwire`` command."""
    try:
        app()
    except InputError as err:  # a command that forgot to catch its own input errors
        for d in err.diagnostics:
            print(d.format(), file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as err:
        if os.environ.get("TRIPWIRE_DEBUG"):
            raise
        why = f"{type(err).__name__}: {err}"
        print(f"error: internal error: {why} (set TRIPWIRE_DEBUG=1 for details)", file=sys.stderr)
        sys.exit(1)
