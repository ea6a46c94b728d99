"""The planner's page at ``/``: sign in, choose a week, see it by room, father and staff, act.

Every page reads through the service's own storage and every action calls the
same route functions as the JSON API (``api.routers``), with the signed-in
key as the caller: role and scope checks, audit entries, solve jobs,
publishing and exports are theirs, not a copy. A role that may not do an
action sees its button disabled; the service refuses it anyway.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote, urlencode

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
    status,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from api import audit
from api.database import DatabaseBusy
from api.deps import ServicesDep, allow, allowed_job, client_address, get_services, verify_key
from api.errors import request_errors
from api.jobs import LIVE_STATES, QueueFull
from api.keys import PLAN, READ, Principal, find_principal
from api.published import publication
from api.rosters import ROSTER_JOB
from api.routers import events as event_routes
from api.routers import problems as problem_routes
from api.routers import publications as publication_routes
from api.routers import repairs as repair_routes
from api.routers import rosters as roster_routes
from api.routers import whatif as whatif_routes
from api.scope import fathers_of, fathers_read
from api.tables import JobRow, ProblemRow, Publication
from api.web import views
from api.web.labels import Labels
from api.web.session import (
    COOKIE,
    SIGNIN_COOKIE,
    WebSession,
    check_csrf,
    check_signin_csrf,
    clear_cookie,
    clear_signin_cookie,
    set_cookie,
    set_signin_cookie,
    signin_token,
    store_of,
)
from exports.words import DEFAULT_LANGUAGE, LANGUAGES
from scheduler.domain import (
    ID_MAX,
    ID_PATTERN,
    WEEK_PATTERN,
    Id,
    Problem,
    ProblemError,
    Pseudonym,
    Roster,
    parse_roster,
    validation_messages,
)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
LANGUAGE_COOKIE = "gzr_lang"
SIGNIN = "/signin"


def labels_of(request: Request) -> Labels:
    """Give the words of the language the browser chose (Dutch unless it chose English)."""
    language = request.cookies.get(LANGUAGE_COOKIE, DEFAULT_LANGUAGE)
    return Labels(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@dataclass
class WebUser:
    """Who is signed in on this browser: the key's principal and the page session."""

    principal: Principal
    session: WebSession

    def may(self, action: str) -> bool:
        """Tell whether the key's role allows an action (the page disables the button if not)."""
        return self.principal.may(action)


def _signed_in(request: Request, services: ServicesDep) -> WebUser | None:
    token = request.cookies.get(COOKIE)
    store = store_of(request.app)
    session = store.find(token) if token else None
    if session is None:
        return None
    with services.database.read() as db:
        principal = find_principal(db, session.secret)
    if principal is None:
        store.close(session.token)
        return None
    return WebUser(principal, session)


def web_user(request: Request, services: ServicesDep) -> WebUser:
    """Give the signed-in user, or send the browser to the sign-in page (303)."""
    user = _signed_in(request, services)
    if user is None:
        query = {"expired": "1"} if request.cookies.get(COOKIE) else {}
        if request.method == "GET" and request.url.path != "/":
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            query["next"] = here
        target = SIGNIN + (f"?{urlencode(query)}" if query else "")
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": target})
    return user


User = Annotated[WebUser, Depends(web_user)]
Csrf = Annotated[str, Form()]
"""The form's CSRF token; a post without it is refused with 403 like one with a wrong token."""


def render(
    request: Request,
    name: str,
    user: WebUser | None,
    status_code: int = status.HTTP_200_OK,
    **context: Any,
) -> Response:
    """Give a page from a template, with the words, the user and the messages kept for it."""
    t = labels_of(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    other = LANGUAGES[1 - LANGUAGES.index(t.language)]
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "t": t,
            "user": user,
            "csrf": user.session.csrf if user else "",
            "flashes": user.session.take_flashes() if user else [],
            "here": path,
            "other_language": other,
            "can_plan": user is not None and user.may(PLAN),
            **context,
        },
        status_code=status_code,
    )


