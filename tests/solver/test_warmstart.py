"""The warm start: a valid roster to which no entitled occurrence can be added, given once.

``priority_order`` does not try again an occurrence that did not fit once,
because placing only ever takes rooms, people, time and partner cap. If that
were wrong, an occurrence given up on would still fit in the finished roster.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.domain import Assignment, Problem
from scheduler.entitlements import entitled
from scheduler.generate import generate_problem
from scheduler.objective import tiers
from scheduler.occupancy import Occupancy
from scheduler.placement import first_fit
from scheduler.validate import check_assignments
from solver.solve import SolveOptions, solve, warm_start_roster
from solver.warmstart import filled_around, priority_order


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fathers=st.integers(min_value=10, max_value=40),
    seed=st.integers(min_value=0, max_value=10_000),
    hours=st.sampled_from([0.0, 3.0, 9.0, 36.0]),
)
def test_no_entitled_occurrence_fits_into_the_warm_start(
    fathers: int, seed: int, hours: float
) -> None:
    """Every occurrence still owed after the warm start is refused by first_fit."""
    problem = generate_problem(fathers, seed=seed)
    problem.policy.partner_cap_hours = hours
    roster = priority_order(problem)
    assert check_assignments(problem, roster) == []
    occupancy = Occupancy(problem, roster)
    for father in problem.fathers:
        for activity in problem.activities:
            if occupancy.occurrences(father.id, activity.id) < entitled(problem, father, activity):
                assert first_fit(problem, occupancy, father.id, activity.id) is None


def test_a_warm_start_given_to_solve_gives_the_roster_it_would_place_itself(
    tiny: Problem,
) -> None:
    """Passing ``warm_start_roster``'s roster saves placing it again and changes nothing."""
    options = SolveOptions(time_limit=5, workers=2, deterministic=True)
    first = warm_start_roster(tiny)
    assert first.solver == "priority-order" and check_assignments(tiny, first.assignments) == []
    alone = solve(tiny, options)
    given = solve(tiny, options, warm_start=first)
    assert given.assignments == alone.assignments
    assert given.tiers == alone.tiers


def test_the_week_is_filled_around_visits_decided_elsewhere() -> None:
    """filled_around keeps the visits it is given and adds the rest: valid, nothing more fits."""
    problem = generate_problem(30, seed=4)
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    placed = [a for a in priority_order(problem) if a.activity in visits][::2]
    roster = filled_around(problem, placed)
    assert check_assignments(problem, roster) == []
    held = {a.id: a for a in roster}
    assert all(held[a.id] == a for a in placed)
    assert any(a.activity not in visits for a in roster)
    occupancy = Occupancy(problem, roster)
    for father in problem.fathers:
        for activity in problem.activities:
            if activity.id in visits:
                continue
            if occupancy.occurrences(father.id, activity.id) < entitled(problem, father, activity):
                assert first_fit(problem, occupancy, father.id, activity.id) is None


def test_the_first_visits_are_told_as_a_valid_roster_before_the_rest() -> None:
    """``on_first`` gets the first pass's visits once: valid, no better, the result unchanged."""
    problem = generate_problem(40, seed=3)
    told: list[list[Assignment]] = []
    roster = priority_order(problem, on_first=told.append)
    assert len(told) == 1
    first = told[0]
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    assert first and all(a.activity in visits for a in first)
    assert check_assignments(problem, first) == []
    assert tiers(problem, first).legal_minimum <= tiers(problem, roster).legal_minimum
    assert roster == priority_order(problem)
