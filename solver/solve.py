"""The weekly roster on CP-SAT, solved tier by tier in strict priority.

The tiers of ``scheduler.objective.TIERS`` are maximised in turn, highest
first; consecutive tiers with small ranges share one solve (``solver.tiers``).
A group's value is then held (at its optimum, or at the best value found when
its share of the time ran out) while the next group is solved from that
solution (``solver.search``), so a lower tier can never buy a higher one. The
search starts from ``solver.warmstart``'s roster, completed into a model
solution. The roster's bound combines the proven groups, the best bound of the
first unproven group and the full range of every tier below it; the status is
``optimal`` only when every group is proven.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime

from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Problem, Roster, Status
from scheduler.kpis import compute_kpis
from scheduler.objective import TIERS, Tiers, objective, tier_ranges, tiers
from scheduler.shortfalls import explain_shortfalls
from scheduler.validate import check_assignments
from solver.legal_visits import FirstRoster
from solver.live import LiveRosters, RosterHandler
from solver.missed import seat_missed
from solver.model import RosterModel
from solver.objectives import Expression
from solver.search import (
    GroupTask,
    Progress,
    ProgressHandler,
    SolveOptions,
    hint_solution,
    hinted_solution,
    search_group,
    solution_value,
    tell,
    trivial_maximum,
)
from solver.tiers import (
    LEGAL,
    GroupResult,
    combined_bound,
    group_expression,
    group_seconds,
    group_shares,
    search_groups,
    tier_gap,
    wall_seconds,
)
from solver.warmstart import filled_around, priority_order

__all__ = [
    "Progress",
    "ProgressHandler",
    "RosterHandler",
    "SolveOptions",
    "solve",
    "warm_start_roster",
]

SOLVER_NAME = "cp-sat"
WARM_START_NAME = "priority-order"


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


def warm_start_roster(
    problem: Problem, previous: Roster | None = None, since: datetime | None = None
) -> Roster:
    """Give the warm start (``solver.warmstart``) as a roster of its own, without a search.

    It is valid and ready in a few seconds, shortfalls and KPIs included, so a
    service can show it while the solve runs. A repair gives its moment as
    ``since``: nothing new is placed before it.
    """
    began = time.monotonic()
    start = priority_order(problem, _week_minute(problem, since))
    return _warm_start_roster(problem, start, previous, began)


def _start(
    problem: Problem,
    warm_start: Roster | None,
    since: datetime | None,
    on_first: FirstRoster | None = None,
) -> list[Assignment]:
    """Give the warm start's assignments: the caller's, or placed now.

    ``on_first`` is told the first valid roster the placing comes by (``priority_order``).
    """
    if warm_start is None:
        return priority_order(problem, _week_minute(problem, since), on_first)
    return list(warm_start.assignments)


def _telling_legal(
    problem: Problem, previous: Roster | None, began: float, on_progress: ProgressHandler | None
) -> FirstRoster | None:
    """Give what tells ``on_progress`` of a valid roster's legal tier when it beats the last told.

    None without ``on_progress``.
    """
    if on_progress is None:
        return None
    best: list[int] = []

    def told(assignments: list[Assignment]) -> None:
        legal = tiers(problem, assignments, previous).legal_minimum
        if not best or legal > best[-1]:
            best.append(legal)
            tell(on_progress, began, LEGAL, legal, None)

    return told


def _week_minute(problem: Problem, since: datetime | None) -> int:
    """Give the week minute of a repair's moment (0, the week's start, without one)."""
    return 0 if since is None else max(0, problem.clock.minute(since))


def _warm_start_roster(
    problem: Problem, start: list[Assignment], previous: Roster | None, began: float
) -> Roster:
    """Give the roster of the warm start's assignments, status feasible, marked as what it is."""
    return _roster_so_far(problem, start, previous, began, WARM_START_NAME)


def _roster_so_far(
    problem: Problem,
    assignments: list[Assignment],
    previous: Roster | None,
    began: float,
    solver: str,
) -> Roster:
    """Give a roster of the search before its end: feasible, its tiers, by ``solver``."""
    roster = _roster(problem, "feasible", assignments, previous, None, {}, began)
    roster.tiers = tiers(problem, assignments, previous).as_dict()
    roster.solver = solver
    return roster


