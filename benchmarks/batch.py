"""Batch throughput and memory, each next to a floor measured in the same run.

    python benchmarks/batch.py [--runs N] [--big M]

Prints: the bare-Mesa floor (six idle agents, 24 steps, one core); Tripwire batch games/s
with 1 and 2 workers (target: 2 workers >= 1.8x one); Tripwire vs ``mesa.batch_run`` on the
same model and seeds with 2 processes, at 1,000 and 4,000 games (target >= 3x); peak
memory (parent and workers) of a 1,000-run and a 20,000-run batch (target: flat).

Both sides of the ``mesa.batch_run`` comparison run in a fresh interpreter and are timed
from after their imports to the end, worker start-up included; ours also writes its outputs
(Parquet, summary, plots), batch_run only returns its rows. batch_run plays the one-game
model (with its DataCollector, which batch_run reads); Tripwire's workers play the same
games with the lockstep engine. The memory runs go in subprocesses too: batch_run forces the
'spawn' start method for the whole process, and peak RSS must be measured per run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

SCENARIO = "baseline"


def python(code: str) -> dict:
    """Run code in a fresh interpreter; it prints one JSON object as its last line."""
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def floor(seconds: float = 2.0) -> float:
    import mesa

    class Idle(mesa.Agent):
        def step(self) -> None:
            pass

    class Bare(mesa.Model):
        def __init__(self, rng: int):
            super().__init__(rng=rng)
            Idle.create_agents(self, 6)

        def step(self) -> None:
            self.agents.do("step")

    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        model = Bare(n)
        for _ in range(24):
            model.step()
        n += 1
    return n / (time.perf_counter() - start)


def ours(runs: int, jobs: int) -> tuple[float, float]:
    """(end-to-end games/s, steady playing games/s between the first and last chunk)."""
    from tripwire.batch.runner import run_batch

    stamps: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()

        def progress(done: int, total: int) -> None:
            stamps.append((time.perf_counter(), done))

        run_batch(SCENARIO, runs, seed=1, jobs=jobs, out=Path(tmp) / "b", progress=progress)
        end_to_end = runs / (time.perf_counter() - start)
    (t0, n0), (t1, n1) = stamps[1], stamps[-1]
    return end_to_end, (n1 - n0) / (t1 - t0)


def ours_fresh(runs: int, jobs: int) -> float:
    """End-to-end games/s of a batch in a fresh interpreter, timed like mesa_batch_run: from
    after the imports to the outputs written (worker start-up included)."""
    return python(f"""
        import json, tempfile, time
        from pathlib import Path
        from tripwire.batch.runner import run_batch
        if __name__ == "__main__":
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                run_batch("{SCENARIO}", {runs}, seed=1, jobs={jobs}, out=Path(tmp) / "b")
                print(json.dumps({{"rate": {runs} / (time.perf_counter() - start)}}))
    """)["rate"]


def mesa_batch_run(runs: int, processes: int) -> float:
    return python(f"""
        import json, time, mesa
        from tripwire.batch.worker import run_seed
        from tripwire.sim.model import CrisisModel
        if __name__ == "__main__":
            seeds = [run_seed(1, i) for i in range({runs})]
            start = time.perf_counter()
            mesa.batch_run(CrisisModel, parameters={{"scenario": "{SCENARIO}", "record": False}},
                           rng=seeds, max_steps=24, number_processes={processes},
                           data_collection_period=-1, display_progress=False)
            print(json.dumps({{"rate": {runs} / (time.perf_counter() - start)}}))
    """)["rate"]


def peak_memory(runs: int) -> dict:
    """Peak resident memory (VmHWM) of the parent and of the largest worker (Linux: /proc).

    Workers are children of the forkserver, not of the parent, so getrusage(CHILDREN) does
    not see them: a thread samples the peak (VmHWM) of every descendant while the batch runs.
    """
    return python(f"""
        import json, os, tempfile, threading, time
        from pathlib import Path
        from tripwire.batch.runner import run_batch

        def descendants(root):
            parents = {{}}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        stat = Path(f"/proc/{{entry}}/stat").read_text()
                        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                    except (OSError, ValueError, IndexError):
                        pass
            found, frontier = set(), {{root}}
            while frontier:
                frontier = {{p for p, pp in parents.items() if pp in frontier}} - found
                found |= frontier
            return found

        def hwm_mb(pid):
            try:
                for line in Path(f"/proc/{{pid}}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
            except OSError:
                pass
            return 0.0

        peak, done = [0.0], threading.Event()
        def sample():
            while not done.is_set():
                for pid in descendants(os.getpid()):
                    peak[0] = max(peak[0], hwm_mb(pid))
                time.sleep(0.1)
        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        with tempfile.TemporaryDirectory() as tmp:
            run_batch("{SCENARIO}", {runs}, seed=1, jobs=2, out=Path(tmp) / "b")
        done.set()
        watcher.join()
        # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a big
        # process (this benchmark, after its own batches) would report its parent's size
        me = hwm_mb(os.getpid())
        print(json.dumps({{"parent_mb": me, "largest_worker_mb": peak[0]}}))
    """)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=12000,
        help="runs for the 1- and 2-worker speed figures (enough chunks that the workers' "
        "start-up, about 0.3 s, does not decide them)",
    )
    parser.add_argument("--big", type=int, default=20000, help="runs of the large memory batch")
    args = parser.parse_args()
    row = "  {:52s} {:8.1f} games/s  {}"
    print(f"Tripwire batch benchmark: scenario {SCENARIO}, 24 turns per game")
    base = floor()
    print(row.format("floor: bare Mesa model, 6 idle agents, 24 steps", base, "(one core)"))
    ours(2500, 2)  # start the forkserver (more than 2,000 games: a pool is used)
    (one_all, one), (two_all, two) = ours(args.runs, 1), ours(args.runs, 2)
    print(
        row.format(
            f"tripwire, 1 worker, {args.runs} runs: playing", one, f"floor/this {base / one:.1f}x"
        )
    )
    speedup = f"speed-up {two / one:.2f}x (target >= 1.8)"
    print(row.format(f"tripwire, 2 workers, {args.runs} runs: playing", two, speedup))
    print(row.format(f"tripwire, 1 worker, {args.runs} runs: end to end", one_all, ""))
    print(
        row.format(
            f"tripwire, 2 workers, {args.runs} runs: end to end",
            two_all,
            "(start-up, summary, plots)",
        )
    )
    for n in (1000, 4000):
        theirs, mine = mesa_batch_run(n, 2), ours_fresh(n, 2)
        print(row.format(f"mesa.batch_run, 2 processes, {n} runs: end to end", theirs, ""))
        versus = f"{mine / theirs:.2f}x mesa.batch_run (target >= 3)"
        print(row.format(f"tripwire, 2 workers, {n} runs: end to end", mine, versus))
    for n in (1000, args.big):
        mem = peak_memory(n)
        parent, worker = mem["parent_mb"], mem["largest_worker_mb"]
        print(
            f"  peak memory, {n:6d} runs, 2 workers: parent {parent:5.0f} MB, "
            f"largest worker {worker:5.0f} MB"
        )


if __name__ == "__main__":
    main()
