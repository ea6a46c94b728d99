"""A quick roster placed in the objective's order of priority, to start CP-SAT from.

First come, first served spends the partner cap on whoever asks first, which
leaves many fathers without their legal hour. This greedy order follows the
tiers instead: first a visit for every father below the legal minimum, then
occurrences round by round (everyone's first occurrence of each activity
before anyone's second, as diminishing returns value them), the activities
that cost the fewest volunteer minutes per father first. Each placement is the
first fit of ``scheduler.placement``, preferred windows first, so every rule
is checked exactly as for a booking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from scheduler.domain import Activity, Assignment, Father, Problem
from scheduler.eligibility import eligible
from scheduler.entitlements import entitled, is_legal_visit
from scheduler.four_weeks import below_legal_week_before, weeks_with_nothing_beyond_legal
from scheduler.history import CANCELLED, Occurrence, weeks_between
from scheduler.ids import ESCORTED_VISIT
from scheduler.objective import four_week_parts, granted_counts, has_its_escorts, raise_steps
from scheduler.occupancy import Occupancy
from scheduler.placement import blockers, first_fit
from scheduler.week import WeekClock
from solver.escort_seats import claiming, escort_need, escorted_seat_cost, trade_seats
from solver.room_packing import pack_room_visits

# The share of the fathers, the lowest four-week shares, the floor's lift serves first.
LIFTED_SHARE = 0.5

# Told the assignments of a valid roster placed so far: the first visits, before the packing.
FirstRoster = Callable[[list[Assignment]], None]


def volunteer_cost(problem: Problem, activity: Activity) -> float:
    """Give the volunteer minutes one father's occurrence costs, a session shared by its seats."""
    minutes = activity.minutes * activity.volunteers
    if activity.placement == "individual":
        return float(minutes)
    seats = [s.capacity for s in problem.sessions if s.activity == activity.id]
    return minutes / max(seats, default=1)


class _Placer:
    """Places occurrences one by one, and remembers what did not fit.

    Placing only ever takes room, people, time and cap, so an occurrence that
    did not fit once never fits later: it is not tried again.
    """

    def __init__(
        self, problem: Problem, earliest: int = 0, placed: Iterable[Assignment] = ()
    ) -> None:
        self.problem = problem
        self.earliest = earliest
        # A placed assignment with a pin's id is that pin, so it is held once.
        self.occupancy = Occupancy(problem, [*problem.pinned, *placed])
        self.failed: set[tuple[str, str]] = set()

    def place(self, father_id: str, activity: Activity) -> None:
        """Place one more occurrence if it fits."""
        key = (father_id, activity.id)
        if key in self.failed:
            return
        preferred = self.problem.father_by_id[father_id].preferred
        assignment = first_fit(
            self.problem,
            self.occupancy,
            father_id,
            activity.id,
            earliest=self.earliest,
            preferred=preferred,
        )
        if assignment is None:
            self.failed.add(key)
        else:
            self.occupancy.add(assignment)


def _owed(problem: Problem, activities: list[Activity]) -> dict[tuple[str, str], int]:
    """Give each (father, activity)'s entitlement this week."""
    return {
        (father.id, activity.id): entitled(problem, father, activity)
        for father in problem.fathers
        for activity in activities
    }


def _cheapest_first(problem: Problem) -> list[Activity]:
    """Give the activities, those costing the fewest volunteer minutes per father first."""
    return sorted(problem.activities, key=lambda a: volunteer_cost(problem, a))


def priority_order(
    problem: Problem, earliest: int = 0, on_first: FirstRoster | None = None
) -> list[Assignment]:
    """Give a valid roster placed greedily in the order of the objective's tiers.

    With ``earliest`` (a week minute: a repair's moment), nothing is placed
    before it: what began before it is pinned as it happened. ``on_first``
    is told the first visits as soon as they are placed, a valid roster of
    its own, before the family-room packing and the rounds improve on it.
    """
    activities = _cheapest_first(problem)
    owed = _owed(problem, activities)
    visits = [a for a in activities if a.counts_as_visit]
    placer = _legal_placer(problem, earliest, visits, owed, on_first)
    # An escorted visit is an occurrence beyond the legal visit: the escorts wait for the
    # pass that gives each father his first one, and go first where the fathers have none.
    _strip_escorts(placer)
    _rounds(placer, activities, owed, _unescorted(placer))
    return placer.occupancy.assignments()


