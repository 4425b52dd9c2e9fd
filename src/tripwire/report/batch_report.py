"""The report of a batch: ``tripwire report BATCH_DIR --out FILE.html``.

It reads a finished batch folder (``summary.json``, and ``runs.parquet`` for the escalation
distributions) and writes a self-contained HTML report and its Markdown twin: a summary, the
outcome probabilities with their 95% intervals against the analysis' High / Medium / Low
bands, fan charts of rung, escalation score and tension, the risk triggers' firing
frequencies, and, when the batch was a sweep, the sensitivity table, the tornado plot and
every point's outcomes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from tripwire import __version__
from tripwire.report import charts
from tripwire.report.batchdata import Batch, load_batch
from tripwire.report.html import (
    BR,
    Document,
    Facts,
    Figure,
    Inline,
    Para,
    Section,
    Span,
    Sub,
    Table,
    b,
    code,
    output_paths,
    png_size,
    tone,
    write_document,
)
from tripwire.report.labels import percent, trigger_texts


def write_batch_report(batch: Path, out: Path) -> tuple[Path, Path]:
    """Write the report of a finished batch: ``out`` (HTML) and its Markdown twin.

    Args:
        batch: the batch's output folder (``tripwire batch ... --out DIR``).
        out: the HTML file to write; the Markdown twin goes next to it (``.md``).

    Returns:
        The HTML and Markdown paths.

    Raises:
        InputError: a folder that is not a finished batch, a damaged summary or runs file, an
            output that cannot be written.
    """
    output_paths(Path(out))  # a bad --out is reported before any work
    data = load_batch(Path(batch))
    if (Path(batch) / "runs.parquet").is_file():
        data = load_batch(Path(batch), runs=True)
    s = data.summary
    sections = [
        _summary(data),
        _points(data) if data.is_sweep else _outcomes(data),
        _incidence(data),
        _escalation(data),
        _triggers(data),
    ]
    if s.get("sensitivity"):
        sections.append(_sensitivity(data))
    sections.append(_about(data))
    doc = Document(
        title=f"{s['title']}: batch report",
        kicker="Tripwire · batch report",
        subtitle=[
            f"{s['runs']} games of ",
            code(str(s["scenario"])),
            f", {s['turns']} turns each, batch seed {s.get('seed', '?')}.",
        ],
        sections=sections,
        footer=[
            f"Made by Tripwire {__version__} from the batch folder ",
            code(str(batch)),
            ". Every number comes from its summary.json and runs.parquet.",
        ],
    )
    return write_document(doc, Path(out))


def _verdict(o: dict[str, Any], *, short: bool = False) -> Span:
    """How an outcome's estimate and interval sit against the analysis' band."""
    if "band" not in o:
        if o.get("rating"):
            return tone("not judged (custom or changed scenario)", "muted")
        return tone("no analysis rating", "muted")
    lo, hi = o["band"]
    if o.get("ci_in_band"):
        text = "✓ inside the band" if short else "✓ consistent: the whole interval is inside"
        return tone(text, "good")
    if o.get("in_band"):
        text = (
            "~ at the band's edge" if short else "~ estimate inside; the interval crosses an edge"
        )
        return tone(text, "warn")
    side = "above" if o["probability"] > hi else "below"
    return tone(f"✗ {side} the band ({lo:.2f}–{hi:.2f})", "bad")


def _outcome_line(o: dict[str, Any]) -> list[str | Span]:
    lo, hi = o["ci95"]
    text = f"{o['title']}: {percent(o['probability'])} ({percent(lo)}–{percent(hi)})"
    rating = f", analysis {o['rating']}" if o.get("rating") else ""
    return [text + rating + " — ", _verdict(o, short=True)]


def _summary(data: Batch) -> Section:
    s = data.summary
    games = f"{s['runs']} games of {s['turns']} turns, batch seed {s.get('seed', '?')}"
    if data.is_sweep:
        games += (
            f" ({len(s['points'])} sweep points × {s.get('runs_per_point', '?')} games, the "
            "same seeds at every point; escalation and triggers pool all points)"
        )
    rows: list[tuple[str, Inline]] = [
        ("Scenario", [s["title"], " (", code(str(s["scenario"])), ")"]),
        ("Games", games),
    ]
    if s.get("sets"):
        rows.append(("Changes", [code(f"{k}={v:g}") for k, v in s["sets"].items()]))
    if s.get("sweeps"):
        sweep: list[str | Span] = []
        for k, (name, values) in enumerate(s["sweeps"]):
            sweep += ["; " if k else "", code(name), " over " + ", ".join(f"{v:g}" for v in values)]
        rows.append(("Sweep", sweep))
    outcomes: list[str | Span] = []
    if data.is_sweep:
        outcomes = ["each point's probabilities are in ", b("Outcomes at each point"), BR]
        differences = s.get("differences") or []
        if differences:
            top = max(differences, key=lambda d: (abs(d["difference"]), -d["point"]))
            lo, hi = top["ci95"]
            title = s["outcomes"].get(top["outcome"], {}).get("title", top["outcome"])
            outcomes += [
                f"largest paired difference from the reference point: {title} "
                f"{top['difference'] * 100:+.1f} points at {_values(top['values'])} "
                f"(95% interval {lo * 100:+.1f} to {hi * 100:+.1f})"
            ]
    else:
        for k, o in enumerate(s["outcomes"].values()):
            outcomes += [BR, *_outcome_line(o)] if k else _outcome_line(o)
    rows.append(("Outcomes", outcomes))
    rows.append(("Escalation", _escalation_sentence(s)))
    fired = sorted(s["triggers"].items(), key=lambda kv: -kv[1]["share_of_runs"])[:3]
    if fired and fired[0][1]["share_of_runs"] > 0:
        common: list[str | Span] = ["most often "]
        for k, (tid, t) in enumerate(x for x in fired if x[1]["share_of_runs"] > 0):
            common += [", " if k else "", code(tid), f" ({percent(t['share_of_runs'])} of games)"]
        rows.append(("Risk triggers", common))
    if data.is_sweep and s.get("sensitivity"):
        top = max(s["sensitivity"], key=lambda r: r["swing"])
        title = s["outcomes"].get(top["outcome"], {}).get("title", top["outcome"])
        rows.append(
            (
                "Most sensitive",
                [
                    code(top["name"]),
                    f" moves {title} by {top['swing'] * 100:.1f} percentage points across "
                    + ", ".join(f"{v:g}" for v in top["values"]),
                ],
            )
        )
    return Section("summary", "Summary").add(Facts(rows))


def _escalation_sentence(s: dict[str, Any]) -> str:
    peak, score = s.get("peak_rung") or {}, s.get("total_escalation_score") or {}
    return (
        f"peak Kahn rung median {peak.get('median', 0):g} (10–90% of games: "
        f"{peak.get('p10', 0):g}–{peak.get('p90', 0):g}); total escalation score per game "
        f"median {score.get('median', 0):g} points (10–90%: {score.get('p10', 0):g}–"
        f"{score.get('p90', 0):g})"
    )


def _values(values: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in values.items())


def _chart(draw: Any, summary: dict[str, Any]) -> bytes:
    """A chart of :mod:`tripwire.report.plots`, drawn through a temporary file."""
    with tempfile.TemporaryDirectory(prefix="tripwire-report-") as tmp:
        return draw(summary, Path(tmp) / "chart.png").read_bytes()


def _points(data: Batch) -> Section:
    """A sweep's outcomes point by point and each point's paired difference from point 0."""
    from tripwire.report.plots import outcome_points_chart

    s = data.summary
    png = _chart(outcome_points_chart, s)
    section = Section("outcomes", "Outcomes at each point")
    section.add(
        Para(
            "The probability of each outcome at each sweep point, with its Wilson 95% interval "
            f"({s.get('runs_per_point', '?')} games per point). The points play different "
            "scenarios, so they are never pooled into one probability or judged together "
            "against the analysis' bands."
        ),
        Figure(
            png,
            "Outcome probability at each sweep point with 95% intervals",
            [b("Outcomes at each point. "), "Dots: estimate; bars: Wilson 95% interval."],
            _native(png),
        ),
        _points_table(s),
    )
    differences = s.get("differences") or []
    if differences:
        titles = {oid: o["title"] for oid, o in s["outcomes"].items()}
        section.add(
            Sub("Differences from the reference point"),
            Para(
                "Each point's probability minus that of the reference point "
                f"({_values(s['points'][0]['values'])}). Run i of every point plays the same "
                "seed, so the games are compared pair by pair: the interval is Newcombe's "
                "(1998) hybrid score interval for paired proportions. The unpaired interval is "
                "what independent batches of the same size would give; the pairing is why "
                "the paired one is narrower."
            ),
            Table(
                ["Outcome", "Point", "Difference", "95% interval (paired)", "Unpaired"],
                [
                    [
                        titles.get(d["outcome"], d["outcome"]),
                        code(_values(d["values"])),
                        f"{d['difference'] * 100:+.1f} pts",
                        f"{d['ci95'][0] * 100:+.1f} to {d['ci95'][1] * 100:+.1f}",
                        Span(
                            f"{d['unpaired_ci95'][0] * 100:+.1f} to "
                            f"{d['unpaired_ci95'][1] * 100:+.1f}",
                            "muted",
                        ),
                    ]
                    for d in differences
                ],
                numeric=(2, 3, 4),
                caption="Paired differences from the reference point (percentage points)",
            ),
        )
    return section


def _incidence(data: Batch) -> Section:
    """Cumulative incidence: the share of games that had reached each outcome by turn t."""
    from tripwire.report.plots import incidence_chart

    s = data.summary
    section = Section("time", "Time to each outcome")
    if not all("cumulative_incidence" in p for p in s.get("points") or [{}]):
        return section.add(Para("This batch was written before Tripwire kept these curves."))
    png = _chart(incidence_chart, s)
    section.add(
        Para(
            "The share of games that had reached each outcome by each turn (cumulative "
            "incidence), with its Wilson 95% interval at each turn; at the last turn it is the "
            "outcome's probability." + (" One line per sweep point." if data.is_sweep else "")
        ),
        Figure(
            png,
            "Cumulative incidence of each outcome by turn",
            [b("Time to each outcome. "), "Line: share reached by the turn; band: 95% interval."],
            _native(png),
        ),
    )
    return section


def _outcome_png(summary: dict[str, Any]) -> bytes:
    """The batch's outcome chart, drawn by :mod:`tripwire.report.plots`."""
    from tripwire.report.plots import outcome_chart

    with tempfile.TemporaryDirectory(prefix="tripwire-report-") as tmp:
        return outcome_chart(summary, Path(tmp) / "outcomes.png").read_bytes()


