"""Edits by hand on tiny.json's first-come-first-served roster: each op, kept or refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.domain import Assignment, Problem, ProblemError, load_problem
from scheduler.edits import Edit, EditRefused, apply_edits, edited_roster, nearest_places
from scheduler.validate import check_assignments, violations
from solver.baseline import first_come_first_served
from tests.kit.rosters import at

VISIT = "F-001-family_room_visit-tue1500"


@pytest.fixture(scope="module")
def week() -> tuple[Problem, list[Assignment]]:
    """Give tiny.json and its first-come-first-served assignments (valid by the validator)."""
    problem = load_problem("fixtures/tiny.json")
    assignments = first_come_first_served(problem).assignments
    assert check_assignments(problem, assignments) == []
    return problem, assignments


def _by_id(assignments: list[Assignment]) -> dict[str, Assignment]:
    return {a.id: a for a in assignments}


def _refused(week: tuple[Problem, list[Assignment]], edit: Edit) -> EditRefused:
    """Give the refusal of one edit (the test fails if it is kept)."""
    with pytest.raises(EditRefused) as refused:
        apply_edits(*week, [edit])
    return refused.value


def test_a_father_moves_from_one_session_to_another_and_the_first_keeps_the_rest(
    week: tuple[Problem, list[Assignment]],
) -> None:
    """F-002 moves from Wednesday's visit hour to Saturday's: each session has its fathers."""
    problem, assignments = week
    edited = apply_edits(
        problem,
        assignments,
        [Edit(op="move", assignment="S-BZ-WED", father="F-002", session="S-BZ-SAT")],
    )
    found = _by_id(edited.assignments)
    assert found["S-BZ-WED"].fathers == ["F-001"]
    assert sorted(found["S-BZ-SAT"].fathers) == ["F-002", "F-003"]
    assert edited.findings == [] and edited.changed == ["S-BZ-SAT"]


def test_a_moved_pinned_appointment_stays_pinned_and_the_roster_is_recomputed(
    week: tuple[Problem, list[Assignment]],
) -> None:
    """Pin, then move: the new appointment is pinned, and the edited roster passes the validator."""
    problem, assignments = week
    start = _by_id(assignments)[VISIT].start + timedelta(hours=1)
    edited = apply_edits(
        problem,
        assignments,
        [Edit(op="pin", assignment=VISIT), Edit(op="move", assignment=VISIT, start=start)],
    )
    moved = [a for a in edited.assignments if a.activity == "family_room_visit"]
    assert [(a.start, a.pinned) for a in moved] == [(start, True)]
    source = first_come_first_served(problem)
    roster = edited_roster(problem, source, edited)
    assert roster.solver == "hand" and violations(problem, roster) == []
    assert roster.kpis.granted == source.kpis.granted


def test_a_move_the_placement_refuses_names_its_reasons_and_offers_places_that_fit(
    week: tuple[Problem, list[Assignment]],
) -> None:
    """A move to Monday night is refused with its reasons; each place offered passes the checks."""
    problem, assignments = week
    refused = _refused(week, Edit(op="move", assignment=VISIT, start=at("mon", "22:00")))
    assert refused.index == 0 and "room_closed" in refused.reasons
    rest = [a for a in assignments if a.id != VISIT]
    assert refused.alternatives
    for offer in refused.alternatives:
        assert check_assignments(problem, [*rest, offer]) == []


def test_a_swap_the_validator_refuses_gives_the_rules_reasons(
    week: tuple[Problem, list[Assignment]],
) -> None:
    """Swapping F-003 into F-001's family-room visit breaks a rule the validator names."""
    refused = _refused(
        week, Edit(op="swap", assignment=VISIT, other="S-BZ-SAT", other_father="F-003")
    )
    assert refused.messages and refused.reasons


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (Edit(op="pin", assignment="no-such-1"), "edits[0].assignment"),
        (Edit(op="swap", assignment=VISIT), "edits[0].other"),
        (Edit(op="swap", assignment=VISIT, other=VISIT), "edits[0].other"),
        (Edit(op="move", assignment="S-BZ-WED", session="S-BZ-SAT"), "edits[0].father"),
        (Edit(op="add", father="F-001", activity="no_such"), "edits[0].activity"),
        (Edit(op="add", father="F-001", activity="video_call"), "edits[0].start"),
        (
            Edit(op="add", father="F-001", activity="regular_visit", session="S-9"),
            "edits[0].session",
        ),
    ],
)
def test_an_edit_naming_what_is_not_there_is_a_problem_error_naming_the_field(
    week: tuple[Problem, list[Assignment]], edit: Edit, field: str
) -> None:
    """Each bad edit names its field, prefixed by its place in the list."""
    problem, assignments = week
    with pytest.raises(ProblemError) as error:
        apply_edits(problem, assignments, [edit])
    assert error.value.messages[0].startswith(field), error.value.messages


def test_nearest_places_leave_the_moving_father_out_of_his_own_session(
    week: tuple[Problem, list[Assignment]],
) -> None:
    """The places nearest to F-002's Wednesday visit are other sessions he may join."""
    problem, assignments = week
    wednesday = _by_id(assignments)["S-BZ-WED"]
    places = nearest_places(
        problem, assignments, "F-002", "regular_visit", wednesday.start, wednesday
    )
    assert places and all(p.session != "S-BZ-WED" or "F-002" in p.fathers for p in places)
    rest = [a for a in assignments if a.id != "S-BZ-WED"]
    rest.append(wednesday.model_copy(update={"fathers": ["F-001"]}))
    for place in places:
        others = [a for a in rest if a.id != place.id]
        assert check_assignments(problem, [*others, place]) == []
