"""``/v1/outcomes`` and the history the service reads from the store (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from api.outcomes import history_of
from api.tables import AuditEntry, utcnow
from scheduler.domain import parse_problem
from scheduler.history import CANCELLED, NO_SHOW
from scheduler.validate import violations
from tests.kit.service import (
    Api,
    baseline_roster,
    following_week_data,
    roomy_tiny_data,
    tiny_data,
)

WEEK = "2027-W05"
VISIT = "S-BZ-WED"


def batch(*items: tuple[str, str, str], week: str = WEEK) -> dict[str, Any]:
    """Give a request body of outcomes (assignment, father, outcome) of PI-VH's week."""
    outcomes = [{"assignment": a, "father": f, "outcome": o} for a, f, o in items]
    return {"institution": "PI-VH", "week": week, "outcomes": outcomes}


def published(api: Api) -> dict[str, Any]:
    """Give tiny.json's week, its first-come-first-served roster published for PI-VH."""
    data = tiny_data()
    api.publish(data, baseline_roster(data))
    return data


def test_outcomes_are_recorded_once_and_listed(any_api: Api) -> None:
    """An outcome is stored (201), the same again changes nothing (200), and both are listed."""
    published(any_api)
    body = batch((VISIT, "F-001", "took_place"), (VISIT, "F-002", NO_SHOW))
    first = any_api.client.post("/v1/outcomes", json=body, headers=any_api.headers("planner"))
    assert first.status_code == 201, first.text
    assert first.json()["added"] == 2
    again = any_api.client.post("/v1/outcomes", json=body, headers=any_api.headers("system"))
    assert (again.status_code, again.json()["added"]) == (200, 0)
    listed = any_api.client.get(
        "/v1/outcomes", params={"institution": "PI-VH", "week": WEEK},
        headers=any_api.headers("viewer"),
    )  # fmt: skip
    assert listed.status_code == 200
    got = [(o["father"], o["activity"], o["outcome"], o["version"]) for o in listed.json()]
    assert got == [
        ("F-001", "regular_visit", "took_place", 1),
        ("F-002", "regular_visit", NO_SHOW, 1),
    ]
    with any_api.services.database.read() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    assert actions.count("outcome.record") == 2 and "outcome.list" in actions


@pytest.mark.parametrize(
    ("items", "week", "message"),
    [
        ([("A-none", "F-001", NO_SHOW)], WEEK,
         "outcomes[0].assignment: unknown assignment 'A-none' in the published week 2027-W05"),
        ([(VISIT, "F-003", NO_SHOW)], WEEK,
         "outcomes[0].father: father 'F-003' is not in assignment 'S-BZ-WED'"),
        ([(VISIT, "F-001", NO_SHOW), (VISIT, "F-001", CANCELLED)], WEEK,
         "outcomes[1].outcome: cancelled_by_institution contradicts the outcome no_show"),
        ([(VISIT, "F-001", NO_SHOW)], "2027-W06",
         "week: 2027-W06 of institution 'PI-VH' is not published"),
        ([(VISIT, "F-001", "late")], WEEK, "body.outcomes[0].outcome: Input should be"),
    ],
)  # fmt: skip
def test_bad_outcomes_are_refused_naming_them(
    api: Api, items: list[tuple[str, str, str]], week: str, message: str
) -> None:
    """A bad batch is 422 naming the field and the culprit, and stores nothing of it."""
    published(api)
    answer = api.client.post(
        "/v1/outcomes", json=batch(*items, week=week), headers=api.headers("planner")
    )
    assert answer.status_code == 422, answer.text
    assert any(message in line for line in answer.json()["errors"]), answer.json()
    listed = api.client.get(
        "/v1/outcomes",
        params={"institution": "PI-VH", "week": WEEK},
        headers=api.headers("planner"),
    )
    assert listed.json() == []


def test_a_second_contradicting_outcome_is_refused(any_api: Api) -> None:
    """After a no-show is stored, a cancellation of the same occurrence is 422 naming it."""
    published(any_api)
    headers = any_api.headers("planner")
    stored = any_api.client.post(
        "/v1/outcomes", json=batch((VISIT, "F-001", NO_SHOW)), headers=headers
    )
    assert stored.status_code == 201
    answer = any_api.client.post(
        "/v1/outcomes", json=batch((VISIT, "F-001", CANCELLED)), headers=headers
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        "outcomes[0].outcome: cancelled_by_institution contradicts the outcome no_show already "
        "recorded for father 'F-001' in assignment 'S-BZ-WED'"
    ]


def test_who_may_record_outcomes(api: Api) -> None:
    """A viewer may not record (403), nor a key of another institution; a system key may."""
    published(api)
    body = batch((VISIT, "F-001", NO_SHOW))
    for who, code in (("viewer", 403), ("leeuwarden", 403), ("system", 201)):
        assert (
            api.client.post("/v1/outcomes", json=body, headers=api.headers(who)).status_code == code
        )


def test_history_is_read_from_the_published_weeks_before(any_api: Api) -> None:
    """The week after a published one gets its occurrences and their outcomes as history."""
    data = published(any_api)
    headers = any_api.headers("planner")
    body = batch((VISIT, "F-001", NO_SHOW), (VISIT, "F-002", CANCELLED))
    assert any_api.client.post("/v1/outcomes", json=body, headers=headers).status_code == 201
    problem = parse_problem(following_week_data(data))
    with any_api.services.database.read() as session:
        history = history_of(session, any_api.services.parsed, problem, utcnow())
    assert history is not None
    [record] = history.weeks
    assert (record.week, record.institution) == (WEEK, "PI-VH")
    visits = {(o.father, o.outcome) for o in record.occurrences if o.assignment == VISIT}
    assert visits == {("F-001", NO_SHOW), ("F-002", CANCELLED)}
    assert record.entitled["F-001"]["regular_visit"] >= 1
    with_history = parse_problem(
        {**following_week_data(data), "history": history.model_dump(mode="json")}
    )
    assert with_history.earlier.granted["F-001", "regular_visit"] == 1
    assert with_history.earlier.granted["F-002", "regular_visit"] == 0


def test_a_solve_of_the_next_week_carries_the_history(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """POST /v1/rosters hands the solve the published week before, and the roster validates."""
    data = roomy_tiny_data()
    api.publish(data, baseline_roster(data))
    following = following_week_data(data)
    headers = api.headers("planner")
    assert api.client.post("/v1/problems", json=following, headers=headers).status_code == 201
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(api.services.runner, "start", lambda _id, payload: started.append(payload))
    answer = api.client.post("/v1/rosters", json={"problem_id": "tiny-2027-W06"}, headers=headers)
    assert answer.status_code == 202, answer.text
    [payload] = started
    assert [w["week"] for w in payload["problem"]["history"]["weeks"]] == [WEEK]
    from api.rosters import solve_job

    roster = solve_job({**payload, "time_limit": 5, "workers": 1}, lambda *_: None)
    problem = parse_problem(payload["problem"])
    from scheduler.domain import parse_roster

    assert violations(problem, parse_roster(roster)) == []
