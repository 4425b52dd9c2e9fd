"""The projector (tripwire.board.exercise.projector): public information only.

A session with private white-cell notes and rationales and pending team decisions is drawn
at every phase of a turn; every string the projector draws is collected and scanned for the
private markers. The white cell's own board draws the same markers (so they are real, and
the scan could fail).
"""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

import threading

import pygame
import pytest

from tripwire.board.exercise.app import ExerciseApp
from tripwire.board.exercise.projector import ALERT_SECONDS, ProjectorApp, public_phase
from tripwire.scenario.loader import load_scenario
from tripwire.session import Session

PRIVATE = ("PRIVATE-NOTE-7731", "PRIVATE-WHY-1", "PRIVATE-WHY-2", "PRIVATE-WHY-3")
PUBLIC_NOTE = "PUBLIC-NOTE-5520"


@pytest.fixture(scope="module", autouse=True)
def _pygame():
    pygame.init()
    yield


@pytest.fixture
def session():
    return Session.create(
        load_scenario("missile_crisis_2"), seed=7, humans=["USA", "KOR"], folder=None
    )


def seen(app: ProjectorApp) -> str:
    app.draw()
    return "\n".join(app.visible_text)


def test_the_projector_draws_no_private_content(session):
    projector = ProjectorApp(session, window=False)
    white = ExerciseApp(session, window=False)
    shown: list[str] = [seen(projector)]
    session.apply({"do": "note", "text": PRIVATE[0]})
    session.apply({"do": "note", "text": PUBLIC_NOTE, "publish": True})
    session.apply({"do": "set", "variable": "world.tension", "value": 77, "rationale": PRIVATE[1]})
    session.apply({"do": "inject", "text": "A ferry sinks in the Yellow Sea",
                   "effects": {"world.tension": 3}, "rationale": PRIVATE[2]})  # fmt: skip
    shown.append(seen(projector))
    white.draw()
    by_white = "\n".join(white.visible_text)
    assert PRIVATE[0] in by_white and PRIVATE[1] in by_white  # the white cell sees them
    assert "A ferry sinks in the Yellow Sea" in shown[-1]  # the inject itself is public
    assert PUBLIC_NOTE in shown[-1]  # a published note reaches the room
    assert "80" in shown[-1]  # the values as they are now (77 + 3)

    session.apply({"do": "begin"})
    shown.append(seen(projector))
    move = session.legal_moves("USA")[0]
    usa = {"action": move.action, "target": move.target}
    session.apply({"do": "decide", "actor": "USA", "moves": [usa], "who": "USA team"})
    shown.append(seen(projector))  # USA decided, KOR still deciding
    session.apply({"do": "decide", "actor": "KOR", "moves": [], "who": "KOR team"})
    session.apply({"do": "veto", "actor": "USA", **usa, "rationale": PRIVATE[3]})
    assert session.phase == "review"
    review = seen(projector)
    shown.append(review)
    assert public_phase("review", 1) in review
    for text in shown:
        assert move.name not in text  # a pending decision
        assert "holds" not in text.lower()
    session.apply({"do": "resolve"})
    shown.append(seen(projector))
    projector.viewer.jump(0)
    shown.append(seen(projector))
    everything = "\n".join(shown)
    for marker in PRIVATE:
        assert marker not in everything, marker
    assert "White cell" not in everything and "Confirm" not in everything


def test_the_projector_follows_the_session_and_raises_alerts(session):
    """Each outcome reached or trigger fired shows as an alert, one after another."""
    projector = ProjectorApp(session, window=False, clock=lambda: {
        "running": True, "elapsed": 65.0, "limit": 600, "remaining": 535.0})  # fmt: skip
    assert "Clock 8:55 left" in seen(projector)
    session.apply({"do": "set", "variable": "world.tension", "value": 100, "rationale": "x"})
    turns = 0
    while not projector.alerts and turns < 6:
        session.apply({"do": "begin"})
        for seat in session.model.waiting_for():
            session.apply({"do": "decide", "actor": seat, "moves": []})
        session.apply({"do": "resolve"})
        projector.update(0.0)
        turns += 1
    assert projector.alerts or projector.alert, "a tension of 100 fires a risk trigger"
    first = projector.alert
    assert first.startswith(("RISK TRIGGER", "OUTCOME REACHED"))
    seen(projector)
    assert first in " ".join(projector.visible_text)  # in full, on one or two lines
    projector.update(ALERT_SECONDS + 0.1)
    assert projector.alert != first or not projector.alerts
    assert projector.viewer.turn == session.turn  # it follows the newest turn


def test_the_projector_reads_under_the_servers_lock(session):
    """While another thread holds the lock (an input being applied), the projector waits."""
    lock = threading.RLock()
    projector = ProjectorApp(session, lock=lock, window=False)
    lock.acquire()
    done = threading.Event()

    def draw() -> None:
        projector.sync()
        done.set()

    session.apply({"do": "begin"})
    worker = threading.Thread(target=draw)
    worker.start()
    assert not done.wait(0.3)
    lock.release()
    worker.join(5)
    assert done.is_set()


def test_projector_keys(session):
    projector = ProjectorApp(session, window=False)

    def press(k: int, char: str = "") -> None:
        projector.handle(pygame.event.Event(pygame.KEYDOWN, key=k, unicode=char, mod=0))

    press(pygame.K_f, "f")
    assert projector.fullscreen
    press(pygame.K_F11)
    assert not projector.fullscreen
    press(pygame.K_h, "h")
    assert "Projector: public view only" in seen(projector)
    press(pygame.K_ESCAPE)
    assert not projector.help and projector.running
    press(pygame.K_q, "q")
    assert projector.running
    press(pygame.K_q, "q")
    assert not projector.running
