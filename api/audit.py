"""The audit log: every read or change of father data, by key, action, object and time.

A read of father data is written as one entry per institution whose data
was read, naming its fathers, so that each institution's planner sees who
read his fathers, also through a week that spans the region. (Father ids
stay out of the service's logs; this table is where reads are recorded.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from api.keys import Principal
from api.tables import AuditEntry, utcnow

# A batch of entries is written as rows in one executemany statement, without ORM objects.
_INSERT = insert(AuditEntry.metadata.tables[AuditEntry.__tablename__])


def record(
    session: Session,
    who: Principal | None,
    action: str,
    object_type: str,
    object_id: str,
    institutions: Iterable[str],
    detail: str = "",
) -> AuditEntry:
    """Give the audit entry added to the session (it commits with the session's transaction)."""
    entry = AuditEntry(**_columns(who, action, object_type, object_id, institutions, detail))
    session.add(entry)
    return entry


def _columns(
    who: Principal | None,
    action: str,
    object_type: str,
    object_id: str,
    institutions: Iterable[str],
    detail: str,
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "key_id": who.key_id if who else None,
        "key_name": who.name if who else "command line",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "institutions": sorted(set(institutions)),
        "detail": detail,
    }


class GroupWriter:
    """Audit entries of requests that write nothing else, committed together (group commit).

    A caller whose entry arrives while no batch is being written writes every
    entry waiting then, in one transaction of its own; the others wait for the
    batch that holds theirs. Each caller returns only once its entry is
    committed (or raises the batch's error), so an answer is never given
    before its audit entry is stored, and one write transaction serves many
    requests.
    """

    def __init__(self, transact: Callable[[Callable[[Session], None]], None]) -> None:
        self._transact = transact
        self._changed = threading.Condition()
        self._waiting: list[_Pending] = []
        self._writing = False

    def record(
        self,
        who: Principal | None,
        action: str,
        object_type: str,
        object_id: str,
        institutions: Iterable[str],
        detail: str = "",
    ) -> None:
        """Store one audit entry, with whatever other entries wait at the same moment.

        Call it outside any write transaction: the batch may be this caller's to write.
        """
        mine = _Pending(_columns(who, action, object_type, object_id, institutions, detail))
        with self._changed:
            self._waiting.append(mine)
            while not mine.done and self._writing:
                self._changed.wait()
            if mine.done:
                mine.check()
                return
            batch, self._waiting, self._writing = self._waiting, [], True
        error: BaseException | None = None
        try:
            self._transact(lambda session: _insert(session, [p.columns for p in batch]))
        except BaseException as failure:
            error = failure
        with self._changed:
            for pending in batch:
                pending.done, pending.error = True, error
            self._writing = False
            self._changed.notify_all()
        mine.check()


class _Pending:
    def __init__(self, columns: dict[str, Any]) -> None:
        self.columns = columns
        self.done = False
        self.error: BaseException | None = None

    def check(self) -> None:
        if self.error is not None:
            raise self.error


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(_INSERT, rows)


def record_read(
    session: Session,
    who: Principal | None,
    action: str,
    object_type: str,
    object_id: str,
    fathers: Mapping[str, Iterable[str]],
    detail: str = "",
) -> list[AuditEntry]:
    """Give the entries of one read: one per institution read, naming the fathers read there."""
    found = []
    for institution, ids in sorted(fathers.items()):
        named = ", ".join(sorted(set(ids)))
        text = "; ".join(part for part in (detail, f"fathers {named}" if named else "") if part)
        found.append(record(session, who, action, object_type, object_id, [institution], text))
    return found


def entries(
    session: Session,
    who: Principal,
    *,
    since: datetime | None = None,
    object_id: str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Give the newest audit entries the key's scope covers, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    found: list[AuditEntry] = []
    # Scope is a JSON list, so filtering happens here; batches keep memory flat.
    for entry in session.scalars(query.execution_options(yield_per=500)):
        if who.covers(entry.institutions):
            found.append(entry)
            if len(found) >= limit:
                break
    return found


def purge_before(session: Session, cutoff: datetime) -> int:
    """Give how many audit entries older than the cutoff were deleted."""
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
