"""iCalendar export of a roster: one calendar per father, room, volunteer or officer."""

from __future__ import annotations

from datetime import UTC

from icalendar import Calendar, Event

from exports.words import RESOURCES, activity_words, pick, room_words
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


LINES: dict[str, tuple[str, str]] = {
    "fathers": ("vaders", "fathers"),
    "volunteers": ("vrijwilligers", "volunteers"),
    "officers": ("PIW'ers", "officers"),
}


def calendar(
    problem: Problem, assignments: list[Assignment], kind: str, subject: str, language: str = "nl"
) -> bytes:
    """Give the iCalendar text of one subject's assignments in a roster, in a planner's words.

    Activities and rooms go by name (``bezoek in de familiekamer`` in
    ``familiekamer VH-FK``). A father's calendar names only his own
    activities; the calendars of a room and of staff list the fathers by
    pseudonym, as the roster does.
    """
    cal = Calendar()
    cal.add("prodid", "-//gezinsrooster//roster//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{problem.week} {pick(RESOURCES[kind], language)} {subject}")
    for assignment in select(assignments, kind, subject):
        activity = problem.activity_by_id.get(assignment.activity)
        event = Event()
        event.add("uid", f"{assignment.id}.{kind}.{subject}@{problem.id}")
        event.add("dtstamp", assignment.start.astimezone(UTC))
        event.add("dtstart", assignment.start.astimezone(TZ))
        event.add("dtend", assignment.end.astimezone(TZ))
        event.add("summary", activity_words(activity, assignment.activity, language))
        event.add("location", room_words(problem, assignment.room, language))
        shown = ("volunteers", "officers") if kind == "father" else tuple(LINES)
        lines = [
            f"{pick(LINES[field], language)}: {', '.join(getattr(assignment, field)) or '-'}"
            for field in shown
        ]
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
