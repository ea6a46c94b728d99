"""Helpers of the booking tests: service processes on one database, a week published there,
allocations booked as the service books them, and a group commit held open by the test."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from api.allocations import AllocationRequest, Outcome, allocate
from api.database import Database
from api.deps import Services
from api.jobs import JobRunner
from api.keys import Principal
from api.rosters import publish
from api.settings import Settings
from api.tables import JobRow, utcnow
from tests.kit.service import seed_roster

CALLER = Principal(0, "bookings", "system", frozenset({"PI-VH"}))


def services_on(url: str) -> Services:
    """Give the parts of one service process on the database (its schema brought up to date)."""
    database = Database(url)
    database.upgrade()
    return Services(Settings(database_url=url), database, JobRunner(database))


def publish_week(services: Services, data: dict[str, Any], roster: dict[str, Any]) -> None:
    """Store the week and its roster, and publish the roster."""
    roster_id = seed_roster(services, data, roster)
    with services.database.write() as session:
        row = session.get(JobRow, roster_id)
        assert row is not None
        publish(session, services.parsed, row, None, utcnow())


def saturday_visit(father: str) -> AllocationRequest:
    """Give a request for a family room visit of the father on the Saturday of 2027-W05."""
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


class Refused(Exception):
    """Leaves the work's savepoint, as the service's refusals do."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


def booking(
    services: Services, father: str, fail_after: bool = False
) -> Callable[[Session], Outcome]:
    """Give a work that books the father's Saturday visit under the week's lock (a refusal
    raises ``Refused``); with ``fail_after`` it raises once booked, so its savepoint fails."""

    def work(session: Session) -> Outcome:
        outcome = allocate(session, services.parsed, CALLER, saturday_visit(father), None, 5)
        if outcome.status != 201:
            raise Refused(outcome)
        if fail_after:
            raise RuntimeError(f"failed after booking {father}")
        return outcome

    return work


class Held:
    """A ``transact`` that lets the test hold the first batch open while more writes arrive."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.entered = threading.Event()
        self.release = threading.Event()
        self.batches: list[int] = []

    def __call__(self, work: Callable[[Session], None]) -> None:
        def counted(session: Session) -> None:
            if not self.batches:
                self.entered.set()
                self.release.wait(10)
            self.batches.append(0)
            work(session)

        self.database.transact(counted)
