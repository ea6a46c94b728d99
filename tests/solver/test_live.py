"""The best roster so far while a solve runs: valid, improving rosters, spaced in time."""

from __future__ import annotations

from scheduler.domain import Assignment, Problem, Roster
from scheduler.generate import generate_problem
from scheduler.objective import tier_order, tiers
from scheduler.validate import check_assignments
from solver.live import LIVE_ROSTER_SECONDS, LiveRosters
from solver.model import RosterModel
from solver.search import hinted_solution
from solver.solve import SolveOptions, solve
from solver.warmstart import priority_order


def _key(problem: Problem, roster: Roster) -> tuple[int, ...]:
    return tier_order(tiers(problem, roster.assignments).as_dict())


def test_the_callback_delivers_valid_rosters_each_better_than_the_last() -> None:
    """From an empty start, a generated week's search hands on valid rosters, each better."""
    problem = generate_problem(16, seed=1)
    empty = Roster(problem_id=problem.id, week=problem.week, status="feasible")
    given: list[Roster] = []
    final = solve(
        problem, SolveOptions(time_limit=6, workers=2), warm_start=empty, on_roster=given.append
    )
    assert given, "no roster so far was handed on"
    keys = [_key(problem, roster) for roster in [empty, *given]]
    assert all(before < after for before, after in zip(keys, keys[1:], strict=False))
    for roster in given:
        assert check_assignments(problem, roster.assignments) == []
        assert roster.status == "feasible" and roster.solver == "cp-sat"
        assert roster.tiers == tiers(problem, roster.assignments).as_dict()
    assert check_assignments(problem, final.assignments) == []
    assert _key(problem, final) >= keys[-1]


def test_a_solution_no_better_than_the_last_is_not_handed_on_and_the_next_waits() -> None:
    """The warm start's own solution is not better than itself; after a read-out, none is due."""
    problem = generate_problem(12, seed=1)
    start = priority_order(problem)
    built = RosterModel(problem)
    built.hint(start)
    completed = hinted_solution(built.model)
    assert completed is not None
    given: list[Roster] = []

    def make(assignments: list[Assignment]) -> Roster:
        return Roster(
            problem_id=problem.id, week=problem.week, status="feasible", assignments=assignments
        )

    live = LiveRosters(built, make, given.append, start)
    assert live.due()
    assert live.take(completed.response_proto.solution) is False
    live.close()
    assert given == [] and not live.due()
    emptied = LiveRosters(built, make, given.append, [])
    assert emptied.take(completed.response_proto.solution) is True
    emptied.close()
    assert len(given) == 1 and check_assignments(problem, given[0].assignments) == []
    assert LIVE_ROSTER_SECONDS >= 1.0 and not emptied.due()


def test_deterministic_mode_gives_the_same_roster_with_or_without_rosters_so_far(
    tiny: Problem,
) -> None:
    """A deterministic solve of tiny.json gives the same roster whether read out or not."""
    options = SolveOptions(time_limit=5, workers=2, deterministic=True)
    given: list[Roster] = []
    watched = solve(tiny, options, on_roster=given.append)
    plain = solve(tiny, options)
    assert given and watched.assignments == plain.assignments
    assert watched.tiers == plain.tiers
    assert check_assignments(tiny, plain.assignments) == []
