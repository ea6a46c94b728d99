"""The partner cap over the fathers' places: it follows from the rules, and gives the legal bound.

``partner_cap`` and the legal tier add linear constraints that price each
father's place in volunteer minutes. They must never exclude a valid roster,
and on a week the cap starves they must let CP-SAT prove the legal tier. The
fathers the cap can pay for are the legal tier's ceiling, proven without a
search.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.domain import Problem
from scheduler.generate import generate_problem
from scheduler.objective import tiers
from scheduler.validate import violations
from solver.baseline import first_come_first_served
from solver.model import RosterModel, VisitModel
from solver.objectives import fathers_the_cap_can_pay
from solver.search import hinted_solution
from solver.solve import Progress, SolveOptions, _settled_tiers, solve
from solver.warmstart import priority_order
from tests.kit.searches import solve_to_ceiling


def starved(fathers: int, seed: int, hours: float) -> Problem:
    """Give a generated week whose partner cap is ``hours``."""
    problem = generate_problem(fathers, seed=seed)
    problem.policy.partner_cap_hours = hours
    return problem


# Small generated weeks under caps from none to the full 36 hours.
STARVED_WEEKS = st.builds(
    starved,
    fathers=st.integers(min_value=10, max_value=30),
    seed=st.integers(min_value=0, max_value=10_000),
    hours=st.sampled_from([0.0, 2.0, 4.5, 9.0, 36.0]),
)
A_FEW_WEEKS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@A_FEW_WEEKS
@given(problem=STARVED_WEEKS)
def test_valid_rosters_stay_model_solutions(problem: Problem) -> None:
    """The first-come-first-served and priority-order rosters both complete to model solutions.

    Both are valid rosters, so any constraint that refused one of them would
    cut off part of what the week allows.
    """
    for roster in (first_come_first_served(problem).assignments, priority_order(problem)):
        built = RosterModel(problem)
        built.hint(roster)
        completed = hinted_solution(built.model)
        assert completed is not None
        legal = int(completed.value(built.terms.expressions["legal_minimum"]))
        assert legal == tiers(problem, roster).legal_minimum


def test_the_cap_proves_the_legal_tier_of_a_starved_week() -> None:
    """With four volunteer hours for 60 fathers the legal tier is proven at all 60.

    Four hours pay for the escorts of two visit sessions at most; the visits
    themselves need no volunteer, so the cap never costs a father his legal hour.
    """
    problem = starved(60, seed=3, hours=4.0)
    sub = VisitModel(RosterModel(problem))
    sub.hint(priority_order(problem))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 30
    status = solve_to_ceiling(solver, sub.model, len(problem.fathers))
    # Every father reached: no roster does better (the search's own bound may stay above).
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert solver.objective_value == len(problem.fathers)


def test_the_cap_pays_for_the_cheapest_fathers_first() -> None:
    """Shares of 0, 15, 15 and 30 minutes: 30 minutes pay for three fathers, 29 for two."""
    shares = [Fraction(30), Fraction(15), Fraction(0), Fraction(15)]
    assert fathers_the_cap_can_pay(shares, 30) == 3
    assert fathers_the_cap_can_pay(shares, 29) == 2
    assert fathers_the_cap_can_pay(shares, 0) == 1
    assert fathers_the_cap_can_pay([], 100) == 0


@A_FEW_WEEKS
@given(problem=STARVED_WEEKS)
def test_no_valid_roster_passes_the_legal_ceiling(problem: Problem) -> None:
    """The legal tier's ceiling is at least what any valid roster reaches, and at most all."""
    ceiling = RosterModel(problem).terms.ceilings["legal_minimum"]
    assert ceiling <= len(problem.fathers)
    for roster in (first_come_first_served(problem).assignments, priority_order(problem)):
        assert tiers(problem, roster).legal_minimum <= ceiling


def test_the_ceiling_is_the_proven_legal_optimum_of_a_starved_week() -> None:
    """On the starved week the sub-model's search reaches the ceiling: the tier's optimum."""
    problem = starved(60, seed=3, hours=4.0)
    built = RosterModel(problem)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 30
    ceiling = built.terms.ceilings["legal_minimum"]
    status = solve_to_ceiling(solver, VisitModel(built).model, ceiling)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert solver.objective_value == ceiling


@pytest.mark.slow
def test_a_warm_start_at_the_ceiling_settles_the_legal_tier_without_a_search() -> None:
    """When the warm start reaches the ceiling, the first progress of the tier is its proof."""
    problem = starved(60, seed=3, hours=4.0)
    events: list[Progress] = []
    roster = solve(problem, SolveOptions(time_limit=5, workers=2), on_progress=events.append)
    legal = [e for e in events if e.tier == "legal_minimum"]
    assert legal[-1].objective == legal[-1].bound == 60
    assert roster.tiers["legal_minimum"] == 60
    assert not violations(problem, roster)


def test_settled_tiers_leave_the_model_hinted_with_every_variable() -> None:
    """Once the legal tier is settled, the next search starts from a complete, valid hint."""
    problem = starved(60, seed=3, hours=4.0)
    built = RosterModel(problem)
    built.hint(priority_order(problem))
    expressions = built.terms.expressions
    settled, completed = _settled_tiers(built, ["legal_minimum", "entitlements"], expressions)
    assert settled == {"legal_minimum": 60}
    assert completed is not None
    hint = built.model.proto.solution_hint
    assert sorted(hint.vars) == list(range(len(built.model.proto.variables)))
    assert list(hint.values) == list(completed.response_proto.solution)
