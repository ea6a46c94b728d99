"""The legal tier's exact sub-model on a generated week: how soon it reaches its ceiling.

Run ``.venv/bin/python -m bench.legal_submodel [--fathers 400] [--time-limit 60]
[--workers 2]``. Builds the week's model and its sub-model (``solver.model.VisitModel``),
hints the sub-model with the warm start's visits, and searches it as the solve does
(``solver.search.cp_sat_solver``, without symmetry detection), stopping once a
roster reaches the flow ceiling. Prints, as one JSON line: the build times, the
sub-model's size, the warm start's legal value, the ceiling, each better roster
and when it came (seconds from the search's start), the end, and whether the
validator passes the sub-model's visits.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from ortools.sat.python import cp_model

from scheduler.generate import generate_problem
from scheduler.objective import tiers
from scheduler.validate import check_assignments
from solver.model import RosterModel, VisitModel
from solver.search import SolveOptions, cp_sat_solver
from solver.tiers import LEGAL
from solver.warmstart import priority_order


class _Found(cp_model.CpSolverSolutionCallback):
    """Keeps each better roster's value and time; stops at the ceiling."""

    def __init__(self, began: float, ceiling: int) -> None:
        super().__init__()
        self.began = began
        self.ceiling = ceiling
        self.found: list[tuple[float, int]] = []

    def on_solution_callback(self) -> None:
        """Keep the roster just found, and stop once it reaches the ceiling."""
        value = round(self.objective_value)
        self.found.append((round(time.monotonic() - self.began, 2), value))
        if value >= self.ceiling:
            self.stop_search()


def measure(fathers: int, limit: float, workers: int) -> dict[str, object]:
    """Give the figures of one search of the sub-model of a generated week (seed 1)."""
    problem = generate_problem(fathers, 1, seed=1)
    began = time.monotonic()
    start = priority_order(problem)
    warm = time.monotonic() - began
    built = RosterModel(problem)
    week = time.monotonic() - began - warm
    sub = VisitModel(built)
    sub.hint(start)
    own = time.monotonic() - began - warm - week
    ceiling = built.terms.ceilings[LEGAL]
    solver = cp_sat_solver(SolveOptions(time_limit=limit, workers=workers), limit)
    solver.parameters.symmetry_level = 0
    found = _Found(time.monotonic(), ceiling)
    status = solver.solve(sub.model, found)
    visits = sub.read(lambda literal: solver.boolean_value(literal))
    return {
        "fathers": fathers,
        "load": os.getloadavg(),
        "warm start s": round(warm, 2),
        "week model s": round(week, 2),
        "sub-model s": round(own, 2),
        "variables": len(sub.model.proto.variables),
        "warm start legal": tiers(problem, start).legal_minimum,
        "ceiling": ceiling,
        "found (s, legal)": found.found,
        "status": solver.status_name(status),
        "search s": round(solver.wall_time, 2),
        "proven": bool(found.found) and found.found[-1][1] >= ceiling,
        "valid": check_assignments(problem, visits) == [],
    }


def main(argv: list[str] | None = None) -> int:
    """Run one search and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.legal_submodel")
    parser.add_argument("--fathers", type=int, default=400)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if args.fathers < 1 or args.time_limit <= 0 or args.workers < 1:
        print("--fathers, --time-limit and --workers must be positive", file=sys.stderr)
        return 2
    print(json.dumps(measure(args.fathers, args.time_limit, args.workers)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
