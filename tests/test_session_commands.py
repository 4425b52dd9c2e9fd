"""Typed session inputs: one model per kind, parsed at the edges, the journal's format kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tripwire.scenario.loader import load_scenario
from tripwire.session import Session, SessionError
from tripwire.session.commands import (
    Begin,
    CommandError,
    Decide,
    MoveRef,
    Note,
    Resolve,
    SetValue,
    Undo,
    parse_command,
)
from tripwire.session.journal import JOURNAL, LOG


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1], "an input must be a JSON object"),
        ({"do": "teleport"}, "unknown input 'teleport'"),
        ({"do": "decide", "actor": 5, "moves": []}, "'actor' must be text"),
        ({"do": "decide", "actor": "USA", "moves": [{"action": 3}]}, "'moves[0].action' must"),
        ({"do": "set", "variable": "world.tension", "value": "high"}, "'value' must be a number"),
        ({"do": "set", "variable": "world.tension", "value": True}, "'value' must be a number"),
        ({"do": "set", "variable": "world.tension", "value": float("nan")}, "finite"),
        ({"do": "force", "actor": "USA", "action": "x", "success": "yes"}, "'success' must be"),
        ({"do": "note", "text": ["x"]}, "'text' must be text"),
        ({"do": "fork", "runs": 0, "outcomes": {}}, "'runs' must be 1 or more"),
        ({"do": "undo", "undone_turn": "two"}, "'undone_turn' must be a whole number"),
        ({"do": "note", "text": "x", "publish": "yes"}, "'publish' must be true or false"),
    ],
)
def test_bad_inputs_name_the_field(data, message):
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_command(data)


def test_people_typing_get_misspelt_keys_refused_journals_do_not():
    data = {"do": "note", "text": "x", "publsh": True}
    assert parse_command(data) == Note(text="x")  # a journal of a later version still reads
    with pytest.raises(CommandError, match="'publsh' is not a key of a 'note' input"):
        parse_command(data, strict_keys=True)


def test_an_entry_is_what_was_given():
    assert parse_command({"do": "begin"}).entry() == {"do": "begin"}
    given = {"do": "set", "variable": "world.tension", "value": 70, "rationale": "r"}
    assert parse_command(given).entry() == given
    assert Decide(actor="USA", moves=[MoveRef(action="a")]).entry() == {
        "do": "decide",
        "actor": "USA",
        "moves": [{"action": "a"}],
    }


def test_typed_and_dict_inputs_give_the_same_game(tmp_path: Path):
    spec = load_scenario("missile_crisis_2")
    typed = Session.create(spec, seed=7, humans=["USA"], folder=tmp_path / "typed")
    plain = Session.create(spec, seed=7, humans=["USA"], folder=tmp_path / "plain")
    for command in (
        SetValue(variable="world.tension", value=70, rationale="start hot"),
        Begin(),
        Decide(actor="USA", moves=[MoveRef(action="deploy_carrier_group", target="PRK")]),
        Resolve(),
        Undo(rationale="again"),
    ):
        typed.apply(command)
        plain.apply(command.entry())
    assert (tmp_path / "typed" / JOURNAL).read_text() == (tmp_path / "plain" / JOURNAL).read_text()
    assert (tmp_path / "typed" / LOG).read_text() == (tmp_path / "plain" / LOG).read_text()
    undo = json.loads((tmp_path / "typed" / JOURNAL).read_text().splitlines()[-1])
    assert undo["undone_turn"] == 1 and undo["undone"]  # filled in when applied
    with pytest.raises(SessionError, match="'value' must be a number"):
        typed.apply({"do": "set", "variable": "world.tension", "value": "x"})
    typed.close()
    plain.close()


def test_a_journal_written_before_typed_commands_resumes(tmp_path: Path):
    """A journal as Tripwire wrote it before (no publish, step lines, an undo with its turn)
    resumes and replays, and its private records stay private."""
    spec = load_scenario("missile_crisis_2")
    folder = tmp_path / "old"
    session = Session.create(spec, seed=7, humans=["USA", "KOR"], folder=folder)
    session.close()
    del session
    old = [
        {"do": "note", "text": "before the game", "who": "white cell"},
        {
            "entries": [
                {
                    "do": "inject",
                    "id": "taiwan_strait_crisis",
                    "who": "white cell",
                    "rationale": "Start the crisis.",
                },
                {"do": "begin"},
                {
                    "do": "decide",
                    "actor": "USA",
                    "moves": [{"action": "deploy_carrier_group", "target": "PRK"}],
                },
                {"do": "decide", "actor": "KOR", "moves": []},
                {"do": "resolve"},
            ],
            "step": 0,
        },
        {
            "do": "undo",
            "rationale": "again",
            "who": "white cell",
            "undone_turn": 1,
            "undone": [
                {
                    "actor": "USA",
                    "action": "deploy_carrier_group",
                    "target": "PRK",
                    "result": "succeeded",
                }
            ],
        },
    ]
    (folder / JOURNAL).write_text("".join(json.dumps(line) + "\n" for line in old))
    (folder / LOG).unlink()
    resumed = Session.resume(folder)
    assert resumed.turn == 0 and resumed.phase == "briefing"
    records = resumed.model.records()
    whats = [r.get("what") or r.get("kind") for r in records if r["type"] == "event"]
    assert whats == ["note", "inject", "inject", "undo"]
    assert {r["seen"] for r in records if r.get("kind") in ("note", "intervention")} == {"white"}
    resumed.close()
