"""Placing one more occurrence: each blocking rule alone, the occupancy, candidates and search.

Most tests use ``small()``: one institution on Tuesday 2 February 2027
(week 2027-W05), two shell-3 fathers without children, every room, volunteer
and officer there from 08:00 to 17:00, so that a family-room visit at 10:00
fits and each test breaks exactly one thing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain import Assignment, Problem, ProblemError, Window, parse_problem
from scheduler.occupancy import Occupancy
from scheduler.placement import (
    alternatives,
    blockers,
    candidate_times,
    find_placement,
    first_fit,
    refusal_reasons,
)
from scheduler.validate import check_assignments
from scheduler.week_index import grid_starts

TUE = 1440
AT_10 = TUE + 10 * 60
ALL_DAY = {"day": "tue", "start": "08:00", "end": "17:00"}

BASE: dict[str, Any] = {
    "id": "small",
    "week": "2027-W05",
    "institutions": [{"id": "PI", "name": "PI Test"}],
    "policy": {"slot_minutes": 15, "partner_cap_hours": 36},
    "activities": [
        {"id": "family_room_visit", "name": "familiekamer", "shells": [2, 3], "minutes": 90,
         "room_kind": "family_room", "volunteers": 1, "officers": 1, "placement": "individual",
         "child_present": True, "counts_as_visit": True},
        {"id": "video_call", "name": "skypen", "shells": [2, 3], "minutes": 30,
         "room_kind": "video_station", "placement": "individual", "child_present": True},
        {"id": "cell_visit", "name": "op cel", "shells": [3], "minutes": 60, "room_kind": None,
         "officers": 1, "placement": "individual", "child_present": True,
         "windows": [{"day": "tue", "start": "13:00", "end": "17:00"}]},
        {"id": "baby_bath", "name": "baby in bad", "shells": [3], "minutes": 30,
         "room_kind": "family_room", "officers": 1, "placement": "individual",
         "child_present": True, "needs_baby": True},
        {"id": "regular_visit", "name": "bezoek", "shells": [1, 2, 3], "minutes": 60,
         "room_kind": "visit_hall", "volunteers": 1, "officers": 1, "placement": "session"},
        {"id": "workshop", "name": "workshop", "shells": [2, 3], "minutes": 90,
         "room_kind": "activity_room", "volunteers": 1, "officers": 1, "placement": "session",
         "needs_enrolment": True},
    ],
    "entitlements": {
        "1": {"regular_visit": {"per_week": 1, "max_per_day": 1}},
        "3": {
            "family_room_visit": {"per_week": 2, "max_per_day": 1},
            "video_call": {"per_week": 7, "max_per_day": 1},
            "cell_visit": {"per_week": 1, "max_per_day": 1},
            "baby_bath": {"per_week": 2, "max_per_day": 1},
            "regular_visit": {"per_week": 1, "max_per_day": 1},
            "workshop": {"per_week": 1, "max_per_day": 1},
        },
    },
    "rooms": [
        {"id": "FK", "institution": "PI", "kind": "family_room", "capacity": 1,
         "changeover_minutes": 15, "open": [ALL_DAY]},
        {"id": "BB", "institution": "PI", "kind": "video_station", "open": [ALL_DAY]},
        {"id": "BZ", "institution": "PI", "kind": "visit_hall", "capacity": 4, "open": [ALL_DAY]},
        {"id": "BZ2", "institution": "PI", "kind": "visit_hall", "capacity": 4, "open": [ALL_DAY]},
        {"id": "AR", "institution": "PI", "kind": "activity_room", "capacity": 6,
         "open": [ALL_DAY]},
    ],
    "sessions": [
        {"id": "S-BZ", "activity": "regular_visit", "room": "BZ",
         "start": "2027-02-02T10:00:00+01:00", "capacity": 2},
        {"id": "S-BZ2", "activity": "regular_visit", "room": "BZ2",
         "start": "2027-02-02T10:30:00+01:00", "capacity": 2},
        {"id": "S-WS", "activity": "workshop", "room": "AR",
         "start": "2027-02-02T10:00:00+01:00", "capacity": 6},
    ],
    "volunteers": [
        {"id": "V-1", "organisation": "Exodus", "institutions": ["PI"], "available": [ALL_DAY],
         "max_hours_week": 10, "activities": ["family_room_visit", "regular_visit", "workshop"]},
        {"id": "V-2", "organisation": "Humanitas", "institutions": ["PI"], "available": [ALL_DAY],
         "max_hours_week": 10, "activities": ["family_room_visit", "regular_visit", "workshop"],
         "linked_fathers": ["F-1"]},
    ],
    "officers": [
        {"id": "O-1", "institution": "PI", "shifts": [ALL_DAY]},
        {"id": "O-2", "institution": "PI", "shifts": [ALL_DAY]},
    ],
    "fathers": [
        {"id": "F-1", "institution": "PI", "shell": 3, "linked_volunteer": "V-2",
         "enrolments": ["workshop"]},
        {"id": "F-2", "institution": "PI", "shell": 3, "enrolments": ["workshop"]},
    ],
}  # fmt: skip

Change = Callable[[dict[str, Any]], None]


def small(*changes: Change) -> Problem:
    """Give the small week with each change applied to its JSON."""
    data = copy.deepcopy(BASE)
    for change in changes:
        change(data)
    return parse_problem(data)


def item(field: str, key: str, **fields: Any) -> Change:
    """Give a change that updates the fields of the item ``key`` of a list in the week."""

    def change(data: dict[str, Any]) -> None:
        for entry in data[field]:
            if entry["id"] == key:
                entry.update(fields)

    return change


def policy(**fields: Any) -> Change:
    """Give a change of policy fields."""
    return lambda data: data["policy"].update(fields)


def taken(problem: Problem, assignments: list[Assignment]) -> Occupancy:
    """Give the occupancy of the assignments after checking they break no rule themselves."""
    assert check_assignments(problem, assignments) == []
    return Occupancy(problem, assignments)


def placed(problem: Problem, occupancy: Occupancy, *args: Any) -> Assignment:
    """Give the assignment ``blockers`` finds, failing the test when it finds reasons instead."""
    assignment, why = blockers(problem, occupancy, *args)
    assert why == []
    assert assignment is not None
    return assignment


def visit(problem: Problem, father: str, start: int, staff: tuple[str, str]) -> Assignment:
    """Give a family-room visit placed by hand for ``father`` with (volunteer, officer)."""
    clock = problem.clock
    return Assignment(
        id=f"{father}-{start}", activity="family_room_visit", start=clock.moment(start),
        end=clock.moment(start + 90), room="FK", fathers=[father], volunteers=[staff[0]],
        officers=[staff[1]],
    )  # fmt: skip


def why(problem: Problem, occupancy: Occupancy | None = None, *, father: str = "F-1",
        activity: str = "family_room_visit", start: int = AT_10, session: str | None = None,
        room: str | None = None) -> list[str]:  # fmt: skip
    """Give the reasons ``blockers`` finds (an empty occupancy unless one is given)."""
    occupancy = occupancy if occupancy is not None else Occupancy(problem)
    assignment, found = blockers(problem, occupancy, father, activity, start, session, room)
    assert (assignment is None) == bool(found)
    return found


# --- what fits -------------------------------------------------------------------------------


def test_family_room_visit_fits_with_linked_volunteer() -> None:
    """A free slot gives one assignment: its room, the linked volunteer first, an officer."""
    problem = small()
    assignment = placed(problem, Occupancy(problem), "F-1", "family_room_visit", AT_10, None)
    assert assignment.model_dump(mode="json") == {
        "id": "F-1-family_room_visit-tue1000", "activity": "family_room_visit",
        "start": "2027-02-02T10:00:00+01:00", "end": "2027-02-02T11:30:00+01:00",
        "room": "FK", "session": None, "fathers": ["F-1"], "volunteers": ["V-2"],
        "officers": ["O-1"], "pinned": False,
    }  # fmt: skip


def test_session_not_running_gets_its_staff() -> None:
    """A father in a session that does not run yet starts it, with the staff it needs."""
    problem = small()
    assignment = placed(problem, Occupancy(problem), "F-2", "regular_visit", AT_10, "S-BZ")
    assert (assignment.id, assignment.session, assignment.room) == ("S-BZ", "S-BZ", "BZ")
    assert (assignment.fathers, assignment.volunteers, assignment.officers) == (
        ["F-2"], ["V-1"], ["O-1"],
    )  # fmt: skip


def test_joining_a_running_session_adds_the_father_and_keeps_its_staff() -> None:
    """Joining a running session gives that assignment with the father added, staff unchanged."""
    problem = small()
    occupancy = Occupancy(problem)
    first = placed(problem, occupancy, "F-2", "regular_visit", AT_10, "S-BZ")
    occupancy.add(first)
    joined = placed(problem, occupancy, "F-1", "regular_visit", AT_10, "S-BZ")
    assert joined.id == first.id
    assert joined.fathers == ["F-2", "F-1"]
    assert (joined.volunteers, joined.officers) == (first.volunteers, first.officers)


def test_session_found_by_its_start_when_no_session_id_is_given() -> None:
    """Without a session id, the session of the activity starting at that time is taken."""
    problem = small()
    assignment = placed(problem, Occupancy(problem), "F-1", "regular_visit", AT_10 + 30, None)
    assert assignment.session == "S-BZ2"


def test_cell_visit_takes_no_room() -> None:
    """An activity without a room kind is placed with room None inside its windows."""
    problem = small()
    assignment = placed(problem, Occupancy(problem), "F-1", "cell_visit", TUE + 13 * 60, None)
    assert (assignment.room, assignment.officers, assignment.volunteers) == (None, ["O-1"], [])


# --- each blocking rule alone ----------------------------------------------------------------


def test_room_capacity_counts_the_changeover() -> None:
    """The family room is taken until 15 minutes after a visit ends, then free again."""
    problem = small()
    occupancy = taken(problem, [visit(problem, "F-2", AT_10 - 90, ("V-1", "O-1"))])
    assert why(problem, occupancy) == ["capacity:family_room"]
    assert why(problem, occupancy, start=AT_10 + 15) == []


def test_session_seats_full() -> None:
    """A running session with every seat taken refuses one more father."""
    problem = small(item("sessions", "S-BZ", capacity=1))
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-2", "regular_visit", AT_10, "S-BZ"))
    assert why(problem, occupancy, activity="regular_visit", session="S-BZ") == [
        "capacity:visit_hall"
    ]


def test_partner_cap() -> None:
    """One hour of volunteer time for all partners cannot hold a 90-minute visit."""
    assert why(small(policy(partner_cap_hours=1))) == ["partner_cap"]


def test_first_fit_past_the_partner_cap_gives_none_and_still_places_without_volunteers() -> None:
    """Past the cap no family room visit fits anywhere; a video call, needing none, still does."""
    problem = small(policy(partner_cap_hours=1))
    occupancy = Occupancy(problem)
    assert first_fit(problem, occupancy, "F-1", "family_room_visit") is None
    call = first_fit(problem, occupancy, "F-1", "video_call")
    assert call is not None and call.volunteers == []


def test_volunteer_max_hours() -> None:
    """Free volunteers whose own week is too short give volunteer_max_hours, not no_volunteer."""
    problem = small(item("volunteers", "V-1", max_hours_week=1),
                    item("volunteers", "V-2", max_hours_week=1))  # fmt: skip
    assert why(problem) == ["volunteer_max_hours"]


def test_no_volunteer_available() -> None:
    """Volunteers not available at that time give no_volunteer."""
    later = [{"day": "wed", "start": "08:00", "end": "17:00"}]
    problem = small(item("volunteers", "V-1", available=later),
                    item("volunteers", "V-2", available=later))  # fmt: skip
    assert why(problem) == ["no_volunteer"]


def test_no_volunteer_when_all_are_busy() -> None:
    """Volunteers busy elsewhere give no_volunteer."""
    problem = small(item("volunteers", "V-2", activities=["regular_visit"]))
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-2", "regular_visit", AT_10, "S-BZ"))
    assert occupancy.session_assignment("S-BZ") is not None
    assert why(problem, occupancy, start=AT_10 - 30) == ["no_volunteer"]


def test_no_officer() -> None:
    """Officers not on shift give no_officer."""
    later = [{"day": "wed", "start": "08:00", "end": "17:00"}]
    problem = small(item("officers", "O-1", shifts=later), item("officers", "O-2", shifts=later))
    assert why(problem) == ["no_officer"]


def test_father_unavailable() -> None:
    """A court hearing overlapping the time gives father_unavailable."""
    hearing = {"start": "2027-02-02T11:00:00+01:00", "end": "2027-02-02T12:00:00+01:00"}
    assert why(small(item("fathers", "F-1", unavailable=[hearing]))) == ["father_unavailable"]


def test_father_busy() -> None:
    """A father already in a video call at that time is busy."""
    problem = small()
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-1", "video_call", AT_10 + 60, None))
    assert why(problem, occupancy) == ["father_busy"]


def test_school_hours() -> None:
    """A father with an eight-year-old gets no child-present activity in school hours."""
    child = [{"id": "C-1", "birth_date": "2018-09-01"}]
    problem = small(item("fathers", "F-1", children=child))
    assert why(problem) == ["school_hours"]
    assert why(problem, start=TUE + 15 * 60) == []


def test_time_out() -> None:
    """A time-out from Monday keeps a shell-3 father from a shell-3 activity on Tuesday."""
    problem = small(item("fathers", "F-1", timeouts=[{"start": "2027-02-01"}]))
    assert why(problem, activity="cell_visit", start=TUE + 13 * 60) == ["time_out"]


def test_time_out_from_wednesday_leaves_tuesday() -> None:
    """A time-out starting Wednesday leaves Tuesday at the father's own shell."""
    problem = small(item("fathers", "F-1", timeouts=[{"start": "2027-02-03"}]))
    assert why(problem, activity="cell_visit", start=TUE + 13 * 60) == []


