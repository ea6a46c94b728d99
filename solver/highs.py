"""The CP-SAT model of a tier group as a HiGHS mixed-integer program, and its solve.

The same model, not a second formulation: every variable of the CP-SAT model
becomes an integer column with the same bounds, and every constraint becomes
linear rows (``solver.relaxation.model_rows``): linear constraints, clauses,
implications and at-most-one as they are, and a linear constraint with
enforcement literals as the same row loosened by the most its sum could
exceed its side whenever an enforcement literal is false (big-M, with M the
exact reach of the sum over the variables' bounds). A constraint of any other
kind, or a domain with holes, cannot be translated and the model is refused
(``Untranslatable``). The objective is the model's, maximised.

HiGHS solves it with a time limit from the model's hint (a complete solution
is its first incumbent). A group of tiers is solved tier by tier (``Level``),
each held at its optimum while the next is maximised: weighted into one
objective, a lower tier's units fall below HiGHS's relative tolerances (on a
125-father week it "proved" 3 continuity units short of the optimum). Its
dual bound is the proven bound, within HiGHS's tolerances. Its solution is
whole-numbered and handed back per CP-SAT variable, for CP-SAT to check
against the model (``solver.portfolio``).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model, cp_model_helper

from solver.relaxation import Program, Rows, literal_terms, model_rows, rows_program

try:
    import highspy

    HIGHS_AVAILABLE = True
except ImportError:  # the ``highs`` extra is not installed: CP-SAT alone
    HIGHS_AVAILABLE = False

# A dual bound within this of a whole number is that number: HiGHS's own tolerances.
BOUND_TOLERANCE = 1e-6
# The objective is whole-numbered: a gap below one unit is a proof.
ABSOLUTE_GAP = 1 - 1e-6
# HiGHS's interrupt callback fires often; bounds are passed on at most this often (seconds).
REPORT_EVERY = 0.25

# Whether this process made its first HiGHS, which prints a banner on stdout as it is made.
_BANNER_SHOWN: list[bool] = []
# Told of HiGHS's progress: the best value so far (None before a solution) and the bound.
BoundHandler = Callable[[int | None, int], None]


@dataclass
class Level:
    """One tier of a group: its objective (a coefficient per variable, an offset) and weight.

    The group's objective is the sum of each level's objective times its weight.
    """

    terms: dict[int, int]
    offset: int
    weight: int

    def value(self, solution: list[int]) -> int:
        """Give the level's value in a solution."""
        return self.offset + sum(c * solution[v] for v, c in self.terms.items())

    def top(self, bounds: np.ndarray) -> int:
        """Give the most the level could be, each variable at its best bound."""
        best = (
            max(c * float(bounds[v, 0]), c * float(bounds[v, 1])) for v, c in self.terms.items()
        )
        return self.offset + sum(round(b) for b in best)


class Untranslatable(ValueError):
    """The model holds a constraint or domain the translation does not cover."""


@dataclass
class MipResult:
    """How HiGHS's solve of one model ended.

    ``value`` is its best solution's objective (None: no solution), ``bound``
    the bound it proved (None: none in time), ``solution`` one whole value per
    CP-SAT variable.
    """

    value: int | None
    bound: int | None
    optimal: bool
    solution: list[int] | None
    seconds: float


def _enforced(rows: Rows, constraint: cp_model_helper.ConstraintProto, bounds: np.ndarray) -> None:
    """Add an enforced linear constraint's rows, loosened (big-M) unless all its literals hold."""
    if not constraint.has_linear() or len(constraint.linear.domain) > 2:
        raise Untranslatable(f"a constraint the MIP does not cover: {constraint}")
    linear = constraint.linear
    terms: dict[int, float] = {}
    for variable, coefficient in zip(linear.vars, linear.coeffs, strict=True):
        terms[variable] = terms.get(variable, 0.0) + coefficient
    reach_low = sum(min(c * bounds[v, 0], c * bounds[v, 1]) for v, c in terms.items())
    reach_high = sum(max(c * bounds[v, 0], c * bounds[v, 1]) for v, c in terms.items())
    enforcement, constant = literal_terms(list(constraint.enforcement_literal))
    count = len(constraint.enforcement_literal)
    # Every enforcement literal true: ``literals + constant == count``; each false one frees M.
    low, high = float(linear.domain[0]), float(linear.domain[1])
    if low > reach_low and low > cp_model.INT_MIN:
        reach = low - reach_low
        row = dict(terms)
        for variable, coefficient in enforcement.items():
            row[variable] = row.get(variable, 0.0) - reach * coefficient
        rows.add(row, low - reach * (count - constant), math.inf)
    if high < reach_high and high < cp_model.INT_MAX:
        reach = reach_high - high
        row = dict(terms)
        for variable, coefficient in enforcement.items():
            row[variable] = row.get(variable, 0.0) + reach * coefficient
        rows.add(row, -math.inf, high + reach * (count - constant))


