"""The living week: its events, a repair proposed and published, and two versions compared."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from api.deps import ServicesDep
from api.routers import events as event_routes
from api.routers import publications as publication_routes
from api.routers import repairs as repair_routes
from api.routers import rosters as roster_routes
from api.tables import JobRow
from api.web.routes.pages import (
    Csrf,
    PageRoute,
    User,
    act,
    form_request,
    labels_of,
    render,
    see_other,
    week_url,
)
from api.web.routes.week import Params, open_week, show
from api.web.session import check_csrf
from scheduler.ids import Id

router = APIRouter(include_in_schema=False, route_class=PageRoute)


EVENT_SUBJECT = {
    "time_out": "father",
    "father_unavailable": "father",
    "volunteer_absent": "volunteer",
    "room_closure": "room",
}


@router.get("/weeks/{problem_id}/events")
def events(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give the week's events, what they flag, the form to record one, and repair and compare."""
    page = open_week(services, user, problem_id, params, "events")
    recorded = event_routes.list_events(
        caller=user.principal,
        services=services,
        institution=None,
        problem_id=problem_id,
        type=None,
        subject=None,
        since=None,
        until=None,
    )
    versions: list[dict[str, Any]] = []
    if page.published is not None:
        versions = publication_routes.read(
            caller=user.principal,
            services=services,
            institution=page.institution,
            week=page.problem.week,
        )["versions"]
    return show(request, user, page, "events", events=recorded, versions=versions)


@router.post("/weeks/{problem_id}/events")
def record_event(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    csrf: Csrf,
    kind: Annotated[str, Form()] = "time_out",
    who: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    institution: Annotated[str, Form()] = "",
) -> Response:
    """Give the events tab after recording one event from the short form (or saying why not)."""
    check_csrf(user.session, csrf)
    back = week_url(problem_id, "events", institution=institution or None)
    event: dict[str, Any] = {"type": kind, "at": start, EVENT_SUBJECT.get(kind, "father"): who}
    if kind != "time_out" and end:
        event["end"] = end
    if kind == "father_unavailable":
        event["kind"] = "court"
    if reason.strip():
        event["reason"] = reason.strip()
    done = act(user, event_routes.record_events, services=services, body=event)
    if done is not None:
        flagged = len(done["flagged"])
        user.session.flash("ok", labels_of(request)("event_recorded", flagged=flagged))
    return see_other(back)


@router.post("/weeks/{problem_id}/repairs")
def propose_repair(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    csrf: Csrf,
    institution: Annotated[str, Form()] = "",
    week: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = "",
) -> Response:
    """Give the repair's page once its solve has started (or the events tab saying why not)."""
    check_csrf(user.session, csrf)
    back = week_url(problem_id, "events", institution=institution or None)
    asked = form_request(
        user, repair_routes.RepairRequest, time_limit, institution=institution, week=week
    )
    if asked is None:
        return see_other(back)
    started = act(user, repair_routes.propose, services=services, request=asked)
    if started is None:
        return see_other(back)
    return see_other(f"/repairs/{quote(started['id'])}")


def _repair_week_url(services: ServicesDep, repair: dict[str, Any]) -> str:
    with services.database.read() as db:
        row = db.get(JobRow, repair["id"])
        problem_id = row.problem_id if row is not None else None
    if problem_id is None:
        return "/"
    return week_url(problem_id, "events", institution=repair.get("institution"))


@router.get("/repairs/{repair_id}")
def repair(request: Request, user: User, services: ServicesDep, repair_id: Id) -> Response:
    """Give a repair proposal as a difference from the publication, with publish after preview."""
    found = repair_routes.read(caller=user.principal, services=services, repair_id=repair_id)
    return render(
        request,
        "repair.html",
        user,
        repair=found,
        difference=found["difference"],
        back=_repair_week_url(services, found),
    )


@router.post("/repairs/{repair_id}/publish")
def publish_repair(
    request: Request,
    user: User,
    services: ServicesDep,
    repair_id: Id,
    csrf: Csrf,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Give the week after publishing the repair; without the confirmation, the preview again."""
    check_csrf(user.session, csrf)
    t = labels_of(request)
    if confirm != "yes":
        user.session.flash("error", t("publish_confirm_missing"))
        return see_other(f"/repairs/{quote(repair_id)}")
    done = act(user, roster_routes.publish_roster, services=services, roster_id=repair_id)
    if done is None:
        return see_other(f"/repairs/{quote(repair_id)}")
    for item in done["published"]:
        user.session.flash("ok", t("published_done", **item))
    found = repair_routes.read(caller=user.principal, services=services, repair_id=repair_id)
    return see_other(_repair_week_url(services, found))


@router.get("/weeks/{problem_id}/compare")
def compare(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    params: Params,
    first: Annotated[int, Query(alias="from", ge=1)] = 1,
    second: Annotated[int, Query(alias="to", ge=1)] = 2,
) -> Response:
    """Give the difference between two published versions of the week."""
    page = open_week(services, user, problem_id, params, "events")
    found = publication_routes.compare(
        caller=user.principal,
        services=services,
        institution=page.institution,
        week=page.problem.week,
        first=first,
        second=second,
    )
    return render(
        request,
        "compare.html",
        user,
        compared=found,
        difference=found,
        back=page.url("events"),
    )
