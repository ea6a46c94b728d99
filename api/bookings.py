"""A published week's free capacity, kept in memory between allocations (docs/design.md s. 6).

An allocation must know everything taken in its week: the published roster
and every live allocation. Loading all of that and rebuilding its occupancy
for every request costs more than the allocation itself, so each service
process keeps a ``BookedWeek`` per published week: the occupancy of the
published assignments with the live allocations placed in them, and the
version of the week's bookings it holds.

The database stays the arbiter. Every allocation, confirmation and
cancellation raises the week's version (``week_versions``) in its own
transaction, under the week's lock, and stamps the allocation with it; a
publication raises the week's epoch. Before a request books, under the same
lock, it reads the version and the epoch: when another process (or a
request of this one whose commit it has not yet seen) changed the week, the
allocations stamped after the copy's version are read and applied; a new
epoch rebuilds the copy. A copy is changed by its own process only after the
commit succeeded, so a transaction that rolled back leaves no trace in it.
No request books against a stale copy, in one process or many.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Insert, Select, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from api.database import DriverStatement, on_commit
from api.published import (
    CONFIRMED,
    HELD,
    Parsed,
    PublishedWeek,
    live_allocations,
    load_week,
    with_allocations,
)
from api.tables import CLAIM_TABLE, Allocation, JobRow, ProblemRow, Publication, WeekVersion
from scheduler.domain import Assignment, Problem
from scheduler.occupancy import Occupancy

WeekKey = tuple[str, int, str, str, tuple[str, ...]]
# Where a session keeps the booking version ``Bookings.locate`` read with the week.
_VERSION = "gezinsrooster.week_version"


def week_key(week: PublishedWeek) -> WeekKey:
    """Give what a booked week's copy rests on: the stored week's revision, roster, institutions."""
    row = week.roster_row
    stamp = row.finished_at.isoformat() if row.finished_at else "running"
    problem = week.problem_row
    return (problem.id, problem.revision, row.id, stamp, tuple(week.institutions))


def version_of(session: Session, problem_id: str) -> tuple[int, int]:
    """Give the week's booking version and epoch as the database holds them (0, 0 at first)."""
    found = session.execute(
        select(WeekVersion.version, WeekVersion.epoch).where(WeekVersion.problem_id == problem_id)
    ).first()
    return (0, 0) if found is None else (int(found[0]), int(found[1]))


def _bump_statement(dialect: str, epoch: bool) -> Insert:
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(WeekVersion).values(
        problem_id=bindparam("problem_id"), version=1, epoch=int(epoch)
    )
    changes = {"version": WeekVersion.version + 1}
    if epoch:
        changes["epoch"] = WeekVersion.epoch + 1
    upsert = statement.on_conflict_do_update(index_elements=["problem_id"], set_=changes)
    return upsert.returning(WeekVersion.version)


# Built once per dialect: building an upsert costs more than running it.
_BUMPS = {
    (dialect, epoch): _bump_statement(dialect, epoch)
    for dialect in ("sqlite", "postgresql")
    for epoch in (False, True)
}


def bump(session: Session, problem_id: str, *, epoch: bool = False) -> int:
    """Give the week's new booking version, raised in this transaction (and its epoch if asked)."""
    dialect = session.get_bind().dialect.name
    statement = _BUMPS[("postgresql" if dialect == "postgresql" else "sqlite", epoch)]
    version = session.scalar(statement, {"problem_id": problem_id})
    return int(version or 0)


def _is_live(allocation: Allocation, now: datetime) -> bool:
    if allocation.state == CONFIRMED:
        return True
    expires = allocation.hold_expires_at
    return allocation.state == HELD and expires is not None and expires > now


def _detached(allocation: Allocation) -> Allocation:
    """Give a copy of an allocation that belongs to no session (what a booked week keeps)."""
    return Allocation(
        id=allocation.id,
        institution=allocation.institution,
        week=allocation.week,
        problem_id=allocation.problem_id,
        father=allocation.father,
        activity=allocation.activity,
        state=allocation.state,
        assignment=allocation.assignment,
        hold_expires_at=allocation.hold_expires_at,
        created_at=allocation.created_at,
        week_version=allocation.week_version,
    )