def objective_level(model: cp_model.CpModel, weight: int = 1) -> Level:
    """Give the model's maximised objective as a level of ``weight``.

    Raises ``Untranslatable`` for a model that does not maximise.
    """
    goal = model.proto.objective
    if not model.proto.has_objective() or goal.scaling_factor >= 0:
        raise Untranslatable("the model does not maximise an objective")
    terms: dict[int, int] = {}
    for variable, coefficient in zip(goal.vars, goal.coeffs, strict=True):
        # A maximised objective is kept negated, with a negative scaling factor.
        terms[variable] = terms.get(variable, 0) - int(coefficient)
    return Level(terms, -round(goal.offset), weight)


def variable_bounds(model: cp_model.CpModel) -> np.ndarray:
    """Give each variable's lower and upper bound; ``Untranslatable`` for a domain with holes."""
    variables = model.proto.variables
    bounds = np.empty((len(variables), 2))
    for index, variable in enumerate(variables):
        domain = variable.domain
        if len(domain) > 2:
            raise Untranslatable(f"variable {index} has a domain with holes")
        bounds[index] = (domain[0], domain[1])
    return bounds


def mip_program(model: cp_model.CpModel, level: Level | None = None) -> highspy.HighsLp:
    """Give the model as a HiGHS program: integer columns, linear rows, ``level`` maximised.

    Without a level, the model's own objective. Raises ``Untranslatable`` for
    a constraint or domain it does not cover, and for a model that does not
    maximise.
    """
    level = level or objective_level(model)
    bounds = variable_bounds(model)
    count = len(bounds)
    rows = model_rows(model, lambda r, c: _enforced(r, c, bounds))
    cost = np.zeros(count)
    for variable, coefficient in level.terms.items():
        cost[variable] = coefficient
    matrix = highspy.HighsSparseMatrix()
    matrix.format_ = highspy.MatrixFormat.kRowwise
    matrix.num_col_ = count
    matrix.num_row_ = len(rows.low)
    order = np.argsort(np.asarray(rows.rows, dtype=np.int64), kind="stable")
    matrix.start_ = np.searchsorted(
        np.asarray(rows.rows, dtype=np.int64)[order], np.arange(len(rows.low) + 1)
    ).astype(np.int32)
    matrix.index_ = np.asarray(rows.columns, dtype=np.int32)[order]
    matrix.value_ = np.asarray(rows.values, dtype=np.float64)[order]
    program = highspy.HighsLp()
    program.num_col_ = count
    program.num_row_ = len(rows.low)
    program.col_cost_ = cost
    program.col_lower_ = bounds[:, 0].copy()
    program.col_upper_ = bounds[:, 1].copy()
    program.row_lower_ = np.asarray(rows.low, dtype=np.float64)
    program.row_upper_ = np.asarray(rows.high, dtype=np.float64)
    program.a_matrix_ = matrix
    program.integrality_ = [highspy.HighsVarType.kInteger] * count
    program.sense_ = highspy.ObjSense.kMaximize
    program.offset_ = level.offset
    return program


def _new_highs() -> highspy.Highs:
    """Give a new HiGHS; the banner its process's first one prints goes nowhere.

    HiGHS prints it on stdout as that first one is made, before any option
    can be set: the command line writes rosters to stdout, which the banner
    would break, and a solve's stderr is its log. Each HiGHS made here then
    logs to no console (``_highs``).
    """
    if _BANNER_SHOWN:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    sys.stdout.flush()
    saved = os.dup(1)
    nowhere = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nowhere, 1)
    try:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(nowhere)
        _BANNER_SHOWN.append(True)


