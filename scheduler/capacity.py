"""What a roster leaves of the week: sessions that do not run and why, free time, the bottleneck.

A session *does not run* when no assignment seats a father in it. Why is
found by checking, as a shortfall's reasons are: every father of the
institution is tried in it with ``scheduler.placement.blockers``. Fathers
held back by a reason no capacity lifts (``scheduler.unblock.FIXED``: not
entitled or not eligible, entitlement already used) do not count; of the
others, the reason that blocks the most decides. When none are left, nobody
is owed the session (``NOBODY_OWED``); when one would fit, the session could
run (``WOULD_FIT``, a roster cut short by its time limit).

*Free capacity* is per room and day: the open minutes against those in use,
and per session the seats left. The week's *bottleneck* is the resource
whose lack decides the most shortfalls (``scheduler.unblock.decisive_reason``),
with its figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scheduler import reasons
from scheduler.domain import Assignment, Problem, Roster, Session
from scheduler.occupancy import Occupancy
from scheduler.placement import blockers
from scheduler.spans import Span, range_spans, week_spans
from scheduler.unblock import FIXED, decisive_reason, tried_times
from scheduler.week import DAYS, MINUTES_PER_DAY

NOBODY_OWED = "nobody_owed"
WOULD_FIT = "would_fit"
# The reasons that name a resource a manager can add: the bottleneck is one of them.
RESOURCES = frozenset(
    {
        reasons.PARTNER_CAP,
        reasons.VOLUNTEER_MAX_HOURS,
        reasons.NO_VOLUNTEER,
        reasons.NO_OFFICER,
        reasons.ROOM_CLOSED,
    }
)


@dataclass(frozen=True)
class Idle:
    """A session that does not run: the reason, how many fathers it holds back, and its figures.

    ``reason`` is a reason of ``scheduler.reasons``, ``NOBODY_OWED`` or
    ``WOULD_FIT``; ``fathers`` counts the fathers it holds back (for
    ``NOBODY_OWED``: the fathers tried; for ``WOULD_FIT``: those who fit);
    ``figures`` holds, for ``NOBODY_OWED``, how many fathers each fixed
    reason holds back.
    """

    session: Session
    reason: str
    fathers: int
    tried: int
    figures: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Free:
    """One room on one day: its open minutes, those in use, and each session's seats (left, of)."""

    room: str
    day: int
    open_minutes: int
    used_minutes: int
    seats: tuple[tuple[str, int, int], ...] = ()

    @property
    def free_minutes(self) -> int:
        """Give the open minutes nothing uses."""
        return max(0, self.open_minutes - self.used_minutes)


@dataclass(frozen=True)
class Bottleneck:
    """The resource that decides the most shortfalls, how many of how many, and its figures."""

    reason: str
    decides: int
    shortfalls: int
    figures: dict[str, float] = field(default_factory=dict)


def _running(assignments: list[Assignment]) -> set[str]:
    return {a.session for a in assignments if a.session is not None and a.fathers}


def why_idle(problem: Problem, occupancy: Occupancy, session: Session) -> Idle:
    """Give why one session does not run, found by trying every father of its institution in it."""
    room = problem.room_by_id[session.room]
    start = occupancy.index.session_start[session.id]
    fathers = [f for f in problem.fathers if f.institution == room.institution]
    fit = 0
    held: list[tuple[str, ...]] = []
    fixed: Counter[str] = Counter()
    for father in fathers:
        assignment, why = blockers(
            problem, occupancy, father.id, session.activity, start, session.id
        )
        if assignment is not None:
            fit += 1
        elif FIXED.isdisjoint(why):
            held.append(tuple(why))
        else:
            fixed[min(r for r in why if r in FIXED)] += 1
    if fit:
        return Idle(session, WOULD_FIT, fit, len(fathers))
    counts = Counter(r for why in held for r in why)
    if not counts:
        return Idle(session, NOBODY_OWED, len(fathers), len(fathers), dict(fixed))
    alone = Counter(why[0] for why in held if len(why) == 1)
    reason = min(counts, key=lambda r: (-counts[r], -alone[r], r))
    return Idle(session, reason, counts[reason], len(fathers))


def idle_sessions(problem: Problem, assignments: list[Assignment], institution: str) -> list[Idle]:
    """Give each session of the institution that seats no father, with why, in time order."""
    occupancy = Occupancy(problem, assignments)
    running = _running(assignments)
    idle = [
        s
        for s in problem.sessions
        if s.id not in running and problem.room_by_id[s.room].institution == institution
    ]
    idle.sort(key=lambda s: (occupancy.index.session_start[s.id], s.room, s.id))
    return [why_idle(problem, occupancy, s) for s in idle]


