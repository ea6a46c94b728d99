"""The linear relaxation's bound: proven from any duals, never below a model's optimum."""

from __future__ import annotations

import math
import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from scipy import sparse

from scheduler.domain import load_problem
from solver.highs import HIGHS_AVAILABLE, highs_duals
from solver.model import RosterModel
from solver.relaxation import Rows, _proven_bound, glop_duals, relaxation_bound, rows_bound
from solver.search import Reporter
from solver.solve import Progress, SolveOptions, solve

# Who may solve the relaxation: GLOP, and HiGHS's simplex where the ``highs`` extra is installed.
DUAL_SOLVERS = (glop_duals, highs_duals) if HIGHS_AVAILABLE else (glop_duals,)


def triangle() -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """Give three literals, any two of which exclude each other, each worth 2.

    The relaxation takes each at one half (3); a roster can take one (2).
    """
    model = cp_model.CpModel()
    literals = [model.new_bool_var(f"x{i}") for i in range(3)]
    for i in range(3):
        model.add_bool_or([~literals[i], ~literals[(i + 1) % 3]])
    model.maximize(2 * sum(literals))
    return model, literals


def optimum(model: cp_model.CpModel) -> int:
    """Give the model's proven optimum."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def test_the_bound_of_a_fractional_triangle_is_its_relaxation() -> None:
    model, _ = triangle()
    assert optimum(model) == 2
    assert all(relaxation_bound(model, 10, duals) == 3 for duals in DUAL_SOLVERS)


def test_each_constraint_kind_is_understood() -> None:
    """Clauses, implications, at-most-one, exactly-one and linear rows all bind the bound."""
    model = cp_model.CpModel()
    a, b, c, d, e = (model.new_bool_var(name) for name in "abcde")
    model.add_at_most_one([a, b])
    model.add_exactly_one([c, d])
    model.add_implication(e, a)
    model.add_bool_or([~e, ~c]).only_enforce_if(d)
    model.add(a + 2 * c <= 2)
    model.maximize(a + b + c + d + e)
    # a + b <= 1, c + d == 1, e <= a: at most 3, and the relaxation sees every one of these.
    assert optimum(model) == 3
    assert relaxation_bound(model, 10) == 3


def test_a_model_without_an_objective_to_maximise_has_no_bound() -> None:
    model = cp_model.CpModel()
    x = model.new_bool_var("x")
    assert relaxation_bound(model, 10) is None
    model.minimize(x)
    assert relaxation_bound(model, 10) is None


def test_any_duals_prove_a_bound() -> None:
    """Weak duality holds for any duals, right or wrong: the bound never falls below the optimum."""
    # max 2x + 2y + 2z with x + y <= 1, y + z <= 1, x + z <= 1, each in [0, 1]: integer optimum 2.
    matrix = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]))
    objective = np.array([2.0, 2.0, 2.0])
    rows = (np.full(3, -np.inf), np.ones(3))
    columns = (np.zeros(3), np.ones(3))
    for duals in ([1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-5.0, 3.0, 0.5], [10.0, 10.0, 10.0]):
        bound = _proven_bound(np.array(duals), matrix, objective, rows, columns)
        assert bound >= 3 - 1e-9
    # The right duals give the relaxation's optimum itself.
    right = _proven_bound(np.array([1.0, 1.0, 1.0]), matrix, objective, rows, columns)
    assert abs(right - 3) < 1e-6


@st.composite
def small_models(draw: st.DrawFn) -> cp_model.CpModel:
    """Draw a model of a few literals with clauses, at-most-ones and knapsack rows."""
    model = cp_model.CpModel()
    count = draw(st.integers(2, 7))
    literals = [model.new_bool_var(f"x{i}") for i in range(count)]
    pick = st.lists(st.integers(0, count - 1), min_size=1, max_size=count, unique=True)
    for _ in range(draw(st.integers(0, 4))):
        chosen = draw(pick)
        negated = draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
        model.add_bool_or(
            [~literals[i] if n else literals[i] for i, n in zip(chosen, negated, strict=True)]
        )
    for _ in range(draw(st.integers(0, 3))):
        model.add_at_most_one([literals[i] for i in draw(pick)])
    for _ in range(draw(st.integers(0, 3))):
        chosen = draw(pick)
        weights = draw(st.lists(st.integers(1, 9), min_size=len(chosen), max_size=len(chosen)))
        model.add(
            sum(w * literals[i] for w, i in zip(weights, chosen, strict=True))
            <= draw(st.integers(0, 20))
        )
    values = draw(st.lists(st.integers(-5, 20), min_size=count, max_size=count))
    model.maximize(sum(v * x for v, x in zip(values, literals, strict=True)))
    return model


@settings(max_examples=60, deadline=None)
@given(small_models())
def test_the_bound_is_never_below_the_optimum(model: cp_model.CpModel) -> None:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    bounds = [relaxation_bound(model, 10, duals) for duals in DUAL_SOLVERS]
    if status == cp_model.OPTIMAL:
        for bound in bounds:
            assert bound is not None
            assert bound >= round(solver.objective_value)
    # The same program's optimum, whoever solves it; each bound is proven from its duals.
    if None not in bounds:
        assert max(bounds) - min(bounds) <= 1


def test_a_ceiling_holds_the_reported_bounds_and_tells_when_reached() -> None:
    events: list[Progress] = []
    reporter = Reporter("entitlements", time.monotonic(), events.append, 80)
    reporter.on_bound(120.0)
    assert not reporter.take_ceiling(90)
    assert reporter.bound == 90
    reporter.on_bound(100.0)
    assert reporter.bound == 90
    assert reporter.take_ceiling(80) and reporter.bound == 80
    assert [(e.objective, e.bound) for e in events] == [(80, 120), (80, 90), (80, 90), (80, 80)]


def test_a_ceiling_below_a_solution_found_is_left_out() -> None:
    reporter = Reporter("entitlements", time.monotonic(), None, 80)
    assert not reporter.take_ceiling(79)
    assert reporter.ceiling is None and reporter.bound is None


def test_the_relaxation_bounds_a_fixture_week_above_its_roster() -> None:
    """On a real week the bound of each tier lies at or above what the solve found."""
    problem = load_problem("fixtures/tiny.json")
    roster = solve(problem, SolveOptions(time_limit=10, workers=2))
    built = RosterModel(problem)
    for name, value in roster.tiers.items():
        expression = built.terms.expressions[name]
        if isinstance(expression, int):
            continue
        built.model.maximize(expression)
        bound = relaxation_bound(built.model, 10)
        assert bound is not None and bound >= value, name
        built.model.add(expression >= value)


def test_fixed_variables_leave_the_bound_as_it_was() -> None:
    """A literal fixed in its domain counts as a constant: the triangle with one fixed at 1 has 2.

    With x0 at 1 the other two are excluded by it, so the optimum and the
    relaxation are both 2 (the offset of the fixed literal alone); with x0 at 0
    the other two exclude each other and the relaxation is 2 as well.
    """
    for value in (0, 1):
        model, literals = triangle()
        domain = model.proto.variables[literals[0].index].domain
        domain.clear()
        domain.extend([value, value])
        assert optimum(model) == 2
        assert relaxation_bound(model, 10) == 2


def test_rows_of_ones_own_are_bounded_at_their_optimum() -> None:
    """Two columns worth 1 and 2, within 0..1 each and 1.5 together: the optimum is 2.5.

    The bound is proven from GLOP's duals, so it is at the optimum up to the
    rounding slack, never below it; rows without a solution give no bound.
    """
    rows = Rows()
    rows.add({0: 1.0, 1: 1.0}, -math.inf, 1.5)
    bound = rows_bound(rows, [1.0, 2.0], [1.0, 1.0], 5.0)
    assert bound is not None and 2.5 <= bound < 2.5 + 1e-6
    rows.add({0: 1.0, 1: 1.0}, 3.0, math.inf)
    assert rows_bound(rows, [1.0, 2.0], [1.0, 1.0], 5.0) is None
