"""Slot allocation for other systems (docs/design.md section 6): hold, confirm, cancel, replay.

An allocation places one occurrence into the published week without moving
any published assignment. Each request runs in one transaction that first
locks the week's publication rows, so requests for the same week run one
after the other; what the placement finds is then re-checked by the
independent validator on the assignments it touches, and every father,
volunteer, officer and room seat it takes is written as *claims* on 5-minute
cells under a unique constraint, so two live allocations can never hold the
same resource at the same time even if the locking were wrong.

Rules come from ``scheduler.placement`` (where it fits, why not, the nearest
alternatives) and ``scheduler.validate`` (the final check); this module only
decides what is taken and keeps the books.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from api.bookings import BookedWeek, WeekKey, bump, release_expired, stamp, week_key
from api.examples import ALLOCATION_REQUEST
from api.keys import Principal
from api.published import (
    CANCELLED,
    CONFIRMED,
    HELD,
    Parsed,
    PublishedWeek,
)
from api.tables import CLAIM_TABLE, Allocation, IdempotentAnswer, utcnow
from scheduler.domain import Assignment, Problem, ProblemError, Window
from scheduler.ids import Id, Pseudonym, WeekName
from scheduler.incremental import added_violations
from scheduler.occupancy import Occupancy
from scheduler.placement import alternatives, blockers, find_placement
from scheduler.week import MINUTES_PER_WEEK, parse_week

CELL_MINUTES = 5
HOLD_EXPIRED = "hold_expired"
ALTERNATIVES = 3
# Claims are written, read and deleted as rows of their table, without ORM objects; the
# statements are built once (building one costs more than running it).
_CLAIMS = insert(CLAIM_TABLE)
_TAKEN_SEATS = select(CLAIM_TABLE.c.resource).where(
    CLAIM_TABLE.c.problem_id == bindparam("problem_id"),
    CLAIM_TABLE.c.resource.in_(bindparam("resources", expanding=True)),
    CLAIM_TABLE.c.cell.in_(bindparam("cells", expanding=True)),
)
_CLAIMED_CELLS = select(CLAIM_TABLE.c.cell).where(
    CLAIM_TABLE.c.problem_id == bindparam("problem_id"),
    CLAIM_TABLE.c.resource == bindparam("resource"),
)
_RELEASE_ONE = delete(CLAIM_TABLE).where(CLAIM_TABLE.c.allocation_id == bindparam("allocation_id"))


class AllocationRequest(BaseModel):
    """One occurrence for one father, somewhere between ``earliest`` and ``latest``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ALLOCATION_REQUEST]})

    institution: Id = Field(description="institution id; the key must cover it")
    week: WeekName = Field(description="ISO week of the published roster, e.g. 2027-W05")
    father: Pseudonym = Field(description="father pseudonym")
    activity: Id = Field(description="activity id")
    earliest: AwareDatetime = Field(description="the occurrence starts at or after this")
    latest: AwareDatetime = Field(description="the occurrence ends at or before this")
    preferred: list[Window] = Field(default_factory=list, description="weekly windows to try first")
    hold: bool = Field(
        default=False,
        description="hold the slot for a few minutes until confirmed, instead of confirming now",
    )


class AllocationNotFound(LookupError):
    """No such allocation, or no published roster to allocate in."""


@dataclass
class Outcome:
    """The HTTP status and body of an allocation answer."""

    status: int
    body: dict[str, Any]


