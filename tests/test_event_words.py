"""Every kind of event record is said in words by one describer (tripwire.sim.events.describe)
and read by one reader (tripwire.gamelog.Game); the board's feed, the room, the turn table
and the reports all show its words (docs/event-log.md, docs/architecture.md)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tripwire.gamelog import Game
from tripwire.logfile import parse_log
from tripwire.report.labels import record_names
from tripwire.sim.events import (
    EVENT_KINDS,
    KIND_NAMES,
    RAW,
    Names,
    describe,
    describe_intervention,
    dumps_log,
    move_words,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "event-log.md"


def _doc_section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _documented_kinds() -> list[str]:
    """The kinds of the event table of docs/event-log.md, in its order."""
    return re.findall(r"^\| `(\w+)` \|", _doc_section("event"), flags=re.M)


def _documented_interventions() -> list[str]:
    """The ``what`` of each intervention the contract lists."""
    row = next(r for r in _doc_section("event").splitlines() if r.startswith("| `intervention`"))
    told = row.split("and by `what`:", 1)[1]
    out = []
    for part in told.split("; "):  # "`veto` / `clear` (...) with ...", "`set` with ..."
        lead = re.match(r"\s*((?:`\w+`(?: / )?)+)", part)
        out += re.findall(r"`(\w+)`", lead[1]) if lead else []
    return out


# One record of each kind, with the fields the contract gives it.
SAMPLES: dict[str, dict[str, Any]] = {
    "inject": {"kind": "inject", "id": "japan_overflight", "cause": "trigger:missile_over_japan",
               "text": "A DPRK missile overflies Hokkaido.", "effects": {"world.tension": 8.0}},
    "action": {"kind": "action", "actor": "KOR", "target": "PRK", "action": "trilateral_exercise",
               "name": "Trilateral exercise", "domain": "military", "cameo": "150",
               "goldstein": -7.2, "escalation": "posturing", "score": 2, "p": 0.8, "roll": 0.9,
               "success": False, "effects": {}, "partners": ["USA", "JPN"]},
    "trigger": {"kind": "trigger", "id": "provocation_spiral",
                "text": "Repeated missile tests provoke Seoul.", "effects": {"world.tension": 5.0}},
    "outcome": {"kind": "outcome", "id": "mc2", "title": "Missile Crisis 2.0"},
    "decision": {"kind": "decision", "actor": "USA", "who": "USA team",
                 "moves": [{"action": "offer_talks", "target": "PRK"}]},
    "intervention": {"kind": "intervention", "who": "white cell", "what": "set",
                     "variable": "world.tension", "value": 91.0, "previous": 55.0,
                     "text": "White cell set world.tension to 91 (was 55)",
                     "rationale": "Match the room."},
    "note": {"kind": "note", "who": "white cell", "text": "Pause for discussion."},
}  # fmt: skip

# One intervention of each ``what``, its logged text a sentinel a fallback would show.
INTERVENTIONS: dict[str, dict[str, Any]] = {
    "veto": {"actor": "USA", "action": "offer_talks", "target": "PRK"},
    "force_success": {"actor": "KOR", "action": "trilateral_exercise", "target": "PRK"},
    "force_failure": {"actor": "USA", "action": "offer_talks", "target": "PRK"},
    "clear": {"actor": "PRK", "action": "srbm_salvo", "target": None},
    "inject": {"inject": "adhoc", "headline": "A ferry sinks."},
    "set": {"variable": "world.tension", "value": 91.0, "previous": 55.0},
    "fork": {"runs": 200, "from_turn": 3, "outcomes": {
        "mc2": {"title": "Missile Crisis 2.0", "probability": 0.84, "ci95": [0.78, 0.88]}}},
    "undo": {"undone_turn": 3, "undone": [{"actor": "KOR", "action": "trilateral_exercise",
                                           "target": "PRK", "result": "forced to succeed"}]},
}  # fmt: skip


def _log(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A valid one-turn log holding ``events`` (checked by the log's reader)."""
    state = {"world.tension": 50.0}
    snap = {"escalation_score": 0, "rung": 3, "state": state, "progress": {}, "seen": "public"}
    records = [
        {"type": "header", "schema": 1, "tripwire": "0.1.0", "scenario": "words",
         "title": "Words", "scenario_sha256": "0" * 64, "catalog_sha256": "0" * 64, "seed": 1,
         "turns": 1, "start": "2026-06", "actors": ["RUS", "PRK", "CHN", "USA", "KOR", "JPN"],
         "outcomes": [{"id": "mc2", "title": "Missile Crisis 2.0"}], "humans": ["USA"],
         "seen": "public"},
        {"type": "turn", "turn": 0, "date": "2026-06", **snap},
        *({"type": "event", "turn": 1, "seq": k, **e, "seen": "public"}
          for k, e in enumerate(events)),
        {"type": "turn", "turn": 1, "date": "2026-06", **snap},
    ]  # fmt: skip
    return parse_log(dumps_log(records), "words.jsonl")


