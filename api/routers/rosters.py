"""``/v1/rosters``: start a solve job, follow it, cancel it, publish, export, explain."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit, ical
from api.deps import Caller, Services, ServicesDep, allow, allowed_job, allowed_problem
from api.edits import EDIT_EXAMPLE, EditRequest, NotADraft, draft_view, edit_draft
from api.errors import Refusal
from api.explain import explain as explain_shortfall
from api.jobs import LIVE_STATES
from api.keys import PLAN, READ, Principal
from api.outcomes import with_history
from api.repairs import publish_and_tell
from api.rosters import (
    ROSTER_JOB,
    PublishRefused,
    allocation_pins,
    versions_of,
    view,
)
from api.scope import fathers_of, fathers_read
from api.tables import JobRow, ProblemRow, utcnow
from scheduler.domain import Assignment, Problem, ProblemError, Roster, parse_problem
from scheduler.edits import EditRefused
from scheduler.ids import Id, Pseudonym

router = APIRouter(prefix="/rosters", tags=["rosters"])
PUBLISH_LOCK = "publish"

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
    404: {"description": "no such roster"},
}
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_.@~-]")
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar; charset=utf-8",
}


class RosterRequest(BaseModel):
    """A solve of a stored week."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"problem_id": "tiny-2027-W05", "time_limit": 10}]},
    )

    problem_id: Id = Field(description="the stored week to solve")
    time_limit: float | None = Field(
        default=None, gt=0, le=3600, description="seconds (default: the service's setting)"
    )
    workers: int | None = Field(default=None, ge=1, le=16, description="CP-SAT workers")
    deterministic: bool = Field(default=False, description="same answer on every run")
    previous: Id | None = Field(
        default=None, description="roster id to stay close to (fewest changes)"
    )
    keep_pins: bool = Field(
        default=False,
        description="keep the previous roster's pinned appointments exactly "
        "(a re-solve around appointments edited and pinned by hand)",
    )


class JobView(BaseModel):
    """A job of the service (a roster solve or a what-if sweep): its state and progress."""

    id: str
    problem_id: str | None
    institutions: list[str]
    state: Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
    progress: dict[str, Any]
    error: str | None
    options: dict[str, Any]
    created_at: Any
    started_at: Any
    finished_at: Any


class RosterJob(JobView):
    """A roster job: its state, progress, publications and the best roster so far."""

    published: list[dict[str, Any]]
    roster: Roster | None


def attachment(filename: str) -> str:
    """Give a Content-Disposition that saves as ``filename``, every unsafe character made ``_``."""
    safe = UNSAFE_IN_FILENAME.sub("_", filename).lstrip(".") or "roster"
    return f'attachment; filename="{safe}"'


def _job(session: Any, caller: Principal, roster_id: str, action: str) -> JobRow:
    """Give the roster job the caller may ``action`` (404 or 403 otherwise)."""
    return allowed_job(session, caller, roster_id, ROSTER_JOB, f"roster '{roster_id}'", action)


def _note(
    services: Services, caller: Principal, action: str, row: JobRow, detail: str = ""
) -> None:
    with services.database.write() as session:
        audit.record(session, caller, action, "roster", row.id, row.institutions, detail)


def _note_read(
    services: Services,
    caller: Principal,
    action: str,
    row: JobRow,
    problem: Problem | None,
    fathers: Iterable[str],
    detail: str = "",
) -> None:
    """Record a read of a roster's father data: one entry per institution, naming its fathers."""
    read = (
        fathers_read(problem, fathers, row.institutions)
        if problem is not None
        else {institution: [] for institution in row.institutions}
    )
    with services.database.write() as session:
        audit.record_read(session, caller, action, "roster", row.id, read, detail)


def _fathers_in(roster: dict[str, Any] | None) -> set[str]:
    """Give every father a stored roster names, in its assignments or its shortfalls."""
    if not roster:
        return set()
    placed = {f for a in roster.get("assignments", []) for f in a.get("fathers", [])}
    return placed | {s["father"] for s in roster.get("shortfalls", [])}


