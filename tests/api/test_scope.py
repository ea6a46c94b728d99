"""Institution scope: other institutions' ids named by what and where; reads by institution."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from api.published import institution_of
from api.scope import Redaction, fathers_read
from api.tables import JobRow, OutboxEntry
from scheduler.domain import Assignment, Problem, parse_problem
from scheduler.validate import check_assignments
from scheduler.week import TZ
from tests.kit.service import Api, baseline_roster, seed_roster

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _video_call(father: str, room: str) -> Assignment:
    return Assignment(
        id=f"{father}-video_call-mon1600",
        activity="video_call",
        start=datetime(2027, 2, 1, 16, 0, tzinfo=TZ),
        end=datetime(2027, 2, 1, 16, 30, tzinfo=TZ),
        room=room,
        fathers=[father],
    )


def test_redaction_names_only_what_and_where_of_another_institution(region_noord: Problem) -> None:
    """PI-LW's father, child, session and assignment ids become words; PI-VH's stay."""
    theirs, ours = _video_call("F-0126", "LW-BB1"), _video_call("F-0001", "VH-BB1")
    redaction = Redaction(region_noord, [theirs, ours], "PI-VH")
    child = region_noord.father_by_id["F-0126"].children[0].id
    text = f"F-0126 ({child}) in {theirs.id} and S-LW-AR1-mon1030; F-0001 in {ours.id}"
    assert redaction.text(text) == (
        "a father of PI-LW (a child of PI-LW) in an assignment of PI-LW and a session of PI-LW; "
        f"F-0001 in {ours.id}"
    )
    assert redaction.value({"blocking": [theirs.id, 3]}) == {
        "blocking": ["an assignment of PI-LW", 3]
    }


def test_fathers_read_are_grouped_by_their_institution(region_noord: Problem) -> None:
    """Every institution read is there, with or without fathers; unknown ids are left out."""
    assert fathers_read(region_noord, ["F-0126", "F-0002", "F-0001", "F-9999"], ["PI-VH"]) == {
        "PI-LW": ["F-0126"],
        "PI-VH": ["F-0001", "F-0002"],
    }
    assert fathers_read(region_noord, [], ["PI-LW", "PI-VH"]) == {"PI-LW": [], "PI-VH": []}


def _region_published(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Give the region week, its published baseline roster and a subscription per institution."""
    data = json.loads((FIXTURES / "region-noord.json").read_text(encoding="utf-8"))
    national = api.headers("national")
    subscriptions = {}
    for institution in ("PI-VH", "PI-LW"):
        body = {"institution": institution, "url": "http://127.0.0.1:9/hook", "secret": "s" * 16}
        made = api.client.post("/v1/webhooks", json=body, headers=national)
        assert made.status_code == 201, made.text
        subscriptions[institution] = made.json()["id"]
    roster = baseline_roster(data)
    problem = parse_problem(data)
    assert (
        check_assignments(problem, [Assignment.model_validate(a) for a in roster["assignments"]])
        == []
    )
    roster_id = seed_roster(api.services, data, roster)
    done = api.client.post(f"/v1/rosters/{roster_id}/publish", headers=national)
    assert done.status_code == 200, done.text
    return data, roster, subscriptions


def _notices(api: Api, notice_type: str) -> dict[str, list[dict[str, Any]]]:
    """Give the outbox's notices of one type by the institution whose subscription gets them."""
    found: dict[str, list[dict[str, Any]]] = {"PI-VH": [], "PI-LW": []}
    with api.services.database.read() as session:
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.type == notice_type)):
            assert entry.payload["institution"] == entry.institution
            found[entry.institution].append(entry.payload["data"])
    return found


def _drop_one_each(
    api: Api, data: dict[str, Any], roster: dict[str, Any]
) -> tuple[dict[str, str], str]:
    """Give the father of the individual occurrence dropped at each institution, and the roster.

    The roster (the published one less those two) is stored, not published.
    """
    problem = parse_problem(data)
    dropped: dict[str, str] = {}
    for assignment in list(roster["assignments"]):
        where = institution_of(problem, Assignment.model_validate(assignment))
        if assignment["session"] is None and where is not None and where not in dropped:
            dropped[where] = assignment["fathers"][0]
            roster["assignments"].remove(assignment)
    assert sorted(dropped) == ["PI-LW", "PI-VH"]
    later = [Assignment.model_validate(a) for a in roster["assignments"]]
    assert check_assignments(problem, later) == []
    return dropped, seed_roster(api.services, data, roster)


def _audit(api: Api, key: str, action: str) -> list[tuple[list[str], str]]:
    """Give the institutions and detail of each audit entry of one action the key may see."""
    entries = api.client.get("/v1/audit", headers=api.headers(key)).json()
    return sorted((e["institutions"], e["detail"]) for e in entries if e["action"] == action)


def test_a_region_republication_tells_each_institution_only_its_own_changes(api: Api) -> None:
    """Dropping one visit at each institution tells each one its own drop, and no other father."""
    data, roster, _ = _region_published(api)
    problem = parse_problem(data)
    dropped, roster_id = _drop_one_each(api, data, roster)
    later = [Assignment.model_validate(a) for a in roster["assignments"]]
    done = api.client.post(f"/v1/rosters/{roster_id}/publish", headers=api.headers("national"))
    assert done.status_code == 200, done.text
    cancelled = _notices(api, "assignment.cancelled")
    assert {i: [n["father"] for n in found] for i, found in cancelled.items()} == {
        "PI-VH": [dropped["PI-VH"]],
        "PI-LW": [dropped["PI-LW"]],
    }
    published = _notices(api, "roster.published")
    for institution in ("PI-VH", "PI-LW"):
        versions = sorted(published[institution], key=lambda n: n["version"])
        assert [n["changes"] for n in versions] == [
            None,
            {
                "kept": len(_own(problem, later, institution)),
                "moved": 0,
                "dropped": 1,
                "new": 0,
                "staff_swaps": 0,
            },
        ]
    theirs = {"PI-VH": _ids_of(problem, "PI-LW"), "PI-LW": _ids_of(problem, "PI-VH")}
    with api.services.database.read() as session:
        for entry in session.scalars(select(OutboxEntry)):
            assert not theirs[entry.institution] & _words(json.dumps(entry.payload))


