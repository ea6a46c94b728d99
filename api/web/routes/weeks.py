"""The weeks: the overview, choosing and uploading a week, its grid, fathers and staff."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import Response
from sqlalchemy import select

from api.deps import ServicesDep
from api.rosters import ROSTER_JOB
from api.routers import problems as problem_routes
from api.routers import publications as publication_routes
from api.routers import rosters as roster_routes
from api.tables import JobRow
from api.web import views
from api.web.routes.pages import Csrf, PageRoute, User, labels_of, render, see_other, week_url
from api.web.routes.week import Params, WeekPage, flags_of, no_father, one_father, open_week, show
from api.web.session import check_csrf
from api.web.week_story import week_story
from scheduler.domain import ProblemError
from scheduler.ids import ID_MAX, ID_PATTERN, WEEK_PATTERN, Id, Pseudonym

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _latest_jobs(services: ServicesDep, problem_ids: list[str]) -> dict[str, JobRow]:
    found: dict[str, JobRow] = {}
    query = (
        select(JobRow)
        .where(JobRow.kind == ROSTER_JOB, JobRow.problem_id.in_(problem_ids))
        .order_by(JobRow.created_at.desc())
    )
    with services.database.read() as db:
        for row in db.scalars(query):
            if row.problem_id is not None:
                found.setdefault(row.problem_id, row)
    return found


@router.get("/")
def home(request: Request, user: User, services: ServicesDep) -> Response:
    """Give the overview: the weeks within the key's institutions, and the chooser."""
    weeks = problem_routes.list_problems(caller=user.principal, services=services)
    published = publication_routes.list_publications(caller=user.principal, services=services)
    latest = _latest_jobs(services, [w["id"] for w in weeks])
    institutions = sorted({i for w in weeks for i in w["institutions"]})
    return render(
        request,
        "home.html",
        user,
        weeks=weeks,
        latest=latest,
        published={(p["problem_id"], p["institution"]): p for p in published},
        institutions=institutions,
        week_names=sorted({w["week"] for w in weeks}, reverse=True),
    )


@router.get("/week")
def choose(
    request: Request,
    user: User,
    services: ServicesDep,
    institution: Annotated[str, Query(pattern=f"^$|{ID_PATTERN}", max_length=ID_MAX)] = "",
    week: Annotated[str, Query(pattern=f"^$|{WEEK_PATTERN}")] = "",
) -> Response:
    """Give a redirect to the week's page: the published week data, else the newest upload."""
    weeks = problem_routes.list_problems(
        caller=user.principal, services=services, week=week or None, institution=institution or None
    )
    if not weeks:
        user.session.flash("error", f"{institution} {week}: {labels_of(request)('not_found')}")
        return see_other("/")
    published = publication_routes.list_publications(
        caller=user.principal,
        services=services,
        institution=institution or None,
        week=week or None,
    )
    chosen = next(
        (w for w in weeks for p in published if p["problem_id"] == w["id"]),
        max(weeks, key=lambda w: w["updated_at"]),
    )
    return see_other(week_url(chosen["id"], institution=institution or None))


@router.post("/weeks")
def upload(
    request: Request,
    user: User,
    services: ServicesDep,
    file: Annotated[UploadFile, File()],
    csrf: Csrf = "",
    replace: Annotated[bool, Form()] = False,
) -> Response:
    """Give the new week's page, or the overview with every fault of the file named."""
    check_csrf(user.session, csrf)
    t = labels_of(request)
    name = file.filename or "file"
    try:
        data = json.loads(file.file.read())
    except json.JSONDecodeError as error:
        user.session.flash(
            "error",
            t("upload_not_json", name=name, line=error.lineno, column=error.colno, error=error.msg),
        )
        return see_other("/")
    except UnicodeDecodeError as error:
        user.session.flash(
            "error", t("upload_not_json", name=name, line=1, column=error.start + 1, error=error)
        )
        return see_other("/")
    try:
        try:
            found = problem_routes.upload(caller=user.principal, services=services, data=data)
        except HTTPException as error:
            if error.status_code != status.HTTP_409_CONFLICT or not replace:
                raise
            found = problem_routes.reupload(
                caller=user.principal,
                services=services,
                problem_id=str(data.get("id")),
                data=data,
            )
    except ProblemError as error:
        user.session.flash("error", t("upload_faults", name=name, count=len(error.messages)))
        for message in error.messages:
            user.session.flash("error", t.fault(message))
        return see_other("/")
    except HTTPException as error:
        if error.status_code == status.HTTP_409_CONFLICT and not replace:
            user.session.flash("error", t("upload_exists", name=name, id=data.get("id")))
        else:
            user.session.flash("error", f"{name}: {error.detail}")
        return see_other("/")
    user.session.flash("ok", f"{t('uploaded')}: {found['id']}")
    return see_other(week_url(found["id"]))


