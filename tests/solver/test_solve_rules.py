"""Each hard rule alone on a tiny week built in the test, with the exact outcome it must give.

Every roster also passes the independent validator and reports its own
objective (``checked``).
"""

from __future__ import annotations

from scheduler.domain import Problem
from scheduler.objective import volunteer_minutes
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


def family_room_week(fathers: list[dict[str, object]], **room_fields: object) -> Problem:
    """Give a week with one family room open Monday 10:00-13:30 and staff there all day."""
    return week(
        rooms=[room("FK", "family_room", [window("mon", "10:00", "13:30")], **room_fields)],
        volunteers=[volunteer("V1", ["family_room_visit"], [window("mon", "08:00", "20:00")])],
        officers=[officer("O1", [window("mon", "08:00", "20:00")])],
        fathers=fathers,
    )


def test_family_room_holds_one_family() -> None:
    """A family room open for exactly one visit and two fathers wanting it: exactly one gets it."""
    problem = week(
        rooms=[room("FK", "family_room", [window("mon", "15:00", "16:30")])],
        volunteers=[volunteer("V1", ["family_room_visit"], [window("mon", "15:00", "17:00")])],
        officers=[officer("O1", [window("mon", "15:00", "17:00")])],
        fathers=[father("F1", shell=2), father("F2", shell=2)],
    )
    roster = checked(problem)
    visits = granted(roster, "family_room_visit")
    assert len(visits) == 1
    assert visits[0][1:] == ("mon", "15:00")
    assert roster.status == "optimal"


def test_changeover_keeps_the_room_after_a_visit() -> None:
    """Two 90-minute visits fit in 3.5 hours with a 30-minute changeover, not with 45 minutes."""
    both = checked(family_room_week([father("F1"), father("F2")], changeover_minutes=30))
    assert [v[1:] for v in granted(both, "family_room_visit")] == [
        ("mon", "10:00"),
        ("mon", "12:00"),
    ]
    one = checked(family_room_week([father("F1"), father("F2")], changeover_minutes=45))
    assert len(granted(one, "family_room_visit")) == 1


def test_partner_cap_limits_volunteer_minutes() -> None:
    """A partner cap of one hour: 30-minute visits for three fathers, exactly two of them."""
    problem = week(
        rooms=[room("FK", "family_room", every_day("10:00", "20:00"))],
        volunteers=[volunteer("V1", ["family_room_visit"], every_day("08:00", "21:00"))],
        officers=[officer("O1", every_day("08:00", "21:00"))],
        fathers=[father("F1"), father("F2"), father("F3")],
        policy={"partner_cap_hours": 1},
        activities={"family_room_visit": {"minutes": 30}},
    )
    roster = checked(problem)
    assert volunteer_minutes(problem, roster.assignments) == 60
    assert len(granted(roster, "family_room_visit")) == 2


def test_volunteer_max_hours() -> None:
    """A volunteer of 1.5 hours a week escorts one 90-minute visit, however many fathers ask."""
    problem = week(
        rooms=[room("FK", "family_room", every_day("10:00", "20:00"))],
        volunteers=[
            volunteer("V1", ["family_room_visit"], every_day("08:00", "21:00"), max_hours_week=1.5)
        ],
        officers=[officer("O1", every_day("08:00", "21:00"))],
        fathers=[father("F1"), father("F2")],
    )
    roster = checked(problem)
    assert len(granted(roster, "family_room_visit")) == 1


def test_time_out_day_has_no_shell_3_activity() -> None:
    """A time-out from Wednesday: cell visits Monday or Tuesday; calls then use up shell 2's one.

    Monday's and Tuesday's calls are worth more than one from Wednesday on,
    which the days before leave no room for.
    """
    problem = week(
        rooms=[room("BB", "video_station", every_day("16:00", "17:00"))],
        officers=[officer("O1", every_day("08:00", "21:00"))],
        fathers=[father("F1", timeouts=[{"start": "2027-02-03"}])],
    )
    roster = checked(problem)
    calls = [day for _, day, _ in granted(roster, "video_call")]
    cells = [day for _, day, _ in granted(roster, "cell_visit")]
    assert calls == ["mon", "tue"]
    assert len(cells) == 1
    assert cells[0] in ("mon", "tue")


