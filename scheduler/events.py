"""Events of a running week (docs/design.md section 9): what happened, and how it changes a week.

An event is data: its type, the moment it takes effect (``at``), and what it
is about (a father, a room, a volunteer, an officer, a session). Applied to a
week's facts it changes them from its moment on and leaves what lies before
it as it was: a time-out starts on the day of its moment, a closure or an
absence starts no earlier than it, a release or transfer makes the father
unavailable from it to the end of the week.

Consent and shell are facts of a whole week in the data contract, so in the
week of its moment a ``consent_*`` or ``shell_change`` event sets them for
that week; the repair keeps what lies before the moment frozen all the same.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field, model_validator

from scheduler import reasons
from scheduler.domain import Assignment, Contract, LocalDateTime, Problem
from scheduler.week import DAYS, MINUTES_PER_DAY, MINUTES_PER_WEEK, TZ, clock_minutes, clock_text

EventType = Literal[
    "time_out",
    "time_out_ended",
    "consent_withdrawn",
    "consent_given",
    "shell_change",
    "father_unavailable",
    "transfer",
    "release",
    "room_closure",
    "volunteer_absent",
    "officer_absent",
    "session_cancelled",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]

# The field each type is about, and the other fields it needs.
SUBJECT: dict[str, str] = {
    "time_out": "father",
    "time_out_ended": "father",
    "consent_withdrawn": "father",
    "consent_given": "father",
    "shell_change": "father",
    "father_unavailable": "father",
    "transfer": "father",
    "release": "father",
    "room_closure": "room",
    "volunteer_absent": "volunteer",
    "officer_absent": "officer",
    "session_cancelled": "session",
}
NEEDS: dict[str, tuple[str, ...]] = {
    "consent_withdrawn": ("consent",),
    "consent_given": ("consent",),
    "shell_change": ("shell",),
    "father_unavailable": ("end", "kind"),
    "transfer": ("to",),
    "room_closure": ("end",),
    "volunteer_absent": ("end",),
    "officer_absent": ("end",),
}
RANGED = frozenset({"father_unavailable", "room_closure", "volunteer_absent", "officer_absent"})

# What an event blocks, in the fixed vocabulary of shortfall reasons (none: it frees capacity).
CAUSES: dict[str, str | None] = {
    "time_out": reasons.TIME_OUT,
    "time_out_ended": None,
    "consent_withdrawn": reasons.NO_CONSENT,
    "consent_given": None,
    "shell_change": reasons.NOT_IN_SHELL,
    "father_unavailable": reasons.FATHER_UNAVAILABLE,
    "transfer": reasons.FATHER_UNAVAILABLE,
    "release": reasons.FATHER_UNAVAILABLE,
    "room_closure": reasons.ROOM_CLOSED,
    "volunteer_absent": reasons.NO_VOLUNTEER,
    "officer_absent": reasons.NO_OFFICER,
    "session_cancelled": reasons.NO_SESSION,
}


class Event(Contract):
    """One event of a running week: its type, its moment, and what it is about."""

    id: str | None = Field(default=None, max_length=100, description="given by the service if none")
    type: EventType
    at: LocalDateTime = Field(description="the moment it takes effect")
    father: str | None = None
    room: str | None = None
    volunteer: str | None = None
    officer: str | None = None
    session: str | None = None
    start: LocalDateTime | None = Field(default=None, description="range start (default: at)")
    end: LocalDateTime | None = Field(default=None, description="range end")
    kind: Literal["court", "medical", "work", "other"] | None = None
    consent: Literal["other_parent", "info_sharing"] | None = None
    shell: int | None = Field(default=None, ge=1, le=3)
    to: str | None = Field(default=None, max_length=100, description="transfer: the institution")
    reason: str | None = Field(default=None, max_length=200, description="why (no names)")

    @model_validator(mode="after")
    def _complete(self) -> Event:
        missing = [
            name
            for name in (SUBJECT[self.type], *NEEDS.get(self.type, ()))
            if not getattr(self, name)
        ]
        if missing:
            raise ValueError(f"a {self.type} event needs {', '.join(missing)}")
        if self.end is not None and self.end <= self.begins:
            raise ValueError(
                f"end {self.end.isoformat()} is not after its start {self.begins.isoformat()}"
            )
        return self

    @property
    def subject(self) -> str:
        """Give the id of what the event is about (a father, room, volunteer, officer, session)."""
        value: str = getattr(self, SUBJECT[self.type])
        return value

    @property
    def begins(self) -> datetime:
        """Give where its range begins: never before its moment."""
        return max(self.start, self.at) if self.start is not None else self.at

    @property
    def cause(self) -> str | None:
        """Give the shortfall reason an assignment broken by this event is dropped for."""
        return CAUSES[self.type]


def week_span(problem: Problem) -> tuple[datetime, datetime]:
    """Give the first moment of the problem's week and the first moment after it."""
    return problem.clock.moment(0), problem.clock.moment(MINUTES_PER_WEEK)


