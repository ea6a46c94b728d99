"""Weeks in a row: who is served beyond the legal visit rotates (docs/design.md section 10).

One video call slot a week and three fathers who each want it: the warm
start, and the solve started from it, give it to a father left without
anything beyond the legal visit in the weeks before, so over three weeks
each father has it once. And the legal hour: a father left without a seat
in the visit hall one week is seated the next, by the warm start, by the
solve and by the legal tier's tie-break, with as many fathers at the legal
minimum as before.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Assignment, Problem, parse_problem
from scheduler.four_weeks import (
    below_legal_week_before,
    week_record,
    weeks_with_nothing_beyond_legal,
)
from scheduler.horizon import next_week
from scheduler.objective import tiers, visit_minutes
from scheduler.validate import check_assignments
from solver.legal_visits import rotation, seat_the_least
from solver.missed import seat_missed
from solver.model import RosterModel
from solver.placer import Placer
from solver.search import SolveOptions, hinted_solution, solution_value
from solver.warmstart import priority_order
from tests.kit.weeks import (
    at,
    checked,
    father,
    officer,
    room,
    session,
    week,
    window,
)

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


def two_seats_three_fathers() -> Problem:
    """Give one visit session of two seats (no partner hours for escorts) for three fathers.

    F-001 and F-002 cannot take Monday morning's call, so in the first week
    the two seats go to them (the problem's order) and the call to F-003.
    """
    wednesday = [window("wed", "08:00", "20:00")]
    monday_morning = {"start": at("mon", "09:00"), "end": at("mon", "12:00")}
    return week(
        rooms=[
            room("BZ", "visit_hall", [window("wed", "13:00", "18:00")], capacity=10),
            room("BB", "video_station", [window("mon", "10:00", "10:30")]),
        ],
        sessions=[session("S1", "regular_visit", "BZ", at("wed", "14:00"), 2)],
        officers=[officer("O1", wednesday)],
        fathers=[
            father(f"F-00{n}", shell=2, unavailable=[monday_morning] if n < 3 else [])
            for n in (1, 2, 3)
        ],
        policy={"partner_cap_hours": 0.0},
    )


def legal_hours(problem: Problem, assignments: list[Assignment]) -> list[str]:
    """Give the fathers at the legal minimum visit time, after checking the roster."""
    assert check_assignments(problem, assignments) == []
    return sorted(
        f
        for f, minutes in visit_minutes(problem, assignments).items()
        if minutes >= problem.policy.legal_min_visit_minutes
    )


def test_the_father_below_the_legal_minimum_last_week_is_seated_first() -> None:
    """F-003, left without a seat in week 1, is seated in week 2; two fathers are, as before.

    He had the call, so he is not among those with nothing beyond the legal
    visit, who otherwise choose first: the legal hour comes before that.
    """
    first = two_seats_three_fathers()
    placed = priority_order(first)
    assert legal_hours(first, placed) == ["F-001", "F-002"]
    second = next_week(first, week_record(first, placed))
    assert below_legal_week_before(second) == {"F-003"}
    assert weeks_with_nothing_beyond_legal(second) == {"F-001": 1, "F-002": 1}
    assert legal_hours(second, priority_order(second)) == ["F-001", "F-003"]


def second_week_call_for_him_alone() -> Problem:
    """Give week 2 after the warm start's week 1, F-001 and F-002 again away on Monday morning.

    Only F-003 can have the call again, so a seat is worth more to either of
    the others (their first occurrence of the week) than to him (his second).
    """
    first = two_seats_three_fathers()
    second = next_week(first, week_record(first, priority_order(first)))
    data = second.model_dump(mode="json")
    away = {"start": "2027-02-08T09:00:00+01:00", "end": "2027-02-08T12:00:00+01:00"}
    for item in data["fathers"]:
        if item["id"] != "F-003":
            item["unavailable"].append(away)
    return Problem.model_validate(data)


def test_the_solve_keeps_him_seated_before_the_lower_tiers() -> None:
    """The solve seats F-003 in week 2 and gives him the call; the legal tier's count is two.

    The same roster with F-002 in his seat is as valid, has the same count
    and more entitlement value (the seat would be F-002's first occurrence of
    the week, F-003's second): the lower tiers do not take the legal hour
    from a father who was below the legal minimum the week before.
    """
    second = second_week_call_for_him_alone()
    roster = list(checked(second, time_limit=5.0, deterministic=True).assignments)
    assert legal_hours(second, roster) == ["F-001", "F-003"]
    swapped = [
        a.model_copy(update={"fathers": ["F-001", "F-002"]}) if a.activity == "regular_visit" else a
        for a in roster
    ]
    assert legal_hours(second, swapped) == ["F-001", "F-002"]
    assert tiers(second, swapped).entitlements > tiers(second, roster).entitlements


def hall_for_two_shell_one_first() -> Problem:
    """Give two seats in the visit hall for two shell-1 fathers and a shell-2 father.

    The shell-1 fathers may only sit in the visit hall; F-003 may also have a
    family-room visit, but the family room's visit needs a volunteer and there
    is none: the hall is his only way to the legal hour all the same.
    """
    wednesday = [window("wed", "08:00", "20:00")]
    return week(
        rooms=[
            room("BZ", "visit_hall", [window("wed", "13:00", "18:00")], capacity=10),
            room("FK", "family_room", [window("mon", "10:00", "12:00")]),
        ],
        sessions=[session("S1", "regular_visit", "BZ", at("wed", "14:00"), 2)],
        officers=[officer("O1", [*wednesday, window("mon", "08:00", "20:00")])],
        fathers=[father("F-001", shell=1), father("F-002", shell=1), father("F-003", shell=2)],
        policy={"partner_cap_hours": 0.0},
    )


def test_where_seats_are_scarce_he_takes_one_from_a_father_who_had_his() -> None:
    """F-003 misses week 1 (the fathers with one kind of visit choose first); week 2 seats him.

    Both weeks bring two fathers to the legal minimum: in week 2 one of the
    shell-1 fathers, who had his hour in week 1, is the one without.
    """
    first = hall_for_two_shell_one_first()
    placed = priority_order(first)
    assert legal_hours(first, placed) == ["F-001", "F-002"]
    second = next_week(first, week_record(first, placed))
    seated = legal_hours(second, priority_order(second))
    assert len(seated) == 2 and "F-003" in seated


def test_a_week_planned_alone_knows_no_one_below_the_week_before() -> None:
    """A record without what each father was owed names no one (a week planned alone)."""
    first = two_seats_three_fathers()
    record = week_record(first, priority_order(first)).model_copy(update={"entitled": {}})
    assert below_legal_week_before(next_week(first, record)) == set()


def test_the_legal_tiers_tie_break_seats_him_where_its_solution_did_not() -> None:
    """A solution seating F-001 and F-002 in week 2 has the legal tier's count, two, but
    not F-003, who missed week 1: ``seat_missed`` gives visits at the same count with him.
    """
    second = two_seats_three_fathers()
    second = next_week(second, week_record(second, priority_order(second)))
    assert below_legal_week_before(second) == {"F-003"}
    without = [
        a.model_copy(update={"fathers": ["F-001", "F-002"]})
        for a in priority_order(second)
        if a.activity == "regular_visit"
    ]
    assert legal_hours(second, without) == ["F-001", "F-002"]
    built = RosterModel(second)
    built.hint(without)
    solution = hinted_solution(built.model)
    assert solution is not None
    legal = built.terms.expressions["legal_minimum"]
    assert solution_value(solution, legal) == 2
    assert solution_value(solution, built.terms.missed_at_legal) == 0
    options = SolveOptions(time_limit=5.0, deterministic=True)
    visits = seat_missed(built, solution, 2, options, 5.0)
    assert visits is not None
    seated = legal_hours(second, visits)
    assert len(seated) == 2 and "F-003" in seated


def test_the_tie_break_gives_nothing_where_he_is_seated_already() -> None:
    """Where the solution already seats every father below the legal minimum the week before."""
    second = two_seats_three_fathers()
    second = next_week(second, week_record(second, priority_order(second)))
    placed = priority_order(second)
    assert "F-003" in legal_hours(second, placed)
    built = RosterModel(second)
    built.hint(placed)
    solution = hinted_solution(built.model)
    assert solution is not None
    assert seat_missed(built, solution, 2, SolveOptions(time_limit=5.0), 5.0) is None


def test_the_father_at_the_least_four_week_share_takes_a_seat_from_one_above_it() -> None:
    """F-003's call two weeks before was cancelled: he takes F-001's seat, and the count stays.

    The seats went to F-001 and F-002; the floor is F-003's share, and a
    visit is worth more to it than to theirs. Neither was below the legal
    minimum the week before, so no one's tie-break is broken.
    """
    first = two_seats_three_fathers()
    seated = [a for a in priority_order(first) if a.activity == "regular_visit"]
    assert legal_hours(first, seated) == ["F-001", "F-002"]
    owed = {f"F-00{n}": {"video_call": 1} for n in (1, 2, 3)}
    calls = [
        {"father": f"F-00{n}", "activity": "video_call", "start": "2027-01-18T10:00:00+01:00"}
        for n in (1, 2)
    ]
    cancelled = {**calls[0], "father": "F-003", "outcome": "cancelled_by_institution"}
    record = {"week": "2027-W03", "entitled": owed, "occurrences": [*calls, cancelled]}
    data = {**first.model_dump(mode="json"), "history": {"weeks": [record]}}
    problem = parse_problem(data)
    assert below_legal_week_before(problem) == set()
    placer = Placer(problem, 0, seated)
    seat_the_least(placer, [problem.kind("regular_visit")])
    assert legal_hours(problem, placer.occupancy.assignments()) == ["F-002", "F-003"]
