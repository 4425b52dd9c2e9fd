"""The command line: a thin layer over the library (docs/architecture.md; README commands).

Exit status: 0 fine, 1 the run failed, 2 bad input or usage. Bad input is reported as one
``PATH:LINE:COL: error: MESSAGE`` line per problem on stderr, never as a traceback. Heavy
imports (Mesa, numpy) happen inside the commands that need them, so ``tripwire validate`` and
``tripwire schema`` start quickly.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from tripwire import __version__
from tripwire.errors import Diagnostic, InputError, Location, format_lines

DEFAULT_SCENARIO = "missile_crisis_2"
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
DEFAULT_SEED = 1


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
    """Tripwire's command group: usage errors are one located line, like bad input."""

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


# Options several commands share, spelt once.
ScenarioArgument = Annotated[
    str, typer.Argument(help="Bundled scenario name or path to a YAML file.")
]
TurnsOption = Annotated[
    int | None,
    typer.Option("--turns", "-t", min=1, max=600, help="Turns to play (default: the scenario's)."),
]


def _stdout() -> Console:
    # A pipe or file gets a fixed, generous width so tables do not wrap at 80 columns.
    return Console(width=None if sys.stdout.isatty() else 140, highlight=False, soft_wrap=False)


def _print_errors(err: InputError) -> None:
    """Each diagnostic on its own line (at most MAX_LINES of them) on stderr."""
    for line in format_lines(err.diagnostics):
        print(line, file=sys.stderr)


def _fail(err: InputError) -> NoReturn:
    _print_errors(err)
    raise typer.Exit(2)


def _check_jobs(jobs: int | None, option: str = "--jobs") -> None:
    """Refuse more local worker processes than the machine can carry (exit 2)."""
    from tripwire.workers import check_jobs

    try:
        check_jobs(jobs, option)
    except InputError as err:
        _fail(err)


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


@app.command("actions")
def actions_cmd(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    actors: Annotated[
        str | None,
        typer.Option("--actor", "-a", help="Only these actors, e.g. USA,KOR (default: all six)."),
    ] = None,
) -> None:
    """List each actor's actions in a scenario: the ids scripts use, names, domains, targets."""
    from tripwire.errors import Diagnostic, Location, did_you_mean
    from tripwire.listing import actions_tables
    from tripwire.sim.rules import compile_rules

    rules = compile_rules(_scenario_with(scenario, []))
    wanted = [a.strip() for a in actors.split(",")] if actors else list(rules.actors)
    unknown = [a for a in wanted if a not in rules.actors]
    if unknown:
        _fail(
            InputError(
                [
                    Diagnostic(
                        Location("--actor"),
                        f"unknown actor '{a}'{did_you_mean(a, rules.actors)} "
                        f"(actors: {', '.join(rules.actors)})",
                    )
                    for a in unknown
                ]
            )
        )
    console = _stdout()
    for table in actions_tables(rules, wanted):
        console.print(table)


@app.command("variables")
def variables_cmd(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    match: Annotated[
        str | None,
        typer.Option("--match", "-m", help="Only names containing this text, e.g. PRK. or param."),
    ] = None,
) -> None:
    """List the names --set, --sweep and --watch take: variables and actor parameters."""
    from tripwire.listing import variables_tables
    from tripwire.sim.rules import compile_rules

    spec = _scenario_with(scenario, [])
    console = _stdout()
    for table in variables_tables(spec, compile_rules(spec), match):
        console.print(table)


@app.command("validate")
def validate_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(help="Scenario files (or bundled names) to check.", show_default=False),
    ],
) -> None:
    """Check scenario files: exit 0 if all are valid, 2 with PATH:LINE:COL errors if not."""
    from tripwire.scenario.loader import load_scenario

    def check(ref: str) -> None:
        sc = load_scenario(ref)
        print(f"{ref}: ok ({sc.id}, {sc.turns} turns from {sc.start}){_lint_note(ref)}")

    _each_file(paths, check)


