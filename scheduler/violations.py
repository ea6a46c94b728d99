"""What the independent checker finds, and the record it keeps while it checks.

``Violation`` is one broken hard rule; ``Placed`` an assignment read in week
minutes; ``Findings`` collects the violations of one problem and words their
times as the messages show them. ``scheduler.validate`` and
``scheduler.sweeps`` write into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from scheduler import reasons
from scheduler.domain import Activity, Assignment, Father, Problem, Room, Window
from scheduler.spans import inside
from scheduler.week import DAYS, MINUTES_PER_DAY, clock_text

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


@dataclass
class Placed:
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


def hours_text(minutes: float) -> str:
    return f"{minutes / 60:g} h"


class Findings:
    """The violations found so far in one problem, with how their messages word times."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.clock = problem.clock
        self.found: list[Violation] = []
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

    def span(self, item: Placed) -> str:
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
        return inside(spans, start, end)

    def minute(self, moment: datetime) -> int:
        """Give the week minute of a moment."""
        return self.clock.minute(moment)


def reference_reason(message: str, where: str) -> str:
    """Give the reason of a reference finding from the field it names (``where.room: ...``)."""
    name = re.split(r"[.\[:]", message.removeprefix(f"{where}."), maxsplit=1)[0]
    if name == "start" and "session" in message:
        return reasons.NO_SESSION
    return REFERENCE_REASON.get(name, reasons.NO_ROOM)
