"""What one new assignment breaks in a week already taken, checked on what it can touch.

Booking one occurrence into a published week (docs/design.md s. 6) must not
break a rule that held before. Re-running the validator on the whole week
for each booking costs far more than the booking; this module runs the same
validator (``scheduler.validate``) on the few assignments the new one can
interact with, before and after it is added, and reports what is new:

- every assignment of the new one's fathers, all week: their ceilings and
  limits per day (``entitlements``), and their double bookings;
- the assignments within a day of it in its room, or with a father kept
  apart from one of its fathers: the room's seats and changeover, the visit
  hall;
- the assignments within a day of it that share a volunteer or officer with
  it: their double bookings;
- the volunteers' hours (the partner cap on all of them together, and each
  volunteer's own maximum) over every assignment of the week, as they are
  weekly totals.

An assignment included for its staff alone, or a day or more away, is
checked with only the new one's fathers in it. Everything else the
validator checks (eligibility, windows, the room's opening hours, the
staff's shifts, references) reads the new assignment alone.
``tests/api/test_allocation_properties.py`` checks that this agrees with
the whole validator on random bookings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from scheduler.domain import Assignment, Problem
from scheduler.validate import check_assignments, hours_violations
from scheduler.violations import Violation

# A room's rules, and who is busy when, are local in time: nothing lasts a day.
REACH = timedelta(days=1)
HOURS_RULES = frozenset({"partner_cap", "volunteer_max_hours"})


def _apart(problem: Problem, new: Assignment) -> set[str]:
    """Give the fathers kept apart from one of the new assignment's fathers."""
    fathers = set(new.fathers)
    apart: set[str] = set()
    for father_id in fathers:
        apart |= problem.kept_apart.get(father_id, frozenset())
    return apart - fathers


def touching(problem: Problem, taken: Sequence[Assignment], new: Assignment) -> list[Assignment]:
    """Give the assignments taken (but one with the new id) whose rules the new one can break."""
    fathers = set(new.fathers)
    staff = set(new.volunteers) | set(new.officers)
    apart = _apart(problem, new)
    # Asked of every assignment of the week: the bounds of "within a day" are made once.
    low, high = new.start - REACH, new.start + REACH
    found: list[Assignment] = []
    for other in taken:
        if other.id == new.id:
            continue
        near = low < other.start < high
        if not fathers.isdisjoint(other.fathers):
            found.append(other if near else _only(other, fathers))
        elif not near:
            continue
        elif (new.room is not None and other.room == new.room) or not apart.isdisjoint(
            other.fathers
        ):
            found.append(other)
        elif not staff.isdisjoint(other.volunteers) or not staff.isdisjoint(other.officers):
            found.append(_only(other, fathers))
    return found


def _only(other: Assignment, fathers: set[str]) -> Assignment:
    """Give an assignment with only the new one's fathers in it, where the others can break no
    rule with the new one (a day or more away, or sharing only staff with it): their rules read
    the same before and after, and checking them is most of the cost."""
    kept = [f for f in other.fathers if f in fathers]
    return other if len(kept) == len(other.fathers) else other.model_copy(update={"fathers": kept})


def added_violations(
    problem: Problem,
    taken: Sequence[Assignment],
    new: Assignment,
    standing: Sequence[Assignment] = (),
) -> list[Violation]:
    """Give the violations the validator finds against adding ``new`` to what is taken.

    What was already broken before (and is flagged for the planner) does not
    count against the new one, nor what ``standing`` (the new one as it was
    made) breaks on its own. An assignment of ``taken`` with the new one's id
    is replaced by it.
    """
    near = touching(problem, taken, new)
    replaced = [a for a in taken if a.id == new.id]
    after = [v for v in check_assignments(problem, [*near, new]) if v.rule not in HOURS_RULES]
    hours = bool(new.volunteers or any(a.volunteers for a in (*replaced, *standing)))
    others = [a for a in taken if a.id != new.id] if hours else []
    hours_after = hours_violations(problem, [*others, new]) if hours else []
    if not after and not hours_after:
        # Nothing is broken with the new one in, so nothing can be new: what was broken
        # before (half the cost) need not be asked. This is the common case.
        return []
    before = {(v.rule, v.message) for v in check_assignments(problem, near + replaced)}
    if standing:
        before |= {(v.rule, v.message) for v in check_assignments(problem, list(standing))}
    found = [v for v in after if (v.rule, v.message) not in before]
    if hours_after:
        before |= {(v.rule, v.message) for v in hours_violations(problem, others + replaced)}
        found += [v for v in hours_after if (v.rule, v.message) not in before]
    return found