def _each_file(paths: list[str], work: Callable[[str], None]) -> None:
    """Do ``work`` on every file; print the located errors of those that are bad input and
    exit 2 at the end if there was one."""
    failed = False
    for ref in paths:
        try:
            work(ref)
        except InputError as err:
            failed = True
            _print_errors(err)
    if failed:
        raise typer.Exit(2)


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of scenario files (for editors and the YAML language server)."""
    from tripwire.scenario.scaffold import schema_json

    sys.stdout.write(schema_json())


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
    from tripwire.scenario.scaffold import write_scaffold

    _check_outputs(None, folders=[(folder, "--dir", ())])
    try:
        for path in write_scaffold(name, base=base, folder=folder):
            print(f"wrote {path}")
    except InputError as err:
        _fail(err)


@app.command("lint")
def lint_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(help="Scenario files (or bundled names) to check.", show_default=False),
    ],
) -> None:
    """Go past validity: rules that can never fire, moves nobody can make, effects out of range.

    Warnings are printed as PATH:LINE:COL: warning: MESSAGE. Exit 0 when every file is valid
    (even with warnings), 2 when one is not.
    """
    from tripwire.authoring.lint import lint, summary_line

    def check(ref: str) -> None:
        found = lint(ref)
        for d in found:
            print(d.format())
        print(summary_line(ref, found))

    _each_file(paths, check)


@app.command("triggers")
def triggers_cmd(
    scenario: ScenarioArgument,
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=100_000, help="Games.")] = 200,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Batch seed.")] = DEFAULT_SEED,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Local worker processes.")] = 1,
    turns: TurnsOption = None,
) -> None:
    """Dry run: how often and how early each inject, trigger and outcome fires over N games."""
    from tripwire.authoring.dryrun import format_table, trigger_frequencies

    _check_jobs(jobs)
    try:
        result = trigger_frequencies(scenario, runs, seed=seed, jobs=jobs, turns=turns)
    except InputError as err:
        _fail(err)
    _stdout().print(format_table(result))


@app.command("run")
def run_cmd(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed of the game: same seed, same game.")
    ] = DEFAULT_SEED,
    turns: TurnsOption = None,
    log: Annotated[
        Path | None, typer.Option("--log", "-l", help="Write the event log (JSON Lines) here.")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not print the turn table.")
    ] = False,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Change a starting value or actor parameter, NAME=VALUE "
            "(e.g. world.tension=60, PRK.risk_tolerance=0.8, PRK.objectives.technology=1.5). "
            "Repeatable.",
        ),
    ] = None,
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
    if note := _lint_note(scenario):  # after the game: errors come first, alone
        print(f"note: {scenario} is valid{note}", file=sys.stderr)


def _lint_note(ref: str) -> str:
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


def _write_output(path: Path, text: str, option: str = "--out") -> None:
    """Write a text output the user named, or fail with a located error (exit 2)."""
    from tripwire.files import write_text_atomic

    try:
        write_text_atomic(path, text)
    except OSError as err:
        _fail(InputError([Diagnostic(Location(option), f"{path}: {err.strerror or err}")]))
    except InputError as err:
        _fail(err)


def _check_outputs(
    scenario: str | None,
    *,
    files: Sequence[tuple[Path, str]] = (),
    folders: Sequence[tuple[Path | None, str, Sequence[str]]] = (),
    inputs: Sequence[Path] = (),
) -> None:
    """Before any work: each output file, and each output folder (with the names the command
    writes in it), can be written and is none of the command's inputs (the scenario, the
    files it extends, ``inputs``); bad ones exit 2 with a located error each."""
    from tripwire.files import check_not_input, check_output_file, check_output_folder
    from tripwire.scenario.loader import scenario_files

    read = [*(scenario_files(scenario) if scenario is not None else []), *inputs]
    problems: list[Diagnostic] = []
    for path, option in files:
        try:
            check_output_file(path, option)
            check_not_input(path, option, inputs=read)
        except InputError as err:
            problems.extend(err.diagnostics)
    for folder, option, names in folders:
        if folder is None:
            continue
        try:
            check_output_folder(folder, option)
            for name in names:
                check_not_input(folder / name, option, inputs=read, data_folders=False)
        except InputError as err:
            problems.extend(err.diagnostics)
    if problems:
        _fail(InputError(problems))


def _check_turns(spec: Any, turns: int | None) -> None:
    """A game longer than its scenario's own may pass the limits on what a game records."""
    from tripwire.scenario.loader import check_cost

    if turns is not None and spec is not None:
        try:
            check_cost(spec, turns, Location("--turns"))
        except InputError as err:
            _fail(err)


