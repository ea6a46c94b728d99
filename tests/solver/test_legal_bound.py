"""The legal tier's ceiling by maximum flow: never below what a roster reaches, and a proof.

On weeks whose visit sessions seat half their fathers, the flow's ceiling is
the optimum CP-SAT proves for the legal tier; where the warm start reaches it
the tier is proven without a search, and the roster is valid.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.domain import Problem
from scheduler.generate import generate_problem
from scheduler.objective import TIERS, tier_ranges, tiers
from scheduler.validate import check_assignments
from solver.legal_bound import most_disjoint
from solver.model import RosterModel, VisitModel
from solver.search import Progress
from solver.solve import SolveOptions, solve
from solver.tiers import LEGAL, group_values
from solver.warmstart import priority_order

WEEKS = [(20, 1, 0.0), (30, 2, 3.0), (30, 6, 9.0)]


def _short_week(fathers: int, seed: int, hours: float) -> Problem:
    """Give a generated week whose visit sessions seat half as many, under a partner cap."""
    problem = generate_problem(fathers, seed=seed)
    problem.policy.partner_cap_hours = hours
    for session in problem.sessions:
        session.capacity = max(1, session.capacity // 2)
    return problem


@pytest.mark.parametrize(("fathers", "seed", "hours"), WEEKS)
def test_the_flow_ceiling_is_the_legal_tiers_optimum(fathers: int, seed: int, hours: float) -> None:
    """CP-SAT proves no roster seats more than the flow's ceiling, which is below every father.

    The warm start reaches the ceiling (the test below), so it is the optimum.
    """
    problem = _short_week(fathers, seed, hours)
    built = RosterModel(problem)
    ceiling = built.terms.ceilings[LEGAL]
    assert ceiling < len(problem.fathers)
    sub = VisitModel(built)
    searched = sub.model
    searched.add(sub.terms.expressions[LEGAL] >= ceiling + 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 60
    assert solver.solve(searched) == cp_model.INFEASIBLE


@pytest.mark.parametrize(("fathers", "seed", "hours"), WEEKS)
def test_the_warm_start_seats_as_many_as_the_flow_ceiling(
    fathers: int, seed: int, hours: float
) -> None:
    """The warm start, its visits placed again without escorts where needed, reaches the ceiling.

    The escorts of the visit sessions would otherwise take the partner minutes
    the family-room visits of the fathers left without a seat need.
    """
    problem = _short_week(fathers, seed, hours)
    start = priority_order(problem)
    assert check_assignments(problem, start) == []
    assert tiers(problem, start).legal_minimum == RosterModel(problem).terms.ceilings[LEGAL]


def test_a_legal_tier_proven_by_the_flow_gives_a_valid_roster() -> None:
    """The warm start reaches the flow's ceiling: the tier is proven at once, the roster valid."""
    fathers, seed, hours = WEEKS[1]
    problem = _short_week(fathers, seed, hours)
    ceiling = RosterModel(problem).terms.ceilings[LEGAL]
    events: list[Progress] = []
    roster = solve(problem, SolveOptions(time_limit=10, workers=2), on_progress=events.append)
    assert check_assignments(problem, roster.assignments) == []
    assert roster.tiers[LEGAL] == ceiling < len(problem.fathers)
    assert roster.bound is not None
    bounds = group_values("+".join(TIERS), roster.bound, tier_ranges(problem))
    assert bounds[LEGAL] == ceiling
    # Proven without a search: the first word on the tier is its value at its bound.
    legal = [e for e in events if e.tier == LEGAL and e.bound is not None]
    assert legal and legal[0].objective == legal[0].bound == ceiling


def _brute_disjoint(spans: list[tuple[int, int]]) -> int:
    """Give the most pairwise disjoint intervals by trying every subset, largest first."""
    distinct = sorted(set(spans))
    for size in range(len(distinct), 0, -1):
        for chosen in combinations(distinct, size):
            if all(a[1] <= b[0] or b[1] <= a[0] for a, b in combinations(chosen, 2)):
                return size
    return 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(1, 15)).map(lambda p: (p[0], p[0] + p[1])),
        max_size=8,
    )
)
def test_most_disjoint_is_the_largest_set_of_intervals_without_overlap(
    spans: list[tuple[int, int]],
) -> None:
    """The earliest-end-first count equals the largest disjoint subset found by brute force."""
    assert most_disjoint(spans) == _brute_disjoint(spans)


def test_the_sub_models_optimum_is_the_full_models_legal_tier() -> None:
    """On a short week the sub-model proves the full model's legal optimum, below every father.

    Its visits are a valid roster of the week on their own.
    """
    problem = _short_week(*WEEKS[0])
    built = RosterModel(problem)
    sub = VisitModel(built)
    optima = []
    for searched, expression in (
        (built.model, built.terms.expressions[LEGAL]),
        (sub.model, sub.terms.expressions[LEGAL]),
    ):
        searched.maximize(expression)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 2
        solver.parameters.max_time_in_seconds = 60
        assert solver.solve(searched) == cp_model.OPTIMAL
        optima.append(round(solver.objective_value))
    assert optima[0] == optima[1] == built.terms.ceilings[LEGAL] < len(problem.fathers)
    visits = sub.read(lambda literal: solver.boolean_value(literal))
    assert check_assignments(problem, visits) == []
    assert tiers(problem, visits).legal_minimum == optima[1]
