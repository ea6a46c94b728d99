"""Hand-made rosters on fixtures/tiny.json (week 2027-W05, Monday 2027-02-01), checked by hand.

``base()`` breaks no hard rule:

- A1 the Wednesday visit-hall session, F-001 and F-004, volunteers V-EX1 and V-HU1, officer O-01;
- A2 F-001's family-room visit on Tuesday 15:00-16:30 with V-EX1 and O-01;
- A3 F-002's video call on Monday 16:00-16:30 (before his Wednesday time-out);
- A4 F-001's video call on Monday 16:30-17:00.

Volunteers work 3.5 h of the 6 h partner cap (V-EX1 2.5 h of 4, V-HU1 1 h of 4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from scheduler.domain import Assignment, Problem, Roster, parse_problem
from scheduler.week import TZ

DATES = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


def at(day: str, clock: str) -> datetime:
    """Give the local moment of a day of week 2027-W05 and a clock time."""
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime(2027, 2, DATES[day], hours, minutes, tzinfo=TZ)


def slot(
    key: str,
    activity: str,
    day: str,
    clock: str,
    minutes: int,
    room: str | None,
    fathers: Sequence[str],
    volunteers: Sequence[str] = (),
    officers: Sequence[str] = (),
    session: str | None = None,
) -> Assignment:
    """Give one assignment starting at ``day clock`` and lasting ``minutes``."""
    start = at(day, clock)
    return Assignment(
        id=key,
        activity=activity,
        start=start,
        end=start + timedelta(minutes=minutes),
        room=room,
        session=session,
        fathers=list(fathers),
        volunteers=list(volunteers),
        officers=list(officers),
    )


def base() -> list[Assignment]:
    """Give the valid hand-made roster's assignments (A1 to A4)."""
    return [
        slot(
            "A1", "regular_visit", "wed", "14:00", 60, "VH-BZ", ["F-001", "F-004"],
            ["V-EX1", "V-HU1"], ["O-01"], session="S-BZ-WED",
        ),
        slot(
            "A2", "family_room_visit", "tue", "15:00", 90, "VH-FK", ["F-001"],
            ["V-EX1"], ["O-01"],
        ),
        slot("A3", "video_call", "mon", "16:00", 30, "VH-BB1", ["F-002"]),
        slot("A4", "video_call", "mon", "16:30", 30, "VH-BB1", ["F-001"]),
    ]  # fmt: skip


def roster(problem: Problem, assignments: list[Assignment]) -> Roster:
    """Give a roster of the problem's week holding these assignments."""
    return Roster(
        problem_id=problem.id, week=problem.week, status="feasible", assignments=assignments
    )


def variant(problem: Problem, change: Callable[[dict[str, Any]], None]) -> Problem:
    """Give the problem with its JSON changed in place by ``change``, parsed and checked anew."""
    data = problem.model_dump(mode="json")
    change(data)
    return parse_problem(data)


def replace(assignments: list[Assignment], key: str, **fields: Any) -> list[Assignment]:
    """Give the assignments with fields of the one with id ``key`` replaced."""
    return [a.model_copy(update=fields) if a.id == key else a for a in assignments]


def without(assignments: list[Assignment], *keys: str) -> list[Assignment]:
    """Give the assignments without those with these ids."""
    return [a for a in assignments if a.id not in keys]
