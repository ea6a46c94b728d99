"""What four weeks allow at best: bounds on the four-week floor and on those left with nothing.

Both read the weeks as facts (``bench.weeks.base_weeks``: no history), so
they hold for any plan of the four weeks, whatever was planned before them,
and both stand on each week's relaxation by counts
(``solver.count_relaxation.week_counts``: a father's count of each kind of
occurrence within his candidates and limits per day, no kind past its seats
or what its rooms, staff and partner cap could hold, the rooms' time, the
partner cap, escorted seats only in escorted sessions), the weeks side by side:

- ``floor_possible``: the least share the LP over the four weeks cannot
  give every father (``_FairShare``): each count at most what he could be
  granted of it, and the monthly rules held over the weeks; no plan's floor
  reaches it;
- ``fewest_possible``: the fathers who could be granted more than the legal
  visit in every one of the four weeks, less the most of them the LP serves
  once in any of the weeks (``bench.fairness.most_served_by_relaxation``):
  at least the fewest with nothing beyond the legal visit in all four weeks.

Each is given twice: over any plan, and over the plans that hold each week's
legal tier at least where the week's warm start has it (``legal_reached``;
the strict tier order reaches that first, docs/design.md section 4), whose
relaxation seats that many fathers for their legal hour before anything else
takes the partner cap (``week_counts`` with ``legal_held``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]

from bench.fairness import beyond_wanted, most_served_by_relaxation
from scheduler.domain import Problem
from scheduler.history import WINDOW_WEEKS
from scheduler.objective import could_have, tiers
from solver.candidates import Candidates, find_candidates
from solver.count_relaxation import WeekCounts, week_counts
from solver.warmstart import priority_order


def _monthly(problem: Problem, father_id: str) -> dict[str, int]:
    """Give the father's activities with a monthly rule, and the rule's figure."""
    father = problem.father_by_id[father_id]
    table = problem.entitlements.get(father.shell, {})
    return {a: e.per_4_weeks for a, e in table.items() if e.per_4_weeks is not None}


@dataclass
class WeekFacts:
    """One week as facts, read once: its relaxation by counts and what each father could have.

    Each count of the relaxation is held to what the father could be granted
    of its activity (``could_have``), which no plan of the week exceeds.
    """

    problem: Problem
    counts: WeekCounts
    could: dict[str, dict[str, int]]
    wanted: dict[str, set[str]]

    @classmethod
    def of(
        cls, problem: Problem, candidates: Candidates | None = None, legal_held: int | None = None
    ) -> WeekFacts:
        """Give the week's facts, at least ``legal_held`` fathers at the legal minimum if given."""
        counts = week_counts(problem, candidates or find_candidates(problem), legal_held)
        could = could_have(problem)
        for (father, kind), column in counts.counts.items():
            owed = could.get(father, {}).get(counts.activity[kind], 0)
            counts.upper[column] = min(counts.upper[column], owed)
        return cls(problem, counts, could, beyond_wanted(problem))

    @property
    def most(self) -> dict[str, Counter[str]]:
        """Give per father and activity the most he could be granted with every seat his."""
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for (father, kind), column in self.counts.counts.items():
            found[father][self.counts.activity[kind]] += int(self.counts.upper[column])
        return found