def _highs(threads: int, seconds: float) -> highspy.Highs:
    """Give a quiet HiGHS with a time limit, whole-number gaps and ``threads`` threads."""
    highs = _new_highs()
    # Logged to no console, so that the logging callback still hears of the root's bound.
    highs.setOptionValue("log_to_console", False)
    highs.setOptionValue("time_limit", max(0.01, seconds))
    highs.setOptionValue("threads", max(1, threads))
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", ABSOLUTE_GAP)
    return highs


def highs_duals(program: Program, seconds: float) -> NDArray[np.float64] | None:
    """Give the duals of a relaxation's rows by HiGHS's simplex (``solver.relaxation``).

    One thread, HiGHS's presolve on: on a 125-father week it takes about a third
    of GLOP's CPU time for the same program. None when it ends without an optimum.
    """
    highs = _optimal(_highs_lp(program), seconds)
    if highs is None:
        return None
    duals = np.asarray(highs.getSolution().row_dual, dtype=np.float64)
    usable = duals.shape == program.low.shape and np.isfinite(duals).all()
    return duals if usable else None


def _highs_lp(program: Program) -> highspy.HighsLp:
    """Give a relaxation's program (``solver.relaxation.Program``) as HiGHS's, maximised."""
    matrix = program.matrix
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = program.objective
    lp.col_lower_, lp.col_upper_ = program.lower, program.upper
    lp.row_lower_ = np.where(np.isinf(program.low), -highspy.kHighsInf, program.low)
    lp.row_upper_ = np.where(np.isinf(program.high), highspy.kHighsInf, program.high)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    return lp


def _optimal(program: highspy.HighsLp, seconds: float) -> highspy.Highs | None:
    """Give HiGHS on one thread with ``program`` solved to its optimum in ``seconds``, or None."""
    highs = _highs(1, seconds)
    highs.passModel(program)
    highs.run()
    return highs if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal else None


def rows_mip_bound(
    rows: Rows, gains: list[float], upper: list[float], whole: list[int], seconds: float
) -> int | None:
    """Give HiGHS's proven bound on the most ``gains . x`` over the rows, the ``whole`` integral.

    Every column lies between 0 and its ``upper``; the columns in ``whole``
    take whole numbers, the others any value. The bound is HiGHS's dual
    bound rounded down within its tolerance, and only where its branch and
    bound ends proven within ``seconds`` (so that it is the same on every
    run). None without HiGHS, without such an end, or where the rows have no
    solution.
    """
    if not HIGHS_AVAILABLE or not whole:
        return None
    program = _highs_lp(rows_program(rows, gains, upper))
    integrality = [highspy.HighsVarType.kContinuous] * len(gains)
    for column in whole:
        integrality[column] = highspy.HighsVarType.kInteger
    program.integrality_ = integrality
    highs = _optimal(program, seconds)
    if highs is None:
        return None
    dual = highs.getInfo().mip_dual_bound
    return _whole(dual) if math.isfinite(dual) else None


def _whole(value: float) -> int:
    """Give a bound HiGHS reports as the whole number below it (its tolerance allowed)."""
    return math.floor(value + BOUND_TOLERANCE * max(1.0, abs(value)))


@dataclass
class _Levels:
    """The solve of a group's levels in turn on one HiGHS, each held at its optimum."""

    highs: highspy.Highs
    levels: list[Level]
    tops: list[int]
    on_bound: BoundHandler | None
    stop: Callable[[], bool] | None
    held: int = 0
    index: int = 0
    last: float = 0.0

    def rest(self) -> int:
        """Give the most the levels after the current one could add to the group."""
        later = zip(self.levels[self.index + 1 :], self.tops[self.index + 1 :], strict=True)
        return sum(level.weight * top for level, top in later)

    def group_bound(self, bound: int) -> int:
        """Give the group's bound when the current level is bounded by ``bound``."""
        return self.held + self.levels[self.index].weight * bound + self.rest()

    def interrupt(self, event: Any) -> None:
        """Pass HiGHS's bound on now and then, and stop it when asked to."""
        dual = event.data_out.mip_dual_bound
        now = time.monotonic()
        if self.on_bound is not None and now - self.last >= REPORT_EVERY and math.isfinite(dual):
            self.last = now
            self.on_bound(None, self.group_bound(_whole(dual)))
        if self.stop is not None and self.stop():
            event.interrupt()

    def turn(self, index: int, solution: list[int]) -> None:
        """Make level ``index`` HiGHS's objective, the one before held at its optimum."""
        self.index = index
        level, before = self.levels[index], self.levels[index - 1]
        held = before.value(solution)
        columns = np.asarray(list(before.terms), dtype=np.int32)
        values = np.asarray(list(before.terms.values()), dtype=np.float64)
        self.highs.addRow(held - before.offset, highspy.kHighsInf, len(columns), columns, values)
        self.held += before.weight * held
        width = self.highs.getNumCol()
        cost = np.zeros(width)
        for variable, coefficient in level.terms.items():
            cost[variable] = coefficient
        self.highs.changeColsCost(width, np.arange(width, dtype=np.int32), cost)
        self.highs.changeObjectiveOffset(float(level.offset))
        start = np.asarray(solution, dtype=np.float64)
        self.highs.setSolution(width, np.arange(width, dtype=np.int32), start)


