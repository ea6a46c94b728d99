"""What decides a shortfall, with its numbers, and the smallest change that would undo it.

Every candidate time of one more occurrence is tried with
``scheduler.placement.blockers``. The *decisive* reason is the one that
blocks the most candidate times (ties: the one that stands alone at more of
them, then the reason's name). What would *unblock* the occurrence is found
by checking, never guessed: with one assignment of another father given way
(his occurrence taken out, the candidate tried again), or with one capacity
added to the week (the volunteer hours one occurrence needs on the partner
cap or on one volunteer's maximum, an officer's shift over the occurrence's
time) and the candidates tried again on the changed week. Only changes that
make a candidate fit are given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scheduler import reasons
from scheduler.domain import Assignment, Problem, Window
from scheduler.ids import ESCORTED_VISIT
from scheduler.objective import granted_counts, minutes, visit_minutes
from scheduler.occupancy import Occupancy
from scheduler.placement import blockers, candidate_times
from scheduler.week import DAYS, MINUTES_PER_DAY, clock_text

GIVE_WAY = "give_way"
PARTNER_CAP_HOURS = "partner_cap_hours"
VOLUNTEER_HOURS = "volunteer_hours"
OFFICER_SHIFT = "officer_shift"

# Reasons no change of capacity or of another father's roster can lift.
FIXED = frozenset(
    {
        reasons.TIME_OUT,
        reasons.NO_CONSENT,
        reasons.NOT_ENROLLED,
        reasons.NO_BABY,
        reasons.NOT_IN_SHELL,
        reasons.FATHER_UNAVAILABLE,
        reasons.SCHOOL_HOURS,
        reasons.OUTSIDE_WINDOWS,
        reasons.ENTITLEMENT_USED,
        reasons.NON_ASSOCIATION,
        reasons.PINNED,
        reasons.NO_SESSION,
    }
)
# How many candidate times and assignments the search of a change looks at, at most.
SEARCH_TIMES = 200
SEARCH_GIVE_WAY = 60


@dataclass(frozen=True)
class Tried:
    """One candidate time of one more occurrence and every reason it does not fit (none: fits)."""

    start: int
    session: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Decisive:
    """The reason that decides a shortfall: how many candidate times it blocks, and its figures."""

    reason: str
    blocked: int
    candidates: int
    figures: dict[str, float | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Unblock:
    """A change that lets one more occurrence start at ``start``, and what it is and costs.

    ``change`` is ``give_way`` (``figures``: the father who gives way, his
    assignment and activity, and which of his occurrences of it that is),
    ``partner_cap_hours`` or ``volunteer_hours`` (the hours to add, and the
    volunteer), or ``officer_shift`` (the officer, and the day, ``shift_start``
    and ``shift_end`` of the shift to add).
    """

    change: str
    start: int
    session: str | None
    figures: dict[str, float | str] = field(default_factory=dict)


def tried_times(
    problem: Problem, occupancy: Occupancy, father_id: str, activity_id: str
) -> list[Tried]:
    """Give every candidate time of one more occurrence with the reasons it does not fit.

    A session he already sits in is no time for one more, except for the
    escorted visit: there the question is whether his seat has its escorts.
    """
    found = []
    for start, session in candidate_times(problem, father_id, activity_id):
        if session is not None and activity_id != ESCORTED_VISIT:
            running = occupancy.session_assignment(session)
            if running is not None and father_id in running.fathers:
                continue
        _, why = blockers(problem, occupancy, father_id, activity_id, start, session)
        found.append(Tried(start, session, tuple(why)))
    return found


def decisive_reason(
    problem: Problem,
    occupancy: Occupancy,
    activity_id: str,
    tried: list[Tried],
    shortfall: list[str],
) -> Decisive | None:
    """Give the reason that blocks the most candidate times, with its numbers (None: one fits)."""
    if any(not t.reasons for t in tried):
        return None
    counts = Counter(r for t in tried for r in t.reasons)
    alone = Counter(t.reasons[0] for t in tried if len(t.reasons) == 1)
    if not counts:
        if not shortfall:
            return None
        return Decisive(shortfall[0], 0, 0)
    reason = min(counts, key=lambda r: (-counts[r], -alone[r], r))
    figures: dict[str, float | str] = {}
    if reason == reasons.PARTNER_CAP:
        figures = {
            "used_hours": occupancy.volunteer_minutes() / 60,
            "cap_hours": problem.policy.partner_cap_hours,
            "needed_hours": volunteer_hours(problem, activity_id),
        }
    return Decisive(reason, counts[reason], len(tried), figures)


def volunteer_hours(problem: Problem, activity_id: str) -> float:
    """Give the volunteer hours one more occurrence needs: its escorts', for the escorted visit."""
    activity = problem.kind(activity_id)
    count = activity.escorts if activity_id == ESCORTED_VISIT else activity.volunteers
    return activity.minutes * count / 60


