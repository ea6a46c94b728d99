"""Twelve weeks in a row: fairness across weeks against each week alone and FCFS.

``python -m bench.weeks [--fathers 125] [--weeks 12] [--time-limit 10] [--seed 1]``
simulates consecutive generated weeks of one institution. Each week is the
one before a week on (``scheduler.horizon.next_week``) with seeded random
events: new time-outs (about 2% of the fathers a week, from a random day)
and, after the fact, outcomes of every occurrence (8% no-show of the family,
4% cancelled by the institution, drawn per occurrence so each policy sees
the same draw for the same occurrence). Three policies plan the same weeks:

- ``history``: the weeks before count, monthly rules and the fairness raise;
- ``alone``: each week alone, no fairness across weeks (the monthly rules
  still hold: the weeks before are given without what each father was owed,
  which is what the raise reads);
- ``fcfs``: first come, first served with a new seeded arrival order a week,
  monthly rules held the same way.

Every roster is checked with the validator. Reported per policy over the
four-week windows: the fairness floor over four weeks (least and mean), the
most fathers with nothing beyond the legal visit in all four weeks, fathers
below the legal minimum two weeks running, and the entitlement value summed
over the weeks without the raise (what "value not given up" compares).
Beside them, the bounds of any plan of the same weeks (``bench.weeks_bounds``):
the floor possible and the fewest with nothing beyond the legal visit in all
four weeks; below the table, the fathers at each window's floor.
``--horizon`` plans the first four weeks as one plan (``--modes``: held,
together), with each week's gap; ``--plan-seconds S`` holds that plan to S
seconds in all.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, field
from statistics import mean
from typing import cast

from bench.weeks_bounds import window_bounds
from scheduler.domain import Assignment, Problem, Roster, Timeout
from scheduler.four_weeks import four_week_kpis, week_record
from scheduler.generate import generate_problem
from scheduler.history import OUTCOMES, History, Outcome, WeekRecord, weeks_between
from scheduler.horizon import next_week, with_history
from scheduler.objective import father_granted, father_value, granted_counts
from scheduler.validate import violations
from solver.baseline import first_come_first_served
from solver.horizon import MODES, Mode, plan_weeks
from solver.solve import SolveOptions, solve

POLICIES = ("history", "alone", "fcfs")
TIMEOUT_SHARE = 0.02
OUTCOME_WEIGHTS = (0.88, 0.08, 0.04)  # took place, no show, cancelled by the institution


def base_weeks(fathers: int, weeks: int, seed: int) -> list[Problem]:
    """Give the weeks as facts (no history): each the one before a week on, with new time-outs."""
    rng = random.Random(seed)
    found = [generate_problem(fathers, seed=seed)]
    while len(found) < weeks:
        problem = next_week(found[-1])
        data = problem.model_dump(mode="json")
        for father in data["fathers"]:
            if rng.random() < TIMEOUT_SHARE:
                start = problem.clock.day_date(rng.randrange(7))
                father["timeouts"].append(Timeout(start=start).model_dump(mode="json"))
        found.append(type(problem).model_validate(data))
    return found


def outcome(seed: int, week: str, key: tuple[str, str, str]) -> Outcome:
    """Give the seeded outcome of one occurrence: the same for every policy that grants it."""
    draw = random.Random(f"{seed}|{week}|{'|'.join(key)}")
    return draw.choices(OUTCOMES, weights=OUTCOME_WEIGHTS)[0]


def recorded(problem: Problem, assignments: list[Assignment], seed: int) -> WeekRecord:
    """Give the week's record with every occurrence's outcome drawn."""
    record = week_record(problem, assignments)
    for item in record.occurrences:
        item.outcome = outcome(
            seed, problem.week, (item.father, item.activity, item.start.isoformat())
        )
    return record


def base_value(problem: Problem, assignments: list[Assignment]) -> int:
    """Give the entitlement value without the raise: what each week alone maximises."""
    counts = granted_counts(problem, assignments)
    return sum(
        father_value([g for _, g in father_granted(problem, father, counts).values()])
        for father in problem.fathers
    )


@dataclass
class Run:
    """One policy's twelve weeks: its records, and what was measured week by week."""

    policy: str
    records: list[WeekRecord] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)
    # Per window, the fathers at its floor.
    least: list[list[str]] = field(default_factory=list)
    nothing_four: list[int] = field(default_factory=list)
    below: list[set[str]] = field(default_factory=list)
    value: int = 0
    seconds: float = 0.0
    invalid: int = 0

    def window(self, week: str, owed: bool) -> History | None:
        """Give this run's records of the three weeks before ``week``; without ``owed`` if not."""
        kept = [r for r in self.records if 0 < weeks_between(r.week, week) < 4]
        if not owed:
            kept = [r.model_copy(update={"entitled": {}}) for r in kept]
        return History(weeks=kept) if kept else None

    def running_twice(self) -> int:
        """Give how many fathers were below the legal minimum in two weeks running."""
        return len(set().union(*(a & b for a, b in zip(self.below, self.below[1:], strict=False))))


