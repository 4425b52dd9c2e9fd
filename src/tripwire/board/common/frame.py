"""What one turn of the board shows, as plain data: the frame model.

This module reads event-log records (plain dicts, see ``docs/event-log.md``) and nothing else
of the game: it never touches the model. :class:`tripwire.gamelog.Game` groups a log into
turns, and :func:`frame_model` turns one turn (header, snapshot, previous snapshot, the turn's
events) into a :class:`Frame`: the arrows and rings to draw, the gauges, the feed's lines (in
the words of :func:`tripwire.sim.events.describe`), the escalation ladder's state, the outcome
watch and the US panel. Drawing (:mod:`tripwire.board.replay.view`) is a function of a frame
and a layout only.

Static reference data (actor names, Kahn's ladder, variable ranges) comes from the catalog
through :func:`reference`, or from a :class:`Reference` built by hand in tests.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tripwire.board.common.arrows import curve_offsets
from tripwire.board.common.colours import DOMAIN_LETTERS, RGB, goldstein_colour
from tripwire.dates import date_label
from tripwire.gamelog import Game
from tripwire.sim.events import RAW, Names, describe, told_once

__all__ = [
    "ArrowSpec",
    "FeedItem",
    "Frame",
    "Gauge",
    "LadderState",
    "MarkSpec",
    "OutcomeWatch",
    "Reference",
    "UsaState",
    "date_label",
    "frame_model",
    "game_frame",
    "reference",
]


# The five indicator gauges: variable, label, how its value is written.
GAUGES = (
    ("world.tension", "Tension", "index"),
    ("world.sanctions_enforcement", "Sanctions enforcement", "percent"),
    ("PRK.icbm", "DPRK ICBM maturity", "index"),
    ("CHN.influence_over_PRK", "China's sway over DPRK", "index"),
    ("alliance.cohesion", "US–ROK–Japan cohesion", "index"),
)


@dataclass(frozen=True, slots=True)
class Reference:
    """Static reference data the board labels things with.

    Attributes:
        names: actor code -> display name ("PRK" -> "North Korea").
        ladder: Kahn's rungs as (rung, name, group), rung 1 first.
        ranges: variable -> (min, max), for scaling gauges.
        words: the names the feed says records with (:func:`tripwire.sim.events.describe`).
    """

    names: Mapping[str, str]
    ladder: tuple[tuple[int, str, str], ...]
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    words: Names = RAW

    def name(self, code: str | None) -> str:
        """An actor's display name (its code if unknown)."""
        return self.names.get(code or "", code or "?")


@functools.cache
def reference() -> Reference:
    """The reference data from the bundled catalog (cached)."""
    from tripwire.catalog import load_catalog
    from tripwire.report.labels import record_names

    cat = load_catalog()
    words = record_names()
    return Reference(
        names=words.actors,
        ladder=tuple((r.rung, r.name, r.group) for r in cat.ladder),
        ranges={v.name: (v.min, v.max) for v in cat.variables},
        words=words,
    )


@dataclass(frozen=True, slots=True)
class ArrowSpec:
    """An action between two actors: drawn from the actor's marker to the target's."""

    seq: int
    actor: str
    target: str
    name: str
    letter: str
    goldstein: float
    colour: RGB
    status: str  # "succeeded", "failed" or "cancelled"
    lane: int


@dataclass(frozen=True, slots=True)
class MarkSpec:
    """An action without a target: drawn as a badge on a ring around the actor."""

    seq: int
    actor: str
    name: str
    letter: str
    goldstein: float
    colour: RGB
    status: str