@router.get("/weeks/{problem_id}")
def grid(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give the week grid: every room by day, each assignment with its fathers and staff.

    Beside the cards: the sessions that do not run (in grey, with why), each
    room's free hours and seats per day, and the week's bottleneck.
    """
    page = open_week(services, user, problem_id, params, "grid")
    rows = views.room_grid(page.problem, page.roster, page.institution, page.filters, page.changes)
    story = None
    if page.roster is not None:
        story = week_story(page.problem, page.roster, page.institution, labels_of(request))
    return show(request, user, page, "grid", rows=rows, story=story)


@router.get("/weeks/{problem_id}/fathers")
def fathers(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    params: Params,
    q: str = "",
    sort: str = "legal",
    below: str = "",
    no_consent: str = "",
) -> Response:
    """Give every father's entitlement against what is granted, with the reasons in words.

    The list can be searched by pseudonym, ordered by the legal minimum, by
    the largest shortfall or by code, and narrowed to fathers below the
    legal minimum or without a consent.
    """
    listing = views.Listing(
        search=q[:40],
        sort=sort if sort in views.SORTS else "legal",
        below=below == "1",
        no_consent=no_consent == "1",
    )

    def listed(page: WeekPage) -> list[str]:
        every = views.father_rows(page.problem, page.roster, page.institution, page.filters)
        return [row.father.id for row in listing.apply(every)]

    page = open_week(services, user, problem_id, params, "fathers", listed)
    rows = views.father_rows(page.problem, page.roster, page.institution, page.filters)
    return show(request, user, page, "fathers", rows=listing.apply(rows), listing=listing)


@router.get("/weeks/{problem_id}/fathers/{father_id}")
def father(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    father_id: Pseudonym,
    params: Params,
) -> Response:
    """Give one father's week: his assignments and, per shortfall, what blocked each time tried."""
    page = open_week(services, user, problem_id, params, "father", one_father(father_id))
    found = page.problem.father_by_id.get(father_id)
    if found is None or found.institution != page.institution:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"father '{father_id}' is not in this week")
    everyone = views.father_rows(page.problem, page.roster, page.institution, views.Filters())
    row = next(r for r in everyone if r.father.id == father_id)
    explained: dict[str, dict[str, Any]] = {}
    if page.job is not None and page.roster is not None:
        for line in row.shortfalls:
            explained[line.activity.id] = roster_routes.explain(
                caller=user.principal,
                services=services,
                roster_id=page.job.id,
                father=father_id,
                activity=line.activity.id,
            )
    flagged = flags_of(request, user, page)
    mine = [
        item
        for item in flagged.values()
        if item["assignment"] and father_id in item["assignment"]["fathers"]
    ]
    return show(
        request,
        user,
        page,
        "father",
        flagged=flagged,
        mine=mine,
        row=row,
        assignments=views.father_assignments(page.problem, page.roster, father_id),
        explained=explained,
    )


@router.get("/weeks/{problem_id}/staff")
def staff(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give each volunteer's hours, the partner-cap gauge and the officers' load."""
    page = open_week(services, user, problem_id, params, "staff", no_father)
    volunteers, officers = views.staff_loads(page.problem, page.roster, page.institution)
    return show(request, user, page, "staff", volunteers=volunteers, officers=officers)
