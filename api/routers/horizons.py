"""``/v1/horizons``: plan a stored week and the weeks after it; each week a draft of its own."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from api import audit
from api.deps import Caller, ServicesDep, allow, allowed_job, allowed_problem
from api.horizon import HORIZON_JOB, following_rows, view
from api.jobs import LIVE_STATES
from api.keys import PLAN, READ
from api.outcomes import with_history
from api.routers.rosters import _with_pins as pinned_week
from api.tables import JobRow, utcnow
from scheduler.domain import ProblemError
from scheduler.ids import Id

router = APIRouter(prefix="/horizons", tags=["rosters"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
    404: {"description": "no such horizon job"},
}


class HorizonRequest(BaseModel):
    """A plan of a stored week and the weeks after it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"problem_id": "tiny-2027-W05", "weeks": 4}]},
    )

    problem_id: Id = Field(description="the stored first week")
    weeks: int = Field(ge=1, le=4, description="how many weeks, the first included (1 to 4)")
    mode: Literal["held", "together"] = Field(
        default="held", description="week by week with the earlier held, or together"
    )
    time_limit: float | None = Field(
        default=None, gt=0, le=3600, description="seconds per week's solve (default: the setting)"
    )
    seconds: float | None = Field(
        default=None,
        gt=0,
        le=4 * 3600,
        description="the whole plan's seconds: each solve has its share of what is left, "
        "at most time_limit (default: no limit but time_limit per solve)",
    )
    workers: int | None = Field(default=None, ge=1, le=16, description="CP-SAT workers")
    deterministic: bool = Field(default=False, description="same answer on every run")


def _job(session: Any, caller: Caller, job_id: str, action: str) -> JobRow:
    return allowed_job(session, caller, job_id, HORIZON_JOB, f"horizon '{job_id}'", action)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a horizon job: the week and the next ones, each stored as its own draft roster",
    responses={
        **ERRORS,
        404: {"description": "no such week"},
        422: {"description": "a bad field, or 'together' for one week"},
        429: {"description": "the job queue is full, in total or for this key (see Retry-After)"},
    },
)
def start(caller: Caller, services: ServicesDep, request: HorizonRequest) -> dict[str, Any]:
    """Give the queued job; publish each week's roster with POST /v1/rosters/{id}/publish."""
    allow(caller, PLAN, [], "planning weeks ahead")
    settings = services.settings
    with services.database.write() as session:
        first = allowed_problem(session, caller, request.problem_id, PLAN)
        if request.mode == "together" and request.weeks == 1:
            raise ProblemError(["mode: 'together' plans two weeks or more; one week is 'held'"])
        rows = [first, *following_rows(session, first, request.weeks)]
        problem = services.parsed.problem(first)
        pinned = pinned_week(services, session, first, [])
        problems = [with_history(session, services.parsed, pinned, problem, utcnow())]
        problems += [row.data for row in rows[1:]]
        params = {
            "weeks": request.weeks,
            "mode": request.mode,
            "time_limit": request.time_limit or settings.solve_time_limit,
            "seconds": request.seconds,
            "workers": request.workers or settings.solve_workers,
            "deterministic": request.deterministic,
            "given": [row.id for row in rows],
        }
        job_id = services.runner.create(
            session, HORIZON_JOB, params, problem_id=first.id,
            institutions=first.institutions, key_id=caller.key_id,
        )  # fmt: skip
        audit.record(
            session, caller, "horizon.start", "horizon", job_id, first.institutions,
            f"problem {first.id}, {request.weeks} weeks ({request.mode})",
        )  # fmt: skip
    services.runner.start(job_id, {**params, "problems": problems})
    with services.database.read() as session:
        return view(_job(session, caller, job_id, READ))


@router.get("/{horizon_id}", summary="A horizon job's state and, once done, each week's draft")
def read(caller: Caller, services: ServicesDep, horizon_id: Id) -> dict[str, Any]:
    """Give the job: per week its problem id, roster id (publishable) and headline figures."""
    with services.database.read() as session:
        return view(_job(session, caller, horizon_id, READ))


@router.delete(
    "/{horizon_id}",
    summary="Cancel a queued or running horizon job",
    responses={**ERRORS, 409: {"description": "the job has already ended"}},
)
def cancel(caller: Caller, services: ServicesDep, horizon_id: Id) -> dict[str, Any]:
    """Give the cancelled job."""
    with services.database.read() as session:
        state = _job(session, caller, horizon_id, PLAN).state
    if state not in LIVE_STATES or not services.runner.cancel(horizon_id):
        raise HTTPException(status.HTTP_409_CONFLICT, f"horizon '{horizon_id}' has already ended")
    with services.database.read() as session:
        return view(_job(session, caller, horizon_id, PLAN))
