"""Repairs of a published week: a solve from a moment on, read as a difference, then published.

A repair is a roster job of the published week's stored facts (as events
left them) in which everything that began before the moment is pinned as it
happened, every published assignment that still stands and every live
allocation are pinned as the published week holds them, and the published
roster is the previous roster of the stability tier for the rest; so the
repair changes what the events force, and the capacity they freed goes to
whoever is now entitled. The proposal is the difference from the current
publication (kept, moved, dropped with reasons, new, staff swaps).

Publishing a roster tells the institutions' subscriptions: ``roster.published``
and, against the version it replaces, ``assignment.cancelled`` for each
dropped occurrence, ``assignment.moved`` and ``assignment.created``, all in
the transaction of the publication.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit, outbox
from api.events import causes, stored_events
from api.flags import flags
from api.jobs import DONE, JobRunner
from api.outcomes import with_history
from api.published import Parsed, PublishedWeek, institution_of, load_week
from api.rosters import ROSTER_JOB, PublishRefused, allocation_pins, publish
from api.scope import fathers_read
from api.tables import EventRow, JobRow, ProblemRow, PublicationVersion, utcnow
from scheduler.diff import Difference, Reasons, difference
from scheduler.domain import Assignment, Problem, ProblemError, Roster, parse_problem
from scheduler.events import Event, contains, repair_pins
from scheduler.validate import check_assignments

log = logging.getLogger(__name__)


class RepairRefused(ValueError):
    """A repair that cannot start: the pins no longer fit the week, or break what happened."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def default_moment(session: Session, week: PublishedWeek, now: datetime) -> datetime:
    """Give the earliest moment of the events recorded since the week's current publication."""
    published_at = max(p.published_at for p in week.publications)
    rows = session.scalars(select(EventRow).where(EventRow.recorded_at >= published_at))
    moments = [row.at for row in rows if week.problem_row.id in row.problems]
    return min(moments) if moments else now


def repair_week(
    session: Session, parsed: Parsed, week: PublishedWeek, since: datetime, now: datetime
) -> dict[str, Any]:
    """Give the facts to solve: the stored week with what stands pinned.

    Pinned are what began before the moment (it happened), every published
    assignment the facts as they now stand do not break (it is kept where it
    stands: the repair changes only what the events force, and adds what
    the freed capacity allows), and every live allocation as the published
    week holds it. The flagged assignments are left to the solve, which
    keeps them close to the publication (the stability tier) where it can.
    """
    data = week.problem_row.data
    broken = {item["assignment_id"] for item in flags(week)}
    kept = repair_pins(week.problem.pinned, week.taken(), broken, since)
    pins = {a.id: a for a in kept}
    for pin in allocation_pins(session, parsed, week.problem, now):
        pins[pin.id] = pin
    changed = {**data, "pinned": [pin.model_dump(mode="json") for pin in pins.values()]}
    try:
        facts = parse_problem(changed)
    except ProblemError as error:
        raise RepairRefused(
            409, "what is pinned no longer fits the week: " + "; ".join(error.messages)
        ) from None
    past = [a for a in facts.pinned if a.start < since]
    happened = {a.id for a in past}
    broken_past = [
        v
        for v in check_assignments(facts, list(facts.pinned))
        if v.assignment in happened and v.rule != "pinned"
    ]
    if broken_past:
        # Consent and shell are facts of the whole week: one changed mid-week can break
        # what already happened, which no repair can undo.
        raise RepairRefused(
            409,
            f"what happened before {since.isoformat()} breaks the week as it now stands "
            "(a consent or shell change applies to its whole week): "
            + "; ".join(f"{v.assignment}: {v.message}" for v in broken_past[:10]),
        )
    return changed


