"""Many clients at once against a real server: one winner per slot, no 5xx, the job limit holds."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.database import Database
from api.tables import JobRow
from tests.kit.server import burst, free_port, seed, serving, solver_processes, stored_week
from tests.kit.service import FIXTURES, empty_roster, one_slot_data

pytestmark = pytest.mark.slow
RACERS = 1000


def _allocation(institution: str, father: str, activity: str, day: str) -> dict[str, Any]:
    return {
        "institution": institution,
        "week": "2027-W05",
        "father": father,
        "activity": activity,
        "earliest": f"{day}T08:00:00+01:00",
        "latest": f"{day}T21:00:00+01:00",
    }


def test_a_thousand_fathers_racing_for_the_last_slot_get_exactly_one_201(
    database_url: str,
) -> None:
    """1,000 parallel requests from different fathers for the one free slot: one 201, 999 409."""
    data = one_slot_data(RACERS)
    secrets, roster_id = seed(
        database_url,
        data,
        empty_roster(data),
        {"planner": ("planner", ["PI-VH"]), "system": ("system", ["PI-VH"])},
    )
    with serving(database_url, free_port()) as server:
        published = httpx.post(
            f"{server.base}/v1/rosters/{roster_id}/publish",
            headers={"X-API-Key": secrets["planner"]},
        )
        assert published.status_code == 200, published.text
        bodies = [
            _allocation("PI-VH", f"F-{n:03d}", "family_room_visit", "2027-02-06")
            for n in range(1, RACERS + 1)
        ]
        answers = burst(
            server.base, [("POST", "/v1/allocations", b, secrets["system"]) for b in bodies]
        )
    assert Counter(a.status_code for a in answers) == {201: 1, 409: RACERS - 1}
    refusal = next(a.json() for a in answers if a.status_code == 409)
    assert "capacity:family_room" in refusal["reasons"]
    winner = next(a.json() for a in answers if a.status_code == 201)
    week = stored_week(database_url, "PI-VH", "2027-W05")
    assert [(a.id, a.father, a.state) for a in week.allocations] == [
        (winner["id"], winner["father"], "confirmed")
    ]


def test_a_region_week_under_allocations_from_both_institutions_gives_no_5xx(
    database_url: str,
) -> None:
    """Both institutions of a region allocate into one published week at once: 0 answers 5xx."""
    data = json.loads((FIXTURES / "region-noord.json").read_text(encoding="utf-8"))
    secrets, roster_id = seed(
        database_url,
        data,
        empty_roster(data),
        {
            "planner": ("planner", ["PI-VH", "PI-LW"]),
            "PI-VH": ("system", ["PI-VH"]),
            "PI-LW": ("system", ["PI-LW"]),
        },
    )
    fathers = [(f["institution"], f["id"]) for f in data["fathers"] if f["shell"] >= 2]
    days = ["2027-02-01", "2027-02-02", "2027-02-03"]
    requests: list[tuple[str, str, dict[str, Any] | None, str]] = []
    for day in days:
        for institution, father in fathers:
            body = _allocation(institution, father, "video_call", day)
            requests.append(("POST", "/v1/allocations", body, secrets[institution]))
    with serving(database_url, free_port()) as server:
        published = httpx.post(
            f"{server.base}/v1/rosters/{roster_id}/publish",
            headers={"X-API-Key": secrets["planner"]},
        )
        assert published.status_code == 200, published.text
        answers = burst(server.base, requests)
    counts = Counter(a.status_code for a in answers)
    assert set(counts) <= {201, 409}, {a.status_code: a.text for a in answers}
    assert counts[201] > 0 and counts[409] > 0
    by_institution = Counter(a.json()["institution"] for a in answers if a.status_code == 201)
    assert set(by_institution) == {"PI-VH", "PI-LW"}
    for institution in ("PI-VH", "PI-LW"):
        week = stored_week(database_url, institution, "2027-W05")
        assert len(week.allocations) == counts[201]


def _watch(base_pid: int, url: str, stop: threading.Event, seen: list[tuple[int, int]]) -> None:
    """Note, until stopped, how many job processes and running jobs there are at each moment."""
    database = Database(url)
    try:
        while not stop.is_set():
            with database.read() as session:
                running = session.query(JobRow).filter(JobRow.state == "running").count()
            seen.append((len(solver_processes(base_pid)), running))
            time.sleep(0.02)
    finally:
        database.dispose()


def _while_watching(pid: int, url: str, action: Callable[[], Any]) -> tuple[Any, list[Any]]:
    stop = threading.Event()
    seen: list[tuple[int, int]] = []
    watcher = threading.Thread(target=_watch, args=(pid, url, stop, seen))
    watcher.start()
    try:
        return action(), seen
    finally:
        stop.set()
        watcher.join(10)


def _started(base: str, job_id: str, headers: dict[str, str]) -> str:
    """Give when a job started (running ones first, then queued ones by creation)."""
    shown = httpx.get(f"{base}/v1/rosters/{job_id}", headers=headers).json()
    return str(shown["started_at"] or "~" + shown["created_at"])


def test_fifty_concurrent_solves_never_run_more_than_max_jobs(database_url: str) -> None:
    """50 roster requests at once: at most MAX_JOBS solves run, the overflow gets 429."""
    data = json.loads((FIXTURES / "veenhuizen.json").read_text(encoding="utf-8"))
    keys = {f"planner-{n}": ("planner", ["PI-VH"]) for n in range(10)}
    secrets, _ = seed(database_url, data, empty_roster(data), keys)
    settings = {"max_jobs": "2", "max_queued_jobs": "3", "max_jobs_per_key": "2"}
    with serving(database_url, free_port(), **settings) as server:
        names = sorted(secrets)
        requests: list[tuple[str, str, dict[str, Any] | None, str]] = [
            ("POST", "/v1/rosters", {"problem_id": data["id"], "time_limit": 60}, secrets[name])
            for name in (names[n % len(names)] for n in range(50))
        ]
        answers, seen = _while_watching(
            server.process.pid, database_url, lambda: burst(server.base, requests)
        )
        accepted = [a.json()["id"] for a in answers if a.status_code == 202]
        refused = [a for a in answers if a.status_code == 429]
        planner = {"X-API-Key": secrets[names[0]]}

        def cancel_in_turn() -> list[int]:
            # Each cancel of a running solve lets a queued one start: places change hands.
            found = []
            for job_id in sorted(accepted, key=lambda j: _started(server.base, j, planner)):
                time.sleep(0.3)
                found.append(
                    httpx.delete(f"{server.base}/v1/rosters/{job_id}", headers=planner).status_code
                )
            return found

        cancelled, later = _while_watching(server.process.pid, database_url, cancel_in_turn)
        started = [
            httpx.get(f"{server.base}/v1/rosters/{j}", headers=planner).json()["started_at"]
            for j in accepted
        ]
        one_key = burst(server.base, requests[:1] * 3)
    assert [a.status_code for a in one_key].count(202) == 2
    over = next(a for a in one_key if a.status_code == 429)
    assert over.json()["detail"].startswith("this key has 2 jobs queued or running")
    assert cancelled == [200] * 5
    assert len([moment for moment in started if moment is not None]) >= 3
    assert (len(accepted), len(refused)) == (5, 45)
    assert {a.headers["Retry-After"] for a in refused} == {"30"}
    assert any("queue is full" in a.json()["detail"] for a in refused)
    processes = max(count for count, _ in seen + later)
    running = max(count for _, count in seen + later)
    assert (processes, running) == (2, 2)
