"""Regenerate the golden event logs: ``make golden`` (review the diff like code).

The golden logs pin the exact behaviour of every bundled scenario for one seed. A change to
the engine, the catalog or a scenario that moves them must be deliberate: rerun this, read
``git diff tests/golden``, and commit the new logs with the change that explains them.
"""

from __future__ import annotations

from pathlib import Path

from tripwire.logfile import write_log
from tripwire.scenario.loader import bundled_scenarios
from tripwire.sim.model import CrisisModel

GOLDEN = Path(__file__).resolve().parent / "golden"
SEED = 7


def golden_path(name: str) -> Path:
    return GOLDEN / f"{name}_seed{SEED}.jsonl"


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name in bundled_scenarios():
        write_log(golden_path(name), CrisisModel(name, rng=SEED, collect=False).run().log)
        print(f"wrote {golden_path(name).relative_to(Path.cwd())}")


if __name__ == "__main__":
    main()