def test_the_contract_and_the_describer_list_the_same_kinds():
    assert _documented_kinds() == list(EVENT_KINDS)
    assert set(KIND_NAMES) == set(EVENT_KINDS)
    assert set(SAMPLES) == set(EVENT_KINDS)
    assert _documented_interventions() == list(INTERVENTIONS)


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_the_describer_says_every_kind_of_the_contract(kind):
    """Each kind has its own words (not the fallback for a kind newer than the describer),
    with codes as logged or with the catalog's names."""
    (record,) = [e for e in _log([SAMPLES[kind]]) if e["type"] == "event"]
    for names in (RAW, record_names()):
        said = describe(record, names)
        assert said.kind == kind
        assert said.head.endswith(":") and said.head != f"{kind.capitalize()}:", said
        assert said.body and said.name and said.label, said
        assert said.line.startswith(said.head + " " + said.body)
    assert describe({"kind": "meteor", "text": "A rock."}).line == "Meteor: A rock."


@pytest.mark.parametrize("what", list(INTERVENTIONS))
def test_every_intervention_is_worded_from_its_data(what):
    """An intervention is said from its data fields, never by showing or cutting its logged
    text; the log's own text (RAW names) starts with "White cell"."""
    record = {"kind": "intervention", "who": "white cell", "what": what, "text": "LOGGED",
              **INTERVENTIONS[what]}  # fmt: skip
    assert describe_intervention(record).startswith("White cell ")
    for names in (RAW, record_names()):
        words = describe_intervention(record, names, subject=False)
        assert "LOGGED" not in words and words[:1].isupper(), words
        assert describe(record, names).body == words


def test_readers_name_what_the_log_holds_as_codes():
    said = describe(SAMPLES["action"], record_names())
    assert said.head == "South Korea → North Korea:"
    assert said.body == "Trilateral exercise — failed, with United States, Japan"
    assert said.name == "Trilateral exercise → North Korea (with United States, Japan)"
    assert describe(SAMPLES["intervention"], record_names()).line == (
        "White cell: Set Tension to 91 (was 55) — rationale: Match the room."
    )
    assert describe(SAMPLES["inject"]).cause == "set off by the trigger missile_over_japan"


def test_every_view_shows_the_describers_words():
    """The board's feed, the room, the turn table and the review's timeline say each record
    as describe() does: no view has words of its own for a kind."""
    from tripwire.board.common.frame import game_frame, reference
    from tripwire.report.timeline import actor_lines, world_lines
    from tripwire.room.views import line
    from tripwire.turntable import turn_table

    events = [SAMPLES[k] for k in EVENT_KINDS]
    game = Game.from_records(_log(events))
    names = record_names()
    said = [describe(e, names) for e in game.events(1)]
    feed = game_frame(game, 1, ref=reference()).feed
    assert [(i.head, i.body) for i in feed] == [(s.head, s.text) for s in said]
    assert [line(e) for e in game.events(1)] == [s.line for s in said]
    world = ["".join(str(getattr(p, "text", p)) for p in parts) for parts in world_lines(game, 1)]
    for s in said:
        if s.kind != "action":
            assert any(s.head in w and s.body in w for w in world), (s, world)
    ((_, moves),) = actor_lines(game, 1)
    assert describe(SAMPLES["action"], names).name in "".join(
        str(getattr(p, "text", p)) for p in moves
    )
    buf = io.StringIO()
    Console(file=buf, width=300, force_terminal=False).print(turn_table(game.records))
    table = buf.getvalue()
    tight = move_words(SAMPLES["action"], Names(actions=names.actions), arrow="→")
    assert f"{tight} ✗" in table  # codes, a tight arrow: "Trilateral exercise→PRK (with USA, JPN)"
    for kind in ("inject", "trigger", "outcome"):
        assert describe(SAMPLES[kind], names).name in table


def test_one_reader_serves_the_board_and_the_review():
    """The reader keeps the turns, the events after the last snapshot (the white cell's acts
    that open the next turn) and the queries the board and the review ask."""
    records = _log([SAMPLES["outcome"], SAMPLES["trigger"]])
    pending = {"type": "event", "turn": 2, "seq": 0, **SAMPLES["note"], "seen": "white"}
    game = Game.from_records([*records, pending])
    assert game.turn_numbers == [0, 1] and game.last_turn == 1 and not game.finished
    assert game.pending == (pending,) and game.events(2) == (pending,)
    assert [e["kind"] for _, e in game.every_event()] == ["outcome", "trigger", "note"]
    assert game.reached() == {"mc2": 1} and game.reached(0) == {"mc2": None}
    assert game.marks() == ((1, "trigger"), (1, "outcome"))
    assert game.value(1, "world.tension") == 50.0 and game.value(1, "world.escalation_rung") == 3
    assert game.date(2) == "2026-07" and game.series("world.tension") == [50.0, 50.0]