def test_no_consent_of_the_other_parent() -> None:
    """Without the other parent's consent a child-present activity is refused."""
    assert why(small(item("fathers", "F-1", other_parent_consent=False))) == ["no_consent"]


def test_no_information_sharing_consent() -> None:
    """Without information-sharing consent the father counts as shell 1."""
    assert why(small(item("fathers", "F-1", info_sharing_consent=False))) == ["no_consent"]


def test_not_enrolled() -> None:
    """A father not enrolled in the workshop cannot join it."""
    problem = small(item("fathers", "F-1", enrolments=[]))
    assert why(problem, activity="workshop", session="S-WS") == ["not_enrolled"]


def test_no_baby() -> None:
    """The baby bath needs a child under one year old that day."""
    assert why(small(), activity="baby_bath") == ["no_baby"]
    baby = [{"id": "C-1", "birth_date": "2026-08-01"}]
    assert why(small(item("fathers", "F-1", children=baby)), activity="baby_bath") == []


def test_not_in_shell() -> None:
    """A shell-1 father has no family-room visit."""
    assert why(small(item("fathers", "F-1", shell=1))) == ["not_in_shell"]


def test_entitlement_used_per_day() -> None:
    """A second family-room visit on one day is over the limit of one a day."""
    problem = small()
    occupancy = taken(problem, [visit(problem, "F-1", TUE + 14 * 60, ("V-1", "O-1"))])
    assert why(problem, occupancy) == ["entitlement_used"]


