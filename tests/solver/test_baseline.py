"""The first-come-first-served baseline: the exact roster on tiny.json, and valid on any week."""

from __future__ import annotations

import statistics
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain import Problem, Roster, parse_problem
from scheduler.generate import generate_problem
from scheduler.kpis import compute_kpis
from scheduler.objective import objective, tiers
from scheduler.occupancy import Occupancy
from scheduler.placement import blockers, candidate_times
from scheduler.shortfalls import explain_shortfalls
from scheduler.validate import violations
from solver.baseline import first_come_first_served


def table(
    roster: Roster,
) -> list[tuple[str, str, str, str | None, list[str], list[str], list[str]]]:
    """Give each assignment as (id, start, end clock, room, fathers, volunteers, officers)."""
    return [
        (a.id, a.start.isoformat(), a.end.strftime("%H:%M"), a.room, a.fathers, a.volunteers,
         a.officers)
        for a in roster.assignments
    ]  # fmt: skip


def test_tiny_roster_seed_0(tiny: Problem) -> None:
    """Requests arrive F-003, F-001, F-002, F-004; each takes the first free slot, checked by hand.

    F-003 opens the Saturday visit (in court on Wednesday; a regular visit
    needs no consent of the other parent). F-001 starts the Wednesday visit
    with his linked V-EX1, takes the family room on Tuesday (on Saturday 5.5
    of the 6 partner hours are gone) and the video station Monday,
    Wednesday and Friday; his cooking would take V-EX1 past 4 hours. F-002
    joins the visit, finds the family room full after its changeover, and has
    one video call on Monday, which uses up shell 2's one for the days of his
    Wednesday time-out. F-004 finds
    Wednesday's visit full and Saturday's holding F-003, kept apart from him.
    """
    roster = first_come_first_served(tiny, seed=0)
    assert table(roster) == [
        ("F-001-video_call-mon1600", "2027-02-01T16:00:00+01:00", "16:30", "VH-BB1",
         ["F-001"], [], []),
        ("F-002-video_call-mon1630", "2027-02-01T16:30:00+01:00", "17:00", "VH-BB1",
         ["F-002"], [], []),
        ("F-001-family_room_visit-tue1500", "2027-02-02T15:00:00+01:00", "16:30", "VH-FK",
         ["F-001"], ["V-EX1"], ["O-01"]),
        ("S-BZ-WED", "2027-02-03T14:00:00+01:00", "15:00", "VH-BZ",
         ["F-001", "F-002"], ["V-EX1", "V-HU1"], ["O-01"]),
        ("F-001-video_call-wed1600", "2027-02-03T16:00:00+01:00", "16:30", "VH-BB1",
         ["F-001"], [], []),
        ("F-001-video_call-fri1600", "2027-02-05T16:00:00+01:00", "16:30", "VH-BB1",
         ["F-001"], [], []),
        ("S-BZ-SAT", "2027-02-06T14:00:00+01:00", "15:00", "VH-BZ",
         ["F-003"], ["V-HU1", "V-GN1"], ["O-02"]),
    ]  # fmt: skip
    assert [a.session for a in roster.assignments].count("S-BZ-WED") == 1
    assert violations(tiny, roster) == []
    assert (roster.status, roster.solver) == ("feasible", "fcfs")
    assert roster.tiers == {
        "legal_minimum": 3, "entitlements": 11417, "continuity": 3, "stability": 0, "economy": 30,
    }  # fmt: skip
    assert roster.objective == objective(tiny, roster.assignments)
    assert roster.kpis == compute_kpis(tiny, roster.assignments)
    assert [(s.father, s.activity, s.granted, s.reasons) for s in roster.shortfalls] == [
        ("F-001", "cooking_together", 0, ["partner_cap", "volunteer_max_hours"]),
        ("F-001", "family_room_visit", 1,
         ["capacity:family_room", "entitlement_used", "father_busy", "no_officer",
          "no_volunteer", "partner_cap"]),
        ("F-001", "video_call", 3, ["capacity:video_station", "entitlement_used", "father_busy"]),
        ("F-002", "cooking_together", 0, ["partner_cap", "time_out", "volunteer_max_hours"]),
        ("F-002", "family_room_visit", 0,
         ["capacity:family_room", "no_officer", "no_volunteer", "partner_cap"]),
        ("F-002", "video_call", 1,
         ["capacity:video_station", "entitlement_used", "father_busy", "time_out"]),
        ("F-003", "family_room_visit", 0,
         ["capacity:family_room", "no_consent", "no_officer", "no_volunteer", "partner_cap"]),
        ("F-003", "video_call", 0, ["capacity:video_station", "no_consent"]),
        ("F-004", "escorted_visit", 0, ["capacity:visit_hall", "non_association"]),
        ("F-004", "regular_visit", 0, ["capacity:visit_hall", "non_association"]),
    ]  # fmt: skip


