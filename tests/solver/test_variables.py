"""``solver.variables``: one literal per candidate, keyed by what it decides, and nothing more."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.candidates import find_candidates
from solver.variables import Variables
from tests.kit.weeks import at, father, officer, room, session, volunteer, week, window


def test_a_session_has_a_run_a_seat_per_father_and_a_literal_per_eligible_person() -> None:
    """One visit session, two fathers, two volunteers, an officer, and a volunteer who may not."""
    afternoon = [window("wed", "13:00", "17:00")]
    problem = week(
        rooms=[room("BZ", "visit_hall", afternoon, capacity=8)],
        sessions=[session("S1", "regular_visit", "BZ", at("wed", "14:00"), 8)],
        volunteers=[
            volunteer("V1", ["regular_visit"], afternoon),
            volunteer("V2", ["regular_visit"], afternoon),
            volunteer("V3", ["family_room_visit"], afternoon),
        ],
        officers=[officer("O1", afternoon)],
        fathers=[father("F1", shell=1), father("F2", shell=1)],
    )
    variables = Variables(cp_model.CpModel(), find_candidates(problem))
    assert list(variables.run) == ["S1"]
    assert sorted(variables.seat) == [("S1", "F1"), ("S1", "F2")]
    assert sorted(variables.session_volunteer) == [("S1", "V1"), ("S1", "V2")]
    assert sorted(variables.session_officer) == [("S1", "O1")]
    assert (variables.slot, variables.slot_volunteer, variables.slot_officer) == ([], [], [])
    # The session's run, its escorts and its staff are its staffing; the seats are not.
    staffing = {literal.name for literal in variables.staffing()}
    assert staffing == {
        "run[S1]",
        "escorted[S1]",
        "volunteer[S1,V1]",
        "volunteer[S1,V2]",
        "officer[S1,O1]",
    }


def test_an_individual_activity_has_a_literal_per_father_start_and_staff_per_start() -> None:
    """A family room open for two 90-minute starts: two fathers' slots each, staff per start."""
    monday = [window("mon", "08:00", "20:00")]
    problem = week(
        rooms=[room("FK", "family_room", [window("mon", "10:00", "11:45")])],
        volunteers=[volunteer("V1", ["family_room_visit"], monday)],
        officers=[officer("O1", monday)],
        fathers=[father("F1", shell=2), father("F2", shell=2)],
    )
    candidates = find_candidates(problem)
    variables = Variables(cp_model.CpModel(), candidates)
    assert sorted((s.father, s.activity, s.start % 1440) for s in candidates.slots) == [
        ("F1", "family_room_visit", 600),
        ("F1", "family_room_visit", 615),
        ("F2", "family_room_visit", 600),
        ("F2", "family_room_visit", 615),
    ]
    assert len(variables.slot) == len(candidates.slots)
    assert sorted((s.person, s.start % 1440) for s in candidates.slot_volunteers) == [
        ("V1", 600),
        ("V1", 615),
    ]
    assert [v.name for v in variables.slot_volunteer] == [
        f"volunteer[family_room_visit,{s.start},V1]" for s in candidates.slot_volunteers
    ]
    assert len(variables.slot_officer) == len(candidates.slot_officers) == 2
    assert variables.run == {} and variables.seat == {}
    # The staff of each start is staffing; the fathers' slots are not.
    assert [v.index for v in variables.staffing()] == [
        v.index for v in [*variables.slot_volunteer, *variables.slot_officer]
    ]
