"""`tripwire new`: a commented scenario that validates and lints clean as written."""

from __future__ import annotations

import json

import pytest

from tripwire.authoring.lint import lint
from tripwire.errors import InputError, ScenarioError
from tripwire.scenario.loader import bundled_scenarios, load_scenario
from tripwire.scenario.scaffold import (
    SCHEMA_COMMENT,
    SCHEMA_FILE,
    scaffold,
    scenario_id,
    schema_json,
    write_scaffold,
)
from tripwire.scenario.schema import Scenario


@pytest.mark.parametrize("base", [None, *sorted(bundled_scenarios())])
def test_new_file_validates_and_lints_clean(tmp_path, monkeypatch, base) -> None:
    """With or without a base, the new file is valid and has no warnings, as written."""
    monkeypatch.chdir(tmp_path)
    path, *_ = write_scaffold("my_crisis", base=base)
    scenario = load_scenario(path)
    assert lint(path) == []
    assert scenario.id == "my_crisis"
    assert scenario.extends == base
    if base is not None:
        parent = load_scenario(base)
        assert (scenario.turns, scenario.start) == (parent.turns, parent.start)
        assert f"# {base} already has" in path.read_text(encoding="utf-8")


def test_every_key_line_is_explained() -> None:
    """The file opens with the editor's schema comment, and every top-level key has a comment."""
    text = scaffold("my_crisis")
    lines = text.splitlines()
    assert lines[0] == SCHEMA_COMMENT
    top = [line for line in lines if line and not line.startswith((" ", "#"))]
    for line in top:
        key = line.split(":")[0]
        assert "#" in line or key in ("state", "injects", "triggers", "outcomes"), line
    for key in Scenario.model_fields:  # every key is shown, in use or commented out
        assert f"{key}:" in text, key


def test_commented_examples_are_valid_too(write_yaml) -> None:
    """Uncommenting the examples (variables, chance inject, actors, disable) keeps it valid."""
    text = scaffold("my_crisis", base="baseline")
    keys = set(Scenario.model_fields) - {"extends"}
    uncommented, inside = [], False
    for line in text.splitlines():
        stripped = line.lstrip()
        body = stripped[2:] if stripped.startswith("# ") else None
        # an example starts at `# KEY:` or `# - id:` and goes on over indented comment lines
        starts = body is not None and (body.split(":")[0] in keys or body.startswith("- id:"))
        inside = starts or (inside and body is not None and body.startswith("  "))
        uncommented.append(line[: len(line) - len(stripped)] + body if inside else line)
    path = write_yaml("\n".join(uncommented) + "\n")
    scenario = load_scenario(path)
    assert [v.name for v in scenario.variables] == ["USA.election_pressure"]
    assert scenario.actors["PRK"].risk_tolerance == 0.8
    assert scenario.disable.triggers == ["provocation_spiral"]
    assert "my_crisis_chance_event" in [i.id for i in scenario.injects]
    assert [a.id for a in scenario.actions] == ["my_crisis_hotline_call"]
    assert [d.id for d in scenario.dynamics] == ["my_crisis_cooling"]


@pytest.mark.parametrize(
    ("name", "ident", "title"),
    [
        ("my_crisis", "my_crisis", "My crisis"),
        ("Seventh test election", "seventh_test_election", "Seventh test election"),
        ("crises/taiwan-2027.yaml", "taiwan_2027", "Taiwan 2027"),
    ],
)
def test_names_become_ids_and_titles(name: str, ident: str, title: str) -> None:
    """NAME may be an id, words or a file name; the id and title follow from it."""
    assert scenario_id(name) == ident
    assert f"\nid: {ident}  #" in scaffold(name)
    assert f"\ntitle: {title}  #" in scaffold(name)


@pytest.mark.parametrize("name", ["2027_crisis", "---", ""])
def test_names_that_cannot_be_ids_are_refused(name: str) -> None:
    """A name without a leading letter is a located input error (exit 2 in the CLI)."""
    with pytest.raises(InputError) as err:
        scaffold(name)
    (d,) = err.value.diagnostics
    assert d.format().startswith("NAME:1:1: error: ")


def test_unknown_base_is_reported() -> None:
    """`--from` a scenario that does not exist reports it, with a suggestion."""
    with pytest.raises(ScenarioError, match="did you mean 'baseline'"):
        scaffold("my_crisis", base="baselin")


def test_writes_the_schema_once_and_never_overwrites(tmp_path) -> None:
    """The schema file is written when missing; an existing scenario file is never replaced."""
    written = write_scaffold("one", folder=tmp_path)
    assert written == [tmp_path / "one.yaml", tmp_path / SCHEMA_FILE]
    assert json.loads((tmp_path / SCHEMA_FILE).read_text(encoding="utf-8"))["title"]
    assert write_scaffold("two", folder=tmp_path) == [tmp_path / "two.yaml"]
    before = (tmp_path / "one.yaml").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="already exists"):
        write_scaffold("one", folder=tmp_path)
    assert (tmp_path / "one.yaml").read_text(encoding="utf-8") == before


def test_base_given_as_a_path_is_extended_relative_to_the_new_file(tmp_path, monkeypatch) -> None:
    """A base file in another folder is written as a path relative to the new file."""
    monkeypatch.chdir(tmp_path)
    (base,) = [p for p in write_scaffold("base_crisis", folder="bases") if p.suffix == ".yaml"]
    path, *_ = write_scaffold("child", base=str(base), folder="mine")
    assert "extends: ../bases/base_crisis.yaml  #" in path.read_text(encoding="utf-8")
    assert load_scenario(path).extends == "../bases/base_crisis.yaml"
    assert lint(path) == []


def test_schema_text_is_the_schema_command_output() -> None:
    """The schema written for editors is exactly what `tripwire schema` prints."""
    from typer.testing import CliRunner

    from tripwire.cli import app

    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == schema_json()
