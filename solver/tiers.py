"""The arithmetic of the solve tier by tier: weights, groups, time shares, gaps and bounds.

The tiers of ``scheduler.objective.TIERS`` are maximised in turn, highest
first; consecutive tiers with small ranges share one solve, weighted exactly as
``combine`` weighs them. Everything here is plain arithmetic on tier values
and ranges, with no solver in it, so that it can be tested on its own;
``solver.solve`` runs the searches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from scheduler.objective import TIERS, Tiers

if TYPE_CHECKING:
    # For annotations only: the tier arithmetic itself loads no solver.
    from solver.objectives import Expression

# Shares of the time limit per tier; a tier that finishes early leaves its time to the next.
# The legal tier comes first in priority, and its sub-model's search stops once it reaches
# the tier's ceiling, passing on what it does not use: most of the time is its to take. At
# 400 generated fathers its search needs some 10 s to reach the ceiling (docs/benchmarks.md).
TIME_SHARES: dict[str, float] = {
    "legal_minimum": 2.0,
    "entitlements": 0.4,
    "continuity": 0.1,
    "stability": 0.05,
    "economy": 0.1,
}
SHORTEST_TIER_SECONDS = 0.05
# The share of the time limit kept for reading the roster out and explaining its shortfalls.
TAIL_SHARE = 0.05
# Tiers are solved together while the product of their ranges stays this small, so the
# weighted objective keeps coefficients the LP handles exactly.
GROUP_SPAN = 2**31
LEGAL = "legal_minimum"
ENTITLEMENTS = "entitlements"
# Tiers searched on their own: the legal tier on the visits only (``solver.search``). The
# entitlements were measured alone and with continuity, and were no better alone.
ALONE = frozenset({LEGAL})


@dataclass
class GroupResult:
    """How the solve of one group of tiers ended: its weighted value, bound, and proof."""

    value: int
    bound: int
    proven: bool


def tier_weights(ranges: Tiers) -> dict[str, int]:
    """Give each tier's weight in ``combine``: the product of (range + 1) of every lower tier."""
    weights: dict[str, int] = {}
    weight = 1
    for name in reversed(TIERS):
        weights[name] = weight
        weight *= getattr(ranges, name) + 1
    return weights


def tier_groups(active: list[str], ranges: Tiers) -> list[list[str]]:
    """Give the active tiers in groups solved together, highest first.

    Consecutive tiers share one solve while their weighted span stays below
    ``GROUP_SPAN``: weighted as in ``combine`` they keep strict priority, and
    one solve saves a presolve of the whole model.
    """
    weights = tier_weights(ranges)
    groups: list[list[str]] = []
    for name in active:
        if groups:
            top = groups[-1][0]
            span = weights[top] * (getattr(ranges, top) + 1) // weights[name]
            if span <= GROUP_SPAN:
                groups[-1].append(name)
                continue
        groups.append([name])
    return groups


def search_groups(active: list[str], ranges: Tiers) -> list[list[str]]:
    """Give the tier groups with every tier of ``ALONE`` in a group of its own, order kept."""
    found: list[list[str]] = []
    rest: list[str] = []
    for name in active:
        if name in ALONE:
            found += tier_groups(rest, ranges) if rest else []
            found.append([name])
            rest = []
        else:
            rest.append(name)
    return found + (tier_groups(rest, ranges) if rest else [])


