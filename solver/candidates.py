"""What could happen this week, found before any variable exists.

A *candidate* passes every rule that concerns one assignment on its own:
eligibility on that day, consent, enrolment, the baby rule, school hours, the
father's unavailable ranges, his ceilings, the room's opening hours and
closures, the activity's windows, and staff who may do it and are free then.
The rules are read from the week's index (``scheduler.week_index``), the same
one the placement reads. The model builds variables for candidates only, so
no variable exists that could never be used. Rules that tie assignments together (double booking,
capacity, ceilings over several occurrences, the partner cap,
non-association) are left to the constraints.

Identical rooms of one kind at one institution (same capacity, changeover,
opening hours and closures, and no session or pinned assignment of their own)
form one *pool*: the model plans the pool as one capacity over time and the
rooms are numbered afterwards, which always succeeds for identical rooms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.domain import Activity, Assignment, Father, Problem, Room
from scheduler.entitlements import entitled
from scheduler.objective import partner_cap_minutes
from scheduler.spans import Span, inside, overlaps
from scheduler.week import MINUTES_PER_DAY
from scheduler.week_index import WeekIndex


@dataclass(frozen=True)
class Pool:
    """Identical rooms of one kind at one institution, planned as one capacity."""

    id: str
    institution: str
    kind: str
    rooms: tuple[str, ...]
    room_capacity: int
    changeover: int
    open: tuple[Span, ...]
    closed: tuple[Span, ...]

    @property
    def capacity(self) -> int:
        """Give how many fathers the pool's rooms hold together at one moment."""
        return len(self.rooms) * self.room_capacity

    def fits(self, start: int, end: int) -> bool:
        """Tell whether the rooms are open for all of [start, end) and not closed during it."""
        return inside(self.open, start, end) and not overlaps(self.closed, start, end)


@dataclass(frozen=True)
class SessionCandidate:
    """A session that could run, with who could take a seat and who could staff it."""

    session: str
    activity: str
    institution: str
    room: str
    pool: str
    start: int
    end: int
    capacity: int
    fathers: tuple[str, ...]
    volunteers: tuple[str, ...]
    officers: tuple[str, ...]
    # The escorts it could have beside its volunteers: the activity's, or 0 with too few free.
    escorts: int = 0


@dataclass(frozen=True)
class SlotCandidate:
    """One father's individual activity at one start on the grid, in a pool (or in no room)."""

    father: str
    activity: str
    institution: str
    start: int
    end: int
    pool: str | None
    changeover: int

    @property
    def group(self) -> tuple[str, str, int]:
        """Give the (institution, activity, start) whose staff this slot shares."""
        return self.institution, self.activity, self.start


@dataclass(frozen=True)
class StaffCandidate:
    """A volunteer or officer who could serve one individual activity starting at one time."""

    person: str
    institution: str
    activity: str
    start: int
    end: int

    @property
    def group(self) -> tuple[str, str, int]:
        """Give the (institution, activity, start) this person could serve."""
        return self.institution, self.activity, self.start


@dataclass(frozen=True)
class Pinned:
    """A pinned assignment in week minutes: it is there whatever the model decides."""

    assignment: Assignment
    start: int
    end: int
    changeover: int
    pool: str | None


@dataclass
class Candidates:
    """Everything the model may decide on, and the pinned assignments it must work around."""

    pools: dict[str, Pool] = field(default_factory=dict)
    pool_of_room: dict[str, str] = field(default_factory=dict)
    sessions: list[SessionCandidate] = field(default_factory=list)
    slots: list[SlotCandidate] = field(default_factory=list)
    slot_volunteers: list[StaffCandidate] = field(default_factory=list)
    slot_officers: list[StaffCandidate] = field(default_factory=list)
    pinned: list[Pinned] = field(default_factory=list)


