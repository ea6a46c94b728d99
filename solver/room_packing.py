"""Packing the legal visits of a room-bound individual activity, for the warm start.

First fit places a family-room visit at the first time each father's
windows allow, preferred windows first, so the visits fall where they fall
and the gaps between them are often too short for one more: at 400 fathers
17 visits where 21 fit. Here the fathers left below the legal minimum and
those already holding such a visit are matched to the activity's times all
at once by a small CP-SAT solve: each father at most one time he fits alone
(every rule checked by ``scheduler.placement``), the rooms' capacity with
their changeover, each volunteer and officer in one place at a time and
within his hours, and the partner cap. The times chosen are then placed
one by one with every rule checked again; a father whose time no longer fits
is placed by first fit, and where the packing seats fewer fathers than were
seated before, what was there is put back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.domain import Activity, Assignment
from scheduler.objective import partner_cap_minutes
from scheduler.occupancy import Occupancy
from scheduler.placement import alternatives, blockers, first_fit
from scheduler.week import MINUTES_PER_WEEK

#: The packing's solve, in CP-SAT's deterministic time (the same on a loaded machine):
#: at 400 fathers it proves its optimum in 0.17 of it, at 1,000 (103 fathers, 12,574
#: starts) in 1.1. The wall-clock limit only guards against a far busier machine: at
#: 5 s, beside another solve at load 6, it cut the 1,000-father packing short.
PACKING_WORK = 2.0
PACKING_SECONDS = 20.0


@dataclass(frozen=True)
class _Time:
    """One start of the activity some father fits at, and the staff free then."""

    start: int
    volunteers: tuple[str, ...]
    officers: tuple[str, ...]


def pack_room_visits(
    occupancy: Occupancy, activity: Activity, fathers: list[str], earliest: int = 0
) -> None:
    """Place the activity's visits for as many of ``fathers`` as one packing fits.

    ``fathers`` are those below the legal minimum whom a visit of ``activity``
    brings to it; the occurrences of the activity already held (not pinned) are
    taken up and packed together with them.
    """
    pinned = occupancy.index.pinned
    held = [
        a
        for a in occupancy.assignments()
        if a.activity == activity.id and not a.pinned and a.id not in pinned
    ]
    for assignment in held:
        occupancy.remove(assignment)
    everyone = [*dict.fromkeys([*fathers, *(f for a in held for f in a.fathers)])]
    options = _options(occupancy, activity, everyone, earliest)
    hint = {
        f: occupancy.problem.clock.minute(a.start) for a in held for f in a.fathers if f in options
    }
    chosen = _match(occupancy, activity, options, hint) if options else {}
    placed = _place(occupancy, activity, chosen, everyone, earliest)
    if len(placed) < len(held):
        for assignment in placed:
            occupancy.remove(assignment)
        for assignment in held:
            occupancy.add(assignment)


def _options(
    occupancy: Occupancy, activity: Activity, fathers: list[str], earliest: int
) -> dict[str, list[_Time]]:
    """Give each father's starts of the activity that fit him alone now, with the staff free."""
    problem = occupancy.problem
    found: dict[str, list[_Time]] = {}
    for father_id in fathers:
        institution = problem.father_by_id[father_id].institution
        fits = alternatives(problem, occupancy, father_id, activity.id, 0, MINUTES_PER_WEEK)
        times = []
        for assignment in fits:
            start = problem.clock.minute(assignment.start)
            end = start + activity.minutes
            if start < earliest:
                continue
            staff = occupancy.staff(activity, institution, start, end)
            times.append(
                _Time(
                    start,
                    tuple(v.id for v in staff.volunteers),
                    tuple(o.id for o in staff.officers),
                )
            )
        if times:
            found[father_id] = times
    return found


