"""``/v1/allocations``: single slots for other systems, into the published roster.

The semantics are those of docs/design.md section 6.

``POST`` places one occurrence without moving any published assignment: 201
with the assignment, or 409 with every reason and up to three alternatives
that each pass every check now. With ``"hold": true`` the slot is held for a
few minutes until ``POST .../confirm``; ``DELETE`` cancels (twice is no
error). The same ``Idempotency-Key`` replays the first answer with 200. A
refused or failed request leaves nothing behind.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit, outbox
from api.allocations import (
    AllocationNotFound,
    AllocationRequest,
    Outcome,
    Planned,
    allocate,
    cancel,
    confirm,
    get_allocation,
    plan,
    view,
)
from api.deps import Caller, ServicesDep, allow
from api.errors import Refusal
from api.examples import ASSIGNMENT, REFUSAL
from api.keys import ALLOCATE, READ
from api.tables import Allocation, utcnow
from scheduler.domain import ProblemError
from scheduler.ids import Id, Text, WeekName

router = APIRouter(prefix="/allocations", tags=["allocations"])

ALLOCATION_EXAMPLE = {
    "id": "0f5b7e4e-0d5c-4a43-9c55-3d7f0b0c2d11",
    "state": "confirmed",
    "institution": "PI-VH",
    "week": "2027-W05",
    "father": "F-001",
    "activity": "family_room_visit",
    "assignment": ASSIGNMENT,
    "hold_expires_at": None,
    "created_at": "2027-01-29T10:00:00+00:00",
    "confirmed_at": "2027-01-29T10:00:00+00:00",
    "cancelled_at": None,
}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
    404: {"description": "no such allocation, or nothing published for the institution and week"},
    503: {"description": "the database stayed busy (deadlocks, locks); nothing was written"},
}
CONFLICT = "another request took the same slot at the same moment; try again"
REFUSED: dict[str, Any] = {
    "model": Refusal,
    "description": "refused: every reason, and up to three alternatives that fit now",
    "content": {"application/json": {"example": REFUSAL}},
}
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]+$"
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="the same key replays the first answer (200) and creates nothing new",
    ),
]


class _Refused(Exception):
    """Leaves the transaction so that a refusal writes nothing."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.body.get("detail", "refused"))
        self.outcome = outcome


def _answer(outcome: Outcome) -> JSONResponse:
    return JSONResponse(status_code=outcome.status, content=outcome.body)


def _conflict() -> JSONResponse:
    # Only reached if two requests slipped past the week's lock: the claims' unique
    # constraint refused the second, and its transaction wrote nothing.
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={
            "detail": CONFLICT,
            "errors": [CONFLICT],
            "reasons": ["conflict"],
            "alternatives": [],
        },
    )


