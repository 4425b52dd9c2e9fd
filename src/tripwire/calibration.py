"""Calibration: does the model reproduce the analysis, for the right reasons?

Three kinds of check, each a line with a verdict:

* **Bands** (section VI): over a batch of the scenario (2,000 games by default), each outcome's
  probability and its Wilson 95% interval must lie inside the band of the analysis' rating
  (project scheme: high 0.55-0.95, medium 0.25-0.55, low 0.03-0.25).
* **Causes**: counterfactual versions of the scenario that change one cause (no Russian
  technology transfers; strong coordinated enforcement with China; a lower Russian war
  urgency; ...) must move the outcome the way the analysis says, by a stated margin; and
  each bundled crisis scenario must make its own outcome clearly more likely.
* **History**: DPRK missile launch days per year must sit in the range observed 2012-2025
  (CNS data); the per-turn escalation score is reported next to Rivera et al.'s published
  figures for comparison (not judged: their agents are language models, not this model).

The checks are data (:data:`CAUSAL_CHECKS`), shared by ``tripwire calibrate`` and the tests.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tripwire.batch.runner import BatchResult, run_batch
from tripwire.catalog import load_catalog, read_reference
from tripwire.scenario.loader import load_scenario

MISSILE_TESTS = ("icbm_test", "irbm_test", "srbm_salvo", "satellite_launch")
MUNITIONS_TRADE = ("buy_dprk_munitions", "buy_dprk_missiles", "ship_munitions")
RIVERA = (
    "Rivera et al. (2024), whole-simulation means summed over 8 nations: GPT-4 neutral "
    "scenario 38.8 on day 1 and 46.0 on day 14; GPT-3.5 81.2 and 208.2"
)


@dataclass(frozen=True, slots=True)
class Line:
    """One checked line of a calibration report."""

    kind: str  # "band", "cause", "scenario", "history"
    name: str
    expected: str
    measured: str
    passed: bool | None  # None: reported, not judged
    source: str = ""


@dataclass(frozen=True, slots=True)
class CausalCheck:
    """A counterfactual: the scenario with one cause changed, and what must follow.

    Attributes:
        name: what changes, in words.
        changes: scenario keys to add (YAML text, merged over ``extends: <scenario>``).
        metric: what is measured on each game's row of runs.parquet.
        label: the metric in words.
        direction: "down" or "up": which way the metric must move.
        factor: the counterfactual's mean must be at most (down) / at least (up) this
            factor times the scenario's, and differ by at least ``margin``.
        margin: the smallest absolute difference that counts.
        source: the passage of the analysis the expectation comes from.
    """

    name: str
    changes: str
    metric: Callable[[Any], Any]
    label: str
    direction: str
    factor: float
    margin: float
    source: str


def _reached(outcome: str) -> Callable[[Any], Any]:
    return lambda frame: frame[f"reached.{outcome}"].astype(float)


def _actions(ids: Sequence[str]) -> Callable[[Any], Any]:
    return lambda frame: frame[[f"action.{a}" for a in ids if f"action.{a}" in frame]].sum(axis=1)


CAUSAL_CHECKS: tuple[CausalCheck, ...] = (
    CausalCheck(
        name="No Russian technology transfers",
        changes="disable:\n  actions: [transfer_satellite_tech, transfer_missile_tech, "
        "share_nuclear_know_how, joint_uav_program]\n",
        metric=_reached("enhanced_tech_alliance"),
        label="P(Enhanced Tech Alliance)",
        direction="down",
        factor=0.25,
        margin=0.2,
        source="VI 'Russia supplies satellite/imaging, boosting DPRK's ICBM'",
    ),
    CausalCheck(
        name="No Russian technology transfers",
        changes="disable:\n  actions: [transfer_satellite_tech, transfer_missile_tech, "
        "share_nuclear_know_how, joint_uav_program]\n",
        metric=lambda frame: frame["final.PRK.icbm"],
        label="final DPRK ICBM maturity",
        direction="down",
        factor=0.95,
        margin=3.0,
        source="II.1 'Russian tech support could accelerate DPRK's ICBM'",
    ),
    CausalCheck(
        name="Strong, coordinated enforcement with China",
        changes="state:\n  world.sanctions_enforcement: 0.75\n"
        "  world.enforcement_coordination: 85\n"
        "  CHN.border_enforcement: 85\n  world.unsc_paralysis: 30\n",
        metric=_reached("sanctions_collapse"),
        label="P(Sanctions Collapse)",
        direction="down",
        factor=0.3,
        margin=0.2,
        source="V.1, V.3 (their converse): dilution and poor coordination undo enforcement",
    ),
    CausalCheck(
        name="Lower Russian war urgency",
        changes="state:\n  RUS.war_urgency: 30\n  param.war_urgency_target: 30\n"
        "  RUS.munitions_need: 30\n",
        metric=_actions(MUNITIONS_TRADE),
        label="munitions trades per game",
        direction="down",
        factor=0.85,
        margin=1.0,
        source="I.1 'reliant on DPRK artillery shells'; V.5 'War-induced urgency'",
    ),
    CausalCheck(
        name="Security Council not paralysed",
        changes="state:\n  world.unsc_paralysis: 10\n",
        metric=_reached("sanctions_collapse"),
        label="P(Sanctions Collapse)",
        direction="down",
        factor=0.95,
        margin=0.04,
        source="V.1 'Both countries block stricter UN Security Council resolutions'",
    ),
    CausalCheck(
        name="No crisis over Taiwan or in Ukraine",
        changes="state:\n  world.taiwan_strait: 0\n"
        "disable:\n  injects: [taiwan_strait_flareup, ukraine_escalation]\n",
        metric=_reached("missile_crisis_2"),
        label="P(Missile Crisis 2.0)",
        direction="down",
        factor=0.5,
        margin=0.1,
        source="VI 'DPRK tests weapons during Taiwan crisis or Ukraine escalation'",
    ),
    CausalCheck(
        name="China cannot mediate",
        changes="disable:\n  actions: [mediate, convene_talks]\n",
        metric=_reached("china_mediation_backfires"),
        label="P(China Mediation Backfires)",
        direction="down",
        factor=0.25,
        margin=0.02,
        source="VI 'Beijing tries to moderate, but ends up alienating both partners'",
    ),
)

CRISIS_SCENARIOS = (
    "enhanced_tech_alliance",
    "missile_crisis_2",
    "sanctions_collapse",
    "china_mediation_backfires",
)


@dataclass(slots=True)
class Calibration:
    """A calibration run's lines and figures."""

    scenario: str
    runs: int
    seed: int
    lines: list[Line] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(line.passed is not False for line in self.lines)


