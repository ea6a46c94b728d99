"""A re-publish never double-books a confirmed allocation (docs/design.md section 6, last point).

A later solve of a published week keeps every live allocation as a pinned
assignment, and publishing refuses (409) a roster that conflicts with one,
naming it. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import time
from typing import Any

from api.published import load_week
from api.tables import Allocation, utcnow
from scheduler.domain import Assignment, parse_problem
from scheduler.validate import check_assignments
from tests.kit.service import Api, baseline_roster, roomy_tiny_data, seed_roster

WEEK = "2027-W05"
# F-001's Saturday family room visit is left open for an allocation; F-004 is not in a session.
OPENED = "F-001-family_room_visit-sat1000"


def _open_roster(data: dict[str, Any]) -> dict[str, Any]:
    """Give the baseline roster less F-001's Saturday family room visit, F-001 alone Wednesday."""
    roster = baseline_roster(data)
    kept = []
    for assignment in roster["assignments"]:
        if assignment["id"] == OPENED:
            continue
        if assignment["id"] == "S-BZ-WED":
            assignment["fathers"] = ["F-001"]
        kept.append(assignment)
    roster["assignments"] = kept
    return roster


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
    api.publish(data, _open_roster(data))
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
        json={"problem_id": problem_id, "time_limit": 2, "workers": 1, "deterministic": True},
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
    roster = _open_roster(data)
    roster["assignments"].append(clash.model_dump(mode="json"))
    roster_id = seed_roster(any_api.services, data, roster)
    refused = any_api.client.post(
        f"/v1/rosters/{roster_id}/publish", headers=any_api.headers("planner")
    )
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
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
    roster = _open_roster(data)
    session = next(a for a in roster["assignments"] if a["id"] == "S-BZ-WED")
    session["fathers"] = ["F-001", "F-002"]
    roster["assignments"] = [
        a for a in roster["assignments"] if "F-002" not in a["fathers"] or a is session
    ]
    problem = parse_problem(data)
    ours = [Assignment.model_validate(a) for a in roster["assignments"]]
    assert check_assignments(problem, ours) == []
    roster_id = seed_roster(any_api.services, data, roster)
    refused = any_api.client.post(
        f"/v1/rosters/{roster_id}/publish", headers=any_api.headers("planner")
    )
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert f"conflicts with confirmed allocation '{seat['id']}'" in detail
    assert "session S-BZ-WED seats 3 fathers (capacity 2)" in detail


def test_publish_of_a_roster_that_holds_the_allocations_is_accepted(any_api: Api) -> None:
    """A hand-made roster that already holds both allocations publishes with nothing doubled."""
    data, allocations = _two_allocations(any_api)
    roster = _open_roster(data)
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
