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

from scheduler.domain import Activity, Assignment, Father, Problem
from scheduler.entitlements import entitled, is_legal_visit
from scheduler.four_weeks import weeks_with_nothing_beyond_legal
from scheduler.ids import ESCORTED_VISIT
from scheduler.objective import four_week_parts, granted_counts, has_its_escorts, tier_order, tiers
from solver.escort_seats import claiming, escort_need, escorted_seat_cost, trade_seats
from solver.legal_visits import FirstRoster, legal_placer, rotation, seat_the_least
from solver.placer import Placer, escortable, moved_for, strip_escorts

# The share of the fathers, the lowest four-week shares, the floor's lift serves first.
LIFTED_SHARE = 0.5


def volunteer_cost(problem: Problem, activity: Activity) -> float:
    """Give the volunteer minutes one father's occurrence costs, a session shared by its seats."""
    minutes = activity.minutes * activity.volunteers
    if activity.placement == "individual":
        return float(minutes)
    seats = [s.capacity for s in problem.sessions if s.activity == activity.id]
    return minutes / max(seats, default=1)


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
    placer = legal_placer(problem, earliest, visits, owed, on_first)
    # An escorted visit is an occurrence beyond the legal visit: the escorts wait for the
    # pass that gives each father his first one, and go first where the fathers have none.
    strip_escorts(placer)
    return _filled(placer, activities, owed, _unescorted(placer))


def _unescorted(placer: Placer) -> list[str]:
    """Give the ids of the placed occurrences, not pinned, without all their escorts."""
    return [a.id for a in escortable(placer) if not has_its_escorts(placer.problem, a)]


def _escort_again(placer: Placer, ids: list[str]) -> None:
    """Give the occurrences of ``ids`` their escorts back where all of them still fit.

    The fullest sessions first: their escorts make an escorted visit for the most
    fathers.
    """
    occupancy = placer.occupancy
    held = [a for a in (occupancy.get(i) for i in ids) if a is not None]
    held.sort(key=lambda a: -len(a.fathers))
    for assignment in held:
        _escort(placer, assignment)


def _escort(placer: Placer, assignment: Assignment) -> bool:
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


def _escort_bare(placer: Placer, ids: list[str]) -> None:
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
    placer = Placer(problem, earliest, placed)
    activities = _cheapest_first(problem)
    # Visit sessions decided elsewhere come without escorts (the legal tier's sub-model
    # has none): they get them in the pass beyond the legal visit, as in ``priority_order``.
    return _filled(placer, activities, _owed(problem, activities), _unescorted(placer))


def _filled(
    placer: Placer,
    activities: list[Activity],
    owed: dict[tuple[str, str], int],
    unescorted: list[str],
) -> list[Assignment]:
    """Give the week filled in two orders, the better by the objective (the first on a tie).

    With the escorts first (``_rounds``) the partner cap goes to the fathers
    with nothing beyond the legal visit before the rounds; with the escorts
    last (``_escorts_last``) it goes to the rounds first, whose sessions serve
    many fathers a volunteer hour. In both, occurrences are then moved to
    make room for fathers still owed an individual activity (``_moved_in``).
    Neither order is always the better: on the generated weeks the first is
    worth 47,581 more at 125 fathers, the second 7,658 more at 400 and 5,418
    more at 1,000 (docs/benchmarks.md).
    """
    problem = placer.problem
    seat_the_least(placer, [a for a in activities if a.counts_as_visit])
    other = Placer(problem, placer.earliest, placer.occupancy.assignments())
    other.failed = set(placer.failed)
    _rounds(placer, activities, owed, unescorted)
    _escorts_last(other, activities, owed, unescorted)
    for filled in (placer, other):
        _moved_in(filled, activities, owed)
    first, last = placer.occupancy.assignments(), other.occupancy.assignments()
    if tier_order(tiers(problem, last).as_dict()) > tier_order(tiers(problem, first).as_dict()):
        return last
    return first


def _rounds(
    placer: Placer,
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
    fathers = rotation(problem)
    free = [a for a in activities if volunteer_cost(problem, a) == 0]
    _first_beyond_legal(placer, free, owed, fathers)
    _escort_bare(placer, unescorted)
    _lift_least(placer, activities, owed)
    _first_beyond_legal(placer, activities, owed, fathers)
    _escort_again(placer, unescorted)
    _round_by_round(placer, activities, owed, fathers)


def _moved_in(placer: Placer, activities: list[Activity], owed: dict[tuple[str, str], int]) -> None:
    """Give the fathers still owed an individual activity (not a visit) more by moving others'.

    In ``rotation`` order, each father gets what ``moved_for`` finds, one
    occurrence at a time, until it finds none for him.
    """
    moving = [a for a in activities if a.placement == "individual" and not a.counts_as_visit]
    occupancy = placer.occupancy
    fathers = rotation(placer.problem)
    for activity in moving:
        for father in fathers:
            while occupancy.occurrences(father.id, activity.id) < owed[father.id, activity.id]:
                if not moved_for(placer, father.id, activity):
                    break


def _escorts_last(
    placer: Placer,
    activities: list[Activity],
    owed: dict[tuple[str, str], int],
    unescorted: list[str],
) -> None:
    """Place occurrences round by round first, the escorts of ``unescorted`` after them.

    As in ``_rounds``, every father in ``rotation`` order first gets one
    occurrence beyond the legal visit that costs no volunteer, where one
    fits, and the lowest four-week shares are lifted (``_lift_least``); after
    the rounds the escorts go where they still fit, those of the sessions
    seating fathers with nothing beyond the legal visit first (``_escort_bare``).
    """
    fathers = rotation(placer.problem)
    free = [a for a in activities if volunteer_cost(placer.problem, a) == 0]
    _first_beyond_legal(placer, free, owed, fathers)
    _lift_least(placer, activities, owed)
    _round_by_round(placer, activities, owed, fathers)
    _escort_bare(placer, unescorted)
    _escort_again(placer, unescorted)


def _round_by_round(
    placer: Placer,
    activities: list[Activity],
    owed: dict[tuple[str, str], int],
    fathers: list[Father],
) -> None:
    """Place everyone's k-th occurrence of each activity before anyone's (k+1)-th."""
    occupancy = placer.occupancy
    for round_ in range(1, max(owed.values(), default=0) + 1):
        for activity in activities:
            for father in fathers:
                wanted = min(round_, owed[father.id, activity.id])
                if occupancy.occurrences(father.id, activity.id) < wanted:
                    placer.place(father.id, activity)


def _first_beyond_legal(
    placer: Placer,
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
    placer: Placer, activities: list[Activity], owed: dict[tuple[str, str], int]
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
