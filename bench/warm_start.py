"""The warm start on a generated week: fathers with their legal hour, by kind of visit, and time.

Run ``.venv/bin/python -m bench.warm_start [--fathers 400] [--seed 1]``. Places
``solver.warmstart.priority_order`` on ``generate_problem(N, 1, seed=S)`` and
prints, as one JSON line: its seconds, the fathers it brings to the legal
minimum, the fathers in each kind of visit, the legal tier's flow ceiling
(``solver.legal_bound``, through the week's model), whether the validator
passes the roster, and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter

from scheduler.generate import generate_problem
from scheduler.objective import tiers
from scheduler.validate import check_assignments
from solver.model import RosterModel
from solver.tiers import LEGAL
from solver.warmstart import priority_order


def main(argv: list[str] | None = None) -> int:
    """Measure the warm start once; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fathers", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    problem = generate_problem(args.fathers, 1, seed=args.seed)
    before = os.getloadavg()
    began = time.monotonic()
    roster = priority_order(problem)
    seconds = time.monotonic() - began
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    kinds = Counter(a.activity for a in roster if a.activity in visits for _ in a.fathers)
    figures = {
        "fathers": args.fathers,
        "warm start s": round(seconds, 2),
        "legal": tiers(problem, roster).legal_minimum,
        "visits": dict(sorted(kinds.items())),
        "ceiling": RosterModel(problem).terms.ceilings[LEGAL],
        "valid": check_assignments(problem, roster) == [],
        "load before": [round(x, 2) for x in before],
        "load after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
