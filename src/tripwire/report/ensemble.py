"""A game placed in its ensemble: where its outcomes and curves sit in a batch's distribution.

The batch gives, per turn, the 10-90% and 25-75% bands of rung, escalation score and tension
(``summary.json``'s fans) and, per game, which outcomes were reached and when, the peak rung
and the total escalation score (``runs.parquet``). The section draws the game's curves over
the bands and states, for each outcome and each escalation measure, how many batch games did
less, the same or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tripwire.gamelog import RUNG, SCORE, Game
from tripwire.report import charts
from tripwire.report.analysis import TENSION
from tripwire.report.batchdata import Batch
from tripwire.report.html import (
    Bullets,
    Figure,
    Inline,
    Note,
    Para,
    Section,
    Span,
    Sub,
    Table,
    b,
    code,
)
from tripwire.report.labels import month, percent, plural


@dataclass(slots=True)
class Placement:
    """Where one number of the game sits among the batch's games."""

    lower: float
    same: float
    higher: float

    def phrase(self) -> str:
        """'lower in 62% of batch games, the same in 20%, higher in 18%'."""
        parts = [f"lower in {percent(self.lower)} of batch games"]
        if self.same >= 0.005:
            parts.append(f"the same in {percent(self.same)}")
        parts.append(f"higher in {percent(self.higher)}")
        return ", ".join(parts)


def place(values: np.ndarray, x: float) -> Placement:
    """How the batch's values compare with ``x``."""
    values = values[~np.isnan(values.astype(float))]
    n = max(len(values), 1)
    return Placement(
        float((values < x).sum() / n), float((values == x).sum() / n), float((values > x).sum() / n)
    )


def _quantiles(values: np.ndarray) -> tuple[float, ...] | None:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return None
    return tuple(float(q) for q in np.quantile(values, [0.1, 0.25, 0.5, 0.75, 0.9]))


def outcome_rows(game: Game, batch: Batch) -> list[dict[str, Any]]:
    """Per outcome of the game: the game's turn and the batch's share and timing."""
    runs = batch.runs or {}
    reached = game.reached()
    rows = []
    for oid, title in game.outcomes:
        entry = batch.summary["outcomes"].get(oid)
        turn = reached.get(oid)
        row: dict[str, Any] = {"id": oid, "title": title, "game": turn, "batch": entry}
        turns = runs.get(f"turn.{oid}")
        hit = runs.get(f"reached.{oid}")
        if turns is not None and hit is not None:
            firsts = turns[hit.astype(bool)]
            row["quantiles"] = _quantiles(firsts)
            row["reached_games"] = len(firsts)
            if turn is not None and len(firsts):
                row["timing"] = place(firsts, float(turn))
        rows.append(row)
    return rows


def _outcome_sentence(row: dict[str, Any]) -> Inline:
    entry, turn = row["batch"], row["game"]
    if entry is None:
        return "not checked in the batch"
    share = entry["probability"]
    if turn is None:
        return f"Not reached, like {percent(1 - share)} of batch games."
    text = f"Reached, like {percent(share)} of batch games"
    timing: Any = row.get("timing")
    if timing is not None and row.get("quantiles"):
        median = row["quantiles"][2]
        text += (
            f"; of those, {percent(timing.lower)} got there sooner, {percent(timing.same)} on the "
            f"same turn and {percent(timing.higher)} later (median turn {median:.0f})"
        )
    return text + "."


def same_length(game: Game, batch: Batch) -> bool:
    """Whether the game played as many turns as the batch's games (totals compare)."""
    return game.last_turn == int(batch.summary["turns"])


