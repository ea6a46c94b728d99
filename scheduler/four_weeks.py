"""The key figures over four weeks: this week's roster read with the three weeks before it.

Per father: fulfilment over the four weeks (granted over what he could be
granted, week by week) and its floor; per child: contact minutes (the
children of a father, present in child-present activities that took place);
the fathers below the legal minimum in two or more of the four weeks, and
those with nothing beyond the legal visit in every week (docs/design.md
section 10). A cancellation by the institution counts as not granted; a
family's no-show counts as granted, and gives the child no contact minutes.

``week_record`` turns a planned week into the record the next week reads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pydantic import Field

from scheduler.contract import Contract
from scheduler.domain import Assignment, Problem
from scheduler.entitlements import is_legal_visit
from scheduler.history import (
    NO_SHOW,
    Occurrence,
    Outcome,
    WeekRecord,
    counts_as_granted,
    record_granted,
    weeks_between,
)
from scheduler.objective import could_have, granted_counts, has_its_escorts
from scheduler.week import WeekClock


class FourWeekKPIs(Contract):
    """Key figures of this week and the three before it that the history gives."""

    weeks: list[str] = Field(default_factory=list)
    fulfilment_by_father: dict[str, float] = Field(default_factory=dict)
    fulfilment_floor: float = 1.0
    contact_minutes_by_child: dict[str, int] = Field(default_factory=dict)
    # The weeks in which each father was below the legal minimum (only fathers who were).
    below_legal_minimum: dict[str, list[str]] = Field(default_factory=dict)
    fathers_below_legal_minimum_twice: list[str] = Field(default_factory=list)
    # Fathers who every week could be granted more than the legal visit, and got none of it.
    fathers_nothing_beyond_legal_every_week: list[str] = Field(default_factory=list)


@dataclass
class _Week:
    """One week's facts per father: owed and granted (capped), visit and child minutes."""

    name: str
    owed: Counter[str] = field(default_factory=Counter)
    had: Counter[str] = field(default_factory=Counter)
    visits: Counter[str] = field(default_factory=Counter)
    present: set[str] = field(default_factory=set)
    beyond_owed: set[str] = field(default_factory=set)
    beyond_had: set[str] = field(default_factory=set)
    child_minutes: Counter[str] = field(default_factory=Counter)


def _tally(
    problem: Problem,
    week: _Week,
    entitled: dict[str, dict[str, int]],
    counts: Counter[tuple[str, str]],
) -> None:
    for father_id, table in entitled.items():
        week.present.add(father_id)
        for activity_id, owed in table.items():
            if not owed:
                continue
            had = min(counts[father_id, activity_id], owed)
            week.owed[father_id] += owed
            week.had[father_id] += had
            if not is_legal_visit(problem.kind(activity_id)):
                week.beyond_owed.add(father_id)
                if had:
                    week.beyond_had.add(father_id)


def _contact(
    problem: Problem, week: _Week, father_id: str, activity_id: str, came: bool = True
) -> None:
    """Count an occurrence's visit minutes, and its child minutes where the family came."""
    activity = problem.activity_by_id.get(activity_id)
    if activity is None:
        return
    if activity.counts_as_visit:
        week.visits[father_id] += activity.minutes
    if activity.child_present and came:
        for child in problem.father_by_id[father_id].children:
            week.child_minutes[child.id] += activity.minutes


def _earlier_week(problem: Problem, record: WeekRecord) -> _Week:
    week = _Week(record.week)
    _tally(problem, week, record.entitled, record_granted(problem, record))
    for item in record.occurrences:
        father = problem.father_by_id.get(item.father)
        if father is None or not record.covers(father.institution):
            continue
        week.present.add(item.father)
        if counts_as_granted(item.outcome):
            _contact(problem, week, item.father, item.activity, item.outcome != NO_SHOW)
    return week


def weeks_with_nothing_beyond_legal(problem: Problem) -> Counter[str]:
    """Give per father how many weeks before he was owed more than the legal visit and got none.

    The weeks before are those the problem's history holds within the
    four-week window; a record without entitlements counts for no father.
    """
    bare: Counter[str] = Counter()
    for record in problem.earlier.weeks:
        week = _earlier_week(problem, record)
        bare.update(week.beyond_owed - week.beyond_had)
    return bare


