"""First come, first served: the roster a booking system makes today, to measure the solver against.

Fathers ask in the order their requests arrive (a seeded shuffle); each asks
for everything he is entitled to, activity by activity, one occurrence at a
time, and takes the first slot that is free then. Nothing already booked is
ever moved for a later request, which is what "first come" means. Pinned
assignments are booked before anyone asks.
"""

from __future__ import annotations

import random
import time

from scheduler.domain import Problem, Roster
from scheduler.entitlements import entitled
from scheduler.kpis import compute_kpis
from scheduler.objective import objective, tiers
from scheduler.occupancy import Occupancy
from scheduler.placement import first_fit
from scheduler.shortfalls import explain_shortfalls

SOLVER_NAME = "fcfs"


def first_come_first_served(problem: Problem, seed: int = 0) -> Roster:
    """Give the first-come-first-served roster for a request order drawn with ``seed``."""
    began = time.perf_counter()
    occupancy = Occupancy(problem, problem.pinned)
    arrivals = list(problem.fathers)
    random.Random(seed).shuffle(arrivals)
    for father in arrivals:
        for activity in problem.activities:
            wanted = entitled(problem, father, activity)
            while occupancy.occurrences(father.id, activity.id) < wanted:
                assignment = first_fit(problem, occupancy, father.id, activity.id)
                if assignment is None:
                    # Later requests only take more, so what is refused now stays refused.
                    break
                occupancy.add(assignment)
    clock = problem.clock
    assignments = sorted(occupancy.assignments(), key=lambda a: (clock.minute(a.start), a.id))
    return Roster(
        problem_id=problem.id,
        week=problem.week,
        status="feasible",
        objective=objective(problem, assignments),
        solve_seconds=round(time.perf_counter() - began, 3),
        solver=SOLVER_NAME,
        tiers=tiers(problem, assignments).as_dict(),
        assignments=assignments,
        shortfalls=explain_shortfalls(problem, assignments),
        kpis=compute_kpis(problem, assignments),
    )
