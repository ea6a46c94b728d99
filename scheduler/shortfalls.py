"""Why an entitlement was not fully granted: the shortfalls of a roster, with their reasons.

A reason names what actually blocks one more occurrence with the rest of the
roster held: every candidate time of the week is tried with
``scheduler.placement`` and the reasons of all of them together are given
(``entitlement_used`` where a ceiling is reached, ``time_out`` where a
time-out's days hold what the days before left of shell 2's figure,
``no_session`` where no session is left). A shortfall whose one more
occurrence would fit has no reasons: nothing blocks it, and none is guessed.
"""

from __future__ import annotations

from scheduler.domain import Assignment, Problem, Shortfall
from scheduler.entitlements import entitled
from scheduler.ids import ESCORTED_VISIT
from scheduler.objective import granted_counts
from scheduler.occupancy import Occupancy
from scheduler.placement import escort_reasons, refusal_reasons


def explain_shortfalls(problem: Problem, assignments: list[Assignment]) -> list[Shortfall]:
    """Give one shortfall per father and activity granted less than entitled, by father, activity.

    The occupancy is built once; the answers about rooms, staff and a
    father's day are shared by every father asked about the same time.
    """
    occupancy = Occupancy(problem, assignments)
    granted = granted_counts(problem, assignments)
    found: list[Shortfall] = []
    for father in sorted(problem.fathers, key=lambda f: f.id):
        for activity in sorted(problem.entitlement_activities, key=lambda a: a.id):
            wanted = entitled(problem, father, activity)
            have = granted[father.id, activity.id]
            if have >= wanted:
                continue
            if activity.id == ESCORTED_VISIT:
                why = escort_reasons(problem, occupancy, father.id)
            else:
                why = refusal_reasons(problem, occupancy, father.id, activity.id)
            found.append(
                Shortfall(
                    father=father.id,
                    activity=activity.id,
                    entitled=wanted,
                    granted=have,
                    reasons=why,
                )
            )
    return found
