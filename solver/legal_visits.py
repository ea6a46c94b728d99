"""The legal visits placed first in the warm start: the most fathers at the legal minimum.

Visits go round cheapest in volunteer minutes first, the fathers with the
fewest kinds of visit choosing first; the family room is packed where
fathers are still short (``solver.room_packing``); the week before's
visits placed again a week on are kept where they seat more; those below
the legal minimum the week before come first (docs/design.md section 10).
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler.domain import Activity, Assignment, Father, Problem
from scheduler.eligibility import eligible
from scheduler.four_weeks import below_legal_week_before, weeks_with_nothing_beyond_legal
from scheduler.history import CANCELLED, Occurrence, weeks_between
from scheduler.objective import granted_counts, raise_steps, window_shares
from scheduler.occupancy import Occupancy
from scheduler.placement import blockers
from scheduler.week import WeekClock
from solver.placer import Placer, strip_escorts
from solver.room_packing import pack_room_visits

# Told the assignments of a valid roster placed so far: the first visits, before the packing.
FirstRoster = Callable[[list[Assignment]], None]


def legal_placer(
    problem: Problem,
    earliest: int,
    visits: list[Activity],
    owed: dict[tuple[str, str], int],
    on_first: FirstRoster | None,
) -> Placer:
    """Give a placer holding the legal visits, the most fathers at the legal minimum first.

    Visits cheapest in volunteer minutes go round first, and within each the
    fathers with the fewest kinds of visit choose first: a father who can
    only sit in the visit hall needs its seats more than one who may also
    have a cell or family room visit. Among equals, the fathers below the
    legal minimum the week before choose first, then ``rotation``'s order.
    The week before's visits placed again a week on (``_as_last_week``)
    are kept instead where they bring more fathers to the legal minimum.
    Where seats are scarce that may still leave those fathers without: each
    then takes the visit of a father who had his (``_swap_in``), and where
    some are left, the visits are placed again with them first of all,
    kept where that brings as many fathers to the legal minimum and more of
    them. So where the seats allow it no one misses his legal hour two
    weeks running, and the legal tier gives up nothing for it.
    """
    choices = {
        f.id: sum(
            1
            for a in visits
            if owed[f.id, a.id] > 0 and any(eligible(problem, f, a, day) for day in range(7))
        )
        for f in problem.fathers
    }
    missed = below_legal_week_before(problem)
    order = {f.id: n for n, f in enumerate(rotation(problem))}
    waiting = sorted(
        problem.fathers, key=lambda f: (choices[f.id], f.id not in missed, order[f.id])
    )
    placer = _legal_visits(problem, earliest, visits, waiting, owed, on_first)
    reached = _reached(placer, visits, missed)
    again = _as_last_week(problem, earliest, visits, waiting, owed)
    if again is not None and (as_before := _reached(again, visits, missed)) > reached:
        placer, reached = again, as_before
    if not missed or reached[1] == len(missed):
        return placer
    # A swap keeps the count: those still without take the visits of fathers who had theirs.
    _swap_in(placer, visits, [f for f in waiting if f.id in missed])
    reached = _reached(placer, visits, missed)
    if reached[1] == len(missed):
        return placer
    waiting.sort(key=lambda f: f.id not in missed)
    again = _legal_visits(problem, earliest, visits, waiting, owed)
    return again if _reached(again, visits, missed) > reached else placer


def _as_last_week(
    problem: Problem,
    earliest: int,
    visits: list[Activity],
    waiting: list[Father],
    owed: dict[tuple[str, str], int],
) -> Placer | None:
    """Give a placer holding the visits of the week before a week on, or None without them.

    The week before's visits (the history's record, docs/design.md section
    10) were the search's: a packing of the family room and the officers
    that first fit seldom finds. Each father's visits are placed again at
    the same day and hour, every rule checked, as far as they bring him to
    the legal minimum. The rest are then seated as in the first pass. A
    record without entitlements is of a week planned alone, which no week
    after reads (``below_legal_week_before``): None then, as without one.
    """
    kinds = {a.id: a for a in visits}
    records = [
        r for r in problem.earlier.weeks if weeks_between(r.week, problem.week) == 1 and r.entitled
    ]
    items = [(WeekClock(r.week).minute(o.start), o) for r in records for o in r.occurrences]
    items = [(m, o) for m, o in items if o.activity in kinds and o.outcome != CANCELLED]
    if not items:
        return None
    placer = Placer(problem, earliest)
    # Sessions first, their escorts then taken off (the legal hour comes first), then the
    # visits in a room, then those anywhere: the scarcer the place, the sooner it is held.
    sessions = [(m, o) for m, o in items if kinds[o.activity].placement == "session"]
    _place_again(placer, visits, owed, sessions)
    strip_escorts(placer)
    rest = sorted(
        ((m, o) for m, o in items if kinds[o.activity].placement != "session"),
        key=lambda pair: (kinds[pair[1].activity].room_kind is None, pair[0]),
    )
    _place_again(placer, visits, owed, rest)
    _seat_the_short(placer, visits, waiting, owed, _seat(placer, visits, waiting, owed))
    return placer


def _place_again(
    placer: Placer,
    visits: list[Activity],
    owed: dict[tuple[str, str], int],
    items: list[tuple[int, Occurrence]],
) -> None:
    """Place each occurrence at its week minute, as far as it brings its father to the legal hour.

    ``items`` pairs each occurrence of the week before with its week minute.
    """
    problem, occupancy = placer.problem, placer.occupancy
    legal = problem.policy.legal_min_visit_minutes
    for start, item in items:
        father = problem.father_by_id.get(item.father)
        if father is None or start < placer.earliest or _seen(occupancy, visits, father) >= legal:
            continue
        if occupancy.occurrences(father.id, item.activity) >= owed[father.id, item.activity]:
            continue
        assignment, _ = blockers(problem, occupancy, father.id, item.activity, start, None)
        if assignment is not None:
            occupancy.add(assignment)


def seat_the_least(placer: Placer, visits: list[Activity]) -> None:
    """Give the fathers without a legal hour at the least four-week share the visits of others.

    Where the weeks before say what each father was owed, the least share
    over the fathers (``scheduler.objective.window_shares``) is often that of
    a father the seats left without his legal hour, and one visit more is
    worth more to the floor than anything else of his week. While a father
    at the least share is one of them, he takes the visit of a father whose
    share stays above his without it, not below the legal minimum the week
    before, whose only visit it is (``_swap_in``); each father takes one at
    most. As many fathers keep their legal hour.
    """
    problem = placer.problem
    shares = window_shares(problem)
    if not shares:
        return
    legal = problem.policy.legal_min_visit_minutes
    missed = below_legal_week_before(problem)
    tried: set[str] = set()
    while True:
        counts = granted_counts(problem, placer.occupancy.assignments())
        had = {f: s.counted_now(f, counts) for f, s in shares.items()}
        parts = {f: s.parts(had[f]) for f, s in shares.items()}
        least = min(parts.values())
        short = [
            f
            for f in problem.fathers
            if parts.get(f.id) == least
            and f.id not in tried
            and _seen(placer.occupancy, visits, f) < legal
        ]
        if not short:
            return
        taker = short[0]
        tried.add(taker.id)
        keep = missed | tried | {f for f, s in shares.items() if s.parts(had[f] - 1) <= least}
        _swap_in(placer, visits, [taker], keep)
        # A visit taken from a father frees his time: what did not fit him may fit now.
        placer.failed.clear()


def _swap_in(
    placer: Placer, visits: list[Activity], fathers: list[Father], keep: set[str] | None = None
) -> None:
    """Give each of ``fathers`` below the legal minimum the visit of one not in ``keep``.

    ``keep`` is ``fathers`` themselves unless given. A seat in a session, or a
    visit's time in a room or a cell, is taken from a father of the others
    whose only visit it is: the warm start's rounds seat him again after,
    where a seat is left.
    """
    problem, occupancy = placer.problem, placer.occupancy
    legal = problem.policy.legal_min_visit_minutes
    keep = {f.id for f in fathers} if keep is None else keep
    for father in fathers:
        if _seen(occupancy, visits, father) >= legal:
            continue
        for assignment in occupancy.assignments():
            activity = problem.activity_by_id[assignment.activity]
            if not activity.counts_as_visit or assignment.pinned:
                continue
            if assignment.id in occupancy.index.pinned:
                continue
            if _seen(occupancy, visits, father) + activity.minutes < legal:
                continue
            if _swapped(placer, assignment, father, keep):
                break


def _swapped(placer: Placer, assignment: Assignment, father: Father, keep: set[str]) -> bool:
    """Place ``father`` in the visit in place of one of its fathers not in ``keep``; tell if so."""
    problem, occupancy = placer.problem, placer.occupancy
    start = problem.clock.minute(assignment.start)
    for other in assignment.fathers:
        if other in keep:
            continue
        left = [f for f in assignment.fathers if f != other]
        if left:
            occupancy.add(assignment.model_copy(update={"fathers": left}))
        else:
            occupancy.remove(assignment)
        seat, _ = blockers(
            problem, occupancy, father.id, assignment.activity, start, assignment.session
        )
        if seat is not None:
            occupancy.add(seat)
            return True
        occupancy.add(assignment)
    return False


def _reached(placer: Placer, visits: list[Activity], missed: set[str]) -> tuple[int, int]:
    """Give how many fathers the placer brings to the legal minimum, and how many of ``missed``."""
    legal = placer.problem.policy.legal_min_visit_minutes
    at = {f.id for f in placer.problem.fathers if _seen(placer.occupancy, visits, f) >= legal}
    return len(at), len(at & missed)


def rotation(problem: Problem) -> list[Father]:
    """Give the fathers in the order they choose: the worst served in the weeks before first.

    First those with nothing beyond the legal visit in the most weeks before,
    then those with the highest raise; among equals, in the problem's order.
    """
    bare = weeks_with_nothing_beyond_legal(problem)
    return sorted(problem.fathers, key=lambda f: (-bare[f.id], -raise_steps(problem, f)))


def _legal_visits(
    problem: Problem,
    earliest: int,
    visits: list[Activity],
    waiting: list[Father],
    owed: dict[tuple[str, str], int],
    on_first: FirstRoster | None = None,
) -> Placer:
    """Give a placer holding a visit for every father it can bring to the legal minimum.

    ``on_first`` is told the visits of the first pass, before any is placed again.
    """
    placer = Placer(problem, earliest)
    seated = _seat(placer, visits, waiting, owed)
    if on_first is not None:
        on_first(placer.occupancy.assignments())
    _seat_the_short(placer, visits, waiting, owed, seated)
    return placer


def _seat_the_short(
    placer: Placer,
    visits: list[Activity],
    waiting: list[Father],
    owed: dict[tuple[str, str], int],
    seated: int,
) -> None:
    """Seat the fathers still below the legal minimum, ``seated`` of ``waiting`` being at it.

    The escorts of the visits placed so far may hold the partner cap or the
    volunteers a father's only visit needs (a family room's volunteer): the
    legal hour comes first, so the visits are placed again without escorts
    (``priority_order`` gives them back later, where they fit). Then the
    family room is packed for those still short.
    """
    if seated < len(waiting) and strip_escorts(placer):
        placer.failed.clear()
        seated = _seat(placer, visits, waiting, owed)
    if seated < len(waiting):
        _pack(placer, visits, waiting, owed)


def _seen(occupancy: Occupancy, visits: list[Activity], father: Father) -> int:
    """Give the visit minutes the father has in the week so far."""
    return sum(occupancy.occurrences(father.id, a.id) * a.minutes for a in visits)


def _pack(
    placer: Placer,
    visits: list[Activity],
    waiting: list[Father],
    owed: dict[tuple[str, str], int],
) -> None:
    """Pack each room-bound individual visit for the fathers still below the legal minimum.

    First fit leaves gaps in a family room too short for one more visit;
    ``pack_room_visits`` places them all at once (docs/design.md section 4's rules held).
    """
    occupancy = placer.occupancy
    legal = placer.problem.policy.legal_min_visit_minutes
    for activity in visits:
        if activity.placement != "individual" or activity.room_kind is None:
            continue
        short = [
            f.id
            for f in waiting
            if _seen(occupancy, visits, f) < legal <= _seen(occupancy, visits, f) + activity.minutes
            and occupancy.occurrences(f.id, activity.id) < owed[f.id, activity.id]
        ]
        if short:
            pack_room_visits(occupancy, activity, short, placer.earliest)
            # The packing moves visits, so what did not fit before may fit now.
            placer.failed.clear()


def _seat(
    placer: Placer,
    visits: list[Activity],
    waiting: list[Father],
    owed: dict[tuple[str, str], int],
) -> int:
    """Place visits for the fathers below the legal minimum, in order; give how many reach it."""
    occupancy = placer.occupancy
    legal = placer.problem.policy.legal_min_visit_minutes
    for activity in visits:
        for father in waiting:
            if (
                _seen(occupancy, visits, father) < legal
                and occupancy.occurrences(father.id, activity.id) < owed[father.id, activity.id]
            ):
                placer.place(father.id, activity)
    return sum(1 for father in waiting if _seen(occupancy, visits, father) >= legal)
