"""The report's figures, drawn with matplotlib (headless) and returned as PNG bytes.

Every figure labels its axes with units, keeps its text out of the data (legends go below the
axes, value labels sit in their own row or margin) and uses the Okabe-Ito colours, which stay
distinct for colour-blind readers. Figures are drawn at 150 dpi and shown smaller (see
``tripwire.report.html.PLOT_SCALE``), so they stay sharp on high-density screens and in print.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

# never a window: figures are bytes; in a Jupyter kernel the notebook's own inline plots stay
if not os.environ.get("MPLBACKEND", "").startswith("module://matplotlib_inline"):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from tripwire.sim.events import KIND_NAMES

DPI = 150
INK = "#222222"
MUTED = "#666666"
GRID = "#e6e6e6"
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
YELLOW = "#F0E442"
GREY = "#999999"
PALETTE = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, "#000000", YELLOW)
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#555555",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.dpi": DPI,
}
TURN_LABEL = "turn (months since the start; 0 = starting position)"

# The three per-turn series a batch keeps for every game, as (title, axis label with unit).
CURVES = {
    "world.escalation_rung": ("Escalation rung (Kahn ladder)", "rung (1–44)"),
    "world.escalation_score": ("Escalation score per turn (Rivera et al.)", "points per turn"),
    "world.tension": ("Tension", "index (0–100)"),
}
MARKS = {  # event track rows: kind -> (marker, colour); each row is labelled with the kind's name
    "outcome": ("*", VERMILLION),
    "trigger": ("^", ORANGE),
    "inject": ("o", GREY),
    "intervention": ("D", PURPLE),
}


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.12)
    plt.close(fig)
    return buf.getvalue()


def _band(ax: Any, turns: Sequence[int], fan: Mapping[str, Sequence[float]], step: bool) -> None:
    kw: dict[str, Any] = {"step": "mid"} if step else {}
    n = min(len(turns), len(fan["p10"]))
    t = turns[:n]
    ax.fill_between(t, fan["p10"][:n], fan["p90"][:n], color=BLUE, alpha=0.15, lw=0, **kw)
    ax.fill_between(t, fan["p25"][:n], fan["p75"][:n], color=BLUE, alpha=0.3, lw=0, **kw)
    ax.plot(
        t,
        fan["median"][:n],
        color=BLUE,
        lw=1.6,
        drawstyle="steps-mid" if step else "default",
    )


def curves_chart(
    *,
    game: Mapping[str, Sequence[float]] | None = None,
    game_turns: Sequence[int] = (),
    bands: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    marks: Sequence[tuple[int, str]] = (),
    game_label: str = "this game",
    band_label: str = "batch",
) -> bytes:
    """Rung, escalation score and tension per turn: a game's curves, a batch's bands, or both.

    Args:
        game: variable -> value per turn of one game (``game_turns`` gives the turns).
        game_turns: the turns of ``game``'s values.
        bands: variable -> fan (``turn``, ``p10``, ``p25``, ``median``, ``p75``, ``p90``).
        marks: (turn, kind) events drawn on a track above the curves (kinds in ``MARKS``).
        game_label: legend label of the game's line.
        band_label: legend prefix of the bands.
    """
    kinds = [k for k in MARKS if any(kind == k for _, kind in marks)]
    with plt.rc_context(STYLE):
        ratios = ([0.18 + 0.12 * len(kinds)] if kinds else []) + [1.0, 1.0, 1.0]
        fig, axes = plt.subplots(
            len(ratios),
            1,
            figsize=(10, 2.25 * 3 + (0.3 + 0.22 * len(kinds) if kinds else 0) + 0.6),
            sharex=True,
            gridspec_kw={"height_ratios": ratios, "hspace": 0.42},
        )
        axes = list(np.atleast_1d(axes))
        if kinds:
            _event_track(axes.pop(0), marks, kinds)
        last_turn = 0
        for ax, (var, (title, unit)) in zip(axes, CURVES.items(), strict=True):
            step = var == "world.escalation_rung"
            lo_hi: list[float] = []
            if bands and var in bands:
                fan = bands[var]
                _band(ax, fan["turn"], fan, step)
                lo_hi += [min(fan["p10"]), max(fan["p90"])]
                last_turn = max(last_turn, fan["turn"][-1])
            if game and var in game:
                values = list(game[var])
                ax.plot(
                    game_turns,
                    values,
                    color=VERMILLION if bands else INK,
                    lw=2.0,
                    marker="o",
                    ms=3.2,
                    drawstyle="steps-mid" if step else "default",
                    zorder=4,
                )
                lo_hi += [min(values), max(values)]
                last_turn = max(last_turn, game_turns[-1])
            ax.set_title(title)
            ax.set_ylabel(unit)
            ax.grid(axis="y", color=GRID)
            ax.set_axisbelow(True)
            if step:
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
                lo, hi = (min(lo_hi), max(lo_hi)) if lo_hi else (1, 5)
                pad = max(0.0, (4 - (hi - lo)) / 2)
                ax.set_ylim(lo - 0.5 - pad, hi + 0.5 + pad)
        axes[-1].set_xlim(0, max(last_turn, 1))
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 4, 5, 10]))
        axes[-1].set_xlabel(TURN_LABEL)
        handles: list[Any] = []
        if game:
            handles.append(
                Line2D([], [], color=VERMILLION if bands else INK, lw=2, marker="o", ms=3.2)
            )
        labels = [game_label] if game else []
        if bands:
            handles += [
                Line2D([], [], color=BLUE, lw=1.6),
                Patch(color=BLUE, alpha=0.45),
                Patch(color=BLUE, alpha=0.15),
            ]
            labels += [
                f"{band_label}: median",
                f"{band_label}: 25–75% of games",
                f"{band_label}: 10–90% of games",
            ]
        if len(handles) > 1:
            fig.legend(
                handles,
                labels,
                loc="upper left",
                bbox_to_anchor=(0.08, 0.045),
                ncol=min(len(handles), 4),
            )
        return _png(fig)


def _event_track(ax: Any, marks: Sequence[tuple[int, str]], kinds: list[str]) -> None:
    """One row per kind of event, a marker at each turn it happened."""
    for row, kind in enumerate(reversed(kinds)):
        marker, colour = MARKS[kind]
        turns = sorted({t for t, k in marks if k == kind})
        ax.scatter(
            turns,
            [row] * len(turns),
            marker=marker,
            s=95 if marker == "*" else 38,
            color=colour,
            edgecolor="white",
            linewidth=0.5,
            zorder=3,
            clip_on=False,
        )
    ax.set_yticks(range(len(kinds)), [KIND_NAMES[k].lower() for k in reversed(kinds)])
    ax.set_ylim(-0.6, len(kinds) - 0.4)
    ax.tick_params(axis="y", length=0)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.tick_params(axis="x", length=0)
    ax.grid(axis="x", color=GRID)
    ax.set_axisbelow(True)
    ax.set_title("Turning points")


def outcome_watch(
    turns: Sequence[int],
    progress: Mapping[str, Sequence[float]],
    reached: Mapping[str, int | None],
) -> bytes:
    """How close each outcome's condition came to holding, turn by turn.

    Args:
        turns: the turns.
        progress: outcome title -> closeness per turn (0..1, 1 = holds).
        reached: outcome title -> first turn it held (None: never).
    """
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(10, 3.6))
        labels = []
        for k, (title, values) in enumerate(progress.items()):
            colour = PALETTE[k % len(PALETTE)]
            ax.plot(turns, values, color=colour, lw=1.9)
            turn = reached.get(title)
            if turn is not None and turn in turns:
                ax.scatter(
                    [turn], [1.0], marker="*", s=150, color=colour, edgecolor=INK, lw=0.6, zorder=4
                )
            labels.append(f"{title} ({'reached on turn ' + str(turn) if turn else 'not reached'})")
        ax.set_ylim(-0.03, 1.08)
        ax.set_xlim(turns[0], max(turns[-1], turns[0] + 1))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 4, 5, 10]))
        ax.set_xlabel(TURN_LABEL)
        ax.set_ylabel("closeness (1 = condition holds)")
        ax.grid(axis="y", color=GRID)
        ax.set_title("Outcome watch: how close each outcome's condition came")
        handles = [
            Line2D([], [], color=PALETTE[k % len(PALETTE)], lw=1.9) for k in range(len(labels))
        ]
        handles.append(
            Line2D([], [], color="white", marker="*", ms=11, mfc=GREY, mec=INK, ls="none")
        )
        labels.append("turn the outcome was first reached")
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, -0.2), ncol=2)
        return _png(fig)


def placement_chart(
    peaks: np.ndarray,
    scores: np.ndarray,
    game_peak: float | None = None,
    game_score: float | None = None,
) -> bytes:
    """The batch's distributions of peak rung and total escalation score (and the game's)."""
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"wspace": 0.28})
        values, counts = np.unique(peaks.astype(int), return_counts=True)
        share = counts / max(len(peaks), 1)
        mine = round(game_peak) if game_peak is not None else None
        colours = [VERMILLION if v == mine else BLUE for v in values]
        left.bar(values, share, color=colours, alpha=0.85, width=0.7)
        if mine is not None and mine not in set(values.tolist()):
            left.axvline(mine, color=VERMILLION, lw=2)
        left.xaxis.set_major_locator(MaxNLocator(integer=True))
        left.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        left.set_xlabel("highest Kahn rung reached in the game (rung)")
        left.set_ylabel("share of batch games")
        left.set_title("Peak escalation rung")
        left.grid(axis="y", color=GRID)
        left.set_axisbelow(True)
        bins = min(40, max(8, len(np.unique(scores))))
        right.hist(
            scores,
            bins=bins,
            color=BLUE,
            alpha=0.85,
            weights=np.full(len(scores), 1 / max(len(scores), 1)),
        )
        if game_score is not None:
            right.axvline(game_score, color=VERMILLION, lw=2.2)
        right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        right.set_xlabel("total escalation score over the game (Rivera et al. points)")
        right.set_ylabel("share of batch games")
        right.set_title("Total escalation score")
        right.grid(axis="y", color=GRID)
        right.set_axisbelow(True)
        if game_peak is not None or game_score is not None:
            fig.legend(
                [Patch(color=BLUE, alpha=0.85), Line2D([], [], color=VERMILLION, lw=2.2)],
                ["batch games", "this game"],
                loc="upper left",
                bbox_to_anchor=(0.08, -0.02),
                ncol=2,
            )
        return _png(fig)


def timing_chart(rows: Sequence[dict[str, Any]], turns: int) -> bytes:
    """When each outcome was first reached: the batch's spread and the game's turn.

    Args:
        rows: per outcome: ``label`` (y tick text), ``quantiles`` (p10, p25, median, p75, p90
            of the first turn among batch games that reached it; None if none did) and
            ``game`` (the game's first turn, or None).
        turns: the number of turns (the x axis' end).
    """
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(10, 0.9 + 0.75 * len(rows)))
        for y, row in enumerate(reversed(rows)):
            q = row.get("quantiles")
            if q:
                p10, p25, med, p75, p90 = q
                ax.plot([p10, p90], [y, y], color=BLUE, lw=1.4, solid_capstyle="butt")
                ax.barh(y, max(p75 - p25, 0.15), left=p25, height=0.38, color=BLUE, alpha=0.35)
                ax.plot([med, med], [y - 0.19, y + 0.19], color=BLUE, lw=2.4)
            if row.get("game") is not None:
                ax.scatter(
                    [row["game"]],
                    [y],
                    marker="*",
                    s=190,
                    color=VERMILLION,
                    edgecolor=INK,
                    lw=0.6,
                    zorder=4,
                )
        ax.set_yticks(range(len(rows)), [r["label"] for r in reversed(rows)])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(0, turns + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 4, 5, 10]))
        ax.set_xlabel("turn on which the outcome was first reached (months since the start)")
        ax.grid(axis="x", color=GRID)
        ax.set_axisbelow(True)
        ax.legend(
            [
                Line2D([], [], color=BLUE, lw=1.4),
                Patch(color=BLUE, alpha=0.35),
                Line2D([], [], color=BLUE, lw=2.4),
                Line2D([], [], color="white", marker="*", ms=12, mfc=VERMILLION, mec=INK),
            ],
            [
                "batch: 10–90% of games that reached it",
                "25–75%",
                "median",
                "this game",
            ],
            loc="upper left",
            bbox_to_anchor=(0, -0.42 / max(len(rows), 1) - 0.12),
            ncol=4,
        )
        return _png(fig)


def trigger_chart(rows: Sequence[tuple[str, float]]) -> bytes:
    """Share of games in which each trigger fired at least once (rows in display order)."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(10, 0.8 + 0.34 * len(rows)))
        names = [r[0] for r in reversed(rows)]
        shares = [r[1] for r in reversed(rows)]
        ax.barh(range(len(rows)), shares, color=ORANGE, height=0.62)
        for y, s in enumerate(shares):
            ax.text(s + 0.01, y, f"{s * 100:.0f}%", va="center", ha="left", fontsize=9, color=INK)
        ax.set_yticks(range(len(rows)), names)
        ax.set_xlim(0, 1.1)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.spines["bottom"].set_bounds(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("share of games in which the trigger fired at least once")
        ax.grid(axis="x", color=GRID)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        return _png(fig)


def sensitivity_panels(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The panels of :func:`tornado_chart` from a sweep's summary: per outcome with rows,
    its swept parameters, largest swing first."""
    rows = summary["sensitivity"]
    panels = []
    for oid, o in summary["outcomes"].items():
        mine = sorted((r for r in rows if r["outcome"] == oid), key=lambda r: -r["swing"])
        if mine:
            panels.append(
                {
                    "title": o["title"],
                    "pooled": o["probability"],
                    "rows": [
                        {
                            "label": f"{r['name']} ({r['values'][0]:g} … {r['values'][-1]:g})",
                            "values": r["values"],
                            "probabilities": r["probabilities"],
                        }
                        for r in mine
                    ],
                }
            )
    return panels


def tornado_chart(
    panels: Sequence[dict[str, Any]],
) -> bytes:
    """Sensitivity: how far each swept parameter moves each outcome's probability.

    Args:
        panels: per outcome: ``title``, ``pooled`` (probability over all points) and ``rows``
            (``label``, ``values``, ``probabilities``), largest swing first.
    """
    spans = [
        abs(p - panel["pooled"])
        for panel in panels
        for r in panel["rows"]
        for p in r["probabilities"]
    ]
    limit = max([0.02, *spans]) * 100 * 1.15
    heights = [0.55 + 0.42 * len(p["rows"]) for p in panels]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(panels),
            1,
            figsize=(10, sum(heights) + 0.3 * len(panels) + 0.5),
            sharex=True,
            gridspec_kw={"height_ratios": heights, "hspace": 0.75},
            squeeze=False,
        )
        for ax, panel in zip(axes[:, 0], panels, strict=True):
            rows = list(reversed(panel["rows"]))
            base = panel["pooled"]
            for y, r in enumerate(rows):
                d = [(p - base) * 100 for p in r["probabilities"]]
                ax.plot(
                    [min(d), max(d)], [y, y], color=BLUE, lw=7, alpha=0.35, solid_capstyle="butt"
                )
                if len(d) > 2:
                    ax.scatter(d[1:-1], [y] * (len(d) - 2), s=14, color=BLUE, zorder=3)
                ax.scatter([d[0]], [y], s=46, facecolor="white", edgecolor=BLUE, lw=1.6, zorder=4)
                ax.scatter([d[-1]], [y], s=46, color=BLUE, zorder=4)
            ax.axvline(0, color=INK, lw=0.9)
            ax.set_yticks(range(len(rows)), [r["label"] for r in rows])
            ax.set_ylim(-0.6, len(rows) - 0.4)
            ax.set_xlim(-limit, limit)
            ax.grid(axis="x", color=GRID)
            ax.set_axisbelow(True)
            ax.tick_params(axis="y", length=0)
            ax.set_title(f"{panel['title']} (all points pooled: {panel['pooled'] * 100:.1f}%)")
            ax.tick_params(axis="x", labelbottom=True)  # every panel readable on its own
        axes[-1, 0].set_xlabel(
            "change in the outcome's probability against all points pooled (percentage points)"
        )
        fig.legend(
            [
                Line2D([], [], ls="none", marker="o", mfc="white", mec=BLUE, ms=7, mew=1.6),
                Line2D([], [], ls="none", marker="o", color=BLUE, ms=7),
                Line2D([], [], color=BLUE, lw=7, alpha=0.35),
            ],
            ["lowest swept value", "highest swept value", "range over the swept values"],
            loc="upper left",
            bbox_to_anchor=(0.12, 0.02),
            ncol=3,
        )
        return _png(fig)
