"""Editing a draft roster by hand: ``POST /v1/rosters/{id}/edits`` and the re-solve around pins."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from api.tables import AuditEntry, JobRow
from scheduler.domain import parse_problem, parse_roster
from scheduler.validate import check_assignments
from tests.kit.service import Api, baseline_roster, seed_roster, tiny_data

VISIT = "F-001-family_room_visit-tue1500"


@pytest.fixture
def draft(api: Api) -> str:
    """Give the id of tiny.json's first-come-first-served roster, stored as a draft."""
    data = tiny_data()
    return seed_roster(api.services, data, baseline_roster(data))


def _edit(api: Api, roster_id: str, *edits: dict[str, Any], who: str = "planner") -> Any:
    return api.client.post(
        f"/v1/rosters/{roster_id}/edits", json={"edits": list(edits)}, headers=api.headers(who)
    )


def _roster(api: Api, roster_id: str) -> dict[str, Any]:
    answer = api.client.get(f"/v1/rosters/{roster_id}", headers=api.headers("planner"))
    assert answer.status_code == 200, answer.text
    roster: dict[str, Any] = answer.json()["roster"]
    return roster


def _valid(roster: dict[str, Any]) -> dict[str, Any]:
    """Give the roster after checking it passes the independent validator on tiny.json."""
    assert check_assignments(parse_problem(tiny_data()), parse_roster(roster).assignments) == []
    return roster


def _stored(api: Api) -> tuple[int, int, list[Any]]:
    """Give the number of roster jobs, of edit audit entries, and every stored result."""
    with api.services.database.read() as session:
        jobs = int(session.scalar(select(func.count()).select_from(JobRow)) or 0)
        edits = select(func.count()).select_from(AuditEntry)
        audited = int(session.scalar(edits.where(AuditEntry.action == "roster.edit")) or 0)
        results = [row.result for row in session.scalars(select(JobRow).order_by(JobRow.id))]
    return jobs, audited, results


def _at(roster: dict[str, Any], assignment_id: str) -> dict[str, Any]:
    return next(a for a in roster["assignments"] if a["id"] == assignment_id)


def _later(moment: str, minutes: int) -> str:
    return (datetime.fromisoformat(moment) + timedelta(minutes=minutes)).isoformat()


def test_a_move_makes_a_new_audited_draft_and_leaves_the_source_as_it_was(
    api: Api, draft: str
) -> None:
    """A valid move answers 201 with the next draft, checked by the validator and audited."""
    source = _roster(api, draft)
    start = _at(source, VISIT)["start"]
    answer = _edit(api, draft, {"op": "move", "assignment": VISIT, "start": _later(start, 60)})
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert (found["previous"], found["version"], found["valid"]) == (draft, 2, True)
    edited = _valid(_roster(api, found["roster"]))
    moved = [a for a in edited["assignments"] if a["id"] in found["changed"]]
    assert [a["fathers"] for a in moved] == [["F-001"]]
    assert datetime.fromisoformat(moved[0]["start"]) == datetime.fromisoformat(_later(start, 60))
    assert VISIT not in {a["id"] for a in edited["assignments"]}
    assert _roster(api, draft) == source
    entries = api.client.get("/v1/audit", headers=api.headers("planner")).json()
    entry = next(e for e in entries if e["action"] == "roster.edit")
    assert (entry["object_id"], entry["key_name"]) == (found["roster"], "planner")
    assert draft in entry["detail"]


def test_a_move_that_breaks_a_rule_is_refused_with_reasons_and_nearest_places(
    api: Api, draft: str
) -> None:
    """A move into closed hours is 409 with its reasons and places that fit; nothing is stored."""
    before = _stored(api)
    start = _at(_roster(api, draft), VISIT)["start"]
    answer = _edit(api, draft, {"op": "move", "assignment": VISIT, "start": _later(start, 120)})
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["reasons"] and body["errors"][0].startswith("edits[0]")
    assert body["alternatives"]
    source = _roster(api, draft)
    for offer in body["alternatives"]:
        assert offer["fathers"] == ["F-001"]
        others = [a for a in source["assignments"] if a["id"] != VISIT]
        _valid({**source, "assignments": [*others, offer]})
    assert _stored(api) == before


