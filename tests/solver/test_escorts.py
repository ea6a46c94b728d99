"""Escorts: the legal visit never waits for a volunteer; the escorted visit falls short honestly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import reasons
from scheduler.domain import Problem, Roster
from scheduler.entitlements import is_legal_visit
from scheduler.generate import generate_problem
from scheduler.kpis import compute_kpis
from scheduler.shortfalls import explain_shortfalls
from scheduler.validate import violations
from solver.baseline import first_come_first_served
from solver.warmstart import priority_order
from tests.kit.weeks import (
    at,
    checked,
    father,
    officer,
    room,
    session,
    volunteer,
    week,
    window,
)

VOLUNTEER_REASONS = {reasons.PARTNER_CAP, reasons.NO_VOLUNTEER, reasons.VOLUNTEER_MAX_HOURS}


def capped(fathers: int, seed: int, hours: float) -> Problem:
    """Give a generated week whose partner cap is ``hours``."""
    return generate_problem(fathers, seed=seed, partner_cap_hours=hours)


WEEKS = st.builds(
    capped,
    fathers=st.integers(min_value=10, max_value=30),
    seed=st.integers(min_value=0, max_value=10_000),
    hours=st.sampled_from([0.0, 1.0, 4.5, 36.0]),
)


def legal_reasons(problem: Problem, roster: Roster) -> set[str]:
    """Give every reason of a shortfall of a legal visit in the roster."""
    legal = {a.id for a in problem.activities if is_legal_visit(a)}
    return {r for s in roster.shortfalls if s.activity in legal for r in s.reasons}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=WEEKS)
def test_a_legal_shortfall_never_has_a_volunteer_reason(problem: Problem) -> None:
    """On generated weeks under any cap, no legal shortfall names the cap or a volunteer.

    First come, first served and the priority order both seat every father a
    seat allows, whatever the cap; the solver does too, in its second.
    """
    first = first_come_first_served(problem)
    greedy = priority_order(problem)
    for assignments in (first.assignments, greedy):
        assert violations(problem, first.model_copy(update={"assignments": assignments})) == []
        found = first.model_copy(update={"shortfalls": explain_shortfalls(problem, assignments)})
        assert not legal_reasons(problem, found) & VOLUNTEER_REASONS
    solved = checked(problem, time_limit=1.0)
    assert not legal_reasons(problem, solved) & VOLUNTEER_REASONS


def hall(cap_hours: float, volunteers: int = 2, max_hours: float = 8.0) -> Problem:
    """Give one visit session of 4 seats, three fathers and ``volunteers`` who may escort it."""
    return week(
        rooms=[room("BZ", "visit_hall", [window("wed", "13:00", "17:00")], capacity=10)],
        sessions=[session("S1", "regular_visit", "BZ", at("wed", "14:00"), 4)],
        volunteers=[
            volunteer(
                f"V{n}",
                ["regular_visit"],
                [window("wed", "13:00", "17:00")],
                max_hours_week=max_hours,
            )
            for n in range(1, volunteers + 1)
        ],
        officers=[officer("O1", [window("wed", "13:00", "17:00")])],
        fathers=[father(f"F{n}", shell=1, linked_volunteer=None) for n in (1, 2, 3)],
        policy={"partner_cap_hours": cap_hours},
    )


def escort_reasons(roster: Roster) -> dict[str, list[str]]:
    """Give the reasons of each escorted-visit shortfall, by father."""
    return {s.father: s.reasons for s in roster.shortfalls if s.activity == "escorted_visit"}


def test_without_partner_hours_the_visit_runs_unescorted() -> None:
    """With a cap of 0 every father has his legal hour; each escorted visit falls short: cap."""
    roster = checked(hall(0.0))
    [visit] = roster.assignments
    assert (visit.fathers, visit.volunteers) == (["F1", "F2", "F3"], [])
    assert roster.kpis.fathers_below_legal_minimum == []
    assert escort_reasons(roster) == {f: ["partner_cap"] for f in ("F1", "F2", "F3")}


def test_with_two_partner_hours_the_session_has_its_escorts() -> None:
    """Two hours pay for the two escorts of the one-hour session: every father escorted."""
    roster = checked(hall(2.0))
    [visit] = roster.assignments
    assert sorted(visit.volunteers) == ["V1", "V2"]
    assert escort_reasons(roster) == {}
    assert roster.kpis.fulfilment_by_activity["escorted_visit"] == 1.0
    assert roster.kpis.volunteer_hours == 2.0


def test_one_volunteer_is_no_escort_pair() -> None:
    """With one volunteer free the session cannot have both escorts: no_volunteer, none taken."""
    roster = checked(hall(36.0, volunteers=1))
    [visit] = roster.assignments
    assert visit.volunteers == []
    assert escort_reasons(roster) == {f: ["no_volunteer"] for f in ("F1", "F2", "F3")}


def test_volunteers_at_their_maximum_name_their_hours() -> None:
    """Volunteers with half an hour each cannot escort an hour: volunteer_max_hours."""
    roster = checked(hall(36.0, max_hours=0.5))
    assert escort_reasons(roster) == {f: ["volunteer_max_hours"] for f in ("F1", "F2", "F3")}


def test_the_linked_volunteer_escorts_his_own_family() -> None:
    """Of three volunteers who could escort, the one linked to F1 is one of the session's two."""
    problem = hall(36.0, volunteers=3)
    data = problem.model_dump(mode="json")
    data["fathers"][0]["linked_volunteer"] = "V3"
    data["volunteers"][2]["linked_fathers"] = ["F1"]
    roster = checked(Problem.model_validate(data))
    [visit] = roster.assignments
    assert "V3" in visit.volunteers and len(visit.volunteers) == 2
    assert roster.tiers["continuity"] == 1


def test_more_escorts_than_wanted_break_the_staff_rule() -> None:
    """The validator refuses a visit with three volunteers where two escorts are wanted."""
    problem = hall(36.0, volunteers=3)
    roster = checked(problem)
    [visit] = roster.assignments
    crowded = visit.model_copy(update={"volunteers": ["V1", "V2", "V3"]})
    found = violations(problem, roster.model_copy(update={"assignments": [crowded]}))
    assert [v.message for v in found] == [
        "regular_visit needs 0 volunteer(s) and at most 2 escort(s), has 3"
    ]


def test_an_unescorted_fcfs_visit_counts_its_legal_hour() -> None:
    """First come, first served under a cap of 0 still seats all three: legal, not escorted."""
    problem = hall(0.0)
    roster = first_come_first_served(problem)
    assert roster.kpis == compute_kpis(problem, roster.assignments)
    assert roster.kpis.fathers_below_legal_minimum == []
    assert roster.kpis.fulfilment_by_activity["escorted_visit"] == 0.0
