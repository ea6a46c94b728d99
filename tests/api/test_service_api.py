"""The service's endpoints: problems, rosters, publications, audit, health; 401/403/404/409/422."""

from __future__ import annotations

import time
from typing import Any

from api.examples import PROBLEM
from api.rosters import solve_job
from scheduler.domain import parse_problem, parse_roster
from scheduler.objective import tier_order
from scheduler.validate import check_assignments
from tests.kit.service import Api, baseline_roster, roomy_tiny_data, tiny_data


def _wait(api: Api, roster_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, Any] = api.client.get(
            f"/v1/rosters/{roster_id}", headers=api.headers("planner")
        ).json()
        if body["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_health_version_and_openapi_are_open_and_documented(api: Api) -> None:
    """Health and version need no key; the OpenAPI document has every route and examples."""
    assert api.client.get("/v1/health").json() == {"status": "ok", "database": "ok"}
    version = api.client.get("/v1/version").json()
    assert (version["api"], version["contract"], version["database"]) == ("v1", 1, "sqlite")
    document = api.client.get("/openapi.json").json()
    upload = document["paths"]["/v1/problems"]["post"]
    assert upload["requestBody"]["content"]["application/json"]["examples"]["small week"]
    assert "/v1/allocations/{allocation_id}/confirm" in document["paths"]
    assert {"401", "403", "409", "422"} <= set(upload["responses"])
    assert parse_problem(PROBLEM).id == "example-2027-W05"


def test_requests_without_a_valid_key_get_401(api: Api) -> None:
    """No key, an unknown key and a revoked key are each refused with 401."""
    assert api.client.get("/v1/problems").status_code == 401
    bad = api.client.get("/v1/problems", headers={"X-API-Key": "gzr_nonsense"})
    assert bad.status_code == 401 and bad.json()["detail"] == "unknown or revoked API key"
    from api.keys import find_principal, revoke_key

    with api.services.database.write() as session:
        found = find_principal(session, api.keys["viewer"])
        assert found is not None
        revoke_key(session, found.key_id)
    assert api.client.get("/v1/problems", headers=api.headers("viewer")).status_code == 401
    assert api.client.get("/v1/audit").status_code == 401


def test_a_key_revoked_elsewhere_is_refused_once_its_verification_is_old(api: Api) -> None:
    """A key verified under KEY_CACHE_SECONDS ago is believed; after that, revocation holds."""
    from api.keys import find_principal, revoke_key

    now = [1000.0]
    known = api.services.known_keys
    known.clock = lambda: now[0]
    assert known.seconds == 1.0
    assert api.client.get("/v1/problems", headers=api.headers("viewer")).status_code == 200
    with api.services.database.write() as session:
        found = find_principal(session, api.keys["viewer"])
        assert found is not None
        revoke_key(session, found.key_id)
    now[0] += 0.5
    assert api.client.get("/v1/problems", headers=api.headers("viewer")).status_code == 200
    now[0] += 0.6
    assert api.client.get("/v1/problems", headers=api.headers("viewer")).status_code == 401
    now[0] += 10
    # A refused key is not remembered: it stays refused.
    assert api.client.get("/v1/problems", headers=api.headers("viewer")).status_code == 401


def test_problem_upload_list_read_reupload_delete(api: Api) -> None:
    """A week is uploaded (201), listed in scope, read, re-uploaded and deleted (204)."""
    data = tiny_data()
    created = api.client.post("/v1/problems", json=data, headers=api.headers("planner"))
    assert created.status_code == 201
    assert (created.json()["id"], created.json()["fathers"], created.json()["revision"]) == (
        "tiny-2027-W05",
        4,
        1,
    )
    assert [
        p["id"] for p in api.client.get("/v1/problems", headers=api.headers("viewer")).json()
    ] == ["tiny-2027-W05"]
    assert api.client.get("/v1/problems", headers=api.headers("leeuwarden")).json() == []
    read = api.client.get("/v1/problems/tiny-2027-W05", headers=api.headers("viewer"))
    assert read.status_code == 200 and parse_problem(read.json()) == parse_problem(data)
    again = api.client.put("/v1/problems/tiny-2027-W05", json=data, headers=api.headers("planner"))
    assert again.status_code == 200 and again.json()["revision"] == 2
    assert (
        api.client.delete("/v1/problems/tiny-2027-W05", headers=api.headers("planner")).status_code
        == 204
    )
    assert (
        api.client.get("/v1/problems/tiny-2027-W05", headers=api.headers("viewer")).status_code
        == 404
    )


def test_problem_error_paths(api: Api) -> None:
    """422 names the field, 409 a duplicate or a published week, 404 a missing one, 403 scope."""
    data = tiny_data()
    broken = tiny_data()
    broken["fathers"][0]["linked_volunteer"] = "V99"
    refused = api.client.post("/v1/problems", json=broken, headers=api.headers("planner"))
    assert refused.status_code == 422
    assert refused.json()["errors"] == ["fathers[0].linked_volunteer: unknown volunteer 'V99'"]
    not_object = api.client.post("/v1/problems", json=[1], headers=api.headers("planner"))
    assert not_object.status_code == 422
    assert (
        api.client.post("/v1/problems", json=data, headers=api.headers("viewer")).status_code == 403
    )
    assert (
        api.client.post("/v1/problems", json=data, headers=api.headers("leeuwarden")).status_code
        == 403
    )
    assert (
        api.client.post("/v1/problems", json=data, headers=api.headers("planner")).status_code
        == 201
    )
    duplicate = api.client.post("/v1/problems", json=data, headers=api.headers("planner"))
    assert duplicate.status_code == 409 and "PUT" in duplicate.json()["detail"]
    assert (
        api.client.get("/v1/problems/tiny-2027-W05", headers=api.headers("leeuwarden")).status_code
        == 403
    )
    wrong_id = api.client.put(
        "/v1/problems/tiny-2027-W05", json={**data, "id": "x"}, headers=api.headers("planner")
    )
    assert wrong_id.status_code == 422 and wrong_id.json()["detail"].startswith("id:")
    assert (
        api.client.put(
            "/v1/problems/nope", json={**data, "id": "nope"}, headers=api.headers("planner")
        ).status_code
        == 404
    )
    assert api.client.delete("/v1/problems/nope", headers=api.headers("planner")).status_code == 404
    assert (
        api.client.delete("/v1/problems/tiny-2027-W05", headers=api.headers("system")).status_code
        == 403
    )
    api.publish(data, baseline_roster(data))
    published = api.client.delete("/v1/problems/tiny-2027-W05", headers=api.headers("planner"))
    assert (
        published.status_code == 409
        and "published for PI-VH 2027-W05" in published.json()["detail"]
    )


def test_a_roster_job_shows_the_warm_start_first_then_the_solvers_roster() -> None:
    """The job's first best-so-far is the warm start, valid; then valid, better ones; CP-SAT's."""
    data = tiny_data()
    reports: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    payload = {"problem": data, "time_limit": 2, "workers": 1}
    final = parse_roster(solve_job(payload, lambda p, r: reports.append((p, r))))
    progress, shown = reports[0]
    assert progress["phase"] == "warm_start" and shown is not None
    first = parse_roster(shown)
    assert first.solver == "priority-order" and first.status == "feasible"
    assert check_assignments(parse_problem(data), first.assignments) == []
    assert all(p["phase"] == "solving" for p, _ in reports[1:])
    so_far = [parse_roster(r) for _, r in reports[1:] if r is not None]
    assert [p["rosters"] for p, r in reports if r is not None] == list(range(1, len(so_far) + 2))
    keys = [tier_order(roster.tiers) for roster in [first, *so_far, final]]
    assert keys == sorted(keys) and len(set(keys[:-1])) == len(keys) - 1
    for roster in so_far:
        assert check_assignments(parse_problem(data), roster.assignments) == []
    assert final.solver == "cp-sat" and final.objective >= first.objective


def test_solve_poll_publish_export_explain(api: Api) -> None:
    """A solve answers 202, ends ``done`` with a valid roster, publishes, exports, explains."""
    data = tiny_data()
    api.client.post("/v1/problems", json=data, headers=api.headers("planner"))
    started = api.client.post(
        "/v1/rosters",
        json={"problem_id": data["id"], "time_limit": 1, "workers": 1},
        headers=api.headers("planner"),
    )
    assert started.status_code == 202 and started.json()["state"] in ("queued", "running")
    done = _wait(api, started.json()["id"])
    assert done["state"] == "done", done
    assert done["progress"]["solutions"] >= 1
    roster = parse_roster(done["roster"])
    assert check_assignments(parse_problem(data), roster.assignments) == []
    roster_id = done["id"]
    first = api.client.post(f"/v1/rosters/{roster_id}/publish", headers=api.headers("planner"))
    second = api.client.post(f"/v1/rosters/{roster_id}/publish", headers=api.headers("planner"))
    assert first.json()["published"] == [{"institution": "PI-VH", "week": "2027-W05", "version": 1}]
    assert second.json()["published"][0]["version"] == 2
    published = api.client.get(
        "/v1/publications/PI-VH/2027-W05", headers=api.headers("viewer")
    ).json()
    assert [v["version"] for v in published["versions"]] == [1, 2]
    assert len(published["assignments"]) == len(roster.assignments)
    exported = api.client.get(f"/v1/rosters/{roster_id}/export", headers=api.headers("viewer"))
    assert parse_roster(exported.json()) == roster
    csv = api.client.get(
        f"/v1/rosters/{roster_id}/export",
        params={"format": "csv", "table": "fathers"},
        headers=api.headers("viewer"),
    )
    assert csv.headers["content-type"].startswith("text/csv") and "F-001" in csv.text
    xlsx = api.client.get(
        f"/v1/rosters/{roster_id}/export", params={"format": "xlsx"}, headers=api.headers("viewer")
    )
    assert xlsx.content[:2] == b"PK"
    ics = api.client.get(
        f"/v1/rosters/{roster_id}/export",
        params={"format": "ics", "kind": "father", "subject": "F-001"},
        headers=api.headers("viewer"),
    )
    assert ics.headers["content-type"].startswith("text/calendar")
    own = [a for a in roster.assignments if "F-001" in a.fathers]
    assert ics.text.count("BEGIN:VEVENT") == len(own)
    explained = api.client.get(
        f"/v1/rosters/{roster_id}/explain",
        params={"father": "F-003", "activity": "family_room_visit"},
        headers=api.headers("viewer"),
    ).json()
    shortfall = next(
        s for s in roster.shortfalls if (s.father, s.activity) == ("F-003", "family_room_visit")
    )
    assert (explained["entitled"], explained["granted"], explained["reasons"]) == (
        shortfall.entitled,
        shortfall.granted,
        shortfall.reasons,
    )
    assert explained["tried"] and all(not t["fits"] for t in explained["tried"])
    assert (
        api.client.delete(f"/v1/rosters/{roster_id}", headers=api.headers("planner")).status_code
        == 409
    )


def test_roster_error_paths(api: Api) -> None:
    """404 unknown roster or week, 403 role or scope, 422 bad options or export, 409 no roster."""
    h = api.headers("planner")
    assert api.client.get("/v1/rosters/nope", headers=h).status_code == 404
    assert api.client.post("/v1/rosters", json={"problem_id": "nope"}, headers=h).status_code == 404
    assert (
        api.client.post(
            "/v1/rosters", json={"problem_id": "x", "time_limit": -1}, headers=h
        ).status_code
        == 422
    )
    data = roomy_tiny_data()
    roster_id = api.publish(data, baseline_roster(data))
    assert (
        api.client.post(
            "/v1/rosters", json={"problem_id": data["id"]}, headers=api.headers("system")
        ).status_code
        == 403
    )
    assert (
        api.client.get(f"/v1/rosters/{roster_id}", headers=api.headers("leeuwarden")).status_code
        == 403
    )
    assert (
        api.client.post(
            f"/v1/rosters/{roster_id}/publish", headers=api.headers("viewer")
        ).status_code
        == 403
    )
    no_kind = api.client.get(f"/v1/rosters/{roster_id}/export", params={"format": "ics"}, headers=h)
    assert no_kind.status_code == 422 and no_kind.json()["detail"].startswith("kind:")
    unknown = api.client.get(
        f"/v1/rosters/{roster_id}/export",
        params={"format": "ics", "kind": "room", "subject": "X"},
        headers=h,
    )
    assert unknown.status_code == 422 and unknown.json()["detail"] == "subject: unknown room 'X'"
    assert (
        api.client.get(
            f"/v1/rosters/{roster_id}/export", params={"format": "pdf"}, headers=h
        ).status_code
        == 422
    )
    explain = api.client.get(
        f"/v1/rosters/{roster_id}/explain",
        params={"father": "F-9", "activity": "video_call"},
        headers=h,
    )
    assert explain.status_code == 422 and explain.json()["errors"] == [
        "father: unknown father 'F-9'"
    ]
    long = api.client.post(
        "/v1/rosters", json={"problem_id": data["id"], "time_limit": 600}, headers=h
    )
    long_id = long.json()["id"]
    assert api.client.post(f"/v1/rosters/{long_id}/publish", headers=h).status_code == 409
    assert api.client.get(
        f"/v1/rosters/{long_id}/explain",
        params={"father": "F-001", "activity": "video_call"},
        headers=h,
    ).status_code in (200, 409)
    began = time.monotonic()
    cancelled = api.client.delete(f"/v1/rosters/{long_id}", headers=h)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert time.monotonic() - began < 5
    assert (
        api.client.get(
            "/v1/publications/PI-LW/2027-W05", headers=api.headers("leeuwarden")
        ).status_code
        == 404
    )
    assert (
        api.client.get(
            "/v1/publications/PI-VH/2027-W05", headers=api.headers("leeuwarden")
        ).status_code
        == 403
    )


def test_reupload_flags_broken_published_assignments(api: Api) -> None:
    """A closure in a re-uploaded week flags the published assignment it breaks; nothing moves."""
    data = roomy_tiny_data()
    roster = baseline_roster(data)
    api.publish(data, roster)
    h = api.headers("planner")
    assert api.client.get("/v1/publications/PI-VH/2027-W05/flags", headers=h).json() == []
    closed = roomy_tiny_data()
    closed["rooms"][1]["closed"] = [
        {"start": "2027-02-06T09:00:00+01:00", "end": "2027-02-06T13:00:00+01:00"}
    ]
    answer = api.client.put(f"/v1/problems/{data['id']}", json=closed, headers=h)
    assert answer.status_code == 200 and answer.json()["flagged"] == 1
    flags = api.client.get("/v1/publications/PI-VH/2027-W05/flags", headers=h).json()
    assert [(f["assignment_id"], f["rules"]) for f in flags] == [
        ("F-001-family_room_visit-sat1000", ["room_closed"])
    ]
    published = api.client.get("/v1/publications/PI-VH/2027-W05", headers=h).json()
    assert published["assignments"] == roster["assignments"]


def test_audit_lists_reads_and_changes_of_father_data_for_planners(api: Api) -> None:
    """Reads and uploads of a week are logged with key, action and object; planners list them."""
    data = tiny_data()
    api.client.post("/v1/problems", json=data, headers=api.headers("planner"))
    api.client.get(f"/v1/problems/{data['id']}", headers=api.headers("viewer"))
    entries = api.client.get("/v1/audit", headers=api.headers("planner")).json()
    assert [(e["key_name"], e["action"], e["object_id"]) for e in entries[:2]] == [
        ("viewer", "problem.read", data["id"]),
        ("planner", "problem.create", data["id"]),
    ]
    assert api.client.get("/v1/audit", headers=api.headers("viewer")).status_code == 403
    assert api.client.get("/v1/audit", headers=api.headers("leeuwarden")).json() == []
    assert (
        api.client.get("/v1/audit", params={"limit": 0}, headers=api.headers("planner")).status_code
        == 422
    )
