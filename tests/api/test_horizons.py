"""``/v1/horizons``: a week and the next planned as one job, each a draft (SQLite, PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from api.horizon import store_weeks
from api.tables import JobRow, ProblemRow, utcnow
from scheduler.domain import parse_problem, parse_roster
from scheduler.validate import violations
from tests.kit.service import Api, following_week_data, roomy_tiny_data


def planned(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    """Give the horizon job once its weeks are stored (started with ``body``)."""
    headers = api.headers("planner")
    started = api.client.post("/v1/horizons", json=body, headers=headers)
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found: dict[str, Any] = api.client.get(f"/v1/horizons/{job_id}", headers=headers).json()
        if found["state"] not in ("queued", "running") and (found["weeks"] or found["error"]):
            return found
        time.sleep(0.2)
    raise AssertionError(f"horizon {job_id} did not end")


@pytest.mark.slow
def test_two_weeks_are_planned_stored_and_published_one_by_one(any_api: Api) -> None:
    """Week 5 and a made week 6 each get a draft; each passes the checker and publishes alone."""
    api = any_api
    data = roomy_tiny_data()
    headers = api.headers("planner")
    assert api.client.post("/v1/problems", json=data, headers=headers).status_code == 201
    job = planned(api, {"problem_id": data["id"], "weeks": 2, "time_limit": 3, "workers": 1})
    assert job["state"] == "done", job
    weeks = job["weeks"]
    assert [(w["week"], w["problem_id"]) for w in weeks] == [
        ("2027-W05", "tiny-2027-W05"), ("2027-W06", "tiny-2027-W06"),
    ]  # fmt: skip
    progress = job["progress"]
    assert (progress["phase"], progress["done"], progress["total"]) == ("done", 2, 2)
    assert [(p["week"], p["pass"]) for p in progress["planned"]] == [
        ("2027-W05", "held"), ("2027-W06", "held"),
    ]  # fmt: skip
    assert all(0 <= p["floor"] <= 1 for p in progress["planned"])
    with api.services.database.read() as session:
        for week in weeks:
            problem = parse_problem(session.get(ProblemRow, week["problem_id"]).data)
            row = session.get(JobRow, week["roster_id"])
            assert row is not None and row.state == "done" and problem.week == week["week"]
            assert violations(problem, parse_roster(row.result)) == []
    for week in weeks:
        answer = api.client.post(f"/v1/rosters/{week['roster_id']}/publish", headers=headers)
        assert answer.status_code == 200, answer.text
        shown = api.client.get(f"/v1/publications/PI-VH/{week['week']}", headers=headers).json()
        assert (shown["version"], shown["roster"], shown["problem_id"]) == (
            1, week["roster_id"], week["problem_id"],
        )  # fmt: skip


@pytest.mark.slow
def test_a_stored_following_week_is_planned_not_made_again(api: Api) -> None:
    """Where week 6 is stored already, the horizon plans that upload instead of a copy."""
    data = roomy_tiny_data()
    headers = api.headers("planner")
    following = {**following_week_data(data), "id": "uploaded-week-6"}
    for week in (data, following):
        assert api.client.post("/v1/problems", json=week, headers=headers).status_code == 201
    request = {"problem_id": data["id"], "weeks": 2, "time_limit": 2, "seconds": 3, "workers": 1}
    job = planned(api, request)
    assert [w["problem_id"] for w in job["weeks"]] == ["tiny-2027-W05", "uploaded-week-6"]


def test_bad_horizons_are_refused(api: Api) -> None:
    """Five weeks and 'together' for one week are 422 naming the field; a viewer may not plan."""
    data = roomy_tiny_data()
    headers = api.headers("planner")
    assert api.client.post("/v1/problems", json=data, headers=headers).status_code == 201
    too_many = api.client.post(
        "/v1/horizons", json={"problem_id": data["id"], "weeks": 5}, headers=headers
    )
    assert too_many.status_code == 422 and too_many.json()["errors"][0].startswith("body.weeks")
    no_time = api.client.post(
        "/v1/horizons", json={"problem_id": data["id"], "weeks": 2, "seconds": 0}, headers=headers
    )
    assert no_time.status_code == 422 and no_time.json()["errors"][0].startswith("body.seconds")
    alone = api.client.post(
        "/v1/horizons", json={"problem_id": data["id"], "weeks": 1, "mode": "together"},
        headers=headers,
    )  # fmt: skip
    assert alone.status_code == 422 and alone.json()["errors"][0].startswith("mode: ")
    viewer = api.client.post(
        "/v1/horizons", json={"problem_id": data["id"], "weeks": 2}, headers=api.headers("viewer")
    )
    assert viewer.status_code == 403
    missing = api.client.post(
        "/v1/horizons", json={"problem_id": "nope-1", "weeks": 2}, headers=headers
    )
    assert missing.status_code == 404


def test_a_week_that_cannot_be_stored_stores_nothing_and_says_why(api: Api) -> None:
    """A planned week that no longer loads leaves no week nor draft; the job's error names it."""
    data = roomy_tiny_data()
    headers = api.headers("planner")
    assert api.client.post("/v1/problems", json=data, headers=headers).status_code == 201
    broken = {**following_week_data(data), "fathers": [{"id": "F-9"}]}
    roster = {"problem_id": data["id"], "week": "2027-W05", "status": "feasible"}
    job_id = str(uuid.uuid4())
    with api.services.database.write() as session:
        session.add(
            JobRow(
                id=job_id, kind="horizon", problem_id=data["id"], institutions=["PI-VH"],
                state="done", params={"given": [data["id"]]}, progress={},
                result={"weeks": [
                    {"week": "2027-W05", "problem": data, "roster": roster},
                    {"week": "2027-W06", "problem": broken, "roster": roster},
                ]},
                created_at=utcnow(), finished_at=utcnow(),
            )
        )  # fmt: skip
    store_weeks(api.services.database, job_id)
    found = api.client.get(f"/v1/horizons/{job_id}", headers=headers).json()
    assert found["weeks"] == []
    assert found["error"].startswith("the planned weeks could not be stored: fathers[0].")
    with api.services.database.read() as session:
        assert session.get(ProblemRow, "tiny-2027-W06") is None
        drafts = session.scalars(select(JobRow).where(JobRow.kind == "roster")).all()
    assert drafts == []
