"""The weekly roster on CP-SAT, solved tier by tier in strict priority.

The tiers of ``scheduler.objective.TIERS`` are maximised in turn, highest
first; consecutive tiers with small ranges share one solve, weighted exactly as
``combine`` weighs them. A group's value is then held (at its optimum, or at
the best value found when its share of the time ran out) while the next group
is solved from that solution, so a lower tier can never buy a higher one. The
search starts from ``solver.warmstart``'s roster, completed into a model
solution. Before each group's search, GLOP solves the model's linear
relaxation (``solver.relaxation``): its proven bound holds the group's, and
the search stops once a solution reaches it. The roster's bound combines the
proven groups, the best bound of the first unproven group and the full range
of every tier below it; the status is ``optimal`` only when every group is
proven.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Problem, Roster, Status
from scheduler.kpis import compute_kpis
from scheduler.objective import TIERS, Tiers, objective, tier_ranges, tiers
from scheduler.shortfalls import explain_shortfalls
from scheduler.validate import check_assignments
from solver.model import RosterModel
from solver.objectives import Expression
from solver.relaxation import relaxation_bound
from solver.warmstart import priority_order

SOLVER_NAME = "cp-sat"
WARM_START_NAME = "priority-order"
# Shares of the time limit per tier; a tier that finishes early leaves its time to the next.
# The legal tier's covering needs its LP bound before it is proven (region-noord: about 7 s
# on 2 cores), and it passes on what it does not use.
TIME_SHARES: dict[str, float] = {
    "legal_minimum": 0.35,
    "entitlements": 0.4,
    "continuity": 0.1,
    "stability": 0.05,
    "economy": 0.1,
}
SHORTEST_TIER_SECONDS = 0.05
# The linear relaxation is solved before a group's search only on models up to this many
# variables: GLOP takes 0.7 s for 10,000 (100 fathers), 2.9 s for 23,000 (200 fathers) and
# 22 s for 51,000 (400 fathers), where CP-SAT's own bound on 2 workers is as good after about
# 30 s, so there it would only take time from the search.
RELAXATION_MOST_VARIABLES = 30_000
# The share of a group's time its relaxation may take; it needs under a second for an
# institution, and often proves the group on its own.
RELAXATION_SHARE = 0.5
# The share of the time limit kept for reading the roster out and explaining its shortfalls.
TAIL_SHARE = 0.05
# Completing a hint with every decision fixed is immediate; this is only a safety net.
HINT_SECONDS = 10.0
# Tiers are solved together while the product of their ranges stays this small, so the
# weighted objective keeps coefficients the LP handles exactly.
GROUP_SPAN = 2**31
LEGAL = "legal_minimum"
# Tiers searched on their own: the legal tier on the visits only (see _visits_only). The
# entitlements alone were no better than with continuity: on veenhuizen in 30 s, 85,756
# (bound 104,760) alone against 85,370 (bound 99,300) together.
ALONE = frozenset({LEGAL})


@dataclass
class SolveOptions:
    """How long and how the solver searches."""

    time_limit: float = 30.0
    workers: int = 8
    deterministic: bool = False
    seed: int = 0
    log: bool = False


@dataclass
class Progress:
    """A moment of the search: the tier being solved, its best value and its bound so far."""

    seconds: float
    tier: str
    objective: int | None
    bound: int | None


ProgressHandler = Callable[[Progress], None]


def _tell(
    on_progress: ProgressHandler | None,
    began: float,
    tier: str,
    objective: int | None,
    bound: int | None,
) -> None:
    """Tell ``on_progress``, if there is one, of a moment of the search timed from ``began``."""
    if on_progress is not None:
        on_progress(Progress(round(time.monotonic() - began, 3), tier, objective, bound))


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Tells ``on_progress`` of each solution of one tier group better than the best so far.

    It keeps the last bound CP-SAT proved (``bound``): a search that ends
    without a solution of its own still proved it, and its response then reads 0.
    """

    def __init__(
        self, tier: str, began: float, on_progress: ProgressHandler | None, best: int | None
    ) -> None:
        super().__init__()
        self.tier = tier
        self.began = began
        self.on_progress = on_progress
        self.best = best
        self.ceiling: int | None = None
        self.bound: int | None = None

    def on_bound(self, bound: float) -> None:
        """Report a better bound of the tier group, with the best value so far."""
        self.bound = self._held(round(bound))
        _tell(self.on_progress, self.began, self.tier, self.best, self.bound)

    def on_solution_callback(self) -> None:
        """Report the solution just found, if it beats the best so far; stop at the ceiling."""
        value = round(self.objective_value)
        if self.ceiling is not None and value >= self.ceiling:
            # No solution can do better (``solver.relaxation``): the search is done.
            self.stop_search()
        if self.best is not None and value <= self.best:
            return
        self.best = value
        bound = round(self.best_objective_bound)
        _tell(self.on_progress, self.began, self.tier, value, self._held(bound))

    def take_ceiling(self, ceiling: int) -> bool:
        """Hold the bounds to the relaxation's ``ceiling``; tell whether the best reaches it.

        A ceiling below a solution already found cannot be and is left out.
        """
        if self.best is not None and ceiling < self.best:
            return False
        self.ceiling = ceiling
        self.bound = ceiling if self.bound is None else min(self.bound, ceiling)
        _tell(self.on_progress, self.began, self.tier, self.best, self.bound)
        return self.best is not None and self.best >= ceiling

    def _held(self, bound: int) -> int:
        """Give CP-SAT's bound held to the relaxation's, which may be the lower."""
        return bound if self.ceiling is None else min(bound, self.ceiling)