def below_legal_week_before(problem: Problem) -> set[str]:
    """Give the fathers below the legal minimum visit time in the week just before this one.

    Read from that week's record as the four-week KPIs read it: a visit
    cancelled by the institution is no visit, a family's no-show is one. A
    record without entitlements counts for no father, as for the weeks with
    nothing beyond the legal visit: a week planned alone knows no one's due.
    """
    legal = problem.policy.legal_min_visit_minutes
    below: set[str] = set()
    for record in problem.earlier.weeks:
        if weeks_between(record.week, problem.week) != 1:
            continue
        week = _earlier_week(problem, record)
        below |= {
            f for f in record.entitled if f in problem.father_by_id and week.visits[f] < legal
        }
    return below


def _this_week(problem: Problem, assignments: list[Assignment]) -> _Week:
    week = _Week(problem.week)
    _tally(problem, week, could_have(problem), granted_counts(problem, assignments))
    week.present |= set(problem.father_by_id)
    for assignment in assignments:
        for father_id in assignment.fathers:
            if father_id in problem.father_by_id:
                _contact(problem, week, father_id, assignment.activity)
    return week


def four_week_kpis(problem: Problem, assignments: list[Assignment]) -> FourWeekKPIs:
    """Give the four-week KPIs of this week's assignments and the problem's history."""
    earlier = sorted(problem.earlier.weeks, key=lambda r: r.week)
    weeks = [_earlier_week(problem, record) for record in earlier]
    weeks.append(_this_week(problem, assignments))
    names = sorted({w.name for w in weeks})
    legal = problem.policy.legal_min_visit_minutes
    fulfilment: dict[str, float] = {}
    below: dict[str, list[str]] = {}
    nothing: list[str] = []
    children: Counter[str] = Counter()
    for week in weeks:
        children.update(week.child_minutes)
    for father in sorted(problem.fathers, key=lambda f: f.id):
        owed = sum(w.owed[father.id] for w in weeks)
        if owed:
            fulfilment[father.id] = sum(w.had[father.id] for w in weeks) / owed
        low = sorted(
            {w.name for w in weeks if father.id in w.present and w.visits[father.id] < legal}
        )
        if low:
            below[father.id] = low
        if all(father.id in w.beyond_owed and father.id not in w.beyond_had for w in weeks):
            nothing.append(father.id)
    all_children = {c.id: 0 for f in problem.fathers for c in f.children}
    return FourWeekKPIs(
        weeks=names,
        fulfilment_by_father=fulfilment,
        fulfilment_floor=min(fulfilment.values(), default=1.0),
        contact_minutes_by_child=dict(sorted({**all_children, **children}.items())),
        below_legal_minimum=below,
        fathers_below_legal_minimum_twice=sorted(f for f, w in below.items() if len(w) >= 2),
        fathers_nothing_beyond_legal_every_week=nothing,
    )


def week_record(
    problem: Problem,
    assignments: list[Assignment],
    outcomes: dict[tuple[str, str, str], Outcome] | None = None,
) -> WeekRecord:
    """Give the record of a planned week, as the weeks after it read it.

    Each father's occurrence is one ``Occurrence`` (``escorted`` where it had
    all its escorts); ``outcomes`` gives any recorded outcome by (father,
    activity, start ISO); ``entitled`` is what each father could be granted.
    """
    found: list[Occurrence] = []
    given = outcomes or {}
    clock = WeekClock(problem.week)
    for assignment in sorted(assignments, key=lambda a: (a.start, a.id)):
        if assignment.activity not in problem.activity_by_id:
            continue
        escorted = has_its_escorts(problem, assignment)
        start = clock.moment(clock.minute(assignment.start))
        for father_id in assignment.fathers:
            key = (father_id, assignment.activity, start.isoformat())
            found.append(
                Occurrence(
                    father=father_id,
                    activity=assignment.activity,
                    start=start,
                    assignment=assignment.id,
                    outcome=given.get(key),
                    escorted=escorted,
                )
            )
    return WeekRecord(week=problem.week, occurrences=found, entitled=could_have(problem))
