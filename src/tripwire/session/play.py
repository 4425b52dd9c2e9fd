"""``tripwire play``: start or resume a session, and play it from a script with no window.

The command-line layer (:mod:`tripwire.cli`) parses options and calls :func:`open_session`,
then either the board's exercise mode or :func:`play_headless`. Everything here reports bad
input as :class:`~tripwire.errors.InputError` (located, exit status 2) and never leaves a
half-made session behind.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tripwire.errors import Diagnostic, InputError, Location, did_you_mean
from tripwire.scenario.schema import Scenario
from tripwire.session.fork import ForkResult
from tripwire.session.journal import SESSION
from tripwire.session.script import load_script, play_script
from tripwire.session.session import Session
from tripwire.turntable import outcome_lines, turn_table


def _error(where: str, message: str) -> InputError:
    return InputError([Diagnostic(Location(where), message)])


def parse_humans(text: str, actors: Sequence[str]) -> list[str]:
    """``"USA,KOR"`` -> ``["USA", "KOR"]``, checked against the scenario's actors."""
    codes, problems, column = [], [], 1
    for part in text.split(","):
        code = part.strip().upper()
        where = Location("--human", 1, column + len(part) - len(part.lstrip()))
        column += len(part) + 1
        if not code:
            continue
        codes.append(code)
        if code not in actors:
            hint = did_you_mean(code, actors)
            problems.append(
                Diagnostic(where, f"unknown actor '{code}'{hint} (actors: {', '.join(actors)})")
            )
    if len(set(codes)) != len(codes):
        problems.append(Diagnostic(Location("--human"), "an actor is named twice"))
    if problems:
        raise InputError(problems)
    return codes


def default_folder(scenario_id: str, seed: int, root: Path = Path("sessions")) -> Path:
    """``sessions/<scenario>-seed<N>``, or the first free ``-2``, ``-3``... after it."""
    base = root / f"{scenario_id}-seed{seed}"
    folder, n = base, 1
    while (folder / SESSION).exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


def open_session(
    spec: Scenario | None,
    *,
    seed: int,
    humans: str,
    folder: Path | None,
    resume: Path | None,
    turns: int | None,
    script: Path | None = None,
) -> Session:
    """Create a new session (in ``folder``) or resume the one in ``resume``.

    A ``script`` is checked first, so a bad one leaves no new session folder behind.

    The session's folder is locked while the session is open: another process opening it
    is refused. Warnings (a journal line cut short by a crash) are printed on stderr.

    Raises:
        InputError: unknown seats, a folder that already holds a session or is open in
            another process, a broken session.
    """
    if resume is not None:
        if not (resume / SESSION).is_file():
            raise _error(str(resume), "no session here (it has no session.json)")
        session = Session.resume(resume)
        try:
            if humans and sorted(parse_humans(humans, session.rules.actors)) != sorted(
                session.info.humans
            ):
                raise _error(
                    "--human",
                    f"this session's human seats are {', '.join(session.info.humans) or 'none'}"
                    "; they cannot change on resume",
                )
        except InputError:
            session.close()
            raise
        for warning in session.warnings:
            print(warning.format(), file=sys.stderr)
        return session
    assert spec is not None
    from tripwire.catalog import load_catalog

    actors = tuple(load_catalog().actors)
    seats = parse_humans(humans, actors) if humans else []
    if script is not None:  # check it before making a folder that would only be litter
        load_script(script, Session.create(spec, seed=seed, humans=seats, folder=None))
    target = folder if folder is not None else default_folder(spec.id, seed)
    return Session.create(spec, seed=seed, humans=seats, folder=target, turns=turns)


def fork_table(result: ForkResult) -> Table:
    """The outcome distribution of a fork, as a table."""
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
