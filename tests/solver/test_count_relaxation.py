"""The week's relaxation by counts bounds the entitlement value and the fewest of every roster."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from bench.fairness import fewest_by_relaxation, fewest_nothing_beyond_legal, value_bounds
from scheduler.domain import Assignment, Problem, load_problem
from scheduler.generate import generate_problem
from scheduler.objective import TIERS, tier_ranges, tiers
from solver.candidates import Pinned, find_candidates
from solver.count_relaxation import add_value, value_bound, week_counts
from solver.highs import HIGHS_AVAILABLE
from solver.model import RosterModel
from solver.search import GroupTask, counted_bound
from solver.solve import SolveOptions, solve
from solver.tiers import group_expression, group_values, headed_bound, search_groups
from solver.warmstart import priority_order
from tests.conftest import FIXTURES_DIR


def best_value(problem: Problem, legal_held: int | None) -> int:
    """Give the proven most entitlement value of the week, with the legal tier held if given."""
    built = RosterModel(problem)
    terms = built.terms.expressions
    if legal_held is not None:
        built.model.add(terms["legal_minimum"] >= legal_held)
    built.model.maximize(terms["entitlements"])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(built.model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def test_the_value_bound_is_at_least_the_optimum_with_and_without_the_legal_tier(
    tiny: Problem,
) -> None:
    """On tiny every father can have his legal hour; the bound holding it is no higher than without.

    Both are at least the proven optimum of the entitlement tier alone (with
    the legal tier held at 4, and without it).
    """
    candidates = find_candidates(tiny)
    held = value_bound(tiny, candidates, 4)
    free = value_bound(tiny, candidates)
    assert held is not None and free is not None
    assert held >= best_value(tiny, 4)
    assert free >= best_value(tiny, None)
    assert held <= free
    # No roster has 5 of the 4 fathers at the legal minimum: the program has no solution.
    assert value_bound(tiny, candidates, 5) is None


def test_the_value_bound_equals_the_optimum_where_the_relaxation_is_integral(
    tiny: Problem,
) -> None:
    """F-003 alone can have two activities once each: each count at its ceiling, as in the LP."""
    alone = tiny.model_copy(update={"fathers": [f for f in tiny.fathers if f.id == "F-003"]})
    bound = value_bound(alone, find_candidates(alone), 1)
    assert bound == best_value(alone, 1)


def test_the_value_bounds_of_a_roster_hold_its_legal_count_and_exceed_its_value() -> None:
    """A solved 20-father week: its value is within both bounds, the held one the lower."""
    problem = generate_problem(20, seed=3)
    roster = solve(problem, SolveOptions(time_limit=3, workers=2))
    bounds = value_bounds(problem, roster)
    assert bounds is not None and bounds.held is not None and bounds.free is not None
    assert roster.kpis.entitlement_value <= bounds.held <= bounds.free


def test_the_fewest_bound_with_the_legal_tier_held_is_no_lower(tiny: Problem) -> None:
    """Holding the legal tier only takes capacity away from what lies beyond it."""
    tiny.policy.partner_cap_hours = 0.0
    candidates = find_candidates(tiny)
    assert fewest_by_relaxation(tiny, candidates, 4) >= fewest_by_relaxation(tiny, candidates)


def test_a_week_with_pinned_assignments_is_refused_naming_them(tiny: Problem) -> None:
    """The counts leave pinned assignments out, so they refuse a week with one."""
    candidates = find_candidates(tiny)
    visit = Assignment.model_construct(activity="regular_visit", fathers=["F-001"])
    candidates.pinned.append(Pinned(visit, 600, 660, 0, None))
    with pytest.raises(ValueError, match="pinned"):
        week_counts(tiny, candidates)
    assert fewest_by_relaxation(tiny, candidates) == 0


def test_a_long_visit_counts_once_towards_the_legal_hour(tiny: Problem) -> None:
    """Without visit sessions and with 3 partner hours, two 90-minute family-room visits fit.

    Each needs a volunteer for 90 minutes, so no roster brings 3 fathers to
    the legal hour; two thirds of a 90-minute visit is not an hour's visit.
    """
    week = tiny.model_copy(
        update={"sessions": [s for s in tiny.sessions if s.activity != "regular_visit"]}
    )
    week.policy.partner_cap_hours = 3.0
    candidates = find_candidates(week)
    assert value_bound(week, candidates, 2) is not None
    assert value_bound(week, candidates, 3) is None


def test_the_fewest_found_is_never_more_than_the_rosters_own() -> None:
    """A search too short to find a roster leaves the roster's own count as the fewest found."""
    problem = generate_problem(20, seed=3)
    problem.policy.partner_cap_hours = 0.0
    roster = solve(problem, SolveOptions(time_limit=3, workers=2))
    best = fewest_nothing_beyond_legal(problem, roster, time_limit=0.001)
    assert best.bound <= best.value <= len(roster.kpis.fathers_nothing_beyond_legal)