def _error_page(request: Request, user: WebUser | None, error: HTTPException) -> Response:
    t = labels_of(request)
    detail = str(error.detail)
    if error.status_code == status.HTTP_403_FORBIDDEN and detail == "csrf":
        detail = t("csrf")
    title = {
        status.HTTP_404_NOT_FOUND: t("not_found"),
        status.HTTP_403_FORBIDDEN: t("forbidden"),
    }.get(error.status_code, t("error"))
    return render(request, "error.html", user, error.status_code, title=title, messages=[detail])


class PageRoute(APIRoute):
    """A route of the page: a refusal (403, 404, 409, 422) shows as a page in words, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except HTTPException as error:
                if error.status_code < status.HTTP_400_BAD_REQUEST:
                    raise
                refusal = error
            except ProblemError as error:
                refusal = HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, "; ".join(error.messages)
                )
            except RequestValidationError as error:
                refusal = HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, "; ".join(request_errors(error))
                )
            user = _signed_in(request, get_services(request))
            return _error_page(request, user, refusal)

        return handle


router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def _local(url: str, default: str = "/") -> str:
    """Give the URL if it stays on this site (a path), else the default."""
    return url if url.startswith("/") and not url.startswith("//") else default


def _week_url(problem_id: str, tab: str = "", **query: str | None) -> str:
    kept = {k: v for k, v in query.items() if v}
    return f"/weeks/{quote(problem_id, safe='')}{'/' + tab if tab else ''}" + (
        f"?{urlencode(kept)}" if kept else ""
    )


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    """Give a stylesheet or script of the page."""
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no file '{name}'")
    return FileResponse(path, headers={"Cache-Control": "max-age=3600"})


@router.get("/language/{language}")
def language(language: str, next: str = "/") -> RedirectResponse:
    """Give a redirect back to the page, now in the chosen language."""
    response = _back(_local(next))
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path="/", samesite="lax"
        )
    return response


@router.get(SIGNIN)
def signin_page(
    request: Request, services: ServicesDep, expired: int = 0, next: str = "/"
) -> Response:
    """Give the sign-in form with its CSRF token (or the overview when already signed in)."""
    if _signed_in(request, services) is not None:
        return _back(_local(next))
    t = labels_of(request)
    messages = [t("signin_expired")] if expired else []
    return _signin_form(request, status.HTTP_200_OK, messages, next_url=_local(next))


def _signin_form(
    request: Request,
    status_code: int,
    messages: list[str],
    headers: Mapping[str, str] | None = None,
    next_url: str = "/",
) -> Response:
    token = signin_token(request.cookies.get(SIGNIN_COOKIE))
    response = render(
        request, "signin.html", None, status_code, messages=messages, csrf=token, next=next_url
    )
    if token != request.cookies.get(SIGNIN_COOKIE):
        set_signin_cookie(response, token)
    response.headers.update(headers or {})
    return response


@router.post(SIGNIN)
def signin(
    request: Request,
    services: ServicesDep,
    key: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Give the page asked for before (or the overview) with a session cookie, or the form again.

    A wrong key gives the form again (401), too many wrong keys 429.
    """
    check_signin_csrf(request.cookies.get(SIGNIN_COOKIE), csrf)
    t = labels_of(request)
    secret = key.strip()
    principal = None
    if secret:
        try:
            principal = verify_key(services, client_address(request), secret)
        except HTTPException as error:
            if error.status_code != status.HTTP_429_TOO_MANY_REQUESTS:
                raise
            wait = (error.headers or {}).get("Retry-After", "")
            return _signin_form(
                request,
                error.status_code,
                [t("signin_wait", seconds=wait)],
                error.headers,
                _local(next),
            )
    if principal is None:
        return _signin_form(
            request, status.HTTP_401_UNAUTHORIZED, [t("signin_wrong")], next_url=_local(next)
        )
    session = store_of(request.app).open(secret)
    response = _back(_local(next))
    set_cookie(response, session)
    clear_signin_cookie(response)
    return response


