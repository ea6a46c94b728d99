"""The HiGHS translation of the CP-SAT model, and the solves by HiGHS and the portfolio."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.domain import Problem
from scheduler.objective import tier_ranges
from scheduler.validate import violations
from solver.highs import (
    HIGHS_AVAILABLE,
    MipResult,
    Untranslatable,
    mip_program,
    rows_mip_bound,
    solve_mip,
)
from solver.model import RosterModel
from solver.portfolio import Found, _better, tier_levels
from solver.relaxation import Rows, rows_bound
from solver.search import hinted_solution
from solver.solve import SolveOptions, solve
from solver.tiers import group_expression
from solver.warmstart import priority_order


def cp_sat_optimum(model: cp_model.CpModel) -> int:
    """Give CP-SAT's proven optimum of the model."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


@st.composite
def small_models(draw: st.DrawFn) -> cp_model.CpModel:
    """Draw a small model of literals and a bounded integer with every kind the model uses."""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(draw(st.integers(3, 7)))]
    count = model.new_int_var(0, 4, "count")
    model.add(count <= sum(x))
    pick = st.sampled_from(x)
    for _ in range(draw(st.integers(1, 4))):
        weights = draw(st.lists(st.integers(1, 5), min_size=len(x), max_size=len(x)))
        model.add(sum(w * v for w, v in zip(weights, x, strict=True)) <= draw(st.integers(2, 12)))
    for _ in range(draw(st.integers(0, 3))):
        model.add_bool_or([draw(pick), ~draw(pick)])
        model.add_at_most_one(draw(st.lists(pick, min_size=2, max_size=3, unique=True)))
        model.add_implication(draw(pick), draw(pick))
        enforced = model.add(draw(pick) + draw(pick) + count >= draw(st.integers(1, 3)))
        enforced.only_enforce_if(draw(pick), ~draw(pick))
    gains = draw(st.lists(st.integers(-3, 9), min_size=len(x), max_size=len(x)))
    model.maximize(sum(g * v for g, v in zip(gains, x, strict=True)) + 2 * count + 1)
    return model


@settings(max_examples=40, deadline=None)
@given(small_models())
def test_highs_gives_cp_sat_s_optimum_on_small_models(model: cp_model.CpModel) -> None:
    """On small models with every constraint kind translated, HiGHS's optimum is CP-SAT's."""
    if cp_model.CpSolver().solve(model) == cp_model.INFEASIBLE:
        return
    found = solve_mip(model, 10.0)
    assert found.optimal
    assert found.value == found.bound == cp_sat_optimum(model)
    assert found.solution is not None
    copy = model.clone()
    copy.clear_hints()  # type: ignore[no-untyped-call]
    copy.proto.solution_hint.vars.extend(range(len(found.solution)))
    copy.proto.solution_hint.values.extend(found.solution)
    assert hinted_solution(copy) is not None


def test_untranslatable_constraint_is_refused() -> None:
    """A constraint the translation does not cover (a maximum) is refused, not dropped."""
    model = cp_model.CpModel()
    a, b = model.new_int_var(0, 3, "a"), model.new_int_var(0, 3, "b")
    top = model.new_int_var(0, 3, "top")
    model.add_max_equality(top, [a, b])
    model.maximize(top)
    with pytest.raises(Untranslatable):
        mip_program(model)


def test_tiny_tier_group_by_levels_gives_cp_sat_s_optimum(tiny: Problem) -> None:
    """Tiny's entitlement and continuity group, tier by tier in HiGHS, has CP-SAT's optimum."""
    built = RosterModel(tiny)
    built.hint(priority_order(tiny, 0))
    ranges = tier_ranges(tiny)
    expressions = built.terms.expressions
    group = ["entitlements", "continuity"]
    built.model.maximize(group_expression(group, expressions, ranges))
    levels = tier_levels(built.model, group, expressions, ranges)
    found = solve_mip(built.model, 20.0, levels)
    assert found.optimal
    assert found.value == cp_sat_optimum(built.model)


@pytest.mark.parametrize("which", ["highs", "portfolio"])
def test_highs_and_portfolio_rosters_pass_the_validator_at_cp_sat_s_optimum(
    tiny: Problem, which: str
) -> None:
    """``--solver highs`` and ``portfolio`` prove tiny optimal, valid, at CP-SAT's objective."""
    roster = solve(tiny, SolveOptions(time_limit=20, workers=2, solver=which))
    reference = solve(tiny, SolveOptions(time_limit=20, workers=2))
    assert violations(tiny, roster) == []
    assert (roster.status, roster.solver) == ("optimal", which)
    assert roster.objective == reference.objective == roster.bound


