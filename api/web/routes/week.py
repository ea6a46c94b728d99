"""A stored week as its pages show it: loaded once per request, its read of fathers audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import Response
from sqlalchemy import select

from api import audit
from api.deps import ServicesDep, allow, get_services
from api.jobs import LIVE_STATES
from api.keys import PLAN, READ
from api.published import publication
from api.rosters import ROSTER_JOB
from api.routers import publications as publication_routes
from api.scope import fathers_of, fathers_read
from api.tables import JobRow, ProblemRow, Publication
from api.web import views
from api.web.routes.pages import WebUser, render, week_url
from scheduler.diff import Difference, difference
from scheduler.domain import Problem, Roster, parse_roster


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
        return week_url(self.row.id, tab, **query)


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


def open_week(
    services: ServicesDep,
    user: WebUser,
    problem_id: str,
    params: WeekParams,
    tab: str,
    shown: Shown = placed_fathers,
) -> WeekPage:
    """Give the week's page data for a tab, its read audited as ``web.<tab>``."""
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


def flags_of(request: Request, user: WebUser, page: WeekPage) -> dict[str, dict[str, Any]]:
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


def show(request: Request, user: WebUser, page: WeekPage, tab: str, **context: Any) -> Response:
    """Give a tab of the week's page, with the week's days, wards, summary and flags."""
    context.setdefault("flagged", flags_of(request, user, page))
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


def roster_difference(
    services: ServicesDep, page: WeekPage, previous_id: str | None
) -> Difference | None:
    """Give what the page's roster changed of another roster of the week, at its institution."""
    if page.roster is None or not previous_id:
        return None
    with services.database.read() as db:
        previous = db.get(JobRow, previous_id)
        if previous is None or previous.result is None:
            return None
        before = services.parsed.roster(previous)
    return difference(
        views.at_institution(page.problem, before, page.institution),
        views.at_institution(page.problem, page.roster, page.institution),
    )


def show_difference(
    request: Request,
    user: WebUser,
    services: ServicesDep,
    problem_id: str,
    params: WeekParams,
    tab: str,
    against: Callable[[WeekPage], str | None],
    unchanged: Shown,
) -> Response:
    """Give a tab with what the page's roster changed of the week's roster ``against`` names.

    The fathers the difference names are the ones read (``unchanged`` where
    there is no roster to compare with).
    """
    found: list[Difference | None] = []

    def shown(page: WeekPage) -> Iterable[str]:
        found.append(roster_difference(services, page, against(page)))
        return found[0].fathers() if found[0] is not None else unchanged(page)

    page = open_week(services, user, problem_id, params, tab, shown)
    changed = found[0] if found else None
    return show(
        request, user, page, tab, difference=changed.view() if changed is not None else None
    )