def staffed_by(problem: Problem, activity_id: str) -> frozenset[str]:
    """Give the activities whose volunteers staff one more (escorted visit: those with escorts)."""
    if activity_id == ESCORTED_VISIT:
        return frozenset(a.id for a in problem.activities if a.escorts)
    return frozenset((activity_id,))


def _fits(
    problem: Problem, occupancy: Occupancy, father_id: str, activity_id: str, t: Tried
) -> bool:
    assignment, _ = blockers(problem, occupancy, father_id, activity_id, t.start, t.session)
    return assignment is not None


def _give_way(
    problem: Problem,
    assignments: list[Assignment],
    father_id: str,
    activity_id: str,
    tried: list[Tried],
) -> Unblock | None:
    """Give the first other father's occurrence whose giving way lets the father in, or None.

    Of those that overlap a candidate time, the occurrence that is its
    father's latest of most of that activity is asked first: it costs least.
    Only fathers of his own institution are asked, and none to give way a
    visit that would leave him below the legal minimum.
    """
    clock = problem.clock
    occupancy = Occupancy(problem, assignments)
    counts = granted_counts(problem, assignments)
    visits = visit_minutes(problem, assignments)
    legal = problem.policy.legal_min_visit_minutes
    home = problem.father_by_id[father_id].institution
    lifted = [t for t in tried if t.reasons and FIXED.isdisjoint(t.reasons)][:SEARCH_TIMES]
    options: list[tuple[int, str, Assignment, Tried]] = []
    for t in lifted:
        end = t.start + problem.kind(activity_id).minutes
        for assignment in assignments:
            if assignment.pinned or father_id in assignment.fathers:
                continue
            low, high = clock.minute(assignment.start), clock.minute(assignment.end)
            room = problem.room_by_id.get(assignment.room or "")
            changeover = room.changeover_minutes if room is not None else 0
            if low < end + changeover and t.start < high + changeover:
                counts_as_visit = problem.activity_by_id[assignment.activity].counts_as_visit
                given = minutes(problem, assignment) if counts_as_visit else 0
                for other in assignment.fathers:
                    if problem.father_by_id[other].institution != home:
                        continue  # a father of another institution is not asked, nor named
                    if given and visits[other] - given < legal:
                        continue  # nobody gives up his legal hour of visit
                    options.append((counts[other, assignment.activity], other, assignment, t))
    options.sort(key=lambda o: (-o[0], clock.minute(o[2].start), o[1], o[3].start))
    for nth, other, assignment, t in options[:SEARCH_GIVE_WAY]:
        fewer = [f for f in assignment.fathers if f != other]
        occupancy.remove(assignment)
        if fewer and assignment.session is not None:
            occupancy.add(assignment.model_copy(update={"fathers": fewer}))
        fits = _fits(problem, occupancy, father_id, activity_id, t)
        occupancy.add(assignment)
        if fits:
            figures: dict[str, float | str] = {
                "father": other,
                "assignment": assignment.id,
                "activity": assignment.activity,
                "nth": nth,
            }
            return Unblock(GIVE_WAY, t.start, t.session, figures)
    return None