def _legal_placer(
    problem: Problem,
    earliest: int,
    visits: list[Activity],
    owed: dict[tuple[str, str], int],
    on_first: FirstRoster | None,
) -> _Placer:
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
    if again is not None and _reached(again, visits, missed) > reached:
        placer, reached = again, _reached(again, visits, missed)
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
) -> _Placer | None:
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
    placer = _Placer(problem, earliest)
    items = [(WeekClock(r.week).minute(o.start), o) for r in records for o in r.occurrences]
    items = [(m, o) for m, o in items if o.activity in kinds and o.outcome != CANCELLED]
    # Sessions first, their escorts then taken off (the legal hour comes first), then the
    # visits in a room, then those anywhere: the scarcer the place, the sooner it is held.
    sessions = [(m, o) for m, o in items if kinds[o.activity].placement == "session"]
    _place_again(placer, visits, owed, sessions)
    _strip_escorts(placer)
    rest = sorted(
        ((m, o) for m, o in items if kinds[o.activity].placement != "session"),
        key=lambda pair: (kinds[pair[1].activity].room_kind is None, pair[0]),
    )
    _place_again(placer, visits, owed, rest)
    if not len(placer.occupancy):
        return None
    _seat(placer, visits, waiting, owed)
    if _strip_escorts(placer):
        placer.failed.clear()
        _seat(placer, visits, waiting, owed)
    _pack(placer, visits, waiting, owed)
    return placer


def _place_again(
    placer: _Placer,
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


def _swap_in(placer: _Placer, visits: list[Activity], fathers: list[Father]) -> None:
    """Give each of ``fathers`` below the legal minimum the visit of one who is not of them.

    A seat in a session, or a visit's time in a room or a cell, is taken from
    a father of the others whose only visit it is: he is seated again after,
    where a seat is left.
    """
    problem, occupancy = placer.problem, placer.occupancy
    legal = problem.policy.legal_min_visit_minutes
    keep = {f.id for f in fathers}
    for father in fathers:
        for assignment in (
            occupancy.assignments() if _seen(occupancy, visits, father) < legal else ()
        ):
            activity = problem.activity_by_id[assignment.activity]
            if not activity.counts_as_visit or assignment.pinned:
                continue
            if assignment.id in occupancy.index.pinned:
                continue
            if _seen(occupancy, visits, father) + activity.minutes < legal:
                continue
            if _swapped(placer, assignment, father, keep):
                break


def _swapped(placer: _Placer, assignment: Assignment, father: Father, keep: set[str]) -> bool:
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


def _reached(placer: _Placer, visits: list[Activity], missed: set[str]) -> tuple[int, int]:
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
) -> _Placer:
    """Give a placer holding a visit for every father it can bring to the legal minimum.

    ``on_first`` is told the visits of the first pass, before any is placed again.
    """
    placer = _Placer(problem, earliest)
    seated = _seat(placer, visits, waiting, owed)
    if on_first is not None:
        on_first(placer.occupancy.assignments())
    if seated < len(waiting):
        # The escorts of the visits placed so far may hold the partner cap or the volunteers
        # a father's only visit needs (a family room's volunteer): the legal hour comes
        # first, so the visits are placed again without escorts (``priority_order`` gives
        # them back later, where they fit).
        if _strip_escorts(placer):
            placer.failed.clear()
            seated = _seat(placer, visits, waiting, owed)
        if seated < len(waiting):
            _pack(placer, visits, waiting, owed)
    return placer


def _seen(occupancy: Occupancy, visits: list[Activity], father: Father) -> int:
    """Give the visit minutes the father has in the week so far."""
    return sum(occupancy.occurrences(father.id, a.id) * a.minutes for a in visits)


