"""``/v1/publications``: the published roster of an institution and week, its flags, explain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from api import audit
from api.deps import Caller, Services, ServicesDep, allow
from api.events import stored_events, with_causes
from api.explain import explain as explain_shortfall
from api.flags import flags
from api.keys import READ, Principal
from api.published import PublishedWeek, load_week
from api.repairs import between_versions
from api.tables import Publication, PublicationVersion, utcnow

router = APIRouter(prefix="/publications", tags=["publications"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "outside the key's role or institutions"},
    404: {"description": "nothing published for this institution and week"},
}


def _week(
    services: Services, caller: Principal, institution: str, week: str, action: str
) -> PublishedWeek:
    allow(caller, READ, [institution], f"{institution} {week}")
    with services.database.read() as session:
        found = load_week(session, services.parsed, institution, week, utcnow())
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"nothing is published for {institution} {week}"
        )
    with services.database.write() as session:
        audit.record(session, caller, action, "publication", f"{institution} {week}", [institution])
    return found


@router.get("", summary="Current publications the key may see", responses=ERRORS)
def list_publications(
    caller: Caller,
    services: ServicesDep,
    institution: Annotated[str | None, Query(description="only this institution")] = None,
    week: Annotated[str | None, Query(description="only this ISO week")] = None,
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
def read(caller: Caller, services: ServicesDep, institution: str, week: str) -> dict[str, Any]:
    """Give the published version, its history, and every assignment that counts as taken."""
    found = _week(services, caller, institution, week, "publication.read")
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
        "assignments": [a.model_dump(mode="json") for a in found.taken()],
        "allocations": len(found.allocations),
    }


@router.get(
    "/{institution}/{week}/flags",
    summary="Published assignments a later event broke (flagged for the planner)",
    responses=ERRORS,
)
def list_flags(
    caller: Caller, services: ServicesDep, institution: str, week: str
) -> list[dict[str, Any]]:
    """Give each assignment that breaks a hard rule of the week as it stands now, with the rules.

    Each flag names its causes: the recorded events that involve it.
    """
    found = _week(services, caller, institution, week, "publication.flags")
    with services.database.read() as session:
        events = stored_events(session, found.problem_row.id)
    return with_causes(flags(found), events)


@router.get(
    "/{institution}/{week}/compare",
    summary="The difference between two published versions of the week (audited)",
    responses={**ERRORS, 404: {"description": "nothing published, or no such version"}},
)
def compare(
    caller: Caller,
    services: ServicesDep,
    institution: str,
    week: str,
    first: Annotated[int, Query(alias="from", ge=1, description="the earlier version")],
    second: Annotated[int, Query(alias="to", ge=1, description="the later version")],
) -> dict[str, Any]:
    """Give kept, moved, dropped (with reasons), new and staff swaps from one version to another."""
    _week(services, caller, institution, week, "publication.compare")
    with services.database.read() as session:
        found = between_versions(session, services.parsed, institution, week, first, second)
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"{institution} {week} has no version {first} or no version {second}",
        )
    return {"institution": institution, "week": week, "from": first, "to": second, **found.view()}


@router.get(
    "/{institution}/{week}/explain",
    summary="Why did a father not get an activity in the published week (audited)",
    responses={**ERRORS, 422: {"description": "unknown father or activity"}},
)
def explain(
    caller: Caller,
    services: ServicesDep,
    institution: str,
    week: str,
    father: Annotated[str, Query(description="father pseudonym")],
    activity: Annotated[str, Query(description="activity id")],
) -> dict[str, Any]:
    """Give the entitlement, what is granted (allocations included), reasons and blockers."""
    found = _week(services, caller, institution, week, "publication.explain")
    roster = found.roster.model_copy(update={"assignments": found.taken()})
    return explain_shortfall(found.problem, roster, father, activity)
