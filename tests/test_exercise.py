"""Exercise mode driven headless with synthetic pygame events: the hot-seat turn flow, the
white cell's review and console, errors that change nothing, autosave and resume, forks.

Every test drives the real :class:`ExerciseApp` the way a room does (clicks at the
rectangles the app exposes, key presses, ``TEXTINPUT`` for typing) and checks what the
session recorded and what the screen showed.
"""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

import time

import pygame
import pytest

from tripwire.board.common import colours as C
from tripwire.board.exercise.app import ExerciseApp
from tripwire.board.exercise.layout import (
    exercise_layout,
    fork_geometry,
    menu_geometry,
    review_geometry,
)
from tripwire.board.exercise.text import format_delta, parse_effects, parse_number, parse_value
from tripwire.scenario.loader import load_scenario
from tripwire.session import Session
from tripwire.sim.events import dumps_log

HUMANS = ["USA", "KOR"]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("missile_crisis_2")


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "session"


@pytest.fixture
def session(scenario, folder):
    """A new saved session of missile_crisis_2, seed 7, the US and South Korea played by
    people."""
    return Session.create(scenario, seed=7, humans=HUMANS, folder=folder)


@pytest.fixture
def app(session):
    return ExerciseApp(session, window=False)


def key(k: int, char: str = "") -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode=char, scancode=0)


def press(app: ExerciseApp, k: int, char: str = "") -> None:
    """A key press as SDL delivers it: the key, then (for a printable key) its text."""
    app.handle(key(k, char))
    if char:
        app.handle(pygame.event.Event(pygame.TEXTINPUT, text=char))


def type_text(app: ExerciseApp, text: str) -> None:
    app.handle(pygame.event.Event(pygame.TEXTINPUT, text=text))


def click_at(app: ExerciseApp, pos) -> None:
    app.handle(
        pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=tuple(round(v) for v in pos))
    )


def click(app: ExerciseApp, tid: str, arg=None) -> None:
    """Click the middle of the (topmost) clickable part with this id (and argument)."""
    hits = [t for t in app.targets() if t.id == tid and (arg is None or t.arg == arg)]
    assert hits, f"no {tid!r} ({arg!r}) to click on the {app.screen_name} screen"
    click_at(app, hits[-1].rect.centre)


def card_position(app: ExerciseApp, action: str, target: str | None) -> int:
    return next(k for k, c in enumerate(app.cards()) if c.action == action and c.target == target)


def text_drawn(app: ExerciseApp) -> str:
    app.draw()
    return "\n".join(app.visible_text)


def play_to_review(app: ExerciseApp) -> None:
    """Begin a turn; the US deploys a carrier group (clicked), South Korea holds (keys)."""
    click(app, "begin")
    click(app, "ready")
    click(app, "card", card_position(app, "deploy_carrier_group", "PRK"))
    click(app, "confirm")
    press(app, pygame.K_RETURN)  # South Korea has the controls
    press(app, pygame.K_0, "0")  # hold: asks to confirm
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)  # the white cell has the controls


def test_a_turn_played_by_clicks_is_journaled_and_resumes_to_the_same_log(app, session, folder):
    """The US picks an action by clicking and confirms; South Korea holds; the white cell
    vetoes the US move with a typed rationale and resolves. The log holds both decisions and
    the veto with its rationale, and the saved session resumes to a byte-identical log."""
    assert app.screen_name == "briefing"
    play_to_review(app)
    assert app.screen_name == "review"
    usa_move = session.find_move("USA", "deploy_carrier_group", "PRK").index
    click(app, "row", usa_move)
    press(app, pygame.K_v, "v")  # the "v" SDL also sends as text must not reach the box
    assert app.prompt is not None and app.prompt.text == ""
    type_text(app, "Too early to escalate")
    press(app, pygame.K_RETURN)
    assert usa_move in session.model.pending.vetoed
    assert "VETOED" in text_drawn(app)
    press(app, pygame.K_r, "r")
    assert session.phase == "briefing" and session.turn == 1
    assert app.screen_name == "briefing" and app.viewer.turn == 1  # the board shows turn 1

    events = [r for r in session.model.log if r.get("type") == "event"]
    decisions = {e["actor"]: e for e in events if e["kind"] == "decision"}
    assert decisions["USA"]["moves"] == [{"action": "deploy_carrier_group", "target": "PRK"}]
    assert decisions["USA"]["who"] == "USA team"
    assert decisions["KOR"]["moves"] == []
    (veto,) = [e for e in events if e["kind"] == "intervention"]
    assert veto["what"] == "veto" and veto["who"] == "white cell"
    assert (veto["actor"], veto["action"]) == ("USA", "deploy_carrier_group")
    assert veto["rationale"] == "Too early to escalate"
    (usa_action,) = [e for e in events if e["kind"] == "action" and e["actor"] == "USA"]
    assert usa_action["vetoed"] is True

    resumed = Session.resume(folder)
    assert dumps_log(resumed.model.log) == dumps_log(session.model.log)
    assert (folder / "log.jsonl").read_text(encoding="utf-8") == dumps_log(session.model.log)


