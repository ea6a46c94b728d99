"""The legal hour two weeks running: the most of those below it the week before, once more.

The legal tier counts fathers, so two rosters at its value may seat
different fathers; the one the tier's search ends with need not favour
those below the legal minimum the week before. Once the tier's value is
held, ``seat_missed`` searches the legal visits' sub-model
(``solver.model.VisitModel``) for the most of them at the legal minimum,
with the tier's count held at that value, from the solution's own visits
(docs/design.md section 10). What it finds is a tie-break inside the tier:
the count of every tier stays what it was.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.domain import Assignment
from solver.model import RosterModel, legal_sub_model
from solver.search import (
    SolveOptions,
    cp_sat_solver,
    maximize,
    solution_value,
    trivial_maximum,
)
from solver.tiers import LEGAL

# The most time the search takes; it runs only where the legal tier's solution leaves some of
# them below the legal minimum that could reach it.
MISSED_SECONDS = 2.0
# Its share of the time the solve has left, where that is less.
MISSED_SHARE = 0.1


def seat_missed(
    built: RosterModel,
    solution: cp_model.CpSolver,
    legal: int,
    options: SolveOptions,
    wall: float,
) -> list[Assignment] | None:
    """Give visits at the legal tier's value ``legal`` that bring more of the fathers below
    the legal minimum the week before to it than ``solution`` does; None where it has all
    it could, or the search finds no more in its time (``wall``: the solve's time left).
    """
    missed = built.terms.missed_at_legal
    if isinstance(missed, int):
        return None
    had = solution_value(solution, missed)
    # In deterministic mode the time is fixed in advance, as each tier's share is.
    seconds = min(
        MISSED_SECONDS, MISSED_SHARE * (options.time_limit if options.deterministic else wall)
    )
    seconds = seconds if wall > 0 else 0.0
    if had >= trivial_maximum(built.model, missed) or seconds <= 0:
        return None
    sub = legal_sub_model(built, solution)
    sub.model.add(sub.terms.expressions[LEGAL] >= legal)
    maximize(sub.model, sub.terms.missed_at_legal)
    solver = cp_sat_solver(options, seconds, wall)
    # As for the legal tier's own search on the sub-model: presolve's search for symmetries
    # would take most of the time.
    solver.parameters.symmetry_level = 0
    status = solver.solve(sub.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value <= had:
        return None
    return sub.read(lambda literal: solver.boolean_value(literal))