@router.post("/signout")
def signout(request: Request, user: User, csrf: Csrf = "") -> Response:
    """Give the sign-in page; the session is over and its cookie gone."""
    check_csrf(user.session, csrf)
    store_of(request.app).close(user.session.token)
    response = _back(SIGNIN)
    clear_cookie(response)
    return response


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
        return _back("/")
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
    return _back(_week_url(chosen["id"], institution=institution or None))


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
        return _back("/")
    except UnicodeDecodeError as error:
        user.session.flash(
            "error", t("upload_not_json", name=name, line=1, column=error.start + 1, error=error)
        )
        return _back("/")
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
        return _back("/")
    except HTTPException as error:
        if error.status_code == status.HTTP_409_CONFLICT and not replace:
            user.session.flash("error", t("upload_exists", name=name, id=data.get("id")))
        else:
            user.session.flash("error", f"{name}: {error.detail}")
        return _back("/")
    user.session.flash("ok", f"{t('uploaded')}: {found['id']}")
    return _back(_week_url(found["id"]))


@dataclass
class WeekPage:
    """A stored week as one page shows it: the week, the chosen institution and roster."""

    row: ProblemRow
    problem: Problem
    institution: str
    jobs: list[JobRow]
    job: JobRow | None
    roster: Roster | None
    published: Publication | None
    changes: views.Changes | None
    filters: views.Filters

    @property
    def live(self) -> bool:
        """Tell whether the chosen roster is still being made."""
        return self.job is not None and self.job.state in LIVE_STATES

    @property
    def is_published(self) -> bool:
        """Tell whether the chosen roster is the one published for the institution and week."""
        return (
            self.job is not None
            and self.published is not None
            and self.published.roster_id == self.job.id
        )

    def url(self, tab: str = "", **extra: str | None) -> str:
        """Give the URL of a tab of this page, keeping institution, roster and filters."""
        query: dict[str, str | None] = {
            "institution": self.institution,
            "roster": self.job.id if self.job else None,
            "shell": str(self.filters.shell) if self.filters.shell else None,
            "ward": self.filters.ward,
        }
        query.update(extra)
        return _week_url(self.row.id, tab, **query)


Shown = Callable[[WeekPage], Iterable[str]]


def _filters(shell: str | None, ward: str | None) -> views.Filters:
    return views.Filters(
        shell=int(shell) if shell and shell.isdigit() else None,
        ward=ward or None,
    )


def _load_week(
    services: ServicesDep,
    user: WebUser,
    problem_id: str,
    institution: str | None,
    roster_id: str | None,
    filters: views.Filters,
    action: str,
    shown: Shown,
) -> WeekPage:
    """Give the week's page data; the read of the fathers ``shown`` is audited as the API's are."""
    with services.database.read() as db:
        row = db.get(ProblemRow, problem_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"problem '{problem_id}' does not exist")
        allow(user.principal, READ, row.institutions, f"problem '{problem_id}'")
        institutions: list[str] = list(row.institutions)
        chosen = institution if institution in institutions else institutions[0]
        jobs = list(
            db.scalars(
                select(JobRow)
                .where(JobRow.kind == ROSTER_JOB, JobRow.problem_id == problem_id)
                .order_by(JobRow.created_at.desc())
            )
        )
        job = next((j for j in jobs if j.id == roster_id), None) if roster_id else None
        if roster_id and job is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"roster '{roster_id}' does not exist")
        published = publication(db, chosen, row.week)
        if job is None and jobs:
            # A viewer reads the roster that holds; a planner works on the newest.
            shown_first = published.roster_id if published and not user.may(PLAN) else None
            job = next((j for j in jobs if j.id == shown_first), jobs[0])
        problem = services.parsed.problem(row)
        roster = services.parsed.roster(job) if job is not None and job.result else None
        found_changes = None
        previous_id = job.params.get("previous") if job is not None else None
        if roster is not None and previous_id:
            previous = db.get(JobRow, previous_id)
            if previous is not None and previous.result:
                found_changes = views.changes(parse_roster(previous.result), roster)
    page = WeekPage(row, problem, chosen, jobs, job, roster, published, found_changes, filters)
    read = fathers_read(problem, shown(page), [chosen])
    with services.database.write() as db:
        audit.record_read(
            db,
            user.principal,
            action,
            "roster" if job else "problem",
            job.id if job else problem_id,
            read,
            chosen,
        )
    return page


