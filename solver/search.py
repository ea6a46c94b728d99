"""The CP-SAT search of one group of tiers: the parameter profile, the hints, the progress.

``search_group`` maximises one group's weighted objective on the roster model
and gives a ``GroupSearch``: the group's value, bound and proof, and the
solution to carry on from. Before the search, the week's counts bound the
entitlement tier (``solver.count_relaxation``) and the model's linear
relaxation is solved where it fits (``solver.relaxation``): their proven
bounds hold the group's, and the search stops once a solution reaches them.
The legal tier is searched on its exact sub-model, the visits alone
(``solver.model.VisitModel``). Each search starts from a hint, completed
into a model solution (``hinted_solution``), and may end no better than it;
the hint then stands.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model, cp_model_helper

from scheduler.domain import Assignment
from scheduler.objective import Tiers
from solver.count_relaxation import LP_SECONDS, value_bound
from solver.highs import HIGHS_AVAILABLE, highs_duals
from solver.live import LiveRosters
from solver.model import RosterModel, VisitModel, legal_sub_model
from solver.objectives import Expression
from solver.portfolio import SOLVERS, Found, run_search, tier_levels
from solver.relaxation import glop_duals, relaxation_bound
from solver.tiers import (
    ENTITLEMENTS,
    LEGAL,
    SHORTEST_TIER_SECONDS,
    GroupResult,
    anchored_result,
    group_top,
    headed_bound,
    search_limits,
    searched_result,
)

# The linear relaxation is solved before a group's search only where it is expected within
# its share of the group's time: at this many of the model's variables per CPU second, the
# slowest measured (docs/benchmarks.md, "The legal hour at once"). HiGHS's simplex took 4.9
# to 13.7 CPU s on 21,671 to 107,513 variables, GLOP 10.1 to 32.5 s on 21,671 to 45,125.
# Where it would not arrive, it would only take time from the search.
RELAXATION_VARIABLES_PER_SECOND = {"highs": 4_000, "glop": 1_400}
# The share of a group's time its relaxation may take; it needs under a second for an
# institution, and often proves the group on its own.
RELAXATION_SHARE = 0.5
# The least time the simplex has for the week's counts (``counted_bound``), which it solves
# in a fraction of a second at 1,000 fathers: also when the group's share is less or spent.
COUNTS_LEAST_SECONDS = 5.0
# The share of an entitlement group's time its search with the warm start's sessions and staff
# held (``held_sessions``) takes; it ends sooner only where it proves the held model's optimum.
HELD_SHARE = 0.75
# The share of the legal tier's time its search with the hint's session seats held
# (``_held_seats``) may take; it ends sooner where it proves the held model's optimum.
HELD_SEATS_SHARE = 0.25
# Completing a hint with every decision fixed takes about a CPU second at 400 fathers; this
# is only a safety net, wide enough for a machine shared many times over: at 10 s a 400-father
# week's completion (1.4 CPU seconds, 11 s of wall time at a load of 12) failed, and the search
# then started without the warm start and ended below it.
HINT_SECONDS = 60.0


@dataclass
class SolveOptions:
    """How long and how the solver searches."""

    time_limit: float = 30.0
    workers: int = 8
    deterministic: bool = False
    seed: int = 0
    log: bool = False
    # Solve each group's linear relaxation first (``relaxed_bound``).
    relaxation: bool = True
    # Who searches each group: "cp-sat", "highs" or "portfolio" (``solver.portfolio``).
    solver: str = "cp-sat"

    def __post_init__(self) -> None:
        if self.solver not in SOLVERS:
            raise ValueError(f"solver: {self.solver!r} is not one of {', '.join(SOLVERS)}")
        if self.solver != "cp-sat" and not HIGHS_AVAILABLE:
            raise ValueError(
                f"solver: {self.solver} needs HiGHS: pip install 'gezinsrooster[highs]'"
            )


@dataclass
class Progress:
    """A moment of the search: the tier being solved, its best value and its bound so far."""

    seconds: float
    tier: str
    objective: int | None
    bound: int | None


ProgressHandler = Callable[[Progress], None]


def tell(
    on_progress: ProgressHandler | None,
    began: float,
    tier: str,
    objective: int | None,
    bound: int | None,
) -> None:
    """Tell ``on_progress``, if there is one, of a moment of the search timed from ``began``."""
    if on_progress is not None:
        on_progress(Progress(round(time.monotonic() - began, 3), tier, objective, bound))


class Reporter(cp_model.CpSolverSolutionCallback):
    """Tells ``on_progress`` of each solution of one tier group better than the best so far.

    It keeps the last bound CP-SAT proved (``bound``): a search that ends
    without a solution of its own still proved it, and its response then reads 0.
    With ``live``, such a solution is also read out as the roster so far when
    one is due (``solver.live``).
    """

    def __init__(
        self,
        tier: str,
        began: float,
        on_progress: ProgressHandler | None,
        best: int | None,
        live: LiveRosters | None = None,
    ) -> None:
        super().__init__()
        self.tier = tier
        self.began = began
        self.on_progress = on_progress
        self.best = best
        self.live = live
        self.ceiling: int | None = None
        self.bound: int | None = None
        # A restricted model's search (``held_sessions``): its own bound holds only that
        # model, so the week's bound is told in its place.
        self.restricted = False

    def on_bound(self, bound: float) -> None:
        """Report a better bound of the tier group, with the best value so far."""
        self.bound = self._held(round(bound))
        tell(self.on_progress, self.began, self.tier, self.best, self.bound)

    def on_solution_callback(self) -> None:
        """Report the solution just found, if it beats the best so far; stop at the ceiling."""
        value = round(self.objective_value)
        if self.ceiling is not None and value >= self.ceiling:
            # No solution can do better (``solver.relaxation``): the search is done.
            self.stop_search()
        if self.best is not None and value <= self.best:
            return
        self.best = value
        own = self.bound if self.restricted else round(self.best_objective_bound)
        tell(
            self.on_progress, self.began, self.tier, value, None if own is None else self._held(own)
        )
        if self.live is not None and self.live.due():
            self.live.take(self.response_proto.solution)

    def take_ceiling(self, ceiling: int) -> bool:
        """Hold the bounds to a proven ``ceiling``; tell whether the best reaches it.

        The relaxation's and the legal tier's flow give one each; the lower holds.
        A ceiling below a solution already found cannot be and is left out.
        """
        if self.best is not None and ceiling < self.best:
            return False
        self.ceiling = ceiling if self.ceiling is None else min(self.ceiling, ceiling)
        self.bound = self.ceiling if self.bound is None else min(self.bound, self.ceiling)
        tell(self.on_progress, self.began, self.tier, self.best, self.bound)
        return self.best is not None and self.best >= self.ceiling

    def _held(self, bound: int) -> int:
        """Give CP-SAT's bound held to the relaxation's, which may be the lower."""
        return bound if self.ceiling is None else min(bound, self.ceiling)


def cp_sat_solver(
    options: SolveOptions, seconds: float, wall: float | None = None
) -> cp_model.CpSolver:
    """Give a CP-SAT solver with the roster's parameter profile and a limit of ``seconds``.

    ``wall`` is the wall-clock time the whole solve has left (``search_limits``).
    """
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.num_workers = max(1, options.workers)
    parameters.random_seed = options.seed
    parameters.log_search_progress = options.log
    if options.log:
        # The search log goes to stderr, so that stdout keeps only the roster.
        parameters.log_to_stdout = False
        solver.log_callback = _log_line
    # Probing in presolve costs seconds on a week of a hundred fathers and proves little here,
    # and so do presolve's later rounds and its search for big linear overlaps: without them
    # the search of a region's entitlements starts much sooner.
    parameters.cp_model_probing_level = 0
    parameters.max_presolve_iterations = 1
    parameters.find_big_linear_overlap = False
    if options.workers >= 2:
        # Every LP worker keeps the Boolean constraints in its LP too (a father, a room,
        # a person in one place at a time), so the bound comes early on a large week. A
        # lone worker would spend its time in that LP instead of searching.
        parameters.linearization_level = 2
    else:
        # Presolve turns linear constraints into the Boolean forms the default relaxation
        # leaves out; a lone worker's bound is then much weaker. Two workers or more keep
        # presolve: at level 2 their relaxation holds those forms anyway.
        parameters.cp_model_presolve = False
    deterministic, wall_limit = search_limits(
        seconds, 10 * seconds + 10 if wall is None else wall, options.deterministic
    )
    if deterministic is not None:
        # Interleaved search on a deterministic clock gives the same answer on every run
        # that the wall clock, the solve's own limit, does not cut short.
        parameters.interleave_search = True
        parameters.max_deterministic_time = deterministic
    parameters.max_time_in_seconds = max(SHORTEST_TIER_SECONDS, wall_limit)
    return solver


def _log_line(line: str) -> None:
    """Write one line of the CP-SAT search log to stderr."""
    print(line, file=sys.stderr, flush=True)


def hinted_solution(model: cp_model.CpModel) -> cp_model.CpSolver | None:
    """Give a solver holding the hinted solution, completed where the hint is silent.

    With every hinted variable fixed the model solves at once; None when the
    hint breaks a rule of the model. Presolve stays on, without its search
    for symmetries (a third of its time at 1,000 fathers, docs/benchmarks.md):
    without presolve, repeated solves of a 10-father week on a loaded machine
    once aborted the process in OR-Tools 9.15 (a failed check, "solution size
    == postsolve mapping size"), which presolve on was not seen to do.
    """
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.fix_variables_to_their_hinted_value = True
    parameters.symmetry_level = 0
    parameters.num_workers = 1
    parameters.max_time_in_seconds = HINT_SECONDS
    status = solver.solve(model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def hint_solution(built: RosterModel, solver: cp_model.CpSolver) -> None:
    """Hint the next group's solve with every variable of this solution."""
    values = list(solver.response_proto.solution)
    built.model.clear_hints()  # type: ignore[no-untyped-call]
    hint = built.model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


def solution_value(solver: cp_model.CpSolver | None, expression: Expression) -> int:
    """Give an expression's value in the solution (a constant tier is its own value)."""
    if isinstance(expression, int):
        return expression
    if solver is None:
        raise ValueError("a tier with variables needs a solution")
    return int(solver.value(expression))


def trivial_maximum(model: cp_model.CpModel, expression: Expression) -> int:
    """Give the largest value an expression could take, each variable at its best bound.

    The model's objective is left as it was.
    """
    if not isinstance(expression, cp_model.LinearExpr):
        return int(expression)
    flat = cp_model_helper.FlatIntExpr(expression)
    total = flat.offset
    for variable, coefficient in zip(flat.vars, flat.coeffs, strict=True):
        if variable.is_boolean:
            low, high = 0, 1
        else:
            domain = variable.proto.domain
            low, high = domain[0], domain[len(domain) - 1]
        total += max(coefficient * low, coefficient * high)
    return round(total)


def maximize(model: cp_model.CpModel, expression: Expression) -> None:
    """Make the expression the model's objective, to be maximised, as ``model.maximize`` does.

    ``model.maximize`` writes the objective's terms one by one from Python,
    1.5 CPU s for the entitlement tier's 337,500 terms at 1,000 fathers; this
    writes the same objective in lists, in two fifths of the time.
    """
    if not isinstance(expression, cp_model.LinearExpr):
        model.maximize(expression)
        return
    model.clear_objective()  # type: ignore[no-untyped-call]
    flat = cp_model_helper.FlatIntExpr(expression)
    objective = model.proto.objective
    # A maximised objective is kept negated, with a negative scaling factor.
    objective.vars.extend([variable.index for variable in flat.vars])
    objective.coeffs.extend([-coefficient for coefficient in flat.coeffs])
    objective.offset = -flat.offset
    objective.scaling_factor = -1.0


def relaxed_bound(
    searched: cp_model.CpModel, options: SolveOptions, budget: float, wall: float
) -> int | None:
    """Give the bound the group's linear relaxation proves (``solver.relaxation``), or None.

    It is solved before the search, in at most ``RELAXATION_SHARE`` of the
    group's time; the reporter then holds CP-SAT's bounds to it and stops the
    search once a solution reaches it. Models larger than its share is
    expected to solve (``RELAXATION_VARIABLES_PER_SECOND``) are searched
    without it, and so is every model when ``options.relaxation`` is off.
    HiGHS solves the same relaxation at its root, so neither ``highs`` nor
    the ``portfolio`` needs it first.
    """
    if not options.relaxation or options.solver != "cp-sat":
        return None
    which = "highs" if HIGHS_AVAILABLE else "glop"
    expected = len(searched.proto.variables) / RELAXATION_VARIABLES_PER_SECOND[which]
    if expected > RELAXATION_SHARE * budget:
        return None
    seconds = RELAXATION_SHARE * budget
    if options.deterministic:
        # A limit that cut the relaxation short on one run and not on the next would make
        # the roster depend on the machine's speed; in deterministic mode it is a safety net,
        # within what the solve has left.
        seconds = min(10 * budget + 10, RELAXATION_SHARE * wall)
    # HiGHS's simplex where the ``highs`` extra is installed: a third of GLOP's time.
    return relaxation_bound(searched, seconds, highs_duals if HIGHS_AVAILABLE else glop_duals)


@dataclass
class GroupSearch:
    """How the search of one group ended: its result, and the solution the next starts from.

    ``solution`` is the best roster so far, the search's own or the hint it
    started from. ``result`` None: no solution in time and no hint to fall
    back on. ``infeasible``: the model has no solution at all. ``visits``: the
    legal tier's sub-model found more than the hint, and these are its visits
    (its solution is the sub-model's, which the week's model has yet to take).
    """

    result: GroupResult | None
    solution: cp_model.CpSolver | None
    infeasible: bool = False
    visits: list[Assignment] | None = None


@dataclass
class GroupTask:
    """What the search of one group needs: its tiers, objective, hint, clock and reporting."""

    group: list[str]
    expression: Expression
    ranges: Tiers
    anchor: cp_model.CpSolver | None
    seconds: Callable[[], float]
    wall: Callable[[], float]
    began: float
    on_progress: ProgressHandler | None
    live: LiveRosters | None = None
    # The legal tier's value held by the groups before (None: not held).
    legal_held: int | None = None


def search_group(built: RosterModel, task: GroupTask, options: SolveOptions) -> GroupSearch:
    """Give how the search of one group ended, from its completed hint (``task.anchor``).

    The group's time is read when its turn comes, once for the relaxation and
    again for the search, which gets what the relaxation left. The group's
    value is not yet held; ``solver.solve`` does that.
    """
    name = "+".join(task.group)
    maximize(built.model, task.expression)
    anchor = task.anchor
    anchor_value = None if anchor is None else solution_value(anchor, task.expression)
    if anchor_value is not None:
        tell(task.on_progress, task.began, name, anchor_value, None)
    reporter = Reporter(name, task.began, task.on_progress, anchor_value, task.live)
    legal = task.group == [LEGAL]
    # The legal tier's ceiling by maximum flow (``solver.legal_bound``) comes first: where
    # the hint reaches it, neither the sub-model nor the relaxation is needed.
    ceiling = built.terms.ceilings.get(LEGAL) if legal else None
    reached = ceiling is not None and reporter.take_ceiling(ceiling)
    searching = built
    if legal and not reached and task.wall() > 0:
        searching = legal_sub_model(built, anchor)
    if not reached:
        reached = _relaxed(searching, task, options, reporter)
    if not reached and isinstance(searching, VisitModel):
        _held_seats(searching, task, options, reporter)
    if not reached and anchor is not None and task.group[0] == ENTITLEMENTS:
        held = held_sessions(built, task, options, reporter, anchor)
        if held is not None:
            task = replace(task, anchor=held)
            anchor, anchor_value = held, solution_value(held, task.expression)
            hint_solution(built, held)
            # A group of the entitlement tier alone is proven once its head reaches the bound.
            reached = reporter.ceiling is not None and anchor_value >= reporter.ceiling
    budget, left = task.seconds(), task.wall()
    if left <= 0:
        # The solve's time is up (the build and the searches before took it): the hint stands.
        budget = 0.0
    solver = cp_sat_solver(options, max(SHORTEST_TIER_SECONDS, budget), left)
    if searching is not built:
        # Presolve's search for symmetries took 12 of its 16 s on the sub-model of a
        # 400-father week (load 7), and the search found its better rosters without them.
        solver.parameters.symmetry_level = 0
    status = cp_model.UNKNOWN
    # Without a search the ceilings still hold: where the hint reaches one, it is proven.
    proved = reporter.ceiling
    if not reached and (budget > 0 or anchor is None):
        found = _run(searching, solver, reporter, task, options)
        status, solver, proved = found.status, found.solver, found.bound
    if status == cp_model.INFEASIBLE:
        return GroupSearch(None, None, infeasible=True)
    outcome = _outcome(task, anchor_value, status, solver, reporter.ceiling, proved)
    if searching is not built and outcome.solution is solver:
        taken = outcome.solution
        outcome.visits = searching.read(lambda literal: taken.boolean_value(literal))
    return outcome


def held_sessions(
    built: RosterModel,
    task: GroupTask,
    options: SolveOptions,
    reporter: Reporter,
    anchor: cp_model.CpSolver,
) -> cp_model.CpSolver | None:
    """Search the group with the anchor's sessions, escorts and staff held; give a better one.

    Held so (``Variables.staffing``), the search decides only who sits where,
    and on veenhuizen it found the entitlement tier's bound in about 8 CPU s
    where the whole model's search took about 30 (docs/benchmarks.md): the
    warm start already runs the sessions of a roster at the bound. It takes
    ``HELD_SHARE`` of the group's time (less only where it proves the held
    model's optimum); the whole model's search then goes on from its solution. None without
    a ceiling, without time left, or without a solution better than the
    anchor. Its own bound holds the held model only and is never taken.
    """
    if reporter.ceiling is None or reporter.best is None or min(task.seconds(), task.wall()) <= 0:
        return None
    held = built.model.clone()
    for literal in built.variables.staffing():
        held.add(held.get_bool_var_from_proto_index(literal.index) == anchor.value(literal))
    solver = cp_sat_solver(options, HELD_SHARE * task.seconds(), task.wall())
    # It runs its share to the end: stopped from its callback once the head tier reached its
    # bound, the search aborted the process (OR-Tools 9.15, a failed check that the solution
    # has the postsolve mapping's size) on a week of four fathers (tests/whatif).
    reporter.restricted = True
    before = reporter.best
    try:
        status = solver.solve(held, reporter)
    finally:
        reporter.restricted = False
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return solver if found and round(solver.objective_value) > before else None


def _held_seats(
    sub: VisitModel, task: GroupTask, options: SolveOptions, reporter: Reporter
) -> None:
    """Search the legal sub-model with its hint's seats held (``VisitModel.seats_held``), so
    that only the visits by room and the staff are placed; hint it with what is better. Its
    own bound holds the held model only and is never taken (docs/solver.md, "Tier by tier").
    """
    if reporter.best is None or min(task.seconds(), task.wall()) <= 0:
        return
    # The share is of the group's time alone, as for ``held_sessions``: in deterministic mode it
    # is fixed in advance, and the wall clock only cuts it short.
    solver = cp_sat_solver(options, HELD_SEATS_SHARE * task.seconds(), task.wall())
    solver.parameters.symmetry_level = 0
    status = solver.solve(sub.seats_held())
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value > reporter.best:
        hint_solution(sub, solver)
        reporter.best = round(solver.objective_value)
        tell(task.on_progress, task.began, "+".join(task.group), reporter.best, reporter.bound)


def _relaxed(
    searching: RosterModel, task: GroupTask, options: SolveOptions, reporter: Reporter
) -> bool:
    """Hold the group's bound to its relaxations before the search; tell whether it is reached.

    The week's counts first (``counted_bound``, under two CPU seconds at
    1,000 fathers), even when the solve's time is up: the roster then gets
    that bound in place of the tier's full range. Then the model's own
    relaxation where it fits (``relaxed_bound``). The reporter leaves out a
    bound below the completed hint, which cannot be.
    """
    counted = counted_bound(searching, task, options, task.seconds())
    if counted is not None and reporter.take_ceiling(counted):
        return True
    share, left = task.seconds(), task.wall()
    if share <= 0 or left <= 0:
        return False
    relaxed = relaxed_bound(searching.model, options, share, left)
    return relaxed is not None and reporter.take_ceiling(relaxed)


def counted_bound(
    built: RosterModel, task: GroupTask, options: SolveOptions, share: float
) -> int | None:
    """Give the bound the week's counts prove for a group headed by the entitlements, or None.

    The entitlement tier's bound is ``solver.count_relaxation.value_bound``
    with the legal tier held where it is (``task.legal_held``); the group's
    other tiers count at their full range. None for another group, with the
    relaxation off, on a week with pinned assignments (which the counts leave
    out), or when the simplex gives no answer in half the group's time
    (``share``), or ``COUNTS_LEAST_SECONDS`` if that is more.
    """
    if not options.relaxation or task.group[0] != ENTITLEMENTS or built.candidates.pinned:
        return None
    seconds = RELAXATION_SHARE * share
    seconds = LP_SECONDS if options.deterministic else max(COUNTS_LEAST_SECONDS, seconds)
    head = value_bound(
        built.problem, built.candidates, task.legal_held, seconds, branch=not options.deterministic
    )
    return None if head is None else headed_bound(task.group, task.ranges, head)


def _run(
    searching: RosterModel,
    solver: cp_model.CpSolver,
    reporter: Reporter,
    task: GroupTask,
    options: SolveOptions,
) -> Found:
    """Give how the search of ``searching`` (the week's model or the legal sub-model) ended.

    The rosters so far are read out through the model searched.
    """
    levels = []
    if options.solver != "cp-sat":
        levels = tier_levels(searching.model, task.group, searching.terms.expressions, task.ranges)
    if task.live is not None:
        task.live.read_with(searching)
    try:
        return run_search(
            searching.model, solver, reporter, options.solver, levels, options.deterministic
        )
    finally:
        if task.live is not None:
            task.live.read_with(None)


def _outcome(
    task: GroupTask,
    anchor_value: int | None,
    status: cp_model.CpSolverStatus,
    solver: cp_model.CpSolver,
    ceiling: int | None,
    proved: int | None,
) -> GroupSearch:
    """Give how a group's search ended that was not infeasible: its result and solution.

    ``ceiling`` is the relaxation's (or the portfolio's prover's) bound and
    ``proved`` the bound the search proved, if any; ``anchor_value`` is the
    value of the hint it started from.
    """
    anchor = task.anchor
    top = group_top(task.group, task.ranges)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = round(solver.objective_value)
        bound = round(solver.best_objective_bound) if proved is None else proved
        result = searched_result(value, bound, top, ceiling, status == cp_model.OPTIMAL)
        if anchor is None or anchor_value is None:
            return GroupSearch(result, solver)
        if anchor_value > result.value:
            # With few workers the search may not repair the hint in its time, and what it
            # found is worse than the completed hint: the hint stands.
            return GroupSearch(GroupResult(anchor_value, result.bound, False), anchor)
        if task.group == [LEGAL] and anchor_value == result.value:
            # The visits-only search found no more legal hours than the completed hint,
            # which also holds the warm start's other activities: the next tier starts there.
            return GroupSearch(result, anchor)
        return GroupSearch(result, solver)
    if anchor is None:
        return GroupSearch(None, None)
    # The search found nothing in its time (its presolve alone can take that long on a
    # large week, and a lone worker may not complete the hint); the completed hint is a
    # solution all the same, and the bound the search proved still holds.
    held = ceiling if proved is None else proved if ceiling is None else min(proved, ceiling)
    return GroupSearch(anchored_result(anchor_value or 0, top, held), anchor)
