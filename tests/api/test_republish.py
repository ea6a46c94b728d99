"""A re-publish never double-books a confirmed allocation (docs/design.md section 6, last point).

A later solve of a published week keeps every live allocation as a pinned
assignment, and publishing refuses (409) a roster that conflicts with one,
naming it. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import time
from typing import Any

from api.published import load_week
from api.rosters import allocation_pins
from api.tables import Allocation, utcnow
from scheduler.domain import Assignment, parse_problem
from scheduler.validate import check_assignments
from tests.kit.service import Api, open_roster, roomy_tiny_data, seed_roster

WEEK = "2027-W05"


def _allocate(api: Api, father: str, activity: str, earliest: str, latest: str) -> dict[str, Any]:
    request = {
        "institution": "PI-VH",
        "week": WEEK,
        "father": father,
        "activity": activity,
        "earliest": earliest,
        "latest": latest,
    }
    answer = api.client.post("/v1/allocations", json=request, headers=api.headers("system"))
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _two_allocations(api: Api) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Give the week, published, and two confirmed allocations: a family room visit, a session."""
    data = roomy_tiny_data()
    api.publish(data, open_roster(data))
    visit = _allocate(
        api, "F-001", "family_room_visit", "2027-02-06T10:00:00+01:00", "2027-02-06T13:00:00+01:00"
    )
    seat = _allocate(
        api, "F-004", "regular_visit", "2027-02-03T00:00:00+01:00", "2027-02-04T00:00:00+01:00"
    )
    return data, [visit, seat]


def _taken(api: Api) -> list[Assignment]:
    with api.services.database.read() as session:
        week = load_week(session, api.services.parsed, "PI-VH", WEEK, utcnow())
        assert week is not None
        return week.taken()


