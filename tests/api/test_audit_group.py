"""Audit entries committed together (``api.audit.GroupWriter``): stored before the caller
returns, every caller's, and none when the batch's transaction fails."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from api.audit import GroupWriter
from api.database import Database
from api.group_commit import GroupCommit
from api.tables import AuditEntry

CALLERS = 24


def _stored(database: Database) -> set[str]:
    with database.read() as session:
        return {e.object_id for e in session.query(AuditEntry).all()}


@pytest.fixture
def database(tmp_path: Path) -> Database:
    found = Database(f"sqlite:///{tmp_path}/audit.db")
    found.upgrade()
    return found


def test_every_caller_finds_its_entry_stored_when_it_returns(database: Database) -> None:
    """Callers at once each return only after their own entry is committed."""
    writer = GroupWriter(GroupCommit(lambda work: database.transact(work)))
    seen: dict[str, bool] = {}
    start = threading.Barrier(CALLERS)

    def one(number: int) -> None:
        start.wait()
        writer.record(None, "allocation.refused", "father", f"F-{number:03d}", ["PI-VH"], "x")
        seen[f"F-{number:03d}"] = f"F-{number:03d}" in _stored(database)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {f"F-{n:03d}": True for n in range(CALLERS)}
    assert len(_stored(database)) == CALLERS


def test_a_failed_batch_raises_for_its_callers_and_stores_nothing(database: Database) -> None:
    """When the batch's transaction fails, its caller gets the error and nothing is stored;
    the next entry is written as usual."""
    failing = [True]

    def transact(work: Callable[[Session], None]) -> None:
        def broken(session: Session) -> None:
            work(session)
            if failing[0]:
                raise RuntimeError("disk full")

        database.transact(broken)

    writer = GroupWriter(GroupCommit(transact))
    with pytest.raises(RuntimeError, match="disk full"):
        writer.record(None, "allocation.refused", "father", "F-001", ["PI-VH"])
    assert _stored(database) == set()
    failing[0] = False
    writer.record(None, "allocation.refused", "father", "F-002", ["PI-VH"])
    assert _stored(database) == {"F-002"}