def _batch(scenario: Any, runs: int, seed: int, jobs: int, folder: Path) -> BatchResult:
    return run_batch(scenario, runs, seed=seed, jobs=jobs, out=folder, plots=False)


def counterfactual(base: str, check: CausalCheck, folder: Path) -> Any:
    """The scenario ``base`` with the check's changes, as a validated Scenario."""
    target = str(Path(base).resolve()) if Path(base).is_file() else base
    text = (
        f"schema_version: 1\nid: counterfactual\ntitle: 'Counterfactual: {check.name}'\n"
        f"description: {base} with one cause changed.\nextends: '{target}'\n" + check.changes
    )
    path = folder / "counterfactual.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def clearly_more_likely(before: float, after: float) -> bool:
    """At least double the odds, and at least 0.1 more probability.

    Odds rather than probabilities, because an outcome already likely (the analysis rates
    two of them High) cannot become 1.5 times as likely, yet can clearly become more so.
    """

    def odds(p: float) -> float:
        p = min(max(p, 1e-4), 1 - 1e-4)
        return p / (1 - p)

    return odds(after) >= 2 * odds(before) and after - before >= 0.1


def band_lines(result: BatchResult) -> list[Line]:
    """One line per rated outcome: probability and interval against its band."""
    lines = []
    for o in result.summary["outcomes"].values():
        if "band" not in o:
            continue
        lo, hi = o["band"]
        lines.append(
            Line(
                "band",
                o["title"],
                f"{o['rating']}: {lo:.2f}-{hi:.2f} (interval inside)",
                f"{o['probability']:.3f} [{o['ci95'][0]:.3f}-{o['ci95'][1]:.3f}]",
                o["ci_in_band"],
                "VI Scenarios table",
            )
        )
    return lines


def causal_line(check: CausalCheck, base_frame: Any, cf_frame: Any) -> Line:
    """Compare a metric between the scenario and its counterfactual."""
    before = float(np.mean(check.metric(base_frame)))
    after = float(np.mean(check.metric(cf_frame)))
    if check.direction == "down":
        ok = after <= check.factor * before and before - after >= check.margin
        expected = (
            f"{check.label} falls to at most {check.factor:g} x, by at least {check.margin:g}"
        )
    else:
        ok = after >= check.factor * before and after - before >= check.margin
        expected = (
            f"{check.label} rises to at least {check.factor:g} x, by at least {check.margin:g}"
        )
    return Line("cause", check.name, expected, f"{before:.3g} -> {after:.3g}", ok, check.source)


