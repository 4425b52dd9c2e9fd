"""The scenario guide: its walkthrough builds a scenario that plays as the text says.

The walkthrough's YAML blocks are assembled into the example file, which must validate, lint
clean, run, and fire its triggers as the guide claims. The generated parts (the reference,
every command output shown) must be up to date, and editors must find the JSON Schema.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT
from tripwire.authoring.dryrun import trigger_frequencies
from tripwire.authoring.guide import assemble, blocks, render
from tripwire.authoring.lint import lint
from tripwire.cli import app
from tripwire.scenario import expr
from tripwire.scenario.loader import bundled_dir, bundled_scenarios, load_scenario
from tripwire.scenario.scaffold import SCHEMA_COMMENT, SCHEMA_FILE
from tripwire.scenario.schema import Scenario
from tripwire.sim.model import CrisisModel

GUIDE = ROOT / "docs" / "scenario-guide.md"
EXAMPLE = ROOT / "docs" / "examples" / "seventh_test_election.yaml"


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dry_run() -> dict[str, Any]:
    """The finished walkthrough scenario over the guide's 200 games."""
    return trigger_frequencies(EXAMPLE, 200, seed=1)


def test_guide_is_up_to_date(guide: str) -> None:
    """The reference and every output shown are what Tripwire produces today.

    Regenerate with `python -m tripwire.authoring.guide`.
    """
    assert render(guide) == guide, (
        "docs/scenario-guide.md is stale: python -m tripwire.authoring.guide"
    )


def test_walkthrough_builds_the_example_file(guide: str) -> None:
    """Copying the walkthrough's blocks one after the other gives the example file."""
    assert assemble(guide) == EXAMPLE.read_text(encoding="utf-8")
    kinds = [b.kind for b in blocks(guide)]
    assert kinds.count("step") == 8
    assert kinds.count("try") == 2
    for b in blocks(guide):
        if b.kind == "output":
            assert b.text.startswith(
                (
                    "$ tripwire validate seventh_test_election.yaml\n",
                    "$ tripwire lint seventh_test_election.yaml\n",
                    "$ tripwire triggers seventh_test_election.yaml --runs 200\n",
                )
            )


def test_example_validates_lints_clean_and_runs() -> None:
    """The finished scenario is valid, has no lint warnings, and plays its twelve turns."""
    scenario = load_scenario(EXAMPLE)
    assert (scenario.id, scenario.turns, scenario.start, scenario.extends) == (
        "seventh_test_election",
        12,
        "2028-08",
        "baseline",
    )
    assert lint(EXAMPLE) == []
    model = CrisisModel(scenario, rng=1, collect=False).run()
    assert model.turn == 12
    assert model.value("USA.election_pressure") < 60  # the election has come and gone


def test_triggers_fire_as_the_guide_says(dry_run: dict[str, Any]) -> None:
    """The claims of step 8 hold over the 200 games of the dry run."""
    injects, triggers = dry_run["injects"], dry_run["triggers"]
    outcome = dry_run["outcomes"]["seoul_nuclear_moment"]
    for ident, turn in (("seventh_nuclear_test", 3), ("election_day", 4)):
        assert injects[ident]["share"] == 1.0
        assert injects[ident]["first_median"] == turn
    leak = injects["campaign_leak"]  # "in about half of them, before the vote"
    assert 0.35 <= leak["share"] <= 0.65
    assert leak["first_p90"] <= 3
    show = triggers["campaign_show_of_force"]  # "about two games in five, within two turns"
    assert 0.25 <= show["share"] <= 0.6
    assert show["first_p10"] >= 3 and show["first_p90"] <= 5
    surge = triggers["seoul_nuclear_debate_surges"]  # "in most games, on turn 3 or 4"
    assert surge["share"] >= 0.6
    assert surge["first_median"] in (3, 4)
    assert 0.35 <= outcome["share"] <= 0.65  # "about half of the games, on the turn of the test"
    assert outcome["first_median"] == 3


def test_first_outcome_attempt_is_never_reached(guide: str, tmp_path) -> None:
    """Step 8's first attempt (the alliance frays) never happens, as the guide explains."""
    steps = [b for b in blocks(guide) if b.kind in ("step", "try")]
    tries = [i for i, b in enumerate(steps) if b.kind == "try"]
    text = "".join(b.text for b in steps[: tries[-1]] if b.kind == "step") + steps[tries[-1]].text
    path = tmp_path / "seventh_test_election.yaml"
    path.write_text(text, encoding="utf-8")
    result = trigger_frequencies(path, 200, seed=1)
    assert result["outcomes"]["seoul_nuclear_moment"]["share"] == 0


def test_reference_covers_every_key_variable_action_and_function(guide: str, catalog) -> None:
    """Every scenario key, variable, action, tag and condition function is documented."""
    reference = guide[guide.index("## 4. Reference") :]
    schema = Scenario.model_json_schema()
    for model in [schema, *schema["$defs"].values()]:
        for key in model["properties"]:
            assert f"| `{key}` |" in reference, key
    for v in catalog.variables:
        assert f"`{v.name}`" in reference, v.name
    for a in catalog.actions:
        assert f"`{a.id}`" in reference, a.id
        for tag in a.tags:
            assert f"| `{tag}` |" in reference, tag
    for name in expr.FUNCTIONS:
        assert f"`{name}(" in reference, name
    for title in ("### Error messages", "### Warning messages"):
        assert title in reference


# --- editor support ------------------------------------------------------------------------


def test_schema_file_is_the_schema_command_output() -> None:
    """The bundled scenario.schema.json is exactly what `tripwire schema` prints."""
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert (bundled_dir() / SCHEMA_FILE).read_text(encoding="utf-8") == result.stdout


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_bundled_scenarios_name_the_schema(name: str) -> None:
    """Each bundled scenario's first line points editors at the schema file beside it."""
    for folder in (bundled_dir(), ROOT / "scenarios"):
        path = folder / f"{name}.yaml"
        assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_COMMENT
        assert (path.parent / SCHEMA_FILE).is_file()


def test_every_schema_field_has_a_description() -> None:
    """Hover help works everywhere: every model and every key of the schema is described."""
    schema = json.loads((bundled_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))
    missing = []
    for name, model in [("Scenario", schema), *schema["$defs"].items()]:
        if not model.get("description"):
            missing.append(name)
        for key, prop in model["properties"].items():
            if not prop.get("description"):
                missing.append(f"{name}.{key}")
    assert missing == []
