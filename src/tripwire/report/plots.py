"""Plots of batch results, as PNG files (matplotlib, headless).

Every figure states what it shows in its title, labels its axes with units, and draws the
analysis' High / Medium / Low bands where probabilities are shown. Files are written
atomically. Colours are chosen to stay distinct for colour-blind readers (Okabe-Ito).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import matplotlib

# never a window: plots are files; in a Jupyter kernel the notebook's own inline plots stay
if not os.environ.get("MPLBACKEND", "").startswith("module://matplotlib_inline"):
    matplotlib.use("Agg")

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
        rating = o.get("rating") if "band" in o else None  # judged against the bands
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
    judged = any("band" in o for o in outcomes)
    fig.text(
        0.01,
        -0.02,
        "Dots: estimate. Bars: Wilson 95% interval. "
        + (
            "Shading: the analysis' rating as a probability band."
            if judged
            else "Not judged against the analysis' bands (a custom or changed scenario)."
        ),
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
    points = [p for p in summary.get("points") or [] if "fans" in p]
    sweep = len(points) > 1
    games = "games, all points" if sweep else "games"
    ax.fill_between(
        turns,
        fan["p10"],
        fan["p90"],
        color=ACCENT,
        alpha=0.18,
        linewidth=0,
        label=f"10-90% of {games}",
        **steps,
    )
    ax.fill_between(
        turns,
        fan["p25"],
        fan["p75"],
        color=ACCENT,
        alpha=0.35,
        linewidth=0,
        label=f"25-75% of {games}",
        **steps,
    )
    # a sweep's pooled median mixes the points: each point's own median instead
    lines = [("median", fan["median"], ACCENT, "-")]
    if sweep:
        lines = [
            (
                f"median at {_point_label(point['values'])}",
                point["fans"][variable]["median"],
                PALETTE[k % len(PALETTE)],
                "-" if k == 0 else "--",
            )
            for k, point in enumerate(points[:MAX_CURVES])
        ]
    for label, values, colour, style in lines:
        ax.plot(
            turns,
            values,
            color=colour,
            linewidth=2.2 if not sweep else 1.6,
            linestyle=style,
            label=label,
            drawstyle="steps-mid" if steps else "default",
        )
    if steps:  # the rung is a whole number
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(turns[0], turns[-1])
    ax.set_xlabel("turn (months since the start; 0 = starting position)")
    ax.set_ylabel(unit)
    pooled = ", all points pooled" if len(summary.get("points") or []) > 1 else ""
    ax.set_title(f"{title}: {summary['title']}, {summary['runs']} games{pooled}", loc="left")
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


PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MAX_CURVES = 7  # points drawn per panel of a sweep's curves (one colour each)


def _point_label(values: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in values.items())


def _panels(n: int, width: float = 4.6, height: float = 3.4) -> tuple[Any, list[Any]]:
    cols = min(n, 2)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def outcome_points_chart(summary: dict[str, Any], path: Path) -> Path:
    """A sweep's outcome probabilities point by point, each with its Wilson 95% interval
    (one panel per outcome; the points are never pooled)."""
    points = summary["points"]
    names = [name for name, _ in summary["sweeps"]]
    fig, axes = _panels(len(summary["outcomes"]))
    one = len(names) == 1
    x = [p["values"][names[0]] for p in points] if one else list(range(len(points)))
    for ax, (oid, o) in zip(axes, summary["outcomes"].items(), strict=True):
        probs = [p["outcomes"][oid]["probability"] for p in points]
        lo = [p - p_["outcomes"][oid]["ci95"][0] for p, p_ in zip(probs, points, strict=True)]
        hi = [p_["outcomes"][oid]["ci95"][1] - p for p, p_ in zip(probs, points, strict=True)]
        ax.errorbar(x, probs, yerr=[lo, hi], fmt="o-", color=ACCENT, capsize=4, markersize=5)
        ax.set_ylim(0, 1)
        ax.set_title(o["title"], loc="left", fontsize=11)
        ax.grid(axis="y", color="#eeeeee")
        ax.set_ylabel("probability")
        if one:
            ax.set_xlabel(names[0])
        else:
            ax.set_xticks(x, [str(i) for i in x])
            ax.set_xlabel("sweep point (summary.json points[i])")
    fig.suptitle(
        f"{summary['title']}: outcome probability at each sweep point "
        f"({summary['runs_per_point']} games per point)",
        x=0.01,
        ha="left",
        fontsize=12,
    )
    fig.text(
        0.01,
        -0.01,
        "Dots: estimate at each point; bars: Wilson 95% interval. Points are not pooled; "
        "paired differences between them are in summary.md.",
        fontsize=9,
        color="#555555",
        ha="left",
    )
    fig.tight_layout()
    return _save(fig, path)


def incidence_chart(summary: dict[str, Any], path: Path) -> Path:
    """Cumulative incidence: per outcome, the share of games that had reached it by each
    turn, with its 95% band; for a sweep, one line per point (the first MAX_CURVES)."""
    points = summary["points"]
    shown = points[:MAX_CURVES]
    fig, axes = _panels(len(summary["outcomes"]))
    for ax, (oid, o) in zip(axes, summary["outcomes"].items(), strict=True):
        for k, point in enumerate(shown):
            curve = point["cumulative_incidence"][oid]
            colour = PALETTE[k % len(PALETTE)]
            lo = [c[0] for c in curve["ci95"]]
            hi = [c[1] for c in curve["ci95"]]
            label = _point_label(point["values"]) if len(points) > 1 else "all games"
            ax.fill_between(
                curve["turn"], lo, hi, color=colour, alpha=0.15, linewidth=0, step="post"
            )
            ax.step(curve["turn"], curve["probability"], where="post", color=colour, label=label)
        ax.set_ylim(0, 1)
        ax.set_xlim(0, summary["turns"])
        ax.set_title(o["title"], loc="left", fontsize=11)
        ax.set_xlabel("turn")
        ax.set_ylabel("reached by this turn")
        ax.grid(axis="y", color="#eeeeee")
    if len(points) > 1:
        axes[0].legend(fontsize=8, frameon=False, loc="upper left")
    more = f" (first {MAX_CURVES} of {len(points)} points)" if len(points) > MAX_CURVES else ""
    fig.suptitle(
        f"{summary['title']}: share of games that had reached each outcome by turn t{more}",
        x=0.01,
        ha="left",
        fontsize=12,
    )
    fig.text(
        0.01,
        -0.01,
        "Line: cumulative incidence; band: Wilson 95% interval at each turn. At the last turn "
        "it is the outcome's probability.",
        fontsize=9,
        color="#555555",
        ha="left",
    )
    fig.tight_layout()
    return _save(fig, path)


def batch_plots(summary: dict[str, Any], folder: Path) -> list[Path]:
    """All the plots of a batch summary, written into ``folder``: for a sweep, the outcomes
    point by point (``outcomes_by_point.png``), never pooled."""
    if len(summary.get("points") or []) > 1:
        paths = [outcome_points_chart(summary, folder / "outcomes_by_point.png")]
    else:
        paths = [outcome_chart(summary, folder / "outcomes.png")]
    paths.append(incidence_chart(summary, folder / "cumulative.png"))
    paths += [fan_chart(summary, v, folder / name) for v, name in FAN_FILES.items()]
    if summary["sensitivity"]:
        paths.append(tornado_chart(summary, folder / "tornado.png"))
    return paths
