"""The linear relaxation of a CP-SAT model, and the upper bound on its objective it proves.

Every literal may take any value between 0 and 1, and every constraint the
relaxation understands becomes a linear row: linear constraints (the hull of
their domain), clauses and implications (``bool_or``, ``bool_and``, with their
enforcement literals), ``at_most_one`` and ``exactly_one``. Any other
constraint, and a linear one with an enforcement literal, is left out, which
only loosens the relaxation. GLOP solves it (``glop_duals``), or another
``DualSolver`` the caller gives, such as HiGHS's simplex
(``solver.highs.highs_duals``), which needs a third to a quarter of GLOP's CPU
time on the fixture weeks.

The bound is not GLOP's objective value, which is exact only up to its
tolerances: it is recomputed from GLOP's duals by weak duality, which holds for
any duals whatever, so the bound is proven even when the duals are inexact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from ortools.linear_solver.python import model_builder_helper as mb
from ortools.sat.python import cp_model, cp_model_helper
from scipy import sparse

# Relative slack for the floating-point sums of the bound: far above their rounding error,
# far below one unit of a whole-number objective.
ROUNDING = 1e-9


@dataclass
class Rows:
    """Linear rows ``low <= sum(coefficient * variable) <= high``, gathered as a sparse matrix."""

    rows: list[int] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    source: list[int] = field(default_factory=list)
    """The index of the model's constraint each row comes from."""
    constraint: int = -1

    def add(self, terms: dict[int, float], low: float, high: float) -> None:
        """Add one row over variables (by index) with their coefficients."""
        row = len(self.low)
        self.source.append(self.constraint)
        for column, value in terms.items():
            if value:
                self.rows.append(row)
                self.columns.append(column)
                self.values.append(value)
        self.low.append(low)
        self.high.append(high)

    def add_clause(self, literals: list[int]) -> None:
        """Add that at least one of the literals holds (a literal ``-i - 1`` is ``not i``)."""
        terms, constant = literal_terms(literals)
        self.add(terms, 1.0 - constant, math.inf)

    def add_count(self, literals: list[int], low: float, high: float) -> None:
        """Add that between ``low`` and ``high`` of the literals hold."""
        terms, constant = literal_terms(literals)
        self.add(terms, low - constant, high - constant)


def literal_terms(literals: list[int]) -> tuple[dict[int, float], float]:
    """Give the sum of literals as coefficients per variable and a constant (``not x = 1 - x``)."""
    terms: dict[int, float] = {}
    constant = 0.0
    for literal in literals:
        if literal >= 0:
            terms[literal] = terms.get(literal, 0.0) + 1.0
        else:
            terms[-literal - 1] = terms.get(-literal - 1, 0.0) - 1.0
            constant += 1.0
    return terms, constant


def _negated(literals: list[int]) -> list[int]:
    """Give each literal's negation."""
    return [-literal - 1 for literal in literals]


# What a caller does with a constraint the rows leave out: add rows of its own, or refuse it.
OtherConstraint = Callable[[Rows, cp_model_helper.ConstraintProto], None]


def model_rows(model: cp_model.CpModel, other: OtherConstraint | None = None) -> Rows:
    """Give the rows of every constraint of the model the relaxation understands.

    Each other constraint (a linear one enforced or with holes in its domain,
    or a kind without rows here) goes to ``other`` when given; otherwise it is
    left out, and a linear domain with holes is taken as its hull.
    """
    rows = Rows()
    for index, constraint in enumerate(model.proto.constraints):
        rows.constraint = index
        enforcement = list(constraint.enforcement_literal)
        if constraint.has_linear() and other is not None and _other_linear(constraint):
            other(rows, constraint)
        elif constraint.has_linear():
            if enforcement:
                continue
            linear = constraint.linear
            domain = linear.domain
            low, high = float(domain[0]), float(domain[len(domain) - 1])
            terms: dict[int, float] = {}
            for variable, coefficient in zip(linear.vars, linear.coeffs, strict=True):
                terms[variable] = terms.get(variable, 0.0) + coefficient
            rows.add(
                terms,
                -math.inf if low <= cp_model.INT_MIN else low,
                math.inf if high >= cp_model.INT_MAX else high,
            )
        elif constraint.has_bool_or():
            rows.add_clause(list(constraint.bool_or.literals) + _negated(enforcement))
        elif constraint.has_bool_and():
            for literal in constraint.bool_and.literals:
                rows.add_clause([literal, *_negated(enforcement)])
        elif constraint.has_at_most_one() and not enforcement:
            rows.add_count(list(constraint.at_most_one.literals), -math.inf, 1.0)
        elif constraint.has_exactly_one() and not enforcement:
            rows.add_count(list(constraint.exactly_one.literals), 1.0, 1.0)
        elif other is not None:
            other(rows, constraint)
    return rows