class _Busy:
    """Pinned time per person, and what pins already use of each entitlement and volunteer."""

    def __init__(self, problem: Problem, pinned: list[Pinned]) -> None:
        self.fathers: dict[str, list[Span]] = defaultdict(list)
        self.volunteers: dict[str, list[Span]] = defaultdict(list)
        self.officers: dict[str, list[Span]] = defaultdict(list)
        self.volunteer_minutes: dict[str, int] = defaultdict(int)
        self.days: dict[tuple[str, str], list[int]] = defaultdict(list)
        # Per pool, the pins' uses of its rooms: (start, end with changeover, families).
        self.pool_uses: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        self.partner_minutes = 0
        for pin in pinned:
            assignment, span = pin.assignment, (pin.start, pin.end)
            self.partner_minutes += (pin.end - pin.start) * len(set(assignment.volunteers))
            if pin.pool is not None and assignment.fathers:
                use = (pin.start, pin.end + pin.changeover, len(set(assignment.fathers)))
                self.pool_uses[pin.pool].append(use)
            for father in assignment.fathers:
                self.fathers[father].append(span)
                self.days[father, assignment.activity].append(pin.start // MINUTES_PER_DAY)
            for volunteer in assignment.volunteers:
                self.volunteers[volunteer].append(span)
                self.volunteer_minutes[volunteer] += pin.end - pin.start
            for officer in assignment.officers:
                self.officers[officer].append(span)

    def pool_full(self, pool: Pool, start: int, end: int) -> bool:
        """Tell whether the pins fill every room of the pool at some moment of [start, end)."""
        uses = [u for u in self.pool_uses.get(pool.id, ()) if u[0] < end and start < u[1]]
        # The load is highest at the start of the span or at the start of a use within it.
        return any(
            sum(weight for first, last, weight in uses if first <= moment < last) >= pool.capacity
            for moment in {start, *(u[0] for u in uses if u[0] > start)}
        )


def _pools(index: WeekIndex, own_rooms: set[str]) -> tuple[dict[str, Pool], dict[str, str]]:
    """Give the room pools: identical rooms together, a room with sessions or pins on its own."""
    groups: dict[tuple[object, ...], list[Room]] = {}
    for room in index.problem.rooms:
        key: tuple[object, ...] = (
            room.institution,
            room.kind,
            room.capacity,
            room.changeover_minutes,
            tuple(sorted(index.room_open[room.id])),
            index.room_closed[room.id],
            room.id if room.id in own_rooms else "",
        )
        groups.setdefault(key, []).append(room)
    pools: dict[str, Pool] = {}
    pool_of_room: dict[str, str] = {}
    for rooms in groups.values():
        first = rooms[0]
        pool_id = first.id if len(rooms) == 1 else f"{first.id}+{len(rooms) - 1}"
        pools[pool_id] = Pool(
            id=pool_id,
            institution=first.institution,
            kind=first.kind,
            rooms=tuple(room.id for room in rooms),
            room_capacity=first.capacity,
            changeover=first.changeover_minutes,
            open=tuple(sorted(index.room_open[first.id])),
            closed=index.room_closed[first.id],
        )
        for room in rooms:
            pool_of_room[room.id] = pool_id
    return pools, pool_of_room


class _Builder:
    """Finds the candidates of one problem from its week index, around the pinned assignments."""

    def __init__(self, problem: Problem, since: int = 0) -> None:
        self.problem = problem
        self.clock = problem.clock
        self.since = since
        self.index = WeekIndex(problem)
        own_rooms = {s.room for s in problem.sessions} | {
            a.room for a in problem.pinned if a.room is not None
        }
        self.pools, self.pool_of_room = _pools(self.index, own_rooms)
        self.pinned = [self._pin(a) for a in problem.pinned]
        self.busy = _Busy(problem, self.pinned)
        self._room_on_day: dict[tuple[str, str, int], bool] = {}

    def _pin(self, assignment: Assignment) -> Pinned:
        start = self.clock.minute(assignment.start)
        end = self.clock.minute(assignment.end)
        changeover = 0
        pool = None
        if assignment.room is not None:
            pool = self.pool_of_room[assignment.room]
            if assignment.session is None:
                changeover = self.problem.room_by_id[assignment.room].changeover_minutes
        return Pinned(assignment, start, end, changeover, pool)

    def room_for_more(self, father: Father, activity: Activity, day: int) -> bool:
        """Tell whether the father may have one more occurrence on this day after the pins.

        Covers eligibility that day (shell, consent, enrolment, baby), his
        limit per day and every weekly ceiling that includes the day.
        """
        key = (father.id, activity.id, day)
        found = self._room_on_day.get(key)
        if found is None:
            found = self._room_for_more(father, activity, day)
            self._room_on_day[key] = found
        return found

    def _room_for_more(self, father: Father, activity: Activity, day: int) -> bool:
        index = self.index
        if index.eligibility(father, activity, day):
            return False
        pinned_days = self.busy.days.get((father.id, activity.id), [])
        if index.per_day(father, activity, day) - pinned_days.count(day) < 1:
            return False
        counts = [pinned_days.count(d) for d in range(7)]
        return all(c.fits_one_more(counts, day) for c in index.ceilings(father, activity))

    def father_free(self, father: Father, activity: Activity, start: int, end: int) -> bool:
        """Tell whether the father is out of school hours, available and not pinned elsewhere."""
        if overlaps(self.index.unavailable[father.id], start, end):
            return False
        if overlaps(self.busy.fathers.get(father.id, ()), start, end):
            return False
        return not self.index.school_conflict(father, activity, start, end)

    def volunteers_for(
        self, institution: str, activity: Activity, start: int, end: int
    ) -> tuple[str, ...]:
        """Give the volunteers who serve the institution, may do the activity and are free then."""
        minutes = end - start
        if partner_cap_minutes(self.problem) - self.busy.partner_minutes < minutes:
            # The pins have used the partner cap: no volunteer can serve any more.
            return ()
        found = []
        for volunteer in self.index.may_serve(activity, institution, start, end):
            if overlaps(self.busy.volunteers.get(volunteer.id, ()), start, end):
                continue
            if self.busy.volunteer_minutes[volunteer.id] + minutes > volunteer.max_hours_week * 60:
                continue
            found.append(volunteer.id)
        return tuple(found)

    def officers_for(self, institution: str, start: int, end: int) -> tuple[str, ...]:
        """Give the officers of the institution on shift for all of [start, end) and not pinned."""
        return tuple(
            officer.id
            for officer in self.index.on_shift(institution, start, end)
            if not overlaps(self.busy.officers.get(officer.id, ()), start, end)
        )

    def sessions(self) -> list[SessionCandidate]:
        """Give each session that could run: open room, allowed window, a father and full staff."""
        problem = self.problem
        pinned_sessions = {a.session for a in problem.pinned if a.session is not None}
        found = []
        for session in problem.sessions:
            if session.id in pinned_sessions:
                continue
            activity = problem.activity_by_id[session.activity]
            room = problem.room_by_id[session.room]
            pool = self.pools[self.pool_of_room[room.id]]
            start = self.clock.minute(session.start)
            end = start + activity.minutes
            if start < self.since or not pool.fits(start, end):
                continue
            if activity.windows and not inside(
                self.index.activity_windows[activity.id], start, end
            ):
                continue
            day = start // MINUTES_PER_DAY
            fathers = tuple(
                f.id
                for f in problem.fathers
                if f.institution == room.institution
                and self.room_for_more(f, activity, day)
                and self.father_free(f, activity, start, end)
            )
            volunteers = self.volunteers_for(room.institution, activity, start, end)
            officers = self.officers_for(room.institution, start, end)
            if (
                not fathers
                or len(volunteers) < activity.volunteers
                or len(officers) < activity.officers
            ):
                continue
            found.append(
                SessionCandidate(
                    session=session.id,
                    activity=activity.id,
                    institution=room.institution,
                    room=room.id,
                    pool=pool.id,
                    start=start,
                    end=end,
                    capacity=session.capacity,
                    fathers=fathers,
                    volunteers=volunteers,
                    officers=officers,
                    escorts=(
                        activity.escorts
                        if len(volunteers) >= activity.volunteers + activity.escorts
                        else 0
                    ),
                )
            )
        return found

    def openings(
        self, institution: str, activity: Activity
    ) -> list[tuple[int, Pool | None, tuple[str, ...], tuple[str, ...]]]:
        """Give each grid start of an individual activity at an institution, whoever the father.

        A start qualifies when the activity fits its windows and the day, a
        pool of its room kind is open for it (or it needs no room), and enough
        volunteers and officers are free for it.
        """
        slot = self.problem.policy.slot_minutes
        pools: list[Pool | None] = [
            pool
            for pool in self.pools.values()
            if pool.institution == institution and pool.kind == activity.room_kind
        ]
        if activity.room_kind is None:
            pools = [None]
        windows = self.index.activity_windows[activity.id]
        found = []
        for day in range(7):
            midnight = day * MINUTES_PER_DAY
            for offset in range(0, MINUTES_PER_DAY - activity.minutes + 1, slot):
                start = midnight + offset
                end = start + activity.minutes
                if start < self.since:
                    continue
                if activity.windows and not inside(windows, start, end):
                    continue
                fitting = [
                    p
                    for p in pools
                    if p is None
                    or (
                        p.fits(start, end) and not self.busy.pool_full(p, start, end + p.changeover)
                    )
                ]
                if not fitting:
                    continue
                volunteers: tuple[str, ...] = ()
                if activity.volunteers:
                    volunteers = self.volunteers_for(institution, activity, start, end)
                    if len(volunteers) < activity.volunteers:
                        continue
                officers: tuple[str, ...] = ()
                if activity.officers:
                    officers = self.officers_for(institution, start, end)
                    if len(officers) < activity.officers:
                        continue
                found += [(start, pool, volunteers, officers) for pool in fitting]
        return found

    def slots(self) -> tuple[list[SlotCandidate], list[StaffCandidate], list[StaffCandidate]]:
        """Give the individual slots of every father, and the staff who could serve them."""
        problem = self.problem
        slots: list[SlotCandidate] = []
        volunteers: list[StaffCandidate] = []
        officers: list[StaffCandidate] = []
        individual = [a for a in problem.activities if a.placement == "individual"]
        staffed: set[tuple[str, str, int]] = set()
        institutions = [i.id for i in problem.institutions]
        for institution in institutions:
            fathers = [f for f in problem.fathers if f.institution == institution]
            for activity in individual:
                wanting = [f for f in fathers if entitled(problem, f, activity) > 0]
                if not wanting:
                    continue
                for start, pool, free_volunteers, free_officers in self.openings(
                    institution, activity
                ):
                    end = start + activity.minutes
                    day = start // MINUTES_PER_DAY
                    placed = False
                    for father in wanting:
                        if not self.room_for_more(father, activity, day):
                            continue
                        if not self.father_free(father, activity, start, end):
                            continue
                        placed = True
                        slots.append(
                            SlotCandidate(
                                father=father.id,
                                activity=activity.id,
                                institution=institution,
                                start=start,
                                end=end,
                                pool=None if pool is None else pool.id,
                                changeover=0 if pool is None else pool.changeover,
                            )
                        )
                    group = (institution, activity.id, start)
                    if not placed or group in staffed:
                        continue
                    staffed.add(group)
                    volunteers += [
                        StaffCandidate(v, institution, activity.id, start, end)
                        for v in free_volunteers
                    ]
                    officers += [
                        StaffCandidate(o, institution, activity.id, start, end)
                        for o in free_officers
                    ]
        return slots, volunteers, officers


def find_candidates(problem: Problem, since: int = 0) -> Candidates:
    """Give every seat, slot and staff option of the week that passes the one-assignment rules.

    With ``since`` (a week minute: a repair's moment), only what starts then or
    later: what began before it happened as pinned, and nothing can be added there.
    """
    builder = _Builder(problem, since)
    slots, volunteers, officers = builder.slots()
    return Candidates(
        pools=builder.pools,
        pool_of_room=builder.pool_of_room,
        sessions=builder.sessions(),
        slots=slots,
        slot_volunteers=volunteers,
        slot_officers=officers,
        pinned=builder.pinned,
    )
