"""The independent checker: every hard rule of DESIGN.md section 4, re-checked on any roster.

It knows nothing of the solver or of how a placement was found; it reads the
problem and the assignments and reports each broken rule with the culprit
named. The rules of who may take part when (``scheduler.eligibility``) and how
often (``scheduler.entitlements``) are shared with the solver because they *are*
the rules; everything else is checked here from the data alone.

Resources are checked with one sweep per person and per room over the
assignments sorted by time, so a national week of 6,000 fathers is checked in
seconds rather than by comparing every pair.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from scheduler import reasons
from scheduler.domain import (
    Activity,
    Assignment,
    Father,
    Problem,
    Room,
    Roster,
    Window,
    assignment_reference_errors,
)
from scheduler.eligibility import (
    blocking_reasons,
    effective_shell,
    needs_other_parent_consent,
    school_hours_conflict,
)
from scheduler.entitlements import Ceiling, ceilings, max_per_day
from scheduler.objective import partner_cap_minutes
from scheduler.week import DAYS, MINUTES_PER_DAY, MINUTES_PER_WEEK, TZ, clock_text

RULES: tuple[str, ...] = (
    "reference",
    "institution",
    "eligibility",
    "consent",
    "entitlement",
    "school_hours",
    "father_unavailable",
    "double_booking",
    "room_capacity",
    "room_closed",
    "activity_window",
    "slot_grid",
    "staff",
    "partner_cap",
    "volunteer_max_hours",
    "pinned",
    "non_association",
)
VISIT_HALL = "visit_hall"
# The reason of the fixed vocabulary a finding of these rules gives; the other rules
# (reference, institution, eligibility, double_booking, room_capacity, staff) say it per finding.
RULE_REASON: dict[str, str] = {
    "consent": reasons.NO_CONSENT,
    "entitlement": reasons.ENTITLEMENT_USED,
    "school_hours": reasons.SCHOOL_HOURS,
    "father_unavailable": reasons.FATHER_UNAVAILABLE,
    "room_closed": reasons.ROOM_CLOSED,
    "activity_window": reasons.OUTSIDE_WINDOWS,
    "slot_grid": reasons.OUTSIDE_WINDOWS,
    "partner_cap": reasons.PARTNER_CAP,
    "volunteer_max_hours": reasons.VOLUNTEER_MAX_HOURS,
    "pinned": reasons.PINNED,
    "non_association": reasons.NON_ASSOCIATION,
}
# A double booking's reason by who is in two places at once.
BUSY_REASON: dict[str, str] = {
    "father": reasons.FATHER_BUSY,
    "volunteer": reasons.NO_VOLUNTEER,
    "officer": reasons.NO_OFFICER,
}
# A reference finding's reason by the field it names (``assignments[3].room: ...``).
REFERENCE_REASON: dict[str, str] = {
    "activity": reasons.NO_SESSION,
    "session": reasons.NO_SESSION,
    "room": reasons.NO_ROOM,
    "fathers": reasons.FATHER_UNAVAILABLE,
    "volunteers": reasons.NO_VOLUNTEER,
    "officers": reasons.NO_OFFICER,
    "start": reasons.OUTSIDE_WINDOWS,
    "end": reasons.OUTSIDE_WINDOWS,
    "id": reasons.PINNED,
}


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: the rule's name, the assignment that breaks it, and what is wrong.

    ``reason`` is what the finding blocks in the words of the shortfall
    vocabulary (``time_out``, ``no_officer``, ``capacity:family_room``), for an
    answer that names what blocks one more occurrence; it is empty only for
    a roster made for another problem or week.
    """

    rule: str
    assignment: str | None
    message: str
    reason: str = field(default="", compare=False)


