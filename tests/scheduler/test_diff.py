"""The difference of two rosters: kept, moved, dropped with reasons, new, and staff swaps."""

from __future__ import annotations

from typing import Any

from scheduler.diff import difference
from scheduler.domain import Assignment


def _a(key: str, start: str, fathers: list[str], **extra: Any) -> Assignment:
    hour = int(start[:2])
    return Assignment.model_validate(
        {
            "id": key,
            "activity": extra.pop("activity", "family_room_visit"),
            "start": f"2027-02-06T{start}:00+01:00",
            "end": f"2027-02-06T{hour + 1:02d}{start[2:]}:00+01:00",
            "room": extra.pop("room", "VH-FK"),
            "fathers": fathers,
            **extra,
        }
    )


def test_the_same_rosters_keep_everything() -> None:
    """A roster against itself keeps every occurrence and changes nothing."""
    roster = [_a("x", "10:00", ["F-001"]), _a("s", "14:00", ["F-002", "F-003"], session="S")]
    found = difference(roster, roster)
    assert found.view()["summary"] == {
        "kept": 3,
        "moved": 0,
        "dropped": 0,
        "new": 0,
        "staff_swaps": 0,
    }
    assert found.changes == 0


def test_an_appointment_at_another_time_is_moved_even_with_a_new_id() -> None:
    """F-001's visit from 10:00 to 11:00 (its id names the time) is one move, not drop and new."""
    found = difference([_a("x-1000", "10:00", ["F-001"])], [_a("x-1100", "11:00", ["F-001"])])
    moved = found.view()["moved"]
    assert [(m["from"]["assignment"], m["to"]["assignment"]) for m in moved] == [
        ("x-1000", "x-1100")
    ]
    assert found.dropped == [] and found.new == []


def test_a_dropped_occurrence_carries_its_reasons_and_a_new_one_is_new() -> None:
    """F-001 loses his visit (time_out) and F-002 gets the slot: one drop, one new."""
    found = difference(
        [_a("x", "10:00", ["F-001"])],
        [_a("y", "10:00", ["F-002"])],
        lambda assignment, father: ["time_out"] if father == "F-001" else [],
    )
    view = found.view()
    assert [(d["father"], d["reasons"]) for d in view["dropped"]] == [("F-001", ["time_out"])]
    assert [(n["father"], n["assignment"]) for n in view["new"]] == [("F-002", "y")]


def test_a_session_losing_one_father_and_seating_another() -> None:
    """A session keeps F-002, drops F-003 and seats F-004, with its staff unchanged."""
    found = difference(
        [_a("s", "14:00", ["F-002", "F-003"], session="S", volunteers=["V-1"])],
        [_a("s", "14:00", ["F-002", "F-004"], session="S", volunteers=["V-1"])],
    )
    assert [o.father for o in found.kept] == ["F-002"]
    assert [o.father for o, _ in found.dropped] == ["F-003"]
    assert [o.father for o in found.new] == ["F-004"]
    assert found.staff_swaps == []


def test_another_volunteer_at_the_same_time_and_place_is_a_staff_swap() -> None:
    """The same visit with V-2 instead of V-1 is kept for the father and listed as a swap."""
    found = difference(
        [_a("x", "10:00", ["F-001"], volunteers=["V-1"], officers=["O-1"])],
        [_a("x", "10:00", ["F-001"], volunteers=["V-2"], officers=["O-1"])],
    )
    assert len(found.kept) == 1
    swap = found.view()["staff_swaps"]
    assert swap == [
        {
            "assignment": "x",
            "activity": "family_room_visit",
            "start": "2027-02-06T10:00:00+01:00",
            "room": "VH-FK",
            "volunteers": {"from": ["V-1"], "to": ["V-2"]},
            "officers": {"from": ["O-1"], "to": ["O-1"]},
        }
    ]
    assert found.changes == 1
