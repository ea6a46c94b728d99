"""Hostile ids and text: NUL, CR LF, quotes, empty and name-like ids are refused with 422 naming
the field and the culprit, on SQLite and PostgreSQL; every 4xx has the one error body."""

from __future__ import annotations

from typing import Any

import pytest

from api.routers.rosters import attachment
from scheduler.domain import parse_problem, parse_roster
from scheduler.validate import check_assignments
from tests.kit.service import Api, baseline_roster, tiny_data

WEEK = "2027-W05"
ALLOCATION = {
    "institution": "PI-VH",
    "week": WEEK,
    "father": "F-001",
    "activity": "video_call",
    "earliest": "2027-02-01T09:00:00+01:00",
    "latest": "2027-02-01T17:00:00+01:00",
}


def _refused(answer: Any, *lines: str) -> None:
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert set(body) == {"detail", "errors"}
    for line in lines:
        assert line in body["errors"], body["errors"]
    assert body["detail"] == "; ".join(body["errors"])


def _checked_baseline() -> dict[str, Any]:
    """Give tiny.json's baseline roster, checked first by the independent validator."""
    roster = baseline_roster(tiny_data())
    assignments = parse_roster(roster).assignments
    assert check_assignments(parse_problem(tiny_data()), assignments) == []
    return roster


ID_RULE = "is not an id (letters, digits and _ . @ ~ -, starting with a letter or digit)"
PSEUDONYM_RULE = (
    "is not a pseudonym (an id with at least one digit, such as 'F-0001'; never a name)"
)


def test_nul_bytes_in_paths_queries_and_bodies_are_422_naming_the_field(any_api: Api) -> None:
    """A NUL byte in a path, a query or a body never reaches the database: 422 names the field."""
    api = any_api
    api.publish(tiny_data(), _checked_baseline())
    planner = api.headers("planner")
    get = api.client.get
    _refused(get("/v1/problems/%00", headers=planner), f"path.problem_id: '\\x00' {ID_RULE}")
    _refused(
        get("/v1/problems?institution=PI%00", headers=planner),
        f"query.institution: 'PI\\x00' {ID_RULE}",
    )
    _refused(
        api.client.post("/v1/rosters", json={"problem_id": "tiny\u0000-2027-W05"}, headers=planner),
        f"body.problem_id: 'tiny\\x00-2027-W05' {ID_RULE}",
    )
    _refused(
        api.client.post(
            "/v1/allocations", json={**ALLOCATION, "institution": "PI-VH\u0000"}, headers=planner
        ),
        f"body.institution: 'PI-VH\\x00' {ID_RULE}",
    )
    _refused(
        get(f"/v1/allocations?institution=PI-VH%00&week={WEEK}", headers=planner),
        f"query.institution: 'PI-VH\\x00' {ID_RULE}",
    )
    _refused(
        get(
            f"/v1/publications/PI-VH/{WEEK}/explain?father=F-001%00&activity=video_call",
            headers=planner,
        ),
        f"query.father: 'F-001\\x00' {PSEUDONYM_RULE}",
    )
    _refused(get("/v1/audit?object_id=F-001%00", headers=planner))
    scenario = {"name": "second\u0000room", "changes": [{"op": "add_room", "like": "VH-FK"}]}
    answer = api.client.post(
        "/v1/whatif",
        json={"problem_id": "tiny-2027-W05", "scenarios": {"scenarios": [scenario]}},
        headers=planner,
    )
    assert answer.status_code == 422
    assert "scenarios[0].name: 'second\\x00room' is not one line" in answer.json()["detail"]
    week = tiny_data()
    week["institutions"][0]["name"] = "PI\u0000Veenhuizen"
    _refused(
        api.client.post("/v1/problems", json={**week, "id": "nul-2027-W05"}, headers=planner),
        "institutions[0].name: 'PI\\x00Veenhuizen' is not one line of text without control "
        "characters",
    )
    # Nothing of the refused requests was stored; the published week still reads.
    listed = get("/v1/problems", headers=planner).json()
    assert [item["id"] for item in listed] == ["tiny-2027-W05"]
    assert get(f"/v1/publications/PI-VH/{WEEK}", headers=planner).status_code == 200