def view(allocation: Allocation, now: datetime | None = None) -> dict[str, Any]:
    """Give the public form of an allocation; a hold past its time shows as ``expired``."""
    now = now or utcnow()
    state = allocation.state
    if (
        state == HELD
        and allocation.hold_expires_at is not None
        and allocation.hold_expires_at <= now
    ):
        state = "expired"
    return {
        "id": allocation.id,
        "state": state,
        "institution": allocation.institution,
        "week": allocation.week,
        "father": allocation.father,
        "activity": allocation.activity,
        "assignment": allocation.assignment,
        "hold_expires_at": _iso(allocation.hold_expires_at),
        "created_at": _iso(allocation.created_at),
        "confirmed_at": _iso(allocation.confirmed_at),
        "cancelled_at": _iso(allocation.cancelled_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def fingerprint(request: AllocationRequest) -> str:
    """Give the hash that tells whether a replayed request is the same request."""
    text = json.dumps(request.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _window(problem: Problem, request: AllocationRequest) -> tuple[int, int]:
    try:
        parse_week(request.week)
    except ValueError as error:
        raise ProblemError([f"week: {error}"]) from None
    if request.latest <= request.earliest:
        raise ProblemError([f"latest: {request.latest.isoformat()} is not after earliest"])
    clock = problem.clock
    low = max(0, clock.minute(request.earliest))
    high = min(MINUTES_PER_WEEK, clock.minute(request.latest))
    if high <= low:
        raise ProblemError([f"earliest: the window lies outside week {problem.week}"])
    return low, high


def _resolve_father(problem: Problem, request: AllocationRequest) -> None:
    father = problem.father_by_id.get(request.father)
    messages = []
    if father is None or father.institution != request.institution:
        # A father of another institution gets the answer of an unknown one.
        messages.append(f"father: unknown father '{request.father}'")
    if request.activity not in problem.activity_by_id:
        messages.append(f"activity: unknown activity '{request.activity}'")
    if messages:
        raise ProblemError(messages)


def _cells(low: int, high: int) -> range:
    return range(low // CELL_MINUTES, -(-high // CELL_MINUTES))


def _taken_seats(session: Session, problem_id: str, resources: list[str], cells: range) -> set[str]:
    found = session.scalars(
        _TAKEN_SEATS, {"problem_id": problem_id, "resources": resources, "cells": list(cells)}
    )
    return set(found)


def _claims(
    session: Session,
    week: PublishedWeek,
    allocation: Allocation,
    assignment: Assignment,
    joined: Assignment | None,
) -> list[dict[str, Any]]:
    """Give the claims an allocation makes (as rows): its father, and the staff and seat it adds."""
    problem = week.problem
    clock = problem.clock
    start, end = clock.minute(assignment.start), clock.minute(assignment.end)
    problem_id = week.problem_row.id
    found: list[tuple[str, int]] = [(f"father:{allocation.father}", c) for c in _cells(start, end)]
    if joined is None:
        for volunteer in assignment.volunteers:
            found += [(f"volunteer:{volunteer}", c) for c in _cells(start, end)]
        for officer in assignment.officers:
            found += [(f"officer:{officer}", c) for c in _cells(start, end)]
        room = problem.room_by_id.get(assignment.room or "")
        if room is not None and assignment.session is None:
            cells = _cells(start, end + room.changeover_minutes)
            seats = [f"room:{room.id}#{seat}" for seat in range(room.capacity)]
            taken = _taken_seats(session, problem_id, seats, cells)
            free = [seat for seat in seats if seat not in taken]
            # With no free seat the claim repeats seat 0, and the unique constraint refuses it.
            found += [((free or seats)[0], c) for c in cells]
    if assignment.session is not None:
        capacity = problem.session_by_id[assignment.session].capacity
        published = next((a for a in week.published_assignments() if a.id == assignment.id), None)
        first = len(published.fathers) if published is not None else 0
        resource = f"session:{assignment.session}"
        claimed = set(
            session.scalars(_CLAIMED_CELLS, {"problem_id": problem_id, "resource": resource})
        )
        seat = next((s for s in range(first, capacity) if s not in claimed), first)
        found.append((resource, seat))
    return [
        {"allocation_id": allocation.id, "problem_id": problem_id, "resource": r, "cell": c}
        for r, c in found
    ]


def final_violations(problem: Problem, taken: list[Assignment], new: Assignment) -> list[str]:
    """Give the reasons the validator finds against adding ``new`` to what is taken."""
    return sorted({v.reason for v in added_violations(problem, taken, new)})


def _alternatives(
    problem: Problem,
    occupancy: Occupancy,
    father: str,
    activity: str,
    around: int,
    tried: tuple[int, int] | None = None,
) -> list[dict[str, Any]]:
    found = alternatives(problem, occupancy, father, activity, around, ALTERNATIVES, tried)
    return [a.model_dump(mode="json") for a in found]


def _refusal(detail: str, why: list[str], offers: list[dict[str, Any]]) -> Outcome:
    return Outcome(
        409, {"detail": detail, "errors": [detail], "reasons": why, "alternatives": offers}
    )


def _lock_week(
    session: Session, parsed: Parsed, institution: str, week: str, now: datetime
) -> PublishedWeek:
    found = parsed.bookings.locate(session, parsed, institution, week, now, lock=True)
    if found is None:
        raise AllocationNotFound(f"no published roster for {institution} {week}")
    release_expired(session, found.problem_row.id, now)
    return found


@dataclass
class Planned:
    """Where an occurrence fits, found without the week's lock, and the version it was found at."""

    key: WeekKey
    version: tuple[int, int]
    assignment: Assignment
    joined: Assignment | None


def _replay(
    session: Session, caller: Principal, request: AllocationRequest, idempotency_key: str | None
) -> Outcome | None:
    if idempotency_key is None:
        return None
    earlier = session.scalars(
        select(IdempotentAnswer).where(
            IdempotentAnswer.key_id == caller.key_id,
            IdempotentAnswer.idempotency_key == idempotency_key,
        )
    ).first()
    if earlier is None:
        return None
    if earlier.fingerprint != fingerprint(request):
        raise ProblemError(
            [f"Idempotency-Key: '{idempotency_key}' was used for a different request"]
        )
    return Outcome(200, earlier.body)


def plan(
    session: Session,
    parsed: Parsed,
    caller: Principal,
    request: AllocationRequest,
    idempotency_key: str | None,
    now: datetime | None = None,
) -> Outcome | Planned:
    """Give where the occurrence fits now, or the answer (a refusal, a replay), in a read.

    Nothing is locked and nothing written: a refusal holds at the moment of
    the read, and a placement is booked by ``allocate`` only if the week is
    still at the version it was found at (else it is found again there).
    """
    now = now or utcnow()
    week = parsed.bookings.locate(session, parsed, request.institution, request.week, now)
    if week is None:
        raise AllocationNotFound(f"no published roster for {request.institution} {request.week}")
    replayed = _replay(session, caller, request, idempotency_key)
    if replayed is not None:
        return replayed
    _resolve_father(week.problem, request)
    low, high = _window(week.problem, request)
    with parsed.bookings.hold(session, week, now) as booked:
        found = _place(booked, request, low, high)
        if isinstance(found, Outcome):
            return found
        return Planned(week_key(week), (booked.version, booked.epoch), *found)


def allocate(
    session: Session,
    parsed: Parsed,
    caller: Principal,
    request: AllocationRequest,
    idempotency_key: str | None,
    hold_minutes: float,
    now: datetime | None = None,
    planned: Planned | None = None,
) -> Outcome:
    """Give 201 and the new allocation, 200 and the first answer on a replay, or 409 and why not.

    A placement ``planned`` at the version the week still has is booked as
    found; otherwise the placement is found again under the week's lock.
    """
    now = now or utcnow()
    week = _lock_week(session, parsed, request.institution, request.week, now)
    problem = week.problem
    replayed = _replay(session, caller, request, idempotency_key)
    if replayed is not None:
        return replayed
    _resolve_father(problem, request)
    low, high = _window(problem, request)
    with parsed.bookings.hold(session, week, now) as booked:
        current = (week_key(week), (booked.version, booked.epoch))
        if planned is not None and (planned.key, planned.version) == current:
            found: tuple[Assignment, Assignment | None] | Outcome = (
                planned.assignment,
                planned.joined,
            )
        else:
            found = _place(booked, request, low, high)
        if isinstance(found, Outcome):
            return found
        assignment, joined = found
        allocation = Allocation(
            id=str(uuid.uuid4()),
            institution=request.institution,
            week=request.week,
            problem_id=week.problem_row.id,
            father=request.father,
            activity=request.activity,
            state=HELD if request.hold else CONFIRMED,
            assignment=assignment.model_dump(mode="json"),
            hold_expires_at=now + timedelta(minutes=hold_minutes) if request.hold else None,
            key_id=caller.key_id,
            created_at=now,
            confirmed_at=None if request.hold else now,
        )
        session.add(allocation)
        stamp(session, booked, allocation, now)
    session.execute(_CLAIMS, _claims(session, week, allocation, assignment, joined))
    body = view(allocation, now)
    if idempotency_key is not None:
        session.add(
            IdempotentAnswer(
                key_id=caller.key_id,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint(request),
                allocation_id=allocation.id,
                body=body,
                created_at=now,
            )
        )
    session.flush()
    return Outcome(201, body)


def _place(
    booked: BookedWeek, request: AllocationRequest, low: int, high: int
) -> tuple[Assignment, Assignment | None] | Outcome:
    """Give where the occurrence goes (and the session it joins), or the refusal."""
    problem, occupancy = booked.problem, booked.occupancy
    placement = find_placement(
        problem,
        occupancy,
        request.father,
        request.activity,
        low,
        high,
        request.preferred or None,
    )
    why = list(placement.reasons)
    if placement.assignment is not None:
        why = final_violations(problem, booked.taken(), placement.assignment)
    if placement.assignment is None or why:
        return _refusal(
            f"no slot for '{request.activity}' for father '{request.father}' "
            f"between {request.earliest.isoformat()} and {request.latest.isoformat()}",
            why,
            # Where nothing in the window fitted, its candidates need no second try.
            _alternatives(
                problem,
                occupancy,
                request.father,
                request.activity,
                low,
                (low, high) if placement.assignment is None else None,
            ),
        )
    assignment = placement.assignment
    joined = occupancy.get(assignment.id) if assignment.session is not None else None
    return assignment, joined


def get_allocation(session: Session, allocation_id: str) -> Allocation:
    """Give a stored allocation, or raise AllocationNotFound."""
    found = session.get(Allocation, allocation_id)
    if found is None:
        raise AllocationNotFound(f"allocation '{allocation_id}' does not exist")
    return found


def confirm(
    session: Session, parsed: Parsed, allocation: Allocation, now: datetime | None = None
) -> Outcome:
    """Give 200 and the confirmed allocation, or 409 with every reason and alternatives.

    The hold is re-checked against everything else taken now. A hold that
    expired is confirmed when its slot is still free; otherwise the answer
    is ``hold_expired`` with alternatives.
    """
    now = now or utcnow()
    if allocation.state == CONFIRMED:
        return Outcome(200, view(allocation, now))
    if allocation.state == CANCELLED:
        return _refusal(f"allocation '{allocation.id}' was cancelled", [CANCELLED], [])
    week = _lock_week(session, parsed, allocation.institution, allocation.week, now)
    session.refresh(allocation)
    if allocation.state != HELD:
        return confirm(session, parsed, allocation, now)
    expired = allocation.hold_expires_at is not None and allocation.hold_expires_at <= now
    problem = week.problem
    held = Assignment.model_validate(allocation.assignment)
    with (
        parsed.bookings.hold(session, week, now) as booked,
        booked.without(allocation.id) as occupancy,
    ):
        taken = booked.taken()
        start = problem.clock.minute(held.start)
        fresh, why = blockers(
            problem,
            occupancy,
            allocation.father,
            allocation.activity,
            start,
            held.session,
            held.room,
        )
        chosen: Assignment | None = None
        options = [held, fresh] if held.session is None else [fresh]
        for option in options:
            if option is not None and option.room == held.room:
                found = final_violations(problem, taken, option)
                if not found:
                    chosen = option
                    break
                why = sorted(set(why) | set(found))
        if chosen is None:
            offers = _alternatives(
                problem, occupancy, allocation.father, allocation.activity, start
            )
            if expired:
                return _refusal(
                    f"the hold of allocation '{allocation.id}' expired and its slot is taken",
                    [HOLD_EXPIRED, *why],
                    offers,
                )
            return _refusal(f"the slot of allocation '{allocation.id}' no longer fits", why, offers)
        joined = occupancy.get(chosen.id) if chosen.session is not None else None
    session.execute(_RELEASE_ONE, {"allocation_id": allocation.id})
    allocation.state = CONFIRMED
    allocation.assignment = chosen.model_dump(mode="json")
    allocation.confirmed_at = now
    allocation.hold_expires_at = None
    stamp(session, booked, allocation, now)
    session.execute(_CLAIMS, _claims(session, week, allocation, chosen, joined))
    session.flush()
    return Outcome(200, view(allocation, now))


def cancel(
    session: Session, parsed: Parsed, allocation: Allocation, now: datetime | None = None
) -> Outcome:
    """Give 200 and the cancelled allocation; cancelling twice answers the same."""
    now = now or utcnow()
    if allocation.state == CANCELLED:
        return Outcome(200, view(allocation, now))
    week = parsed.bookings.locate(
        session, parsed, allocation.institution, allocation.week, now, lock=True
    )
    session.refresh(allocation)
    if allocation.state == CANCELLED:
        return Outcome(200, view(allocation, now))
    if week is None or week.problem_row.id != allocation.problem_id:
        _cancelled(session, allocation, now)
        allocation.week_version = bump(session, allocation.problem_id)
    else:
        # The copy is held before the allocation changes, so that what it catches up with
        # is only what others committed.
        with parsed.bookings.hold(session, week, now) as booked:
            _cancelled(session, allocation, now)
            stamp(session, booked, allocation, now)
    session.flush()
    return Outcome(200, view(allocation, now))


def _cancelled(session: Session, allocation: Allocation, now: datetime) -> None:
    allocation.state = CANCELLED
    allocation.cancelled_at = now
    allocation.hold_expires_at = None
    session.execute(_RELEASE_ONE, {"allocation_id": allocation.id})
