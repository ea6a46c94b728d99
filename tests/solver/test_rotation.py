"""Weeks in a row: who is served beyond the legal visit rotates (docs/design.md section 10).

One video call slot a week and three fathers who each want it: the warm
start, and the solve started from it, give it to a father left without
anything beyond the legal visit in the weeks before, so over three weeks
each father has it once.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Assignment, Problem
from scheduler.four_weeks import week_record, weeks_with_nothing_beyond_legal
from scheduler.horizon import next_week
from scheduler.validate import check_assignments
from solver.warmstart import priority_order, rotation
from tests.kit.weeks import checked, father, room, week, window

Planner = Callable[[Problem], list[Assignment]]


def one_call_a_week() -> Problem:
    """Give a week with one video call slot and three shell-2 fathers who each want it."""
    return week(
        rooms=[room("BB", "video_station", [window("mon", "16:00", "16:30")])],
        fathers=[father(f"F-00{n}", shell=2) for n in (1, 2, 3)],
        policy={"legal_min_visit_minutes": 0},
    )


def served_week_by_week(planner: Planner, weeks: int) -> list[list[str]]:
    """Give per week the fathers granted the call, each week planned with the weeks before."""
    problem = one_call_a_week()
    served = []
    for _ in range(weeks):
        assignments = planner(problem)
        assert check_assignments(problem, assignments) == []
        served.append([f for a in assignments if a.activity == "video_call" for f in a.fathers])
        problem = next_week(problem, week_record(problem, assignments))
    return served


def solved(problem: Problem) -> list[Assignment]:
    """Give the solver's roster's assignments."""
    return list(checked(problem, time_limit=5.0).assignments)


@pytest.mark.parametrize("planner", [priority_order, solved], ids=["warm start", "solve"])
def test_the_father_left_out_last_week_is_served_this_week(planner: Planner) -> None:
    """Each week the one call goes to a father who had nothing beyond the legal visit before."""
    served = served_week_by_week(planner, 3)
    assert [len(s) for s in served] == [1, 1, 1]
    assert sorted(s[0] for s in served) == ["F-001", "F-002", "F-003"]


def test_the_weeks_with_nothing_beyond_legal_are_counted_and_put_first() -> None:
    """After one week with F-001 served, F-002 and F-003 count one bare week and choose first."""
    problem = one_call_a_week()
    call = next(a for a in priority_order(problem) if a.activity == "video_call")
    assert call.fathers == ["F-001"]
    after = next_week(problem, week_record(problem, [call]))
    assert weeks_with_nothing_beyond_legal(after) == {"F-002": 1, "F-003": 1}
    assert [f.id for f in rotation(after)] == ["F-002", "F-003", "F-001"]
    assert weeks_with_nothing_beyond_legal(problem) == {}
