"""Dutch public holidays, from the maintained ``holidays`` library, and the rooms they close.

The institution's policy (``policy.holiday_rooms_closed``) says which rooms a
public holiday closes all day: every room (``"all"``, the default), none
(``"none"``), or the rooms of the kinds it lists (``["visit_hall"]``). The
closures are added to ``Room.closed`` when the week loads, so the solver, the
checker and the KPIs all see them as any other closure.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from scheduler.domain import Policy, Problem, Room, TimeRange
from scheduler.week import TZ, parse_week


@lru_cache(maxsize=32)
def _year(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("NL", years=year, language="nl").items())


def holidays_in_week(week: str) -> dict[date, str]:
    """Give the Dutch public holidays of an ISO week, by date, with their Dutch names."""
    monday = parse_week(week)
    days = [monday + timedelta(days=day) for day in range(7)]
    found: dict[date, str] = {}
    for day in days:
        name = _year(day.year).get(day)
        if name is not None:
            found[day] = name
    return found


def closes(policy: Policy, room: Room) -> bool:
    """Tell whether the policy closes this room on a public holiday."""
    rule = policy.holiday_rooms_closed
    if rule == "all":
        return True
    if rule == "none":
        return False
    return room.kind in rule


def add_holiday_closures(problem: Problem) -> None:
    """Close, all day, each room the policy closes on each public holiday of the week.

    A closure the room already has is not added twice, so loading a written-out
    week again gives the same rooms.
    """
    days = holidays_in_week(problem.week)
    if not days:
        return
    for room in problem.rooms:
        if not closes(problem.policy, room):
            continue
        for day in sorted(days):
            start = datetime.combine(day, time(0, 0), tzinfo=TZ)
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=TZ)
            if not any(c.start == start and c.end == end for c in room.closed):
                room.closed.append(TimeRange(start=start, end=end))
