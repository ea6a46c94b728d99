"""Placing occurrences one by one for the warm start, every rule checked by first fit.

A ``Placer`` holds what is placed so far (an ``Occupancy``) and what did not
fit; ``strip_escorts`` takes the escorts off what it holds, for the legal
hour that comes first (``solver.legal_visits``) and the rounds that give
them back (``solver.warmstart``).
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.domain import Activity, Assignment, Problem
from scheduler.occupancy import Occupancy
from scheduler.placement import first_fit


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
