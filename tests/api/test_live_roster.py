"""A running solve's roster endpoint gives the best roster so far, newer than the warm start."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scheduler.domain import parse_problem, parse_roster
from scheduler.objective import tier_order
from scheduler.validate import check_assignments
from tests.kit.service import Api, make_api

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SECONDS = 15
# A holiday week of 20 fathers: the search beats its warm start within seconds and runs on.
WEEK = "edge-holiday.json"


@pytest.fixture
def long_api(tmp_path: Path) -> Iterator[Api]:
    """Give the service on a fresh SQLite file, with solves of up to a minute."""
    yield from make_api(f"sqlite:///{tmp_path / 'service.db'}", solve_time_limit=60)


def test_a_running_job_gives_a_newer_best_roster_so_far_than_the_warm_start(
    long_api: Api,
) -> None:
    """A 15 s solve: before the job ends, its roster is a valid, better one the search found."""
    data = json.loads((FIXTURES / WEEK).read_text(encoding="utf-8"))
    planner = long_api.headers("planner")
    assert long_api.client.post("/v1/problems", json=data, headers=planner).status_code == 201
    started = long_api.client.post(
        "/v1/rosters",
        json={"problem_id": data["id"], "time_limit": SECONDS, "workers": 2},
        headers=planner,
    )
    assert started.status_code == 202, started.text
    roster_id = started.json()["id"]
    warm: dict[str, Any] | None = None
    newer: list[tuple[dict[str, Any], dict[str, Any]]] = []
    deadline = time.monotonic() + 3 * SECONDS
    while time.monotonic() < deadline:
        body = long_api.client.get(f"/v1/rosters/{roster_id}", headers=planner).json()
        if body["state"] not in ("queued", "running"):
            break
        roster = body["roster"]
        if roster is not None and roster["solver"] == "priority-order":
            warm = roster
        elif roster is not None:
            newer.append((body["progress"], roster))
        time.sleep(0.25)
    assert body["state"] == "done", body["state"]
    assert warm is not None, "the warm start was not shown first"
    assert newer, "no roster so far of the search was shown before the job ended"
    progress, shown = newer[-1]
    assert progress["rosters"] >= 2 and progress["roster_seconds"] <= progress["seconds"]
    assert tier_order(shown["tiers"]) > tier_order(warm["tiers"])
    problem = parse_problem(data)
    assert check_assignments(problem, parse_roster(shown).assignments) == []
    final = parse_roster(body["roster"])
    assert check_assignments(problem, final.assignments) == []
    assert tier_order(body["roster"]["tiers"]) >= tier_order(shown["tiers"])
