"""``/v1/events``: validated (422 naming the field), stored, listed, applied, scoped and audited."""

from __future__ import annotations

from typing import Any

from tests.kit.service import Api, baseline_roster, roomy_tiny_data

WED_10 = "2027-02-03T10:00:00+01:00"


def _store(api: Api) -> dict[str, Any]:
    data = roomy_tiny_data()
    answer = api.client.post("/v1/problems", json=data, headers=api.headers("planner"))
    assert answer.status_code == 201, answer.text
    return data


def _post(api: Api, body: Any, who: str = "planner") -> Any:
    return api.client.post("/v1/events", json=body, headers=api.headers(who))


def test_an_unknown_father_or_room_is_refused_naming_it(api: Api) -> None:
    """422 names the field and the culprit; nothing is stored or changed."""
    _store(api)
    father = _post(api, {"type": "time_out", "at": WED_10, "father": "F-999"})
    assert father.status_code == 422
    assert father.json()["errors"] == ["events[0].father: unknown father 'F-999' in tiny-2027-W05"]
    room = _post(
        api,
        [
            {"type": "time_out", "at": WED_10, "father": "F-001"},
            {
                "type": "room_closure",
                "at": WED_10,
                "room": "XX",
                "end": "2027-02-03T12:00:00+01:00",
            },
        ],
    )
    assert room.status_code == 422
    assert room.json()["errors"] == ["events[1].room: unknown room 'XX' in tiny-2027-W05"]
    assert api.client.get("/v1/events", headers=api.headers("planner")).json() == []
    stored = api.client.get("/v1/problems/tiny-2027-W05", headers=api.headers("planner")).json()
    assert stored["fathers"][0]["timeouts"] == []


