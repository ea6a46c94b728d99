"""A solve within its time limit, and a repair's model from its moment on."""

from __future__ import annotations

from scheduler.domain import Problem
from scheduler.validate import violations
from solver.candidates import find_candidates
from solver.model import RosterModel
from solver.solve import SolveOptions, solve, warm_start_roster


def test_a_solve_with_a_tiny_limit_still_gives_a_valid_roster(tiny: Problem) -> None:
    """With 0.1 s for build, warm start and searches, tiny's roster is valid and not infeasible."""
    roster = solve(tiny, SolveOptions(time_limit=0.1, workers=1))
    assert roster.status in ("optimal", "feasible")
    assert roster.assignments
    assert violations(tiny, roster) == []


def test_a_repair_keeps_every_pin_and_adds_nothing_before_its_moment(tiny: Problem) -> None:
    """Pinned before the moment, tiny's repair and its warm start keep each pin, add none before."""
    full = solve(tiny, SolveOptions(time_limit=5, workers=1, deterministic=True))
    starts = sorted({a.start for a in full.assignments})
    since = starts[len(starts) // 2]
    happened = [a.model_copy(update={"pinned": True}) for a in full.assignments if a.start < since]
    # One video call before the moment did not take place: its time is past, not free.
    gone = next(a for a in happened if a.session is None)
    past = [a for a in happened if a is not gone]
    repaired = tiny.model_copy(update={"pinned": past})
    roster = solve(
        repaired, SolveOptions(time_limit=5, workers=1, deterministic=True), full, since=since
    )
    assert violations(repaired, roster) == []
    first = warm_start_roster(repaired, full, since)
    assert violations(repaired, first) == []
    assert sorted(a.id for a in first.assignments if a.start < since) == sorted(a.id for a in past)
    before = sorted(a.id for a in roster.assignments if a.start < since)
    assert before == sorted(a.id for a in past)
    assert all(a in roster.assignments for a in past)


def test_a_repair_model_holds_no_decision_before_its_moment(tiny: Problem) -> None:
    """From tiny's last start on, the model has fewer slots, each starting at or after it."""
    whole = RosterModel(tiny)
    last = max(slot.start for slot in whole.candidates.slots)
    later = RosterModel(tiny, since=last)
    assert later.candidates.slots
    assert len(later.candidates.slots) < len(whole.candidates.slots)
    assert all(slot.start >= last for slot in later.candidates.slots)
    assert all(s.start >= last for s in later.candidates.sessions)


def _all_pinned(tiny: Problem) -> Problem:
    """Give tiny with its whole solved roster pinned."""
    full = solve(tiny, SolveOptions(time_limit=5, workers=1, deterministic=True))
    pins = [a.model_copy(update={"pinned": True}) for a in full.assignments]
    return tiny.model_copy(update={"pinned": pins})


def test_a_room_the_pins_fill_offers_no_slot_while_they_hold_it(tiny: Problem) -> None:
    """With tiny's family-room visits pinned, the family room offers slots only around them."""
    full = solve(tiny, SolveOptions(time_limit=5, workers=1, deterministic=True))
    visits = [
        a.model_copy(update={"pinned": True})
        for a in full.assignments
        if a.activity == "family_room_visit"
    ]
    assert visits
    candidates = find_candidates(tiny.model_copy(update={"pinned": visits}))
    held = [p for p in candidates.pinned if p.pool is not None]
    room = {p.pool for p in held}
    offered = [s for s in candidates.slots if s.pool in room]
    assert offered
    assert all(candidates.pools[pool].capacity == 1 for pool in room)
    for slot in offered:
        end = slot.end + slot.changeover
        assert not [
            p
            for p in held
            if p.pool == slot.pool and p.start < end and slot.start < p.end + p.changeover
        ]


def test_once_the_pins_use_the_partner_cap_no_volunteer_is_a_candidate(tiny: Problem) -> None:
    """With the cap at the pins' own volunteer hours, no activity needing a volunteer is offered."""
    problem = _all_pinned(tiny)
    minutes = sum(
        (problem.clock.minute(a.end) - problem.clock.minute(a.start)) * len(set(a.volunteers))
        for a in problem.pinned
    )
    assert minutes > 0
    policy = problem.policy.model_copy(update={"partner_cap_hours": minutes / 60})
    candidates = find_candidates(problem.model_copy(update={"policy": policy}))
    assert candidates.slot_volunteers == []
    needing = {a.id for a in problem.activities if a.volunteers > 0}
    assert not [s for s in candidates.sessions if s.activity in needing]
    assert all(s.escorts == 0 for s in candidates.sessions)
    assert not [s for s in candidates.slots if s.activity in needing]
