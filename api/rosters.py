"""Roster jobs: the solve that runs in its own process, publishing, and what a roster shows.

A roster's id is its solve job's id. The job first reports the warm start
(the greedy roster in the objective's order of priority) as the best so far,
then CP-SAT's progress tier by tier and each better roster the search finds
(``solver.live``), and ends with the solver's roster. A roster so far is
stored only once the independent validator finds nothing wrong with it; the
progress counts the rosters stored (``rosters``) and tells when the last one
came (``roster_seconds``).
Publishing makes a finished roster the published one of every institution of
its week, as a new version; earlier versions are kept.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.bookings import bump
from api.jobs import Report
from api.problems import institutions_of
from api.published import (
    CONFIRMED,
    Parsed,
    load_week,
    publication,
    week_allocations,
    with_allocations,
)
from api.tables import Allocation, Claim, JobRow, ProblemRow, Publication, PublicationVersion
from scheduler.domain import Assignment, Problem, Roster, parse_problem, parse_roster
from scheduler.incremental import added_violations
from scheduler.validate import check_assignments

ROSTER_JOB = "roster"
ROSTER_TARGET = "api.rosters:solve_job"


def solve_job(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Give the solved roster of ``payload['problem']`` (runs in the job's own process)."""
    from solver.solve import Progress, SolveOptions, solve, warm_start_roster

    began = time.monotonic()
    problem = parse_problem(payload["problem"])
    previous = parse_roster(payload["previous"]) if payload.get("previous") else None
    repair = payload.get("repair") or {}
    # A repair re-plans from its moment on: nothing is added before it.
    since = datetime.fromisoformat(repair["since"]) if repair.get("since") else None
    first = warm_start_roster(problem, previous, since)
    shown = {"rosters": 1, "roster_seconds": round(time.monotonic() - began, 3)}
    report(
        {"phase": "warm_start", "seconds": shown["roster_seconds"], "solutions": 1, **shown},
        first.model_dump(mode="json"),
    )
    solutions = 1
    last: dict[str, Any] = {}

    def on_progress(progress: Progress) -> None:
        nonlocal solutions
        solutions += 1
        last.update(tier=progress.tier, objective=progress.objective, bound=progress.bound)
        seconds = round(time.monotonic() - began, 3)
        report(
            {"phase": "solving", "seconds": seconds, **last, "solutions": solutions, **shown}, None
        )

    def on_roster(roster: Roster) -> None:
        if check_assignments(problem, roster.assignments):
            return  # never shown: a roster so far must be valid as it stands
        seconds = round(time.monotonic() - began, 3)
        shown.update(rosters=shown["rosters"] + 1, roster_seconds=seconds)
        progress = {"phase": "solving", "seconds": seconds, **last, "solutions": solutions}
        report({**progress, **shown}, roster.model_dump(mode="json"))

    options = SolveOptions(
        time_limit=float(payload["time_limit"]),
        workers=int(payload["workers"]),
        deterministic=bool(payload.get("deterministic", False)),
    )
    roster = solve(
        problem, options, previous, on_progress, warm_start=first, since=since, on_roster=on_roster
    )
    return roster.model_dump(mode="json")


def view(row: JobRow, publications: list[PublicationVersion]) -> dict[str, Any]:
    """Give what the API shows of a roster job: state, progress, and the best roster so far."""
    return {
        "id": row.id,
        "problem_id": row.problem_id,
        "institutions": row.institutions,
        "state": row.state,
        "progress": row.progress,
        "error": row.error,
        "options": row.params,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "published": [
            {"institution": p.institution, "week": p.week, "version": p.version}
            for p in publications
        ],
        "roster": row.result,
    }


def versions_of(session: Session, roster_id: str) -> list[PublicationVersion]:
    """Give every publication of a roster, by institution and version."""
    query = select(PublicationVersion).where(PublicationVersion.roster_id == roster_id)
    return list(
        session.scalars(query.order_by(PublicationVersion.institution, PublicationVersion.version))
    )