def _scenario_with(scenario: str, sets: list[str]) -> Any:
    """Load a scenario and apply --set changes (bad input exits 2)."""
    from tripwire.scenario.loader import load_scenario
    from tripwire.scenario.overrides import apply_overrides, parse_set

    try:
        spec = load_scenario(scenario)
        return apply_overrides(spec, [parse_set(a) for a in sets]) if sets else spec
    except InputError as err:
        _fail(err)


def run(
    scenario: str,
    *,
    seed: int,
    turns: int | None,
    log: Path | None,
    quiet: bool,
    sets: list[str] | None = None,
    board: bool = False,
    screenshots: Path | None = None,
    watch: list[str] | None = None,
) -> None:
    """Implementation of ``tripwire run`` (and of ``tripwire`` with no command)."""
    from tripwire.logfile import write_log
    from tripwire.sim.model import CrisisModel
    from tripwire.turntable import outcome_lines, turn_table

    if log is not None and not (log.parent if str(log.parent) else Path(".")).is_dir():
        print(
            f"{log}:1:1: error: cannot write the log: folder '{log.parent}' does not exist",
            file=sys.stderr,
        )
        raise typer.Exit(2)
    if log is not None and log.is_dir():
        print(f"{log}:1:1: error: cannot write the log: this is a folder", file=sys.stderr)
        raise typer.Exit(2)
    if screenshots is not None and screenshots.exists() and not screenshots.is_dir():
        print(f"{screenshots}:1:1: error: --screenshots needs a folder", file=sys.stderr)
        raise typer.Exit(2)
    _check_outputs(
        scenario,
        files=[(log, "--log")] if log else [],
        folders=[(screenshots, "--screenshots", ())],
    )
    spec = _scenario_with(scenario, sets or [])
    _check_turns(spec, turns)
    model = CrisisModel(spec, rng=seed, turns=turns, collect=False)
    watched = _watched(watch or [], model.log[-1]["state"])
    if board:
        from tripwire.board.replay.app import play_turns, show_live

        _with_display(lambda: show_live(play_turns(model), model.log[0]))
    model.run()
    if screenshots is not None:
        from tripwire.board.replay.app import save_screenshots

        screenshots.mkdir(parents=True, exist_ok=True)
        paths = save_screenshots(model.log, screenshots)
        if not quiet:
            _stdout().print(f"  {len(paths)} board screenshots in {screenshots}/")
    if log is not None:
        try:
            write_log(log, model.log)
        except OSError as err:
            print(f"{log}:1:1: error: cannot write the log: {err.strerror}", file=sys.stderr)
            raise typer.Exit(2) from None
        except InputError as err:
            _fail(err)
    if quiet:
        return
    console = _stdout()
    console.print(turn_table(model.log, title=f"{spec.title} — seed {seed}", watch=watched))
    titles = dict(zip(model.rules.outcome_ids, model.rules.outcome_titles, strict=True))
    for line in outcome_lines(model.log, titles):
        console.print(f"  {line}")
    if log is not None:
        console.print(f"  log written to {log}")


