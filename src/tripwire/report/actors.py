"""The per-actor part of a game report: each actor against its objectives.

For every objective the catalog gives an actor, the variables it weighs are shown at the start
and at the end of the game, each marked good or bad for the actor by the sign of its
coefficient, and the objective is called advanced, set back or held by the weighted sum of
those moves. What the actor did most, and how many of its moves escalated, completes it.
"""

from __future__ import annotations

from tripwire.report.analysis import ActorRecord
from tripwire.report.html import BR, Inline, Para, Section, Span, Sub, Table, b, tone
from tripwire.report.labels import fmt_pair, label


def _verdict(net: float) -> Span:
    if net > 0.5:
        return tone(f"advanced ({net:+.1f})", "good")
    if net < -0.5:
        return tone(f"set back ({net:+.1f})", "bad")
    return tone(f"held ({net:+.1f})", "muted")


def _term_line(var: str, coef: float, start: float, end: float) -> list[str | Span]:
    delta = end - start
    good = coef * delta
    mark = (
        tone("✓ good for it", "good")
        if good > 1e-9
        else (tone("✗ bad for it", "bad") if good < -1e-9 else tone("unchanged", "muted"))
    )
    want = "wants it higher" if coef > 0 else "wants it lower"
    return [
        Span(label(var), "", f"{var}: {want}"),
        f" {fmt_pair(var, start, end)} ",
        mark,
    ]


def actors_section(records: list[ActorRecord]) -> Section:
    """The "Actors against their objectives" section of a game report."""
    section = Section("actors", "Actors against their objectives")
    section.add(
        Para(
            "For each actor, how the variables its objectives weigh moved from the start to the "
            "end of the game. An objective advanced when the weighted sum of those moves (each "
            "move times the objective's coefficient) went the actor's way. Weights are the "
            "catalog's (how much the actor cares)."
        )
    )
    overview: list[list[Inline]] = []
    for r in records:
        up = [o.id for o in r.objectives if o.net > 0.5]
        down = [o.id for o in r.objectives if o.net < -0.5]
        top = r.top_actions[0] if r.top_actions else None
        overview.append(
            [
                b(r.name + (" (human)" if r.human else "")),
                tone(", ".join(up), "good") if up else tone("none", "muted"),
                tone(", ".join(down), "bad") if down else tone("none", "muted"),
                f"{top[0]} ×{top[1]}" if top else "held every turn",
            ]
        )
    section.add(
        Table(
            ["Actor", "Objectives advanced", "Objectives set back", "Most frequent move"],
            overview,
            caption="Actors at a glance",
        )
    )
    for r in records:
        section.add(Sub(f"{r.name} ({r.code})" + (" — played by people" if r.human else "")))
        did = ", ".join(f"{n} ×{c} ({w} succeeded)" for n, c, w in r.top_actions) or "nothing"
        section.add(
            Para(
                [
                    b("Moves: "),
                    f"{r.moves} taken ({r.escalatory} escalatory, {r.de_escalatory} de-escalatory, "
                    f"{r.failed} failed or cancelled), {r.holds} held. ",
                    b("Did most: "),
                    did + ".",
                ]
            )
        )
        rows: list[list[Inline]] = []
        for o in r.objectives:
            terms: list[str | Span] = []
            for k, term in enumerate(o.terms):
                if k:
                    terms.append(BR)
                terms += _term_line(*term)
            rows.append(
                [
                    [b(o.id), BR, Span(o.description, "small")],
                    f"{o.weight:g}",
                    _verdict(o.net),
                    terms,
                ]
            )
        section.add(
            Table(
                ["Objective", "Weight", "Over the game", "Its variables, start → end"],
                rows,
                numeric=(1,),
                caption=f"{r.name}'s objectives",
            )
        )
    return section
