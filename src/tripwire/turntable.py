"""The turn table: a game's log as a table a person can read in a terminal.

One row per turn: the month, what each actor did (failed moves marked, holds shown), the
tension and its change, the escalation rung, any variables asked for (``tripwire run
--watch``), and what fired (injects, triggers, outcomes).
It reads only the log records (:class:`tripwire.gamelog.Game`), so it works the same for a
game just played and for a log file, and says them in the words of
:func:`tripwire.sim.events.describe`, with actors as codes to keep the table narrow. Text from
the log is shown with its control characters escaped (``\\x1b``): a note or an ad-hoc
inject holding terminal escape codes cannot recolour or clear the terminal.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from tripwire.gamelog import Game
from tripwire.logfile import printable
from tripwire.report.labels import record_names
from tripwire.sim.events import Names, describe, move_words

FAILED = "✗"
CANCELLED = "⊘"
SHORT = 32  # the longest name shown in the Fired column
# what fired, by kind: its mark and colour (the words are describe()'s short name)
FIRED = {
    "inject": ("▶", "cyan"),
    "trigger": ("⚑", "yellow"),
    "outcome": ("★", "bold magenta"),
    "intervention": ("✎", "blue"),
}


@functools.cache
def _names() -> Names:
    return dataclasses.replace(record_names(), actors={})  # codes: the table stays narrow


def _action_text(event: Mapping[str, Any]) -> Text:
    said = describe(event, _names())
    label = printable(move_words(event, _names(), arrow="→"))  # a move wraps with its target
    if said.result not in ("succeeded", "failed", "cancelled"):  # the white cell's doing
        label = f"{label} ({said.result})"
    if said.status == "vetoed":
        return Text(label, style="blue strike")
    if said.status == "cancelled":
        return Text(f"{label} {CANCELLED}", style="dim strike")
    if said.status == "failed":
        return Text(f"{label} {FAILED}", style="red")
    goldstein = event.get("goldstein") or 0.0
    style = "green" if goldstein > 0 else ("bright_red" if goldstein <= -5 else "")
    return Text(label, style=style)


def _fired(event: Mapping[str, Any]) -> Text:
    mark, style = FIRED[str(event.get("kind"))]
    name = describe(event, _names()).name
    short = name if len(name) <= SHORT else name[: SHORT - 1].rstrip() + "…"
    return Text(f"{mark} {printable(short)}\n", style=style)


def _value_cell(now: float, before: float, *, whole: bool = False) -> str:
    """A value and its change since the last turn: ``62 ▲2``; small scales get decimals."""
    small = not whole and max(abs(now), abs(before)) < 10
    shown = f"{now:.2f}" if small else f"{now:.0f}"
    delta = now - before
    if abs(delta) <= (0.005 if small else 0.5):
        return shown
    arrow = "▲" if delta > 0 else "▼"
    return f"{shown} {arrow}{abs(delta):.2f}" if small else f"{shown} {arrow}{abs(delta):.0f}"


def turn_table(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str | None = None,
    watch: Sequence[str] = (),
) -> Table:
    """Build the turn table of a log; ``watch`` adds a column per variable named."""
    game = Game.from_records(records)
    actors: list[str] = game.actors

    table = Table(title=title, show_lines=True, header_style="bold", expand=False)
    table.add_column("Turn", no_wrap=True)
    table.add_column("Actions", overflow="fold")
    table.add_column("Tension", justify="right", no_wrap=True)
    table.add_column("Rung", justify="right", no_wrap=True)
    for name in watch:
        table.add_column(name.replace(".", ".\n", 1), justify="right", no_wrap=True)
    table.add_column("Fired", overflow="fold")
    previous = game.turns[0].snapshot if game.turns else None
    for played in game.turns[1:]:
        snap, events = played.snapshot, played.events
        lines = Text()
        for i, code in enumerate(actors):
            moves = [e for e in events if e.get("kind") == "action" and e.get("actor") == code]
            line = Text(f"{printable(str(code))} ", style="bold")
            for j, move in enumerate(moves):
                if j:
                    line.append("; ")
                line.append_text(_action_text(move))
            if i:
                lines.append("\n")
            lines.append_text(line)
        fired = Text()
        for e in events:
            if e.get("kind") in FIRED:
                fired.append_text(_fired(e))
        fired.rstrip()
        state = snap["state"]
        earlier = previous["state"] if previous else state
        tension = state.get("world.tension", 0.0)
        watched = [_value_cell(state.get(n, 0.0), earlier.get(n, state.get(n, 0.0))) for n in watch]
        table.add_row(
            f"{played.turn}\n{printable(str(snap.get('date', '')))}",
            lines,
            _value_cell(tension, earlier.get("world.tension", tension), whole=True),
            str(snap.get("rung", "")),
            *watched,
            fired,
        )
        previous = snap
    return table


def outcome_lines(
    records: Iterable[Mapping[str, Any]], titles: Mapping[str, str] | None = None
) -> list[str]:
    """One line per outcome of a finished game: reached on which turn, or not."""
    game = Game.from_records(records)
    result = game.result
    if result is None:
        return ["(game not finished)"]
    titles = {**{e["id"]: e.get("title", e["id"]) for e in game.kinds("outcome")}, **(titles or {})}
    out = []
    for oid, res in result["outcomes"].items():
        name = printable(str(titles.get(oid, oid)))
        out.append(
            f"{name}: reached on turn {res['turn']}" if res["reached"] else f"{name}: not reached"
        )
    return out
