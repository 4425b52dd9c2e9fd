"""A batch's summary, computed from ``runs.parquet`` alone, and the files made from it.

The summary is computed by streaming the runs file in row batches (memory does not grow with
the number of runs): outcome counts with Wilson 95% intervals, placed against the analysis'
High/Medium/Low bands; trigger frequencies; peak rung and escalation-score distributions;
per-turn fan-chart quantiles of tension, rung and escalation score (from fixed-bin
histograms); and, for sweeps, each point's outcomes and a sensitivity table. Because it reads
only the joined file, it is the same whatever the workers, the backend or the interruptions.
``summary.json`` is the contract (README, batch outputs); ``summary.md`` and the plots are for
people and are made from it by the report layer (:mod:`tripwire.report.batch_outputs`).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.parquet as pq

from tripwire import __version__
from tripwire.batch.stats import (
    clustered_wilson,
    paired_difference,
    unpaired_difference,
    wilson,
)
from tripwire.catalog import load_catalog
from tripwire.files import write_text_atomic

if TYPE_CHECKING:
    from tripwire.batch.runner import Plan

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
BATCH_ROWS = 4096
MAX_COMBINED = 12  # outcomes up to which summary.json counts every combination reached


def _r(x: float) -> float:
    return round(float(x), 4)


class _Fan:
    """Every game's value of one variable at every turn, kept for exact quantiles.

    Exact (numpy's inverted-CDF quantile: each quantile is a value some game had; turn 0 is
    the starting value itself) at a cost of 4 bytes per game and turn: 100,000 games of 24
    turns hold 10 MB per variable.
    """

    def __init__(self, turns: int):
        self.turns = turns
        self.parts: list[np.ndarray] = []

    def add(self, values: np.ndarray) -> None:
        """Add rows of per-turn values (runs x turns)."""
        self.parts.append(values.astype(np.float32))

    @staticmethod
    def pooled(fans: list[_Fan]) -> _Fan:
        """All the games of several fans (a sweep's points), in point order."""
        out = _Fan(fans[0].turns)
        out.parts = [part for fan in fans for part in fan.parts]
        return out

    def quantiles(self) -> dict[str, list[float]]:
        """Each quantile of QUANTILES at every turn."""
        if not self.parts:
            return {_qname(q): [float("nan")] * self.turns for q in QUANTILES}
        values = np.concatenate(self.parts).astype(np.float64)
        table = np.quantile(values, QUANTILES, axis=0, method="inverted_cdf")
        return {_qname(q): [_r(x) for x in table[i]] for i, q in enumerate(QUANTILES)}


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
    rules = plan.rules
    outcome_ids = list(rules.outcome_ids)
    trigger_ids = [t.id for t in rules.triggers]
    n_points, n_out = len(plan.points), len(outcome_ids)
    turns = rules.turns + 1
    reached = np.zeros((n_points, n_out), dtype=np.int64)
    first_turn_sum = np.zeros((n_points, n_out), dtype=np.int64)
    # games whose outcome was first reached at each turn (cumulative incidence)
    by_turn = np.zeros((n_points, n_out, turns), dtype=np.int64)
    runs_per_point = np.zeros(n_points, dtype=np.int64)
    # per run index (= per seed): how many points reached the outcome, and point 0's games
    per_seed = np.zeros((n_out, plan.runs), dtype=np.int64)
    reference = np.zeros((n_out, plan.runs), dtype=bool)
    pairs = np.zeros((n_points, n_out, 2, 2), dtype=np.int64)  # [reference hit][point hit]
    trig_runs = np.zeros(len(trigger_ids), dtype=np.int64)
    trig_times = np.zeros(len(trigger_ids), dtype=np.int64)
    peaks: Counter[int] = Counter()
    scores: Counter[int] = Counter()
    combos = _Combinations(outcome_ids)
    fans = {v: [_Fan(turns) for _ in range(n_points)] for v in _fans()}  # per point
    columns = [
        "run",
        "point",
        "peak_rung",
        "total_escalation_score",
        *(f"reached.{o}" for o in outcome_ids),
        *(f"turn.{o}" for o in outcome_ids),
        *(f"trigger.{t}" for t in trigger_ids),
        *(f"fan.{v}" for v in _fans()),
    ]
    # the file is in (point, run) order: point 0's rows come first, so every later row
    # finds its seed's reference game already read
    for batch in pq.ParquetFile(runs_path).iter_batches(batch_size=BATCH_ROWS, columns=columns):
        point = batch.column("point").to_numpy()
        run = batch.column("run").to_numpy()
        runs_per_point += np.bincount(point, minlength=n_points)
        combos.add(batch)
        for k, oid in enumerate(outcome_ids):
            hit = batch.column(f"reached.{oid}").to_numpy(zero_copy_only=False).astype(bool)
            reached[:, k] += np.bincount(point, weights=hit, minlength=n_points).astype(np.int64)
            turn = batch.column(f"turn.{oid}").fill_null(0).to_numpy().astype(np.int64)
            first_turn_sum[:, k] += np.bincount(point, weights=turn, minlength=n_points).astype(
                np.int64
            )
            np.add.at(by_turn[:, k, :], (point[hit], turn[hit]), 1)
            np.add.at(per_seed[k], run, hit)
            reference[k, run[point == 0]] = hit[point == 0]
            ref = reference[k, run]
            np.add.at(pairs[:, k], (point, ref.astype(np.int64), hit.astype(np.int64)), 1)
        for k, tid in enumerate(trigger_ids):
            counts = batch.column(f"trigger.{tid}").to_numpy()
            trig_runs[k] += int((counts > 0).sum())
            trig_times[k] += int(counts.sum())
        peaks.update(batch.column("peak_rung").to_numpy().tolist())
        scores.update(batch.column("total_escalation_score").to_numpy().tolist())
        for v in _fans():
            flat = batch.column(f"fan.{v}").flatten().to_numpy()
            values = flat.reshape(-1, turns)
            for p in np.unique(point).tolist():
                fans[v][p].add(values[point == p])

    total = int(runs_per_point.sum())
    sweep = n_points > 1
    blocks = _Blocks(plan, outcome_ids)
    pooled = blocks.pooled(reached.sum(axis=0), first_turn_sum.sum(axis=0), total, per_seed)
    summary: dict[str, Any] = {
        "scenario": plan.scenario.id,
        "title": plan.scenario.title,
        "runs": total,
        "seed": plan.seed,
        "outcomes": pooled,
        "tripwire": __version__,
        "scenario_sha256": plan.manifest()["scenario_sha256"],
        "catalog_sha256": rules.catalog_sha256,
        "turns": rules.turns,
        "sets": plan.sets,
        "sweeps": [[name, values] for name, values in plan.sweeps],
        "runs_per_point": plan.runs,
        "bands": plan.bands,
        "intervals": INTERVALS,
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
            v: {"turn": list(range(turns)), **_Fan.pooled(fans[v]).quantiles()} for v in _fans()
        },
        "points": [
            {
                "values": point,
                "runs": int(runs_per_point[p]),
                "outcomes": blocks.outcomes(
                    reached[p], first_turn_sum[p], int(runs_per_point[p]), judge=True
                ),
                "cumulative_incidence": _incidence(by_turn[p], outcome_ids, runs_per_point[p]),
                **(
                    {
                        "fans": {
                            v: {"turn": list(range(turns)), **fans[v][p].quantiles()}
                            for v in _fans()
                        }
                    }
                    if sweep
                    else {}
                ),
            }
            for p, point in enumerate(plan.points)
        ],
    }
    summary |= (
        {} if sweep else {"cumulative_incidence": summary["points"][0]["cumulative_incidence"]}
    )
    summary["differences"] = _differences(plan, pairs, outcome_ids)
    summary["sensitivity"] = sensitivity(plan, reached, runs_per_point, outcome_ids)
    summary["combinations"] = combos.result(total)
    return summary