def test_consent_and_information_sharing() -> None:
    """No other parent's consent, or no information-sharing consent: no video call at all."""
    problem = week(
        rooms=[room("BB", "video_station", every_day("16:00", "17:00"))],
        fathers=[
            father("F-1-CONSENT", other_parent_consent=False),
            father("F-2-SHARING", info_sharing_consent=False),
            father("F-3-OK"),
        ],
    )
    roster = checked(problem)
    callers = [f for f, _, _ in granted(roster, "video_call")]
    assert callers == ["F-3-OK"] * 7


def test_school_hours() -> None:
    """A father with a child of eight calls after school (15:00), never during it."""
    problem = week(
        rooms=[room("BB", "video_station", [window("mon", "14:00", "15:30")])],
        fathers=[father("F1", children=[{"id": "C1", "birth_date": "2019-03-01"}])],
    )
    roster = checked(problem)
    assert granted(roster, "video_call") == [("F1", "mon", "15:00")]


def test_father_unavailable() -> None:
    """A court hearing until 16:30 leaves only the 16:30 start of the Monday hour."""
    problem = week(
        rooms=[room("BB", "video_station", [window("mon", "16:00", "17:00")])],
        fathers=[
            father("F1", unavailable=[{"start": at("mon", "09:00"), "end": at("mon", "16:30")}])
        ],
    )
    roster = checked(problem)
    assert granted(roster, "video_call") == [("F1", "mon", "16:30")]


def test_father_is_in_one_place_at_a_time() -> None:
    """A visit filling 16:00-17:30 leaves no time for a video call in the same hour."""
    problem = week(
        rooms=[
            room("BB", "video_station", [window("mon", "16:00", "17:00")]),
            room("FK", "family_room", [window("mon", "16:00", "17:30")]),
        ],
        volunteers=[volunteer("V1", ["family_room_visit"], [window("mon", "08:00", "20:00")])],
        officers=[officer("O1", [window("mon", "08:00", "20:00")])],
        fathers=[father("F1", plan={"cell_visit": 0})],
    )
    roster = checked(problem)
    assert granted(roster, "family_room_visit") == [("F1", "mon", "16:00")]
    assert granted(roster, "video_call") == []


def test_officer_serves_one_activity_at_a_time() -> None:
    """One officer on shift for one hour: one cell visit, not two at once."""
    problem = week(
        officers=[officer("O1", [window("mon", "13:00", "14:00")])],
        fathers=[father("F1"), father("F2")],
    )
    roster = checked(problem)
    visits = granted(roster, "cell_visit")
    assert len(visits) == 1
    assert visits[0][1:] == ("mon", "13:00")


def test_staff_must_be_allowed_and_available() -> None:
    """A volunteer who may not escort, or is not there, gives no visit; a free one does."""
    rooms = [room("FK", "family_room", [window("mon", "10:00", "12:00")])]
    officers = [officer("O1", [window("mon", "10:00", "12:00")])]
    not_allowed = volunteer("V1", ["regular_visit"], [window("mon", "08:00", "20:00")])
    not_there = volunteer("V2", ["family_room_visit"], [window("mon", "14:00", "20:00")])
    for volunteers, expected in (([not_allowed, not_there], 0), ([not_allowed], 0)):
        problem = week(
            rooms=rooms, officers=officers, volunteers=volunteers, fathers=[father("F1")]
        )
        assert len(granted(checked(problem), "family_room_visit")) == expected
    free = volunteer("V3", ["family_room_visit"], [window("mon", "10:00", "12:00")])
    problem = week(rooms=rooms, officers=officers, volunteers=[free], fathers=[father("F1")])
    roster = checked(problem)
    assert [a.volunteers for a in roster.assignments] == [["V3"]]


def test_identical_rooms_are_numbered() -> None:
    """Two identical video stations open half an hour: both fathers call at 16:00, one each."""
    problem = week(
        rooms=[
            room("BB1", "video_station", [window("mon", "16:00", "16:30")]),
            room("BB2", "video_station", [window("mon", "16:00", "16:30")]),
        ],
        fathers=[father("F1"), father("F2")],
    )
    roster = checked(problem)
    assert sorted((a.fathers[0], a.room) for a in roster.assignments) in (
        [("F1", "BB1"), ("F2", "BB2")],
        [("F1", "BB2"), ("F2", "BB1")],
    )