def test_hot_seat_hides_the_first_seats_choice_from_the_next(app, session):
    """While South Korea is handed the controls and chooses, nothing of the US choice is
    drawn: the hand-over names only South Korea, and the menu shows South Korea's own legal
    moves only."""
    click(app, "begin")
    assert app.screen_name == "handover" and app.seat == "USA"
    assert "the United States team" in text_drawn(app)
    click(app, "ready")
    k = card_position(app, "deploy_carrier_group", "PRK")
    click(app, "card", k)
    assert "Deploy carrier group → North Korea" in text_drawn(app)  # the US sees its pick
    click(app, "confirm")
    assert session.model.waiting_for() == ["KOR"]

    for screen in ("handover", "menu"):
        assert app.screen_name == screen and app.seat == "KOR"
        shown = text_drawn(app)
        assert "Deploy carrier group" not in shown
        assert "carrier" not in shown.lower()
        if screen == "handover":
            assert "the South Korea team" in shown
            press(app, pygame.K_RETURN)
    press(app, pygame.K_b, "b")  # South Korea looks at the board: the last resolved turn
    assert app.peeking and "carrier" not in text_drawn(app).lower()
    click(app, "peek")  # back to the menu
    assert app.screen_name == "menu" and not app.peeking
    # every move is a card, numbered in catalog order; the unavailable ones are greyed
    assert [c.index for c in app.cards()] == [m.index for m in session.rules.moves_of("KOR")]
    legal = {c.label for c in app.cards() if c.available}
    assert legal == {
        f"{m.name} → {app.name(m.target)}" if m.target else m.name
        for m in session.legal_moves("KOR")
    }
    assert app.selected == []  # the US selection did not carry over


def test_a_seat_cannot_choose_more_moves_than_its_action_points(app, session):
    """A third pick is refused with a message; picking another target of a chosen action
    switches the target instead of taking the action twice."""
    click(app, "begin")
    press(app, pygame.K_RETURN)
    cards = app.cards()
    pledges = [k for k, c in enumerate(cards) if c.action == "extended_deterrence_pledge"]
    assert len(cards) >= 10  # numbers of two digits: 1 waits for a second digit
    press(app, pygame.K_1, "1")
    assert app.selected == [] and app.typed_number == "1"
    press(app, pygame.K_SPACE, " ")  # card 1
    press(app, pygame.K_3, "3")  # card 3 (no card 30 or more)
    assert app.selected == [cards[0].index, cards[2].index]
    press(app, pygame.K_2, "2")
    assert len(app.selected) == 2 and app.message_kind == "error"
    assert "2 action point" in app.message
    click(app, "card", 0)  # unchoose the first
    click(app, "card", pledges[0])
    click(app, "card", pledges[1])
    assert cards[pledges[0]].index not in app.selected
    assert cards[pledges[1]].index in app.selected
    press(app, pygame.K_RETURN)
    (decision,) = [e for e in session.model.pending.events if e["kind"] == "decision"]
    assert [m["action"] for m in decision["moves"]].count("extended_deterrence_pledge") == 1