def _native(png: bytes) -> int:
    """Display width of a plots.py chart (drawn at 110 dpi with larger type than ours)."""
    return round(png_size(png)[0] * 0.9)


def _outcomes(data: Batch) -> Section:
    s = data.summary
    rows: list[list[Inline]] = []
    for o in s["outcomes"].values():
        lo, hi = o["ci95"]
        band = f"{o['rating']} ({o['band'][0]:.2f}–{o['band'][1]:.2f})" if "band" in o else "–"
        first = o.get("mean_first_turn")
        rows.append(
            [
                b(o["title"]),
                str(o["count"]),
                f"{o['probability']:.3f}",
                f"{lo:.3f}–{hi:.3f}",
                band,
                _verdict(o),
                f"{first:.1f}" if first is not None else "–",
            ]
        )
    png = _outcome_png(s)
    section = Section("outcomes", "Outcome probabilities")
    section.add(
        Para(
            f"The share of the {s['runs']} games in which each outcome was reached at some turn, "
            "with its Wilson 95% interval, against the band the analysis' rating stands for "
            "(high 0.55–0.95, medium 0.25–0.55, low 0.03–0.25). The outcomes are not "
            "alternatives: a game can reach several, so the probabilities need not add up to 1."
            + (
                ""
                if s["scenario"] == "baseline"
                else " The analysis rates the outcomes from the status quo; a scenario that "
                "sets up a crisis is expected to move its own outcome out of its band."
            )
        ),
        Figure(
            png,
            "Outcome probabilities with 95% intervals over the analysis' bands",
            [
                b("Outcome probabilities. "),
                "Dots: estimate; bars: 95% interval; shading: the analysis' band.",
            ],
            _native(png),
        ),
        Table(
            [
                "Outcome",
                "Games",
                "Probability",
                "95% interval",
                "Analysis band",
                "Against the band",
                "Mean first turn",
            ],
            rows,
            numeric=(1, 2, 3, 6),
            caption="Outcome probabilities",
        ),
    )
    titles = {oid: o["title"] for oid, o in s["outcomes"].items()}
    combos = s.get("combinations") or []  # batches made before 0.1 have none
    if combos:
        section.add(
            Table(
                ["Outcomes reached in the same game", "Games", "Share"],
                [
                    [
                        " + ".join(titles.get(o, o) for o in c["reached"]) or "none",
                        str(c["count"]),
                        f"{c['probability']:.3f}",
                    ]
                    for c in combos[:10]
                ],
                numeric=(1, 2),
                caption="Which outcomes games reach together (the ten most frequent sets)",
            )
        )
    return section


