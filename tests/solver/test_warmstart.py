"""The warm start: a valid roster to which no entitled occurrence can be added, given once.

``priority_order`` does not try again an occurrence that did not fit once,
because placing only ever takes rooms, people, time and partner cap. If that
were wrong, an occurrence given up on would still fit in the finished roster.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.domain import Assignment, Problem
from scheduler.entitlements import entitled
from scheduler.generate import generate_problem
from scheduler.kpis import compute_kpis
from scheduler.objective import has_its_escorts, tiers
from scheduler.occupancy import Occupancy
from scheduler.placement import first_fit
from scheduler.validate import check_assignments
from solver.placer import Placer, moved_for
from solver.solve import SolveOptions, solve, warm_start_roster
from solver.warmstart import filled_around, priority_order
from tests.kit import weeks as kit


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fathers=st.integers(min_value=10, max_value=40),
    seed=st.integers(min_value=0, max_value=10_000),
    hours=st.sampled_from([0.0, 3.0, 9.0, 36.0]),
)
def test_no_entitled_occurrence_fits_into_the_warm_start(
    fathers: int, seed: int, hours: float
) -> None:
    """Every occurrence still owed after the warm start is refused by first_fit."""
    problem = generate_problem(fathers, seed=seed)
    problem.policy.partner_cap_hours = hours
    roster = priority_order(problem)
    assert check_assignments(problem, roster) == []
    occupancy = Occupancy(problem, roster)
    for father in problem.fathers:
        for activity in problem.activities:
            if occupancy.occurrences(father.id, activity.id) < entitled(problem, father, activity):
                assert first_fit(problem, occupancy, father.id, activity.id) is None


def test_a_warm_start_given_to_solve_gives_the_roster_it_would_place_itself(
    tiny: Problem,
) -> None:
    """Passing ``warm_start_roster``'s roster saves placing it again and changes nothing."""
    options = SolveOptions(time_limit=5, workers=2, deterministic=True)
    first = warm_start_roster(tiny)
    assert first.solver == "priority-order" and check_assignments(tiny, first.assignments) == []
    alone = solve(tiny, options)
    given = solve(tiny, options, warm_start=first)
    assert given.assignments == alone.assignments
    assert given.tiers == alone.tiers


def test_the_week_is_filled_around_visits_decided_elsewhere() -> None:
    """filled_around keeps the visits it is given and adds the rest: valid, nothing more fits."""
    problem = generate_problem(30, seed=4)
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    placed = [a for a in priority_order(problem) if a.activity in visits][::2]
    roster = filled_around(problem, placed)
    assert check_assignments(problem, roster) == []
    held = {a.id: a for a in roster}
    # A visit session may get its escorts beside its own staff; nothing else of it changes.
    assert all(_own(problem, held[a.id]) == _own(problem, a) for a in placed)
    assert any(a.activity not in visits for a in roster)
    occupancy = Occupancy(problem, roster)
    for father in problem.fathers:
        for activity in problem.activities:
            if activity.id in visits:
                continue
            if occupancy.occurrences(father.id, activity.id) < entitled(problem, father, activity):
                assert first_fit(problem, occupancy, father.id, activity.id) is None


def _own(problem: Problem, assignment: Assignment) -> Assignment:
    """Give the assignment with its escorts taken off, its own staff kept."""
    own = assignment.volunteers[: problem.activity_by_id[assignment.activity].volunteers]
    return assignment.model_copy(update={"volunteers": own})


def test_visit_sessions_decided_elsewhere_get_their_escorts_in_the_fill() -> None:
    """Visit sessions given without escorts get them in the pass beyond the legal visit.

    The legal tier's sub-model places its visit sessions without escorts; the
    fill gives them back where the partner cap allows, as the warm start does.
    """
    problem = generate_problem(30, seed=4)
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    placed = [_own(problem, a) for a in priority_order(problem) if a.activity in visits]
    assert not any(has_its_escorts(problem, a) for a in placed)
    roster = filled_around(problem, placed)
    assert check_assignments(problem, roster) == []
    assert any(has_its_escorts(problem, a) for a in roster)