def test_force_failure_in_review_is_recorded_with_its_rationale(app, session):
    """The white cell forces a bot's move to fail; the intervention says who and why."""
    play_to_review(app)
    rows = [r for r in app.review() if r.index is not None and r.actor == "PRK"]
    click(app, "row", rows[0].index)
    click(app, "force_failure")
    type_text(app, "Launch scrubbed for weather")
    click(app, "prompt_ok")
    assert session.model.pending.forced == {rows[0].index: False}
    assert "FORCED FAILURE" in text_drawn(app)
    assert session.lines[-1]["rationale"] == "Launch scrubbed for weather"
    assert session.lines[-1]["success"] is False


def test_setting_an_unknown_variable_shows_an_error_and_changes_nothing(app, session):
    """A typo'd variable name keeps the prompt open with a did-you-mean message; nothing is
    journaled and no state changes."""
    before_state, before_log = session.model.state.copy(), dumps_log(session.model.log)
    press(app, pygame.K_TAB)
    press(app, pygame.K_e, "e")
    type_text(app, "world.tensio")
    press(app, pygame.K_RETURN)
    assert app.prompt is not None and "unknown variable 'world.tensio'" in app.prompt.error
    assert "did you mean world.tension" in app.message and app.message_kind == "error"
    assert "unknown variable 'world.tensio'" in text_drawn(app)
    press(app, pygame.K_ESCAPE)
    assert app.prompt is None
    assert session.lines == []
    assert (session.model.state == before_state).all()
    assert dumps_log(session.model.log) == before_log


def test_a_request_the_session_refuses_is_shown_and_changes_nothing(app, session):
    """Injecting while a turn is under way, or resolving between turns, is refused: the
    message says why, the journal is untouched, and the app does not crash."""
    assert not app.apply({"do": "resolve"})
    assert app.message_kind == "error" and "no turn is under way" in app.message
    click(app, "begin")
    lines = list(session.lines)
    press(app, pygame.K_TAB)
    press(app, pygame.K_i, "i")
    assert app.message_kind == "error" and "only between turns" in app.message
    assert app.prompt is None and session.lines == lines
    assert app.last_exception is None


def test_set_a_variable_through_the_console(app, session):
    """Name (Tab completes it), value, rationale: one 'set' input, the value clipped."""
    press(app, pygame.K_TAB)
    press(app, pygame.K_e, "e")
    type_text(app, "world.tens")
    press(app, pygame.K_TAB)  # completes to world.tension
    assert app.prompt.text == "world.tension"
    press(app, pygame.K_RETURN)
    type_text(app, "abc")
    press(app, pygame.K_RETURN)
    assert "'abc' is not a number" in app.prompt.error
    for _ in "abc":
        press(app, pygame.K_BACKSPACE)
    type_text(app, "70")
    press(app, pygame.K_RETURN)
    type_text(app, "Scenario reset for module 2")
    press(app, pygame.K_RETURN)
    assert session.model.value("world.tension") == 70
    assert session.lines[-1] == {
        "do": "set",
        "variable": "world.tension",
        "value": 70.0,
        "rationale": "Scenario reset for module 2",
    }
    assert "Set world.tension to 70.0 — Scenario reset for module 2" in text_drawn(app)


def test_inject_from_the_library(app, session):
    """The library lists the scenario's injects; one chosen by its number, with a
    rationale."""
    tension = session.model.value("world.tension")
    press(app, pygame.K_TAB)
    press(app, pygame.K_i, "i")
    shown = text_drawn(app)
    for inject_id in session.rules.library:
        assert inject_id in shown
    number = str(list(session.rules.library).index("japan_overflight") + 1)
    press(app, pygame.key.key_code(number), number)
    assert app.prompt is not None and app.prompt.text == ""
    type_text(app, "Test the room's reaction to a shock")
    press(app, pygame.K_RETURN)
    assert session.lines[-1] == {
        "do": "inject",
        "id": "japan_overflight",
        "rationale": "Test the room's reaction to a shock",
    }
    assert session.model.value("world.tension") == tension + 8
    assert app.console_view == "commands"  # back from the library
    press(app, pygame.K_TAB)  # close the console
    click(app, "begin")  # the inject is recorded when the next turn opens
    (record,) = [e for e in session.model.pending.events if e["kind"] == "intervention"]
    assert record["what"] == "inject" and record["inject"] == "japan_overflight"
    assert record["rationale"] == "Test the room's reaction to a shock"


