"""The independent checker: a valid hand-made roster passes; each rule broken alone is named."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.domain import Assignment, Problem
from scheduler.validate import check_assignments, violations
from scheduler.violations import RULES, Violation
from tests.kit.rosters import at, base, replace, roster, slot
from tests.kit.violations import CASES

# The checker only reads the problem, so one tiny problem may serve every generated input.
READ_ONLY_FIXTURE = [HealthCheck.function_scoped_fixture]


def test_base_roster_breaks_no_rule(tiny: Problem) -> None:
    """The hand-made roster on tiny.json passes every hard rule."""
    assert violations(tiny, roster(tiny, base())) == []


def test_empty_roster_breaks_no_rule(tiny: Problem) -> None:
    """A roster without assignments breaks no hard rule (nothing is owed as a hard rule)."""
    assert violations(tiny, roster(tiny, [])) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_broken_rule_is_named_alone(tiny: Problem, name: str) -> None:
    """Breaking one hard rule on purpose reports that rule alone, naming the culprit."""
    rule, case, message = CASES[name]
    problem, assignments = case(tiny)
    found = check_assignments(problem, assignments)
    assert {v.rule for v in found} == {rule}
    assert any(v.message.startswith(message) for v in found), [v.message for v in found]


def test_every_rule_has_a_case() -> None:
    """The cases above break every rule the checker knows."""
    assert {rule for rule, _, _ in CASES.values()} == set(RULES)


def test_double_booked_volunteer_and_officer_are_each_named(tiny: Problem) -> None:
    """A family visit at the session's time double-books both its volunteer and its officer."""
    problem, assignments = CASES["double-booked volunteer and officer"][1](tiny)
    when = "at the same time (2027-02-03T14:00+01:00)"
    assert check_assignments(problem, assignments) == [
        Violation("double_booking", "A5", f"officer O-01 is in A1 and A5 {when}"),
        Violation("double_booking", "A5", f"volunteer V-EX1 is in A1 and A5 {when}"),
    ]


def test_roster_of_another_week_is_a_reference_violation(tiny: Problem) -> None:
    """A roster made for another problem or week is refused as rule ``reference``."""
    other = roster(tiny, base()).model_copy(update={"problem_id": "other", "week": "2027-W06"})
    assert violations(tiny, other) == [
        Violation("reference", None, "roster is for problem 'other', not 'tiny-2027-W05'"),
        Violation("reference", None, "roster is for week 2027-W06, not 2027-W05"),
    ]


def test_assignment_outside_the_week_is_a_reference_violation(tiny: Problem) -> None:
    """An assignment in the next week is refused as rule ``reference`` and checked no further."""
    later = replace(
        base(),
        "A3",
        start=at("mon", "16:00") + timedelta(days=7),
        end=at("mon", "16:30") + timedelta(days=7),
    )
    assert check_assignments(tiny, later) == [
        Violation(
            "reference",
            "A3",
            "assignments[2].start: 2027-02-08T16:00+01:00 to 2027-02-08T16:30+01:00 "
            "is outside week 2027-W05",
        )
    ]


def test_a_session_run_twice_is_a_reference_violation(tiny: Problem) -> None:
    """The same session in two assignments is refused: a session runs as one assignment."""
    twice = [
        *base(),
        slot("A5", "regular_visit", "wed", "14:00", 60, "VH-BZ", [], [], [], session="S-BZ-WED"),
    ]
    assert [v.message for v in check_assignments(tiny, twice)] == [
        "assignments[4].fathers: a session without fathers does not run",
        "session S-BZ-WED runs in A1 and A5; it runs as one assignment",
        "regular_visit needs 1 officer(s), has 0",
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=READ_ONLY_FIXTURE)
@given(st.randoms(use_true_random=False), st.lists(st.integers(0, 3), max_size=4))
def test_any_part_of_a_valid_roster_is_valid_in_any_order(
    tiny: Problem, rng: random.Random, drop: list[int]
) -> None:
    """Leaving assignments out of a valid roster, in any order, breaks no hard rule."""
    assignments = [a for i, a in enumerate(base()) if i not in drop]
    rng.shuffle(assignments)
    assert check_assignments(tiny, assignments) == []


