"""Placing one more occurrence into a set of assignments: where it fits, or why it cannot.

Shared by the shortfall explanations, the first-come-first-served baseline and
the slot allocation for other systems. ``Occupancy`` indexes what a set of
assignments already takes (fathers, volunteers, officers and rooms by time,
session seats, volunteer minutes, occurrences per day); ``blockers`` checks
every hard rule of docs/design.md section 4 for one father, one activity and one
start, and picks the staff; ``find_placement`` and ``alternatives`` walk the
candidate times. Times are week minutes (``scheduler.week``) throughout.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from scheduler import reasons
from scheduler.domain import (
    Activity,
    Assignment,
    Father,
    Officer,
    Problem,
    ProblemError,
    Room,
    Session,
    Volunteer,
    Window,
)
from scheduler.eligibility import blocking_reasons, school_hours_conflict
from scheduler.entitlements import Ceiling, ceilings, max_per_day
from scheduler.objective import partner_cap_minutes
from scheduler.week import DAYS, MINUTES_PER_DAY, MINUTES_PER_WEEK, clock_text

Span = tuple[int, int]
Candidate = tuple[int, Session | None]
VISIT_HALL = "visit_hall"
_NO_DAYS: tuple[int, ...] = (0,) * 7


# Plain loops rather than any() over a generator: these two run for every candidate time and
# person, and the loop is about twice as fast.
def _overlaps(spans: Iterable[Span], start: int, end: int) -> bool:
    for low, high in spans:  # noqa: SIM110
        if low < end and start < high:
            return True
    return False


def _inside(spans: Iterable[Span], start: int, end: int) -> bool:
    for low, high in spans:  # noqa: SIM110
        if low <= start and end <= high:
            return True
    return False


def _peak(uses: Iterable[tuple[int, int, int]], start: int, end: int) -> int:
    """Give the most fathers the ``uses`` (start, end, fathers) hold at once in [start, end)."""
    overlapping = [use for use in uses if use[0] < end and start < use[1]]
    if not overlapping:
        return 0
    # The load only rises where a use begins, so its peak is at ``start`` or at such a beginning.
    moments = [start] + [low for low, _, _ in overlapping if low > start]
    return max(sum(n for low, high, n in overlapping if low <= m < high) for m in moments)


def grid_starts(low: int, high: int, minutes: int, slot: int) -> Iterator[int]:
    """Give the starts on the slot grid (minute of day a multiple of ``slot``) in [low, high)."""
    for day in range(max(low, 0) // MINUTES_PER_DAY, (high - 1) // MINUTES_PER_DAY + 1):
        midnight = day * MINUTES_PER_DAY
        first = max(low, midnight) - midnight
        start = midnight + -(-first // slot) * slot
        while start < midnight + MINUTES_PER_DAY and start + minutes <= high:
            yield start
            start += slot


def _week_candidates(problem: Problem, institution: str, activity: Activity) -> list[Candidate]:
    """Give every candidate start of the week for an activity at an institution, in time order."""
    clock = problem.clock
    if activity.placement == "session":
        rooms = problem.room_by_id
        found: list[Candidate] = [
            (clock.minute(s.start), s)
            for s in problem.sessions
            if s.activity == activity.id and rooms[s.room].institution == institution
        ]
        return sorted(found, key=lambda item: (item[0], item[1].id if item[1] else ""))
    if activity.room_kind is None:
        spans = [(0, MINUTES_PER_WEEK)]
    else:
        spans = [
            window.week_minutes()
            for room in problem.rooms
            if room.institution == institution and room.kind == activity.room_kind
            for window in room.open
        ]
    if activity.windows:
        allowed = [window.week_minutes() for window in activity.windows]
        spans = [
            (max(low, a), min(high, b))
            for low, high in spans
            for a, b in allowed
            if max(low, a) < min(high, b)
        ]
    slot = problem.policy.slot_minutes
    starts = {m for low, high in spans for m in grid_starts(low, high, activity.minutes, slot)}
    return [(m, None) for m in sorted(starts)]


def candidate_times(
    problem: Problem,
    father_id: str,
    activity_id: str,
    earliest: int = 0,
    latest: int = MINUTES_PER_WEEK,
) -> Iterator[tuple[int, str | None]]:
    """Give the (start, session id) to try for one occurrence, in time order.

    Session activities: the sessions of the activity at the father's
    institution. Individual activities: the grid slots where a room of the
    activity's kind at his institution is open and the activity's windows
    allow it (the whole week on the grid for an activity without a room).
    Only candidates lying wholly within [earliest, latest) are given.
    """
    father, activity = _resolve(problem, father_id, activity_id)
    for start, session in _week_candidates(problem, father.institution, activity):
        if earliest <= start and start + activity.minutes <= latest:
            yield start, session.id if session is not None else None


class _WeekIndex:
    """What the rules need of one problem, in week minutes, looked up by key; fixed for the week."""

    def __init__(self, problem: Problem) -> None:
        clock = problem.clock
        self.problem = problem
        self.rooms: dict[tuple[str, str], list[Room]] = defaultdict(list)
        self.room_open: dict[str, list[Span]] = {}
        self.room_closed: dict[str, list[Span]] = {}
        for room in problem.rooms:
            self.rooms[room.institution, room.kind].append(room)
            self.room_open[room.id] = [w.week_minutes() for w in room.open]
            self.room_closed[room.id] = [
                (clock.minute(c.start), clock.minute(c.end)) for c in room.closed
            ]
        self.session_start = {s.id: clock.minute(s.start) for s in problem.sessions}
        self.volunteers: dict[tuple[str, str], list[Volunteer]] = defaultdict(list)
        self.available: dict[str, list[Span]] = {}
        for volunteer in problem.volunteers:
            self.available[volunteer.id] = [w.week_minutes() for w in volunteer.available]
            for institution in volunteer.institutions:
                for activity_id in volunteer.activities:
                    self.volunteers[institution, activity_id].append(volunteer)
        self.officers: dict[str, list[Officer]] = defaultdict(list)
        self.shifts: dict[str, list[Span]] = {}
        for officer in problem.officers:
            self.officers[officer.institution].append(officer)
            self.shifts[officer.id] = [w.week_minutes() for w in officer.shifts]
        self.unavailable = {
            f.id: [(clock.minute(r.start), clock.minute(r.end)) for r in f.unavailable]
            for f in problem.fathers
        }
        partners: dict[str, set[str]] = defaultdict(set)
        for father in problem.fathers:
            for other in father.non_associations:
                partners[father.id].add(other)
                partners[other].add(father.id)
        self.partners = {key: frozenset(value) for key, value in partners.items()}
        self.activity_windows = {
            a.id: [w.week_minutes() for w in a.windows] for a in problem.activities
        }
        self.pinned = frozenset(a.id for a in problem.pinned)
        self._candidates: dict[tuple[str, str], list[Candidate]] = {}
        self._ceilings: dict[tuple[str, str], list[Ceiling]] = {}
        self._per_day: dict[tuple[str, str, int], int] = {}
        self._eligibility: dict[tuple[str, str, int], list[str]] = {}
        self._school_days: dict[tuple[str, str, int], bool] = {}
        self._shut: dict[tuple[str, int, int], bool] = {}
        self._may_serve: dict[tuple[str, str, int, int], tuple[Volunteer, ...]] = {}
        self._on_shift: dict[tuple[str, int, int], tuple[Officer, ...]] = {}

    def candidates(self, institution: str, activity: Activity) -> list[Candidate]:
        """Give the week's candidate starts for an activity at an institution (computed once)."""
        key = (institution, activity.id)
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = _week_candidates(self.problem, institution, activity)
        return found

    def limits(
        self, father: Father, activity: Activity, day: int
    ) -> list[tuple[frozenset[int], int]]:
        """Give each (days, limit) capping one more occurrence on ``day``: ceilings, per day."""
        key = (father.id, activity.id)
        found = self._ceilings.get(key)
        if found is None:
            found = self._ceilings[key] = ceilings(self.problem, father, activity)
        per_day = self._per_day.get((father.id, activity.id, day))
        if per_day is None:
            per_day = max_per_day(self.problem, father, activity, day)
            self._per_day[father.id, activity.id, day] = per_day
        return [(c.days, c.limit) for c in found if day in c.days] + [(frozenset((day,)), per_day)]

    def eligibility(self, father: Father, activity: Activity, day: int) -> list[str]:
        """Give ``blocking_reasons`` for the father, activity and day (computed once)."""
        key = (father.id, activity.id, day)
        found = self._eligibility.get(key)
        if found is None:
            found = self._eligibility[key] = blocking_reasons(self.problem, father, activity, day)
        return found

    def school_day(self, father: Father, activity: Activity, day: int) -> bool:
        """Tell whether school hours can matter for the father and activity on a day at all.

        Asked of the whole day once: a time that conflicts lies inside the day,
        so a day without conflict spares the question for each of its times.
        """
        key = (father.id, activity.id, day)
        found = self._school_days.get(key)
        if found is None:
            midnight = day * MINUTES_PER_DAY
            found = school_hours_conflict(
                self.problem, father, activity, midnight, midnight + MINUTES_PER_DAY
            )
            self._school_days[key] = found
        return found

    def room_shut(self, room: Room, start: int, end: int) -> bool:
        """Tell whether a room is not open for all of [start, end) or closed during it."""
        key = (room.id, start, end)
        found = self._shut.get(key)
        if found is None:
            found = not _inside(self.room_open[room.id], start, end) or _overlaps(
                self.room_closed[room.id], start, end
            )
            self._shut[key] = found
        return found

    def may_serve(
        self, activity: Activity, institution: str, start: int, end: int
    ) -> tuple[Volunteer, ...]:
        """Give the volunteers of an institution who may do an activity and are available then."""
        key = (activity.id, institution, start, end)
        found = self._may_serve.get(key)
        if found is None:
            found = tuple(
                v
                for v in self.volunteers.get((institution, activity.id), ())
                if _inside(self.available[v.id], start, end)
            )
            self._may_serve[key] = found
        return found

    def on_shift(self, institution: str, start: int, end: int) -> tuple[Officer, ...]:
        """Give the officers of an institution on shift for all of [start, end)."""
        key = (institution, start, end)
        found = self._on_shift.get(key)
        if found is None:
            found = tuple(
                o
                for o in self.officers.get(institution, ())
                if _inside(self.shifts[o.id], start, end)
            )
            self._on_shift[key] = found
        return found


