"""The week's CP-SAT model: candidates, variables, hard rules and objective tiers, joined.

``VisitModel`` is the same model on the visit activities alone, with the
legal tier as its only objective: the legal tier's exact sub-model.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Problem, Roster
from scheduler.objective import TIERS
from solver.assignments import Chosen, read_assignments
from solver.candidates import Candidates, find_candidates
from solver.constraints import add_rules
from solver.objectives import TierTerms, legal_minimum, missed_at_legal, tier_terms
from solver.symmetry import interchangeable_fathers, order_interchangeable_fathers
from solver.variables import Variables


class RosterModel:
    """One week as a CP-SAT model, and the way back from a solution to assignments."""

    def __init__(self, problem: Problem, previous: Roster | None = None, since: int = 0) -> None:
        # A repair's model starts at its moment (a week minute): ``find_candidates``.
        self._build(problem, find_candidates(problem, since), since, previous)
        self.terms: TierTerms = tier_terms(
            self.model, problem, self.candidates, self.variables, previous
        )

    def _build(
        self, problem: Problem, candidates: Candidates, since: int, previous: Roster | None
    ) -> None:
        """Give the model its variables, hard rules and order of interchangeable fathers."""
        self.problem = problem
        self.since = since
        self.candidates = candidates
        self.model = cp_model.CpModel()
        self.variables = Variables(self.model, self.candidates)
        add_rules(self.model, problem, self.candidates, self.variables)
        self.classes = interchangeable_fathers(problem, previous)
        order_interchangeable_fathers(self.model, self.candidates, self.variables, self.classes)

    def read(self, chosen: Chosen) -> list[Assignment]:
        """Give the assignments of a solution, told literal by literal by ``chosen``."""
        return read_assignments(
            self.problem, self.candidates, self.variables, self.terms.slot_links, chosen
        )

    def hint(self, assignments: list[Assignment]) -> None:
        """Hint the solver towards a roster's assignments (each decision literal 1 or 0).

        Interchangeable fathers swap places first where needed, so that the hint
        keeps the order the model asks of them.
        """
        assignments = self._in_class_order(assignments)
        clock = self.problem.clock
        on: set[int] = set()
        variables = self.variables
        for assignment in assignments:
            key = assignment.session
            if key is not None and key in variables.run:
                on.add(variables.run[key].index)
                for father in assignment.fathers:
                    seat = variables.seat.get((key, father))
                    if seat is not None:
                        on.add(seat.index)
                for volunteer in assignment.volunteers:
                    helper = variables.session_volunteer.get((key, volunteer))
                    if helper is not None:
                        on.add(helper.index)
                for officer in assignment.officers:
                    guard = variables.session_officer.get((key, officer))
                    if guard is not None:
                        on.add(guard.index)
        placed = {
            (a.fathers[0], a.activity, clock.minute(a.start)): a
            for a in assignments
            if a.session is None and len(a.fathers) == 1
        }
        pools = self.candidates.pool_of_room
        staff: dict[tuple[str, str, int], set[str]] = defaultdict(set)
        for slot, literal in zip(self.candidates.slots, variables.slot, strict=True):
            found = placed.get((slot.father, slot.activity, slot.start))
            if found is None or (found.room is not None and pools.get(found.room) != slot.pool):
                continue
            on.add(literal.index)
            staff[slot.group].update(found.volunteers + found.officers)
        for people, literals in (
            (self.candidates.slot_volunteers, variables.slot_volunteer),
            (self.candidates.slot_officers, variables.slot_officer),
        ):
            for person, literal in zip(people, literals, strict=True):
                if person.person in staff.get(person.group, ()):
                    on.add(literal.index)
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for literal in self._decisions():
            self.model.add_hint(literal, literal.index in on)

    def _in_class_order(self, assignments: list[Assignment]) -> list[Assignment]:
        """Give the assignments with each class of interchangeable fathers in order of count."""
        counts: Counter[str] = Counter(f for a in assignments for f in a.fathers)
        renamed: dict[str, str] = {}
        for members in self.classes:
            ranked = sorted(members, key=lambda f: -counts[f])
            renamed.update(
                {old: new for old, new in zip(ranked, members, strict=True) if old != new}
            )
        if not renamed:
            return assignments
        return [
            a.model_copy(update={"fathers": [renamed.get(f, f) for f in a.fathers]})
            for a in assignments
        ]

    def _decisions(self) -> list[cp_model.IntVar]:
        """Give every decision literal of the model."""
        variables = self.variables
        return [
            *variables.run.values(),
            *variables.seat.values(),
            *variables.session_volunteer.values(),
            *variables.session_officer.values(),
            *variables.slot,
            *variables.slot_volunteer,
            *variables.slot_officer,
        ]


def visit_candidates(problem: Problem, candidates: Candidates) -> Candidates:
    """Give the candidates of the visit activities alone, their sessions without escorts.

    Pinned assignments stay, whatever their activity: they take their places,
    people and partner minutes in the sub-model as in the week's.
    """
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    needs = {a.id: a.volunteers for a in problem.activities}
    return replace(
        candidates,
        sessions=[
            replace(s, escorts=0, volunteers=s.volunteers if needs[s.activity] else ())
            for s in candidates.sessions
            if s.activity in visits
        ],
        slots=[s for s in candidates.slots if s.activity in visits],
        slot_volunteers=[s for s in candidates.slot_volunteers if s.activity in visits],
        slot_officers=[s for s in candidates.slot_officers if s.activity in visits],
    )


class VisitModel(RosterModel):
    """The week's model on its visits alone, maximising the legal tier: its exact sub-model.

    The legal tier counts visits only, and every rule another activity or an
    escort takes part in is a limit it only uses up (a place, a person's time,
    the partner cap, a ceiling): leaving them out keeps every roster's visits
    valid, and any roster of the sub-model is the visits of a roster of the
    week. So the sub-model's optimum is the legal tier's, and its proven
    bound is the tier's bound. It is built from the week's candidates, with
    the same variables, rules and symmetry order; the other tiers are 0.

    A father keeps only the visits the tier can count (``TierTerms.useful_visits``):
    none where he cannot reach the legal minimum or already has it, one where
    any one visit brings him there. Leaving a visit out breaks no rule, so
    this too keeps the optimum, and CP-SAT proves it much sooner.
    """

    def __init__(self, built: RosterModel, previous: Roster | None = None) -> None:
        problem = built.problem
        self._build(problem, visit_candidates(problem, built.candidates), built.since, previous)
        self.terms = TierTerms()
        legal = legal_minimum(self.model, problem, self.candidates, self.variables, self.terms)
        self.terms.expressions = {name: 0 for name in TIERS}
        self.terms.expressions["legal_minimum"] = legal
        self.terms.missed_at_legal = missed_at_legal(problem, self.terms)
        for most, literals in self.terms.useful_visits.values():
            if most == 0:
                for literal in literals:
                    self.model.add(literal == 0)
            else:
                self.model.add_at_most_one(literals)
        self.model.maximize(legal)

    def hint(self, assignments: list[Assignment]) -> None:
        """Hint the sub-model towards a roster's visits, those the tier can count.

        A father keeps his first visit where one is all the tier counts and
        none where it counts none (``useful_visits``); a session left without
        fathers is left out.
        """
        kept: list[Assignment] = []
        seen: set[str] = set()
        limits = self.terms.useful_visits
        visits = {a.id for a in self.problem.activities if a.counts_as_visit}
        for assignment in sorted(assignments, key=lambda a: a.start):
            if assignment.activity not in visits:
                continue
            fathers = []
            for father in assignment.fathers:
                most = limits.get(father, (2, []))[0]
                if most == 0 or (most == 1 and father in seen):
                    continue
                seen.add(father)
                fathers.append(father)
            if fathers:
                kept.append(assignment.model_copy(update={"fathers": fathers}))
        super().hint(kept)

    def seats_held(self) -> cp_model.CpModel:
        """Give a copy of the sub-model with every session seat held at its hint.

        What is left to decide is the visits by room and the staff of each.
        """
        held = self.model.clone()
        hint = dict(
            zip(held.proto.solution_hint.vars, held.proto.solution_hint.values, strict=True)
        )
        for literal in self.variables.seat.values():
            seated = hint.get(literal.index, 0)
            held.add(held.get_bool_var_from_proto_index(literal.index) == seated)
        return held


def legal_sub_model(built: RosterModel, anchor: cp_model.CpSolver | None) -> VisitModel:
    """Give the legal tier's sub-model (``VisitModel``), hinted with the anchor's visits."""
    sub = VisitModel(built)
    if anchor is not None:
        sub.hint(built.read(lambda literal: anchor.boolean_value(literal)))
    return sub
