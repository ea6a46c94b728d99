"""What the page reads from a roster: the grid, the fathers' lines, staff load, changes."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.web import views
from scheduler.domain import Problem, Roster, parse_problem
from scheduler.objective import granted_counts
from scheduler.week import MINUTES_PER_DAY
from solver.baseline import first_come_first_served
from tests.kit.web import tiny_data


@pytest.fixture(scope="module")
def week() -> tuple[Problem, Roster]:
    """Give tiny.json and its first-come-first-served roster."""
    problem = parse_problem(tiny_data())
    return problem, first_come_first_served(problem)


def part(roster: Roster, keep: list[bool]) -> Roster:
    """Give the roster with only the assignments marked to keep."""
    kept = [a for a, k in zip(roster.assignments, keep, strict=True) if k]
    return roster.model_copy(update={"assignments": kept})


FILTERS = st.builds(
    views.Filters,
    shell=st.sampled_from([None, 1, 2, 3]),
    ward=st.sampled_from([None, "vaderafdeling", "B-vleugel", "C-vleugel", "elsewhere"]),
)


@settings(max_examples=40, deadline=None)
@given(keep=st.lists(st.booleans(), min_size=7, max_size=7), filters=FILTERS)
def test_the_grid_shows_each_assignment_with_a_passing_father_once_in_its_room_and_day(
    week: tuple[Problem, Roster], keep: list[bool], filters: views.Filters
) -> None:
    """For any part of the roster and any filter, each shown card is one assignment, in place."""
    problem, full = week
    roster = part(full, keep)
    rows = views.room_grid(problem, roster, "PI-VH", filters)
    placed: Counter[str] = Counter()
    for row in rows:
        for cell in row.cells:
            for card in cell.cards:
                placed[card.assignment.id] += 1
                assert card.assignment.room == (row.room.id if row.room else None)
                start = problem.clock.minute(card.assignment.start)
                assert start // MINUTES_PER_DAY == cell.day
                assert card.hidden + len(card.fathers) == len(card.assignment.fathers)
    fathers = problem.father_by_id
    wanted = {
        a.id
        for a in roster.assignments
        if not filters.active or any(filters.matches(fathers[f]) for f in a.fathers)
    }
    assert placed == Counter({assignment_id: 1 for assignment_id in wanted})


@settings(max_examples=40, deadline=None)
@given(keep=st.lists(st.booleans(), min_size=7, max_size=7), filters=FILTERS)
def test_father_rows_pass_the_filter_lead_with_the_legal_minimum_and_count_what_is_granted(
    week: tuple[Problem, Roster], keep: list[bool], filters: views.Filters
) -> None:
    """For any part of the roster, rows are the passing fathers, below the legal minimum first."""
    problem, full = week
    roster = part(full, keep)
    rows = views.father_rows(problem, roster, "PI-VH", filters)
    assert [r.father.id for r in rows] == sorted(
        (f.id for f in problem.fathers if filters.matches(f)),
        key=lambda f: (not next(r for r in rows if r.father.id == f).below_legal, f),
    )
    counts = granted_counts(problem, roster.assignments)
    for row in rows:
        assert row.below_legal == (row.visit_minutes < 60)
        for line in row.lines:
            assert line.granted == counts[row.father.id, line.activity.id]


def test_the_rooms_come_in_the_planners_order_and_cell_visits_get_their_own_row(
    veenhuizen: Problem,
) -> None:
    """Family room, video stations, visit hall, activity room, wing room, kitchen; then the cell."""
    roster = first_come_first_served(veenhuizen)
    rows = views.room_grid(veenhuizen, roster, "PI-VH", views.Filters())
    assert [row.room.id if row.room else None for row in rows] == [
        "VH-FK", "VH-BB1", "VH-BB2", "VH-BZ1", "VH-AR1", "VH-GR", "VH-KK", None,
    ]  # fmt: skip
    closed = [c.closed for c in rows[0].cells]
    assert closed == [[], [], [], [], ["15:00–20:30"], [], []]


def test_staff_load_is_the_rosters_hours_against_each_limit(week: tuple[Problem, Roster]) -> None:
    """Volunteers carry their hours against their maximum, officers against their shifts."""
    problem, roster = week
    volunteers, officers = views.staff_loads(problem, roster, "PI-VH")
    assert [(v.id, v.hours, v.limit, v.assignments) for v in volunteers] == [
        ("V-EX1", 2.5, 4, 2),
        ("V-GN1", 1.0, 2, 1),
        ("V-HU1", 2.0, 4, 2),
    ]
    assert [(o.id, o.hours, o.limit, o.assignments) for o in officers] == [
        ("O-01", 2.5, 26.0, 2),
        ("O-02", 1.0, 12.0, 1),
    ]


def test_changes_count_father_occurrences_kept_added_and_dropped(
    week: tuple[Problem, Roster],
) -> None:
    """Against itself nothing changes; dropping the Wednesday visit drops its two fathers."""
    _, roster = week
    same = views.changes(roster, roster)
    assert (same.kept, same.added, same.removed, same.new_assignments) == (8, 0, 0, set())
    fewer = roster.model_copy(
        update={"assignments": [a for a in roster.assignments if a.id != "S-BZ-WED"]}
    )
    back = views.changes(fewer, roster)
    assert (back.kept, back.added, back.removed, back.new_assignments) == (6, 2, 0, {"S-BZ-WED"})
