"""What leaves the page: the printed week and person's week, and the roster as a file."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from api.deps import ServicesDep
from api.routers import rosters as roster_routes
from api.scope import fathers_of
from api.web import views
from api.web.routes.pages import PageRoute, User, labels_of
from api.web.routes.week import Params, WeekPage, open_week, show
from scheduler.ids import Id

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/weeks/{problem_id}/print")
def print_view(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give the week grid for the wing's notice board, laid out for A4 landscape."""
    page = open_week(services, user, problem_id, params, "print")
    rows = views.room_grid(page.problem, page.roster, page.institution, page.filters)
    return show(request, user, page, "print", rows=rows)


@router.get("/weeks/{problem_id}/print/{kind}/{person_id}")
def print_person(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    kind: Literal["volunteer", "officer"],
    person_id: Id,
    params: Params,
) -> Response:
    """Give one volunteer's or officer's week to hand out, laid out for A4."""

    def shown(page: WeekPage) -> set[str]:
        days = views.person_week(page.problem, page.roster, kind, person_id, page.institution)
        return fathers_of([a for day in days for a in day.assignments])

    page = open_week(services, user, problem_id, params, f"print.{kind}", shown)
    if not views.staff_member(page.problem, kind, person_id, page.institution):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"{kind} '{person_id}' does not work at this institution"
        )
    days = views.person_week(page.problem, page.roster, kind, person_id, page.institution)
    hours = sum((a.end - a.start).total_seconds() / 3600 for day in days for a in day.assignments)
    return show(
        request,
        user,
        page,
        "print_person",
        kind=kind,
        person=person_id,
        person_days=days,
        person_hours=hours,
    )


ExportFormat = Literal["json", "csv", "xlsx", "ics"]
CalendarKind = Literal["father", "room", "volunteer", "officer"]
CsvTable = Literal["days", "rooms", "fathers", "staff"]


@router.get("/rosters/{roster_id}/export")
def export(
    request: Request,
    user: User,
    services: ServicesDep,
    roster_id: Id,
    format: ExportFormat = "xlsx",
    kind: CalendarKind | None = None,
    subject: str | None = None,
    table: CsvTable = "days",
    language: Literal["nl", "en"] | None = None,
) -> Response:
    """Give the roster as a file (XLSX, CSV, JSON or iCalendar), as the API exports it.

    The words are those of the page unless ``language`` says otherwise.
    """
    answer: Response = roster_routes.export(
        caller=user.principal,
        services=services,
        roster_id=roster_id,
        format=format,
        kind=kind,
        table=table,
        subject=subject,
        language=language or ("en" if labels_of(request).language == "en" else "nl"),
    )
    return answer