def _escalation(data: Batch) -> Section:
    s = data.summary
    section = Section("escalation", "Escalation over time")
    section.add(
        Para(
            "Fan charts: at each turn, the median game and the spread of the middle 50% and 80% "
            "of games, for the escalation rung, the turn's escalation score and tension"
            + (
                " (all sweep points pooled; each point's own quantiles are in summary.json, "
                "points[i].fans, and its median in the batch folder's fan_*.png). "
                if data.is_sweep
                else ". "
            )
            + _escalation_sentence(s)[:1].upper()
            + _escalation_sentence(s)[1:]
            + "."
        ),
        Figure(
            charts.curves_chart(bands=s["fans"], band_label="games"),
            "Fan charts of escalation rung, escalation score and tension per turn",
            [
                b("Fan charts. "),
                "Line: median game; dark band: 25–75% of games; light band: 10–90%.",
            ],
        ),
    )
    runs = data.runs or {}
    if "peak_rung" in runs and "total_escalation_score" in runs:
        section.add(
            Figure(
                charts.placement_chart(
                    runs["peak_rung"].astype(float), runs["total_escalation_score"].astype(float)
                ),
                "Distributions of peak rung and total escalation score",
                [b("Peak rung and total escalation score. "), "Share of games."],
            )
        )
    return section


