"""What a roster leaves of the week: sessions that do not run and why, free capacity, bottleneck."""

from __future__ import annotations

from typing import Any

from scheduler import reasons
from scheduler.capacity import NOBODY_OWED, WOULD_FIT, bottleneck, free_capacity, idle_sessions
from scheduler.domain import Problem
from scheduler.occupancy import Occupancy
from scheduler.unblock import decisive_reason, tried_times
from scheduler.validate import violations
from solver.baseline import first_come_first_served
from tests.kit.weeks import (
    INSTITUTION,
    at,
    checked,
    every_day,
    father,
    officer,
    room,
    session,
    volunteer,
    week,
    window,
)


def _kitchen_week(shifts: list[dict[str, str]], shell: int = 3) -> Problem:
    """Give a week with one cooking session on Monday 16:30 and two fathers of a shell."""
    return week(
        rooms=[room("R-KK", "kitchen", every_day("09:00", "20:00"))],
        sessions=[session("S-KK", "cooking_together", "R-KK", at("mon", "16:30"), 4)],
        volunteers=[volunteer("V-1", ["cooking_together"], every_day("09:00", "20:00"))],
        officers=[officer("O-1", shifts)],
        fathers=[father("F-001", shell), father("F-002", shell)],
    )


def test_a_session_without_an_officer_on_shift_does_not_run_for_that_reason() -> None:
    """The officer works mornings only: the cooking session seats nobody; no_officer says why."""
    problem = _kitchen_week([window("mon", "08:00", "12:00")])
    roster = checked(problem)
    idle = idle_sessions(problem, roster.assignments, INSTITUTION)
    assert [(i.session.id, i.reason, i.fathers, i.tried) for i in idle] == [
        ("S-KK", reasons.NO_OFFICER, 2, 2)
    ]


def test_a_session_nobody_is_owed_names_the_fathers_own_reasons() -> None:
    """Fathers of shell 1 may not cook together: nobody is owed the session, both not in shell."""
    problem = _kitchen_week([window("mon", "08:00", "20:00")], shell=1)
    roster = checked(problem)
    idle = idle_sessions(problem, roster.assignments, INSTITUTION)
    assert [(i.reason, i.figures) for i in idle] == [(NOBODY_OWED, {reasons.NOT_IN_SHELL: 2})]


def test_a_session_that_runs_is_not_idle_and_an_empty_roster_says_it_would_fit() -> None:
    """With the officer on shift the session runs; in a roster without it, both fathers fit."""
    problem = _kitchen_week([window("mon", "08:00", "20:00")])
    roster = checked(problem)
    assert any(a.session == "S-KK" and a.fathers for a in roster.assignments)
    assert idle_sessions(problem, roster.assignments, INSTITUTION) == []
    idle = idle_sessions(problem, [], INSTITUTION)
    assert [(i.reason, i.fathers) for i in idle] == [(WOULD_FIT, 2)]


def _family_room_week() -> Problem:
    closure: dict[str, Any] = {"start": at("mon", "12:00"), "end": at("mon", "13:00")}
    return week(
        rooms=[room("R-FK", "family_room", [window("mon", "09:00", "17:00")], closed=[closure])],
        volunteers=[volunteer("V-1", ["family_room_visit"], every_day("08:00", "18:00"))],
        officers=[officer("O-1", every_day("08:00", "18:00"))],
        fathers=[father("F-001")],
    )


def test_free_capacity_is_the_open_time_less_closures_and_the_time_in_use() -> None:
    """The family room is open 8 hours on Monday, closed one: 7 open, the visits' minutes in use."""
    problem = _family_room_week()
    roster = checked(problem)
    visits = [a for a in roster.assignments if a.room == "R-FK"]
    assert visits
    used = sum((a.end - a.start).total_seconds() / 60 for a in visits)
    days = free_capacity(problem, roster.assignments, INSTITUTION)
    monday = next(f for f in days if f.day == 0)
    assert (monday.open_minutes, monday.used_minutes) == (7 * 60, used)
    assert monday.free_minutes == 7 * 60 - used
    assert [f.open_minutes for f in days if f.day > 0] == [0] * 6


def test_seats_left_per_session_count_the_fathers_seated() -> None:
    """A session of four seats with two fathers cooking has two seats left; idle ones all four."""
    problem = _kitchen_week([window("mon", "08:00", "20:00")])
    roster = checked(problem)
    seated = next(len(a.fathers) for a in roster.assignments if a.session == "S-KK")
    monday = next(f for f in free_capacity(problem, roster.assignments, INSTITUTION) if f.day == 0)
    assert monday.seats == (("S-KK", 4 - seated, 4),)
    empty = next(f for f in free_capacity(problem, [], INSTITUTION) if f.day == 0)
    assert empty.seats == (("S-KK", 4, 4),)


def test_the_partner_cap_is_the_bottleneck_of_the_tiny_week_with_its_hours(tiny: Problem) -> None:
    """The tiny week's cap of 6 hours decides most shortfalls; its figures are the cap's use."""
    roster = first_come_first_served(tiny)
    assert violations(tiny, roster) == []
    found = bottleneck(tiny, roster, "PI-VH")
    assert found is not None and found.reason == reasons.PARTNER_CAP
    occupancy = Occupancy(tiny, roster.assignments)
    tried = tried_times(tiny, occupancy, "F-002", "family_room_visit")
    decisive = decisive_reason(tiny, occupancy, "family_room_visit", tried, [])
    assert decisive is not None and decisive.reason == reasons.PARTNER_CAP
    assert found.figures == {
        "used_hours": decisive.figures["used_hours"],
        "cap_hours": decisive.figures["cap_hours"],
    }
    shortfalls = [
        s for s in roster.shortfalls if tiny.father_by_id[s.father].institution == "PI-VH"
    ]
    assert 1 <= found.decides <= found.shortfalls == len(shortfalls)


def test_a_week_without_shortfalls_of_a_resource_has_no_bottleneck() -> None:
    """When the only shortfalls are the fathers' own (not in his shell), nothing is a bottleneck."""
    problem = _kitchen_week([window("mon", "08:00", "20:00")], shell=1)
    roster = checked(problem)
    assert bottleneck(problem, roster, INSTITUTION) is None