def _watched(options: list[str], shown: dict[str, float]) -> list[str]:
    """The variables of ``--watch`` (comma-separated, repeatable), each one that the turn
    snapshots show; an unknown name is a located error (exit 2)."""
    from tripwire.errors import Diagnostic, Location, did_you_mean

    names: list[str] = []
    problems: list[Diagnostic] = []
    for k, option in enumerate(options, start=1):
        column = 1
        for name in option.split(","):
            stripped = name.strip()
            if stripped and stripped not in shown:
                hint = did_you_mean(stripped, shown)
                if stripped.startswith("param."):
                    hint = " (parameters do not change during a game: --set them instead)"
                where = Location("--watch", k, column + len(name) - len(name.lstrip()))
                problems.append(Diagnostic(where, f"unknown variable '{stripped}'{hint}"))
            elif stripped and stripped not in names:
                names.append(stripped)
            column += len(name) + 1
    if problems:
        _fail(InputError(problems))
    return names


@app.command("replay")
def replay_cmd(
    log: Annotated[Path, typer.Argument(help="An event log written by `tripwire run --log`.")],
) -> None:
    """Watch a finished (or cut-short) game on the board: step, jump, play at any speed."""
    from tripwire.board.replay.app import replay
    from tripwire.gamelog import read_game

    try:
        read_game(log)  # a broken log is bad input (exit 2) with or without a display
        _with_display(lambda: replay(log))
    except InputError as err:
        _fail(err)


_NO_WINDOW = (
    "; on a machine without a display, use `tripwire run ... --screenshots DIR` "
    "to save the board as PNG files"
)


def _has_display() -> bool:
    """Whether a board window can be shown (SDL would otherwise draw to nowhere, forever)."""
    driver = os.environ.get("SDL_VIDEODRIVER", "")
    if driver in ("dummy", "offscreen"):
        return False
    if sys.platform.startswith("linux") and not driver:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _serve(session: Any, *, host: str, port: int, projector: bool) -> None:
    """Serve the room until Ctrl-C; with ``projector``, serve it from a background thread
    and show the projector window here (the board, public information only) until the
    window is closed, then stop serving."""
    from tripwire.room.server import RoomServer, serve_room

    if not projector:
        serve_room(session, host=host, port=port, say=lambda text: print(text, flush=True))
        return
    from tripwire.board.exercise.projector import run_projector

    if not _has_display():
        print(
            "error: no display to open the projector window on; --serve alone serves the "
            "room (its projector link opens in any browser)",
            file=sys.stderr,
        )
        raise typer.Exit(1)
    server = RoomServer(session, host=host, port=port)
    print(f"Tripwire room: {session.spec.title}, serving on {server.base}", flush=True)
    for link, url in server.links:
        print(f"  {link.label:12s} {url}", flush=True)
    print("The projector window shows the room's view; closing it stops the server.", flush=True)
    server.start()
    try:
        room = server.room
        _with_display(lambda: run_projector(session, lock=room.lock, clock=room.clock.state))
    finally:
        server.stop()


def _with_display(show: Any) -> None:
    """Open a board window, or explain clearly why there is none (exit 1)."""
    if not _has_display():
        print(f"error: no display to open the board window on{_NO_WINDOW}", file=sys.stderr)
        raise typer.Exit(1)
    import pygame

    try:
        show()
    except pygame.error as err:
        print(f"error: cannot open the board window ({err}){_NO_WINDOW}", file=sys.stderr)
        raise typer.Exit(1) from None