BROKEN = CASES["kept-apart fathers in the visit hall at once"][1]


@settings(max_examples=40, deadline=None, suppress_health_check=READ_ONLY_FIXTURE)
@given(st.randoms(use_true_random=False))
def test_violations_do_not_depend_on_the_order_of_assignments(
    tiny: Problem, rng: random.Random
) -> None:
    """The same broken assignments in any order give the same sorted violations."""
    problem, assignments = BROKEN(tiny)
    assignments += [
        slot(
            "A7", "family_room_visit", "tue", "16:30", 90, "VH-FK", ["F-002"], ["V-EX1"], ["O-01"]
        ),
        slot("A8", "video_call", "mon", "16:15", 30, "VH-BB1", ["F-004"]),
    ]
    expected = check_assignments(problem, assignments)
    rng.shuffle(assignments)
    assert check_assignments(problem, assignments) == expected
    assert len(expected) == 5


def _overlap(first: tuple[int, int], second: tuple[int, int], changeover: int) -> bool:
    return first[0] < second[1] + changeover and second[0] < first[1] + changeover


@settings(max_examples=60, deadline=None, suppress_health_check=READ_ONLY_FIXTURE)
@given(st.lists(st.sampled_from(range(10 * 60, 11 * 60 + 31, 15)), min_size=1, max_size=4))
def test_family_room_is_over_full_exactly_when_two_uses_overlap(
    tiny: Problem, starts: list[int]
) -> None:
    """Any family visits on Saturday morning: the room is over-full iff two uses overlap.

    Each use keeps the family room for its 15 changeover minutes after it ends.
    """
    visits = [
        slot(
            f"A{i}",
            "family_room_visit",
            "sat",
            f"{m // 60:02d}:{m % 60:02d}",
            90,
            "VH-FK",
            [f"F-00{i % 2 + 1}"],
        )
        for i, m in enumerate(starts)
    ]
    spans = [(m, m + 90) for m in starts]
    overlapping = any(_overlap(spans[i], spans[j], 15) for i in range(len(spans)) for j in range(i))
    reported = any(v.rule == "room_capacity" for v in check_assignments(tiny, visits))
    assert reported == overlapping


def _any_assignment(tiny: Problem) -> st.SearchStrategy[Assignment]:
    """Give a strategy of assignments mixing tiny.json's ids, unknown ids and any time."""
    activities = st.sampled_from([a.id for a in tiny.activities] + ["juggling"])
    rooms = st.sampled_from([None, "VH-XX", *(r.id for r in tiny.rooms)])
    sessions = st.sampled_from([None, "S-XX", *(s.id for s in tiny.sessions)])
    fathers = st.lists(st.sampled_from(["F-404", *(f.id for f in tiny.fathers)]), max_size=3)
    volunteers = st.lists(st.sampled_from(["V-404", *(v.id for v in tiny.volunteers)]), max_size=3)
    officers = st.lists(st.sampled_from(["O-404", *(o.id for o in tiny.officers)]), max_size=2)
    starts = st.integers(-600, 8 * 1440).map(lambda m: at("mon", "00:00") + timedelta(minutes=m))
    return st.builds(
        lambda key, activity, start, length, room, session, f, v, o: Assignment(
            id=key, activity=activity, start=start, end=start + timedelta(minutes=length),
            room=room, session=session, fathers=f, volunteers=v, officers=o,
        ),
        st.sampled_from(["A1", "A2", "A3", "A4", "A5"]), activities, starts,
        st.integers(-30, 240), rooms, sessions, fathers, volunteers, officers,
    )  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=READ_ONLY_FIXTURE)