def test_entitlement_used_per_week_by_the_plan() -> None:
    """The plan lowers the entitlement to one video call; once taken, no other fits."""
    problem = small(item("fathers", "F-1", plan={"video_call": 1}))
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-1", "video_call", TUE + 8 * 60, None))
    assert why(problem, occupancy, activity="video_call", start=TUE + 15 * 60) == [
        "entitlement_used"
    ]


def test_room_closed() -> None:
    """A closure of the family room during the time gives room_closed."""
    closure = {"start": "2027-02-02T11:00:00+01:00", "end": "2027-02-02T12:00:00+01:00"}
    assert why(small(item("rooms", "FK", closed=[closure]))) == ["room_closed"]


def test_room_not_open() -> None:
    """A time past the room's opening hours gives room_closed."""
    assert why(small(), activity="video_call", start=TUE + 16 * 60 + 45) == ["room_closed"]


def test_no_room_of_the_kind() -> None:
    """An institution without a family room gives no_room."""

    def drop(data: dict[str, Any]) -> None:
        data["rooms"] = [r for r in data["rooms"] if r["kind"] != "family_room"]

    assert why(small(drop)) == ["no_room"]


def test_non_association_in_one_session() -> None:
    """Fathers kept apart never share a session."""
    problem = small(item("fathers", "F-1", non_associations=["F-2"]))
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-2", "regular_visit", AT_10, "S-BZ"))
    assert why(problem, occupancy, activity="regular_visit", session="S-BZ") == ["non_association"]