@dataclass(frozen=True)
class _Staff:
    """The staff free for one activity at one time, and what is short."""

    reasons: tuple[str, ...]
    volunteers: tuple[Volunteer, ...]
    officers: tuple[Officer, ...]


class Occupancy:
    """What a set of assignments takes: people and rooms by time, seats, hours, occurrences.

    ``add`` and ``remove`` keep it up to date one assignment at a time, so a
    service can hold and release slots without rebuilding it. Adding an
    assignment whose id is already there replaces it (a father joining a
    running session updates that session's assignment).
    """

    def __init__(self, problem: Problem, assignments: Iterable[Assignment] = ()) -> None:
        self.problem = problem
        self.index = _WeekIndex(problem)
        self._assignments: dict[str, Assignment] = {}
        self._spans: dict[str, Span] = {}
        self._fathers: dict[str, dict[str, Span]] = defaultdict(dict)
        self._volunteers: dict[str, dict[str, Span]] = defaultdict(dict)
        self._officers: dict[str, dict[str, Span]] = defaultdict(dict)
        self._rooms: dict[str, dict[str, tuple[int, int, int]]] = defaultdict(dict)
        self._volunteer_minutes: Counter[str] = Counter()
        self._total_volunteer_minutes = 0
        self._partner_cap = partner_cap_minutes(problem)
        self._days: dict[tuple[str, str], list[int]] = {}
        self._sessions: dict[str, str] = {}
        # Answers that hold until the occupancy changes: what a room, the staff
        # or a father's day allow is asked again for many fathers and times.
        self._room_memo: dict[tuple[str, int, int, int], tuple[str, ...]] = {}
        self._staff_memo: dict[tuple[str, str, int, int], _Staff] = {}
        self._day_memo: dict[tuple[str, str, int], tuple[str, ...]] = {}
        for assignment in assignments:
            self.add(assignment)

    def __contains__(self, assignment_id: object) -> bool:
        return assignment_id in self._assignments

    def __len__(self) -> int:
        return len(self._assignments)

    def assignments(self) -> list[Assignment]:
        """Give the assignments held, in the order they were first added."""
        return list(self._assignments.values())

    def get(self, assignment_id: str) -> Assignment | None:
        """Give the assignment held under an id, if any."""
        return self._assignments.get(assignment_id)

    def span(self, assignment_id: str) -> Span:
        """Give the [start, end) week minutes of a held assignment."""
        return self._spans[assignment_id]

    def session_assignment(self, session_id: str) -> Assignment | None:
        """Give the assignment in which a session runs, or None when it does not run."""
        assignment_id = self._sessions.get(session_id)
        return None if assignment_id is None else self._assignments[assignment_id]

    def occurrences(self, father_id: str, activity_id: str) -> int:
        """Give how many occurrences of an activity the father has in the week."""
        return sum(self._days.get((father_id, activity_id), _NO_DAYS))

    def occurrences_by_day(self, father_id: str, activity_id: str) -> tuple[int, ...]:
        """Give the father's occurrences of an activity on each day (Monday first)."""
        return tuple(self._days.get((father_id, activity_id), _NO_DAYS))

    def volunteer_minutes(self, volunteer_id: str | None = None) -> int:
        """Give the minutes one volunteer works, or all volunteers together when None."""
        if volunteer_id is None:
            return self._total_volunteer_minutes
        return self._volunteer_minutes[volunteer_id]

    def father_spans(self, father_id: str) -> Iterable[Span]:
        """Give the [start, end) of every assignment the father is in."""
        return self._fathers.get(father_id, {}).values()

    def add(self, assignment: Assignment) -> None:
        """Take what the assignment uses; an assignment with the same id is replaced."""
        old = self._assignments.get(assignment.id)
        if old is not None:
            self._release(old)
        self._assignments[assignment.id] = assignment
        self._take(assignment)
        self._forget()

    def remove(self, assignment: Assignment | str) -> None:
        """Release what an assignment (or the one with this id) uses; unknown ids are ignored."""
        assignment_id = assignment if isinstance(assignment, str) else assignment.id
        old = self._assignments.pop(assignment_id, None)
        if old is not None:
            self._release(old)
            self._forget()

    def _forget(self) -> None:
        self._room_memo.clear()
        self._staff_memo.clear()
        self._day_memo.clear()

    def _room_use(
        self, assignment: Assignment, start: int, end: int
    ) -> tuple[int, int, int] | None:
        room = self.problem.room_by_id.get(assignment.room or "")
        if room is None:
            return None
        # A room is cleaned and set up between individual uses; a session's fathers leave together.
        changeover = 0 if assignment.session is not None else room.changeover_minutes
        return start, end + changeover, len(set(assignment.fathers))

    def _take(self, assignment: Assignment) -> None:
        clock = self.problem.clock
        start, end = clock.minute(assignment.start), clock.minute(assignment.end)
        key = assignment.id
        self._spans[key] = (start, end)
        day = clock.day_of(start)
        for father_id in dict.fromkeys(assignment.fathers):
            self._fathers[father_id][key] = (start, end)
            if 0 <= day < 7:
                self._days.setdefault((father_id, assignment.activity), [0] * 7)[day] += 1
        for volunteer_id in dict.fromkeys(assignment.volunteers):
            self._volunteers[volunteer_id][key] = (start, end)
            self._volunteer_minutes[volunteer_id] += end - start
            self._total_volunteer_minutes += end - start
        for officer_id in dict.fromkeys(assignment.officers):
            self._officers[officer_id][key] = (start, end)
        use = self._room_use(assignment, start, end)
        if use is not None and assignment.room is not None:
            self._rooms[assignment.room][key] = use
        if assignment.session is not None:
            self._sessions[assignment.session] = key

    def _release(self, assignment: Assignment) -> None:
        key = assignment.id
        start, end = self._spans.pop(key)
        day = self.problem.clock.day_of(start)
        for father_id in dict.fromkeys(assignment.fathers):
            self._fathers[father_id].pop(key, None)
            if 0 <= day < 7:
                self._days[father_id, assignment.activity][day] -= 1
        for volunteer_id in dict.fromkeys(assignment.volunteers):
            self._volunteers[volunteer_id].pop(key, None)
            self._volunteer_minutes[volunteer_id] -= end - start
            self._total_volunteer_minutes -= end - start
        for officer_id in dict.fromkeys(assignment.officers):
            self._officers[officer_id].pop(key, None)
        if assignment.room is not None:
            self._rooms[assignment.room].pop(key, None)
        if assignment.session is not None and self._sessions.get(assignment.session) == key:
            del self._sessions[assignment.session]

    def day_reasons(self, father: Father, activity: Activity, day: int) -> tuple[str, ...]:
        """Give what blocks one more occurrence on a day: eligibility and ceilings reached.

        A ceiling of zero on a day the father may not have the activity at all
        is that ineligibility, already named; it is not also ``entitlement_used``.
        """
        key = (father.id, activity.id, day)
        found = self._day_memo.get(key)
        if found is not None:
            return found
        blocked = self.index.eligibility(father, activity, day)
        counts = self._days.get((father.id, activity.id), _NO_DAYS)
        used = any(
            sum(counts[d] for d in days) >= limit
            for days, limit in self.index.limits(father, activity, day)
            if limit > 0 or not blocked
        )
        found = tuple(blocked) + ((reasons.ENTITLEMENT_USED,) if used else ())
        self._day_memo[key] = found
        return found

    def room_reasons(self, room: Room, start: int, end: int, changeover: int) -> tuple[str, ...]:
        """Give what keeps one more father out of a room for [start, end) plus changeover."""
        key = (room.id, start, end, changeover)
        found = self._room_memo.get(key)
        if found is not None:
            return found
        why: list[str] = []
        if self.index.room_shut(room, start, end):
            why.append(reasons.ROOM_CLOSED)
        if (
            _peak(self._rooms.get(room.id, {}).values(), start, end + changeover) + 1
            > room.capacity
        ):
            why.append(reasons.capacity(room.kind))
        found = self._room_memo[key] = tuple(why)
        return found

    def staff(self, activity: Activity, institution: str, start: int, end: int) -> _Staff:
        """Give the volunteers and officers free for a new assignment, and what is short.

        Volunteers come least-worked first, so hours spread and fewer run into
        their own maximum.
        """
        key = (activity.id, institution, start, end)
        found = self._staff_memo.get(key)
        if found is not None:
            return found
        why: list[str] = []
        minutes = end - start
        fit: list[Volunteer] = []
        if activity.volunteers:
            free = [
                v
                for v in self.index.may_serve(activity, institution, start, end)
                if not _overlaps(self._volunteers.get(v.id, {}).values(), start, end)
            ]
            fit = [
                v for v in free if self._volunteer_minutes[v.id] + minutes <= v.max_hours_week * 60
            ]
            if len(fit) < activity.volunteers:
                if len(free) < activity.volunteers:
                    why.append(reasons.NO_VOLUNTEER)
                if len(free) > len(fit):
                    why.append(reasons.VOLUNTEER_MAX_HOURS)
            if self.over_partner_cap(activity):
                why.append(reasons.PARTNER_CAP)
            fit.sort(key=lambda v: self._volunteer_minutes[v.id])
        officers: list[Officer] = []
        if activity.officers:
            officers = [
                o
                for o in self.index.on_shift(institution, start, end)
                if not _overlaps(self._officers.get(o.id, {}).values(), start, end)
            ]
            if len(officers) < activity.officers:
                why.append(reasons.NO_OFFICER)
        found = self._staff_memo[key] = _Staff(tuple(why), tuple(fit), tuple(officers))
        return found

    def over_partner_cap(self, activity: Activity) -> bool:
        """Tell whether one more occurrence with its own volunteers would pass the partner cap."""
        more = activity.minutes * activity.volunteers
        return more > 0 and self._total_volunteer_minutes + more > self._partner_cap

    def partner_in_visit_hall(self, father: Father, start: int, end: int) -> bool:
        """Tell whether a father kept apart from him is in a visit hall during [start, end)."""
        rooms = self.problem.room_by_id
        for other in self.index.partners.get(father.id, ()):
            for key, (low, high) in self._fathers.get(other, {}).items():
                if low < end and start < high:
                    room = rooms.get(self._assignments[key].room or "")
                    if room is not None and room.kind == VISIT_HALL:
                        return True
        return False

    def new_id(self, base: str) -> str:
        """Give an assignment id built from ``base`` that no held assignment has."""
        found, number = base, 1
        while found in self._assignments:
            number += 1
            found = f"{base}-{number}"
        return found


