"""The data contract (version 1): one week's facts, and the roster made from them.

Field names are the public contract of docs/design.md section 5; fixtures, the CLI
and the API all use these models. Each model checks its own fields when built;
``Problem`` checks every cross-reference once, for the whole week, and names
the field and the culprit (``fathers[12].linked_volunteer: unknown volunteer 'V99'``).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from scheduler.contract import (
    Contract as Contract,
)
from scheduler.contract import (
    LocalDateTime as LocalDateTime,
)
from scheduler.contract import (
    ProblemError as ProblemError,
)
from scheduler.contract import (
    field_name as field_name,
)
from scheduler.contract import (
    read_json as read_json,
)
from scheduler.contract import (
    validation_messages as validation_messages,
)
from scheduler.history import Earlier, History, history_errors
from scheduler.ids import ESCORTED_VISIT, AssignmentId, Id, Pseudonym, Text, WeekName
from scheduler.references import reference_errors
from scheduler.week import DAYS, DayName, WeekClock, clock_minutes, parse_week, week_minute

if TYPE_CHECKING:
    from scheduler.objective import WindowShare

Placement = Literal["session", "individual"]
# A template's session is named after it and its date: ``S-BZ1-tue1830-20270202``.
TEMPLATE_ID_MAX = 64 - 9
Status = Literal["optimal", "feasible", "infeasible", "unknown"]


class Window(Contract):
    """A weekly window: ``{"day": "mon", "start": "09:00", "end": "17:00"}``."""

    day: DayName
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_minutes(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if clock_minutes(self.end) <= clock_minutes(self.start):
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self

    @property
    def day_index(self) -> int:
        """Give the day index of the window (0 is Monday)."""
        return DAYS.index(self.day)

    def week_minutes(self) -> tuple[int, int]:
        """Give the window as a half-open range of week minutes."""
        return week_minute(self.day, self.start), week_minute(self.day, self.end)


class TimeRange(Contract):
    """A dated range of time, such as a closure or a father's court hearing."""

    start: LocalDateTime
    end: LocalDateTime

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError(
                f"end {self.end.isoformat()} is not after start {self.start.isoformat()}"
            )
        return self


class Institution(Contract):
    """A prison (penitentiaire inrichting, PI)."""

    id: Id
    name: Text


def _default_school_hours() -> list[Window]:
    return [
        Window.model_validate({"day": day, "start": "08:30", "end": "15:00"}) for day in DAYS[:5]
    ]


class Policy(Contract):
    """The week's policy settings."""

    slot_minutes: int = Field(default=15, ge=1, le=240)
    partner_cap_hours: float = Field(default=36.0, ge=0)
    timeout_weeks: int = Field(default=6, ge=0)
    legal_min_visit_minutes: int = Field(default=60, ge=0)
    school_hours: list[Window] = Field(default_factory=_default_school_hours)
    # Which rooms a Dutch public holiday closes all day: "all", "none", or a list of room kinds.
    holiday_rooms_closed: Literal["all", "none"] | list[Id] = "all"


class Entitlement(Contract):
    """How often a shell may have an activity: per week, at most per day, and in any four weeks.

    ``per_4_weeks`` counts this week and the three before it (docs/design.md
    section 10); None: no such rule.
    """

    per_week: int = Field(ge=0)
    max_per_day: int | None = Field(default=None, ge=0)
    per_4_weeks: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _four_weeks(self) -> Entitlement:
        if self.per_4_weeks is not None and self.per_4_weeks < self.per_week:
            raise ValueError(
                f"per_4_weeks {self.per_4_weeks} is below the week's own per_week {self.per_week}"
            )
        return self


class Activity(Contract):
    """An activity of the catalogue, with what it needs at the same time."""

    id: Id
    name: Text
    shells: list[int]
    minutes: int = Field(gt=0)
    room_kind: Id | None = None
    volunteers: int = Field(default=0, ge=0)
    # Volunteers beyond ``volunteers``: wanted, not required (docs/design.md section 3).
    escorts: int = Field(default=0, ge=0)
    officers: int = Field(default=0, ge=0)
    placement: Placement
    child_present: bool = False
    needs_consent: bool | None = None
    needs_enrolment: bool = False
    needs_baby: bool = False
    counts_as_visit: bool = False
    windows: list[Window] = Field(default_factory=list)

    @field_validator("shells")
    @classmethod
    def _shells(cls, value: list[int]) -> list[int]:
        for shell in value:
            if shell not in (1, 2, 3):
                raise ValueError(f"shell {shell} is outside 1..3")
        return value


