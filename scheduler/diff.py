"""The difference of two rosters of a week, as a planner reads it: kept, moved, dropped, new.

The difference is read per father and activity, over occurrences (a father
in an assignment), so that a session that loses one father and seats another
shows one dropped and one new occurrence, and an individual appointment at
another time shows as moved even though its id (which names its time)
changed. An occurrence at the same time and place is kept; what is left on
both sides is paired in time order as moved; what is left before is dropped
(each with its reasons), what is left after is new. A staff swap is an
assignment at the same time and place with other volunteers or officers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scheduler.domain import Assignment

Reasons = Callable[[Assignment, str], list[str]]


@dataclass
class Occurrence:
    """One father's place in an assignment."""

    father: str
    assignment: Assignment

    def view(self) -> dict[str, Any]:
        """Give the occurrence as the API shows it."""
        a = self.assignment
        return {
            "father": self.father,
            "activity": a.activity,
            "assignment": a.id,
            "start": a.start.isoformat(),
            "end": a.end.isoformat(),
            "room": a.room,
            "session": a.session,
        }


@dataclass
class Difference:
    """What a later roster keeps, moves, drops and adds of an earlier one, and its staff swaps."""

    kept: list[Occurrence] = field(default_factory=list)
    moved: list[tuple[Occurrence, Occurrence]] = field(default_factory=list)
    dropped: list[tuple[Occurrence, list[str]]] = field(default_factory=list)
    new: list[Occurrence] = field(default_factory=list)
    staff_swaps: list[tuple[Assignment, Assignment]] = field(default_factory=list)

    def fathers(self) -> set[str]:
        """Give every father the difference names: kept, moved, dropped or new."""
        found = {o.father for o in [*self.kept, *self.new, *(o for o, _ in self.dropped)]}
        return found | {o.father for pair in self.moved for o in pair}

    @property
    def changes(self) -> int:
        """Give how many occurrences moved, were dropped or are new, plus the staff swaps."""
        return len(self.moved) + len(self.dropped) + len(self.new) + len(self.staff_swaps)

    def view(self) -> dict[str, Any]:
        """Give the difference as the API shows it (kept as a count and a list)."""
        return {
            "summary": {
                "kept": len(self.kept),
                "moved": len(self.moved),
                "dropped": len(self.dropped),
                "new": len(self.new),
                "staff_swaps": len(self.staff_swaps),
            },
            "kept": [o.view() for o in self.kept],
            "moved": [{"from": a.view(), "to": b.view()} for a, b in self.moved],
            "dropped": [{**o.view(), "reasons": why} for o, why in self.dropped],
            "new": [o.view() for o in self.new],
            "staff_swaps": [_swap(a, b) for a, b in self.staff_swaps],
        }


def _swap(before: Assignment, after: Assignment) -> dict[str, Any]:
    return {
        "assignment": after.id,
        "activity": after.activity,
        "start": after.start.isoformat(),
        "room": after.room,
        "volunteers": {"from": sorted(before.volunteers), "to": sorted(after.volunteers)},
        "officers": {"from": sorted(before.officers), "to": sorted(after.officers)},
    }


def _place(assignment: Assignment) -> tuple[str, str, str, str, str]:
    """Give where and when an assignment is: activity, start, end, room, session."""
    return (
        assignment.activity,
        assignment.start.isoformat(),
        assignment.end.isoformat(),
        assignment.room or "",
        assignment.session or "",
    )


def _slot(assignment: Assignment) -> tuple[object, ...]:
    """Give what makes two assignments the same one: its place, and an individual one's father."""
    if assignment.session is not None:
        return _place(assignment)
    return (*_place(assignment), tuple(sorted(assignment.fathers)))


def _occurrences(assignments: list[Assignment]) -> dict[tuple[str, str], list[Occurrence]]:
    found: dict[tuple[str, str], list[Occurrence]] = defaultdict(list)
    for assignment in assignments:
        for father in assignment.fathers:
            found[father, assignment.activity].append(Occurrence(father, assignment))
    for items in found.values():
        items.sort(key=lambda o: (o.assignment.start, o.assignment.id))
    return found


def difference(
    before: list[Assignment], after: list[Assignment], reasons: Reasons | None = None
) -> Difference:
    """Give the difference from ``before`` to ``after``; ``reasons`` explains each drop."""
    result = Difference()
    earlier, later = _occurrences(before), _occurrences(after)
    for key in sorted(set(earlier) | set(later)):
        left = list(earlier.get(key, []))
        right = list(later.get(key, []))
        for occurrence in list(left):
            match = next(
                (o for o in right if _place(o.assignment) == _place(occurrence.assignment)), None
            )
            if match is not None:
                left.remove(occurrence)
                right.remove(match)
                result.kept.append(match)
        for old, new in zip(left, right, strict=False):
            result.moved.append((old, new))
        for old in left[len(right) :]:
            why = reasons(old.assignment, old.father) if reasons else []
            result.dropped.append((old, why))
        result.new.extend(right[len(left) :])
    by_place = {_slot(a): a for a in before}
    for assignment in sorted(after, key=lambda a: (a.start, a.id)):
        earlier_one = by_place.get(_slot(assignment))
        if earlier_one is None:
            continue
        if set(earlier_one.volunteers) != set(assignment.volunteers) or set(
            earlier_one.officers
        ) != set(assignment.officers):
            result.staff_swaps.append((earlier_one, assignment))
    return result