def _with_pins(
    services: Services, session: Any, row: ProblemRow, kept_pins: list[Assignment]
) -> dict[str, Any]:
    """Give the week to solve: the stored one, its confirmed allocations pinned (409 if one broke).

    A confirmed allocation is a promise to a family; the solve keeps it
    exactly, and one that no longer fits the week's facts is refused here,
    naming it, instead of failing the solve. ``kept_pins`` (the previous
    roster's pinned appointments, on a re-solve around them) are pinned too.
    """
    problem = services.parsed.problem(row)
    promised = allocation_pins(session, services.parsed, problem, utcnow())
    promised_ids = {pin.id for pin in promised}
    pins = [pin for pin in kept_pins if pin.id not in promised_ids] + promised
    if not pins:
        return row.data
    ids = {pin.id for pin in pins}
    kept = [a for a in row.data.get("pinned", []) if a.get("id") not in ids]
    data = {**row.data, "pinned": kept + [pin.model_dump(mode="json") for pin in pins]}
    try:
        parse_problem(data)
    except ProblemError as error:
        names = {
            f"pinned[{len(kept) + n}]": f"confirmed allocation of '{pin.id}'"
            if pin.id in promised_ids
            else f"pinned appointment '{pin.id}'"
            for n, pin in enumerate(pins)
        }
        messages = [
            re.sub(r"^pinned\[\d+\]", lambda m: names.get(m.group(0), m.group(0)), message)
            for message in error.messages
        ]
        what = "a confirmed allocation" if len(pins) == len(promised) else "a pin"
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"{what} no longer fits the week; cancel it or change the week: " + "; ".join(messages),
        ) from None
    return data


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a solve job (answers at once; poll GET /v1/rosters/{id})",
    response_model=RosterJob,
    responses={
        **ERRORS,
        404: {"description": "no such week (or previous roster)"},
        409: {"description": "a live allocation of the week no longer fits its facts"},
        429: {"description": "the job queue is full, in total or for this key (see Retry-After)"},
    },
)
def start(caller: Caller, services: ServicesDep, request: RosterRequest) -> dict[str, Any]:
    """Give the queued job; the solve runs in its own process."""
    allow(caller, PLAN, [], "solving a week")
    settings = services.settings
    with services.database.write() as session:
        problem_row = allowed_problem(session, caller, request.problem_id, PLAN)
        previous = None
        previous_row: JobRow | None = None
        kept_pins: list[Assignment] = []
        if request.previous is not None:
            previous_row = _job(session, caller, request.previous, READ)
            previous = previous_row.result
            if request.keep_pins and previous_row.result is not None:
                held = services.parsed.roster(previous_row).assignments
                kept_pins = [a for a in held if a.pinned]
        params: dict[str, Any] = {
            "time_limit": request.time_limit or settings.solve_time_limit,
            "workers": request.workers or settings.solve_workers,
            "deterministic": request.deterministic,
            "previous": request.previous,
            "problem_revision": problem_row.revision,
        }
        if kept_pins:
            params["kept_pins"] = [pin.id for pin in kept_pins]
        if previous_row is not None and previous_row.params.get("draft"):
            # The drafts of a roster edited by hand are counted on through its re-solves.
            params["draft"] = int(previous_row.params["draft"]) + 1
        job_id = services.runner.create(
            session,
            ROSTER_JOB,
            params,
            problem_id=problem_row.id,
            institutions=problem_row.institutions,
            key_id=caller.key_id,
        )
        audit.record(
            session,
            caller,
            "roster.solve",
            "roster",
            job_id,
            problem_row.institutions,
            f"problem {problem_row.id} revision {problem_row.revision}",
        )
        data = _with_pins(services, session, problem_row, kept_pins)
        problem = services.parsed.problem(problem_row)
        data = with_history(session, services.parsed, data, problem, utcnow())
        payload = {**params, "problem": data, "previous": previous}
    services.runner.start(job_id, payload)
    with services.database.read() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        return view(row, [])


@router.get(
    "",
    summary="List roster jobs the key may see (without the rosters)",
    responses=ERRORS,
)
def list_rosters(
    caller: Caller,
    services: ServicesDep,
    problem_id: Annotated[Id | None, Query(description="only rosters of this week")] = None,
) -> list[dict[str, Any]]:
    """Give each roster job's id, week, state and progress, newest first."""
    allow(caller, READ, [], "listing rosters")
    query = select(JobRow).where(JobRow.kind == ROSTER_JOB).order_by(JobRow.created_at.desc())
    if problem_id is not None:
        query = query.where(JobRow.problem_id == problem_id)
    with services.database.read() as session:
        rows = [row for row in session.scalars(query) if caller.covers(row.institutions)]
        return [
            {
                "id": row.id,
                "problem_id": row.problem_id,
                "state": row.state,
                "progress": row.progress,
                "created_at": row.created_at,
                "finished_at": row.finished_at,
            }
            for row in rows
        ]


