"""Each rule family of ``solver.constraints`` alone on a tiny week: what it allows, exactly.

A test builds the week's candidates and variables, adds only the rules named,
and asks CP-SAT for the most literals of one kind that can hold together: with
the rule the count is the one the rule allows, without it more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import Problem
from scheduler.week import DAYS, MINUTES_PER_DAY
from solver.candidates import Candidates, find_candidates
from solver.constraints import (
    Use,
    entitlements_are_ceilings,
    fathers_do_one_thing_at_a_time,
    maximal_cliques,
    non_association,
    partner_cap,
    rooms_hold_their_capacity,
    sessions_have_their_staff,
    sessions_run_with_fathers,
    slots_have_their_staff,
    staff_serve_one_activity_at_a_time,
)
from solver.variables import Variables
from tests.kit.weeks import at, every_day, father, officer, room, session, volunteer, week, window

Rule = Callable[[cp_model.CpModel, Problem, Candidates, Variables], None]
Pick = Callable[[Candidates, Variables], Any]


def most(problem: Problem, rules: Sequence[Rule], pick: Pick) -> int:
    """Give the highest value the picked sum of literals can take under ``rules`` alone."""
    candidates = find_candidates(problem)
    model = cp_model.CpModel()
    variables = Variables(model, candidates)
    for rule in rules:
        rule(model, problem, candidates, variables)
    model.maximize(pick(candidates, variables))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(model) == cp_model.OPTIMAL
    return int(solver.objective_value)


def visits(candidates: Candidates, variables: Variables) -> Any:
    """Pick the number of family-room visits."""
    return _slots(candidates, variables, "family_room_visit")


def calls(candidates: Candidates, variables: Variables) -> Any:
    """Pick the number of video calls."""
    return _slots(candidates, variables, "video_call")


def _slots(candidates: Candidates, variables: Variables, activity: str, father: str = "") -> Any:
    return sum(
        literal
        for slot, literal in zip(candidates.slots, variables.slot, strict=True)
        if slot.activity == activity and father in ("", slot.father)
    )


def seats(candidates: Candidates, variables: Variables) -> Any:
    """Pick the number of seats taken in sessions."""
    return sum(variables.seat.values())


def family_rooms(
    count: int, open_: list[dict[str, str]], **fields: object
) -> list[dict[str, object]]:
    """Give ``count`` identical family rooms (planned as one pool)."""
    return [room(f"FK{n}", "family_room", open_, **fields) for n in range(1, count + 1)]


def staff(volunteers: int = 1, officers: int = 1) -> dict[str, list[dict[str, object]]]:
    """Give volunteers for family-room visits and officers, there all Monday."""
    monday = [window("mon", "08:00", "20:00")]
    return {
        "volunteers": [
            volunteer(f"V{n}", ["family_room_visit"], monday) for n in range(1, volunteers + 1)
        ],
        "officers": [officer(f"O{n}", monday) for n in range(1, officers + 1)],
    }


def test_uses_are_limited_at_each_maximal_group_of_overlaps() -> None:
    """[0,10), [5,15), [10,20): two groups, the first two and the last two (ends are open)."""
    first, second, third = Use(0, 10, None), Use(5, 15, None), Use(10, 20, None)
    assert maximal_cliques([third, first, second]) == [[first, second], [second, third]]
    assert maximal_cliques([first, Use(2, 4, None)]) == [[first, Use(2, 4, None)]]


def test_a_room_holds_its_capacity() -> None:
    """A family room open for one 90-minute visit: two fathers' slots there, one can be used."""
    problem = week(
        rooms=family_rooms(1, [window("mon", "10:00", "11:30")]),
        fathers=[father("F1"), father("F2")],
        **staff(2, 2),
    )
    assert most(problem, [], visits) == 2
    assert most(problem, [rooms_hold_their_capacity], visits) == 1


def test_a_father_does_one_thing_at_a_time() -> None:
    """Two video stations, starts 10:00 and 10:15: one father gets one of his two calls."""
    problem = week(
        rooms=[room(f"VB{n}", "video_station", [window("mon", "10:00", "10:45")]) for n in (1, 2)],
        fathers=[father("F1")],
    )
    assert most(problem, [], calls) == 2
    assert most(problem, [fathers_do_one_thing_at_a_time], calls) == 1


