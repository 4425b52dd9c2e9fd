"""``tripwire play``: a facilitated exercise on the board, from a script with no window, or
served to browsers; the turn table and outcome when it stops.

:func:`tripwire.session.play.open_session` starts or resumes the session; this module
checks the options against each other, picks the front end and prints what happens.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tripwire.commands import CommandFailed
from tripwire.commands.common import check_outputs, check_turns, stdout
from tripwire.errors import Diagnostic, InputError, Location

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from tripwire.session.fork import ForkResult
    from tripwire.session.session import Session

HOST = "127.0.0.1"
PORT = 8765


def option_problems(
    *,
    scenario: str | None,
    sets: Sequence[str],
    resume: Path | None,
    session_dir: Path | None,
    script: Path | None,
    headless: bool,
    serve: bool,
    host: str,
    port: int,
    projector: bool,
) -> list[str]:
    """What is wrong with this combination of ``tripwire play``'s options (each a sentence)."""
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
    if not serve and (host != HOST or port != PORT):
        problems.append("--host and --port are options of --serve")
    if projector and not serve:
        problems.append("--projector shows a served session on this display: add --serve")
    return problems


def play(
    scenario: str | None,
    *,
    human: str,
    seed: int,
    turns: int | None,
    session_dir: Path | None,
    resume: Path | None,
    script: Path | None,
    headless: bool,
    delay: float,
    jobs: int,
    sets: Sequence[str],
    serve: bool,
    host: str,
    port: int,
    projector: bool,
) -> None:
    """Start (or resume) a session and play it on the board, from the script with no
    window, or in the served room; print its summary when it stops.

    Raises:
        InputError: bad input (located), before any session is made when it can be.
        CommandFailed: options that do not go together (status 2); no display (1).
    """
    from tripwire.commands.display import has_display
    from tripwire.session.journal import SESSION
    from tripwire.session.play import open_session

    problems = option_problems(
        scenario=scenario,
        sets=sets,
        resume=resume,
        session_dir=session_dir,
        script=script,
        headless=headless,
        serve=serve,
        host=host,
        port=port,
        projector=projector,
    )
    if problems:
        raise CommandFailed(*(f"error: {problem}" for problem in problems), status=2)
    if resume is not None and not (resume / SESSION).is_file():
        # before the display check: a wrong folder is the message that helps
        raise InputError([Diagnostic(Location(str(resume)), f"no session here (no {SESSION})")])
    if not headless and not serve and not has_display():
        raise CommandFailed(
            "error: no display to open the exercise board on; "
            "use --script FILE --headless to play a scripted session"
        )
    if resume is None:
        from tripwire.session.journal import JOURNAL, LOG

        check_outputs(
            scenario,
            folders=[(session_dir or Path("sessions"), "--session", (SESSION, JOURNAL, LOG))],
            inputs=[script] if script is not None else [],
        )
    from tripwire.scenario.overrides import load_with_sets
    from tripwire.workers import check_jobs

    check_jobs(jobs)
    spec = load_with_sets(scenario, sets) if scenario is not None else None
    check_turns(spec, turns)
    console = stdout()
    session = open_session(
        spec,
        seed=seed,
        humans=human,
        folder=session_dir,
        resume=resume,
        turns=turns,
        script=script,
    )
    try:
        if serve:
            _serve(session, host=host, port=port, projector=projector)
        elif not headless:
            from tripwire.board.exercise.app import run_exercise
            from tripwire.commands.display import with_display

            with_display(lambda: run_exercise(session, fork_jobs=jobs))
        elif script is not None:
            play_headless(session, script, console, delay=delay, fork_jobs=jobs)
    except InputError:
        summary(session, console)
        raise
    summary(session, console)


