"""The turn table: a game's log as a table a person can read in a terminal.

One row per turn: the month, what each actor did (failed moves marked, holds shown), the
tension and its change, the escalation rung, any variables asked for (``tripwire run
--watch``), and what fired (injects, triggers, outcomes).
It reads only the log records, so it works the same for a game just played and for a log
file. Text from the log is shown with its control characters escaped (``\\x1b``): a note or
an ad-hoc inject holding terminal escape codes cannot recolour or clear the terminal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from tripwire.logfile import printable

FAILED = "✗"
CANCELLED = "⊘"
VETOED = "vetoed"
FORCED = "forced"


def _action_text(event: Mapping[str, Any]) -> Text:
    name = event.get("name") or event.get("action", "?")
    target = event.get("target")
    label = f"{name}→{target}" if target else str(name)
    if event.get("partners"):
        label = f"{label} (with {', '.join(map(str, event['partners']))})"
    if event.get("declined"):
        label = f"{label} (declined by {', '.join(map(str, event['declined']))})"
    label = printable(label)
    if event.get("vetoed"):
        return Text(f"{label} ({VETOED})", style="blue strike")
    if event.get("cancelled"):
        return Text(f"{label} {CANCELLED}", style="dim strike")
    if "forced" in event:
        label = f"{label} ({FORCED})"
    if not event.get("success", True):
        return Text(f"{label} {FAILED}", style="red")
    goldstein = event.get("goldstein") or 0.0
    style = "green" if goldstein > 0 else ("bright_red" if goldstein <= -5 else "")
    return Text(label, style=style)


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
    records = list(records)
    header = next((r for r in records if r.get("type") == "header"), {})
    actors: list[str] = list(header.get("actors", []))
    by_turn: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    snapshots: dict[int, Mapping[str, Any]] = {}
    for r in records:
        if r.get("type") == "event":
            by_turn[r["turn"]].append(r)
        elif r.get("type") == "turn":
            snapshots[r["turn"]] = r

    table = Table(title=title, show_lines=True, header_style="bold", expand=False)
    table.add_column("Turn", no_wrap=True)
    table.add_column("Actions", overflow="fold")
    table.add_column("Tension", justify="right", no_wrap=True)
    table.add_column("Rung", justify="right", no_wrap=True)
    for name in watch:
        table.add_column(name.replace(".", ".\n", 1), justify="right", no_wrap=True)
    table.add_column("Fired", overflow="fold")
    previous = snapshots.get(0)
    for turn in sorted(t for t in snapshots if t > 0):
        snap = snapshots[turn]
        events = by_turn.get(turn, [])
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
            kind = e.get("kind")
            if kind == "inject":
                label = e["id"]
                if label == "adhoc":  # the white cell's own event: its words, shortened
                    text = str(e.get("text") or "ad-hoc event")
                    label = text if len(text) <= 32 else text[:31].rstrip() + "…"
                fired.append(f"▶ {printable(str(label))}\n", style="cyan")
            elif kind == "trigger":
                fired.append(f"⚑ {printable(str(e['id']))}\n", style="yellow")
            elif kind == "outcome":
                fired.append(f"★ {printable(str(e.get('title', e['id'])))}\n", style="bold magenta")
            elif kind == "intervention":
                fired.append(f"✎ {printable(str(e.get('what', 'intervention')))}\n", style="blue")
        fired.rstrip()
        state = snap["state"]
        earlier = previous["state"] if previous else state
        tension = state.get("world.tension", 0.0)
        watched = [_value_cell(state.get(n, 0.0), earlier.get(n, state.get(n, 0.0))) for n in watch]
        table.add_row(
            f"{turn}\n{printable(str(snap.get('date', '')))}",
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
    records = list(records)
    result = next((r for r in reversed(records) if r.get("type") == "result"), None)
    if result is None:
        return ["(game not finished)"]
    titles = {
        **{r["id"]: r.get("title", r["id"]) for r in records if r.get("kind") == "outcome"},
        **(titles or {}),
    }
    out = []
    for oid, res in result["outcomes"].items():
        name = printable(str(titles.get(oid, oid)))
        out.append(
            f"{name}: reached on turn {res['turn']}" if res["reached"] else f"{name}: not reached"
        )
    return out
