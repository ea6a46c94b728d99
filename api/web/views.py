"""What the planner's page shows of a week and a roster: the grid by room, fathers, staff.

Everything here is read from a Problem and a Roster with the shared rules of
``scheduler`` (entitlements, effective shell, visit minutes, granted counts);
nothing is decided here that the engine or the validator decides elsewhere.
The functions give plain data; the templates put it into words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api import ical
from api.published import institution_of
from api.web.labels import ROOM_KIND_ORDER
from scheduler.domain import Activity, Assignment, Father, Problem, Room, Roster
from scheduler.eligibility import base_shell, effective_shell
from scheduler.entitlements import entitled
from scheduler.kpis import father_standings
from scheduler.objective import granted_counts, occurrence_key, visit_minutes
from scheduler.week import MINUTES_PER_DAY, clock_text
from whatif.manager import chart_question, scenario_label

DAYS_IN_WEEK = 7


@dataclass(frozen=True)
class Filters:
    """Which fathers the page shows: by shell and by ward (None shows all)."""

    shell: int | None = None
    ward: str | None = None

    def matches(self, father: Father) -> bool:
        """Tell whether a father passes both filters."""
        return (self.shell is None or father.shell == self.shell) and (
            self.ward is None or father.ward == self.ward
        )

    @property
    def active(self) -> bool:
        """Tell whether any filter is set."""
        return self.shell is not None or self.ward is not None


@dataclass
class Card:
    """One assignment in a cell of the grid: its time, activity, fathers shown and staff."""

    assignment: Assignment
    activity: Activity
    start: str
    end: str
    fathers: list[str]
    hidden: int
    new: bool
    obvious: bool


@dataclass
class Cell:
    """One room on one day: its opening hours, closures and the assignments in it."""

    day: int
    open: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)


@dataclass
class RoomRow:
    """One row of the grid: a room (None for the cell, where cell visits happen) by day."""

    room: Room | None
    kind: str | None
    cells: list[Cell]


SORTS: tuple[str, ...] = ("legal", "shortfall", "id")


@dataclass(frozen=True)
class Listing:
    """How the fathers' list is searched, ordered and narrowed.

    ``search`` is part of a pseudonym (any case); ``sort`` is ``legal``
    (below the legal minimum first), ``shortfall`` (most occurrences short
    first) or ``id``; ``below`` keeps only fathers below the legal minimum,
    ``no_consent`` only those missing a consent.
    """

    search: str = ""
    sort: str = "legal"
    below: bool = False
    no_consent: bool = False

    def apply(self, rows: list[FatherRow]) -> list[FatherRow]:
        """Give the rows that pass the search and filters, in the chosen order."""
        needle = self.search.strip().casefold()
        kept = [
            row
            for row in rows
            if needle in row.father.id.casefold()
            and (not self.below or row.below_legal)
            and (not self.no_consent or row.missing_consent)
        ]
        if self.sort == "shortfall":
            return sorted(kept, key=lambda row: (-row.missing, row.father.id))
        if self.sort == "id":
            return sorted(kept, key=lambda row: row.father.id)
        return kept


@dataclass
class ActivityLine:
    """A father's entitlement to one activity against what the roster grants, with reasons."""

    activity: Activity
    entitled: int
    granted: int
    reasons: list[str]

    @property
    def short(self) -> bool:
        """Tell whether the roster grants less than the entitlement."""
        return self.granted < self.entitled


@dataclass
class FatherRow:
    """One father as the page shows him: shells, visit time, and each activity's line."""

    father: Father
    shells: list[int]
    visit_minutes: int
    below_legal: bool
    lines: list[ActivityLine]

    @property
    def base_shell(self) -> int:
        """Give his shell before time-outs (shell 1 without information-sharing consent)."""
        return base_shell(self.father)

    @property
    def timeout_day(self) -> int | None:
        """Give the first day a time-out lowers his shell this week, or None."""
        return next((d for d, s in enumerate(self.shells) if s < self.base_shell), None)

    @property
    def entitled(self) -> int:
        """Give his occurrences entitled this week, all activities together."""
        return sum(line.entitled for line in self.lines)

    @property
    def granted(self) -> int:
        """Give his occurrences granted, each activity counted up to its entitlement."""
        return sum(min(line.granted, line.entitled) for line in self.lines)

    @property
    def ratio(self) -> float:
        """Give the share of his entitlement the roster grants (1 when entitled to nothing)."""
        return self.granted / self.entitled if self.entitled else 1.0

    @property
    def missing(self) -> int:
        """Give how many occurrences he is short, all activities together."""
        return self.entitled - self.granted

    @property
    def missing_consent(self) -> bool:
        """Tell whether the other parent's consent or the information-sharing consent is missing."""
        return not (self.father.other_parent_consent and self.father.info_sharing_consent)

    @property
    def shortfalls(self) -> list[ActivityLine]:
        """Give the lines with less granted than entitled."""
        return [line for line in self.lines if line.short]


