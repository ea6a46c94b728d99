"""The weeks ahead: the next week's problem made from this one, and a history added to a week.

``next_week`` is the plain repetition a horizon plans with (docs/design.md
section 10): the week name advanced, the sessions a week later at the same
wall-clock time, everything dated (time-outs, unavailability, closures)
kept by its date, pins dropped (they belong to their week), and the
history grown by the planned week's record. Sessions made from templates
replace the shifted ones where an institution has templates.
"""

from __future__ import annotations

from datetime import timedelta

from scheduler.domain import Problem, parse_problem
from scheduler.history import WINDOW_WEEKS, History, WeekRecord, week_after, weeks_between
from scheduler.week import TZ


def with_history(problem: Problem, history: History | None) -> Problem:
    """Give the problem with this history, checked as a whole (ProblemError naming the culprit)."""
    data = problem.model_dump(mode="json")
    data["history"] = None if history is None else history.model_dump(mode="json")
    return parse_problem(data)


def next_week(problem: Problem, record: WeekRecord | None = None) -> Problem:
    """Give the week after ``problem``: sessions a week later, dated facts kept, pins dropped.

    ``record`` (the planned week, ``scheduler.four_weeks.week_record``) joins
    the history; records that fall out of the four-week window are dropped.
    """
    week = week_after(problem.week)
    data = problem.model_dump(mode="json", exclude={"sessions", "pinned", "history"})
    data["week"] = week
    data["sessions"] = [
        {
            **session.model_dump(mode="json"),
            "start": (session.start.astimezone(TZ) + timedelta(days=7)).isoformat(),
        }
        for session in problem.sessions
    ]
    records = list(problem.history.weeks) if problem.history is not None else []
    if record is not None:
        records.append(record)
    kept = [r for r in records if _within_window(r.week, week)]
    data["history"] = History(weeks=kept).model_dump(mode="json") if kept else None
    return parse_problem(data)


def _within_window(record_week: str, week: str) -> bool:
    """Tell whether a record still counts for a week (one of the three weeks before it)."""
    return 0 < weeks_between(record_week, week) < WINDOW_WEEKS
