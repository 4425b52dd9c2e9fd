"""A batch's summary, computed from ``runs.parquet`` alone, and the files made from it.

The summary is computed by streaming the runs file in row batches (memory does not grow with
the number of runs): outcome counts with Wilson 95% intervals, placed against the analysis'
High/Medium/Low bands; trigger frequencies; peak rung and escalation-score distributions;
per-turn fan-chart quantiles of tension, rung and escalation score (from fixed-bin
histograms); and, for sweeps, each point's outcomes and a sensitivity table. Because it reads
only the joined file, it is the same whatever the workers, the backend or the interruptions.
``summary.json`` is the contract (README, batch outputs); ``summary.md`` and the plots are for
people.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.parquet as pq

from tripwire import __version__
from tripwire.catalog import load_catalog
from tripwire.files import write_text_atomic

if TYPE_CHECKING:
    from tripwire.batch.runner import Plan

Z95 = 1.959963984540054
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
HISTOGRAM_BINS = 1000
BATCH_ROWS = 4096
MAX_COMBINED = 12  # outcomes up to which summary.json counts every combination reached


COMBINATIONS_SHOWN = 32  # every combination of up to five outcomes


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (95% by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _r(x: float) -> float:
    return round(float(x), 4)


class _Histogram:
    """Per-turn histograms of one variable, for streaming quantiles."""

    def __init__(self, lo: float, hi: float, turns: int, integer: bool):
        self.integer = integer
        if integer:
            self.edges = np.arange(math.floor(lo) - 0.5, math.ceil(hi) + 1.5)
        else:
            self.edges = np.linspace(lo, hi, HISTOGRAM_BINS + 1)
        self.counts = np.zeros((turns, len(self.edges) - 1), dtype=np.int64)

    def add(self, values: np.ndarray) -> None:
        """Add rows of per-turn values (runs x turns)."""
        lo, hi = self.edges[0], self.edges[-1]
        clipped = np.clip(values, lo, np.nextafter(hi, lo))
        bins = np.searchsorted(self.edges, clipped, side="right") - 1
        for t in range(values.shape[1]):
            self.counts[t] += np.bincount(bins[:, t], minlength=self.counts.shape[1])

    def quantile(self, q: float) -> list[float]:
        """The q-quantile of every turn."""
        out = []
        for row in self.counts:
            total = row.sum()
            if total == 0:
                out.append(float("nan"))
                continue
            cum = np.cumsum(row)
            target = q * total
            k = int(np.searchsorted(cum, target, side="left"))
            k = min(k, len(row) - 1)
            if self.integer:
                out.append(float((self.edges[k] + self.edges[k + 1]) / 2))
                continue
            before = cum[k - 1] if k else 0
            inside = row[k] or 1
            frac = (target - before) / inside
            out.append(float(self.edges[k] + frac * (self.edges[k + 1] - self.edges[k])))
        return out


def _quantiles_of_counter(counter: Counter[int]) -> dict[str, float]:
    total = sum(counter.values())
    if total == 0:
        return {}
    values = sorted(counter)
    cum, out = 0, {}
    targets = {"p10": 0.1, "median": 0.5, "p90": 0.9}
    for v in values:
        cum += counter[v]
        for name, q in targets.items():
            if name not in out and cum >= q * total:
                out[name] = float(v)
    out["mean"] = _r(sum(v * c for v, c in counter.items()) / total)
    return out


def compute_summary(runs_path: Path, plan: Plan) -> dict[str, Any]:
    """The summary of a finished batch (see the module docstring)."""
    catalog = load_catalog()
    rules = plan.rules
    outcome_ids = list(rules.outcome_ids)
    trigger_ids = [t.id for t in rules.triggers]
    n_points = len(plan.points)
    turns = rules.turns + 1
    reached = np.zeros((n_points, len(outcome_ids)), dtype=np.int64)
    first_turn_sum = np.zeros((n_points, len(outcome_ids)), dtype=np.int64)
    runs_per_point = np.zeros(n_points, dtype=np.int64)
    trig_runs = np.zeros(len(trigger_ids), dtype=np.int64)
    trig_times = np.zeros(len(trigger_ids), dtype=np.int64)
    peaks: Counter[int] = Counter()
    scores: Counter[int] = Counter()
    combos = _Combinations(outcome_ids)
    ranges = {
        v: (float(rules.lo[rules.index[v]]), float(rules.hi[rules.index[v]])) for v in _fans()
    }
    hists = {v: _Histogram(*ranges[v], turns, integer=v != "world.tension") for v in _fans()}
    columns = [
        "point",
        "peak_rung",
        "total_escalation_score",
        *(f"reached.{o}" for o in outcome_ids),
        *(f"turn.{o}" for o in outcome_ids),
        *(f"trigger.{t}" for t in trigger_ids),
        *(f"fan.{v}" for v in _fans()),
    ]
    for batch in pq.ParquetFile(runs_path).iter_batches(batch_size=BATCH_ROWS, columns=columns):
        point = batch.column("point").to_numpy()
        runs_per_point += np.bincount(point, minlength=n_points)
        combos.add(batch)
        for k, oid in enumerate(outcome_ids):
            hit = batch.column(f"reached.{oid}").to_numpy(zero_copy_only=False)
            reached[:, k] += np.bincount(point, weights=hit, minlength=n_points).astype(np.int64)
            turn = batch.column(f"turn.{oid}").fill_null(0).to_numpy()
            first_turn_sum[:, k] += np.bincount(point, weights=turn, minlength=n_points).astype(
                np.int64
            )
        for k, tid in enumerate(trigger_ids):
            counts = batch.column(f"trigger.{tid}").to_numpy()
            trig_runs[k] += int((counts > 0).sum())
            trig_times[k] += int(counts.sum())
        peaks.update(batch.column("peak_rung").to_numpy().tolist())
        scores.update(batch.column("total_escalation_score").to_numpy().tolist())
        for v in _fans():
            flat = batch.column(f"fan.{v}").flatten().to_numpy()
            hists[v].add(flat.reshape(-1, turns).astype(np.float64))

    total = int(runs_per_point.sum())
    titles = dict(zip(rules.outcome_ids, rules.outcome_titles, strict=True))
    ratings = {o.id: o.rating for o in (*catalog.outcomes, *plan.scenario.outcomes)}

    def outcome_block(counts: np.ndarray, firsts: np.ndarray, n: int) -> dict[str, Any]:
        block = {}
        for k, oid in enumerate(outcome_ids):
            c = int(counts[k])
            lo, hi = wilson(c, n)
            entry: dict[str, Any] = {
                "title": titles[oid],
                "count": c,
                "probability": _r(c / n) if n else 0.0,
                "ci95": [_r(lo), _r(hi)],
                "mean_first_turn": _r(firsts[k] / c) if c else None,
            }
            rating = ratings.get(oid)
            if rating:
                band = catalog.bands[rating]
                entry.update(
                    rating=rating,
                    band=[band[0], band[1]],
                    in_band=band[0] <= c / max(n, 1) <= band[1],
                    ci_in_band=band[0] <= lo and hi <= band[1],
                )
            block[oid] = entry
        return block

    summary: dict[str, Any] = {
        "scenario": plan.scenario.id,
        "title": plan.scenario.title,
        "runs": total,
        "seed": plan.seed,
        "outcomes": outcome_block(reached.sum(axis=0), first_turn_sum.sum(axis=0), total),
        "tripwire": __version__,
        "scenario_sha256": plan.manifest()["scenario_sha256"],
        "catalog_sha256": rules.catalog_sha256,
        "turns": rules.turns,
        "sets": plan.sets,
        "sweeps": [[name, values] for name, values in plan.sweeps],
        "runs_per_point": plan.runs,
        "triggers": {
            tid: {
                "runs_fired": int(trig_runs[k]),
                "share_of_runs": _r(trig_runs[k] / total) if total else 0.0,
                "mean_times_per_run": _r(trig_times[k] / total) if total else 0.0,
            }
            for k, tid in enumerate(trigger_ids)
        },
        "peak_rung": _quantiles_of_counter(peaks),
        "total_escalation_score": _quantiles_of_counter(scores),
        "fans": {
            v: {
                "turn": list(range(turns)),
                **{_qname(q): [_r(x) for x in hists[v].quantile(q)] for q in QUANTILES},
            }
            for v in _fans()
        },
        "points": [
            {
                "values": point,
                "runs": int(runs_per_point[p]),
                "outcomes": outcome_block(reached[p], first_turn_sum[p], int(runs_per_point[p])),
            }
            for p, point in enumerate(plan.points)
        ],
    }
    summary["sensitivity"] = sensitivity(plan, reached, runs_per_point, outcome_ids)
    summary["combinations"] = combos.result(total)
    return summary


class _Combinations:
    """How many games reached each set of outcomes (bit k of a set's code: outcome k)."""

    def __init__(self, outcome_ids: list[str]):
        self.ids = outcome_ids
        self.counts = np.zeros(2 ** len(outcome_ids) if len(outcome_ids) <= MAX_COMBINED else 0)

    def add(self, batch: Any) -> None:
        if not len(self.counts):
            return
        code = np.zeros(batch.num_rows, dtype=np.int64)
        for k, oid in enumerate(self.ids):
            hit = batch.column(f"reached.{oid}").to_numpy(zero_copy_only=False)
            code |= hit.astype(np.int64) << k
        self.counts += np.bincount(code, minlength=len(self.counts))

    def result(self, total: int) -> list[dict[str, Any]]:
        """Every set reached, most frequent first."""
        counts = self.counts
        return [
            {
                "reached": [oid for k, oid in enumerate(self.ids) if code >> k & 1],
                "count": int(counts[code]),
                "probability": _r(counts[code] / total) if total else 0.0,
            }
            for code in sorted(np.flatnonzero(counts).tolist(), key=lambda c: (-counts[c], c))
        ]


def _fans() -> tuple[str, ...]:
    from tripwire.batch.worker import FAN_SERIES

    return FAN_SERIES


def _qname(q: float) -> str:
    return "median" if q == 0.5 else f"p{round(q * 100)}"


def sensitivity(
    plan: Plan, reached: np.ndarray, runs: np.ndarray, outcome_ids: list[str]
) -> list[dict[str, Any]]:
    """For each swept name and outcome: the outcome's probability at each value of the name
    (pooled over the other swept names) and its swing (max - min)."""
    rows = []
    for name, values in plan.sweeps:
        for k, oid in enumerate(outcome_ids):
            probs = []
            for value in values:
                idx = [p for p, point in enumerate(plan.points) if point[name] == value]
                n = int(runs[idx].sum())
                probs.append(_r(reached[idx, k].sum() / n) if n else 0.0)
            rows.append(
                {
                    "name": name,
                    "outcome": oid,
                    "values": list(values),
                    "probabilities": probs,
                    "swing": _r(max(probs) - min(probs)),
                }
            )
    rows.sort(key=lambda r: (r["outcome"], -r["swing"], r["name"]))
    return rows


def markdown(summary: dict[str, Any], plots: Iterable[Path]) -> str:
    """``summary.md``: the summary for people."""
    lines = [
        f"# Batch: {summary['title']}",
        "",
        f"{summary['runs']} games of `{summary['scenario']}` ({summary['turns']} turns each), "
        f"batch seed {summary['seed']}, Tripwire {summary['tripwire']}.",
    ]
    if summary["sets"]:
        lines.append(
            "Changes: " + ", ".join(f"`{k}={v:g}`" for k, v in summary["sets"].items()) + "."
        )
    if summary["sweeps"]:
        lines.append(
            "Sweep: "
            + "; ".join(
                f"`{n}` over {', '.join(f'{v:g}' for v in vals)}" for n, vals in summary["sweeps"]
            )
            + f" ({summary['runs_per_point']} games per point; outcomes below pool all points)."
        )
    lines += [
        "",
        "## Outcomes",
        "",
        "| Outcome | Games | Probability | 95% interval | Analysis | Band | In band |",
        "|---|---:|---:|---|---|---|---|",
    ]
    for o in summary["outcomes"].values():
        band = f"{o['band'][0]:.2f}-{o['band'][1]:.2f}" if "band" in o else ""
        verdict = ""
        if "band" in o:
            verdict = "yes" if o["ci_in_band"] else ("estimate only" if o["in_band"] else "no")
        interval = f"{o['ci95'][0]:.3f}-{o['ci95'][1]:.3f}"
        rating = o.get("rating") or ""
        lines.append(
            f"| {o['title']} | {o['count']} | {o['probability']:.3f} | {interval} | "
            f"{rating} | {band} | {verdict} |"
        )
    lines += [
        "",
        "The outcomes are not alternatives: a game can reach several, so the probabilities need "
        "not add up to 1 (the combinations follow). Intervals are Wilson 95% score intervals. "
        "Bands: the project's reading of the analysis' High / Medium / Low (high 0.55-0.95, "
        "medium 0.25-0.55, low 0.03-0.25). In band: *yes*, the whole interval is inside the "
        "band; *estimate only*, the probability is but its interval is not (more games would "
        "tell); *no*, the probability is outside.",
        "",
    ]
    if summary.get("combinations"):
        titles = {oid: o["title"] for oid, o in summary["outcomes"].items()}
        lines += [
            "### Which outcomes games reach together",
            "",
            "| Outcomes reached | Games | Share |",
            "|---|---:|---:|",
        ]
        shown = summary["combinations"][:COMBINATIONS_SHOWN]
        for combo in shown:
            names = " + ".join(titles[o] for o in combo["reached"]) or "none"
            lines.append(f"| {names} | {combo['count']} | {combo['probability']:.3f} |")
        rest = summary["combinations"][COMBINATIONS_SHOWN:]
        if rest:  # so that the table still adds up to every game
            games = sum(c["count"] for c in rest)
            lines.append(
                f"| {len(rest)} other combinations | {games} | {games / summary['runs']:.3f} |"
            )
        lines.append("")
    lines += [
        "## Escalation",
        "",
        _escalation_sentence(summary),
        "",
        "## Risk triggers",
        "",
        "| Trigger | Share of games | Times per game |",
        "|---|---:|---:|",
    ]
    for tid, t in sorted(summary["triggers"].items(), key=lambda kv: -kv[1]["share_of_runs"]):
        lines.append(f"| `{tid}` | {t['share_of_runs']:.3f} | {t['mean_times_per_run']:.2f} |")
    if summary["sensitivity"]:
        lines += [
            "",
            "## Sensitivity",
            "",
            "| Outcome | Swept | Probabilities | Swing |",
            "|---|---|---|---:|",
        ]
        for row in sorted(summary["sensitivity"], key=lambda r: -r["swing"]):  # largest first
            probs = ", ".join(
                f"{v:g}: {p:.3f}" for v, p in zip(row["values"], row["probabilities"], strict=True)
            )
            lines.append(f"| {row['outcome']} | `{row['name']}` | {probs} | {row['swing']:.3f} |")
    lines += ["", "## Plots", ""]
    lines += [f"![{p.stem}]({p.name})" for p in plots]
    lines += [
        "",
        "## Reproducing a game",
        "",
        "Each row of `runs.parquet` has its `seed`; "
        f"`tripwire run {summary['scenario']} --seed SEED"
        + "".join(f" --set {k}={v:g}" for k, v in summary["sets"].items())
        + "` replays that game with its full event log (add the row's sweep values as more "
        "`--set` options for a sweep).",
        "",
    ]
    return "\n".join(lines)


def _escalation_sentence(summary: dict[str, Any]) -> str:
    from tripwire.report.labels import rung_name

    peak, score = summary["peak_rung"], summary["total_escalation_score"]
    median = peak.get("median", 0)
    return (
        f"Peak rung on Herman Kahn's 44-rung escalation ladder: median {median:g} "
        f"({rung_name(median)}), 10-90%: {peak.get('p10', 0):g}-{peak.get('p90', 0):g}. "
        f"Total escalation score per game: median {score.get('median', 0):g} "
        f"(mean {score.get('mean', 0):g}); every move taken scores the points of its "
        "category in Rivera et al. (2024), from -2 (de-escalation) to 60 (nuclear use)."
    )


def write_outputs(folder: Path, plan: Plan, *, plots: bool = True) -> dict[str, Any]:
    """Write summary.json, the plots (unless ``plots`` is false) and summary.md of a finished
    batch; return the summary."""
    summary = compute_summary(folder / "runs.parquet", plan)
    write_text_atomic(
        folder / "summary.json", json.dumps(summary, indent=2, sort_keys=False) + "\n"
    )
    drawn: list[Path] = []
    if plots:
        from tripwire.report.plots import batch_plots

        drawn = batch_plots(summary, folder)
    write_text_atomic(folder / "summary.md", markdown(summary, drawn))
    return summary
