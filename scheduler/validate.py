"""The independent checker: every hard rule of docs/design.md section 4, re-checked on any roster.

It knows nothing of the solver or of how a placement was found; it reads the
problem and the assignments and reports each broken rule with the culprit
named. The rules of who may take part when (``scheduler.eligibility``) and how
often (``scheduler.entitlements``) are shared with the solver because they *are*
the rules; everything else is checked here from the data alone.

Resources are checked with one sweep per person and per room over the
assignments sorted by time (``scheduler.sweeps``); what it finds, and how it
words it, is ``scheduler.violations``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from scheduler import reasons
from scheduler.domain import Activity, Assignment, Father, Problem, Roster
from scheduler.eligibility import (
    blocking_reasons,
    effective_shell,
    needs_other_parent_consent,
    school_hours_conflict,
)
from scheduler.entitlements import Ceiling, ceilings, max_per_day
from scheduler.references import assignment_reference_errors
from scheduler.sweeps import double_booking, non_association, room_capacity, volunteer_hours
from scheduler.violations import RULES, Findings, Placed, Violation, reference_reason
from scheduler.week import DAYS, MINUTES_PER_DAY, MINUTES_PER_WEEK, TZ


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
    double_booking(check, placed)
    room_capacity(check, placed)
    volunteer_hours(check, placed)
    non_association(check, placed)
    check.pinned(assignments)
    return _sorted(check.found)


def hours_violations(problem: Problem, assignments: list[Assignment]) -> list[Violation]:
    """Give what the volunteers' hours break in these assignments: the partner cap on all of them
    together and each volunteer's own maximum (the rest of ``check_assignments`` left out)."""
    check = _Check(problem)
    placed = []
    for assignment in assignments:
        activity = problem.activity_by_id.get(assignment.activity)
        if assignment.volunteers and activity is not None and assignment.end > assignment.start:
            item = check.place(assignment, activity)
            if item is not None:
                placed.append(item)
    volunteer_hours(check, placed)
    return _sorted(check.found)


def _sorted(found: Iterable[Violation]) -> list[Violation]:
    return sorted(found, key=lambda v: (RULES.index(v.rule), v.assignment or "", v.message))


def _iso(moment: datetime) -> str:
    return moment.astimezone(TZ).isoformat(timespec="minutes")


def _shells(activity: Activity) -> str:
    return " or ".join(str(shell) for shell in activity.shells)


class _Check(Findings):
    """Collects violations of one problem's rules; one method per rule family."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self._consenting: dict[str, Father] = {}
        self._closures: dict[str, list[tuple[int, int]]] = {}

    def references(self, assignments: list[Assignment]) -> list[Placed]:
        """Give the assignments that can be checked further, after checking what they refer to.

        Unknown ids, a session activity without its session, a session's
        activity, room or start that the assignment does not match, an
        individual activity with other than one father, a room of the wrong
        kind, an end other than start plus the activity's minutes, and a time
        outside the week all break rule ``reference``.
        """
        problem = self.problem
        placed: list[Placed] = []
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
                self.add("reference", assignment.id, message, reference_reason(message, where))
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

    def place(self, assignment: Assignment, activity: Activity) -> Placed | None:
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
        return Placed(assignment, activity, start, end, room, fathers, institution)

    def consenting(self, father: Father) -> Father:
        """Give the father as if the other parent consented: eligibility read apart from consent."""
        copy = self._consenting.get(father.id)
        if copy is None:
            copy = father.model_copy(update={"other_parent_consent": True})
            self._consenting[father.id] = copy
        return copy

    def fathers_may_take_part(self, item: Placed) -> None:
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

    def room_open(self, item: Placed) -> None:
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

    def windows_and_grid(self, item: Placed) -> None:
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

    def staff(self, item: Placed) -> None:
        """Check the staff: as many distinct volunteers and officers as the activity needs.

        Volunteers beyond those needed are its escorts, at most ``escorts``;
        they are checked like any volunteer, and their minutes count against
        the partner cap and their own maximum in the sweeps.

        A volunteer serves the institution, may do the activity and is
        available for all of it; an officer is of the institution and on shift
        for all of it.
        """
        problem, activity, key = self.problem, item.activity, item.id
        assignment = item.assignment
        for kind, listed, needed, wanted, reason in (
            (
                "volunteer",
                assignment.volunteers,
                activity.volunteers,
                activity.escorts,
                reasons.NO_VOLUNTEER,
            ),
            ("officer", assignment.officers, activity.officers, 0, reasons.NO_OFFICER),
        ):
            if not needed <= len(listed) <= needed + wanted:
                more = f" and at most {wanted} escort(s)" if wanted else ""
                self.add(
                    "staff",
                    key,
                    f"{activity.id} needs {needed} {kind}(s){more}, has {len(listed)}",
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

    def entitlements(self, placed: list[Placed]) -> None:
        """Check each father's occurrences against his weekly ceilings and the limit per day.

        Occurrences already refused for the institution or eligibility do not
        count again here: a time-out day is reported once, as a time-out. On
        the days of a time-out the latest occurrences past what the days before
        left of shell 2's figure are flagged (reason ``time_out``); the days
        before never are.
        """
        problem = self.problem
        occurrences: dict[tuple[str, str], list[Placed]] = defaultdict(list)
        for item in sorted(placed, key=lambda p: (p.start, p.id)):
            for father_id in sorted(item.admissible):
                occurrences[father_id, item.activity.id].append(item)
        for (father_id, activity_id), items in sorted(occurrences.items()):
            father = problem.father_by_id[father_id]
            activity = problem.activity_by_id[activity_id]
            counts = [0] * 7
            for item in items:
                counts[self.clock.day_of(item.start)] += 1
            for ceiling in ceilings(problem, father, activity):
                inside = [p for p in items if self.clock.day_of(p.start) in ceiling.days]
                remainder = ceiling.remainder(counts)
                for extra in inside[remainder:]:
                    self.add(
                        "entitlement",
                        extra.id,
                        f"father {father_id} has {len(inside)} {activity_id} {self.days(ceiling)} "
                        f"(at most {self.allowed(ceiling, counts)})",
                        reasons.TIME_OUT if ceiling.time_out else "",
                    )
            by_day: dict[int, list[Placed]] = defaultdict(list)
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
    def allowed(ceiling: Ceiling, counts: list[int]) -> str:
        """Give what a ceiling allows in words: ``1`` or ``0: 1 less 1 on mon, tue``."""
        used = sum(counts[day] for day in ceiling.before)
        if not used:
            return str(ceiling.limit)
        before = ", ".join(DAYS[day] for day in sorted(ceiling.before))
        return f"{ceiling.remainder(counts)}: {ceiling.limit} less {used} on {before}"

    @staticmethod
    def days(ceiling: Ceiling) -> str:
        """Give the days of a ceiling in words: ``in the week`` or ``on wed, thu, fri``."""
        if len(ceiling.days) == 7:
            return "in the week"
        return "on " + ", ".join(DAYS[day] for day in sorted(ceiling.days))

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