@dataclass
class WeekParams:
    """What a week's page is asked for: institution, roster, and the shell and ward filters."""

    institution: str | None = None
    roster: str | None = None
    shell: str | None = None
    ward: str | None = None


Params = Annotated[WeekParams, Depends()]


def placed_fathers(page: WeekPage) -> set[str]:
    """Give the fathers of the page's roster at its institution (the grid shows them)."""
    if page.roster is None:
        return set()
    return fathers_of(views.at_institution(page.problem, page.roster, page.institution))


def one_father(father_id: str) -> Shown:
    """Give what shows one father: him, if he is of the page's institution (else a 404)."""

    def shown(page: WeekPage) -> list[str]:
        found = page.problem.father_by_id.get(father_id)
        return [father_id] if found is not None and found.institution == page.institution else []

    return shown


def no_father(page: WeekPage) -> list[str]:
    """Give no father: the page shows only figures of staff or of what-if analyses."""
    return []


def _week(
    services: ServicesDep,
    user: WebUser,
    problem_id: str,
    params: WeekParams,
    tab: str,
    shown: Shown = placed_fathers,
) -> WeekPage:
    return _load_week(
        services,
        user,
        problem_id,
        params.institution,
        params.roster,
        _filters(params.shell, params.ward),
        f"web.{tab}",
        shown,
    )


def _flagged(request: Request, user: WebUser, page: WeekPage) -> dict[str, dict[str, Any]]:
    """Give the flags of the published week by assignment id, when the page shows it."""
    if not page.is_published:
        return {}
    found = publication_routes.list_flags(
        caller=user.principal,
        services=get_services(request),
        institution=page.institution,
        week=page.problem.week,
    )
    return {item["assignment_id"]: item for item in found if item["assignment_id"]}


def _show(request: Request, user: WebUser, page: WeekPage, tab: str, **context: Any) -> Response:
    context.setdefault("flagged", _flagged(request, user, page))
    return render(
        request,
        f"week_{tab}.html",
        user,
        page=page,
        tab=tab,
        days=views.week_days(page.problem),
        wards=views.wards(page.problem, page.institution),
        tab_path={"grid": "", "father": "fathers"}.get(tab, tab),
        institution_name={i.id: i.name for i in page.problem.institutions}[page.institution],
        summary=views.summary(page.problem, page.roster, page.institution) if page.roster else None,
        default_time_limit=get_services(request).settings.solve_time_limit,
        **context,
    )


@router.get("/weeks/{problem_id}")
def grid(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give the week grid: every room by day, each assignment with its fathers and staff."""
    page = _week(services, user, problem_id, params, "grid")
    rows = views.room_grid(page.problem, page.roster, page.institution, page.filters, page.changes)
    return _show(request, user, page, "grid", rows=rows)


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

    page = _week(services, user, problem_id, params, "fathers", listed)
    rows = views.father_rows(page.problem, page.roster, page.institution, page.filters)
    return _show(request, user, page, "fathers", rows=listing.apply(rows), listing=listing)


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
    page = _week(services, user, problem_id, params, "father", one_father(father_id))
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
    flagged = _flagged(request, user, page)
    mine = [
        item
        for item in flagged.values()
        if item["assignment"] and father_id in item["assignment"]["fathers"]
    ]
    return _show(
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
    page = _week(services, user, problem_id, params, "staff", no_father)
    volunteers, officers = views.staff_loads(page.problem, page.roster, page.institution)
    return _show(request, user, page, "staff", volunteers=volunteers, officers=officers)


@router.get("/weeks/{problem_id}/print")
def print_view(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give the week grid for the wing's notice board, laid out for A4 landscape."""
    page = _week(services, user, problem_id, params, "print")
    rows = views.room_grid(page.problem, page.roster, page.institution, page.filters)
    return _show(request, user, page, "print", rows=rows)


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

    page = _week(services, user, problem_id, params, f"print.{kind}", shown)
    if not views.staff_member(page.problem, kind, person_id, page.institution):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"{kind} '{person_id}' does not work at this institution"
        )
    days = views.person_week(page.problem, page.roster, kind, person_id, page.institution)
    hours = sum((a.end - a.start).total_seconds() / 3600 for day in days for a in day.assignments)
    return _show(
        request,
        user,
        page,
        "print_person",
        kind=kind,
        person=person_id,
        person_days=days,
        person_hours=hours,
    )