def _merged(spans: list[Span]) -> list[Span]:
    """Give the union of spans as disjoint spans in time order."""
    found: list[Span] = []
    for low, high in sorted(spans):
        if found and low <= found[-1][1]:
            found[-1] = (found[-1][0], max(found[-1][1], high))
        else:
            found.append((low, high))
    return found


def _within(spans: list[Span], low: int, high: int) -> int:
    return sum(max(0, min(b, high) - max(a, low)) for a, b in spans)


def free_capacity(problem: Problem, assignments: list[Assignment], institution: str) -> list[Free]:
    """Give each room of the institution per day: open minutes, minutes in use, seats per session.

    Open minutes are the opening hours less the closures; minutes in use are
    the union of the room's assignments within them. Every session of the
    room that day gives its seats left and its capacity, running or not.
    """
    clock = problem.clock
    seated = {a.session: len(a.fathers) for a in assignments if a.session is not None}
    found = []
    for room in sorted(problem.rooms, key=lambda r: r.id):
        if room.institution != institution:
            continue
        closed = list(range_spans(clock, room.closed))
        used = _merged(
            [(clock.minute(a.start), clock.minute(a.end)) for a in assignments if a.room == room.id]
        )
        sessions = sorted(
            (s for s in problem.sessions if s.room == room.id), key=lambda s: clock.minute(s.start)
        )
        for day in range(len(DAYS)):
            low, high = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
            opened = _merged([s for s in week_spans(room.open) if s[0] < high and low < s[1]])
            shut = _merged(closed)
            open_minutes = _within(opened, low, high) - sum(
                _within(shut, max(a, low), min(b, high)) for a, b in opened
            )
            in_use = sum(_within(used, max(a, low), min(b, high)) for a, b in opened)
            seats = tuple(
                (s.id, s.capacity - seated.get(s.id, 0), s.capacity)
                for s in sessions
                if low <= clock.minute(s.start) < high
            )
            found.append(Free(room.id, day, max(0, open_minutes), in_use, seats))
    return found


def _figures(
    problem: Problem, occupancy: Occupancy, reason: str, institution: str
) -> dict[str, float]:
    """Give the numbers that go with a bottleneck: the cap's hours, a room kind's hours in use."""
    if reason == reasons.PARTNER_CAP:
        return {
            "used_hours": occupancy.volunteer_minutes() / 60,
            "cap_hours": problem.policy.partner_cap_hours,
        }
    if reason.startswith(f"{reasons.CAPACITY}:"):
        kind = reason.split(":", 1)[1]
        rooms = {r.id for r in problem.rooms if r.kind == kind and r.institution == institution}
        days = [
            f
            for f in free_capacity(problem, occupancy.assignments(), institution)
            if f.room in rooms
        ]
        return {
            "rooms": len(rooms),
            "used_hours": sum(f.used_minutes for f in days) / 60,
            "open_hours": sum(f.open_minutes for f in days) / 60,
        }
    if reason == reasons.NO_OFFICER:
        return {"officers": sum(o.institution == institution for o in problem.officers)}
    return {}


def bottleneck(problem: Problem, roster: Roster, institution: str) -> Bottleneck | None:
    """Give the resource whose lack decides the most of the institution's shortfalls, or None.

    Each shortfall's decisive reason is found as the father's page finds it;
    only reasons that name a resource (a room kind, partner hours, volunteers,
    officers) can be the bottleneck. A shortfall of an activity that is not
    placed itself (the escorted visit) counts under its first such reason.
    """
    occupancy = Occupancy(problem, roster.assignments)
    counts: Counter[str] = Counter()
    total = 0
    for shortfall in roster.shortfalls:
        if problem.father_by_id[shortfall.father].institution != institution:
            continue
        total += 1
        if shortfall.activity in problem.activity_by_id:
            tried = tried_times(problem, occupancy, shortfall.father, shortfall.activity)
            found = decisive_reason(
                problem, occupancy, shortfall.activity, tried, shortfall.reasons
            )
            decided = [found.reason] if found is not None else []
        else:
            decided = shortfall.reasons
        resource = next((r for r in decided if is_resource(r)), None)
        if resource is not None:
            counts[resource] += 1
    if not counts:
        return None
    reason = min(counts, key=lambda r: (-counts[r], r))
    return Bottleneck(
        reason, counts[reason], total, _figures(problem, occupancy, reason, institution)
    )


def is_resource(reason: str) -> bool:
    """Tell whether a reason names a resource that could be added (a room kind's capacity too)."""
    return reason in RESOURCES or reason.startswith(f"{reasons.CAPACITY}:")
