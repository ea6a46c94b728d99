"""One index of the week: what every check of a single assignment needs, built once.

Whoever asks "may this assignment stand?" reads the same index: the
placement (``scheduler.placement``, for the shortfall explanations, the
first-come-first-served baseline and the slot allocation) and the solver's
candidates (``solver.candidates``). It holds, in week minutes and looked up by
key, each room's opening spans and closures, who may serve what and when
(volunteers and their availability, officers and their shifts), the fathers'
unavailable ranges and non-associations, the activities' windows and the
school hours; and, computed on first ask and kept, each father's eligibility,
ceilings and limit per day. It is fixed for the week: nothing in it depends on
what is already placed. The independent validator (``scheduler.validate``)
reads none of it and keeps its own sweep, so that it can catch the index's
mistakes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from scheduler.domain import Activity, Father, Officer, Problem, Room, Session, Volunteer
from scheduler.eligibility import blocking_reasons, school_hours_conflict
from scheduler.entitlements import Ceiling, ceilings, max_per_day
from scheduler.spans import inside, overlaps, range_spans, week_spans
from scheduler.week import MINUTES_PER_DAY, MINUTES_PER_WEEK

Candidate = tuple[int, Session | None]
"""A start to try for one occurrence: its week minute, and its session if it has one."""


def grid_starts(low: int, high: int, minutes: int, slot: int) -> Iterator[int]:
    """Give the starts on the slot grid (minute of day a multiple of ``slot``) in [low, high)."""
    for day in range(max(low, 0) // MINUTES_PER_DAY, (high - 1) // MINUTES_PER_DAY + 1):
        midnight = day * MINUTES_PER_DAY
        first = max(low, midnight) - midnight
        start = midnight + -(-first // slot) * slot
        while start < midnight + MINUTES_PER_DAY and start + minutes <= high:
            yield start
            start += slot


def week_candidates(problem: Problem, institution: str, activity: Activity) -> list[Candidate]:
    """Give every candidate start of the week for an activity at an institution, in time order.

    Session activities: the sessions of the activity at the institution.
    Individual activities: the grid slots where a room of the activity's kind
    at the institution is open and the activity's windows allow it (the whole
    week on the grid for an activity without a room).
    """
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


class WeekIndex:
    """What the rules of one assignment need of one problem, in week minutes, by key."""

    def __init__(self, problem: Problem) -> None:
        clock = problem.clock
        self.problem = problem
        self.rooms: dict[tuple[str, str], list[Room]] = defaultdict(list)
        for room in problem.rooms:
            self.rooms[room.institution, room.kind].append(room)
        self.room_open = {room.id: week_spans(room.open) for room in problem.rooms}
        self.room_closed = {room.id: range_spans(clock, room.closed) for room in problem.rooms}
        self.session_start = {s.id: clock.minute(s.start) for s in problem.sessions}
        self.volunteers: dict[tuple[str, str], list[Volunteer]] = defaultdict(list)
        for volunteer in problem.volunteers:
            for institution in dict.fromkeys(volunteer.institutions):
                for activity_id in dict.fromkeys(volunteer.activities):
                    self.volunteers[institution, activity_id].append(volunteer)
        self.available = {v.id: week_spans(v.available) for v in problem.volunteers}
        self.officers: dict[str, list[Officer]] = defaultdict(list)
        for officer in problem.officers:
            self.officers[officer.institution].append(officer)
        self.shifts = {o.id: week_spans(o.shifts) for o in problem.officers}
        self.unavailable = {f.id: range_spans(clock, f.unavailable) for f in problem.fathers}
        self.partners = problem.kept_apart
        self.activity_windows = {a.id: week_spans(a.windows) for a in problem.activities}
        self.school = week_spans(problem.policy.school_hours)
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
            found = self._candidates[key] = week_candidates(self.problem, institution, activity)
        return found

    def ceilings(self, father: Father, activity: Activity) -> list[Ceiling]:
        """Give the father's weekly ceilings on an activity (``scheduler.entitlements``)."""
        key = (father.id, activity.id)
        found = self._ceilings.get(key)
        if found is None:
            found = self._ceilings[key] = ceilings(self.problem, father, activity)
        return found

    def per_day(self, father: Father, activity: Activity, day: int) -> int:
        """Give how many occurrences of an activity the father may have on a day."""
        key = (father.id, activity.id, day)
        found = self._per_day.get(key)
        if found is None:
            found = self._per_day[key] = max_per_day(self.problem, father, activity, day)
        return found

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

    def school_conflict(self, father: Father, activity: Activity, start: int, end: int) -> bool:
        """Tell whether [start, end) falls in school hours for the father and activity."""
        # Only times that touch school hours can conflict with them; the rule decides those.
        if not activity.child_present or not overlaps(self.school, start, end):
            return False
        return school_hours_conflict(self.problem, father, activity, start, end)

    def room_shut(self, room: Room, start: int, end: int) -> bool:
        """Tell whether a room is not open for all of [start, end) or closed during it."""
        key = (room.id, start, end)
        found = self._shut.get(key)
        if found is None:
            found = not inside(self.room_open[room.id], start, end) or overlaps(
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
                if inside(self.available[v.id], start, end)
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
                if inside(self.shifts[o.id], start, end)
            )
            self._on_shift[key] = found
        return found