def test_the_first_visits_are_told_as_a_valid_roster_before_the_rest() -> None:
    """``on_first`` gets the first pass's visits once: valid, no better, the result unchanged."""
    problem = generate_problem(40, seed=3)
    told: list[list[Assignment]] = []
    roster = priority_order(problem, on_first=told.append)
    assert len(told) == 1
    first = told[0]
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    assert first and all(a.activity in visits for a in first)
    assert check_assignments(problem, first) == []
    assert tiers(problem, first).legal_minimum <= tiers(problem, roster).legal_minimum
    assert roster == priority_order(problem)


def two_sessions_one_pair_of_escorts() -> Problem:
    """Give two visit sessions, partner hours for the escorts of one, and two video call slots.

    F-001 and F-002 can only sit in the 14:00 session, F-003 and F-004 only in
    the 16:00 one; the two video calls go to F-001 and F-002, who choose first.
    """
    wednesday = [kit.window("wed", "08:00", "20:00")]
    early = {"start": kit.at("wed", "15:30"), "end": kit.at("wed", "17:30")}
    late = {"start": kit.at("wed", "13:30"), "end": kit.at("wed", "15:30")}
    return kit.week(
        rooms=[
            kit.room("BZ", "visit_hall", [kit.window("wed", "13:00", "18:00")], capacity=10),
            kit.room("BB", "video_station", [kit.window("wed", "10:00", "11:00")]),
        ],
        sessions=[
            kit.session("S1", "regular_visit", "BZ", kit.at("wed", "14:00"), 2),
            kit.session("S2", "regular_visit", "BZ", kit.at("wed", "16:00"), 2),
        ],
        volunteers=[kit.volunteer(f"V{n}", ["regular_visit"], wednesday) for n in (1, 2)],
        officers=[kit.officer("O1", wednesday)],
        fathers=[
            kit.father(f"F-00{n}", shell=2, unavailable=[early if n < 3 else late])
            for n in (1, 2, 3, 4)
        ],
        policy={"partner_cap_hours": 2.0},
    )


def test_the_escorts_go_to_the_session_of_fathers_with_nothing_else() -> None:
    """The one pair of escorts escorts F-003 and F-004, who have no video call.

    Escorts spent as the visits are seated would go to the first session
    seated, the 14:00 one of the fathers who also have a video call, and leave
    F-003 and F-004 with the legal visit alone.
    """
    problem = two_sessions_one_pair_of_escorts()
    roster = priority_order(problem)
    assert check_assignments(problem, roster) == []
    sessions = {a.session: a for a in roster if a.session is not None}
    assert sorted(sessions["S1"].fathers) == ["F-001", "F-002"]
    assert sorted(sessions["S2"].fathers) == ["F-003", "F-004"]
    assert (sessions["S1"].volunteers, sorted(sessions["S2"].volunteers)) == ([], ["V1", "V2"])
    calls = sorted(f for a in roster if a.activity == "video_call" for f in a.fathers)
    assert calls == ["F-001", "F-002"]


def test_the_solve_from_that_start_keeps_every_father_served_beyond_legal() -> None:
    """The solve started from the warm start leaves no father with the legal visit alone."""
    problem = two_sessions_one_pair_of_escorts()
    roster = kit.checked(problem, time_limit=5.0, deterministic=True)
    assert roster.kpis.fathers_nothing_beyond_legal == []
    assert roster.kpis.fathers_below_legal_minimum == []


def two_sessions_of_three() -> Problem:
    """Give two visit sessions of three seats, escorts for one, and video calls for two fathers.

    F-002 and F-003 cannot take the morning's video calls, so they go to F-001
    and F-004: each session then seats one father with a call and two without.
    """
    wednesday = [kit.window("wed", "08:00", "20:00")]
    morning = {"start": kit.at("wed", "09:00"), "end": kit.at("wed", "12:00")}
    return kit.week(
        rooms=[
            kit.room("BZ", "visit_hall", [kit.window("wed", "13:00", "18:00")], capacity=10),
            kit.room("BB", "video_station", [kit.window("wed", "10:00", "11:00")]),
        ],
        sessions=[
            kit.session("S1", "regular_visit", "BZ", kit.at("wed", "14:00"), 3),
            kit.session("S2", "regular_visit", "BZ", kit.at("wed", "16:00"), 3),
        ],
        volunteers=[kit.volunteer(f"V{n}", ["regular_visit"], wednesday) for n in (1, 2)],
        officers=[kit.officer("O1", wednesday)],
        fathers=[
            kit.father(f"F-00{n}", shell=2, unavailable=[morning] if n in (2, 3) else [])
            for n in range(1, 7)
        ],
        policy={"partner_cap_hours": 2.0},
    )


