"""docs/odd.md, the ODD description, is generated from the catalog and stays in step with it."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import ROOT
from tripwire import odd, targets


@pytest.fixture(scope="module")
def text() -> str:
    return odd.render()


def test_odd_is_up_to_date(text):
    """docs/odd.md is exactly what the catalog renders to (regenerate: `make docs`)."""
    path = ROOT / "docs" / "odd.md"
    assert path.exists(), "docs/odd.md is missing: run python -m tripwire.odd"
    assert path.read_text(encoding="utf-8") == text, (
        "docs/odd.md is stale: run python -m tripwire.odd"
    )


def test_odd_names_every_catalog_entry(text, catalog):
    """Every action, trigger, dynamics term, outcome, objective and target is described."""
    ids = [e.id for e in (*catalog.actions, *catalog.triggers, *catalog.dynamics)]
    ids += [o.id for o in catalog.outcomes]
    ids += [oid for profile in catalog.actors.values() for oid in profile.objectives]
    ids += [t["id"] for entries in targets.load_targets().values() for t in entries or ()]
    missing = [i for i in ids if f"`{i}`" not in text]
    assert not missing, f"not in docs/odd.md: {missing}"
    for variable in catalog.variables:
        assert f"`{variable.name}`" in text, variable.name


def test_odd_elements_in_order(text):
    """The seven ODD elements (Grimm et al. 2020) are level-2 headings, in order, then the
    evidence."""
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == [*odd.ELEMENTS, "Evidence"]
    for concept in ("Basic principles", "Emergence", "Adaptation", "Objectives", "Learning"):
        assert f"### {concept}\n" in text
    for concept in ("Prediction", "Sensing", "Interaction", "Stochasticity", "Collectives"):
        assert f"### {concept}\n" in text
    assert "### Observation\n" in text


def test_odd_follows_the_catalog(text, catalog):
    """An edit to the catalog changes the document: an action's source, an objective's
    weight and a variable's range all show up (pipes escaped in table cells)."""
    first = catalog.actions[0]
    action = first.model_copy(update={"source": "Edited source | with a pipe"})
    code, profile = next(iter(catalog.actors.items()))
    oid, objective = next(iter(profile.objectives.items()))
    objectives = {**profile.objectives, oid: objective.model_copy(update={"weight": 42.5})}
    variable = catalog.variables[0].model_copy(update={"max": 12345.0})
    edited = dataclasses.replace(
        catalog,
        actions=(action, *catalog.actions[1:]),
        actors={**catalog.actors, code: profile.model_copy(update={"objectives": objectives})},
        variables=(variable, *catalog.variables[1:]),
    )
    new = odd.render(edited)
    assert new != text
    assert "Edited source \\| with a pipe" in new
    assert f"| {code} | `{oid}` | 42.5 |" in new
    assert f"`{variable.name}` | {variable.min:g}..12345 |" in new
    assert "Edited source" not in text


def test_odd_main_writes_the_file(tmp_path, text):
    """`python -m tripwire.odd PATH` writes the rendered document to PATH."""
    out = tmp_path / "odd.md"
    assert odd.main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == text
