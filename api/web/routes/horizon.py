"""The weeks side by side: a week and the weeks after it at one institution."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import audit
from api.deps import ServicesDep
from api.web.horizon import horizon
from api.web.routes.pages import PageRoute, User
from api.web.routes.week import Params, no_father, open_week, show
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
    with services.database.write() as db:
        for column in columns:
            if column.problem_id and column.below_legal:
                audit.record_read(
                    db, user.principal, "web.horizon", "problem", column.problem_id,
                    {page.institution: column.below_legal},
                )  # fmt: skip
    return show(request, user, page, "horizon", columns=columns)