@given(st.data())
def test_checker_never_fails_on_any_assignments(tiny: Problem, data: st.DataObject) -> None:
    """Any assignments, however wrong, give violations of known rules, never an exception."""
    assignments = data.draw(st.lists(_any_assignment(tiny), max_size=6))
    found = check_assignments(tiny, assignments)
    assert {v.rule for v in found} <= set(RULES)
    assert found == check_assignments(tiny, assignments)


@pytest.mark.bench
def test_bench_check_a_national_week(capsys: pytest.CaptureFixture[str]) -> None:
    """A national week of 6,000 fathers in 30 prisons, rostered first come first served, is valid.

    Run with ``.venv/bin/pytest -m bench -s tests/scheduler/test_validate.py``; it prints
    how long the check and the KPIs take.
    """
    from scheduler.generate import generate_problem
    from scheduler.kpis import compute_kpis
    from solver.baseline import first_come_first_served

    problem = generate_problem(6000, 30, seed=1)
    week = first_come_first_served(problem)
    began = time.perf_counter()
    found = violations(problem, week)
    checked = time.perf_counter()
    compute_kpis(problem, week.assignments)
    done = time.perf_counter()
    with capsys.disabled():
        print(
            f"\n{len(week.assignments)} assignments of {len(problem.fathers)} fathers: "
            f"check {checked - began:.2f} s, KPIs {done - checked:.2f} s"
        )
    assert found == []


# What each case's finding blocks, in the words of the shortfall vocabulary.
CASE_REASONS: dict[str, set[str]] = {
    "unknown father": {"father_unavailable"},
    "end is not start plus minutes": {"outside_windows"},
    "session of another day": {"no_session"},
    "session activity without session": {"no_session"},
    "individual activity without a father": {"father_unavailable"},
    "room of the wrong kind": {"no_room"},
    "father of another institution": {"no_room"},
    "time-out day": {"time_out"},
    "shell 1 father in a video call": {"not_in_shell"},
    "no information-sharing consent": {"no_consent"},
    "not enrolled": {"not_enrolled"},
    "no consent of the other parent": {"no_consent"},
    "two video calls on one day": {"entitlement_used"},
    "two video calls during the time-out": {"time_out"},
    "plan lowers the week": {"entitlement_used"},
    "school hours": {"school_hours"},
    "father unavailable": {"father_unavailable"},
    "double-booked father": {"father_busy"},
    "double-booked volunteer and officer": {"no_volunteer", "no_officer"},
    "over-full family room in the changeover": {"capacity:family_room"},
    "session over its seats": {"capacity:visit_hall"},
    "room not open": {"room_closed"},
    "room closed": {"room_closed"},
    "outside the activity's windows": {"outside_windows"},
    "off the slot grid": {"outside_windows"},
    "volunteer missing": {"no_volunteer"},
    "volunteer listed twice": {"no_volunteer"},
    "volunteer who may not do it": {"no_volunteer"},
    "officer off shift": {"no_officer"},
    "partner cap": {"partner_cap"},
    "partner cap lowered": {"partner_cap"},
    "volunteer past own maximum": {"volunteer_max_hours"},
    "pinned assignment missing": {"pinned"},
    "pinned assignment moved": {"pinned"},
    "kept-apart fathers share a session": {"non_association"},
    "kept-apart fathers in the visit hall at once": {"non_association"},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_finding_names_the_reason_that_blocks(tiny: Problem, name: str) -> None:
    """Every finding carries the vocabulary's reason for what it blocks, and only that reason."""
    problem, assignments = CASES[name][1](tiny)
    assert {v.reason for v in check_assignments(problem, assignments)} == CASE_REASONS[name]


def test_every_case_has_its_reason() -> None:
    """Each broken-rule case above says which reason its finding gives."""
    assert set(CASE_REASONS) == set(CASES)
