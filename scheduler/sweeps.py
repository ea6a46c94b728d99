"""The independent checker's sweeps over the week: people, rooms, hours and fathers kept apart.

Resources are checked with one sweep per person and per room over the
assignments sorted by time, so a national week of 6,000 fathers is checked in
seconds rather than by comparing every pair. Each sweep reads the placed
assignments alone, not the week index the placement and the solver share.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict

from scheduler import reasons
from scheduler.objective import partner_cap_minutes
from scheduler.room_kinds import VISIT_HALL
from scheduler.violations import BUSY_REASON, Findings, Placed, hours_text


def double_booking(check: Findings, placed: list[Placed]) -> None:
    """Check that no father, volunteer or officer is in two assignments at the same time."""
    busy: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    for item in placed:
        assignment = item.assignment
        for kind, people in (
            ("father", assignment.fathers),
            ("volunteer", assignment.volunteers),
            ("officer", assignment.officers),
        ):
            for person in dict.fromkeys(people):
                busy[kind, person].append((item.start, item.end, item.id))
    for (kind, person), spans in sorted(busy.items()):
        spans.sort()
        until, holder = spans[0][1], spans[0][2]
        for start, end, key in spans[1:]:
            if start < until:
                check.add(
                    "double_booking",
                    key,
                    f"{kind} {person} is in {holder} and {key} "
                    f"at the same time ({check.at(start)})",
                    BUSY_REASON[kind],
                )
            if end > until:
                until, holder = end, key


def room_capacity(check: Findings, placed: list[Placed]) -> None:
    """Check that no room holds more families than it can, nor a session more than its seats.

    An individual use keeps the room for its changeover minutes after it
    ends; a session's fathers leave together and need no changeover.
    """
    events: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for item in placed:
        session = item.assignment.session
        families = len(set(item.assignment.fathers))
        if session is not None and session in check.problem.session_by_id:
            seats = check.problem.session_by_id[session].capacity
            if families > seats:
                hall = check.problem.room_by_id[check.problem.session_by_id[session].room]
                check.add(
                    "room_capacity",
                    item.id,
                    f"session {session} seats {families} fathers (capacity {seats})",
                    reasons.capacity(hall.kind),
                )
        if item.room is None or families == 0:
            continue
        changeover = 0 if session is not None else item.room.changeover_minutes
        events[item.room.id].append((item.start, families, item.id))
        events[item.room.id].append((item.end + changeover, -families, item.id))
    for room_id, room_events in sorted(events.items()):
        room = check.problem.room_by_id[room_id]
        capacity = room.capacity
        load = 0
        # At one moment, uses that end leave before new ones come in.
        for moment, change, key in sorted(room_events, key=lambda e: (e[0], e[1] > 0, e[2])):
            load += change
            if change > 0 and load > capacity:
                check.add(
                    "room_capacity",
                    key,
                    f"room {room_id} holds {load} families at {check.at(moment)} "
                    f"(capacity {capacity})",
                    reasons.capacity(room.kind),
                )


def volunteer_hours(check: Findings, placed: list[Placed]) -> None:
    """Check the partner cap on all volunteers together and each volunteer's own maximum."""
    problem = check.problem
    worked: Counter[str] = Counter()
    for item in placed:
        for volunteer_id in dict.fromkeys(item.assignment.volunteers):
            worked[volunteer_id] += item.end - item.start
    total = sum(worked.values())
    cap = partner_cap_minutes(problem)
    if total > cap:
        check.add(
            "partner_cap",
            None,
            f"volunteers work {hours_text(total)} together (partner cap {hours_text(cap)})",
        )
    for volunteer_id, minutes in sorted(worked.items()):
        volunteer = problem.volunteer_by_id.get(volunteer_id)
        if volunteer is not None and minutes > volunteer.max_hours_week * 60:
            check.add(
                "volunteer_max_hours",
                None,
                f"volunteer {volunteer_id} works {hours_text(minutes)} "
                f"(at most {hours_text(volunteer.max_hours_week * 60)})",
            )


def non_association(check: Findings, placed: list[Placed]) -> None:
    """Check that fathers kept apart never share an assignment nor the visit hall at once."""
    apart = check.problem.kept_apart
    if not apart:
        return
    none: frozenset[str] = frozenset()
    for item in placed:
        present = {father.id for father in item.fathers}
        for father_id in sorted(present):
            for other in sorted(apart.get(father_id, none) & present):
                if father_id < other:
                    check.add(
                        "non_association",
                        item.id,
                        f"fathers {father_id} and {other} must be kept apart but share {item.id}",
                    )
    halls = sorted(
        (p for p in placed if p.room is not None and p.room.kind == VISIT_HALL),
        key=lambda p: (p.start, p.id),
    )
    running: list[tuple[int, str, str]] = []
    inside: dict[str, set[str]] = defaultdict(set)
    for item in halls:
        while running and running[0][0] <= item.start:
            _, father_id, key = heapq.heappop(running)
            inside[father_id].discard(key)
        for father in item.fathers:
            for other in sorted(apart.get(father.id, none)):
                for key in sorted(inside[other] - {item.id}):
                    check.add(
                        "non_association",
                        item.id,
                        f"fathers {father.id} and {other} must be kept apart "
                        "but are both in the "
                        f"visit hall at {check.at(item.start)} ({key} and {item.id})",
                    )
        for father in item.fathers:
            inside[father.id].add(item.id)
            heapq.heappush(running, (item.end, father.id, item.id))