def _triggers(data: Batch) -> Section:
    s = data.summary
    texts = trigger_texts(str(s.get("scenario") or ""))
    ordered = sorted(s["triggers"].items(), key=lambda kv: (-kv[1]["share_of_runs"], kv[0]))
    fired = [(tid, t) for tid, t in ordered if t["share_of_runs"] > 0]
    section = Section("triggers", "Risk triggers")
    section.add(
        Para(
            "How often each risk trigger fired: the share of games in which it fired at least "
            "once, and how many times it fired per game on average (some can fire again after "
            "a cooldown)."
        )
    )
    if fired:
        section.add(
            Figure(
                charts.trigger_chart([(tid, t["share_of_runs"]) for tid, t in fired]),
                "Share of games in which each risk trigger fired",
                [b("Trigger firing frequencies. "), "Triggers that never fired are left out."],
            )
        )
    section.add(
        Table(
            ["Trigger", "What it means", "Share of games", "Times per game"],
            [
                [
                    code(tid),
                    texts.get(tid, ""),
                    percent(t["share_of_runs"], 1)
                    if t["share_of_runs"] > 0
                    else tone("never fired", "muted"),
                    f"{t['mean_times_per_run']:.2f}",
                ]
                for tid, t in ordered
            ],
            numeric=(2, 3),
            caption="Risk triggers",
        )
    )
    return section


