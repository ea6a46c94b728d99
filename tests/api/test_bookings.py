"""The booked copy of a week (``api.bookings``): rebuilt only on a new epoch, caught up from what
other processes committed, and kept through refusals and rollbacks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api import bookings
from api.allocations import AllocationRequest, Outcome, allocate
from api.bookings import BookedWeek, version_of
from api.database import Database
from api.deps import Services
from api.jobs import JobRunner
from api.keys import Principal
from api.published import load_week
from api.rosters import publish
from api.settings import Settings
from api.tables import JobRow, utcnow
from scheduler.validate import check_assignments
from tests.kit.service import empty_roster, one_slot_data, seed_roster

CALLER = Principal(0, "bookings", "system", frozenset({"PI-VH"}))
DATA = one_slot_data(fathers=4)
PROBLEM_ID = DATA["id"]


class Refused(Exception):
    """Leaves the work's savepoint, as the service's refusals do."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


def _request(father: str) -> AllocationRequest:
    return AllocationRequest.model_validate(
        {
            "institution": "PI-VH",
            "week": "2027-W05",
            "father": father,
            "activity": "family_room_visit",
            "earliest": "2027-02-06T08:00:00+01:00",
            "latest": "2027-02-06T21:00:00+01:00",
        }
    )


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    """Give two services on one SQLite file (two processes' copies), the week published."""
    url = f"sqlite:///{tmp_path / 'bookings.db'}"
    found = []
    for _ in range(2):
        database = Database(url)
        database.upgrade()
        found.append(Services(Settings(database_url=url), database, JobRunner(database)))
    first, second = found
    roster_id = seed_roster(first, DATA, empty_roster(DATA))
    with first.database.write() as session:
        row = session.get(JobRow, roster_id)
        assert row is not None
        publish(session, first.parsed, row, None, utcnow())
    yield first, second
    for services in found:
        services.database.dispose()


def _copy(services: Services) -> BookedWeek:
    """Give the process's copy of the week as a read brings it up to date."""
    now = utcnow()
    with services.database.read_one() as session:
        week = services.parsed.bookings.locate(session, services.parsed, "PI-VH", "2027-W05", now)
        assert week is not None
        with services.parsed.bookings.hold(session, week, now) as booked:
            return booked


def _booked(services: Services, father: str) -> Outcome:
    """Give the answer to one request, booked through the process's group commit."""

    def work(session: Session) -> Outcome:
        outcome = allocate(session, services.parsed, CALLER, _request(father), None, 5)
        if outcome.status != 201:
            raise Refused(outcome)
        return outcome

    try:
        return services.writes.run(work, key=PROBLEM_ID)
    except Refused as refused:
        return refused.outcome


def test_a_refusal_under_the_lock_keeps_the_copy_it_caught_up(
    processes: tuple[Services, Services],
) -> None:
    """The second process's copy, behind the first's booking, is caught up under the week's lock,
    and the refusal that follows rolls its savepoint back without dropping the copy."""
    first, second = processes
    before = _copy(second)
    assert _booked(first, "F-001").status == 201
    assert _booked(second, "F-002").status == 409
    after = _copy(second)
    assert after is before
    with second.database.read() as session:
        assert (after.version, after.epoch) == version_of(session, PROBLEM_ID)
        week = load_week(session, second.parsed, "PI-VH", "2027-W05", utcnow())
        assert week is not None
        stored = sorted(a.model_dump_json() for a in week.taken())
    assert sorted(a.model_dump_json() for a in after.taken()) == stored
    assert check_assignments(after.problem, after.taken()) == []


def test_requests_that_find_no_copy_at_once_load_it_once(
    processes: tuple[Services, Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six requests of a process without a copy of the week: one loads it, the others wait."""
    _, second = processes
    loads: list[int] = []
    load = bookings._load

    def slow_load(session: Session, week: Any, now: datetime) -> BookedWeek:
        loads.append(1)
        threading.Event().wait(0.3)
        return load(session, week, now)

    monkeypatch.setattr(bookings, "_load", slow_load)
    start = threading.Barrier(6)
    copies: list[BookedWeek] = []

    def ask() -> None:
        start.wait(10)
        copies.append(_copy(second))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(copies) == 6 and all(copy is copies[0] for copy in copies)
    assert loads == [1]
