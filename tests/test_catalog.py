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


def _view(arms: bool = True, **state: float):
    """The decision view of the baseline with ``state`` set at the start: on turn 2, after
    Russia bought DPRK shells on turn 1 (``arms``) or held."""
    from tripwire.scenario.loader import load_scenario
    from tripwire.scenario.overrides import Assignment, apply_overrides
    from tripwire.sim.model import CrisisModel
    from tripwire.sim.policies import QueuedPolicy
    from tripwire.sim.rules import compile_rules

    spec = apply_overrides(load_scenario("baseline"), [Assignment(k, v) for k, v in state.items()])
    rules = compile_rules(spec)
    index = {(m.actor, m.action, m.target): m.index for m in rules.moves}
    first = [index["RUS", "buy_dprk_munitions", "PRK"]] if arms else []
    policies = {"RUS": QueuedPolicy([first, []])}
    if not arms:
        policies["PRK"] = QueuedPolicy([[], []])  # no shipment from Pyongyang either
    model = CrisisModel(rules, rng=1, collect=False, policies=policies)
    model.step()
    model.begin_turn()
    return model.view, index


def test_russia_hands_over_technology_the_more_the_deeper_the_ties():
    """Title 'Deepening Ties', I.2 'tech in exchange for arms': a transfer's chance moves by
    param.tech_trust per 100 points of military cooperation plus relations away from their
    2026 level (60 each); below the depth of ties missile technology needs, or with no arms
    sold or shipped in the last six months, no satellite technology is offered."""
    sat = ("RUS", "transfer_satellite_tech", "PRK")
    chances = {}
    for coop, rel in ((60, 60), (80, 70), (55, 45)):
        view, index = _view(**{"coop.military": coop, "rel.PRK_RUS": rel, "RUS.munitions_need": 60})
        chances[coop, rel] = float(view.success[index[sat]])
        assert view.legal[index[sat]]
        state = view.state[[view.rules.index["coop.military"], view.rules.index["rel.PRK_RUS"]]]
        assert float(view.success[index[sat]]) == pytest.approx(
            0.75 + 0.35 * (state.sum() - 120) / 100
        )
    assert chances[80, 70] > chances[60, 60] > chances[55, 45]
    for shallow in ({"coop.military": 45.0}, {"rel.PRK_RUS": 35.0}):
        view, index = _view(**shallow)
        assert not view.legal[index[sat]], shallow
    view, index = _view(arms=False)
    assert not view.legal[index[sat]]


def test_an_isolated_moscow_courts_pyongyang_harder():
    """I.1 'Isolating Moscow from the West has pushed it to revive old Cold War-era
    partnerships': Russia's alliances motive scales with its isolation (1 at the 2026 level
    of 75), so a summit is worth less to a Moscow the West has let back in."""
    summit = ("RUS", "leaders_summit", "PRK")
    worth = {}
    for isolation in (75.0, 20.0):
        view, index = _view(**{"RUS.isolation": isolation})
        worth[isolation] = float(view.utility[index[summit]])
    assert worth[20.0] < worth[75.0]