@pytest.mark.parametrize(
    ("problem_id", "shown"),
    [
        ("tiny\r\n-2027-W05", "'tiny\\r\\n-2027-W05'"),
        ('tiny"-2027-W05', "'tiny\"-2027-W05'"),
        ("", "''"),
        (" tiny", "' tiny'"),
    ],
)
def test_problem_ids_with_cr_lf_quotes_or_nothing_are_refused(
    api: Api, problem_id: str, shown: str
) -> None:
    """A problem id with CR LF, a quote, a space or nothing at all is refused, naming it."""
    week = {**tiny_data(), "id": problem_id}
    answer = api.client.post("/v1/problems", json=week, headers=api.headers("planner"))
    _refused(answer, f"id: {shown} {ID_RULE}")


def test_a_name_as_father_id_is_refused(api: Api) -> None:
    """'Jan de Vries' (or a name without spaces) as a father id is refused: 422 naming it."""
    for name in ("Jan de Vries", "JanDeVries"):
        week = tiny_data()
        old = week["fathers"][0]["id"]
        week["fathers"][0]["id"] = name
        for volunteer in week["volunteers"]:
            volunteer["linked_fathers"] = [
                name if f == old else f for f in volunteer["linked_fathers"]
            ]
        answer = api.client.post("/v1/problems", json=week, headers=api.headers("planner"))
        _refused(answer, f"fathers[0].id: '{name}' {PSEUDONYM_RULE}")
    answer = api.client.post(
        "/v1/allocations",
        json={**ALLOCATION, "father": "Jan de Vries"},
        headers=api.headers("system"),
    )
    _refused(answer, f"body.father: 'Jan de Vries' {PSEUDONYM_RULE}")


def test_an_idempotency_key_with_control_characters_is_refused(api: Api) -> None:
    """An Idempotency-Key must be visible ASCII: a space in it is refused naming the header."""
    answer = api.client.post(
        "/v1/allocations",
        json=ALLOCATION,
        headers={**api.headers("system"), "Idempotency-Key": "a b"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0].startswith("header.Idempotency-Key: ")


def test_export_file_names_are_built_from_safe_characters_only(api: Api) -> None:
    """The download's file name holds only safe characters, whatever it is made from."""
    assert attachment('roster-x"; filename="evil.exe\r\n.ics') == (
        'attachment; filename="roster-x___filename__evil.exe__.ics"'
    )
    assert attachment("../../etc") == 'attachment; filename="_.._etc"'
    roster_id = api.publish(tiny_data(), _checked_baseline())
    answer = api.client.get(
        f"/v1/rosters/{roster_id}/export?format=ics&kind=father&subject=F-001",
        headers=api.headers("planner"),
    )
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == (
        'attachment; filename="roster-tiny-2027-W05-father-F-001.ics"'
    )


def test_unknown_routes_methods_and_refusals_answer_the_one_error_body(api: Api) -> None:
    """404 of an unknown route, 405, 401 and 409 all answer ``{"detail", "errors"}``."""
    assert api.client.get("/v1/nowhere").json() == {
        "detail": "Not Found",
        "errors": ["Not Found"],
    }
    answer = api.client.delete("/v1/health")
    assert (answer.status_code, answer.json()["errors"]) == (405, ["Method Not Allowed"])
    answer = api.client.get("/v1/problems")
    assert answer.status_code == 401 and set(answer.json()) == {"detail", "errors"}
    planner = api.headers("planner")
    api.client.post("/v1/problems", json=tiny_data(), headers=planner)
    again = api.client.post("/v1/problems", json=tiny_data(), headers=planner)
    assert again.status_code == 409
    assert again.json()["errors"] == [again.json()["detail"]]


def test_the_openapi_document_gives_every_4xx_the_error_body(api: Api) -> None:
    """Every 4xx of every operation refers to ErrorBody (or Refusal); FastAPI's own is gone."""
    document = api.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["ErrorBody"]["required"] == ["detail", "errors"]
    refs = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = {int(code) for code in operation["responses"] if code.isdigit()}
            if operation.get("security"):
                assert {401, 403, 429} <= codes, (method, path)
            if "{" in path:
                assert {404, 422} <= codes, (method, path)
            for code, response in operation["responses"].items():
                if 400 <= int(code) < 500:
                    refs.add(response["content"]["application/json"]["schema"]["$ref"])
    assert refs == {"#/components/schemas/ErrorBody", "#/components/schemas/Refusal"}
    confirm = document["paths"]["/v1/allocations/{allocation_id}/confirm"]["post"]
    assert confirm["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Refusal"
    }