@dataclass
class Placement:
    """One more occurrence: the assignment that places it, or every reason none fits."""

    assignment: Assignment | None
    reasons: list[str] = field(default_factory=list)


def _resolve(problem: Problem, father_id: str, activity_id: str) -> tuple[Father, Activity]:
    """Give the father and activity of a request, or raise ProblemError naming the unknown one."""
    father = problem.father_by_id.get(father_id)
    activity = problem.activity_by_id.get(activity_id)
    messages = []
    if father is None:
        messages.append(f"father: unknown father '{father_id}'")
    if activity is None:
        messages.append(f"activity: unknown activity '{activity_id}'")
    if father is None or activity is None:
        raise ProblemError(messages)
    return father, activity


def _choose(pool: tuple[Volunteer, ...], count: int, linked: str | None) -> list[str]:
    """Give ``count`` volunteer ids from the pool, the father's linked volunteer first if free."""
    ordered = [v.id for v in pool if v.id == linked] + [v.id for v in pool if v.id != linked]
    return ordered[:count]


def _attempt(
    occupancy: Occupancy,
    father: Father,
    activity: Activity,
    start: int,
    session: Session | None,
    room_id: str | None,
    every: bool = True,
    known: frozenset[str] | set[str] = frozenset(),
) -> tuple[Assignment | None, list[str]]:
    """Give the assignment placing one occurrence at ``start`` (or ``session``), or the reasons.

    With ``every`` False it stops at the first check that fails and gives
    only what that check found: enough to move on to the next candidate.
    The school hours, costly to ask, are asked last, where nothing else
    blocks, unless every reason is wanted and ``known`` (the reasons found at
    other candidates) does not hold them yet.
    """
    problem = occupancy.problem
    index = occupancy.index
    end = start + activity.minutes
    if start < 0 or end > MINUTES_PER_WEEK:
        return None, [reasons.OUTSIDE_WINDOWS]
    day = start // MINUTES_PER_DAY
    found = set(occupancy.day_reasons(father, activity, day))
    windows = index.activity_windows[activity.id]
    off_grid = session is None and start % MINUTES_PER_DAY % problem.policy.slot_minutes != 0
    if off_grid or (windows and not _inside(windows, start, end)):
        found.add(reasons.OUTSIDE_WINDOWS)
    if _overlaps(index.unavailable.get(father.id, ()), start, end):
        found.add(reasons.FATHER_UNAVAILABLE)
    if _overlaps(occupancy.father_spans(father.id), start, end):
        found.add(reasons.FATHER_BUSY)
    school = index.school_day(father, activity, day)
    if school and every and reasons.SCHOOL_HOURS not in known:
        school = False
        if school_hours_conflict(problem, father, activity, start, end):
            found.add(reasons.SCHOOL_HOURS)
    if found and not every:
        return None, sorted(found)
    running: Assignment | None = None
    room: Room | None = None
    if session is not None:
        room = problem.room_by_id[session.room]
        if room.institution != father.institution:
            found.add(reasons.NO_SESSION)
        running = occupancy.session_assignment(session.id)
        if running is not None:
            if index.partners.get(father.id, frozenset()).intersection(running.fathers):
                found.add(reasons.NON_ASSOCIATION)
            if running.pinned or running.id in index.pinned:
                found.add(reasons.PINNED)
            if len(set(running.fathers)) >= session.capacity:
                found.add(reasons.capacity(room.kind))
        found.update(occupancy.room_reasons(room, start, end, 0))
    elif activity.room_kind is not None:
        room, room_why = _free_room(occupancy, father, activity, start, room_id)
        found.update(room_why)
    elif room_id is not None:
        found.add(reasons.NO_ROOM)
    kind = room.kind if room is not None else activity.room_kind
    if kind == VISIT_HALL and occupancy.partner_in_visit_hall(father, start, end):
        found.add(reasons.NON_ASSOCIATION)
    if found and not every:
        return None, sorted(found)
    staff = None
    if running is None:
        if not every and occupancy.over_partner_cap(activity):
            return None, [reasons.PARTNER_CAP]
        institution = room.institution if room is not None else father.institution
        staff = occupancy.staff(activity, institution, start, end)
        found.update(staff.reasons)
    if not found and school and school_hours_conflict(problem, father, activity, start, end):
        found.add(reasons.SCHOOL_HOURS)
    if found:
        return None, sorted(found)
    if running is not None:
        return running.model_copy(update={"fathers": [*running.fathers, father.id]}), []
    assert staff is not None
    return _new_assignment(occupancy, father, activity, start, session, room, staff), []