def summary_line(game: Game, batch: Batch) -> str:
    """One sentence for the report's summary box."""
    runs = batch.runs or {}
    parts = []
    if "total_escalation_score" in runs and game.result and same_length(game, batch):
        total = float(game.result.get("total_escalation_score", sum(game.series(SCORE))))
        p = place(runs["total_escalation_score"].astype(float), total)
        parts.append(f"total escalation score higher than in {percent(p.lower)} of them")
    unusual = []
    for row in outcome_rows(game, batch):
        entry = row["batch"]
        if entry is None:
            continue
        share = entry["probability"]
        timing = row.get("timing")
        if row["game"] is not None and share < 0.25:
            unusual.append(f"reached {row['title']} (only {percent(share)} of games did)")
        elif timing is not None and max(timing.lower, timing.higher) >= 0.9:
            when = "sooner" if timing.higher >= 0.9 else "later"
            others = timing.higher if when == "sooner" else timing.lower
            unusual.append(
                f"reached {row['title']} on turn {row['game']}, {when} than "
                f"{percent(others)} of the games that reached it"
            )
        elif row["game"] is None and share > 0.75:
            unusual.append(f"missed {row['title']} ({percent(share)} of games reached it)")
    parts += unusual or ["its outcomes are each shared by at least a quarter of the batch"]
    return f"Against {batch.summary['runs']} batch games: " + "; ".join(parts) + "."


def _band_statement(game: Game, batch: Batch) -> list[Inline]:
    items: list[Inline] = []
    fans = batch.summary.get("fans") or {}
    for var, (title, _unit) in charts.CURVES.items():
        fan = fans.get(var)
        if not fan:
            continue
        values = game.series(var)
        above, below = [], []
        for t, v in zip(game.turn_numbers, values, strict=True):
            if t < len(fan["p90"]) and t > 0:
                if v > fan["p90"][t] + 1e-9:
                    above.append(t)
                elif v < fan["p10"][t] - 1e-9:
                    below.append(t)
        played = max(len(game.turns) - 1, 1)
        text = f"above the batch's 90th percentile on {plural(len(above), 'turn')}"
        if above:
            text += f" ({_turn_list(above)})"
        text += f" and below its 10th on {plural(len(below), 'turn')}"
        if below:
            text += f" ({_turn_list(below)})"
        items.append([b(title + ": "), text + f", of {played}."])
    return items


def _turn_list(turns: list[int]) -> str:
    shown = ", ".join(str(t) for t in turns[:8])
    return ("turn " if len(turns) == 1 else "turns ") + shown + ("…" if len(turns) > 8 else "")


