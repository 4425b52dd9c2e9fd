"""Calibration: does the model reproduce the analysis, for the right reasons?

Three kinds of check, each a line with a verdict:

* **Bands** (section VI): over a batch of the scenario (2,000 games by default), each outcome's
  probability and its Wilson 95% interval must lie inside the band of the analysis' rating
  (project scheme: high 0.55-0.95, medium 0.25-0.55, low 0.03-0.25).
* **Causes**: counterfactual versions of the scenario that change one cause (no Russian
  technology transfers; strong coordinated enforcement with China; a lower Russian war
  urgency; ...) must move the outcome the way the analysis says, by a stated margin; and
  each bundled crisis scenario must make its own outcome clearly more likely.
* **Motives**: each motive of each actor, switched off in turn, must change the moves it is
  for the way its passage says (:data:`MOTIVE_CHECKS`): a motive that moves nothing is a
  broken mechanism.
* **History**: DPRK missile launch days per year must sit in the range observed 2012-2025
  (CNS data); the per-turn escalation score is reported next to Rivera et al.'s published
  figures for comparison (not judged: their agents are language models, not this model).

The checks are data (:data:`CAUSAL_CHECKS`), shared by ``tripwire calibrate`` and the tests.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tripwire import targets
from tripwire.batch.runner import BatchResult, run_batch
from tripwire.batch.worker import run_seed
from tripwire.catalog import load_catalog
from tripwire.scenario.loader import bundled_scenarios, load_scenario
from tripwire.scenario.overrides import Assignment, apply_overrides
from tripwire.scenario.schema import Scenario
from tripwire.sim.model import CrisisModel
from tripwire.sim.rules import compile_rules

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
        kind: "cause" (a cause the analysis names) or "motive" (an actor's motive switched
            off: the moves it is for must follow it).
    """

    name: str
    changes: str
    metric: Callable[[Any], Any]
    label: str
    direction: str
    factor: float
    margin: float
    source: str
    kind: str = "cause"


def _reached(outcome: str) -> Callable[[Any], Any]:
    return lambda frame: frame[f"reached.{outcome}"].astype(float)


def _actions(ids: Sequence[str]) -> Callable[[Any], Any]:
    return lambda frame: frame[[f"action.{a}" for a in ids if f"action.{a}" in frame]].sum(axis=1)


def _final(var: str) -> Callable[[Any], Any]:
    return lambda frame: frame[f"final.{var}"]


