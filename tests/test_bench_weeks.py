"""The twelve-weeks bench (``python -m bench.weeks``) end to end on a small institution."""

from __future__ import annotations

import pytest

from bench.weeks import base_weeks, outcome, report, simulate
from bench.weeks_bounds import WeekFacts, fewest_possible, floor_possible
from scheduler.domain import Problem, parse_problem
from scheduler.four_weeks import four_week_kpis
from scheduler.horizon import next_week
from solver.horizon import plan_weeks
from solver.solve import SolveOptions
from tests.kit import weeks as kit


def test_the_weeks_carry_their_time_outs_forward() -> None:
    """Each simulated week is a week on from the one before and keeps every earlier time-out."""
    weeks = base_weeks(30, 3, seed=2)
    assert [w.week for w in weeks] == ["2027-W05", "2027-W06", "2027-W07"]
    for before, after in zip(weeks, weeks[1:], strict=False):
        for father in before.fathers:
            assert set(map(str, father.timeouts)) <= set(
                map(str, after.father_by_id[father.id].timeouts)
            )


def test_an_outcome_is_drawn_the_same_for_every_policy() -> None:
    """The same occurrence gets the same outcome however often it is drawn."""
    key = ("F-0001", "video_call", "2027-02-01T16:00:00+01:00")
    assert outcome(1, "2027-W05", key) == outcome(1, "2027-W05", key)


@pytest.mark.slow
def test_a_short_simulation_gives_valid_rosters_for_every_policy() -> None:
    """Five weeks of 12 fathers, 1 s a week: every roster of every policy passes the validator."""
    runs, bounds = simulate(12, 5, seed=1, time_limit=1.0, workers=2)
    assert [r.policy for r in runs] == ["history", "alone", "fcfs"]
    assert [r.invalid for r in runs] == [0, 0, 0]
    assert all(len(r.floors) == 2 for r in runs)  # the windows ending in weeks 4 and 5
    assert report(runs, bounds, 12, 1.0)[0] == "12 fathers, 5 weeks, 1 s a week:"
    assert len(bounds) == 2
    for run in runs:  # no plan beats the bounds of its window
        for floor, nothing, bound in zip(run.floors, run.nothing_four, bounds, strict=True):
            assert floor <= bound.floor and nothing >= bound.fewest
    # The legal tier held is one more row: the bounds only tighten.
    assert all(b.floor_held <= b.floor and b.fewest_held >= b.fewest for b in bounds)


def monthly_weeks() -> list[Problem]:
    """Give four weeks of one father and a father-child day each Saturday, once in four weeks."""
    first = kit.week(
        rooms=[kit.room("AR", "activity_room", kit.every_day("08:00", "20:00"), capacity=10)],
        sessions=[kit.session("S-FCD", "father_child_day", "AR", kit.at("sat", "10:00"), 6)],
        volunteers=[
            kit.volunteer(f"V{n}", ["father_child_day"], kit.every_day("08:00", "20:00"))
            for n in (1, 2, 3)
        ],
        officers=[kit.officer(f"O{n}", kit.every_day("08:00", "20:00")) for n in (1, 2)],
        fathers=[kit.father("F-001")],
        policy={"legal_min_visit_minutes": 0},
    )
    weeks = [first]
    while len(weeks) < 4:
        weeks.append(next_week(weeks[-1]))
    return weeks


def test_the_floor_possible_is_what_a_plan_of_one_father_reaches() -> None:
    """One father, alone with every seat: the bound is his own most, which a plan reaches.

    Each week he could have a cell visit (no room needed) and nothing else of
    what he is owed but the monthly father-child day: owed once it is
    granted no more. The plan's four-week floor is the bound's, to its precision.
    """
    weeks = monthly_weeks()
    facts = [WeekFacts.of(w) for w in weeks]
    owed = sum(n for w in facts for a, n in w.could["F-001"].items() if a != "father_child_day")
    most = sum(n for w in facts for a, n in w.most["F-001"].items() if a != "father_child_day")
    assert all(w.most["F-001"]["father_child_day"] == 1 for w in facts) and most < owed
    best = (most + 1) / (owed + 1)  # the day once in the four weeks
    possible = floor_possible(facts)
    assert best <= possible < best + 1e-3
    planned = plan_weeks([weeks[0]], 4, "held", SolveOptions(time_limit=5, workers=2))
    last = planned[-1]
    reached = four_week_kpis(last.problem, list(last.roster.assignments)).fulfilment_floor
    assert reached == pytest.approx(best)


def test_with_no_seat_beyond_the_legal_visit_the_father_is_left_with_nothing() -> None:
    """Owed a family-room visit and video calls, with no such room and no day: the fewest is 1."""
    assert fewest_possible([WeekFacts.of(w) for w in monthly_weeks()]) == 0
    weeks = []
    for given in monthly_weeks():
        data = given.model_dump(mode="json") | {"sessions": []}
        data["fathers"][0]["plan"] = {"cell_visit": 0}
        weeks.append(parse_problem(data))
    facts = [WeekFacts.of(w) for w in weeks]
    assert all(w.wanted["F-001"] == {"family_room_visit", "video_call"} for w in facts)
    assert fewest_possible(facts) == 1
