"""What a week allows at best: the fairness targets' yardsticks, proven by solves and by LPs.

The roster's own KPIs are read against two proofs on the same roster model
(``solver.model.RosterModel``), each a CP-SAT solve of one count alone:

- the fewest fathers with nothing beyond the legal visit, after the legal
  tier (the legal tier held at the roster's value): a father who could be
  granted more than the legal visit counts as served when any occurrence of
  it is granted;
- the most fathers granted anything they could be granted: where that is all
  of them a fairness floor above 0 is possible, where its bound is below it
  no roster has one.

Both start from the roster itself as a hint, so they end no worse than it.
Beside them, linear programs over the week's counts
(``solver.count_relaxation``) bound the fewest from below and the entitlement
value from above, with the legal tier held at the roster's value or not.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler import reasons
from scheduler.domain import Activity, Father, Problem, Roster
from scheduler.entitlements import grantable, is_legal_visit
from scheduler.ids import ESCORTED_VISIT
from scheduler.objective import granted_counts
from solver.candidates import Candidates, find_candidates
from solver.count_relaxation import WeekCounts, value_bound, week_counts
from solver.model import RosterModel
from solver.search import hint_solution, hinted_solution

VOLUNTEER_REASONS = frozenset(
    {reasons.PARTNER_CAP, reasons.NO_VOLUNTEER, reasons.VOLUNTEER_MAX_HOURS}
)


@dataclass(frozen=True)
class Best:
    """The best a count can be on the week: the value found, its proven bound, and the proof."""

    value: int
    bound: int
    proven: bool


def legal_volunteer_shortfalls(problem: Problem, roster: Roster) -> int:
    """Give how many legal-visit shortfalls of the roster name the partner cap or a volunteer."""
    legal = {a.id for a in problem.activities if is_legal_visit(a)}
    return sum(
        1 for s in roster.shortfalls if s.activity in legal and VOLUNTEER_REASONS & set(s.reasons)
    )


def seats_for_every_father(problem: Problem) -> bool:
    """Tell whether each institution's legal-visit sessions seat all its fathers."""
    rooms = problem.room_by_id
    legal = {a.id for a in problem.activities if is_legal_visit(a)}
    seats: dict[str, int] = defaultdict(int)
    for session in problem.sessions:
        if session.activity in legal and session.room in rooms:
            seats[rooms[session.room].institution] += session.capacity
    fathers: dict[str, int] = defaultdict(int)
    for father in problem.fathers:
        fathers[father.institution] += 1
    return all(seats[institution] >= count for institution, count in fathers.items())


def _occurrences(built: RosterModel) -> dict[tuple[str, str], list[cp_model.IntVar]]:
    """Give each (father, activity)'s literals: seats, escorted seats and slots."""
    found: dict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
    variables = built.variables
    for session in built.candidates.sessions:
        for father in session.fathers:
            found[father, session.activity].append(variables.seat[session.session, father])
    for (_, father), literal in variables.escorted_seat.items():
        found[father, ESCORTED_VISIT].append(literal)
    for slot, literal in zip(built.candidates.slots, variables.slot, strict=True):
        found[slot.father, slot.activity].append(literal)
    return found


def _most_served(
    built: RosterModel,
    wanted: dict[str, list[cp_model.IntVar]],
    roster: Roster,
    time_limit: float,
    workers: int,
) -> Best:
    """Give the most fathers of ``wanted`` with at least one of their literals on."""
    model = built.model
    served = []
    for father, literals in sorted(wanted.items()):
        flag = model.new_bool_var(f"served[{father}]")
        if literals:
            model.add(sum(literals) >= flag)
        else:
            model.add(flag == 0)
        served.append(flag)
    model.maximize(sum(served))
    built.hint(roster.assignments)
    completed = hinted_solution(model)
    if completed is not None:
        # Every variable hinted from the roster completed: the search ends no worse than it.
        hint_solution(built, completed)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Best(0, len(served), False)
    return Best(
        int(solver.objective_value),
        int(round(solver.best_objective_bound)),
        status == cp_model.OPTIMAL,
    )


def _beyond(problem: Problem, father: Father) -> list[Activity]:
    """Give the entitlements beyond the legal visit that the father could be granted."""
    return [
        a
        for a in problem.entitlement_activities
        if not is_legal_visit(a) and grantable(problem, father, a)
    ]


def beyond_wanted(problem: Problem) -> dict[str, set[str]]:
    """Give per father who could be granted more than the legal visit the activities of it."""
    return {
        f.id: {a.id for a in beyond} for f in problem.fathers if (beyond := _beyond(problem, f))
    }


