"""Who needs the escorted visit, and who claims the escorts first (docs/design.md section 10).

The warm start gives the partner cap's escorts first to the fathers with
nothing beyond the legal visit: in a week alone to all of them, with the weeks
before to those bare in a week before too, the rest of the cap waiting for the
lift of the four-week floor; among equals the lowest four-week share first.
"""

from __future__ import annotations

from collections import Counter

from scheduler.four_weeks import week_record, weeks_with_nothing_beyond_legal
from scheduler.generate import generate_problem
from scheduler.horizon import next_week
from scheduler.occupancy import Occupancy
from solver.escort_seats import claiming, escort_need, escorted_seat_cost
from solver.warmstart import priority_order
from tests.solver.test_rotation import one_call_a_week

EVERYONE = {"F-001", "F-002", "F-003"}


def test_in_a_week_alone_every_bare_father_claims_the_escorts() -> None:
    """Without the weeks before, the fathers bare this week all claim the escorts first."""
    assert claiming(one_call_a_week(), EVERYONE, Counter()) == EVERYONE


def test_with_the_weeks_before_those_bare_in_a_row_claim_them() -> None:
    """F-001 had the one call last week: F-002 and F-003, bare twice running, claim first.

    F-001's need ranks below theirs, and his share of the four weeks is the highest.
    """
    problem = one_call_a_week()
    call = next(a for a in priority_order(problem) if a.activity == "video_call")
    after = next_week(problem, week_record(problem, [call]))
    before = weeks_with_nothing_beyond_legal(after)
    assert claiming(after, EVERYONE, before) == {"F-002", "F-003"}
    need = escort_need(Occupancy(after, []), EVERYONE, before)
    assert need("F-002") == need("F-003") > need("F-001")
    # Among the fathers with nothing this week, the lowest four-week share needs it most.
    assert escort_need(Occupancy(after, []), set(), Counter())("F-002") > need("F-001")[1:]


def test_an_escorted_seat_costs_its_session_s_escorts_over_its_seats() -> None:
    """The default visit: 2 escorts for 60 minutes over 8 seats, the most at 125 fathers."""
    assert escorted_seat_cost(generate_problem(125, seed=1)) == 2 * 60 / 8
