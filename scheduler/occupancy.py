"""What a set of assignments already takes: people and rooms by time, seats, hours, occurrences.

``Occupancy`` indexes a set of assignments (fathers, volunteers, officers and
rooms by time, session seats, volunteer minutes, occurrences per day) beside
the week's own index (``scheduler.week_index``), and answers what one more
occurrence would run into: a day's eligibility and ceilings, a room's
opening and capacity, free staff, the partner cap, a father kept apart in the
visit hall. ``scheduler.placement`` builds on it. Times are week minutes
(``scheduler.week``) throughout.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler import reasons
from scheduler.domain import Activity, Assignment, Father, Officer, Problem, Room, Volunteer
from scheduler.objective import partner_cap_minutes
from scheduler.room_kinds import VISIT_HALL
from scheduler.spans import Span, overlaps
from scheduler.week_index import WeekIndex

_NO_DAYS: tuple[int, ...] = (0,) * 7


def _peak(uses: Iterable[tuple[int, int, int]], start: int, end: int) -> int:
    """Give the most fathers the ``uses`` (start, end, fathers) hold at once in [start, end)."""
    overlapping = [use for use in uses if use[0] < end and start < use[1]]
    if not overlapping:
        return 0
    # The load only rises where a use begins, so its peak is at ``start`` or at such a beginning.
    moments = [start] + [low for low, _, _ in overlapping if low > start]
    return max(sum(n for low, high, n in overlapping if low <= m < high) for m in moments)


@dataclass(frozen=True)
class Staff:
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
        self.index = WeekIndex(problem)
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
        self._staff_memo: dict[tuple[str, str, int, int], Staff] = {}
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
        A time-out's ceiling reached (shell 2's figure used up, the days before
        the time-out included) is ``time_out``.
        """
        key = (father.id, activity.id, day)
        found = self._day_memo.get(key)
        if found is not None:
            return found
        index = self.index
        blocked = index.eligibility(father, activity, day)
        counts = self._days.get((father.id, activity.id), _NO_DAYS)
        why = set(blocked)
        if counts[day] >= index.per_day(father, activity, day) and (
            index.per_day(father, activity, day) > 0 or not blocked
        ):
            why.add(reasons.ENTITLEMENT_USED)
        for ceiling in index.ceilings(father, activity):
            if (ceiling.limit > 0 or not blocked) and not ceiling.fits_one_more(counts, day):
                why.add(reasons.TIME_OUT if ceiling.time_out else reasons.ENTITLEMENT_USED)
        found = tuple(blocked) + tuple(sorted(why - set(blocked)))
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

    def staff(self, activity: Activity, institution: str, start: int, end: int) -> Staff:
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
                if not overlaps(self._volunteers.get(v.id, {}).values(), start, end)
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
                if not overlaps(self._officers.get(o.id, {}).values(), start, end)
            ]
            if len(officers) < activity.officers:
                why.append(reasons.NO_OFFICER)
        found = self._staff_memo[key] = Staff(tuple(why), tuple(fit), tuple(officers))
        return found

    def free_escorts(
        self, activity: Activity, institution: str, start: int, end: int, taken: Iterable[str]
    ) -> tuple[list[Volunteer], list[Volunteer]]:
        """Give the volunteers free to escort [start, end), and those of them within their hours.

        Those already in ``taken`` (the occurrence's own) are left out; the
        ones within their hours come least-worked first.
        """
        own = set(taken)
        free = [
            v
            for v in self.index.may_serve(activity, institution, start, end)
            if v.id not in own and not overlaps(self._volunteers.get(v.id, {}).values(), start, end)
        ]
        fit = [
            v for v in free if self._volunteer_minutes[v.id] + end - start <= v.max_hours_week * 60
        ]
        fit.sort(key=lambda v: self._volunteer_minutes[v.id])
        return free, fit

    def escorts_within_cap(self, count: int, minutes: int) -> int:
        """Give how many of ``count`` escorts for ``minutes`` each the partner cap still pays."""
        if minutes <= 0:
            return count
        left = self._partner_cap - self._total_volunteer_minutes
        return max(0, min(count, left // minutes))

    def escort_reasons(self, assignment: Assignment) -> list[str]:
        """Give every reason a held occurrence cannot have all its escorts (empty: it could)."""
        activity = self.problem.activity_by_id[assignment.activity]
        missing = activity.volunteers + activity.escorts - len(set(assignment.volunteers))
        if missing <= 0:
            return []
        start, end = self._spans[assignment.id]
        room = self.problem.room_by_id.get(assignment.room or "")
        institution = room.institution if room is not None else self._institution(assignment)
        free, fit = self.free_escorts(activity, institution, start, end, assignment.volunteers)
        why: set[str] = set()
        if len(free) < missing:
            why.add(reasons.NO_VOLUNTEER)
        if len(fit) < missing and len(free) > len(fit):
            why.add(reasons.VOLUNTEER_MAX_HOURS)
        if self.escorts_within_cap(missing, end - start) < missing:
            why.add(reasons.PARTNER_CAP)
        return sorted(why)

    def _institution(self, assignment: Assignment) -> str:
        fathers = self.problem.father_by_id
        return next(fathers[f].institution for f in assignment.fathers if f in fathers)

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