def test_first_come_is_first_served(tiny: Problem) -> None:
    """With seed 1, F-004 and F-001 take both Wednesday seats; F-002 sits on Saturday unescorted.

    F-001 asks second and spends 5 of the 6 partner hours (two family-room
    visits, the Wednesday escorts), so F-003 and F-002 after him lose their
    escort, never their legal hour.
    """
    roster = first_come_first_served(tiny, seed=1)
    visit = next(a for a in roster.assignments if a.session == "S-BZ-WED")
    assert visit.fathers == ["F-004", "F-001"]
    saturday = next(a for a in roster.assignments if a.session == "S-BZ-SAT")
    assert (saturday.fathers, saturday.volunteers) == (["F-003", "F-002"], [])
    assert roster.kpis.fathers_below_legal_minimum == []
    escorts = [(s.father, s.reasons) for s in roster.shortfalls if s.activity == "escorted_visit"]
    assert escorts == [("F-002", ["partner_cap"]), ("F-003", ["partner_cap"])]
    assert violations(tiny, roster) == []


def test_same_seed_same_roster(tiny: Problem) -> None:
    """The request order is drawn from the seed, so one seed always gives one roster."""
    first = first_come_first_served(tiny, seed=7)
    again = first_come_first_served(tiny, seed=7)
    assert first.model_dump(exclude={"solve_seconds"}) == again.model_dump(
        exclude={"solve_seconds"}
    )


def test_pinned_assignments_stay_and_count(tiny: Problem) -> None:
    """A pinned Saturday visit for F-004 stays unchanged; nobody joins it, and it counts for him."""
    pinned = {
        "id": "P-1", "activity": "regular_visit", "start": "2027-02-06T14:00:00+01:00",
        "end": "2027-02-06T15:00:00+01:00", "room": "VH-BZ", "session": "S-BZ-SAT",
        "fathers": ["F-004"], "volunteers": ["V-HU1", "V-GN1"], "officers": ["O-02"],
        "pinned": True,
    }  # fmt: skip

    problem = parse_problem({**tiny.model_dump(mode="json"), "pinned": [pinned]})
    roster = first_come_first_served(problem, seed=0)
    kept = [a for a in roster.assignments if a.id == "P-1"]
    assert [a.model_dump(mode="json") for a in kept] == [problem.pinned[0].model_dump(mode="json")]
    assert [a.fathers for a in roster.assignments if a.activity == "regular_visit"] == [
        ["F-001", "F-002"],
        ["F-004"],
    ]
    assert violations(problem, roster) == []


@settings(max_examples=8, deadline=None)
@given(
    fathers=st.integers(10, 24),
    institutions=st.integers(1, 2),
    week_seed=st.integers(0, 10_000),
    order_seed=st.integers(0, 10_000),
)
def test_baseline_passes_the_validator_on_generated_weeks(
    fathers: int, institutions: int, week_seed: int, order_seed: int
) -> None:
    """On any generated week the baseline breaks no hard rule, and every refusal has a reason."""
    problem = generate_problem(fathers, institutions, seed=week_seed)
    roster = first_come_first_served(problem, seed=order_seed)
    assert violations(problem, roster) == []
    assert [s for s in roster.shortfalls if not s.reasons] == []
    assert roster.tiers == tiers(problem, roster.assignments).as_dict()


@pytest.mark.bench
def test_bench_placement_on_400_fathers() -> None:
    """On a 400-father institution one placement query takes well under 10 ms, explaining 2 s.

    A benchmark (marker ``bench``, outside the default run). Times are the CPU
    time of this thread, so other work on a shared machine does not count.
    Run with ``pytest -m bench -s tests/solver/test_baseline.py``.
    """
    problem = generate_problem(400, 1, seed=1)
    began = time.thread_time()
    roster = first_come_first_served(problem, seed=0)
    baseline_seconds = time.thread_time() - began
    began = time.thread_time()
    explain_shortfalls(problem, roster.assignments)
    explain_seconds = time.thread_time() - began
    occupancy = Occupancy(problem, roster.assignments)
    queries = [
        (father.id, activity.id, start, session)
        for father in problem.fathers[:40]
        for activity in problem.activities
        for start, session in list(candidate_times(problem, father.id, activity.id))[:3]
    ]
    took = []
    for query in queries:
        began = time.thread_time()
        blockers(problem, occupancy, *query)
        took.append(time.thread_time() - began)
    slowest = max(took)
    print(
        f"fcfs {baseline_seconds:.2f} s, explain {explain_seconds:.2f} s, "
        f"{len(took)} queries: median {statistics.median(took) * 1e3:.3f} ms, "
        f"slowest {slowest * 1e3:.3f} ms"
    )
    assert violations(problem, roster) == []
    assert slowest < 0.010
    assert explain_seconds < 2.0
