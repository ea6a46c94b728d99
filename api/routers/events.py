"""``/v1/events``: record events of a running week (one or a batch) and list them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, status
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from api import audit
from api.deps import Caller, ServicesDep, allow, field_path
from api.events import EventConflict, fathers_named, record, view
from api.keys import PLAN, READ
from api.tables import EventRow, utcnow
from scheduler.domain import ProblemError
from scheduler.events import EVENT_TYPES, Event
from scheduler.ids import Id

router = APIRouter(prefix="/events", tags=["events"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
}
EXAMPLE = {
    "type": "time_out",
    "at": "2027-02-03T10:00:00+01:00",
    "father": "F-001",
    "reason": "rule violation on the wing",
}
_EVENTS = TypeAdapter(list[Event])


def parse_events(body: Any) -> list[Event]:
    """Give the events of a body (one event or a list), or 422 naming each bad field."""
    items = body if isinstance(body, list) else [body]
    if not items:
        raise ProblemError(["events: the batch is empty"])
    try:
        return _EVENTS.validate_python(items)
    except ValidationError as error:
        messages = [
            f"{field_path(('events', *item['loc']))}: {item['msg']}" for item in error.errors()
        ]
        raise ProblemError(messages) from None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record one event or a batch: stored, applied to the weeks it touches, flags given",
    responses={
        **ERRORS,
        409: {"description": "an event id is already recorded"},
        422: {"description": "a bad field, an unknown father or room, a moment outside every week"},
    },
)
def record_events(
    caller: Caller,
    services: ServicesDep,
    body: Annotated[Any, Body(examples=[EXAMPLE, [EXAMPLE]])],
) -> dict[str, Any]:
    """Give the recorded events, the weeks they changed and what is now flagged in them."""
    allow(caller, PLAN, [], "recording events")
    events = parse_events(body)
    with services.database.write() as session:
        try:
            recorded = record(session, services.parsed, caller, events, utcnow())
        except EventConflict as conflict:
            raise HTTPException(status.HTTP_409_CONFLICT, str(conflict)) from None
        allow(caller, PLAN, recorded.institutions, "these events")
        return {
            "events": [view(row) for row in recorded.events],
            "weeks": [{"problem_id": row.id, "revision": row.revision} for row in recorded.weeks],
            "flagged": recorded.flagged,
        }


@router.get("", summary="Events the key may see, newest moment first (audited)", responses=ERRORS)
def list_events(
    caller: Caller,
    services: ServicesDep,
    institution: Annotated[Id | None, Query(description="only events at this institution")] = None,
    problem_id: Annotated[Id | None, Query(description="only events applied to this week")] = None,
    type: Annotated[Id | None, Query(description="only this event type")] = None,
    subject: Annotated[Id | None, Query(description="only about this father, room, ...")] = None,
    since: Annotated[datetime | None, Query(description="moments from")] = None,
    until: Annotated[datetime | None, Query(description="moments before")] = None,
) -> list[dict[str, Any]]:
    """Give each event with who recorded it, when, and the weeks it applied to."""
    allow(caller, READ, [institution] if institution else [], "listing events")
    if type is not None and type not in EVENT_TYPES:
        raise ProblemError([f"type: unknown event type '{type}' ({', '.join(EVENT_TYPES)})"])
    query = select(EventRow).order_by(EventRow.at.desc(), EventRow.id)
    if type is not None:
        query = query.where(EventRow.type == type)
    if subject is not None:
        query = query.where(EventRow.subject == subject)
    if since is not None:
        query = query.where(EventRow.at >= since)
    if until is not None:
        query = query.where(EventRow.at < until)
    with services.database.write() as session:
        rows = [
            row
            for row in session.scalars(query)
            if caller.covers(row.institutions)
            and (institution is None or institution in row.institutions)
            and (problem_id is None or problem_id in row.problems)
        ]
        read = fathers_named(session, services.parsed, rows)
        if read:
            audit.record_read(session, caller, "event.list", "event", institution or "*", read)
        else:
            audit.record(session, caller, "event.list", "event", institution or "*", [])
        return [view(row) for row in rows]