def _told_start(
    problem: Problem,
    previous: Roster | None,
    warm_start: Roster | None,
    since: datetime | None,
    began: float,
    on_progress: ProgressHandler | None,
) -> list[Assignment]:
    """Give the warm start, the first visits placed told at once as a valid roster.

    The whole warm start is told too where it reaches more; it is given
    should all else fail.
    """
    told = _telling_legal(problem, previous, began, on_progress)
    start = _start(problem, warm_start, since, told)
    if told is not None:
        told(start)
    return start


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    previous: Roster | None = None,
    on_progress: ProgressHandler | None = None,
    warm_start: Roster | None = None,
    since: datetime | None = None,
    on_roster: RosterHandler | None = None,
) -> Roster:
    """Give the best weekly roster found in the time limit, with its status and shortfalls.

    The time limit holds for the whole solve, the model's build included. A
    repair gives its moment as ``since``: the model then holds only what may
    start from it on, everything before it being pinned as it happened.

    Never raises on an oversubscribed or infeasible week: contradictory pins
    give status ``infeasible``. Should CP-SAT find no solution in time, the
    warm start it was hinted with (``solver.warmstart``) is given, status
    ``feasible`` and solver ``priority-order``. A caller that already has the
    warm start (``warm_start_roster``) passes it, so it is not placed again.
    ``on_roster`` gets each better roster so far of the search (``solver.live``).
    """
    options = options or SolveOptions()
    if since is not None:
        # A repair's hint holds all that stands: CP-SAT's own bound comes at once, and the
        # relaxation's rows (built in Python, outside the limit) would cost more than it.
        options = replace(options, relaxation=False)
    began = time.monotonic()
    if check_assignments(problem, problem.pinned):
        return _empty_roster(problem, "infeasible", began)
    start = _told_start(problem, previous, warm_start, since, began, on_progress)
    built = RosterModel(problem, previous, _week_minute(problem, since))
    built.hint(start)
    ranges = tier_ranges(problem, previous)
    expressions = built.terms.expressions
    # A tier without range or without a variable has nothing to search.
    active = [n for n in TIERS if getattr(ranges, n) > 0 and not isinstance(expressions[n], int)]
    settled, completed = _settled_tiers(built, active, expressions)
    built_seconds = round(time.monotonic() - began, 3)
    groups = [[name] for name in settled] + search_groups(active[len(settled) :], ranges)
    results, completed = _hold_settled(built, settled, completed, options, began, on_progress)
    # The completed hint is the solution of the settled tiers, should nothing else be searched.
    best = completed if settled else None
    live = _live(built, start, previous, began, options, on_roster)
    search = _Search(built, ranges, groups, options, began, on_progress, live)
    best, infeasible = search.run(len(settled), completed, best, results)
    if infeasible:
        return _empty_roster(problem, "infeasible", began)
    if best is None and active:
        # No solution in time (a slow presolve of a large week): the warm start is a valid
        # roster, so the planner gets it rather than nothing, marked as what it is.
        fallback = _warm_start_roster(problem, start, previous, began)
        fallback.build_seconds = built_seconds
        return fallback
    roster = _final_roster(built, ranges, best, groups, results, previous, began)
    roster.build_seconds = built_seconds
    roster.solver = options.solver
    return roster