@dataclass
class Load:
    """A volunteer's or officer's hours in the roster against their limit, and assignments."""

    id: str
    detail: str
    hours: float
    limit: float
    assignments: int

    @property
    def ratio(self) -> float:
        """Give hours over limit (0 when there is no limit)."""
        return self.hours / self.limit if self.limit else 0.0


@dataclass
class Changes:
    """How a roster differs from the one it was re-planned against, by father occurrences."""

    kept: int
    added: int
    removed: int
    new_assignments: set[str]


@dataclass(frozen=True)
class Summary:
    """The headline figures of a roster at one institution."""

    entitled: int
    granted: int
    below_legal: int
    floor: float
    nothing_beyond_legal: int
    assignments: int
    volunteer_hours: float
    partner_cap_hours: float

    @property
    def ratio(self) -> float:
        """Give the share of all entitlements granted (1 when nothing is entitled)."""
        return self.granted / self.entitled if self.entitled else 1.0


def week_days(problem: Problem) -> list[date]:
    """Give the dates of the week, Monday first."""
    return [problem.clock.day_date(day) for day in range(DAYS_IN_WEEK)]


def fathers_at(problem: Problem, institution: str) -> list[Father]:
    """Give the fathers of an institution, by id."""
    return sorted((f for f in problem.fathers if f.institution == institution), key=lambda f: f.id)


def wards(problem: Problem, institution: str) -> list[str]:
    """Give the wards of the institution's fathers, sorted."""
    return sorted({f.ward for f in fathers_at(problem, institution) if f.ward})


def at_institution(problem: Problem, roster: Roster, institution: str) -> list[Assignment]:
    """Give the roster's assignments that take place at the institution, in order of time."""
    clock = problem.clock
    found = [a for a in roster.assignments if institution_of(problem, a) == institution]
    return sorted(found, key=lambda a: (clock.minute(a.start), a.room or "", a.id))


def _span_text(low: int, high: int) -> str:
    return f"{clock_text(low)}–{clock_text(high)}"


def _cells(problem: Problem, room: Room | None) -> list[Cell]:
    cells = [Cell(day) for day in range(DAYS_IN_WEEK)]
    if room is None:
        return cells
    for window in sorted(room.open, key=lambda w: w.week_minutes()):
        low, high = window.week_minutes()
        day = window.day_index
        cells[day].open.append(
            _span_text(low - day * MINUTES_PER_DAY, high - day * MINUTES_PER_DAY)
        )
    clock = problem.clock
    for closure in room.closed:
        low, high = clock.minute(closure.start), clock.minute(closure.end)
        for day in range(DAYS_IN_WEEK):
            midnight = day * MINUTES_PER_DAY
            start, end = max(low, midnight), min(high, midnight + MINUTES_PER_DAY)
            if start < end:
                cells[day].closed.append(_span_text(start - midnight, end - midnight))
    return cells


def room_grid(
    problem: Problem,
    roster: Roster | None,
    institution: str,
    filters: Filters,
    changes: Changes | None = None,
) -> list[RoomRow]:
    """Give the week by room and day: every room of the institution, then the cell if used.

    Rooms come in the order a planner thinks of them (family room, video
    stations, visit hall, activity rooms, wing room, kitchen). With a filter,
    an assignment shows only when one of its fathers passes, and the others
    in it are counted, not named.
    """
    order = {kind: index for index, kind in enumerate(ROOM_KIND_ORDER)}
    rooms = sorted(
        (r for r in problem.rooms if r.institution == institution),
        key=lambda r: (order.get(r.kind, len(order)), r.kind, r.id),
    )
    rows = {room.id: RoomRow(room, room.kind, _cells(problem, room)) for room in rooms}
    # Where a room kind holds one activity only, the room already says what happens there.
    kinds = Counter(activity.room_kind for activity in problem.activities)
    cell_row = RoomRow(None, None, _cells(problem, None))
    clock = problem.clock
    for assignment in at_institution(problem, roster, institution) if roster else []:
        shown = [
            f
            for f in assignment.fathers
            if f in problem.father_by_id and filters.matches(problem.father_by_id[f])
        ]
        if filters.active and not shown:
            continue
        start, end = clock.minute(assignment.start), clock.minute(assignment.end)
        day = min(max(clock.day_of(start), 0), DAYS_IN_WEEK - 1)
        midnight = day * MINUTES_PER_DAY
        card = Card(
            assignment=assignment,
            activity=problem.activity_by_id[assignment.activity],
            start=clock_text(start - midnight),
            end=clock_text(end - midnight),
            fathers=shown,
            hidden=len(assignment.fathers) - len(shown),
            new=changes is not None and assignment.id in changes.new_assignments,
            obvious=kinds[problem.activity_by_id[assignment.activity].room_kind] == 1,
        )
        row = rows.get(assignment.room or "", cell_row)
        row.cells[day].cards.append(card)
    found = list(rows.values())
    if any(cell.cards for cell in cell_row.cells):
        found.append(cell_row)
    return found