# How summary.json's intervals are computed (also written into it).
INTERVALS = {
    "outcomes": "Wilson 95% score interval; for a sweep, the pooled outcomes' interval has its "
    "sample size divided by Kish's design effect, because the points' games share seeds "
    "(run i of every point plays the same seed: a cluster)",
    "points": "Wilson 95% score interval (a point's games have distinct seeds)",
    "differences": "point minus the reference point (point 0), games paired by seed; "
    "Newcombe (1998) hybrid score interval for paired proportions (method 10); "
    "'unpaired_ci95' is the same interval with the pairing ignored",
    "cumulative_incidence": "share of games that reached the outcome by each turn, with a "
    "Wilson 95% score interval at each turn",
    "fans": "exact quantiles over games at each turn (inverted CDF)",
}


class _Blocks:
    """Outcome blocks of a summary: count, probability, interval and, when the batch is
    judged against the analysis' bands, the band and the verdict."""

    def __init__(self, plan: Plan, outcome_ids: list[str]):
        catalog = load_catalog()
        rules = plan.rules
        self.plan = plan
        self.ids = outcome_ids
        self.titles = dict(zip(rules.outcome_ids, rules.outcome_titles, strict=True))
        self.ratings = {o.id: o.rating for o in (*catalog.outcomes, *plan.scenario.outcomes)}
        self.bands = catalog.bands
        self.judged = plan.bands

    def outcomes(
        self, counts: np.ndarray, firsts: np.ndarray, n: int, *, judge: bool
    ) -> dict[str, Any]:
        block = {}
        for k, oid in enumerate(self.ids):
            c = int(counts[k])
            lo, hi = wilson(c, n)
            entry: dict[str, Any] = {
                "title": self.titles[oid],
                "count": c,
                "probability": _r(c / n) if n else 0.0,
                "ci95": [_r(lo), _r(hi)],
                "mean_first_turn": _r(firsts[k] / c) if c else None,
            }
            rating = self.ratings.get(oid)
            if rating:
                entry["rating"] = rating
            if rating and judge and self.judged:
                band = self.bands[rating]
                entry.update(
                    band=[band[0], band[1]],
                    in_band=band[0] <= c / max(n, 1) <= band[1],
                    ci_in_band=band[0] <= lo and hi <= band[1],
                )
            block[oid] = entry
        return block

    def pooled(
        self, counts: np.ndarray, firsts: np.ndarray, n: int, per_seed: np.ndarray
    ) -> dict[str, Any]:
        """The block of all games; for a sweep, never judged, and with intervals widened
        for the rows that share a seed (they are a cluster)."""
        points = len(self.plan.points)
        block = self.outcomes(counts, firsts, n, judge=points == 1)
        if points > 1:
            for k, oid in enumerate(self.ids):
                (lo, hi), deff = clustered_wilson(per_seed[k], points)
                block[oid].update(ci95=[_r(lo), _r(hi)], design_effect=_r(deff))
        return block