def test_closed_room_is_not_used() -> None:
    """A video station closed Monday to Wednesday: calls Thursday to Sunday only."""
    problem = week(
        rooms=[
            room(
                "BB",
                "video_station",
                every_day("16:00", "17:00"),
                closed=[{"start": at("mon", "00:00"), "end": at("thu", "00:00")}],
            )
        ],
        fathers=[father("F1")],
    )
    roster = checked(problem)
    assert [day for _, day, _ in granted(roster, "video_call")] == ["thu", "fri", "sat", "sun"]


def test_activity_windows() -> None:
    """A cell visit lies in its window (13:00-17:00) even with an officer there all day."""
    problem = week(
        officers=[officer("O1", [window("mon", "07:00", "22:00")])], fathers=[father("F1")]
    )
    roster = checked(problem)
    [(_, day, start)] = granted(roster, "cell_visit")
    assert day == "mon"
    assert "13:00" <= start <= "16:00"


def test_slot_grid() -> None:
    """A station opening at 16:05 offers the 16:15 start of the 15-minute grid, not 16:05."""
    problem = week(
        rooms=[room("BB", "video_station", [window("mon", "16:05", "16:50")])],
        fathers=[father("F1")],
    )
    assert granted(checked(problem), "video_call") == [("F1", "mon", "16:15")]


def visit_hall_week(
    fathers: list[dict[str, object]], sessions: list[dict[str, object]], halls: int = 1
) -> Problem:
    """Give a week with visit halls (capacity 10) and enough staff for two sessions at once."""
    return week(
        rooms=[
            room(f"BZ{n}", "visit_hall", [window("wed", "13:00", "17:00")], capacity=10)
            for n in range(1, halls + 1)
        ],
        sessions=sessions,
        volunteers=[
            volunteer(f"V{n}", ["regular_visit"], [window("wed", "13:00", "17:00")])
            for n in range(4)
        ],
        officers=[officer(f"O{n}", [window("wed", "13:00", "17:00")]) for n in range(2)],
        fathers=fathers,
    )


def test_session_seats_at_most_its_capacity() -> None:
    """A visit session of two seats and three fathers: two are seated, with its full staff."""
    problem = visit_hall_week(
        [father("F1", shell=1), father("F2", shell=1), father("F3", shell=1)],
        [session("S1", "regular_visit", "BZ1", at("wed", "14:00"), 2)],
    )
    roster = checked(problem)
    [assignment] = roster.assignments
    assert (assignment.id, len(assignment.fathers)) == ("A-S1", 2)
    assert (len(assignment.volunteers), len(assignment.officers)) == (2, 1)


def test_room_capacity_over_overlapping_sessions() -> None:
    """Two overlapping sessions in a hall of three: three fathers in all, never four at once."""
    problem = week(
        rooms=[room("BZ1", "visit_hall", [window("wed", "13:00", "17:00")], capacity=3)],
        sessions=[
            session("S1", "regular_visit", "BZ1", at("wed", "14:00"), 3),
            session("S2", "regular_visit", "BZ1", at("wed", "14:30"), 3),
        ],
        volunteers=[
            volunteer(f"V{n}", ["regular_visit"], [window("wed", "13:00", "17:00")])
            for n in range(4)
        ],
        officers=[officer(f"O{n}", [window("wed", "13:00", "17:00")]) for n in range(2)],
        fathers=[father(f"F{n}", shell=1) for n in range(5)],
    )
    roster = checked(problem)
    assert sum(len(a.fathers) for a in roster.assignments) == 3


def test_session_without_fathers_does_not_run() -> None:
    """A cooking session no father may join (all in shell 1) does not run and takes no staff."""
    problem = week(
        rooms=[room("KK", "kitchen", [window("thu", "16:00", "19:00")], capacity=4)],
        sessions=[session("S-COOK", "cooking_together", "KK", at("thu", "16:30"), 4)],
        volunteers=[volunteer("V1", ["cooking_together"], [window("thu", "16:00", "19:00")])],
        officers=[officer("O1", [window("thu", "16:00", "19:00")])],
        fathers=[father("F1", shell=1)],
    )
    roster = checked(problem)
    assert roster.assignments == []