def _free_room(
    occupancy: Occupancy, father: Father, activity: Activity, start: int, room_id: str | None
) -> tuple[Room | None, set[str]]:
    """Give the first room of the activity's kind free at ``start``, or what keeps each out."""
    assert activity.room_kind is not None
    rooms = occupancy.index.rooms.get((father.institution, activity.room_kind), [])
    if room_id is not None:
        rooms = [r for r in rooms if r.id == room_id]
    found: set[str] = set()
    end = start + activity.minutes
    for option in rooms:
        why = occupancy.room_reasons(option, start, end, option.changeover_minutes)
        if not why:
            return option, set()
        found.update(why)
    return None, found or {reasons.NO_ROOM}


def _new_assignment(
    occupancy: Occupancy,
    father: Father,
    activity: Activity,
    start: int,
    session: Session | None,
    room: Room | None,
    staff: _Staff,
) -> Assignment:
    """Give a new assignment for one father, with the staff it needs taken from ``staff``."""
    clock = occupancy.problem.clock
    if session is not None:
        base = session.id
        begins = session.start
    else:
        day, minute = divmod(start, MINUTES_PER_DAY)
        base = f"{father.id}-{activity.id}-{DAYS[day]}{clock_text(minute).replace(':', '')}"
        begins = clock.moment(start)
    return Assignment(
        id=occupancy.new_id(base),
        activity=activity.id,
        start=begins,
        end=clock.moment(start + activity.minutes),
        room=room.id if room is not None else None,
        session=session.id if session is not None else None,
        fathers=[father.id],
        volunteers=_choose(staff.volunteers, activity.volunteers, father.linked_volunteer),
        officers=[o.id for o in staff.officers[: activity.officers]],
    )


