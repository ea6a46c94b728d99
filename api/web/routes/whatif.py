"""The week's what-if analyses: start one, its progress, its table and charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from api.deps import ServicesDep
from api.routers import whatif as whatif_routes
from api.tables import JobRow
from api.web import views
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


@router.get("/weeks/{problem_id}/whatif")
def whatif(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    params: Params,
    job: str | None = None,
) -> Response:
    """Give the week's what-if analyses: the newest (or chosen) one's table, charts, progress."""
    page = open_week(services, user, problem_id, params, "whatif", no_father)
    with services.database.read() as db:
        jobs = list(
            db.scalars(
                select(JobRow)
                .where(JobRow.kind == whatif_routes.WHATIF_JOB, JobRow.problem_id == problem_id)
                .order_by(JobRow.created_at.desc())
            )
        )
    chosen = next((j for j in jobs if j.id == job), None) if job else (jobs[0] if jobs else None)
    if job and chosen is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"what-if job '{job}' does not exist")
    found = (
        whatif_routes.read(caller=user.principal, services=services, job_id=chosen.id)
        if chosen
        else None
    )
    return show(
        request,
        user,
        page,
        "whatif",
        analyses=jobs,
        analysis=found,
        report=views.whatif_report(found) if found else None,
    )


@router.post("/weeks/{problem_id}/whatif")
def start_whatif(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    csrf: Csrf = "",
    time_limit: Annotated[str, Form()] = "",
    institution: Annotated[str, Form()] = "",
) -> Response:
    """Give the what-if tab following a new analysis of the default scenarios of the week."""
    check_csrf(user.session, csrf)
    back = week_url(problem_id, "whatif", institution=institution or None)
    analysis = form_request(user, whatif_routes.WhatIfRequest, time_limit, problem_id=problem_id)
    if analysis is None:
        return see_other(back)
    job = act(user, whatif_routes.start, services=services, request=analysis)
    if job is None:
        return see_other(back)
    user.session.flash("ok", labels_of(request)("whatif_started"))
    return see_other(week_url(problem_id, "whatif", institution=institution or None, job=job["id"]))


@router.get("/whatif/{job_id}/progress")
def whatif_progress(user: User, services: ServicesDep, job_id: Id) -> JSONResponse:
    """Give a what-if job's state and how many of its solves are done (no father data)."""
    found = whatif_routes.read(caller=user.principal, services=services, job_id=job_id)
    return job_progress(found)


@router.get("/whatif/{job_id}/charts/{name}")
def whatif_chart(user: User, services: ServicesDep, job_id: Id, name: Id) -> Response:
    """Give one chart of a finished what-if analysis as PNG."""
    answer: Response = whatif_routes.chart(
        caller=user.principal, services=services, job_id=job_id, name=name
    )
    return answer