def test_non_association_in_the_visit_hall_at_once() -> None:
    """Fathers kept apart are never in a visit hall at overlapping times, even in two sessions."""
    problem = small(item("fathers", "F-2", non_associations=["F-1"]))
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-2", "regular_visit", AT_10, "S-BZ"))
    assert why(problem, occupancy, activity="regular_visit", start=AT_10 + 30, session="S-BZ2") == [
        "non_association"
    ]


def test_outside_activity_windows() -> None:
    """A cell visit before its 13:00 window is outside_windows."""
    assert why(small(), activity="cell_visit") == ["outside_windows"]


def test_off_the_slot_grid() -> None:
    """A start off the 15-minute grid is outside_windows."""
    assert why(small(), start=AT_10 + 5) == ["outside_windows"]


def test_outside_the_week() -> None:
    """A start that would end after Sunday midnight is outside_windows."""
    assert why(small(), start=10080 - 30) == ["outside_windows"]


def test_no_session_at_that_time() -> None:
    """A session activity at a time without a session gives no_session."""
    assert why(small(), activity="regular_visit", start=AT_10 + 15) == ["no_session"]


def test_session_of_another_activity() -> None:
    """A session id of another activity gives no_session."""
    assert why(small(), activity="regular_visit", session="S-WS") == ["no_session"]