def blockers(
    problem: Problem,
    occupancy: Occupancy,
    father_id: str,
    activity_id: str,
    start: int,
    session_id: str | None,
    room_id: str | None = None,
) -> tuple[Assignment | None, list[str]]:
    """Give the assignment placing one more occurrence there, or None and every reason it cannot.

    A session activity goes into ``session_id`` (or, when None, a session of
    the activity at the father's institution starting at ``start``): joining a
    running session gives its assignment with the father added; a session not
    yet running gives a new assignment with its staff. An individual activity
    gives a new assignment in a free room of its kind (``room_id`` picks one).
    Reasons come from ``scheduler.reasons``, sorted.
    """
    father, activity = _resolve(problem, father_id, activity_id)
    if room_id is not None and room_id not in problem.room_by_id:
        raise ProblemError([f"room: unknown room '{room_id}'"])
    if activity.placement == "individual":
        if session_id is not None:
            raise ProblemError([f"session: {activity.id} is placed individually, not in sessions"])
        return _attempt(occupancy, father, activity, start, None, room_id)
    if session_id is not None:
        session = problem.session_by_id.get(session_id)
        if session is None:
            raise ProblemError([f"session: unknown session '{session_id}'"])
        if session.activity != activity.id or occupancy.index.session_start[session.id] != start:
            return None, [reasons.NO_SESSION]
        sessions = [session]
    else:
        sessions = [
            s
            for at, s in occupancy.index.candidates(father.institution, activity)
            if at == start and s is not None and room_id in (None, s.room)
        ]
    found: set[str] = set()
    for session in sessions:
        assignment, why = _attempt(occupancy, father, activity, start, session, None)
        if assignment is not None:
            return assignment, []
        found.update(why)
    return None, sorted(found or {reasons.NO_SESSION})


