"""The week's CP-SAT model: candidates, variables, hard rules and objective tiers, joined."""

from __future__ import annotations

from collections import Counter, defaultdict

from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Problem, Roster
from solver.assignments import Chosen, read_assignments
from solver.candidates import Candidates, find_candidates
from solver.constraints import add_rules
from solver.objectives import TierTerms, tier_terms
from solver.symmetry import interchangeable_fathers, order_interchangeable_fathers
from solver.variables import Variables


class RosterModel:
    """One week as a CP-SAT model, and the way back from a solution to assignments."""

    def __init__(self, problem: Problem, previous: Roster | None = None, since: int = 0) -> None:
        self.problem = problem
        self.since = since
        # A repair's model starts at its moment (a week minute): ``find_candidates``.
        self.candidates: Candidates = find_candidates(problem, since)
        self.model = cp_model.CpModel()
        self.variables = Variables(self.model, self.candidates)
        add_rules(self.model, problem, self.candidates, self.variables)
        self.classes = interchangeable_fathers(problem, previous)
        order_interchangeable_fathers(self.model, self.candidates, self.variables, self.classes)
        self.terms: TierTerms = tier_terms(
            self.model, problem, self.candidates, self.variables, previous
        )

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

    def decisions_of_other_activities(self, kept: set[str]) -> list[cp_model.IntVar]:
        """Give the decision literals of every activity not in ``kept``."""
        variables = self.variables
        found: list[cp_model.IntVar] = []
        for session in self.candidates.sessions:
            if session.activity in kept:
                continue
            key = session.session
            found.append(variables.run[key])
            found += [variables.seat[key, f] for f in session.fathers]
            found += [variables.session_volunteer[key, v] for v in session.volunteers]
            found += [variables.session_officer[key, o] for o in session.officers]
        candidates = self.candidates
        found += [
            literal
            for slot, literal in zip(candidates.slots, variables.slot, strict=True)
            if slot.activity not in kept
        ]
        for people, literals in (
            (candidates.slot_volunteers, variables.slot_volunteer),
            (candidates.slot_officers, variables.slot_officer),
        ):
            found += [
                literal
                for person, literal in zip(people, literals, strict=True)
                if person.activity not in kept
            ]
        return found

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