# One cause changed at a time; the metric is a consequence the analysis names, never the
# cause itself nor an outcome whose definition mentions the cause (a check that holds by
# definition proves nothing).
_TESTS = "[icbm_test, irbm_test, srbm_salvo, satellite_launch]"
_TRANSFERS = (
    "[transfer_satellite_tech, transfer_missile_tech, share_nuclear_know_how, joint_uav_program]"
)
_ENFORCEMENT = "world.sanctions_enforcement"
_OUTREACH = ("leaders_summit", "senior_visit_pyongyang", "normalize_relations")
_NO_OUTREACH = f"disable:\n  actions: [{', '.join(_OUTREACH)}]\n"
_CAUSES: tuple[CausalCheck, ...] = (
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
        name="No Russian technology transfers",
        changes=f"disable:\n  actions: {_TRANSFERS}\n",
        metric=_final("PRK.satellite_recon"),
        label="final DPRK satellite reconnaissance",
        direction="down",
        factor=0.95,
        margin=3.0,
        source="I.2 'receives advanced Russian satellite, missile, and nuclear-related tech'",
    ),
    CausalCheck(
        name="No Russian technology transfers",
        changes=f"disable:\n  actions: {_TRANSFERS}\n",
        metric=_final("PRK.icbm"),
        label="final DPRK ICBM maturity",
        direction="down",
        factor=0.97,
        margin=2.0,
        source="II.1 'Russian tech support could accelerate DPRK's ICBM'",
    ),
    CausalCheck(
        name="Shallow military ties (Russia-DPRK military cooperation 30)",
        changes="state:\n  coop.military: 30\n",
        metric=_reached("enhanced_tech_alliance"),
        label="share of games reaching Enhanced Tech Alliance",
        direction="down",
        factor=0.8,
        margin=0.05,
        source="Title 'Deepening Ties'; I.2 'receives advanced Russian satellite, missile, and "
        "nuclear-related tech in exchange for arms': sensitive technology follows deep ties",
    ),
    CausalCheck(
        name="Cool Russia-DPRK relations (20)",
        changes="state:\n  rel.PRK_RUS: 20\n",
        metric=_reached("enhanced_tech_alliance"),
        label="share of games reaching Enhanced Tech Alliance",
        direction="down",
        factor=0.8,
        margin=0.05,
        source="Title 'Deepening Ties'; VI Enhanced Tech Alliance: Moscow hands over satellite "
        "technology to a partner it trusts",
    ),
    CausalCheck(
        name="Moscow less isolated from the West (isolation 20)",
        changes="state:\n  RUS.isolation: 20\n",
        metric=_actions(_OUTREACH),
        label="Russian summits, visits and normalisation steps per game",
        direction="down",
        factor=0.85,
        margin=1.0,
        source="I.1 'Isolating Moscow from the West has pushed it to revive old Cold War-era "
        "partnerships'",
    ),
    CausalCheck(
        name="No Russian outreach (summits, visits, normalisation)",
        changes=_NO_OUTREACH,
        metric=_final("PRK.legitimacy"),
        label="final DPRK legitimacy",
        direction="down",
        factor=0.98,
        margin=1.0,
        source="I.2 'Putin's outreach raises DPRK's international standing'",
    ),
    CausalCheck(
        name="No Russian outreach (summits, visits, normalisation)",
        changes=_NO_OUTREACH,
        metric=_final("world.talks_prospects"),
        label="final prospects of talks",
        direction="up",
        factor=1.1,
        margin=2.0,
        source="II.3 'Moscow's support may embolden North Korea to withdraw permanently from "
        "diplomatic mechanisms'",
    ),
    CausalCheck(
        name="No barter, rail links or covert finance",
        changes="disable:\n  actions: [barter_oil_for_coal, expand_rail_links, covert_finance]\n",
        metric=_final("PRK.economy"),
        label="final DPRK economy",
        direction="down",
        factor=0.99,
        margin=0.5,
        source="I.2 'Barter trade and covert financial transfers help prop up Pyongyang's "
        "fragile economy'",
    ),
    CausalCheck(
        name="Little Russian presence in Pyongyang",
        changes="state:\n  coop.military: 10\n  coop.economic: 5\n  coop.diplomatic: 10\n",
        metric=_final("CHN.influence_over_PRK"),
        label="final Chinese influence over the DPRK",
        direction="up",
        factor=1.02,
        margin=2.0,
        source="I.3 'Growing Russian presence in Pyongyang weakens China's exclusive "
        "influence'; IV 'Loss of influence'",
    ),
    CausalCheck(
        name="No DPRK missile tests",
        changes=f"disable:\n  actions: {_TESTS}\n",
        metric=_final("KOR.posture"),
        label="final South Korean posture",
        direction="down",
        factor=0.99,
        margin=0.5,
        source="II.1 'Increased missile tests may provoke South Korea or the U.S.'",
    ),
    CausalCheck(
        name="A DPRK that stands down (posture 20, no grievance)",
        changes="state:\n  PRK.posture: 20\n  param.richardson_g: 0\n",
        metric=_final("KOR.posture"),
        label="final South Korean posture",
        direction="down",
        factor=0.97,
        margin=2.0,
        source="IV 'Arms race pressure on allies'; Richardson (1960): each side's posture "
        "answers the other's",
    ),
    CausalCheck(
        name="A DPRK that stands down (posture 20, no grievance)",
        changes="state:\n  PRK.posture: 20\n  param.richardson_g: 0\n",
        metric=_final("world.tension"),
        label="final regional tension",
        direction="down",
        factor=0.97,
        margin=2.0,
        source="II.1 'raising risks of military confrontation'; IV 'Arms race pressure on "
        "allies': an arms race above normal levels keeps the region tense",
    ),
    CausalCheck(
        name="No DPRK missile progress",
        changes="state:\n  param.indigenous_rd: 0\n"
        "disable:\n  actions: [icbm_test, irbm_test, transfer_missile_tech, "
        "buy_dprk_missiles]\n",
        metric=_final("KOR.nuclear_debate"),
        label="final South Korean nuclear debate",
        direction="down",
        # the debate answers the loss of US credibility (IV): a deterrent that holds should
        # take a quarter of it away, not merely the few points the debate's own moves carry
        factor=0.75,
        margin=5.0,
        source="II.2 'Breakdown of deterrence'; IV 'host U.S. nukes': Seoul's nuclear debate "
        "grows as US credibility falls",
    ),
    CausalCheck(
        name="No DPRK missile progress",
        changes="state:\n  param.indigenous_rd: 0\n"
        "disable:\n  actions: [icbm_test, irbm_test, transfer_missile_tech, "
        "buy_dprk_missiles]\n",
        metric=_final("USA.deterrence_credibility"),
        label="final US deterrence credibility",
        direction="up",
        factor=1.01,
        margin=1.0,
        source="II.2 'Breakdown of deterrence' as the DPRK's ICBM matures",
    ),
    CausalCheck(
        name="Moscow keeps its military distance",
        changes="state:\n  coop.military: 10\n",
        metric=_final("PRK.posture"),
        label="final DPRK posture",
        direction="down",
        factor=0.99,
        margin=0.5,
        source="II.2 'Triangular cooperation can embolden Pyongyang to challenge South Korea, "
        "Japan, and U.S. military presence'",
    ),
    CausalCheck(
        name="Moscow keeps its military distance",
        changes="state:\n  coop.military: 10\n",
        metric=_actions(("srbm_salvo",)),
        label="DPRK SRBM salvos per game",
        direction="down",
        factor=0.96,
        margin=0.4,
        source="II.2 'Triangular cooperation can embolden Pyongyang to challenge South Korea': "
        "the salvos aimed at the South are the boldness Moscow's backing feeds",
    ),
    CausalCheck(
        name="No arms trade with Russia",
        changes=f"disable:\n  actions: [{', '.join(MUNITIONS_TRADE)}]\n",
        metric=_final("world.illicit_arms_trade"),
        label="final illicit arms trade",
        direction="down",
        factor=0.9,
        margin=3.0,
        source="II.4 'North Korean arms flowing to Russia sets precedent for illicit arms trade'",
    ),
    CausalCheck(
        name="No arms trade with Russia",
        changes=f"disable:\n  actions: [{', '.join(MUNITIONS_TRADE)}]\n",
        metric=_reached("enhanced_tech_alliance"),
        label="share of games reaching Enhanced Tech Alliance",
        direction="down",
        factor=0.8,
        margin=0.05,
        source="I.2 'North Korea likely receives advanced Russian satellite, missile, and "
        "nuclear-related tech in exchange for arms': no arms, no technology",
    ),
    CausalCheck(
        name="No DPRK provocations",
        changes=f"disable:\n  actions: {_TESTS[:-1]}, nuclear_test, dmz_provocation]\n",
        metric=_final("CHN.stability_image"),
        label="final Chinese stability image",
        direction="up",
        factor=1.0,
        margin=0.5,
        source="IV 'Uncontrolled provocations hurt China's image of regional stability'",
    ),
    CausalCheck(
        name="Security Council not paralysed (cause 1)",
        changes="state:\n  world.unsc_paralysis: 5\n",
        metric=_final(_ENFORCEMENT),
        label="final sanctions enforcement",
        direction="up",
        factor=1.02,
        margin=0.005,
        source="V.1 'Both countries block stricter UN Security Council resolutions'",
    ),
    CausalCheck(
        name="Loopholes closed (cause 2)",
        changes="state:\n  world.sanctions_loopholes: 5\n",
        metric=_final(_ENFORCEMENT),
        label="final sanctions enforcement",
        direction="up",
        factor=1.02,
        margin=0.005,
        source="V.2 'Maritime smuggling, crypto payments, and third-country intermediaries "
        "blur enforcement'",
    ),
    CausalCheck(
        name="Loopholes closed (cause 2)",
        changes="state:\n  world.sanctions_loopholes: 5\n",
        metric=_final("CHN.sanctions_pressure"),
        label="final pressure on China over sanctions",
        direction="down",
        factor=0.9,
        margin=3.0,
        source="IV 'Sanctions evasion complicates China's diplomacy: It faces pressure to "
        "justify its support of a UN-sanctioned state'",
    ),
    CausalCheck(
        name="Coordinated enforcement (cause 3)",
        changes="state:\n  world.enforcement_coordination: 95\n",
        metric=_final(_ENFORCEMENT),
        label="final sanctions enforcement",
        direction="up",
        factor=1.1,  # a main cause of V, not a nuance: a tenth or more
        margin=0.005,
        source="V.3 'Variance in U.S., EU, and Asian enforcement lets violations go unchecked'",
    ),
    CausalCheck(
        name="A DPRK dependent on trade (cause 4)",
        changes="state:\n  PRK.self_reliance: 5\n",
        metric=_final(_ENFORCEMENT),
        label="final sanctions enforcement",
        direction="up",
        factor=1.02,
        margin=0.005,
        source="V.4 'North Korea has adapted to isolation, focusing on self-reliance'",
    ),
    CausalCheck(
        name="A DPRK dependent on trade (cause 4)",
        changes="state:\n  PRK.self_reliance: 5\n",
        metric=_final("PRK.economy"),
        label="final DPRK economy",
        direction="down",
        factor=0.99,
        margin=0.5,
        source="V.4 'North Korea has adapted to isolation, focusing on self-reliance and "
        "survival': a DPRK that has not adapted feels the sanctions",
    ),
    CausalCheck(
        name="Russia's war winds down (cause 5)",
        changes="state:\n  RUS.war_urgency: 10\n  param.war_urgency_target: 10\n",
        metric=_final(_ENFORCEMENT),
        label="final sanctions enforcement",
        direction="up",
        # V.5 names the war the overriding motive ('desperation ... overrides'): its end
        # must matter more than the other causes' small margins
        factor=1.1,
        margin=0.005,
        source="V.5 'Russia's desperation to continue its war overrides concern about legal "
        "constraints'",
    ),
    CausalCheck(
        name="A cautious DPRK (risk tolerance 0.2)",
        changes="actors:\n  PRK:\n    risk_tolerance: 0.2\n",
        metric=_actions(MISSILE_TESTS),
        label="DPRK missile tests per game",
        direction="down",
        factor=0.95,
        margin=0.5,
        source="II.2 'Triangular cooperation can embolden Pyongyang': a bolder DPRK provokes "
        "more; Kahn (1965): each rung up invites a response",
    ),
    CausalCheck(
        name="A testing campaign under way",
        changes="state:\n  PRK.testing_campaign: 70\n",
        metric=_actions(MISSILE_TESTS),
        label="DPRK missile tests per game",
        direction="up",
        factor=1.1,
        margin=2.0,
        source="II.1 'Increased missile tests'; dprk_missile_tests_by_year.csv: tests come in "
        "campaigns (15 launch days in 2017, 0 in 2018, 34 in 2022)",
    ),
    CausalCheck(
        name="No crisis over Taiwan or in Ukraine",
        changes="state:\n  world.taiwan_strait: 0\n"
        "disable:\n  injects: [taiwan_strait_flareup, ukraine_escalation]\n",
        metric=_actions(MISSILE_TESTS),
        label="DPRK missile tests per game",
        direction="down",
        # testing "to stretch U.S. response" is a motive of its own: removing the crises
        # elsewhere must take a clear share of the tests, not the few the crises' tension adds
        factor=0.93,
        margin=1.0,
        source="VI Missile Crisis 2.0 'DPRK tests weapons during Taiwan crisis or Ukraine "
        "escalation to stretch U.S. response'",
    ),
    CausalCheck(
        name="A standing crisis over Taiwan (strait tension 85)",
        changes="state:\n  world.taiwan_strait: 85\n",
        metric=_actions(MISSILE_TESTS),
        label="DPRK missile tests per game",
        direction="up",
        factor=1.15,
        margin=2.0,
        source="VI Missile Crisis 2.0 'DPRK tests weapons during Taiwan crisis ... to stretch "
        "U.S. response': a crisis that holds US forces in the Taiwan Strait invites more tests",
    ),
    CausalCheck(
        name="A tense start (tension 85)",
        changes="state:\n  world.tension: 85\n",
        metric=_reached("missile_crisis_2"),
        label="share of games reaching Missile Crisis 2.0",
        direction="up",
        factor=1.05,
        margin=0.02,
        source="II.1 'raising risks of military confrontation'; VI Missile Crisis 2.0: a test "
        "during a crisis elsewhere climbs further when the region is already tense",
    ),
    CausalCheck(
        name="China cannot mediate",
        changes="disable:\n  actions: [mediate, convene_talks]\n",
        metric=_final("rel.CHN_PRK"),
        label="final China-DPRK relations",
        direction="up",
        factor=1.0,
        margin=0.3,
        source="VI China Mediation Backfires 'Beijing tries to moderate, but ends up alienating "
        "both partners'",
    ),
)