def _act(user: WebUser, action: Any, **arguments: Any) -> Any:
    """Give what the service's route gave, or None after keeping its refusal as a message."""
    try:
        return action(caller=user.principal, **arguments)
    except HTTPException as error:
        user.session.flash("error", str(error.detail))
    except ProblemError as error:
        for message in error.messages:
            user.session.flash("error", message)
    except (QueueFull, DatabaseBusy) as error:
        user.session.flash("error", str(error))
    return None


Model = TypeVar("Model", bound=BaseModel)


def _form_request(
    user: WebUser, model: type[Model], time_limit: str, **fields: Any
) -> Model | None:
    """Give the service's request with the form's time limit, or None after saying what is wrong."""
    if time_limit.strip():
        try:
            fields["time_limit"] = float(time_limit.replace(",", "."))
        except ValueError:
            user.session.flash("error", f"time_limit: '{time_limit}' is not a number of seconds")
            return None
    try:
        return model(**fields)
    except ValidationError as error:
        for message in validation_messages(error):
            user.session.flash("error", message)
        return None


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
) -> Response:
    """Give the week's page following the new solve job (re-planned against ``previous``)."""
    check_csrf(user.session, csrf)
    back = _week_url(problem_id, institution=institution or None)
    solve = _form_request(
        user,
        roster_routes.RosterRequest,
        time_limit,
        problem_id=problem_id,
        previous=previous or None,
    )
    if solve is None:
        return _back(back)
    job = _act(user, roster_routes.start, services=services, request=solve)
    if job is None:
        return _back(back)
    user.session.flash("ok", labels_of(request)("generate_started"))
    return _back(_week_url(problem_id, institution=institution or None, roster=job["id"]))


def _roster_back(services: ServicesDep, roster_id: str, institution: str) -> str:
    with services.database.read() as db:
        row = db.get(JobRow, roster_id)
        problem_id = row.problem_id if row is not None else None
    if problem_id is None:
        return "/"
    return _week_url(problem_id, institution=institution or None, roster=roster_id)