@app.command("batch")
def batch_cmd(
    scenario: ScenarioArgument,
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="Games (per sweep point).")],
    seed: Annotated[
        int,
        typer.Option("--seed", "-s", min=0, help="Batch seed; run i always plays the same game."),
    ] = DEFAULT_SEED,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Local worker processes (default: all cores); batches of up to 2,000 games "
            "play in this process, sooner than workers could start.",
        ),
    ] = max(1, os.cpu_count() or 1),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default: batch-SCENARIO-sSEED-nRUNS)."),
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Change a starting value or actor parameter: NAME=VALUE."),
    ] = None,
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
    from tripwire.scenario.overrides import check_sweeps, parse_set, parse_sweep

    if scheduler is not None and dask_workers is not None:
        print(
            "--scheduler:1:1: error: give --scheduler or --dask-workers, not both", file=sys.stderr
        )
        raise typer.Exit(2)
    try:
        assignments = [parse_set(a) for a in sets or []]
        sweep_list = [parse_sweep(a) for a in sweeps or []]
        check_sweeps(sweep_list)  # their product, before a point is built
    except InputError as err:
        _fail(err)
    if scheduler is None and dask_workers is None:
        _check_jobs(jobs)  # local workers
    _check_jobs(dask_workers, "--dask-workers")
    folder = out or Path(f"batch-{Path(scenario).stem}-s{seed}-n{runs}")
    # the batch's own files and folders: none may be its scenario (or a file it extends)
    _check_outputs(scenario, folders=[(folder, "--out", BATCH_DATA)])
    _batch(
        scenario,
        runs=runs,
        seed=seed,
        jobs=jobs,
        out=folder,
        sets=assignments,
        sweeps=sweep_list,
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
    if note := _lint_note(scenario):  # after the batch: errors come first, alone
        print(f"note: {scenario} is valid{note}", file=sys.stderr)


def _batch(scenario: str, *, out: Path, **options: Any) -> None:
    """Run a batch with a progress bar, then print its outcome table."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    workers = _start_workers(options)
    from tripwire.batch.runner import run_batch

    if workers:  # this process mostly waits on them
        _import_plotting_meanwhile()

    err_console = Console(stderr=True)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    # The bar appears once the batch is under way (bad input is reported without one) and is
    # redrawn whenever a chunk finishes (no refresh thread is needed).
    bar = Progress(*columns, console=err_console, transient=False, auto_refresh=False)
    task = bar.add_task(f"batch {Path(scenario).stem}", total=None, rate="")
    first: list[float] = []

    def progress(done: int, total: int) -> None:
        import time

        now = time.perf_counter()
        if not first:
            first.extend([now, done])
            bar.start()
        elapsed = now - first[0]
        rate = f"{(done - first[1]) / elapsed:.0f} runs/s" if elapsed > 0.5 else ""
        bar.update(task, completed=done, total=total, rate=rate)
        bar.refresh()

    def stop() -> None:
        if first:
            bar.stop()

    try:
        result = run_batch(scenario, out=out, progress=progress, **options)
        from tripwire.report.batch_outputs import write_batch_outputs

        write_batch_outputs(result.out, result.summary)  # summary.md and the plots
    except InputError as err:
        stop()
        _fail(err)
    except KeyboardInterrupt:
        stop()
        if out is not None and (Path(out) / "batch.json").is_file():
            print(f"interrupted: run the same command with --resume to finish {out}",
                  file=sys.stderr)  # fmt: skip
        else:  # stopped before the batch's folder was made: nothing to resume
            print("interrupted before the batch started: nothing was written", file=sys.stderr)
        raise typer.Exit(130) from None
    except (OSError, RuntimeError) as err:
        stop()
        print(f"error: the batch failed: {err}", file=sys.stderr)
        raise typer.Exit(1) from None
    stop()
    _print_done(result, out)


def _print_done(result: Any, out: Path) -> None:
    """A finished batch's outcome table, speed and files."""
    from tripwire.listing import print_batch

    console = _stdout()
    print_batch(console, result.summary)
    speed = f" ({result.played / result.seconds:.0f} runs/s)" if result.seconds > 0 else ""
    console.print(f"  played {result.played} games in {result.seconds:.1f} s{speed}")
    extra = "".join(
        f", {name}" for name in ("events.parquet", "runs.csv") if (Path(out) / name).is_file()
    )
    console.print(f"  wrote {out}/summary.json, summary.md, runs.parquet{extra} and plots")


def _start_workers(options: dict[str, Any]) -> bool:
    """Start the local workers' forkserver early when a batch will use them (its imports
    overlap with ours); return whether the batch plays on workers."""
    from tripwire.workers import batch_games, pool_pays, start_forkserver

    games = batch_games(options["runs"], options.get("sweeps") or ())
    local = not options.get("scheduler") and not options.get("dask_workers")
    workers = not local or pool_pays(games, options.get("jobs", 1))
    if local and workers:
        start_forkserver()
    return workers


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
    runs: Annotated[
        int, typer.Option("--runs", "-n", min=1, help="Games per design point (same seeds).")
    ] = 200,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed of the design and of the games.")
    ] = DEFAULT_SEED,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, help="Local worker processes (default: all cores)."),
    ] = max(1, os.cpu_count() or 1),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output folder (default: sensitivity-SCENARIO-METHOD-sSEED)."
        ),
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
    from tripwire.batch.sensitivity import OUTPUTS, read_problem

    _check_jobs(jobs)
    given: dict[str, Any] = {"params": [], "outcomes": [], "means": [], "discover": []}
    if problem is not None:
        try:
            given = read_problem(problem)
        except InputError as err:
            _fail(err)
    folder = out or Path(f"sensitivity-{Path(scenario).stem}-{method}-s{seed}")
    _check_outputs(
        scenario,
        folders=[(folder, "--out", (*OUTPUTS, "sensitivity.md"))],
        inputs=[problem] if problem else [],
    )
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from tripwire.batch.sensitivity import run_sensitivity
    from tripwire.report.sensitivity import render

    bar = Progress(
        "[bold]sensitivity",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        auto_refresh=False,
    )
    task = bar.add_task("games", total=None)
    shown: list[bool] = []

    def progress(done: int, total: int) -> None:
        if not shown:
            shown.append(True)
            bar.start()
        bar.update(task, completed=done, total=total)
        bar.refresh()

    try:
        result = run_sensitivity(
            scenario,
            [*given["params"], *(params or [])],
            method=method,
            samples=samples,
            runs=runs,
            seed=seed,
            jobs=jobs,
            out=folder,
            named=out is not None,
            outcomes=[*given["outcomes"], *(outcomes or [])],
            means=[*given["means"], *(means or [])],
            discover_outcomes=[*given["discover"], *(discover or [])],
            turns=turns,
            render=render,
            progress=progress,
        )
    except InputError as err:
        if shown:
            bar.stop()
        _fail(err)
    except KeyboardInterrupt:
        if shown:
            bar.stop()
        print("interrupted: nothing was written", file=sys.stderr)
        raise typer.Exit(130) from None
    except (OSError, RuntimeError) as err:
        if shown:
            bar.stop()
        print(f"error: the sensitivity analysis failed: {err}", file=sys.stderr)
        raise typer.Exit(1) from None
    if shown:
        bar.stop()
    _print_sensitivity(result)


