"""The weeks side by side: a week and the weeks after it at one institution."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from api import audit
from api.deps import ServicesDep
from api.horizon import HORIZON_JOB
from api.routers import horizons as horizon_routes
from api.tables import JobRow, utcnow
from api.web.horizon import four_weeks_at, horizon
from api.web.routes.pages import (
    Csrf,
    PageRoute,
    User,
    act,
    form_request,
    job_progress,
    labels_of,
    see_other,
    week_url,
)
from api.web.routes.week import Params, no_father, open_week, show
from api.web.session import check_csrf
from scheduler.ids import Id

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/weeks/{problem_id}/horizon")
def weeks_ahead(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give per week the roster that holds, its figures and the fathers below the legal minimum."""
    page = open_week(services, user, problem_id, params, "horizon", no_father)
    with services.database.read() as db:
        columns = horizon(db, services.parsed, page.institution, page.problem.week)
        four = four_weeks_at(
            db, services.parsed, page.problem, page.roster, page.institution, utcnow()
        )
        latest = db.scalars(
            select(JobRow)
            .where(JobRow.kind == HORIZON_JOB, JobRow.problem_id == problem_id)
            .order_by(JobRow.created_at.desc())
        ).first()
    with services.database.write() as db:
        if four is not None and four.below_twice:
            audit.record_read(
                db, user.principal, "web.four_weeks", "problem", problem_id,
                {page.institution: four.below_twice}, f"weeks {', '.join(four.weeks)}",
            )  # fmt: skip
        for column in columns:
            if column.problem_id and column.below_legal:
                audit.record_read(
                    db, user.principal, "web.horizon", "problem", column.problem_id,
                    {page.institution: column.below_legal},
                )  # fmt: skip
    return show(request, user, page, "horizon", columns=columns, latest=latest, four=four)


@router.post("/weeks/{problem_id}/horizon")
def plan_ahead(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    csrf: Csrf = "",
    weeks: Annotated[str, Form()] = "4",
    time_limit: Annotated[str, Form()] = "",
    institution: Annotated[str, Form()] = "",
) -> Response:
    """Give the weeks tab following the new horizon job (each week becomes a draft)."""
    check_csrf(user.session, csrf)
    back = week_url(problem_id, "horizon", institution=institution or None)
    count = int(weeks) if weeks.isdigit() else 0
    plan = form_request(
        user, horizon_routes.HorizonRequest, time_limit, problem_id=problem_id, weeks=count
    )
    if plan is None:
        return see_other(back)
    if act(user, horizon_routes.start, services=services, request=plan) is not None:
        user.session.flash("ok", labels_of(request)("horizon_started", weeks=count))
    return see_other(back)


@router.get("/horizons/{horizon_id}/progress")
def horizon_progress(user: User, services: ServicesDep, horizon_id: Id) -> JSONResponse:
    """Give a horizon job's state and its weeks solved so far for the weeks tab (no father data)."""
    found = horizon_routes.read(caller=user.principal, services=services, horizon_id=horizon_id)
    return job_progress(found)
