"""Flagged assignments: published ones (and allocations) that a later event broke.

A re-uploaded week (a time-out, a closed room, a father's court date) can
break what was published. Nothing is moved or dropped: the independent
validator re-checks the published week as it stands, and every assignment it
finds at fault is listed for the planner with the rules it now breaks.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from api.published import PublishedWeek
from scheduler.validate import check_assignments


def flags(week: PublishedWeek) -> list[dict[str, Any]]:
    """Give each assignment of the published week that breaks a hard rule, with the rules."""
    taken = week.taken()
    by_id = {a.id: a for a in taken}
    allocation_of = {}
    for allocation in week.allocations:
        allocation_of[allocation.assignment["id"]] = allocation.id
    broken: dict[str | None, list[tuple[str, str]]] = defaultdict(list)
    for violation in check_assignments(week.problem, taken):
        broken[violation.assignment].append((violation.rule, violation.message))
    found = []
    for assignment_id, items in broken.items():
        assignment = by_id.get(assignment_id or "")
        found.append(
            {
                "assignment": assignment.model_dump(mode="json") if assignment else None,
                "assignment_id": assignment_id,
                "allocation": allocation_of.get(assignment_id or ""),
                "rules": sorted({rule for rule, _ in items}),
                "messages": [message for _, message in items],
            }
        )
    return sorted(found, key=lambda item: item["assignment_id"] or "")