def history_lines(result: BatchResult) -> list[Line]:
    """Missile launches against CNS data; escalation score next to Rivera et al."""
    frame = result.frame
    years = result.plan.rules.turns / 12
    per_year = _actions(MISSILE_TESTS)(frame) / years
    observed = read_reference("dprk_missile_tests_by_year.csv")
    days = [int(r["launch_days"]) for r in observed if 2012 <= int(r["year"]) <= 2025]
    lo, hi = min(days), max(days)
    mean = float(per_year.mean())
    p10, p90 = np.percentile(per_year, [10, 90])
    score = result.summary["fans"]["world.escalation_score"]
    first = score["median"][1]
    later = score["median"][min(14, len(score["median"]) - 1)]
    total = result.summary["total_escalation_score"]
    return [
        Line(
            "history",
            "DPRK missile launch days per year",
            f"within 2012-2025: {lo}-{hi} (median {int(np.median(days))})",
            f"mean {mean:.1f} (10-90%: {p10:.0f}-{p90:.0f})",
            lo <= mean <= hi,
            "dprk_missile_tests_by_year.csv (CNS)",
        ),
        Line(
            "history",
            "Escalation score per turn (6 nations)",
            RIVERA,
            f"median turn 1: {first:g}, turn 14: {later:g}; mean per turn "
            f"{total.get('mean', 0) / result.plan.rules.turns:.1f}",
            None,
            "escalation_categories.csv (Rivera et al. 2024)",
        ),
    ]


def calibrate(
    scenario: str = "baseline",
    *,
    runs: int = 2000,
    check_runs: int = 400,
    seed: int = 1,
    jobs: int = 1,
    checks: Sequence[CausalCheck] = CAUSAL_CHECKS,
    crisis: Sequence[str] = CRISIS_SCENARIOS,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Run the calibration batches and judge each line (see the module docstring)."""
    say = progress or (lambda _msg: None)
    out = Calibration(scenario, runs, seed)
    with tempfile.TemporaryDirectory(prefix="tripwire-calibrate-") as tmp:
        folder = Path(tmp)
        say(f"{scenario}: {runs} games")
        main = _batch(scenario, runs, seed, jobs, folder / "main")
        out.lines += band_lines(main)
        say(f"{scenario}: {check_runs} games for the causal checks")
        base = _batch(scenario, check_runs, seed, jobs, folder / "base").frame
        for k, check in enumerate(checks):
            say(f"counterfactual: {check.name}")
            cf_dir = folder / f"cf{k}"
            cf_dir.mkdir()
            spec = counterfactual(scenario, check, cf_dir)
            cf = _batch(spec, check_runs, seed, jobs, cf_dir / "b").frame
            out.lines.append(causal_line(check, base, cf))
        rated = {o.id for o in load_catalog().outcomes}
        for name in crisis:
            if name == scenario or name not in rated:
                continue
            say(f"crisis scenario: {name}")
            own = _batch(name, check_runs, seed, jobs, folder / f"s-{name}").frame
            before = float(base[f"reached.{name}"].mean())
            after = float(own[f"reached.{name}"].mean())
            out.lines.append(
                Line(
                    "scenario",
                    f"{name} makes its own outcome more likely",
                    "odds at least doubled and probability up by at least 0.1",
                    f"{before:.3f} -> {after:.3f}",
                    clearly_more_likely(before, after),
                    "VI Scenarios table",
                )
            )
        out.lines += history_lines(main)
    return out


def markdown(cal: Calibration) -> str:
    """The calibration report as Markdown."""
    mark = {True: "pass", False: "FAIL", None: "reported"}
    lines = [
        f"# Calibration of `{cal.scenario}`",
        "",
        f"{cal.runs} games (batch seed {cal.seed}); causal checks and crisis scenarios on "
        "smaller batches with the same seeds (common random numbers).",
        "",
        f"**Overall: {'all checks pass' if cal.passed else 'some checks FAIL'}.**",
        "",
    ]
    titles = {
        "band": "Outcome probabilities against the analysis (section VI)",
        "cause": "Causes: one change at a time",
        "scenario": "Crisis scenarios",
        "history": "Against history",
    }
    for kind, title in titles.items():
        rows = [line for line in cal.lines if line.kind == kind]
        if not rows:
            continue
        lines += [
            f"## {title}",
            "",
            "| Check | Expected | Measured | Verdict | Source |",
            "|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r.name} | {r.expected} | {r.measured} | {mark[r.passed]} | {r.source} |"
            )
        lines.append("")
    return "\n".join(lines)
