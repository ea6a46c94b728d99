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

from collections.abc import Iterable

from scheduler.domain import Activity, Assignment, Problem
from scheduler.eligibility import eligible
from scheduler.entitlements import entitled
from scheduler.objective import raise_steps
from scheduler.occupancy import Occupancy
from scheduler.placement import first_fit


def volunteer_cost(problem: Problem, activity: Activity) -> float:
    """Give the volunteer minutes one father's occurrence costs, a session shared by its seats."""
    minutes = activity.minutes * activity.volunteers
    if activity.placement == "individual":
        return float(minutes)
    seats = [s.capacity for s in problem.sessions if s.activity == activity.id]
    return minutes / max(seats, default=1)


class _Placer:
    """Places occurrences one by one, and remembers what did not fit.

    Placing only ever takes room, people, time and cap, so an occurrence that
    did not fit once never fits later: it is not tried again.
    """

    def __init__(
        self, problem: Problem, earliest: int = 0, placed: Iterable[Assignment] = ()
    ) -> None:
        self.problem = problem
        self.earliest = earliest
        # A placed assignment with a pin's id is that pin, so it is held once.
        self.occupancy = Occupancy(problem, [*problem.pinned, *placed])
        self.failed: set[tuple[str, str]] = set()

    def place(self, father_id: str, activity: Activity) -> None:
        """Place one more occurrence if it fits."""
        key = (father_id, activity.id)
        if key in self.failed:
            return
        preferred = self.problem.father_by_id[father_id].preferred
        assignment = first_fit(
            self.problem,
            self.occupancy,
            father_id,
            activity.id,
            earliest=self.earliest,
            preferred=preferred,
        )
        if assignment is None:
            self.failed.add(key)
        else:
            self.occupancy.add(assignment)


def _owed(problem: Problem, activities: list[Activity]) -> dict[tuple[str, str], int]:
    """Give each (father, activity)'s entitlement this week."""
    return {
        (father.id, activity.id): entitled(problem, father, activity)
        for father in problem.fathers
        for activity in activities
    }


def _cheapest_first(problem: Problem) -> list[Activity]:
    """Give the activities, those costing the fewest volunteer minutes per father first."""
    return sorted(problem.activities, key=lambda a: volunteer_cost(problem, a))


def priority_order(problem: Problem, earliest: int = 0) -> list[Assignment]:
    """Give a valid roster placed greedily in the order of the objective's tiers.

    With ``earliest`` (a week minute: a repair's moment), nothing is placed
    before it: what began before it is pinned as it happened.
    """
    placer = _Placer(problem, earliest)
    occupancy = placer.occupancy
    activities = _cheapest_first(problem)
    owed = _owed(problem, activities)
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
    # Among equals, the fathers the weeks before served worst choose first (their raise).
    raised = {f.id: raise_steps(problem, f) for f in problem.fathers}
    waiting = sorted(problem.fathers, key=lambda f: (choices[f.id], -raised[f.id]))
    for activity in visits:
        for father in waiting:
            seen = sum(occupancy.occurrences(father.id, a.id) * a.minutes for a in visits)
            if (
                seen < legal
                and occupancy.occurrences(father.id, activity.id) < owed[father.id, activity.id]
            ):
                placer.place(father.id, activity)
    _rounds(placer, activities, owed)
    return occupancy.assignments()


def filled_around(
    problem: Problem, placed: list[Assignment], earliest: int = 0
) -> list[Assignment]:
    """Give a valid roster that keeps ``placed`` and adds occurrences round by round.

    The search of the legal tier decides the visits alone; this fills the
    rest of the week around them as ``priority_order`` does, so the next
    tier starts from a roster that already spreads its occurrences.
    """
    placer = _Placer(problem, earliest, placed)
    activities = _cheapest_first(problem)
    _rounds(placer, activities, _owed(problem, activities))
    return placer.occupancy.assignments()


def _rounds(placer: _Placer, activities: list[Activity], owed: dict[tuple[str, str], int]) -> None:
    """Place occurrences round by round: everyone's first of each activity before any second.

    Within a round the fathers with the highest raise (the weeks before) go first.
    """
    occupancy = placer.occupancy
    rounds = max(owed.values(), default=0)
    problem = placer.problem
    fathers = sorted(problem.fathers, key=lambda f: -raise_steps(problem, f))
    for round_ in range(1, rounds + 1):
        for activity in activities:
            for father in fathers:
                wanted = min(round_, owed[father.id, activity.id])
                if occupancy.occurrences(father.id, activity.id) < wanted:
                    placer.place(father.id, activity)
