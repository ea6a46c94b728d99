"""Sessions from templates: the visit hall's hours and the wing's programme, week after week.

A template (``session_templates`` of the problem, docs/design.md section 5)
has an activity, a room, a weekday, a time and a capacity; it runs weekly, or
every other week counted from its ``anchor_week``; it is valid from and until
two dates (both included); and its exceptions are dates on which it does not
run or runs at another time. ``sessions_for`` makes one week's sessions from
them. When a week loads, ``apply_templates`` closes the rooms on public
holidays (``scheduler/public_holidays.py``) and then makes the sessions; a
template's session on a holiday that closes its room is not made.

A session made from a template carries the template's id and is made again
each time the week loads: a written-out week loads back to the same sessions,
and a week whose templates are dropped keeps its sessions as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from scheduler.domain import Activity, Policy, Problem, Room, Session, SessionTemplate
from scheduler.public_holidays import add_holiday_closures, closes, holidays_in_week
from scheduler.references import session_fit_errors
from scheduler.spans import inside, week_spans
from scheduler.week import DAYS, WeekClock, parse_week, week_minute


def anchor_monday(template: SessionTemplate) -> date:
    """Give the Monday of a week the template runs in: its anchor week, else its first week."""
    if template.anchor_week is not None:
        return parse_week(template.anchor_week)
    first = template.valid_from or date.min
    return first - timedelta(days=first.weekday())


def runs_on(template: SessionTemplate, week: str) -> tuple[date, str] | None:
    """Give the date and start time of the template's session in the week, or None if none runs."""
    monday = parse_week(week)
    day = monday + timedelta(days=DAYS.index(template.day))
    if template.valid_from is not None and day < template.valid_from:
        return None
    if template.valid_until is not None and day > template.valid_until:
        return None
    if template.every_weeks == 2 and ((monday - anchor_monday(template)).days // 7) % 2:
        return None
    start = template.start
    for exception in template.exceptions:
        if exception.date == day:
            if exception.start is None:
                return None
            start = exception.start
    return day, start


def sessions_for(
    week: str,
    templates: Sequence[SessionTemplate],
    rooms: Mapping[str, Room],
    activities: Mapping[str, Activity],
    policy: Policy | None = None,
) -> list[Session]:
    """Give the week's sessions made from the templates, in template order.

    With a ``policy``, a session on a public holiday that closes its room is
    not made. Any other closure (an event, a repair) leaves it made: like a
    written session, it then cannot run, and a check or repair says so.
    """
    clock = WeekClock(week)
    holidays = holidays_in_week(week) if policy is not None else {}
    sessions: list[Session] = []
    for template in templates:
        when = runs_on(template, week)
        room, activity = rooms.get(template.room), activities.get(template.activity)
        if when is None or room is None or activity is None:
            continue
        day, start_clock = when
        if day in holidays and policy is not None and closes(policy, room):
            continue
        sessions.append(
            Session(
                id=f"{template.id}-{day:%Y%m%d}",
                activity=template.activity,
                room=template.room,
                start=clock.moment(week_minute(template.day, start_clock)),
                capacity=template.capacity,
                template=template.id,
            )
        )
    return sessions


def _outside_hours(where: str, room: Room, day: str, start: str, minutes: int) -> list[str]:
    begin = week_minute(day, start)
    if inside(week_spans(room.open), begin, begin + minutes):
        return []
    return [
        f"{where}: {day} {start} to +{minutes} min is outside the opening hours of room '{room.id}'"
    ]


def template_errors(
    templates: Sequence[SessionTemplate],
    rooms: Mapping[str, Room],
    activities: Mapping[str, Activity],
) -> list[str]:
    """Give one message per template naming an unknown or unfit room or activity, or its time."""
    messages: list[str] = []
    seen: set[str] = set()
    for index, template in enumerate(templates):
        where = f"session_templates[{index}]"
        if template.id in seen:
            messages.append(f"{where}.id: duplicate id '{template.id}'")
        seen.add(template.id)
        activity, room = activities.get(template.activity), rooms.get(template.room)
        if activity is None:
            messages.append(f"{where}.activity: unknown activity '{template.activity}'")
        if room is None:
            messages.append(f"{where}.room: unknown room '{template.room}'")
        if activity is None or room is None:
            continue
        messages += session_fit_errors(where, activity, room)
        messages += _outside_hours(
            f"{where}.start", room, template.day, template.start, activity.minutes
        )
        for position, exception in enumerate(template.exceptions):
            if exception.start is not None:
                messages += _outside_hours(
                    f"{where}.exceptions[{position}].start",
                    room,
                    template.day,
                    exception.start,
                    activity.minutes,
                )
    return messages


def apply_templates(problem: Problem) -> list[str]:
    """Close the rooms on public holidays and make the week's sessions from its templates.

    Gives the templates' errors instead, changing nothing, when any is wrong.
    Sessions made from one of the problem's templates before are made again.
    """
    rooms = {room.id: room for room in problem.rooms}
    activities = {activity.id: activity for activity in problem.activities}
    messages = template_errors(problem.session_templates, rooms, activities)
    if messages:
        return messages
    add_holiday_closures(problem)
    if not problem.session_templates:
        return []
    ids = {template.id for template in problem.session_templates}
    written = [s for s in problem.sessions if s.template not in ids]
    made = sessions_for(problem.week, problem.session_templates, rooms, activities, problem.policy)
    problem.sessions = written + made
    return []