def _serve(session: Session, *, host: str, port: int, projector: bool) -> None:
    """Serve the room until Ctrl-C; with ``projector``, serve it from a background thread
    and show the projector window here (the board, public information only) until the
    window is closed, then stop serving."""
    from tripwire.commands.display import has_display, with_display
    from tripwire.room.server import RoomServer, serve_room

    if not projector:
        serve_room(session, host=host, port=port, say=lambda text: print(text, flush=True))
        return
    from tripwire.board.exercise.projector import run_projector

    if not has_display():
        raise CommandFailed(
            "error: no display to open the projector window on; --serve alone serves the "
            "room (its projector link opens in any browser)"
        )
    server = RoomServer(session, host=host, port=port)
    print(f"Tripwire room: {session.spec.title}, serving on {server.base}", flush=True)
    for link, url in server.links:
        print(f"  {link.label:12s} {url}", flush=True)
    print("The projector window shows the room's view; closing it stops the server.", flush=True)
    server.start()
    try:
        room = server.room
        with_display(lambda: run_projector(session, lock=room.lock, clock=room.clock.state))
    finally:
        server.stop()


def fork_table(result: ForkResult) -> Table:
    """The outcome distribution of a fork, as a table."""
    from rich.table import Table

    table = Table(
        title=f"Where this is heading: {result.runs} bot continuations from turn {result.turn}",
        header_style="bold",
    )
    table.add_column("Outcome")
    table.add_column("Probability", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_column("", no_wrap=True)
    for data in result.outcomes.values():
        p = data["probability"]
        lo, hi = data["ci95"]
        bar = "█" * round(p * 20)
        already = f" (reached on turn {data['already']})" if data["already"] else ""
        table.add_row(f"{data['title']}{already}", f"{p:.0%}", f"{lo:.0%}-{hi:.0%}", f"{bar:<20}")
    t = result.tension
    table.caption = (
        f"final tension p10 {t['p10']:.0f} / median {t['median']:.0f} / p90 {t['p90']:.0f}"
    )
    return table


def play_headless(
    session: Session,
    script: Path,
    console: Console,
    *,
    delay: float = 0.0,
    fork_jobs: int = 1,
) -> None:
    """Play a session from a script with no window; print each turn and each fork.

    A session stopped part-way (killed, or a step that is not possible) keeps every step
    before it; running the same command with ``--resume`` continues from there.

    Raises:
        InputError: the script is invalid or a step is not possible (located).
    """
    from tripwire.session.script import load_script, play_script

    loaded = load_script(script, session)

    def on_turn(s: Session) -> None:
        records = s.log
        snap = records[-1] if records and records[-1].get("type") == "turn" else None
        if snap is not None:
            console.print(
                f"  turn {snap['turn']} ({snap.get('date', '')}) resolved: "
                f"tension {snap['state'].get('world.tension', 0):.0f}, rung {snap.get('rung')}"
            )
        if delay:
            time.sleep(delay)

    def on_fork(s: Session, result: ForkResult) -> None:
        console.print(fork_table(result))

    if session.script_step >= 0:
        done = session.script_step
        console.print(f"  resuming: steps[0] to steps[{done}] of the script are played already")
    for k in play_script(session, loaded, on_turn=on_turn, on_fork=on_fork, fork_jobs=fork_jobs):
        if loaded.steps[k].kind == "undo":
            console.print(f"  turn {session.turn + 1} undone by the white cell")


def summary(session: Session, console: Console) -> None:
    """Print the session's turn table, its outcomes, and where it is saved."""
    from tripwire.turntable import outcome_lines, turn_table

    spec = session.spec
    if session.turn > 0:
        title = f"{spec.title} — seed {session.info.seed}"
        console.print(turn_table(session.log, title=title))
    if session.phase == "over":
        titles = dict(zip(session.rules.outcome_ids, session.rules.outcome_titles, strict=True))
        for line in outcome_lines(session.log, titles):
            console.print(f"  {line}")
    else:
        console.print(f"  the game stands after turn {session.turn} ({session.phase})")
    if session.folder is not None:
        console.print(f"  session saved in {session.folder}/ (event log: log.jsonl)")
        if session.phase != "over":
            console.print(f"  continue with: tripwire play --resume {session.folder}")
