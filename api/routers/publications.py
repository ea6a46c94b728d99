"""``/v1/publications``: the published roster of an institution and week, its flags, explain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from api import audit, scope
from api.deps import Caller, Services, ServicesDep, allow
from api.events import stored_events, with_causes
from api.explain import explain as explain_shortfall
from api.flags import flags
from api.keys import READ, Principal
from api.published import PublishedWeek, load_week
from api.repairs import between_versions
from api.scope import fathers_read
from api.tables import Publication, PublicationVersion, utcnow
from scheduler.ids import Id, Pseudonym, WeekName

router = APIRouter(prefix="/publications", tags=["publications"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
    404: {"description": "nothing published for this institution and week"},
}


def _week(services: Services, caller: Principal, institution: str, week: str) -> PublishedWeek:
    allow(caller, READ, [institution], f"{institution} {week}")
    with services.database.read() as session:
        found = load_week(session, services.parsed, institution, week, utcnow())
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"nothing is published for {institution} {week}"
        )
    return found


def _note(
    services: Services,
    caller: Principal,
    action: str,
    found: PublishedWeek,
    institution: str,
    fathers: Iterable[str],
    detail: str = "",
) -> None:
    read = fathers_read(found.problem, fathers, [institution])
    with services.database.write() as session:
        audit.record_read(
            session,
            caller,
            action,
            "publication",
            f"{institution} {found.problem.week}",
            read,
            detail,
        )


@router.get("", summary="Current publications the key may see", responses=ERRORS)
def list_publications(
    caller: Caller,
    services: ServicesDep,
    institution: Annotated[Id | None, Query(description="only this institution")] = None,
    week: Annotated[WeekName | None, Query(description="only this ISO week")] = None,
) -> list[dict[str, Any]]:
    """Give each current publication: institution, week, version, roster and when."""
    allow(caller, READ, [], "listing publications")
    query = select(Publication).order_by(Publication.week.desc(), Publication.institution)
    if institution is not None:
        query = query.where(Publication.institution == institution)
    if week is not None:
        query = query.where(Publication.week == week)
    with services.database.read() as session:
        return [
            {
                "institution": p.institution,
                "week": p.week,
                "version": p.version,
                "roster": p.roster_id,
                "problem_id": p.problem_id,
                "published_at": p.published_at,
            }
            for p in session.scalars(query)
            if caller.covers([p.institution])
        ]


@router.get(
    "/{institution}/{week}",
    summary="The published week: roster assignments plus live allocations (audited)",
    responses=ERRORS,
)
def read(caller: Caller, services: ServicesDep, institution: Id, week: WeekName) -> dict[str, Any]:
    """Give the published version, its history, and what counts as taken at the institution."""
    found = _week(services, caller, institution, week)
    shown = scope.at(found.problem, found.taken(), institution)
    _note(services, caller, "publication.read", found, institution, scope.fathers_of(shown))
    with services.database.read() as session:
        versions = session.scalars(
            select(PublicationVersion)
            .where(PublicationVersion.institution == institution, PublicationVersion.week == week)
            .order_by(PublicationVersion.version)
        )
        history = [
            {"version": v.version, "roster": v.roster_id, "published_at": v.published_at}
            for v in versions
        ]
    current = next(p for p in found.publications if p.institution == institution)
    return {
        "institution": institution,
        "week": week,
        "version": current.version,
        "roster": current.roster_id,
        "problem_id": current.problem_id,
        "published_at": current.published_at,
        "versions": history,
        "assignments": [a.model_dump(mode="json") for a in shown],
        "allocations": sum(1 for a in found.allocations if a.institution == institution),
    }


@router.get(
    "/{institution}/{week}/flags",
    summary="Published assignments a later event broke (flagged for the planner)",
    responses=ERRORS,
)
def list_flags(
    caller: Caller, services: ServicesDep, institution: Id, week: WeekName
) -> list[dict[str, Any]]:
    """Give each assignment at the institution that breaks a hard rule now, with the rules."""
    found = _week(services, caller, institution, week)
    with services.database.read() as session:
        events = stored_events(session, found.problem_row.id)
    taken = found.taken()
    caused = with_causes(flags(found), events)
    shown = scope.flags_at(found.problem, taken, caused, institution)
    named = {f for item in shown if item["assignment"] for f in item["assignment"]["fathers"]}
    _note(services, caller, "publication.flags", found, institution, named)
    return shown


@router.get(
    "/{institution}/{week}/compare",
    summary="The difference between two published versions of the week (audited)",
    responses={**ERRORS, 404: {"description": "nothing published, or no such version"}},
)
def compare(
    caller: Caller,
    services: ServicesDep,
    institution: Id,
    week: WeekName,
    first: Annotated[int, Query(alias="from", ge=1, description="the earlier version")],
    second: Annotated[int, Query(alias="to", ge=1, description="the later version")],
) -> dict[str, Any]:
    """Give kept, moved, dropped (with reasons), new and staff swaps from one version to another."""
    week_found = _week(services, caller, institution, week)
    with services.database.read() as session:
        found = between_versions(session, services.parsed, institution, week, first, second)
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"{institution} {week} has no version {first} or no version {second}",
        )
    _note(services, caller, "publication.compare", week_found, institution, found.fathers())
    return {"institution": institution, "week": week, "from": first, "to": second, **found.view()}


@router.get(
    "/{institution}/{week}/explain",
    summary="Why did a father not get an activity in the published week (audited)",
    responses={
        **ERRORS,
        404: {"description": "nothing published, or no such father at the institution"},
        422: {"description": "unknown activity"},
    },
)
def explain(
    caller: Caller,
    services: ServicesDep,
    institution: Id,
    week: WeekName,
    father: Annotated[Pseudonym, Query(description="father pseudonym")],
    activity: Annotated[Id, Query(description="activity id")],
) -> dict[str, Any]:
    """Give the entitlement, what is granted (allocations included), reasons and blockers."""
    found = _week(services, caller, institution, week)
    known = found.problem.father_by_id.get(father)
    if known is None or known.institution != institution:
        # A father of another institution gets the answer of an unknown one.
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no father '{father}' in {institution} {week}"
        )
    taken = found.taken()
    roster = found.roster.model_copy(update={"assignments": taken})
    answer = explain_shortfall(found.problem, roster, father, activity)
    named = [father, *(change["father"] for change in answer["unblock"] if "father" in change)]
    _note(services, caller, "publication.explain", found, institution, named, activity)
    return scope.explanation_at(found.problem, taken, answer, institution)