def test_ad_hoc_inject_validates_its_effects(app, session):
    """Text, then effects typed as NAME=CHANGE (a misspelt name is refused with a hint and
    can be corrected), then a rationale."""
    press(app, pygame.K_TAB)
    press(app, pygame.K_a, "a")
    type_text(app, "Mass defection of fishermen")
    press(app, pygame.K_RETURN)
    type_text(app, "world.tension=+5, PRK.legitimcy=-3")
    press(app, pygame.K_RETURN)
    assert "did you mean PRK.legitimacy" in app.prompt.error
    for _ in "itimcy=-3":  # back to "PRK.leg"
        press(app, pygame.K_BACKSPACE)
    press(app, pygame.K_TAB)  # completes the name being typed
    assert app.prompt.text == "world.tension=+5, PRK.legitimacy="
    type_text(app, "-3")
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)  # an empty rationale is allowed
    assert session.lines[-1] == {
        "do": "inject",
        "text": "Mass defection of fishermen",
        "effects": {"world.tension": 5.0, "PRK.legitimacy": -3.0},
        "rationale": "",
    }


def test_undo_asks_first_then_goes_back_a_turn(app, session, folder):
    """Esc at the undo prompt changes nothing; accepting it undoes the turn (recorded, with
    its rationale) and the board goes back to the turn before."""
    play_to_review(app)
    press(app, pygame.K_r, "r")
    assert session.turn == 1
    press(app, pygame.K_TAB)
    press(app, pygame.K_u, "u")
    assert "Undo turn 1" in app.prompt.title
    press(app, pygame.K_ESCAPE)
    assert session.turn == 1 and session.lines[-1] == {"do": "resolve"}
    press(app, pygame.K_u, "u")
    type_text(app, "Misread the inject")
    press(app, pygame.K_RETURN)
    assert session.turn == 0 and session.phase == "briefing"
    assert app.viewer.last_turn == 0
    assert session.lines[-1]["do"] == "undo"
    assert session.lines[-1]["rationale"] == "Misread the inject"
    resumed = Session.resume(folder)
    assert dumps_log(resumed.model.log) == dumps_log(session.model.log)


def test_fork_runs_in_a_thread_and_shows_the_outcome_bars(app, session):
    """A fork of 10 continuations finishes while the app keeps handling events, then shows
    one bar per outcome with its probability and 95% interval."""
    press(app, pygame.K_TAB)
    press(app, pygame.K_m, "m")
    assert app.prompt.text == "200"  # the default
    for _ in "200":
        press(app, pygame.K_BACKSPACE)
    type_text(app, "10")
    press(app, pygame.K_RETURN)
    assert app.fork_job is not None
    app.handle(key(pygame.K_h, "h"))  # the window stays responsive meanwhile
    assert app.help
    press(app, pygame.K_ESCAPE)
    assert not app.apply({"do": "begin"})  # no input while the fork reads the session
    assert "fork is running" in app.message and session.lines == []
    deadline = time.monotonic() + 60
    while app.fork_job is not None and time.monotonic() < deadline:
        app.update(0.02)
        app.draw()
        time.sleep(0.02)
    assert app.fork_result is not None and app.fork_result.runs == 10 and app.show_fork
    shown = text_drawn(app)
    assert "Where is this heading?" in shown
    assert "10 bot continuations from turn 0" in shown
    for outcome in app.fork_result.outcomes.values():
        assert outcome["title"] in shown
        lo, hi = outcome["ci95"]
        assert f"{outcome['probability'] * 100:.0f}%  ({lo * 100:.0f}–{hi * 100:.0f}%)" in shown
    g = fork_geometry(app.layout, len(app.fork_result.outcomes))
    surface = app.draw()
    for row, outcome in zip(g.rows, app.fork_result.outcomes.values(), strict=True):
        if outcome["probability"] >= 0.1:  # the bar's start is drawn in the outcome colour
            ys = range(row.y, row.bottom)
            assert any(tuple(surface.get_at((row.x + 3, y)))[:3] == C.OUTCOME for y in ys)
    press(app, pygame.K_ESCAPE)
    assert not app.show_fork and app.screen_name == "briefing"


