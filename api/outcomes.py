"""Outcomes of published occurrences, and the history of a week read from them.

After the fact a planner, or another system of the institution (a system
key, as for allocations), records what became of each father's occurrence in
a published week: ``took_place``, ``no_show`` (the family did not come) or
``cancelled_by_institution`` (docs/design.md section 10). An occurrence is a
father in an assignment of the week as published, or of a live allocation.
The same outcome recorded again changes nothing; a different one for an
occurrence already recorded is refused, naming it, as are an unknown
assignment, a father not in it and a week not published.

When the service solves a week, ``history_of`` reads the published weeks
before it, with their outcomes, as the week's ``history``: the monthly rules
and fairness across weeks then hold in the service as on the command line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.keys import Principal
from api.published import Parsed, PublishedWeek, institution_of, load_week
from api.tables import OutcomeRow
from scheduler.domain import Assignment, Problem, ProblemError
from scheduler.four_weeks import week_record
from scheduler.history import WINDOW_WEEKS, History, Outcome, WeekRecord, week_after
from scheduler.ids import AssignmentId, Id, Pseudonym, WeekName

EXAMPLE: dict[str, Any] = {
    "institution": "PI-VH",
    "week": "2027-W05",
    "outcomes": [{"assignment": "A1", "father": "F-001", "outcome": "no_show"}],
}


class OutcomeItem(BaseModel):
    """What became of one father's occurrence: the assignment, the father and the outcome."""

    model_config = ConfigDict(extra="forbid")

    assignment: AssignmentId = Field(description="the assignment id in the published week")
    father: Pseudonym
    outcome: Outcome


class OutcomeRequest(BaseModel):
    """The outcomes of one institution's published week (one or a batch)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    institution: Id
    week: WeekName
    outcomes: list[OutcomeItem] = Field(min_length=1, max_length=5000)


def view(row: OutcomeRow) -> dict[str, Any]:
    """Give a stored outcome as the API shows it."""
    return {
        "institution": row.institution,
        "week": row.week,
        "assignment": row.assignment,
        "father": row.father,
        "activity": row.activity,
        "start": row.start.isoformat(),
        "outcome": row.outcome,
        "version": row.version,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at.isoformat(),
    }


def stored(session: Session, institution: str, week: str) -> list[OutcomeRow]:
    """Give the outcomes recorded of an institution's week, by start, assignment and father."""
    query = (
        select(OutcomeRow)
        .where(OutcomeRow.institution == institution, OutcomeRow.week == week)
        .order_by(OutcomeRow.start, OutcomeRow.assignment, OutcomeRow.father)
    )
    return list(session.scalars(query))


def occurrences_at(week: PublishedWeek, institution: str) -> dict[str, Assignment]:
    """Give the assignments of a published week at the institution, live allocations included."""
    return {a.id: a for a in week.taken() if institution_of(week.problem, a) == institution}


@dataclass
class Recorded:
    """What a batch of outcomes did: every outcome of the batch, and those newly stored."""

    rows: list[OutcomeRow]
    added: int


def _refusals(
    request: OutcomeRequest, taken: dict[str, Assignment], known: dict[tuple[str, str], str]
) -> list[str]:
    messages: list[str] = []
    where_of = f"the published week {request.week} of {request.institution}"
    for index, item in enumerate(request.outcomes):
        where = f"outcomes[{index}]"
        assignment = taken.get(item.assignment)
        if assignment is None:
            messages.append(
                f"{where}.assignment: unknown assignment '{item.assignment}' in {where_of}"
            )
            continue
        if item.father not in assignment.fathers:
            messages.append(
                f"{where}.father: father '{item.father}' is not in assignment '{assignment.id}'"
            )
            continue
        key = (assignment.id, item.father)
        earlier = known.get(key)
        if earlier is not None and earlier != item.outcome:
            messages.append(
                f"{where}.outcome: {item.outcome} contradicts the outcome {earlier} already "
                f"recorded for father '{item.father}' in assignment '{assignment.id}'"
            )
        known[key] = item.outcome
    return messages


