"""The tier arithmetic of the solve on hand-worked cases, without OR-Tools."""

from __future__ import annotations

import subprocess
import sys

from scheduler.domain import Problem
from scheduler.objective import TIERS, Tiers, tier_ranges
from solver.tiers import (
    GroupResult,
    anchored_result,
    combined_bound,
    group_seconds,
    group_top,
    group_values,
    headed_bound,
    search_groups,
    search_limits,
    searched_result,
    tier_gap,
    tier_groups,
    tier_weights,
    wall_seconds,
)

# Weights: economy 1, stability 4 (economy's range 3 + 1), continuity 4, entitlements 24,
# legal minimum 24 * 101 = 2,424.
RANGES = Tiers(legal_minimum=10, entitlements=100, continuity=5, stability=0, economy=3)


def test_the_tier_arithmetic_loads_no_solver() -> None:
    """Importing solver.tiers loads no OR-Tools, so its arithmetic stands on its own."""
    code = "import sys, solver.tiers; print('ortools' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


def test_weights_are_the_products_of_the_lower_ranges() -> None:
    """Each tier weighs the product of (range + 1) of every tier below it."""
    assert tier_weights(RANGES) == {
        "economy": 1,
        "stability": 4,
        "continuity": 4,
        "entitlements": 24,
        "legal_minimum": 2424,
    }


def test_a_group_value_reads_back_as_its_tiers() -> None:
    """605 in entitlements+continuity (weights 6 and 1) is 100 entitlements and 5 continuity."""
    assert group_values("entitlements+continuity", 100 * 6 + 5, RANGES) == {
        "entitlements": 100,
        "continuity": 5,
    }


def test_the_legal_tier_is_searched_alone() -> None:
    """The legal tier gets a group of its own; the small tiers below it share one."""
    assert search_groups(list(TIERS), RANGES) == [["legal_minimum"], list(TIERS[1:])]
    assert search_groups(["entitlements", "economy"], RANGES) == [["entitlements", "economy"]]


def test_deterministic_seconds_are_a_share_of_the_limit() -> None:
    """Deterministic: a group gets its share of the whole limit, whatever time has passed."""
    assert group_seconds(10.0, [0.35, 0.4, 0.25], 1, elapsed=9.0, deterministic=True) == 4.0


def test_seconds_are_a_share_of_what_is_left() -> None:
    """Otherwise a group gets its share of what is left of 95% of the limit, at least 0.05 s."""
    # 9.5 s usable, 1.5 s gone: 8 s left, of which the group takes 0.25 / 0.5.
    assert group_seconds(10.0, [0.5, 0.25, 0.25], 1, elapsed=1.5, deterministic=False) == 4.0
    assert group_seconds(10.0, [0.01, 0.99], 0, elapsed=8.5, deterministic=False) == 0.05
    assert group_seconds(10.0, [0.5, 0.5], 1, elapsed=9.46, deterministic=False) == 0.0


def test_a_searched_bound_is_held_to_the_top_and_the_ceiling() -> None:
    """A search's bound is held to the group's top and the relaxation's ceiling, the lower."""
    assert searched_result(90, 120, 100, 95, optimal=False) == GroupResult(90, 95, False)
    assert searched_result(90, 120, 100, None, optimal=False) == GroupResult(90, 100, False)
    assert searched_result(100, 120, 100, None, optimal=False) == GroupResult(100, 100, True)
    assert searched_result(90, 90, 100, None, optimal=True) == GroupResult(90, 90, True)


def test_a_standing_hint_keeps_the_bound_the_search_proved() -> None:
    """A hint of 7 that stands: proven when the search proved 5, open to the top otherwise."""
    assert anchored_result(7, 10, None) == GroupResult(7, 10, False)
    assert anchored_result(7, 10, 5) == GroupResult(7, 7, True)
    assert anchored_result(7, 10, 12) == GroupResult(7, 10, False)


def test_the_combined_bound_counts_proven_groups_then_bounds_then_ranges() -> None:
    """Proven groups at their value, the first open one at its bound, the rest at full range."""
    groups = [["legal_minimum"], ["entitlements", "continuity"]]
    values = {"legal_minimum": 10, "entitlements": 50, "continuity": 3}
    values |= {"stability": 0, "economy": 2}
    legal = GroupResult(10, 10, True)
    # Economy and stability are in no group: they count as they are, 2.
    assert combined_bound(values, groups, [legal, GroupResult(303, 305, False)], RANGES) == (
        2 + 10 * 2424 + 305 * 4
    )
    assert combined_bound(values, groups, [legal], RANGES) == 2 + 10 * 2424 + 100 * 24 + 5 * 4
    assert combined_bound(values, groups, [legal, GroupResult(303, 303, True)], RANGES) == (
        2 + 10 * 2424 + 50 * 24 + 3 * 4
    )