def plan_week(run: Run, facts: Problem, index: int, seed: int, options: SolveOptions) -> None:
    """Plan one week under the run's policy, check it and measure it."""
    solving = with_history(facts, run.window(facts.week, owed=run.policy == "history"))
    began = time.monotonic()
    if run.policy == "fcfs":
        roster: Roster = first_come_first_served(solving, seed + index)
    else:
        roster = solve(solving, options)
    run.seconds += time.monotonic() - began
    measured = with_history(facts, run.window(facts.week, owed=True))
    run.invalid += len(violations(measured, roster))
    assignments = list(roster.assignments)
    kpis = four_week_kpis(measured, assignments)
    if len(kpis.weeks) == 4:
        run.floors.append(kpis.fulfilment_floor)
        shares = kpis.fulfilment_by_father
        run.least.append(sorted(f for f, v in shares.items() if v == kpis.fulfilment_floor))
        run.nothing_four.append(len(kpis.fathers_nothing_beyond_legal_every_week))
    run.below.append(set(roster.kpis.fathers_below_legal_minimum))
    run.value += base_value(measured, assignments)
    run.records.append(recorded(measured, assignments, seed))


def simulate(
    fathers: int,
    weeks: int,
    seed: int,
    time_limit: float,
    workers: int,
    policies: tuple[str, ...] = POLICIES,
    bounds: bool = True,
) -> tuple[list[Run], list[tuple[float, int]]]:
    """Give the policies' runs over the same weeks, and each window's bounds (none without)."""
    facts = base_weeks(fathers, weeks, seed)
    options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed)
    runs = [Run(policy) for policy in policies]
    for index, week in enumerate(facts):
        for run in runs:
            plan_week(run, week, index, seed, options)
    return runs, window_bounds(facts) if bounds else []


