"""What the grid tells beside its cards: sessions that do not run, free capacity, the bottleneck.

The figures come from ``scheduler.capacity``; this module puts them in the
cells of the grid (by room and day) and in words of the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.web.labels import Labels
from scheduler import reasons
from scheduler.capacity import (
    NOBODY_OWED,
    WOULD_FIT,
    Bottleneck,
    Idle,
    bottleneck,
    free_capacity,
    idle_sessions,
)
from scheduler.domain import Problem, Roster
from scheduler.week import MINUTES_PER_DAY, clock_text


@dataclass(frozen=True)
class IdleCard:
    """A session that does not run, as its grey card shows it."""

    session: str
    start: str
    end: str
    activity: str
    reason: str


@dataclass
class CellStory:
    """What one room's cell on one day adds to its cards: idle sessions, free hours, seats."""

    idle: list[IdleCard] = field(default_factory=list)
    free: str = ""
    seats: list[str] = field(default_factory=list)


@dataclass
class WeekStory:
    """The cells' additions by (room, day), and the sentence naming the week's bottleneck."""

    cells: dict[tuple[str, int], CellStory]
    bottleneck: str


def idle_text(idle: Idle, t: Labels) -> str:
    """Give why a session does not run, in words with its numbers."""
    if idle.reason == NOBODY_OWED:
        return t("idle_nobody_owed", tried=idle.tried)
    if idle.reason == WOULD_FIT:
        return t("idle_would_fit", fathers=idle.fathers)
    return t("idle_reason", reason=t.reason(idle.reason), fathers=idle.fathers, tried=idle.tried)


def bottleneck_text(found: Bottleneck | None, t: Labels) -> str:
    """Give the sentence naming the week's bottleneck with its figures (or that there is none)."""
    if found is None:
        return t("bottleneck_none")
    if found.reason.startswith(f"{reasons.CAPACITY}:"):
        what = t("resource_capacity", kind=t.room_kind(found.reason.split(":", 1)[1]))
    else:
        what = t(f"resource_{found.reason}")
    figures = found.figures
    extra = ""
    if found.reason == reasons.PARTNER_CAP:
        extra = t(
            "bottleneck_cap",
            used=t.number(figures["used_hours"]),
            cap=t.number(figures["cap_hours"]),
        )
    elif "open_hours" in figures:
        extra = t(
            "bottleneck_room",
            used=t.number(figures["used_hours"]),
            open=t.number(figures["open_hours"]),
        )
    elif "officers" in figures:
        extra = t("bottleneck_officers", officers=int(figures["officers"]))
    return t(
        "bottleneck", what=what, decides=found.decides, shortfalls=found.shortfalls, figures=extra
    )


def week_story(problem: Problem, roster: Roster, institution: str, t: Labels) -> WeekStory:
    """Give the grid's additions for a roster at one institution, in the labels' language."""
    clock = problem.clock
    cells: dict[tuple[str, int], CellStory] = {}
    for idle in idle_sessions(problem, roster.assignments, institution):
        start = clock.minute(idle.session.start)
        day, minute = divmod(start, MINUTES_PER_DAY)
        activity = problem.activity_by_id[idle.session.activity]
        card = IdleCard(
            idle.session.id,
            clock_text(minute),
            clock_text(minute + activity.minutes),
            t.activity(activity),
            idle_text(idle, t),
        )
        cells.setdefault((idle.session.room, day), CellStory()).idle.append(card)
    for free in free_capacity(problem, roster.assignments, institution):
        if not free.open_minutes:
            continue
        cell = cells.setdefault((free.room, free.day), CellStory())
        cell.free = t(
            "free_hours",
            free=t.number(free.free_minutes / 60),
            open=t.number(free.open_minutes / 60),
        )
        for session_id, left, capacity in free.seats:
            minute = clock.minute(problem.session_by_id[session_id].start) % MINUTES_PER_DAY
            cell.seats.append(
                t("seats_free", clock=clock_text(minute), free=left, capacity=capacity)
            )
    return WeekStory(cells, bottleneck_text(bottleneck(problem, roster, institution), t))
