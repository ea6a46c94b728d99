"""Small weeks built in a test, and a solve that checks every roster it gives back.

``week(...)`` makes a Problem at one institution (``PI-T``) in week 2027-W05
(Monday 1 February 2027) on the default catalogue; each test adds only the
rooms, sessions, staff and fathers its rule needs. ``checked(...)`` solves
and asserts that the roster passes the independent validator and that its
reported objective and tiers are those recomputed from its assignments.
"""

from __future__ import annotations

from typing import Any

from scheduler.catalogue import default_catalogue
from scheduler.domain import Problem, Roster, parse_problem
from scheduler.objective import objective, tiers
from scheduler.validate import violations
from scheduler.week import DAYS
from solver.solve import Progress, SolveOptions, solve

INSTITUTION = "PI-T"
WEEK = "2027-W05"


def at(day: str, clock: str) -> str:
    """Give the local ISO time of a clock time on a day of week 2027-W05 (winter time)."""
    return f"2027-02-{1 + DAYS.index(day):02d}T{clock}:00+01:00"


def window(day: str, start: str, end: str) -> dict[str, str]:
    """Give a weekly window."""
    return {"day": day, "start": start, "end": end}


def every_day(start: str, end: str) -> list[dict[str, str]]:
    """Give the same window on each day of the week."""
    return [window(day, start, end) for day in DAYS]


def room(room_id: str, kind: str, open_: list[dict[str, str]], **fields: Any) -> dict[str, Any]:
    """Give a room of the institution (capacity 1, no changeover unless given)."""
    return {"id": room_id, "institution": INSTITUTION, "kind": kind, "open": open_, **fields}


def session(
    session_id: str, activity: str, room_id: str, start: str, capacity: int
) -> dict[str, Any]:
    """Give a session."""
    return {
        "id": session_id,
        "activity": activity,
        "room": room_id,
        "start": start,
        "capacity": capacity,
    }


def volunteer(
    volunteer_id: str, activities: list[str], available: list[dict[str, str]], **fields: Any
) -> dict[str, Any]:
    """Give a volunteer of the institution (36 hours unless given)."""
    return {
        "id": volunteer_id,
        "organisation": "Exodus",
        "institutions": [INSTITUTION],
        "available": available,
        "max_hours_week": 36,
        "activities": activities,
        **fields,
    }


def officer(officer_id: str, shifts: list[dict[str, str]]) -> dict[str, Any]:
    """Give an officer of the institution."""
    return {"id": officer_id, "institution": INSTITUTION, "shifts": shifts}


def father(father_id: str, shell: int = 3, **fields: Any) -> dict[str, Any]:
    """Give a father of the institution, with consent and a child of 14 unless given."""
    return {
        "id": father_id,
        "institution": INSTITUTION,
        "shell": shell,
        "children": [{"id": f"C-{father_id}", "birth_date": "2012-06-01"}],
        **fields,
    }


def week(
    *,
    rooms: list[dict[str, Any]] | None = None,
    sessions: list[dict[str, Any]] | None = None,
    volunteers: list[dict[str, Any]] | None = None,
    officers: list[dict[str, Any]] | None = None,
    fathers: list[dict[str, Any]] | None = None,
    pinned: list[dict[str, Any]] | None = None,
    policy: dict[str, Any] | None = None,
    activities: dict[str, dict[str, Any]] | None = None,
) -> Problem:
    """Give a week on the default catalogue; ``activities`` overrides fields per activity id."""
    catalogue = default_catalogue()
    changes = activities or {}
    return parse_problem(
        {
            "id": "test-week",
            "week": WEEK,
            "institutions": [{"id": INSTITUTION, "name": "PI Test"}],
            "policy": {**catalogue.policy.model_dump(mode="json"), **(policy or {})},
            "activities": [
                {**a.model_dump(mode="json"), **changes.get(a.id, {})} for a in catalogue.activities
            ],
            "entitlements": {
                str(shell): {name: entry.model_dump(mode="json") for name, entry in table.items()}
                for shell, table in catalogue.entitlements.items()
            },
            "rooms": rooms or [],
            "sessions": sessions or [],
            "volunteers": volunteers or [],
            "officers": officers or [],
            "fathers": fathers or [],
            "pinned": pinned or [],
        }
    )


def checked(
    problem: Problem,
    previous: Roster | None = None,
    *,
    time_limit: float = 10.0,
    deterministic: bool = False,
    progress: list[Progress] | None = None,
) -> Roster:
    """Give the solver's roster, asserting it breaks no rule and reports its own objective.

    An infeasible week has no roster to check: its status says so.
    """
    options = SolveOptions(time_limit=time_limit, workers=8, deterministic=deterministic)
    roster = solve(
        problem, options, previous, on_progress=progress.append if progress is not None else None
    )
    if roster.status in ("optimal", "feasible"):
        assert violations(problem, roster) == []
        assert roster.tiers == tiers(problem, roster.assignments, previous).as_dict()
        assert roster.objective == objective(problem, roster.assignments, previous)
        assert roster.bound is not None and roster.bound >= roster.objective
    return roster


def granted(roster: Roster, activity: str) -> list[tuple[str, str, str]]:
    """Give (father, day, start clock) of each occurrence of an activity, in time order."""
    found = []
    for assignment in sorted(roster.assignments, key=lambda a: (a.start, a.id)):
        if assignment.activity == activity:
            for father_id in assignment.fathers:
                day = DAYS[assignment.start.weekday()]
                found.append((father_id, day, assignment.start.strftime("%H:%M")))
    return found