def start(
    session: Session,
    parsed: Parsed,
    runner: JobRunner,
    week: PublishedWeek,
    institution: str,
    since: datetime | None,
    params: dict[str, Any],
    key_id: int | None,
    now: datetime,
) -> tuple[str, dict[str, Any]]:
    """Give the id of the new repair job of the published week and the payload to start it with.

    The caller has loaded the week (and checked that it may repair all of
    it); the payload starts the job after the commit.
    """
    week_name = week.problem.week
    if since is not None and not contains(week.problem, since):
        raise ProblemError([f"since: {since.isoformat()} lies outside {week_name}"])
    moment = since or default_moment(session, week, now)
    data = with_history(session, parsed, repair_week(session, parsed, week, moment, now),
                        week.problem, now)  # fmt: skip
    current = next(p for p in week.publications if p.institution == institution)
    repair = {
        "institution": institution,
        "week": week_name,
        "since": moment.isoformat(),
        "version": current.version,
        "published_roster": week.roster_row.id,
    }
    full = {**params, "problem_revision": week.problem_row.revision, "repair": repair}
    job_id = runner.create(
        session,
        ROSTER_JOB,
        full,
        problem_id=week.problem_row.id,
        institutions=week.problem_row.institutions,
        key_id=key_id,
    )
    return job_id, {**full, "problem": data, "previous": week.roster_row.result}


def _reasons(broken: set[str], events: list[Event], roster: Roster) -> Reasons:
    """Give why a dropped occurrence went: the events that broke it, else the new shortfall."""
    shortfalls = {(s.father, s.activity): s.reasons for s in roster.shortfalls}

    def why(assignment: Assignment, father: str) -> list[str]:
        if assignment.id in broken:
            found = {c["reason"] for c in causes(events, assignment, father) if c["reason"]}
            if found:
                return sorted(found)
        return list(shortfalls.get((father, assignment.activity), []))

    return why


def _at(
    problem: Problem, assignments: list[Assignment], institutions: set[str]
) -> list[Assignment]:
    return [a for a in assignments if institution_of(problem, a) in institutions]


def against_publication(
    session: Session,
    parsed: Parsed,
    week: PublishedWeek,
    roster: Roster,
    institutions: set[str] | None = None,
) -> Difference:
    """Give the difference from the week as published (allocations included) to a roster.

    With ``institutions``, only the occurrences that take place there (one
    institution's part of a region week, what its subscriptions may hear).
    """
    covered = set(week.institutions) if institutions is None else institutions
    broken = {item["assignment_id"] for item in flags(week)}
    events = stored_events(session, week.problem_row.id)
    why = _reasons(broken, events, roster)
    before = _at(week.problem, week.taken(), covered)
    after = _at(week.problem, roster.assignments, covered)
    return difference(before, after, why)


def between_versions(
    session: Session,
    parsed: Parsed,
    institution: str,
    week_name: str,
    first: int,
    second: int,
) -> Difference | None:
    """Give the difference between two published versions of a week, or None if one is missing."""
    found: dict[int, tuple[str, Problem, Roster]] = {}
    for version in (first, second):
        row = session.scalars(
            select(PublicationVersion).where(
                PublicationVersion.institution == institution,
                PublicationVersion.week == week_name,
                PublicationVersion.version == version,
            )
        ).first()
        if row is None:
            return None
        job = session.get(JobRow, row.roster_id)
        problem_row = session.get(ProblemRow, row.problem_id)
        if job is None or problem_row is None:
            return None
        found[version] = (problem_row.id, parsed.problem(problem_row), parsed.roster(job))
    (_, _, before), (problem_id, problem, after) = found[first], found[second]
    events = stored_events(session, problem_id)
    broken = {v.assignment for v in check_assignments(problem, before.assignments) if v.assignment}
    why = _reasons(broken, events, after)
    return difference(
        _at(problem, before.assignments, {institution}),
        _at(problem, after.assignments, {institution}),
        why,
    )


