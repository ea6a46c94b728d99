"""The search of one tier group by CP-SAT, by HiGHS, or by both at once (the portfolio).

``SolveOptions.solver`` picks it:

- ``cp-sat``: CP-SAT alone, as ``solver.search`` has always searched.
- ``highs``: HiGHS alone on the same model (``solver.highs``), in this
  process; CP-SAT only checks its solution against the model.
- ``portfolio``: CP-SAT searches for rosters while HiGHS, in a process of its
  own on one thread, proves the group's bound. Each bound HiGHS proves holds
  CP-SAT's (the reporter's ceiling), and CP-SAT stops as soon as its best
  solution reaches it. Should HiGHS prove an optimum CP-SAT has not reached,
  its solution is taken, checked by CP-SAT against the model. Deterministic,
  only the bound is taken: stopping a search whose best already reaches a
  proven bound changes nothing of the roster, which stays the same on every
  run.

Each way gives the same ``Found``: the status, a CP-SAT solver holding the
solution, and the bound the search proved.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.objective import Tiers
from solver.highs import Level, MipResult, Untranslatable, objective_level, solve_mip
from solver.objectives import Expression
from solver.tiers import tier_weights

if TYPE_CHECKING:
    from solver.search import Reporter

SOLVERS = ("cp-sat", "highs", "portfolio")
# How often the portfolio's listener asks a CP-SAT search to stop until it has (seconds).
STOP_EVERY = 0.1
# How long the portfolio waits for HiGHS's process to end once told to.
JOIN_SECONDS = 5.0
# HiGHS's limit ends this much before CP-SAT's, and its result is awaited this long after.
PROVER_EARLIER = 1.0
RESULT_GRACE = 1.0


@dataclass
class Found:
    """How a group's search ended: its status, the solver holding its solution, its bound.

    ``bound`` is the bound the search itself proved (None: none).
    """

    status: cp_model.CpSolverStatus
    solver: cp_model.CpSolver
    bound: int | None


def tier_levels(
    model: cp_model.CpModel, group: list[str], expressions: dict[str, Expression], ranges: Tiers
) -> list[Level]:
    """Give a group's tiers as HiGHS's levels, highest first, weighted as in the group.

    The model's objective is the group's again afterwards.
    """
    weights = tier_weights(ranges)
    last = weights[group[-1]]
    levels: list[Level] = []
    for name in group:
        model.maximize(expressions[name])
        levels.append(objective_level(model, weights[name] // last))
    model.maximize(sum(expressions[name] * (weights[name] // last) for name in group))
    return levels


def run_search(
    model: cp_model.CpModel,
    solver: cp_model.CpSolver,
    reporter: Reporter,
    which: str,
    levels: list[Level],
    deterministic: bool,
) -> Found:
    """Give how the search of ``model`` ended with ``which`` solver (``SOLVERS``).

    ``solver`` is the CP-SAT solver with the group's parameters, its
    wall-clock limit HiGHS's too; ``levels`` the group's tiers for HiGHS
    (``tier_levels``). A model HiGHS cannot take (``Untranslatable``) is
    searched by CP-SAT alone.
    """
    seconds = solver.parameters.max_time_in_seconds
    if which == "highs":
        try:
            return _highs_alone(model, solver, reporter, seconds, levels)
        except Untranslatable:
            pass
    if which == "portfolio":
        return _portfolio(model, solver, reporter, (seconds, levels), deterministic)
    return _cp_sat(model, solver, reporter)


def _cp_sat(model: cp_model.CpModel, solver: cp_model.CpSolver, reporter: Reporter) -> Found:
    """Give how CP-SAT's search of the model ended."""
    solver.best_bound_callback = reporter.on_bound
    status = solver.solve(model, reporter)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Found(status, solver, round(solver.best_objective_bound))
    return Found(status, solver, reporter.bound)


def checked(model: cp_model.CpModel, solution: list[int]) -> cp_model.CpSolver | None:
    """Give a CP-SAT solver holding ``solution`` when it satisfies the model, else None.

    The solution replaces the model's hint.
    """
    from solver.search import hinted_solution  # the search imports this module

    model.clear_hints()  # type: ignore[no-untyped-call]
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(solution)))
    hint.values.extend(solution)
    return hinted_solution(model)


def _highs_alone(
    model: cp_model.CpModel,
    solver: cp_model.CpSolver,
    reporter: Reporter,
    seconds: float,
    levels: list[Level],
) -> Found:
    """Give how HiGHS's search of the model ended, its solution checked by CP-SAT."""

    def heard(value: int | None, bound: int) -> None:
        if value is not None and (reporter.best is None or value > reporter.best):
            reporter.best = value
        reporter.on_bound(bound)

    result = solve_mip(model, seconds, levels, threads=1, on_bound=heard)
    if result.value is not None:
        heard(result.value, result.bound if result.bound is not None else result.value)
    return _from_mip(model, result, solver, result.bound)


