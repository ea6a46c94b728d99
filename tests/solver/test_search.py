"""The search of one group of tiers on tiny.json: proven when it can be, the hint when no time."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from scheduler.domain import Problem
from scheduler.generate import generate_problem
from scheduler.objective import tier_ranges, tiers
from scheduler.validate import check_assignments
from solver.model import RosterModel, VisitModel
from solver.search import (
    GroupTask,
    Reporter,
    SolveOptions,
    held_sessions,
    hinted_solution,
    search_group,
    solution_value,
)
from solver.solve import _refilled
from solver.tiers import GroupResult, group_expression, group_top
from solver.warmstart import priority_order
from tests.kit.searches import solve_to_ceiling


def legal_task(tiny: Problem, seconds: float) -> tuple[RosterModel, GroupTask]:
    """Give tiny's model hinted with its warm start, and the search task of its legal tier."""
    built = RosterModel(tiny)
    built.hint(priority_order(tiny))
    ranges = tier_ranges(tiny)
    group = ["legal_minimum"]
    task = GroupTask(
        group=group,
        expression=group_expression(group, built.terms.expressions, ranges),
        ranges=ranges,
        anchor=hinted_solution(built.model),
        seconds=lambda: seconds,
        wall=lambda: seconds,
        began=time.monotonic(),
        on_progress=None,
    )
    return built, task


def test_the_legal_tier_of_tiny_is_proven_at_its_best(tiny: Problem) -> None:
    """Searched alone, tiny's legal tier is proven at 4: each of its four fathers has his hour."""
    built, task = legal_task(tiny, 5.0)
    found = search_group(built, task, SolveOptions(workers=2, deterministic=True))
    solution = found.solution
    assert not found.infeasible and solution is not None and found.result is not None
    roster = built.read(lambda literal: solution.boolean_value(literal))
    assert check_assignments(tiny, roster) == []
    assert tiers(tiny, roster).legal_minimum == 4
    assert found.result == GroupResult(4, 4, True)


def test_without_time_the_completed_hint_stands(tiny: Problem) -> None:
    """With no second to search, the group keeps its hint, bounded by the tiers' full range."""
    built, task = legal_task(tiny, 0.0)
    assert task.anchor is not None
    hinted = solution_value(task.anchor, task.expression)
    found = search_group(built, task, SolveOptions(workers=2, deterministic=True))
    top = group_top(task.group, task.ranges)
    assert found.solution is task.anchor and not found.infeasible
    assert found.result == GroupResult(hinted, top, hinted >= top)


def test_the_entitlement_tier_starts_from_the_legal_visits_with_the_week_filled() -> None:
    """After the sub-model's visits the next hint keeps its legal value and adds other kinds."""
    problem = generate_problem(30, seed=4)
    built = RosterModel(problem)
    sub = VisitModel(built)
    sub.hint(priority_order(problem))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 10
    ceiling = built.terms.ceilings["legal_minimum"]
    assert solve_to_ceiling(solver, sub.model, ceiling) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    legal = sub.read(lambda literal: solver.boolean_value(literal))
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    assert {a.activity for a in legal} <= visits
    filled = _refilled(built, legal)
    assert filled is not None
    roster = built.read(lambda literal: filled.boolean_value(literal))
    assert check_assignments(problem, roster) == []
    expression = built.terms.expressions["legal_minimum"]
    assert filled.value(expression) == round(solver.objective_value)
    assert any(a.activity not in visits for a in roster)


def test_the_held_sessions_search_keeps_the_anchors_staffing_and_betters_it() -> None:
    """With the hint's sessions and staff held, a better roster keeps them and is valid."""
    problem = generate_problem(30, seed=4)
    built = RosterModel(problem)
    built.hint(priority_order(problem))
    ranges = tier_ranges(problem)
    group = ["entitlements", "continuity"]
    anchor = hinted_solution(built.model)
    assert anchor is not None
    task = GroupTask(
        group=group,
        expression=group_expression(group, built.terms.expressions, ranges),
        ranges=ranges,
        anchor=anchor,
        seconds=lambda: 10.0,
        wall=lambda: 10.0,
        began=time.monotonic(),
        on_progress=None,
    )
    built.model.maximize(task.expression)
    hinted = solution_value(anchor, task.expression)
    reporter = Reporter("entitlements+continuity", task.began, None, hinted)
    # Without a ceiling there is no head to reach: no search.
    assert held_sessions(built, task, SolveOptions(workers=2), reporter, anchor) is None
    reporter.take_ceiling(group_top(group, ranges))
    found = held_sessions(built, task, SolveOptions(workers=2), reporter, anchor)
    assert found is not None and not reporter.restricted
    assert solution_value(found, task.expression) > hinted
    for literal in built.variables.staffing():
        assert found.value(literal) == anchor.value(literal), literal.name
    roster = built.read(lambda literal: found.boolean_value(literal))
    assert check_assignments(problem, roster) == []


def test_the_sub_model_with_the_seats_held_keeps_every_seat_and_gives_valid_visits() -> None:
    """Held at the hint's seats, a solution sits every father where the hint does, and its
    visits, the legal tier at least the hint's, are a valid roster of their own."""
    problem = generate_problem(30, seed=4)
    built = RosterModel(problem)
    sub = VisitModel(built)
    sub.hint(priority_order(problem))
    proto = sub.model.proto.solution_hint
    hint = dict(zip(proto.vars, proto.values, strict=True))
    seated = {key for key, literal in sub.variables.seat.items() if hint.get(literal.index)}
    assert seated
    hinted = hinted_solution(sub.model)
    assert hinted is not None
    legal = sub.terms.expressions["legal_minimum"]
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(sub.seats_held()) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    for key, literal in sub.variables.seat.items():
        assert solver.boolean_value(literal) == (key in seated), key
    assert solver.value(legal) >= hinted.value(legal)
    visits = sub.read(lambda literal: solver.boolean_value(literal))
    assert check_assignments(problem, visits) == []
