"""Benchmark: wall time of a 50-scenario what-if sweep of a 400-father institution, 1 vs 2 workers.

The base is ``scheduler.generate.generate_problem(400, 1)``; the sweep is the
base and the partner cap from 18 hours upwards by 1 hour, 50 scenarios in
all. Each solve gets the same CP-SAT workers and time limit whatever the
pool size, so the figures show what running scenarios side by side buys.
Prints the wall time per pool size, the speed-up, and whether the reports
agree (in ``--deterministic`` mode they must be identical).

    .venv/bin/python bench/bench_whatif.py [--scenarios 50] [--fathers 400]
        [--time-limit 5] [--workers 1,2] [--executor local|ray] [--deterministic]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from scheduler.generate import generate_problem
from whatif.executors import make_executor
from whatif.scenarios import ScenarioFile, SweepSpec
from whatif.sweep import SweepOptions, run_sweep


def sweep_file(scenarios: int) -> ScenarioFile:
    """Give the base and ``scenarios - 1`` partner caps from 18 hours up by 1 hour."""
    values = [18.0 + step for step in range(scenarios - 1)]
    sweep = SweepSpec(
        name="partner-cap",
        parameter="partner_cap_hours",
        values=values,
        changes=[{"op": "set_policy", "partner_cap_hours": "$value"}],
    )
    return ScenarioFile(sweeps=[sweep])


def main() -> int:
    """Run the sweep once per pool size and print the figures; give the exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=50)
    parser.add_argument("--fathers", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per solve")
    parser.add_argument("--solver-workers", type=int, default=1, help="CP-SAT workers per solve")
    parser.add_argument("--workers", default="1,2", help="pool sizes to compare")
    parser.add_argument("--executor", choices=["local", "ray"], default="local")
    parser.add_argument("--deterministic", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    base = generate_problem(args.fathers, 1, seed=args.seed)
    spec = sweep_file(args.scenarios)
    options = SweepOptions(
        time_limit=args.time_limit,
        solver_workers=args.solver_workers,
        deterministic=args.deterministic,
        seed=args.seed,
    )
    print(
        f"what-if: {args.scenarios} scenarios of {len(base.fathers)} fathers, "
        f"{args.time_limit:g} s and {args.solver_workers} CP-SAT worker(s) per solve, "
        f"{args.executor} executor",
        flush=True,
    )
    figures: dict[str, float] = {}
    tables: list[pd.DataFrame] = []
    for workers in [int(text) for text in args.workers.split(",")]:
        began = time.monotonic()
        with make_executor(args.executor, workers) as executor:
            report = run_sweep(base, spec, executor, options)
        seconds = time.monotonic() - began
        figures[f"workers_{workers}_seconds"] = round(seconds, 1)
        tables.append(report.table)
        statuses = report.table["status"].value_counts().to_dict()
        print(
            f"  {workers} worker(s): {seconds:.1f} s wall, "
            f"{seconds / args.scenarios:.2f} s per scenario, statuses {statuses}",
            flush=True,
        )
    sizes = [int(text) for text in args.workers.split(",")]
    if len(sizes) > 1:
        speedup = figures[f"workers_{sizes[0]}_seconds"] / figures[f"workers_{sizes[-1]}_seconds"]
        figures["speedup"] = round(speedup, 2)
        print(f"  speed-up {sizes[0]} -> {sizes[-1]} workers: {speedup:.2f}x")
        if args.deterministic:
            same = all(table.equals(tables[0]) for table in tables[1:])
            print(f"  reports identical: {same}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
