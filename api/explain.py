"""Why did a father not get an activity this week: the shortfall's reasons, with what blocks.

The reasons come from the roster's shortfall (found by checking, in
``scheduler.shortfalls``); the decisive one, with its numbers, and the
changes that would let one more occurrence in come from ``scheduler.unblock``.
The candidate times shown are spread over the week's days; each is tried again with
``scheduler.placement.blockers`` and, where it does not fit, the
assignments that hold the father, a room of the kind, or the staff who could
have gone are named.
"""

from __future__ import annotations

from typing import Any

from scheduler import reasons
from scheduler.domain import Assignment, Problem, Roster
from scheduler.entitlements import entitled
from scheduler.objective import granted_counts
from scheduler.occupancy import Occupancy
from scheduler.placement import blockers, candidate_times
from scheduler.unblock import decisive_reason, staffed_by, tried_times, unblocking
from scheduler.week import MINUTES_PER_DAY

CANDIDATES_SHOWN = 10


def _blocking(
    problem: Problem,
    assignments: list[Assignment],
    father_id: str,
    activity_id: str,
    start: int,
    why: list[str],
) -> list[dict[str, Any]]:
    """Give the assignments that take the father, a room or staff the occurrence needed."""
    father = problem.father_by_id[father_id]
    activity = problem.kind(activity_id)
    serving = staffed_by(problem, activity_id)
    clock = problem.clock
    end = start + activity.minutes
    kinds = {reason.split(":", 1)[1] for reason in why if reason.startswith(f"{reasons.CAPACITY}:")}
    found = []
    for assignment in assignments:
        low, high = clock.minute(assignment.start), clock.minute(assignment.end)
        room = problem.room_by_id.get(assignment.room or "")
        changeover = room.changeover_minutes if room is not None and not assignment.session else 0
        if not (low < end and start < high + changeover):
            continue
        takes: list[str] = []
        if reasons.FATHER_BUSY in why and father_id in assignment.fathers and start < high:
            takes.append(f"father {father_id}")
        if room is not None and room.kind in kinds and room.institution == father.institution:
            takes.append(f"room {room.id}")
        if start < high:
            if reasons.NO_VOLUNTEER in why or reasons.VOLUNTEER_MAX_HOURS in why:
                takes += [
                    f"volunteer {v}"
                    for v in assignment.volunteers
                    if not serving.isdisjoint(problem.volunteer_by_id[v].activities)
                    and father.institution in problem.volunteer_by_id[v].institutions
                ]
            if reasons.NO_OFFICER in why:
                takes += [
                    f"officer {o}"
                    for o in assignment.officers
                    if problem.officer_by_id[o].institution == father.institution
                ]
        if takes:
            found.append(
                {
                    "assignment": assignment.id,
                    "activity": assignment.activity,
                    "start": assignment.start.isoformat(),
                    "end": assignment.end.isoformat(),
                    "takes": takes,
                }
            )
    return found


def explain(problem: Problem, roster: Roster, father_id: str, activity_id: str) -> dict[str, Any]:
    """Give the father's entitlement, what was granted, every reason, and what blocks each time."""
    # The candidates come first: asking for them names an unknown father or activity (422).
    candidates = list(candidate_times(problem, father_id, activity_id))
    father = problem.father_by_id[father_id]
    activity = problem.kind(activity_id)
    wanted = entitled(problem, father, activity)
    granted = granted_counts(problem, roster.assignments)[father_id, activity_id]
    shortfall = next(
        (s for s in roster.shortfalls if s.father == father_id and s.activity == activity_id), None
    )
    occupancy = Occupancy(problem, roster.assignments)
    every = tried_times(problem, occupancy, father_id, activity_id) if granted < wanted else []
    decisive = decisive_reason(
        problem, occupancy, activity_id, every, shortfall.reasons if shortfall else []
    )
    unblock = (
        unblocking(problem, roster.assignments, father_id, activity_id, every) if decisive else []
    )
    tried = []
    for start, session_id in _spread(candidates, CANDIDATES_SHOWN):
        assignment, why = blockers(problem, occupancy, father_id, activity_id, start, session_id)
        tried.append(
            {
                "start": problem.clock.moment(start).isoformat(),
                "session": session_id,
                "fits": assignment is not None,
                "reasons": why,
                "blocking": _blocking(
                    problem, roster.assignments, father_id, activity_id, start, why
                ),
            }
        )
    return {
        "father": father_id,
        "activity": activity_id,
        "entitled": wanted,
        "granted": granted,
        "shortfall": granted < wanted,
        "reasons": shortfall.reasons if shortfall is not None else [],
        "decisive": None
        if decisive is None
        else {
            "reason": decisive.reason,
            "blocked": decisive.blocked,
            "candidates": decisive.candidates,
            **decisive.figures,
        },
        "unblock": [
            {
                "change": change.change,
                "start": problem.clock.moment(change.start).isoformat(),
                "session": change.session,
                **change.figures,
            }
            for change in unblock
        ],
        "candidates": len(candidates),
        "tried": tried,
    }


def _spread(candidates: list[tuple[int, str | None]], count: int) -> list[tuple[int, str | None]]:
    """Give up to ``count`` candidates spread over the days: each day's first, then its next."""
    by_day: dict[int, list[tuple[int, str | None]]] = {}
    for candidate in candidates:
        by_day.setdefault(candidate[0] // MINUTES_PER_DAY, []).append(candidate)
    chosen: list[tuple[int, str | None]] = []
    rank = 0
    while len(chosen) < count and any(rank < len(day) for day in by_day.values()):
        chosen += [day[rank] for _, day in sorted(by_day.items()) if rank < len(day)]
        rank += 1
    return sorted(chosen[:count])
