"""Placing one more occurrence into a set of assignments: where it fits, or why it cannot.

Shared by the shortfall explanations, the first-come-first-served baseline and
the slot allocation for other systems. ``scheduler.occupancy`` indexes what a
set of assignments already takes, beside the week's own index
(``scheduler.week_index``); ``blockers`` checks every hard rule of docs/design.md
section 4 for one father, one activity and one start, and picks the staff;
``find_placement`` and ``alternatives`` walk the candidate times. Times are
week minutes (``scheduler.week``) throughout.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from scheduler import reasons
from scheduler.domain import (
    Activity,
    Assignment,
    Father,
    Problem,
    ProblemError,
    Room,
    Session,
    Volunteer,
    Window,
)
from scheduler.eligibility import school_hours_conflict
from scheduler.ids import ESCORTED_VISIT
from scheduler.occupancy import Occupancy, Staff
from scheduler.room_kinds import VISIT_HALL
from scheduler.spans import inside, overlaps
from scheduler.week import DAYS, MINUTES_PER_DAY, MINUTES_PER_WEEK, clock_text
from scheduler.week_index import Candidate, week_candidates


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
    if activity_id == ESCORTED_VISIT:
        yield from _escorted_times(problem, _escorted_father(problem, father_id), earliest, latest)
        return
    father, activity = _resolve(problem, father_id, activity_id)
    for start, session in week_candidates(problem, father.institution, activity):
        if earliest <= start and start + activity.minutes <= latest:
            yield start, session.id if session is not None else None


def _escorted_times(
    problem: Problem, father: Father, earliest: int, latest: int
) -> list[tuple[int, str]]:
    """Give the sessions of the activities with escorts at his institution, in time order."""
    found: list[tuple[int, str]] = []
    for activity in problem.activities:
        if activity.escorts:
            found += [
                (start, session.id)
                for start, session in week_candidates(problem, father.institution, activity)
                if session is not None and earliest <= start <= latest - activity.minutes
            ]
    return sorted(found)


def _escorted_father(problem: Problem, father_id: str) -> Father:
    """Give the father asking for an escorted visit, or raise naming him or the activity unknown."""
    father = problem.father_by_id.get(father_id)
    messages = [] if father is not None else [f"father: unknown father '{father_id}'"]
    if problem.escorted_activity is None:
        messages.append(f"activity: unknown activity '{ESCORTED_VISIT}'")
    if messages or father is None:
        raise ProblemError(messages)
    return father


def _escorted_seat(
    problem: Problem, occupancy: Occupancy, father: Father, start: int, session_id: str | None
) -> tuple[Assignment | None, list[str]]:
    """Give his seat in a session there with all its escorts, or None and every reason none is.

    An escorted visit is granted with a seat in a session of an activity with
    escorts that has all of them: a seat he holds, or one he could take; what
    keeps the escorts away is ``no_volunteer``, ``volunteer_max_hours`` or
    ``partner_cap`` (``scheduler.occupancy``).
    """
    sessions = [
        problem.session_by_id[session]
        for at, session in _escorted_times(problem, father, start, MINUTES_PER_WEEK)
        if at == start and session_id in (None, session)
    ]
    found: set[str] = set()
    for session in sessions:
        running = occupancy.session_assignment(session.id)
        if running is not None and father.id in running.fathers:
            seat: Assignment | None = running
        else:
            seat, why = blockers(problem, occupancy, father.id, session.activity, start, session.id)
            found.update(why)
        if seat is None:
            continue
        if running is not None:
            why = occupancy.escort_reasons(running)
        else:
            # A session not yet running is held for the question, then let go.
            occupancy.add(seat)
            why = occupancy.escort_reasons(seat)
            occupancy.remove(seat)
        if not why:
            return seat, []
        found.update(why)
    return None, sorted(found or {reasons.NO_SESSION})


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
    if found and not every:
        # A ceiling reached or an ineligible day blocks every start of that day: the most
        # common refusal, found before the spans of the day are asked.
        return None, sorted(found)
    windows = index.activity_windows[activity.id]
    off_grid = session is None and start % MINUTES_PER_DAY % problem.policy.slot_minutes != 0
    if off_grid or (windows and not inside(windows, start, end)):
        found.add(reasons.OUTSIDE_WINDOWS)
    if overlaps(index.unavailable.get(father.id, ()), start, end):
        found.add(reasons.FATHER_UNAVAILABLE)
    if overlaps(occupancy.father_spans(father.id), start, end):
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
    staff: Staff,
) -> Assignment:
    """Give a new assignment for one father, with the staff it needs taken from ``staff``."""
    clock = occupancy.problem.clock
    volunteers = _choose(staff.volunteers, activity.volunteers, father.linked_volunteer)
    if activity.escorts:
        volunteers += _escorts(occupancy, father, activity, start, room, volunteers)
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
        volunteers=volunteers,
        officers=[o.id for o in staff.officers[: activity.officers]],
    )


def _escorts(
    occupancy: Occupancy,
    father: Father,
    activity: Activity,
    start: int,
    room: Room | None,
    taken: list[str],
) -> list[str]:
    """Give the escorts a new occurrence gets: all it wants, the linked volunteer first, or none.

    Escorts are wanted, not required: an occurrence that cannot have all of
    them, within the volunteers' hours and the partner cap on top of its own
    volunteers, runs without them.
    """
    end = start + activity.minutes
    institution = room.institution if room is not None else father.institution
    _, fit = occupancy.free_escorts(activity, institution, start, end, taken)
    cost = activity.minutes * (activity.volunteers + activity.escorts)
    if len(fit) < activity.escorts or occupancy.escorts_within_cap(1, cost) < 1:
        return []
    return _choose(tuple(fit), activity.escorts, father.linked_volunteer)


def escort_reasons(problem: Problem, occupancy: Occupancy, father_id: str) -> list[str]:
    """Give every reason the father has no escorted visit (empty: nothing blocks one).

    Where he has no occurrence of an activity with escorts, what blocks one
    (his legal visit's own reasons); where he has one without its escorts,
    what keeps the escorts from it: ``no_volunteer``, ``volunteer_max_hours``,
    ``partner_cap``.
    """
    escorted = [a for a in problem.activities if a.escorts]
    held = [
        a
        for a in occupancy.assignments()
        if father_id in a.fathers and problem.activity_by_id[a.activity].escorts
    ]
    found: set[str] = set()
    if not held:
        for activity in escorted:
            found.update(refusal_reasons(problem, occupancy, father_id, activity.id))
    for assignment in held:
        found.update(occupancy.escort_reasons(assignment))
    return sorted(found)


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
    The escorted visit is a seat in a session with all its escorts
    (``_escorted_seat``). Reasons come from ``scheduler.reasons``, sorted.
    """
    if activity_id == ESCORTED_VISIT:
        father = _escorted_father(problem, father_id)
        return _escorted_seat(problem, occupancy, father, start, session_id)
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
        candidates.sort(key=lambda c: not inside(wished, c[0], c[0] + activity.minutes))
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
    tried: tuple[int, int] | None = None,
) -> list[Assignment]:
    """Give up to ``limit`` assignments each passing every check now, nearest to ``around``.

    ``tried`` is a window [earliest, latest) whose every candidate was just found not to fit
    (by ``find_placement`` on the same occupancy): its candidates are not tried again.
    """
    father, activity = _resolve(problem, father_id, activity_id)
    candidates = _open_candidates(occupancy, father, activity, 0, MINUTES_PER_WEEK)
    if tried is not None:
        low, high = tried
        candidates = [c for c in candidates if not low <= c[0] <= high - activity.minutes]
    candidates.sort(key=lambda c: (abs(c[0] - around), c[0]))
    found: list[Assignment] = []
    for start, session in candidates:
        if len(found) >= limit:
            break
        assignment, _ = _attempt(occupancy, father, activity, start, session, None, every=False)
        if assignment is not None:
            found.append(assignment)
    return found