def test_pinned_session_is_not_joined() -> None:
    """A pinned session's assignment stays exactly as given: no father joins it."""
    problem = small()
    pinned = placed(problem, Occupancy(problem), "F-2", "regular_visit", AT_10, "S-BZ")
    problem = small(lambda data: data.update(pinned=[pinned.model_dump(mode="json")]))
    occupancy = Occupancy(problem, problem.pinned)
    assert why(problem, occupancy, activity="regular_visit", session="S-BZ") == ["pinned"]


def test_every_reason_that_applies_is_given() -> None:
    """Several broken rules at once are all named, sorted."""
    hearing = {"start": "2027-02-02T09:00:00+01:00", "end": "2027-02-02T12:00:00+01:00"}
    problem = small(
        item("fathers", "F-1", other_parent_consent=False, unavailable=[hearing]),
        policy(partner_cap_hours=0),
        item("officers", "O-1", shifts=[]),
        item("officers", "O-2", shifts=[]),
    )
    assert why(problem) == ["father_unavailable", "no_consent", "no_officer", "partner_cap"]


def test_unknown_ids_are_refused_by_name() -> None:
    """Unknown father, activity, session or room ids raise ProblemError naming the field."""
    problem = small()
    occupancy = Occupancy(problem)
    with pytest.raises(ProblemError) as error:
        blockers(problem, occupancy, "F-9", "sailing", AT_10, None)
    assert error.value.messages == [
        "father: unknown father 'F-9'", "activity: unknown activity 'sailing'",
    ]  # fmt: skip
    with pytest.raises(ProblemError, match="session: unknown session 'S-9'"):
        blockers(problem, occupancy, "F-1", "regular_visit", AT_10, "S-9")
    with pytest.raises(ProblemError, match="room: unknown room 'R-9'"):
        blockers(problem, occupancy, "F-1", "video_call", AT_10, None, "R-9")


# --- the occupancy ---------------------------------------------------------------------------


