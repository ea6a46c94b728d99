"""The week index on tiny.json: spans in week minutes, who may serve, limits, school hours."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain import Problem, TimeRange, load_problem
from scheduler.eligibility import school_hours_conflict
from scheduler.week_index import WeekIndex, week_candidates

DAY = 1440
MON, TUE, WED, THU, FRI, SAT = (d * DAY for d in range(6))
WEEK = frozenset(range(7))
# For the property test, where function fixtures do not reset; it is only read.
TINY = load_problem(Path(__file__).resolve().parents[2] / "fixtures" / "tiny.json")


def test_fathers_kept_apart_are_kept_apart_both_ways(tiny: Problem) -> None:
    """F-004 names F-003; the index keeps each apart from the other."""
    assert WeekIndex(tiny).partners == {"F-004": {"F-003"}, "F-003": {"F-004"}}


def test_windows_and_ranges_are_week_minutes(tiny: Problem) -> None:
    """The family room opens Tue 15:00-18:00 and Sat 10:00-13:00; F-003 is away Wed 9-16."""
    index = WeekIndex(tiny)
    assert index.room_open["VH-FK"] == ((TUE + 900, TUE + 1080), (SAT + 600, SAT + 780))
    assert index.unavailable["F-003"] == ((WED + 540, WED + 960),)
    assert index.unavailable["F-001"] == ()


def test_a_room_is_shut_outside_its_hours_and_during_a_closure(tiny: Problem) -> None:
    """Closed Tue 16:00-17:00: 15:00-16:00 is open, 15:30-16:30 and 17:30-18:30 are shut."""
    room = tiny.room_by_id["VH-FK"]
    room.closed.append(
        TimeRange.model_validate(
            {"start": "2027-02-02T16:00:00+01:00", "end": "2027-02-02T17:00:00+01:00"}
        )
    )
    index = WeekIndex(tiny)
    assert not index.room_shut(room, TUE + 900, TUE + 960)
    assert index.room_shut(room, TUE + 930, TUE + 990)
    assert index.room_shut(room, TUE + 1050, TUE + 1110)


def test_who_may_serve_and_who_is_on_shift(tiny: Problem) -> None:
    """V-HU1 may do a family room visit on Saturday, V-EX1 on Tuesday; O-01 works Wednesday."""
    index = WeekIndex(tiny)
    visit = tiny.activity_by_id["family_room_visit"]
    assert [v.id for v in index.may_serve(visit, "PI-VH", SAT + 600, SAT + 690)] == ["V-HU1"]
    assert [v.id for v in index.may_serve(visit, "PI-VH", TUE + 900, TUE + 990)] == ["V-EX1"]
    assert [o.id for o in index.on_shift("PI-VH", WED + 780, WED + 840)] == ["O-01"]
    assert [o.id for o in index.on_shift("PI-VH", SAT + 780, SAT + 840)] == ["O-02"]
    assert index.on_shift("PI-VH", MON + 780, MON + 840) == ()


def test_ceilings_under_a_mid_week_time_out_are_computed_once(tiny: Problem) -> None:
    """F-002 (time-out from Wednesday): 7 calls a week, 1 from Wednesday less those before."""
    index = WeekIndex(tiny)
    f002, call = tiny.father_by_id["F-002"], tiny.activity_by_id["video_call"]
    found = index.ceilings(f002, call)
    assert [(c.days, c.limit, c.before) for c in found] == [
        (WEEK, 7, frozenset()),
        (frozenset(range(2, 7)), 1, frozenset({0, 1})),
    ]
    assert index.ceilings(f002, call) is found
    assert [index.per_day(f002, call, day) for day in (0, 2)] == [1, 1]


def test_eligibility_day_by_day(tiny: Problem) -> None:
    """F-002 may cook on Monday, not from his time-out on; F-004 in shell 1 makes no calls."""
    index = WeekIndex(tiny)
    cooking = tiny.activity_by_id["cooking_together"]
    assert index.eligibility(tiny.father_by_id["F-002"], cooking, 0) == []
    assert index.eligibility(tiny.father_by_id["F-002"], cooking, 3) == ["time_out"]
    call = tiny.activity_by_id["video_call"]
    assert index.eligibility(tiny.father_by_id["F-004"], call, 0) == ["not_in_shell"]


def test_school_hours_of_a_father_with_a_child_of_seven(tiny: Problem) -> None:
    """F-001's child is 7: a call Monday 14:00 is in school hours; Monday 15:00 or Saturday not."""
    index = WeekIndex(tiny)
    f001, call = tiny.father_by_id["F-001"], tiny.activity_by_id["video_call"]
    assert index.school_conflict(f001, call, MON + 840, MON + 870)
    assert not index.school_conflict(f001, call, MON + 900, MON + 930)
    assert not index.school_conflict(f001, call, SAT + 840, SAT + 870)
    assert index.school_day(f001, call, 0) and not index.school_day(f001, call, 5)


@settings(max_examples=200, deadline=None)
@given(
    father=st.sampled_from([f.id for f in TINY.fathers]),
    activity=st.sampled_from([a.id for a in TINY.activities]),
    start=st.integers(0, 7 * DAY - 15),
    minutes=st.integers(15, 240),
)
def test_the_school_hours_shortcut_agrees_with_the_rule(
    father: str, activity: str, start: int, minutes: int
) -> None:
    """The index's quick answer on school hours is the rule's own, at any time."""
    index = WeekIndex(TINY)
    someone, what = TINY.father_by_id[father], TINY.activity_by_id[activity]
    end = start + minutes
    assert index.school_conflict(someone, what, start, end) == school_hours_conflict(
        TINY, someone, what, start, end
    )


def test_family_room_candidates_are_the_grid_inside_its_hours(tiny: Problem) -> None:
    """A 90-minute visit starts every quarter from Tue 15:00 to 16:30 and Sat 10:00 to 11:30."""
    found = week_candidates(tiny, "PI-VH", tiny.activity_by_id["family_room_visit"])
    expected = [TUE + 900 + 15 * k for k in range(7)] + [SAT + 600 + 15 * k for k in range(7)]
    assert found == [(start, None) for start in expected]
