"""The weeks before this one in the solve: monthly rules (per_4_weeks), time-outs across weeks."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.domain import Problem, ProblemError, parse_problem
from scheduler.eligibility import effective_shell
from scheduler.objective import (
    FLOOR_STEPS,
    FLOOR_WEIGHT,
    RAISE_CAP,
    Tiers,
    WindowShare,
    combine,
    floor_most,
    floor_range,
    four_week_floor,
    granted_counts,
    raise_steps,
    raised,
    tier_ranges,
    tiers,
    window_shares,
)
from scheduler.reasons import ENTITLEMENT_USED
from scheduler.validate import violations
from solver.candidates import find_candidates
from solver.count_relaxation import value_bound
from tests.kit.rosters import roster as roster_of
from tests.kit.weeks import checked, every_day, father, granted, room, week, window
from tests.solver.test_solve_objective import officer_hour


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


def short_before(problem: Problem, short: str, served: str, outcome: str) -> Problem:
    """Give the problem with a week before in which ``short``'s call had ``outcome``.

    Both fathers were owed one video call; ``served``'s took place.
    """
    call = "2027-01-26T16:00:00+01:00"
    record = {
        "week": "2027-W04",
        "entitled": {short: {"video_call": 1}, served: {"video_call": 1}},
        "occurrences": [
            {"father": served, "activity": "video_call", "start": call, "outcome": "took_place"},
            {"father": short, "activity": "video_call", "start": call, "outcome": outcome},
        ],
    }
    return parse_problem({**problem.model_dump(mode="json"), "history": {"weeks": [record]}})


def one_call_slot() -> Problem:
    """Give a week with one video call slot and two shell-2 fathers who each want it."""
    return week(
        rooms=[room("BB", "video_station", [window("mon", "16:00", "16:30")])],
        fathers=[father("F-001", shell=2), father("F-002", shell=2)],
        policy={"legal_min_visit_minutes": 0},
    )


@pytest.mark.parametrize("short", ["F-001", "F-002"])
def test_the_father_short_before_is_served_first(short: str) -> None:
    """One call slot: it goes to the father whose call the institution cancelled the week before."""
    served = "F-002" if short == "F-001" else "F-001"
    problem = short_before(one_call_slot(), short, served, "cancelled_by_institution")
    assert raise_steps(problem, problem.father_by_id[short]) == RAISE_CAP
    assert raise_steps(problem, problem.father_by_id[served]) == 0
    roster = checked(problem)
    assert [f for f, _, _ in granted(roster, "video_call")] == [short]
    # Each father has one call of the three he was owed over the two weeks (a family-room
    # visit with no room for it too): the four-week floor is a third, in FLOOR_STEPS parts.
    floor = FLOOR_WEIGHT * (FLOOR_STEPS // 3)
    assert roster.tiers["entitlements"] == raised(420, RAISE_CAP) + raised(1260, RAISE_CAP) + floor
    assert roster.tiers == tiers(problem, roster.assignments).as_dict()


def test_a_no_show_of_the_family_raises_nothing() -> None:
    """A family's no-show is no shortfall of the roster: no raise follows it."""
    problem = short_before(one_call_slot(), "F-001", "F-002", "no_show")
    assert [raise_steps(problem, f) for f in problem.fathers] == [0, 0]


def test_the_raise_is_capped_and_forgets_after_four_weeks() -> None:
    """Granted nothing while the other had all: the cap; the same four weeks back: nothing."""
    problem = short_before(one_call_slot(), "F-001", "F-002", "cancelled_by_institution")
    assert raise_steps(problem, problem.father_by_id["F-001"]) == RAISE_CAP
    assert raised(420, RAISE_CAP) == 3 * 420
    data = problem.model_dump(mode="json")
    record = data["history"]["weeks"][0]
    record["week"] = "2027-W01"
    for item in record["occurrences"]:
        item["start"] = "2027-01-05T16:00:00+01:00"
    record["occurrences"] = record["occurrences"][:1]
    forgotten = parse_problem(data)
    assert raise_steps(forgotten, forgotten.father_by_id["F-001"]) == 0