class PublishRefused(ValueError):
    """A roster that cannot be published now; ``messages`` say why."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def publish(
    session: Session,
    parsed: Parsed,
    row: JobRow,
    key_id: int | None,
    now: datetime,
) -> list[PublicationVersion]:
    """Give the new publication versions: the roster becomes the published one of its week.

    Only a roster that is no longer running, breaks no hard rule of the
    week as it stands now and conflicts with no live allocation is
    published. Live allocations of an institution and week move along to
    the newly published week.
    """
    if row.result is None or row.state in ("queued", "running"):
        raise PublishRefused([f"roster '{row.id}' is {row.state}: publish it once it has finished"])
    problem_row = session.get(ProblemRow, row.problem_id)
    if problem_row is None:
        raise PublishRefused([f"roster '{row.id}': its week no longer exists"])
    problem = parsed.problem(problem_row)
    roster = parsed.roster(row)
    if roster.status == "infeasible":
        raise PublishRefused([f"roster '{row.id}' is infeasible: nothing to publish"])
    broken = check_assignments(problem, roster.assignments)
    if broken:
        raise PublishRefused(
            [f"roster '{row.id}' breaks {v.rule}: {v.message}" for v in broken[:20]]
        )
    allocations = week_allocations(session, institutions_of(problem), problem.week, now)
    conflicts = allocation_conflicts(problem, roster.assignments, allocations)
    if conflicts:
        raise PublishRefused([f"roster '{row.id}' {line}" for line in conflicts[:20]])
    found: list[PublicationVersion] = []
    for institution in sorted(item.id for item in problem.institutions):
        current = publication(session, institution, problem.week, lock=True)
        if current is None:
            current = Publication(
                institution=institution,
                week=problem.week,
                version=1,
                roster_id=row.id,
                problem_id=problem_row.id,
                published_at=now,
            )
            session.add(current)
        else:
            if current.problem_id != problem_row.id:
                _move_allocations(session, institution, problem.week, problem_row.id)
                bump(session, current.problem_id, epoch=True)
            current.version += 1
            current.roster_id = row.id
            current.problem_id = problem_row.id
            current.published_at = now
        version = PublicationVersion(
            institution=institution,
            week=problem.week,
            version=current.version,
            roster_id=row.id,
            problem_id=problem_row.id,
            key_id=key_id,
            published_at=now,
        )
        session.add(version)
        found.append(version)
    # Every process's booked copy of the week is rebuilt from the new publication.
    bump(session, problem_row.id, epoch=True)
    session.flush()
    return found


def allocation_conflicts(
    problem: Problem, assignments: list[Assignment], allocations: list[Allocation]
) -> list[str]:
    """Give one line per live allocation that the assignments, once published, would break.

    Each allocation is placed in the assignments with every other one, as the
    published week would hold them; what it breaks there and did not break
    as it was made is a conflict with the roster. A confirmed allocation is a
    promise to a family: a roster that double-books one is not published.
    """
    found: list[str] = []
    for allocation in allocations:
        others = with_allocations(assignments, [a for a in allocations if a.id != allocation.id])
        made = Assignment.model_validate(allocation.assignment)
        placed = next(a for a in with_allocations(others, [allocation]) if a.id == made.id)
        broken = added_violations(problem, others, placed, standing=[made])
        if broken:
            what = ", ".join(v.message for v in broken)
            found.append(
                f"conflicts with {allocation.state} allocation '{allocation.id}' "
                f"({allocation.father} {allocation.activity} {made.start.isoformat()}"
                f"{' in ' + made.room if made.room else ''}): {what}"
            )
    return found


def allocation_pins(
    session: Session, parsed: Parsed, problem: Problem, now: datetime
) -> list[Assignment]:
    """Give the confirmed allocations of the week's institutions as pinned assignments.

    Each is pinned as the published week holds it: an individual one as it
    was placed, a session one as the session runs with its fathers and staff,
    so that a later solve of the week keeps every promise exactly. A hold is
    not a promise yet; publishing refuses a roster that conflicts with one.
    """
    institutions = institutions_of(problem)
    pins: dict[str, Assignment] = {}
    for institution in institutions:
        week = load_week(session, parsed, institution, problem.week, now)
        if week is None:
            continue
        promised = [
            a for a in week.allocations if a.state == CONFIRMED and a.institution in institutions
        ]
        ids = {a.assignment["id"] for a in promised}
        for assignment in with_allocations(week.published_assignments(), promised):
            if assignment.id in ids:
                pins[assignment.id] = assignment.model_copy(update={"pinned": True})
    return list(pins.values())


def _move_allocations(session: Session, institution: str, week: str, problem_id: str) -> None:
    moved = select(Allocation.id).where(
        Allocation.institution == institution, Allocation.week == week
    )
    session.execute(
        update(Claim).where(Claim.allocation_id.in_(moved)).values(problem_id=problem_id)
    )
    session.execute(
        update(Allocation)
        .where(Allocation.institution == institution, Allocation.week == week)
        .values(problem_id=problem_id)
    )
