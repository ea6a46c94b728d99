"""``/v1/audit``: who read or changed father data (planners, within their institutions)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api import audit
from api.deps import Caller, ServicesDep, allow
from api.keys import PLAN
from scheduler.ids import Text

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "",
    summary="The audit log, newest first (planner keys)",
    responses={
        401: {"description": "no valid API key"},
        403: {"description": "not a planner key"},
        200: {
            "content": {
                "application/json": {
                    "example": [
                        {
                            "at": "2027-02-01T09:12:00+00:00",
                            "key_id": 3,
                            "key_name": "booking system",
                            "action": "allocation.create",
                            "object_type": "allocation",
                            "object_id": "5b0c...",
                            "institutions": ["PI-VH"],
                            "detail": "F-001 family_room_visit",
                        }
                    ]
                }
            }
        },
    },
)
def list_audit(
    caller: Caller,
    services: ServicesDep,
    since: Annotated[
        AwareDatetime | None, Query(description="only entries from this moment")
    ] = None,
    object_id: Annotated[Text | None, Query(description="only entries about this object")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[dict[str, Any]]:
    """Give the audit entries about the key's institutions."""
    allow(caller, PLAN, [], "reading the audit log")
    when: datetime | None = since
    with services.database.read() as session:
        found = audit.entries(session, caller, since=when, object_id=object_id, limit=limit)
        return [
            {
                "at": e.at,
                "key_id": e.key_id,
                "key_name": e.key_name,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "institutions": e.institutions,
                "detail": e.detail,
            }
            for e in found
        ]