def _open_candidates(
    occupancy: Occupancy, father: Father, activity: Activity, earliest: int, latest: int
) -> list[Candidate]:
    """Give the candidates in [earliest, latest), without sessions the father already sits in."""
    found = []
    for start, session in occupancy.index.candidates(father.institution, activity):
        if start < earliest or start + activity.minutes > latest:
            continue
        if session is not None:
            running = occupancy.session_assignment(session.id)
            if running is not None and father.id in running.fathers:
                continue
        found.append((start, session))
    return found


def _nothing_to_try(problem: Problem, father: Father, activity: Activity) -> str:
    """Give the reason there is no candidate time at all for an activity."""
    if activity.placement == "session":
        return reasons.NO_SESSION
    if activity.room_kind is None:
        return reasons.OUTSIDE_WINDOWS
    rooms = [
        r
        for r in problem.rooms
        if r.institution == father.institution and r.kind == activity.room_kind
    ]
    if not rooms:
        return reasons.NO_ROOM
    return reasons.ROOM_CLOSED if not any(r.open for r in rooms) else reasons.OUTSIDE_WINDOWS


def _ordered_candidates(
    occupancy: Occupancy,
    father: Father,
    activity: Activity,
    earliest: int,
    latest: int,
    preferred: list[Window] | None,
) -> list[Candidate]:
    """Give the candidates to try in order: time order, those in a ``preferred`` window first."""
    candidates = _open_candidates(occupancy, father, activity, earliest, latest)
    if preferred:
        wished = [w.week_minutes() for w in preferred]
        candidates.sort(key=lambda c: not _inside(wished, c[0], c[0] + activity.minutes))
    return candidates


