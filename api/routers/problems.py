"""``/v1/problems``: upload a week, list, read, re-upload (patch) and delete.

An upload is checked exactly like the command line does (``parse_problem``):
422 with one ``field: culprit`` line per fault. A re-upload (``PUT``) of a
week that has a published roster re-checks that roster against the new
facts and answers how many assignments are now flagged for the planner.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Response, status
from pydantic import BaseModel
from sqlalchemy import select

from api import audit
from api.deps import Caller, ServicesDep, allow
from api.events import flag_keys, stored_events, tell_flags
from api.examples import PROBLEM
from api.jobs import LIVE_STATES
from api.keys import PLAN, READ
from api.problems import new_row, publications_of, replace, summary
from api.scope import fathers_read
from api.tables import JobRow, ProblemRow, utcnow
from scheduler.domain import Problem, ProblemError, parse_problem
from scheduler.ids import Id, WeekName

router = APIRouter(prefix="/problems", tags=["problems"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
}
PROBLEM_BODY = Body(
    description="one week of one region: a Problem of the data contract (docs/design.md s. 5)",
    openapi_examples={"small week": {"summary": "one father, one family room", "value": PROBLEM}},
)


class ProblemSummary(BaseModel):
    """What a list shows of a stored week (no father data)."""

    id: str
    week: str
    institutions: list[str]
    revision: int
    fathers: int
    sessions: int
    rooms: int
    created_at: Any
    updated_at: Any
    flagged: int | None = None


def _parse(data: Any, max_fathers: int) -> tuple[Problem, dict[str, Any]]:
    if not isinstance(data, dict):
        raise ProblemError(["body: a Problem must be a JSON object"])
    fathers = data.get("fathers")
    # Counted before parsing: a week far over the limit costs nothing to refuse.
    if isinstance(fathers, list) and len(fathers) > max_fathers:
        raise ProblemError(
            [f"fathers: {len(fathers)} fathers, more than the limit of {max_fathers} in one week"]
        )
    return parse_problem(data), data


def _row(services: ServicesDep, session: Any, problem_id: str) -> ProblemRow:
    row: ProblemRow | None = session.get(ProblemRow, problem_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"problem '{problem_id}' does not exist")
    return row


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a week",
    response_model=ProblemSummary,
    responses={
        **ERRORS,
        409: {"description": "a week with this id exists (re-upload it with PUT)"},
        413: {"description": "the body is larger than the service's limit"},
        422: {
            "description": "the week breaks the data contract, or has more fathers than the limit",
            "content": {
                "application/json": {
                    "example": {
                        "detail": "fathers[0].linked_volunteer: unknown volunteer 'V99'",
                        "errors": ["fathers[0].linked_volunteer: unknown volunteer 'V99'"],
                    }
                }
            },
        },
    },
)
def upload(
    caller: Caller, services: ServicesDep, data: Annotated[Any, PROBLEM_BODY]
) -> dict[str, Any]:
    """Give the summary of the stored week (planner, every institution of the week in scope)."""
    allow(caller, PLAN, [], "uploading a week")
    problem, raw = _parse(data, services.settings.max_fathers)
    institutions = [item.id for item in problem.institutions]
    allow(caller, PLAN, institutions, f"problem '{problem.id}'")
    with services.database.write() as session:
        if session.get(ProblemRow, problem.id) is not None:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"problem '{problem.id}' exists: re-upload it with PUT /v1/problems/{problem.id}",
            )
        row = new_row(problem, raw)
        session.add(row)
        audit.record(session, caller, "problem.create", "problem", problem.id, institutions)
        session.flush()
        return summary(row)


@router.get(
    "",
    summary="List the weeks the key may see",
    response_model=list[ProblemSummary],
    responses=ERRORS,
)
def list_problems(
    caller: Caller,
    services: ServicesDep,
    week: Annotated[WeekName | None, Query(description="only this ISO week, e.g. 2027-W05")] = None,
    institution: Annotated[Id | None, Query(description="only weeks of this institution")] = None,
) -> list[dict[str, Any]]:
    """Give a summary of every stored week within the key's scope, newest week first."""
    allow(caller, READ, [], "listing weeks")
    query = select(ProblemRow).order_by(ProblemRow.week_start.desc(), ProblemRow.id)
    if week is not None:
        query = query.where(ProblemRow.week == week)
    with services.database.read() as session:
        rows = list(session.scalars(query))
        return [
            summary(row)
            for row in rows
            if caller.covers(row.institutions)
            and (institution is None or institution in row.institutions)
        ]


