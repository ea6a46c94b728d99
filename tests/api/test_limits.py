"""The service's bounds: body bytes (413), fathers per week (422), retried deadlocks, busy (503)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.database import Database, DatabaseBusy, is_retriable
from api.tables import ProblemRow
from tests.kit.service import Api, empty_roster, make_api, one_slot_data


@pytest.fixture
def small_api(tmp_path: Path) -> Iterator[Api]:
    """Give the service with small bounds: 20 KiB bodies, 5 fathers a week."""
    yield from make_api(
        f"sqlite:///{tmp_path / 'service.db'}", max_body_bytes=20_000, max_fathers=5
    )


def _stored(api: Api) -> int:
    with api.services.database.read() as session:
        return session.query(ProblemRow).count()


def test_a_body_over_the_limit_is_refused_with_413_and_nothing_stored(small_api: Api) -> None:
    """A declared body of more than max_body_bytes is 413 naming the limit; nothing is stored."""
    data = one_slot_data(5)
    data["pad"] = "x" * 30_000
    answer = small_api.client.post("/v1/problems", json=data, headers=small_api.headers("planner"))
    assert answer.status_code == 413
    message = "body: the request body is larger than the limit of 20000 bytes"
    assert answer.json() == {"detail": message, "errors": [message]}
    assert _stored(small_api) == 0


def test_a_streamed_body_over_the_limit_is_refused_with_413(small_api: Api) -> None:
    """A body sent in chunks without a length is counted as it arrives and refused past it."""

    def chunks() -> Iterator[bytes]:
        yield b'{"id": "x", "pad": "'
        for _ in range(30):
            yield b"x" * 1_000
        yield b'"}'

    answer = small_api.client.post(
        "/v1/problems",
        content=chunks(),
        headers={**small_api.headers("planner"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["detail"].startswith("body: the request body is larger than")
    assert _stored(small_api) == 0


def test_a_week_with_more_fathers_than_the_limit_is_422_naming_fathers(small_api: Api) -> None:
    """Six fathers where five are allowed: 422 naming fathers and the limit, on POST and PUT."""
    headers = small_api.headers("planner")
    answer = small_api.client.post("/v1/problems", json=one_slot_data(6), headers=headers)
    assert answer.status_code == 422
    message = "fathers: 6 fathers, more than the limit of 5 in one week"
    assert answer.json() == {"detail": message, "errors": [message]}
    assert _stored(small_api) == 0
    assert small_api.client.post("/v1/problems", json=one_slot_data(5), headers=headers).is_success
    again = small_api.client.put(
        "/v1/problems/one-slot-2027-W05", json=one_slot_data(6), headers=headers
    )
    assert (again.status_code, again.json()["errors"]) == (422, [message])


def _deadlock_table(database: Database) -> None:
    with database.write() as session:
        session.execute(text("CREATE TABLE pair (id integer PRIMARY KEY, n integer)"))
        session.execute(text("INSERT INTO pair VALUES (1, 0), (2, 0)"))


@pytest.mark.postgres
def test_a_real_deadlock_is_retried_and_both_transactions_commit(postgres_url: str) -> None:
    """Two writers locking two rows in opposite orders: PostgreSQL aborts one, it runs again."""
    database = Database(postgres_url)
    _deadlock_table(database)
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts: list[int] = []

    def writer(first: int, second: int) -> None:
        def work(session: Session) -> None:
            attempts.append(first)
            session.execute(text("UPDATE pair SET n = n + 1 WHERE id = :id"), {"id": first})
            if attempts.count(first) == 1:
                both_hold_one.wait()
            session.execute(text("UPDATE pair SET n = n + 1 WHERE id = :id"), {"id": second})

        database.transact(work, retries=3)

    threads = [threading.Thread(target=writer, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with database.read() as session:
        counts = {i: n for i, n in session.execute(text("SELECT id, n FROM pair"))}
    database.dispose()
    assert counts == {1: 2, 2: 2}
    assert sorted(attempts) == [1, 1, 2] or sorted(attempts) == [1, 2, 2]


@pytest.mark.postgres
def test_a_write_that_keeps_meeting_a_held_lock_is_503_with_retry_after(postgres_url: str) -> None:
    """An allocation that cannot get its week's lock within the lock timeout: 503, nothing kept."""
    url = postgres_url + "%20-clock_timeout%3D200"
    for api in make_api(url, database_retries=1):
        data = one_slot_data(2)
        api.publish(data, empty_roster(data))
        outside = Database(url)
        body = {
            "institution": "PI-VH",
            "week": "2027-W05",
            "father": "F-001",
            "activity": "family_room_visit",
            "earliest": "2027-02-06T10:00:00+01:00",
            "latest": "2027-02-06T12:00:00+01:00",
        }
        with outside.write() as session:
            session.execute(text("SELECT * FROM publications FOR UPDATE"))
            answer = api.client.post("/v1/allocations", json=body, headers=api.headers("system"))
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "1"
        assert answer.json()["detail"].startswith("the database is busy (OperationalError)")
        listed = api.client.get(
            "/v1/allocations?institution=PI-VH&week=2027-W05", headers=api.headers("system")
        )
        assert listed.json() == []
        again = api.client.post("/v1/allocations", json=body, headers=api.headers("system"))
        assert again.status_code == 201
        outside.dispose()


def test_only_deadlocks_and_busy_databases_count_as_retriable(tmp_path: Path) -> None:
    """A unique-constraint failure is not retried; a locked SQLite file is."""
    import sqlite3

    from sqlalchemy.exc import IntegrityError, OperationalError

    locked = OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    duplicate = IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    assert (is_retriable(locked), is_retriable(duplicate)) == (True, False)
    assert str(DatabaseBusy(locked)).startswith("the database is busy (OperationalError)")
