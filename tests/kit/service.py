"""Helpers of the service tests: weeks to upload, rosters to publish, a client with keys."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import Services
from api.examples import PROBLEM
from api.keys import create_key
from api.problems import new_row
from api.tables import JobRow, ProblemRow, utcnow
from scheduler.domain import Roster, parse_problem
from solver.baseline import first_come_first_served

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def tiny_data() -> dict[str, Any]:
    """Give fixtures/tiny.json as decoded JSON."""
    data: dict[str, Any] = json.loads((FIXTURES / "tiny.json").read_text(encoding="utf-8"))
    return data


def roomy_tiny_data() -> dict[str, Any]:
    """Give fixtures/tiny.json with the partner cap raised to 36 hours, so hours are not short."""
    data = tiny_data()
    data["policy"]["partner_cap_hours"] = 36
    return data


def following_week_data(data: dict[str, Any]) -> dict[str, Any]:
    """Give tiny.json's week one week on (2027-W06): new id and week, sessions a week later."""
    moved = {**data, "id": "tiny-2027-W06", "week": "2027-W06"}
    moved["sessions"] = [
        {**s, "id": f"{s['id']}-W06",
         "start": (datetime.fromisoformat(s["start"]) + timedelta(days=7)).isoformat()}
        for s in data["sessions"]
    ]  # fmt: skip
    return moved


def one_slot_data(fathers: int = 12) -> dict[str, Any]:
    """Give a week whose family room has room for exactly one visit, and many fathers wanting it."""
    data = copy.deepcopy(PROBLEM)
    data["id"] = "one-slot-2027-W05"
    data["rooms"][0]["open"] = [{"day": "sat", "start": "10:00", "end": "11:30"}]
    template = data["fathers"][0]
    data["fathers"] = [
        {**template, "id": f"F-{n:03d}", "linked_volunteer": None} for n in range(1, fathers + 1)
    ]
    data["volunteers"][0]["linked_fathers"] = []
    return data


def empty_roster(data: dict[str, Any]) -> dict[str, Any]:
    """Give a roster of the week with nothing placed."""
    return Roster(problem_id=data["id"], week=data["week"], status="feasible").model_dump(
        mode="json"
    )


def baseline_roster(data: dict[str, Any]) -> dict[str, Any]:
    """Give the first-come-first-served roster of the week."""
    return first_come_first_served(parse_problem(data)).model_dump(mode="json")


def open_roster(data: dict[str, Any]) -> dict[str, Any]:
    """Give the baseline roster less F-001's Saturday family room visit and F-002's Wednesday."""
    roster = baseline_roster(data)
    kept = []
    for assignment in roster["assignments"]:
        if assignment["id"] == "F-001-family_room_visit-sat1000":
            continue
        if assignment["id"] == "S-BZ-WED":
            assignment["fathers"] = ["F-001"]
        kept.append(assignment)
    roster["assignments"] = kept
    return roster


def seed_roster(services: Services, data: dict[str, Any], roster: dict[str, Any]) -> str:
    """Give the id of a finished roster job stored for the week (stored too, if new)."""
    problem = parse_problem(data)
    institutions = sorted(i.id for i in problem.institutions)
    job_id = str(uuid.uuid4())
    with services.database.write() as session:
        if session.get(ProblemRow, problem.id) is None:
            session.add(new_row(problem, data))
            session.flush()
        session.add(
            JobRow(
                id=job_id,
                kind="roster",
                problem_id=problem.id,
                institutions=institutions,
                state="done",
                params={},
                progress={},
                result=roster,
                created_at=utcnow(),
                finished_at=utcnow(),
            )
        )
    return job_id


@dataclass
class Api:
    """A test client of the service with a key per role and scope."""

    client: TestClient
    services: Services
    keys: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        """Give the authorisation header of one of the test keys."""
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def publish(self, data: dict[str, Any], roster: dict[str, Any]) -> str:
        """Give the id of the roster stored and published for the week (by the planner)."""
        roster_id = seed_roster(self.services, data, roster)
        answer = self.client.post(
            f"/v1/rosters/{roster_id}/publish", headers=self.headers("planner")
        )
        assert answer.status_code == 200, answer.text
        return roster_id


KEYS = {
    "planner": ("planner", ["PI-VH"]),
    "system": ("system", ["PI-VH"]),
    "viewer": ("viewer", ["PI-VH"]),
    "leeuwarden": ("planner", ["PI-LW"]),
    "national": ("planner", ["*"]),
}


def make_api(url: str, **settings: Any) -> Iterator[Api]:
    """Give a running app on the database with one key per entry of ``KEYS``."""
    from api.settings import Settings

    # Tests that try many wrong keys on purpose are not about the guessers' limit.
    settings.setdefault("key_failures", 1000)
    app = create_app(Settings(database_url=url, **settings))
    with TestClient(app) as client:
        services: Services = app.state.services
        keys = {}
        with services.database.write() as session:
            for name, (role, institutions) in KEYS.items():
                keys[name] = create_key(session, role, institutions, name)[1]
        yield Api(client, services, keys)
