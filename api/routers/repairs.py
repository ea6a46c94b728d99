"""``/v1/repairs``: propose a repair of a published week from a moment on, and read it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from api import audit
from api.deps import Caller, ServicesDep, allow, allowed_job
from api.keys import PLAN, READ
from api.published import load_week
from api.repairs import RepairRefused, proposal, read_proposal, start
from api.rosters import ROSTER_JOB
from api.tables import JobRow, utcnow
from scheduler.domain import LocalDateTime
from scheduler.ids import Id, WeekName

router = APIRouter(prefix="/repairs", tags=["repairs"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
    404: {"description": "nothing published for the week, or no such repair"},
}


class RepairRequest(BaseModel):
    """A repair of a published week, from a moment on (default: the events since publication)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"institution": "PI-VH", "week": "2027-W05", "time_limit": 10}]
        },
    )

    institution: Id
    week: WeekName
    since: LocalDateTime | None = Field(
        default=None, description="re-plan from here (default: earliest event since publication)"
    )
    time_limit: float | None = Field(default=None, gt=0, le=3600, description="seconds")
    workers: int | None = Field(default=None, ge=1, le=16, description="CP-SAT workers")
    deterministic: bool = Field(default=False, description="same answer on every run")


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a repair solve of a published week (publish it with /v1/rosters/{id}/publish)",
    responses={
        **ERRORS,
        409: {"description": "what is pinned no longer fits the week"},
        422: {"description": "a moment outside the week"},
    },
)
def propose(caller: Caller, services: ServicesDep, request: RepairRequest) -> dict[str, Any]:
    """Give the queued repair; its difference appears once it has solved."""
    allow(caller, PLAN, [request.institution], f"{request.institution} {request.week}")
    settings = services.settings
    params = {
        "time_limit": request.time_limit or settings.solve_time_limit,
        "workers": request.workers or settings.solve_workers,
        "deterministic": request.deterministic,
    }
    now = utcnow()
    what = f"{request.institution} {request.week}"
    with services.database.write() as session:
        week = load_week(session, services.parsed, request.institution, request.week, now)
        if week is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"nothing is published for {what}")
        # A repair re-plans the whole stored week: a region week needs a key for every
        # institution in it, before anything of the request is judged.
        allow(caller, PLAN, week.problem_row.institutions, what)
        try:
            job_id, payload = start(
                session,
                services.parsed,
                services.runner,
                week,
                request.institution,
                request.since,
                params,
                caller.key_id,
                now,
            )
        except RepairRefused as refusal:
            raise HTTPException(refusal.status, refusal.message) from None
        row = session.get(JobRow, job_id)
        assert row is not None
        audit.record(
            session,
            caller,
            "repair.propose",
            "roster",
            job_id,
            row.institutions,
            f"{request.institution} {request.week} from {payload['repair']['since']}",
        )
    services.runner.start(job_id, payload)
    with services.database.read() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        return proposal(session, services.parsed, row)


@router.get(
    "/{repair_id}",
    summary="A repair: its state and, once solved, its difference from the publication",
    responses=ERRORS,
)
def read(caller: Caller, services: ServicesDep, repair_id: Id) -> dict[str, Any]:
    """Give kept, moved, dropped (with reasons), new and staff swaps, and whether it drops any."""
    with services.database.read() as session:
        row = allowed_job(session, caller, repair_id, ROSTER_JOB, f"repair '{repair_id}'", READ)
        if not row.params.get("repair"):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"repair '{repair_id}' does not exist")
        found, read = read_proposal(session, services.parsed, row)
    with services.database.write() as session:
        audit.record_read(session, caller, "repair.read", "roster", row.id, read)
    return found
