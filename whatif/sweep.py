"""What-if sweeps: solve every scenario (over every replication) and report against the base.

A sweep is ``scenarios x replications`` independent solves. The weeks are
built here first, so an invalid scenario is refused before any solving; the
solves then go to an executor (this process, a process pool or Ray), each
giving back the roster's key figures, which ``whatif.report`` assembles.
In deterministic mode every solve is deterministic, so any executor gives
the same report.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from statistics import mean
from typing import TYPE_CHECKING, Any

from scheduler import reasons
from scheduler.domain import KPIs, Problem, ProblemError, Roster, parse_problem
from scheduler.four_weeks import four_week_kpis
from scheduler.ids import ESCORTED_VISIT
from whatif.edits import with_demand
from whatif.executors import Executor, Progress, SerialExecutor, cpu_count, make_executor
from whatif.manager import conclusions, scenario_label
from whatif.report import Outcome, WhatIfReport, assemble, draw_charts, table_records
from whatif.scenarios import (
    Scenario,
    ScenarioFile,
    apply,
    default_scenarios,
    expand,
    parse_scenarios,
)

if TYPE_CHECKING:
    from solver.solve import SolveOptions

MIN_SOLVER_WORKERS = 2
CONFIRM_SECONDS = 20.0
"""The least time limit of a solve that confirms a purchase (``buying_options``)."""


@dataclass(frozen=True)
class SweepOptions:
    """How each scenario is solved: time limit, CP-SAT workers per solve, determinism, seed.

    ``solver_workers`` None gives each solve an equal share of the cores, but
    at least ``MIN_SOLVER_WORKERS``: CP-SAT on one worker loses its portfolio
    of strategies and finds much weaker rosters in the same time.
    """

    time_limit: float = 10.0
    solver_workers: int | None = None
    deterministic: bool = False
    seed: int = 0


@dataclass(frozen=True)
class SweepTask:
    """One solve of a sweep: a scenario's week in one replication."""

    scenario: str
    replication: int
    problem: Problem
    time_limit: float
    workers: int
    deterministic: bool
    seed: int


def kpi_row(problem: Problem, kpis: KPIs) -> dict[str, float]:
    """Give the KPIs of one roster as flat numbers: fulfilment per shell, activity and room kind.

    Room utilisation is the mean over the rooms of a kind, so a second family
    room shows as both rooms used less, not as a new column.
    """
    row: dict[str, float] = {
        "fulfilment": kpis.fulfilment,
        "entitled": float(kpis.entitled),
        "granted": float(kpis.granted),
        "entitlement_value": float(kpis.entitlement_value),
        "fathers_below_legal_minimum": float(len(kpis.fathers_below_legal_minimum)),
        "fairness_floor": kpis.fairness_floor,
        "fathers_nothing_beyond_legal": float(len(kpis.fathers_nothing_beyond_legal)),
        "volunteer_hours": kpis.volunteer_hours,
        "partner_cap_hours": kpis.partner_cap_hours,
        "volunteer_share_of_cap": (
            kpis.volunteer_hours / kpis.partner_cap_hours if kpis.partner_cap_hours else 0.0
        ),
    }
    for shell, value in sorted(kpis.fulfilment_by_shell.items()):
        row[f"fulfilment_shell_{shell}"] = value
    for activity, value in sorted(kpis.fulfilment_by_activity.items()):
        row[f"fulfilment_{activity}"] = value
    by_kind: dict[str, list[float]] = {}
    for room in problem.rooms:
        by_kind.setdefault(room.kind, []).append(kpis.room_utilisation.get(room.id, 0.0))
    for kind, values in sorted(by_kind.items()):
        row[f"utilisation_{kind}"] = mean(values)
    return row


def solve_task(task: SweepTask) -> Outcome:
    """Give the outcome of solving one scenario's week (runs in a worker of the executor)."""
    from solver.solve import SolveOptions, solve

    roster: Roster = solve(
        task.problem,
        SolveOptions(
            time_limit=task.time_limit,
            workers=task.workers,
            deterministic=task.deterministic,
            seed=task.seed,
        ),
    )
    return Outcome(
        scenario=task.scenario,
        replication=task.replication,
        status=roster.status,
        solve_seconds=roster.solve_seconds,
        gap=roster.gap,
        kpis=kpi_row(task.problem, roster.kpis)
        | escort_row(roster)
        | four_week_row(task.problem, roster),
    )


def four_week_row(problem: Problem, roster: Roster) -> dict[str, float]:
    """Give the four-week KPIs of a week with a history (docs/design.md section 10), else none."""
    if problem.history is None:
        return {}
    kpis = four_week_kpis(problem, roster.assignments)
    return {
        "four_weeks_fulfilment_floor": kpis.fulfilment_floor,
        "four_weeks_below_legal_minimum_twice": float(len(kpis.fathers_below_legal_minimum_twice)),
        "four_weeks_least_child_minutes": float(
            min(kpis.contact_minutes_by_child.values(), default=0)
        ),
    }


def escort_row(roster: Roster) -> dict[str, float]:
    """Give how many escorted visits fall short, and how many of them for the partner cap."""
    escorts = [s for s in roster.shortfalls if s.activity == ESCORTED_VISIT]
    return {
        "escorted_visits_short": float(len(escorts)),
        "escorts_short_of_partner_cap": float(
            sum(1 for s in escorts if reasons.PARTNER_CAP in s.reasons)
        ),
    }