def test_non_association_in_a_session() -> None:
    """Fathers kept apart never share a session: of F1, F2 (apart) and F3, two are seated."""
    problem = visit_hall_week(
        [
            father("F1", shell=1, non_associations=["F2"]),
            father("F2", shell=1),
            father("F3", shell=1),
        ],
        [session("S1", "regular_visit", "BZ1", at("wed", "14:00"), 5)],
    )
    [assignment] = checked(problem).assignments
    assert len(assignment.fathers) == 2
    assert "F3" in assignment.fathers


def test_non_association_in_the_visit_hall() -> None:
    """Fathers kept apart are not in two visit halls at the same time either."""
    problem = visit_hall_week(
        [father("F1", shell=1, non_associations=["F2"]), father("F2", shell=1)],
        [
            session("S1", "regular_visit", "BZ1", at("wed", "14:00"), 5),
            session("S2", "regular_visit", "BZ2", at("wed", "14:30"), 5),
        ],
        halls=2,
    )
    roster = checked(problem)
    assert sum(len(a.fathers) for a in roster.assignments) == 1


def test_pinned_assignment_stays() -> None:
    """A pinned Monday call stays exactly as given; the father's other calls are on other days."""
    pin = {
        "id": "PIN-1",
        "activity": "video_call",
        "start": at("mon", "16:15"),
        "end": at("mon", "16:45"),
        "room": "BB",
        "fathers": ["F1"],
        "pinned": True,
    }
    problem = week(
        rooms=[room("BB", "video_station", every_day("16:00", "17:00"))],
        fathers=[father("F1")],
        pinned=[pin],
    )
    roster = checked(problem)
    assert [a for a in roster.assignments if a.id == "PIN-1"] == problem.pinned
    assert [day for _, day, _ in granted(roster, "video_call")] == [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    ]  # fmt: skip


def test_contradictory_pins_are_infeasible() -> None:
    """Two pinned visits in one family room at the same time: the week is infeasible, no roster."""
    pins = [
        {
            "id": f"PIN-{n}",
            "activity": "family_room_visit",
            "start": at("mon", "10:00"),
            "end": at("mon", "11:30"),
            "room": "FK",
            "fathers": [f"F{n}"],
            "volunteers": [f"V{n}"],
            "officers": [f"O{n}"],
            "pinned": True,
        }
        for n in (1, 2)
    ]
    problem = week(
        rooms=[room("FK", "family_room", [window("mon", "10:00", "13:30")])],
        volunteers=[
            volunteer(f"V{n}", ["family_room_visit"], [window("mon", "08:00", "20:00")])
            for n in (1, 2)
        ],
        officers=[officer(f"O{n}", [window("mon", "08:00", "20:00")]) for n in (1, 2)],
        fathers=[father("F1"), father("F2")],
        pinned=pins,
    )
    roster = checked(problem)
    assert (roster.status, roster.assignments, roster.objective) == ("infeasible", [], None)
    assert sorted((s.father, s.activity, s.entitled, s.granted) for s in roster.shortfalls) == [
        (f, activity, entitled, 0)
        for f in ("F1", "F2")
        for activity, entitled in (("cell_visit", 1), ("family_room_visit", 2), ("video_call", 7))
    ]


def test_plan_lowers_the_entitlement() -> None:
    """A plan of two video calls a week gives exactly two, on two days."""
    problem = week(
        rooms=[room("BB", "video_station", every_day("16:00", "17:00"))],
        fathers=[father("F1", plan={"video_call": 2})],
    )
    calls = granted(checked(problem), "video_call")
    assert len(calls) == 2
    assert calls[0][1] != calls[1][1]


def test_baby_bath_needs_a_baby() -> None:
    """Only the father with a child under one gets a baby bath (two, on two days)."""
    problem = week(
        rooms=[room("FK", "family_room", every_day("10:00", "11:00"))],
        officers=[officer("O1", every_day("08:00", "20:00"))],
        fathers=[
            father("F-1-BABY", children=[{"id": "C1", "birth_date": "2026-10-01"}]),
            father("F-2-OLDER"),
        ],
    )
    roster = checked(problem)
    baths = granted(roster, "baby_bath")
    assert [f for f, _, _ in baths] == ["F-1-BABY", "F-1-BABY"]
    assert baths[0][1] != baths[1][1]
