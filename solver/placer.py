"""Placing occurrences one by one for the warm start, every rule checked by first fit.

A ``Placer`` holds what is placed so far (an ``Occupancy``) and what did not
fit; ``strip_escorts`` takes the escorts off what it holds, for the legal
hour that comes first (``solver.legal_visits``) and the rounds that give
them back (``solver.warmstart``).
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.domain import Activity, Assignment, Problem
from scheduler.entitlements import max_per_day
from scheduler.occupancy import Occupancy
from scheduler.placement import first_fit
from scheduler.week import MINUTES_PER_DAY


class Placer:
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


def strip_escorts(placer: Placer) -> bool:
    """Take the escorts off every placed occurrence that has them; tell whether any had.

    Pinned assignments keep theirs: they stand exactly as given.
    """
    problem = placer.problem
    stripped = False
    for assignment in escortable(placer):
        own = assignment.volunteers[: problem.activity_by_id[assignment.activity].volunteers]
        if len(own) < len(assignment.volunteers):
            placer.occupancy.add(assignment.model_copy(update={"volunteers": own}))
            stripped = True
    return stripped


def escortable(placer: Placer) -> list[Assignment]:
    """Give the placed occurrences of activities with escorts that are not pinned."""
    problem = placer.problem
    pinned = placer.occupancy.index.pinned
    return [
        a
        for a in placer.occupancy.assignments()
        if problem.activity_by_id[a.activity].escorts and not a.pinned and a.id not in pinned
    ]


def moved_for(placer: Placer, father_id: str, activity: Activity) -> bool:
    """Give the father one more of an individual activity by moving another father's; tell if so.

    Where the activity's rooms are taken at every time the father could have
    it, the occurrence of another father at a time this father is free, on a
    day he may have one more, moves to the first other time that fits that
    father, and this father takes its time. Where none can be moved so,
    nothing changes.
    """
    problem, occupancy = placer.problem, placer.occupancy
    father = problem.father_by_id[father_id]
    days = occupancy.occurrences_by_day(father_id, activity.id)
    busy = list(occupancy.father_spans(father_id))
    pinned = occupancy.index.pinned
    for other in [a for a in occupancy.assignments() if a.activity == activity.id]:
        start, end = occupancy.span(other.id)
        day = start // MINUTES_PER_DAY
        if other.pinned or other.id in pinned or start < placer.earliest:
            continue
        if days[day] >= max_per_day(problem, father, activity, day):
            continue
        if any(s < end and start < e for s, e in busy):
            continue
        occupancy.remove(other)
        until = start + activity.minutes
        mine = first_fit(problem, occupancy, father_id, activity.id, start, until)
        if mine is not None:
            occupancy.add(mine)
            moved = other.fathers[0]
            preferred = problem.father_by_id[moved].preferred
            theirs = first_fit(
                problem, occupancy, moved, activity.id, placer.earliest, preferred=preferred
            )
            if theirs is not None:
                occupancy.add(theirs)
                return True
            occupancy.remove(mine)
        occupancy.add(other)
    return False