def test_help_and_quit_ask_before_leaving(app):
    """H shows every key; Esc asks before quitting (N stays), Q then Enter quits."""
    press(app, pygame.K_h, "h")
    shown = text_drawn(app)
    for words in ("Tab or F2", "V / S / X", "begin the next turn", "undo the last turn"):
        assert words in shown
    press(app, pygame.K_ESCAPE)
    assert not app.help and app.running
    press(app, pygame.K_ESCAPE)
    assert app.prompt is not None and app.prompt.confirm
    press(app, pygame.K_n, "n")
    assert app.prompt is None and app.running
    press(app, pygame.K_q, "q")
    press(app, pygame.K_RETURN)
    assert not app.running


def test_garbage_events_never_crash(app):
    """Clicks anywhere, stray text and unknown keys on every screen leave the app running."""
    w, h = app.layout.size
    for _ in range(2):
        for x in range(0, w, 97):
            for y in range(0, h, 89):
                click_at(app, (x, y))
                if app.prompt is not None:
                    press(app, pygame.K_ESCAPE)
        type_text(app, "stray")
        press(app, pygame.K_F12)
        app.draw()
    assert app.last_exception is None


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700), (1920, 1080), (800, 600)])
def test_menu_cards_and_review_rows_fit_the_window_without_overlapping(size):
    """North Korea's 27 moves page without overlap inside the sheet, and six actors' review
    rows stay inside it, at every window size."""
    lay = exercise_layout(*size)
    seen = 0
    for page in range(5):
        g = menu_geometry(lay, 27, page)
        rects = [r for _k, r in g.cards]
        seen += len(rects)
        for i, a in enumerate(rects):
            assert lay.sheet.contains(a.x, a.y) and a.right <= lay.sheet.right
            assert a.bottom <= lay.sheet.bottom
            assert not a.overlaps(g.header)
            assert all(not a.overlaps(b) for b in rects[i + 1 :])
        if page == g.pages - 1:
            break
    assert seen == 27
    rg = review_geometry(lay, [2, 2, 2, 3, 1, 2])
    assert len(rg.rows) == 12
    assert all(r.bottom <= lay.sheet.bottom and r.y > rg.header.y for r in rg.rows)


@pytest.mark.parametrize(
    "typed, parsed",
    [
        ("world.tension=+5, PRK.posture=-3", {"world.tension": 5.0, "PRK.posture": -3.0}),
        ("world.tension: 2; world.tension=1.5", {"world.tension": 3.5}),
        ("PRK.icbm = −4", {"PRK.icbm": -4.0}),
    ],
)
def test_effects_are_parsed(session, typed, parsed):
    assert parse_effects(typed, session.rules.var_names) == parsed


@pytest.mark.parametrize(
    "typed, message",
    [
        ("world.tensio=5", "did you mean world.tension"),
        ("tension", "write 'tension' as NAME=CHANGE"),
        ("world.tension=lots", "'lots' in 'world.tension=lots' is not a number"),
        ("", "type at least one effect"),
    ],
)
def test_bad_effects_are_refused_with_a_clear_message(session, typed, message):
    with pytest.raises(ValueError, match=message):
        parse_effects(typed, session.rules.var_names)


@pytest.mark.parametrize("value, text", [(4, "+4"), (-0.9, "−0.9"), (0.05, "+0.05"), (12.4, "+12")])
def test_changes_are_written_short_with_their_sign(value, text):
    assert format_delta(value) == text


def test_numbers_accept_a_typographic_minus_and_reject_words():
    assert parse_number("−3") == -3.0
    with pytest.raises(ValueError, match="'x1' is not a number"):
        parse_number("x1")


def test_a_session_resumed_mid_turn_hands_over_to_the_next_seat(app, session, folder):
    """After a crash while South Korea was choosing, the resumed app opens on South Korea's
    hand-over screen, and the US choice is still hidden."""
    click(app, "begin")
    click(app, "ready")
    click(app, "card", card_position(app, "deploy_carrier_group", "PRK"))
    click(app, "confirm")
    resumed = ExerciseApp(Session.resume(folder), window=False)
    assert resumed.screen_name == "handover" and resumed.seat == "KOR"
    assert "carrier" not in text_drawn(resumed).lower()


