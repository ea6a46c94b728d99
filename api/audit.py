"""The audit log: every read or change of father data, by key, action, object and time.

A read of father data is written as one entry per institution whose data
was read, naming its fathers, so that each institution's planner sees who
read his fathers, also through a week that spans the region. (Father ids
stay out of the service's logs; this table is where reads are recorded.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from api.group_commit import GroupCommit
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

    An entry is written with whatever else waits for the same ``GroupCommit``
    at that moment (other entries in one statement, the placements and
    cancellations of the same process), in one transaction. Each caller returns
    only once its entry is committed (or raises the batch's error), so an
    answer is never given before its audit entry is stored, and one write
    transaction serves many requests.
    """

    def __init__(self, commit: GroupCommit) -> None:
        self._commit = commit

    def record(
        self,
        who: Principal | None,
        action: str,
        object_type: str,
        object_id: str,
        institutions: Iterable[str],
        detail: str = "",
    ) -> None:
        """Store one audit entry, with whatever other writes wait at the same moment.

        Call it outside any write transaction: the batch may be this caller's to write.
        """
        columns = _columns(who, action, object_type, object_id, institutions, detail)
        self._commit.insert(_INSERT, columns)


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
