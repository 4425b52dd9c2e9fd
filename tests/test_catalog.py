"""The catalog: complete, coded against the reference tables, and traceable to the analysis."""

from __future__ import annotations

import collections

import pytest

from tripwire.catalog import read_reference
from tripwire.scenario.schema import ACTORS, DOMAINS, ESCALATION


def test_at_least_forty_actions_for_all_six_actors(catalog):
    """The catalog offers 40+ actions, and every actor has several."""
    assert len(catalog.actions) >= 40
    per_actor = collections.Counter(a for action in catalog.actions for a in action.actors)
    assert set(per_actor) == set(ACTORS)
    assert min(per_actor.values()) >= 5


def test_actions_span_the_five_cooperation_domains(catalog):
    """Actions cover the five Russia-DPRK cooperation domains of section III."""
    domains = collections.Counter(a.domain for a in catalog.actions)
    assert set(domains) == set(DOMAINS)
    russia_dprk = {a.domain for a in catalog.actions if {"RUS", "PRK"} & set(a.actors)}
    assert russia_dprk == set(DOMAINS)


@pytest.mark.parametrize(
    "tag", ["sanctions", "deterrence", "mediation", "tech_transfer", "missile_test"]
)
def test_sanctions_deterrence_mediation_moves_exist(catalog, tag):
    """The moves of sections IV-V (sanctions, deterrence, mediation) and II are in the catalog."""
    assert any(tag in a.tags for a in catalog.actions)


def test_every_action_is_coded(catalog):
    """Each action carries a CAMEO code from the reference table (Goldstein from the table),
    a Rivera et al. escalation category, a Kahn rung, and a source passage."""
    cameo = {row["code"]: float(row["goldstein"]) for row in read_reference("cameo_goldstein.csv")}
    for action in catalog.actions:
        assert action.cameo in cameo, action.id
        assert catalog.cameo[action.cameo][1] == cameo[action.cameo]
        assert action.escalation in ESCALATION
        assert 1 <= action.rung <= 44
        assert action.source.strip(), action.id


def test_escalation_categories_match_the_reference(catalog):
    """Escalation scores are Rivera et al.'s: nuclear 60 ... de-escalation -2, status quo 0."""
    assert dict(catalog.escalation_scores) == {
        "nuclear": 60,
        "violent": 28,
        "non_violent": 12,
        "posturing": 4,
        "de_escalation": -2,
        "status_quo": 0,
    }
    assert set(ESCALATION) == set(catalog.escalation_scores)


def test_missile_tests_use_cameo_150(catalog):
    """CAMEO has no missile-test code: tests map to 150 'Demonstrate military power' (-7.2)."""
    tests = [a for a in catalog.actions if "missile_test" in a.tags or "nuclear_test" in a.tags]
    assert tests
    assert all(a.cameo == "150" for a in tests)
    assert catalog.cameo["150"][1] == -7.2


def test_kahn_ladder_has_44_rungs(catalog):
    """The escalation ladder is Kahn's 44 rungs in 7 groups."""
    assert [r.rung for r in catalog.ladder] == list(range(1, 45))
    assert len({r.group for r in catalog.ladder}) == 7


def test_tripwire_probability_bands(catalog):
    """The analysis' High/Medium/Low map to the project's bands."""
    assert dict(catalog.bands) == {
        "high": (0.55, 0.95),
        "medium": (0.25, 0.55),
        "low": (0.03, 0.25),
    }


def test_everything_traces_to_a_source(catalog):
    """Every variable, objective, trigger, outcome and dynamics term names its source."""
    for v in catalog.variables:
        assert v.source.strip(), v.name
    for profile in catalog.actors.values():
        for oid, obj in profile.objectives.items():
            assert obj.source.strip(), oid
    for entry in (*catalog.triggers, *catalog.outcomes, *catalog.dynamics):
        assert entry.source.strip(), entry.id


def test_the_four_outcomes_of_section_vi(catalog):
    """The four scenarios of section VI are built-in outcomes."""
    assert {o.id for o in catalog.outcomes} == {
        "enhanced_tech_alliance",
        "missile_crisis_2",
        "sanctions_collapse",
        "china_mediation_backfires",
    }


def test_risk_triggers_cover_sections_ii_and_iv(catalog):
    """Risk triggers implement each strategic risk of section II and China's concerns of IV."""
    sources = " ".join(t.source for t in catalog.triggers)
    for section in ("II.1", "II.2", "II.3", "II.4", "IV"):
        assert section in sources


def test_sanctions_erosion_has_the_five_causes(catalog):
    """Sanctions enforcement erodes through the five causes of section V, one term each."""
    terms = [d for d in catalog.dynamics if d.var == "world.sanctions_enforcement"]
    sources = " ".join(d.source for d in terms)
    for cause in ("V.1", "V.2", "V.3", "V.4", "V.5"):
        assert cause in sources


def test_richardson_arms_race_is_stable_at_defaults(catalog):
    """The Richardson arms race (dx = k*y - a*x + g) is stable at the defaults: a*b > k*l."""
    p = {v.name: v.default for v in catalog.variables if v.name.startswith("param.richardson")}
    assert (
        p["param.richardson_a"] * p["param.richardson_b"]
        > p["param.richardson_k"] * p["param.richardson_l"]
    )