def publish_and_tell(
    session: Session, parsed: Parsed, row: JobRow, key_id: int | None, now: datetime
) -> list[PublicationVersion]:
    """Give the new publication versions, with their notices written to the outbox.

    Each institution's subscriptions hear ``roster.published``; against the
    version replaced, every dropped occurrence is ``assignment.cancelled``
    (with its reasons), every moved one ``assignment.moved``, every new one
    ``assignment.created``.
    """
    problem_row = session.get(ProblemRow, row.problem_id)
    if problem_row is None or row.result is None or row.state in ("queued", "running"):
        return publish(session, parsed, row, key_id, now)  # refuses, saying why
    problem = parsed.problem(problem_row)
    roster = parsed.roster(row)
    before: dict[str, Difference] = {}
    for institution in sorted(i.id for i in problem.institutions):
        week = load_week(session, parsed, institution, problem.week, now)
        if week is not None:
            before[institution] = against_publication(session, parsed, week, roster, {institution})
    versions = publish(session, parsed, row, key_id, now)
    for version in versions:
        change = before.get(version.institution)
        summary = change.view()["summary"] if change else None
        outbox.notify(
            session,
            [version.institution],
            "roster.published",
            {
                "week": version.week,
                "version": version.version,
                "roster": row.id,
                "changes": summary,
            },
            now,
        )
        if change is not None:
            _tell_changes(session, version, change, now)
    return versions


def _tell_changes(
    session: Session, version: PublicationVersion, change: Difference, now: datetime
) -> None:
    where = [version.institution]
    base = {"week": version.week, "version": version.version}
    for occurrence, why in change.dropped:
        data = {**base, **occurrence.view(), "reasons": why}
        outbox.notify(session, where, "assignment.cancelled", data, now)
    for old, new in change.moved:
        data = {**base, "father": new.father, "from": old.view(), "to": new.view()}
        outbox.notify(session, where, "assignment.moved", data, now)
    for occurrence in change.new:
        outbox.notify(session, where, "assignment.created", {**base, **occurrence.view()}, now)


def proposal(session: Session, parsed: Parsed, row: JobRow) -> dict[str, Any]:
    """Give a repair job as the planner reads it: its state and its difference when solved."""
    return read_proposal(session, parsed, row)[0]


def read_proposal(
    session: Session, parsed: Parsed, row: JobRow
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Give a repair job as the planner reads it, and the fathers it names by institution."""
    read: dict[str, list[str]] = {institution: [] for institution in row.institutions}
    repair = row.params.get("repair") or {}
    found: dict[str, Any] = {
        "id": row.id,
        "state": row.state,
        "error": row.error,
        "progress": row.progress,
        "institution": repair.get("institution"),
        "week": repair.get("week"),
        "since": repair.get("since"),
        "from_version": repair.get("version"),
        "difference": None,
        "drops_nothing": None,
    }
    if row.result is None:
        return found, read
    week = load_week(session, parsed, repair["institution"], repair["week"], utcnow())
    if week is None:
        return found, read
    change = against_publication(session, parsed, week, parsed.roster(row))
    # While the solve runs, its best roster so far (first the warm start) is the proposal.
    found["difference"] = change.view()
    found["drops_nothing"] = not change.dropped if row.state == DONE else None
    found["status"] = parsed.roster(row).status
    return found, fathers_read(week.problem, change.fathers(), row.institutions)


def auto_publish(database: Any, parsed: Parsed, job_id: str) -> None:
    """Publish a finished repair on its own when it drops nothing (the planner's setting)."""
    with database.write() as session:
        row = session.get(JobRow, job_id)
        if row is None or row.state != DONE or not row.params.get("repair"):
            return
        found = proposal(session, parsed, row)
        if found["drops_nothing"] is not True:
            return
        try:
            versions = publish_and_tell(session, parsed, row, None, utcnow())
        except PublishRefused as refusal:
            log.warning("repair %s not published on its own: %s", row.id, refusal)
            return
        audit.record(
            session,
            None,
            "roster.publish.auto",
            "roster",
            row.id,
            row.institutions,
            ", ".join(f"{v.institution} {v.week} v{v.version}" for v in versions),
        )