def first_fit(
    problem: Problem,
    occupancy: Occupancy,
    father_id: str,
    activity_id: str,
    earliest: int = 0,
    latest: int = MINUTES_PER_WEEK,
    preferred: list[Window] | None = None,
) -> Assignment | None:
    """Give the assignment of the first candidate that fits, like ``find_placement``, or None.

    It does not gather why the others do not fit, so it is the quick question
    for a booking that needs a slot and not an explanation.
    """
    father, activity = _resolve(problem, father_id, activity_id)
    if activity.placement == "individual" and occupancy.over_partner_cap(activity):
        # Every candidate would need volunteer minutes the cap no longer has.
        return None
    for start, session in _ordered_candidates(
        occupancy, father, activity, earliest, latest, preferred
    ):
        assignment, _ = _attempt(occupancy, father, activity, start, session, None, every=False)
        if assignment is not None:
            return assignment
    return None


def find_placement(
    problem: Problem,
    occupancy: Occupancy,
    father_id: str,
    activity_id: str,
    earliest: int = 0,
    latest: int = MINUTES_PER_WEEK,
    preferred: list[Window] | None = None,
) -> Placement:
    """Give the first placement fitting between ``earliest`` and ``latest``, or why none does.

    Candidates come in time order; those inside a ``preferred`` window are
    tried first. Without a fit, the reasons are the union over all candidates;
    ``no_session`` when no session is left that the father is not already in.
    """
    assignment = first_fit(problem, occupancy, father_id, activity_id, earliest, latest, preferred)
    if assignment is not None:
        return Placement(assignment, [])
    return Placement(
        None, refusal_reasons(problem, occupancy, father_id, activity_id, earliest, latest)
    )