def _match(
    occupancy: Occupancy,
    activity: Activity,
    options: dict[str, list[_Time]],
    hint: dict[str, int],
) -> dict[str, int]:
    """Give each father matched the start he is placed at, by a solve of the packing alone.

    ``hint`` (the starts held before) is the solve's first solution.
    """
    problem = occupancy.problem
    model = cp_model.CpModel()
    minutes = activity.minutes
    chosen: dict[tuple[str, int], cp_model.IntVar] = {}
    at: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    staff: dict[tuple[str, int], _Time] = {}
    for father_id, times in options.items():
        institution = problem.father_by_id[father_id].institution
        picks = []
        for time in times:
            literal = model.new_bool_var(f"{father_id}@{time.start}")
            model.add_hint(literal, hint.get(father_id) == time.start)
            chosen[father_id, time.start] = literal
            at[institution, time.start].append(literal)
            staff[institution, time.start] = time
            picks.append(literal)
        model.add_at_most_one(picks)
    counts = {}
    for (institution, start), literals in at.items():
        count = model.new_int_var(0, len(literals), f"{institution}@{start}")
        model.add(count == sum(literals))
        counts[institution, start] = count
    shared = _rooms(model, occupancy, activity, counts)
    _staff(model, occupancy, activity, counts, {k: t for k, t in staff.items() if k[0] in shared})
    cost = minutes * activity.volunteers
    if cost:
        left = partner_cap_minutes(problem) - occupancy.volunteer_minutes()
        model.add(sum(counts.values()) * cost <= max(0, left))
    model.maximize(sum(chosen.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = PACKING_WORK
    solver.parameters.max_time_in_seconds = PACKING_SECONDS
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    solver.parameters.cp_model_probing_level = 0
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    return {f: start for (f, start), literal in chosen.items() if solver.value(literal)}


def _rooms(
    model: cp_model.CpModel,
    occupancy: Occupancy,
    activity: Activity,
    counts: dict[tuple[str, int], cp_model.IntVar],
) -> set[str]:
    """Hold the visits at each institution to its rooms of the kind, changeover included.

    Give the institutions where two visits may run at once: only there can
    they want the same volunteer or officer.
    """
    assert activity.room_kind is not None
    shared: set[str] = set()
    by_institution: dict[str, list[int]] = defaultdict(list)
    for institution, start in counts:
        by_institution[institution].append(start)
    for institution, starts in by_institution.items():
        rooms = occupancy.index.rooms.get((institution, activity.room_kind), [])
        changeover = min((r.changeover_minutes for r in rooms), default=0)
        capacity = sum(r.capacity for r in rooms)
        length = activity.minutes + changeover
        # The visits running at a moment are most at some visit's start: one row each,
        # the clique rows of an interval graph, whose relaxation is exact.
        for moment in starts:
            running = [counts[institution, s] for s in starts if s <= moment < s + length]
            model.add(sum(running) <= capacity)
        if capacity > 1:
            shared.add(institution)
    return shared


def _staff(
    model: cp_model.CpModel,
    occupancy: Occupancy,
    activity: Activity,
    counts: dict[tuple[str, int], cp_model.IntVar],
    free: dict[tuple[str, int], _Time],
) -> None:
    """Give each visit its volunteers and officers, each in one place at once and within hours.

    Where one room holds one visit at a time, its visits never overlap and this
    is left to ``_place``, which checks every rule again.
    """
    problem = occupancy.problem
    serves: dict[tuple[bool, str], list[tuple[cp_model.IntervalVar, cp_model.IntVar]]]
    serves = defaultdict(list)
    for (institution, start), time in free.items():
        needs = (
            (True, activity.volunteers, time.volunteers),
            (False, activity.officers, time.officers),
        )
        for is_volunteer, count, people in needs:
            if count == 0:
                continue
            literals = []
            for person in people:
                literal = model.new_bool_var(f"{person}@{start}")
                interval = model.new_optional_fixed_size_interval_var(
                    start, activity.minutes, literal, f"{person}@{start}"
                )
                serves[is_volunteer, person].append((interval, literal))
                literals.append(literal)
            model.add(sum(literals) == count * counts[institution, start])
    for (is_volunteer, person), uses in serves.items():
        model.add_no_overlap([interval for interval, _ in uses])
        if is_volunteer:
            volunteer = problem.volunteer_by_id[person]
            left = int(volunteer.max_hours_week * 60) - occupancy.volunteer_minutes(person)
            model.add(sum(literal for _, literal in uses) * activity.minutes <= max(0, left))


def _place(
    occupancy: Occupancy,
    activity: Activity,
    chosen: dict[str, int],
    fathers: list[str],
    earliest: int,
) -> list[Assignment]:
    """Place the matched fathers at their starts, earliest first, then the rest by first fit.

    Give the assignments placed.
    """
    problem = occupancy.problem
    placed: list[Assignment] = []
    for father_id, start in sorted(chosen.items(), key=lambda item: (item[1], item[0])):
        assignment, _ = blockers(problem, occupancy, father_id, activity.id, start, None)
        if assignment is not None:
            occupancy.add(assignment)
            placed.append(assignment)
    for father_id in fathers:
        if father_id in chosen and occupancy.occurrences(father_id, activity.id):
            continue
        preferred = problem.father_by_id[father_id].preferred
        assignment = first_fit(
            problem, occupancy, father_id, activity.id, earliest=earliest, preferred=preferred
        )
        if assignment is not None:
            occupancy.add(assignment)
            placed.append(assignment)
    return placed
