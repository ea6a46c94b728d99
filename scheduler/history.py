"""The published weeks before this one, as facts of this one (docs/design.md section 10).

A ``History`` holds, per ISO week and institution, the occurrences that were
granted (father, activity, start) with their outcome once recorded: took
place, no show (the family did not come) or cancelled by the institution.
It rides along with the week as the optional ``history`` field of the
problem, or is handed to the CLI as a file of its own (``--history FILE``).

What the weeks before count for this one:

- the monthly rules (``per_4_weeks``): an occurrence granted in the three
  weeks before counts, a no-show too; a cancellation by the institution
  does not (``granted_before``);
- fairness across weeks and the four-week KPIs (``scheduler.recent``): a
  cancellation by the institution is a shortfall of the roster, a family's
  no-show is not.

Time-outs are carried by the fathers themselves (``Father.timeouts`` are
dated), so a time-out begun in an earlier week keeps holding this one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationError

from scheduler.contract import (
    Contract,
    LocalDateTime,
    ProblemError,
    read_json,
    validation_messages,
)
from scheduler.ids import ESCORTED_VISIT, AssignmentId, Id, Pseudonym, WeekName
from scheduler.week import WeekClock, parse_week

if TYPE_CHECKING:
    from scheduler.domain import Problem

Outcome = Literal["took_place", "no_show", "cancelled_by_institution"]
TOOK_PLACE: Outcome = "took_place"
NO_SHOW: Outcome = "no_show"
CANCELLED: Outcome = "cancelled_by_institution"
OUTCOMES: tuple[Outcome, ...] = (TOOK_PLACE, NO_SHOW, CANCELLED)
# The window of the monthly rules and of fairness across weeks: this week and three before.
WINDOW_WEEKS = 4


class Occurrence(Contract):
    """One father's granted occurrence of an activity, with its outcome once recorded.

    ``outcome`` None: not yet recorded, counted as granted. ``escorted``: it
    had all its escorts, so it also counts as an ``escorted_visit``.
    """

    father: Pseudonym
    activity: Id
    start: LocalDateTime
    assignment: AssignmentId | None = None
    outcome: Outcome | None = None
    escorted: bool = False


class WeekRecord(Contract):
    """One published week of one institution (all of the region's where ``institution`` is None).

    ``entitled`` gives per father and activity what he was entitled to that
    week; a father it leaves out is read with this week's entitlements.
    """

    week: WeekName
    institution: Id | None = None
    occurrences: list[Occurrence] = Field(default_factory=list)
    entitled: dict[Pseudonym, dict[Id, int]] = Field(default_factory=dict)

    def covers(self, institution: str) -> bool:
        """Tell whether the record is about an institution."""
        return self.institution is None or self.institution == institution


class History(Contract):
    """The published weeks before this one, oldest first or in any order."""

    weeks: list[WeekRecord] = Field(default_factory=list)


def weeks_between(earlier: str, later: str) -> int:
    """Give how many weeks ``earlier`` lies before ``later`` (negative when after)."""
    return (parse_week(later) - parse_week(earlier)).days // 7


def week_after(week: str, weeks: int = 1) -> str:
    """Give the ISO week name ``weeks`` after ``week``."""
    year, number, _ = (parse_week(week) + timedelta(weeks=weeks)).isocalendar()
    return f"{year}-W{number:02d}"


def counts_as_granted(outcome: Outcome | None) -> bool:
    """Tell whether an occurrence counts as granted: all but a cancellation by the institution."""
    return outcome != CANCELLED


def _record_errors(problem: Problem, index: int, record: WeekRecord) -> list[str]:
    field = f"history.weeks[{index}]"
    messages: list[str] = []
    if record.institution is not None and record.institution not in {
        i.id for i in problem.institutions
    }:
        messages.append(f"{field}.institution: unknown institution '{record.institution}'")
    if weeks_between(record.week, problem.week) <= 0:
        messages.append(f"{field}.week: week {record.week} is not before this week {problem.week}")
    activities = {a.id for a in problem.entitlement_activities} | {ESCORTED_VISIT}
    clock = WeekClock(record.week)
    for number, item in enumerate(record.occurrences):
        where = f"{field}.occurrences[{number}]"
        if item.father not in problem.father_by_id:
            messages.append(f"{where}.father: unknown father '{item.father}'")
        if item.activity not in activities:
            messages.append(f"{where}.activity: unknown activity '{item.activity}'")
        if not 0 <= clock.minute(item.start) < 7 * 1440:
            messages.append(f"{where}.start: {item.start.isoformat()} is not in week {record.week}")
    for father, table in record.entitled.items():
        if father not in problem.father_by_id:
            messages.append(f"{field}.entitled: unknown father '{father}'")
        for activity, count in table.items():
            if activity not in activities:
                messages.append(f"{field}.entitled.{father}: unknown activity '{activity}'")
            if count < 0:
                messages.append(f"{field}.entitled.{father}.{activity}: negative ({count})")
    return messages


def history_errors(problem: Problem) -> list[str]:
    """Give one message per contradiction or unknown reference in the problem's history.

    Refused: a week recorded twice (for one institution, or for the whole
    region beside one of its institutions), an occurrence recorded twice (two
    outcomes for one father, activity and start), a week not before this one,
    an occurrence outside its week, an unknown father, activity or institution.
    """
    history = problem.history
    if history is None:
        return []
    messages: list[str] = []
    seen: dict[str, list[str | None]] = {}
    occurrences: dict[tuple[str, str, str], tuple[str, Outcome | None]] = {}
    for index, record in enumerate(history.weeks):
        messages += _record_errors(problem, index, record)
        earlier = seen.setdefault(record.week, [])
        if record.institution in earlier or (earlier and None in (record.institution, *earlier)):
            messages.append(
                f"history.weeks[{index}].week: week {record.week} is recorded twice"
                + (f" for institution '{record.institution}'" if record.institution else "")
            )
        earlier.append(record.institution)
        for number, item in enumerate(record.occurrences):
            key = (item.father, item.activity, item.start.isoformat())
            where = f"history.weeks[{index}].occurrences[{number}]"
            if key in occurrences:
                first, outcome = occurrences[key]
                messages.append(
                    f"{where}: occurrence {item.father} {item.activity} {key[2]} is recorded "
                    f"twice (at {first}, outcomes {outcome or 'not recorded'} and "
                    f"{item.outcome or 'not recorded'})"
                )
            else:
                occurrences[key] = (where, item.outcome)
    return messages


@dataclass(frozen=True)
class Earlier:
    """The counts of the weeks before that this week needs, read once per problem.

    ``granted`` counts per (father, activity) over the three weeks before this
    one what counts as granted (no-shows too, not cancellations by the
    institution); ``weeks`` are the records of those three weeks. ``owed``
    and ``had`` sum per father, over the records that give his entitlements,
    what he was entitled to and what of it was granted (capped per activity):
    a cancellation by the institution is a shortfall of the roster, a
    family's no-show is not.
    """

    weeks: tuple[WeekRecord, ...]
    granted: Counter[tuple[str, str]]
    owed: Counter[str]
    had: Counter[str]
    # The mean share granted of what was owed, over the fathers owed anything (1.0: none was).
    typical: float = 1.0

    @classmethod
    def of(cls, problem: Problem) -> Earlier:
        """Give the counts of the problem's history within the four-week window."""
        history = problem.history
        weeks = tuple(
            record
            for record in (history.weeks if history is not None else [])
            if 0 < weeks_between(record.week, problem.week) < WINDOW_WEEKS
        )
        return cls.of_records(problem, weeks)

    @classmethod
    def of_records(cls, problem: Problem, weeks: tuple[WeekRecord, ...]) -> Earlier:
        """Give the counts of these records, whatever their weeks (a horizon's other weeks)."""
        granted: Counter[tuple[str, str]] = Counter()
        owed: Counter[str] = Counter()
        had: Counter[str] = Counter()
        for record in weeks:
            counts = record_granted(problem, record)
            granted.update(counts)
            for father_id, table in record.entitled.items():
                owed[father_id] += sum(table.values())
                had[father_id] += sum(
                    min(counts[father_id, activity], count) for activity, count in table.items()
                )
        shares = [had[f] / owed[f] for f in owed if owed[f]]
        typical = sum(shares) / len(shares) if shares else 1.0
        return cls(weeks, granted, owed, had, typical)


def record_granted(problem: Problem, record: WeekRecord) -> Counter[tuple[str, str]]:
    """Give per (father, activity) what a week record counts as granted.

    Only the record's own institution's fathers count; an occurrence with all
    its escorts also counts as an ``escorted_visit``.
    """
    granted: Counter[tuple[str, str]] = Counter()
    fathers = problem.father_by_id
    for item in record.occurrences:
        father = fathers.get(item.father)
        if father is None or not record.covers(father.institution):
            continue
        if counts_as_granted(item.outcome):
            granted[item.father, item.activity] += 1
            if item.escorted:
                granted[item.father, ESCORTED_VISIT] += 1
    return granted


def parse_history(data: Any) -> History:
    """Give a History from decoded JSON, or raise ProblemError naming each bad field."""
    try:
        return History.model_validate(data)
    except ValidationError as error:
        raise ProblemError([f"history.{m}" for m in validation_messages(error)]) from None


def load_history(path: str | Path) -> History:
    """Give the History in a JSON file (``{"weeks": [...]}``), checked field by field."""
    return parse_history(read_json(path))


def held_around(problem: Problem, records: tuple[WeekRecord, ...]) -> Problem:
    """Give a copy of the problem that reads these records as its weeks before.

    A horizon solved together re-plans one week with the others held
    (``solver.horizon``): the weeks after it count for its monthly rules and
    its fairness as the weeks before do. Counting more weeks only lowers the
    ceilings, so a roster of the copy also keeps the rules of the week itself.
    """
    copy = problem.model_copy()
    copy.__dict__["earlier"] = Earlier.of_records(problem, records)
    # What the four-week floor reads follows from the weeks before: read again from these.
    copy.__dict__.pop("window", None)
    return copy