class BookedWeek:
    """The occupancy of one published week with its live allocations, at one booking version."""

    def __init__(
        self,
        problem: Problem,
        published: list[Assignment],
        allocations: list[Allocation],
        version: tuple[int, int],
        now: datetime,
    ) -> None:
        self.problem = problem
        self.version, self.epoch = version
        self.lock = threading.RLock()
        self._published = {a.id: a for a in published}
        self._live: dict[str, Allocation] = {}
        self._on: defaultdict[str, set[str]] = defaultdict(set)
        for allocation in allocations:
            if _is_live(allocation, now):
                self._keep(_detached(allocation))
        taken = with_allocations(published, sorted(self._live.values(), key=_order))
        self.occupancy = Occupancy(problem, taken)

    def taken(self) -> list[Assignment]:
        """Give everything taken: the published assignments with the live allocations in them."""
        return self.occupancy.assignments()

    def _keep(self, allocation: Allocation) -> str:
        self._live[allocation.id] = allocation
        assignment_id = str(allocation.assignment["id"])
        self._on[assignment_id].add(allocation.id)
        return assignment_id

    def _drop(self, allocation_id: str) -> str | None:
        old = self._live.pop(allocation_id, None)
        if old is None:
            return None
        assignment_id = str(old.assignment["id"])
        self._on[assignment_id].discard(allocation_id)
        return assignment_id

    def _refresh(self, assignment_id: str) -> None:
        """Put the assignment in the occupancy as the published week now holds it."""
        base = [self._published[assignment_id]] if assignment_id in self._published else []
        placed = sorted((self._live[i] for i in self._on[assignment_id]), key=_order)
        merged = [a for a in with_allocations(base, placed) if a.id == assignment_id]
        if merged:
            self.occupancy.add(merged[0])
        else:
            self.occupancy.remove(assignment_id)

    def apply(self, allocations: list[Allocation], now: datetime) -> None:
        """Take in allocations as they now stand: placed while live, released otherwise."""
        touched: set[str] = set()
        for allocation in allocations:
            dropped = self._drop(allocation.id)
            if dropped is not None:
                touched.add(dropped)
            if _is_live(allocation, now):
                touched.add(self._keep(_detached(allocation)))
        for assignment_id in touched:
            self._refresh(assignment_id)

    def expire(self, now: datetime) -> bool:
        """Give whether holds expired and were released since the last look."""
        expired = [a for a in self._live.values() if not _is_live(a, now)]
        self.apply([_expired(a) for a in expired], now)
        return bool(expired)

    @contextmanager
    def without(self, allocation_id: str) -> Iterator[Occupancy]:
        """Give the occupancy without one live allocation; it is put back afterwards."""
        kept = self._live.get(allocation_id)
        if kept is None:
            yield self.occupancy
            return
        gone = _detached(kept)
        gone.state = "released"
        self.apply([gone], datetime.min.replace(tzinfo=UTC))
        try:
            yield self.occupancy
        finally:
            self._keep(kept)
            self._refresh(str(kept.assignment["id"]))

    def committed(self, allocation: Allocation, version: int, now: datetime) -> None:
        """Take in the allocation this process just committed at ``version``, if next in line."""
        with self.lock:
            if self.version == version - 1:
                self.apply([allocation], now)
                self.version = version


def _order(allocation: Allocation) -> tuple[datetime, str]:
    return (allocation.created_at, allocation.id)


def _expired(allocation: Allocation) -> Allocation:
    copy = _detached(allocation)
    copy.state = "expired"
    return copy


def _load(session: Session, week: PublishedWeek, now: datetime) -> BookedWeek:
    problem_id = week.problem_row.id
    version = version_of(session, problem_id)
    allocations = live_allocations(session, problem_id, now)
    return BookedWeek(week.problem, week.published_assignments(), allocations, version, now)


# The claims of a week's expired holds, built once; a delete on the table, not through the ORM
# (claims are never loaded as objects, so nothing in a session needs to follow it).
_RELEASE = delete(CLAIM_TABLE).where(
    CLAIM_TABLE.c.allocation_id.in_(
        select(Allocation.id).where(
            Allocation.problem_id == bindparam("problem_id"),
            Allocation.state == HELD,
            Allocation.hold_expires_at <= bindparam("now"),
        )
    )
)


