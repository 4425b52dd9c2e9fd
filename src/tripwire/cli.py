"""The command line: a thin layer over the library (docs/architecture.md; README commands).

Each command declares its options, converts the arguments and calls one function of
:mod:`tripwire.commands`, which does the work and prints its results. Options several
commands share are declared once, below the app.

Exit status: 0 fine, 1 the run failed, 2 bad input or usage. Bad input is reported as one
``PATH:LINE:COL: error: MESSAGE`` line per problem on stderr, never as a traceback: a
command raises :class:`~tripwire.errors.InputError` and the command group prints it (exit 2),
or :class:`~tripwire.commands.CommandFailed` with its own lines and status. Heavy imports
(Mesa, numpy) happen inside the commands that need them, so ``tripwire validate`` and
``tripwire schema`` start quickly.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tripwire import __version__
from tripwire.commands import CommandFailed, print_errors
from tripwire.errors import Diagnostic, InputError, Location

DEFAULT_SCENARIO = "missile_crisis_2"
DEFAULT_SEED = 1
ALL_CORES = max(1, os.cpu_count() or 1)


def _usage_diagnostic(err: Any) -> Diagnostic:
    """A usage error (a bad option value, an unknown option) as one located line."""
    from typer._click.exceptions import MissingParameter, NoSuchOption

    param = getattr(err, "param", None)
    opts = [o for o in getattr(param, "opts", None) or [] if o.startswith("-")]
    if opts:
        where = max(opts, key=len)  # --turns rather than -t
    elif param is not None:
        where = str(getattr(param, "name", None) or "argument").upper()
    else:
        where = getattr(err, "option_name", None) or "usage"
    if isinstance(err, NoSuchOption):
        maybe = sorted(err.possibilities or [])
        message = "no such option" + (f" (did you mean {' or '.join(maybe)}?)" if maybe else "")
    elif isinstance(err, MissingParameter):
        message = "missing: this is required"
    else:
        message = str(err.message)
        message = message[:1].lower() + message[1:]
    ctx = getattr(err, "ctx", None)
    if ctx is not None:
        message += f" (see {ctx.command_path} --help)"
    return Diagnostic(Location(where), message)


class _Group(typer.core.TyperGroup):
    """Tripwire's command group: usage errors are one located line, like bad input, and a
    command's failures become its exit status."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        from typer._click.exceptions import NoArgsIsHelpError, UsageError

        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except NoArgsIsHelpError as err:
            err.show()
            sys.exit(err.exit_code)
        except UsageError as err:
            print(_usage_diagnostic(err).format(), file=sys.stderr)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as err:
            print_errors(err)
            raise typer.Exit(2) from None
        except CommandFailed as err:
            for line in err.lines:
                print(line, file=sys.stderr)
            raise typer.Exit(err.status) from None


