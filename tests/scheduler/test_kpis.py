"""KPIs recomputed from a roster: exact figures on hand-made rosters of tiny.json."""

from __future__ import annotations

from typing import Any

from scheduler.domain import KPIs, Problem
from scheduler.kpis import compute_kpis, recheck
from tests.kit.rosters import base, roster, slot, variant, without


def test_kpis_of_the_hand_made_roster(tiny: Problem) -> None:
    """The base roster's KPIs, worked out by hand, are recomputed exactly.

    Entitled: F-001 and F-002 (shell 3) 1 visit + 1 escorted visit + 2
    family-room visits + 7 calls + 1 cooking = 12 each, F-003 (shell 2) 1 + 1
    + 1 + 1 = 4, F-004 (shell 1) 1 visit + 1 escorted visit: 30. Granted: F-001
    visit, escorted visit (V-EX1 and V-HU1 escort A1), family-room visit and
    call, F-002 a call, F-004 the visit and its escort: 7, each the first of
    its kind (420 each), and each father's j-th of the week 1260/j more:
    F-001 1260 + 630 + 420 + 315, F-002 1260, F-004 1260 + 630. F-003 has
    nothing and could have an escorted visit: nothing beyond the legal visit.
    """
    assert compute_kpis(tiny, base()) == KPIs(
        fulfilment=7 / 30,
        fulfilment_by_shell={1: 1.0, 2: 0.0, 3: 5 / 24},
        fulfilment_by_activity={
            "cooking_together": 0.0,
            "escorted_visit": 2 / 4,
            "family_room_visit": 1 / 5,
            "regular_visit": 2 / 4,
            "video_call": 2 / 15,
        },
        entitled=30,
        granted=7,
        entitlement_value=7 * 420 + (1260 + 630 + 420 + 315) + 1260 + (1260 + 630),
        fathers_below_legal_minimum=["F-002", "F-003"],
        volunteer_hours=3.5,
        partner_cap_hours=6.0,
        volunteer_hours_by_volunteer={"V-EX1": 2.5, "V-GN1": 0.0, "V-HU1": 1.0},
        officer_hours_by_officer={"O-01": 2.5, "O-02": 0.0},
        room_utilisation={"VH-BB1": 60 / 180, "VH-BZ": 60 / 480, "VH-FK": 90 / 360, "VH-KK": 0.0},
        fairness_floor=0.0,
        fathers_nothing_beyond_legal=["F-003"],
    )


def test_granted_beyond_the_entitlement_counts_as_the_entitlement(tiny: Problem) -> None:
    """A second call for F-002 in his time-out still counts; a second visit for F-004 does not."""
    extra = [
        slot("A5", "video_call", "wed", "16:00", 30, "VH-BB1", ["F-002"]),
        slot("A6", "regular_visit", "sat", "14:00", 60, "VH-BZ", ["F-004"], session="S-BZ-SAT"),
    ]
    kpis = compute_kpis(tiny, base() + extra)
    assert (kpis.granted, kpis.entitled) == (8, 30)
    assert kpis.fulfilment_by_activity["regular_visit"] == 2 / 4
    assert kpis.fulfilment_by_activity["escorted_visit"] == 2 / 4
    # F-002's second call: 210 for the activity, 630 as his second of the week.
    assert kpis.entitlement_value == compute_kpis(tiny, base()).entitlement_value + 210 + 630


def test_fairness_floor_is_the_lowest_father_ratio(tiny: Problem) -> None:
    """With only F-001 (4 of 12) and F-004 (2 of 2, his visit escorted), the floor is 1/3."""

    def only_two(data: dict[str, Any]) -> None:
        data["fathers"] = [f for f in data["fathers"] if f["id"] in ("F-001", "F-004")]
        data["fathers"][1]["non_associations"] = []
        data["volunteers"] = [v | {"linked_fathers": []} for v in data["volunteers"]]
        data["fathers"][0]["linked_volunteer"] = None

    problem = variant(tiny, only_two)
    kpis = compute_kpis(problem, without(base(), "A3"))
    assert kpis.fairness_floor == 4 / 12
    assert kpis.fulfilment == 6 / 14
    assert kpis.fathers_below_legal_minimum == []


def test_closures_come_off_the_open_minutes(tiny: Problem) -> None:
    """A closure 09:00-11:00 on Saturday takes the hour it overlaps off the family room's 360."""

    def close_saturday_morning(data: dict[str, Any]) -> None:
        data["rooms"][1]["closed"] = [
            {"start": "2027-02-06T09:00:00+01:00", "end": "2027-02-06T11:00:00+01:00"}
        ]

    problem = variant(tiny, close_saturday_morning)
    assert compute_kpis(problem, base()).room_utilisation["VH-FK"] == 90 / 300


def test_empty_roster_grants_nothing(tiny: Problem) -> None:
    """Without assignments nothing is granted and every father is below the legal minimum."""
    kpis = compute_kpis(tiny, [])
    assert (kpis.fulfilment, kpis.granted, kpis.fairness_floor, kpis.volunteer_hours) == (
        0.0,
        0,
        0.0,
        0.0,
    )
    assert kpis.fathers_below_legal_minimum == ["F-001", "F-002", "F-003", "F-004"]
    assert set(kpis.room_utilisation.values()) == {0.0}


def test_week_without_entitlements_is_fully_fulfilled(tiny: Problem) -> None:
    """A week in which nobody is entitled to anything has fulfilment and fairness floor 1."""
    problem = variant(tiny, lambda data: data.update(entitlements={}))
    kpis = compute_kpis(problem, [])
    assert (kpis.fulfilment, kpis.fairness_floor, kpis.entitled) == (1.0, 1.0, 0)
    assert kpis.fulfilment_by_shell == {}


def test_assignment_of_unknown_activity_counts_for_nothing(tiny: Problem) -> None:
    """An assignment naming an unknown activity adds no granted occurrence and no hours."""
    stray = slot("A9", "juggling", "mon", "16:00", 30, "VH-BB1", ["F-002"], ["V-GN1"], ["O-02"])
    assert compute_kpis(tiny, [*base(), stray]) == compute_kpis(tiny, base())


def test_recheck_gives_violations_and_kpis(tiny: Problem) -> None:
    """recheck gives the same violations and KPIs as the two separate checks."""
    broken = base() + [slot("A5", "video_call", "wed", "16:00", 30, "VH-BB1", ["F-004"])]
    found, kpis = recheck(tiny, roster(tiny, broken))
    assert [v.rule for v in found] == ["eligibility"]
    assert kpis == compute_kpis(tiny, broken)