def replication_weeks(base: Problem, spec: ScenarioFile) -> list[Problem]:
    """Give the base week of every replication: the base itself, or generated demand on it."""
    replications = spec.replications
    if replications.count == 1:
        return [base]
    from scheduler.generate import generate_problem

    fathers = replications.fathers or len(base.fathers)
    weeks = []
    for index in range(replications.count):
        try:
            demand = generate_problem(
                fathers=fathers,
                institutions=len(base.institutions),
                seed=replications.seed + index,
                week=base.week,
            )
        except ProblemError as error:
            raise ProblemError([f"replications.{m}" for m in error.messages]) from None
        weeks.append(with_demand(base, demand))
    return weeks


def plan_sweep(
    base: Problem, spec: ScenarioFile, options: SweepOptions, pool_size: int
) -> tuple[list[Scenario], list[SweepTask]]:
    """Give the scenarios and one task per scenario and replication, each week built and checked.

    Raises ProblemError with every refused scenario's messages before anything is solved.
    """
    scenarios = expand(spec)
    workers = options.solver_workers or max(MIN_SOLVER_WORKERS, cpu_count() // max(1, pool_size))
    tasks: list[SweepTask] = []
    messages: list[str] = []
    for replication, week in enumerate(replication_weeks(base, spec)):
        for scenario in scenarios:
            try:
                problem = apply(week, scenario)
            except ProblemError as error:
                if replication == 0 or not messages:
                    messages += [
                        m if replication == 0 else f"replication {replication}: {m}"
                        for m in error.messages
                    ]
                continue
            tasks.append(
                SweepTask(
                    scenario=scenario.name,
                    replication=replication,
                    problem=problem,
                    time_limit=options.time_limit,
                    workers=workers,
                    deterministic=options.deterministic,
                    seed=options.seed,
                )
            )
    if messages:
        raise ProblemError(list(dict.fromkeys(messages)))
    return scenarios, tasks


def run_sweep(
    base: Problem,
    spec: ScenarioFile | None = None,
    executor: Executor | None = None,
    options: SweepOptions | None = None,
    progress: Progress | None = None,
    solve: Callable[[SweepTask], Outcome] = solve_task,
) -> WhatIfReport:
    """Give the what-if report of a scenario file (the default sweep if None) on a base week."""
    spec = spec if spec is not None else default_scenarios(base)
    executor = executor if executor is not None else SerialExecutor()
    options = options if options is not None else SweepOptions()
    scenarios, tasks = plan_sweep(base, spec, options, executor.workers)
    outcomes = executor.map(solve, tasks, progress)
    return assemble(scenarios, outcomes, spec.replications.count, options.deterministic)


def buying_options(options: SweepOptions) -> SolveOptions:
    """Give the options of the solves that confirm what to buy: the sweep's, one at a time.

    Each has at least ``CONFIRM_SECONDS`` and ``MIN_SOLVER_WORKERS``: the
    model's build counts against the limit, and a purchase's gain is found by
    searching on from the base roster, which one worker alone hardly does.
    """
    from solver.solve import SolveOptions

    workers = max(MIN_SOLVER_WORKERS, options.solver_workers or cpu_count())
    return SolveOptions(
        time_limit=max(options.time_limit, CONFIRM_SECONDS),
        workers=workers,
        deterministic=options.deterministic,
    )


def run_job(
    payload: dict[str, Any], report: Callable[[dict[str, Any], dict[str, Any] | None], None]
) -> dict[str, Any]:
    """Give the result of a what-if job: the table as records and the charts as base64 PNG.

    ``payload`` holds ``problem`` (the base week), ``scenarios`` (a scenario
    file, or None for the default sweep) and ``options`` (``time_limit``,
    ``workers``, ``solver_workers``, ``deterministic``, ``seed``,
    ``executor``, ``buy``: rank what to buy next, the default); ``report``
    receives the progress as solves finish.
    """
    base = parse_problem(payload["problem"])
    raw = payload.get("scenarios")
    spec = parse_scenarios(raw) if raw is not None else None
    settings = dict(payload.get("options") or {})
    options = SweepOptions(
        time_limit=float(settings.get("time_limit", 10.0)),
        solver_workers=settings.get("solver_workers"),
        deterministic=bool(settings.get("deterministic", False)),
        seed=int(settings.get("seed", 0)),
    )

    def progress(done: int, total: int) -> None:
        report({"done": done, "total": total}, None)

    # A job runs in a daemonic process, which may not start a process pool of its own.
    executor = make_executor(
        settings.get("executor", "serial"), settings.get("workers"), settings.get("address")
    )
    with executor:
        result = run_sweep(base, spec, executor, options, progress)
    if settings.get("buy", True):
        from whatif.purchases import purchase_records, what_to_buy

        result.purchases = purchase_records(what_to_buy(base, buying_options(options)))
    charts = draw_charts(result)
    return {
        "columns": [str(c) for c in result.table.columns],
        "table": table_records(result.table),
        "levels_off": result.levels_off,
        "every_escort_from": result.every_escort_from,
        "conclusions": conclusions(result.table, result.levels_off),
        "labels": {
            str(row["scenario"]): scenario_label(row) for row in table_records(result.table)
        },
        "charts": {name: base64.b64encode(png).decode("ascii") for name, png in charts.items()},
        "purchases": result.purchases,
    }
