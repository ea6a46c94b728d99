"""The relaxation and CP-SAT's subsolvers on each tier group's model of a fixture week.

Run ``.venv/bin/python -m bench.group_models [NAME ...] [--time-limit S] [--search S]
[--subsolvers default/max_lp,core]``. Each fixture (default: veenhuizen,
leeuwarden, region-noord) is solved once with 2 workers, and each tier
group's model is kept as it is about to be searched (the groups above it
held, its completed hint in it). For each group it prints the relaxation's
bound and the CPU seconds it took by GLOP and by HiGHS's simplex, and, with
``--search S``, CP-SAT's value and bound after S seconds from the hint with
each set of subsolvers (``default`` is CP-SAT's own choice; sets are
separated by ``/``), 2 workers and the roster's parameters otherwise. Values
and bounds are given as the group's first tier; the load average and the CPU
seconds the process had are printed with each line, as the wall clock says
little on a shared machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
from collections.abc import Callable
from pathlib import Path

from ortools.sat.python import cp_model

import solver.solve as solve_module
from scheduler.domain import load_problem
from scheduler.objective import Tiers, tier_ranges
from solver.highs import HIGHS_AVAILABLE, highs_duals
from solver.model import RosterModel
from solver.relaxation import DualSolver, glop_duals, relaxation_bound
from solver.search import GroupSearch, GroupTask, SolveOptions, cp_sat_solver, legal_sub_model
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


def measure(name: str, time_limit: float, search: float, subsolvers: list[str]) -> None:
    """Print the relaxation's and the searches' figures of each group of one fixture."""
    ranges = tier_ranges(load_problem(ROOT / "fixtures" / f"{name}.json"))
    solvers: dict[str, DualSolver] = {"glop": glop_duals}
    if HIGHS_AVAILABLE:
        solvers["highs"] = highs_duals
    for group, model in group_models(name, time_limit):
        size = len(model.proto.variables)
        for label, duals in solvers.items():
            began = cpu_seconds()
            relaxed = relaxation_bound(model, RELAXATION_SECONDS, duals)
            print(
                f"{name} {group} ({size:,} variables) relaxation by {label}: "
                f"{as_tier(group, relaxed, ranges)}, {cpu_seconds() - began:.1f} CPU s, "
                f"load {load()}",
                flush=True,
            )
        for chosen in subsolvers if search > 0 else []:
            value, bound, seconds = searched(model, search, chosen)
            print(
                f"{name} {group} search with {chosen} for {search:g} s: "
                f"{as_tier(group, value, ranges)} (bound {as_tier(group, bound, ranges)}), "
                f"{seconds:.1f} CPU s, load {load()}",
                flush=True,
            )


def searched(
    model: cp_model.CpModel, seconds: float, chosen: str
) -> tuple[float | None, float | None, float]:
    """Give a search of a group's model with a set of subsolvers: value, bound, CPU seconds."""
    solver = cp_sat_solver(SolveOptions(workers=2), seconds, seconds)
    if chosen != "default":
        solver.parameters.subsolvers.extend(chosen.split(","))
    began = cpu_seconds()
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, cpu_seconds() - began
    return solver.objective_value, solver.best_objective_bound, cpu_seconds() - began


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
    parser.add_argument("--subsolvers", default="default/max_lp,core")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if not (ROOT / "fixtures" / f"{n}.json").is_file()]
    if unknown:
        print(f"NAME: no fixture {', '.join(unknown)} in fixtures/", file=sys.stderr)
        return 2
    for name in args.names:
        measure(name, args.time_limit, args.search, args.subsolvers.split("/"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