def test_deterministic_portfolio_gives_cp_sat_s_roster(tiny: Problem) -> None:
    """Deterministic, the portfolio gives CP-SAT's own deterministic roster, twice over."""
    options = SolveOptions(time_limit=20, workers=2, deterministic=True, solver="portfolio")
    first, second = solve(tiny, options), solve(tiny, options)
    alone = solve(tiny, SolveOptions(time_limit=20, workers=2, deterministic=True))
    assert violations(tiny, first) == []
    assert first.assignments == second.assignments == alone.assignments


def test_an_unknown_solver_is_refused() -> None:
    """A solver name outside cp-sat, highs and portfolio is refused, naming it."""
    with pytest.raises(ValueError, match="'glpk'"):
        SolveOptions(solver="glpk")


def test_a_solve_stopped_early_keeps_an_honest_bound(tiny: Problem) -> None:
    """HiGHS stopped at once still gives a bound, never below CP-SAT's optimum."""
    built = RosterModel(tiny)
    built.hint(priority_order(tiny, 0))
    built.model.maximize(built.terms.expressions["entitlements"])
    found = solve_mip(built.model, 10.0, stop=lambda: True)
    assert found.bound is not None
    assert found.bound >= cp_sat_optimum(built.model)
    assert found.optimal or found.bound > (found.value or 0)


def test_portfolio_takes_highs_s_better_solution_only_when_checked_and_not_deterministic() -> None:
    """HiGHS's better solution is taken once CP-SAT checks it; never deterministic or broken."""
    model = cp_model.CpModel()
    a, b = model.new_bool_var("a"), model.new_bool_var("b")
    model.add(a + b <= 1)
    model.maximize(2 * a + b)
    nothing = Found(cp_model.UNKNOWN, cp_model.CpSolver(), None)
    better = MipResult(2, 2, True, [1, 0], 0.1)
    taken = _better(model, nothing, better, nothing.solver, deterministic=False)
    assert (taken.status, taken.bound, taken.solver.value(a)) == (cp_model.OPTIMAL, 2, 1)
    assert _better(model, nothing, better, nothing.solver, deterministic=True) is nothing
    broken = MipResult(3, 3, True, [1, 1], 0.1)
    assert _better(model, nothing, broken, nothing.solver, deterministic=False) is nothing


def test_highs_without_the_extra_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without highspy installed, asking for HiGHS names the extra; CP-SAT still solves."""
    monkeypatch.setattr("solver.search.HIGHS_AVAILABLE", False)
    with pytest.raises(ValueError, match=r"gezinsrooster\[highs\]"):
        SolveOptions(solver="portfolio")
    assert SolveOptions().solver == "cp-sat"


SILENT_SOLVE = """
from ortools.sat.python import cp_model
from solver.highs import highs_duals, solve_mip
from solver.relaxation import relaxation_bound
model = cp_model.CpModel()
x, y = model.new_bool_var("x"), model.new_bool_var("y")
model.add_bool_or([~x, ~y])
model.maximize(x + y)
assert relaxation_bound(model, 10, highs_duals) == 1
assert solve_mip(model, 10).value == 1
"""


@pytest.mark.skipif(not HIGHS_AVAILABLE, reason="needs the highs extra")
def test_highs_prints_nothing_on_stdout_or_stderr() -> None:
    """A fresh process's first HiGHS prints its banner as it is made; it goes nowhere."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", SILENT_SOLVE],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=60,
    )
    assert (done.stdout, done.stderr) == ("", "")


@pytest.mark.skipif(not HIGHS_AVAILABLE, reason="needs the highs extra")
def test_rows_mip_bound_takes_the_whole_columns_whole() -> None:
    """Three items of 2 in a knapsack of 5: two whole ones (4 of gain), where the simplex has 5."""
    rows = Rows()
    rows.add({0: 2.0, 1: 2.0, 2: 2.0}, float("-inf"), 5.0)
    gains, upper = [2.0, 2.0, 2.0], [1.0, 1.0, 1.0]
    simplex = rows_bound(rows, gains, upper, 10.0)
    assert simplex is not None and simplex >= 5.0 - 1e-6
    assert rows_mip_bound(rows, gains, upper, [0, 1, 2], 10.0) == 4
    # With one item free to be taken in part, half of it fits: 5 again.
    assert rows_mip_bound(rows, gains, upper, [0, 1], 10.0) == 5
    # No whole column: nothing to branch on, the simplex's bound stands.
    assert rows_mip_bound(rows, gains, upper, [], 10.0) is None