def release_expired(session: Session, problem_id: str, now: datetime) -> None:
    """Free the claims of holds that have expired, so they count for nothing."""
    session.execute(_RELEASE, {"problem_id": problem_id, "now": now})


Located = tuple[str, str, tuple[tuple[str, int], ...], int, int]


def _located_query(lock: bool) -> Select[str, int, str, str, int, int]:
    """Give the statement of ``_located``, built once (building it costs more than running it)."""
    mine = aliased(Publication)
    query = (
        select(
            Publication.institution,
            Publication.version,
            Publication.problem_id,
            Publication.roster_id,
            WeekVersion.version,
            WeekVersion.epoch,
        )
        .join(
            mine,
            (mine.problem_id == Publication.problem_id)
            & (mine.roster_id == Publication.roster_id)
            & (mine.week == Publication.week),
        )
        .outerjoin(WeekVersion, WeekVersion.problem_id == Publication.problem_id)
        .where(mine.institution == bindparam("institution"), mine.week == bindparam("week"))
        .order_by(Publication.institution)
    )
    return query.with_for_update(of=Publication) if lock else query


_LOCATED = {lock: _located_query(lock) for lock in (False, True)}
_VERSION_ROW = DriverStatement(
    select(WeekVersion.version, WeekVersion.epoch).where(
        WeekVersion.problem_id == bindparam("problem_id")
    )
)


def _located(session: Session, institution: str, week: str, lock: bool) -> Located | None:
    """Give what the institution's published week rests on now, in one statement (or None):
    the stored week, the roster, each covered institution's publication version, and the
    week's booking version and epoch.

    With ``lock`` the publication rows of every institution the roster covers
    are locked, as ``load_week`` locks them. The stored week's and roster's
    own rows are not read: every change to them raises the week's epoch.
    """
    rows = session.execute(_LOCATED[lock], {"institution": institution, "week": week}).all()
    covered = tuple((row[0], int(row[1])) for row in rows)
    if institution not in {name for name, _ in covered}:
        return None
    _, _, problem_id, roster_id, version, epoch = rows[0]
    return (problem_id, roster_id, covered, int(version or 0), int(epoch or 0))


def _snapshot(week: PublishedWeek) -> PublishedWeek:
    """Give the week with copies of its rows that belong to no session (a rollback there
    would expire them), holding what an allocation reads of them."""
    problem_row, roster_row = week.problem_row, week.roster_row
    return PublishedWeek(
        publications=[
            Publication(
                id=p.id,
                institution=p.institution,
                week=p.week,
                version=p.version,
                roster_id=p.roster_id,
                problem_id=p.problem_id,
                published_at=p.published_at,
            )
            for p in week.publications
        ],
        problem_row=ProblemRow(
            id=problem_row.id, week=problem_row.week, revision=problem_row.revision
        ),
        problem=week.problem,
        roster_row=JobRow(
            id=roster_row.id,
            kind=roster_row.kind,
            problem_id=roster_row.problem_id,
            state=roster_row.state,
            finished_at=roster_row.finished_at,
        ),
        roster=week.roster,
        allocations=[],
    )


