"""A roster's solve from the page: generate, publish after a preview, cancel, and its progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from api.deps import ServicesDep, allowed_job
from api.jobs import LIVE_STATES
from api.keys import READ
from api.rosters import ROSTER_JOB
from api.routers import rosters as roster_routes
from api.tables import JobRow
from api.web.routes.pages import (
    Csrf,
    PageRoute,
    User,
    act,
    form_request,
    labels_of,
    see_other,
    week_url,
)
from api.web.routes.week import Params, WeekPage, placed_fathers, show_difference
from api.web.session import check_csrf
from scheduler.ids import Id

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.post("/weeks/{problem_id}/generate")
def generate(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    csrf: Csrf = "",
    time_limit: Annotated[str, Form()] = "",
    previous: Annotated[str, Form()] = "",
    institution: Annotated[str, Form()] = "",
    keep_pins: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Give the week's page following the new solve job (re-planned against ``previous``).

    With ``keep_pins`` the previous roster's pinned appointments stay exactly.
    """
    check_csrf(user.session, csrf)
    back = week_url(problem_id, institution=institution or None)
    solve = form_request(
        user,
        roster_routes.RosterRequest,
        time_limit,
        problem_id=problem_id,
        previous=previous or None,
        keep_pins=keep_pins == "1" and bool(previous),
    )
    if solve is None:
        return see_other(back)
    job = act(user, roster_routes.start, services=services, request=solve)
    if job is None:
        return see_other(back)
    user.session.flash("ok", labels_of(request)("generate_started"))
    return see_other(week_url(problem_id, institution=institution or None, roster=job["id"]))


def _roster_back(services: ServicesDep, roster_id: str, institution: str, tab: str = "") -> str:
    with services.database.read() as db:
        row = db.get(JobRow, roster_id)
        problem_id = row.problem_id if row is not None else None
    if problem_id is None:
        return "/"
    return week_url(problem_id, tab, institution=institution or None, roster=roster_id)


def _published(page: WeekPage) -> str | None:
    """Give the id of the week's roster published at the page's institution, if any."""
    return page.published.roster_id if page.published is not None else None


@router.get("/weeks/{problem_id}/publish")
def publish_preview(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give what publishing the chosen roster changes of the published one, with a confirmation."""
    return show_difference(
        request, user, services, problem_id, params, "publish", _published, placed_fathers
    )


@router.post("/rosters/{roster_id}/publish")
def publish(
    request: Request,
    user: User,
    services: ServicesDep,
    roster_id: Id,
    csrf: Csrf = "",
    institution: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Give the week's page with the roster published (or the refusal with every reason).

    Without the preview's confirmation, the preview again.
    """
    check_csrf(user.session, csrf)
    back = _roster_back(services, roster_id, institution)
    t = labels_of(request)
    if confirm != "yes":
        user.session.flash("error", t("publish_confirm_missing"))
        return see_other(_roster_back(services, roster_id, institution, "publish"))
    done = act(user, roster_routes.publish_roster, services=services, roster_id=roster_id)
    for item in (done or {}).get("published", []):
        user.session.flash("ok", t("published_done", **item))
    return see_other(back)


@router.post("/rosters/{roster_id}/cancel")
def cancel(
    request: Request,
    user: User,
    services: ServicesDep,
    roster_id: Id,
    csrf: Csrf = "",
    institution: Annotated[str, Form()] = "",
) -> Response:
    """Give the week's page with the solve stopped (its best roster so far kept)."""
    check_csrf(user.session, csrf)
    back = _roster_back(services, roster_id, institution)
    if act(user, roster_routes.cancel, services=services, roster_id=roster_id) is not None:
        user.session.flash("ok", labels_of(request)("cancelled"))
    return see_other(back)


@router.get("/rosters/{roster_id}/progress")
def progress(user: User, services: ServicesDep, roster_id: Id) -> JSONResponse:
    """Give a solve job's state and progress for the page's progress bar (no father data)."""
    with services.database.read() as db:
        what = f"roster '{roster_id}'"
        row = allowed_job(db, user.principal, roster_id, ROSTER_JOB, what, READ)
        return JSONResponse(
            {
                "state": row.state,
                "live": row.state in LIVE_STATES,
                "progress": row.progress,
                "time_limit": row.params.get("time_limit"),
                "has_roster": row.result is not None,
                "error": row.error,
            }
        )
