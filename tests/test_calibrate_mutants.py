"""`tripwire calibrate` can fail: models broken on purpose fail it, the shipped model passes.

Each mutant is an ordinary scenario file (the documented format, extending the baseline)
that breaks one mechanism the analysis relies on: a causal sign flipped, a cause of erosion
removed, a motive zeroed, a cost of churn removed. Calibration must catch every one of them,
on the checks that concern that mechanism, while the baseline passes every check. The
mutation score is the share of mutants caught; it must be 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tripwire.calibration import calibrate

HEADER = "schema_version: 1\nid: mutant\ntitle: A broken model\nextends: baseline\n"

# name -> (the breaking change, what calibration must notice: words of the failing checks
# (their names or expectations) that concern the broken mechanism, any of which will do)
MUTANTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "loophole erosion sign flipped": (
        "dynamics:\n  - id: erosion_loopholes\n    var: world.sanctions_enforcement\n"
        '    rate: "param.erosion_loopholes * world.sanctions_loopholes / 100 * '
        'world.sanctions_enforcement"\n    description: flipped\n    source: mutant\n',
        ("Loopholes closed",),
    ),
    "China's loss of influence removed": (
        "disable:\n  dynamics: [influence_erosion]\n",
        ("CHN.influence_over_PRK", "Russian presence"),
    ),
    "war-induced erosion removed": (
        "disable:\n  dynamics: [erosion_war]\n",
        # the war still erodes sanctions through the munitions trade (cause 5 holds), but
        # without the erosion term sanctions no longer collapse often enough
        ("war winds down", "Sanctions Collapse"),
    ),
    "opportunism zeroed": (
        "actors:\n  PRK:\n    objectives: {coercion: 0}\n",
        ("No crisis over Taiwan", "Missile Crisis 2.0"),
    ),
    "audience costs removed": (
        "state:\n  param.reversal_cost: 0\n",
        ("reversals",),
    ),
    "stances forgotten as fast as signals": (
        "state:\n  param.stance_memory: 0\n",
        ("reversals",),
    ),
    "Moscow's backing no longer emboldens Pyongyang to quit talks": (
        "actors:\n  PRK:\n    objectives: {defiance: 0}\n",
        ("prospects of talks",),
    ),
    "deterrence erosion removed": (
        "disable:\n  dynamics: [deterrence_erosion]\n",
        ("deterrence",),
    ),
    "Russian presence stops mattering to Pyongyang's boldness": (
        "actors:\n  PRK:\n    objectives: {posture: 0}\n",
        # without the drive to posture, SRBM salvos stop being the DPRK's usual test
        ("military distance", "SRBM", "launch days"),
    ),
    "testing campaigns removed": (
        "actors:\n  PRK:\n    objectives: {campaign: 0}\n",
        # without the pull of a campaign under way, tests no longer come in series
        ("testing campaign", "launch days"),
    ),
    "the allies stop answering the DPRK's posture": (
        "disable:\n  dynamics: [richardson_kor, richardson_jpn, richardson_usa]\n",
        ("stands down",),
    ),
    "Seoul's nuclear debate no longer answers US credibility": (
        "disable:\n  dynamics: [nuclear_debate_drift]\n",
        ("missile progress",),
    ),
    "Moscow's isolation no longer drives its outreach": (
        "actors:\n  RUS:\n    objectives:\n      alliances:\n"
        "        description: Revive Cold War partnerships, however isolated Moscow is.\n"
        "        weight: 0.8\n"
        "        terms: {RUS.isolation: -1.0, rel.PRK_RUS: 0.3, rel.CHN_RUS: 0.3, "
        "coop.diplomatic: 0.4, coop.military: 0.3, world.unsc_draft: -10}\n"
        "        source: mutant\n",
        ("less isolated",),
    ),
    "technology handed over whatever the depth of ties": (
        "state:\n  param.tech_trust: 0\nactions:\n  - id: transfer_satellite_tech\n"
        "    name: Satellite tech transfer\n    description: mutant\n    actors: [RUS]\n"
        "    targets: [PRK]\n    domain: military\n    tags: [tech_transfer, munitions_trade]\n"
        '    precondition: "RUS.munitions_need >= 10"\n    cost: 3\n    success: 0.75\n'
        "    effects: {PRK.satellite_recon: 8, RUS.munitions_need: -7, coop.military: 4, "
        "world.tension: 1, world.nonproliferation_norm: -2}\n"
        "    on_failure: {RUS.munitions_need: -3}\n"
        '    cameo: "072"\n    escalation: posturing\n    rung: 3\n    source: mutant\n',
        ("Shallow military ties", "Cool Russia-DPRK relations"),
    ),
    "uncoordinated enforcement no longer erodes sanctions": (
        "disable:\n  dynamics: [erosion_coordination]\n",
        ("Coordinated enforcement",),
    ),
    "an arms race no longer keeps the region tense": (
        "disable:\n  dynamics: [arms_race_tension]\n",
        ("regional tension",),
    ),
    "sanctions no longer hurt the DPRK economy": (
        "disable:\n  dynamics: [sanctions_bite]\n",
        ("DPRK economy",),
    ),
    "evasion no longer puts pressure on Beijing": (
        "disable:\n  dynamics: [evasion_pressure_on_china]\n",
        ("pressure on China",),
    ),
    "a Taiwan crisis no longer draws US attention away": (
        "dynamics:\n  - id: taiwan_draws_attention\n    var: USA.attention_elsewhere\n"
        '    rate: "-(0.25 * max(0, world.taiwan_strait - 50))"\n'
        "    description: flipped\n    source: mutant\n",
        ("crisis over Taiwan",),
    ),
    "China no longer cares for stability": (
        "actors:\n  CHN:\n    objectives: {stability: 0}\n",
        ("China without its 'stability' motive",),
    ),
    "Washington no longer fears a war": (
        "actors:\n  USA:\n    objectives: {stability: 0}\n",
        ("the US without its 'stability' motive",),
    ),
    "Moscow no longer uses Pyongyang as a pressure point": (
        "actors:\n  RUS:\n    objectives: {pressure_point: 0}\n",
        ("Russia without its 'pressure_point' motive",),
    ),
    "Seoul's wish for talks reversed": (
        "actors:\n  KOR:\n    objectives:\n      engagement:\n"
        "        description: mutant\n        weight: 0.4\n"
        "        terms: {world.talks_prospects: -1.0}\n        source: mutant\n",
        ("South Korea without its 'engagement' motive",),
    ),
    "tension stops lifting military signals": (
        "state:\n  param.tension_rungs: 0\n",
        # a tense region no longer turns a test during a crisis elsewhere into a crisis
        ("tense start",),
    ),
}

# the posterior draws' lines are reported, never judged: a mutant need not play them
SMALL = {"runs": 1000, "check_runs": 300, "logged": 60, "draws": False}


@pytest.mark.slow
@pytest.mark.parametrize("name", MUTANTS)
def test_a_broken_model_fails_calibration(name, tmp_path: Path):
    change, noticed = MUTANTS[name]
    path = tmp_path / "mutant.yaml"
    path.write_text(HEADER + change, encoding="utf-8")
    cal = calibrate(str(path), **SMALL)
    # a check's name says what changed, its expectation what must follow
    failed = [f"{line.kind}: {line.name}: {line.expected}" for line in cal.lines
              if line.passed is False]  # fmt: skip
    assert not cal.passed, f"{name} passed every check"
    assert any(word.lower() in f.lower() for f in failed for word in noticed), (name, failed)


@pytest.mark.slow
def test_the_shipped_model_passes_calibration():
    cal = calibrate("baseline", runs=2000, check_runs=400, logged=100)
    failed = [f"{line.name}: {line.measured} vs {line.expected}" for line in cal.lines
              if line.passed is False]  # fmt: skip
    assert cal.passed, failed
