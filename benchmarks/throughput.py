"""Games per second of a 24-turn baseline game on one core, next to a floor measured in the
same run: a bare Mesa model with six agents doing nothing for 24 steps (DESIGN.md section 10).

    python benchmarks/throughput.py [--seconds S]

Each figure is the best of three timed rounds of about S seconds, so a busy moment of the
machine does not decide it. The ratio floor / ours says how far above bare Mesa's own cost a
full game is (target: within ~5x; issue 2 target >= 300 games/s, goal >= 1,000).
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import mesa

from tripwire.scenario.loader import load_scenario
from tripwire.sim.model import CrisisModel
from tripwire.sim.rules import compile_rules

TURNS = 24


class _Idle(mesa.Agent):
    def step(self) -> None:
        pass


class BareModel(mesa.Model):
    """The floor: six agents that do nothing, 24 steps."""

    def __init__(self, rng: int, collect: bool = False):
        super().__init__(rng=rng)
        _Idle.create_agents(self, 6)
        self.x = 0.0
        self.datacollector = (
            mesa.DataCollector(model_reporters={"x": "x", "steps": lambda m: m.steps})
            if collect
            else None
        )

    def step(self) -> None:
        self.agents.do("step")
        if self.datacollector is not None:
            self.datacollector.collect(self)


def rate(play: Callable[[int], None], seconds: float) -> float:
    """Best of three rounds of games per second."""
    best = 0.0
    seed = 0
    for _ in range(3):
        n, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for _ in range(20):
                play(seed)
                seed += 1
            n += 20
        best = max(best, n / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each timed round")
    args = parser.parse_args()

    rules = compile_rules(load_scenario("baseline"))

    def bare(seed: int) -> None:
        model = BareModel(seed)
        for _ in range(TURNS):
            model.step()

    def bare_dc(seed: int) -> None:
        model = BareModel(seed, collect=True)
        for _ in range(TURNS):
            model.step()

    def lean(seed: int) -> None:
        CrisisModel(rules, rng=seed, record=False, collect=False).run()

    def recorded(seed: int) -> None:
        CrisisModel(rules, rng=seed, record=True, collect=False).run()

    def collected(seed: int) -> None:
        CrisisModel(rules, rng=seed, record=True, collect=True).run()

    print(
        f"Tripwire throughput, 24-turn baseline game, one core ({platform.python_version()}, "
        f"Mesa {mesa.__version__}, {platform.machine()})"
    )
    floor = rate(bare, args.seconds)
    floor_dc = rate(bare_dc, args.seconds)
    rows = [
        ("floor: bare Mesa, 6 idle agents", floor),
        ("floor: bare Mesa + DataCollector", floor_dc),
        ("tripwire: lean (batch mode, no log)", rate(lean, args.seconds)),
        ("tripwire: full event log", rate(recorded, args.seconds)),
        ("tripwire: event log + DataCollector", rate(collected, args.seconds)),
    ]
    for label, value in rows:
        print(f"  {label:40s} {value:9.1f} games/s   floor/this = {floor / value:6.2f}x")
    lean_rate = rows[2][1]
    verdict = "meets" if lean_rate >= 300 else "BELOW"
    print(
        f"  lean game: {1e3 / lean_rate:.2f} ms, {1e6 / lean_rate / TURNS:.0f} us per turn; "
        f"{verdict} the issue-2 target of 300 games/s (goal 1,000)"
    )


if __name__ == "__main__":
    main()