class Room(Contract):
    """A room: family room, video station, visit hall, activity room, wing room, kitchen."""

    id: Id
    institution: Id
    kind: Id
    capacity: int = Field(default=1, ge=1)
    changeover_minutes: int = Field(default=0, ge=0)
    open: list[Window] = Field(default_factory=list)
    closed: list[TimeRange] = Field(default_factory=list)


class Session(Contract):
    """A fixed-time occurrence of a session activity (the wing's day programme, visit hours)."""

    id: Id
    activity: Id
    room: Id
    start: LocalDateTime
    capacity: int = Field(ge=1)
    # The template this session was made from; made again from it each time the week loads.
    template: Id | None = None


class SessionException(Contract):
    """A date on which a template's session does not run, or runs at another time."""

    date: date
    start: str | None = None

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None:
            clock_minutes(value)
        return value


class SessionTemplate(Contract):
    """A session that repeats: weekly, or every other week counted from ``anchor_week``."""

    id: Id
    activity: Id
    room: Id
    day: DayName
    start: str
    capacity: int = Field(ge=1)
    every_weeks: Literal[1, 2] = 1
    anchor_week: WeekName | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    exceptions: list[SessionException] = Field(default_factory=list)

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_minutes(value)
        return value

    @field_validator("anchor_week")
    @classmethod
    def _week(cls, value: str | None) -> str | None:
        if value is not None:
            parse_week(value)
        return value

    @model_validator(mode="after")
    def _dates(self) -> SessionTemplate:
        if len(self.id) > TEMPLATE_ID_MAX:
            raise ValueError(f"id '{self.id}' is longer than {TEMPLATE_ID_MAX} characters")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(
                f"valid_until {self.valid_until} is before valid_from {self.valid_from}"
            )
        if self.every_weeks == 2 and self.anchor_week is None and self.valid_from is None:
            raise ValueError("anchor_week is required for a template every other week")
        for index, item in enumerate(self.exceptions):
            if DAYS[item.date.weekday()] != self.day:
                raise ValueError(
                    f"exceptions[{index}].date: {item.date} is a {DAYS[item.date.weekday()]}, "
                    f"the template runs on {self.day}"
                )
        return self


class Volunteer(Contract):
    """A volunteer (vrijwilliger) of a network partner."""

    id: Id
    organisation: Text
    institutions: list[Id]
    available: list[Window] = Field(default_factory=list)
    max_hours_week: float = Field(ge=0)
    activities: list[Id] = Field(default_factory=list)
    linked_fathers: list[Pseudonym] = Field(default_factory=list)


class Officer(Contract):
    """A supervising officer (PIW'er) and the shifts worked this week."""

    id: Id
    institution: Id
    shifts: list[Window] = Field(default_factory=list)


class Timeout(Contract):
    """A time-out after a rule violation, from its first day; ``end`` is its first day off it."""

    start: date
    end: date | None = None


class Child(Contract):
    """A child of a father; only the birth date, for the baby and school rules."""

    id: Pseudonym
    birth_date: date


class Father(Contract):
    """A detained father in the programme, by pseudonym only."""

    id: Pseudonym
    institution: Id
    shell: int
    info_sharing_consent: bool = True
    other_parent_consent: bool = True
    timeouts: list[Timeout] = Field(default_factory=list)
    children: list[Child] = Field(default_factory=list)
    unavailable: list[TimeRange] = Field(default_factory=list)
    preferred: list[Window] = Field(default_factory=list)
    linked_volunteer: Id | None = None
    enrolments: list[Id] = Field(default_factory=list)
    plan: dict[Id, int] = Field(default_factory=dict)
    non_associations: list[Pseudonym] = Field(default_factory=list)
    ward: Text | None = None

    @field_validator("shell")
    @classmethod
    def _shell(cls, value: int) -> int:
        if value not in (1, 2, 3):
            raise ValueError(f"shell {value} is outside 1..3")
        return value

    @field_validator("plan")
    @classmethod
    def _plan(cls, value: dict[str, int]) -> dict[str, int]:
        for activity, per_week in value.items():
            if per_week < 0:
                raise ValueError(f"plan for '{activity}' is negative ({per_week})")
        return value