def test_a_swap_of_two_calls_is_kept_and_a_swap_over_an_entitlement_is_refused(
    api: Api, draft: str
) -> None:
    """Two fathers' video calls change places; a swap giving one father a second visit is 409."""
    first, second = "F-001-video_call-mon1600", "F-002-video_call-mon1630"
    answer = _edit(api, draft, {"op": "swap", "assignment": first, "other": second})
    assert answer.status_code == 201, answer.text
    edited = _valid(_roster(api, answer.json()["roster"]))
    assert (_at(edited, first)["fathers"], _at(edited, second)["fathers"]) == (["F-002"], ["F-001"])
    before = _stored(api)
    refused = _edit(
        api, draft, {"op": "swap", "assignment": "S-BZ-WED", "other": "S-BZ-SAT", "father": "F-002"}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["reasons"]
    assert _stored(api) == before


def test_delete_a_call_and_a_father_from_a_session_then_add_the_call_back(
    api: Api, draft: str
) -> None:
    """Deleting an appointment or one father of a session, and adding one back, are drafts."""
    call = "F-001-video_call-fri1600"
    source = _roster(api, draft)
    answer = _edit(
        api,
        draft,
        {"op": "delete", "assignment": call},
        {"op": "delete", "assignment": "S-BZ-WED", "father": "F-002"},
    )
    assert answer.status_code == 201, answer.text
    deleted = _valid(_roster(api, answer.json()["roster"]))
    assert call not in {a["id"] for a in deleted["assignments"]}
    assert _at(deleted, "S-BZ-WED")["fathers"] == ["F-001"]
    added = _edit(
        api,
        answer.json()["roster"],
        {
            "op": "add",
            "father": "F-001",
            "activity": "video_call",
            "start": _at(source, call)["start"],
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["version"] == 3
    again = _valid(_roster(api, added.json()["roster"]))
    assert len(again["assignments"]) == len(deleted["assignments"]) + 1


def test_an_add_where_nothing_fits_is_refused_and_stores_nothing(api: Api, draft: str) -> None:
    """Adding a family-room visit at night is 409 naming the closed room among its reasons."""
    before = _stored(api)
    answer = _edit(
        api,
        draft,
        {
            "op": "add",
            "father": "F-002",
            "activity": "family_room_visit",
            "start": "2027-02-02T03:00:00+01:00",
        },
    )
    assert answer.status_code == 409, answer.text
    assert "room_closed" in answer.json()["reasons"]
    assert _stored(api) == before


def test_pin_and_unpin_mark_the_appointment_in_each_new_draft(api: Api, draft: str) -> None:
    """Pinning marks the appointment pinned in the new draft; unpinning that draft clears it."""
    pinned = _edit(api, draft, {"op": "pin", "assignment": VISIT})
    assert pinned.status_code == 201, pinned.text
    assert _at(_valid(_roster(api, pinned.json()["roster"])), VISIT)["pinned"] is True
    unpinned = _edit(api, pinned.json()["roster"], {"op": "unpin", "assignment": VISIT})
    assert unpinned.status_code == 201, unpinned.text
    assert _at(_roster(api, unpinned.json()["roster"]), VISIT)["pinned"] is False


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            {"op": "move", "assignment": "no-such-1", "start": "2027-02-02T16:00:00+01:00"},
            "edits[0].assignment",
        ),
        ({"op": "teleport", "assignment": VISIT}, "body.edits[0].op"),
        ({"op": "add", "father": "F-001"}, "edits[0].activity"),
        ({"op": "move", "assignment": VISIT}, "edits[0]"),
        ({"op": "delete", "assignment": "S-BZ-WED", "father": "F-004"}, "edits[0].father"),
        ({"op": "pin", "assignment": VISIT, "colour": "red"}, "body.edits[0].colour"),
    ],
)
def test_bad_edits_are_422_naming_the_field_and_store_nothing(
    api: Api, draft: str, edit: dict[str, Any], field: str
) -> None:
    """An edit naming what the roster has not, or a field the contract has not, is 422."""
    before = _stored(api)
    answer = _edit(api, draft, edit)
    assert answer.status_code == 422, answer.text
    assert any(line.startswith(field) for line in answer.json()["errors"]), answer.json()
    assert _stored(api) == before


