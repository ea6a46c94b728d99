"""Events recorded in the service: validated, stored, applied to every stored week they touch.

A batch of events is one transaction: each is checked against the stored
weeks (its moment must lie inside one, and that week must know its father,
room, volunteer, officer or session), applied in order to the facts of every
stored week it touches from its moment on (each such week gets a new
revision), stored with who recorded it and when, and audited. What the
events break in a published week is flagged by the independent validator on
the facts as they now stand; each newly flagged assignment is a notice to
the institution's subscriptions, written in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit, outbox
from api.flags import flags
from api.keys import Principal
from api.problems import publications_of, replace
from api.published import Parsed, institution_of, load_week
from api.scope import fathers_read
from api.tables import EventRow, ProblemRow
from scheduler.domain import Assignment, Problem, ProblemError, parse_problem
from scheduler.events import (
    SUBJECT,
    Event,
    affects,
    apply_event,
    contains,
    knows,
    refusal,
    subject_institutions,
    touches,
)
from scheduler.week import TZ


class EventConflict(ValueError):
    """An event id that is already recorded."""


@dataclass
class Recorded:
    """What a batch of events did: the events, the weeks changed, and what is now flagged."""

    events: list[EventRow]
    weeks: list[ProblemRow]
    institutions: list[str]
    flagged: list[dict[str, Any]] = field(default_factory=list)


def view(row: EventRow) -> dict[str, Any]:
    """Give a stored event as the API shows it."""
    return {
        **row.data,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at.isoformat(),
        "institutions": row.institutions,
        "problems": row.problems,
    }


def fathers_named(session: Session, parsed: Parsed, rows: list[EventRow]) -> dict[str, list[str]]:
    """Give the fathers the events name, by institution: every institution of the events.

    A father's institution is read from the first stored week the event
    applied to (a region week holds fathers of several institutions).
    """
    by_week: dict[str, set[str]] = {}
    for row in rows:
        father = row.data.get("father")
        if father is not None and row.problems:
            by_week.setdefault(row.problems[0], set()).add(str(father))
    found: dict[str, set[str]] = {i: set() for row in rows for i in row.institutions}
    for problem_id, fathers in by_week.items():
        stored = session.get(ProblemRow, problem_id)
        if stored is None:
            continue
        for institution, ids in fathers_read(parsed.problem(stored), fathers, []).items():
            found.setdefault(institution, set()).update(ids)
    return {institution: sorted(ids) for institution, ids in sorted(found.items())}


def causes(
    events: list[Event], assignment: Assignment, father: str | None = None
) -> list[dict[str, Any]]:
    """Give the events that involve an assignment (or one father's place in it) after their moment.

    Each is given by id and type, with the shortfall reason it blocks.
    """
    found = []
    for event in events:
        if not affects(event, assignment) or assignment.end <= event.at:
            continue
        if father is not None and event.father is not None and event.father != father:
            continue
        found.append({"event": event.id, "type": event.type, "reason": event.cause})
    return found


def stored_events(session: Session, problem_id: str) -> list[Event]:
    """Give the events applied to a stored week, in the order they were recorded."""
    rows = session.scalars(select(EventRow).order_by(EventRow.recorded_at, EventRow.id))
    return [Event.model_validate(row.data) for row in rows if problem_id in row.problems]


def with_causes(found: list[dict[str, Any]], events: list[Event]) -> list[dict[str, Any]]:
    """Give flags with the events that caused each (those involving its assignment)."""
    for item in found:
        assignment = item.get("assignment")
        item["causes"] = causes(events, Assignment.model_validate(assignment)) if assignment else []
    return found


def _candidates(session: Session, events: list[Event]) -> list[ProblemRow]:
    earliest = min(event.at for event in events).astimezone(TZ).date() - timedelta(days=7)
    query = select(ProblemRow).where(ProblemRow.week_start > earliest).order_by(ProblemRow.id)
    return list(session.scalars(query))


def _check(
    index: int,
    event: Event,
    weeks: list[tuple[ProblemRow, Problem]],
    covers: Callable[[Iterable[str]], bool],
) -> tuple[list[str], list[ProblemRow]]:
    """Give the errors of one event (field named) and the stored weeks it applies to.

    A subject of an institution outside ``covers`` is answered like an
    unknown one, so that neither its existence nor its state leaks.
    """
    where = f"events[{index}]"

    def known(problem: Problem) -> bool:
        return knows(problem, event) and covers(subject_institutions(problem, event))

    holding = [(row, problem) for row, problem in weeks if contains(problem, event.at)]
    if not holding:
        return [f"{where}.at: {event.at.isoformat()} lies outside every stored week"], []
    if not any(known(problem) for _, problem in holding):
        kind = SUBJECT[event.type]
        stored = ", ".join(sorted(row.id for row, _ in holding))
        return [f"{where}.{kind}: unknown {kind} '{event.subject}' in {stored}"], []
    errors: list[str] = []
    touched = []
    for row, problem in weeks:
        if not known(problem) or not touches(problem, event):
            continue
        # What the moment's own week must hold (a running time-out, a session not begun).
        refused = refusal(problem, event) if contains(problem, event.at) else None
        if refused:
            errors.append(f"{where}.{refused}")
        touched.append(row)
    return errors, touched


def flag_keys(session: Session, parsed: Parsed, rows: list[ProblemRow], now: datetime) -> set[str]:
    """Give a key of every flag of the published weeks resting on these stored weeks."""
    return {_flag_key(item) for item in _published_flags(session, parsed, rows, now)}


def _flag_key(item: dict[str, Any]) -> str:
    return f"{item['institution']} {item['week']} {item['assignment_id']}"


def tell_flags(
    session: Session,
    parsed: Parsed,
    rows: list[ProblemRow],
    before: set[str],
    events: list[Event],
    now: datetime,
) -> list[dict[str, Any]]:
    """Give the flags of the published weeks on these stored weeks, with their causes.

    Each flag not among ``before`` is an ``assignment.flagged`` notice to its
    institution's subscriptions, written in the session's transaction.
    """
    found = with_causes(_published_flags(session, parsed, rows, now), events)
    for item in found:
        if _flag_key(item) not in before:
            outbox.notify(session, [item["institution"]], "assignment.flagged", _notice(item), now)
    return found


def _published_flags(
    session: Session, parsed: Parsed, rows: list[ProblemRow], now: datetime
) -> list[dict[str, Any]]:
    """Give each flag of the published weeks on these stored weeks once, at its institution."""
    found: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in rows:
        for current in publications_of(session, row.id):
            week = load_week(session, parsed, current.institution, current.week, now)
            if week is None:
                continue
            for item in flags(week):
                assignment = item["assignment"]
                where = current.institution
                if assignment is not None:
                    placed = Assignment.model_validate(assignment)
                    where = institution_of(week.problem, placed) or where
                key = (current.week, item["assignment_id"])
                found.setdefault(key, {**item, "institution": where, "week": current.week})
    return list(found.values())


def record(
    session: Session,
    parsed: Parsed,
    caller: Principal | None,
    events: list[Event],
    now: datetime,
    recorded_by: str | None = None,
) -> Recorded:
    """Give what the batch did; raise ``ProblemError`` (422) or ``EventConflict`` (409) first.

    The caller checks the scope of ``Recorded.institutions`` before the
    transaction commits. Without a caller (the command line) the events are
    recorded by ``recorded_by``.
    """
    who = caller.name if caller is not None else (recorded_by or "command line")
    for event in events:
        if event.id is None:
            event.id = f"E-{uuid.uuid4().hex[:12]}"
    ids = [str(event.id) for event in events]
    repeated = sorted({i for i in ids if ids.count(i) > 1} | _known(session, ids))
    if repeated:
        raise EventConflict(f"event id already recorded: {', '.join(repeated)}")
    candidates = _candidates(session, events)
    # A key sees only the stored weeks of its institutions (a region week: of one of them).
    covers = caller.covers if caller is not None else (lambda institutions: True)
    weeks = [
        (row, parsed.problem(row))
        for row in candidates
        if any(covers([institution]) for institution in row.institutions)
    ]
    errors: list[str] = []
    touched_by: list[list[ProblemRow]] = []
    for index, event in enumerate(events):
        found, touched = _check(index, event, weeks, covers)
        errors += found
        touched_by.append(touched)
    if errors:
        raise ProblemError(errors)
    changed = {row.id: row for touched in touched_by for row in touched}
    rows = list(changed.values())
    before = flag_keys(session, parsed, rows, now)
    data = {row.id: row.data for row in rows}
    for index, (event, touched) in enumerate(zip(events, touched_by, strict=True)):
        for row in touched:
            try:
                current = parse_problem(data[row.id])
            except ProblemError as error:
                raise ProblemError([f"events[{index}]: {m}" for m in error.messages]) from None
            data[row.id] = apply_event(current, data[row.id], event)
    institutions: set[str] = set()
    for row in rows:
        try:
            problem = parse_problem(data[row.id])
        except ProblemError as error:
            raise ProblemError([f"events: {row.id}: {m}" for m in error.messages]) from None
        replace(row, problem, data[row.id])
        institutions |= set(row.institutions)
    stored = []
    for event, touched in zip(events, touched_by, strict=True):
        reach = sorted({i for row in touched for i in row.institutions})
        stored_row = EventRow(
            id=event.id,
            type=event.type,
            at=event.at,
            subject=event.subject,
            data=event.model_dump(mode="json", exclude_none=True),
            institutions=reach,
            problems=sorted(str(row.id) for row in touched),
            key_id=caller.key_id if caller is not None else None,
            recorded_by=who,
            recorded_at=now,
        )
        session.add(stored_row)
        stored.append(stored_row)
        audit.record(
            session,
            caller,
            "event.record",
            "event",
            str(event.id),
            reach,
            f"{event.type} {event.subject} at {event.at.isoformat()}",
        )
    session.flush()
    flagged = tell_flags(session, parsed, rows, before, events, now)
    return Recorded(stored, rows, sorted(institutions), flagged)


def _notice(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "week": item["week"],
        "assignment": item["assignment"],
        "allocation": item["allocation"],
        "rules": item["rules"],
        "causes": item["causes"],
    }


def _known(session: Session, ids: list[str]) -> set[str]:
    return set(session.scalars(select(EventRow.id).where(EventRow.id.in_(ids))))
