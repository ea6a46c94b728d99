"""A horizon of up to four weeks: week by week with the earlier ones held, or together.

``held``: each week is solved in turn; the weeks planned before it are its
history (their monthly rules and their shortfalls count, docs/design.md
section 10). ``together``: after that first pass, each week is solved once
more with every other week of the horizon held (block-coordinate ascent):
the weeks after it count for its monthly rules and its fairness raise as
the weeks before do, so a father short in week 3 is served in week 1 too.
Each week keeps its own roster, restated against its own problem (with the
weeks before it only) and published on its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from scheduler.domain import Problem, Roster
from scheduler.four_weeks import week_record
from scheduler.history import WINDOW_WEEKS, WeekRecord, held_around, weeks_between
from scheduler.horizon import next_week, with_history
from scheduler.kpis import compute_kpis
from scheduler.objective import objective, tiers
from scheduler.shortfalls import explain_shortfalls
from solver.solve import SolveOptions, solve

Mode = Literal["held", "together"]
MODES: tuple[Mode, ...] = ("held", "together")
MAX_WEEKS = 4


@dataclass(frozen=True)
class PlannedWeek:
    """One week of a horizon: its problem (history of the weeks before) and its roster."""

    problem: Problem
    roster: Roster


# Told after each solve of a horizon: the pass ("held" or "together") and the week just solved.
OnWeek = Callable[[Mode, PlannedWeek], None]


def plan_weeks(
    given: list[Problem],
    weeks: int,
    mode: Mode = "held",
    options: SolveOptions | None = None,
    on_week: OnWeek | None = None,
    seconds: float | None = None,
) -> list[PlannedWeek]:
    """Give ``weeks`` consecutive planned weeks (1..4), each with its roster.

    ``given`` are the problems of the first weeks, one a week in order; each
    week past them is the one before made again (``scheduler.horizon.next_week``).
    ``options.time_limit`` holds for each solve: a horizon of N weeks takes
    about N (held) or 2N (together) of them. ``seconds``, when given, is the
    whole plan's time, the making of the weeks between the solves included:
    each solve has the lesser of ``options.time_limit`` and its share of
    what is left (``Budget``). ``on_week`` is told of each solve as it ends.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks: {weeks} is not 1 to {MAX_WEEKS}")
    options = options or SolveOptions()
    budget = Budget(seconds, solves(weeks, mode), options)
    planned: list[PlannedWeek] = []
    for index in range(weeks):
        problem = following(planned[-1], given[index:]) if planned else given[0]
        planned.append(PlannedWeek(problem, solve(problem, budget.next())))
        if on_week is not None:
            on_week("held", planned[-1])
    if mode == "together" and weeks > 1:
        planned = _together(planned, given, budget, on_week)
    return planned


def solves(weeks: int, mode: Mode) -> int:
    """Give how many solves a horizon takes: one a week, and one more each for ``together``."""
    return weeks * 2 if mode == "together" and weeks > 1 else weeks


class Budget:
    """The solve options of each solve of a horizon, with its share of the plan's time.

    Without a plan's time each solve has ``options.time_limit``. With one,
    a solve has the lesser of that and an equal share of what is left for
    the solves still to come: time one solve leaves unused goes to the
    next, and a plan that fell behind catches up. In deterministic mode the
    shares are fixed in advance (the plan's time over its solves), so that
    the same plan comes on every run whatever the wall clock says.
    """

    # The least a solve is given, so that a plan whose time is spent still gives a roster
    # (the warm start, completed) for every week.
    LEAST_SECONDS = 1.0

    def __init__(
        self,
        seconds: float | None,
        count: int,
        options: SolveOptions,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds, self.count, self.left, self.options = seconds, count, count, options
        self.clock = clock
        self.began = clock()

    def next(self) -> SolveOptions:
        """Give the options of the next solve, and count it."""
        limit = self.options.time_limit
        if self.seconds is not None and self.left > 0:
            if self.options.deterministic:
                share = self.seconds / self.count
            else:
                share = (self.seconds - (self.clock() - self.began)) / self.left
            limit = min(limit, max(self.LEAST_SECONDS, share))
        self.left -= 1
        return replace(self.options, time_limit=limit)


def following(before: PlannedWeek, given: list[Problem]) -> Problem:
    """Give the week after a planned one: the next given problem, or the week made again.

    Either way its history is the one before's, grown by the planned week.
    """
    record = week_record(before.problem, list(before.roster.assignments))
    made = next_week(before.problem, record)
    if not given:
        return made
    if given[0].week != made.week:
        raise ValueError(f"problems: week {given[0].week} does not follow {before.problem.week}")
    return with_history(given[0], made.history)


def _together(
    planned: list[PlannedWeek],
    given: list[Problem],
    budget: Budget,
    on_week: OnWeek | None = None,
) -> list[PlannedWeek]:
    """Give the horizon after one more pass: each week re-solved with all the others held."""
    weeks = list(planned)
    for index, week in enumerate(weeks):
        others = _other_records(weeks, index)
        held = held_around(week.problem, others)
        options = budget.next()
        roster = solve(held, replace(options, seed=options.seed + 1))
        if on_week is not None:
            on_week("together", PlannedWeek(week.problem, roster))
        if roster.status not in ("optimal", "feasible"):
            continue
        weeks[index] = PlannedWeek(week.problem, roster)
        weeks = _rechained(weeks, index, given)
    return [PlannedWeek(w.problem, restated(w.problem, w.roster)) for w in weeks]


def _other_records(weeks: list[PlannedWeek], index: int) -> tuple[WeekRecord, ...]:
    """Give the records the week reads with the horizon held: before it, and the other weeks."""
    week = weeks[index].problem
    own = weeks[0].problem.history.weeks if weeks[0].problem.history is not None else []
    before = [r for r in own if 0 < weeks_between(r.week, week.week) < WINDOW_WEEKS]
    around = [
        week_record(other.problem, list(other.roster.assignments))
        for number, other in enumerate(weeks)
        if number != index
    ]
    return tuple(before + around)


def _rechained(weeks: list[PlannedWeek], changed: int, given: list[Problem]) -> list[PlannedWeek]:
    """Give the weeks after ``changed`` with their history read from the weeks as they now are."""
    found = list(weeks[: changed + 1])
    for index in range(changed + 1, len(weeks)):
        problem = following(found[-1], given[index:])
        found.append(PlannedWeek(problem, weeks[index].roster))
    return found


def restated(problem: Problem, roster: Roster) -> Roster:
    """Give the roster's objective, tiers, shortfalls and KPIs as its own week reads them."""
    began = time.monotonic()
    assignments = list(roster.assignments)
    return roster.model_copy(
        update={
            "objective": objective(problem, assignments),
            "tiers": tiers(problem, assignments).as_dict(),
            "shortfalls": explain_shortfalls(problem, assignments),
            "kpis": compute_kpis(problem, assignments),
            "bound": None,
            "gap": None,
            "solve_seconds": roster.solve_seconds + round(time.monotonic() - began, 3),
        }
    )