def _hint(highs: highspy.Highs, model: cp_model.CpModel) -> None:
    """Give HiGHS the model's hint as its starting solution (completed by HiGHS if partial)."""
    hint = model.proto.solution_hint
    if not hint.vars:
        return
    variables = np.asarray(list(hint.vars), dtype=np.int32)
    values = np.asarray(list(hint.values), dtype=np.float64)
    highs.setSolution(len(variables), variables, values)


def solve_mip(
    model: cp_model.CpModel,
    seconds: float,
    levels: list[Level] | None = None,
    threads: int = 1,
    on_bound: BoundHandler | None = None,
    stop: Callable[[], bool] | None = None,
) -> MipResult:
    """Give HiGHS's best solution and proven bound of the group within ``seconds``.

    ``levels`` are the group's tiers, highest first (default: the model's
    objective as one level); each is maximised with those before it held at
    their optimum. ``on_bound`` hears of the group's bound now and then;
    ``stop`` is asked as often and ends the solve when it says so. Raises
    ``Untranslatable``.
    """
    began = time.monotonic()
    levels = levels or [objective_level(model)]
    bounds = variable_bounds(model)
    run = _Levels(
        _highs(threads, seconds), levels, [lv.top(bounds) for lv in levels], on_bound, stop
    )
    run.highs.passModel(mip_program(model, levels[0]))
    _hint(run.highs, model)
    if on_bound is not None or stop is not None:
        # The interrupt comes in the tree only; the log line brings the root's bound too.
        for callback in (run.highs.cbMipInterrupt, run.highs.cbMipLogging):
            callback.subscribe(run.interrupt)
    solution: list[int] | None = None
    bound: int | None = None
    proven = False
    for index in range(len(levels)):
        if solution is not None:
            run.turn(index, solution)
        left = seconds - (time.monotonic() - began)
        if left <= 0:
            bound = run.group_bound(run.tops[index])
            break
        run.highs.setOptionValue("time_limit", left)
        run.highs.run()
        solution, optimal, level_bound = _level_end(run.highs, solution)
        if solution is None or not optimal:
            # Without a bound of its own (stopped before its root), the level's top stands.
            bound = run.group_bound(run.tops[index] if level_bound is None else level_bound)
            break
        proven = index == len(levels) - 1
    return _ended(levels, solution, bound, proven, began)


def _ended(
    levels: list[Level], solution: list[int] | None, bound: int | None, proven: bool, began: float
) -> MipResult:
    """Give the result of a group's solve: its solution's value, bound and proof."""
    value = None if solution is None else sum(lv.weight * lv.value(solution) for lv in levels)
    if proven:
        bound = value
    elif bound is not None and value is not None:
        bound = max(bound, value)
    return MipResult(value, bound, proven, solution, round(time.monotonic() - began, 3))


def _level_end(
    highs: highspy.Highs, before: list[int] | None
) -> tuple[list[int] | None, bool, int | None]:
    """Give the solution HiGHS ended a level with (or the one before), its proof and bound."""
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal and has_solution
    solution = [round(x) for x in highs.getSolution().col_value] if has_solution else before
    dual = info.mip_dual_bound
    bound = _whole(dual) if math.isfinite(dual) and abs(dual) < highspy.kHighsInf else None
    return solution, optimal, bound