class Assignment(Contract):
    """One activity at one time: a session with all its fathers and staff, or one father's slot."""

    id: AssignmentId
    activity: Id
    start: LocalDateTime
    end: LocalDateTime
    room: Id | None = None
    session: Id | None = None
    fathers: list[Pseudonym] = Field(default_factory=list)
    volunteers: list[Id] = Field(default_factory=list)
    officers: list[Id] = Field(default_factory=list)
    pinned: bool = False


class Shortfall(Contract):
    """An entitlement not fully granted, with every reason that blocks one more occurrence."""

    father: str
    activity: str
    entitled: int
    granted: int
    reasons: list[str] = Field(default_factory=list)


class KPIs(Contract):
    """Key figures of a roster, recomputed from the roster itself."""

    fulfilment: float = 0.0
    fulfilment_by_shell: dict[int, float] = Field(default_factory=dict)
    fulfilment_by_activity: dict[str, float] = Field(default_factory=dict)
    entitled: int = 0
    granted: int = 0
    entitlement_value: int = 0
    fathers_below_legal_minimum: list[str] = Field(default_factory=list)
    volunteer_hours: float = 0.0
    partner_cap_hours: float = 0.0
    volunteer_hours_by_volunteer: dict[str, float] = Field(default_factory=dict)
    officer_hours_by_officer: dict[str, float] = Field(default_factory=dict)
    room_utilisation: dict[str, float] = Field(default_factory=dict)
    fairness_floor: float = 1.0
    # Fathers who could be granted more than the legal visit this week and are granted none of it.
    fathers_nothing_beyond_legal: list[str] = Field(default_factory=list)


class Roster(Contract):
    """A weekly roster: the assignments, every shortfall, and how good it is."""

    problem_id: str
    week: str
    status: Status
    objective: int | None = None
    bound: int | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    # Of solve_seconds, the time before the search: candidates, model, warm start and its check.
    build_seconds: float = 0.0
    solver: str = "cp-sat"
    tiers: dict[str, int] = Field(default_factory=dict)
    assignments: list[Assignment] = Field(default_factory=list)
    shortfalls: list[Shortfall] = Field(default_factory=list)
    kpis: KPIs = Field(default_factory=KPIs)


