"""The white cell's acts on a game: veto, force, clear, inject, set a value, note, and the
records of an undo and a fork.

They are the session's, not the engine's (docs/architecture.md): :class:`Session` calls them
for its commands. Each checks that the act is possible now (the messages reach the board and
the room as they are), changes the game only through the engine's public hooks (the turn
under way, ``model.pending``; the records made between turns, ``model.briefing_events``; an
inject's effects, ``model.apply_inject``) and records the act: an ``intervention`` record
made by :func:`intervention` alone, or a ``note``.

A human seat's choice is not here: it is the seat's act, and the engine's
(``CrisisModel.decide``), since the turn cannot resolve without it.
"""

from __future__ import annotations

from typing import Any

from tripwire.session.commands import WHITE_CELL
from tripwire.sim import events as ev
from tripwire.sim.model import CrisisModel, PendingTurn
from tripwire.sim.rules import InjectRule


# --- during a turn: the review of its chosen moves ----------------------------------------
def veto(
    model: CrisisModel,
    move: int,
    *,
    who: str = WHITE_CELL,
    rationale: str = "",
    publish: bool = False,
) -> None:
    """Stop a chosen move before it resolves (``publish``: the room may read the record)."""
    pending = _require_chosen(model, move)
    pending.vetoed.add(move)
    pending.forced.pop(move, None)
    intervention(
        model, pending.events, "veto", who=who, rationale=rationale, publish=publish, move=move
    )


def clear(
    model: CrisisModel,
    move: int,
    *,
    who: str = WHITE_CELL,
    rationale: str = "",
    publish: bool = False,
) -> None:
    """Take back a veto or a forced result: the chosen move goes to the dice again."""
    pending = _require_chosen(model, move)
    if move not in pending.vetoed and move not in pending.forced:
        mv = model.rules.moves[move]
        raise ValueError(f"{mv.actor}'s '{mv.action}' has no veto or forced result to clear")
    pending.vetoed.discard(move)
    pending.forced.pop(move, None)
    intervention(
        model, pending.events, "clear", who=who, rationale=rationale, publish=publish, move=move
    )


def force(
    model: CrisisModel,
    move: int,
    success: bool,
    *,
    who: str = WHITE_CELL,
    rationale: str = "",
    publish: bool = False,
) -> None:
    """Decide a chosen move's success or failure instead of its roll."""
    pending = _require_chosen(model, move)
    pending.forced[move] = bool(success)
    pending.vetoed.discard(move)
    what = "force_success" if success else "force_failure"
    intervention(
        model, pending.events, what, who=who, rationale=rationale, publish=publish, move=move
    )


# --- between turns --------------------------------------------------------------------------
def inject(
    model: CrisisModel,
    inject_id: str | None = None,
    *,
    text: str | None = None,
    effects: dict[str, float] | None = None,
    who: str = WHITE_CELL,
    rationale: str = "",
    publish: bool = False,
) -> None:
    """Fire a library inject, or an ad-hoc one with text and effects.

    Its effects apply now; it is recorded at the start of the next turn.

    Raises:
        ValueError: an unknown inject or variable, a turn under way, or the game over.
    """
    _require_briefing(model)
    rules = model.rules
    if inject_id is not None:
        if inject_id not in rules.library:
            raise ValueError(f"unknown inject '{inject_id}'")
        rule = rules.library[inject_id]
    else:
        pairs = []
        for name, delta in (effects or {}).items():
            if name not in rules.index:
                raise ValueError(f"unknown variable '{name}'")
            pairs.append((rules.index[name], float(delta)))
        rule = InjectRule(
            "adhoc", -1, text or "(facilitator inject)", None, None, False, None, tuple(pairs), ()
        )
    events = model.briefing_events
    intervention(
        model, events, "inject", who=who, rationale=rationale, publish=publish,
        inject=rule.id, headline=rule.text,
    )  # fmt: skip
    model.apply_inject(rule, "facilitator", events)