@dataclass
class _GroupResult:
    """How the solve of one group of tiers ended: its weighted value, bound, and proof."""

    value: int
    bound: int
    proven: bool


def tier_weights(ranges: Tiers) -> dict[str, int]:
    """Give each tier's weight in ``combine``: the product of (range + 1) of every lower tier."""
    weights: dict[str, int] = {}
    weight = 1
    for name in reversed(TIERS):
        weights[name] = weight
        weight *= getattr(ranges, name) + 1
    return weights


def tier_groups(active: list[str], ranges: Tiers) -> list[list[str]]:
    """Give the active tiers in groups solved together, highest first.

    Consecutive tiers share one solve while their weighted span stays below
    ``GROUP_SPAN``: weighted as in ``combine`` they keep strict priority, and
    one solve saves a presolve of the whole model.
    """
    weights = tier_weights(ranges)
    groups: list[list[str]] = []
    for name in active:
        if groups:
            top = groups[-1][0]
            span = weights[top] * (getattr(ranges, top) + 1) // weights[name]
            if span <= GROUP_SPAN:
                groups[-1].append(name)
                continue
        groups.append([name])
    return groups


def group_top(group: list[str], ranges: Tiers) -> int:
    """Give the most a group's weighted value can be: each of its tiers at its full range."""
    weights = tier_weights(ranges)
    return sum(getattr(ranges, name) * (weights[name] // weights[group[-1]]) for name in group)


def group_values(group: str, value: int, ranges: Tiers) -> dict[str, int]:
    """Give the tier values a group's weighted value stands for (``group`` as in Progress.tier).

    The highest tier of the group takes what is left above the others, so a
    bound reads as the best the highest tier can still reach.
    """
    names = group.split("+")
    weights = tier_weights(ranges)
    last = weights[names[-1]]
    found: dict[str, int] = {}
    for position, name in enumerate(names):
        weight = weights[name] // last
        digit = value // weight
        found[name] = digit if position == 0 else digit % (getattr(ranges, name) + 1)
    return found


def _group_expression(
    group: list[str], expressions: dict[str, Expression], ranges: Tiers
) -> Expression:
    """Give a group's objective: its tiers weighted as in ``combine``, relative to its last."""
    weights = tier_weights(ranges)
    last = weights[group[-1]]
    return sum(expressions[name] * (weights[name] // last) for name in group)


def _apart(active: list[str], ranges: Tiers) -> list[list[str]]:
    """Give the tier groups with every tier of ``ALONE`` in a group of its own, order kept."""
    found: list[list[str]] = []
    rest: list[str] = []
    for name in active:
        if name in ALONE:
            found += tier_groups(rest, ranges) if rest else []
            found.append([name])
            rest = []
        else:
            rest.append(name)
    return found + (tier_groups(rest, ranges) if rest else [])


def _parameters(options: SolveOptions, seconds: float) -> cp_model.CpSolver:
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
    # the search of region-noord's entitlements starts after 1.2 s instead of 3.5 s.
    parameters.cp_model_probing_level = 0
    parameters.max_presolve_iterations = 1
    parameters.find_big_linear_overlap = False
    if options.workers >= 2:
        # Every LP worker keeps the Boolean constraints in its LP too (a father, a room,
        # a person in one place at a time), so the bound comes early: a generated
        # 400-father week on 2 workers is within 0.16% of it after 30 s, against 23% at
        # the default level. A lone worker would spend its time in that LP instead of
        # searching (a region of 600 fathers: 37% against 2.3%).
        parameters.linearization_level = 2
    else:
        # Presolve turns linear constraints into the Boolean forms the default relaxation
        # leaves out; a lone worker's bound is then much weaker (a region of 600 fathers
        # after 50 s: 0.74% from the bound without presolve, 2.30% with it). Two workers
        # or more keep presolve: at level 2 their relaxation holds those forms anyway.
        parameters.cp_model_presolve = False
    if options.deterministic:
        # Interleaved search on a deterministic clock gives the same answer on every run;
        # the wall-clock limit is only a safety net far beyond it.
        parameters.interleave_search = True
        parameters.max_deterministic_time = seconds
        parameters.max_time_in_seconds = 10 * seconds + 10
    else:
        parameters.max_time_in_seconds = seconds
    return solver


def _log_line(line: str) -> None:
    """Write one line of the CP-SAT search log to stderr."""
    print(line, file=sys.stderr, flush=True)


def _shares(options: SolveOptions, groups: list[list[str]], began: float) -> Callable[[int], float]:
    """Give a function that tells each group of tiers its seconds when its turn comes."""
    shares = [sum(TIME_SHARES[name] for name in group) for group in groups]
    total = sum(shares)

    def seconds(index: int) -> float:
        if options.deterministic:
            return max(SHORTEST_TIER_SECONDS, options.time_limit * shares[index] / total)
        # The roster's read-out, shortfalls and KPIs come after the last search, inside the limit.
        remaining = options.time_limit * (1 - TAIL_SHARE) - (time.monotonic() - began)
        if remaining < SHORTEST_TIER_SECONDS:
            return 0.0
        return max(SHORTEST_TIER_SECONDS, remaining * shares[index] / sum(shares[index:]))

    return seconds


def _empty_roster(problem: Problem, status: Status, began: float) -> Roster:
    """Give a roster without assignments (an infeasible week), with every shortfall."""
    return _roster(problem, status, [], None, None, {}, began)


def _roster(
    problem: Problem,
    status: Status,
    assignments: list[Assignment],
    previous: Roster | None,
    bound: int | None,
    tier_values: dict[str, int],
    began: float,
    gap: float | None = None,
) -> Roster:
    clock = problem.clock
    ordered = sorted(assignments, key=lambda a: (clock.minute(a.start), a.id))
    value = objective(problem, ordered, previous) if status in ("optimal", "feasible") else None
    shortfalls = explain_shortfalls(problem, ordered)
    kpis = compute_kpis(problem, ordered)
    return Roster(
        problem_id=problem.id,
        week=problem.week,
        status=status,
        objective=value,
        bound=bound,
        gap=gap,
        solve_seconds=round(time.monotonic() - began, 3),
        solver=SOLVER_NAME,
        tiers=tier_values,
        assignments=ordered,
        shortfalls=shortfalls,
        kpis=kpis,
    )


def warm_start_roster(problem: Problem, previous: Roster | None = None) -> Roster:
    """Give the warm start (``solver.warmstart``) as a roster of its own, without a search.

    It is valid and ready in a few seconds, shortfalls and KPIs included (0.3 s
    for 125 fathers, 3.4 s for a thousand), so a service can show it while the
    solve runs.
    """
    began = time.monotonic()
    return _warm_start_roster(problem, priority_order(problem), previous, began)


def _warm_start_roster(
    problem: Problem, start: list[Assignment], previous: Roster | None, began: float
) -> Roster:
    """Give the roster of the warm start's assignments, status feasible, marked as what it is."""
    roster = _roster(problem, "feasible", start, previous, None, {}, began)
    roster.tiers = tiers(problem, start, previous).as_dict()
    roster.solver = WARM_START_NAME
    return roster


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    previous: Roster | None = None,
    on_progress: ProgressHandler | None = None,
    warm_start: Roster | None = None,
) -> Roster:
    """Give the best weekly roster found in the time limit, with its status and shortfalls.

    Never raises on an oversubscribed or infeasible week: contradictory pins
    give status ``infeasible``. Should CP-SAT find no solution in time, the
    warm start it was hinted with (``solver.warmstart``) is given, status
    ``feasible`` and solver ``priority-order``. A caller that already has the
    warm start (``warm_start_roster``) passes it, so it is not placed again.
    """
    options = options or SolveOptions()
    began = time.monotonic()
    if check_assignments(problem, problem.pinned):
        return _empty_roster(problem, "infeasible", began)
    start = priority_order(problem) if warm_start is None else list(warm_start.assignments)
    if on_progress is not None:
        # The warm start is a valid roster, and the one given should the search find nothing.
        legal = tiers(problem, start, previous).legal_minimum
        _tell(on_progress, began, LEGAL, legal, None)
    built = RosterModel(problem, previous)
    built.hint(start)
    ranges = tier_ranges(problem, previous)
    expressions = built.terms.expressions
    active = [
        name
        for name in TIERS
        if getattr(ranges, name) > 0 and not isinstance(expressions[name], int)
    ]
    settled, completed = _settled_tiers(built, active, expressions)
    built_seconds = round(time.monotonic() - began, 3)
    groups = [[name] for name in settled] + _apart(active[len(settled) :], ranges)
    seconds = _shares(options, groups, began)
    results: list[_GroupResult] = []
    # The completed hint is the solution of the settled tiers, should nothing else be searched.
    best: cp_model.CpSolver | None = completed if settled else None
    for name in settled:
        # The hint already reaches the most this tier could ever give: proven, no search.
        ceiling = settled[name]
        built.model.add(expressions[name] >= ceiling)
        results.append(_GroupResult(ceiling, ceiling, True))
        _tell(on_progress, began, name, ceiling, ceiling)
    for index, group in enumerate(groups):
        if index < len(settled):
            continue
        name = "+".join(group)
        expression = _group_expression(group, expressions, ranges)
        built.model.maximize(expression)
        # The first group starts from the hint completed while settling tiers: one solve less.
        anchor = completed if index == len(settled) else _hinted_solution(built.model)
        anchor_value = None if anchor is None else _value(anchor, expression)
        if anchor_value is not None:
            _tell(on_progress, began, name, anchor_value, None)
        status = cp_model.UNKNOWN
        proved: int | None = None
        reporter = _Reporter(name, began, on_progress, anchor_value)
        searched = built.model
        if group == [LEGAL]:
            searched = _visits_only(built)
        share = seconds(index)
        relaxed = _relaxed_bound(searched, options, share) if share > 0 else None
        # The reporter leaves out a bound below the completed hint, which cannot be.
        reached = relaxed is not None and reporter.take_ceiling(relaxed)
        relaxed = reporter.ceiling
        budget = seconds(index)
        solver = _parameters(options, max(SHORTEST_TIER_SECONDS, budget))
        if reached:
            # The completed hint reaches the relaxation's bound: proven without a search.
            proved = relaxed
        elif budget > 0 or anchor is None:
            solver.best_bound_callback = reporter.on_bound
            if group == [LEGAL]:
                # The partner cap's linear forms give this tier its bound at the root, and
                # presolve only delays it: 4.2 s against 8.1 s to prove the legal tier of
                # a 400-father week on 2 workers, 2.3 s against 3.6 s on region-noord.
                solver.parameters.cp_model_presolve = False
            status = solver.solve(searched, reporter)
            proved = reporter.bound
        if status == cp_model.INFEASIBLE:
            return _empty_roster(problem, "infeasible", began)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # CP-SAT's bound may lie above what the group's tiers can reach at all, or above
            # the relaxation's.
            reachable = min(round(solver.best_objective_bound), group_top(group, ranges))
            reachable = reachable if relaxed is None else min(reachable, relaxed)
            value = round(solver.objective_value)
            proven = status == cp_model.OPTIMAL or value >= reachable
            result = _GroupResult(value, reachable, proven)
            if anchor is not None and anchor_value is not None and anchor_value > result.value:
                # With few workers the search may not repair the hint in its time, and what
                # it found is worse than the completed hint: the hint stands.
                solver = anchor
                result = _GroupResult(anchor_value, result.bound, False)
        elif anchor is not None:
            # The search found nothing in its time (its presolve alone can take that long on
            # a large week, and a lone worker may not complete the hint); the completed hint
            # is a solution all the same, and the bound the search proved still holds.
            value = anchor_value or 0
            top = group_top(group, ranges)
            reachable = top if proved is None else max(value, min(top, proved))
            result = _GroupResult(value, reachable, value >= reachable)
            solver = anchor
        else:
            break
        best = solver
        results.append(result)
        _tell(on_progress, began, name, result.value, result.bound)
        built.model.add(expression >= result.value)
        if group == [LEGAL] and anchor is not None and result.value <= (anchor_value or 0):
            # The visits-only search found no more legal hours than the completed hint,
            # which also holds the warm start's other activities: the next tier starts there.
            _hint_solution(built, anchor)
            best = anchor
        else:
            _hint_solution(built, solver)
    if best is None and active:
        # No solution in time (a slow presolve of a large week): the warm start is a valid
        # roster, so the planner gets it rather than nothing, marked as what it is.
        fallback = _warm_start_roster(problem, start, previous, began)
        fallback.build_seconds = built_seconds
        return fallback
    chosen = best
    assignments = built.read(
        (lambda literal: chosen.boolean_value(literal)) if chosen is not None else (lambda _: False)
    )
    tier_values = {name: _value(chosen, expressions[name]) for name in TIERS}
    proven = len(results) == len(groups) and all(r.proven for r in results)
    bound = _bound(tier_values, groups, results, ranges)
    gap = 0.0 if proven else tier_gap(tier_values, groups, results, ranges)
    outcome: Status = "optimal" if proven else "feasible"
    roster = _roster(problem, outcome, assignments, previous, bound, tier_values, began, gap)
    roster.build_seconds = built_seconds
    return roster


def tier_gap(
    tier_values: dict[str, int],
    groups: list[list[str]],
    results: list[_GroupResult],
    ranges: Tiers,
) -> float:
    """Give the relative gap of the first tier not proven: (its bound - its value) / its bound.

    Proven groups have no gap. In the first unproven group the group's bound
    is read tier by tier, highest first: a tier whose value reaches its share
    of the bound is proven and the rest of the bound passes to the next. A
    group never searched has its tiers' full ranges as bounds. 0 when every
    tier is proven.
    """
    weights = tier_weights(ranges)
    for index, group in enumerate(groups):
        result = results[index] if index < len(results) else None
        if result is not None and result.proven:
            continue
        last = weights[group[-1]]
        left = result.bound if result is not None else None
        for name in group:
            value, top = tier_values[name], int(getattr(ranges, name))
            weight = weights[name] // last
            bound = top if left is None else min(top, left // weight)
            if bound > value:
                return round((bound - value) / max(1, bound), 6)
            if left is not None:
                left -= value * weight
    return 0.0


def _relaxed_bound(searched: cp_model.CpModel, options: SolveOptions, budget: float) -> int | None:
    """Give the bound the group's linear relaxation proves (``solver.relaxation``), or None.

    It is solved before the search, in at most ``RELAXATION_SHARE`` of the
    group's time; the reporter then holds CP-SAT's bounds to it and stops the
    search once a solution reaches it. Models larger than
    ``RELAXATION_MOST_VARIABLES`` are searched without it.
    """
    if len(searched.proto.variables) > RELAXATION_MOST_VARIABLES:
        return None
    seconds = RELAXATION_SHARE * budget
    if options.deterministic:
        # A limit that cut the relaxation short on one run and not on the next would make
        # the roster depend on the machine's speed; in deterministic mode it is a safety net.
        seconds = 10 * budget + 10
    return relaxation_bound(searched, seconds)


def _visits_only(built: RosterModel) -> cp_model.CpModel:
    """Give a copy of the model with every activity that is not a visit left out (fixed to 0).

    The legal tier counts visits only, and every rule the other activities take
    part in is a limit they only use up (a place, a person's time, the partner
    cap, a ceiling), so leaving them out keeps every roster's visits valid and
    the tier's optimum the same. The order of interchangeable fathers still
    holds, as their visits can always be handed out in that order. The copy
    keeps the variables' indices, so its solution hints the next tier.
    """
    visits = {a.id for a in built.problem.activities if a.counts_as_visit}
    copy = built.model.clone()
    left_out = {literal.index for literal in built.decisions_of_other_activities(visits)}
    for index in sorted(left_out):
        copy.add(copy.get_bool_var_from_proto_index(index) == 0)
    # The hint keeps its visits and leaves the rest out too, so it stays a solution.
    hint = copy.proto.solution_hint
    pairs = [(v, 0 if v in left_out else x) for v, x in zip(hint.vars, hint.values, strict=True)]
    copy.clear_hints()  # type: ignore[no-untyped-call]
    copy.proto.solution_hint.vars.extend(v for v, _ in pairs)
    copy.proto.solution_hint.values.extend(x for _, x in pairs)
    return copy


def _settled_tiers(
    built: RosterModel, active: list[str], expressions: dict[str, Expression]
) -> tuple[dict[str, int], cp_model.CpSolver | None]:
    """Give the leading tiers the hint holds at their ceiling, and the completed hint.

    A tier's ceiling is its trivial maximum (every literal it rewards at its
    best), or the lower one the model proved from the rules
    (``TierTerms.ceilings``: the legal tier's fathers the partner cap can pay
    for). When the hinted roster reaches it (and every tier above it has done
    the same), no roster can do better, so the tier needs no search of its
    own. Most weeks give every father his legal hour in the warm start, or as
    many as the cap can pay, and the entitlement tier is then solved alone,
    with coefficients the LP handles well. When tiers are settled, the model
    is hinted with the completed hint, every variable set.
    """
    found: dict[str, int] = {}
    anchor: cp_model.CpSolver | None = None
    for name in active:
        ceiling = _trivial_maximum(built.model, expressions[name])
        ceiling = min(ceiling, built.terms.ceilings.get(name, ceiling))
        if anchor is None:
            anchor = _hinted_solution(built.model)
            if anchor is None:
                break
        if _value(anchor, expressions[name]) != ceiling:
            break
        found[name] = ceiling
    if found and anchor is not None:
        # The next group searches the whole model from the completed hint, every variable
        # set: a lone worker takes it as its first solution at once, where the hint of the
        # decisions alone left it without one in 50 s on a region of 600 fathers.
        _hint_solution(built, anchor)
    return found, anchor


def _trivial_maximum(model: cp_model.CpModel, expression: Expression) -> int:
    """Give the largest value an expression could take, each variable at its best bound."""
    model.maximize(expression)
    objective = model.proto.objective
    # A maximised objective is kept negated, with a negative scaling factor.
    sign = -1 if objective.scaling_factor < 0 else 1
    total = sign * objective.offset
    variables = model.proto.variables
    for index, coefficient in zip(objective.vars, objective.coeffs, strict=True):
        # The proto's repeated field does not count from the end.
        domain = variables[index].domain
        low, high = domain[0], domain[len(domain) - 1]
        total += max(sign * coefficient * low, sign * coefficient * high)
    model.clear_objective()  # type: ignore[no-untyped-call]
    return round(total)


def _value(solver: cp_model.CpSolver | None, expression: Expression) -> int:
    """Give an expression's value in the solution (a constant tier is its own value)."""
    if isinstance(expression, int):
        return expression
    if solver is None:
        raise ValueError("a tier with variables needs a solution")
    return int(solver.value(expression))


def _bound(
    tier_values: dict[str, int],
    groups: list[list[str]],
    results: list[_GroupResult],
    ranges: Tiers,
) -> int:
    """Give the proven bound of ``combine``: proven groups at their value, then bounds.

    The first group not proven counts at its best bound, and every tier below
    it at its full range; constant tiers count as they are.
    """
    weights = tier_weights(ranges)
    grouped = {name for group in groups for name in group}
    total = sum(tier_values[name] * weights[name] for name in TIERS if name not in grouped)
    open_from = len(groups)
    for index, group in enumerate(groups):
        result = results[index] if index < len(results) else None
        if result is None or not result.proven:
            open_from = index
            break
        total += result.value * weights[group[-1]]
    for index, group in enumerate(groups[open_from:], start=open_from):
        result = results[index] if index < len(results) and index == open_from else None
        if result is not None:
            total += result.bound * weights[group[-1]]
        else:
            total += sum(getattr(ranges, name) * weights[name] for name in group)
    return total


def _hinted_solution(model: cp_model.CpModel) -> cp_model.CpSolver | None:
    """Give a solver holding the hinted solution, completed where the hint is silent.

    With every hinted variable fixed the model solves at once; None when the
    hint breaks a rule of the model.
    """
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.fix_variables_to_their_hinted_value = True
    parameters.num_workers = 1
    parameters.max_time_in_seconds = HINT_SECONDS
    status = solver.solve(model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _hint_solution(built: RosterModel, solver: cp_model.CpSolver) -> None:
    """Hint the next group's solve with every variable of this solution."""
    values = list(solver.response_proto.solution)
    built.model.clear_hints()  # type: ignore[no-untyped-call]
    hint = built.model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)
