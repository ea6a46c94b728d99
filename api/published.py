"""The published roster of an institution and week, as the service holds it.

What counts as taken in a published week: the published roster's assignments
and the live allocations (confirmed ones, and holds that have not expired).
Cancelled allocations and expired holds count for nothing. An allocation that
joins a session adds its father to that session's assignment; the session's
fathers are the published ones plus those of its live allocations.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, defer

from api.tables import Allocation, JobRow, ProblemRow, Publication
from scheduler.domain import Assignment, Problem, Roster, parse_problem, parse_roster

if TYPE_CHECKING:
    from api.bookings import Bookings

HELD = "held"
CONFIRMED = "confirmed"
CANCELLED = "cancelled"
# How often a locked read of a week is made again when a publish moved it meanwhile.
PUBLISH_RACE_ATTEMPTS = 3

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Cache(Generic[Key, Value]):
    """The last few parsed objects by key (a stored week by revision, a roster by id)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[Key, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key, load: Callable[[], Value]) -> Value:
        """Give the object under the key, loading and keeping it when it is not there."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = load()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


@dataclass
class Parsed:
    """Parsed weeks, rosters and booked weeks shared by the requests of one service process."""

    problems: Cache[tuple[str, int], Problem]
    rosters: Cache[tuple[str, str], Roster]
    bookings: Bookings = field(default_factory=lambda: _bookings())

    def problem(self, row: ProblemRow) -> Problem:
        """Give the parsed week of a stored row (one parse per revision)."""
        return self.problems.get((row.id, row.revision), lambda: parse_problem(row.data))

    def roster(self, row: JobRow) -> Roster:
        """Give the parsed roster of a job (one parse per job and finish time).

        A running job's roster so far is parsed once per roster it stored
        (its progress counts them).
        """
        stamp = row.finished_at.isoformat() if row.finished_at else _running_stamp(row)
        return self.rosters.get((row.id, stamp), lambda: parse_roster(row.result))


def _bookings() -> Bookings:
    # The booked weeks build on this module's weeks, so they are imported when first needed.
    from api.bookings import Bookings

    return Bookings()


def _running_stamp(row: JobRow) -> str:
    """Give what tells a running job's rosters so far apart: how many it stored."""
    return f"running-{(row.progress or {}).get('rosters', 0)}"


def new_parsed() -> Parsed:
    """Give empty caches of parsed weeks, rosters and booked weeks."""
    return Parsed(Cache(8), Cache(8))


@dataclass
class PublishedWeek:
    """A published week: its publications (locked when asked), week, roster and allocations."""

    publications: list[Publication]
    problem_row: ProblemRow
    problem: Problem
    roster_row: JobRow
    roster: Roster
    allocations: list[Allocation]

    @property
    def institutions(self) -> list[str]:
        """Give the institutions this publication covers."""
        return sorted(p.institution for p in self.publications)

    def published_assignments(self) -> list[Assignment]:
        """Give the published roster's assignments at the institutions published from it."""
        covered = set(self.institutions)
        return [a for a in self.roster.assignments if institution_of(self.problem, a) in covered]

    def taken(self, without: str | None = None) -> list[Assignment]:
        """Give everything that counts as taken: published plus live allocations (less one)."""
        kept = [a for a in self.allocations if a.id != without]
        return with_allocations(self.published_assignments(), kept)


def with_allocations(
    published: list[Assignment], allocations: list[Allocation]
) -> list[Assignment]:
    """Give the published assignments with the allocations placed in them.

    An individual allocation is its own assignment (in place of a published
    one with its id); a session allocation seats its father in the session's
    published assignment, or runs the session if nothing published runs it.
    """
    merged: dict[str, Assignment] = {a.id: a for a in published}
    for allocation in allocations:
        assignment = Assignment.model_validate(allocation.assignment)
        joined = merged.get(assignment.id)
        if assignment.session is not None and joined is not None:
            if allocation.father not in joined.fathers:
                fathers = [*joined.fathers, allocation.father]
                merged[assignment.id] = joined.model_copy(update={"fathers": fathers})
        elif assignment.session is not None:
            merged[assignment.id] = assignment.model_copy(update={"fathers": [allocation.father]})
        else:
            merged[assignment.id] = assignment
    return list(merged.values())