def test_the_raise_never_buys_a_legal_hour() -> None:
    """The raise lies inside the entitlement tier: A1-A3 tripled still lose the officer to B's hour.

    The raised range, the most the four-week floor can be worth in it, bounds
    every roster's raised value, so one legal hour outweighs the whole
    entitlement tier and everything below it.
    """
    problem = officer_hour(legal_minutes=60)
    owed = {f"A{n}": {"video_call": 7} for n in (1, 2, 3)} | {"B0": {"family_room_visit": 1}}
    visit = {"father": "B0", "activity": "family_room_visit", "start": "2027-01-25T16:00:00+01:00"}
    records = [{"week": "2027-W04", "entitled": owed, "occurrences": [visit]}]
    problem = parse_problem({**problem.model_dump(mode="json"), "history": {"weeks": records}})
    assert all(raise_steps(problem, problem.father_by_id[f"A{n}"]) == 20 for n in (1, 2, 3))
    ranges = tier_ranges(problem)
    assert floor_range(problem) > 0
    assert ranges.entitlements >= 3 * 3 * (420 + 1260) + floor_range(problem)
    one_legal_hour = combine(Tiers(1, 0, 0, 0, 0), ranges)
    everything_below = combine(Tiers(0, ranges.entitlements, ranges.continuity, 0, 0), ranges)
    assert one_legal_hour > everything_below
    roster = checked(problem)
    assert granted(roster, "family_room_visit") == [("B0", "mon", "16:00")]
    assert granted(roster, "video_call") == []


def one_call_two_shares(owed: bool) -> Problem:
    """Give one call slot, F-001 owed seven calls and F-002 one, each granted one call before.

    F-002 prefers the slot's hour. ``owed``: the week before says what each
    was owed (the four-week floor reads it); without, the week is planned alone.
    """
    problem = week(
        rooms=[room("BB", "video_station", [window("mon", "16:00", "16:30")])],
        fathers=[
            father("F-001", shell=3),
            father("F-002", shell=2, preferred=[window("mon", "16:00", "17:00")]),
        ],
        policy={"legal_min_visit_minutes": 0},
    )
    call = "2027-01-26T16:00:00+01:00"
    record: dict[str, Any] = {
        "week": "2027-W04",
        "occurrences": [
            {"father": f, "activity": "video_call", "start": call, "outcome": "took_place"}
            for f in ("F-001", "F-002")
        ],
    }
    if owed:
        record["entitled"] = {f: {"video_call": 1} for f in ("F-001", "F-002")}
    return parse_problem({**problem.model_dump(mode="json"), "history": {"weeks": [record]}})


def test_the_four_week_floor_gives_the_slot_to_the_father_with_the_least_share() -> None:
    """Both calls are worth the same and neither father is raised; the floor decides.

    F-001 is owed far more this week, so over the two weeks his share is
    the least: the slot is his, where alone it goes to F-002, whose wish
    (the continuity tier) breaks the tie. The floor term lies inside the
    entitlement tier, which both read the same.
    """
    problem = one_call_two_shares(owed=True)
    assert [raise_steps(problem, f) for f in problem.fathers] == [0, 0]
    shares = window_shares(problem)
    assert shares["F-001"].owed > shares["F-002"].owed
    roster = checked(problem)
    assert [f for f, _, _ in granted(roster, "video_call")] == ["F-001"]
    assert roster.tiers == tiers(problem, roster.assignments).as_dict()
    least = min(shares["F-001"].parts(1), shares["F-002"].parts(0))
    assert four_week_floor(problem, granted_counts(problem, roster.assignments)) == least
    # The week's counts bound the tier with the floor's worth in it, as the solve reads them.
    bound = value_bound(problem, find_candidates(problem))
    assert bound is not None and bound >= roster.tiers["entitlements"]
    # The counts hold the floor below every father's share, not at its whole range.
    assert floor_range(problem) == FLOOR_WEIGHT * FLOOR_STEPS
    assert bound - roster.tiers["entitlements"] < FLOOR_WEIGHT
    alone = checked(one_call_two_shares(owed=False))
    assert [f for f, _, _ in granted(alone, "video_call")] == ["F-002"]
    assert window_shares(one_call_two_shares(owed=False)) == {}


def test_the_floor_reaches_no_higher_than_the_least_fathers_share_with_all_he_could_have() -> None:
    """The most the four-week floor can be: the least share with everything grantable this week."""
    short = WindowShare(owed_before=3, had_before=0, now={"video_call": 1})
    served = WindowShare(owed_before=2, had_before=2, now={"video_call": 2})
    assert floor_most([short, served]) == short.parts(1) == FLOOR_STEPS // 4
    assert floor_most([served]) == FLOOR_STEPS
    assert floor_most([]) == 0