def father_rows(
    problem: Problem, roster: Roster | None, institution: str, filters: Filters
) -> list[FatherRow]:
    """Give each father of the institution that passes the filters, below the legal minimum first.

    A line is there for every activity the father is entitled to or was
    granted; its reasons are the roster's shortfall reasons.
    """
    assignments = roster.assignments if roster else []
    counts = granted_counts(problem, assignments)
    visits = visit_minutes(problem, assignments)
    legal = problem.policy.legal_min_visit_minutes
    reasons = {(s.father, s.activity): s.reasons for s in roster.shortfalls} if roster else {}
    rows = []
    for father in fathers_at(problem, institution):
        if not filters.matches(father):
            continue
        lines = []
        for activity in problem.entitlement_activities:
            owed = entitled(problem, father, activity)
            granted = counts[father.id, activity.id]
            if owed or granted:
                why = reasons.get((father.id, activity.id), [])
                lines.append(ActivityLine(activity, owed, granted, list(why)))
        rows.append(
            FatherRow(
                father=father,
                shells=[effective_shell(problem, father, day) for day in range(DAYS_IN_WEEK)],
                visit_minutes=visits[father.id],
                below_legal=visits[father.id] < legal,
                lines=lines,
            )
        )
    return sorted(rows, key=lambda row: (not row.below_legal, row.father.id))


def father_assignments(problem: Problem, roster: Roster | None, father_id: str) -> list[Assignment]:
    """Give the father's assignments of the week, in order of time."""
    clock = problem.clock
    found = [a for a in roster.assignments if father_id in a.fathers] if roster else []
    return sorted(found, key=lambda a: clock.minute(a.start))


def _window_hours(windows: list[tuple[int, int]]) -> float:
    return sum(high - low for low, high in windows) / 60


def staff_loads(
    problem: Problem, roster: Roster | None, institution: str
) -> tuple[list[Load], list[Load]]:
    """Give the volunteers who serve the institution and its officers, with hours and limits.

    Hours are the roster's own figures (a volunteer who also serves another
    institution of the region counts all his hours against his maximum);
    an officer's limit is the length of his shifts this week.
    """
    served: Counter[str] = Counter()
    for assignment in roster.assignments if roster else []:
        for person in {*assignment.volunteers, *assignment.officers}:
            served[person] += 1
    kpis = roster.kpis if roster else None
    volunteers = [
        Load(
            id=v.id,
            detail=v.organisation,
            hours=kpis.volunteer_hours_by_volunteer.get(v.id, 0.0) if kpis else 0.0,
            limit=v.max_hours_week,
            assignments=served[v.id],
        )
        for v in sorted(problem.volunteers, key=lambda v: v.id)
        if institution in v.institutions
    ]
    officers = [
        Load(
            id=o.id,
            detail="",
            hours=kpis.officer_hours_by_officer.get(o.id, 0.0) if kpis else 0.0,
            limit=_window_hours([w.week_minutes() for w in o.shifts]),
            assignments=served[o.id],
        )
        for o in sorted(problem.officers, key=lambda o: o.id)
        if o.institution == institution
    ]
    return volunteers, officers


@dataclass(frozen=True)
class PersonDay:
    """One day of a volunteer's or officer's printed week: the assignments served, by start."""

    date: date
    assignments: list[Assignment]