def test_the_end_of_the_game_and_undoing_it(scenario, tmp_path):
    """A one-turn game ends on the board with GAME OVER and no turn to begin; the white cell
    can still undo the last turn."""
    session = Session.create(scenario, seed=3, humans=["USA"], folder=tmp_path / "s", turns=1)
    app = ExerciseApp(session, window=False)
    click(app, "begin")
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)  # the US holds...
    press(app, pygame.K_RETURN)  # ...confirmed
    press(app, pygame.K_RETURN)  # the white cell has the controls
    press(app, pygame.K_RETURN)  # resolve
    assert session.phase == "over" and app.screen_name == "over"
    assert "GAME OVER" in text_drawn(app) and app.primary() is None
    press(app, pygame.K_RETURN)
    assert session.phase == "over" and app.last_exception is None
    press(app, pygame.K_TAB)
    press(app, pygame.K_u, "u")
    press(app, pygame.K_RETURN)
    assert session.phase == "briefing" and session.turn == 0


def test_the_window_runs_on_posted_events():
    """In a (dummy) window, events posted to pygame's queue drive the loop: Enter begins the
    turn, a window close ends it."""
    pygame.display.init()
    try:
        session = Session.create(load_scenario("baseline"), seed=1, humans=["KOR"], folder=None)
        app = ExerciseApp(session, size=(1024, 700))
        pygame.event.post(key(pygame.K_RETURN))
        app.run(max_frames=3)
        assert session.phase == "deciding" and app.screen_name == "handover"
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        app.run(max_frames=3)
        assert not app.running
    finally:
        pygame.display.quit()


def test_menu_greys_unavailable_cards_with_the_reason_and_refuses_them(app, session):
    """Every move is a card with a stable number; one whose precondition fails is drawn
    greyed with the reason in words, and choosing it says why not."""
    click(app, "begin")
    press(app, pygame.K_RETURN)
    cards = app.cards()
    blocked = [c for c in cards if not c.available]
    assert blocked, "the USA has a move it cannot make on turn 1"
    card = blocked[0]
    app.page = (card.number - 1) // menu_geometry(app.layout, len(cards)).per_page
    shown = text_drawn(app)
    first = next(line for line in shown.splitlines() if "Not available: " in line)
    assert card.reason.startswith(first.partition("Not available: ")[2].rstrip("…").rstrip())
    assert card.reason.startswith("needs")
    assert "(now " in card.reason
    click(app, "card", card.number - 1)
    assert card.index not in app.selected and app.message_kind == "error"
    assert card.reason in app.message
    for digit in str(len(cards)):  # the last card, by its two-digit number
        press(app, getattr(pygame, f"K_{digit}"), digit)
    last = cards[-1]
    assert (last.index in app.selected) == last.available


def test_an_inject_fired_by_hand_does_not_fire_again_at_its_turn(scenario, folder):
    """A scheduled ``once`` inject the white cell fired by hand counts as fired: it does not
    fire again, word for word, when its turn comes; the session resumes byte for byte."""
    rule = next(i for i in scenario.injects if i.turn is not None and i.once)
    session = Session.create(scenario, seed=7, humans=(), folder=folder)
    session.apply({"do": "inject", "id": rule.id, "rationale": "early"})
    for _ in range(rule.turn):
        session.apply({"do": "begin"})
        session.apply({"do": "resolve"})
    fired = [
        (r["turn"], r["cause"])
        for r in session.model.log
        if r.get("kind") == "inject" and r.get("id") == rule.id
    ]
    assert fired == [(1, "facilitator")]
    log = (folder / "log.jsonl").read_text(encoding="utf-8")
    session.close()
    again = Session.resume(folder)
    assert dumps_log(again.model.records()) == log
    # without the white cell's hand it fires at its turn, as scheduled
    other = Session.create(scenario, seed=7, humans=(), folder=None)
    for _ in range(rule.turn):
        other.apply({"do": "begin"})
        other.apply({"do": "resolve"})
    assert [
        (r["turn"], r["cause"])
        for r in other.model.log
        if r.get("kind") == "inject" and r.get("id") == rule.id
    ] == [(rule.turn, "timeline")]


