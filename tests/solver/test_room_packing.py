"""The family room packed for the legal hour: more fathers seated than first fit alone seats.

On a generated week whose visit sessions seat one father each, most fathers
can have their legal hour only in the family room (one family at a time, 90
minutes and a changeover, a volunteer and an officer each). First fit leaves
gaps there too short for one more visit; the packing places them all at once.
"""

from __future__ import annotations

import pytest

import solver.legal_visits as legal_visits
import solver.room_packing as room_packing
from scheduler.domain import Assignment, Problem
from scheduler.generate import generate_problem
from scheduler.objective import tiers
from scheduler.occupancy import Occupancy
from scheduler.validate import check_assignments
from solver.legal_bound import most_disjoint
from solver.room_packing import pack_room_visits
from solver.warmstart import priority_order


@pytest.fixture(autouse=True)
def _less_packing_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the packing's solve a tenth of its deterministic time: these weeks need no optimum.

    With the whole of it the 60-father week's packing runs it out without a proof
    (about 4 s a packing on a quiet machine); a tenth seats the same fathers.
    """
    monkeypatch.setattr(room_packing, "PACKING_WORK", room_packing.PACKING_WORK / 10)


def _one_seat_week() -> Problem:
    """Give a generated week of 60 fathers whose visit sessions seat one father each."""
    problem = generate_problem(60, seed=7)
    problem.policy.partner_cap_hours = 36.0
    for session in problem.sessions:
        session.capacity = 1
    return problem


def _family_room_spans(problem: Problem, roster: list[Assignment]) -> list[tuple[int, int]]:
    """Give the [start, end) of the roster's family-room visits."""
    clock = problem.clock
    return [
        (clock.minute(a.start), clock.minute(a.end))
        for a in roster
        if a.activity == "family_room_visit"
    ]


def test_the_packed_family_room_seats_more_fathers_than_first_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The warm start gives more fathers their legal hour with the packing than without it."""
    problem = _one_seat_week()
    packed = priority_order(problem)
    assert check_assignments(problem, packed) == []
    monkeypatch.setattr(legal_visits, "_pack", lambda *args: None)
    unpacked = priority_order(problem)
    assert check_assignments(problem, unpacked) == []
    assert tiers(problem, packed).legal_minimum > tiers(problem, unpacked).legal_minimum
    spans = _family_room_spans(problem, packed)
    assert len(spans) > len(_family_room_spans(problem, unpacked))
    # One family at a time: the packed visits never overlap.
    assert most_disjoint(spans) == len(spans)


def test_a_packing_that_seats_fewer_puts_back_what_was_there() -> None:
    """Packing for no father more keeps every family-room visit already held, or more."""
    problem = _one_seat_week()
    roster = priority_order(problem)
    activity = problem.activity_by_id["family_room_visit"]
    occupancy = Occupancy(problem, roster)
    before = len(_family_room_spans(problem, roster))
    pack_room_visits(occupancy, activity, [])
    after = occupancy.assignments()
    assert check_assignments(problem, after) == []
    assert len(_family_room_spans(problem, after)) >= before
