"""Allocations against several service processes on one database: one winner, no stale copy."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from tests.kit.server import Server, burst, free_port, seed, serving, stored_week
from tests.kit.service import empty_roster, one_slot_data

pytestmark = pytest.mark.slow
RACERS = 1000
KEYS = {"planner": ("planner", ["PI-VH"]), "system": ("system", ["PI-VH"])}
WEEK = "2027-W05"


def _visit(father: str) -> dict[str, Any]:
    return {
        "institution": "PI-VH",
        "week": WEEK,
        "father": father,
        "activity": "family_room_visit",
        "earliest": "2027-02-06T08:00:00+01:00",
        "latest": "2027-02-06T21:00:00+01:00",
    }


def _publish(server: Server, roster_id: str, secrets: dict[str, str]) -> None:
    published = httpx.post(
        f"{server.base}/v1/rosters/{roster_id}/publish", headers={"X-API-Key": secrets["planner"]}
    )
    assert published.status_code == 200, published.text


def test_a_thousand_racers_against_two_workers_get_exactly_one_201(database_url: str) -> None:
    """1,000 parallel requests for the last slot, spread over 2 worker processes: one 201."""
    data = one_slot_data(RACERS)
    secrets, roster_id = seed(database_url, data, empty_roster(data), KEYS)
    with serving(database_url, free_port(), workers=2) as server:
        _publish(server, roster_id, secrets)
        bodies = [_visit(f"F-{n:03d}") for n in range(1, RACERS + 1)]
        answers = burst(
            server.base, [("POST", "/v1/allocations", b, secrets["system"]) for b in bodies]
        )
    assert Counter(a.status_code for a in answers) == {201: 1, 409: RACERS - 1}
    refusals = [a.json() for a in answers if a.status_code == 409]
    # Each refusal names why: the room is full (or, had two slipped past, the conflict).
    assert all(r["reasons"] and r["detail"] for r in refusals)
    assert Counter("capacity:family_room" in r["reasons"] for r in refusals)[True] > 0
    winner = next(a.json() for a in answers if a.status_code == 201)
    week = stored_week(database_url, "PI-VH", WEEK)
    assert [(a.id, a.state) for a in week.allocations] == [(winner["id"], "confirmed")]


def test_a_process_whose_copy_another_process_made_stale_does_not_double_book(
    database_url: str,
) -> None:
    """Process A holds the week in memory; B books the slot; A refuses it, then sees B's cancel."""
    data = one_slot_data(3)
    secrets, roster_id = seed(database_url, data, empty_roster(data), KEYS)
    system = {"X-API-Key": secrets["system"]}
    with (
        serving(database_url, free_port()) as first,
        serving(database_url, free_port()) as second,
    ):
        _publish(first, roster_id, secrets)
        warmed = httpx.post(f"{first.base}/v1/allocations", json=_visit("F-001"), headers=system)
        assert warmed.status_code == 201, warmed.text
        freed = httpx.delete(f"{first.base}/v1/allocations/{warmed.json()['id']}", headers=system)
        assert freed.status_code == 200
        taken = httpx.post(f"{second.base}/v1/allocations", json=_visit("F-002"), headers=system)
        assert taken.status_code == 201, taken.text
        late = httpx.post(f"{first.base}/v1/allocations", json=_visit("F-003"), headers=system)
        assert late.status_code == 409, late.text
        assert "capacity:family_room" in late.json()["reasons"]
        week = stored_week(database_url, "PI-VH", WEEK)
        assert [a.father for a in week.allocations] == ["F-002"]
        cancelled = httpx.delete(
            f"{second.base}/v1/allocations/{taken.json()['id']}", headers=system
        )
        assert cancelled.status_code == 200
        again = httpx.post(f"{first.base}/v1/allocations", json=_visit("F-003"), headers=system)
        assert again.status_code == 201, again.text
    week = stored_week(database_url, "PI-VH", WEEK)
    assert [a.father for a in week.allocations] == ["F-003"]
