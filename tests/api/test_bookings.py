"""The booked copy of a week (``api.bookings``): rebuilt only on a new epoch, caught up from what
other processes committed, kept through refusals, and changed at once by the process's own
bookings, so that two bookings of one week can share a group commit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import bookings
from api.allocations import Outcome
from api.bookings import BookedWeek, version_of
from api.deps import Services
from api.group_commit import GroupCommit
from api.published import load_week
from api.tables import Allocation, utcnow
from scheduler.validate import check_assignments
from tests.kit.bookings import Held, Refused, booking, publish_week, services_on
from tests.kit.service import empty_roster, one_slot_data

DATA = one_slot_data(fathers=4)
PROBLEM_ID = DATA["id"]


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    """Give two services on one SQLite file (two processes' copies), the week published."""
    url = f"sqlite:///{tmp_path / 'bookings.db'}"
    found = (services_on(url), services_on(url))
    publish_week(found[0], DATA, empty_roster(DATA))
    yield found
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


def _answer(commit: GroupCommit, work: Callable[[Session], Outcome]) -> Outcome | str:
    try:
        return commit.run(work, key=PROBLEM_ID)
    except Refused as refused:
        return refused.outcome
    except RuntimeError as error:
        return str(error)


def _true_to_the_database(services: Services, booked: BookedWeek) -> None:
    """The copy is at the stored version and holds what is stored, and no rule is broken."""
    with services.database.read() as session:
        assert (booked.version, booked.epoch) == version_of(session, PROBLEM_ID)
        week = load_week(session, services.parsed, "PI-VH", "2027-W05", utcnow())
        assert week is not None
        stored = sorted(a.model_dump_json() for a in week.taken())
        assert check_assignments(week.problem, week.taken()) == []
    assert sorted(a.model_dump_json() for a in booked.taken()) == stored


def _live(services: Services) -> list[str]:
    with services.database.read() as session:
        return list(session.scalars(select(Allocation.father).order_by(Allocation.father)))


def test_a_refusal_under_the_lock_keeps_the_copy_it_caught_up(
    processes: tuple[Services, Services],
) -> None:
    """The second process's copy, behind the first's booking, is caught up under the week's lock,
    and the refusal that follows rolls its savepoint back without dropping the copy."""
    first, second = processes
    before = _copy(second)
    assert getattr(_answer(first.writes, booking(first, "F-001")), "status", None) == 201
    assert getattr(_answer(second.writes, booking(second, "F-002")), "status", None) == 409
    after = _copy(second)
    assert after is before
    _true_to_the_database(second, after)


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


def _one_batch(
    services: Services, works: list[Callable[[Session], Outcome]]
) -> tuple[list[Outcome | str], Held]:
    """Give the answers to the works, queued in order behind a held batch, so that they share
    the next batch."""
    held = Held(services.database)
    commit = GroupCommit(held)
    answers: dict[int, Outcome | str] = {}

    def warm(session: Session) -> None:
        session.execute(select(func.count()).select_from(Allocation))

    first = threading.Thread(target=commit.run, args=(warm, "another week"))
    first.start()
    assert held.entered.wait(10)
    threads = []
    for number, work in enumerate(works):
        thread = threading.Thread(
            target=lambda n=number, w=work: answers.__setitem__(n, _answer(commit, w))
        )
        thread.start()
        threads.append(thread)
        while len(commit._waiting) < number + 1:
            threading.Event().wait(0.01)
    held.release.set()
    for thread in [first, *threads]:
        thread.join(10)
    return [answers[n] for n in range(len(works))], held


def test_the_second_booking_of_a_week_in_a_batch_sees_the_first(
    processes: tuple[Services, Services],
) -> None:
    """Two requests for the week's one slot in one batch: the first books it, the second finds
    it taken (in the copy, before the commit) and is refused; one allocation is stored."""
    first, _ = processes
    answers, held = _one_batch(first, [booking(first, "F-001"), booking(first, "F-002")])
    assert len(held.batches) == 2
    assert [getattr(a, "status", a) for a in answers] == [201, 409]
    assert _live(first) == ["F-001"]
    _true_to_the_database(first, _copy(first))


def test_a_booking_whose_work_fails_is_not_seen_by_the_next_in_its_batch(
    processes: tuple[Services, Services],
) -> None:
    """The first work books the one slot and then fails: its savepoint rolls back and the copy
    is dropped, so the second work of the same batch books the slot; only it is stored."""
    first, _ = processes
    before = _copy(first)
    works = [booking(first, "F-001", fail_after=True), booking(first, "F-002")]
    answers, held = _one_batch(first, works)
    assert len(held.batches) == 2
    assert answers[0] == "failed after booking F-001"
    assert getattr(answers[1], "status", None) == 201
    assert _live(first) == ["F-002"]
    after = _copy(first)
    assert after is not before
    _true_to_the_database(first, after)