def _sensitivity(data: Batch) -> Section:
    s = data.summary
    titles = {oid: o["title"] for oid, o in s["outcomes"].items()}
    rows = s["sensitivity"]
    section = Section("sensitivity", "Sensitivity")
    section.add(
        Para(
            "For each swept parameter and outcome: the outcome's probability at each swept value "
            "(pooled over the other swept parameters) and its swing, the largest minus the "
            "smallest. Games at different points share their dice (common random numbers), so "
            "differences are sharper than independent batches would give."
        ),
        Figure(
            charts.tornado_chart(charts.sensitivity_panels(s)),
            "Tornado plot: change of each outcome's probability across each swept parameter",
            [
                b("Tornado plot. "),
                "Each bar spans the outcome's probability over the parameter's swept values, "
                "against all points pooled; open dot: lowest value, filled dot: highest.",
            ],
        ),
        Table(
            ["Outcome", "Swept parameter", "Probability at each value", "Swing"],
            [
                [
                    titles.get(r["outcome"], r["outcome"]),
                    code(r["name"]),
                    ", ".join(
                        f"{v:g}: {percent(p, 1)}"
                        for v, p in zip(r["values"], r["probabilities"], strict=True)
                    ),
                    f"{r['swing'] * 100:.1f} pts",
                ]
                for r in sorted(rows, key=lambda r: (-r["swing"], r["outcome"], r["name"]))
            ],
            numeric=(3,),
            caption="Sensitivity",
        ),
    )
    return section


def _points_table(s: dict[str, Any]) -> Table:
    outcomes = list(s["outcomes"])
    names = [name for name, _ in s.get("sweeps") or []]
    rows: list[list[Inline]] = []
    for point in s["points"]:
        cells: list[Inline] = [f"{point['values'].get(n, float('nan')):g}" for n in names]
        cells.append(str(point["runs"]))
        for oid in outcomes:
            o = point["outcomes"].get(oid)
            if o is None:
                cells.append("–")
                continue
            lo, hi = o["ci95"]
            cells.append(
                [percent(o["probability"]), BR, Span(f"{percent(lo)}–{percent(hi)}", "muted")]
            )
        rows.append(cells)
    # a zero-width space after each dot lets long parameter names wrap in the header
    headers = [
        *(n.replace(".", ".\u200b") for n in names),
        "Games",
        *(s["outcomes"][o]["title"] for o in outcomes),
    ]
    return Table(
        headers,
        rows,
        numeric=range(len(headers)),
        caption="Every sweep point's outcome probabilities (95% intervals)",
    )


def _about(data: Batch) -> Section:
    s = data.summary
    sets = "".join(f" --set {k}={v:g}" for k, v in (s.get("sets") or {}).items())
    return Section("about", "About this report").add(
        Para(
            [
                "Each row of ",
                code("runs.parquet"),
                " holds one game and its seed; ",
                code(f"tripwire run {s['scenario']} --seed SEED --turns {s['turns']}{sets}"),
                " replays it with its full event log"
                + (" (add the row's sweep values as --set options)." if s.get("sweeps") else "."),
            ]
        ),
        Table(
            ["Item", "Value"],
            [
                ["Batch folder", code(str(data.folder))],
                ["Written by", f"Tripwire {s.get('tripwire', '?')}"],
                ["Scenario digest (SHA-256)", code(str(s.get("scenario_sha256", "?")))],
                ["Catalog digest (SHA-256)", code(str(s.get("catalog_sha256", "?")))],
                [
                    "Intervals",
                    "Wilson 95% score intervals; paired differences: Newcombe (1998) hybrid "
                    "score interval for paired proportions"
                    if data.is_sweep
                    else "Wilson 95% score intervals",
                ],
            ],
            caption="Provenance",
        ),
    )