class Bookings:
    """The booked weeks of one service process, by what they rest on (the last few)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._weeks: dict[WeekKey, BookedWeek] = {}
        self._located: dict[tuple[object, ...], PublishedWeek] = {}
        self._places: dict[tuple[str, str], Located] = {}
        self._loading: dict[WeekKey, threading.Lock] = {}
        self._lock = threading.Lock()

    def locate(
        self,
        session: Session,
        parsed: Parsed,
        institution: str,
        week: str,
        now: datetime,
        *,
        lock: bool = False,
    ) -> PublishedWeek | None:
        """Give the published week without its allocations, as ``load_week`` gives it.

        One statement says what the week rests on now (and locks it, with
        ``lock``): the week's version row while its epoch stays, else the join
        over the publications; the rows and the parsed week are reused while
        that stays the same. The week's booking version read with it is kept
        for ``hold``.
        """
        located = self._where(session, institution, week, lock)
        if located is None:
            return None
        key = (*located[:3], located[4])
        with self._lock:
            found = self._located.get(key)
        if found is None:
            loaded = load_week(
                session, parsed, institution, week, now, lock=lock, allocations=False
            )
            if loaded is None:
                return None
            found = _snapshot(loaded)
            with self._lock:
                self._located[key] = found
                while len(self._located) > self.size:
                    self._located.pop(next(iter(self._located)))
        # Under PostgreSQL's row lock the joined version may be the one from before the wait,
        # so ``hold`` reads it again there; SQLite's write transaction reads one snapshot.
        if not lock or session.get_bind().dialect.name == "sqlite":
            session.info[_VERSION] = (found.problem_row.id, located[3], located[4])
        return found

    def _where(self, session: Session, institution: str, week: str, lock: bool) -> Located | None:
        """Give what the week rests on, read by the week's version row alone while its epoch
        stays the one it was found at (every publication and revision raises the epoch).

        PostgreSQL's locked lookup always takes the join, which locks the publication rows.
        """
        place = (institution, week)
        with self._lock:
            known = self._places.get(place)
        if known is not None and not (lock and session.get_bind().dialect.name != "sqlite"):
            # On the driver's cursor: SQLAlchemy's handling of a statement costs more than the read.
            row = _VERSION_ROW.first(session, {"problem_id": known[0]})
            if row is not None and int(row[1]) == known[4]:
                return (*known[:3], int(row[0]), known[4])
        located = _located(session, institution, week, lock)
        with self._lock:
            self._places.pop(place, None)
            if located is not None:
                self._places[place] = located
                while len(self._places) > self.size:
                    self._places.pop(next(iter(self._places)))
        return located

    @contextmanager
    def hold(self, session: Session, week: PublishedWeek, now: datetime) -> Iterator[BookedWeek]:
        """Give the week's booked copy, brought up to the database's version, for this request.

        Call it with the week's lock held (``load_week(..., lock=True)``), so
        that no other process changes the week's bookings until the commit.
        """
        key = week_key(week)
        problem_id = key[0]
        known = session.info.pop(_VERSION, None)
        if known is not None and known[0] == problem_id:
            version, epoch = known[1], known[2]
        else:
            version, epoch = version_of(session, problem_id)
        booked = self._copy(session, week, key, epoch, now)
        # A copy ahead of what this transaction reads (a read that began before another
        # request's commit) is the newer one: it is kept, and not caught up. What a copy
        # is loaded or caught up with was committed by others (a request changes its week
        # only under ``hold``, after this), so a refusal or a rollback leaves it true.
        with booked.lock:
            if booked.version < version:
                changed = select(Allocation).where(
                    Allocation.problem_id == problem_id, Allocation.week_version > booked.version
                )
                booked.apply(list(session.scalars(changed)), now)
                booked.version = version
            booked.expire(now)
            yield booked

    def _copy(
        self, session: Session, week: PublishedWeek, key: WeekKey, epoch: int, now: datetime
    ) -> BookedWeek:
        """Give the week's copy at ``epoch``, loaded by one request while the others of the
        same week wait for it (each would otherwise load the whole week at once)."""
        with self._lock:
            booked = self._weeks.get(key)
            if booked is not None and booked.epoch == epoch:
                return booked
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            with self._lock:
                booked = self._weeks.get(key)
            if booked is None or booked.epoch != epoch:
                booked = _load(session, week, now)
                self._remember(key, booked)
        return booked

    def _remember(self, key: WeekKey, booked: BookedWeek) -> None:
        with self._lock:
            self._weeks.pop(key, None)
            self._weeks[key] = booked
            while len(self._weeks) > self.size:
                gone = next(iter(self._weeks))
                self._weeks.pop(gone)
                self._loading.pop(gone, None)


def stamp(session: Session, booked: BookedWeek, allocation: Allocation, now: datetime) -> None:
    """Raise the week's version for a changed allocation; the copy takes it in after the commit."""
    # The allocation is written once, with its version, instead of written and then updated.
    with session.no_autoflush:
        version = bump(session, allocation.problem_id)
    allocation.week_version = version
    session.flush()
    copy = _detached(allocation)
    copy.state = allocation.state
    on_commit(session).append(lambda: booked.committed(copy, version, now))
