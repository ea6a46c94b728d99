"""Writes of one service process committed together (group commit), each answered after it.

On booking day most of a service's writes are small: a placement, a
cancellation, the audit entry of a refusal. Each in a transaction of its
own queues for the database's writer (on SQLite one at a time for every
process), and on a loaded machine the hand-over of that lock costs more
than the write. ``GroupCommit`` writes everything that waits at one moment
in one transaction: a caller whose write arrives while no batch is being
written writes every write waiting then; the others wait for the batch
that holds theirs. Each caller returns only once its write is committed,
with what its work gave, or raises what its work raised.

Each work of a batch of several runs in a savepoint of its own, so a work that fails (a refusal
found under the week's lock, a claim the unique constraint refuses) leaves
nothing behind and the others still commit. Rows queued with ``insert``
(audit entries) are written in one executemany statement per table. A
retriable database error (a deadlock, a locked file) runs the whole batch
again; any other error of the batch's transaction is raised to every
caller in it.

A batch holds at most one work per *key* (the stored week a booking
changes): the booked copy of a week (``api.bookings``) takes in a change
only after its commit, so two changes of one week never share a
transaction; the second waits for the next batch. Works with different
keys run in the order of their keys, so that PostgreSQL's row locks of two
processes' batches are taken in one order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.database import is_retriable, on_commit, on_rollback

Result = TypeVar("Result")
Transact = Callable[[Callable[[Session], None]], None]
# The most works one batch holds; the rest wait for the next one.
BATCH_WORKS = 64


class _Write(Generic[Result]):
    def __init__(
        self,
        work: Callable[[Session], Result] | None,
        key: str | None,
        insert: tuple[Insert, dict[str, Any]] | None = None,
    ) -> None:
        self.work, self.key, self.insert = work, key, insert
        self.woken: threading.Condition | None = None
        self.done = False
        self.result: Result | None = None
        self.error: BaseException | None = None

    def answer(self) -> Result:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class GroupCommit:
    """Writes waiting at the same moment, committed in one transaction of ``transact``."""

    def __init__(self, transact: Transact) -> None:
        self._transact = transact
        self._lock = threading.Lock()
        self._waiting: list[_Write[Any]] = []
        self._writing = False

    def run(self, work: Callable[[Session], Result], key: str | None = None) -> Result:
        """Give what ``work`` gave once it is committed (with whatever else waits now).

        Call it outside any write transaction: the batch may be this caller's to write.
        """
        return self._wait(_Write(work, key))

    def insert(self, statement: Insert, row: dict[str, Any]) -> None:
        """Store one row (with the rows of the same statement waiting now, in one statement)."""
        self._wait(_Write[None](None, None, (statement, row)))

    def _wait(self, mine: _Write[Result]) -> Result:
        # Each caller sleeps on a condition of its own: a batch written wakes its callers and
        # the first caller still waiting (to write the next batch), not every caller waiting.
        woken = mine.woken = threading.Condition(self._lock)
        with self._lock:
            self._waiting.append(mine)
        while True:
            with self._lock:
                while not mine.done and self._writing:
                    woken.wait()
                if mine.done:
                    return mine.answer()
                batch = self._take()
                self._writing = True
            self._write(batch)

    def _take(self) -> list[_Write[Any]]:
        """Give the next batch: the waiting writes in order, one a key, and leave the rest."""
        batch: list[_Write[Any]] = []
        keys: set[str] = set()
        left: list[_Write[Any]] = []
        for write in self._waiting:
            if len(batch) >= BATCH_WORKS or (write.key is not None and write.key in keys):
                left.append(write)
                continue
            if write.key is not None:
                keys.add(write.key)
            batch.append(write)
        self._waiting = left
        return batch

    def _write(self, batch: list[_Write[Any]]) -> None:
        error: BaseException | None = None
        try:
            self._transact(lambda session: _run_batch(session, batch))
        except BaseException as failure:
            error = failure
        with self._lock:
            self._writing = False
            for write in batch:
                write.done = True
                if error is not None:
                    write.error = error
                _wake(write)
            if self._waiting:
                _wake(self._waiting[0])


def _wake(write: _Write[Any]) -> None:
    if write.woken is not None:
        write.woken.notify()


def _run_batch(session: Session, batch: list[_Write[Any]]) -> None:
    rows: dict[Insert, list[dict[str, Any]]] = {}
    for write in batch:
        write.result, write.error = None, None
        if write.insert is not None:
            rows.setdefault(write.insert[0], []).append(write.insert[1])
    for statement, found in rows.items():
        session.execute(statement, found)
    works = [write for write in batch if write.work is not None]
    if len(batch) == 1 and works:
        # Alone in its transaction, a work needs no savepoint: its failure rolls back the whole.
        works[0].result = _work(works[0])(session)
        return
    for write in sorted(works, key=lambda w: w.key or ""):
        _run_one(session, write)


def _work(write: _Write[Result]) -> Callable[[Session], Result]:
    assert write.work is not None
    return write.work


def _run_one(session: Session, write: _Write[Any]) -> None:
    """Run one work in a savepoint; a failure rolls back its writes, drops the steps it
    queued for the commit and takes the steps it queued for a rollback."""
    work = _work(write)
    committed, undone = on_commit(session), on_rollback(session)
    marks = len(committed), len(undone)
    try:
        with session.begin_nested():
            write.result = work(session)
    except Exception as failure:
        if isinstance(failure, DBAPIError) and is_retriable(failure):
            raise
        write.error = failure
        del committed[marks[0] :]
        steps = undone[marks[1] :]
        del undone[marks[1] :]
        for step in steps:
            step()
