"""``gezinsrooster demo``: solve the two demo weeks and compare them with first come, first served.

Solves ``fixtures/veenhuizen.json`` and ``fixtures/leeuwarden.json`` (the
small ``fixtures/tiny.json`` where those are missing), prints each roster's
headline, the FCFS baseline beside it and the week, and writes every roster
as JSON, CSV (one folder per week) and XLSX into ``--out`` (default ``out/``).
This is what ``make run`` runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from api.cli import add_command
from api.cli.solve import check_limits
from exports.roster import roster_frames, summary_lines, week_lines, write_csv
from exports.workbook import write_xlsx
from scheduler.domain import Problem, Roster, load_problem
from solver.baseline import first_come_first_served
from solver.solve import SolveOptions, solve

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DEMO_WEEKS: tuple[str, ...] = ("veenhuizen.json", "leeuwarden.json")
FALLBACK_WEEK = "tiny.json"


def demo_weeks(folder: Path = FIXTURES) -> list[Path]:
    """Give the fixture files the demo solves: both institutions, or the tiny week without them."""
    found = [folder / name for name in DEMO_WEEKS if (folder / name).exists()]
    return found or [folder / FALLBACK_WEEK]


def comparison_lines(roster: Roster, baseline: Roster) -> list[str]:
    """Give the solver's roster beside the FCFS baseline, figure by figure."""
    rows = [
        ("entitlement value", roster.kpis.entitlement_value, baseline.kpis.entitlement_value),
        ("granted", roster.kpis.granted, baseline.kpis.granted),
        (
            "fairness floor",
            f"{roster.kpis.fairness_floor:.1%}",
            f"{baseline.kpis.fairness_floor:.1%}",
        ),
        (
            "below legal minimum",
            len(roster.kpis.fathers_below_legal_minimum),
            len(baseline.kpis.fathers_below_legal_minimum),
        ),
        (
            "volunteer hours",
            f"{roster.kpis.volunteer_hours:.1f}",
            f"{baseline.kpis.volunteer_hours:.1f}",
        ),
    ]
    lines = [f"  {'':<22}{roster.solver:>16}{baseline.solver:>16}"]
    lines += [f"  {name:<22}{str(ours):>16}{str(theirs):>16}" for name, ours, theirs in rows]
    return lines


def write_exports(problem: Problem, roster: Roster, out: Path) -> list[Path]:
    """Give the files written for one roster: JSON, a CSV folder and an XLSX workbook."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / problem.id
    json_path = stem.with_suffix(".json")
    json_path.write_text(roster.model_dump_json(indent=2) + "\n", encoding="utf-8")
    frames = roster_frames(problem, roster)
    write_csv(out / f"{problem.id}-csv", frames)
    xlsx = write_xlsx(stem.with_suffix(".xlsx"), problem, roster)
    return [json_path, out / f"{problem.id}-csv", xlsx]


def _demo(args: argparse.Namespace) -> int:
    check_limits(args)
    out = Path(args.out)
    options = SolveOptions(time_limit=args.time_limit, workers=args.workers)
    for path in demo_weeks():
        problem = load_problem(path)
        print(f"== {path.name}: {problem.id}, {len(problem.fathers)} fathers", flush=True)
        roster = solve(problem, options)
        baseline = first_come_first_served(problem)
        print("\n".join(summary_lines(problem, roster)))
        print("  compared with first come, first served:")
        print("\n".join(comparison_lines(roster, baseline)))
        print()
        print("\n".join(week_lines(problem, roster)))
        for written in write_exports(problem, roster, out):
            print(f"wrote {written}", file=sys.stderr)
        print(flush=True)
    return 0


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    command = add_command(
        subparsers,
        "demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "--out", default="out", metavar="DIR", help="where the exports go (default out/)"
    )
    command.add_argument(
        "--time-limit", type=float, default=6.0, metavar="S", help="seconds per week (default 6)"
    )
    command.add_argument(
        "--workers", type=int, default=8, metavar="N", help="CP-SAT workers (default 8)"
    )
    command.set_defaults(handler=_demo)