def refusal_reasons(
    problem: Problem,
    occupancy: Occupancy,
    father_id: str,
    activity_id: str,
    earliest: int = 0,
    latest: int = MINUTES_PER_WEEK,
) -> list[str]:
    """Give every reason no candidate between ``earliest`` and ``latest`` fits (empty: one fits).

    The union over all candidate times, sorted; ``no_session`` when no session
    is left that the father is not already in.
    """
    father, activity = _resolve(problem, father_id, activity_id)
    candidates = _open_candidates(occupancy, father, activity, earliest, latest)
    if not candidates:
        return [_nothing_to_try(problem, father, activity)]
    found: set[str] = set()
    for start, session in candidates:
        assignment, why = _attempt(occupancy, father, activity, start, session, None, known=found)
        if assignment is not None:
            return []
        found.update(why)
    return sorted(found)


def alternatives(
    problem: Problem,
    occupancy: Occupancy,
    father_id: str,
    activity_id: str,
    around: int,
    limit: int = 3,
) -> list[Assignment]:
    """Give up to ``limit`` assignments each passing every check now, nearest to ``around``."""
    father, activity = _resolve(problem, father_id, activity_id)
    candidates = _open_candidates(occupancy, father, activity, 0, MINUTES_PER_WEEK)
    candidates.sort(key=lambda c: (abs(c[0] - around), c[0]))
    found: list[Assignment] = []
    for start, session in candidates:
        if len(found) >= limit:
            break
        assignment, _ = _attempt(occupancy, father, activity, start, session, None, every=False)
        if assignment is not None:
            found.append(assignment)
    return found