# Each motive of each actor (catalog/actors.yaml), switched off in turn: the moves the
# motive is for (its description and passage) must fall (or, for a motive that holds an
# actor back, rise). A motive that moves nothing, or moves its moves the wrong way, is a
# broken mechanism: zeroed, its terms' signs flipped, or cut off from the actions that serve
# it. The thresholds sit about halfway between no effect and the effect measured on the
# shipped model at batch seeds 1-4, so that noise and a refit do not fail the model while
# a motive with no effect always does.
_MOTIVES: tuple[tuple[str, str, str, tuple[str, ...], str, float, float, str], ...] = (
    # (actor, objective, the moves in words, moves, direction, factor, margin, passage)
    (
        "RUS",
        "resupply",
        "Russian purchases of DPRK munitions and missiles",
        ("buy_dprk_munitions", "buy_dprk_missiles"),
        "down",
        0.7,
        2.0,
        "I.1 'Military resupply: Russia is increasingly reliant on DPRK artillery shells'",
    ),
    (
        "RUS",
        "alliances",
        "Russian summits, visits and normalisation steps",
        _OUTREACH,
        "down",
        0.75,
        1.5,
        "I.1 'Isolating Moscow from the West has pushed it to revive old "
        "Cold War-era partnerships'",
    ),
    (
        "RUS",
        "pressure_point",
        "Russian naval drills near Japan",
        ("pacific_naval_drill",),
        "down",
        0.9,
        0.1,
        "I.1 'North Korea provides a theater to distract the U.S. and Japan "
        "from the European front'",
    ),
    (
        "PRK",
        "technology",
        "DPRK ICBM and IRBM tests",
        ("icbm_test", "irbm_test"),
        "down",
        0.75,
        2.0,
        "I.2 'Access to technology'; II.1 'accelerate DPRK's ICBM'",
    ),
    (
        "PRK",
        "legitimation",
        "Russia-DPRK summits and joint propaganda",
        ("leaders_summit", "joint_propaganda"),
        "down",
        0.8,
        1.5,
        "I.2 'Putin's outreach raises DPRK's international standing'",
    ),
    (
        "PRK",
        "survival",
        "DPRK crypto theft, coal smuggling and munitions shipments",
        ("crypto_theft", "smuggle_coal", "ship_munitions"),
        "down",
        0.75,
        3.0,
        "I.2 'Economic survival: Barter trade and covert financial transfers help prop up "
        "Pyongyang's fragile economy'",
    ),
    (
        "PRK",
        "posture",
        "DPRK SRBM salvos and DMZ provocations",
        ("srbm_salvo", "dmz_provocation"),
        "down",
        0.92,
        0.8,
        "II.2 'embolden Pyongyang to challenge South Korea, Japan, and U.S. military presence'",
    ),
    (
        "PRK",
        "campaign",
        "DPRK missile tests",
        MISSILE_TESTS,
        "down",
        0.9,
        1.5,
        "II.1 'Increased missile tests'",
    ),
    (
        "PRK",
        "defiance",
        "DPRK walk-outs from diplomacy",
        ("quit_diplomacy",),
        "down",
        0.8,
        1.0,
        "II.3 'Moscow's support may embolden North Korea to withdraw permanently from "
        "diplomatic mechanisms'",
    ),
    (
        "PRK",
        "coercion",
        "DPRK missile tests",
        MISSILE_TESTS,
        "down",
        0.96,
        0.8,
        "VI Missile Crisis 2.0 'DPRK tests weapons during Taiwan crisis or Ukraine escalation "
        "to stretch U.S. response'",
    ),
    (
        "CHN",
        "stability",
        "calls for restraint, mediation and talks convened",
        ("call_for_restraint", "mediate", "convene_talks"),
        "down",
        0.88,
        2.5,
        "I.3 'China wants stability in the Korean Peninsula'; VI China Mediation Backfires "
        "'Beijing tries to moderate'",
    ),
    (
        "CHN",
        "balancing",
        "Chinese denunciations of US alliances and vetoes",
        ("denounce_us_alliances", "veto_sanctions_resolution"),
        "down",
        0.87,
        0.8,
        "I.3 'quietly supports regional anti-U.S. balancing'",
    ),
    (
        "CHN",
        "influence",
        "Chinese aid to the DPRK",
        ("aid_to_prk",),
        "down",
        0.7,
        1.0,
        "I.3 'Growing Russian presence in Pyongyang weakens China's exclusive influence'; "
        "IV 'Loss of influence'",
    ),
    (
        "USA",
        "deterrence",
        "US deterrence pledges, bomber flights and carrier deployments",
        ("extended_deterrence_pledge", "strategic_bomber_flight", "deploy_carrier_group"),
        "down",
        0.7,
        5.0,
        "II.2 'Breakdown of deterrence'",
    ),
    (
        "USA",
        "alliances",
        "US-ROK-Japan trilateral exercises",
        ("trilateral_exercise",),
        "down",
        0.85,
        1.0,
        "II.2 'challenge South Korea, Japan, and U.S. military presence'; "
        "IV 'Weakening U.S. alliances'",
    ),
    (
        "USA",
        "nonproliferation",
        "US interdictions, sanctions and draft resolutions",
        (
            "maritime_interdiction",
            "sanction_chinese_banks",
            "sanction_russian_entities",
            "table_sanctions_resolution",
        ),
        "down",
        0.87,
        2.0,
        "V 'Why Sanctions Work Poorly'; II.4 'Weapon proliferation'",
    ),
    (
        "USA",
        "stability",
        "US bomber flights and carrier deployments",
        ("strategic_bomber_flight", "deploy_carrier_group"),
        "up",
        1.08,
        0.8,
        "II.1 'raising risks of military confrontation': a Washington that fears war shows "
        "force less often",
    ),
    (
        "KOR",
        "security",
        "trilateral exercises and Kill Chain steps",
        ("trilateral_exercise", "strengthen_kill_chain"),
        "down",
        0.88,
        1.0,
        "II.1 'Increased missile tests may provoke South Korea'; II.2 'Breakdown of deterrence'",
    ),
    (
        "KOR",
        "alliance",
        "Japan-ROK summits and trilateral exercises",
        ("japan_korea_summit", "trilateral_exercise"),
        "down",
        0.82,
        3.0,
        "II.2; IV 'Weakening U.S. alliances'",
    ),
    (
        "KOR",
        "engagement",
        "inter-Korean outreach",
        ("inter_korean_outreach",),
        "down",
        0.8,
        2.0,
        "II.3 'Undermining regional diplomacy'",
    ),
    (
        "KOR",
        "nuclear_option",
        "steps in Seoul's nuclear debate",
        ("nuclear_option_debate",),
        "down",
        0.75,
        0.7,
        "IV 'Japan & South Korea may boost military capabilities or host U.S. nukes'",
    ),
    (
        "JPN",
        "defense",
        "Japanese missile-defence upgrades and counterstrike steps",
        ("upgrade_missile_defense", "counterstrike_capability"),
        "down",
        0.6,
        4.0,
        "IV 'Japan & South Korea may boost military capabilities'",
    ),
    (
        "JPN",
        "alliance",
        "trilateral exercises and Japan-ROK summits",
        ("trilateral_exercise", "japan_korea_summit"),
        "down",
        0.75,
        3.0,
        "II.2; IV 'Weakening U.S. alliances'",
    ),
    (
        "JPN",
        "stability",
        "Japanese unilateral sanctions",
        ("japan_unilateral_sanctions",),
        "down",
        0.96,
        0.2,
        "V 'Why Sanctions Work Poorly': Tokyo keeps sanctions enforced",
    ),
)
_COUNTRY = {"RUS": "Russia", "PRK": "the DPRK", "CHN": "China", "USA": "the US",
            "KOR": "South Korea", "JPN": "Japan"}  # fmt: skip