def _with(problem: Problem, **changes: object) -> Problem:
    """Give the week with some of its fields replaced, checked again as a whole."""
    return Problem.model_validate({**problem.model_dump(), **changes})


def _first_fit(
    problem: Problem,
    assignments: list[Assignment],
    father_id: str,
    activity_id: str,
    tried: list[Tried],
) -> Tried | None:
    occupancy = Occupancy(problem, assignments)
    return next((t for t in tried if _fits(problem, occupancy, father_id, activity_id, t)), None)


def _capacity(
    problem: Problem,
    assignments: list[Assignment],
    father_id: str,
    activity_id: str,
    tried: list[Tried],
) -> list[Unblock]:
    """Give each capacity that, added alone to the week, lets one more occurrence fit."""
    activity = problem.kind(activity_id)
    father = problem.father_by_id[father_id]
    staffed = [t for t in tried if t.reasons and FIXED.isdisjoint(t.reasons)][:SEARCH_TIMES]
    found: list[Unblock] = []
    needed = volunteer_hours(problem, activity_id)
    serving = staffed_by(problem, activity_id)
    seen = {r for t in staffed for r in t.reasons}
    if reasons.PARTNER_CAP in seen and needed:
        policy = problem.policy.model_dump()
        policy["partner_cap_hours"] = problem.policy.partner_cap_hours + needed
        fit = _first_fit(
            _with(problem, policy=policy), assignments, father_id, activity_id, staffed
        )
        if fit is not None:
            found.append(Unblock(PARTNER_CAP_HOURS, fit.start, fit.session, {"hours": needed}))
    if reasons.VOLUNTEER_MAX_HOURS in seen and needed:
        for volunteer in sorted(
            problem.volunteers, key=lambda v: (v.id != father.linked_volunteer, v.id)
        ):
            if (
                serving.isdisjoint(volunteer.activities)
                or father.institution not in volunteer.institutions
            ):
                continue
            more = [
                {**v.model_dump(), "max_hours_week": v.max_hours_week + activity.minutes / 60}
                if v.id == volunteer.id
                else v.model_dump()
                for v in problem.volunteers
            ]
            fit = _first_fit(
                _with(problem, volunteers=more), assignments, father_id, activity_id, staffed
            )
            if fit is not None:
                figures: dict[str, float | str] = {
                    "volunteer": volunteer.id,
                    "hours": activity.minutes / 60,
                }
                found.append(Unblock(VOLUNTEER_HOURS, fit.start, fit.session, figures))
                break
    shifts = [t for t in staffed if reasons.NO_OFFICER in t.reasons]
    officers = sorted(
        (o for o in problem.officers if o.institution == father.institution), key=lambda o: o.id
    )
    for t in shifts[:1]:
        day, minute = divmod(t.start, MINUTES_PER_DAY)
        window = Window.model_validate(
            {
                "day": DAYS[day],
                "start": clock_text(minute),
                "end": clock_text(min(minute + activity.minutes, MINUTES_PER_DAY - 1)),
            }
        )
        for officer in officers:
            more = [
                {**o.model_dump(), "shifts": [*o.model_dump()["shifts"], window.model_dump()]}
                if o.id == officer.id
                else o.model_dump()
                for o in problem.officers
            ]
            wider = _with(problem, officers=more)
            if _first_fit(wider, assignments, father_id, activity_id, [t]) is not None:
                figures = {
                    "officer": officer.id,
                    "day": window.day,
                    "shift_start": window.start,
                    "shift_end": window.end,
                }
                found.append(Unblock(OFFICER_SHIFT, t.start, t.session, figures))
                break
    return found


def unblocking(
    problem: Problem,
    assignments: list[Assignment],
    father_id: str,
    activity_id: str,
    tried: list[Tried],
) -> list[Unblock]:
    """Give the changes found by checking that each let one more occurrence fit (give way first)."""
    found: list[Unblock] = []
    given = _give_way(problem, assignments, father_id, activity_id, tried)
    if given is not None:
        found.append(given)
    return found + _capacity(problem, assignments, father_id, activity_id, tried)
