"""``/v1/whatif``: what-if analysis of a stored week as a job; the table as JSON, charts as PNG."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field

from api import audit
from api.deps import Caller, ServicesDep, allow, allowed_job
from api.jobs import LIVE_STATES
from api.keys import PLAN, READ, Principal
from api.rosters import view
from api.routers.rosters import JobView
from api.tables import JobRow, ProblemRow
from scheduler.domain import parse_problem
from scheduler.ids import Id
from whatif.scenarios import default_scenarios, parse_scenarios

WHATIF_JOB = "whatif"
WHATIF_TARGET = "whatif.sweep:run_job"

router = APIRouter(prefix="/whatif", tags=["whatif"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
    404: {"description": "no such what-if job"},
}


class WhatIfRequest(BaseModel):
    """A what-if analysis of a stored week: scenarios (or the default sweep) and solve options."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "problem_id": "tiny-2027-W05",
                    "scenarios": {
                        "scenarios": [
                            {
                                "name": "second-family-room",
                                "changes": [{"op": "add_room", "like": "VH-FK", "id": "VH-FK2"}],
                            }
                        ],
                        "sweeps": [
                            {
                                "name": "partner-cap",
                                "parameter": "partner_cap_hours",
                                "values": {"from": 18, "to": 72, "step": 9},
                                "changes": [{"op": "set_policy", "partner_cap_hours": "$value"}],
                            }
                        ],
                    },
                    "time_limit": 10,
                }
            ]
        },
    )

    problem_id: Id = Field(description="the stored week to start from (the base)")
    scenarios: dict[str, Any] | None = Field(
        default=None,
        description="a scenario file as JSON (scenarios, sweeps, replications); "
        "None: a second family room and the partner cap from 18 to 72 hours by 9",
    )
    time_limit: float = Field(default=10.0, gt=0, le=600, description="seconds per solve")
    solver_workers: int = Field(default=1, ge=1, le=16, description="CP-SAT workers per solve")
    deterministic: bool = Field(default=False, description="same report on every run")
    seed: int = Field(default=0, description="the solver's seed")


class WhatIfJob(JobView):
    """A what-if job: its state, progress and, once done, the table and the chart names."""

    columns: list[str] | None = None
    table: list[dict[str, Any]] | None = None
    levels_off: dict[str, float | None] | None = None
    every_escort_from: dict[str, float | None] | None = None
    conclusions: dict[str, str] | None = None
    labels: dict[str, str] | None = None
    charts: list[str] | None = None


def _view(row: JobRow) -> dict[str, Any]:
    """Give what the API shows of a what-if job: as a roster job, with the table for a roster."""
    found = view(row, [])
    del found["published"], found["roster"]
    result = row.result or {}
    charts = result.get("charts")
    found.update(
        columns=result.get("columns"),
        table=result.get("table"),
        levels_off=result.get("levels_off"),
        every_escort_from=result.get("every_escort_from"),
        conclusions=result.get("conclusions"),
        labels=result.get("labels"),
        charts=sorted(charts) if charts is not None else None,
        purchases=result.get("purchases"),
    )
    return found


def _job(session: Any, caller: Principal, job_id: str, action: str) -> JobRow:
    """Give the what-if job the caller may ``action`` (404 or 403 otherwise)."""
    return allowed_job(session, caller, job_id, WHATIF_JOB, f"what-if job '{job_id}'", action)


def _check(data: dict[str, Any], scenarios: dict[str, Any] | None) -> None:
    """Refuse (422) a scenario file or scenario that does not apply to the week, before any job."""
    from whatif.sweep import SweepOptions, plan_sweep

    problem = parse_problem(data)
    spec = parse_scenarios(scenarios) if scenarios is not None else default_scenarios(problem)
    plan_sweep(problem, spec, SweepOptions(), 1)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a what-if job (answers at once; poll GET /v1/whatif/{id})",
    response_model=WhatIfJob,
    responses={
        **ERRORS,
        404: {"description": "no such week"},
        422: {"description": "a scenario that does not apply, naming the change"},
        429: {"description": "the job queue is full, in total or for this key (see Retry-After)"},
    },
)
def start(caller: Caller, services: ServicesDep, request: WhatIfRequest) -> dict[str, Any]:
    """Give the queued job; the scenarios are solved one after the other in its own process."""
    allow(caller, PLAN, [], "what-if analysis")
    with services.database.read() as session:
        problem_row = session.get(ProblemRow, request.problem_id)
        if problem_row is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"problem '{request.problem_id}' does not exist"
            )
        allow(caller, PLAN, problem_row.institutions, f"problem '{request.problem_id}'")
        data = problem_row.data
        institutions = problem_row.institutions
    _check(data, request.scenarios)
    options = {
        "time_limit": request.time_limit,
        "solver_workers": request.solver_workers,
        "deterministic": request.deterministic,
        "seed": request.seed,
        "executor": "serial",
    }
    with services.database.write() as session:
        job_id = services.runner.create(
            session,
            WHATIF_JOB,
            {**options, "scenarios": request.scenarios},
            problem_id=request.problem_id,
            institutions=institutions,
            key_id=caller.key_id,
        )
        audit.record(
            session, caller, "whatif.start", "whatif", job_id, institutions, request.problem_id
        )
    services.runner.start(
        job_id, {"problem": data, "scenarios": request.scenarios, "options": options}
    )
    with services.database.read() as session:
        return _view(_job(session, caller, job_id, READ))


@router.get(
    "/{job_id}",
    summary="A what-if job's state, progress and, once done, its table",
    response_model=WhatIfJob,
    responses=ERRORS,
)
def read(caller: Caller, services: ServicesDep, job_id: Id) -> dict[str, Any]:
    """Give the job as it stands now."""
    with services.database.read() as session:
        return _view(_job(session, caller, job_id, READ))


@router.get(
    "/{job_id}/charts/{name}",
    summary="One chart of a finished what-if job, as PNG",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"image/png": {}}}},
)
def chart(caller: Caller, services: ServicesDep, job_id: Id, name: Id) -> Response:
    """Give the PNG of one chart (names are listed in the job's ``charts``)."""
    with services.database.read() as session:
        row = _job(session, caller, job_id, READ)
        charts = (row.result or {}).get("charts") or {}
    if name not in charts:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"what-if job '{job_id}' has no chart '{name}'"
        )
    return Response(base64.b64decode(charts[name]), media_type="image/png")


@router.delete(
    "/{job_id}",
    summary="Cancel a queued or running what-if job",
    response_model=WhatIfJob,
    responses={**ERRORS, 409: {"description": "the job has already ended"}},
)
def cancel(caller: Caller, services: ServicesDep, job_id: Id) -> dict[str, Any]:
    """Give the cancelled job."""
    with services.database.read() as session:
        state = _job(session, caller, job_id, PLAN).state
    if state not in LIVE_STATES or not services.runner.cancel(job_id):
        raise HTTPException(status.HTTP_409_CONFLICT, f"what-if job '{job_id}' has already ended")
    with services.database.read() as session:
        return _view(_job(session, caller, job_id, PLAN))
