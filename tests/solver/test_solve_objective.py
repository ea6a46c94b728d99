"""The objective's strict priority, tier by tier, on tiny weeks built in the test."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from scheduler.domain import Problem, parse_problem
from scheduler.objective import TIERS, combine, tier_ranges, tiers
from solver.model import RosterModel, VisitModel
from solver.search import Reporter
from solver.solve import Progress
from tests.kit.weeks import (
    at,
    checked,
    every_day,
    father,
    granted,
    officer,
    room,
    session,
    volunteer,
    week,
    window,
)


def officer_hour(legal_minutes: int) -> Problem:
    """Give a week where one officer either supervises B's family visit or three video calls.

    Video calls here need an officer; A1 to A3 only want calls, B only his
    family room visit, and the officer is on shift Monday 16:00-17:30 only.
    """
    video_only = {"family_room_visit": 0, "cell_visit": 0}
    return week(
        rooms=[
            room("BB", "video_station", [window("mon", "16:00", "17:30")]),
            room("FK", "family_room", [window("mon", "16:00", "17:30")]),
        ],
        volunteers=[volunteer("V1", ["family_room_visit"], [window("mon", "08:00", "20:00")])],
        officers=[officer("O1", [window("mon", "16:00", "17:30")])],
        fathers=[
            father("B0", shell=2, plan={"video_call": 0}),
            *(father(f"A{n}", plan=video_only) for n in (1, 2, 3)),
        ],
        policy={"legal_min_visit_minutes": legal_minutes},
        activities={"video_call": {"officers": 1}},
    )


def test_legal_minimum_comes_before_more_entitlement() -> None:
    """Three video calls are worth more than B's visit, but B's legal hour wins the officer."""
    roster = checked(officer_hour(legal_minutes=60))
    assert granted(roster, "family_room_visit") == [("B0", "mon", "16:00")]
    assert granted(roster, "video_call") == []
    assert roster.tiers["legal_minimum"] == 1
    assert roster.status == "optimal"


def test_without_a_legal_minimum_the_calls_win() -> None:
    """The same week without a legal minimum gives the officer to the three calls instead."""
    roster = checked(officer_hour(legal_minutes=0))
    assert granted(roster, "family_room_visit") == []
    assert sorted(f for f, _, _ in granted(roster, "video_call")) == ["A1", "A2", "A3"]
    # Each call is its father's first of the activity (420) and of his week (1260).
    assert roster.tiers["entitlements"] == 3 * (420 + 1260)


def test_entitlements_are_spread_over_fathers() -> None:
    """Two call slots in the week and two fathers wanting seven each: one call each.

    Each call is its father's first of the activity and of the week: 420 + 1260 each.
    """
    problem = week(
        rooms=[
            room(
                "BB",
                "video_station",
                [window("mon", "16:00", "16:30"), window("tue", "16:00", "16:30")],
            )
        ],
        fathers=[father("F1"), father("F2")],
    )
    roster = checked(problem)
    assert sorted(f for f, _, _ in granted(roster, "video_call")) == ["F1", "F2"]
    assert roster.tiers["entitlements"] == 2 * (420 + 1260)


def test_the_week_levels_serve_the_father_who_has_least() -> None:
    """One call slot, two fathers: it goes to F2, who has nothing, not to F1 with his family visit.

    Per activity both calls are a first (420); over the week F2's is his
    first occurrence (1260), F1's his second (630).
    """
    problem = week(
        rooms=[
            room("BB", "video_station", [window("mon", "16:00", "16:30")]),
            room("FK", "family_room", [window("mon", "10:00", "11:30")]),
        ],
        volunteers=[volunteer("V1", ["family_room_visit"], [window("mon", "08:00", "20:00")])],
        officers=[officer("O1", [window("mon", "08:00", "20:00")])],
        fathers=[
            father("F1", shell=2),
            father(
                "F2",
                shell=2,
                unavailable=[
                    {"start": "2027-02-01T09:00:00+01:00", "end": "2027-02-01T12:00:00+01:00"}
                ],
            ),
        ],
        policy={"legal_min_visit_minutes": 0},
    )
    roster = checked(problem)
    assert granted(roster, "family_room_visit") == [("F1", "mon", "10:00")]
    assert granted(roster, "video_call") == [("F2", "mon", "16:00")]
    assert roster.tiers["entitlements"] == 2 * (420 + 1260)
    assert roster.kpis.fairness_floor > 0


def test_the_week_levels_never_outweigh_a_legal_hour() -> None:
    """The entitlement tier's range bounds every roster's value, so one legal hour outweighs it.

    The three calls of ``officer_hour`` are worth 3 * (420 + 1260), more than
    B's visit alone, and still B's legal hour takes the officer.
    """
    problem = officer_hour(legal_minutes=60)
    ranges = tier_ranges(problem)
    calls = 3 * (420 + 1260)
    assert calls <= ranges.entitlements
    one_legal_hour = combine(tiers(problem, []).__class__(1, 0, 0, 0, 0), ranges)
    everything_below = combine(
        tiers(problem, []).__class__(0, ranges.entitlements, ranges.continuity, 0, 0), ranges
    )
    assert one_legal_hour > everything_below
    roster = checked(problem)
    assert granted(roster, "family_room_visit") == [("B0", "mon", "16:00")]


def test_linked_volunteer_escorts_his_family() -> None:
    """Of two free volunteers, the one linked to the father escorts his family room visit."""
    problem = week(
        rooms=[room("FK", "family_room", [window("mon", "10:00", "11:30")])],
        volunteers=[
            volunteer("V1", ["family_room_visit"], [window("mon", "08:00", "20:00")]),
            volunteer("V2", ["family_room_visit"], [window("mon", "08:00", "20:00")]),
        ],
        officers=[officer("O1", [window("mon", "08:00", "20:00")])],
        fathers=[father("F1", shell=2, linked_volunteer="V2")],
    )
    roster = checked(problem)
    assert [a.volunteers for a in roster.assignments] == [["V2"]]
    assert roster.tiers["continuity"] == 1


def test_linked_volunteer_joins_the_session() -> None:
    """A visit session needing two of three volunteers takes the father's linked one."""
    problem = week(
        rooms=[room("BZ", "visit_hall", [window("wed", "13:00", "17:00")], capacity=10)],
        sessions=[session("S1", "regular_visit", "BZ", at("wed", "14:00"), 8)],
        volunteers=[
            volunteer(f"V{n}", ["regular_visit"], [window("wed", "13:00", "17:00")])
            for n in (1, 2, 3)
        ],
        officers=[officer("O1", [window("wed", "13:00", "17:00")])],
        fathers=[father("F1", shell=1, linked_volunteer="V3")],
    )
    [assignment] = checked(problem).assignments
    assert "V3" in assignment.volunteers