@router.post("/rosters/{roster_id}/publish")
def publish(
    request: Request,
    user: User,
    services: ServicesDep,
    roster_id: Id,
    csrf: Csrf = "",
    institution: Annotated[str, Form()] = "",
) -> Response:
    """Give the week's page with the roster published (or the refusal with every reason)."""
    check_csrf(user.session, csrf)
    back = _roster_back(services, roster_id, institution)
    done = _act(user, roster_routes.publish_roster, services=services, roster_id=roster_id)
    t = labels_of(request)
    for item in (done or {}).get("published", []):
        user.session.flash("ok", t("published_done", **item))
    return _back(back)


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
    if _act(user, roster_routes.cancel, services=services, roster_id=roster_id) is not None:
        user.session.flash("ok", labels_of(request)("cancelled"))
    return _back(back)


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
    page = _week(services, user, problem_id, params, "whatif", no_father)
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
    return _show(
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
    back = _week_url(problem_id, "whatif", institution=institution or None)
    analysis = _form_request(user, whatif_routes.WhatIfRequest, time_limit, problem_id=problem_id)
    if analysis is None:
        return _back(back)
    job = _act(user, whatif_routes.start, services=services, request=analysis)
    if job is None:
        return _back(back)
    user.session.flash("ok", labels_of(request)("whatif_started"))
    return _back(_week_url(problem_id, "whatif", institution=institution or None, job=job["id"]))


@router.get("/whatif/{job_id}/progress")
def whatif_progress(user: User, services: ServicesDep, job_id: Id) -> JSONResponse:
    """Give a what-if job's state and how many of its solves are done (no father data)."""
    found = whatif_routes.read(caller=user.principal, services=services, job_id=job_id)
    return JSONResponse(
        {
            "state": found["state"],
            "live": found["state"] in LIVE_STATES,
            "progress": found["progress"],
            "error": found["error"],
        }
    )


@router.get("/whatif/{job_id}/charts/{name}")
def whatif_chart(user: User, services: ServicesDep, job_id: Id, name: Id) -> Response:
    """Give one chart of a finished what-if analysis as PNG."""
    answer: Response = whatif_routes.chart(
        caller=user.principal, services=services, job_id=job_id, name=name
    )
    return answer


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


EVENT_SUBJECT = {
    "time_out": "father",
    "father_unavailable": "father",
    "volunteer_absent": "volunteer",
    "room_closure": "room",
}


@router.get("/weeks/{problem_id}/events")
def events(
    request: Request, user: User, services: ServicesDep, problem_id: str, params: Params
) -> Response:
    """Give the week's events, what they flag, the form to record one, and repair and compare."""
    page = _week(services, user, problem_id, params, "events")
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
    return _show(request, user, page, "events", events=recorded, versions=versions)


@router.post("/weeks/{problem_id}/events")
def record_event(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: str,
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
    back = _week_url(problem_id, "events", institution=institution or None)
    event: dict[str, Any] = {"type": kind, "at": start, EVENT_SUBJECT.get(kind, "father"): who}
    if kind != "time_out" and end:
        event["end"] = end
    if kind == "father_unavailable":
        event["kind"] = "court"
    if reason.strip():
        event["reason"] = reason.strip()
    done = _act(user, event_routes.record_events, services=services, body=event)
    if done is not None:
        flagged = len(done["flagged"])
        user.session.flash("ok", labels_of(request)("event_recorded", flagged=flagged))
    return _back(back)


@router.post("/weeks/{problem_id}/repairs")
def propose_repair(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: str,
    csrf: Csrf,
    institution: Annotated[str, Form()] = "",
    week: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = "",
) -> Response:
    """Give the repair's page once its solve has started (or the events tab saying why not)."""
    check_csrf(user.session, csrf)
    back = _week_url(problem_id, "events", institution=institution or None)
    asked = _form_request(
        user, repair_routes.RepairRequest, time_limit, institution=institution, week=week
    )
    if asked is None:
        return _back(back)
    started = _act(user, repair_routes.propose, services=services, request=asked)
    if started is None:
        return _back(back)
    return _back(f"/repairs/{quote(started['id'])}")


def _repair_week_url(services: ServicesDep, repair: dict[str, Any]) -> str:
    with services.database.read() as db:
        row = db.get(JobRow, repair["id"])
        problem_id = row.problem_id if row is not None else None
    if problem_id is None:
        return "/"
    return _week_url(problem_id, "events", institution=repair.get("institution"))


@router.get("/repairs/{repair_id}")
def repair(request: Request, user: User, services: ServicesDep, repair_id: str) -> Response:
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
    repair_id: str,
    csrf: Csrf,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Give the week after publishing the repair; without the confirmation, the preview again."""
    check_csrf(user.session, csrf)
    t = labels_of(request)
    if confirm != "yes":
        user.session.flash("error", t("publish_confirm_missing"))
        return _back(f"/repairs/{quote(repair_id)}")
    done = _act(user, roster_routes.publish_roster, services=services, roster_id=repair_id)
    if done is None:
        return _back(f"/repairs/{quote(repair_id)}")
    for item in done["published"]:
        user.session.flash("ok", t("published_done", **item))
    found = repair_routes.read(caller=user.principal, services=services, repair_id=repair_id)
    return _back(_repair_week_url(services, found))


@router.get("/weeks/{problem_id}/compare")
def compare(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: str,
    params: Params,
    first: Annotated[int, Query(alias="from", ge=1)] = 1,
    second: Annotated[int, Query(alias="to", ge=1)] = 2,
) -> Response:
    """Give the difference between two published versions of the week."""
    page = _week(services, user, problem_id, params, "events")
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
