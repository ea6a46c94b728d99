"""The relaxation and CP-SAT's subsolvers on each tier group's model of a fixture week.

Run ``.venv/bin/python -m bench.group_models [NAME ...] [--time-limit S] [--search S]
[--subsolvers default/max_lp,core] [--seeds N] [--no-relaxations]``. Each
fixture (default: veenhuizen, leeuwarden, region-noord) is solved once with 2
workers, and each tier group's model is kept as it is about to be searched
(the groups above it held, its completed hint in it). For each group it prints the relaxation's
bound and the CPU seconds it took by GLOP and by HiGHS's simplex, and, with
``--search S``, CP-SAT's value and bound after S seconds from the hint with
each set of subsolvers (``default`` is CP-SAT's own choice; sets are
separated by ``/``), 2 workers and the roster's parameters otherwise. Values
and bounds are given as the group's first tier; the load average and the CPU
seconds the process had are printed with each line, as the wall clock says
little on a shared machine. A set's entries of the form ``name=value`` set
that CP-SAT parameter instead (``use_lns_only=true``, ``linearization_level=0``).
Each search also tells when its value of the group's first tier was first
reached (CPU and wall seconds from its start): how long the search takes to
find that roster, where the tier's bound is already known. ``--seeds N``
repeats each search with the seeds 0 to N - 1, since one search's time to a
roster varies with its seed; ``--no-relaxations`` leaves the relaxations out.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ortools.sat.python import cp_model

import solver.solve as solve_module
from scheduler.domain import load_problem
from scheduler.objective import Tiers, tier_ranges
from solver.highs import HIGHS_AVAILABLE, highs_duals
from solver.model import RosterModel, legal_sub_model
from solver.relaxation import DualSolver, glop_duals, relaxation_bound
from solver.search import GroupSearch, GroupTask, SolveOptions, cp_sat_solver
from solver.tiers import LEGAL, group_values

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ("veenhuizen", "leeuwarden", "region-noord")
RELAXATION_SECONDS = 120.0


def cpu_seconds() -> float:
    """Give the CPU seconds this process has had, its threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    """Give the one-minute load average."""
    return Path("/proc/loadavg").read_text().split()[0]


def group_models(name: str, time_limit: float) -> list[tuple[str, cp_model.CpModel]]:
    """Give each tier group's model of a fixture as its solve was about to search it."""
    kept: list[tuple[str, cp_model.CpModel]] = []
    # ``solver.solve`` calls the search of each group by this name; the wrapper keeps its model.
    names = vars(solve_module)
    original: Callable[[RosterModel, GroupTask, SolveOptions], GroupSearch] = names["search_group"]

    def keeping(built: RosterModel, task: GroupTask, options: SolveOptions) -> GroupSearch:
        built.model.maximize(task.expression)
        searched = legal_sub_model(built, None).model if task.group == [LEGAL] else built.model
        kept.append(("+".join(task.group), searched.clone()))
        return original(built, task, options)

    names["search_group"] = keeping
    try:
        solve_module.solve(
            load_problem(ROOT / "fixtures" / f"{name}.json"),
            SolveOptions(time_limit=time_limit, workers=2),
        )
    finally:
        names["search_group"] = original
    return kept


def as_tier(group: str, value: float | None, ranges: Tiers) -> str:
    """Give a group's weighted value as its first tier's value."""
    if value is None:
        return "none"
    return f"{group_values(group, round(value), ranges)[group.split('+')[0]]:,}"


@dataclass
class Searches:
    """What the searches of each group are: their seconds, sets of subsolvers, seeds."""

    seconds: float
    sets: list[str]
    seeds: int = 1
    relaxations: bool = True


