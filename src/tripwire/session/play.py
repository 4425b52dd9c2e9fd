"""Starting or resuming a session for ``tripwire play``.

The command (:mod:`tripwire.commands.play`) checks its options, calls :func:`open_session`,
then plays the session on the board, from a script or in the room, and prints its turns.
Everything here reports bad input as :class:`~tripwire.errors.InputError` (located, exit
status 2) and never leaves a half-made session behind.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from tripwire.errors import Diagnostic, InputError, Location, did_you_mean
from tripwire.scenario.schema import Scenario
from tripwire.session.journal import SESSION
from tripwire.session.script import load_script
from tripwire.session.session import Session


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
