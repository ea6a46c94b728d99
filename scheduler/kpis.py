"""The key figures of a roster, recomputed from its assignments alone.

Fulfilment counts granted occurrences against entitlements (more than the
entitlement counts as the entitlement), per shell by the father's own shell;
hours are those of the assignments as placed; room utilisation compares the
minutes a room is in use with the minutes it is open, closures taken off.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.domain import Assignment, Father, KPIs, Problem, Roster
from scheduler.entitlements import grantable, is_legal_visit
from scheduler.objective import (
    father_granted,
    father_value,
    granted_counts,
    minutes,
    raise_steps,
    visit_minutes,
)
from scheduler.validate import violations
from scheduler.violations import Violation

Span = tuple[int, int]


def compute_kpis(problem: Problem, assignments: list[Assignment]) -> KPIs:
    """Give the KPIs of a set of assignments; those of an unknown activity count for nothing."""
    known = [a for a in assignments if a.activity in problem.activity_by_id]
    counts = granted_counts(problem, known)
    total_entitled = total_granted = value = 0
    by_shell: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_activity: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    floor = 1.0
    nothing_beyond: list[str] = []
    for father in problem.fathers:
        own = father_granted(problem, father, counts)
        value += father_value([g for _, g in own.values()], raise_steps(problem, father))
        standing = father_standing(problem, father, own)
        if standing.ratio is not None:
            floor = min(floor, standing.ratio)
        if standing.nothing_beyond_legal:
            nothing_beyond.append(father.id)
        for activity_id, (owed, granted) in own.items():
            for tally in (by_shell[father.shell], by_activity[activity_id]):
                tally[0] += owed
                tally[1] += granted
            total_entitled += owed
            total_granted += granted
    visits = visit_minutes(problem, known)
    legal = problem.policy.legal_min_visit_minutes
    volunteer_minutes: Counter[str] = Counter({v.id: 0 for v in problem.volunteers})
    officer_minutes: Counter[str] = Counter({o.id: 0 for o in problem.officers})
    for assignment in known:
        length = minutes(problem, assignment)
        for volunteer in dict.fromkeys(assignment.volunteers):
            volunteer_minutes[volunteer] += length
        for officer in dict.fromkeys(assignment.officers):
            officer_minutes[officer] += length
    return KPIs(
        fulfilment=_ratio(total_granted, total_entitled),
        fulfilment_by_shell={s: _ratio(g, e) for s, (e, g) in sorted(by_shell.items())},
        fulfilment_by_activity={a: _ratio(g, e) for a, (e, g) in sorted(by_activity.items())},
        entitled=total_entitled,
        granted=total_granted,
        entitlement_value=value,
        fathers_below_legal_minimum=sorted(f.id for f in problem.fathers if visits[f.id] < legal),
        volunteer_hours=sum(volunteer_minutes.values()) / 60,
        partner_cap_hours=problem.policy.partner_cap_hours,
        volunteer_hours_by_volunteer={v: m / 60 for v, m in sorted(volunteer_minutes.items())},
        officer_hours_by_officer={o: m / 60 for o, m in sorted(officer_minutes.items())},
        room_utilisation=room_utilisation(problem, known),
        fairness_floor=floor,
        fathers_nothing_beyond_legal=sorted(nothing_beyond),
    )


@dataclass(frozen=True)
class Standing:
    """How a father fares over what his eligibility allows this week."""

    # Granted over what he could be granted; None when he could be granted nothing.
    ratio: float | None
    # He could be granted more than the legal visit and is granted none of it.
    nothing_beyond_legal: bool


def father_standing(problem: Problem, father: Father, own: dict[str, tuple[int, int]]) -> Standing:
    """Give the father's standing from his (entitled, granted) per activity (``father_granted``).

    Only what his eligibility allows counts (docs/design.md section 4): a
    father on time-out all week is not owed his shell-3 activities.
    """
    could = {
        activity_id: pair
        for activity_id, pair in own.items()
        if grantable(problem, father, problem.kind(activity_id))
    }
    owed = sum(e for e, _ in could.values())
    ratio = sum(g for _, g in could.values()) / owed if owed else None
    beyond = [g for a, (_, g) in could.items() if not is_legal_visit(problem.kind(a))]
    return Standing(ratio, bool(beyond) and not any(beyond))


def father_standings(problem: Problem, assignments: list[Assignment]) -> dict[str, Standing]:
    """Give every father's standing in a set of assignments, by father id."""
    counts = granted_counts(problem, assignments)
    return {
        father.id: father_standing(problem, father, father_granted(problem, father, counts))
        for father in problem.fathers
    }


def recheck(problem: Problem, roster: Roster) -> tuple[list[Violation], KPIs]:
    """Give the roster's violations of the hard rules and its recomputed KPIs."""
    return violations(problem, roster), compute_kpis(problem, roster.assignments)


def room_utilisation(problem: Problem, assignments: list[Assignment]) -> dict[str, float]:
    """Give per room the share of its open minutes (closures taken off) that it is in use.

    A room in use by several assignments at once counts those minutes once;
    use outside the open minutes does not count, so the share lies in 0..1.
    A room that is never open this week has utilisation 0.
    """
    clock = problem.clock
    used: dict[str, list[Span]] = defaultdict(list)
    for assignment in assignments:
        if assignment.room is not None:
            used[assignment.room].append(
                (clock.minute(assignment.start), clock.minute(assignment.end))
            )
    found: dict[str, float] = {}
    for room in sorted(problem.rooms, key=lambda r: r.id):
        closed = [(clock.minute(c.start), clock.minute(c.end)) for c in room.closed]
        open_spans = _subtract(_merge(w.week_minutes() for w in room.open), _merge(closed))
        available = _length(open_spans)
        busy = _length(_intersect(_merge(used[room.id]), open_spans))
        found[room.id] = busy / available if available else 0.0
    return found


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Give the union of half-open spans as sorted, disjoint spans."""
    merged: list[Span] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _intersect(first: list[Span], second: list[Span]) -> list[Span]:
    """Give the intersection of two lists of sorted, disjoint spans."""
    found: list[Span] = []
    i = j = 0
    while i < len(first) and j < len(second):
        low = max(first[i][0], second[j][0])
        high = min(first[i][1], second[j][1])
        if low < high:
            found.append((low, high))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return found


def _subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    """Give sorted, disjoint spans with sorted, disjoint holes taken out."""
    found: list[Span] = []
    for low, high in spans:
        start = low
        for hole_low, hole_high in holes:
            if hole_high <= start or hole_low >= high:
                continue
            if hole_low > start:
                found.append((start, hole_low))
            start = max(start, hole_high)
        if start < high:
            found.append((start, high))
    return found


def _length(spans: list[Span]) -> int:
    return sum(high - low for low, high in spans)
