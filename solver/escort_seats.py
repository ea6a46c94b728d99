"""Seats traded between visit sessions, for the warm start: escorts for those who need them.

An escorted visit comes with a seat in a visit session that has all its
escorts, so which fathers sit in the few sessions the partner cap pays escorts
for decides who has it. The visits are seated before the escorts are given
(the legal hour first), each father at his first fit. Here a father in an
escorted session trades seats with a father of the same activity in a session
without escorts who needs the escorted visit more: one with nothing else
beyond the legal visit this week, or with nothing beyond it in more weeks
before. Both keep their legal visit (the same activity, the same minutes),
and every rule is checked for both at their new times by
``scheduler.placement.blockers``; a trade that breaks one is undone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from scheduler.domain import Assignment, Problem
from scheduler.objective import FLOOR_STEPS, four_week_parts, granted_counts, window_shares
from scheduler.occupancy import Occupancy
from scheduler.placement import blockers

#: A father's need of the escorted visit: higher needs it more.
Need = Callable[[str], tuple[int, ...]]

#: Where the weeks before say what each father was owed, the escorts go first only to the
#: fathers with nothing beyond the legal visit in this many weeks running (this one counted);
#: the others' share of the partner cap waits for the lift of the four-week floor.
BARE_WEEKS_FIRST = 2


def escort_need(occupancy: Occupancy, bare: set[str], before: Counter[str]) -> Need:
    """Give each father's need of the escorted visit, read from the week placed so far.

    ``bare`` holds the fathers with nothing beyond the legal visit this week so
    far, ``before`` the weeks before in which each had nothing beyond it: those
    bare come first, the most weeks before first; among equals the lowest
    four-week share so far (``scheduler.objective.four_week_parts``, where the
    weeks before say what each was owed), which lifts the four-week floor.
    """
    problem = occupancy.problem
    parts = four_week_parts(problem, granted_counts(problem, occupancy.assignments()))

    def need(father: str) -> tuple[int, ...]:
        return int(father in bare), before[father], -parts.get(father, FLOOR_STEPS)

    return need


def claiming(problem: Problem, bare: set[str], before: Counter[str]) -> set[str]:
    """Give the fathers whose sessions get their escorts before the four-week floor's lift.

    Without the weeks' shares (a week alone), every father in ``bare``; with
    them, those bare this week and in at least ``BARE_WEEKS_FIRST`` - 1 weeks
    before, so no one goes without anything for weeks on end while the cap
    lifts the least shares.
    """
    if not window_shares(problem):
        return bare
    return {f for f in bare if before[f] + 1 >= BARE_WEEKS_FIRST}


def escorted_seat_cost(problem: Problem) -> float:
    """Give the most partner minutes one escorted seat costs: a session's escorts over its seats."""
    return max(
        (
            a.escorts * a.minutes / max(seats, default=1)
            for a in problem.activities
            if a.escorts
            for seats in [[s.capacity for s in problem.sessions if s.activity == a.id]]
        ),
        default=0.0,
    )


def trade_seats(
    occupancy: Occupancy, escorted: list[str], unescorted: list[str], need: Need
) -> bool:
    """Trade seats into the ``escorted`` sessions from the ``unescorted`` ones; tell if any.

    Each father of an escorted session, the one needing it least first, trades
    with the father needing it most among those seated without escorts who
    need it more than he does, the first such trade that fits.
    """
    traded = False
    for escorted_id in escorted:
        session = occupancy.get(escorted_id)
        if session is None:
            continue
        for father in sorted(session.fathers, key=need):
            for other, other_id in _waiting(occupancy, session, unescorted, need):
                if need(other) <= need(father):
                    break
                if _trade(occupancy, escorted_id, father, other_id, other):
                    traded = True
                    break
    return traded


def _waiting(
    occupancy: Occupancy, session: Assignment, unescorted: list[str], need: Need
) -> list[tuple[str, str]]:
    """Give (father, session id) of the activity's sessions without escorts, most in need first."""
    found = [
        (father, assignment.id)
        for assignment in (occupancy.get(i) for i in unescorted)
        if assignment is not None and assignment.activity == session.activity
        for father in assignment.fathers
    ]
    return sorted(found, key=lambda item: need(item[0]), reverse=True)


def _trade(occupancy: Occupancy, here_id: str, father: str, there_id: str, other: str) -> bool:
    """Seat ``other`` in ``father``'s session and ``father`` in ``other``'s; tell whether both fit.

    Where either does not fit by every rule, both sessions are put back as they were.
    """
    problem = occupancy.problem
    here, there = occupancy.get(here_id), occupancy.get(there_id)
    assert here is not None and there is not None
    occupancy.add(here.model_copy(update={"fathers": [f for f in here.fathers if f != father]}))
    occupancy.add(there.model_copy(update={"fathers": [f for f in there.fathers if f != other]}))
    moves = ((other, here), (father, there))
    for mover, to in moves:
        start, _ = occupancy.span(to.id)
        seat, _ = blockers(problem, occupancy, mover, to.activity, start, to.session)
        if seat is None or seat.id != to.id:
            occupancy.add(here)
            occupancy.add(there)
            return False
        occupancy.add(seat)
    return True
