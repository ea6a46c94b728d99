"""A quick roster placed in the objective's order of priority, to start CP-SAT from.

First come, first served spends the partner cap on whoever asks first, which
leaves many fathers without their legal hour. This greedy order follows the
tiers instead: first a visit for every father below the legal minimum, then
occurrences round by round (everyone's first occurrence of each activity
before anyone's second, as diminishing returns value them), the activities
that cost the fewest volunteer minutes per father first. Each placement is the
first fit of ``scheduler.placement``, preferred windows first, so every rule
is checked exactly as for a booking.
"""

from __future__ import annotations

from scheduler.domain import Activity, Assignment, Problem
from scheduler.eligibility import eligible
from scheduler.entitlements import entitled
from scheduler.placement import Occupancy, first_fit


def volunteer_cost(problem: Problem, activity: Activity) -> float:
    """Give the volunteer minutes one father's occurrence costs, a session shared by its seats."""
    minutes = activity.minutes * activity.volunteers
    if activity.placement == "individual":
        return float(minutes)
    seats = [s.capacity for s in problem.sessions if s.activity == activity.id]
    return minutes / max(seats, default=1)


def _place(problem: Problem, occupancy: Occupancy, father_id: str, activity: Activity) -> bool:
    """Give whether one more occurrence was placed (and place it)."""
    father = problem.father_by_id[father_id]
    assignment = first_fit(problem, occupancy, father_id, activity.id, preferred=father.preferred)
    if assignment is None:
        return False
    occupancy.add(assignment)
    return True


def priority_order(problem: Problem) -> list[Assignment]:
    """Give a valid roster placed greedily in the order of the objective's tiers."""
    occupancy = Occupancy(problem, problem.pinned)
    activities = sorted(problem.activities, key=lambda a: volunteer_cost(problem, a))
    owed = {
        (father.id, activity.id): entitled(problem, father, activity)
        for father in problem.fathers
        for activity in activities
    }
    legal = problem.policy.legal_min_visit_minutes
    visits = [a for a in activities if a.counts_as_visit]
    # Visits cheapest in volunteer minutes go round first, and within each the fathers with
    # the fewest kinds of visit choose first: a father who can only sit in the visit hall
    # needs its seats more than one who may also have a cell or family room visit.
    choices = {
        f.id: sum(
            1
            for a in visits
            if owed[f.id, a.id] > 0 and any(eligible(problem, f, a, day) for day in range(7))
        )
        for f in problem.fathers
    }
    waiting = sorted(problem.fathers, key=lambda f: choices[f.id])
    for activity in visits:
        for father in waiting:
            seen = sum(occupancy.occurrences(father.id, a.id) * a.minutes for a in visits)
            if (
                seen < legal
                and occupancy.occurrences(father.id, activity.id) < owed[father.id, activity.id]
            ):
                _place(problem, occupancy, father.id, activity)
    rounds = max(owed.values(), default=0)
    for round_ in range(1, rounds + 1):
        for activity in activities:
            for father in problem.fathers:
                wanted = min(round_, owed[father.id, activity.id])
                if occupancy.occurrences(father.id, activity.id) < wanted:
                    _place(problem, occupancy, father.id, activity)
    return occupancy.assignments()
