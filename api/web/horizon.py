"""The weeks side by side, and a father's last four weeks, as the planner's page shows them.

The horizon shows, for one institution, a week and the weeks after it: per
week the roster that holds (the published one, else the newest draft), its
headline figures, the fathers below the legal minimum, and the way to its
grid. A father's last four weeks are the week shown and the three published
before it (the window of the monthly rules, docs/design.md section 10): per
week what was granted per activity, the outcomes recorded, and whether he
was below the legal minimum; two or more such weeks are marked loudly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from api.outcomes import history_of, occurrences_at, stored
from api.published import Parsed, load_week, publication
from api.rosters import ROSTER_JOB
from api.tables import JobRow, ProblemRow
from api.web import views
from scheduler.domain import Assignment, Problem, Roster
from scheduler.four_weeks import four_week_kpis
from scheduler.history import WINDOW_WEEKS, week_after
from scheduler.horizon import with_history
from scheduler.objective import visit_minutes

HORIZON_WEEKS = 4
# Two or more of the four weeks below the legal minimum is marked loudly.
BELOW_LEGAL_LOUD = 2


@dataclass
class WeekColumn:
    """One week of the horizon at an institution: what roster holds and its figures."""

    week: str
    problem_id: str | None = None
    roster_id: str | None = None
    published_version: int | None = None
    summary: views.Summary | None = None
    below_legal: list[str] = field(default_factory=list)


def _stored_week(db: Session, institution: str, week: str) -> ProblemRow | None:
    """Give the newest stored upload of the week that holds the institution."""
    query = (
        select(ProblemRow)
        .where(ProblemRow.week == week)
        .options(defer(ProblemRow.data))
        .order_by(ProblemRow.updated_at.desc())
    )
    return next((row for row in db.scalars(query) if institution in row.institutions), None)


def _newest_roster(db: Session, problem_id: str) -> JobRow | None:
    query = (
        select(JobRow)
        .where(JobRow.kind == ROSTER_JOB, JobRow.problem_id == problem_id, JobRow.state == "done")
        .order_by(JobRow.created_at.desc())
    )
    return db.scalars(query).first()


def _column(db: Session, parsed: Parsed, institution: str, week: str) -> WeekColumn:
    held = publication(db, institution, week)
    row = db.get(ProblemRow, held.problem_id) if held else _stored_week(db, institution, week)
    if row is None:
        return WeekColumn(week)
    job = db.get(JobRow, held.roster_id) if held else _newest_roster(db, row.id)
    column = WeekColumn(week, row.id, job.id if job else None, held.version if held else None)
    if job is None or not job.result:
        return column
    problem, roster = parsed.problem(row), parsed.roster(job)
    column.summary = views.summary(problem, roster, institution)
    rows = views.father_rows(problem, roster, institution, views.Filters())
    column.below_legal = sorted(r.father.id for r in rows if r.below_legal)
    return column


def horizon(db: Session, parsed: Parsed, institution: str, first: str) -> list[WeekColumn]:
    """Give the week ``first`` and the weeks after it, as far as the horizon reaches."""
    return [_column(db, parsed, institution, week_after(first, n)) for n in range(HORIZON_WEEKS)]


@dataclass
class FatherWeek:
    """One of a father's last four weeks: granted per activity, outcomes, the legal minimum."""

    week: str
    problem_id: str | None
    shown: bool
    granted: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    below_legal: bool | None = None


@dataclass
class FatherWeeks:
    """A father's last four weeks, oldest first, and the activities granted in any of them."""

    weeks: list[FatherWeek]
    activities: list[str]

    @property
    def below_legal_weeks(self) -> int:
        """Give in how many of the weeks he was below the legal minimum."""
        return sum(1 for w in self.weeks if w.below_legal)

    @property
    def loud(self) -> bool:
        """Tell whether he was below the legal minimum in two or more of the four weeks."""
        return self.below_legal_weeks >= BELOW_LEGAL_LOUD


def _granted(problem: Problem, assignments: list[Assignment], father_id: str) -> FatherWeek:
    found = FatherWeek(problem.week, problem.id, False)
    for assignment in assignments:
        if father_id in assignment.fathers:
            found.granted[assignment.activity] += 1
    minutes = visit_minutes(problem, assignments)[father_id]
    found.below_legal = minutes < problem.policy.legal_min_visit_minutes
    return found


def father_weeks(
    db: Session,
    parsed: Parsed,
    institution: str,
    problem: Problem,
    roster: Roster | None,
    father_id: str,
    now: datetime,
) -> FatherWeeks:
    """Give the father's week shown and the three published weeks before it."""
    weeks: list[FatherWeek] = []
    for back in range(WINDOW_WEEKS - 1, 0, -1):
        name = week_after(problem.week, -back)
        published = load_week(db, parsed, institution, name, now)
        if published is None or father_id not in published.problem.father_by_id:
            weeks.append(FatherWeek(name, None, False))
            continue
        taken = list(occurrences_at(published, institution).values())
        week = _granted(published.problem, taken, father_id)
        recorded = {
            r.assignment: r.outcome for r in stored(db, institution, name) if r.father == father_id
        }
        for assignment in taken:
            if father_id in assignment.fathers:
                week.outcomes[recorded.get(assignment.id, "not_recorded")] += 1
        weeks.append(week)
    if roster is not None:
        shown = _granted(problem, views.at_institution(problem, roster, institution), father_id)
    else:
        shown = FatherWeek(problem.week, problem.id, True)
    shown.shown = True
    weeks.append(shown)
    activities = sorted({a for w in weeks for a in w.granted})
    return FatherWeeks(weeks, activities)


@dataclass
class FourWeeks:
    """The four-week figures of the week shown at one institution (docs/design.md section 10)."""

    weeks: list[str]
    floor: float
    below_twice: list[str]
    nothing_every_week: list[str]
    least_contact_minutes: int | None


def four_weeks_at(
    db: Session,
    parsed: Parsed,
    problem: Problem,
    roster: Roster | None,
    institution: str,
    now: datetime,
) -> FourWeeks | None:
    """Give the week's four-week figures with the store's history, or None without a roster."""
    if roster is None:
        return None
    read = with_history(problem, history_of(db, parsed, problem, now))
    found = four_week_kpis(read, views.at_institution(read, roster, institution))
    own = {f.id for f in problem.fathers if f.institution == institution}
    children = {c.id for f in problem.fathers if f.id in own for c in f.children}
    shares = [share for father, share in found.fulfilment_by_father.items() if father in own]
    minutes = [m for child, m in found.contact_minutes_by_child.items() if child in children]
    return FourWeeks(
        weeks=found.weeks,
        floor=min(shares, default=1.0),
        below_twice=[f for f in found.fathers_below_legal_minimum_twice if f in own],
        nothing_every_week=[f for f in found.fathers_nothing_beyond_legal_every_week if f in own],
        least_contact_minutes=min(minutes, default=None),
    )
