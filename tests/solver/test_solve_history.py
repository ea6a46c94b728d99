"""The weeks before this one in the solve: monthly rules (per_4_weeks), time-outs across weeks."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.domain import Problem, ProblemError, parse_problem
from scheduler.eligibility import effective_shell
from scheduler.reasons import ENTITLEMENT_USED
from scheduler.validate import violations
from tests.kit.rosters import roster as roster_of
from tests.kit.weeks import checked, every_day, father, granted, room, week


def calls_before(count: int, *, cancelled: int = 0, week_name: str = "2027-W04") -> dict[str, Any]:
    """Give a week record with ``count`` video calls of F-001, the first ``cancelled`` cancelled."""
    monday = {"2027-W04": 25, "2027-W03": 18, "2027-W02": 11, "2027-W01": 4}[week_name]
    return {
        "week": week_name,
        "occurrences": [
            {
                "father": "F-001",
                "activity": "video_call",
                "start": f"2027-01-{monday + day:02d}T16:00:00+01:00",
                "outcome": "cancelled_by_institution" if day < cancelled else "took_place",
            }
            for day in range(count)
        ],
    }


def monthly(per_4_weeks: int, weeks: list[dict[str, Any]]) -> Problem:
    """Give a week with one video station, F-001 in shell 3, video calls at most per_4_weeks."""
    base = week(
        rooms=[room("BB", "video_station", every_day("16:00", "17:00"))],
        fathers=[father("F-001")],
    )
    data = base.model_dump(mode="json")
    data["entitlements"]["3"]["video_call"]["per_4_weeks"] = per_4_weeks
    data["history"] = {"weeks": weeks}
    return parse_problem(data)


def test_per_4_weeks_below_per_week_is_refused_naming_it() -> None:
    """A per_4_weeks below the shell's own per_week is refused, naming the entitlement."""
    with pytest.raises(ProblemError) as caught:
        monthly(3, [])
    assert any(
        m.startswith("entitlements.3.video_call: per_4_weeks 3 is below the week's own per_week 7")
        for m in caught.value.messages
    )


def test_the_weeks_before_lower_this_weeks_ceiling() -> None:
    """Ten calls in four weeks, eight granted before: two this week, the rest entitlement_used."""
    problem = monthly(10, [calls_before(5), calls_before(3, week_name="2027-W02")])
    roster = checked(problem)
    assert len(granted(roster, "video_call")) == 2
    (shortfall,) = [s for s in roster.shortfalls if s.activity == "video_call"]
    assert ENTITLEMENT_USED in shortfall.reasons


def test_a_cancellation_by_the_institution_does_not_use_the_rule_up() -> None:
    """Eight calls before, three cancelled by the institution: five count, five left this week."""
    roster = checked(
        monthly(10, [calls_before(5, cancelled=3), calls_before(3, week_name="2027-W03")])
    )
    assert len(granted(roster, "video_call")) == 5


def test_a_week_four_back_is_outside_the_window() -> None:
    """Calls granted four weeks before this one no longer count: the full seven this week."""
    roster = checked(monthly(10, [calls_before(7, week_name="2027-W01")]))
    assert len(granted(roster, "video_call")) == 7


def test_the_validator_refuses_a_roster_past_the_monthly_rule() -> None:
    """A roster giving three calls where the weeks before left two breaks the entitlement rule."""
    problem = monthly(10, [calls_before(5), calls_before(3, week_name="2027-W02")])
    full = checked(monthly(10, []))
    found = violations(problem, roster_of(problem, full.assignments[:3]))
    assert [v.rule for v in found] == ["entitlement"]


def test_a_timeout_begun_weeks_before_holds_this_week() -> None:
    """A time-out begun three weeks before this one keeps the father at shell 2 all week."""
    problem = week(
        rooms=[room("BB", "video_station", every_day("16:00", "17:00"))],
        fathers=[father("F-001", timeouts=[{"start": "2027-01-13"}])],
    )
    assert [effective_shell(problem, problem.fathers[0], day) for day in range(7)] == [2] * 7
    roster = checked(problem)
    assert len(granted(roster, "video_call")) == 1  # shell 2's one call a week