def ensemble_section(game: Game, batch: Batch) -> Section:
    """The "In its ensemble" section of a game report."""
    s = batch.summary
    section = Section("ensemble", "In its ensemble")
    section.add(
        Para(
            [
                "This game against the ",
                b(f"{s['runs']} games"),
                " of the batch in ",
                code(str(batch.folder)),
                f" ({s['title']}, ",
                code(str(s["scenario"])),
                f", batch seed {s.get('seed', '?')}, {s['turns']} turns).",
            ]
        )
    )
    header = game.header
    if s["scenario"] != header.get("scenario") or s.get("scenario_sha256") not in (
        None,
        header.get("scenario_sha256"),
    ):
        section.add(
            Note(
                f"The batch plays {s['title']} ({s['scenario']}), not this game's scenario "
                f"{header.get('title')} ({header.get('scenario')}), or a changed version of it: "
                "the comparison shows how this game differs from that scenario's games, not "
                "where it sits among games of its own scenario."
            )
        )
    if not same_length(game, batch):
        section.add(
            Note(
                f"This game's log covers {plural(game.last_turn, 'turn')}, the batch's games "
                f"{s['turns']}: its total escalation score and final values are not compared, "
                "and its peak rung is compared with whole games."
            )
        )
    if s.get("sets"):
        changes = ", ".join(f"{k}={v:g}" for k, v in s["sets"].items())
        section.add(Note(f"The batch's games were played with changes: {changes}."))
    if batch.is_sweep:
        section.add(
            Note(
                f"The batch is a sweep of {len(s['points'])} points; its bands and shares pool "
                "all of them."
            )
        )
    rows = outcome_rows(game, batch)
    section.add(
        Table(
            [
                "Outcome",
                "This game",
                "Batch: share of games (95% interval)",
                "Where this game sits",
            ],
            [
                [
                    r["title"],
                    f"turn {r['game']} ({month(game.date(r['game']))})"
                    if r["game"] is not None
                    else "not reached",
                    _batch_share(r["batch"]),
                    _outcome_sentence(r),
                ]
                for r in rows
            ],
            caption="Outcomes against the batch",
        )
    )
    turns = int(s["turns"])
    section.add(
        Figure(
            (
                charts.timing_chart(
                    [
                        {
                            "label": f"{r['title']}\n"
                            + (
                                f"this game: turn {r['game']}"
                                if r["game"] is not None
                                else "this game: not reached"
                            )
                            + (
                                f"; batch: {percent(r['batch']['probability'])}"
                                if r["batch"]
                                else ""
                            ),
                            "quantiles": r.get("quantiles"),
                            "game": r["game"],
                        }
                        for r in rows
                    ],
                    max(turns, game.last_turn),
                )
            ),
            alt="When each outcome was reached: the batch's spread and this game's turn",
            caption=[
                b("When outcomes were reached. "),
                "Blue: the turns on which batch games first reached each outcome (only games "
                "that reached it). Star: this game.",
            ],
        )
    )
    section.add(Sub("Escalation against the batch"), _escalation_table(game, batch))
    section.add(Bullets(_band_statement(game, batch)))
    section.add(
        Figure(
            (
                charts.curves_chart(
                    game={v: game.series(v) for v in charts.CURVES},
                    game_turns=game.turn_numbers,
                    bands=s.get("fans"),
                )
            ),
            alt="This game's rung, escalation score and tension over the batch's bands",
            caption=[
                b("This game's curves over the batch's bands. "),
                "Red: this game. Blue: the batch's median, 25–75% and 10–90% of games at each "
                "turn.",
            ],
        )
    )
    runs = batch.runs or {}
    if "peak_rung" in runs and "total_escalation_score" in runs:
        section.add(
            Figure(
                (
                    charts.placement_chart(
                        runs["peak_rung"].astype(float),
                        runs["total_escalation_score"].astype(float),
                        max(game.series(RUNG)),
                        _total_score(game) if same_length(game, batch) else None,
                    )
                ),
                alt="The batch's distributions of peak rung and total escalation score",
                caption=[
                    b("Peak rung and total escalation score. "),
                    "Bars: share of batch games; red: this game.",
                ],
            )
        )
    return section


def _batch_share(entry: dict[str, Any] | None) -> Inline:
    if entry is None:
        return Span("not in the batch", "muted")
    lo, hi = entry["ci95"]
    text = f"{percent(entry['probability'])} ({percent(lo)}–{percent(hi)})"
    if entry.get("rating"):
        text += f"; analysis: {entry['rating']}"
    return text


def _total_score(game: Game) -> float:
    if game.result and isinstance(game.result.get("total_escalation_score"), int | float):
        return float(game.result["total_escalation_score"])
    return float(sum(game.series(SCORE)))


def _escalation_table(game: Game, batch: Batch) -> Table:
    runs = batch.runs or {}
    measures = [("Peak rung", "peak_rung", max(game.series(RUNG)), "{:.0f}")]
    if same_length(game, batch):  # a total or a final value over fewer turns does not compare
        measures += [
            (
                "Total escalation score (points)",
                "total_escalation_score",
                _total_score(game),
                "{:.0f}",
            ),
            ("Final tension (0–100)", "final.world.tension", game.series(TENSION)[-1], "{:.1f}"),
        ]
    rows = []
    for label, column, value, fmt in measures:
        values = runs.get(column)
        if values is None:
            continue
        values = values.astype(float)
        p10, med, p90 = (float(q) for q in np.quantile(values, [0.1, 0.5, 0.9]))
        rows.append(
            [
                label,
                fmt.format(value),
                f"{fmt.format(med)} ({fmt.format(p10)}–{fmt.format(p90)})",
                place(values, value).phrase(),
            ]
        )
    return Table(
        ["Measure", "This game", "Batch median (10–90%)", "Where this game sits"],
        rows,
        numeric=(1,),
        caption="Escalation against the batch",
    )