class Problem(Contract):
    """One week of one region: one or more institutions and everything the roster needs."""

    model_config = ConfigDict(extra="forbid", ignored_types=(cached_property,))

    id: Id
    week: WeekName
    institutions: list[Institution]
    policy: Policy = Field(default_factory=Policy)
    activities: list[Activity]
    entitlements: dict[int, dict[Id, Entitlement]]
    rooms: list[Room] = Field(default_factory=list)
    sessions: list[Session] = Field(default_factory=list)
    session_templates: list[SessionTemplate] = Field(default_factory=list)
    volunteers: list[Volunteer] = Field(default_factory=list)
    officers: list[Officer] = Field(default_factory=list)
    fathers: list[Father] = Field(default_factory=list)
    pinned: list[Assignment] = Field(default_factory=list)
    # The published weeks before this one (docs/design.md section 10); None: none known.
    history: History | None = None

    @field_validator("week")
    @classmethod
    def _week(cls, value: str) -> str:
        parse_week(value)
        return value

    @field_validator("entitlements")
    @classmethod
    def _entitlement_shells(
        cls, value: dict[int, dict[str, Entitlement]]
    ) -> dict[int, dict[str, Entitlement]]:
        for shell in value:
            if shell not in (1, 2, 3):
                raise ValueError(f"shell {shell} is outside 1..3")
        return value

    @model_validator(mode="after")
    def _references(self) -> Problem:
        # The templates build on the models of this module, so they are imported here.
        from scheduler.templates import apply_templates

        messages = apply_templates(self)
        messages += reference_errors(self)
        if messages:
            raise ValueError("\n".join(messages))
        return self

    @model_validator(mode="after")
    def _history(self) -> Problem:
        messages = history_errors(self)
        if messages:
            raise ValueError("\n".join(messages))
        return self

    @cached_property
    def earlier(self) -> Earlier:
        """Give what the three weeks before this one granted (``scheduler.history``)."""
        return Earlier.of(self)

    @cached_property
    def window(self) -> dict[str, WindowShare]:
        """Give what each father's four-week share reads, read once (``window_shares``)."""
        # The objective builds on the models of this module, so it is imported here.
        from scheduler.objective import window_shares_of

        return window_shares_of(self)

    @cached_property
    def clock(self) -> WeekClock:
        """Give the clock of this problem's week."""
        return WeekClock(self.week)

    @cached_property
    def activity_by_id(self) -> dict[str, Activity]:
        """Give the activities by id."""
        return {activity.id: activity for activity in self.activities}

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        """Give the rooms by id."""
        return {room.id: room for room in self.rooms}

    @cached_property
    def session_by_id(self) -> dict[str, Session]:
        """Give the sessions by id."""
        return {session.id: session for session in self.sessions}

    @cached_property
    def volunteer_by_id(self) -> dict[str, Volunteer]:
        """Give the volunteers by id."""
        return {volunteer.id: volunteer for volunteer in self.volunteers}

    @cached_property
    def officer_by_id(self) -> dict[str, Officer]:
        """Give the officers by id."""
        return {officer.id: officer for officer in self.officers}

    @cached_property
    def father_by_id(self) -> dict[str, Father]:
        """Give the fathers by id."""
        return {father.id: father for father in self.fathers}

    @cached_property
    def kept_apart(self) -> dict[str, frozenset[str]]:
        """Give, per father, the fathers he must be kept apart from (either naming the other).

        The validator and the placement ask it for a few fathers at a time, once
        per booking: read from every father's list once, not at each question.
        """
        apart: dict[str, set[str]] = {}
        for father in self.fathers:
            for other in father.non_associations:
                apart.setdefault(father.id, set()).add(other)
                apart.setdefault(other, set()).add(father.id)
        return {key: frozenset(value) for key, value in apart.items()}

    @cached_property
    def session_sites(self) -> frozenset[tuple[str, str]]:
        """Give each (activity, institution) that has a session this week.

        A site of an activity with escorts is also a site of ``escorted_visit``.
        """
        rooms = self.room_by_id
        escorted = {a.id for a in self.activities if a.escorts}
        sites = {(s.activity, rooms[s.room].institution) for s in self.sessions if s.room in rooms}
        return frozenset(sites | {(ESCORTED_VISIT, i) for a, i in sites if a in escorted})

    @cached_property
    def escorted_activity(self) -> Activity | None:
        """Give the ``escorted_visit`` entitlement as an activity, or None where the table has none.

        It takes its minutes, room kind, shells and consent from the first
        activity with escorts; it is granted with an occurrence of any activity
        with escorts that has all of them, never placed on its own.
        """
        escorted = [a for a in self.activities if a.escorts]
        named = any(ESCORTED_VISIT in table for table in self.entitlements.values())
        if not escorted or not named:
            return None
        first = escorted[0]
        return first.model_copy(
            update={
                "id": ESCORTED_VISIT,
                "name": f"{first.name} (begeleid)",
                "shells": sorted({s for a in escorted for s in a.shells}),
                "counts_as_visit": False,
            }
        )

    def kind(self, activity_id: str) -> Activity:
        """Give the activity, or the escorted visit, an entitlement is about."""
        if activity_id == ESCORTED_VISIT and self.escorted_activity is not None:
            return self.escorted_activity
        return self.activity_by_id[activity_id]

    @cached_property
    def entitlement_activities(self) -> list[Activity]:
        """Give every activity a father can be entitled to: the catalogue and the escorted visit."""
        extra = self.escorted_activity
        return [*self.activities, extra] if extra is not None else list(self.activities)


def parse_problem(data: Any) -> Problem:
    """Give a Problem from decoded JSON, or raise ProblemError naming each bad field."""
    try:
        return Problem.model_validate(data)
    except ValidationError as error:
        raise ProblemError(validation_messages(error)) from None


def parse_roster(data: Any) -> Roster:
    """Give a Roster from decoded JSON, or raise ProblemError naming each bad field."""
    try:
        return Roster.model_validate(data)
    except ValidationError as error:
        raise ProblemError(validation_messages(error)) from None


def load_problem(path: str | Path) -> Problem:
    """Give the Problem in a JSON file, checked field by field and reference by reference."""
    return parse_problem(read_json(path))


def load_roster(path: str | Path) -> Roster:
    """Give the Roster in a JSON file, checked field by field."""
    return parse_roster(read_json(path))