def group_top(group: list[str], ranges: Tiers) -> int:
    """Give the most a group's weighted value can be: each of its tiers at its full range."""
    weights = tier_weights(ranges)
    return sum(getattr(ranges, name) * (weights[name] // weights[group[-1]]) for name in group)


def headed_bound(group: list[str], ranges: Tiers, head: int) -> int:
    """Give a group's bound when its first tier is proven at most ``head``.

    The first tier counts at the lower of ``head`` and its range, every other
    tier of the group at its full range, weighted as in ``group_top``.
    """
    weights = tier_weights(ranges)
    beyond = max(0, int(getattr(ranges, group[0])) - head)
    return group_top(group, ranges) - beyond * (weights[group[0]] // weights[group[-1]])


def group_values(group: str, value: int, ranges: Tiers) -> dict[str, int]:
    """Give the tier values a group's weighted value stands for (``group`` as in Progress.tier).

    The highest tier of the group takes what is left above the others, so a
    bound reads as the best the highest tier can still reach.
    """
    names = group.split("+")
    weights = tier_weights(ranges)
    last = weights[names[-1]]
    found: dict[str, int] = {}
    for position, name in enumerate(names):
        weight = weights[name] // last
        digit = value // weight
        found[name] = digit if position == 0 else digit % (getattr(ranges, name) + 1)
    return found


def group_shares(groups: list[list[str]]) -> list[float]:
    """Give each group's share of the time limit: the sum of its tiers' ``TIME_SHARES``."""
    return [sum(TIME_SHARES[name] for name in group) for group in groups]


def group_seconds(
    time_limit: float,
    shares: list[float],
    index: int,
    elapsed: float,
    deterministic: bool,
) -> float:
    """Give the seconds of group ``index`` when its turn comes, ``elapsed`` seconds in.

    Deterministic: its share of the time limit. Otherwise its share of what is
    left, so a group that finishes early leaves its time to the next; the tail
    of the limit is kept for the roster's read-out, shortfalls and KPIs.
    """
    if deterministic:
        return max(SHORTEST_TIER_SECONDS, time_limit * shares[index] / sum(shares))
    remaining = time_limit * (1 - TAIL_SHARE) - elapsed
    if remaining < SHORTEST_TIER_SECONDS:
        return 0.0
    return max(SHORTEST_TIER_SECONDS, remaining * shares[index] / sum(shares[index:]))


def wall_seconds(time_limit: float, elapsed: float) -> float:
    """Give the wall-clock seconds a search may still take, ``elapsed`` seconds into the solve.

    What is left of the time limit before its tail, whatever the mode: the
    build, the warm start and every search before count against the limit, so
    a deterministic search's clock of its own never carries the solve past it.
    0 when less than ``SHORTEST_TIER_SECONDS`` is left.
    """
    remaining = time_limit * (1 - TAIL_SHARE) - elapsed
    return remaining if remaining >= SHORTEST_TIER_SECONDS else 0.0


def search_limits(seconds: float, wall: float, deterministic: bool) -> tuple[float | None, float]:
    """Give a search's deterministic limit (None: on wall time) and its wall-clock limit.

    ``seconds`` is the group's share (``group_seconds``), ``wall`` what the
    solve has left (``wall_seconds``). Deterministic, the share is measured on
    CP-SAT's deterministic clock, with the wall clock as a safety net that
    never passes what is left; otherwise the share on the wall clock, held to
    what is left as well.
    """
    if deterministic:
        return seconds, min(10 * seconds + 10, wall)
    return None, min(seconds, wall)


def searched_result(
    value: int, solver_bound: int, top: int, ceiling: int | None, optimal: bool
) -> GroupResult:
    """Give a group's result from a search that found a solution of ``value``.

    The bound is the search's own, held to what the group's tiers can reach at
    all (``top``) and to the relaxation's ``ceiling``, either of which may be
    the lower. The group is proven when the search proved it or the value
    reaches that bound.
    """
    reachable = min(solver_bound, top)
    reachable = reachable if ceiling is None else min(reachable, ceiling)
    return GroupResult(value, reachable, optimal or value >= reachable)


def anchored_result(value: int, top: int, proved: int | None) -> GroupResult:
    """Give a group's result when its hint of ``value`` stands without a better solution.

    The bound the search proved (``proved``) still holds, held to ``top``; no
    bound below the hint's own value can be.
    """
    reachable = top if proved is None else max(value, min(top, proved))
    return GroupResult(value, reachable, value >= reachable)


def tier_gap(
    tier_values: dict[str, int],
    groups: list[list[str]],
    results: list[GroupResult],
    ranges: Tiers,
) -> float:
    """Give the relative gap of the first tier not proven: (its bound - its value) / its bound.

    Proven groups have no gap. In the first unproven group the group's bound
    is read tier by tier, highest first: a tier whose value reaches its share
    of the bound is proven and the rest of the bound passes to the next. A
    group never searched has its tiers' full ranges as bounds. 0 when every
    tier is proven.
    """
    weights = tier_weights(ranges)
    for index, group in enumerate(groups):
        result = results[index] if index < len(results) else None
        if result is not None and result.proven:
            continue
        last = weights[group[-1]]
        left = result.bound if result is not None else None
        for name in group:
            value, top = tier_values[name], int(getattr(ranges, name))
            weight = weights[name] // last
            bound = top if left is None else min(top, left // weight)
            if bound > value:
                return round((bound - value) / max(1, bound), 6)
            if left is not None:
                left -= value * weight
    return 0.0


def combined_bound(
    tier_values: dict[str, int],
    groups: list[list[str]],
    results: list[GroupResult],
    ranges: Tiers,
) -> int:
    """Give the proven bound of ``combine``: proven groups at their value, then bounds.

    The first group not proven counts at its best bound, and every tier below
    it at its full range; constant tiers count as they are.
    """
    weights = tier_weights(ranges)
    grouped = {name for group in groups for name in group}
    total = sum(tier_values[name] * weights[name] for name in TIERS if name not in grouped)
    open_from = len(groups)
    for index, group in enumerate(groups):
        result = results[index] if index < len(results) else None
        if result is None or not result.proven:
            open_from = index
            break
        total += result.value * weights[group[-1]]
    for index, group in enumerate(groups[open_from:], start=open_from):
        result = results[index] if index < len(results) and index == open_from else None
        if result is not None:
            total += result.bound * weights[group[-1]]
        else:
            total += sum(getattr(ranges, name) * weights[name] for name in group)
    return total


def group_expression(
    group: list[str], expressions: dict[str, Expression], ranges: Tiers
) -> Expression:
    """Give a group's objective: its tiers weighted as in ``combine``, relative to its last."""
    weights = tier_weights(ranges)
    last = weights[group[-1]]
    return sum(expressions[name] * (weights[name] // last) for name in group)
