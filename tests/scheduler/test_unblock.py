"""The decisive reason of a shortfall, with its numbers, and the changes that undo it."""

from __future__ import annotations

from scheduler import reasons
from scheduler.domain import Problem, Roster
from scheduler.kpis import compute_kpis
from scheduler.objective import granted_counts
from scheduler.occupancy import Occupancy
from scheduler.placement import blockers
from scheduler.unblock import (
    GIVE_WAY,
    PARTNER_CAP_HOURS,
    decisive_reason,
    tried_times,
    unblocking,
)
from scheduler.validate import violations
from solver.baseline import first_come_first_served


def _roster(tiny: Problem) -> Roster:
    roster = first_come_first_served(tiny)
    assert violations(tiny, roster) == []
    return roster


def test_the_partner_cap_decides_when_it_blocks_every_time_with_its_hours(tiny: Problem) -> None:
    """F-002's family room visit: the cap blocks all 14 times; 5,5 of 6 hours used, 1,5 needed."""
    roster = _roster(tiny)
    occupancy = Occupancy(tiny, roster.assignments)
    tried = tried_times(tiny, occupancy, "F-002", "family_room_visit")
    decisive = decisive_reason(tiny, occupancy, "family_room_visit", tried, [])
    assert decisive is not None
    assert (decisive.reason, decisive.blocked, decisive.candidates) == (reasons.PARTNER_CAP, 14, 14)
    assert decisive.figures == {"used_hours": 5.5, "cap_hours": 6.0, "needed_hours": 1.5}


def test_a_reason_of_the_father_himself_decides_and_nothing_unblocks_it(tiny: Problem) -> None:
    """F-003 has no consent: that blocks every time, and no change of others or capacity helps."""
    roster = _roster(tiny)
    occupancy = Occupancy(tiny, roster.assignments)
    tried = tried_times(tiny, occupancy, "F-003", "family_room_visit")
    decisive = decisive_reason(tiny, occupancy, "family_room_visit", tried, [])
    assert decisive is not None and decisive.reason == reasons.NO_CONSENT
    assert unblocking(tiny, roster.assignments, "F-003", "family_room_visit", tried) == []


def test_giving_way_and_more_cap_each_let_the_visit_in_and_the_roster_stays_valid(
    tiny: Problem,
) -> None:
    """F-001 giving way his Tuesday visit, or 1,5 more cap hours, each places F-002's visit."""
    roster = _roster(tiny)
    occupancy = Occupancy(tiny, roster.assignments)
    tried = tried_times(tiny, occupancy, "F-002", "family_room_visit")
    found = unblocking(tiny, roster.assignments, "F-002", "family_room_visit", tried)
    assert [(u.change, tiny.clock.moment(u.start).isoformat()) for u in found] == [
        (GIVE_WAY, "2027-02-02T15:00:00+01:00"),
        (PARTNER_CAP_HOURS, "2027-02-06T10:00:00+01:00"),
    ]
    given = found[0].figures
    assert given == {
        "father": "F-001",
        "assignment": "F-001-family_room_visit-tue1500",
        "activity": "family_room_visit",
        "nth": 1,
    }
    assert found[1].figures == {"hours": 1.5}
    occupancy.remove(str(given["assignment"]))
    placed, why = blockers(tiny, occupancy, "F-002", "family_room_visit", found[0].start, None)
    assert why == [] and placed is not None
    changed = [a for a in roster.assignments if a.id != given["assignment"]] + [placed]
    after = roster.model_copy(update={"assignments": changed, "kpis": compute_kpis(tiny, changed)})
    assert violations(tiny, after) == []


def test_the_escorted_visit_is_explained_as_a_seat_with_its_escorts(tiny: Problem) -> None:
    """Seed 1: F-002's Saturday seat lacks escorts for the cap; 2 more hours give him both, valid.

    F-001 asks before him and spends 5 of the 6 partner hours; the two escorts
    of the Saturday hour need 2. Wednesday's session is full.
    """
    roster = first_come_first_served(tiny, seed=1)
    occupancy = Occupancy(tiny, roster.assignments)
    tried = tried_times(tiny, occupancy, "F-002", "escorted_visit")
    assert [(t.session, t.reasons) for t in tried] == [
        ("S-BZ-WED", ("capacity:visit_hall", "entitlement_used")),
        ("S-BZ-SAT", ("partner_cap",)),
    ]
    decisive = decisive_reason(tiny, occupancy, "escorted_visit", tried, [])
    assert decisive is not None and decisive.reason == reasons.PARTNER_CAP
    assert decisive.figures == {"used_hours": 5.0, "cap_hours": 6.0, "needed_hours": 2.0}
    found = unblocking(tiny, roster.assignments, "F-002", "escorted_visit", tried)
    assert [(u.change, u.session, u.figures) for u in found] == [
        (PARTNER_CAP_HOURS, "S-BZ-SAT", {"hours": 2.0})
    ]
    policy = tiny.policy.model_copy(update={"partner_cap_hours": 8.0})
    wider = tiny.model_copy(update={"policy": policy})
    seat, why = blockers(wider, Occupancy(wider, roster.assignments), "F-002", "escorted_visit",
                         found[0].start, "S-BZ-SAT")  # fmt: skip
    assert why == [] and seat is not None
    # The session's escorts serve every father in it: his seat is the session with them added.
    start = found[0].start
    visit = tiny.activity_by_id["regular_visit"]
    occupancy = Occupancy(wider, roster.assignments)
    _, fit = occupancy.free_escorts(visit, "PI-VH", start, start + visit.minutes, [])
    escorted = seat.model_copy(update={"volunteers": [v.id for v in fit[: visit.escorts]]})
    changed = [escorted if a.id == seat.id else a for a in roster.assignments]
    assert violations(wider, roster.model_copy(update={"assignments": changed})) == []
    assert granted_counts(wider, changed)["F-002", "escorted_visit"] == 1