def _from_mip(
    model: cp_model.CpModel, result: MipResult, fallback: cp_model.CpSolver, bound: int | None
) -> Found:
    """Give HiGHS's solution as a search's end, or none if it has none or breaks a rule."""
    holder = None if result.solution is None else checked(model, result.solution)
    if holder is None:
        return Found(cp_model.UNKNOWN, fallback, bound)
    status = cp_model.OPTIMAL if result.optimal else cp_model.FEASIBLE
    return Found(status, holder, bound)


def _prove(
    model: cp_model.CpModel, seconds: float, levels: list[Level], channel: Connection
) -> None:
    """Run HiGHS on the model in the prover's process, sending bounds and then its result."""
    try:
        result = solve_mip(
            model, seconds, levels, threads=1, on_bound=lambda v, b: channel.send(("bound", v, b))
        )
    except Untranslatable:
        channel.send(("done", None, None))
        return
    channel.send(("done", result, None))


@dataclass
class _Listener:
    """The portfolio's side of the prover's channel, holding CP-SAT's search to its bounds.

    ``ended`` is set when CP-SAT's search has ended, ``closing`` when the
    portfolio no longer waits for HiGHS's result.
    """

    channel: Connection
    solver: cp_model.CpSolver
    reporter: Reporter
    deterministic: bool
    ended: threading.Event = field(default_factory=threading.Event)
    closing: threading.Event = field(default_factory=threading.Event)
    result: MipResult | None = None
    stopping: bool = False

    def listen(self) -> None:
        """Take each bound as the reporter's ceiling, then HiGHS's result; stop CP-SAT if done."""
        while not self.closing.is_set() and self.result is None:
            if self.stopping and not self.ended.is_set():
                self.solver.stop_search()
            if not self.channel.poll(STOP_EVERY):
                continue
            try:
                kind, found, bound = self.channel.recv()
            except (EOFError, OSError):
                return
            if kind == "bound":
                self._hold(bound)
                continue
            self.result = found or MipResult(None, None, False, None, 0.0)
            if found is not None and found.bound is not None:
                self._hold(found.bound)
            if found is not None and found.optimal and not self.deterministic:
                self.stopping = True
        while self.stopping and not self.ended.wait(STOP_EVERY):
            # Asked until the search has ended: a stop before it began would be lost.
            self.solver.stop_search()

    def _hold(self, bound: int) -> None:
        """Hold CP-SAT's bound to HiGHS's; stop the search when its best reaches it."""
        if self.reporter.take_ceiling(bound):
            self.stopping = True
            self.solver.stop_search()


def _portfolio(
    model: cp_model.CpModel,
    solver: cp_model.CpSolver,
    reporter: Reporter,
    task: tuple[float, list[Level]],
    deterministic: bool,
) -> Found:
    """Give how the portfolio's search ended: CP-SAT's, or HiGHS's better solution.

    ``task`` is HiGHS's: its seconds and the group's levels. HiGHS ends a
    little before CP-SAT, so that its result is there to compare.
    """
    seconds, levels = task
    try:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=False)
        prover = context.Process(
            target=_prove, args=(model, max(0.5, seconds - PROVER_EARLIER), levels, theirs)
        )
        prover.daemon = True
        prover.start()
    except (AssertionError, OSError, ValueError):
        # No process of its own here (a daemonic worker has no children): CP-SAT alone.
        return _cp_sat(model, solver, reporter)
    theirs.close()
    listener = _Listener(ours, solver, reporter, deterministic)
    thread = threading.Thread(target=listener.listen, daemon=True)
    thread.start()
    found = _cp_sat(model, solver, reporter)
    listener.ended.set()
    # Deterministic, HiGHS's solution is never taken: no reason to wait for it.
    thread.join(0.0 if deterministic else RESULT_GRACE)
    listener.closing.set()
    thread.join()
    prover.kill()
    prover.join(JOIN_SECONDS)
    ours.close()
    return _better(model, found, listener.result, solver, deterministic)


def _better(
    model: cp_model.CpModel,
    found: Found,
    result: MipResult | None,
    solver: cp_model.CpSolver,
    deterministic: bool,
) -> Found:
    """Give CP-SAT's end, or HiGHS's checked solution where it is better (never deterministic)."""
    if deterministic or result is None or result.value is None:
        return found
    searched = found.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if searched and round(solver.objective_value) >= result.value:
        return found
    bounds = [b for b in (found.bound, result.bound) if b is not None]
    taken = _from_mip(model, result, solver, min(bounds) if bounds else None)
    return taken if taken.status != cp_model.UNKNOWN else found
