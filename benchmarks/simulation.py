"""Planner benchmark: 100,000 trials x 50 years, Guyton-Klinger, three life events,
percentiles included (goal <= 1 s and <= 4x the time numpy needs just to draw the same
random numbers, measured in the same run); then 1,000,000 trials in a subprocess with
its peak RSS (goal <= 1.5 GB).

Run: PYTHONPATH=. python benchmarks/simulation.py   (best of a few runs is printed:
timings are noisy on a shared machine)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portfolioos.simulation import engine  # noqa: E402
from portfolioos.simulation.scenario import from_mapping  # noqa: E402

PLAN = {
    "initial_portfolio": 1_000_000,
    "years": 50,
    "trials": 100_000,
    "seed": 2024,
    "allocation": {"stocks": 0.6, "bonds": 0.4},
    "returns": {
        "model": "lognormal",
        "stocks": {"mean": 0.07, "stdev": 0.16},
        "bonds": {"mean": 0.03, "stdev": 0.06},
    },
    "inflation": {"model": "stochastic", "rate": 0.025, "stdev": 0.012},
    "withdrawal": {"strategy": "guyton_klinger", "initial_rate": 0.05},
    "life_events": [
        {"year": 5, "type": "expense", "amount": 50_000},
        {"year": 10, "type": "social_security", "amount": 25_000},
        {"year": 20, "type": "windfall", "amount": 100_000, "inflation_adjusted": False},
    ],
}
REPEATS = 5


def draw_only(trials: int, years: int, seed: int) -> tuple[float, float]:
    """The random numbers the run draws (stocks, bonds, inflation normals per block).
    Returns (wall, cpu) seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    for begin in range(0, trials, engine.BLOCK):
        n = min(engine.BLOCK, trials - begin)
        rng = engine.block_rng(seed, begin // engine.BLOCK)
        for _ in range(3):
            rng.standard_normal((years, n))
    return time.perf_counter() - start, time.process_time() - cpu


def big_run() -> None:
    import resource

    plan = dict(PLAN, trials=1_000_000)
    start = time.perf_counter()
    result = engine.run(from_mapping(plan))
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "peak_mb": peak_kb / 1024,
                "success_rate": result.success_rate,
                "method": result.percentile_method,
            }
        )
    )


def main() -> None:
    scenario = from_mapping(PLAN)
    engine.run(from_mapping(dict(PLAN, trials=5000)))  # warm-up: imports, caches
    runs, draws, run_cpu, draw_cpu = [], [], [], []
    for _ in range(REPEATS):
        wall, cpu = draw_only(scenario.trials, scenario.years, 2024)
        draws.append(wall)
        draw_cpu.append(cpu)
        start, cpu_start = time.perf_counter(), time.process_time()
        result = engine.run(scenario)
        runs.append(time.perf_counter() - start)
        run_cpu.append(time.process_time() - cpu_start)
    best_run, best_draw = min(runs), min(draws)
    print(
        "100,000 trials x 50 years, Guyton-Klinger, 3 life events, stochastic inflation, "
        f"percentiles ({result.percentile_method}); best of {REPEATS}:"
    )
    print(
        f"  simulation   wall {best_run:.3f} s  cpu {min(run_cpu):.3f} s  "
        f"(wall runs: {', '.join(f'{r:.2f}' for r in runs)})  goal <= 1 s"
    )
    print(
        f"  numpy draws  wall {best_draw:.3f} s  cpu {min(draw_cpu):.3f} s  "
        f"(the same {3 * 100_000 * 50:,} normals)"
    )
    print(
        f"  ratio        wall {best_run / best_draw:.2f}x  cpu "
        f"{min(run_cpu) / min(draw_cpu):.2f}x  goal <= 4x"
    )
    print(
        f"  success rate {result.success_rate:.3f}, median terminal real "
        f"{result.terminal_real['p50']:,.0f}"
    )
    done = subprocess.run(
        [sys.executable, __file__, "--big"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    big = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"1,000,000 trials x 50 years: {big['seconds']:.2f} s, peak RSS "
        f"{big['peak_mb']:.0f} MB (goal <= 1536 MB), percentiles {big['method']}, "
        f"success rate {big['success_rate']:.3f}"
    )


if __name__ == "__main__":
    if "--big" in sys.argv:
        big_run()
    else:
        np.seterr(all="ignore")
        main()