def test_an_individual_activity_has_its_own_staff() -> None:
    """One volunteer and two rooms at 10:00 only: of two fathers' visits at once, one has staff."""
    problem = week(
        rooms=family_rooms(2, [window("mon", "10:00", "11:30")]),
        fathers=[father("F1"), father("F2")],
        **staff(1, 2),
    )
    assert most(problem, [], visits) == 2
    assert most(problem, [slots_have_their_staff], visits) == 1


def test_staff_serve_one_activity_at_a_time() -> None:
    """One volunteer, visits starting 10:00 and 10:15: with staff, he serves only one of them."""
    problem = week(
        rooms=family_rooms(2, [window("mon", "10:00", "11:45")]),
        fathers=[father("F1"), father("F2")],
        **staff(1, 2),
    )
    assert most(problem, [slots_have_their_staff], visits) == 2
    assert most(problem, [slots_have_their_staff, staff_serve_one_activity_at_a_time], visits) == 1


def test_entitlements_are_ceilings_per_week_and_per_day() -> None:
    """A video station open all week: shell 3 has one call a day (7), shell 2 one a week."""
    problem = week(
        rooms=[room("VB", "video_station", every_day("10:00", "12:00"))],
        fathers=[father("F3", shell=3), father("F2", shell=2)],
    )
    rules: list[Rule] = [entitlements_are_ceilings]
    assert most(problem, rules, lambda c, v: _slots(c, v, "video_call", "F3")) == 7
    assert most(problem, rules, lambda c, v: _slots(c, v, "video_call", "F2")) == 1
    assert most(problem, [], lambda c, v: _slots(c, v, "video_call", "F2")) == 7 * 7


def _calls_on(days: set[str], weight: int = 1) -> Pick:
    """Pick the video calls starting on these days, each counted ``weight`` times."""
    numbers = {DAYS.index(day) for day in days}

    def pick(candidates: Candidates, variables: Variables) -> Any:
        return weight * sum(
            literal
            for slot, literal in zip(candidates.slots, variables.slot, strict=True)
            if slot.activity == "video_call" and slot.start // MINUTES_PER_DAY in numbers
        )

    return pick


BEFORE = {"mon", "tue"}
FROM_WEDNESDAY = {"wed", "thu", "fri", "sat", "sun"}


def test_a_time_out_holds_its_days_to_what_the_days_before_left() -> None:
    """Time-out from Wednesday, shell 2 one call: Monday and Tuesday, or one call from Wednesday.

    Calls before the time-out are never held back (two of them), but any of
    them leaves no call from Wednesday on: at most ``max(0, 1 - before)``.
    """
    problem = week(
        rooms=[room("VB", "video_station", every_day("10:00", "11:00"))],
        fathers=[father("F1", timeouts=[{"start": "2027-02-03"}])],
    )
    rules: list[Rule] = [entitlements_are_ceilings]
    assert most(problem, rules, _calls_on(BEFORE)) == 2
    assert most(problem, rules, _calls_on(FROM_WEDNESDAY)) == 1
    assert most(problem, rules, calls) == 2
    # One call from Wednesday on is worth ten: it takes the whole figure, none before it.
    after, before = _calls_on(FROM_WEDNESDAY, 10), _calls_on(BEFORE)
    assert most(problem, rules, lambda c, v: after(c, v) + before(c, v)) == 10
    assert most(problem, [], _calls_on(FROM_WEDNESDAY)) > 1


def test_a_pinned_call_before_the_time_out_leaves_none_after_it() -> None:
    """A pinned Monday call (a repair's frozen past) uses up shell 2's one call from Wednesday."""
    pin = {
        "id": "PIN-1",
        "activity": "video_call",
        "start": at("mon", "10:00"),
        "end": at("mon", "10:30"),
        "room": "VB",
        "fathers": ["F1"],
        "pinned": True,
    }
    problem = week(
        rooms=[room("VB", "video_station", every_day("10:00", "11:00"))],
        fathers=[father("F1", timeouts=[{"start": "2027-02-03"}])],
        pinned=[pin],
    )
    rules: list[Rule] = [entitlements_are_ceilings]
    assert most(problem, rules, _calls_on(FROM_WEDNESDAY)) == 0
    assert most(problem, rules, _calls_on({"tue"})) == 1