app = typer.Typer(
    cls=_Group,
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


# Options several commands share, declared once: each option's names and limits in one
# function, and one alias per meaning that more than one command gives it.
def _seed(help: str) -> Any:
    return typer.Option("--seed", "-s", min=0, help=help)


def _jobs(help: str) -> Any:
    return typer.Option("--jobs", "-j", min=1, help=help)


def _runs(help: str, low: int = 1, high: int | None = None) -> Any:
    return typer.Option("--runs", "-n", min=low, max=high, help=help)


def _out(help: str) -> Any:
    return typer.Option("--out", "-o", help=help)


def _set(help: str) -> Any:
    return typer.Option("--set", help=help)


ScenarioArgument = Annotated[
    str, typer.Argument(help="Bundled scenario name or path to a YAML file.")
]
ScenarioFiles = Annotated[
    list[str],
    typer.Argument(help="Scenario files (or bundled names) to check.", show_default=False),
]
TurnsOption = Annotated[
    int | None,
    typer.Option("--turns", "-t", min=1, max=600, help="Turns to play (default: the scenario's)."),
]
BatchSeed = Annotated[int, _seed("Batch seed; run i always plays the same game.")]
WorkerJobs = Annotated[
    int,
    _jobs(
        "Local worker processes (default: all cores); batches of up to 2,000 games play in "
        "this process, sooner than workers could start."
    ),
]
SetOption = Annotated[
    list[str] | None,
    _set(
        "Change a starting value or actor parameter, NAME=VALUE "
        "(e.g. world.tension=60, PRK.risk_tolerance=0.8, PRK.objectives.technology=1.5). "
        "Repeatable."
    ),
]


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
        from tripwire.commands.run import run

        run(DEFAULT_SCENARIO, seed=DEFAULT_SEED, turns=None, log=None, quiet=False)


@app.command("scenarios")
def scenarios_cmd() -> None:
    """List the bundled scenarios with one-line descriptions."""
    from tripwire.commands.lists import scenarios

    scenarios()


@app.command("actions")
def actions_cmd(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    actors: Annotated[
        str | None,
        typer.Option("--actor", "-a", help="Only these actors, e.g. USA,KOR (default: all six)."),
    ] = None,
) -> None:
    """List each actor's actions in a scenario: the ids scripts use, names, domains, targets."""
    from tripwire.commands.lists import actions

    actions(scenario, actors)


@app.command("variables")
def variables_cmd(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    match: Annotated[
        str | None,
        typer.Option("--match", "-m", help="Only names containing this text, e.g. PRK. or param."),
    ] = None,
) -> None:
    """List the names --set, --sweep and --watch take: variables and actor parameters."""
    from tripwire.commands.lists import variables

    variables(scenario, match)


@app.command("validate")
def validate_cmd(paths: ScenarioFiles) -> None:
    """Check scenario files: exit 0 if all are valid, 2 with PATH:LINE:COL errors if not."""
    from tripwire.commands.authoring import validate

    validate(paths)


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of scenario files (for editors and the YAML language server)."""
    from tripwire.commands.lists import schema

    schema()


@app.command("new")
def new_cmd(
    name: Annotated[
        str, typer.Argument(help="The new scenario's name, e.g. seventh_test (file NAME.yaml).")
    ],
    base: Annotated[
        str | None,
        typer.Option(
            "--from", help="Build on this scenario (bundled name or path) with `extends:`."
        ),
    ] = None,
    folder: Annotated[Path, typer.Option("--dir", help="Folder to write the file in.")] = Path("."),
) -> None:
    """Write a commented scenario file that validates as written (never overwrites a file)."""
    from tripwire.commands.authoring import new

    new(name, base=base, folder=folder)


@app.command("lint")
def lint_cmd(paths: ScenarioFiles) -> None:
    """Go past validity: rules that can never fire, moves nobody can make, effects out of range.

    Warnings are printed as PATH:LINE:COL: warning: MESSAGE. Exit 0 when every file is valid
    (even with warnings), 2 when one is not.
    """
    from tripwire.commands.authoring import lint

    lint(paths)


@app.command("triggers")
def triggers_cmd(
    scenario: ScenarioArgument,
    runs: Annotated[int, _runs("Games.", high=100_000)] = 200,
    seed: BatchSeed = DEFAULT_SEED,
    jobs: Annotated[int, _jobs("Local worker processes.")] = 1,
    turns: TurnsOption = None,
) -> None:
    """Dry run: how often and how early each inject, trigger and outcome fires over N games."""
    from tripwire.commands.authoring import triggers

    triggers(scenario, runs=runs, seed=seed, jobs=jobs, turns=turns)


@app.command("run")
def run_cmd(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    seed: Annotated[int, _seed("Seed of the game: same seed, same game.")] = DEFAULT_SEED,
    turns: TurnsOption = None,
    log: Annotated[
        Path | None, typer.Option("--log", "-l", help="Write the event log (JSON Lines) here.")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not print the turn table.")
    ] = False,
    sets: SetOption = None,
    board: Annotated[
        bool, typer.Option("--board", "-b", help="Watch the game on the board as it is played.")
    ] = False,
    screenshots: Annotated[
        Path | None,
        typer.Option(
            "--screenshots", help="Save the board of every turn as PNG files here (no window)."
        ),
    ] = None,
    watch: Annotated[
        list[str] | None,
        typer.Option(
            "--watch",
            "-w",
            help="Add a column to the turn table for these variables, turn by turn "
            "(e.g. --watch PRK.icbm,alliance.cohesion). Repeatable.",
        ),
    ] = None,
) -> None:
    """Play a scenario with bots in every seat and print the turn table."""
    from tripwire.commands.run import run

    run(
        scenario,
        seed=seed,
        turns=turns,
        log=log,
        quiet=quiet,
        sets=sets or [],
        board=board,
        screenshots=screenshots,
        watch=watch or [],
    )


@app.command("replay")
def replay_cmd(
    log: Annotated[Path, typer.Argument(help="An event log written by `tripwire run --log`.")],
) -> None:
    """Watch a finished (or cut-short) game on the board: step, jump, play at any speed."""
    from tripwire.commands.run import replay

    replay(log)


@app.command("batch")
def batch_cmd(
    scenario: ScenarioArgument,
    runs: Annotated[int, _runs("Games (per sweep point).")],
    seed: BatchSeed = DEFAULT_SEED,
    jobs: WorkerJobs = ALL_CORES,
    out: Annotated[
        Path | None, _out("Output folder (default: batch-SCENARIO-sSEED-nRUNS).")
    ] = None,
    sets: SetOption = None,
    sweeps: Annotated[
        list[str] | None,
        typer.Option(
            "--sweep",
            help="Play every value of NAME=a,b,c (or NAME=start:stop:count); repeatable: "
            "all combinations.",
        ),
    ] = None,
    series: Annotated[
        bool, typer.Option("--series", help="Also keep every variable every turn (series.parquet).")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted batch in --out (or refresh it).")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Send chunks to this Dask scheduler (tcp://host:8786)."),
    ] = None,
    dask_workers: Annotated[
        int | None,
        typer.Option("--dask-workers", min=1, help="Start a local Dask cluster of K workers."),
    ] = None,
    chunk_size: Annotated[
        int | None, typer.Option("--chunk-size", min=1, help="Runs per chunk (default: automatic).")
    ] = None,
    turns: TurnsOption = None,
    events: Annotated[
        bool,
        typer.Option(
            "--events",
            help="Also write events.parquet: one row per event of every game (run, turn, "
            "actor, action, target, success, trigger, inject, outcome).",
        ),
    ] = False,
    csv: Annotated[
        bool, typer.Option("--csv", help="Also write CSV copies of the Parquet files.")
    ] = False,
    bands: Annotated[
        bool | None,
        typer.Option(
            "--bands/--no-bands",
            help="Judge the outcomes against the analysis' bands (default: only a bundled "
            "scenario as shipped, without --set or --sweep, is judged).",
        ),
    ] = None,
) -> None:
    """Play many seeded games and write outcome probabilities, runs.parquet and plots."""
    from tripwire.commands.batch import batch

    batch(
        scenario,
        runs=runs,
        seed=seed,
        jobs=jobs,
        out=out,
        sets=sets or [],
        sweeps=sweeps or [],
        series=series,
        resume=resume,
        scheduler=scheduler,
        dask_workers=dask_workers,
        chunk_size=chunk_size,
        turns=turns,
        events=events,
        csv=csv,
        bands=bands,
    )


@app.command("sensitivity")
def sensitivity_cmd(
    scenario: ScenarioArgument,
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="A --set name and the range to explore: NAME=LOW:HIGH; repeatable.",
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", "-m", help="sobol, morris or lhs (Latin hypercube).")
    ] = "sobol",
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            "-N",
            min=1,
            help="SALib's N: base samples (sobol: a power of 2; N(2D+2) points), trajectories "
            "(morris: N(D+1) points) or points (lhs).",
        ),
    ] = 64,
    runs: Annotated[int, _runs("Games per design point (same seeds).")] = 200,
    seed: Annotated[int, _seed("Seed of the design and of the games.")] = DEFAULT_SEED,
    jobs: WorkerJobs = ALL_CORES,
    out: Annotated[
        Path | None, _out("Output folder (default: sensitivity-SCENARIO-METHOD-sSEED).")
    ] = None,
    outcomes: Annotated[
        list[str] | None,
        typer.Option("--outcome", help="Analyse only these outcomes (default: all)."),
    ] = None,
    means: Annotated[
        list[str] | None,
        typer.Option("--mean", help="Also analyse the mean final value of this variable."),
    ] = None,
    discover: Annotated[
        list[str] | None,
        typer.Option(
            "--discover",
            help="Scenario discovery: the parameter ranges that lead to this outcome.",
        ),
    ] = None,
    problem: Annotated[
        Path | None,
        typer.Option(
            "--problem",
            help="A YAML or JSON file: params (NAME: [LOW, HIGH]), outcomes, means, discover.",
        ),
    ] = None,
    turns: TurnsOption = None,
) -> None:
    """Global sensitivity (Sobol', Morris, Latin hypercube) and scenario discovery."""
    from tripwire.commands.sensitivity import sensitivity

    sensitivity(
        scenario,
        params=params or [],
        method=method,
        samples=samples,
        runs=runs,
        seed=seed,
        jobs=jobs,
        out=out,
        outcomes=outcomes or [],
        means=means or [],
        discover=discover or [],
        problem=problem,
        turns=turns,
    )


@app.command("calibrate")
def calibrate_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario to calibrate.")] = "baseline",
    runs: Annotated[int, _runs("Games for the outcome bands.", low=100)] = 2000,
    check_runs: Annotated[
        int,
        typer.Option("--check-runs", min=50, help="Games per causal check and crisis scenario."),
    ] = 400,
    seed: BatchSeed = DEFAULT_SEED,
    jobs: WorkerJobs = ALL_CORES,
    out: Annotated[Path | None, _out("Markdown report (default: calibration-SCENARIO.md).")] = None,
    turns: TurnsOption = None,
) -> None:
    """Check the model against the analysis and the record: outcome bands, one-cause
    counterfactuals, crisis scenarios, base rates, reversals, trends, runaway variables and
    dead triggers, with each outcome's parameter uncertainty (exit 1 on a FAIL)."""
    from tripwire.commands.calibration import calibrate

    calibrate(
        scenario, runs=runs, check_runs=check_runs, seed=seed, jobs=jobs, out=out, turns=turns
    )


@app.command("fit")
def fit_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario to fit against.")] = "baseline",
    out: Annotated[Path, _out("Where to write the fitted values (YAML).")] = Path("fitted.yaml"),
    population: Annotated[
        int, typer.Option("--population", min=5, max=2000, help="Particles per generation.")
    ] = 60,
    generations: Annotated[
        int, typer.Option("--generations", min=1, max=30, help="ABC-SMC generations.")
    ] = 5,
    games: Annotated[
        int, typer.Option("--games", min=50, max=20000, help="Games per parameter set.")
    ] = 400,
    seed: Annotated[int, _seed("Seed of the fit.")] = DEFAULT_SEED,
) -> None:
    """Fit the free parameters to the analysis' bands and the record (ABC-SMC with pyabc);
    `make fit` writes the result to the catalog, where it becomes the model's defaults."""
    from tripwire.commands.calibration import fit

    fit(
        scenario,
        out=out,
        population=population,
        generations=generations,
        games=games,
        seed=seed,
    )