@router.get(
    "/{roster_id}",
    summary="A roster job's state, progress and best roster so far (audited)",
    response_model=RosterJob,
    responses=ERRORS,
)
def read(caller: Caller, services: ServicesDep, roster_id: Id) -> dict[str, Any]:
    """Give the job as it stands now."""
    with services.database.read() as session:
        row = _job(session, caller, roster_id, READ)
        found = view(row, versions_of(session, roster_id))
        problem_row = session.get(ProblemRow, row.problem_id) if row.problem_id else None
        problem = services.parsed.problem(problem_row) if problem_row is not None else None
    _note_read(services, caller, "roster.read", row, problem, _fathers_in(found["roster"]))
    return found


@router.delete(
    "/{roster_id}",
    summary="Cancel a queued or running solve at once (its best roster so far is kept)",
    response_model=RosterJob,
    responses={**ERRORS, 409: {"description": "the job has already ended"}},
)
def cancel(caller: Caller, services: ServicesDep, roster_id: Id) -> dict[str, Any]:
    """Give the cancelled job."""
    with services.database.read() as session:
        row = _job(session, caller, roster_id, PLAN)
        state = row.state
    if state not in LIVE_STATES or not services.runner.cancel(roster_id):
        with services.database.read() as session:
            row = _job(session, caller, roster_id, PLAN)
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"roster '{roster_id}' has already ended ({row.state})"
        )
    _note(services, caller, "roster.cancel", row)
    with services.database.read() as session:
        row = _job(session, caller, roster_id, PLAN)
        return view(row, versions_of(session, roster_id))


@router.post(
    "/{roster_id}/publish",
    summary="Publish the roster for every institution of its week (a new version)",
    responses={
        **ERRORS,
        409: {
            "description": "still running, infeasible, it breaks a rule of the week as now, "
            "or it conflicts with a live allocation (named)"
        },
        503: {"description": "the database stayed busy (deadlocks, locks); nothing was written"},
    },
)
def publish_roster(caller: Caller, services: ServicesDep, roster_id: Id) -> dict[str, Any]:
    """Give the publications made: institution, week and version each."""

    def make(session: Session) -> dict[str, Any]:
        # Publishes run one at a time: two first publications of a week would
        # otherwise both insert its rows. The lock comes before any row lock.
        services.database.lock(session, PUBLISH_LOCK)
        row = _job(session, caller, roster_id, PLAN)
        try:
            versions = publish_and_tell(session, services.parsed, row, caller.key_id, utcnow())
        except PublishRefused as refusal:
            raise HTTPException(status.HTTP_409_CONFLICT, "; ".join(refusal.messages)) from None
        audit.record(
            session,
            caller,
            "roster.publish",
            "roster",
            row.id,
            row.institutions,
            ", ".join(f"{v.institution} {v.week} v{v.version}" for v in versions),
        )
        return {
            "roster": roster_id,
            "published": [
                {"institution": v.institution, "week": v.week, "version": v.version}
                for v in versions
            ],
        }

    return services.database.transact(make, services.settings.database_retries)


@router.post(
    "/{roster_id}/edits",
    status_code=status.HTTP_201_CREATED,
    summary="Edit a draft roster by hand: move, swap, delete, add, pin, unpin (a new draft)",
    responses={
        **ERRORS,
        201: {"description": "the new draft's id and version, and the validator's findings"},
        409: {
            "model": Refusal,
            "description": "not a finished, unpublished draft; or an edit breaks a hard rule: "
            "every reason, and up to three places that fit instead",
        },
        422: {"description": "bad input: the edit's field is named (unknown appointment, ...)"},
    },
    openapi_extra={"requestBody": {"content": {"application/json": {"example": EDIT_EXAMPLE}}}},
)
def edit(
    caller: Caller, services: ServicesDep, roster_id: Id, request: EditRequest
) -> JSONResponse:
    """Give the new draft: the edits applied in order and checked by the validator (audited)."""

    def make(session: Session) -> dict[str, Any]:
        row = _job(session, caller, roster_id, PLAN)
        draft = edit_draft(session, services.parsed, row, request.edits, caller.key_id, utcnow())
        what = ", ".join(f"{e.op} {e.assignment or e.father or ''}".strip() for e in request.edits)
        audit.record(
            session,
            caller,
            "roster.edit",
            "roster",
            draft.row.id,
            row.institutions,
            f"draft {draft.version} from roster {row.id}: {what}",
        )
        return draft_view(draft)

    try:
        made = services.database.transact(make, services.settings.database_retries)
    except NotADraft as error:
        detail = str(error)
        return JSONResponse(
            status_code=status.HTTP_409_CONFLICT,
            content={"detail": detail, "errors": [detail], "reasons": [], "alternatives": []},
        )
    except EditRefused as refused:
        return JSONResponse(
            status_code=status.HTTP_409_CONFLICT,
            content={
                "detail": str(refused),
                "errors": [f"edits[{refused.index}]: {m}" for m in refused.messages],
                "reasons": refused.reasons,
                "alternatives": [a.model_dump(mode="json") for a in refused.alternatives],
            },
        )
    return JSONResponse(status_code=status.HTTP_201_CREATED, content=made)


