"""How much of each activity a father is entitled to this week (hard rule 3).

The entitlement table is data (``problem.entitlements[shell][activity]``). A
father's weekly entitlement comes from his own shell, lowered by his plan and
never raised past the shell. Time-outs and missing consent do not lower what he
is entitled to; they block granting it, and a shortfall says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.domain import Activity, Father, Problem
from scheduler.eligibility import base_shell, effective_shell, eligible, has_baby
from scheduler.room_kinds import VISIT_HALL


@dataclass(frozen=True)
class Ceiling:
    """At most ``limit`` occurrences on ``days``, less those on ``before`` (0 is Monday).

    The days of a time-out hold at most what is left of the lower shell's
    figure after the occurrences on the days before the time-out:
    ``max(0, limit - occurrences on before)``. The days before are never held
    back by it; they only use up the figure.
    """

    days: frozenset[int]
    limit: int
    before: frozenset[int] = frozenset()
    time_out: bool = False

    def remainder(self, counts: Sequence[int]) -> int:
        """Give how many occurrences ``days`` may hold, with ``counts[d]`` on each day d."""
        return max(0, self.limit - sum(counts[day] for day in self.before))

    def excess(self, counts: Sequence[int]) -> int:
        """Give how many occurrences on ``days`` are over the remainder (0 when it holds)."""
        return max(0, sum(counts[day] for day in self.days) - self.remainder(counts))

    def fits_one_more(self, counts: Sequence[int], day: int) -> bool:
        """Tell whether one more occurrence on ``day`` adds nothing to this ceiling's excess.

        One more on a day before the time-out lowers the remainder, so it can
        fail too once the days of the time-out hold what was left.
        """
        if day not in self.days and day not in self.before:
            return True
        more = list(counts)
        more[day] += 1
        return self.excess(more) <= self.excess(counts)


def shell_per_week(problem: Problem, father: Father, activity: Activity, shell: int) -> int:
    """Give the per-week figure of the table for a shell, lowered by the father's plan."""
    entry = problem.entitlements.get(shell, {}).get(activity.id)
    if entry is None or shell not in activity.shells:
        return 0
    per_week = entry.per_week
    if activity.id in father.plan:
        per_week = min(per_week, father.plan[activity.id])
    return per_week


def max_per_day(problem: Problem, father: Father, activity: Activity, day: int) -> int:
    """Give how many occurrences the father may have on one day (effective shell of that day)."""
    shell = effective_shell(problem, father, day)
    entry = problem.entitlements.get(shell, {}).get(activity.id)
    if entry is None:
        return 0
    per_week = shell_per_week(problem, father, activity, shell)
    return per_week if entry.max_per_day is None else min(entry.max_per_day, per_week)


def has_session(problem: Problem, father: Father, activity: Activity) -> bool:
    """Tell whether the week has a session of this activity at the father's institution."""
    return (activity.id, father.institution) in problem.session_sites


def entitled(problem: Problem, father: Father, activity: Activity) -> int:
    """Give the father's weekly entitlement to an activity (0 where it does not apply).

    It does not apply to an enrolment activity the father is neither enrolled in
    nor planned for, to the baby bath without a child under one this week, or to
    a session activity without a session at his institution this week.
    """
    per_week = shell_per_week(problem, father, activity, father.shell)
    if per_week == 0:
        return 0
    if (
        activity.needs_enrolment
        and activity.id not in father.enrolments
        and activity.id not in father.plan
    ):
        return 0
    if activity.needs_baby and not any(
        has_baby(father, problem.clock.day_date(d)) for d in range(7)
    ):
        return 0
    if activity.placement == "session" and not has_session(problem, father, activity):
        return 0
    return per_week


def ceilings(problem: Problem, father: Father, activity: Activity) -> list[Ceiling]:
    """Give every weekly ceiling on the father's occurrences of an activity.

    The whole week is capped by his entitlement. Where his effective shell
    drops during the week (a time-out), the days at or below a shell are
    capped by what is left of that shell's figure after the days before them:
    a time-out from Wednesday leaves Monday and Tuesday as they are, and holds
    Wednesday to Sunday to shell 2's figure less Monday's and Tuesday's.
    """
    week = frozenset(range(7))
    found = [Ceiling(week, entitled(problem, father, activity))]
    shells = {day: effective_shell(problem, father, day) for day in range(7)}
    for shell in sorted(set(shells.values())):
        days = frozenset(day for day, value in shells.items() if value <= shell)
        before = frozenset(range(min(days)))
        # No part of the week may hold more than the whole week's entitlement.
        limit = min(shell_per_week(problem, father, activity, shell), found[0].limit)
        # A part held to the whole figure adds nothing to the week's own ceiling.
        if limit < found[0].limit:
            found.append(Ceiling(days, limit, before, shell < base_shell(father)))
    four_weeks = four_week_ceiling(problem, father, activity)
    if four_weeks is not None and four_weeks.limit < found[0].limit:
        found.append(four_weeks)
    return found


def four_week_ceiling(problem: Problem, father: Father, activity: Activity) -> Ceiling | None:
    """Give the monthly rule's ceiling on this week, or None where the shell has no such rule.

    ``per_4_weeks`` counts this week and the three before it: this week may
    hold what the three weeks before left of it (docs/design.md section 10).
    Granted counts there, a no-show too; a cancellation by the institution does not.
    """
    entry = problem.entitlements.get(father.shell, {}).get(activity.id)
    if entry is None or entry.per_4_weeks is None:
        return None
    left = entry.per_4_weeks - problem.earlier.granted[father.id, activity.id]
    return Ceiling(frozenset(range(7)), max(0, left))


def grantable(problem: Problem, father: Father, activity: Activity) -> int:
    """Give how much of his entitlement his eligibility and his ceilings allow this week.

    The fairness floor is read over these (docs/design.md section 4): a
    father on time-out all week is not owed his shell-3 activities by the roster,
    nor more than shell 2's figure of the others, nor a monthly activity the
    three weeks before used up. It is his entitlement, held to what the days he
    is eligible on can hold under the limit per day and under each ceiling.
    """
    owed = entitled(problem, father, activity)
    per_day = {
        day: max_per_day(problem, father, activity, day)
        for day in range(7)
        if eligible(problem, father, activity, day)
    }
    if not owed or not per_day:
        return 0
    most = min(owed, sum(per_day.values()))
    for ceiling in ceilings(problem, father, activity):
        held = ceiling.days | ceiling.before
        before = sum(per_day.get(day, 0) for day in ceiling.before)
        outside = sum(count for day, count in per_day.items() if day not in held)
        most = min(most, max(ceiling.limit, before) + outside)
    return most


def is_legal_visit(activity: Activity) -> bool:
    """Tell whether an activity is the legal visit: a visit in the visit hall (Pbw art. 38)."""
    return activity.counts_as_visit and activity.room_kind == VISIT_HALL