def entitlement_group(problem: Problem) -> tuple[RosterModel, GroupTask, int]:
    """Give the week's model with the legal tier held at its optimum, the entitlements' group task.

    The third item is the entitlement tier's proven optimum with the legal
    tier held there, as the solve searches it.
    """
    built = RosterModel(problem)
    terms = built.terms.expressions
    ranges = tier_ranges(problem)
    legal = best_of(built, terms["legal_minimum"])
    built.model.add(terms["legal_minimum"] >= legal)
    active = [n for n in TIERS if getattr(ranges, n) > 0 and not isinstance(terms[n], int)]
    group = next(g for g in search_groups(active, ranges) if g[0] == "entitlements")
    best = best_of(built, terms["entitlements"])

    def forever() -> float:
        return 60.0

    expression = group_expression(group, terms, ranges)
    task = GroupTask(group, expression, ranges, None, forever, forever, 0.0, None)
    task.legal_held = legal
    return built, task, best


def best_of(built: RosterModel, expression: object) -> int:
    """Give the proven most of an expression over the model."""
    built.model.maximize(expression)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(built.model) == cp_model.OPTIMAL
    return round(solver.objective_value)


GENERATED = generate_problem(12, seed=3)


@pytest.fixture(scope="module")
def generated_group() -> tuple[RosterModel, GroupTask, int]:
    """Give the entitlement group of a generated 12-father week (``entitlement_group``)."""
    return entitlement_group(GENERATED)


@pytest.mark.parametrize("week", ["tiny", "generated"])
def test_the_counted_bound_of_the_entitlement_group_is_at_least_its_optimum(
    week: str, tiny: Problem, generated_group: tuple[RosterModel, GroupTask, int]
) -> None:
    """The counts relax the model: their bound is never below the entitlements' proven optimum.

    The group is the one the solve searches after the legal tier; its bound
    (``counted_bound``) is the counts' bound of the entitlements with its
    other tiers at their full range, so it is no lower than the group's optimum.
    """
    problem = tiny if week == "tiny" else GENERATED
    built, task, best = entitlement_group(tiny) if week == "tiny" else generated_group
    counted = counted_bound(built, task, SolveOptions(), 60.0)
    head = value_bound(problem, built.candidates, task.legal_held)
    assert counted is not None and head is not None
    assert counted == headed_bound(task.group, task.ranges, head)
    assert head >= best


def test_no_counted_bound_without_the_relaxation_or_with_pins(tiny: Problem) -> None:
    """With the relaxation off, or a pinned assignment the counts leave out, none is given."""
    built, task, _ = entitlement_group(tiny)
    assert counted_bound(built, task, SolveOptions(relaxation=False), 60.0) is None
    visit = Assignment.model_construct(activity="regular_visit", fathers=["F-001"])
    built.candidates.pinned.append(Pinned(visit, 600, 660, 0, None))
    assert counted_bound(built, task, SolveOptions(), 60.0) is None


@pytest.mark.parametrize("limit", [0.01, 2.0])
def test_a_short_solve_reports_an_entitlement_bound_no_lower_than_the_optimum(
    limit: float, generated_group: tuple[RosterModel, GroupTask, int]
) -> None:
    """The 12-father week solved for 2 s: its entitlement bound is honest and the counts' at most.

    Where the legal tier is held at its optimum, the roster's entitlement
    bound lies between the tier's proven optimum and the counts' bound; so
    it does when the time is up before any search (0.01 s), where the tier
    would otherwise count at its full range.
    """
    built, task, best = generated_group
    roster = solve(GENERATED, SolveOptions(time_limit=limit, workers=2))
    assert roster.bound is not None
    bounds = group_values("+".join(TIERS), roster.bound, tier_ranges(GENERATED))
    head = value_bound(GENERATED, built.candidates, task.legal_held)
    assert head is not None
    assert roster.tiers["legal_minimum"] <= bounds["legal_minimum"]
    if roster.tiers["legal_minimum"] == task.legal_held:
        assert roster.tiers["entitlements"] <= best <= bounds["entitlements"] <= head


@pytest.mark.skipif(not HIGHS_AVAILABLE, reason="needs the highs extra")
def test_whole_sessions_bound_veenhuizen_below_the_simplex_and_above_the_warm_start() -> None:
    """The simplex runs a session in part on the partner cap's last minutes; whole, it cannot.

    The bound with the sessions whole (and the counts) is below the
    simplex's and still above the entitlements of a valid roster.
    """
    problem = load_problem(FIXTURES_DIR / "veenhuizen.json")
    candidates = find_candidates(problem)
    legal = len(problem.fathers)
    week = week_counts(problem, candidates, legal)
    add_value(problem, week)
    simplex = week.bound()
    bound = value_bound(problem, candidates, legal)
    start = priority_order(problem)
    reached = tiers(problem, start)
    assert reached.legal_minimum == legal
    assert simplex is not None and bound is not None
    assert reached.entitlements <= bound < simplex
