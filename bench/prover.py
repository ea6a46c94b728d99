"""CP-SAT, HiGHS and the portfolio side by side on the same weeks (``--solver``).

Run ``.venv/bin/python -m bench.prover [--rows tiny,veenhuizen,...] [--solvers cp-sat,highs]
[--time-limit S] [--busy]``. The rows are the fixtures (tiny, veenhuizen,
leeuwarden, region-noord) and generated weeks of 400 and 1,000 fathers
(``gen400``, ``gen1000``, seed 1). Each solve runs in a fresh process of its
own, so its peak memory is its own: the solving process's peak resident set
and, for the portfolio, the peak of HiGHS's process beside it. For each it
gives the time to the first valid roster (the warm start, told before the
model is built, its set-up included), the time to the proof (or "-"), the gap
of the first unproven tier group at 30 and 60 s, the roster's bound and gap,
the CPU seconds the solve and HiGHS's process had (on a shared machine the
wall-clock figures say little without them), and whether the validator
passes it. ``--busy`` keeps one CPU-bound process
running beside every solve. The load average is printed with the table.
``--groups`` adds where each solve's time went, tier group by tier group
(``group_rows``): when the group's search began, when its first bound came
and what it was, its first tier's value then and at its end, and the CPU
seconds of the solve at each of these moments.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.suite import read_checkpoints
from scheduler.domain import Problem, load_problem
from scheduler.generate import generate_problem
from scheduler.objective import Tiers, tier_ranges
from scheduler.validate import violations
from solver.portfolio import SOLVERS
from solver.solve import Progress, SolveOptions, solve
from solver.tiers import group_values

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ("tiny", "veenhuizen", "leeuwarden", "region-noord")
GENERATED = {"gen400": 400, "gen1000": 1000}
ROWS = (*FIXTURES, *GENERATED)
COLUMNS = (
    "row", "fathers", "solver", "limit", "status", "first roster s", "proof s", "gap 30 s",
    "gap 60 s", "gap", "legal", "entitlements", "bound", "cpu s", "prover cpu s", "peak MiB",
    "prover MiB", "valid",
)  # fmt: skip
GROUP_COLUMNS = (
    "row", "solver", "group", "from s (cpu)", "first bound s (cpu)", "head's bound",
    "head from", "head at the end", "until s (cpu)",
)  # fmt: skip
BUSY = "while 1: pass"


def week(row: str) -> Problem:
    """Give the week of a row: a fixture, or a generated institution (seed 1)."""
    if row in GENERATED:
        return generate_problem(GENERATED[row], 1, seed=1)
    return load_problem(ROOT / "fixtures" / f"{row}.json")


def measure(row: str, which: str, limit: float, workers: int) -> dict[str, object]:
    """Give the figures of one solve in this process (``--one``)."""
    problem = week(row)
    events: list[Progress] = []
    cpu: list[float] = []

    def heard(event: Progress) -> None:
        events.append(event)
        cpu.append(_cpu(resource.RUSAGE_SELF))

    began = time.monotonic()
    roster = solve(
        problem, SolveOptions(time_limit=limit, workers=workers, solver=which), None, heard
    )
    wall = time.monotonic() - began
    checkpoints = {round(c.seconds): c.gap for c in read_checkpoints(events, limit)}
    first = next((e.seconds for e in events if e.objective is not None), None)
    return {
        "row": row,
        "fathers": len(problem.fathers),
        "solver": which,
        "limit": limit,
        "status": roster.status,
        "first roster s": first,
        "proof s": round(wall, 2) if roster.status == "optimal" else None,
        "gap 30 s": checkpoints.get(30),
        "gap 60 s": checkpoints.get(60),
        "gap": roster.gap,
        "legal": roster.tiers.get("legal_minimum"),
        "entitlements": roster.tiers.get("entitlements"),
        "bound": roster.bound,
        "cpu s": _cpu(resource.RUSAGE_SELF),
        "prover cpu s": _cpu(resource.RUSAGE_CHILDREN),
        "peak MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "prover MiB": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "valid": roster.status in ("optimal", "feasible") and not violations(problem, roster),
        "groups": group_rows(events, cpu, tier_ranges(problem)),
    }


def group_rows(events: list[Progress], cpu: list[float], ranges: Tiers) -> list[dict[str, object]]:
    """Give each tier group's moments in a solve, from its progress events in order.

    ``cpu`` holds the solve's CPU seconds at each event. Values and bounds
    are those of the group's first tier (its head); a group whose search
    never reported one has "-".
    """
    found: dict[str, dict[str, object]] = {}
    for event, seconds in zip(events, cpu, strict=True):
        moment = f"{event.seconds:.2f} ({seconds:.1f})"
        group = found.setdefault(event.tier, {"group": event.tier, "from s (cpu)": moment})
        group["until s (cpu)"] = moment
        head = event.tier.split("+")[0]
        if event.objective is not None:
            value = group_values(event.tier, event.objective, ranges)[head]
            group.setdefault("head from", value)
            group["head at the end"] = value
        if event.bound is not None and "first bound s (cpu)" not in group:
            group["first bound s (cpu)"] = moment
            group["head's bound"] = group_values(event.tier, event.bound, ranges)[head]
    return list(found.values())


def _cpu(who: int) -> float:
    """Give the CPU seconds (user and system) of this process or of its ended children."""
    usage = resource.getrusage(who)
    return round(usage.ru_utime + usage.ru_stime, 1)


def measure_alone(row: str, which: str, limit: float, workers: int) -> dict[str, object]:
    """Give the figures of one solve run in a fresh process."""
    command = [sys.executable, "-m", "bench.prover", "--one", row, which, str(limit), str(workers)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def cell(value: object) -> str:
    """Give one table cell: gaps as percentages, missing figures as a dash."""
    if value is None:
        return "-"
    if isinstance(value, float) and value < 1:
        return f"{value:.2%}"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


def table(rows: list[dict[str, object]], columns: tuple[str, ...] = COLUMNS) -> str:
    """Give the figures as a Markdown table, the gap cells read as percentages."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for figures in rows:
        cells = []
        for name in columns:
            value = figures.get(name)
            text = cell(value) if name.startswith("gap") else _plain(value)
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _plain(value: object) -> str:
    """Give a non-gap cell."""
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return "-" if value is None else str(value)


