"""``/v1/outcomes``: record what became of published occurrences, and list them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from api import audit
from api.deps import Caller, ServicesDep, allow
from api.keys import ALLOCATE, READ
from api.outcomes import OutcomeRequest, fathers_in, record, stored, view
from api.tables import utcnow
from scheduler.ids import Id, WeekName

router = APIRouter(prefix="/outcomes", tags=["outcomes"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record outcomes of a published week: took place, no show, cancelled (audited)",
    responses={
        **ERRORS,
        200: {"description": "every outcome was already recorded so; nothing changed"},
        422: {
            "description": "a week not published, an unknown assignment, a father not in it, "
            "or an outcome that contradicts one already recorded"
        },
    },
)
def record_outcomes(
    caller: Caller, services: ServicesDep, request: OutcomeRequest, response: Response
) -> dict[str, Any]:
    """Give the batch's outcomes as stored and how many are new."""
    allow(caller, ALLOCATE, [request.institution], f"{request.institution} {request.week}")
    with services.database.write() as session:
        found = record(session, services.parsed, caller, request, utcnow())
        if not found.added:
            response.status_code = status.HTTP_200_OK
        return {"outcomes": [view(row) for row in found.rows], "added": found.added}


@router.get(
    "", summary="The outcomes recorded of an institution's week (audited)", responses=ERRORS
)
def list_outcomes(
    caller: Caller,
    services: ServicesDep,
    institution: Annotated[Id, Query(description="the institution")],
    week: Annotated[WeekName, Query(description="the ISO week, 2027-W05")],
) -> list[dict[str, Any]]:
    """Give each outcome with its assignment, father, activity, start and who recorded it."""
    allow(caller, READ, [institution], f"{institution} {week}")
    with services.database.write() as session:
        rows = stored(session, institution, week)
        audit.record_read(
            session, caller, "outcome.list", "outcome", f"{institution} {week}",
            {institution: fathers_in(rows)},
        )  # fmt: skip
        return [view(row) for row in rows]
