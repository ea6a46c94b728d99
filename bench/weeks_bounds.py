"""What four weeks allow at best: bounds on the four-week floor and on those left with nothing.

Both read the weeks as facts (``bench.weeks.base_weeks``: no history), so
they hold for any plan of the four weeks, whatever was planned before them:

- ``floor_possible``: the least share an LP over the four weeks cannot
  give every father (``_fair_share_allowed``): each father at most what he
  could have with every seat his (``own_most``: his eligibility,
  unavailability, time-outs, school hours, the sessions and windows that
  exist, the limit per day), no kind of occurrence past its capacity, each
  week's partner cap and the monthly rules held; no plan's floor reaches it;
- ``fewest_possible``: the fathers who could be granted more than the legal
  visit in every one of the four weeks, less the most of them an LP serves
  once in any of the weeks (``bench.fairness.most_served_by_relaxation``):
  at least the fewest with nothing beyond the legal visit in all four weeks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]

from bench.fairness import beyond_wanted, kinds_of, most_served_by_relaxation
from scheduler.domain import Problem
from scheduler.entitlements import max_per_day
from scheduler.four_weeks import could_have
from scheduler.history import WINDOW_WEEKS
from scheduler.ids import ESCORTED_VISIT
from solver.candidates import Candidates, find_candidates
from solver.constraints import partner_cap_left

DAY = 1440


def own_most(problem: Problem, candidates: Candidates) -> dict[str, Counter[str]]:
    """Give per father and activity the most he could be granted with every seat his.

    What he could be granted (``could_have``), held to his candidate sessions
    and slots of it, each day to the limit per day and to how many there are.
    """
    on_day: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    for session in candidates.sessions:
        for seated in session.fathers:
            on_day[seated, session.activity][session.start // DAY] += 1
            if session.escorts:
                on_day[seated, ESCORTED_VISIT][session.start // DAY] += 1
    for slot in candidates.slots:
        on_day[slot.father, slot.activity][slot.start // DAY] += 1
    found: dict[str, Counter[str]] = {}
    could = could_have(problem)
    for father in problem.fathers:
        most: Counter[str] = Counter()
        for activity_id, owed in could[father.id].items():
            activity = problem.kind(activity_id)
            days = on_day[father.id, activity_id]
            held = sum(
                min(max_per_day(problem, father, activity, day), count)
                for day, count in days.items()
            )
            most[activity_id] = min(owed, held)
        found[father.id] = most
    return found


def _monthly(problem: Problem, father_id: str) -> dict[str, int]:
    """Give the father's activities with a monthly rule, and the rule's figure."""
    father = problem.father_by_id[father_id]
    table = problem.entitlements.get(father.shell, {})
    return {a: e.per_4_weeks for a, e in table.items() if e.per_4_weeks is not None}


@dataclass
class WeekFacts:
    """One week as facts, read once: its candidates, what each father could have and at most."""

    problem: Problem
    candidates: Candidates
    could: dict[str, dict[str, int]]
    most: dict[str, Counter[str]]
    wanted: dict[str, set[str]]

    @classmethod
    def of(cls, problem: Problem) -> WeekFacts:
        """Give the week's facts."""
        candidates = find_candidates(problem)
        most = own_most(problem, candidates)
        return cls(problem, candidates, could_have(problem), most, beyond_wanted(problem))


def _fair_share_allowed(weeks: list[WeekFacts], share: float) -> bool:
    """Tell whether the LP can give each father at least ``share`` over the weeks.

    Per week and kind of occurrence (``bench.fairness._Kinds``: a session or
    individual activity of an institution, or its escorted seats) a father
    has at most what he could be granted of it and could have
    (``own_most``); no kind holds more than its capacity, and the least
    partner minutes of the week's occurrences stay within its partner cap; a
    monthly activity holds at most its figure over the weeks. His share is
    ``(had + monthly) / (owed + monthly)`` with ``owed`` of the activities
    without a monthly rule: a monthly activity is owed at least what of it
    is granted, so a plan whose floor reaches ``share`` meets
    ``had + (1 - share) * monthly >= share * owed`` for every father.
    """
    lp = pywraplp.Solver.CreateSolver("GLOP")
    had: dict[str, list[pywraplp.Variable]] = defaultdict(list)
    monthly: dict[tuple[str, str], list[pywraplp.Variable]] = defaultdict(list)
    owed: Counter[str] = Counter()
    for week in weeks:
        wanted = {f: set(table) for f, table in week.could.items() if table}
        kinds = kinds_of(week.problem, week.candidates, wanted)
        priced = []
        for kind, fathers in kinds.fathers.items():
            activity = kind[2] if len(kind) == 3 else ESCORTED_VISIT
            chosen = []
            for father in sorted(fathers):
                if (most := week.most[father][activity]) > 0:
                    chosen.append(lp.NumVar(0, most, ""))
                    rule = _monthly(week.problem, father)
                    (monthly[father, activity] if activity in rule else had[father]).append(
                        chosen[-1]
                    )
            if chosen:
                lp.Add(lp.Sum(chosen) <= kinds.capacity[kind])
                priced += [(float(kinds.price[kind]), v) for v in chosen if kinds.price[kind]]
        if priced:
            left = partner_cap_left(week.problem, week.candidates)
            lp.Add(lp.Sum([price * v for price, v in priced]) <= left)
        for father, table in week.could.items():
            rule = _monthly(week.problem, father)
            owed[father] += sum(n for a, n in table.items() if a not in rule)
    last = weeks[-1].problem
    for (father, activity), variables in monthly.items():
        lp.Add(lp.Sum(variables) <= _monthly(last, father)[activity])
    for father, count in owed.items():
        extra = [v for (f, _), variables in monthly.items() if f == father for v in variables]
        lp.Add(lp.Sum(had[father]) + (1 - share) * lp.Sum(extra) >= share * count)
    return bool(lp.Solve() == pywraplp.Solver.OPTIMAL)


def floor_possible(weeks: list[WeekFacts], steps: int = 14) -> float:
    """Give a bound of the four-week fairness floor of any plan of these weeks (as facts).

    The least share the LP (``_fair_share_allowed``) cannot give every
    father, by halving from 0 (always allowed) to 1, to 1/2**steps; no plan's
    floor reaches it.
    """
    low, high = 0.0, 1.0
    if _fair_share_allowed(weeks, high):
        return 1.0
    for _ in range(steps):
        middle = (low + high) / 2
        if _fair_share_allowed(weeks, middle):
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
        [
            (w.problem, w.candidates, {f: a for f, a in w.wanted.items() if f in every})
            for w in weeks
        ]
    )
    return max(0, len(every) - served)


def window_bounds(facts: list[Problem]) -> list[tuple[float, int]]:
    """Give each four-week window's bounds: the floor possible and the fewest left with nothing."""
    weeks = [WeekFacts.of(problem) for problem in facts]
    windows = [weeks[i - WINDOW_WEEKS : i] for i in range(WINDOW_WEEKS, len(weeks) + 1)]
    return [(floor_possible(w), fewest_possible(w)) for w in windows]