def _timelines(found: list[dict[str, object]]) -> list[dict[str, object]]:
    """Give the group rows of every solve, each with its row and solver."""
    rows: list[dict[str, object]] = []
    for figures in found:
        groups = figures.get("groups")
        for group in groups if isinstance(groups, list) else []:
            rows.append({"row": figures["row"], "solver": figures["solver"], **group})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Solve each row with each solver in a fresh process and print the table; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--solvers", default="cp-sat,highs")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--busy", action="store_true", help="a CPU-bound process beside each")
    parser.add_argument("--groups", action="store_true", help="where the time went, group by group")
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        row, which, limit, workers = args.one
        print(json.dumps(measure(row, which, float(limit), int(workers))))
        return 0
    rows = [r for r in args.rows.split(",") if r]
    solvers = [s for s in args.solvers.split(",") if s]
    unknown = [r for r in rows if r not in ROWS] + [s for s in solvers if s not in SOLVERS]
    if unknown:
        print(f"unknown rows or solvers: {', '.join(unknown)}", file=sys.stderr)
        return 2
    found = []
    for row in rows:
        for which in solvers:
            busy = subprocess.Popen([sys.executable, "-c", BUSY]) if args.busy else None
            try:
                found.append(measure_alone(row, which, args.time_limit, args.workers))
            finally:
                if busy is not None:
                    busy.kill()
                    busy.wait()
            print(table(found[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(found))
    if args.groups:
        print()
        print(table(_timelines(found), GROUP_COLUMNS))
    print(f"\nload average before the last row: {os.getloadavg()}; busy: {args.busy}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
