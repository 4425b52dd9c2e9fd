"""The turn-by-turn timeline of a game, as a report block.

In HTML it is one table (a row per turn: escalation, each actor's decisions, what else
happened); in Markdown, where a table cannot hold lists, each turn is a bold line followed by
a bulleted list. Turns with a turning point are highlighted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tripwire.gamelog import RUNG, SCORE, Game
from tripwire.report.analysis import TENSION
from tripwire.report.html import BR, Inline, Span, Table, b, inline_md, md_escape
from tripwire.report.labels import record_names, short_month
from tripwire.sim.events import describe, told_once

MARKED_KINDS = ("outcome", "intervention")
# how a move's result is shown in its actor's row (a move that succeeded is shown plain)
RESULT_STYLE = {"failed": "bad", "cancelled": "muted", "vetoed": "wc"}


def _action(e: dict[str, Any]) -> list[str | Span]:
    said = describe(e, record_names())
    if said.result == said.status == "succeeded":
        return [said.name]
    style = "wc" if e.get("forced") else RESULT_STYLE.get(said.status, "")
    return [Span(f"{said.name} ({said.result})", style)]


def actor_lines(game: Game, turn: int) -> list[tuple[str, list[str | Span]]]:
    """(actor code, its moves this turn) for every actor that appears in the turn."""
    humans = set(game.header.get("humans") or [])
    by_actor: dict[str, list[list[str | Span]]] = {}
    for e in game.events(turn):
        if e.get("kind") == "action":
            by_actor.setdefault(str(e.get("actor")), []).append(_action(e))
    out = []
    for code_ in [*game.actors, *(a for a in by_actor if a not in game.actors)]:
        moves = by_actor.get(code_)
        if not moves:
            continue
        parts: list[str | Span] = []
        for k, m in enumerate(moves):
            if k:
                parts.append("; ")
            parts += m
        label = f"{code_} (human)" if code_ in humans else code_
        out.append((label, parts))
    return out


def world_lines(game: Game, turn: int) -> list[list[str | Span]]:
    """Everything else that happened in a turn: events, triggers, outcomes, the white cell,
    in the words of :func:`tripwire.sim.events.describe`."""
    names = record_names()
    out: list[list[str | Span]] = []
    for e in told_once(game.events(turn)):
        if e.get("kind") == "action":
            continue
        said = describe(e, names)
        if e.get("kind") == "outcome":  # the result the review is about: a star, in bold
            out.append([Span(f"★ {said.line}", "b")])
            continue
        line: list[str | Span] = [b(said.head + " "), said.body]
        if said.detail:
            line.append(Span(f" — {said.detail}", "i"))
        out.append(line)
    return out


def _when(game: Game, turn: int) -> str:
    return "start" if turn == 0 else short_month(game.date(turn))


def _level(game: Game, turn: int) -> list[str]:
    rung, score, tension = (game.value(turn, v) for v in (RUNG, SCORE, TENSION))
    out = [f"rung {rung:.0f}"] if rung is not None else []
    if turn > 0 and score is not None:
        out.append(f"{score:.0f} points")
    if tension is not None:
        out.append(f"tension {tension:.0f}")
    return out


@dataclass(slots=True)
class Timeline:
    """A block: the whole game, turn by turn."""

    game: Game

    def _marked(self, turn: int) -> bool:
        return any(e.get("kind") in MARKED_KINDS for e in self.game.events(turn))

    def _table(self) -> Table:
        rows: list[list[Inline]] = []
        marked = []
        for r, turn in enumerate(self.game.turn_numbers):
            decisions: list[str | Span] = []
            for label, parts in actor_lines(self.game, turn):
                decisions += [BR, b(label + ": "), *parts]
            world: list[str | Span] = []
            for parts in world_lines(self.game, turn):
                world += [BR, *parts]
            if turn == 0:
                decisions = [Span("starting position", "muted")]
            rows.append(
                [
                    [b(f"Turn {turn}"), BR, _when(self.game, turn)],
                    [
                        x
                        for k, line in enumerate(_level(self.game, turn))
                        for x in ([BR] if k else []) + [line]
                    ],
                    _lines(decisions),
                    _lines(world),
                ]
            )
            if self._marked(turn):
                marked.append(r)
        return Table(
            ["Turn", "Escalation", "Decisions", "What else happened"],
            rows,
            cls="timeline",
            marked=marked,
            caption="Timeline",
        )

    def html(self) -> str:
        return self._table().html()

    def markdown(self, images: list[bytes]) -> str:
        out = []
        for turn in self.game.turn_numbers:
            head = f"**Turn {turn} · {md_escape(_when(self.game, turn))}**"
            out.append(f"{head} · {md_escape(' · '.join(_level(self.game, turn)))}")
            out.append("")
            lines = [
                f"- **{md_escape(label)}:** {inline_md(parts)}"
                for label, parts in actor_lines(self.game, turn)
            ]
            lines += [f"- {inline_md(parts)}" for parts in world_lines(self.game, turn)]
            if turn == 0:
                lines = ["- starting position"]
            out += [*lines, ""]
        return "\n".join(out).rstrip()


def _lines(parts: list[str | Span]) -> list[str | Span]:
    """Drop the line break before the first line of a cell."""
    if parts and parts[0] == BR:
        return parts[1:]
    return parts
