"""``gezinsrooster plan PROBLEM... --weeks N``: up to four weeks ahead, each week on its own.

The first PROBLEM is the first week; further PROBLEMs are the weeks after it,
in order; weeks past them repeat the last one a week later (its sessions a
week on, dated facts kept by date). ``--history FILE`` gives the published
weeks before the first (``{"weeks": [...]}``, docs/design.md section 10).
``--mode held`` (the default) solves week by week with the earlier weeks
held; ``--mode together`` then solves each week once more with all the others
held. Each week's roster is written on its own (``--out DIR``: one
``<week>.json`` a week); the four-week KPIs follow, and fathers below the
legal minimum in two or more of four weeks are marked loudly. ``--seconds S``
holds the whole plan to S seconds: each solve has its share of what is left
(at most ``--time-limit``). Exit 0 when every week has a roster, 1 when one
is infeasible, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from api.cli import add_command
from api.cli.solve import check_limits, given_problems
from exports.roster import four_week_table
from scheduler.domain import ProblemError
from scheduler.four_weeks import four_week_kpis
from solver.horizon import MAX_WEEKS, MODES, plan_weeks
from solver.solve import SolveOptions


def _plan(args: argparse.Namespace) -> int:
    check_limits(args)
    if not 1 <= args.weeks <= MAX_WEEKS:
        raise ProblemError([f"--weeks: {args.weeks} is not 1 to {MAX_WEEKS}"])
    if len(args.problems) > args.weeks:
        raise ProblemError(
            [f"--weeks: {args.weeks} is fewer than the {len(args.problems)} problems"]
        )
    if args.seconds is not None and args.seconds <= 0:
        raise ProblemError([f"--seconds: {args.seconds} is not a positive number of seconds"])
    given = given_problems(args.problems, args.history)
    options = SolveOptions(
        time_limit=args.time_limit, workers=args.workers, deterministic=args.deterministic
    )
    print(f"planning {args.weeks} weeks from {given[0].week} ({args.mode})", file=sys.stderr)
    try:
        planned = plan_weeks(given, args.weeks, args.mode, options, seconds=args.seconds)
    except ValueError as error:
        raise ProblemError([str(error)]) from None
    out = Path(args.out) if args.out else None
    for week in planned:
        roster = week.roster
        print(
            f"{roster.week}: {roster.status}, objective {roster.objective}, "
            f"fairness floor {roster.kpis.fairness_floor:.2f}, {roster.solve_seconds:.1f} s",
            file=sys.stderr,
        )
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            target = out / f"{roster.week}.json"
            target.write_text(roster.model_dump_json(indent=2) + "\n", encoding="utf-8")
            print(f"wrote {target}", file=sys.stderr)
    last = planned[-1]
    kpis = four_week_kpis(last.problem, list(last.roster.assignments))
    sys.stdout.write(four_week_table(kpis))
    if out is not None:
        (out / "four-weeks.json").write_text(kpis.model_dump_json(indent=2) + "\n", "utf-8")
    feasible = all(w.roster.status in ("optimal", "feasible") for w in planned)
    return 0 if feasible else 1


def register(subparsers: Any) -> None:
    """Add the ``plan`` command."""
    command = add_command(
        subparsers,
        "plan",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "problems", nargs="+", metavar="PROBLEM", help="the first week's problem, then any after it"
    )
    command.add_argument(
        "--weeks", type=int, default=1, metavar="N", help=f"weeks to plan, 1 to {MAX_WEEKS}"
    )
    command.add_argument("--history", metavar="FILE", help="the published weeks before (JSON)")
    command.add_argument("--mode", choices=MODES, default="held", help="default: held")
    command.add_argument(
        "--time-limit", type=float, default=30.0, metavar="S", help="seconds a week (default 30)"
    )
    command.add_argument(
        "--seconds",
        type=float,
        metavar="S",
        help="the whole plan's seconds: each solve has its share of what is left, "
        "at most --time-limit",
    )
    command.add_argument(
        "--workers", type=int, default=8, metavar="N", help="CP-SAT workers (default 8)"
    )
    command.add_argument("--deterministic", action="store_true", help="the same plan every run")
    command.add_argument("--out", metavar="DIR", help="write each week's roster here")
    command.set_defaults(handler=_plan)
