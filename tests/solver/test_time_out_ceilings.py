"""A time-out's ceiling (docs/design.md section 4, rule 3), the validator and the solver together.

For any day a time-out starts on and any calls of a week, the validator
flags exactly the calls from the time-out on past what the calls before it
left of shell 2's one, and never one before it; and the solver's ceilings
admit a roster exactly when the validator finds nothing wrong with it.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Problem
from scheduler.validate import check_assignments
from scheduler.week import DAYS
from solver.candidates import find_candidates
from solver.constraints import entitlements_are_ceilings
from solver.variables import Variables
from tests.kit.rosters import slot
from tests.kit.weeks import every_day, father, room, week

MONDAY = date(2027, 2, 1)
TIMES = ("10:00", "10:30")


def calling_week(first: int) -> Problem:
    """Give a week with a station open every morning, F1 in shell 3 on time-out from ``first``."""
    start = (MONDAY + timedelta(days=first)).isoformat()
    return week(
        rooms=[room("VB", "video_station", every_day("10:00", "11:00"))],
        fathers=[father("F1", timeouts=[{"start": start}])],
    )


def calls(per_day: list[int]) -> list[Assignment]:
    """Give F1's calls: ``per_day[d]`` of them on day d, from 10:00."""
    return [
        slot(f"C{day}{n}", "video_call", DAYS[day], TIMES[n], 30, "VB", ["F1"])
        for day, count in enumerate(per_day)
        for n in range(count)
    ]


def admitted(problem: Problem, assignments: list[Assignment]) -> bool:
    """Tell whether the solver's ceilings hold with exactly these calls chosen."""
    candidates = find_candidates(problem)
    model = cp_model.CpModel()
    variables = Variables(model, candidates)
    entitlements_are_ceilings(model, problem, candidates, variables)
    chosen = {problem.clock.minute(a.start) for a in assignments}
    for candidate, literal in zip(candidates.slots, variables.slot, strict=True):
        model.add(literal == int(candidate.start in chosen))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 6), st.lists(st.integers(0, 1), min_size=7, max_size=7))
def test_the_validator_flags_the_calls_past_the_remainder(first: int, per_day: list[int]) -> None:
    """Only calls from the time-out on are flagged: those past max(0, 1 - calls before it)."""
    problem = calling_week(first)
    found = check_assignments(problem, calls(per_day))
    after = [a.id for a in calls(per_day) if a.start.date() >= MONDAY + timedelta(days=first)]
    left = max(0, 1 - sum(per_day[:first]))
    assert sorted(v.assignment for v in found if v.assignment) == sorted(after[left:])
    assert {(v.rule, v.reason) for v in found} <= {("entitlement", "time_out")}


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 6), st.lists(st.integers(0, 2), min_size=7, max_size=7))
def test_the_solver_admits_what_the_validator_passes(first: int, per_day: list[int]) -> None:
    """The solver's ceilings admit the calls exactly when the validator finds no violation."""
    problem = calling_week(first)
    assignments = calls(per_day)
    valid = check_assignments(problem, assignments) == []
    assert admitted(problem, assignments) is valid