def test_every_key_means_one_thing_on_every_screen(app, session):
    """F (and F11) is full screen on the briefing, the menu, the review and in the console:
    it never forces a failure or starts a fork; the help lists each letter once."""
    from tripwire.board.exercise.panels import HELP_SECTIONS

    letters: dict[str, str] = {}
    for _title, rows in HELP_SECTIONS:
        for keys, what in rows:
            for token in keys.replace(",", " ").replace("/", " ").split():
                if len(token) == 1 and token.isalpha():
                    assert token not in letters, f"{token}: {letters.get(token)} and {what}"
                    letters[token] = what
    assert "full screen" in letters["F"] and "force failure" in letters["X"]

    def f_toggles() -> None:
        lines = list(session.lines)
        was = app.fullscreen
        press(app, pygame.K_f, "f")
        assert app.fullscreen is not was and app.prompt is None
        assert session.lines == lines and app.fork_job is None
        press(app, pygame.K_f, "f")
        assert app.fullscreen is was

    f_toggles()  # briefing
    press(app, pygame.K_TAB)
    f_toggles()  # the console (F was the fork)
    press(app, pygame.K_TAB)
    play_to_review(app)
    assert app.screen_name == "review"
    rows = [r for r in app.review() if r.index is not None]
    click(app, "row", rows[0].index)
    f_toggles()  # the review (F was force failure)
    assert session.model.pending.forced == {}
    press(app, pygame.K_x, "x")  # force failure is X
    assert app.prompt is not None and "Force failure" in app.prompt.title


def test_full_screen_toggles_once_and_never_loops(session, monkeypatch):
    """Full screen asks the display once; the size events a display without a window manager
    sends back are taken as they are (no new request, so no loop); a display that refuses
    full screen leaves the window as it was."""
    app = ExerciseApp(session, window=True, size=(1000, 700))
    calls: list[int] = []
    real = pygame.display.set_mode

    def counting(size=(0, 0), flags=0, *args, **kw):
        calls.append(flags)
        if flags & pygame.FULLSCREEN:  # the dummy driver has no full screen: a fixed size
            return real((1024, 768), flags & ~pygame.FULLSCREEN, *args, **kw)
        return real(size, flags, *args, **kw)

    monkeypatch.setattr(pygame.display, "set_mode", counting)
    press(app, pygame.K_F11)
    assert app.fullscreen and calls == [pygame.FULLSCREEN]
    for k in range(20):  # the display answers with sizes of its own
        app.handle(pygame.event.Event(pygame.WINDOWSIZECHANGED, x=1200 + k, y=800 + k))
    assert calls == [pygame.FULLSCREEN], "a size event in full screen asked for a new mode"
    press(app, pygame.K_F11)
    assert not app.fullscreen and len(calls) == 2 and not calls[1] & pygame.FULLSCREEN

    def refusing(size=(0, 0), flags=0, *args, **kw):
        if flags & pygame.FULLSCREEN:
            raise pygame.error("no full screen here")
        return real(size, flags, *args, **kw)

    monkeypatch.setattr(pygame.display, "set_mode", refusing)
    press(app, pygame.K_f, "f")
    assert not app.fullscreen and app.screen is not None
    app.draw()


def test_a_share_is_set_in_the_percent_the_board_shows(app, session):
    """Sanctions enforcement (0-1) is shown as "42%": typing 45 sets 45% (0.45), not 1;
    120 is refused with the range in percent and nothing is set."""
    assert session.model.value("world.sanctions_enforcement") < 1
    press(app, pygame.K_TAB)
    press(app, pygame.K_e, "e")
    type_text(app, "world.sanctions_enforcement")
    press(app, pygame.K_RETURN)
    assert "in percent" in app.prompt.label and "%" in app.prompt.label
    type_text(app, "120")
    press(app, pygame.K_RETURN)
    assert "outside 0% to 100%" in app.prompt.error and session.lines == []
    for _ in "120":
        press(app, pygame.K_BACKSPACE)
    type_text(app, "45")
    press(app, pygame.K_RETURN)
    type_text(app, "calibrating")
    press(app, pygame.K_RETURN)
    assert session.model.value("world.sanctions_enforcement") == pytest.approx(0.45)
    assert session.lines[-1]["value"] == 0.45
    assert "set to 45%" in app.message
    assert parse_value("45%", 0, 1, percent=True) == 0.45
    with pytest.raises(ValueError, match="outside 0 to 100"):
        parse_value("130", 0, 100)