def test_tier_groups_keep_priority(tiny: Problem) -> None:
    """Tiers share a solve only while their weighted span is small; each group is in order.

    Tiny's own ranges span more than 2**31 together, so economy goes on its
    own; with a tenth of its entitlement range all tiers fit in one solve.
    """
    ranges = tier_ranges(tiny)
    assert tier_groups(list(TIERS), ranges) == [list(TIERS[:4]), ["economy"]]
    small = ranges.__class__(**{**ranges.as_dict(), "entitlements": ranges.entitlements // 10})
    assert tier_groups(list(TIERS), small) == [list(TIERS)]
    wide = ranges.__class__(**{**ranges.as_dict(), "entitlements": 2**40})
    assert tier_groups(list(TIERS), wide) == [["legal_minimum"], ["entitlements"], list(TIERS[2:])]


def test_gap_is_that_of_the_first_tier_not_proven() -> None:
    """The gap reads the first unproven group's bound tier by tier; 0 once all are proven."""
    ranges = Tiers(legal_minimum=10, entitlements=100, continuity=5, stability=0, economy=0)
    groups = [["legal_minimum"], ["entitlements", "continuity"]]
    values = {"legal_minimum": 10, "entitlements": 50, "continuity": 3}
    values |= {"stability": 0, "economy": 0}
    legal = GroupResult(10, 10, True)
    # Entitlements weigh 6 (continuity's range + 1) against continuity's 1 in their group.
    assert tier_gap(values, groups, [legal, GroupResult(303, 80 * 6 + 5, False)], ranges) == 0.375
    assert tier_gap(values, groups, [legal, GroupResult(303, 50 * 6 + 5, False)], ranges) == 0.4
    assert tier_gap(values, groups, [legal], ranges) == 0.5
    assert tier_gap(values, groups, [legal, GroupResult(303, 303, True)], ranges) == 0.0


def test_a_group_reaches_at_most_its_tiers_full_ranges() -> None:
    """A group's top is each tier at its range, weighted: what CP-SAT's bound is held to."""
    ranges = Tiers(legal_minimum=10, entitlements=100, continuity=5, stability=0, economy=3)
    assert group_top(["entitlements", "continuity"], ranges) == 100 * 6 + 5
    assert group_top(["continuity", "stability", "economy"], ranges) == 5 * 4 + 0 * 4 + 3
    assert group_top(["legal_minimum"], ranges) == 10
    # Held to its top, an open group's bound leaves the proven legal tier above it whole.
    combined = 10 * tier_weights(ranges)["legal_minimum"] + group_top(list(TIERS[1:]), ranges)
    assert group_values("+".join(TIERS), combined, ranges)["legal_minimum"] == 10


def test_what_a_search_has_left_counts_the_build_and_keeps_the_tail() -> None:
    """Of a 5 s limit, 3 s in (the model's build), 1.75 s are left: 4.75 s before the tail."""
    assert wall_seconds(5.0, 3.0) == 1.75
    assert wall_seconds(5.0, 4.74) == 0.0
    assert wall_seconds(5.0, 6.0) == 0.0


def test_a_deterministic_search_never_runs_past_what_the_solve_has_left() -> None:
    """A deterministic share of 2 s keeps its 2 s deterministic, its wall clock held to 1.5 s."""
    assert search_limits(2.0, 1.5, deterministic=True) == (2.0, 1.5)
    assert search_limits(2.0, 100.0, deterministic=True) == (2.0, 30.0)


def test_a_wall_clock_search_takes_its_share_within_what_is_left() -> None:
    """On the wall clock a share of 2 s runs 2 s when 3 s are left, and 0.5 s when 0.5 s are."""
    assert search_limits(2.0, 3.0, deterministic=False) == (None, 2.0)
    assert search_limits(2.0, 0.5, deterministic=False) == (None, 0.5)


def test_a_headed_bound_takes_the_first_tier_s_bound_and_the_rest_at_full_range() -> None:
    """Entitlements bounded at 60, continuity, stability and economy below (weights 24, 4, 4, 1).

    The group's weights are relative to its last tier; a head above the
    tier's own range counts at that range.
    """
    group = ["entitlements", "continuity", "stability", "economy"]
    assert headed_bound(group, RANGES, 60) == 60 * 24 + 5 * 4 + 0 * 4 + 3
    assert headed_bound(group, RANGES, 500) == group_top(group, RANGES)
    assert headed_bound(["entitlements"], RANGES, 60) == 60