def _print_sensitivity(result: Any) -> None:
    """The three most influential parameters of each response, the densest discovery box."""
    from tripwire.batch.sensitivity import ranking

    console = _stdout()
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


@app.command("calibrate")
def calibrate_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario to calibrate.")] = "baseline",
    runs: Annotated[
        int, typer.Option("--runs", "-n", min=100, help="Games for the outcome bands.")
    ] = 2000,
    check_runs: Annotated[
        int,
        typer.Option("--check-runs", min=50, help="Games per causal check and crisis scenario."),
    ] = 400,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Batch seed.")] = DEFAULT_SEED,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, help="Local worker processes (default: all cores)."),
    ] = max(1, os.cpu_count() or 1),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Markdown report (default: calibration-SCENARIO.md)."),
    ] = None,
    turns: TurnsOption = None,
) -> None:
    """Check the model against the analysis and the record: outcome bands, one-cause
    counterfactuals, crisis scenarios, base rates, reversals, trends, runaway variables and
    dead triggers, with each outcome's parameter uncertainty (exit 1 on a FAIL)."""
    from tripwire.workers import pool_pays, start_forkserver

    _check_jobs(jobs)
    if pool_pays(max(runs, check_runs), jobs):
        start_forkserver()  # its imports overlap with ours, just below
    from rich.table import Table

    from tripwire.calibration import calibrate, markdown

    err_console = Console(stderr=True)
    target = out or Path(f"calibration-{Path(scenario).stem}.md")
    _check_outputs(scenario, files=[(target, "--out")])
    try:
        with err_console.status("calibrating") as status:
            cal = calibrate(
                scenario,
                runs=runs,
                check_runs=check_runs,
                seed=seed,
                jobs=jobs,
                turns=turns,
                progress=lambda msg: status.update(f"calibrating: {msg}"),
            )
    except InputError as err:
        _fail(err)
    _write_output(target, markdown(cal))
    table = Table(title=f"Calibration of {scenario}", header_style="bold", show_lines=False)
    for name in ("Check", "Expected", "Measured", "Verdict"):
        table.add_column(name, overflow="fold")
    verdicts = {True: "[green]pass[/]", False: "[bold red]FAIL[/]", None: "[dim]reported[/]"}
    for line in cal.lines:
        table.add_row(line.name, line.expected, line.measured, verdicts[line.passed])
    console = _stdout()
    console.print(table)
    console.print(f"  {'all checks pass' if cal.passed else 'some checks FAIL'}; report: {target}")
    if not cal.passed:
        raise typer.Exit(1)