def _pack(
    placer: _Placer,
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
    placer: _Placer,
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


def _strip_escorts(placer: _Placer) -> bool:
    """Take the escorts off every placed occurrence that has them; tell whether any had.

    Pinned assignments keep theirs: they stand exactly as given.
    """
    problem = placer.problem
    stripped = False
    for assignment in _escortable(placer):
        own = assignment.volunteers[: problem.activity_by_id[assignment.activity].volunteers]
        if len(own) < len(assignment.volunteers):
            placer.occupancy.add(assignment.model_copy(update={"volunteers": own}))
            stripped = True
    return stripped


def _escortable(placer: _Placer) -> list[Assignment]:
    """Give the placed occurrences of activities with escorts that are not pinned."""
    problem = placer.problem
    pinned = placer.occupancy.index.pinned
    return [
        a
        for a in placer.occupancy.assignments()
        if problem.activity_by_id[a.activity].escorts and not a.pinned and a.id not in pinned
    ]


def _unescorted(placer: _Placer) -> list[str]:
    """Give the ids of the placed occurrences, not pinned, without all their escorts."""
    return [a.id for a in _escortable(placer) if not has_its_escorts(placer.problem, a)]


def _escort_again(placer: _Placer, ids: list[str]) -> None:
    """Give the occurrences of ``ids`` their escorts back where all of them still fit.

    The fullest sessions first: their escorts make an escorted visit for the most
    fathers.
    """
    occupancy = placer.occupancy
    held = [a for a in (occupancy.get(i) for i in ids) if a is not None]
    held.sort(key=lambda a: -len(a.fathers))
    for assignment in held:
        _escort(placer, assignment)


def _escort(placer: _Placer, assignment: Assignment) -> bool:
    """Give one held occurrence all its escorts if they fit; tell whether it has them now.

    Linked volunteers of the fathers go first, least-worked volunteers next.
    """
    problem = placer.problem
    occupancy = placer.occupancy
    activity = problem.activity_by_id[assignment.activity]
    if has_its_escorts(problem, assignment):
        return True
    start, end = occupancy.span(assignment.id)
    room = problem.room_by_id.get(assignment.room or "")
    if room is None:
        return False
    _, fit = occupancy.free_escorts(activity, room.institution, start, end, assignment.volunteers)
    if len(fit) < activity.escorts:
        return False
    if occupancy.escorts_within_cap(activity.escorts, end - start) < activity.escorts:
        return False
    linked = {problem.father_by_id[f].linked_volunteer for f in assignment.fathers}
    chosen = [v.id for v in fit if v.id in linked] + [v.id for v in fit if v.id not in linked]
    volunteers = [*assignment.volunteers, *chosen[: activity.escorts]]
    occupancy.add(assignment.model_copy(update={"volunteers": volunteers}))
    return True


def _escort_bare(placer: _Placer, ids: list[str]) -> None:
    """Give escorts to the occurrences of ``ids`` seating fathers with nothing beyond legal.

    Each escorted session serves all its fathers at once, so the one seating
    the most fathers owed an escorted visit and still without any occurrence
    beyond the legal visit goes first; among equals, the one whose such
    fathers had nothing beyond the legal visit in the most weeks before.
    Sessions seating none wait for the rest. Then seats are traded into the
    escorted sessions for the fathers who need them more (``trade_seats``).
    """
    problem = placer.problem
    occupancy = placer.occupancy
    escorted = problem.escorted_activity
    if escorted is None or not ids:
        return
    granted = granted_counts(problem, occupancy.assignments())
    beyond = [a.id for a in problem.activities if not is_legal_visit(a)] + [ESCORTED_VISIT]
    bare = {
        f.id
        for f in problem.fathers
        if entitled(problem, f, escorted) > 0 and not any(granted[f.id, a] for a in beyond)
    }
    before = weeks_with_nothing_beyond_legal(problem)
    need = escort_need(occupancy, bare, before)
    claimed = claiming(problem, bare, before)

    def claim(assignment: Assignment) -> tuple[int, int, int]:
        mine = [f for f in assignment.fathers if f in claimed]
        return -len(mine), -sum(before[f] for f in mine), -len(assignment.fathers)

    waiting = [a for a in (occupancy.get(i) for i in ids) if a is not None]
    given: list[str] = []
    while waiting:
        waiting.sort(key=claim)
        assignment = waiting.pop(0)
        if not any(f in claimed for f in assignment.fathers):
            break
        if _escort(placer, assignment):
            given.append(assignment.id)
    others = [i for i in ids if i not in given]
    if trade_seats(occupancy, given, others, need):
        # A trade moves a father's visit, so what did not fit him before may fit now.
        placer.failed.clear()


def filled_around(
    problem: Problem, placed: list[Assignment], earliest: int = 0
) -> list[Assignment]:
    """Give a valid roster that keeps ``placed`` and adds occurrences round by round.

    The search of the legal tier decides the visits alone; this fills the
    rest of the week around them as ``priority_order`` does, so the next
    tier starts from a roster that already spreads its occurrences.
    """
    placer = _Placer(problem, earliest, placed)
    activities = _cheapest_first(problem)
    # Visit sessions decided elsewhere come without escorts (the legal tier's sub-model
    # has none): they get them in the pass beyond the legal visit, as in ``priority_order``.
    _rounds(placer, activities, _owed(problem, activities), _unescorted(placer))
    return placer.occupancy.assignments()


def _rounds(
    placer: _Placer,
    activities: list[Activity],
    owed: dict[tuple[str, str], int],
    unescorted: list[str],
) -> None:
    """Place occurrences round by round: everyone's first of each activity before any second.

    Before the first round every father, in ``rotation`` order, gets one
    occurrence beyond the legal visit where one fits, so the fathers left
    without one in the weeks before take the scarce places first. The
    occurrences of ``unescorted`` (held back without their escorts) get them
    in that pass: first those that cost no volunteer are placed, then the
    escorts go to the sessions of fathers still without anything (with the
    weeks before, only those bare a week before too: ``claiming``), then the
    lowest four-week shares are lifted (``_lift_least``), then the rest of
    the pass, then the other escorts where they still fit.
    """
    problem = placer.problem
    occupancy = placer.occupancy
    rounds = max(owed.values(), default=0)
    fathers = rotation(problem)
    free = [a for a in activities if volunteer_cost(problem, a) == 0]
    _first_beyond_legal(placer, free, owed, fathers)
    _escort_bare(placer, unescorted)
    _lift_least(placer, activities, owed)
    _first_beyond_legal(placer, activities, owed, fathers)
    _escort_again(placer, unescorted)
    for round_ in range(1, rounds + 1):
        for activity in activities:
            for father in fathers:
                wanted = min(round_, owed[father.id, activity.id])
                if occupancy.occurrences(father.id, activity.id) < wanted:
                    placer.place(father.id, activity)


def _first_beyond_legal(
    placer: _Placer,
    activities: list[Activity],
    owed: dict[tuple[str, str], int],
    fathers: list[Father],
) -> None:
    """Give each father in turn one occurrence beyond the legal visit, the cheapest that fits.

    A father who already has one (a cell or family-room visit, a pin) is passed by.
    """
    occupancy = placer.occupancy
    beyond = [a for a in activities if not is_legal_visit(a)]
    for father in fathers:
        mine = [a for a in beyond if owed[father.id, a.id] > 0]
        if any(occupancy.occurrences(father.id, a.id) for a in mine):
            continue
        for activity in mine:
            placer.place(father.id, activity)
            if occupancy.occurrences(father.id, activity.id):
                break


def _lift_least(
    placer: _Placer, activities: list[Activity], owed: dict[tuple[str, str], int]
) -> None:
    """Give the lower half of the fathers by four-week share one more occurrence each, least first.

    Where the weeks before say what each father was owed, each of them in turn
    (``scheduler.objective.four_week_parts``, the lowest first) gets the
    cheapest occurrence that fits among the activities costing no more partner
    minutes a father than an escorted seat, before the escorts left take the cap.
    """
    problem = placer.problem
    occupancy = placer.occupancy
    parts = four_week_parts(problem, granted_counts(problem, occupancy.assignments()))
    lifted = sorted(parts, key=lambda f: parts[f])[: int(LIFTED_SHARE * len(parts))]
    dearest = escorted_seat_cost(problem)
    cheap = [a for a in activities if volunteer_cost(problem, a) <= dearest]
    for father in lifted:
        for activity in cheap:
            had = occupancy.occurrences(father, activity.id)
            if had < owed[father, activity.id]:
                placer.place(father, activity)
                if occupancy.occurrences(father, activity.id) > had:
                    break
