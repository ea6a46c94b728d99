"""Reading a solution out as assignments: sessions, individual slots, their rooms and staff."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Problem
from scheduler.week import DAYS, MINUTES_PER_DAY
from solver.candidates import Candidates, Pool, SlotCandidate, StaffCandidate
from solver.variables import Variables

Chosen = Callable[[cp_model.IntVar], bool]


class NumberingError(RuntimeError):
    """Pooled uses that no numbering of the pool's rooms can hold (a broken model)."""


def number_rooms(pool: Pool, uses: list[tuple[int, int, int]]) -> dict[int, str]:
    """Give each use (start, end, key) a room of the pool, no room ever over its capacity.

    First fit in order of start never needs more rooms than the most uses at
    one moment, so it succeeds whenever the pooled capacity was kept.
    """
    occupants: list[list[int]] = [[] for _ in pool.rooms]
    found: dict[int, str] = {}
    for start, end, key in sorted(uses):
        for index, room in enumerate(pool.rooms):
            occupants[index] = [until for until in occupants[index] if until > start]
            if len(occupants[index]) < pool.room_capacity:
                occupants[index].append(end)
                found[key] = room
                break
        else:
            raise NumberingError(f"pool {pool.id} cannot hold its uses at minute {start}")
    return found


def slot_id(slot: SlotCandidate) -> str:
    """Give the readable id of an individual assignment: ``A-F-001-video_call-mon-1600``."""
    day, minute = divmod(slot.start, MINUTES_PER_DAY)
    return f"A-{slot.father}-{slot.activity}-{DAYS[day]}-{minute // 60:02d}{minute % 60:02d}"


def read_assignments(
    problem: Problem,
    candidates: Candidates,
    variables: Variables,
    slot_links: dict[int, cp_model.IntVar],
    chosen: Chosen,
) -> list[Assignment]:
    """Give the roster's assignments: pins unchanged, then running sessions, then slots."""
    clock = problem.clock
    found = [pin.assignment for pin in candidates.pinned]
    for session in candidates.sessions:
        key = session.session
        if not chosen(variables.run[key]):
            continue
        found.append(
            Assignment(
                id=f"A-{key}",
                activity=session.activity,
                start=clock.moment(session.start),
                end=clock.moment(session.end),
                room=session.room,
                session=key,
                fathers=[f for f in session.fathers if chosen(variables.seat[key, f])],
                volunteers=[
                    v for v in session.volunteers if chosen(variables.session_volunteer[key, v])
                ],
                officers=[o for o in session.officers if chosen(variables.session_officer[key, o])],
            )
        )
    picked = [index for index, literal in enumerate(variables.slot) if chosen(literal)]
    volunteers = _staff(candidates.slot_volunteers, variables.slot_volunteer, chosen)
    officers = _staff(candidates.slot_officers, variables.slot_officer, chosen)
    helpers = _pair_volunteers(problem, candidates, picked, volunteers, slot_links, chosen)
    guards = _pair(problem, candidates, picked, officers, "officers")
    rooms = _rooms(candidates, picked)
    for index in picked:
        slot = candidates.slots[index]
        found.append(
            Assignment(
                id=slot_id(slot),
                activity=slot.activity,
                start=clock.moment(slot.start),
                end=clock.moment(slot.end),
                room=rooms.get(index),
                fathers=[slot.father],
                volunteers=helpers.get(index, []),
                officers=guards.get(index, []),
            )
        )
    return found


def _staff(
    people: list[StaffCandidate], literals: list[cp_model.IntVar], chosen: Chosen
) -> dict[tuple[str, str, int], list[str]]:
    """Give the staff chosen per (institution, activity, start)."""
    found: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for person, literal in zip(people, literals, strict=True):
        if chosen(literal):
            found[person.group].append(person.person)
    return found


def _pair(
    problem: Problem,
    candidates: Candidates,
    picked: list[int],
    staff: dict[tuple[str, str, int], list[str]],
    need: str,
    taken: dict[int, list[str]] | None = None,
) -> dict[int, list[str]]:
    """Give each picked slot its share of the staff chosen for its start, after ``taken``."""
    spare = {group: list(people) for group, people in staff.items()}
    found: dict[int, list[str]] = {}
    for index, people in (taken or {}).items():
        group = spare.get(candidates.slots[index].group, [])
        found[index] = [person for person in people if person in group]
        for person in found[index]:
            group.remove(person)
    for index in picked:
        slot = candidates.slots[index]
        needed: int = getattr(problem.activity_by_id[slot.activity], need)
        mine = found.setdefault(index, [])
        pool = spare.get(slot.group, [])
        while len(mine) < needed and pool:
            mine.append(pool.pop(0))
    return {index: people for index, people in found.items() if people}


def _pair_volunteers(
    problem: Problem,
    candidates: Candidates,
    picked: list[int],
    volunteers: dict[tuple[str, str, int], list[str]],
    slot_links: dict[int, cp_model.IntVar],
    chosen: Chosen,
) -> dict[int, list[str]]:
    """Give each picked slot its volunteers; a linked volunteer goes to his own family first."""
    linked: dict[int, list[str]] = {}
    for index in picked:
        link = slot_links.get(index)
        if link is not None and chosen(link):
            father = problem.father_by_id[candidates.slots[index].father]
            linked[index] = [father.linked_volunteer or ""]
    return _pair(problem, candidates, picked, volunteers, "volunteers", linked)


def _rooms(candidates: Candidates, picked: list[int]) -> dict[int, str]:
    """Give each picked slot with a room kind a room of its pool, numbered per pool."""
    uses: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for index in picked:
        slot = candidates.slots[index]
        if slot.pool is not None:
            uses[slot.pool].append((slot.start, slot.end + slot.changeover, index))
    found: dict[int, str] = {}
    for pool_id, pool_uses in uses.items():
        found.update(number_rooms(candidates.pools[pool_id], pool_uses))
    return found