def set_value(
    model: CrisisModel,
    name: str,
    value: float,
    *,
    who: str = WHITE_CELL,
    rationale: str = "",
    publish: bool = False,
) -> None:
    """Set a state variable (clipped to its range).

    Raises:
        ValueError: an unknown variable, a turn under way, or the game over.
    """
    _require_briefing(model)
    rules = model.rules
    if name not in rules.index:
        raise ValueError(f"unknown variable '{name}'")
    i = rules.index[name]
    old = float(model.state[i])
    new = min(rules.hi_list[i], max(rules.lo_list[i], float(value)))
    model.state[i] = new
    intervention(
        model, model.briefing_events, "set", who=who, rationale=rationale, publish=publish,
        variable=name, value=new, previous=old,
    )  # fmt: skip


def record_undo(
    model: CrisisModel,
    turn: int,
    *,
    who: str = WHITE_CELL,
    rationale: str = "",
    undone: list[dict[str, Any]] | None = None,
    publish: bool = False,
) -> None:
    """Record that the white cell undid ``turn`` (the undo itself is the session's replay);
    ``undone`` lists the moves of the undone turn worth remembering (see
    :func:`tripwire.session.session.undone_moves`)."""
    extra: dict[str, Any] = {"undone": undone} if undone else {}
    intervention(
        model, model.briefing_events, "undo", who=who, rationale=rationale, publish=publish,
        undone_turn=turn, **extra,
    )  # fmt: skip


def record_fork(
    model: CrisisModel,
    runs: int,
    outcomes: dict[str, dict[str, Any]],
    *,
    who: str = WHITE_CELL,
    publish: bool = False,
) -> None:
    """Record that the white cell showed the room ``runs`` bot continuations from here
    and their outcome shares (``id -> {title, probability, ci95}``); nothing changes.

    Raises:
        ValueError: a turn under way, or the game over.
    """
    _require_briefing(model)
    intervention(
        model, model.briefing_events, "fork", who=who, rationale="", publish=publish,
        runs=runs, from_turn=model.turn, outcomes=outcomes,
    )  # fmt: skip


# --- at any time ----------------------------------------------------------------------------
def note(model: CrisisModel, text: str, *, who: str = WHITE_CELL, publish: bool = False) -> None:
    """Annotate the game (recorded with the turn under way, or the next one); the white
    cell's alone unless ``publish``."""
    pending = model.pending
    events = pending.events if pending is not None else model.briefing_events
    events.append({"kind": "note", "who": who, "text": text, "seen": ev.published(publish)})


# --- the record -----------------------------------------------------------------------------
def intervention(
    model: CrisisModel,
    events: list[dict[str, Any]],
    what: str,
    *,
    who: str,
    rationale: str,
    publish: bool,
    **details: Any,
) -> None:
    """Append the ``intervention`` record of one white-cell act to ``events``.

    ``details`` are the act's data fields (docs/event-log.md); a ``move`` (an index) becomes
    the move's ``actor``, ``action`` and ``target``. The record's ``text`` is worded from its
    data by :func:`tripwire.sim.events.describe_intervention`; it is the white cell's alone
    unless ``publish``.
    """
    rules = model.rules
    move = details.pop("move", None)
    record: dict[str, Any] = {"kind": "intervention", "who": who, "what": what}
    if move is not None:
        mv = rules.moves[move]
        record.update(actor=mv.actor, action=mv.action, target=mv.target)
    record.update(details)
    names = {m.action: m.name for m in reversed(rules.moves)}  # an action's name
    record["text"] = ev.describe_intervention(record, ev.Names(actions=names))
    record["rationale"] = rationale
    record["seen"] = ev.published(publish)  # the white cell's, unless it publishes it
    events.append(record)


def _require_pending(model: CrisisModel) -> PendingTurn:
    if model.pending is None:
        raise ValueError("no turn under way: begin the turn first")
    return model.pending


def _require_briefing(model: CrisisModel) -> None:
    if model.pending is not None:
        raise ValueError("a turn is under way: inject or set values between turns")
    if not model.running:
        raise ValueError("the game is over")


def _require_chosen(model: CrisisModel, move: int) -> PendingTurn:
    pending = _require_pending(model)
    if not any(move in (m or []) for m in pending.chosen):
        mv = model.rules.moves[move]
        raise ValueError(f"{mv.actor}'s '{mv.action}' was not chosen this turn")
    return pending