@dataclass
class _Search:
    """The tier groups of one solve, searched in order, each held at what it reached."""

    built: RosterModel
    ranges: Tiers
    groups: list[list[str]]
    options: SolveOptions
    began: float
    on_progress: ProgressHandler | None
    live: LiveRosters | None = None

    def run(
        self,
        first: int,
        completed: cp_model.CpSolver | None,
        best: cp_model.CpSolver | None,
        results: list[GroupResult],
    ) -> tuple[cp_model.CpSolver | None, bool]:
        """Give the best solution after searching the groups from ``first``, and infeasibility.

        Each group's result is appended to ``results``; a group that finds no
        solution in time ends the search with the best one so far. Every
        roster so far has been handed on by the time it returns.
        """
        try:
            return self._search_from(first, completed, best, results)
        finally:
            if self.live is not None:
                self.live.close()

    def _search_from(
        self,
        first: int,
        completed: cp_model.CpSolver | None,
        best: cp_model.CpSolver | None,
        results: list[GroupResult],
    ) -> tuple[cp_model.CpSolver | None, bool]:
        """Search the groups from ``first`` on, as ``run`` tells."""
        built = self.built
        for index in range(first, len(self.groups)):
            # The first group starts from the hint completed while settling tiers, each later
            # one from the solution the group before ended with, which the model's new bound
            # holds: no completion of the hint again (1.5 CPU s at 1,000 fathers).
            anchor = completed if index == first else best
            task = _group_task(
                built, self.ranges, self.groups, index, anchor, self.options, self.began,
                self.on_progress,
            )  # fmt: skip
            task.live = self.live
            task.legal_held = _legal_held(self.groups, results)
            searched = search_group(built, task, self.options)
            if searched.infeasible:
                return best, True
            if searched.visits is not None:
                # The legal tier's sub-model found more: the week's model takes its visits.
                searched.solution = _refilled(built, searched.visits)
            if searched.result is None or searched.solution is None:
                break
            best = searched.solution
            results.append(searched.result)
            value, bound = searched.result.value, searched.result.bound
            tell(self.on_progress, self.began, "+".join(task.group), value, bound)
            built.model.add(task.expression >= searched.result.value)
            if task.group == [LEGAL]:
                best = _missed_seated(built, best, value, self.options, self.began)
                _hold_missed(built, best)
            hint_solution(built, best)
            if self.live is not None and index + 1 < len(self.groups):
                # The group's best, however soon after the last: the next group starts there.
                self.live.take(best.response_proto.solution)
        return best, False


def _legal_held(groups: list[list[str]], results: list[GroupResult]) -> int | None:
    """Give the legal tier's value as the groups solved so far hold it (None: not yet)."""
    for group, result in zip(groups, results, strict=False):
        if group == [LEGAL]:
            return result.value
    return None


def _live(
    built: RosterModel,
    start: list[Assignment],
    previous: Roster | None,
    began: float,
    options: SolveOptions,
    on_roster: RosterHandler | None,
) -> LiveRosters | None:
    """Give the reader of the search's rosters so far, which begin at the warm start."""
    if on_roster is None:
        return None

    def make(assignments: list[Assignment]) -> Roster:
        return _roster_so_far(built.problem, assignments, previous, began, options.solver)

    return LiveRosters(built, make, on_roster, start, previous)


def _refilled(built: RosterModel, visits: list[Assignment]) -> cp_model.CpSolver | None:
    """Give the week's solution of the legal tier's visits, the rest of the week filled around.

    The legal tier is searched on its sub-model (``solver.model.VisitModel``),
    whose solution holds the visits alone; the next tier starts from those
    visits and the warm start's occurrences placed around them
    (``filled_around``). Should the filled roster not complete, the visits
    alone; None should neither (a broken sub-model).
    """
    problem = built.problem
    kinds = {a.id for a in problem.activities if a.counts_as_visit}
    kept = [a for a in visits if a.activity in kinds]
    for hinted in (filled_around(problem, kept, built.since), kept):
        built.hint(hinted)
        completed = hinted_solution(built.model)
        if completed is not None:
            return completed
    return None


def _hold_settled(
    built: RosterModel,
    settled: dict[str, int],
    completed: cp_model.CpSolver | None,
    options: SolveOptions,
    began: float,
    on_progress: ProgressHandler | None,
) -> tuple[list[GroupResult], cp_model.CpSolver | None]:
    """Give the results of the settled tiers, each held at its ceiling in the model, and the
    solution to go on from (the completed hint, or its legal visits given to more of those
    below the legal minimum the week before).

    The hint already reaches the most such a tier could ever give: proven, no search.
    """
    results: list[GroupResult] = []
    for name, ceiling in settled.items():
        built.model.add(built.terms.expressions[name] >= ceiling)
        if name == LEGAL and completed is not None:
            completed = _missed_seated(built, completed, ceiling, options, began)
            _hold_missed(built, completed)
        results.append(GroupResult(ceiling, ceiling, True))
        tell(on_progress, began, name, ceiling, ceiling)
    return results, completed


