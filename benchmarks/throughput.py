"""Games per second of a 24-turn baseline game on one core, next to a floor measured in the
same run: a bare Mesa model with six agents doing nothing for 24 steps (docs/architecture.md,
Performance).

    python benchmarks/throughput.py [--seconds S]

Each figure is the best of three timed rounds of about S seconds, so a busy moment of the
machine does not decide it. The ratio floor / ours says how far above bare Mesa's own cost a
full game is (target: within ~5x; issue 2 target >= 300 games/s, goal >= 1,000).

Two engines play the same games: the one-game model (``CrisisModel``: event logs, exercises,
``tripwire run``) and the lockstep batch engine (``LockstepModel``: ``tripwire batch``),
which plays a chunk of games at once and gives bit-identical results.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import mesa

from tripwire.scenario.loader import load_scenario
from tripwire.sim.lockstep import LockstepModel
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


def rate(play: Callable[[int], int | None], seconds: float) -> float:
    """Best of three rounds of games per second (``play`` returns how many games it played,
    or None for one)."""
    best = 0.0
    seed = 0
    for _ in range(3):
        n, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            played = play(seed) or 1
            seed += played
            n += played
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

    def lockstep(size: int) -> Callable[[int], int]:
        def play(seed: int) -> int:
            LockstepModel(rules, range(seed, seed + size)).run()
            return size

        return play

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
        ("tripwire: one game, lean (no log)", rate(lean, args.seconds)),
        ("tripwire: lockstep, 250 games at once", rate(lockstep(250), args.seconds)),
        ("tripwire: lockstep, 1,000 games at once", rate(lockstep(1000), args.seconds)),
        ("tripwire: full event log", rate(recorded, args.seconds)),
        ("tripwire: event log + DataCollector", rate(collected, args.seconds)),
    ]
    for label, value in rows:
        print(f"  {label:40s} {value:9.1f} games/s   floor/this = {floor / value:6.2f}x")
    lean_rate, batch_rate = rows[2][1], rows[4][1]
    print(
        f"  one game: {1e3 / lean_rate:.2f} ms, {1e6 / lean_rate / TURNS:.0f} us per turn; "
        f"{'meets' if lean_rate >= 300 else 'BELOW'} the issue-2 target of 300 games/s"
    )
    print(
        f"  lockstep: {1e6 / batch_rate / TURNS:.1f} us per game-turn; "
        f"{'meets' if batch_rate >= 1000 else 'BELOW'} the goal of 1,000 games/s"
    )


if __name__ == "__main__":
    main()
