"""``gezinsrooster solve PROBLEM``: the best weekly roster, as a table, JSON, CSV or XLSX.

While solving, each better value and its bound are shown on stderr, tier by
tier. ``--format table`` (the default) prints what a planner reads; ``json``
is the Roster of the data contract; ``csv`` writes one file per view
(``days.csv``, ``rooms.csv``, ``fathers.csv``, ``staff.csv``) into the folder
``--out``; ``xlsx`` writes one workbook with a sheet per view to ``--out``.
Exit 0 with a roster to publish (optimal or feasible), 1 when the week is
infeasible (pinned assignments that contradict each other), 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.cli import add_command
from exports.roster import roster_frames, roster_table, write_csv
from exports.workbook import write_xlsx
from scheduler.domain import Problem, ProblemError, Roster, load_problem, load_roster
from scheduler.history import load_history
from scheduler.horizon import with_history
from scheduler.objective import Tiers, tier_ranges
from solver.baseline import first_come_first_served
from solver.highs import HIGHS_AVAILABLE
from solver.portfolio import SOLVERS
from solver.solve import Progress, SolveOptions, solve
from solver.tiers import group_values

FORMATS = ("table", "json", "csv", "xlsx")


def progress_printer(ranges: Tiers) -> Callable[[Progress], None]:
    """Give what shows each step of the search on stderr: time, then best and bound per tier."""

    def show(progress: Progress) -> None:
        parts = []
        best = (
            {}
            if progress.objective is None
            else group_values(progress.tier, progress.objective, ranges)
        )
        bound = (
            {} if progress.bound is None else group_values(progress.tier, progress.bound, ranges)
        )
        for name in progress.tier.split("+"):
            limit = f" (bound {bound[name]})" if name in bound else ""
            parts.append(f"{name} {best.get(name, '-')}{limit}")
            if bound.get(name) != best.get(name):
                # Below a tier not yet closed, the bound's lower digits bound nothing.
                bound = {}
        print(f"  {progress.seconds:7.2f} s  " + ", ".join(parts), file=sys.stderr, flush=True)

    return show


def load_previous(path: str, problem: Problem) -> Roster:
    """Give the previous roster to stay close to, checked to be of the same problem and week."""
    try:
        roster = load_roster(path)
    except ProblemError as error:
        raise ProblemError([f"--previous {path}: {m}" for m in error.messages]) from None
    if roster.week != problem.week:
        raise ProblemError(
            [f"--previous {path}: week: roster is for {roster.week}, not {problem.week}"]
        )
    return roster


def given_problems(paths: list[str], history: str | None) -> list[Problem]:
    """Give the problems named, the first with the history file's weeks; ProblemError naming it."""
    problems = [load_problem(path) for path in paths]
    if history is not None:
        try:
            problems[0] = with_history(problems[0], load_history(history))
        except ProblemError as error:
            raise ProblemError([f"--history {history}: {m}" for m in error.messages]) from None
    return problems


def write_roster(problem: Problem, roster: Roster, form: str, out: str | None) -> list[str]:
    """Give the files written for the roster in a format (none: it went to stdout)."""
    if form == "csv":
        if out is None:
            print(roster_frames(problem, roster)["days"].to_csv(index=False), end="")
            return []
        return [str(p) for p in write_csv(out, roster_frames(problem, roster))]
    if form == "xlsx":
        if out is None:
            raise ProblemError(["--out: a file name is needed for --format xlsx"])
        return [str(write_xlsx(out, problem, roster))]
    if form == "json":
        text = roster.model_dump_json(indent=2) + "\n"
    else:
        text = roster_table(problem, roster)
    if out is None:
        sys.stdout.write(text)
        return []
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return [str(target)]


def check_limits(args: argparse.Namespace) -> None:
    """Refuse (naming the option) a --time-limit or --workers that is not positive."""
    if args.time_limit <= 0:
        raise ProblemError([f"--time-limit: {args.time_limit} is not a positive number of seconds"])
    if args.workers < 1:
        raise ProblemError([f"--workers: {args.workers} is not a positive number"])
    if getattr(args, "solver", "cp-sat") != "cp-sat" and not HIGHS_AVAILABLE:
        raise ProblemError(
            [f"--solver: {args.solver} needs HiGHS: pip install 'gezinsrooster[highs]'"]
        )


def _solve(args: argparse.Namespace) -> int:
    check_limits(args)
    if args.format == "xlsx" and args.out is None:
        raise ProblemError(["--out: a file name is needed for --format xlsx"])
    (problem,) = given_problems([args.problem], args.history)
    previous = load_previous(args.previous, problem) if args.previous else None
    if args.baseline == "fcfs":
        roster = first_come_first_served(problem, args.seed)
    else:
        print(f"solving {problem.id} ({len(problem.fathers)} fathers)", file=sys.stderr)
        options = SolveOptions(
            time_limit=args.time_limit,
            workers=args.workers,
            deterministic=args.deterministic,
            seed=args.seed,
            log=args.log,
            solver=args.solver,
        )
        ranges = tier_ranges(problem, previous)
        roster = solve(problem, options, previous, on_progress=progress_printer(ranges))
    for path in write_roster(problem, roster, args.format, args.out):
        print(f"wrote {path}", file=sys.stderr)
    print(
        f"{roster.status}: objective {roster.objective}, bound {roster.bound}, "
        f"{roster.solve_seconds:.2f} s",
        file=sys.stderr,
    )
    return 0 if roster.status in ("optimal", "feasible") else 1


def register(subparsers: Any) -> None:
    """Add the ``solve`` command."""
    command = add_command(
        subparsers,
        "solve",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("problem", metavar="PROBLEM", help="the week's problem (JSON)")
    command.add_argument(
        "--time-limit", type=float, default=30.0, metavar="S", help="seconds (default 30)"
    )
    command.add_argument(
        "--workers", type=int, default=8, metavar="N", help="CP-SAT workers (default 8)"
    )
    command.add_argument(
        "--deterministic",
        action="store_true",
        help="the same roster on every run (deterministic time instead of wall time)",
    )
    command.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    command.add_argument(
        "--solver",
        choices=SOLVERS,
        default="cp-sat",
        help="who searches: cp-sat, highs, or portfolio (both; HiGHS proving bounds)",
    )
    command.add_argument(
        "--previous", metavar="ROSTER", help="a previous roster to keep where possible (JSON)"
    )
    command.add_argument(
        "--history", metavar="FILE", help="the published weeks before this one (JSON)"
    )
    command.add_argument(
        "--baseline",
        choices=["fcfs"],
        help="make the first-come-first-served roster instead of solving",
    )
    command.add_argument(
        "--out", metavar="FILE", help="write here (a folder for --format csv) instead of stdout"
    )
    command.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    command.add_argument("--log", action="store_true", help="show the CP-SAT search log")
    command.set_defaults(handler=_solve)
