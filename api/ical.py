"""iCalendar export of a roster: one calendar per father, room, volunteer or officer."""

from __future__ import annotations

from datetime import UTC

from icalendar import Calendar, Event

from scheduler.domain import Assignment, Problem
from scheduler.week import TZ

KINDS: tuple[str, ...] = ("father", "room", "volunteer", "officer")


def select(assignments: list[Assignment], kind: str, subject: str) -> list[Assignment]:
    """Give the assignments one father, room, volunteer or officer takes part in, by start."""
    if kind not in KINDS:
        raise ValueError(f"kind: '{kind}' is not one of {', '.join(KINDS)}")
    field = {"father": "fathers", "volunteer": "volunteers", "officer": "officers"}.get(kind)
    if field is None:
        chosen = [a for a in assignments if a.room == subject]
    else:
        chosen = [a for a in assignments if subject in getattr(a, field)]
    return sorted(chosen, key=lambda a: (a.start, a.id))


def calendar(problem: Problem, assignments: list[Assignment], kind: str, subject: str) -> bytes:
    """Give the iCalendar text of one subject's assignments in a roster.

    A father's calendar names only his own activities; the calendars of a
    room and of staff list the fathers by pseudonym, as the roster does.
    """
    cal = Calendar()
    cal.add("prodid", "-//gezinsrooster//roster//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{problem.week} {kind} {subject}")
    for assignment in select(assignments, kind, subject):
        activity = problem.activity_by_id.get(assignment.activity)
        event = Event()
        event.add("uid", f"{assignment.id}.{kind}.{subject}@{problem.id}")
        event.add("dtstamp", assignment.start.astimezone(UTC))
        event.add("dtstart", assignment.start.astimezone(TZ))
        event.add("dtend", assignment.end.astimezone(TZ))
        event.add("summary", activity.name if activity is not None else assignment.activity)
        if assignment.room is not None:
            event.add("location", assignment.room)
        lines = [f"activity: {assignment.activity}"]
        if kind != "father":
            lines.append(f"fathers: {', '.join(assignment.fathers) or '-'}")
        lines.append(f"volunteers: {', '.join(assignment.volunteers) or '-'}")
        lines.append(f"officers: {', '.join(assignment.officers) or '-'}")
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