@dataclass(frozen=True, slots=True)
class Gauge:
    """One indicator: its value now, before, and both as a fraction of the range."""

    key: str
    label: str
    value: float
    previous: float | None
    fraction: float
    previous_fraction: float | None
    text: str
    delta_text: str
    delta: float


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One line of the event feed: ``head`` (who, bold) then ``body`` (what happened)."""

    seq: int
    kind: str  # action, inject, trigger, outcome, or the kind of a facilitator record
    head: str
    body: str
    status: str | None = None
    letter: str | None = None
    colour: RGB | None = None


@dataclass(frozen=True, slots=True)
class LadderState:
    """The escalation ladder: every rung, the groups, and where the crisis stands."""

    rung: int
    previous: int | None
    name: str
    group: str
    rungs: tuple[tuple[int, str, str], ...]
    groups: tuple[tuple[str, int, int], ...]  # (group, first rung, last rung)


@dataclass(frozen=True, slots=True)
class OutcomeWatch:
    """How close one outcome is (1.0: it holds now) and when it was first reached."""

    id: str
    title: str
    progress: float
    reached_turn: int | None


@dataclass(frozen=True, slots=True)
class UsaState:
    """The off-map United States: posture and attention elsewhere, and their changes."""

    posture: float
    posture_delta: float
    attention: float
    attention_delta: float


@dataclass(frozen=True, slots=True)
class Frame:
    """Everything one turn of the board shows."""

    turn: int
    planned_turns: int
    date: str
    date_label: str
    title: str
    arrows: tuple[ArrowSpec, ...]
    marks: tuple[MarkSpec, ...]
    gauges: tuple[Gauge, ...]
    feed: tuple[FeedItem, ...]
    ladder: LadderState
    outcomes: tuple[OutcomeWatch, ...]
    usa: UsaState
    escalation_score: int
    finished: bool = False
    subtitle: str = ""


def _status(event: Mapping[str, Any]) -> str:
    if event.get("cancelled") or event.get("vetoed"):
        return "cancelled"
    return "succeeded" if event.get("success", True) else "failed"


def _num(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) else default


def _format(value: float, how: str) -> str:
    return f"{value * 100:.0f}%" if how == "percent" else f"{value:.0f}"


def _delta_text(delta: float, how: str) -> str:
    shown = delta * 100 if how == "percent" else delta
    if round(shown) == 0:
        return "±0"
    return f"+{shown:.0f}" if shown > 0 else f"−{-shown:.0f}"


def _gauges(
    state: Mapping[str, Any], before: Mapping[str, Any] | None, ref: Reference
) -> tuple[Gauge, ...]:
    out = []
    for key, label, how in GAUGES:
        lo, hi = ref.ranges.get(key, (0.0, 1.0 if how == "percent" else 100.0))
        span = (hi - lo) or 1.0
        value = _num(state.get(key), lo)
        prev = _num(before.get(key), value) if before is not None and key in before else None
        delta = value - prev if prev is not None else 0.0
        out.append(
            Gauge(
                key=key,
                label=label,
                value=value,
                previous=prev,
                fraction=min(max((value - lo) / span, 0.0), 1.0),
                previous_fraction=None if prev is None else min(max((prev - lo) / span, 0.0), 1.0),
                text=_format(value, how),
                delta_text=_delta_text(delta, how) if prev is not None else "",
                delta=delta,
            )
        )
    return tuple(out)


def _ladder(rung: int, previous: int | None, ref: Reference) -> LadderState:
    groups: list[tuple[str, int, int]] = []
    for r, _name, group in ref.ladder:
        if groups and groups[-1][0] == group:
            groups[-1] = (group, groups[-1][1], r)
        else:
            groups.append((group, r, r))
    by_rung = {r: (n, g) for r, n, g in ref.ladder}
    name, group = by_rung.get(rung, (f"Rung {rung}", ""))
    return LadderState(rung, previous, name, group, ref.ladder, tuple(groups))


def _feed_item(e: Mapping[str, Any], ref: Reference) -> FeedItem:
    said = describe(e, ref.words)
    if said.kind != "action":
        return FeedItem(int(e.get("seq", 0)), said.kind, said.head, said.text)
    return FeedItem(
        int(e.get("seq", 0)),
        said.kind,
        said.head,
        said.text,
        status=_status(e),
        letter=DOMAIN_LETTERS.get(e.get("domain"), "?"),
        colour=goldstein_colour(e.get("goldstein")),
    )


def frame_model(
    header: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    events: Sequence[Mapping[str, Any]],
    *,
    reached: Mapping[str, int] | None = None,
    ref: Reference | None = None,
    title: str | None = None,
    finished: bool = False,
) -> Frame:
    """Describe what the board shows for one turn.

    Args:
        header: the log's header record.
        snapshot: the turn's ``turn`` record (state at the end of the turn).
        previous: the previous turn's snapshot (None for turn 0): changes are against it.
        events: the turn's ``event`` records, in log order.
        reached: outcome id -> first turn reached, up to this turn (for the outcome watch).
        ref: reference data (default: from the catalog).
        title: overrides the header's title.
        finished: whether this is the last turn of a finished game.

    Returns:
        The frame: plain data, independent of window size and of pygame.
    """
    ref = ref or reference()
    state: Mapping[str, Any] = snapshot.get("state") or {}
    before: Mapping[str, Any] | None = (previous or {}).get("state") if previous else None
    actions = [e for e in events if e.get("kind") == "action"]
    targeted = [e for e in actions if e.get("target")]
    lanes = curve_offsets(
        ((str(e.get("actor")), str(e.get("target"))) for e in targeted), one_sided=("USA",)
    )
    arrows = tuple(
        ArrowSpec(
            seq=int(e.get("seq", 0)),
            actor=str(e.get("actor")),
            target=str(e.get("target")),
            name=str(e.get("name") or e.get("action", "?")),
            letter=DOMAIN_LETTERS.get(e.get("domain"), "?"),
            goldstein=_num(e.get("goldstein")),
            colour=goldstein_colour(e.get("goldstein")),
            status=_status(e),
            lane=lane,
        )
        for e, lane in zip(targeted, lanes, strict=True)
    )
    marks = tuple(
        MarkSpec(
            seq=int(e.get("seq", 0)),
            actor=str(e.get("actor")),
            name=str(e.get("name") or e.get("action", "?")),
            letter=DOMAIN_LETTERS.get(e.get("domain"), "?"),
            goldstein=_num(e.get("goldstein")),
            colour=goldstein_colour(e.get("goldstein")),
            status=_status(e),
        )
        for e in actions
        if not e.get("target")
    )
    rung = int(_num(snapshot.get("rung"), _num(state.get("world.escalation_rung"), 1)))
    prev_rung = int(_num(previous.get("rung"), rung)) if previous else None
    progress: Mapping[str, Any] = snapshot.get("progress") or {}
    reached = reached or {}
    outcomes = tuple(
        OutcomeWatch(
            id=str(o["id"]),
            title=str(o.get("title") or o["id"]),
            progress=min(max(_num(progress.get(o["id"])), 0.0), 1.0),
            reached_turn=reached.get(o["id"]),
        )
        for o in header.get("outcomes") or []
    )

    def change(key: str) -> float:
        if before is None or key not in before:
            return 0.0
        return _num(state.get(key)) - _num(before.get(key))

    usa = UsaState(
        posture=_num(state.get("USA.posture")),
        posture_delta=change("USA.posture"),
        attention=_num(state.get("USA.attention_elsewhere")),
        attention_delta=change("USA.attention_elsewhere"),
    )
    date = str(snapshot.get("date") or "")
    extra = [f"seed {header['seed']}"] if header.get("seed") is not None else []
    if header.get("humans"):
        extra.append("people play " + ", ".join(ref.name(h) for h in header["humans"]))
    return Frame(
        turn=int(snapshot.get("turn", 0)),
        planned_turns=int(header.get("turns") or 0),
        date=date,
        date_label=date_label(date),
        title=title or str(header.get("title") or header.get("scenario") or "Tripwire"),
        arrows=arrows,
        marks=marks,
        gauges=_gauges(state, before, ref),
        feed=tuple(_feed_item(e, ref) for e in told_once(events)),
        ladder=_ladder(rung, prev_rung, ref),
        outcomes=outcomes,
        usa=usa,
        escalation_score=int(_num(snapshot.get("escalation_score"))),
        finished=finished,
        subtitle=" · ".join(extra),
    )


def game_frame(
    game: Game, turn: int, *, ref: Reference | None = None, title: str | None = None
) -> Frame:
    """The frame of one turn of a game (see :func:`frame_model`)."""
    td = game.turns[turn]
    prev = game.turns[turn - 1].snapshot if turn > 0 else None
    finished = game.result is not None and turn == game.last_turn
    reached = {oid: t for oid, t in game.reached(turn).items() if t is not None}
    return frame_model(
        game.header,
        td.snapshot,
        prev,
        td.events,
        reached=reached,
        ref=ref,
        title=title,
        finished=finished,
    )