MOTIVE_CHECKS: tuple[CausalCheck, ...] = tuple(
    CausalCheck(
        name=f"{_COUNTRY[actor]} without its '{objective}' motive",
        changes=f"actors:\n  {actor}:\n    objectives: {{{objective}: 0}}\n",
        metric=_actions(moves),
        label=f"{words} per game",
        direction=direction,
        factor=factor,
        margin=margin,
        source=passage,
        kind="motive",
    )
    for actor, objective, words, moves, direction, factor, margin, passage in _MOTIVES
)
CAUSAL_CHECKS: tuple[CausalCheck, ...] = (*_CAUSES, *MOTIVE_CHECKS)

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
    # calibration judges the model against the analysis' bands whatever the scenario is:
    # a modified or broken model must answer to them (a plain batch of a custom scenario
    # is not judged unless asked)
    return run_batch(scenario, runs, seed=seed, jobs=jobs, out=folder, plots=False, bands=True)


def counterfactual(base: str, check: CausalCheck, folder: Path) -> Any:
    """The scenario ``base`` with the check's changes, as a validated Scenario."""
    target = str(Path(base).resolve()) if Path(base).is_file() else base
    title = json.dumps(f"Counterfactual: {check.name}")  # JSON strings are YAML strings
    text = (
        f"schema_version: 1\nid: counterfactual\ntitle: {title}\n"
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
    return Line(check.kind, check.name, expected, f"{before:.3g} -> {after:.3g}", ok, check.source)


def history_lines(result: BatchResult) -> list[Line]:
    """The per-turn escalation score next to Rivera et al.'s published figures (reported,
    not judged: their agents are language models, not this model)."""
    score = result.summary["fans"]["world.escalation_score"]
    first = score["median"][1]
    later = score["median"][min(14, len(score["median"]) - 1)]
    total = result.summary["total_escalation_score"]
    return [
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


def target_lines(result: BatchResult, logs: Sequence[Sequence[dict[str, Any]]]) -> list[Line]:
    """The record's base rates, the mix of tests, policy reversals, the analysis' trends
    and levels, and variables pinned at a bound (see :mod:`tripwire.targets`)."""
    frame, rules = result.frame, result.plan.rules
    verdicts = [
        *targets.rate_verdicts(frame, rules),
        *targets.reversal_verdicts(logs),
        *targets.trend_verdicts(frame, rules),
        targets.stuck_verdict(frame, rules),
    ]
    return [Line(v.kind, v.name, v.expected, v.measured, v.passed, v.source) for v in verdicts]


def logged_games(scenario: Scenario, seed: int, games: int) -> list[list[dict[str, Any]]]:
    """The event logs of the first ``games`` runs of a batch seeded ``seed``."""
    rules = compile_rules(scenario)
    return [
        CrisisModel(rules, rng=run_seed(seed, i), collect=False).run().log for i in range(games)
    ]


def on_model(crisis: str, model: str, folder: Path) -> Scenario:
    """A bundled crisis scenario played on the model being calibrated: its own changes,
    over ``model`` instead of the bundled baseline it extends."""
    path = bundled_scenarios()[crisis]
    if model == "baseline":
        return load_scenario(path)
    target = str(Path(model).resolve()) if Path(model).is_file() else model
    text = path.read_text(encoding="utf-8")
    rerooted = re.sub(r"(?m)^extends:.*$", f"extends: '{target}'", text, count=1)
    out = folder / f"{crisis}.yaml"
    out.write_text(rerooted, encoding="utf-8")
    return load_scenario(out)


def calibrate(
    scenario: str = "baseline",
    *,
    runs: int = 2000,
    check_runs: int = 400,
    seed: int = 1,
    jobs: int = 1,
    turns: int | None = None,
    checks: Sequence[CausalCheck] = CAUSAL_CHECKS,
    crisis: Sequence[str] = CRISIS_SCENARIOS,
    logged: int = 100,
    draws: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Run the calibration batches and judge each line (see the module docstring).
    ``draws=False`` leaves out the outcome probabilities over the posterior draws, which
    are reported, never judged."""
    say = progress or (lambda _msg: None)
    out = Calibration(scenario, runs, seed)
    with tempfile.TemporaryDirectory(prefix="tripwire-calibrate-") as tmp:
        folder = Path(tmp)
        spec = _with_turns(load_scenario(scenario), turns)
        say(f"{scenario}: {runs} games")
        main = _batch(spec, runs, seed, jobs, folder / "main")
        out.lines += band_lines(main)
        fired = _trigger_totals(main)
        say(f"{scenario}: {check_runs} games for the causal checks")
        base = _batch(spec, check_runs, seed, jobs, folder / "base").frame
        played: dict[str, Any] = {}  # checks of the same change share its batch
        for k, check in enumerate(checks):
            if check.changes not in played:
                say(f"counterfactual: {check.name}")
                cf_dir = folder / f"cf{k}"
                cf_dir.mkdir()
                cf_spec = _with_turns(counterfactual(scenario, check, cf_dir), turns)
                played[check.changes] = _batch(cf_spec, check_runs, seed, jobs, cf_dir / "b").frame
            out.lines.append(causal_line(check, base, played[check.changes]))
        rated = {o.id for o in load_catalog().outcomes}
        for name in crisis:
            if name == scenario or name not in rated:
                continue
            say(f"crisis scenario: {name}")
            crisis_dir = folder / f"s-{name}"
            crisis_dir.mkdir()
            crisis_spec = _with_turns(on_model(name, scenario, crisis_dir), turns)
            batch = _batch(crisis_spec, check_runs, seed, jobs, crisis_dir / "b")
            for trigger, n in _trigger_totals(batch).items():
                fired[trigger] = fired.get(trigger, 0) + n
            own = batch.frame
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
        say(f"{scenario}: {logged} logged games for policy reversals")
        out.lines += target_lines(main, logged_games(spec, seed, logged))
        dead = targets.dead_verdict(fired, "the scenario or one of the crisis scenarios")
        out.lines.append(
            Line(dead.kind, dead.name, dead.expected, dead.measured, dead.passed, dead.source)
        )
        if draws:
            out.lines += uncertainty_lines(spec, check_runs, seed, say)
        out.lines += history_lines(main)
    return out


def uncertainty_lines(
    spec: Scenario, games: int, seed: int, say: Callable[[str], None]
) -> list[Line]:
    """Each outcome's probability over the fitted parameters' posterior draws
    (``catalog/fitted.yaml``): the parameter uncertainty, next to the Monte Carlo one."""
    from tripwire.fit import play, posterior_draws

    draws = posterior_draws()
    if not draws:
        return []
    say(f"{len(draws)} posterior draws of the fitted parameters")
    rules = compile_rules(spec)
    per_draw = []
    for values in draws:
        drawn = apply_overrides(spec, [Assignment(k, float(v)) for k, v in values.items()])
        frame = play(drawn, games, seed)
        per_draw.append([float(frame[f"reached.{o}"].mean()) for o in rules.outcome_ids])
    table = np.asarray(per_draw)
    lines = []
    for k, title in enumerate(rules.outcome_titles):
        lo, mid, hi = np.percentile(table[:, k], [5, 50, 95])
        lines.append(
            Line(
                "uncertainty",
                title,
                f"over {len(draws)} posterior draws x {games} games",
                f"{mid:.3f} (5-95%: {lo:.3f}-{hi:.3f})",
                None,
                "catalog/fitted.yaml (ABC-SMC)",
            )
        )
    return lines


def _with_turns(spec: Scenario, turns: int | None) -> Scenario:
    return spec if turns is None else spec.model_copy(update={"turns": turns})


def _trigger_totals(result: BatchResult) -> dict[str, int]:
    frame = result.frame
    return {t.id: int(frame[f"trigger.{t.id}"].sum()) for t in result.plan.rules.triggers}


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
        "motive": "Motives: each actor's motives, switched off one at a time",
        "scenario": "Crisis scenarios (played on this model)",
        "rate": "Base rates of the record (2017-2025)",
        "mix": "The mix of DPRK tests",
        "reversal": "Policy reversals (churn)",
        "trend": "Trends the analysis asserts",
        "level": "Levels at the end of the game",
        "stuck": "Runaway mechanisms",
        "dead": "Risk triggers",
        "uncertainty": "Outcome probabilities with the fitted parameters' uncertainty",
        "history": "Against published simulations",
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
