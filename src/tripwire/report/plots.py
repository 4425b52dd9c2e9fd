"""Plots of batch results, as PNG files (matplotlib, headless).

Every figure states what it shows in its title, labels its axes with units, and draws the
analysis' High / Medium / Low bands where probabilities are shown. Files are written
atomically. Colours are chosen to stay distinct for colour-blind readers (Okabe-Ito).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never a window: plots are files

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from tripwire.files import write_bytes_atomic

BANDS = {"low": (0.03, 0.25), "medium": (0.25, 0.55), "high": (0.55, 0.95)}
BAND_COLOURS = {"low": "#d9e8f5", "medium": "#fde9c9", "high": "#f6d5d5"}
INK = "#222222"
ACCENT = "#0072B2"
FAN_LABELS = {
    "world.tension": ("Tension", "tension index (0-100)"),
    "world.escalation_rung": ("Escalation rung", "Kahn ladder rung (1-44)"),
    "world.escalation_score": ("Escalation score per turn", "Rivera et al. points per turn"),
}
FAN_FILES = {
    "world.tension": "fan_tension.png",
    "world.escalation_rung": "fan_rung.png",
    "world.escalation_score": "fan_escalation.png",
}

plt.rcParams.update(
    {
        "font.size": 11,
        "axes.titlesize": 13,
        "axes.labelsize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 110,
    }
)


def _save(fig: Any, path: Path) -> Path:
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)
    write_bytes_atomic(path, buffer.getvalue())
    return path


def outcome_chart(summary: dict[str, Any], path: Path) -> Path:
    """Each outcome's probability with its 95% interval, over the analysis' band for it."""
    outcomes = list(summary["outcomes"].values())
    fig, ax = plt.subplots(figsize=(9, 1.4 + 1.0 * len(outcomes)))
    for y, o in enumerate(reversed(outcomes)):
        rating = o.get("rating")
        if rating:
            lo, hi = BANDS[rating]
            ax.barh(y, hi - lo, left=lo, height=0.5, color=BAND_COLOURS[rating], zorder=1)
            ax.text(
                lo + 0.005,
                y + 0.33,
                f"analysis: {rating} ({lo:.2f}-{hi:.2f})",
                ha="left",
                va="bottom",
                fontsize=9,
                color="#555555",
                zorder=2,
            )
        p, (c_lo, c_hi) = o["probability"], o["ci95"]
        ax.errorbar(
            p,
            y,
            xerr=[[p - c_lo], [c_hi - p]],
            fmt="o",
            color=ACCENT,
            ecolor=ACCENT,
            capsize=5,
            markersize=7,
            zorder=3,
        )
        right = c_hi + 0.015 < 0.78
        ax.text(
            c_hi + 0.015 if right else c_lo - 0.015,
            y,
            f"{p:.3f} [{c_lo:.3f}-{c_hi:.3f}]",
            ha="left" if right else "right",
            va="center",
            fontsize=10,
            color=INK,
            zorder=3,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
    ax.set_yticks(range(len(outcomes)), [o["title"] for o in reversed(outcomes)])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(outcomes) - 0.2)
    for edge in (0.03, 0.25, 0.55, 0.95):
        ax.axvline(edge, color="#bbbbbb", linewidth=0.8, linestyle=":", zorder=0)
    ax.set_xlabel("probability the outcome is reached within the game (share of games)")
    ax.set_title(
        f"{summary['title']}: outcome probabilities over {summary['runs']} games", loc="left"
    )
    fig.text(
        0.01,
        -0.02,
        "Dots: estimate. Bars: Wilson 95% interval. "
        "Shading: the analysis' rating as a probability band.",
        fontsize=9,
        color="#555555",
        ha="left",
    )
    return _save(fig, path)


def fan_chart(summary: dict[str, Any], variable: str, path: Path) -> Path:
    """Median and 10-90% / 25-75% bands of a variable, turn by turn, over all games."""
    fan = summary["fans"][variable]
    title, unit = FAN_LABELS[variable]
    turns = fan["turn"]
    steps: dict[str, str] = {"step": "mid"} if variable == "world.escalation_rung" else {}
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.fill_between(
        turns,
        fan["p10"],
        fan["p90"],
        color=ACCENT,
        alpha=0.18,
        linewidth=0,
        label="10-90% of games",
        **steps,
    )
    ax.fill_between(
        turns,
        fan["p25"],
        fan["p75"],
        color=ACCENT,
        alpha=0.35,
        linewidth=0,
        label="25-75% of games",
        **steps,
    )
    ax.plot(
        turns,
        fan["median"],
        color=ACCENT,
        linewidth=2.2,
        label="median",
        drawstyle="steps-mid" if steps else "default",
    )
    if steps:  # the rung is a whole number
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(turns[0], turns[-1])
    ax.set_xlabel("turn (months since the start; 0 = starting position)")
    ax.set_ylabel(unit)
    ax.set_title(f"{title}: {summary['title']}, {summary['runs']} games", loc="left")
    # below the axes: inside, it would cover the bands wherever they reach the top
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncol=3, frameon=False, fontsize=9)
    ax.grid(axis="y", color="#eeeeee")
    return _save(fig, path)


def tornado_chart(summary: dict[str, Any], path: Path) -> Path:
    """How far each outcome's probability moves across each swept parameter's values: the
    batch report's tornado plot, as a file."""
    from tripwire.report.charts import sensitivity_panels
    from tripwire.report.charts import tornado_chart as draw

    write_bytes_atomic(path, draw(sensitivity_panels(summary)))
    return path


def batch_plots(summary: dict[str, Any], folder: Path) -> list[Path]:
    """All the plots of a batch summary, written into ``folder``."""
    paths = [outcome_chart(summary, folder / "outcomes.png")]
    paths += [fan_chart(summary, v, folder / name) for v, name in FAN_FILES.items()]
    if summary["sensitivity"]:
        paths.append(tornado_chart(summary, folder / "tornado.png"))
    return paths
