"""Writes committed together (``api.group_commit.GroupCommit``): each work in a savepoint of
its own, answered after the commit, and never two works of one week in one transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from api.database import Database, on_commit, on_rollback
from api.group_commit import GroupCommit
from api.tables import AuditEntry, utcnow

ROWS = insert(AuditEntry.metadata.tables[AuditEntry.__tablename__])


def _entry(name: str) -> dict[str, object]:
    return {
        "at": utcnow(),
        "key_id": None,
        "key_name": "test",
        "action": "allocation.refused",
        "object_type": "father",
        "object_id": name,
        "institutions": ["PI-VH"],
        "detail": "",
    }


def _stored(database: Database) -> list[str]:
    with database.read() as session:
        return sorted(session.scalars(select(AuditEntry.object_id)))


@pytest.fixture
def database(tmp_path: Path) -> Database:
    found = Database(f"sqlite:///{tmp_path}/group.db")
    found.upgrade()
    return found


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


def test_a_failed_work_leaves_nothing_and_the_rest_of_its_batch_commits(
    database: Database,
) -> None:
    """Three works in one batch: the one that raises gets its error, its row and its
    after-commit step are gone, its after-rollback step is taken; the other two commit."""
    held = Held(database)
    commit = GroupCommit(held)
    taken: list[str] = []
    answers: dict[str, object] = {}

    def work(name: str, fail: bool) -> Callable[[Session], str]:
        def write(session: Session) -> str:
            session.execute(ROWS, [_entry(name)])
            on_commit(session).append(lambda: taken.append(f"committed {name}"))
            on_rollback(session).append(lambda: taken.append(f"undone {name}"))
            if fail:
                raise ValueError(f"refused {name}")
            return name

        return write

    def call(name: str, fail: bool = False) -> None:
        try:
            answers[name] = commit.run(work(name, fail), key=name)
        except ValueError as error:
            answers[name] = str(error)

    first = threading.Thread(target=call, args=("F-000",))
    first.start()
    assert held.entered.wait(10)
    others = [
        threading.Thread(target=call, args=(name, fail))
        for name, fail in (("F-001", False), ("F-002", True), ("F-003", False))
    ]
    for thread in others:
        thread.start()
    while len(commit._waiting) < 3:
        threading.Event().wait(0.01)
    held.release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert answers == {
        "F-000": "F-000",
        "F-001": "F-001",
        "F-002": "refused F-002",
        "F-003": "F-003",
    }
    assert _stored(database) == ["F-000", "F-001", "F-003"]
    assert len(held.batches) == 2
    assert sorted(taken) == [
        "committed F-000",
        "committed F-001",
        "committed F-003",
        "undone F-002",
    ]


def test_two_works_of_one_week_never_share_a_transaction(database: Database) -> None:
    """Works with the same key wait for separate batches; rows queued meanwhile join the first."""
    held = Held(database)
    commit = GroupCommit(held)
    seen: list[tuple[str, int]] = []

    def work(name: str) -> Callable[[Session], None]:
        def write(session: Session) -> None:
            seen.append((name, len(held.batches)))
            session.execute(ROWS, [_entry(name)])

        return write

    first = threading.Thread(target=commit.run, args=(work("warm"), "other week"))
    first.start()
    assert held.entered.wait(10)
    threads = [
        threading.Thread(target=commit.run, args=(work("W05-a"), "W05")),
        threading.Thread(target=commit.run, args=(work("W05-b"), "W05")),
        threading.Thread(target=commit.run, args=(work("W06"), "W06")),
        threading.Thread(target=commit.insert, args=(ROWS, _entry("refused"))),
    ]
    for thread in threads:
        thread.start()
    while len(commit._waiting) < 4:
        threading.Event().wait(0.01)
    held.release.set()
    for thread in [first, *threads]:
        thread.join(10)
    batch = dict(seen)
    assert batch["W05-a"] != batch["W05-b"]
    assert batch["W05-a"] == batch["W06"]
    assert _stored(database) == ["W05-a", "W05-b", "W06", "refused", "warm"]
    assert len(held.batches) == 3