def _incidence(by_turn: np.ndarray, outcome_ids: list[str], n: int) -> dict[str, Any]:
    """Per outcome, the share of games that had reached it by each turn, with intervals."""
    out = {}
    for k, oid in enumerate(outcome_ids):
        cum = np.cumsum(by_turn[k])
        intervals = [wilson(int(c), int(n)) for c in cum]
        out[oid] = {
            "turn": list(range(len(cum))),
            "count": [int(c) for c in cum],
            "probability": [_r(c / n) if n else 0.0 for c in cum],
            "ci95": [[_r(lo), _r(hi)] for lo, hi in intervals],
        }
    return out


def _differences(plan: Plan, pairs: np.ndarray, outcome_ids: list[str]) -> list[dict[str, Any]]:
    """Each point's probability minus the reference point's (point 0), games paired by seed."""
    rows = []
    for p in range(1, len(plan.points)):
        for k, oid in enumerate(outcome_ids):
            (neither, only_point), (only_ref, both) = pairs[p, k].tolist()
            d, (lo, hi) = paired_difference(both, only_point, only_ref, neither)
            _, (ulo, uhi) = unpaired_difference(both, only_point, only_ref, neither)
            rows.append(
                {
                    "outcome": oid,
                    "point": p,
                    "values": plan.points[p],
                    "reference": 0,
                    "reference_values": plan.points[0],
                    "difference": _r(d),
                    "ci95": [_r(lo), _r(hi)],
                    "unpaired_ci95": [_r(ulo), _r(uhi)],
                    "pairs": {
                        "both": both,
                        "point_only": only_point,
                        "reference_only": only_ref,
                        "neither": neither,
                    },
                }
            )
    return rows


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


def write_summary(folder: Path, plan: Plan) -> dict[str, Any]:
    """Compute the summary of a finished batch, write ``summary.json`` and return it.

    The batch layer stops here: ``summary.md`` and the plots are made from the returned
    summary by the report layer (:mod:`tripwire.report.batch_outputs`).
    """
    summary = compute_summary(folder / "runs.parquet", plan)
    write_text_atomic(
        folder / "summary.json", json.dumps(summary, indent=2, sort_keys=False) + "\n"
    )
    return summary
