"""Benchmark of the CP-SAT roster on the institution and region fixtures, against FCFS.

Run ``.venv/bin/python bench/solve_fixtures.py [--time-limit S] [--workers N] [NAME ...]``.
For each fixture (default: veenhuizen, leeuwarden, region-noord) it prints the
solver's status, wall time, gap, legal shortfalls, entitlement value and
fairness floor beside those of the first-come-first-served baseline. The
target: proven optimal within 10 seconds on 2 cores (``--workers 2``), more
entitlement value than FCFS and a higher fairness floor.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.fairness import fewest_nothing_beyond_legal, fewest_text, legal_volunteer_shortfalls
from scheduler.domain import load_problem
from scheduler.objective import TIERS, tier_ranges
from scheduler.validate import violations
from solver.baseline import first_come_first_served
from solver.solve import SolveOptions, solve
from solver.tiers import group_values

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ("veenhuizen", "leeuwarden", "region-noord")
COLUMNS = (
    "fixture", "fathers", "status", "seconds", "gap", "legal (bound)", "below legal",
    "value (bound)", "fcfs value", "floor", "fcfs floor", "nothing beyond legal (fcfs; fewest)",
    "legal with volunteer reason (fcfs)", "valid",
)  # fmt: skip


def measure(name: str, options: SolveOptions) -> list[str]:
    """Give one row of the table: the solver's figures and the baseline's on one fixture."""
    problem = load_problem(ROOT / "fixtures" / f"{name}.json")
    began = time.perf_counter()
    roster = solve(problem, options)
    seconds = time.perf_counter() - began
    baseline = first_come_first_served(problem)
    fewest = fewest_nothing_beyond_legal(problem, roster, options.time_limit, options.workers)
    gap = "-" if roster.gap is None else f"{roster.gap:.2%}"
    bound = {"legal_minimum": "-", "entitlements": "-"}
    if roster.bound is not None:
        ranges = tier_ranges(problem)
        tiers = group_values("+".join(TIERS), roster.bound, ranges)
        # A group's bound may carry past its tiers' ranges; no tier exceeds its range.
        tiers["legal_minimum"] = min(tiers["legal_minimum"], ranges.legal_minimum)
        bound["legal_minimum"] = str(tiers["legal_minimum"])
        if tiers["legal_minimum"] == roster.tiers.get("legal_minimum"):
            bound["entitlements"] = str(tiers["entitlements"])
    return [
        name,
        str(len(problem.fathers)),
        f"{roster.status} ({roster.solver})",
        f"{seconds:.1f}",
        gap,
        f"{roster.tiers.get('legal_minimum')} ({bound['legal_minimum']})",
        f"{len(roster.kpis.fathers_below_legal_minimum)} "
        f"(fcfs {len(baseline.kpis.fathers_below_legal_minimum)})",
        f"{roster.kpis.entitlement_value} ({bound['entitlements']})",
        str(baseline.kpis.entitlement_value),
        f"{roster.kpis.fairness_floor:.2f}",
        f"{baseline.kpis.fairness_floor:.2f}",
        f"{len(roster.kpis.fathers_nothing_beyond_legal)} "
        f"({len(baseline.kpis.fathers_nothing_beyond_legal)}; {fewest_text(fewest)})",
        f"{legal_volunteer_shortfalls(problem, roster)} "
        f"({legal_volunteer_shortfalls(problem, baseline)})",
        "yes" if not violations(problem, roster) else "NO",
    ]


def main() -> int:
    """Solve each fixture and print the table; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(FIXTURES), metavar="NAME")
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    options = SolveOptions(time_limit=args.time_limit, workers=args.workers)
    rows = [list(COLUMNS)] + [measure(name, options) for name in args.names]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
