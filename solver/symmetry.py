"""Interchangeable fathers, and the ordering that keeps the search from trying every swap.

Two fathers are interchangeable when everything the rules and the objective
read of them is the same (all their fields but the pseudonym and the ward,
and of the children only whether one is a baby or of school age each day),
nobody must be kept apart from them, no pin names them, a previous roster
gave them the same occurrences and the weeks before left them the same (their
monthly ceilings, their raise, their four-week share and whether they were
below the legal minimum the week before).
Swapping them in any roster gives a roster just as valid and just as good, so
the model may ask that within each such class the fathers come in order of how
many occurrences they get: it removes the swapped copies of each solution and
none of its value.
"""

from __future__ import annotations

import json
from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.domain import Problem, Roster
from scheduler.eligibility import has_baby, has_school_child
from scheduler.four_weeks import below_legal_week_before
from scheduler.objective import raise_steps
from solver.candidates import Candidates
from solver.constraints import summed
from solver.variables import Variables


def interchangeable_fathers(problem: Problem, previous: Roster | None = None) -> list[list[str]]:
    """Give the classes of two or more interchangeable fathers, each in problem order."""
    apart = {other for father in problem.fathers for other in father.non_associations}
    apart |= {father.id for father in problem.fathers if father.non_associations}
    pinned = {f for assignment in problem.pinned for f in assignment.fathers}
    before: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for assignment in previous.assignments if previous is not None else []:
        for father_id in assignment.fathers:
            before[father_id].append((assignment.activity, assignment.start.isoformat()))
    classes: dict[str, list[str]] = defaultdict(list)
    earlier = problem.earlier.granted
    missed = below_legal_week_before(problem)
    for father in problem.fathers:
        if father.id in apart or father.id in pinned:
            continue
        facts = father.model_dump(mode="json", exclude={"id", "ward", "children"})
        # Children count for the rules only as a baby or a child of school age, day by day.
        days = [problem.clock.day_date(day) for day in range(7)]
        facts["children"] = [(has_baby(father, d), has_school_child(father, d)) for d in days]
        facts["previous"] = sorted(before.get(father.id, []))
        # The weeks before set his monthly ceilings and his raise (docs/design.md section 10).
        facts["earlier"] = sorted((a, n) for (f, a), n in earlier.items() if f == father.id)
        facts["raise"] = raise_steps(problem, father)
        facts["share"] = (problem.earlier.owed[father.id], problem.earlier.had[father.id])
        # Those below the legal minimum the week before keep it first (docs/design.md section 10).
        facts["missed"] = father.id in missed
        classes[json.dumps(facts, sort_keys=True)].append(father.id)
    return [members for members in classes.values() if len(members) > 1]


def order_interchangeable_fathers(
    model: cp_model.CpModel,
    candidates: Candidates,
    variables: Variables,
    classes: list[list[str]],
) -> None:
    """Add that in each class of interchangeable fathers, each has at least the next one's count."""
    literals: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for session in candidates.sessions:
        for father in session.fathers:
            literals[father].append(variables.seat[session.session, father])
    for slot, literal in zip(candidates.slots, variables.slot, strict=True):
        literals[slot.father].append(literal)
    for members in classes:
        for first, second in zip(members, members[1:], strict=False):
            if literals.get(first) or literals.get(second):
                model.add(summed(literals.get(first, [])) >= summed(literals.get(second, [])))
