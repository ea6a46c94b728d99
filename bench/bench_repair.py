"""Benchmark: a repair proposal for one event in a generated 400-father week.

The week is ``scheduler.generate.generate_problem`` with a published roster
(first-come-first-served, or the solver's with ``--solved``). A time-out is
recorded on Wednesday at 10:00 for the shell-3 father with the most
appointments after it; the repair is solved as the service solves it (the
past and what still stands pinned, the published roster as the previous
one) and read as a difference. Prints the time of the first proposal (the
warm start the job shows while it solves) and of the solved one (applying
the event, finding what it breaks, the solve and the difference), the
changes the event forces (occurrences it breaks) and the changes made:
dropped, moved, new (what gains from the freed capacity) and staff swaps,
and checks the roster with the independent validator.

    .venv/bin/python bench/bench_repair.py [--fathers 400] [--seed 1] [--time-limit 5]
        [--workers 2] [--solved]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from scheduler.diff import difference
from scheduler.domain import Problem, Roster, parse_problem
from scheduler.events import Event, apply_event, repair_pins
from scheduler.generate import generate_problem
from scheduler.validate import check_assignments, violations
from solver.baseline import first_come_first_served
from solver.solve import SolveOptions, solve, warm_start_roster

MOMENT = "2027-02-03T10:00:00+01:00"


def _published(problem: Problem, solved: bool, workers: int) -> Roster:
    if solved:
        return solve(problem, SolveOptions(time_limit=30, workers=workers))
    return first_come_first_served(problem)


def _subject(problem: Problem, roster: Roster, event_at: str) -> str:
    """Give the shell-3 father with the most individual appointments from the moment on."""
    moment = Event.model_validate({"type": "time_out", "at": event_at, "father": "x"}).at
    shell_3 = {f.id for f in problem.fathers if f.shell == 3 and not f.timeouts}
    counts = Counter(
        father
        for a in roster.assignments
        if a.session is None and a.start >= moment
        for father in a.fathers
        if father in shell_3
    )
    return counts.most_common(1)[0][0]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fathers", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--solved", action="store_true", help="publish the solver's roster")
    args = parser.parse_args()

    problem = generate_problem(args.fathers, 1, seed=args.seed)
    data = problem.model_dump(mode="json")
    published = _published(problem, args.solved, args.workers)
    father = _subject(problem, published, MOMENT)
    event = Event.model_validate({"type": "time_out", "at": MOMENT, "father": father})

    began = time.monotonic()
    facts = parse_problem(apply_event(problem, data, event))
    broken = {v.assignment for v in check_assignments(facts, published.assignments) if v.assignment}
    forced = sum(len(a.fathers) for a in published.assignments if a.id in broken)
    pins = repair_pins(facts.pinned, published.assignments, broken, event.at)
    repaired_facts = facts.model_copy(update={"pinned": pins})
    repaired_facts = parse_problem(repaired_facts.model_dump(mode="json"))
    first = warm_start_roster(repaired_facts, published, event.at)
    first_change = difference(published.assignments, first.assignments)
    first_seconds = time.monotonic() - began
    roster = solve(
        repaired_facts,
        SolveOptions(time_limit=args.time_limit, workers=args.workers, deterministic=True),
        published,
        warm_start=first,
        since=event.at,
    )
    change = difference(published.assignments, roster.assignments)
    seconds = time.monotonic() - began
    found = violations(facts, roster)
    first_line = (
        f"first proposal (the warm start, shown while the solve runs): {first_seconds:.2f} s, "
        f"dropped {len(first_change.dropped)}, moved {len(first_change.moved)}, "
        f"new {len(first_change.new)}, staff swaps {len(first_change.staff_swaps)}, "
        f"{len(violations(facts, first))} violations"
    )

    print(
        f"fathers {args.fathers}, seed {args.seed}, published: "
        f"{'solver' if args.solved else 'first-come-first-served'}, "
        f"{len(published.assignments)} assignments"
    )
    print(f"event: time_out of {father} (shell 3) at {MOMENT}")
    print(first_line)
    print(
        f"repair proposal: {seconds:.2f} s (solve status {roster.status}, "
        f"time limit {args.time_limit:g} s, {args.workers} workers)"
    )
    print(f"forced changes (occurrences the event breaks): {forced}")
    print(
        f"changes made: dropped {len(change.dropped)}, moved {len(change.moved)}, "
        f"new {len(change.new)} (gains from freed capacity), "
        f"staff swaps {len(change.staff_swaps)}; kept {len(change.kept)}"
    )
    unforced = len(change.dropped) + len(change.moved) - forced
    print(f"changes beyond forced and gains: {max(unforced, 0)}")
    print(f"validator on the repaired roster: {len(found)} violations")


if __name__ == "__main__":
    main()