def most_served_by_relaxation(weeks: list[tuple[WeekCounts, dict[str, set[str]]]]) -> int | None:
    """Give a bound of the most fathers served beyond the legal visit in any of the weeks, by an LP.

    Each week is its relaxation by counts (``solver.count_relaxation``) and the
    activities each father could be served with; a father counts as served
    up to his counts of them over all the weeks, once at most. Every plan's
    counts lie in it, so the most it serves, proven from GLOP's duals, is at
    least the most any plan serves. None when GLOP gives no answer.
    """
    joined = WeekCounts()
    own: dict[str, list[int]] = defaultdict(list)
    for week, wanted in weeks:
        columns = joined.extend(week)
        for (father, kind), column in columns.items():
            if week.activity[kind] in wanted.get(father, ()):
                own[father].append(column)
    for father in sorted({f for _, wanted in weeks for f in wanted}):
        served = joined.column(1.0, 1.0)
        joined.rows.add({served: 1.0} | dict.fromkeys(own[father], -1.0), -math.inf, 0.0)
    found = joined.bound()
    return None if found is None else math.floor(found)


def fewest_by_relaxation(
    problem: Problem, candidates: Candidates | None = None, legal_held: int | None = None
) -> int:
    """Give a bound of the fewest fathers with nothing beyond the legal visit, by an LP.

    A father who could have more counts as served up to his counts of
    anything beyond the legal visit, over the week's relaxation by counts
    (``solver.count_relaxation``), with the legal tier held at ``legal_held``
    if given. Every roster's counts lie in it, so the most it serves, proven
    from GLOP's duals, is at least the most any roster serves: those left are
    at least the fewest. 0 (no bound) on a week with pinned assignments, or
    when GLOP gives no answer.
    """
    candidates = candidates or find_candidates(problem)
    wanted = beyond_wanted(problem)
    if candidates.pinned or not wanted:
        return 0
    found = most_served_by_relaxation([(week_counts(problem, candidates, legal_held), wanted)])
    return 0 if found is None else max(0, len(wanted) - found)


@dataclass(frozen=True)
class ValueBounds:
    """The most entitlement value any roster of the week can have, with and without the legal tier.

    ``held``: of any roster with at least the roster's fathers at the legal
    minimum (the strict tier order); ``free``: of any roster at all. None
    where GLOP gave no answer.
    """

    held: int | None
    free: int | None


def value_bounds(problem: Problem, roster: Roster) -> ValueBounds | None:
    """Give the proven bounds of the entitlement value (``solver.count_relaxation.value_bound``).

    None on a week with pinned assignments, which the relaxation leaves out.
    """
    candidates = find_candidates(problem)
    if candidates.pinned:
        return None
    legal = roster.tiers.get("legal_minimum")
    return ValueBounds(
        value_bound(problem, candidates, legal), value_bound(problem, candidates, None)
    )


def fewest_nothing_beyond_legal(
    problem: Problem, roster: Roster, time_limit: float = 20.0, workers: int = 2
) -> Best:
    """Give the fewest fathers with nothing beyond the legal visit, the legal tier held first.

    ``value`` is the fewest found (the roster's own where the search finds
    no roster), ``bound`` the fewest any roster can have: the higher of the
    CP-SAT search's bound and the LP's (``fewest_by_relaxation``).
    """
    built = RosterModel(problem)
    legal = roster.tiers.get("legal_minimum")
    relaxed = fewest_by_relaxation(problem, built.candidates, legal)
    if legal is not None:
        built.model.add(built.terms.expressions["legal_minimum"] >= legal)
    literals = _occurrences(built)
    wanted: dict[str, list[cp_model.IntVar]] = {}
    for father in problem.fathers:
        if beyond := _beyond(problem, father):
            wanted[father.id] = [lit for a in beyond for lit in literals.get((father.id, a.id), [])]
    best = _most_served(built, wanted, roster, time_limit, workers)
    value = min(len(wanted) - best.value, _left_with_nothing(problem, roster))
    bound = max(relaxed, len(wanted) - best.bound)
    return Best(value, bound, best.proven or value <= bound)


def _left_with_nothing(problem: Problem, roster: Roster) -> int:
    """Give the roster's fathers who could have more than the legal visit and have none of it."""
    granted = granted_counts(problem, roster.assignments)
    return sum(
        1
        for father in problem.fathers
        if (beyond := _beyond(problem, father))
        and not any(granted[father.id, a.id] for a in beyond)
    )


def most_granted_something(
    problem: Problem, roster: Roster, time_limit: float = 20.0, workers: int = 2
) -> tuple[Best, int]:
    """Give the most fathers granted anything they could be, and how many could be granted any.

    A fairness floor above 0 is possible exactly when the most equals them all.
    """
    built = RosterModel(problem)
    literals = _occurrences(built)
    wanted: dict[str, list[cp_model.IntVar]] = {}
    for father in problem.fathers:
        could = [a for a in problem.entitlement_activities if grantable(problem, father, a)]
        if could:
            wanted[father.id] = [lit for a in could for lit in literals.get((father.id, a.id), [])]
    return _most_served(built, wanted, roster, time_limit, workers), len(wanted)


def fewest_text(best: Best | None) -> str:
    """Give a proven fewest as text: the bound, or the bound and the value where not proven."""
    if best is None:
        return "not proven"
    return str(best.bound) if best.proven else f">= {best.bound}, found {best.value}"