def violations(problem: Problem, roster: Roster) -> list[Violation]:
    """Give every hard rule the roster breaks, sorted by rule, assignment and message."""
    found: list[Violation] = []
    if roster.problem_id != problem.id:
        found.append(
            Violation(
                "reference",
                None,
                f"roster is for problem '{roster.problem_id}', not '{problem.id}'",
            )
        )
    if roster.week != problem.week:
        found.append(
            Violation("reference", None, f"roster is for week {roster.week}, not {problem.week}")
        )
    return _sorted(found + check_assignments(problem, roster.assignments))


def check_assignments(problem: Problem, assignments: list[Assignment]) -> list[Violation]:
    """Give every hard rule a bare list of assignments breaks, sorted like ``violations``."""
    check = _Check(problem)
    placed = check.references(assignments)
    for item in placed:
        check.fathers_may_take_part(item)
        check.room_open(item)
        check.windows_and_grid(item)
        check.staff(item)
    check.entitlements(placed)
    check.double_booking(placed)
    check.room_capacity(placed)
    check.volunteer_hours(placed)
    check.non_association(placed)
    check.pinned(assignments)
    return _sorted(check.found)


def _sorted(found: Iterable[Violation]) -> list[Violation]:
    return sorted(found, key=lambda v: (RULES.index(v.rule), v.assignment or "", v.message))


@dataclass
class _Placed:
    """An assignment whose activity is known and whose time lies inside the week."""

    assignment: Assignment
    activity: Activity
    start: int
    end: int
    room: Room | None
    fathers: list[Father]
    institution: str | None
    admissible: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        """Give the assignment's id."""
        return self.assignment.id


def _iso(moment: datetime) -> str:
    return moment.astimezone(TZ).isoformat(timespec="minutes")


def _shells(activity: Activity) -> str:
    return " or ".join(str(shell) for shell in activity.shells)


def _hours(minutes: float) -> str:
    return f"{minutes / 60:g} h"


