"""Slot allocation for other systems: docs/design.md section 6 through ``/v1/allocations``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from api.bookings import bump
from api.published import load_week
from api.tables import Allocation, AuditEntry, Claim, IdempotentAnswer, utcnow
from scheduler.domain import Assignment, parse_problem
from scheduler.validate import check_assignments
from tests.kit.service import (
    Api,
    empty_roster,
    one_slot_data,
    open_roster,
    roomy_tiny_data,
)

SAT_MORNING = {"earliest": "2027-02-06T10:00:00+01:00", "latest": "2027-02-06T13:00:00+01:00"}


def _request(father: str = "F-001", **changes: Any) -> dict[str, Any]:
    return {
        "institution": "PI-VH",
        "week": "2027-W05",
        "father": father,
        "activity": "family_room_visit",
        **SAT_MORNING,
        **changes,
    }


def _count(api: Api, model: type) -> int:
    with api.services.database.read() as session:
        return len(session.query(model).all())


def _taken(api: Api) -> list[Assignment]:
    with api.services.database.read() as session:
        week = load_week(session, api.services.parsed, "PI-VH", "2027-W05", utcnow())
        assert week is not None
        return week.taken()


def test_allocation_places_one_occurrence_without_moving_published_ones(api: Api) -> None:
    """A free slot gives 201 with the assignment; every published assignment stays as it was."""
    data = roomy_tiny_data()
    roster = open_roster(data)
    api.publish(data, roster)
    answer = api.client.post("/v1/allocations", json=_request(), headers=api.headers("system"))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["state"] == "confirmed"
    assignment = Assignment.model_validate(body["assignment"])
    assert assignment.fathers == ["F-001"] and assignment.room == "VH-FK"
    assert assignment.start.isoformat() >= SAT_MORNING["earliest"]
    taken = _taken(api)
    published = [Assignment.model_validate(a) for a in roster["assignments"]]
    assert [a for a in taken if a.id != assignment.id] == published
    assert check_assignments(parse_problem(data), taken) == []


def test_refusal_gives_every_reason_and_alternatives_that_fit_now(api: Api) -> None:
    """A full window gives 409, the reasons and up to three alternatives that each pass checks."""
    data = one_slot_data(fathers=3)
    data["rooms"][0]["open"].append({"day": "sat", "start": "14:00", "end": "17:00"})
    api.publish(data, empty_roster(data))
    window = {"earliest": "2027-02-06T10:00:00+01:00", "latest": "2027-02-06T11:30:00+01:00"}
    first = api.client.post(
        "/v1/allocations", json=_request(**window), headers=api.headers("system")
    )
    assert first.status_code == 201
    refused = api.client.post(
        "/v1/allocations", json=_request("F-002", **window), headers=api.headers("system")
    )
    assert refused.status_code == 409
    body = refused.json()
    assert "capacity:family_room" in body["reasons"]
    assert 1 <= len(body["alternatives"]) <= 3
    problem = parse_problem(data)
    for offer in body["alternatives"]:
        extra = Assignment.model_validate(offer)
        assert extra.fathers == ["F-002"]
        assert check_assignments(problem, [*_taken(api), extra]) == []
    assert _count(api, Allocation) == 1


def test_same_idempotency_key_replays_the_first_answer_and_creates_nothing(api: Api) -> None:
    """A repeated Idempotency-Key answers 200 with the first body; a changed body is a 422."""
    data = roomy_tiny_data()
    api.publish(data, open_roster(data))
    headers = {**api.headers("system"), "Idempotency-Key": "booking-7"}
    first = api.client.post("/v1/allocations", json=_request(), headers=headers)
    again = api.client.post("/v1/allocations", json=_request(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert _count(api, Allocation) == 1 and _count(api, IdempotentAnswer) == 1
    other = api.client.post("/v1/allocations", json=_request("F-002"), headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]


def test_hold_then_confirm(api: Api) -> None:
    """A hold is ``held`` with an expiry, and confirming it gives 200 ``confirmed``."""
    data = roomy_tiny_data()
    api.publish(data, open_roster(data))
    held = api.client.post(
        "/v1/allocations", json=_request(hold=True), headers=api.headers("system")
    )
    assert held.status_code == 201
    assert held.json()["state"] == "held" and held.json()["hold_expires_at"] is not None
    confirmed = api.client.post(
        f"/v1/allocations/{held.json()['id']}/confirm", headers=api.headers("system")
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "confirmed"
    assert confirmed.json()["assignment"]["start"] == held.json()["assignment"]["start"]


def _expire(api: Api, allocation_id: str) -> None:
    with api.services.database.write() as session:
        row = session.get(Allocation, allocation_id)
        assert row is not None
        row.hold_expires_at = utcnow() - timedelta(seconds=1)
        # Every write to a week's allocations raises its version, as the service's own do.
        row.week_version = bump(session, row.problem_id)


def test_expired_hold_counts_for_nothing_and_confirms_only_while_free(api: Api) -> None:
    """An expired hold frees its slot; confirming it then is ``hold_expired`` with alternatives."""
    data = one_slot_data(fathers=3)
    api.publish(data, empty_roster(data))
    hold = api.client.post(
        "/v1/allocations", json=_request(hold=True), headers=api.headers("system")
    )
    _expire(api, hold.json()["id"])
    read = api.client.get(f"/v1/allocations/{hold.json()['id']}", headers=api.headers("system"))
    assert read.json()["state"] == "expired"
    other = api.client.post(
        "/v1/allocations", json=_request("F-002"), headers=api.headers("system")
    )
    assert other.status_code == 201
    late = api.client.post(
        f"/v1/allocations/{hold.json()['id']}/confirm", headers=api.headers("system")
    )
    assert late.status_code == 409
    assert late.json()["reasons"][0] == "hold_expired"
    assert "capacity:family_room" in late.json()["reasons"]
    assert late.json()["alternatives"] == []


def test_expired_hold_confirms_when_its_slot_is_still_free(api: Api) -> None:
    """Confirming an expired hold succeeds when nobody took the slot meanwhile."""
    data = one_slot_data(fathers=2)
    api.publish(data, empty_roster(data))
    hold = api.client.post(
        "/v1/allocations", json=_request(hold=True), headers=api.headers("system")
    )
    _expire(api, hold.json()["id"])
    late = api.client.post(
        f"/v1/allocations/{hold.json()['id']}/confirm", headers=api.headers("system")
    )
    assert late.status_code == 200
    assert late.json()["state"] == "confirmed"


def test_cancelling_frees_the_capacity_and_twice_is_no_error(api: Api) -> None:
    """After a cancel the slot goes to the next father; a second cancel answers 200 again."""
    data = one_slot_data(fathers=2)
    api.publish(data, empty_roster(data))
    first = api.client.post("/v1/allocations", json=_request(), headers=api.headers("system"))
    path = f"/v1/allocations/{first.json()['id']}"
    assert (
        api.client.post(
            "/v1/allocations", json=_request("F-002"), headers=api.headers("system")
        ).status_code
        == 409
    )
    once = api.client.delete(path, headers=api.headers("system"))
    twice = api.client.delete(path, headers=api.headers("system"))
    assert (once.status_code, twice.status_code) == (200, 200)
    assert twice.json()["state"] == "cancelled"
    assert _count(api, Claim) == 0
    assert (
        api.client.post(
            "/v1/allocations", json=_request("F-002"), headers=api.headers("system")
        ).status_code
        == 201
    )
    cancelled = api.client.post(f"{path}/confirm", headers=api.headers("system"))
    assert cancelled.status_code == 409 and cancelled.json()["reasons"] == ["cancelled"]


def test_refused_request_leaves_nothing_behind(api: Api) -> None:
    """A 409 writes no allocation, claim or idempotent answer."""
    data = one_slot_data(fathers=2)
    api.publish(data, empty_roster(data))
    api.client.post("/v1/allocations", json=_request(), headers=api.headers("system"))
    headers = {**api.headers("system"), "Idempotency-Key": "k-409"}
    refused = api.client.post("/v1/allocations", json=_request("F-002"), headers=headers)
    assert refused.status_code == 409
    assert (_count(api, Allocation), _count(api, IdempotentAnswer)) == (1, 0)
    with api.services.database.read() as session:
        owners = {c.allocation_id for c in session.query(Claim).all()}
    assert len(owners) == 1


def test_a_refusal_is_audited_before_it_is_answered(api: Api) -> None:
    """Each 409 has its audit entry stored (written with other refusals') when it is answered."""
    data = one_slot_data(fathers=4)
    api.publish(data, empty_roster(data))
    api.client.post("/v1/allocations", json=_request(), headers=api.headers("system"))
    for father in ("F-002", "F-003", "F-004"):
        refused = api.client.post(
            "/v1/allocations", json=_request(father), headers=api.headers("system")
        )
        assert refused.status_code == 409
        with api.services.database.read() as session:
            entries = session.query(AuditEntry).filter_by(action="allocation.refused").all()
        assert father in {e.object_id for e in entries}
        assert all(e.institutions == ["PI-VH"] for e in entries)


def test_allocation_paths_404_422_403_401(api: Api) -> None:
    """Unknown allocation or unpublished week 404; unknown father 422; viewer 403; no key 401."""
    missing = api.client.get("/v1/allocations/nope", headers=api.headers("system"))
    assert missing.status_code == 404
    unpublished = api.client.post("/v1/allocations", json=_request(), headers=api.headers("system"))
    assert unpublished.status_code == 404
    assert "no published roster for PI-VH 2027-W05" in unpublished.json()["detail"]
    data = roomy_tiny_data()
    api.publish(data, open_roster(data))
    unknown = api.client.post(
        "/v1/allocations", json=_request("F-999"), headers=api.headers("system")
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == ["father: unknown father 'F-999'"]
    window = api.client.post(
        "/v1/allocations",
        json=_request(earliest=SAT_MORNING["latest"], latest=SAT_MORNING["earliest"]),
        headers=api.headers("system"),
    )
    assert window.status_code == 422 and window.json()["detail"].startswith("latest:")
    body = api.client.post(
        "/v1/allocations", json={"father": "F-001"}, headers=api.headers("system")
    )
    assert body.status_code == 422 and "body.institution: Field required" in body.json()["errors"]
    viewer = api.client.post("/v1/allocations", json=_request(), headers=api.headers("viewer"))
    assert viewer.status_code == 403
    other = api.client.post("/v1/allocations", json=_request(), headers=api.headers("leeuwarden"))
    assert other.status_code == 403 and "outside this key's institutions" in other.json()["detail"]
    assert api.client.post("/v1/allocations", json=_request()).status_code == 401
    made = api.client.post("/v1/allocations", json=_request(), headers=api.headers("system"))
    path = f"/v1/allocations/{made.json()['id']}"
    assert api.client.get(path, headers=api.headers("leeuwarden")).status_code == 403
    assert api.client.delete(path, headers=api.headers("viewer")).status_code == 403
    assert api.client.post(f"{path}/confirm", headers=api.headers("leeuwarden")).status_code == 403
    assert (
        api.client.delete("/v1/allocations/nope", headers=api.headers("system")).status_code == 404
    )
    listed = api.client.get(
        "/v1/allocations",
        params={"institution": "PI-VH", "week": "2027-W05"},
        headers=api.headers("viewer"),
    )
    assert [a["id"] for a in listed.json()] == [made.json()["id"]]


def test_joining_a_running_session_adds_the_father_to_it(api: Api) -> None:
    """A session allocation seats the father in the published session's assignment, staff kept."""
    data = roomy_tiny_data()
    roster = open_roster(data)
    api.publish(data, roster)
    request = _request(
        "F-004",
        activity="regular_visit",
        earliest="2027-02-03T00:00:00+01:00",
        latest="2027-02-04T00:00:00+01:00",
    )
    answer = api.client.post("/v1/allocations", json=request, headers=api.headers("system"))
    assert answer.status_code == 201, answer.text
    joined = answer.json()["assignment"]
    published = next(a for a in roster["assignments"] if a["id"] == "S-BZ-WED")
    assert joined == {**published, "fathers": ["F-001", "F-004"]}
    assert check_assignments(parse_problem(data), _taken(api)) == []
    full = api.client.post(
        "/v1/allocations",
        json=_request("F-003", **{k: request[k] for k in ("activity", "earliest", "latest")}),
        headers=api.headers("system"),
    )
    assert full.status_code == 409
    assert "capacity:visit_hall" in full.json()["reasons"]


def _hold_then_change_the_week(
    api: Api, request: dict[str, Any], change: Any
) -> tuple[dict[str, Any], str]:
    """Give the week and the id of a hold made in it, after re-uploading the week changed.

    The family room visit is for shell 3 alone in this week, so that a
    time-out (effective shell 2) blocks it.
    """
    data = roomy_tiny_data()
    next(a for a in data["activities"] if a["id"] == "family_room_visit")["shells"] = [3]
    del data["entitlements"]["2"]["family_room_visit"]
    api.publish(data, empty_roster(data))
    held = api.client.post(
        "/v1/allocations", json={**request, "hold": True}, headers=api.headers("system")
    )
    assert held.status_code == 201, held.text
    change(data)
    again = api.client.put(f"/v1/problems/{data['id']}", json=data, headers=api.headers("planner"))
    assert again.status_code == 200, again.text
    return data, held.json()["id"]


TUESDAY = {"earliest": "2027-02-02T15:00:00+01:00", "latest": "2027-02-02T18:00:00+01:00"}


def test_confirm_names_time_out_alone_for_a_shell_3_father(api: Api) -> None:
    """A shell-3 father's hold, a time-out recorded before the confirm: 409 ``time_out`` only."""

    def time_out(data: dict[str, Any]) -> None:
        father = next(f for f in data["fathers"] if f["id"] == "F-001")
        father["timeouts"] = [{"start": "2027-02-01"}]

    _, hold = _hold_then_change_the_week(api, _request(**TUESDAY), time_out)
    refused = api.client.post(f"/v1/allocations/{hold}/confirm", headers=api.headers("system"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["reasons"] == ["time_out"]


def test_confirm_names_the_missing_officer_not_a_volunteer(api: Api) -> None:
    """A hold whose officer's shift is gone before the confirm: 409 ``no_officer`` only."""

    def no_shift(data: dict[str, Any]) -> None:
        officer = next(o for o in data["officers"] if o["id"] == "O-01")
        officer["shifts"] = [s for s in officer["shifts"] if s["day"] != "tue"]

    _, hold = _hold_then_change_the_week(api, _request(**TUESDAY), no_shift)
    refused = api.client.post(f"/v1/allocations/{hold}/confirm", headers=api.headers("system"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["reasons"] == ["no_officer"]
