"""The record and the analysis' trends as checks: base rates, the mix of DPRK tests, policy
reversals, trends, levels, variables pinned at a bound and triggers that never fire.

The targets are package data (``catalog/targets.yaml``), each with a range and a source.
They are measured on a batch of the calibrated scenario (``runs.parquet``: per game, how
often each action was taken and each trigger fired, and the final state) and, for policy
reversals, which need the order of moves, on logged games of the same seeds. Every check is
measured independently of the mechanism it tests: a reversal is counted from the moves
taken, not from the rule that discourages it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import yaml

from tripwire.sim.rules import Rules


@dataclass(frozen=True, slots=True)
class Verdict:
    """One measured target."""

    kind: str  # rate, mix, reversal, trend, level, stuck, dead
    name: str
    expected: str
    measured: str
    passed: bool
    source: str
    miss: float = 0.0  # how far outside the range, in units of its width (0 inside)


def miss(value: float, lo: float, hi: float) -> float:
    """How far ``value`` lies outside [lo, hi], in units of the range's width (0 inside)."""
    width = max(hi - lo, abs(hi) * 0.1, 1e-9)
    return max(0.0, lo - value, value - hi) / width


@functools.cache
def load_targets() -> dict[str, Any]:
    """The targets of ``catalog/targets.yaml``."""
    text = resources.files("tripwire.catalog").joinpath("targets.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _actions(frame: Any, ids: Sequence[str]) -> np.ndarray:
    cols = [f"action.{a}" for a in ids if f"action.{a}" in frame]
    if not cols:
        return np.zeros(len(frame))
    return frame[cols].to_numpy(dtype=float).sum(axis=1)


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def rate_verdicts(frame: Any, rules: Rules, room: float = 0.0) -> list[Verdict]:
    """Base rates of the record against the games of a batch. ``room`` (a share of each
    range's width) moves every bound but 0 inward for the ``miss`` distance only, so that a
    fit aims inside the ranges rather than at their edges; ``passed`` keeps the true range."""
    years = rules.turns / 12
    out = []
    for t in load_targets()["rates"]:
        if "trigger" in t:
            col = f"trigger.{t['trigger']}"
            values = frame[col].to_numpy(dtype=float) if col in frame else np.zeros(len(frame))
        else:
            values = _actions(frame, t["actions"])
        if t.get("per_year"):
            values = values / years
        stat = t.get("statistic", "median")
        if stat == "median":
            measured = float(np.median(values))
        elif stat == "mean":
            measured = float(np.mean(values))
        elif stat == "share":
            measured = float(np.mean(values > 0))
        else:  # spread
            p10, p90 = np.percentile(values, [10, 90])
            measured = float(p90 - p10)
        lo, hi = t["range"]
        inward = room * (hi - lo)
        aim = (lo + inward if lo else lo, hi - inward if hi else hi)
        out.append(
            Verdict(
                "rate",
                t["label"],
                f"{stat} in [{lo:g}, {hi:g}]",
                _fmt(measured),
                lo <= measured <= hi,
                t["source"],
                miss(measured, *aim),
            )
        )
    for t in load_targets()["mix"]:
        counts = {a: float(_actions(frame, [a]).sum()) for a in t["of"]}
        top = max(counts, key=lambda a: counts[a])
        shown = ", ".join(f"{a} {counts[a] / len(frame) / years:.2g}/yr" for a in counts)
        out.append(
            Verdict(
                "mix",
                t["label"],
                f"{t['most']} the most common",
                shown,
                top == t["most"] and counts[top] > 0,
                t["source"],
                max(0.0, counts[top] - counts[t["most"]]) / max(counts[top], 1.0),
            )
        )
    return out


def reversal_verdicts(logs: Sequence[Sequence[dict[str, Any]]]) -> list[Verdict]:
    """Policy reversals counted from the moves of logged games."""
    out = []
    for t in load_targets()["reversals"]:
        pairs = [tuple(p) for p in t["pairs"]]
        window = int(t.get("window", 10**6))
        per_game = []
        for log in logs:
            per_game.append(_reversals(log, pairs, t.get("actor"), window, t.get("same_turn")))
        measured = float(np.mean(per_game)) if per_game else 0.0
        lo, hi = t["range"]
        out.append(
            Verdict(
                "reversal",
                t["label"],
                f"mean per game in [{lo:g}, {hi:g}]",
                _fmt(measured),
                lo <= measured <= hi,
                t["source"],
            )
        )
    return out


def _reversals(
    log: Sequence[dict[str, Any]],
    pairs: Sequence[tuple[str, str]],
    actor: str | None,
    window: int,
    same_turn: bool | None,
) -> int:
    """How often an actor took one action of a pair after (or in the same turn as) the
    other: switches between the two, within ``window`` turns."""
    taken: dict[tuple[str, str], list[int]] = {}
    for rec in log:
        if rec.get("type") != "event" or rec.get("kind") != "action":
            continue
        if rec.get("cancelled") or rec.get("vetoed") or rec.get("action") == "hold":
            continue
        if actor is not None and rec["actor"] != actor:
            continue
        taken.setdefault((rec["actor"], rec["action"]), []).append(int(rec["turn"]))
    count = 0
    for who in {a for a, _ in taken}:
        for first, second in pairs:
            a = taken.get((who, first), [])
            b = taken.get((who, second), [])
            if same_turn:
                count += len(set(a) & set(b))
                continue
            moves = sorted([(t, 0) for t in a] + [(t, 1) for t in b])
            for (t0, k0), (t1, k1) in itertools.pairwise(moves):
                if k0 != k1 and t1 - t0 <= window:
                    count += 1
    return count


def trend_verdicts(frame: Any, rules: Rules) -> list[Verdict]:
    """Trends the analysis asserts (mean end of game against the start) and levels."""
    out = []
    for t in load_targets()["trends"]:
        col = f"final.{t['var']}"
        start = float(rules.initial[rules.index[t["var"]]])
        end = float(frame[col].mean()) if col in frame else start
        change, margin = end - start, float(t["margin"])
        ok = {
            "up": change >= margin,
            "down": change <= -margin,
            "not_up": change <= margin,
            "not_down": change >= -margin,
        }[t["direction"]]
        words = {
            "up": "rises by",
            "down": "falls by",
            "not_up": "does not rise by more than",
            "not_down": "does not fall by more than",
        }[t["direction"]]
        out.append(
            Verdict(
                "trend",
                t["var"],
                f"{words} {margin:g}",
                f"{start:.3g} -> {end:.3g}",
                ok,
                t["source"],
                0.0 if ok else _trend_miss(t["direction"], change, margin),
            )
        )
    for t in load_targets()["levels"]:
        col = f"final.{t['var']}"
        value = float(frame[col].median())
        lo, hi = t["range"]
        out.append(
            Verdict(
                "level",
                f"{t['var']} at the end",
                f"median in [{lo:g}, {hi:g}]",
                _fmt(value),
                lo <= value <= hi,
                t["source"],
                miss(value, lo, hi),
            )
        )
    return out


def _trend_miss(direction: str, change: float, margin: float) -> float:
    """How far a trend falls short, in units of its margin."""
    short = {
        "up": margin - change,
        "down": change + margin,
        "not_up": change - margin,
        "not_down": -margin - change,
    }[direction]
    return max(0.0, short) / max(abs(margin), 1e-9)


def stuck_verdict(frame: Any, rules: Rules, share: float = 0.9) -> Verdict:
    """Variables pinned at a bound they did not start at in most games (saturated or
    drained): a sign of a mechanism that runs away."""
    stuck = []
    for i in rules.snapshot_index.tolist():
        name = rules.var_names[i]
        col = f"final.{name}"
        lo, hi, start = float(rules.lo[i]), float(rules.hi[i]), float(rules.initial[i])
        if col not in frame or lo == hi:
            continue
        values = frame[col].to_numpy(dtype=float)
        for bound in (lo, hi):
            if start != bound and np.mean(values == bound) >= share:
                stuck.append(f"{name} at {bound:g}")
    return Verdict(
        "stuck",
        "variables pinned at a bound",
        f"none in {share:.0%} of games",
        ", ".join(stuck) or "none",
        not stuck,
        "model check (a runaway mechanism)",
    )


def dead_verdict(trigger_totals: dict[str, int], where: str) -> Verdict:
    """Risk triggers that never fired in any of the games played."""
    dead = sorted(t for t, n in trigger_totals.items() if n == 0)
    return Verdict(
        "dead",
        "risk triggers that never fire",
        f"every trigger fires in {where}",
        ", ".join(dead) or "none",
        not dead,
        "II Strategic Risks; IV Chinese concerns",
    )