def contains(problem: Problem, moment: datetime) -> bool:
    """Tell whether a moment lies inside the problem's week."""
    start, end = week_span(problem)
    return start <= moment < end


def touches(problem: Problem, event: Event) -> bool:
    """Tell whether the event changes the facts of this week (its moment is before its end)."""
    start, end = week_span(problem)
    if event.at >= end:
        return False
    if event.type in RANGED:
        assert event.end is not None
        return event.begins < end and event.end > start
    if event.type == "time_out":
        first = event.at.astimezone(TZ).date()
        return start.date() < first + timedelta(weeks=problem.policy.timeout_weeks)
    if event.type == "session_cancelled":
        return event.session in {s.id for s in problem.sessions}
    return True


def knows(problem: Problem, event: Event) -> bool:
    """Tell whether the week knows what the event is about."""
    known: dict[str, set[str]] = {
        "father": set(problem.father_by_id),
        "room": set(problem.room_by_id),
        "volunteer": set(problem.volunteer_by_id),
        "officer": set(problem.officer_by_id),
        "session": {s.id for s in problem.sessions},
    }
    return event.subject in known[SUBJECT[event.type]]


def subject_institutions(problem: Problem, event: Event) -> set[str]:
    """Give the institutions of what the event is about, in a week that knows it."""
    kind, subject = SUBJECT[event.type], event.subject
    if kind == "father":
        return {problem.father_by_id[subject].institution}
    if kind == "room":
        return {problem.room_by_id[subject].institution}
    if kind == "officer":
        return {problem.officer_by_id[subject].institution}
    if kind == "volunteer":
        return set(problem.volunteer_by_id[subject].institutions)
    session = next(s for s in problem.sessions if s.id == subject)
    return {problem.room_by_id[session.room].institution}


def refusal(problem: Problem, event: Event) -> str | None:
    """Give why the event cannot apply to this week that knows its subject, or None."""
    if event.type == "session_cancelled":
        session = next(s for s in problem.sessions if s.id == event.session)
        if session.start < event.at:
            return f"session: '{session.id}' began {session.start.isoformat()}, before the event"
    if event.type == "time_out_ended":
        father = problem.father_by_id[event.subject]
        day = event.at.astimezone(TZ).date()
        if not any(t.start <= day and (t.end is None or t.end > day) for t in father.timeouts):
            return f"father: '{father.id}' has no time-out running on {day.isoformat()}"
    return None