def _finished_roster(
    services: Services, caller: Principal, roster_id: str
) -> tuple[JobRow, Any, Roster]:
    with services.database.read() as session:
        row = _job(session, caller, roster_id, READ)
        if row.result is None:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"roster '{roster_id}' has no roster yet ({row.state})"
            )
        problem_row = session.get(ProblemRow, row.problem_id)
        if problem_row is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"the week of roster '{roster_id}' is gone"
            )
        return row, services.parsed.problem(problem_row), services.parsed.roster(row)


@router.get(
    "/{roster_id}/export",
    summary="Export the roster as JSON, CSV, XLSX or iCalendar (audited)",
    responses={
        **ERRORS,
        200: {"content": {media: {} for media in MEDIA.values()}},
        409: {"description": "the job has no roster yet"},
        422: {"description": "an unknown format, or iCalendar without kind and subject"},
    },
)
def export(
    caller: Caller,
    services: ServicesDep,
    roster_id: Id,
    format: Annotated[
        Literal["json", "csv", "xlsx", "ics"], Query(description="file format")
    ] = "json",
    kind: Annotated[
        Literal["father", "room", "volunteer", "officer"] | None,
        Query(description="iCalendar: whose calendar"),
    ] = None,
    table: Annotated[
        Literal["days", "rooms", "fathers", "staff"], Query(description="CSV: which table")
    ] = "days",
    subject: Annotated[
        Id | None, Query(description="iCalendar: the father, room, volunteer or officer id")
    ] = None,
    language: Annotated[
        Literal["nl", "en"],
        Query(
            description="CSV, XLSX and iCalendar: the words; Dutch CSV is `;`-separated "
            "with a decimal comma and a UTF-8 byte-order mark, as Dutch Excel opens it"
        ),
    ] = "nl",
) -> Response:
    """Give the roster as a file, in a planner's words (JSON keeps the contract's codes)."""
    row, problem, roster = _finished_roster(services, caller, roster_id)
    name = f"roster-{problem.id}"
    if format == "json":
        content: bytes = roster.model_dump_json(indent=2).encode("utf-8")
    elif format == "ics":
        if kind is None or subject is None:
            raise ProblemError(
                ["kind: iCalendar needs kind and subject (e.g. kind=father&subject=F-001)"]
            )
        known = {
            "father": problem.father_by_id,
            "room": problem.room_by_id,
            "volunteer": problem.volunteer_by_id,
            "officer": problem.officer_by_id,
        }[kind]
        if subject not in known:
            raise ProblemError([f"subject: unknown {kind} '{subject}'"])
        content = ical.calendar(problem, roster.assignments, kind, subject, language)
        name = f"{name}-{kind}-{subject}"
        read = fathers_of(ical.select(roster.assignments, kind, subject))
    elif format == "csv":
        # pandas is loaded only when a table export is asked for; the service starts faster.
        from exports.workbook import csv_bytes, planner_frames

        content = csv_bytes(planner_frames(problem, roster, language)[table], language)
        name = f"{name}-{table}"
    else:
        from exports.workbook import workbook_bytes

        content = workbook_bytes(problem, roster, language)
    if format != "ics":
        read = set(problem.father_by_id) | _fathers_in(row.result)
    _note_read(
        services,
        caller,
        f"roster.export.{format}",
        row,
        problem,
        read,
        f"{kind} {subject}" if kind else "",
    )
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": attachment(f"{name}.{format}")},
    )


@router.get(
    "/{roster_id}/explain",
    summary="Why did a father not get an activity: reasons and what blocks (audited)",
    responses={
        **ERRORS,
        409: {"description": "the job has no roster yet"},
        422: {"description": "unknown father or activity"},
    },
)
def explain(
    caller: Caller,
    services: ServicesDep,
    roster_id: Id,
    father: Annotated[Pseudonym, Query(description="father pseudonym")],
    activity: Annotated[Id, Query(description="activity id")],
) -> dict[str, Any]:
    """Give the entitlement, what was granted, every reason and the blocking assignments."""
    row, problem, roster = _finished_roster(services, caller, roster_id)
    found = explain_shortfall(problem, roster, father, activity)
    named = [father, *(change["father"] for change in found["unblock"] if "father" in change)]
    _note_read(services, caller, "roster.explain", row, problem, named, activity)
    return found
