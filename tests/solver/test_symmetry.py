"""``solver.symmetry``: which fathers are interchangeable, and the order that drops their swaps."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.domain import Problem
from scheduler.four_weeks import below_legal_week_before, week_record
from scheduler.horizon import next_week
from solver.candidates import find_candidates
from solver.constraints import rooms_hold_their_capacity
from solver.symmetry import interchangeable_fathers, order_interchangeable_fathers
from solver.variables import Variables
from solver.warmstart import priority_order
from tests.kit.weeks import at, father, officer, room, session, volunteer, week, window


def one_visit_week(fathers: list[dict[str, object]]) -> Problem:
    """Give a week whose family room has room for a single 90-minute visit."""
    monday = [window("mon", "08:00", "20:00")]
    return week(
        rooms=[room("FK", "family_room", [window("mon", "10:00", "11:30")])],
        volunteers=[volunteer("V1", ["family_room_visit"], monday)],
        officers=[officer("O1", monday)],
        fathers=fathers,
    )


def test_fathers_alike_in_all_but_the_pseudonym_are_one_class() -> None:
    """F1, F2 and F4 are alike; F3 has another shell, F5 and F6 are kept apart: one class."""
    problem = one_visit_week(
        [
            father("F1", shell=2),
            father("F2", shell=2, ward="A"),
            father("F3", shell=3),
            father("F4", shell=2),
            father("F5", shell=2, non_associations=["F6"]),
            father("F6", shell=2),
        ]
    )
    assert interchangeable_fathers(problem) == [["F1", "F2", "F4"]]


def test_a_child_counts_only_as_a_baby_or_of_school_age() -> None:
    """Children born on other days but of the same kind all week keep fathers alike; a baby not."""
    problem = one_visit_week(
        [
            father("F1", shell=2),
            father("F2", shell=2, children=[{"id": "C-9", "birth_date": "2011-03-09"}]),
            father("F3", shell=2, children=[{"id": "C-8", "birth_date": "2026-12-01"}]),
        ]
    )
    assert interchangeable_fathers(problem) == [["F1", "F2"]]


def test_in_a_class_the_first_father_gets_at_least_the_next_ones_count() -> None:
    """One visit for two interchangeable fathers: with the order it can only go to the first."""
    problem = one_visit_week([father("F1", shell=2), father("F2", shell=2)])
    classes = interchangeable_fathers(problem)
    assert classes == [["F1", "F2"]]

    def most_for(name: str, ordered: bool) -> int:
        candidates = find_candidates(problem)
        model = cp_model.CpModel()
        variables = Variables(model, candidates)
        rooms_hold_their_capacity(model, problem, candidates, variables)
        if ordered:
            order_interchangeable_fathers(model, candidates, variables, classes)
        mine = [lit for s, lit in zip(candidates.slots, variables.slot, strict=True)
                if s.father == name]  # fmt: skip
        model.maximize(sum(mine))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(model) == cp_model.OPTIMAL
        return int(solver.objective_value)

    assert (most_for("F1", False), most_for("F2", False)) == (1, 1)
    assert (most_for("F1", True), most_for("F2", True)) == (1, 0)


def test_fathers_alike_but_for_the_legal_hour_the_week_before_are_two_classes() -> None:
    """One seat a week for two fathers: F-001 has it in week 1, F-002 in week 2. In week 3
    they have had the same, but only F-001 was below the legal minimum the week before."""
    first = week(
        rooms=[room("BZ", "visit_hall", [window("wed", "13:00", "18:00")], capacity=10)],
        sessions=[session("S1", "regular_visit", "BZ", at("wed", "14:00"), 1)],
        officers=[officer("O1", [window("wed", "08:00", "20:00")])],
        fathers=[father("F-001", shell=1), father("F-002", shell=1)],
        policy={"partner_cap_hours": 0.0},
    )
    second = next_week(first, week_record(first, priority_order(first)))
    third = next_week(second, week_record(second, priority_order(second)))
    assert third.earlier.had["F-001"] == third.earlier.had["F-002"] == 1
    assert below_legal_week_before(third) == {"F-001"}
    assert interchangeable_fathers(third) == []
    assert interchangeable_fathers(first) == [["F-001", "F-002"]]
