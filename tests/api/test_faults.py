"""kill -9 of a real server mid-work, then a restart: nothing acknowledged lost, no orphan left."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.database import Database
from api.deps import Services
from api.jobs import JobRunner
from api.settings import Settings
from api.tables import Allocation, Claim, Publication, PublicationVersion
from tests.kit.server import Server, alive, free_port, seed, serving, solver_processes, stored_week
from tests.kit.service import FIXTURES, baseline_roster, empty_roster, seed_roster

pytestmark = pytest.mark.slow
WEEK = "2027-W05"
KEYS = {
    "planner": ("planner", ["PI-VH", "PI-LW"]),
    "PI-VH": ("system", ["PI-VH"]),
    "PI-LW": ("system", ["PI-LW"]),
}


def _region() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "region-noord.json").read_text(encoding="utf-8"))
    return data


def _kill_amid(
    server: Server, work: Callable[[httpx.Client], httpx.Response], acknowledged_before_kill: int
) -> tuple[list[httpx.Response], list[int]]:
    """Give the answers received, and the server's processes, after a kill -9 amid ``work``.

    Client threads repeat ``work`` until the server is gone; the server is
    killed once ``acknowledged_before_kill`` answers have arrived.
    """
    answers: list[httpx.Response] = []
    killed = threading.Event()

    def repeat(client: httpx.Client) -> None:
        while not killed.is_set():
            try:
                answers.append(work(client))
            except httpx.TransportError:
                return

    with httpx.Client(base_url=server.base, timeout=30) as client, ThreadPoolExecutor(8) as pool:
        for _ in range(8):
            pool.submit(repeat, client)
        deadline = time.monotonic() + 60
        while len(answers) < acknowledged_before_kill and time.monotonic() < deadline:
            time.sleep(0.01)
        started = server.kill()
        killed.set()
    return list(answers), started


def test_kill_during_an_allocation_burst_loses_no_acknowledged_allocation(
    database_url: str,
) -> None:
    """Every 201 answered before a kill -9 is there after a restart, whole, and breaks no rule."""
    data = _region()
    secrets, roster_id = seed(database_url, data, empty_roster(data), KEYS)
    fathers = [(f["institution"], f["id"]) for f in data["fathers"] if f["shell"] >= 2]
    turn = iter(range(10**6))

    def allocate(client: httpx.Client) -> httpx.Response:
        institution, father = fathers[next(turn) % len(fathers)]
        body = {
            "institution": institution,
            "week": WEEK,
            "father": father,
            "activity": "video_call",
            "earliest": "2027-02-01T08:00:00+01:00",
            "latest": "2027-02-05T21:00:00+01:00",
        }
        headers = {"X-API-Key": secrets[institution]}
        return client.post("/v1/allocations", json=body, headers=headers)

    port = free_port()
    with serving(database_url, port) as server:
        planner = {"X-API-Key": secrets["planner"]}
        published = httpx.post(f"{server.base}/v1/rosters/{roster_id}/publish", headers=planner)
        assert published.status_code == 200
        answers, _ = _kill_amid(server, allocate, 40)
    made = [a.json() for a in answers if a.status_code == 201]
    assert {a.status_code for a in answers} <= {201, 409} and len(answers) >= 40 and made
    with serving(database_url, port) as server:
        listed = {}
        for institution in ("PI-VH", "PI-LW"):
            answer = httpx.get(
                f"{server.base}/v1/allocations",
                params={"institution": institution, "week": WEEK},
                headers={"X-API-Key": secrets[institution]},
            )
            listed.update({a["id"]: a for a in answer.json()})
    for allocation in made:
        again = listed[allocation["id"]]
        assert (again["state"], again["assignment"]) == ("confirmed", allocation["assignment"])
    stored = {a.id for a in stored_week(database_url, "PI-VH", WEEK).allocations}
    assert {a["id"] for a in made} <= stored
    database = Database(database_url)
    with database.read() as session:
        unclaimed = session.scalar(
            select(func.count())
            .select_from(Allocation)
            .where(~Allocation.id.in_(select(Claim.allocation_id)))
        )
    database.dispose()
    assert unclaimed == 0


def test_kill_during_publishing_leaves_every_week_published_whole(database_url: str) -> None:
    """A kill -9 amid publishes of a region week: each acknowledged version stands, none is half."""
    data = _region()
    secrets, first = seed(database_url, data, empty_roster(data), KEYS)
    database = Database(database_url)
    services = Services(Settings(database_url=database_url), database, JobRunner(database))
    second = seed_roster(services, data, baseline_roster(data))
    turn = iter(range(10**6))

    def publish(client: httpx.Client) -> httpx.Response:
        roster = (first, second)[next(turn) % 2]
        return client.post(
            f"/v1/rosters/{roster}/publish", headers={"X-API-Key": secrets["planner"]}
        )

    port = free_port()
    with serving(database_url, port) as server:
        answers, _ = _kill_amid(server, publish, 10)
    made = [a.json() for a in answers if a.status_code == 200]
    assert {a.status_code for a in answers} == {200} and len(made) >= 10
    with database.read() as session:
        current = {p.institution: p for p in session.scalars(select(Publication))}
        versions = {
            (v.institution, v.version): v.roster_id
            for v in session.scalars(select(PublicationVersion))
        }
    database.dispose()
    assert set(current) == {"PI-VH", "PI-LW"}
    vh, lw = current["PI-VH"], current["PI-LW"]
    assert (vh.roster_id, vh.version) == (lw.roster_id, lw.version)
    assert max(version for _, version in versions) == vh.version
    assert len(versions) == 2 * vh.version
    for answer in made:
        for item in answer["published"]:
            assert versions[(item["institution"], item["version"])] == answer["roster"]
    with serving(database_url, port) as server:
        shown = httpx.get(
            f"{server.base}/v1/publications/PI-LW/{WEEK}",
            headers={"X-API-Key": secrets["planner"]},
        )
        assert (shown.json()["version"], shown.json()["roster"]) == (lw.version, lw.roster_id)
    stored_week(database_url, "PI-VH", WEEK)


def test_kill_during_a_solve_leaves_no_solver_process_and_shows_jobs_interrupted(
    tmp_path: Path,
) -> None:
    """After kill -9 mid-solve, no process of the server lives on; its jobs show interrupted."""
    database_url = f"sqlite:///{tmp_path / 'service.db'}"
    data = _region()
    secrets, _ = seed(database_url, data, empty_roster(data), KEYS)
    planner = {"X-API-Key": secrets["planner"]}
    port = free_port()
    with serving(database_url, port, max_jobs="1") as server:
        body = {"problem_id": data["id"], "time_limit": 60}
        jobs = [
            httpx.post(f"{server.base}/v1/rosters", json=body, headers=planner).json()["id"]
            for _ in range(2)
        ]
        deadline = time.monotonic() + 30
        while not solver_processes(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        states = [
            httpx.get(f"{server.base}/v1/rosters/{j}", headers=planner).json()["state"]
            for j in jobs
        ]
        assert states == ["running", "queued"]
        started = server.kill()
    assert len(started) >= 2  # the solve and multiprocessing's resource tracker
    assert alive(started, within=5) == []
    with serving(database_url, port) as server:
        shown = [httpx.get(f"{server.base}/v1/rosters/{j}", headers=planner).json() for j in jobs]
        assert [j["state"] for j in shown] == ["interrupted", "interrupted"]
        assert solver_processes(server.process.pid) == []