@app.command("fit")
def fit_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario to fit against.")] = "baseline",
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Where to write the fitted values (YAML)."),
    ] = Path("fitted.yaml"),
    population: Annotated[
        int, typer.Option("--population", min=5, max=2000, help="Particles per generation.")
    ] = 60,
    generations: Annotated[
        int, typer.Option("--generations", min=1, max=30, help="ABC-SMC generations.")
    ] = 5,
    games: Annotated[
        int, typer.Option("--games", min=50, max=20000, help="Games per parameter set.")
    ] = 400,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Seed of the fit.")] = 1,
) -> None:
    """Fit the free parameters to the analysis' bands and the record (ABC-SMC with pyabc);
    `make fit` writes the result to the catalog, where it becomes the model's defaults."""
    from tripwire.fit import FREE, fit, fitted_yaml

    _check_outputs(scenario, files=[(out, "--out")])
    err_console = Console(stderr=True)
    try:
        with err_console.status("fitting") as status:
            result = fit(
                scenario,
                population=population,
                generations=generations,
                games=games,
                seed=seed,
                progress=lambda msg: status.update(f"fitting: {msg}"),
            )
    except InputError as err:
        _fail(err)
    _write_output(out, fitted_yaml(result, scenario, seed=seed))
    console = _stdout()
    for free in FREE:
        mid = result.quantile(free.name, 0.5)
        lo, hi = result.quantile(free.name, 0.05), result.quantile(free.name, 0.95)
        console.print(f"  {free.name:28s} {mid:9.4g}  (90%: {lo:.4g}-{hi:.4g})  {free.why}")
    console.print(f"  distances by generation: {', '.join(f'{e:.3g}' for e in result.epsilons)}")
    console.print(f"  wrote {out}")


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
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed of the game: same seed, same dice.")
    ] = DEFAULT_SEED,
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
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, help="Worker processes for forks (default: 1)."),
    ] = 1,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Change a starting value, NAME=VALUE (new sessions only)."),
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
    from tripwire.errors import Diagnostic, Location
    from tripwire.session.journal import SESSION
    from tripwire.session.play import open_session, play_headless, summary

    problems = []
    if resume is not None and (scenario is not None or sets):
        problems.append("--resume continues a saved session: give no SCENARIO or --set")
    if resume is None and scenario is None:
        problems.append("give a SCENARIO to start a session, or --resume DIR to continue one")
    if resume is not None and session_dir is not None:
        problems.append("--session names a new session's folder: not with --resume")
    if headless and script is None and resume is None:
        problems.append("--headless plays a --script FILE: give one")
    if serve and (script is not None or headless):
        problems.append(
            "--serve takes its input from the browsers: not with --script or --headless"
        )
    if not serve and (host != "127.0.0.1" or port != 8765):
        problems.append("--host and --port are options of --serve")
    if projector and not serve:
        problems.append("--projector shows a served session on this display: add --serve")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        raise typer.Exit(2)
    if resume is not None and not (resume / SESSION).is_file():
        # before the display check: a wrong folder is the message that helps
        _fail(InputError([Diagnostic(Location(str(resume)), f"no session here (no {SESSION})")]))
    if not headless and not serve and not _has_display():
        print(
            "error: no display to open the exercise board on; "
            "use --script FILE --headless to play a scripted session",
            file=sys.stderr,
        )
        raise typer.Exit(1)
    if resume is None:
        from tripwire.session.journal import JOURNAL, LOG

        _check_outputs(
            scenario,
            folders=[(session_dir or Path("sessions"), "--session", (SESSION, JOURNAL, LOG))],
            inputs=[script] if script is not None else [],
        )
    _check_jobs(jobs)
    spec = _scenario_with(scenario, sets or []) if scenario is not None else None
    _check_turns(spec, turns)
    console = _stdout()
    try:
        session = open_session(
            spec,
            seed=seed,
            humans=human,
            folder=session_dir,
            resume=resume,
            turns=turns,
            script=script,
        )
    except InputError as err:
        _fail(err)
    try:
        if serve:
            _serve(session, host=host, port=port, projector=projector)
        elif not headless:
            from tripwire.board.exercise.app import run_exercise

            _with_display(lambda: run_exercise(session, fork_jobs=jobs))
        elif script is not None:
            play_headless(session, script, console, delay=delay, fork_jobs=jobs)
    except InputError as err:
        summary(session, console)
        _fail(err)
    summary(session, console)