def test_a_moment_outside_every_stored_week_is_refused(api: Api) -> None:
    """A time-out in a week that is not stored answers 422 on ``at``."""
    _store(api)
    answer = _post(api, {"type": "time_out", "at": "2027-03-03T10:00:00+01:00", "father": "F-001"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        "events[0].at: 2027-03-03T10:00:00+01:00 lies outside every stored week"
    ]


def test_a_bad_field_in_a_batch_is_named_by_its_index(api: Api) -> None:
    """An unknown type and a missing field are named with the event's place in the batch."""
    _store(api)
    answer = _post(
        api,
        [
            {"type": "time_out", "at": WED_10, "father": "F-001"},
            {"type": "flood", "at": WED_10},
            {"type": "shell_change", "at": WED_10, "father": "F-001"},
        ],
    )
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors[0].startswith("events[1].type: Input should be 'time_out'")
    assert errors[1] == "events[2]: Value error, a shell_change event needs shell"
    assert answer.json()["detail"] == "; ".join(errors)


def test_events_are_stored_listed_filtered_and_audited(any_api: Api) -> None:
    """A batch is stored with who and when; the list filters by type and subject; both audited.

    On SQLite and on PostgreSQL.
    """
    api = any_api
    _store(api)
    answer = _post(
        api,
        [
            {"id": "E-1", "type": "time_out", "at": WED_10, "father": "F-001"},
            {
                "id": "E-2",
                "type": "room_closure",
                "at": "2027-02-06T09:00:00+01:00",
                "room": "VH-FK",
                "end": "2027-02-06T12:00:00+01:00",
                "reason": "flooded",
            },
        ],
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["weeks"] == [{"problem_id": "tiny-2027-W05", "revision": 2}]
    assert answer.json()["flagged"] == []  # nothing published yet
    listed = api.client.get("/v1/events", headers=api.headers("viewer")).json()
    assert [e["id"] for e in listed] == ["E-2", "E-1"]
    assert listed[1]["recorded_by"] == "planner" and listed[1]["institutions"] == ["PI-VH"]
    only = api.client.get(
        "/v1/events", params={"type": "room_closure"}, headers=api.headers("viewer")
    ).json()
    assert [e["id"] for e in only] == ["E-2"]
    about = api.client.get(
        "/v1/events", params={"subject": "F-001"}, headers=api.headers("viewer")
    ).json()
    assert [e["id"] for e in about] == ["E-1"]
    bad = api.client.get("/v1/events", params={"type": "flood"}, headers=api.headers("viewer"))
    assert bad.status_code == 422 and bad.json()["errors"][0].startswith("type: unknown event")
    stored = api.client.get("/v1/problems/tiny-2027-W05", headers=api.headers("planner")).json()
    assert stored["fathers"][0]["timeouts"] == [{"start": "2027-02-03", "end": None}]
    assert stored["rooms"][1]["closed"][-1]["start"] == "2027-02-06T09:00:00+01:00"
    audit = api.client.get("/v1/audit", headers=api.headers("planner")).json()
    actions = [entry["action"] for entry in audit]
    assert actions.count("event.record") == 2 and "event.list" in actions


def test_a_repeated_event_id_is_a_conflict_and_changes_nothing(any_api: Api) -> None:
    """The same event id twice answers 409 naming it; the week keeps one time-out."""
    api = any_api
    _store(api)
    event = {"id": "E-1", "type": "time_out", "at": WED_10, "father": "F-001"}
    assert _post(api, event).status_code == 201
    again = _post(api, event)
    assert again.status_code == 409
    assert again.json()["detail"] == "event id already recorded: E-1"
    stored = api.client.get("/v1/problems/tiny-2027-W05", headers=api.headers("planner")).json()
    assert stored["fathers"][0]["timeouts"] == [{"start": "2027-02-03", "end": None}]


def test_events_need_a_planner_key_within_scope(api: Api) -> None:
    """A system key may not record events (403); to another institution's key the father is unknown.

    The answer is the 422 of a father that does not exist, naming nothing of PI-VH.
    """
    _store(api)
    event = {"type": "time_out", "at": WED_10, "father": "F-001"}
    assert _post(api, event, "system").status_code == 403
    outside = _post(api, event, "leeuwarden")
    nobody = _post(api, {**event, "father": "F-999"}, "leeuwarden")
    assert outside.status_code == nobody.status_code == 422
    assert outside.json() == nobody.json()
    assert "PI-VH" not in outside.text and "tiny-2027-W05" not in outside.text
    assert api.client.get("/v1/events", headers=api.headers("planner")).json() == []


def test_a_published_week_shows_its_flags_with_their_causes(api: Api) -> None:
    """After a closure of the family room on Saturday, its published visit is flagged with it."""
    data = roomy_tiny_data()
    api.publish(data, baseline_roster(data))
    closure = {
        "id": "E-FLOOD",
        "type": "room_closure",
        "at": "2027-02-06T08:00:00+01:00",
        "room": "VH-FK",
        "end": "2027-02-06T13:00:00+01:00",
        "reason": "flooded",
    }
    answer = _post(api, closure)
    assert [f["assignment_id"] for f in answer.json()["flagged"]] == [
        "F-001-family_room_visit-sat1000"
    ]
    flags = api.client.get(
        "/v1/publications/PI-VH/2027-W05/flags", headers=api.headers("planner")
    ).json()
    assert [(f["assignment_id"], f["rules"], f["causes"]) for f in flags] == [
        (
            "F-001-family_room_visit-sat1000",
            ["room_closed"],
            [{"event": "E-FLOOD", "type": "room_closure", "reason": "room_closed"}],
        )
    ]


def test_a_repair_needs_a_published_week_a_moment_inside_it_and_an_existing_id(api: Api) -> None:
    """404 for a week not published or an unknown repair, 422 naming ``since`` outside the week."""
    data = _store(api)
    h = api.headers("planner")
    body = {"institution": "PI-VH", "week": "2027-W05"}
    unpublished = api.client.post("/v1/repairs", json=body, headers=h)
    assert unpublished.status_code == 404
    assert unpublished.json()["detail"] == "nothing is published for PI-VH 2027-W05"
    api.publish(data, baseline_roster(data))
    outside = api.client.post(
        "/v1/repairs", json={**body, "since": "2027-03-01T10:00:00+01:00"}, headers=h
    )
    assert outside.status_code == 422
    assert outside.json()["errors"] == ["since: 2027-03-01T10:00:00+01:00 lies outside 2027-W05"]
    assert api.client.get("/v1/repairs/nope", headers=h).status_code == 404
    assert (
        api.client.post("/v1/repairs", json=body, headers=api.headers("viewer")).status_code == 403
    )


def test_a_time_out_applies_to_every_stored_week_it_reaches(api: Api) -> None:
    """A Wednesday time-out of six weeks reaches the stored next week; a week after it does not."""
    _store(api)
    later = {}
    for week, key in (("2027-W06", "next"), ("2027-W20", "far")):
        data = roomy_tiny_data()
        data["id"], data["week"] = f"tiny-{week}", week
        data["sessions"] = []  # the programme of later weeks does not matter here
        answer = api.client.post("/v1/problems", json=data, headers=api.headers("planner"))
        assert answer.status_code == 201, answer.text
        later[key] = data["id"]
    answer = _post(api, {"type": "time_out", "at": WED_10, "father": "F-001"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["weeks"] == [
        {"problem_id": "tiny-2027-W05", "revision": 2},
        {"problem_id": "tiny-2027-W06", "revision": 2},
    ]
    assert answer.json()["events"][0]["problems"] == ["tiny-2027-W05", "tiny-2027-W06"]
    far = api.client.get(f"/v1/problems/{later['far']}", headers=api.headers("planner")).json()
    assert far["fathers"][0]["timeouts"] == []


def test_a_repair_is_refused_when_what_already_happened_breaks_the_new_facts(api: Api) -> None:
    """A consent withdrawn on Wednesday breaks Tuesday's family room visit: 409 naming it."""
    data = roomy_tiny_data()
    api.publish(data, baseline_roster(data))
    withdrawn = _post(
        api,
        {"type": "consent_withdrawn", "at": WED_10, "father": "F-001", "consent": "other_parent"},
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert "F-001-family_room_visit-sat1000" in [
        f["assignment_id"] for f in withdrawn.json()["flagged"]
    ]
    refused = api.client.post(
        "/v1/repairs",
        json={"institution": "PI-VH", "week": "2027-W05"},
        headers=api.headers("planner"),
    )
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert detail.startswith("what happened before 2027-02-03T09:00:00+00:00 breaks the week")
    assert "F-001-family_room_visit-tue1500" in detail
