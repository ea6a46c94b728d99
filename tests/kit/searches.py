"""A CP-SAT search that stops once a solution reaches a known ceiling of its objective.

Tests that check a maximisation reaches a value they know to be its optimum
(all the fathers, the flow's ceiling) need not wait for CP-SAT to prove it:
no solution can pass the ceiling, so the first one that reaches it is the
optimum. A search that never reaches it runs to its time limit, as before.
"""

from __future__ import annotations

from ortools.sat.python import cp_model


class _Reached(cp_model.CpSolverSolutionCallback):
    """Stop the search at the first solution whose objective reaches ``ceiling``."""

    def __init__(self, ceiling: float) -> None:
        super().__init__()
        self.ceiling = ceiling

    def on_solution_callback(self) -> None:
        if self.objective_value >= self.ceiling:
            self.stop_search()


def solve_to_ceiling(
    solver: cp_model.CpSolver, model: cp_model.CpModel, ceiling: float
) -> cp_model.CpSolverStatus:
    """Give the status of maximising ``model``, stopped once a solution reaches ``ceiling``."""
    return solver.solve(model, _Reached(ceiling))