def institution_of(problem: Problem, assignment: Assignment) -> str:
    """Give the institution an assignment takes place at: its room's, else its father's."""
    room = problem.room_by_id.get(assignment.room or "")
    if room is not None:
        return room.institution
    for father_id in assignment.fathers:
        father = problem.father_by_id.get(father_id)
        if father is not None:
            return father.institution
    return ""


def _live(now: datetime) -> ColumnElement[bool]:
    return or_(
        Allocation.state == CONFIRMED,
        (Allocation.state == HELD) & (Allocation.hold_expires_at > now),
    )


def live_allocations(session: Session, problem_id: str, now: datetime) -> list[Allocation]:
    """Give the confirmed allocations and unexpired holds of a week, oldest first."""
    query = (
        select(Allocation)
        .where(
            Allocation.problem_id == problem_id,
            _live(now),
        )
        .order_by(Allocation.created_at, Allocation.id)
    )
    return list(session.scalars(query))


def week_allocations(
    session: Session, institutions: list[str], week: str, now: datetime
) -> list[Allocation]:
    """Give the live allocations of an institution's week, whatever upload of it they rest on."""
    query = (
        select(Allocation)
        .where(
            Allocation.institution.in_(institutions),
            Allocation.week == week,
            _live(now),
        )
        .order_by(Allocation.created_at, Allocation.id)
    )
    return list(session.scalars(query))


def publication(
    session: Session, institution: str, week: str, *, lock: bool = False
) -> Publication | None:
    """Give the current publication of an institution and week (row-locked when asked)."""
    query = select(Publication).where(
        Publication.institution == institution, Publication.week == week
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def _covering(session: Session, first: Publication, *, lock: bool) -> list[Publication]:
    """Give the publications that rest on the same week and roster as ``first``, by institution.

    Locked, they are locked in one statement in the order of their
    institution, the one order every writer of publications keeps, so two
    requests from different institutions of a region never wait on each other
    in a circle.
    """
    query = (
        select(Publication)
        .where(
            Publication.problem_id == first.problem_id,
            Publication.roster_id == first.roster_id,
            Publication.week == first.week,
        )
        .order_by(Publication.institution)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(query))


def load_week(
    session: Session,
    parsed: Parsed,
    institution: str,
    week: str,
    now: datetime,
    *,
    lock: bool = False,
    allocations: bool = True,
) -> PublishedWeek | None:
    """Give the published week of an institution, or None when nothing is published.

    With ``lock`` the publication rows of every institution the roster covers
    are locked (``SELECT ... FOR UPDATE``) together, in the order of their
    institution, so allocations in one published week run one after the
    other; on SQLite the write transaction's ``BEGIN IMMEDIATE`` already does
    that. The institution's own row is first read without a lock: should a
    publish move it to another roster before the lock is taken, the read is
    made again. Without ``allocations`` the live allocations are not read
    (an allocation takes them from its booked week, ``api.bookings``).
    """
    for _attempt in range(PUBLISH_RACE_ATTEMPTS):
        first = publication(session, institution, week)
        if first is None:
            return None
        publications = _covering(session, first, lock=lock)
        if any(p.institution == institution for p in publications):
            break
        session.expire_all()
    else:
        return None
    # The JSON columns load only when the parsed caches miss them.
    problem_row = session.get(ProblemRow, first.problem_id, options=[defer(ProblemRow.data)])
    roster_row = session.get(JobRow, first.roster_id, options=[defer(JobRow.result)])
    if problem_row is None or roster_row is None or roster_row.state in ("queued", "running"):
        return None
    return PublishedWeek(
        publications=publications,
        problem_row=problem_row,
        problem=parsed.problem(problem_row),
        roster_row=roster_row,
        roster=parsed.roster(roster_row),
        allocations=live_allocations(session, first.problem_id, now) if allocations else [],
    )