def _missed_seated(
    built: RosterModel,
    solution: cp_model.CpSolver,
    legal: int,
    options: SolveOptions,
    began: float,
) -> cp_model.CpSolver:
    """Give the solution with its legal visits given to more of those below the legal minimum
    the week before, the legal tier held at ``legal`` (``solver.missed``); else ``solution``.
    """
    left = wall_seconds(options.time_limit, time.monotonic() - began)
    visits = seat_missed(built, solution, legal, options, left)
    if visits is None:
        return solution
    found = _refilled(built, visits) or solution
    # The refill hinted the model with its own assignments; the next group starts from the
    # solution given, every variable set, as from a settled tier's completed hint.
    hint_solution(built, found)
    return found


def _hold_missed(built: RosterModel, solution: cp_model.CpSolver | None) -> None:
    """Hold at the legal minimum as many of those below it the week before as ``solution`` has.

    The legal tier counts fathers, and the lower tiers may trade who has the
    seats it counts; the fathers below the legal minimum the week before keep
    theirs, so where the legal tier's solution (the warm start seats them
    first) gives them the legal hour again, no lower tier takes it from them
    (docs/design.md section 10). Their count is not searched: it stays what
    the legal tier's solution holds.
    """
    missed = built.terms.missed_at_legal
    if solution is not None and not isinstance(missed, int):
        built.model.add(missed >= solution_value(solution, missed))


def _group_task(
    built: RosterModel,
    ranges: Tiers,
    groups: list[list[str]],
    index: int,
    anchor: cp_model.CpSolver | None,
    options: SolveOptions,
    began: float,
    on_progress: ProgressHandler | None,
) -> GroupTask:
    """Give the search task of group ``index``: its objective, hint and share of the time."""
    shares = group_shares(groups)

    def seconds() -> float:
        elapsed = time.monotonic() - began
        return group_seconds(options.time_limit, shares, index, elapsed, options.deterministic)

    def wall() -> float:
        return wall_seconds(options.time_limit, time.monotonic() - began)

    return GroupTask(
        group=groups[index],
        expression=group_expression(groups[index], built.terms.expressions, ranges),
        ranges=ranges,
        anchor=anchor,
        seconds=seconds,
        wall=wall,
        began=began,
        on_progress=on_progress,
    )


def _final_roster(
    built: RosterModel,
    ranges: Tiers,
    best: cp_model.CpSolver | None,
    groups: list[list[str]],
    results: list[GroupResult],
    previous: Roster | None,
    began: float,
) -> Roster:
    """Give the roster of the best solution, with its tiers, bound, gap and status."""
    expressions = built.terms.expressions
    assignments = built.read(
        (lambda literal: best.boolean_value(literal)) if best is not None else (lambda _: False)
    )
    tier_values = {name: solution_value(best, expressions[name]) for name in TIERS}
    proven = len(results) == len(groups) and all(r.proven for r in results)
    bound = combined_bound(tier_values, groups, results, ranges)
    gap = 0.0 if proven else tier_gap(tier_values, groups, results, ranges)
    outcome: Status = "optimal" if proven else "feasible"
    return _roster(built.problem, outcome, assignments, previous, bound, tier_values, began, gap)


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
        ceiling = trivial_maximum(built.model, expressions[name])
        ceiling = min(ceiling, built.terms.ceilings.get(name, ceiling))
        if anchor is None:
            anchor = hinted_solution(built.model)
            if anchor is None:
                break
        if solution_value(anchor, expressions[name]) != ceiling:
            break
        found[name] = ceiling
    if found and anchor is not None:
        # The next group searches the whole model from the completed hint, every variable
        # set: a lone worker takes it as its first solution at once, where the hint of the
        # decisions alone could leave it without one for the whole limit on a region.
        hint_solution(built, anchor)
    return found, anchor
