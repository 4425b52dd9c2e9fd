"""Shared fixtures. Tests run headless and never read ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

# Game simulations make single examples slow-ish; keep Hypothesis fast and deterministic in CI.
settings.register_profile(
    "tripwire",
    deadline=None,
    max_examples=40,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("tripwire")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def catalog():
    from tripwire.catalog import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def baseline_rules():
    from tripwire.scenario.loader import load_scenario
    from tripwire.sim.rules import compile_rules

    return compile_rules(load_scenario("baseline"))


@pytest.fixture
def write_yaml(tmp_path):
    """Write a YAML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