def report(
    runs: list[Run], bounds: list[tuple[float, int]], fathers: int, time_limit: float
) -> list[str]:
    """Give the Markdown rows of the runs, with the bounds of any plan beside them.

    ``floor possible`` is the least over the windows of ``floor_possible``;
    ``fewest possible`` the most over the windows of ``fewest_possible`` ("-"
    without bounds), each with the legal tier held in brackets
    (``bench.weeks_bounds.WindowBounds``); ``vs alone`` is "-" where the
    policy ``alone`` was not run. Below the table, each window's bounds.
    """
    alone = next((r for r in runs if r.policy == "alone"), None)
    possible, fewest = "-", "-"
    if bounds:
        possible = f"{min(b.floor for b in bounds):.3f} ({min(b.floor_held for b in bounds):.3f})"
        fewest = f"{max(b.fewest for b in bounds)} ({max(b.fewest_held for b in bounds)})"
    lines = [
        f"{fathers} fathers, {len(runs[0].below)} weeks, {time_limit:g} s a week:",
        "",
        "| policy | 4-week floor least | floor possible | 4-week floor mean | most with nothing "
        "beyond legal all 4 weeks | fewest possible | below legal 2 weeks running | "
        "value (no raise) | vs alone | invalid | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        ratio = f"{run.value / alone.value - 1:+.2%}" if alone and alone.value else "-"
        lines.append(
            f"| {run.policy} | {min(run.floors, default=0):.3f} | {possible} | "
            f"{mean(run.floors) if run.floors else 0:.3f} | {max(run.nothing_four, default=0)} | "
            f"{fewest} | {run.running_twice()} | {run.value} | {ratio} | {run.invalid} | "
            f"{run.seconds:.0f} |"
        )
    lines.append("")
    for run in runs:
        least = "; ".join(", ".join(fathers) for fathers in run.least)
        lines.append(f"At each window's floor, {run.policy}: {least}.")
        each = ", ".join(map(str, run.nothing_four))
        lines.append(f"With nothing beyond legal all 4 weeks, each window, {run.policy}: {each}.")
    if bounds:
        held = ", ".join(str(b.fewest_held) for b in bounds)
        lines.append(f"Fewest possible with the legal tier held, each window: {held}.")
    return lines


def horizon(
    fathers: int,
    seed: int,
    time_limit: float,
    workers: int,
    modes: tuple[str, ...] = MODES,
    seconds: float | None = None,
) -> list[str]:
    """Give the rows of a four-week plan per mode: value, floor, each week's gap, worst, time.

    A week's gap is the solver's: that of the first tier not proven (``Roster.gap``);
    the plan's is the worst week's. Together restates each roster, so it has none.
    ``seconds`` is the whole plan's time (``solver.horizon.Budget``), each
    solve at most ``time_limit``.
    """
    first = generate_problem(fathers, seed=seed)
    options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed)
    lines = ["| mode | value (no raise) | 4-week floor | each week's gap | worst | seconds |"]
    lines.append("|---|---|---|---|---|---|")
    for mode in modes:
        began = time.monotonic()
        planned = plan_weeks([first], 4, cast(Mode, mode), options, seconds=seconds)
        seconds = time.monotonic() - began
        for week in planned:
            assert violations(week.problem, week.roster) == []
        value = sum(base_value(w.problem, list(w.roster.assignments)) for w in planned)
        last = planned[-1]
        floor = four_week_kpis(last.problem, list(last.roster.assignments)).fulfilment_floor
        gaps = [w.roster.gap for w in planned]
        each = ", ".join("-" if g is None else f"{g:.2%}" for g in gaps)
        known = [g for g in gaps if g is not None]
        worst = f"{max(known):.2%}" if len(known) == len(gaps) else "-"
        lines.append(f"| {mode} | {value} | {floor:.3f} | {each} | {worst} | {seconds:.0f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the simulation (and the horizon with ``--horizon``) and print Markdown."""
    parser = argparse.ArgumentParser(prog="python -m bench.weeks", description=__doc__)
    parser.add_argument("--fathers", type=int, default=125)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--horizon", action="store_true", help="also plan four weeks as one")
    parser.add_argument(
        "--plan-seconds", type=float, help="the four-week plan's whole time (each solve its share)"
    )
    parser.add_argument("--no-simulation", action="store_true")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--policies", nargs="+", choices=POLICIES, default=list(POLICIES))
    parser.add_argument("--no-bounds", action="store_true", help="skip the proven bounds")
    args = parser.parse_args(argv)
    if not args.no_simulation:
        runs, bounds = simulate(
            args.fathers,
            args.weeks,
            args.seed,
            args.time_limit,
            args.workers,
            tuple(args.policies),
            not args.no_bounds,
        )
        print("\n".join(report(runs, bounds, args.fathers, args.time_limit)), flush=True)
    if args.horizon:
        print()
        print(
            "\n".join(
                horizon(
                    args.fathers,
                    args.seed,
                    args.time_limit,
                    args.workers,
                    tuple(args.modes),
                    args.plan_seconds,
                )
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