def test_a_father_with_a_call_trades_his_escorted_seat_with_one_without() -> None:
    """The escorted session ends with three fathers without a call: one father is left bare.

    Without the trade, the escorted session would hold F-001 (who has his
    call) and leave two fathers of the other session with the legal visit alone.
    """
    problem = two_sessions_of_three()
    roster = priority_order(problem)
    assert check_assignments(problem, roster) == []
    calls = sorted(f for a in roster if a.activity == "video_call" for f in a.fathers)
    assert calls == ["F-001", "F-004"]
    [escorted] = [a for a in roster if a.session is not None and a.volunteers]
    assert not set(escorted.fathers) & set(calls) and len(escorted.fathers) == 3
    assert len(compute_kpis(problem, roster).fathers_nothing_beyond_legal) == 1


def officer_for_two(history: bool) -> Problem:
    """Give a week where one officer serves both visits only as the week before had them.

    B0 may have his family room visit only from 15:00 to 16:30; first fit
    gives A1's cell visit (no volunteer, so placed first) the officer at
    15:00. The week before (with ``history``) had B0 in the family room at
    15:00 and A1's cell visit at 16:30; a week planned alone (its record
    without entitlements) is not read.
    """
    problem = kit.week(
        rooms=[kit.room("FK", "family_room", [kit.window("mon", "15:00", "17:30")])],
        volunteers=[
            kit.volunteer("V1", ["family_room_visit"], [kit.window("mon", "08:00", "20:00")])
        ],
        officers=[kit.officer("O1", [kit.window("mon", "15:00", "17:30")])],
        fathers=[
            kit.father(
                "B0",
                shell=2,
                plan={"video_call": 0},
                unavailable=[{"start": kit.at("mon", "16:30"), "end": kit.at("mon", "23:00")}],
            ),
            kit.father("A1", plan={"video_call": 0, "family_room_visit": 0}),
        ],
        activities={"cell_visit": {"windows": [kit.window("mon", "15:00", "18:00")]}},
    )
    if not history:
        return problem
    before = [
        {"father": "B0", "activity": "family_room_visit", "start": "2027-01-25T15:00:00+01:00"},
        {"father": "A1", "activity": "cell_visit", "start": "2027-01-25T16:30:00+01:00"},
    ]
    owed = {"B0": {"family_room_visit": 1}, "A1": {"cell_visit": 1}}
    record = {"week": "2027-W04", "occurrences": before, "entitled": owed}
    return Problem.model_validate({**problem.model_dump(), "history": {"weeks": [record]}})


def test_the_legal_visits_of_the_week_before_are_placed_again_where_first_fit_misses_them() -> None:
    """The week before's visits a week on give both fathers the legal hour; first fit gives one."""
    alone = officer_for_two(history=False)
    assert tiers(alone, priority_order(alone)).legal_minimum == 1
    problem = officer_for_two(history=True)
    start = priority_order(problem)
    assert check_assignments(problem, start) == []
    assert tiers(problem, start).legal_minimum == 2
    placed = sorted((a.fathers[0], a.activity, a.start.strftime("%H:%M")) for a in start)
    assert placed == [("A1", "cell_visit", "16:30"), ("B0", "family_room_visit", "15:00")]
    assert problem.history is not None
    record = problem.history.weeks[0].model_dump() | {"entitled": {}}
    planned_alone = Problem.model_validate(problem.model_dump() | {"history": {"weeks": [record]}})
    assert tiers(planned_alone, priority_order(planned_alone)).legal_minimum == 1