def measure(name: str, time_limit: float, searches: Searches) -> None:
    """Print the relaxation's and the searches' figures of each group of one fixture."""
    ranges = tier_ranges(load_problem(ROOT / "fixtures" / f"{name}.json"))
    solvers: dict[str, DualSolver] = {"glop": glop_duals}
    if HIGHS_AVAILABLE:
        solvers["highs"] = highs_duals
    for group, model in group_models(name, time_limit):
        size = len(model.proto.variables)
        for label, duals in solvers.items() if searches.relaxations else []:
            began = cpu_seconds()
            relaxed = relaxation_bound(model, RELAXATION_SECONDS, duals)
            print(
                f"{name} {group} ({size:,} variables) relaxation by {label}: "
                f"{as_tier(group, relaxed, ranges)}, {cpu_seconds() - began:.1f} CPU s, "
                f"load {load()}",
                flush=True,
            )
        runs = [(c, s) for c in searches.sets for s in range(searches.seeds)]
        for chosen, seed in runs if searches.seconds > 0 else []:
            found = searched(model, searches.seconds, chosen, seed)
            cpu, wall = found.first_at(partial(as_tier, group, ranges=ranges))
            print(
                f"{name} {group} search with {chosen} for {searches.seconds:g} s (seed {seed}): "
                f"{as_tier(group, found.value, ranges)} "
                f"(bound {as_tier(group, found.bound, ranges)}), "
                f"{found.seconds:.1f} CPU s, reached at {cpu:.1f} CPU s ({wall:.1f} s), "
                f"load {load()}",
                flush=True,
            )


@dataclass
class Searched:
    """How one search ended: value, bound, CPU seconds, and each solution's value and time.

    ``solutions`` holds each solution's objective with the CPU and wall
    seconds from the search's start at which it came.
    """

    value: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    solutions: list[tuple[float, float, float]] = field(default_factory=list)

    def first_at(self, tier: Callable[[float], str]) -> tuple[float, float]:
        """Give the CPU and wall seconds at which the final value's ``tier`` first came.

        The group's first tier reached is what a search from a known bound
        needs; later solutions may only better the tiers below it. (0, 0)
        without a solution.
        """
        if self.value is None:
            return 0.0, 0.0
        final = tier(self.value)
        return next(((c, w) for v, c, w in self.solutions if tier(v) == final), (0.0, 0.0))


class _Timing(cp_model.CpSolverSolutionCallback):
    """Notes each solution's objective and the CPU and wall seconds since the search began."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu = cpu_seconds()
        self.wall = time.monotonic()
        self.found = Searched()

    def on_solution_callback(self) -> None:
        came = (cpu_seconds() - self.cpu, time.monotonic() - self.wall)
        self.found.solutions.append((self.objective_value, *came))


def searched(model: cp_model.CpModel, seconds: float, chosen: str, seed: int = 0) -> Searched:
    """Give a search of a group's model with a set of subsolvers or parameters (``chosen``)."""
    solver = cp_sat_solver(SolveOptions(workers=2, seed=seed), seconds, seconds)
    for entry in [] if chosen == "default" else chosen.split(","):
        name, _, value = entry.partition("=")
        if not value:
            solver.parameters.subsolvers.append(name)
            continue
        current = getattr(solver.parameters, name)
        setattr(
            solver.parameters,
            name,
            value == "true" if isinstance(current, bool) else type(current)(value),
        )
    timing = _Timing()
    status = solver.solve(model, timing)
    found = timing.found
    found.seconds = cpu_seconds() - timing.cpu
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found.value, found.bound = solver.objective_value, solver.best_objective_bound
    return found


def main(argv: list[str] | None = None) -> int:
    """Measure each fixture named (default: the three institution and region weeks).

    Exit 0, or 2 naming a fixture that does not exist.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(FIXTURES), metavar="NAME")
    parser.add_argument("--time-limit", type=float, default=10.0, help="of the solve keeping them")
    parser.add_argument(
        "--search", type=float, default=0.0, help="seconds of each search (0: none)"
    )
    parser.add_argument(
        "--subsolvers",
        default="default/max_lp,core",
        help="sets separated by /, each subsolvers or CP-SAT parameters (name=value)",
    )
    parser.add_argument("--seeds", type=int, default=1, help="each search with seeds 0 to N - 1")
    parser.add_argument("--relaxations", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if not (ROOT / "fixtures" / f"{n}.json").is_file()]
    if unknown:
        print(f"NAME: no fixture {', '.join(unknown)} in fixtures/", file=sys.stderr)
        return 2
    for name in args.names:
        searches = Searches(
            args.search, args.subsolvers.split("/"), max(1, args.seeds), args.relaxations
        )
        measure(name, args.time_limit, searches)
    return 0


if __name__ == "__main__":
    sys.exit(main())
