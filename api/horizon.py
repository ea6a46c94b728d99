"""The horizon as a service job: the next weeks planned at once, each stored as its own draft.

A horizon job plans a stored week and the weeks after it (up to four,
``solver.horizon.plan_weeks``, week by week with the earlier ones held or
together), its first week with the history read from the store (the
published weeks before, with their outcomes). Each following week is the
stored upload of that week for the same institutions where there is one,
else the week before made again (``scheduler.horizon.next_week``: sessions
from templates where there are templates), stored as a new week. When the
job ends, each week's roster is stored as a finished roster job of its own
week, a draft that the existing publish route publishes week by week.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.database import Database
from api.jobs import Report
from api.problems import new_row
from api.rosters import ROSTER_JOB
from api.rosters import view as roster_view
from api.tables import JobRow, ProblemRow, utcnow
from scheduler.domain import Problem, ProblemError, parse_problem
from scheduler.history import week_after

HORIZON_JOB = "horizon"
HORIZON_TARGET = "api.horizon:horizon_job"


def horizon_job(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Give each planned week's problem and roster (runs in the job's own process).

    The progress tells after each week's solve how many of the solves are
    done (``done`` of ``total``: a week each, twice for ``together``) and per
    week solved its pass, status, gap and fairness floor (``planned``).
    """
    from solver.horizon import PlannedWeek, plan_weeks, solves
    from solver.solve import SolveOptions

    began = time.monotonic()
    given = [parse_problem(data) for data in payload["problems"]]
    weeks = int(payload["weeks"])
    mode = payload.get("mode", "held")
    total = solves(weeks, mode)
    planned: list[dict[str, Any]] = []

    def progress(phase: str) -> dict[str, Any]:
        seconds = round(time.monotonic() - began, 3)
        done = {"done": len(planned), "total": total, "planned": list(planned)}
        return {"phase": phase, "seconds": seconds, "weeks": weeks, **done}

    def on_week(solved_in: str, week: PlannedWeek) -> None:
        roster = week.roster
        planned.append(
            {
                "week": week.problem.week,
                "pass": solved_in,
                "status": roster.status,
                "gap": roster.gap,
                "floor": roster.kpis.fairness_floor,
            }
        )
        report(progress("solving"), None)

    report(progress("solving"), None)
    options = SolveOptions(
        time_limit=float(payload["time_limit"]),
        workers=int(payload["workers"]),
        deterministic=bool(payload.get("deterministic", False)),
    )
    seconds = payload.get("seconds")
    done = plan_weeks(
        given, weeks, mode, options, on_week, None if seconds is None else float(seconds)
    )
    report(progress("done"), None)
    return {
        "weeks": [
            {
                "week": item.problem.week,
                "problem": item.problem.model_dump(mode="json", exclude={"history"}),
                "roster": item.roster.model_dump(mode="json"),
            }
            for item in done
        ]
    }


def following_rows(session: Session, first: ProblemRow, weeks: int) -> list[ProblemRow]:
    """Give the stored uploads of the weeks right after ``first`` for the same institutions.

    They stop at the first week with none; of several, the newest counts.
    """
    found: list[ProblemRow] = []
    week = first.week
    for _ in range(weeks - 1):
        week = week_after(week)
        query = (
            select(ProblemRow).where(ProblemRow.week == week).order_by(ProblemRow.updated_at.desc())
        )
        row = next(
            (r for r in session.scalars(query) if r.institutions == first.institutions), None
        )
        if row is None:
            break
        found.append(row)
    return found


def _week_id(session: Session, base: str, week: str, first_week: str) -> str:
    """Give a free id for a made week: the first week's id with its week name replaced."""
    made = base.replace(first_week, week) if first_week in base else f"{base}-{week}"
    candidate, number = made, 1
    while session.get(ProblemRow, candidate) is not None:
        number += 1
        candidate = f"{made}-{number}"
    return candidate


def store_weeks(database: Database, job_id: str) -> None:
    """Store each week of a finished horizon job: made weeks as new uploads, rosters as drafts.

    All or nothing: when a week cannot be stored, nothing is, and the job's
    ``error`` says why.
    """
    try:
        with database.write() as session:
            _store(session, job_id)
    except (ProblemError, LookupError) as error:
        reason = "; ".join(error.messages) if isinstance(error, ProblemError) else str(error)
        with database.write() as session:
            row = session.get(JobRow, job_id)
            if row is not None:
                row.error = f"the planned weeks could not be stored: {reason}"


def _store(session: Session, job_id: str) -> None:
    row = session.get(JobRow, job_id)
    if row is None or row.result is None or row.result.get("stored"):
        return
    first = session.get(ProblemRow, row.problem_id) if row.problem_id else None
    if first is None:
        raise LookupError(f"problem '{row.problem_id}' no longer exists")
    ids: list[str] = list(row.params.get("given", []))
    stored: list[dict[str, Any]] = []
    for index, item in enumerate(row.result["weeks"]):
        if index < len(ids):
            problem_id = ids[index]
        else:
            problem_id = _week_id(session, first.id, item["week"], first.week)
            data = {**item["problem"], "id": problem_id}
            problem: Problem = parse_problem(data)
            session.add(new_row(problem, data))
            session.flush()
        roster_id = _draft(session, row, problem_id, index, item["roster"])
        stored.append({"week": item["week"], "problem_id": problem_id, "roster_id": roster_id})
    row.result = {**row.result, "stored": stored}


def _draft(
    session: Session, horizon: JobRow, problem_id: str, index: int, roster: dict[str, Any]
) -> str:
    """Give the id of a finished roster job holding one week's roster of the horizon."""
    job_id = str(uuid.uuid4())
    now = utcnow()
    session.add(
        JobRow(
            id=job_id,
            kind=ROSTER_JOB,
            problem_id=problem_id,
            institutions=horizon.institutions,
            state="done",
            params={**horizon.params, "horizon": horizon.id, "horizon_week": index + 1},
            progress={"phase": "horizon", "week": index + 1},
            result={**roster, "problem_id": problem_id},
            key_id=horizon.key_id,
            created_at=now,
            started_at=horizon.started_at,
            finished_at=now,
        )
    )
    return job_id


def view(row: JobRow) -> dict[str, Any]:
    """Give what the API shows of a horizon job: state, progress, and each week once stored."""
    result = row.result or {}
    weeks = [
        {**item, "kpis": _kpis(result, index)}
        for index, item in enumerate(result.get("stored", []))
    ]
    shown = {k: v for k, v in roster_view(row, []).items() if k not in ("published", "roster")}
    return {
        **shown,
        "options": {k: v for k, v in row.params.items() if k != "given"},
        "weeks": weeks,
    }


def _kpis(result: dict[str, Any], index: int) -> dict[str, Any]:
    kpis: dict[str, Any] = result["weeks"][index]["roster"].get("kpis", {})
    keep = ("fulfilment", "fairness_floor", "fathers_below_legal_minimum", "entitlement_value")
    return {key: kpis.get(key) for key in keep}
