"""A solve within its time limit, and a repair's model from its moment on."""

from __future__ import annotations

from scheduler.domain import Problem
from scheduler.validate import violations
from solver.model import RosterModel
from solver.solve import SolveOptions, solve


def test_a_solve_with_a_tiny_limit_still_gives_a_valid_roster(tiny: Problem) -> None:
    """With 0.1 s for build, warm start and searches, tiny's roster is valid and not infeasible."""
    roster = solve(tiny, SolveOptions(time_limit=0.1, workers=1))
    assert roster.status in ("optimal", "feasible")
    assert roster.assignments
    assert violations(tiny, roster) == []


def test_a_repair_keeps_every_pin_and_adds_nothing_before_its_moment(tiny: Problem) -> None:
    """Pinned before the moment, tiny's repair keeps each pin and places nothing new before it."""
    full = solve(tiny, SolveOptions(time_limit=5, workers=1, deterministic=True))
    starts = sorted({a.start for a in full.assignments})
    since = starts[len(starts) // 2]
    past = [a.model_copy(update={"pinned": True}) for a in full.assignments if a.start < since]
    repaired = tiny.model_copy(update={"pinned": past})
    roster = solve(
        repaired, SolveOptions(time_limit=5, workers=1, deterministic=True), full, since=since
    )
    assert violations(repaired, roster) == []
    before = sorted(a.id for a in roster.assignments if a.start < since)
    assert before == sorted(a.id for a in past)
    assert all(a in roster.assignments for a in past)


def test_a_repair_model_holds_no_decision_before_its_moment(tiny: Problem) -> None:
    """From tiny's last start on, the model has fewer slots, each starting at or after it."""
    whole = RosterModel(tiny)
    last = max(slot.start for slot in whole.candidates.slots)
    later = RosterModel(tiny, since=tiny.clock.moment(last))
    assert later.candidates.slots
    assert len(later.candidates.slots) < len(whole.candidates.slots)
    assert all(slot.start >= last for slot in later.candidates.slots)
    assert all(s.start >= last for s in later.candidates.sessions)
