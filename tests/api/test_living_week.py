"""A living week end to end through the API (docs/design.md section 9, issue "Done when").

The tiny week is published and a booking system's allocation confirmed; on
Wednesday at 10:00 a time-out is recorded for the shell-3 father F-001. What
it breaks is flagged, a repair is proposed and published as version 2, and a
real receiver on the loopback gets every notice, signed, once by delivery id.
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import time
from typing import Any

from scheduler.domain import parse_problem, parse_roster
from scheduler.validate import violations
from tests.kit.receiver import Receiver, receiving
from tests.kit.service import Api, baseline_roster, roomy_tiny_data

WEEK = "2027-W05"
TIME_OUT = {
    "id": "E-TO-F001",
    "type": "time_out",
    "at": "2027-02-03T10:00:00+01:00",
    "father": "F-001",
    "reason": "rule violation on the wing",
}
BROKEN = {
    "F-001-video_call-wed1600",
    "F-001-video_call-fri1600",
    "F-001-family_room_visit-sat1000",
}


def _week() -> dict[str, Any]:
    """Give the tiny week with partner hours to spare (F-001 has a Saturday family-room visit).

    Its own entitlement table: shell 3 has 7 video calls and 2 family-room
    visits, shell 2 one of each. F-001's Monday call and Tuesday visit use
    those up, so his time-out from Wednesday takes his later calls and his
    Saturday visit. F-002, on time-out from Wednesday too, has had no
    family-room visit: shell 2's one is still his for the freed Saturday slot.
    """
    return roomy_tiny_data()


def _open_roster(data: dict[str, Any]) -> dict[str, Any]:
    """Give the baseline roster with F-001 alone in Wednesday's visit session (a seat free)."""
    roster = baseline_roster(data)
    for assignment in roster["assignments"]:
        if assignment["id"] == "S-BZ-WED":
            assignment["fathers"] = ["F-001"]
    return roster


def _subscribe(api: Api, receiver: Receiver) -> None:
    answer = api.client.post(
        "/v1/webhooks",
        json={"institution": "PI-VH", "url": receiver.url, "secret": receiver.secret},
        headers=api.headers("planner"),
    )
    assert answer.status_code == 201, answer.text
    assert "secret" not in answer.json()


def _confirmed_seat(api: Api) -> dict[str, Any]:
    """Give a booking system's confirmed allocation: F-004's seat in Wednesday's visit."""
    answer = api.client.post(
        "/v1/allocations",
        json={
            "institution": "PI-VH",
            "week": WEEK,
            "father": "F-004",
            "activity": "regular_visit",
            "earliest": "2027-02-03T00:00:00+01:00",
            "latest": "2027-02-04T00:00:00+01:00",
        },
        headers=api.headers("system"),
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert body["state"] == "confirmed"
    return body


def _repair(api: Api) -> dict[str, Any]:
    started = api.client.post(
        "/v1/repairs",
        json={"institution": "PI-VH", "week": WEEK, "time_limit": 5, "deterministic": True},
        headers=api.headers("planner"),
    )
    assert started.status_code == 202, started.text
    assert started.json()["since"] == "2027-02-03T09:00:00+00:00"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found: dict[str, Any] = api.client.get(
            f"/v1/repairs/{started.json()['id']}", headers=api.headers("planner")
        ).json()
        if found["state"] not in ("queued", "running"):
            return found
        time.sleep(0.2)
    raise AssertionError("the repair did not finish in 60 s")


def test_a_time_out_is_flagged_repaired_published_and_told(any_api: Api) -> None:
    """The scenario: flags from Wednesday, a repair keeping the rest, v2, signed notices."""
    api = any_api
    data = _week()
    with receiving() as receiver:
        _subscribe(api, receiver)
        roster = _open_roster(data)
        api.publish(data, roster)
        seat = _confirmed_seat(api)
        # The published week's occurrences and the allocation's seat.
        occurrences = sum(len(a["fathers"]) for a in roster["assignments"]) + 1

        recorded = api.client.post("/v1/events", json=TIME_OUT, headers=api.headers("planner"))
        assert recorded.status_code == 201, recorded.text
        answer = recorded.json()
        assert answer["events"][0]["recorded_by"] == "planner"
        assert answer["weeks"] == [{"problem_id": data["id"], "revision": 2}]
        flagged = {item["assignment_id"]: item for item in answer["flagged"]}
        assert set(flagged) == BROKEN
        for item in flagged.values():
            assert item["causes"] == [
                {"event": "E-TO-F001", "type": "time_out", "reason": "time_out"}
            ]
            assert item["rules"] == ["entitlement"]

        repair = _repair(api)
        assert repair["state"] == "done", repair
        difference = repair["difference"]
        dropped = {(d["assignment"], tuple(d["reasons"])) for d in difference["dropped"]}
        assert dropped == {(key, ("time_out",)) for key in BROKEN}
        kept = {(k["father"], k["assignment"]) for k in difference["kept"]}
        assert ("F-001", "F-001-video_call-mon1600") in kept
        assert ("F-001", "F-001-family_room_visit-tue1500") in kept
        assert ("F-004", "S-BZ-WED") in kept  # the confirmed allocation
        assert difference["moved"] == []
        assert difference["summary"]["kept"] == occurrences - len(BROKEN)  # all the others
        new = {(n["father"], n["activity"], n["room"], n["start"]) for n in difference["new"]}
        assert ("F-002", "family_room_visit", "VH-FK", "2027-02-06T10:00:00+01:00") in new
        assert repair["drops_nothing"] is False

        published = api.client.post(
            f"/v1/rosters/{repair['id']}/publish", headers=api.headers("planner")
        )
        assert published.status_code == 200, published.text
        assert published.json()["published"] == [
            {"institution": "PI-VH", "week": WEEK, "version": 2}
        ]
        roster_row = api.client.get(f"/v1/rosters/{repair['id']}", headers=api.headers("planner"))
        problem = api.client.get(f"/v1/problems/{data['id']}", headers=api.headers("planner"))
        facts = parse_problem(problem.json())
        assert violations(facts, parse_roster(roster_row.json()["roster"])) == []

        expected = 1 + len(BROKEN) + len(BROKEN) + len(difference["new"]) + 1 + 1
        got = receiver.wait_for(expected)
        assert all(d.signed for d in got.values())
        kinds = [d.notice for d in got.values()]
        assert kinds.count("allocation.confirmed") == 1
        assert kinds.count("assignment.flagged") == len(BROKEN)
        assert kinds.count("roster.published") == 2
        cancelled = {d.body["data"]["assignment"] for d in receiver.of("assignment.cancelled")}
        assert cancelled == BROKEN
        assert all(
            d.body["data"]["reasons"] == ["time_out"] for d in receiver.of("assignment.cancelled")
        )
        created = {
            (d.body["data"]["father"], d.body["data"]["activity"])
            for d in receiver.of("assignment.created")
        }
        assert ("F-002", "family_room_visit") in created
        assert len(got) == expected
        assert seat["id"]