def test_preferred_window_is_used() -> None:
    """A father who prefers Saturday morning has his one family room visit then."""
    problem = week(
        rooms=[room("FK", "family_room", every_day("10:00", "17:00"))],
        volunteers=[volunteer("V1", ["family_room_visit"], every_day("08:00", "20:00"))],
        officers=[officer("O1", every_day("08:00", "20:00"))],
        fathers=[
            father(
                "F1", shell=2, plan={"video_call": 0}, preferred=[window("sat", "10:00", "13:00")]
            )
        ],
    )
    [(_, day, start)] = granted(checked(problem), "family_room_visit")
    assert day == "sat"
    assert "10:00" <= start <= "11:30"


def test_economy_prefers_fewer_volunteer_hours() -> None:
    """An unescorted visit in the hall (no volunteer minutes) beats the family room (90).

    The volunteers may not escort regular visits, so either visit is worth
    the same; the hall needs no volunteer at all.
    """
    problem = week(
        rooms=[
            room("BZ", "visit_hall", [window("wed", "14:00", "15:00")], capacity=10),
            room("FK", "family_room", [window("wed", "14:00", "15:30")]),
        ],
        sessions=[session("S1", "regular_visit", "BZ", at("wed", "14:00"), 8)],
        volunteers=[
            volunteer(f"V{n}", ["family_room_visit"], [window("wed", "13:00", "17:00")])
            for n in (1, 2)
        ],
        officers=[officer("O1", [window("wed", "13:00", "17:00")])],
        fathers=[father("F1", shell=2, plan={"video_call": 0})],
    )
    roster = checked(problem)
    assert [(a.activity, a.volunteers) for a in roster.assignments] == [("regular_visit", [])]
    assert roster.tiers["economy"] == 36 * 60


