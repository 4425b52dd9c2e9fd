"""Documentation generated from the catalog stays in step with it."""

from __future__ import annotations

from tests.conftest import ROOT
from tripwire.docgen import render


def test_model_card_reference_is_up_to_date(catalog):
    """docs/model-card.md lists exactly what the catalog holds (regenerate: `make docs`)."""
    path = ROOT / "docs" / "model-card.md"
    text = path.read_text(encoding="utf-8")
    assert render(text, catalog) == text, "docs/model-card.md is stale: run `make docs`"


def test_model_card_names_every_catalog_entry(catalog):
    """Every action, trigger, outcome and dynamics term has a row in the model card."""
    text = (ROOT / "docs" / "model-card.md").read_text(encoding="utf-8")
    for entry in (*catalog.actions, *catalog.triggers, *catalog.outcomes, *catalog.dynamics):
        assert f"`{entry.id}`" in text, entry.id
    for variable in catalog.variables:
        if not variable.name.startswith("rel."):
            assert f"`{variable.name}`" in text, variable.name