class _FairShare:
    """The LP over the four weeks' counts side by side, asked share by share.

    A monthly activity holds at most its figure over the weeks. A father's
    share is ``(had + monthly) / (owed + monthly)`` with ``owed`` of the
    activities without a monthly rule: a monthly activity is owed at least
    what of it is granted, so a plan whose floor reaches ``share`` meets
    ``had + (1 - share) * monthly >= share * owed`` for every father.
    """

    def __init__(self, weeks: list[WeekFacts]) -> None:
        joined = WeekCounts()
        self.had: dict[str, list[int]] = defaultdict(list)
        self.extra: dict[str, list[int]] = defaultdict(list)
        monthly: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.owed: Counter[str] = Counter()
        for week in weeks:
            for (father, kind), column in joined.extend(week.counts).items():
                activity = week.counts.activity[kind]
                if activity in _monthly(week.problem, father):
                    monthly[father, activity].append(column)
                    self.extra[father].append(column)
                else:
                    self.had[father].append(column)
            for father, table in week.could.items():
                rule = _monthly(week.problem, father)
                self.owed[father] += sum(n for a, n in table.items() if a not in rule)
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.columns = [self.lp.NumVar(0, upper, "") for upper in joined.upper]
        self._add_rows(joined)
        last = weeks[-1].problem
        for (father, activity), columns in monthly.items():
            figure = _monthly(last, father)[activity]
            self.lp.Add(self.lp.Sum([self.columns[c] for c in columns]) <= figure)
        infinity = self.lp.infinity()
        self.shares = {father: self.lp.Constraint(0, infinity) for father in self.owed}
        for father, constraint in self.shares.items():
            for column in self.had[father]:
                constraint.SetCoefficient(self.columns[column], 1)

    def _add_rows(self, joined: WeekCounts) -> None:
        """Add the weeks' rows to the LP."""
        infinity = self.lp.infinity()
        rows = joined.rows
        constraints = [
            self.lp.Constraint(max(low, -infinity), min(high, infinity))
            for low, high in zip(rows.low, rows.high, strict=True)
        ]
        for row, column, value in zip(rows.rows, rows.columns, rows.values, strict=True):
            constraints[row].SetCoefficient(self.columns[column], value)

    def allowed(self, share: float) -> bool:
        """Tell whether the LP can give each father at least ``share`` over the weeks."""
        for father, constraint in self.shares.items():
            constraint.SetLb(share * self.owed[father])
            for column in self.extra[father]:
                constraint.SetCoefficient(self.columns[column], 1 - share)
        return bool(self.lp.Solve() == pywraplp.Solver.OPTIMAL)


def floor_possible(weeks: list[WeekFacts], steps: int = 14) -> float:
    """Give a bound of the four-week fairness floor of any plan of these weeks (as facts).

    The least share the LP (``_FairShare``) cannot give every father, by
    halving from 0 (always allowed) to 1, to 1/2**steps; no plan's floor
    reaches it.
    """
    fair = _FairShare(weeks)
    low, high = 0.0, 1.0
    if fair.allowed(high):
        return 1.0
    for _ in range(steps):
        middle = (low + high) / 2
        if fair.allowed(middle):
            low = middle
        else:
            high = middle
    return high


def fewest_possible(weeks: list[WeekFacts]) -> int:
    """Give a bound of the fewest fathers with nothing beyond the legal visit in all the weeks.

    Only fathers who could be granted more than the legal visit every week
    without a monthly rule (so whatever was planned) are counted; each is
    left out once served in one week, and the LP serves at least as many as
    any plan does.
    """
    every = set.intersection(
        *(
            {f for f, kinds in w.wanted.items() if kinds - _monthly(w.problem, f).keys()}
            for w in weeks
        )
    )
    served = most_served_by_relaxation(
        [(w.counts, {f: a for f, a in w.wanted.items() if f in every}) for w in weeks]
    )
    return 0 if served is None else max(0, len(every) - served)


def legal_reached(problem: Problem) -> int:
    """Give the fathers at the legal minimum in the week's warm start (``priority_order``).

    A roster reaches it, so the legal tier's best is at least this: any plan
    that holds the legal tier first has at least this many each week.
    """
    return tiers(problem, priority_order(problem)).legal_minimum


class WindowBounds(NamedTuple):
    """One four-week window's bounds, over any plan and with each week's legal tier held."""

    floor: float
    fewest: int
    floor_held: float
    fewest_held: int


def window_bounds(facts: list[Problem]) -> list[WindowBounds]:
    """Give each four-week window's bounds: the floor possible and the fewest left with nothing.

    Each over any plan, and over the plans holding every week's legal tier at
    ``legal_reached``.
    """
    weeks: list[WeekFacts] = []
    held: list[WeekFacts] = []
    for problem in facts:
        candidates = find_candidates(problem)
        weeks.append(WeekFacts.of(problem, candidates))
        held.append(WeekFacts.of(problem, candidates, legal_reached(problem)))
    found = []
    for end in range(WINDOW_WEEKS, len(weeks) + 1):
        free, kept = weeks[end - WINDOW_WEEKS : end], held[end - WINDOW_WEEKS : end]
        found.append(
            WindowBounds(
                floor_possible(free),
                fewest_possible(free),
                floor_possible(kept),
                fewest_possible(kept),
            )
        )
    return found