def _own(problem: Problem, assignments: list[Assignment], institution: str) -> list[str]:
    """Give one (father, assignment) occurrence per father of each assignment at the institution."""
    return [
        f"{f} {a.id}"
        for a in assignments
        if institution_of(problem, a) == institution
        for f in a.fathers
    ]


def _ids_of(problem: Problem, institution: str) -> set[str]:
    """Give the father and child ids of one institution."""
    fathers = [f for f in problem.fathers if f.institution == institution]
    return {f.id for f in fathers} | {c.id for f in fathers for c in f.children}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w-]+", text))


def test_reading_deliveries_is_audited_naming_the_fathers_at_the_institution(api: Api) -> None:
    """PI-VH's planner reading its deliveries leaves an entry of PI-VH naming its dropped father."""
    data, roster, _ = _region_published(api)
    dropped, roster_id = _drop_one_each(api, data, roster)
    done = api.client.post(f"/v1/rosters/{roster_id}/publish", headers=api.headers("national"))
    assert done.status_code == 200, done.text
    read = api.client.get("/v1/webhooks/deliveries", headers=api.headers("planner"))
    assert read.status_code == 200
    assert {d["institution"] for d in read.json()} == {"PI-VH"}
    assert _audit(api, "planner", "webhook.deliveries") == [
        (["PI-VH"], f"fathers {dropped['PI-VH']}")
    ]
    assert _audit(api, "leeuwarden", "webhook.deliveries") == []


def test_reading_events_is_audited_naming_each_father_at_his_institution(api: Api) -> None:
    """An event of a PI-LW father in the region week, listed, is a read of PI-LW naming him."""
    _region_published(api)
    father = "F-0165"
    event = {
        "type": "father_unavailable",
        "at": "2027-02-01T03:00:00+01:00",
        "end": "2027-02-01T03:30:00+01:00",
        "father": father,
        "kind": "court",
    }
    national = api.headers("national")
    made = api.client.post("/v1/events", json=event, headers=national)
    assert made.status_code == 201, made.text
    listed = api.client.get("/v1/events", headers=national)
    assert [e["father"] for e in listed.json()] == [father]
    assert _audit(api, "national", "event.list") == [
        (["PI-LW"], f"fathers {father}"),
        (["PI-VH"], ""),
    ]


def test_reading_a_repair_is_audited_naming_the_fathers_of_each_institution(api: Api) -> None:
    """A region repair's difference, read, is a read of each institution naming its own fathers."""
    data, roster, _ = _region_published(api)
    dropped, repair_id = _drop_one_each(api, data, roster)
    with api.services.database.write() as session:
        row = session.get(JobRow, repair_id)
        assert row is not None
        repair = {"institution": "PI-VH", "week": data["week"], "since": None, "version": 1}
        row.params = {**row.params, "repair": repair}
    read = api.client.get(f"/v1/repairs/{repair_id}", headers=api.headers("national"))
    assert read.status_code == 200, read.text
    assert sorted(d["father"] for d in read.json()["difference"]["dropped"]) == sorted(
        dropped.values()
    )
    entries = _audit(api, "national", "repair.read")
    assert [institutions for institutions, _ in entries] == [["PI-LW"], ["PI-VH"]]
    problem = parse_problem(data)
    for (institutions, detail), other in zip(entries, ("PI-VH", "PI-LW"), strict=True):
        named = set(detail.removeprefix("fathers ").split(", "))
        assert dropped[institutions[0]] in named
        assert not named & _ids_of(problem, other)


def test_an_event_of_another_institutions_father_answers_as_an_unknown_one(api: Api) -> None:
    """PI-VH's planner recording a PI-LW father's event gets an unknown father's 422; no change.

    The end of a time-out that is not running would say that the father has
    none: the answer is the same as for a father who does not exist, and the
    region week (which holds PI-LW's father) is left as it was.
    """
    data, _, _ = _region_published(api)
    revision = api.client.get(f"/v1/problems/{data['id']}", headers=api.headers("national"))
    ended = {"type": "time_out_ended", "at": "2027-02-02T10:00:00+01:00"}
    answers = {}
    for father in ("F-0165", "F-9999"):
        answer = api.client.post(
            "/v1/events", json={**ended, "father": father}, headers=api.headers("planner")
        )
        assert answer.status_code == 422
        answers[father] = answer.json()
    assert answers["F-0165"] == {
        "detail": f"events[0].father: unknown father 'F-0165' in {data['id']}",
        "errors": [f"events[0].father: unknown father 'F-0165' in {data['id']}"],
    }
    assert json.dumps(answers["F-9999"]).replace("F-9999", "F-0165") == json.dumps(
        answers["F-0165"]
    )
    own = api.client.post(
        "/v1/events", json={**ended, "father": "F-0001"}, headers=api.headers("planner")
    )
    assert own.status_code == 422 and "no time-out running" in own.json()["detail"]
    after = api.client.get(f"/v1/problems/{data['id']}", headers=api.headers("national"))
    assert after.json() == revision.json()
    listed = api.client.get("/v1/events", headers=api.headers("national"))
    assert listed.json() == []