def test_an_escorted_visit_is_worth_its_volunteer_hours() -> None:
    """Where two volunteers may escort the hall's visit, the escorted one beats the family room."""
    problem = week(
        rooms=[
            room("BZ", "visit_hall", [window("wed", "14:00", "15:00")], capacity=10),
            room("FK", "family_room", [window("wed", "14:00", "15:30")]),
        ],
        sessions=[session("S1", "regular_visit", "BZ", at("wed", "14:00"), 8)],
        volunteers=[
            volunteer(
                f"V{n}", ["regular_visit", "family_room_visit"], [window("wed", "13:00", "17:00")]
            )
            for n in (1, 2)
        ],
        officers=[officer("O1", [window("wed", "13:00", "17:00")])],
        fathers=[father("F1", shell=2, plan={"video_call": 0})],
    )
    roster = checked(problem)
    assert [(a.activity, sorted(a.volunteers)) for a in roster.assignments] == [
        ("regular_visit", ["V1", "V2"])
    ]
    assert roster.kpis.fulfilment_by_activity["escorted_visit"] == 1.0
    assert roster.tiers["economy"] == 36 * 60 - 120


def test_previous_roster_is_kept(tiny: Problem) -> None:
    """Solving tiny again against its own roster keeps every occurrence of it."""
    first = checked(tiny)
    again = checked(tiny, previous=first)
    keys = {(f, a.activity, a.start) for a in first.assignments for f in a.fathers}
    assert {(f, a.activity, a.start) for a in again.assignments for f in a.fathers} == keys
    assert again.tiers["stability"] == len(keys)
    assert {name: again.tiers[name] for name in TIERS[:3]} == {
        name: first.tiers[name] for name in TIERS[:3]
    }


def test_previous_roster_is_kept_where_possible(tiny: Problem) -> None:
    """When F-001 is taken ill on Monday, only his Monday occurrences change."""
    first = checked(tiny)
    data = tiny.model_dump(mode="json")
    data["fathers"][0]["unavailable"].append(
        {"start": at("mon", "00:00"), "end": at("tue", "00:00")}
    )
    ill = parse_problem(data)
    again = checked(ill, previous=first)
    before = {(f, a.activity, a.start) for a in first.assignments for f in a.fathers}
    after = {(f, a.activity, a.start) for a in again.assignments for f in a.fathers}
    assert before - after == {
        (f, activity, start)
        for f, activity, start in before
        if f == "F-001" and start.weekday() == 0
    }
    assert again.tiers["stability"] == len(before & after)


def test_status_bound_and_progress(tiny: Problem) -> None:
    """Tiny is proven optimal: bound equals objective, gap 0, progress reported per tier group."""
    progress: list[Progress] = []
    roster = checked(tiny, progress=progress)
    assert (roster.status, roster.bound, roster.gap) == ("optimal", roster.objective, 0.0)
    assert roster.objective == combine(tiers(tiny, roster.assignments), tier_ranges(tiny))
    assert progress
    for step in progress:
        names = step.tier.split("+")
        assert names == [name for name in TIERS if name in names]
    for earlier, later in zip(progress, progress[1:], strict=False):
        if earlier.tier == later.tier:
            assert earlier.objective is not None and later.objective is not None
            assert later.objective >= earlier.objective


def test_legal_tier_on_the_visits_alone_keeps_its_optimum(tiny: Problem) -> None:
    """The legal tier's optimum on its sub-model is the full model's; it holds visits only."""
    built = RosterModel(tiny)
    built.model.maximize(built.terms.expressions["legal_minimum"])
    sub = VisitModel(built)
    visits = {a.id for a in tiny.activities if a.counts_as_visit}
    optima = []
    for searched in (built.model, sub.model):
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 2
        assert solver.solve(searched) == cp_model.OPTIMAL
        optima.append(round(solver.objective_value))
    assert optima == [len(tiny.fathers), len(tiny.fathers)]
    read = sub.read(lambda literal: solver.boolean_value(literal))
    assert read and {a.activity for a in read} <= visits


def test_the_reporter_keeps_the_last_bound_proved() -> None:
    """A search that ends without a solution of its own still proved its last bound."""
    events: list[Progress] = []
    reporter = Reporter("legal_minimum", time.monotonic(), events.append, 193)
    assert reporter.bound is None
    reporter.on_bound(600.0)
    reporter.on_bound(194.0)
    assert reporter.bound == 194
    assert [(e.objective, e.bound) for e in events] == [(193, 600), (193, 194)]