def test_the_board_shows_white_cell_acts_at_once(app, session):
    """A value set, a library inject and an ad-hoc inject between turns show on the board
    straight away (gauges and feed), not when the next turn resolves."""
    gauge = {g.key: g for g in app.viewer.frame().gauges}
    assert gauge["world.tension"].text != "91"
    app.apply({"do": "set", "variable": "world.tension", "value": 91, "rationale": "spike"})
    app.apply({"do": "inject", "text": "A ferry sinks", "effects": {"PRK.icbm": 7}})
    shown = text_drawn(app)
    gauge2 = {g.key: g for g in app.viewer.frame().gauges}
    assert gauge2["world.tension"].text == "91"
    assert gauge2["PRK.icbm"].value == pytest.approx(gauge["PRK.icbm"].value + 7)
    assert "A ferry sinks" in shown and "91" in shown
    # the log itself is unchanged until the next turn opens
    assert session.model.log[-1]["state"]["world.tension"] != 91
    click(app, "begin")  # the acts open turn 1: the board still shows today's numbers
    gauge3 = {g.key: g for g in app.viewer.frame().gauges}
    assert gauge3["world.tension"].value == pytest.approx(session.model.value("world.tension"))


@pytest.mark.parametrize("size", [(1280, 800), (1024, 640)])
def test_the_menu_header_never_runs_under_its_buttons(scenario, size, monkeypatch):
    """September (the longest month name), several seats: the header line ends before the
    Board, Hold and Confirm buttons, at any window size."""
    longest = scenario.model_copy(update={"start": scenario.start[:5] + "09"})
    session = Session.create(longest, seed=7, humans=["USA", "KOR", "JPN", "RUS"], folder=None)
    app = ExerciseApp(session, window=False, size=size)
    click(app, "begin")
    press(app, pygame.K_RETURN)
    assert app.screen_name == "menu" and "September" in app.turn_label(app.session.turn)
    placed: list[tuple[str, pygame.Rect]] = []
    real = app.renderer.blit_text

    def blit_text(surf, text, pos, size, colour=C.TEXT, *, face="regular", anchor="topleft"):
        rect = real(surf, text, pos, size, colour, face=face, anchor=anchor)
        placed.append((text, rect))
        return rect

    monkeypatch.setattr(app.renderer, "blit_text", blit_text)
    app.draw()
    g = menu_geometry(app.layout, len(app.cards()), app.page)
    (header,) = [rect for text, rect in placed if text.startswith("TURN ")]
    assert "SEPTEMBER" in next(t for t, _ in placed if t.startswith("TURN "))
    for button in (g.board, g.hold, g.confirm):
        assert not header.colliderect(pygame.Rect(button.tuple())), (header, button)


def test_a_review_mark_can_be_cleared_back_to_the_dice(app, session):
    """Force failure, then D (Dice): the mark is gone, the move rolls again, the clearing is
    journaled with its rationale, and the resolved turn records the intervention; clearing a
    move that has no mark is refused and changes nothing."""
    play_to_review(app)
    rows = [r for r in app.review() if r.index is not None and r.actor == "PRK"]
    m = rows[0].index
    click(app, "row", m)
    click(app, "force_failure")
    type_text(app, "Launch scrubbed")
    click(app, "prompt_ok")
    assert session.model.pending.forced == {m: False}
    press(app, pygame.K_d, "d")
    type_text(app, "On second thought, roll it")
    press(app, pygame.K_RETURN)
    assert session.model.pending.forced == {} and m not in session.model.pending.vetoed
    assert session.lines[-1]["do"] == "clear"
    assert session.lines[-1]["rationale"] == "On second thought, roll it"
    assert "FORCED FAILURE" not in text_drawn(app)
    lines = list(session.lines)
    press(app, pygame.K_d, "d")  # nothing to clear now
    type_text(app, "again")
    press(app, pygame.K_RETURN)
    assert session.lines == lines and "no veto or forced result to clear" in app.message
    if app.prompt is not None:  # a refused act keeps its prompt open with the error
        press(app, pygame.K_ESCAPE)
    click(app, "resolve")
    cleared = [
        e for e in session.model.log if e.get("kind") == "intervention" and e.get("what") == "clear"
    ]
    assert len(cleared) == 1 and cleared[0]["seen"] == "white"
    assert "let the dice decide" in cleared[0]["text"]