def record(
    session: Session,
    parsed: Parsed,
    caller: Principal | None,
    request: OutcomeRequest,
    now: datetime,
    by: str | None = None,
) -> Recorded:
    """Give the batch's outcomes, stored and audited; ProblemError naming each refusal."""
    week = load_week(session, parsed, request.institution, request.week, now)
    if week is None:
        raise ProblemError(
            [f"week: {request.week} of institution '{request.institution}' is not published"]
        )
    taken = occurrences_at(week, request.institution)
    rows = {(r.assignment, r.father): r for r in stored(session, request.institution, request.week)}
    known = {key: row.outcome for key, row in rows.items()}
    messages = _refusals(request, taken, known)
    if messages:
        raise ProblemError(messages)
    version = week.publications[0].version
    answer: list[OutcomeRow] = []
    added = 0
    for item in request.outcomes:
        key = (item.assignment, item.father)
        row = rows.get(key)
        if row is None:
            assignment = taken[item.assignment]
            row = OutcomeRow(
                institution=request.institution,
                week=request.week,
                assignment=assignment.id,
                father=item.father,
                activity=assignment.activity,
                start=assignment.start,
                outcome=item.outcome,
                version=version,
                key_id=caller.key_id if caller else None,
                recorded_by=by or (caller.name if caller else "command line"),
                recorded_at=now,
            )
            session.add(row)
            rows[key] = row
            added += 1
        answer.append(row)
    fathers = sorted({item.father for item in request.outcomes})
    audit.record(
        session,
        caller,
        "outcome.record",
        "outcome",
        f"{request.institution} {request.week}",
        [request.institution],
        f"{added} new of {len(request.outcomes)}; fathers {', '.join(fathers)}",
    )
    session.flush()
    return Recorded(answer, added)


def _record_of(
    problem: Problem, week: PublishedWeek, institution: str, rows: list[OutcomeRow]
) -> WeekRecord:
    """Give one published week of an institution as a record of the fathers of ``problem``.

    The record is the week's own (``scheduler.four_weeks.week_record``) with
    its outcomes, less the fathers and activities the problem no longer knows.
    """
    clock = week.problem.clock
    outcomes = {
        (r.father, r.activity, clock.moment(clock.minute(r.start)).isoformat()): cast(
            Outcome, r.outcome
        )
        for r in rows
    }
    taken = list(occurrences_at(week, institution).values())
    whole = week_record(week.problem, taken, outcomes)
    fathers = problem.father_by_id
    activities = {a.id for a in problem.entitlement_activities}
    then = week.problem.father_by_id
    return whole.model_copy(
        update={
            "institution": institution,
            "occurrences": [
                o for o in whole.occurrences if o.father in fathers and o.activity in activities
            ],
            "entitled": {
                father: {a: n for a, n in table.items() if a in activities}
                for father, table in whole.entitled.items()
                if father in fathers and then[father].institution == institution
            },
        }
    )


def history_of(session: Session, parsed: Parsed, problem: Problem, now: datetime) -> History | None:
    """Give the published weeks before the problem's, with their outcomes, or None if none.

    Per institution of the problem, each of the four weeks before it that is
    published gives one record, holding the fathers and activities the problem
    still knows (the history's own rules use what lies in their window).
    """
    records: list[WeekRecord] = []
    for institution in sorted(i.id for i in problem.institutions):
        for back in range(WINDOW_WEEKS, 0, -1):
            name = week_after(problem.week, -back)
            week = load_week(session, parsed, institution, name, now)
            if week is None:
                continue
            rows = stored(session, institution, name)
            records.append(_record_of(problem, week, institution, rows))
    return History(weeks=records) if records else None


def with_history(
    session: Session, parsed: Parsed, data: dict[str, Any], problem: Problem, now: datetime
) -> dict[str, Any]:
    """Give the week to solve with the store's history, unless it carries its own."""
    if data.get("history") is not None:
        return data
    history = history_of(session, parsed, problem, now)
    if history is None:
        return data
    return {**data, "history": history.model_dump(mode="json")}


def fathers_in(rows: Iterable[OutcomeRow]) -> list[str]:
    """Give the fathers the outcomes name, sorted."""
    return sorted({row.father for row in rows})
