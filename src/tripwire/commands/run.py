"""``tripwire run`` (and ``tripwire`` with no command) and ``tripwire replay``: one game with
bots in every seat, its turn table, log, board and screenshots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tripwire.commands.common import check_outputs, check_turns, print_lint_note, stdout
from tripwire.errors import Diagnostic, InputError, Location, did_you_mean


def _log_problem(log: Path) -> str | None:
    """Why the event log cannot be written at ``log`` (None: it can be tried)."""
    if not (log.parent if str(log.parent) else Path(".")).is_dir():
        return f"cannot write the log: folder '{log.parent}' does not exist"
    if log.is_dir():
        return "cannot write the log: this is a folder"
    return None


def run(
    scenario: str,
    *,
    seed: int,
    turns: int | None,
    log: Path | None,
    quiet: bool,
    sets: Sequence[str] = (),
    board: bool = False,
    screenshots: Path | None = None,
    watch: Sequence[str] = (),
) -> None:
    """Play one game of ``scenario`` and print its turn table and outcomes (unless
    ``quiet``); write its log, show it on the board, save its screenshots, as asked.

    Raises:
        InputError: bad input, before the game (a log that cannot be written afterwards too).
        CommandFailed: the board was asked for and cannot be shown.
    """
    from tripwire.logfile import write_log
    from tripwire.scenario.overrides import load_with_sets
    from tripwire.sim.model import CrisisModel
    from tripwire.turntable import outcome_lines, turn_table

    if log is not None and (problem := _log_problem(log)):
        raise InputError([Diagnostic(Location(str(log)), problem)])
    if screenshots is not None and screenshots.exists() and not screenshots.is_dir():
        raise InputError([Diagnostic(Location(str(screenshots)), "--screenshots needs a folder")])
    check_outputs(
        scenario,
        files=[(log, "--log")] if log else [],
        folders=[(screenshots, "--screenshots", ())],
    )
    spec = load_with_sets(scenario, sets)
    check_turns(spec, turns)
    model = CrisisModel(spec, rng=seed, turns=turns, collect=False)
    watched = watched_names(watch, model.log[-1]["state"])
    if board:
        from tripwire.board.replay.app import play_turns, show_live
        from tripwire.commands.display import with_display

        with_display(lambda: show_live(play_turns(model), model.log[0]))
    model.run()
    if screenshots is not None:
        from tripwire.board.replay.app import save_screenshots

        screenshots.mkdir(parents=True, exist_ok=True)
        paths = save_screenshots(model.log, screenshots)
        if not quiet:
            stdout().print(f"  {len(paths)} board screenshots in {screenshots}/")
    if log is not None:
        try:
            write_log(log, model.log)
        except OSError as err:
            where = Location(str(log))
            raise InputError([Diagnostic(where, f"cannot write the log: {err.strerror}")]) from None
    if not quiet:
        console = stdout()
        console.print(turn_table(model.log, title=f"{spec.title} — seed {seed}", watch=watched))
        titles = dict(zip(model.rules.outcome_ids, model.rules.outcome_titles, strict=True))
        for line in outcome_lines(model.log, titles):
            console.print(f"  {line}")
        if log is not None:
            console.print(f"  log written to {log}")
    print_lint_note(scenario)  # after the game: errors come first, alone


def watched_names(options: Sequence[str], shown: dict[str, float]) -> list[str]:
    """The variables of ``--watch`` (comma-separated, repeatable), each one that the turn
    snapshots show.

    Raises:
        InputError: a located error per unknown name.
    """
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
        raise InputError(problems)
    return names


def replay(log: Path) -> None:
    """Show a finished (or cut-short) game's log on the board.

    Raises:
        InputError: the log is broken (with or without a display).
        CommandFailed: no board window can be shown.
    """
    from tripwire.board.replay.app import replay as show
    from tripwire.commands.display import with_display
    from tripwire.gamelog import read_game

    read_game(log)  # a broken log is bad input (exit 2) with or without a display
    with_display(lambda: show(log))