def escorts_or_a_workshop(partner_cap_hours: float) -> Problem:
    """Give two visit sessions of two seats and a workshop of four, for four fathers.

    The escorts of one visit session take two of the partner cap's hours and
    serve two fathers; the workshop's volunteer takes one and a half and serves
    all four.
    """
    wednesday = [kit.window("wed", "08:00", "20:00")]
    return kit.week(
        rooms=[
            kit.room("BZ", "visit_hall", [kit.window("wed", "13:00", "18:00")], capacity=10),
            kit.room("AR", "activity_room", [kit.window("wed", "09:00", "12:00")], capacity=8),
        ],
        sessions=[
            kit.session("S1", "regular_visit", "BZ", kit.at("wed", "14:00"), 2),
            kit.session("S2", "regular_visit", "BZ", kit.at("wed", "16:00"), 2),
            kit.session("W1", "workshop", "AR", kit.at("wed", "10:00"), 4),
        ],
        volunteers=[
            *(kit.volunteer(f"V{n}", ["regular_visit"], wednesday) for n in (1, 2)),
            kit.volunteer("V3", ["workshop"], wednesday),
        ],
        officers=[kit.officer("O1", wednesday)],
        fathers=[kit.father(f"F-00{n}", shell=2, enrolments=["workshop"]) for n in range(1, 5)],
        policy={"partner_cap_hours": partner_cap_hours},
    )


def test_the_cap_goes_to_the_workshop_that_serves_all_four_fathers() -> None:
    """With cap for one of the two, the workshop runs: four fathers served, not two.

    Escorts given before the rounds would take the whole cap for two fathers'
    escorted visits and leave the workshop without its volunteer.
    """
    problem = escorts_or_a_workshop(2.0)
    roster = priority_order(problem)
    assert check_assignments(problem, roster) == []
    workshop = [a for a in roster if a.activity == "workshop"]
    assert [sorted(a.fathers) for a in workshop] == [["F-001", "F-002", "F-003", "F-004"]]
    assert not any(has_its_escorts(problem, a) for a in roster if a.activity == "regular_visit")
    assert filled_around(problem, [a for a in roster if a.activity == "regular_visit"]) == roster


def test_with_cap_for_both_the_workshop_and_the_escorts_are_given() -> None:
    """With the cap for the escorts and the workshop, both are placed."""
    problem = escorts_or_a_workshop(3.5)
    roster = priority_order(problem)
    assert check_assignments(problem, roster) == []
    assert [len(a.fathers) for a in roster if a.activity == "workshop"] == [4]
    assert any(has_its_escorts(problem, a) for a in roster if a.activity == "regular_visit")


def one_station_two_calls() -> Problem:
    """Give one video station open for two calls on Monday, and two fathers owed one each.

    F-001 can call at either time and chooses first; F-002 only at 16:00.
    """
    late = {"start": kit.at("mon", "16:30"), "end": kit.at("mon", "17:00")}
    return kit.week(
        rooms=[kit.room("BB", "video_station", [kit.window("mon", "16:00", "17:00")])],
        fathers=[kit.father("F-001", shell=2), kit.father("F-002", shell=2, unavailable=[late])],
    )


def test_a_call_moves_to_make_room_for_a_father_who_can_call_at_its_time_alone() -> None:
    """F-001's call moves to 16:30, so that F-002 has his at 16:00: two calls, not one."""
    problem = one_station_two_calls()
    call = problem.kind("video_call")
    placer = Placer(problem)
    placer.place("F-001", call)
    placer.place("F-002", call)
    assert [a.fathers for a in placer.occupancy.assignments()] == [["F-001"]]
    assert moved_for(placer, "F-002", call)
    calls = {a.fathers[0]: a.start.strftime("%H:%M") for a in placer.occupancy.assignments()}
    assert calls == {"F-001": "16:30", "F-002": "16:00"}
    assert check_assignments(problem, placer.occupancy.assignments()) == []
    assert not moved_for(placer, "F-002", call)
    roster = priority_order(problem)
    assert sorted(f for a in roster if a.activity == "video_call" for f in a.fathers) == [
        "F-001",
        "F-002",
    ]