class _Check:
    """Collects violations of one problem's rules; one method per rule family."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.clock = problem.clock
        self.found: list[Violation] = []
        self._consenting: dict[str, Father] = {}
        self._closures: dict[str, list[tuple[int, int]]] = {}
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def add(self, rule: str, assignment: str | None, message: str, reason: str = "") -> None:
        """Record one violation, with its reason (the rule's own one when not given)."""
        self.found.append(Violation(rule, assignment, message, reason or RULE_REASON[rule]))

    def at(self, minute: int) -> str:
        """Give a week minute as local ISO time to the minute, as the messages show it."""
        return self.clock.moment(minute).isoformat(timespec="minutes")

    def day(self, minute: int) -> str:
        """Give the day a week minute falls on, as ``wed 2027-02-03``."""
        day = self.clock.day_of(minute)
        return f"{DAYS[day]} {self.clock.day_date(day).isoformat()}"

    def span(self, item: _Placed) -> str:
        """Give an assignment's time as ``2027-02-02T15:30+01:00 to 17:00``."""
        midnight = self.clock.day_of(item.start) * MINUTES_PER_DAY
        return f"{self.at(item.start)} to {clock_text(item.end - midnight)}"

    def within(self, windows: list[Window], start: int, end: int) -> bool:
        """Tell whether [start, end) lies inside one of the weekly windows."""
        # The same few window lists (a room's, a volunteer's) are asked about for
        # every assignment, so each is turned into week minutes once.
        spans = self._spans.get(id(windows))
        if spans is None:
            spans = [w.week_minutes() for w in windows]
            self._spans[id(windows)] = spans
        return any(low <= start and end <= high for low, high in spans)

    def minute(self, moment: datetime) -> int:
        """Give the week minute of a moment."""
        return self.clock.minute(moment)

    def references(self, assignments: list[Assignment]) -> list[_Placed]:
        """Give the assignments that can be checked further, after checking what they refer to.

        Unknown ids, a session activity without its session, a session's
        activity, room or start that the assignment does not match, an
        individual activity with other than one father, a room of the wrong
        kind, an end other than start plus the activity's minutes, and a time
        outside the week all break rule ``reference``.
        """
        problem = self.problem
        placed: list[_Placed] = []
        seen: set[str] = set()
        by_session: dict[str, list[str]] = defaultdict(list)
        for index, assignment in enumerate(assignments):
            where = f"assignments[{index}]"
            found = assignment_reference_errors(problem, assignment, where)
            if assignment.id in seen:
                found.append(f"{where}.id: duplicate id '{assignment.id}'")
            seen.add(assignment.id)
            for father, count in Counter(assignment.fathers).items():
                if count > 1:
                    found.append(f"{where}.fathers: father {father} is listed {count} times")
            activity = problem.activity_by_id.get(assignment.activity)
            item = None
            if activity is not None and assignment.end > assignment.start:
                item = self.place(assignment, activity)
                found += _shape_errors(problem, assignment, activity, where)
                if item is None:
                    found.append(
                        f"{where}.start: {_iso(assignment.start)} to "
                        f"{_iso(assignment.end)} is outside week {problem.week}"
                    )
                elif item.end - item.start != activity.minutes:
                    found.append(
                        f"{where}.end: lasts {item.end - item.start} min, "
                        f"{activity.id} lasts {activity.minutes} min"
                    )
            for message in found:
                self.add("reference", assignment.id, message, _reference_reason(message, where))
            if item is not None:
                placed.append(item)
                if assignment.session is not None:
                    by_session[assignment.session].append(assignment.id)
        for session, ids in sorted(by_session.items()):
            for other in ids[1:]:
                self.add(
                    "reference",
                    other,
                    f"session {session} runs in {ids[0]} and {other}; it runs as one assignment",
                    reasons.NO_SESSION,
                )
        return placed

    def place(self, assignment: Assignment, activity: Activity) -> _Placed | None:
        """Give the assignment in week minutes with room and known fathers (None: off the week)."""
        problem = self.problem
        start, end = self.minute(assignment.start), self.minute(assignment.end)
        if start < 0 or end > MINUTES_PER_WEEK:
            return None
        room = problem.room_by_id.get(assignment.room) if assignment.room is not None else None
        known = problem.father_by_id
        fathers = [known[f] for f in dict.fromkeys(assignment.fathers) if f in known]
        institution = room.institution if room is not None else None
        if institution is None and fathers:
            institution = fathers[0].institution
        return _Placed(assignment, activity, start, end, room, fathers, institution)

    def consenting(self, father: Father) -> Father:
        """Give the father as if the other parent consented: eligibility read apart from consent."""
        copy = self._consenting.get(father.id)
        if copy is None:
            copy = father.model_copy(update={"other_parent_consent": True})
            self._consenting[father.id] = copy
        return copy

    def fathers_may_take_part(self, item: _Placed) -> None:
        """Check each father's institution, eligibility, consent, school hours and availability.

        A father takes part only at his own institution, with an effective
        shell of that day the activity is for (a time-out drops him to shell
        2, no information-sharing consent to shell 1), enrolled where the
        activity needs it, with a baby for the baby bath, with the other
        parent's consent when the child is present, outside school hours when
        he has a child aged 4 to 12, and outside his unavailable ranges.
        """
        problem, activity, key = self.problem, item.activity, item.id
        day = self.clock.day_of(item.start)
        for father in item.fathers:
            admissible = True
            if item.institution is not None and father.institution != item.institution:
                admissible = False
                where = f"in room {item.room.id} of" if item.room is not None else "at"
                self.add(
                    "institution",
                    key,
                    f"father {father.id} of {father.institution} "
                    f"is placed {where} {item.institution}",
                    reasons.NO_SESSION if item.assignment.session else reasons.NO_ROOM,
                )
            for reason in blocking_reasons(problem, self.consenting(father), activity, day):
                admissible = False
                self.add("eligibility", key, self.ineligible(father, activity, day, reason), reason)
            if needs_other_parent_consent(activity) and not father.other_parent_consent:
                self.add(
                    "consent",
                    key,
                    f"father {father.id} has no consent of the other parent "
                    f"({activity.id} has the child present)",
                )
            if school_hours_conflict(problem, father, activity, item.start, item.end):
                self.add(
                    "school_hours",
                    key,
                    f"father {father.id} has a child aged 4 to 12 and {activity.id} "
                    f"{self.span(item)} falls in school hours",
                )
            for busy in father.unavailable:
                low, high = self.minute(busy.start), self.minute(busy.end)
                if item.start < high and low < item.end:
                    self.add(
                        "father_unavailable",
                        key,
                        f"father {father.id} is unavailable {_iso(busy.start)} to "
                        f"{_iso(busy.end)} ({activity.id} {self.span(item)})",
                    )
            if admissible:
                item.admissible.add(father.id)

    def ineligible(self, father: Father, activity: Activity, day: int, reason: str) -> str:
        """Give the message for one eligibility reason of one father on one day."""
        shell = effective_shell(self.problem, father, day)
        when = self.day(day * MINUTES_PER_DAY)
        if reason == reasons.TIME_OUT:
            return (
                f"father {father.id} is on time-out on {when} "
                f"(effective shell {shell}; {activity.id} needs {_shells(activity)})"
            )
        if reason == reasons.NO_CONSENT:
            return (
                f"father {father.id} has no information-sharing consent "
                f"(effective shell {shell}; {activity.id} needs {_shells(activity)})"
            )
        if reason == reasons.NOT_ENROLLED:
            return f"father {father.id} is not enrolled in {activity.id}"
        if reason == reasons.NO_BABY:
            return f"father {father.id} has no child under one on {when} ({activity.id})"
        needs = _shells(activity)
        return f"father {father.id} is in shell {father.shell} ({activity.id} needs {needs})"

    def room_open(self, item: _Placed) -> None:
        """Check that the room is open for the whole activity and not closed during it."""
        room = item.room
        if room is None:
            return
        if not self.within(room.open, item.start, item.end):
            self.add(
                "room_closed",
                item.id,
                f"room {room.id} is not open {self.span(item)} ({item.activity.id})",
            )
        closures = self._closures.get(room.id)
        if closures is None:
            closures = [(self.minute(c.start), self.minute(c.end)) for c in room.closed]
            self._closures[room.id] = closures
        for (low, high), closure in zip(closures, room.closed, strict=True):
            if item.start < high and low < item.end:
                self.add(
                    "room_closed",
                    item.id,
                    f"room {room.id} is closed {_iso(closure.start)} "
                    f"to {_iso(closure.end)} "
                    f"({item.activity.id} {self.span(item)})",
                )

    def windows_and_grid(self, item: _Placed) -> None:
        """Check the activity's allowed windows and, for individual placements, the slot grid."""
        activity = item.activity
        if activity.windows and not self.within(activity.windows, item.start, item.end):
            self.add(
                "activity_window",
                item.id,
                f"{activity.id} {self.span(item)} is outside its allowed windows",
            )
        slot = self.problem.policy.slot_minutes
        if activity.placement == "individual" and item.start % MINUTES_PER_DAY % slot:
            self.add(
                "slot_grid",
                item.id,
                f"{activity.id} starts at {self.at(item.start)}, not on the {slot}-minute grid",
            )

    def staff(self, item: _Placed) -> None:
        """Check the staff: as many distinct volunteers and officers as the activity needs.

        A volunteer serves the institution, may do the activity and is
        available for all of it; an officer is of the institution and on shift
        for all of it.
        """
        problem, activity, key = self.problem, item.activity, item.id
        assignment = item.assignment
        for kind, listed, needed, reason in (
            ("volunteer", assignment.volunteers, activity.volunteers, reasons.NO_VOLUNTEER),
            ("officer", assignment.officers, activity.officers, reasons.NO_OFFICER),
        ):
            if len(listed) != needed:
                self.add(
                    "staff",
                    key,
                    f"{activity.id} needs {needed} {kind}(s), has {len(listed)}",
                    reason,
                )
            for person, count in Counter(listed).items():
                if count > 1:
                    self.add("staff", key, f"{kind} {person} is listed {count} times", reason)
        institution = item.institution
        for volunteer_id in dict.fromkeys(assignment.volunteers):
            volunteer = problem.volunteer_by_id.get(volunteer_id)
            if volunteer is None:
                continue
            found = []
            if institution is not None and institution not in volunteer.institutions:
                found.append(f"volunteer {volunteer.id} does not serve {institution}")
            if activity.id not in volunteer.activities:
                found.append(f"volunteer {volunteer.id} may not do {activity.id}")
            if not self.within(volunteer.available, item.start, item.end):
                found.append(f"volunteer {volunteer.id} is not available {self.span(item)}")
            for message in found:
                self.add("staff", key, message, reasons.NO_VOLUNTEER)
        for officer_id in dict.fromkeys(assignment.officers):
            officer = problem.officer_by_id.get(officer_id)
            if officer is None:
                continue
            if institution is not None and officer.institution != institution:
                self.add(
                    "staff",
                    key,
                    f"officer {officer.id} is of {officer.institution}, not {institution}",
                    reasons.NO_OFFICER,
                )
            if not self.within(officer.shifts, item.start, item.end):
                self.add(
                    "staff",
                    key,
                    f"officer {officer.id} is not on shift {self.span(item)}",
                    reasons.NO_OFFICER,
                )

    def entitlements(self, placed: list[_Placed]) -> None:
        """Check each father's occurrences against his weekly ceilings and the limit per day.

        Occurrences already refused for the institution or eligibility do not
        count again here: a time-out day is reported once, as a time-out.
        """
        problem = self.problem
        occurrences: dict[tuple[str, str], list[_Placed]] = defaultdict(list)
        for item in sorted(placed, key=lambda p: (p.start, p.id)):
            for father_id in sorted(item.admissible):
                occurrences[father_id, item.activity.id].append(item)
        for (father_id, activity_id), items in sorted(occurrences.items()):
            father = problem.father_by_id[father_id]
            activity = problem.activity_by_id[activity_id]
            for ceiling in ceilings(problem, father, activity):
                inside = [p for p in items if self.clock.day_of(p.start) in ceiling.days]
                for extra in inside[ceiling.limit :]:
                    self.add(
                        "entitlement",
                        extra.id,
                        f"father {father_id} has {len(inside)} {activity_id} {self.days(ceiling)} "
                        f"(at most {ceiling.limit})",
                    )
            by_day: dict[int, list[_Placed]] = defaultdict(list)
            for item in items:
                by_day[self.clock.day_of(item.start)].append(item)
            for day, on_day in sorted(by_day.items()):
                limit = max_per_day(problem, father, activity, day)
                for extra in on_day[limit:]:
                    self.add(
                        "entitlement",
                        extra.id,
                        f"father {father_id} has {len(on_day)} {activity_id} on "
                        f"{self.day(day * MINUTES_PER_DAY)} (at most {limit} a day)",
                    )

    @staticmethod
    def days(ceiling: Ceiling) -> str:
        """Give the days of a ceiling in words: ``in the week`` or ``on wed, thu, fri``."""
        if len(ceiling.days) == 7:
            return "in the week"
        return "on " + ", ".join(DAYS[day] for day in sorted(ceiling.days))

    def double_booking(self, placed: list[_Placed]) -> None:
        """Check that no father, volunteer or officer is in two assignments at the same time."""
        busy: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
        for item in placed:
            assignment = item.assignment
            for kind, people in (
                ("father", assignment.fathers),
                ("volunteer", assignment.volunteers),
                ("officer", assignment.officers),
            ):
                for person in dict.fromkeys(people):
                    busy[kind, person].append((item.start, item.end, item.id))
        for (kind, person), spans in sorted(busy.items()):
            spans.sort()
            until, holder = spans[0][1], spans[0][2]
            for start, end, key in spans[1:]:
                if start < until:
                    self.add(
                        "double_booking",
                        key,
                        f"{kind} {person} is in {holder} and {key} "
                        f"at the same time ({self.at(start)})",
                        BUSY_REASON[kind],
                    )
                if end > until:
                    until, holder = end, key

    def room_capacity(self, placed: list[_Placed]) -> None:
        """Check that no room holds more families than it can, nor a session more than its seats.

        An individual use keeps the room for its changeover minutes after it
        ends; a session's fathers leave together and need no changeover.
        """
        events: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for item in placed:
            session = item.assignment.session
            families = len(set(item.assignment.fathers))
            if session is not None and session in self.problem.session_by_id:
                seats = self.problem.session_by_id[session].capacity
                if families > seats:
                    hall = self.problem.room_by_id[self.problem.session_by_id[session].room]
                    self.add(
                        "room_capacity",
                        item.id,
                        f"session {session} seats {families} fathers (capacity {seats})",
                        reasons.capacity(hall.kind),
                    )
            if item.room is None or families == 0:
                continue
            changeover = 0 if session is not None else item.room.changeover_minutes
            events[item.room.id].append((item.start, families, item.id))
            events[item.room.id].append((item.end + changeover, -families, item.id))
        for room_id, room_events in sorted(events.items()):
            room = self.problem.room_by_id[room_id]
            capacity = room.capacity
            load = 0
            # At one moment, uses that end leave before new ones come in.
            for moment, change, key in sorted(room_events, key=lambda e: (e[0], e[1] > 0, e[2])):
                load += change
                if change > 0 and load > capacity:
                    self.add(
                        "room_capacity",
                        key,
                        f"room {room_id} holds {load} families at {self.at(moment)} "
                        f"(capacity {capacity})",
                        reasons.capacity(room.kind),
                    )

    def volunteer_hours(self, placed: list[_Placed]) -> None:
        """Check the partner cap on all volunteers together and each volunteer's own maximum."""
        problem = self.problem
        worked: Counter[str] = Counter()
        for item in placed:
            for volunteer_id in dict.fromkeys(item.assignment.volunteers):
                worked[volunteer_id] += item.end - item.start
        total = sum(worked.values())
        cap = partner_cap_minutes(problem)
        if total > cap:
            self.add(
                "partner_cap",
                None,
                f"volunteers work {_hours(total)} together (partner cap {_hours(cap)})",
            )
        for volunteer_id, minutes in sorted(worked.items()):
            volunteer = problem.volunteer_by_id.get(volunteer_id)
            if volunteer is not None and minutes > volunteer.max_hours_week * 60:
                self.add(
                    "volunteer_max_hours",
                    None,
                    f"volunteer {volunteer_id} works {_hours(minutes)} "
                    f"(at most {_hours(volunteer.max_hours_week * 60)})",
                )

    def non_association(self, placed: list[_Placed]) -> None:
        """Check that fathers kept apart never share an assignment nor the visit hall at once."""
        apart: dict[str, set[str]] = defaultdict(set)
        for father in self.problem.fathers:
            for other in father.non_associations:
                apart[father.id].add(other)
                apart[other].add(father.id)
        if not apart:
            return
        for item in placed:
            present = {father.id for father in item.fathers}
            for father_id in sorted(present):
                for other in sorted(apart[father_id] & present):
                    if father_id < other:
                        self.add(
                            "non_association",
                            item.id,
                            f"fathers {father_id} and {other} must be kept apart "
                            f"but share {item.id}",
                        )
        halls = sorted(
            (p for p in placed if p.room is not None and p.room.kind == VISIT_HALL),
            key=lambda p: (p.start, p.id),
        )
        running: list[tuple[int, str, str]] = []
        inside: dict[str, set[str]] = defaultdict(set)
        for item in halls:
            while running and running[0][0] <= item.start:
                _, father_id, key = heapq.heappop(running)
                inside[father_id].discard(key)
            for father in item.fathers:
                for other in sorted(apart[father.id]):
                    for key in sorted(inside[other] - {item.id}):
                        self.add(
                            "non_association",
                            item.id,
                            f"fathers {father.id} and {other} must be kept apart "
                            "but are both in the "
                            f"visit hall at {self.at(item.start)} ({key} and {item.id})",
                        )
            for father in item.fathers:
                inside[father.id].add(item.id)
                heapq.heappush(running, (item.end, father.id, item.id))

    def pinned(self, assignments: list[Assignment]) -> None:
        """Check that every pinned assignment of the problem is in the roster, unchanged."""
        by_id = {a.id: a for a in reversed(assignments)}
        for pinned in self.problem.pinned:
            found = by_id.get(pinned.id)
            if found is None:
                self.add("pinned", pinned.id, f"pinned assignment {pinned.id} is missing")
                continue
            for name, want, have in _pinned_fields(pinned, found):
                self.add(
                    "pinned",
                    pinned.id,
                    f"pinned assignment {pinned.id} changed {name}: {have} (pinned {want})",
                )


def _reference_reason(message: str, where: str) -> str:
    """Give the reason of a reference finding from the field it names (``where.room: ...``)."""
    name = re.split(r"[.\[:]", message.removeprefix(f"{where}."), maxsplit=1)[0]
    if name == "start" and "session" in message:
        return reasons.NO_SESSION
    return REFERENCE_REASON.get(name, reasons.NO_ROOM)


def _shape_errors(
    problem: Problem, assignment: Assignment, activity: Activity, where: str
) -> list[str]:
    """Give what is wrong with the shape of an assignment for its activity's placement."""
    found: list[str] = []
    if activity.placement == "session":
        session = problem.session_by_id.get(assignment.session or "")
        if assignment.session is None:
            found.append(f"{where}.session: {activity.id} runs only in sessions")
        elif session is not None:
            if session.activity != activity.id:
                found.append(f"{where}.activity: session {session.id} is {session.activity}")
            if session.room != assignment.room:
                found.append(f"{where}.room: session {session.id} is in room {session.room}")
            if session.start != assignment.start:
                found.append(f"{where}.start: session {session.id} starts {_iso(session.start)}")
        if not assignment.fathers:
            found.append(f"{where}.fathers: a session without fathers does not run")
        return found
    if assignment.session is not None:
        found.append(f"{where}.session: {activity.id} is placed individually")
    if len(assignment.fathers) != 1:
        found.append(
            f"{where}.fathers: {activity.id} is for one father, not {len(assignment.fathers)}"
        )
    room = problem.room_by_id.get(assignment.room or "")
    if activity.room_kind is None and assignment.room is not None:
        found.append(f"{where}.room: {activity.id} takes no room")
    elif activity.room_kind is not None and assignment.room is None:
        found.append(f"{where}.room: {activity.id} needs a {activity.room_kind}")
    elif room is not None and room.kind != activity.room_kind:
        found.append(
            f"{where}.room: '{room.id}' is a {room.kind}, "
            f"{activity.id} needs a {activity.room_kind}"
        )
    return found


def _pinned_fields(pinned: Assignment, found: Assignment) -> list[tuple[str, str, str]]:
    """Give each field in which an assignment differs from its pinned version.

    People may be listed in any order: the order of a list carries no meaning.
    """
    changed: list[tuple[str, str, str]] = []
    for name in ("activity", "room", "session"):
        if getattr(pinned, name) != getattr(found, name):
            changed.append((name, str(getattr(pinned, name)), str(getattr(found, name))))
    for name in ("start", "end"):
        want: datetime = getattr(pinned, name)
        have: datetime = getattr(found, name)
        if want != have:
            changed.append((name, _iso(want), _iso(have)))
    for name in ("fathers", "volunteers", "officers"):
        if sorted(getattr(pinned, name)) != sorted(getattr(found, name)):
            changed.append(
                (name, ", ".join(getattr(pinned, name)), ", ".join(getattr(found, name)))
            )
    return changed