def staff_member(problem: Problem, kind: str, person: str, institution: str) -> bool:
    """Give whether a volunteer serves the institution, or an officer works there."""
    if kind == "volunteer":
        volunteer = problem.volunteer_by_id.get(person)
        return volunteer is not None and institution in volunteer.institutions
    officer = problem.officer_by_id.get(person)
    return officer is not None and officer.institution == institution


def person_week(
    problem: Problem, roster: Roster | None, kind: str, person: str, institution: str
) -> list[PersonDay]:
    """Give a volunteer's or officer's week at the institution, every day, Monday first."""
    served = [
        a
        for a in ical.select(roster.assignments if roster else [], kind, person)
        if institution_of(problem, a) == institution
    ]
    clock = problem.clock
    by_day: dict[int, list[Assignment]] = {day: [] for day in range(DAYS_IN_WEEK)}
    for assignment in served:
        by_day[clock.day_of(clock.minute(assignment.start))].append(assignment)
    return [PersonDay(clock.day_date(day), by_day[day]) for day in range(DAYS_IN_WEEK)]


def changes(previous: Roster, roster: Roster) -> Changes:
    """Give how many father occurrences a roster kept, added and dropped against the previous."""
    before = {occurrence_key(f, a) for a in previous.assignments for f in a.fathers}
    now = {occurrence_key(f, a) for a in roster.assignments for f in a.fathers}
    new_assignments = {
        a.id
        for a in roster.assignments
        if any(occurrence_key(f, a) not in before for f in a.fathers)
    }
    return Changes(len(before & now), len(now - before), len(before - now), new_assignments)


def summary(problem: Problem, roster: Roster, institution: str) -> Summary:
    """Give the roster's headline figures for the institution's fathers (volunteers: the week's)."""
    rows = father_rows(problem, roster, institution, Filters())
    standings = father_standings(problem, roster.assignments)
    own = [standings[r.father.id] for r in rows]
    return Summary(
        entitled=sum(r.entitled for r in rows),
        granted=sum(r.granted for r in rows),
        below_legal=sum(1 for r in rows if r.below_legal),
        floor=min((s.ratio for s in own if s.ratio is not None), default=1.0),
        nothing_beyond_legal=sum(1 for s in own if s.nothing_beyond_legal),
        assignments=len(at_institution(problem, roster, institution)),
        volunteer_hours=roster.kpis.volunteer_hours,
        partner_cap_hours=problem.policy.partner_cap_hours,
    )


WHATIF_COLUMNS: tuple[tuple[str, str], ...] = (
    ("fulfilment", "ratio"),
    ("fulfilment_gain", "gain"),
    ("fulfilment_shell_1", "ratio"),
    ("fulfilment_shell_2", "ratio"),
    ("fulfilment_shell_3", "ratio"),
    ("fathers_below_legal_minimum", "count"),
    ("fairness_floor", "ratio"),
    ("fathers_nothing_beyond_legal", "count"),
    ("escorts_short_of_partner_cap", "count"),
    ("volunteer_hours", "hours"),
    ("partner_cap_hours", "hours"),
    ("utilisation_family_room", "ratio"),
)
"""The what-if table's columns the page shows, each with how its values read."""


@dataclass
class WhatIfReport:
    """A finished what-if analysis as the page shows it: rows of figures, where sweeps level off."""

    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    levels_off: dict[str, float | None]
    charts: list[str]
    conclusions: dict[str, str] = field(default_factory=dict)
    purchases: list[dict[str, Any]] = field(default_factory=list)

    def label(self, row: dict[str, Any]) -> str:
        """Give a scenario's name as a manager reads it (``partnertijd 27 uur``)."""
        return scenario_label(row)

    def chart_text(self, name: str) -> str:
        """Give a chart's text alternative: the question it answers, and what the sweeps say."""
        said = " ".join(f"{text[:1].upper()}{text[1:]}." for text in self.conclusions.values())
        return f"{chart_question(name)} {said}".strip()


def whatif_report(job: dict[str, Any]) -> WhatIfReport | None:
    """Give the report of a what-if job as the service shows it, or None before it has one."""
    table = job.get("table")
    if table is None:
        return None
    present = set(job.get("columns") or [])
    columns = [(name, kind) for name, kind in WHATIF_COLUMNS if name in present]
    return WhatIfReport(
        columns=columns,
        rows=list(table),
        levels_off=dict(job.get("levels_off") or {}),
        charts=list(job.get("charts") or []),
        conclusions=dict(job.get("conclusions") or {}),
        purchases=list(job.get("purchases") or []),
    )
