"""Who sees what: every record of a session's log says its audience, and one filter
(``tripwire.sim.events.visible``) decides what each viewer gets (docs/event-log.md)."""

from __future__ import annotations

import pytest

from tripwire.scenario.loader import load_scenario
from tripwire.session import Session
from tripwire.sim.events import audience, check_viewer, visible
from tripwire.sim.model import CrisisModel


@pytest.fixture(scope="module")
def game() -> Session:
    session = Session.create(
        load_scenario("missile_crisis_2"), seed=7, humans=["USA", "KOR"], folder=None
    )
    session.apply({"do": "note", "text": "private note ZQX1"})
    session.apply({"do": "note", "text": "public note ZQP1", "publish": True})
    session.apply({"do": "set", "variable": "world.tension", "value": 60, "rationale": "why ZQX2"})
    session.apply({"do": "begin"})
    session.apply({"do": "decide", "actor": "USA", "moves": [{"action": "deploy_carrier_group",
                                                             "target": "PRK"}]})  # fmt: skip
    session.apply({"do": "decide", "actor": "KOR", "moves": []})
    session.apply({"do": "veto", "actor": "USA", "action": "deploy_carrier_group",
                   "rationale": "veto why ZQX3", "publish": True})  # fmt: skip
    session.apply({"do": "resolve"})
    return session


def test_every_record_says_who_sees_it(game):
    records = game.model.records()
    assert records and all("seen" in r for r in records)
    seen = {(r.get("kind") or r["type"], r["seen"]) for r in records}
    assert ("decision", "team:USA") in seen and ("decision", "team:KOR") in seen
    assert ("note", "white") in seen and ("note", "public") in seen
    assert ("intervention", "white") in seen  # the set, unpublished
    assert ("intervention", "public") in seen  # the veto, published
    assert {s for k, s in seen if k in ("header", "turn", "action", "inject")} == {"public"}


def test_each_viewer_gets_its_share(game):
    records = game.model.records()

    def texts(viewer: str) -> str:
        return repr([r for r in records if visible(r, viewer)])

    white, usa, kor, public = (texts(v) for v in ("white", "team:USA", "team:KOR", "public"))
    for marker in ("ZQX1", "ZQX2", "ZQP1", "ZQX3"):
        assert marker in white
    for shown in (usa, kor, public):
        assert "ZQX1" not in shown and "ZQX2" not in shown
        assert "ZQP1" in shown and "ZQX3" in shown  # published
    usa_decision = [r for r in records if r.get("kind") == "decision" and r["actor"] == "USA"]
    assert all(visible(r, "team:USA") and not visible(r, "team:KOR") for r in usa_decision)
    assert not any(visible(r, "public") for r in usa_decision)


def test_old_and_odd_records():
    # logs written before the field: the kind implies the audience
    assert audience({"type": "event", "kind": "decision", "actor": "USA"}) == "team:USA"
    assert audience({"type": "event", "kind": "note", "text": "x"}) == "white"
    assert audience({"type": "event", "kind": "intervention"}) == "white"
    assert audience({"type": "event", "kind": "action"}) == "public"
    assert audience({"type": "turn", "turn": 1}) == "public"
    # a value a view cannot place is the white cell's
    for odd in ("everyone", "team:", "team:US A", 3, ["public"]):
        assert audience({"type": "event", "kind": "action", "seen": odd}) == "white"
        assert not visible({"type": "event", "kind": "action", "seen": odd}, "public")
    with pytest.raises(ValueError, match="unknown viewer"):
        check_viewer("team")
    with pytest.raises(ValueError, match="unknown viewer"):
        visible({"seen": "public"}, "USA")


def test_a_bot_game_is_all_public():
    log = CrisisModel("baseline", rng=3, collect=False).run().log
    assert {audience(r) for r in log} == {"public"}


def test_the_review_shows_everything_and_marks_what_was_private(game, tmp_path):
    from tripwire.report.aar import write_game_report
    from tripwire.sim.events import dumps_log

    log = tmp_path / "game.jsonl"
    log.write_text(dumps_log(game.model.records()), encoding="utf-8")
    html, md = write_game_report(log, tmp_path / "review.html")
    text = md.read_text(encoding="utf-8")
    for marker in ("ZQX1", "ZQX2", "ZQP1", "ZQX3"):  # everything, private or not
        assert marker in text
    rows = {line for line in text.splitlines() if "ZQ" in line and line.startswith("|")}
    private = {r for r in rows if "Private: seen by the white cell only." in r}
    assert any("ZQX1" in r for r in private) and any("ZQX2" in r for r in private)
    assert not any("ZQP1" in r or "ZQX3" in r for r in private)  # published
    assert "1 of them private to the white cell" in text
    assert "Private: seen by the white cell only." in html.read_text(encoding="utf-8")