def test_only_a_planner_edits_and_only_an_unpublished_draft(api: Api, draft: str) -> None:
    """A viewer is refused (403), another institution too, and a published roster is 409."""
    pin = {"op": "pin", "assignment": VISIT}
    assert _edit(api, draft, pin, who="viewer").status_code == 403
    assert _edit(api, draft, pin, who="leeuwarden").status_code == 403
    published = api.publish(tiny_data(), baseline_roster(tiny_data()))
    before = _stored(api)
    answer = _edit(api, published, pin)
    assert answer.status_code == 409 and "published" in answer.json()["detail"]
    assert _stored(api) == before


def _wait(api: Api, roster_id: str, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, Any] = api.client.get(
            f"/v1/rosters/{roster_id}", headers=api.headers("planner")
        ).json()
        if body["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


@pytest.mark.slow
def test_a_resolve_around_the_pins_keeps_the_moved_and_pinned_appointment_exactly(
    api: Api, draft: str
) -> None:
    """A re-solve with keep_pins keeps the edited, pinned appointment as it was pinned."""
    start = _at(_roster(api, draft), VISIT)["start"]
    moved = _edit(api, draft, {"op": "move", "assignment": VISIT, "start": _later(start, 60)})
    assert moved.status_code == 201, moved.text
    new_id = moved.json()["changed"][0]
    pinned = _edit(api, moved.json()["roster"], {"op": "pin", "assignment": new_id})
    edited_id = pinned.json()["roster"]
    held = _at(_roster(api, edited_id), new_id)
    started = api.client.post(
        "/v1/rosters",
        json={
            "problem_id": "tiny-2027-W05",
            "previous": edited_id,
            "keep_pins": True,
            "deterministic": True,
        },
        headers=api.headers("planner"),
    )
    assert started.status_code == 202, started.text
    assert started.json()["options"]["kept_pins"] == [new_id]
    assert started.json()["options"]["draft"] == 4
    done = _wait(api, started.json()["id"])
    assert done["state"] == "done", done
    kept = _at(_valid(done["roster"]), new_id)
    for name in ("activity", "start", "end", "room", "fathers", "volunteers", "officers"):
        assert kept[name] == held[name], name


def test_a_resolve_around_a_pin_the_week_no_longer_holds_is_409_naming_the_pin(
    api: Api, draft: str
) -> None:
    """After the family room leaves the week, re-solving around its pinned visit is 409."""
    pinned = _edit(api, draft, {"op": "pin", "assignment": VISIT})
    assert pinned.status_code == 201, pinned.text
    data = tiny_data()
    data["rooms"] = [r for r in data["rooms"] if r["id"] != "VH-FK"]
    changed = api.client.put(
        "/v1/problems/tiny-2027-W05", json=data, headers=api.headers("planner")
    )
    assert changed.status_code == 200, changed.text
    answer = api.client.post(
        "/v1/rosters",
        json={
            "problem_id": "tiny-2027-W05",
            "previous": pinned.json()["roster"],
            "keep_pins": True,
        },
        headers=api.headers("planner"),
    )
    assert answer.status_code == 409, answer.text
    assert f"pinned appointment '{VISIT}'" in answer.json()["detail"]


def test_an_edit_and_a_refusal_store_alike_on_sqlite_and_postgresql(any_api: Api) -> None:
    """On either database an accepted edit stores one draft and a refused one stores nothing."""
    data = tiny_data()
    roster_id = seed_roster(any_api.services, data, baseline_roster(data))
    before = _stored(any_api)
    refused = _edit(any_api, roster_id, {"op": "swap", "assignment": VISIT, "other": "S-BZ-SAT"})
    assert refused.status_code == 409, refused.text
    assert _stored(any_api) == before
    kept = _edit(any_api, roster_id, {"op": "pin", "assignment": VISIT})
    assert kept.status_code == 201, kept.text
    jobs, audited, _ = _stored(any_api)
    assert (jobs, audited) == (before[0] + 1, before[1] + 1)
    _valid(_roster(any_api, kept.json()["roster"]))
