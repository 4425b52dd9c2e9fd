"""The room in a real headless browser: Debian's chromium driven by Playwright, several team
pages at once choosing cards and submitting, the white cell resolving the turn, the
projector showing the result; a bad input's message shown in the page. Screenshots are saved
as PNG (in TRIPWIRE_SCREENSHOTS if set, else the test's temporary folder) to look at.

Chromium is never downloaded: the tests use /usr/bin/chromium (``.ci/run`` installs Debian's
package). Outside CI they skip, saying why, when it is absent; in CI (CI=true) they run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tripwire.room.server import RoomServer
from tripwire.scenario.loader import load_scenario
from tripwire.session import Session

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TEAMS = ("USA", "KOR", "JPN")

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip(
        "Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium; "
        ".ci/run installs it, and in CI these tests run",
        allow_module_level=True,
    )
from playwright import sync_api  # noqa: E402 - a dev dependency: CI installs it


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def room(tmp_path: Path) -> Iterator[tuple[RoomServer, dict[str, str]]]:
    session = Session.create(
        load_scenario("missile_crisis_2"), seed=3, humans=list(TEAMS), folder=tmp_path / "s"
    )
    server = RoomServer(session, port=0)
    server.start()
    try:
        yield server, {link.viewer: url for link, url in server.links}
    finally:
        server.stop()
        session.close()


def _shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("TRIPWIRE_SCREENSHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_selector("#link.online")
    return page


def test_teams_decide_at_once_and_the_white_cell_resolves(browser, room, tmp_path):
    server, links = room
    shots = _shots(tmp_path)
    white = _open(browser, links["white"])
    projector = _open(browser, links["public"])
    teams = {t: _open(browser, links[f"team:{t}"]) for t in TEAMS}
    # the briefing: the read-aloud description and the team's own brief
    usa = teams["USA"]
    assert "Summer 2026" in usa.inner_text("#read-aloud")
    assert "United States team" in usa.inner_text("#briefs")
    assert "South Korea team" not in usa.inner_text("#briefs")
    white.screenshot(path=str(shots / "white-briefing.png"), full_page=True)

    white.click("#begin")
    for page in teams.values():
        page.wait_for_selector("#cards button.card:not([disabled])")
    usa.screenshot(path=str(shots / "team-usa-cards.png"), full_page=True)
    # a greyed card says why it is not available, in words
    unavailable = usa.locator("#cards button.card.unavailable")
    if unavailable.count():
        assert "Not available: needs" in unavailable.first.inner_text()
    # a team submitting nothing is told what to do; the page keeps working
    usa.click("#submit")
    assert "Choose at least one card" in usa.inner_text("#message")
    # every team chooses its first card that is its own move alone, and submits
    for code, page in teams.items():
        card = page.locator("#cards button.card:not([disabled])").filter(
            has_not_text="Joint with"
        ).first  # fmt: skip
        title = card.locator("strong").inner_text()
        card.click()
        assert "chosen" in (card.get_attribute("class") or "")
        page.click("#submit")
        page.wait_for_selector("#team-status:has-text('Submitted')")
        assert title.split(". ", 1)[1].split(" → ")[0] in page.inner_text("#team-status")
        assert code not in page.inner_text("#when").split("waiting for")[-1]
    white.wait_for_selector("#resolve:not([disabled])")
    assert "deciding…" not in white.inner_text("#pending")
    white.screenshot(path=str(shots / "white-review.png"), full_page=True)
    white.click("#resolve")
    projector.wait_for_selector("#situation h3:has-text('Situation update: turn 1')")
    for page in teams.values():
        page.wait_for_selector("#situation h3:has-text('turn 1')")
    projector.screenshot(path=str(shots / "projector-turn1.png"), full_page=True)
    feed = projector.inner_text("#feed")
    assert "decided" not in feed and "private" not in feed
    log = (server.room.session.folder / "log.jsonl").read_text()
    assert log.count('"kind":"decision"') == len(TEAMS)


def test_a_bad_input_shows_its_message_in_the_page(browser, room, tmp_path):
    _, links = room
    white = _open(browser, links["white"])
    white.select_option("#set-variable", "world.tension")
    white.fill("#set-value", "145")
    white.click("#f-set button[type=submit]")
    white.wait_for_selector("#message.error")
    assert "145 is outside world.tension's range [0, 100]" in white.inner_text("#message")
    # a share is typed as the percentage the page shows, and set as a share
    white.select_option("#set-variable", "world.sanctions_enforcement")
    assert "percentage" in white.inner_text("#set-range")
    white.fill("#set-value", "45")
    white.click("#f-set button[type=submit]")
    white.wait_for_selector("#message.ok")
    projector = _open(browser, links["public"])
    projector.wait_for_selector("#indicators:has-text('45%')")
    white.screenshot(path=str(_shots(tmp_path) / "white-error.png"), full_page=True)
