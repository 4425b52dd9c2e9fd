"""Printable handouts, as HTML pages with print CSS: the briefing pack, team cards and turn
summaries, each showing only what the viewer may see (the white cell's copy marks what was
private)."""

from __future__ import annotations

from html import escape

from tripwire.gamelog import Game
from tripwire.report.labels import month
from tripwire.room.views import line, names, situation, team_brief
from tripwire.session.cards import session_cards
from tripwire.session.session import Session
from tripwire.sim.events import PUBLIC, WHITE, audience, told_once, visible

KINDS = ("briefing", "cards", "turns")
TITLES = {"briefing": "Briefing pack", "cards": "Team cards", "turns": "Turn summaries"}


def _teams(session: Session, viewer: str) -> list[str]:
    """The teams whose private pages the viewer may print."""
    if viewer == WHITE:
        return list(session.info.humans)
    if viewer.startswith("team:"):
        return [viewer.removeprefix("team:")]
    return []


def _brief(session: Session, actor: str) -> str:
    b = team_brief(session, actor)
    wants = "".join(f"<li>{escape(o)}</li>" for o in b["objectives"])
    return (
        f'<section class="sheet"><h2>{escape(b["name"])} team</h2>'
        f"<p>You play {escape(b['name'])} (capital {escape(b['capital'])}). Each month your team "
        f"may take up to {b['points']} action(s).</p><h3>What {escape(b['name'])} wants</h3>"
        f"<ul>{wants}</ul></section>"
    )


def _briefing(session: Session, viewer: str) -> str:
    spec = session.spec
    parts = [
        f'<section class="sheet"><h2>{escape(spec.title)}</h2>'
        f'<p class="read-aloud">{escape(spec.description)}</p>'
        f"<p>{session.planned_turns} turns of one month from {escape(spec.start)}. Teams: "
        + ", ".join(escape(names().get(h, h)) for h in session.info.humans)
        + ".</p></section>"
    ]
    parts += [_brief(session, actor) for actor in _teams(session, viewer)]
    return "".join(parts)


def _cards(session: Session, viewer: str) -> str:
    parts = []
    for actor in _teams(session, viewer):
        rows = []
        for c in session_cards(session, actor):
            why = escape(c.reason_text)
            state = "" if c.available else f'<p class="why">Not available: {why}</p>'
            partners = f"<p>{escape(c.partners_text)}</p>" if c.partners_text else ""
            rows.append(
                f'<div class="card{"" if c.available else " unavailable"}">'
                f"<h3>{escape(c.title)}</h3><p>{escape(c.description)}</p>"
                f"<p>{escape(c.cost_text)}; chance of success now {c.chance:.0%}.</p>"
                f"<p>{escape(c.effects_text)}</p>{partners}{state}</div>"
            )
        parts.append(
            f'<section class="sheet"><h2>{escape(names().get(actor, actor))}: action cards</h2>'
            f'<div class="cards">{"".join(rows)}</div></section>'
        )
    return "".join(parts) or "<p>The projector has no team cards.</p>"


def _turns(session: Session, viewer: str) -> str:
    parts = []
    for played in Game.from_records(session.log).turns[1:]:
        turn, snap = played.turn, played.snapshot
        events = told_once([r for r in played.events if visible(r, viewer)])
        items = []
        for r in events:
            if r.get("kind") == "action" and r.get("action") == "hold":
                continue
            private = audience(r) != PUBLIC
            mark = ' class="private"' if private else ""
            tag = " <em>(private)</em>" if private else ""
            items.append(f"<li{mark}>{escape(line(r))}{tag}</li>")
        tension = snap["state"].get("world.tension")
        parts.append(
            f'<section class="turn"><h2>Turn {turn}: {escape(month(snap.get("date")))}</h2>'
            f"<p>Tension {tension:.0f}, escalation rung {snap.get('rung')}.</p>"
            f"<ul>{''.join(items)}</ul></section>"
        )
    if not parts:
        return "<p>No turn has been played yet.</p>"
    latest = situation(session, viewer)
    changes = "".join(f"<li>{escape(c)}</li>" for c in latest["changes"])
    return "".join(parts) + (f"<h2>Latest changes</h2><ul>{changes}</ul>" if changes else "")


def render(session: Session, viewer: str, what: str) -> str:
    """A handout as a whole HTML page."""
    body = {"briefing": _briefing, "cards": _cards, "turns": _turns}[what](session, viewer)
    title = f"{TITLES[what]} — {session.spec.title}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<link rel="stylesheet" href="/static/room.css"></head>'
        f'<body class="handout"><h1>{escape(title)}</h1>{body}'
        '<p class="noprint">Print this page (Ctrl-P): the menus and buttons are left out.</p>'
        "</body></html>"
    )
