"""The partner cap over the fathers' places: it follows from the rules, and gives the legal bound.

``partner_cap`` and the legal tier add linear constraints that price each
father's place in volunteer minutes. They must never exclude a valid roster,
and on a week the cap starves they must let CP-SAT prove the legal tier.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.domain import Problem
from scheduler.generate import generate_problem
from scheduler.objective import tiers
from solver.baseline import first_come_first_served
from solver.model import RosterModel
from solver.solve import _hinted_solution, _visits_only
from solver.warmstart import priority_order


def starved(fathers: int, seed: int, hours: float) -> Problem:
    """Give a generated week whose partner cap is ``hours``."""
    problem = generate_problem(fathers, seed=seed)
    problem.policy.partner_cap_hours = hours
    return problem


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fathers=st.integers(min_value=10, max_value=30),
    seed=st.integers(min_value=0, max_value=10_000),
    hours=st.sampled_from([0.0, 2.0, 4.5, 9.0, 36.0]),
)
def test_valid_rosters_stay_model_solutions(fathers: int, seed: int, hours: float) -> None:
    """The first-come-first-served and priority-order rosters both complete to model solutions.

    Both are valid rosters, so any constraint that refused one of them would
    cut off part of what the week allows.
    """
    problem = starved(fathers, seed, hours)
    for roster in (first_come_first_served(problem).assignments, priority_order(problem)):
        built = RosterModel(problem)
        built.hint(roster)
        completed = _hinted_solution(built.model)
        assert completed is not None
        legal = int(completed.value(built.terms.expressions["legal_minimum"]))
        assert legal == tiers(problem, roster).legal_minimum


def test_the_cap_proves_the_legal_tier_of_a_starved_week() -> None:
    """With four volunteer hours for 60 fathers the legal tier is proven, not merely found.

    Four hours pay for two regular-visit sessions of eight seats; every other
    father needs a visit without volunteers (a cell visit) to be reached.
    """
    problem = starved(60, seed=3, hours=4.0)
    built = RosterModel(problem)
    built.hint(priority_order(problem))
    expression = built.terms.expressions["legal_minimum"]
    built.model.maximize(expression)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 30
    status = solver.solve(_visits_only(built))
    assert status == cp_model.OPTIMAL
    assert solver.objective_value == solver.best_objective_bound
    free = sum(1 for f in problem.fathers if f.shell == 3)
    assert solver.objective_value <= 16 + free