def test_the_partner_cap_bounds_the_volunteers_minutes() -> None:
    """A partner cap of one hour and 30-minute visits: two visits where staff could do three."""
    problem = week(
        rooms=family_rooms(3, every_day("10:00", "20:00")),
        fathers=[father("F1"), father("F2"), father("F3")],
        policy={"partner_cap_hours": 1},
        activities={"family_room_visit": {"minutes": 30}},
        **staff(3, 3),
    )
    rules: list[Rule] = [slots_have_their_staff, entitlements_are_ceilings]
    assert most(problem, rules, visits) == 3  # staff on Monday only, one visit a day each
    assert most(problem, [*rules, partner_cap], visits) == 2


def test_a_volunteer_works_at_most_his_own_hours() -> None:
    """A volunteer of half an hour a week and 30-minute visits: one visit where six could be."""
    problem = week(
        rooms=family_rooms(3, every_day("10:00", "20:00")),
        fathers=[father("F1"), father("F2"), father("F3")],
        volunteers=[volunteer("V1", ["family_room_visit"], every_day("08:00", "21:00"),
                              max_hours_week=0.5)],
        officers=[officer("O1", every_day("08:00", "21:00"))],
        activities={"family_room_visit": {"minutes": 30}},
    )  # fmt: skip
    rules: list[Rule] = [slots_have_their_staff, entitlements_are_ceilings]
    assert most(problem, rules, visits) == 6
    assert most(problem, [*rules, partner_cap], visits) == 1


def hall_week(**fields: Any) -> Problem:
    """Give a week with one Wednesday visit session of two seats, its staff and ``fields``."""
    afternoon = [window("wed", "13:00", "17:00")]
    parts: dict[str, Any] = {
        "rooms": [room("BZ", "visit_hall", afternoon, capacity=8)],
        "sessions": [session("S1", "regular_visit", "BZ", at("wed", "14:00"), 2)],
        "volunteers": [volunteer(f"V{n}", ["regular_visit"], afternoon) for n in (1, 2)],
        "officers": [officer("O1", afternoon)],
    }
    return week(**{**parts, **fields})


def test_a_session_seats_at_most_its_capacity_and_runs_only_with_fathers() -> None:
    """A session of 2 seats and three fathers: two seats at most, and no run without a seat."""
    problem = hall_week(fathers=[father("F1"), father("F2"), father("F3")])
    assert most(problem, [], seats) == 3
    assert most(problem, [sessions_run_with_fathers], seats) == 2

    def running_empty(candidates: Candidates, variables: Variables) -> Any:
        return 2 * variables.run["S1"] - sum(variables.seat.values())

    assert most(problem, [], running_empty) == 2
    assert most(problem, [sessions_run_with_fathers], running_empty) == 1


def test_a_session_runs_with_exactly_the_staff_its_activity_needs() -> None:
    """The visit needs two volunteers and one officer: of three and two, that many serve it."""
    problem = hall_week(
        fathers=[father("F1")],
        volunteers=[
            volunteer(f"V{n}", ["regular_visit"], [window("wed", "13:00", "17:00")])
            for n in (1, 2, 3)
        ],
        officers=[officer(f"O{n}", [window("wed", "13:00", "17:00")]) for n in (1, 2)],
    )

    def staff_of_a_running_session(candidates: Candidates, variables: Variables) -> Any:
        staff = sum(variables.session_volunteer.values()) + sum(variables.session_officer.values())
        return 10 * variables.run["S1"] + staff

    rules: list[Rule] = [sessions_run_with_fathers]
    assert most(problem, rules, staff_of_a_running_session) == 10 + 5
    assert most(problem, [*rules, sessions_have_their_staff], staff_of_a_running_session) == 10 + 3


def test_fathers_kept_apart_never_share_a_session() -> None:
    """F1 and F2 kept apart, a session of two seats: one of them sits there, not both."""
    problem = hall_week(fathers=[father("F1", non_associations=["F2"]), father("F2")])
    assert most(problem, [sessions_run_with_fathers], seats) == 2
    assert most(problem, [sessions_run_with_fathers, non_association], seats) == 1