def apply_event(problem: Problem, data: dict[str, Any], event: Event) -> dict[str, Any]:
    """Give the week's facts (contract JSON) with the event applied from its moment on."""
    changed = copy.deepcopy(data)
    start, end = week_span(problem)
    begins, ends = max(event.begins, start), min(event.end or end, end)
    day = event.at.astimezone(TZ).date().isoformat()

    def find(section: str) -> dict[str, Any]:
        found: dict[str, Any] = next(x for x in changed[section] if x["id"] == event.subject)
        return found

    if event.type == "time_out":
        find("fathers").setdefault("timeouts", []).append({"start": day})
    elif event.type == "time_out_ended":
        for timeout in find("fathers").get("timeouts", []):
            if timeout["start"] <= day and (timeout.get("end") or "9999") > day:
                timeout["end"] = day
    elif event.type in ("consent_withdrawn", "consent_given"):
        name = f"{event.consent}_consent"
        find("fathers")[name] = event.type == "consent_given"
    elif event.type == "shell_change":
        find("fathers")["shell"] = event.shell
    elif event.type in ("father_unavailable", "transfer", "release"):
        busy = {"start": begins.isoformat(), "end": ends.isoformat()}
        find("fathers").setdefault("unavailable", []).append(busy)
    elif event.type == "room_closure":
        closed = {"start": begins.isoformat(), "end": ends.isoformat()}
        find("rooms").setdefault("closed", []).append(closed)
    elif event.type in ("volunteer_absent", "officer_absent"):
        section, field = (
            ("volunteers", "available")
            if event.type == "volunteer_absent"
            else ("officers", "shifts")
        )
        person = find(section)
        low, high = problem.clock.minute(begins), problem.clock.minute(ends)
        person[field] = _without(person.get(field, []), low, high)
    elif event.type == "session_cancelled":
        cancelled = problem.session_by_id[event.subject]
        changed["sessions"] = [s for s in changed["sessions"] if s["id"] != event.subject]
        for template in changed.get("session_templates", []):
            if template["id"] == cancelled.template:
                # A session made from a template would be made again: the template skips the date.
                when = cancelled.start.astimezone(TZ).date().isoformat()
                template.setdefault("exceptions", []).append({"date": when})
        changed["pinned"] = [
            a for a in changed.get("pinned", []) if a.get("session") != event.subject
        ]
    return changed


def _without(windows: list[dict[str, Any]], low: int, high: int) -> list[dict[str, Any]]:
    """Give weekly windows less the week minutes [low, high) (an absence in this week)."""
    kept: list[dict[str, Any]] = []
    for window in windows:
        day = DAYS.index(window["day"])
        base = day * MINUTES_PER_DAY
        first = base + clock_minutes(window["start"])
        last = base + clock_minutes(window["end"])
        for piece_low, piece_high in ((first, min(last, low)), (max(first, high), last)):
            if piece_high > piece_low:
                kept.append(
                    {
                        "day": window["day"],
                        "start": clock_text(piece_low - base),
                        "end": clock_text(piece_high - base),
                    }
                )
    return kept


def affects(event: Event, assignment: Assignment) -> bool:
    """Tell whether the assignment involves what the event is about."""
    subject = event.subject
    return {
        "father": subject in assignment.fathers,
        "room": assignment.room == subject,
        "volunteer": subject in assignment.volunteers,
        "officer": subject in assignment.officers,
        "session": assignment.session == subject,
    }[SUBJECT[event.type]]


def frozen(assignments: list[Assignment], moment: datetime) -> list[Assignment]:
    """Give the assignments that began before the moment: they stay as they happened."""
    return [a for a in assignments if a.start < moment]


def repair_pins(
    pinned: list[Assignment], published: list[Assignment], broken: set[str], moment: datetime
) -> list[Assignment]:
    """Give what a repair from the moment keeps exactly: the week's pins, the past, what stands.

    What began before the moment happened and stays; every published
    assignment the facts as they now stand do not break (ids not in
    ``broken``) is kept where it stands, so that a repair changes only what
    the events force and adds what the freed capacity allows.
    """
    pins = {a.id: a for a in pinned}
    standing = [a for a in published if a.id not in broken]
    for assignment in [*frozen(published, moment), *standing]:
        pins[assignment.id] = assignment.model_copy(update={"pinned": True})
    return list(pins.values())
