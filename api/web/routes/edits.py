"""Editing a draft by hand from the page: one appointment's forms, and the edit they post.

The edit page shows one appointment of the grid with a form for each
change (move, swap, delete, pin) and the nearest free places, or the form to
add one. Each form posts one edit to the same route as the JSON API
(``POST /v1/rosters/{id}/edits``) with the signed-in key: an accepted edit
opens the new draft's grid, a refused one comes back with its reasons in
words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import Response
from pydantic import ValidationError

from api.deps import ServicesDep
from api.edits import EditRequest
from api.rosters import ROSTER_JOB
from api.routers import rosters as roster_routes
from api.tables import JobRow, ProblemRow
from api.web import views
from api.web.labels import Labels
from api.web.routes.pages import Csrf, PageRoute, User, act, labels_of, see_other, week_url
from api.web.routes.week import Params, WeekPage, no_father, open_week, show, show_difference
from api.web.session import check_csrf
from scheduler.domain import Activity, Assignment, Session, validation_messages
from scheduler.edits import nearest_places
from scheduler.ids import Id
from scheduler.week import MINUTES_PER_DAY, WeekClock, clock_minutes, clock_text

router = APIRouter(include_in_schema=False, route_class=PageRoute)
FIELDS = ("assignment", "other", "father", "other_father", "activity", "room", "session")


@dataclass
class Choice:
    """An option of a form's list: its value and what the planner reads."""

    value: str
    text: str


@dataclass
class Place:
    """A free place for the appointment: the assignment that fits, and its day and time."""

    assignment: Assignment
    day: int
    time: str


@dataclass
class Editing:
    """What the edit page offers for one appointment (or, without one, for adding)."""

    assignment: Assignment | None
    activity: Activity | None
    day: int
    time: str
    rooms: list[Choice]
    sessions: list[Choice]
    swaps: list[Choice]
    nearest: list[Place]
    fathers: list[Choice]
    activities: list[Choice]
    all_sessions: list[Choice]


def _when(t: Labels, item: Assignment | Session) -> str:
    return t.moment(item.start)


