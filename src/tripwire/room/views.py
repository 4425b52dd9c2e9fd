"""What each viewer of a session is sent: plain JSON-ready dicts, built by pure functions.

Every piece of a view comes from one of three places: the public state of the game (the
board's numbers, which every team sees: a white-cell ``set`` or inject shows at once), the
records of the event log that :func:`tripwire.sim.events.visible` lets the viewer see, and,
for a team, its own options and its own pending choice; for the white cell, everything
(every seat's pending choice, the rationales, the upcoming injects). Nothing else reaches a
page, so a team's or the white cell's private words can only reach another viewer through
a record whose ``seen`` says so (``tests/test_room_leak.py`` checks every message).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tripwire.catalog import load_catalog
from tripwire.gamelog import Game, Turn
from tripwire.report.labels import fmt_value, label, month, record_names, rung_name
from tripwire.session.cards import session_cards
from tripwire.session.session import Session
from tripwire.sim.events import PUBLIC, WHITE, audience, describe, team, told_once, visible

# the indicators every view shows, in this order
HEADLINE = (
    "world.tension",
    "world.escalation_rung",
    "world.sanctions_enforcement",
    "world.talks_prospects",
    "alliance.cohesion",
    "PRK.icbm",
    "USA.deterrence_credibility",
    "CHN.influence_over_PRK",
)
FEED_TURNS = 3  # the feed shows the events of the last turns


def seen_so_far(session: Session) -> list[dict[str, Any]]:
    """The event log so far with the turn under way (its injects, decisions and the white
    cell's review so far) as events of that turn: what the room has seen happen."""
    records = list(session.records())
    if session.under_way:
        records += [
            {"type": "event", "turn": session.turn, "seq": seq, **event}
            for seq, event in enumerate(session.turn_events())
        ]
    return records


def public_records(session: Session) -> list[dict[str, Any]]:
    """The records the projector may show (for a projector window of the board)."""
    return [r for r in seen_so_far(session) if visible(r, PUBLIC)]


def names() -> dict[str, str]:
    """Actor code -> display name."""
    return dict(record_names().actors)


def line(record: Mapping[str, Any]) -> str:
    """One line of a feed for an event record (:func:`tripwire.sim.events.describe`)."""
    return describe(record, record_names()).line


def _last_turn(session: Session) -> Turn:
    """The last resolved turn of the session's log (turn 0 before any)."""
    game = Game.from_records(session.log)
    return game.turns[-1] if game.turns else Turn(0, {}, ())


def _feed(records: list[dict[str, Any]], viewer: str) -> list[dict]:
    by_turn: dict[int, list[Mapping[str, Any]]] = {}
    for turn, r in Game.from_records(records).every_event():
        if visible(r, viewer):
            by_turn.setdefault(turn, []).append(r)
    out = []
    last = max(by_turn, default=0)
    for turn in sorted((t for t in by_turn if t > last - FEED_TURNS), reverse=True):
        for r in told_once(by_turn[turn]):
            out.append(
                {
                    "turn": turn,
                    "kind": r.get("kind"),
                    "text": line(r),
                    "private": audience(r) != PUBLIC,
                }
            )
    return out


def _indicators(session: Session) -> list[dict[str, Any]]:
    rules = session.rules
    out = []
    for name in HEADLINE:
        if name not in rules.index:
            continue
        i = rules.index[name]
        value = session.value(name)
        shown = fmt_value(name, value)
        if name == "world.escalation_rung":
            shown = f"{value:.0f} — {rung_name(value)}"
        out.append(
            {
                "name": name,
                "label": label(name),
                "value": value,
                "shown": shown,
                "lo": rules.lo_list[i],
                "hi": rules.hi_list[i],
            }
        )
    return out


def situation(session: Session, viewer: str) -> dict[str, Any]:
    """The situation update of the last resolved turn: how the headline numbers moved and
    what happened (the viewer's share of it)."""
    game = Game.from_records(session.log)
    if game.last_turn < 1:
        return {"turn": 0, "lines": [], "changes": []}
    last = game.turns[-1]
    before, after = game.turns[-2].snapshot, last.snapshot
    turn = last.turn
    changes = []
    for name in HEADLINE:
        old, new = before["state"].get(name), after["state"].get(name)
        if old is None or new is None or abs(new - old) < 1e-9:
            continue
        changes.append(
            f"{label(name)}: {fmt_value(name, old)} → {fmt_value(name, new)}"
            if name != "world.escalation_rung"
            else f"Escalation rung: {old:.0f} → {new:.0f} ({rung_name(new)})"
        )
    events = told_once([r for r in last.events if visible(r, viewer)])
    lines = [line(r) for r in events if not (r.get("kind") == "action" and
                                             r.get("action") == "hold")]  # fmt: skip
    return {"turn": turn, "date": month(after.get("date")), "lines": lines, "changes": changes}


def alerts(session: Session) -> list[dict[str, Any]]:
    """Outcomes reached and risk triggers fired in the last resolved turn (public)."""
    last = _last_turn(session)
    return [
        {"kind": r["kind"], "turn": last.turn, "text": line(r)}
        for r in last.events
        if r.get("kind") in ("outcome", "trigger") and visible(r, PUBLIC)
    ]


def results(session: Session, actor: str) -> list[str]:
    """What a team's moves did in the last resolved turn (public once resolved)."""
    return [
        line(r)
        for r in _last_turn(session).events
        if r.get("kind") == "action"
        and (r.get("actor") == actor or actor in (r.get("joined") or ()))
        and visible(r, team(actor))
    ]


def team_brief(session: Session, actor: str) -> dict[str, Any]:
    """A team's brief: who it plays, what it wants, how many moves a turn."""
    catalog = load_catalog()
    profile = catalog.actors[actor]
    rules = session.rules
    objectives = [o.description for o in rules.objectives if o.actor == actor]
    points = int(rules.action_points[rules.actors.index(actor)])
    return {
        "actor": actor,
        "name": profile.name,
        "capital": profile.capital,
        "points": points,
        "objectives": objectives,
    }


def _cards(session: Session, actor: str) -> list[dict[str, Any]]:
    out = []
    for c in session_cards(session, actor):
        out.append(
            {
                "number": c.number,
                "action": c.action,
                "target": c.target,
                "title": c.title,
                "description": c.description,
                "domain": c.domain,
                "cost": c.cost_text,
                "chance": round(c.chance, 2),
                "effects": c.effects_text,
                "partners": c.partners_text,
                "available": c.available,
                "reason": c.reason_text,
            }
        )
    return out


def _chosen(session: Session, actor: str) -> list[dict[str, Any]] | None:
    review = session.under_review()
    if review is None:
        return None
    moves = review.chosen[session.rules.actors.index(actor)]
    if moves is None:
        return None
    return [
        {
            "action": session.rules.moves[m].action,
            "target": session.rules.moves[m].target,
            "name": session.rules.moves[m].name,
        }
        for m in moves
    ]


def _marked(session: Session, actor: str) -> list[dict[str, Any]] | None:
    """A seat's chosen moves with the white cell's review mark on each (the white cell's
    view only): "vetoed", "forced to succeed", "forced to fail" or "dice"."""
    moves = _chosen(session, actor)
    review = session.under_review()
    if moves is None or review is None:
        return moves
    chosen = review.chosen[session.rules.actors.index(actor)] or ()
    for move, m in zip(moves, chosen, strict=True):
        if m in review.vetoed:
            move["mark"] = "vetoed"
        elif m in review.forced:
            move["mark"] = "forced to succeed" if review.forced[m] else "forced to fail"
        else:
            move["mark"] = "dice"
    return moves


def upcoming_injects(session: Session) -> list[dict[str, Any]]:
    """The scenario's scheduled injects still to come, and its library (white cell)."""
    rules = session.rules
    now = session.turn  # a turn under way has fired its injects already
    out = []
    for inject in rules.library.values():
        if inject.turn is not None and inject.turn > now:
            out.append(
                {
                    "id": inject.id,
                    "turn": inject.turn,
                    "date": month(rules.month(inject.turn)),
                    "text": inject.text,
                    "conditional": inject.when is not None,
                }
            )
    return sorted(out, key=lambda i: (i["turn"], i["id"]))


def _variables(session: Session) -> list[dict[str, Any]]:
    rules, state = session.rules, session.state
    return [
        {
            "name": name,
            "label": label(name),
            "lo": rules.lo_list[i],
            "hi": rules.hi_list[i],
            "value": float(state[i]),
            "shown": fmt_value(name, float(state[i])),
        }
        for name, i in rules.index.items()
        if not name.startswith("param.")
    ]


def view(session: Session, viewer: str, *, clock: Mapping[str, Any] | None = None) -> dict:
    """Everything one viewer's page shows now (see the module docstring for what it may
    hold)."""
    rules, spec = session.rules, session.spec
    who = names()
    records = seen_so_far(session)
    deciding = session.waiting_for()
    out: dict[str, Any] = {
        "viewer": viewer,
        "role": "white" if viewer == WHITE else "team" if viewer.startswith("team:") else "public",
        "scenario": {"id": spec.id, "title": spec.title, "description": spec.description},
        "turn": session.turn,
        "turns": session.planned_turns,
        "date": month(rules.month(max(session.turn, 1))),
        "phase": session.phase,
        "humans": [{"actor": h, "name": who.get(h, h)} for h in session.info.humans],
        "waiting": deciding,
        "indicators": _indicators(session),
        "feed": _feed(records, viewer),
        "situation": situation(session, viewer),
        "alerts": alerts(session),
        "clock": dict(clock or {}),
    }
    if out["role"] == "team":
        actor = viewer.removeprefix("team:")
        out["team"] = {
            **team_brief(session, actor),
            "cards": _cards(session, actor) if session.under_way else [],
            "decided": _chosen(session, actor),
            "deciding": actor in deciding,
            "results": results(session, actor),
        }
    elif out["role"] == "white":
        out["white"] = {
            "briefs": [team_brief(session, h) for h in session.info.humans],
            "pending": [
                {
                    "actor": code,
                    "name": who.get(code, code),
                    "human": code in session.info.humans,
                    "moves": _marked(session, code),
                }
                for code in rules.actors
            ]
            if session.under_way
            else [],
            "upcoming": upcoming_injects(session),
            "library": [{"id": k, "text": v.text} for k, v in rules.library.items()],
            "variables": _variables(session),
            "can_undo": session.turn >= 1 or session.under_way,
        }
    return out
