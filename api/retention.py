"""Retention: weeks past the retention period go, with their rosters, allocations and audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api import audit
from api.tables import Allocation, JobRow, OutcomeRow, ProblemRow, Publication, utcnow


@dataclass(frozen=True)
class Purged:
    """What a purge deleted."""

    weeks: int
    rosters: int
    publications: int
    allocations: int
    audit_entries: int


def cutoff_week_start(days: int, now: datetime | None = None) -> date:
    """Give the first Monday whose week is kept: weeks ending more than ``days`` ago go."""
    today = (now or utcnow()).date()
    return today - timedelta(days=days) - timedelta(days=7)


def purge(session: Session, days: int, now: datetime | None = None) -> Purged:
    """Give the counts deleted: every week that ended more than ``days`` days ago, and its data.

    Rosters, publications, allocations, claims and idempotent answers of those
    weeks go with them (the foreign keys cascade); audit entries older than
    the period go too, and so do the outcomes recorded of occurrences in those
    weeks. The purge itself is written to the audit log.
    """
    if days < 0:
        raise ValueError(f"older-than: {days} is negative")
    now = now or utcnow()
    cutoff = cutoff_week_start(days, now)
    old = select(ProblemRow.id).where(ProblemRow.week_start < cutoff)
    ids = list(session.scalars(old))

    def count(model: type, column: object) -> int:
        query = select(func.count()).select_from(model).where(column.in_(ids))  # type: ignore[attr-defined]
        return int(session.scalar(query) or 0)

    found = Purged(
        weeks=len(ids),
        rosters=count(JobRow, JobRow.problem_id),
        publications=count(Publication, Publication.problem_id),
        allocations=count(Allocation, Allocation.problem_id),
        audit_entries=audit.purge_before(session, now - timedelta(days=days)),
    )
    session.execute(delete(ProblemRow).where(ProblemRow.id.in_(ids)))
    first_kept = datetime.combine(cutoff, time(0, 0), tzinfo=UTC)
    session.execute(delete(OutcomeRow).where(OutcomeRow.start < first_kept))
    audit.record(
        session,
        None,
        "purge",
        "retention",
        f"older than {days} days",
        [],
        f"weeks before {cutoff.isoformat()}: {found}",
    )
    return found