@app.command("play")
def play_cmd(
    scenario: Annotated[
        str | None,
        typer.Argument(help="Bundled scenario name or path (not with --resume)."),
    ] = None,
    human: Annotated[
        str,
        typer.Option(
            "--human", "-H", help="Seats played by people, e.g. USA,KOR (the rest are bots)."
        ),
    ] = "",
    seed: Annotated[int, _seed("Seed of the game: same seed, same dice.")] = DEFAULT_SEED,
    turns: TurnsOption = None,
    session_dir: Annotated[
        Path | None,
        typer.Option(
            "--session",
            help="Folder to save the session in (default: sessions/SCENARIO-seedN).",
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option("--resume", "-r", help="Continue the session saved in this folder."),
    ] = None,
    script: Annotated[
        Path | None,
        typer.Option("--script", help="Play seat decisions and interventions from a YAML file."),
    ] = None,
    headless: Annotated[
        bool, typer.Option("--headless", help="No window: play the --script and print turns.")
    ] = False,
    delay: Annotated[
        float,
        typer.Option("--delay", min=0.0, max=3600.0, help="Pause after each scripted turn (s)."),
    ] = 0.0,
    jobs: Annotated[int, _jobs("Worker processes for forks (default: 1).")] = 1,
    sets: Annotated[
        list[str] | None, _set("Change a starting value, NAME=VALUE (new sessions only).")
    ] = None,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Serve the session to browsers: prints a join link per team, one for the "
            "white cell and one for the projector (no display needed).",
        ),
    ] = False,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on with --serve (0.0.0.0: the network)."),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port for --serve (0: any free one).")
    ] = 8765,
    projector: Annotated[
        bool,
        typer.Option(
            "--projector",
            help="With --serve: also open the board on this display as the room's projector "
            "(public information only: no notes, rationales or pending decisions).",
        ),
    ] = False,
) -> None:
    """Run a facilitated exercise: people play some seats, bots the rest, the white cell steers.

    Every decision and intervention is saved in the session folder as it is made; `--resume`
    continues a session exactly where it stopped, even after a crash. With `--serve` the
    teams, the white cell and the projector join from browsers (README: Running a room).
    """
    from tripwire.commands.play import play

    play(
        scenario,
        human=human,
        seed=seed,
        turns=turns,
        session_dir=session_dir,
        resume=resume,
        script=script,
        headless=headless,
        delay=delay,
        jobs=jobs,
        sets=sets or [],
        serve=serve,
        host=host,
        port=port,
        projector=projector,
    )


@app.command("report")
def report_cmd(
    path: Annotated[
        Path,
        typer.Argument(help="An event log (after-action review) or a batch folder (batch report)."),
    ],
    out: Annotated[
        Path | None,
        _out(
            "The HTML file (default: LOG.html, or BATCH_DIR/report.html); "
            "a Markdown twin is written next to it."
        ),
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help="Place the game in this batch's distribution."),
    ] = None,
) -> None:
    """Write a report people can read: one self-contained HTML file and a Markdown twin."""
    from tripwire.commands.report import report

    report(path, out=out, batch=batch)


# What a terminal that cannot show a symbol (LANG=C, PYTHONIOENCODING=ascii) prints instead.
_ASCII = {"→": "->", "▲": "^", "▼": "v", "▶": ">", "—": "-", "–": "-", "…": "...", "·": "."}


def _ascii_fallback(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    text = err.object[err.start : err.end]
    return "".join(_ASCII.get(c, "?") for c in text), err.end


def main() -> None:
    """Entry point of the ``tripwire`` command."""
    import codecs

    codecs.register_error("tripwire-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="tripwire-ascii")  # type: ignore[union-attr]
    try:
        app()
    except InputError as err:  # bad input found outside a command (the group prints the rest)
        print_errors(err)
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
