"""Action cards in plain language (tripwire.session.cards): stable numbers, effects in words,
costs in action points, reasons for unavailable moves, joint partners."""

from __future__ import annotations

import re

import pytest

from tripwire.scenario.loader import load_scenario
from tripwire.session import Session
from tripwire.session.cards import action_cards, effect_phrase, format_value, session_cards

HUMANS = ("USA", "JPN", "RUS")


@pytest.fixture
def session():
    return Session.create(load_scenario("baseline"), seed=7, humans=HUMANS, folder=None)


def test_every_move_has_a_card_numbered_in_catalog_order(session):
    for seat in HUMANS:
        cards = session_cards(session, seat)
        moves = session.rules.moves_of(seat)
        assert [c.number for c in cards] == list(range(1, len(moves) + 1))
        assert [c.index for c in cards] == [m.index for m in moves]
        assert all(c.points == 1 and c.cost_text == "1 action point" for c in cards)


def test_numbering_is_stable_while_availability_changes(session):
    before = {c.number: (c.action, c.target) for c in session_cards(session, "RUS")}
    restraint = [c for c in session_cards(session, "RUS") if c.action == "invoke_treaty_guarantee"]
    session.apply({"do": "set", "variable": "world.tension", "value": 75})
    after = session_cards(session, "RUS")
    assert {c.number: (c.action, c.target) for c in after} == before
    # the treaty guarantee needs tension: unavailable at 50, available at 75
    (was,) = restraint
    now = next(c for c in after if c.number == was.number)
    assert not was.available and now.available
    assert was.reasons == ("needs tension at least 60 (now 50)",)
    assert now.reasons == ()


def test_unavailable_cards_say_why_in_words(session):
    cards = session_cards(session, "RUS")
    blocked = [c for c in cards if not c.available]
    assert blocked, "the baseline has moves Russia cannot make at the start"
    for c in blocked:
        assert c.reasons and c.reason_text
        for why in c.reasons:
            assert why.startswith(("needs", "one of")), why
            assert "now" in why or why.startswith("one of"), why
            assert not re.search(r"\b[A-Za-z]+\.[a-z_]+\b", why), f"a variable name: {why}"


def test_cards_during_a_turn_follow_the_decision_view(session):
    session.apply({"do": "begin"})
    legal = {m.index for m in session.legal_moves("RUS")}
    cards = session_cards(session, "RUS")
    assert {c.index for c in cards if c.available} == legal
    assert len(cards) > len(legal)


def test_effects_are_words_with_direction_and_size(session):
    for seat in HUMANS:
        for card in session_cards(session, seat):
            text = card.effects_text
            assert "param." not in text
            assert not re.search(r"\b(world|coop|rel|alliance|[A-Z]{3})\.[a-z_]", text), text
            for e in card.on_success + card.on_failure:
                assert re.match(
                    r"^(raises|lowers|improves|worsens) .+ (a little|somewhat|a lot)$", e.words
                ), e.words
    assert effect_phrase("world.tension", 2, 0, 100) == "raises tension a little"
    assert effect_phrase("world.tension", -5, 0, 100) == "lowers tension somewhat"
    assert (
        effect_phrase("CHN.influence_over_PRK", -8, 0, 100)
        == "lowers China's influence over Pyongyang a lot"
    )
    assert effect_phrase("rel.CHN_JPN", -3, -100, 100) == (
        "worsens relations between China and Japan a little"
    )
    assert format_value(0.35, 0, 1) == "35%" and format_value(42.0, 0, 100) == "42"


def test_joint_moves_name_their_partners(session):
    card = next(c for c in session_cards(session, "USA") if c.action == "trilateral_exercise")
    assert set(card.partners) == {"Japan", "South Korea"}
    assert card.partners_text.startswith("Joint with ")
    solo = next(c for c in session_cards(session, "USA") if c.action == "raise_readiness")
    assert solo.partners == () and solo.partners_text == ""


def test_coordinate_enforcement_reads_right_for_each_actor(session):
    for seat in ("USA", "JPN", "KOR"):
        card = next(
            c
            for c in action_cards(session.rules, session.model, seat)
            if c.action == "coordinate_enforcement"
        )
        assert "Washington" not in card.description


def test_an_unknown_seat_is_refused(session):
    with pytest.raises(KeyError):
        session_cards(session, "XYZ")