@router.get(
    "/{problem_id}",
    summary="Read a week (father data: the read is audited)",
    response_model=Problem,
    responses={**ERRORS, 404: {"description": "no such week"}},
)
def read(caller: Caller, services: ServicesDep, problem_id: Id) -> dict[str, Any]:
    """Give the stored week as uploaded."""
    with services.database.read() as session:
        row = _row(services, session, problem_id)
        allow(caller, READ, row.institutions, f"problem '{problem_id}'")
        data = row.data
        problem = services.parsed.problem(row)
    read = fathers_read(problem, problem.father_by_id, row.institutions)
    with services.database.write() as session:
        audit.record_read(session, caller, "problem.read", "problem", problem_id, read)
    return data


@router.put(
    "/{problem_id}",
    summary="Re-upload (patch) a week; published assignments it breaks are flagged",
    response_model=ProblemSummary,
    responses={
        **ERRORS,
        404: {"description": "no such week"},
        413: {"description": "the body is larger than the service's limit"},
        422: {
            "description": "the week breaks the data contract (or has more fathers than the "
            "limit), or its id is not the path's"
        },
    },
)
def reupload(
    caller: Caller, services: ServicesDep, problem_id: Id, data: Annotated[Any, PROBLEM_BODY]
) -> dict[str, Any]:
    """Give the summary of the new revision and how many published assignments it flags."""
    allow(caller, PLAN, [], "re-uploading a week")
    problem, raw = _parse(data, services.settings.max_fathers)
    if problem.id != problem_id:
        raise ProblemError([f"id: '{problem.id}' is not the week being replaced ('{problem_id}')"])
    with services.database.write() as session:
        row = _row(services, session, problem_id)
        allow(caller, PLAN, row.institutions, f"problem '{problem_id}'")
        institutions = [item.id for item in problem.institutions]
        allow(caller, PLAN, institutions, f"problem '{problem_id}'")
        now = utcnow()
        before = flag_keys(session, services.parsed, [row], now)
        replace(row, problem, raw)
        audit.record(
            session,
            caller,
            "problem.update",
            "problem",
            problem_id,
            institutions,
            f"revision {row.revision}",
        )
        session.flush()
        found = summary(row)
        events = stored_events(session, row.id)
        found["flagged"] = len(tell_flags(session, services.parsed, [row], before, events, now))
        return found


@router.delete(
    "/{problem_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a week with its rosters and allocations",
    responses={
        **ERRORS,
        404: {"description": "no such week"},
        409: {"description": "the week has a published roster (purge removes published weeks)"},
    },
)
def delete(caller: Caller, services: ServicesDep, problem_id: Id) -> Response:
    """Give 204 once the week, its rosters and its allocations are gone."""
    with services.database.write() as session:
        row = _row(services, session, problem_id)
        allow(caller, PLAN, row.institutions, f"problem '{problem_id}'")
        published = publications_of(session, problem_id)
        if published:
            where = ", ".join(f"{p.institution} {p.week}" for p in published)
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"problem '{problem_id}' is published for {where}; "
                "purge removes published weeks after the retention period",
            )
        live = session.scalars(
            select(JobRow.id).where(JobRow.problem_id == problem_id, JobRow.state.in_(LIVE_STATES))
        ).all()
        audit.record(session, caller, "problem.delete", "problem", problem_id, row.institutions)
        session.delete(row)
    # Solves of a deleted week have nothing left to write to; their processes end now.
    for job_id in live:
        services.runner.cancel(job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
