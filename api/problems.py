"""Stored weeks (Problems of the data contract): upload, re-upload and summary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from api.bookings import bump
from api.tables import ProblemRow, Publication, utcnow
from scheduler.domain import Problem
from scheduler.week import parse_week


def institutions_of(problem: Problem) -> list[str]:
    """Give the ids of the problem's institutions, sorted."""
    return sorted(item.id for item in problem.institutions)


def summary(row: ProblemRow) -> dict[str, Any]:
    """Give what a list shows of a stored week: no father data, only counts."""
    data = row.data
    return {
        "id": row.id,
        "week": row.week,
        "institutions": row.institutions,
        "revision": row.revision,
        "fathers": len(data.get("fathers", [])),
        "sessions": len(data.get("sessions", [])),
        "rooms": len(data.get("rooms", [])),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def new_row(problem: Problem, data: dict[str, Any]) -> ProblemRow:
    """Give the row that stores a freshly uploaded week."""
    now = utcnow()
    return ProblemRow(
        id=problem.id,
        week=problem.week,
        week_start=parse_week(problem.week),
        institutions=institutions_of(problem),
        data=data,
        revision=1,
        created_at=now,
        updated_at=now,
    )


def replace(row: ProblemRow, problem: Problem, data: dict[str, Any]) -> None:
    """Put a re-uploaded (patched) week in place of the stored one and count the revision."""
    row.week = problem.week
    row.week_start = parse_week(problem.week)
    row.institutions = institutions_of(problem)
    row.data = data
    row.revision += 1
    row.updated_at = utcnow()
    session = object_session(row)
    if session is not None:
        # Every service process's copy of the week's bookings is rebuilt on the new revision.
        bump(session, row.id, epoch=True)


def publications_of(session: Session, problem_id: str) -> list[Publication]:
    """Give the current publications that rest on this week."""
    query = select(Publication).where(Publication.problem_id == problem_id)
    return list(session.scalars(query.order_by(Publication.institution)))