def test_add_and_remove_round_trip() -> None:
    """Adding then removing an assignment gives back exactly the state before."""
    problem = small()
    occupancy = Occupancy(problem)
    before = (why(problem, occupancy), occupancy.volunteer_minutes(), len(occupancy))
    assignment = placed(problem, occupancy, "F-2", "family_room_visit", AT_10, None)
    occupancy.add(assignment)
    assert why(problem, occupancy) == ["capacity:family_room"]
    assert occupancy.volunteer_minutes() == 90
    assert occupancy.volunteer_minutes("V-1") == 90
    assert occupancy.occurrences_by_day("F-2", "family_room_visit") == (0, 1, 0, 0, 0, 0, 0)
    occupancy.remove(assignment)
    assert (why(problem, occupancy), occupancy.volunteer_minutes(), len(occupancy)) == before
    assert occupancy.occurrences("F-2", "family_room_visit") == 0


def test_add_replaces_an_assignment_with_the_same_id() -> None:
    """Adding a session's assignment again (a father joined) replaces it; removing by id empties."""
    problem = small()
    occupancy = Occupancy(problem)
    first = placed(problem, occupancy, "F-2", "regular_visit", AT_10, "S-BZ")
    occupancy.add(first)
    joined = placed(problem, occupancy, "F-1", "regular_visit", AT_10, "S-BZ")
    occupancy.add(joined)
    assert occupancy.assignments() == [joined]
    assert occupancy.volunteer_minutes() == 60
    assert occupancy.occurrences("F-1", "regular_visit") == 1
    occupancy.remove(joined.id)
    assert occupancy.assignments() == []
    assert occupancy.session_assignment("S-BZ") is None
    assert occupancy.volunteer_minutes() == 0


QUERIES = [
    ("F-1", "family_room_visit", AT_10, None),
    ("F-2", "family_room_visit", AT_10 + 60, None),
    ("F-1", "video_call", AT_10, None),
    ("F-2", "regular_visit", AT_10, "S-BZ"),
    ("F-1", "regular_visit", AT_10 + 30, "S-BZ2"),
    ("F-1", "workshop", AT_10, "S-WS"),
]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(QUERIES) - 1), st.booleans()), max_size=12))
def test_incremental_occupancy_answers_like_a_fresh_one(steps: list[tuple[int, bool]]) -> None:
    """After any run of placements and removals, the occupancy answers like one built afresh."""
    problem = small()
    occupancy = Occupancy(problem)
    for index, remove in steps:
        if remove and len(occupancy):
            occupancy.remove(occupancy.assignments()[index % len(occupancy)])
            continue
        assignment, _ = blockers(problem, occupancy, *QUERIES[index])
        if assignment is not None:
            occupancy.add(assignment)
    held = occupancy.assignments()
    assert check_assignments(problem, held) == []
    fresh = Occupancy(problem, held)
    for query in QUERIES:
        assert blockers(problem, occupancy, *query) == blockers(problem, fresh, *query)
    assert occupancy.volunteer_minutes() == fresh.volunteer_minutes()


# --- candidates and the search ---------------------------------------------------------------


def test_grid_starts_fit_the_window() -> None:
    """Grid starts run from the first slot at or after the start to the last that still fits."""
    assert list(grid_starts(TUE + 8 * 60 + 5, TUE + 10 * 60, 60, 15)) == [
        TUE + 8 * 60 + 15, TUE + 8 * 60 + 30, TUE + 8 * 60 + 45, TUE + 9 * 60,
    ]  # fmt: skip


def test_candidate_times_for_individual_and_session_activities() -> None:
    """Individual: grid slots inside opening hours and windows; session: the sessions in order."""
    problem = small()
    cells = list(candidate_times(problem, "F-1", "cell_visit"))
    assert cells[0] == (TUE + 13 * 60, None)
    assert cells[-1] == (TUE + 16 * 60, None)
    assert len(cells) == 13
    visits = list(candidate_times(problem, "F-1", "regular_visit"))
    assert visits == [(AT_10, "S-BZ"), (AT_10 + 30, "S-BZ2")]
    assert list(candidate_times(problem, "F-1", "regular_visit", earliest=AT_10 + 1)) == [
        (AT_10 + 30, "S-BZ2")
    ]