def _editing(t: Labels, page: WeekPage, assignment_id: str) -> Editing:
    """Give the choices of the edit page for one appointment of the page's roster."""
    problem, roster = page.problem, page.roster
    assert roster is not None
    held = views.at_institution(problem, roster, page.institution)
    found = next((a for a in held if a.id == assignment_id), None) if assignment_id else None
    if assignment_id and found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"assignment: the roster has no appointment '{assignment_id}'",
        )
    sessions = [
        s for s in problem.sessions if problem.room_by_id[s.room].institution == page.institution
    ]
    every = [
        Choice(s.id, f"{_when(t, s)} · {t.activity(problem.activity_by_id.get(s.activity))}")
        for s in sessions
    ]
    fathers = [Choice(f.id, f.id) for f in views.fathers_at(problem, page.institution)]
    activities = [Choice(a.id, t.activity(a)) for a in problem.activities]
    if found is None:
        return Editing(None, None, 0, "10:00", [], [], [], [], fathers, activities, every)
    activity = problem.activity_by_id[found.activity]
    minute = problem.clock.minute(found.start)
    rooms = [
        Choice(r.id, f"{r.id} · {t.room_kind(r.kind)}")
        for r in problem.rooms
        if r.institution == page.institution and r.kind == activity.room_kind
    ]
    swaps = [
        Choice(f"{a.id}|{f}", f"{f} · {_when(t, a)}")
        for a in held
        if a.activity == found.activity and a.id != found.id
        for f in a.fathers
    ]
    nearest = []
    if found.fathers:
        father = found.fathers[0]
        for place in nearest_places(
            problem, roster.assignments, father, found.activity, found.start, found
        ):
            at = problem.clock.minute(place.start)
            nearest.append(Place(place, at // MINUTES_PER_DAY, clock_text(at % MINUTES_PER_DAY)))
    return Editing(
        found,
        activity,
        minute // MINUTES_PER_DAY,
        clock_text(minute % MINUTES_PER_DAY),
        rooms,
        [c for c, s in zip(every, sessions, strict=True) if s.activity == found.activity],
        swaps,
        nearest,
        fathers,
        activities,
        every,
    )


def _fathers_shown(page: WeekPage) -> list[str]:
    """Give the fathers the edit page names: those of the institution (its lists hold them)."""
    return [f.id for f in views.fathers_at(page.problem, page.institution)]


def _previous(page: WeekPage) -> str | None:
    """Give the id of the roster the page's draft came from, if any."""
    return page.job.params.get("previous") if page.job is not None else None


@router.get("/weeks/{problem_id}/difference")
def difference_page(
    request: Request, user: User, services: ServicesDep, problem_id: Id, params: Params
) -> Response:
    """Give what a draft changed of the roster it came from: moved, dropped, new, staff swaps."""
    return show_difference(
        request, user, services, problem_id, params, "difference", _previous, no_father
    )


@router.get("/weeks/{problem_id}/edit")
def edit_page(
    request: Request,
    user: User,
    services: ServicesDep,
    problem_id: Id,
    params: Params,
    assignment: str = "",
) -> Response:
    """Give the forms that change one appointment of the draft, or add one."""
    page = open_week(services, user, problem_id, params, "edit", _fathers_shown)
    if page.roster is None or page.job is None:
        raise HTTPException(status.HTTP_409_CONFLICT, labels_of(request)("no_roster"))
    editing = _editing(labels_of(request), page, assignment[:200])
    return show(request, user, page, "edit", editing=editing)


def _edit_fields(clock: WeekClock, form: dict[str, str]) -> dict[str, Any]:
    """Give the edit the form asks for: its op, names and, from day and time, its start."""
    fields: dict[str, Any] = {"op": form["op"]}
    for name in FIELDS:
        if form.get(name):
            fields[name] = form[name]
    if "|" in fields.get("other", ""):
        fields["other"], fields["other_father"] = fields["other"].split("|", 1)
    if form.get("time") and not fields.get("session"):
        day = int(form["day"]) if form.get("day", "").isdigit() else 0
        minute = day * MINUTES_PER_DAY + clock_minutes(form["time"])
        fields["start"] = clock.moment(minute).isoformat()
    return fields


def _say_refusal(t: Labels, user: User, body: dict[str, Any]) -> None:
    """Keep a refused edit's reasons, in words, as messages for the page."""
    reasons = [t.reason(r) for r in body.get("reasons", [])]
    if reasons:
        user.session.flash("error", t("edit_refused", reasons=", ".join(reasons)))
    else:
        for line in body.get("errors", []):
            user.session.flash("error", t.fault(line))


@router.post("/rosters/{roster_id}/edits")
def edit(
    request: Request,
    user: User,
    services: ServicesDep,
    roster_id: Id,
    csrf: Csrf = "",
    op: Annotated[str, Form(max_length=16)] = "",
    institution: Annotated[str, Form(max_length=200)] = "",
    day: Annotated[str, Form(max_length=2)] = "",
    time: Annotated[str, Form(max_length=5)] = "",
    assignment: Annotated[str, Form(max_length=200)] = "",
    other: Annotated[str, Form(max_length=400)] = "",
    father: Annotated[str, Form(max_length=200)] = "",
    activity: Annotated[str, Form(max_length=200)] = "",
    room: Annotated[str, Form(max_length=200)] = "",
    session: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Give the new draft's grid after one edit, or the edit page again with why it was refused."""
    check_csrf(user.session, csrf)
    t = labels_of(request)
    with services.database.read() as db:
        row = db.get(JobRow, roster_id)
        week = db.get(ProblemRow, row.problem_id) if row is not None and row.problem_id else None
        problem_id, week_name = (week.id, week.week) if week is not None else ("", "")
    if not problem_id or row is None or row.kind != ROSTER_JOB:
        user.session.flash("error", f"roster '{roster_id}': {t('not_found')}")
        return see_other("/")
    back = week_url(
        problem_id, "edit", institution=institution or None, roster=roster_id, assignment=assignment
    )
    form = {
        "op": op,
        "day": day,
        "time": time,
        "assignment": assignment,
        "other": other,
        "father": father,
        "activity": activity,
        "room": room,
        "session": session,
    }
    try:
        fields = _edit_fields(WeekClock(week_name), form)
        request_body = EditRequest.model_validate({"edits": [fields]})
    except (ValidationError, ValueError) as error:
        lines = validation_messages(error) if isinstance(error, ValidationError) else [str(error)]
        for line in lines:
            user.session.flash("error", t.fault(line))
        return see_other(back)
    answer = act(
        user, roster_routes.edit, services=services, roster_id=roster_id, request=request_body
    )
    if answer is None:
        return see_other(back)
    body = json.loads(answer.body)
    if answer.status_code != status.HTTP_201_CREATED:
        _say_refusal(t, user, body)
        return see_other(back)
    user.session.flash("ok", t("edit_saved", version=body["version"]))
    if body["findings"]:
        user.session.flash("error", t("edit_findings", count=len(body["findings"])))
    return see_other(week_url(problem_id, institution=institution or None, roster=body["roster"]))