def _missing(error: AllocationNotFound) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, str(error))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Place (or hold) one occurrence in the published roster",
    responses={
        **ERRORS,
        201: {"content": {"application/json": {"example": ALLOCATION_EXAMPLE}}},
        200: {"description": "a replay of the first answer to this Idempotency-Key"},
        409: REFUSED,
        422: {"description": "bad request: the field is named (unknown father, window, key reuse)"},
    },
)
def create(
    caller: Caller,
    services: ServicesDep,
    request: AllocationRequest,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Give 201 and the allocation, 200 on a replay, or 409 with reasons and alternatives."""
    allow(caller, ALLOCATE, [request.institution], f"{request.institution} {request.week}")
    database = services.database
    # Where it fits is found first in a read, so the week's lock is held only to book it. The
    # read needs no snapshot: the week's version is read before what changed since (the booked
    # copy is never behind the version it says), and a placement is booked under the lock.
    try:
        with database.read_one() as session:
            planned = plan(session, services.parsed, caller, request, idempotency_key, utcnow())
    except AllocationNotFound as error:
        raise _missing(error) from None

    def place(session: Session) -> Outcome:
        outcome = allocate(
            session,
            services.parsed,
            caller,
            request,
            idempotency_key,
            services.settings.hold_minutes,
            utcnow(),
            planned if isinstance(planned, Planned) else None,
        )
        if outcome.status == status.HTTP_409_CONFLICT:
            raise _Refused(outcome)
        if outcome.status == status.HTTP_201_CREATED:
            if outcome.body.get("state") == "confirmed":
                _tell(session, "allocation.confirmed", outcome.body, {})
            audit.record(
                session,
                caller,
                "allocation.create",
                "allocation",
                outcome.body["id"],
                [request.institution],
                f"{request.father} {request.activity}",
            )
        return outcome

    try:
        if isinstance(planned, Outcome):
            if planned.status != status.HTTP_409_CONFLICT:
                return _answer(planned)
            raise _Refused(planned)
        # Committed with the other writes of this process waiting now, one booking a week.
        outcome = services.writes.run(place, key=planned.key[0])
    except _Refused as refused:
        # A refusal writes nothing but its audit entry, committed with those of other refusals.
        outcome = refused.outcome
        services.audits.record(
            caller,
            "allocation.refused",
            "father",
            request.father,
            [request.institution],
            f"{request.activity}: {', '.join(outcome.body['reasons'])}",
        )
    except AllocationNotFound as error:
        raise _missing(error) from None
    except IntegrityError:
        return _conflict()
    return _answer(outcome)


@router.get("", summary="Allocations of an institution and week (audited)", responses=ERRORS)
def list_allocations(
    caller: Caller,
    services: ServicesDep,
    institution: Annotated[Id, Query(description="institution id")],
    week: Annotated[WeekName, Query(description="ISO week, e.g. 2027-W05")],
    state: Annotated[Id | None, Query(description="held, confirmed or cancelled")] = None,
) -> list[dict[str, Any]]:
    """Give every allocation of the institution and week, oldest first."""
    allow(caller, READ, [institution], f"{institution} {week}")
    query = (
        select(Allocation)
        .where(Allocation.institution == institution, Allocation.week == week)
        .order_by(Allocation.created_at, Allocation.id)
    )
    if state is not None:
        query = query.where(Allocation.state == state)
    now = utcnow()
    with services.database.read() as session:
        found = [view(row, now) for row in session.scalars(query)]
    with services.database.write() as session:
        audit.record_read(
            session,
            caller,
            "allocation.list",
            "publication",
            f"{institution} {week}",
            {institution: [item["father"] for item in found]},
        )
    return found


def _scoped(caller: Caller, services: ServicesDep, allocation_id: str, action: str) -> Allocation:
    with services.database.read() as session:
        try:
            row = get_allocation(session, allocation_id)
        except AllocationNotFound as error:
            raise _missing(error) from None
    allow(caller, action, [row.institution], f"allocation '{allocation_id}'")
    return row


@router.get(
    "/{allocation_id}",
    summary="One allocation (audited)",
    responses={**ERRORS, 200: {"content": {"application/json": {"example": ALLOCATION_EXAMPLE}}}},
)
def read(caller: Caller, services: ServicesDep, allocation_id: Id) -> dict[str, Any]:
    """Give the allocation; a hold past its time shows as ``expired``."""
    row = _scoped(caller, services, allocation_id, READ)
    with services.database.write() as session:
        audit.record_read(
            session,
            caller,
            "allocation.read",
            "allocation",
            row.id,
            {row.institution: [row.father]},
        )
    return view(row)


@router.post(
    "/{allocation_id}/confirm",
    summary="Confirm a held slot (re-checked; an expired hold still succeeds if the slot is free)",
    responses={**ERRORS, 409: REFUSED},
)
def confirm_hold(caller: Caller, services: ServicesDep, allocation_id: Id) -> JSONResponse:
    """Give 200 and the confirmed allocation, or 409 (``hold_expired``) with alternatives."""
    _scoped(caller, services, allocation_id, ALLOCATE)

    def decide(session: Session) -> Outcome:
        row = get_allocation(session, allocation_id)
        outcome = confirm(session, services.parsed, row, utcnow())
        if outcome.status == status.HTTP_409_CONFLICT:
            raise _Refused(outcome)
        _tell(session, "allocation.confirmed", outcome.body, {})
        audit.record(
            session,
            caller,
            "allocation.confirm",
            "allocation",
            row.id,
            [row.institution],
            row.father,
        )
        return outcome

    try:
        outcome = services.database.transact(decide, services.settings.database_retries)
    except _Refused as refused:
        outcome = refused.outcome
    except AllocationNotFound as error:
        raise _missing(error) from None
    except IntegrityError:
        return _conflict()
    return _answer(outcome)


@router.delete(
    "/{allocation_id}",
    summary="Cancel an allocation or hold; its capacity is free at once (twice is no error)",
    responses={
        **ERRORS,
        200: {"content": {"application/json": {"example": ALLOCATION_EXAMPLE}}},
        422: {"description": "a planner cancelling gives no reason"},
    },
)
def cancel_allocation(
    caller: Caller,
    services: ServicesDep,
    allocation_id: Id,
    reason: Annotated[
        Text | None,
        Query(max_length=200, description="why (required of a planner; its system is told)"),
    ] = None,
) -> JSONResponse:
    """Give 200 and the cancelled allocation; its system hears ``allocation.cancelled``."""
    row = _scoped(caller, services, allocation_id, ALLOCATE)
    if row.state != "cancelled" and caller.role == "planner" and not (reason or "").strip():
        raise ProblemError(
            [f"reason: a planner cancelling allocation '{allocation_id}' must say why"]
        )

    def withdraw(session: Session) -> Outcome:
        row = get_allocation(session, allocation_id)
        was = row.state
        outcome = cancel(session, services.parsed, row, utcnow())
        if was != "cancelled":
            extra = {"reason": reason, "cancelled_by": caller.name, "by_role": caller.role}
            _tell(session, "allocation.cancelled", outcome.body, extra)
        audit.record(
            session,
            caller,
            "allocation.cancel",
            "allocation",
            row.id,
            [row.institution],
            f"{row.father}: {reason}" if reason else row.father,
        )
        return outcome

    # Committed with the other writes of this process waiting now, one change a week.
    return _answer(services.writes.run(withdraw, key=row.problem_id))


def _tell(session: Any, notice: str, body: dict[str, Any], extra: dict[str, Any]) -> None:
    """Write the notice of an allocation's change for its institution's subscriptions."""
    outbox.notify(session, [body["institution"]], notice, {"allocation": body, **extra})