def _other_linear(constraint: cp_model_helper.ConstraintProto) -> bool:
    """Tell whether a linear constraint is more than one row: enforced, or with holes."""
    return bool(constraint.enforcement_literal) or len(constraint.linear.domain) > 2


def _proven_bound(
    duals: NDArray[np.float64],
    matrix: sparse.csr_matrix,
    objective: NDArray[np.float64],
    rows: tuple[NDArray[np.float64], NDArray[np.float64]],
    columns: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> float:
    """Give the upper bound weak duality proves for ``max objective . x`` from any duals.

    For every x within the column bounds and the rows, ``objective . x`` equals
    ``(objective - A^T y) . x + y . (A x)``; each part is at most its best over
    the bounds. A dual whose side of its row is unbounded is taken as 0.
    """
    low, high = rows
    lower, upper = columns
    y = np.where((duals > 0) & np.isinf(high), 0.0, duals)
    y = np.where((y < 0) & np.isinf(low), 0.0, y)
    sides = np.where(y > 0, y * np.where(np.isinf(high), 0.0, high), 0.0) + np.where(
        y < 0, y * np.where(np.isinf(low), 0.0, low), 0.0
    )
    reduced = objective - matrix.T @ y
    best = np.maximum(reduced * lower, reduced * upper)
    total = float(sides.sum() + best.sum())
    slack = ROUNDING * float(np.abs(sides).sum() + np.abs(best).sum()) + ROUNDING
    return total + slack


@dataclass
class Program:
    """The relaxation as a linear program over the model's free variables (fixed ones folded in)."""

    matrix: sparse.csr_matrix
    objective: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    offset: float
    source: NDArray[np.int64]


def _program(model: cp_model.CpModel, rows: Rows) -> Program:
    """Give the relaxation's program of a maximised model from its rows."""
    proto = model.proto
    goal = proto.objective
    count = len(proto.variables)
    objective = np.zeros(count)
    # A maximised objective is kept negated, with a negative scaling factor.
    for variable, coefficient in zip(goal.vars, goal.coeffs, strict=True):
        objective[variable] -= coefficient
    lower = np.array([float(v.domain[0]) for v in proto.variables])
    upper = np.array([float(v.domain[len(v.domain) - 1]) for v in proto.variables])
    shape = (len(rows.low), count)
    matrix = sparse.csr_matrix((rows.values, (rows.rows, rows.columns)), shape=shape)
    found = Program(
        matrix, objective, lower, upper, np.array(rows.low), np.array(rows.high),
        -goal.offset, np.array(rows.source, dtype=np.int64),
    )  # fmt: skip
    fixed = lower == upper
    if fixed.any():
        # Fixed variables are constants: moved into the rows' sides and the objective's
        # offset, they leave GLOP a smaller program with the same optimum.
        constants = np.where(fixed, lower, 0.0)
        taken = matrix @ constants
        found.offset += float(objective @ constants)
        free = ~fixed
        kept = matrix[:, free]
        used = np.diff(kept.indptr) > 0
        found.matrix = kept[used]
        found.low, found.high = (found.low - taken)[used], (found.high - taken)[used]
        found.objective, found.lower, found.upper = objective[free], lower[free], upper[free]
        found.source = found.source[used]
    return found


# Who solves the relaxation: duals of the program's rows within a time limit, or None.
DualSolver = Callable[[Program, float], NDArray[np.float64] | None]


def glop_duals(program: Program, seconds: float) -> NDArray[np.float64] | None:
    """Give GLOP's duals of the program's rows (gain of the objective per unit of a side)."""
    builder = mb.ModelBuilderHelper()
    # The binding's stubs spell the array type in a way no array matches.
    p = program
    builder.fill_model_from_sparse_data(p.lower, p.upper, p.objective, p.low, p.high, p.matrix)  # type: ignore[arg-type]
    builder.set_maximize(True)
    solver = mb.ModelSolverHelper("glop")
    solver.set_time_limit_in_seconds(max(0.01, seconds))
    solver.solve(builder)
    if not solver.has_response() or solver.status() != mb.SolveStatus.OPTIMAL:
        return None
    duals = np.asarray(solver.dual_values(), dtype=np.float64)
    if duals.shape != program.low.shape or not np.isfinite(duals).all():
        return None
    return duals


def _maximised(model: cp_model.CpModel) -> bool:
    return model.proto.has_objective() and model.proto.objective.scaling_factor < 0


def relaxation_bound(
    model: cp_model.CpModel, seconds: float, solver: DualSolver = glop_duals
) -> int | None:
    """Give a proven upper bound on the model's objective (it must maximise), or None.

    ``solver`` solves the relaxation (GLOP; ``solver.highs.highs_duals`` is
    faster). None when the model has no objective to maximise, or the solver
    gives no duals in ``seconds``.
    """
    if not _maximised(model):
        return None
    if not model.proto.objective.vars:
        return math.floor(-model.proto.objective.offset)
    program = _program(model, model_rows(model))
    bound = _program_bound(program, seconds, solver)
    return None if bound is None else math.floor(bound + program.offset)


def _program_bound(
    program: Program, seconds: float, solver: DualSolver = glop_duals
) -> float | None:
    """Give the upper bound the solver's duals prove for the program (offset left out), or None."""
    duals = solver(program, seconds)
    if duals is None:
        return None
    # The solver's sign convention for duals is its own; both signs give a proven bound.
    sides = (program.low, program.high)
    bounds = (program.lower, program.upper)
    return min(
        _proven_bound(sign * duals, program.matrix, program.objective, sides, bounds)
        for sign in (1.0, -1.0)
    )


def rows_bound(
    rows: Rows,
    gains: list[float],
    upper: list[float],
    seconds: float,
    solver: DualSolver = glop_duals,
) -> float | None:
    """Give a proven upper bound on the most ``gains . x`` over the rows, ``0 <= x <= upper``.

    A linear program of one's own, bounded as the model's relaxation is: by
    weak duality from the duals of ``solver`` (GLOP's unless told), whatever
    their accuracy. None when it gives no duals in ``seconds`` (the rows may
    have no solution at all).
    """
    return _program_bound(rows_program(rows, gains, upper), seconds, solver)


def rows_program(rows: Rows, gains: list[float], upper: list[float]) -> Program:
    """Give the program of maximising ``gains . x`` over the rows, ``0 <= x <= upper``."""
    shape = (len(rows.low), len(gains))
    matrix = sparse.csr_matrix((rows.values, (rows.rows, rows.columns)), shape=shape)
    return Program(
        matrix, np.array(gains, dtype=np.float64), np.zeros(len(gains)),
        np.array(upper, dtype=np.float64), np.array(rows.low), np.array(rows.high),
        0.0, np.array(rows.source, dtype=np.int64),
    )  # fmt: skip


def named_duals(model: cp_model.CpModel, seconds: float) -> dict[str, float] | None:
    """Give the relaxation's dual of each named linear constraint that keeps a row, by its name.

    A dual is the objective's gain per unit more on the constraint's bound
    side (``<=``: its right-hand side; an equality: its constant). None when
    the model has no objective to maximise or GLOP gives no duals.
    """
    if not _maximised(model):
        return None
    program = _program(model, model_rows(model))
    duals = glop_duals(program, seconds)
    if duals is None:
        return None
    constraints = model.proto.constraints
    found: dict[str, float] = {}
    for row, index in enumerate(program.source):
        name = constraints[int(index)].name
        if name:
            found[name] = found.get(name, 0.0) + float(duals[row])
    return found