def test_find_placement_takes_the_first_free_slot() -> None:
    """The first candidate in time that fits is taken; a full room moves it past the changeover."""
    problem = small()
    occupancy = taken(problem, [visit(problem, "F-2", TUE + 8 * 60, ("V-1", "O-1"))])
    placement = find_placement(problem, occupancy, "F-1", "family_room_visit")
    assert placement.reasons == []
    assert placement.assignment is not None
    assert problem.clock.minute(placement.assignment.start) == TUE + 9 * 60 + 45


def test_find_placement_tries_preferred_windows_first() -> None:
    """A preferred window moves its slots to the front."""
    problem = small()
    wish = [Window(day="tue", start="14:00", end="16:00")]
    placement = find_placement(problem, Occupancy(problem), "F-1", "family_room_visit",
                               preferred=wish)  # fmt: skip
    assert placement.assignment is not None
    assert problem.clock.minute(placement.assignment.start) == TUE + 14 * 60


def test_find_placement_gives_the_union_of_reasons() -> None:
    """When nothing fits, the reasons of all candidate times together are given."""
    hearing = {"start": "2027-02-02T08:00:00+01:00", "end": "2027-02-02T12:00:00+01:00"}
    problem = small(item("fathers", "F-1", unavailable=[hearing]),
                    item("officers", "O-1", shifts=[{"day": "tue", "start": "08:00",
                                                     "end": "12:00"}]),
                    item("officers", "O-2", shifts=[]))  # fmt: skip
    placement = find_placement(problem, Occupancy(problem), "F-1", "family_room_visit")
    assert placement.assignment is None
    assert placement.reasons == ["father_unavailable", "no_officer"]


def test_no_session_left_when_the_father_sits_in_every_one() -> None:
    """A father already in the only session has no session left for another occurrence."""

    def one_session(data: dict[str, Any]) -> None:
        data["sessions"] = [s for s in data["sessions"] if s["id"] == "S-BZ"]

    problem = small(one_session)
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-1", "regular_visit", AT_10, "S-BZ"))
    placement = find_placement(problem, occupancy, "F-1", "regular_visit")
    assert (placement.assignment, placement.reasons) == (None, ["no_session"])


def test_first_fit_and_refusal_reasons_agree_with_find_placement() -> None:
    """first_fit gives find_placement's assignment; refusal_reasons is empty when one fits."""
    problem = small()
    occupancy = Occupancy(problem)
    placement = find_placement(problem, occupancy, "F-1", "video_call")
    assert first_fit(problem, occupancy, "F-1", "video_call") == placement.assignment
    assert refusal_reasons(problem, occupancy, "F-1", "video_call") == []


def test_alternatives_are_nearest_and_each_fits() -> None:
    """Alternatives are the free slots nearest in time, and each passes every check now."""
    problem = small()
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-2", "video_call", AT_10, None))
    found = alternatives(problem, occupancy, "F-1", "video_call", around=AT_10)
    starts = [problem.clock.minute(a.start) for a in found]
    assert starts == [AT_10 - 30, AT_10 + 30, AT_10 - 45]
    for assignment in found:
        start = problem.clock.minute(assignment.start)
        assert blockers(problem, occupancy, "F-1", "video_call", start, None) == (assignment, [])


def test_alternatives_skip_a_window_tried_in_vain_and_give_the_same() -> None:
    """A window where nothing fits, passed as ``tried``, changes nothing in the alternatives."""
    problem = small()
    occupancy = Occupancy(problem)
    occupancy.add(placed(problem, occupancy, "F-2", "video_call", AT_10, None))
    refused = 0
    for start in range(AT_10 - 60, AT_10 + 60, 15):
        window = (start, start + 45)
        if find_placement(problem, occupancy, "F-1", "video_call", *window).assignment is None:
            refused += 1
            plain = alternatives(problem, occupancy, "F-1", "video_call", around=start)
            skipping = alternatives(
                problem, occupancy, "F-1", "video_call", around=start, tried=window
            )
            assert skipping == plain
    assert refused > 0
