"""The report of a sensitivity analysis: plots, and a section rendered as Markdown and HTML.

:func:`render` is handed to :func:`tripwire.batch.sensitivity.run_sensitivity`, which calls it
on the folder being written (before the folder is put in place): it draws one PNG per
response (Sobol' S1 and ST bars with their confidence whiskers; Morris mu* against sigma; a
Latin hypercube's RBD-FAST bars) and writes ``sensitivity.md`` and ``sensitivity.html``, the
section :func:`section` builds, with the design, the ranking of every response, and the
boxes of scenario discovery. Every number comes from ``indices.json`` and ``points.parquet``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never a window: plots are files

import matplotlib.pyplot as plt

from tripwire import __version__
from tripwire.files import write_bytes_atomic
from tripwire.report.html import (
    Bullets,
    Document,
    Facts,
    Figure,
    Note,
    Para,
    Section,
    Sub,
    Table,
    b,
    code,
    write_document,
)

ACCENT = "#0072B2"  # Okabe-Ito blue
SECOND = "#E69F00"  # Okabe-Ito orange
INK = "#222222"
MUTED = "#555555"
METHOD_NAMES = {
    "sobol": "Sobol' indices (Saltelli sampling)",
    "morris": "Morris elementary effects",
    "lhs": "Latin hypercube with RBD-FAST first-order indices",
}
# how many responses get a plot and a ranking table (the rest are in indices.json)
SHOWN = 12


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    finally:
        plt.close(fig)
    return buffer.getvalue()


def _label(response: str, summary: Mapping[str, Any]) -> str:
    if response.startswith("p."):
        return f"P({response[2:]})"
    return f"mean final {response.removeprefix('mean.')}"


def _file(response: str) -> str:
    return "sensitivity_" + re.sub(r"[^A-Za-z0-9_]+", "_", response).strip("_") + ".png"


def _order(entry: Mapping[str, Any], key: str) -> list[str]:
    params = entry["params"]
    return sorted(params, key=lambda n: (-(params[n][key] or 0.0), n))


def sobol_chart(response: str, entry: Mapping[str, Any], summary: Mapping[str, Any]) -> bytes:
    """First-order (S1) and total (ST) indices of one response, with their intervals."""
    names = _order(entry, "ST")
    params = entry["params"]
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.45 * len(names)))
    ys = list(range(len(names)))[::-1]
    for offset, key, colour, label in (
        (0.18, "S1", ACCENT, "first order S1"),
        (-0.18, "ST", SECOND, "total order ST"),
    ):
        values = [params[n][key] or 0.0 for n in names]
        confs = [params[n][f"{key}_conf"] or 0.0 for n in names]
        ax.barh([y + offset for y in ys], values, height=0.34, color=colour, label=label)
        ax.errorbar(
            values,
            [y + offset for y in ys],
            xerr=confs,
            fmt="none",
            ecolor=INK,
            capsize=3,
            linewidth=1,
        )
    ax.set_yticks(ys, names)
    ax.axvline(0, color=MUTED, linewidth=0.8)
    ax.set_xlabel("share of the response's variance (whiskers: 95% bootstrap interval)")
    ax.set_title(f"{_label(response, summary)}: Sobol' indices", loc="left")
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def morris_chart(response: str, entry: Mapping[str, Any], summary: Mapping[str, Any]) -> bytes:
    """mu* against sigma of one response (horizontal whiskers: mu*'s interval)."""
    params = entry["params"]
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for name in _order(entry, "mu_star"):
        p = params[name]
        mu, sigma, conf = p["mu_star"] or 0.0, p["sigma"] or 0.0, p["mu_star_conf"] or 0.0
        ax.errorbar(mu, sigma, xerr=conf, fmt="o", color=ACCENT, ecolor=MUTED, capsize=3)
        ax.annotate(name, (mu, sigma), textcoords="offset points", xytext=(6, 4), fontsize=9)
    values = [params[n] for n in params]
    right = max([(v["mu_star"] or 0.0) + (v["mu_star_conf"] or 0.0) for v in values] + [0.0])
    top = max([v["sigma"] or 0.0 for v in values] + [0.0])
    ax.set_xlim(-0.03 * (right or 1.0), 1.25 * (right or 1.0))  # room for the names
    ax.set_ylim(-0.05 * (top or 1.0), 1.15 * (top or 1.0))
    ax.set_xlabel("mu*: mean absolute elementary effect (whiskers: 95% interval)")
    ax.set_ylabel("sigma: spread of the effects (interactions, non-linearity)")
    ax.set_title(f"{_label(response, summary)}: Morris screening", loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def rbd_chart(response: str, entry: Mapping[str, Any], summary: Mapping[str, Any]) -> bytes:
    """First-order indices (RBD-FAST) of one response from a Latin hypercube."""
    names = _order(entry, "S1")
    params = entry["params"]
    fig, ax = plt.subplots(figsize=(8.5, 1.0 + 0.4 * len(names)))
    ys = list(range(len(names)))[::-1]
    values = [params[n]["S1"] or 0.0 for n in names]
    confs = [params[n]["S1_conf"] or 0.0 for n in names]
    ax.barh(ys, values, height=0.5, color=ACCENT, label="first order S1 (RBD-FAST)")
    ax.errorbar(values, ys, xerr=confs, fmt="none", ecolor=INK, capsize=3, linewidth=1)
    ax.set_yticks(ys, names)
    ax.axvline(0, color=MUTED, linewidth=0.8)
    ax.set_xlabel("share of the response's variance (whiskers: 95% bootstrap interval)")
    ax.set_title(f"{_label(response, summary)}: Latin hypercube, RBD-FAST", loc="left")
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


CHARTS = {"sobol": sobol_chart, "morris": morris_chart, "lhs": rbd_chart}
KEYS = {
    "sobol": (("ST", "ST_conf"), ("S1", "S1_conf")),
    "morris": (("mu_star", "mu_star_conf"), ("sigma", None)),
    "lhs": (("S1", "S1_conf"), (None, None)),
}


def charts(summary: Mapping[str, Any]) -> dict[str, bytes]:
    """One PNG per analysed response (the first ``SHOWN``), keyed by file name."""
    draw = CHARTS[summary["method"]]
    out: dict[str, bytes] = {}
    for response, entry in list(summary["indices"].items())[:SHOWN]:
        if "params" in entry:
            out[_file(response)] = draw(response, entry, summary)
    return out


_CAPTIONS = {
    "sobol": "Bars: S1 and ST; whiskers: their 95% bootstrap intervals",
    "morris": "Each parameter at (mu*, sigma); whiskers: mu*'s 95% interval",
    "lhs": "Bars: RBD-FAST S1; whiskers: its 95% bootstrap interval",
}


def _num(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _range(low: float, high: float) -> str:
    return f"{low:.4g} to {high:.4g}"


def section(
    summary: Mapping[str, Any], points: Any, images: Mapping[str, bytes] | None = None
) -> Section:
    """The sensitivity section: design, one ranking per response, discovery boxes."""
    method = summary["method"]
    images = images if images is not None else charts(summary)
    s = Section("sensitivity", "Global sensitivity")
    s.add(
        Facts(
            [
                ("Method", METHOD_NAMES[method]),
                (
                    "Design",
                    f"{summary['points']:,} points ({summary['samples']} "
                    f"{'trajectories' if method == 'morris' else 'samples'}), "
                    f"{summary['runs']} games each: {summary['games']:,} games",
                ),
                (
                    "Common random numbers",
                    f"game i plays the same seed at every point (batch seed {summary['seed']})",
                ),
                ("Scenario", [code(str(summary["scenario"])), f", {summary['turns']} turns"]),
            ]
        ),
        Table(
            ["parameter", "range"],
            [[code(p["name"]), _range(p["low"], p["high"])] for p in summary["params"]],
            caption="parameters and ranges",
        ),
        Para(
            "Each design point is the scenario with the point's values set (as "
            "tripwire batch --set would), played by the batch engine; the response is each "
            "outcome's share of the point's games. "
            + {
                "sobol": "S1 is the share of a response's variance a parameter explains "
                "alone, ST with all its interactions; intervals are SALib's bootstrap 95% "
                "intervals. A parameter whose ST interval reaches 0 may not matter at all.",
                "morris": "mu* is the mean absolute elementary effect of a parameter: the "
                "change of the response per unit of the parameter's range scaled to 0-1 "
                "(SALib's convention; a probability moving by 0.1 over a third of the range "
                "is 0.3), with its bootstrap 95% interval; sigma is the spread of those "
                "effects (interactions or non-linearity).",
                "lhs": "S1 is the share of a response's variance a parameter explains alone "
                "(RBD-FAST on the Latin hypercube), with SALib's bootstrap 95% interval.",
            }[method]
        ),
    )
    if summary["runs"] < 100:
        s.add(
            Note(
                f"{summary['runs']} games per point: each point's probability carries a "
                "sampling error of up to "
                f"±{0.98 / summary['runs'] ** 0.5:.2f}, which the indices count as variance."
            )
        )
    if method == "sobol" and summary["samples"] < 128:
        s.add(
            Note(
                f"N = {summary['samples']} base samples: the estimates are rough (an S1 below 0 "
                "or an ST above 1 is the estimator's noise); read the intervals, and use N = "
                "256 or more for figures to publish."
            )
        )
    (main, main_conf), (other, other_conf) = KEYS[method]
    for response, entry in list(summary["indices"].items())[:SHOWN]:
        s.add(Sub(_label(response, summary)))
        if "params" not in entry:
            s.add(Para(f"The same at every point ({entry['constant']:.4g}): nothing to share out."))
            continue
        rows = []
        for name in _order(entry, main):
            p = entry["params"][name]
            row = [code(name), _num(p[main]), _num(p[main_conf])]
            row += [_num(p[other])] if other else []
            row += [_num(p[other_conf])] if other_conf else []
            rows.append(row)
        headers = ["parameter", main, "± (95%)"]
        headers += [other] if other else []
        headers += ["± (95%)"] if other_conf else []
        s.add(
            Table(headers, rows, numeric=range(1, len(headers)), caption=f"indices of {response}")
        )
        png = images.get(_file(response))
        if png is not None:
            s.add(Figure(png, f"indices of {response}", f"{_CAPTIONS[method]} ({_file(response)})"))
    hidden = len(summary["indices"]) - SHOWN
    if hidden > 0:
        s.add(Para(f"{hidden} more responses are in indices.json and indices.parquet."))
    for found in summary.get("discovery", []):
        s.add(Sub(f"Scenario discovery: {found['outcome']}"))
        s.add(
            Para(
                [
                    "Boxes of parameter ranges where the outcome is more likely than over the "
                    f"whole design ({found['reached']:,} of {found['games']:,} games, "
                    f"{found['rate']:.3f}): the leaves of a decision tree (depth "
                    f"{found['depth']}, each leaf at least {found['min_mass']:.0%} of the games) "
                    "fitted to ",
                    b("each game's result"),
                    ". Coverage: share of the games reaching the outcome that fall in the box; "
                    "density: share of the box's games that reach it; mass: share of all games.",
                ]
            )
        )
        if not found["boxes"]:
            s.add(Para("No box is denser than the design as a whole."))
            continue
        rows = []
        for box in found["boxes"]:
            ranges = "; ".join(f"{n}: {_range(*r)}" for n, r in box["ranges"].items())
            rows.append(
                [
                    ranges or "(whole design)",
                    _num(box["density"]),
                    _num(box["coverage"]),
                    _num(box["mass"]),
                    f"{box['games']:,}",
                ]
            )
        s.add(
            Table(
                ["box", "density", "coverage", "mass", "games"],
                rows,
                numeric=(1, 2, 3, 4),
                caption=f"boxes for {found['outcome']}",
            )
        )
    s.add(
        Bullets(
            [
                "points.parquet: one row per design point (the values played, games reaching "
                "each outcome, probabilities, means)",
                "indices.json / indices.parquet: every index with its 95% interval",
            ]
        )
    )
    return s


def document(summary: Mapping[str, Any], points: Any, images: Mapping[str, bytes]) -> Document:
    return Document(
        title=f"{summary['title']}: sensitivity analysis",
        kicker="Tripwire · sensitivity",
        subtitle=[
            f"{METHOD_NAMES[summary['method']]} over {len(summary['params'])} parameters of ",
            code(str(summary["scenario"])),
            ".",
        ],
        sections=[section(summary, points, images)],
        footer=[
            f"Made by Tripwire {__version__}. Every number comes from indices.json and "
            "points.parquet in this folder."
        ],
    )


def render(folder: Path, summary: Mapping[str, Any], points: Any) -> None:
    """Write the plots, ``sensitivity.html`` and ``sensitivity.md`` into ``folder``."""
    images = charts(summary)
    for name, png in images.items():
        write_bytes_atomic(folder / name, png)
    write_document(document(summary, points, images), folder / "sensitivity.html")


def is_analysis(folder: Path) -> bool:
    """Whether ``folder`` holds a sensitivity analysis (its ``indices.json`` says so)."""
    import json

    try:
        data = json.loads((Path(folder) / "indices.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kind") == "tripwire-sensitivity"


def write_sensitivity_report(folder: Path, out: Path) -> tuple[Path, Path]:
    """``tripwire report SENSITIVITY_DIR``: the analysis' report at ``out`` (HTML) and its
    Markdown twin, drawn again from ``indices.json``.

    Raises:
        InputError: an ``indices.json`` that is not what Tripwire writes (located), an output
            that cannot be written.
    """
    import json

    from tripwire.errors import Diagnostic, InputError, Location
    from tripwire.files import read_text
    from tripwire.report.html import output_paths

    output_paths(Path(out))  # a bad --out is reported before any work
    path = Path(folder) / "indices.json"
    text = read_text(path, str(path), max_bytes=64 * 1024 * 1024)
    try:
        summary = json.loads(text)
        images = charts(summary)
        doc = document(summary, None, images)
    except json.JSONDecodeError as err:
        where = Location(str(path), err.lineno, err.colno)
        raise InputError([Diagnostic(where, f"not valid JSON: {err.msg}")]) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        message = f"not the indices.json Tripwire writes ({type(err).__name__}: {err})"
        raise InputError([Diagnostic(Location(str(path)), message)]) from None
    return write_document(doc, Path(out))