@app.command("report")
def report_cmd(
    path: Annotated[
        Path,
        typer.Argument(help="An event log (after-action review) or a batch folder (batch report)."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The HTML file (default: LOG.html, or BATCH_DIR/report.html); "
            "a Markdown twin is written next to it.",
        ),
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help="Place the game in this batch's distribution."),
    ] = None,
) -> None:
    """Write a report people can read: one self-contained HTML file and a Markdown twin."""
    from tripwire.files import BATCH_OWN_OUTPUTS, check_not_input
    from tripwire.report.aar import write_game_report
    from tripwire.report.batch_report import write_batch_report
    from tripwire.report.sensitivity import is_analysis, write_sensitivity_report

    target = out or (path / "report.html" if path.is_dir() else path.with_suffix(".html"))
    try:
        for file in (target, target.with_suffix(".md")):  # the HTML file and its twin
            if path.is_dir():
                check_not_input(file, "--out", folders=[path], allowed=BATCH_OWN_OUTPUTS)
            else:
                check_not_input(file, "--out", inputs=[path], folders=[batch] if batch else [])
        if path.is_dir():
            if batch is not None:
                raise InputError(
                    [
                        Diagnostic(
                            Location(str(batch)), "--batch goes with a game's log, not a batch"
                        )
                    ]
                )
            if is_analysis(path):  # tripwire sensitivity's folder
                written = write_sensitivity_report(path, target)
            else:
                written = write_batch_report(path, target)
        else:
            written = write_game_report(path, target, batch=batch)
    except InputError as err:
        _fail(err)
    for file in written:
        print(f"wrote {file}")


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
    except InputError as err:  # a command that forgot to catch its own input errors
        _print_errors(err)
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