def _solve(api: Api, problem_id: str) -> dict[str, Any]:
    started = api.client.post(
        "/v1/rosters",
        json={"problem_id": problem_id, "time_limit": 1, "workers": 1, "deterministic": True},
        headers=api.headers("planner"),
    )
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = api.client.get(
            f"/v1/rosters/{started.json()['id']}", headers=api.headers("planner")
        ).json()
        if body["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def _refused(api: Api, data: dict[str, Any], roster: dict[str, Any]) -> str:
    """Give the refusal's text of publishing a roster that breaks no rule on its own."""
    own = [Assignment.model_validate(a) for a in roster["assignments"]]
    assert check_assignments(parse_problem(data), own) == []
    roster_id = seed_roster(api.services, data, roster)
    refused = api.client.post(f"/v1/rosters/{roster_id}/publish", headers=api.headers("planner"))
    assert refused.status_code == 409, refused.text
    detail: str = refused.json()["detail"]
    return detail


def _stands(allocation: dict[str, Any], taken: list[Assignment]) -> bool:
    """Tell whether the allocation's father is placed exactly as it was allocated."""
    made = Assignment.model_validate(allocation["assignment"])
    found = next((a for a in taken if a.id == made.id), None)
    if found is None or allocation["father"] not in found.fathers:
        return False
    fields = ("activity", "start", "end", "room", "session")
    if made.session is not None:
        return all(getattr(found, name) == getattr(made, name) for name in fields)
    return found.model_copy(update={"pinned": False}) == made


def test_a_resolve_keeps_every_confirmed_allocation_and_publishes(any_api: Api) -> None:
    """Re-solved and published, the week still holds each confirmed allocation exactly."""
    data, allocations = _two_allocations(any_api)
    done = _solve(any_api, data["id"])
    assert done["state"] == "done", done
    pinned = [a for a in done["roster"]["assignments"] if a["pinned"]]
    assert sorted(a["id"] for a in pinned) == sorted(a["assignment"]["id"] for a in allocations)
    published = any_api.client.post(
        f"/v1/rosters/{done['id']}/publish", headers=any_api.headers("planner")
    )
    assert published.status_code == 200, published.text
    assert published.json()["published"] == [{"institution": "PI-VH", "week": WEEK, "version": 2}]
    taken = _taken(any_api)
    assert check_assignments(parse_problem(data), taken) == []
    assert [_stands(a, taken) for a in allocations] == [True, True]
    for allocation in allocations:
        read = any_api.client.get(
            f"/v1/allocations/{allocation['id']}", headers=any_api.headers("system")
        )
        assert read.json()["state"] == "confirmed"
    again = _solve(any_api, data["id"])
    assert again["state"] == "done", again
    assert (
        any_api.client.post(
            f"/v1/rosters/{again['id']}/publish", headers=any_api.headers("planner")
        ).status_code
        == 200
    )
    taken = _taken(any_api)
    assert check_assignments(parse_problem(data), taken) == []
    assert [_stands(a, taken) for a in allocations] == [True, True]


def test_publish_refuses_a_roster_on_an_allocated_room_and_time(any_api: Api) -> None:
    """A roster with another visit in the allocated family room at its time is 409 naming it."""
    data, (visit, _) = _two_allocations(any_api)
    clash = Assignment.model_validate(visit["assignment"]).model_copy(
        update={"id": "clash", "fathers": ["F-002"], "volunteers": ["V-HU1"]}
    )
    roster = open_roster(data)
    roster["assignments"].append(clash.model_dump(mode="json"))
    detail = _refused(any_api, data, roster)
    assert f"conflicts with confirmed allocation '{visit['id']}'" in detail
    assert "room VH-FK holds 2 families" in detail
    assert [_stands(visit, _taken(any_api))] == [True]
    with any_api.services.database.read() as session:
        assert {a.state for a in session.query(Allocation).all()} == {"confirmed"}
    versions = any_api.client.get(
        f"/v1/publications/PI-VH/{WEEK}", headers=any_api.headers("planner")
    ).json()["versions"]
    assert len(versions) == 1


def test_publish_refuses_a_roster_that_fills_an_allocated_seat(any_api: Api) -> None:
    """A roster seating two other fathers in the session an allocation joined is 409 naming it."""
    data, (_, seat) = _two_allocations(any_api)
    roster = open_roster(data)
    session = next(a for a in roster["assignments"] if a["id"] == "S-BZ-WED")
    session["fathers"] = ["F-001", "F-002"]
    roster["assignments"] = [
        a for a in roster["assignments"] if "F-002" not in a["fathers"] or a is session
    ]
    detail = _refused(any_api, data, roster)
    assert f"conflicts with confirmed allocation '{seat['id']}'" in detail
    assert "session S-BZ-WED seats 3 fathers (capacity 2)" in detail


def test_publish_of_a_roster_that_holds_the_allocations_is_accepted(any_api: Api) -> None:
    """A hand-made roster that already holds both allocations publishes with nothing doubled."""
    data, allocations = _two_allocations(any_api)
    roster = open_roster(data)
    visit, seat = (Assignment.model_validate(a["assignment"]) for a in allocations)
    roster["assignments"] = [a for a in roster["assignments"] if a["id"] != seat.id]
    roster["assignments"] += [visit.model_dump(mode="json"), seat.model_dump(mode="json")]
    roster_id = seed_roster(any_api.services, data, roster)
    published = any_api.client.post(
        f"/v1/rosters/{roster_id}/publish", headers=any_api.headers("planner")
    )
    assert published.status_code == 200, published.text
    taken = _taken(any_api)
    assert check_assignments(parse_problem(data), taken) == []
    assert next(a for a in taken if a.id == seat.id).fathers == ["F-001", "F-004"]
    assert [_stands(a, taken) for a in allocations] == [True, True]


def test_a_hold_is_not_pinned_but_a_roster_on_it_is_refused(any_api: Api) -> None:
    """A live hold is no promise to pin, yet a roster on its slot is refused naming the hold."""
    data = roomy_tiny_data()
    api = any_api
    api.publish(data, open_roster(data))
    request = {
        "institution": "PI-VH",
        "week": WEEK,
        "father": "F-001",
        "activity": "family_room_visit",
        "earliest": "2027-02-06T10:00:00+01:00",
        "latest": "2027-02-06T13:00:00+01:00",
        "hold": True,
    }
    hold = api.client.post("/v1/allocations", json=request, headers=api.headers("system")).json()
    with api.services.database.read() as session:
        pins = allocation_pins(session, api.services.parsed, parse_problem(data), utcnow())
    assert pins == []
    clash = Assignment.model_validate(hold["assignment"]).model_copy(
        update={"id": "clash", "fathers": ["F-002"], "volunteers": ["V-HU1"]}
    )
    roster = open_roster(data)
    roster["assignments"].append(clash.model_dump(mode="json"))
    assert f"conflicts with held allocation '{hold['id']}'" in _refused(api, data, roster)


def test_a_solve_is_refused_when_a_confirmed_allocation_no_longer_fits(any_api: Api) -> None:
    """A week re-uploaded without the allocated room cannot be solved: 409 naming the allocation."""
    data, (visit, _) = _two_allocations(any_api)
    data["rooms"] = [r for r in data["rooms"] if r["id"] != "VH-FK"]
    again = any_api.client.put(
        f"/v1/problems/{data['id']}", json=data, headers=any_api.headers("planner")
    )
    assert again.status_code == 200, again.text
    refused = any_api.client.post(
        "/v1/rosters", json={"problem_id": data["id"]}, headers=any_api.headers("planner")
    )
    assert refused.status_code == 409, refused.text
    assert (
        f"confirmed allocation of '{visit['assignment']['id']}'.room: unknown room 'VH-FK'"
        in refused.json()["detail"]
    )
