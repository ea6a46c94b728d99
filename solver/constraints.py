"""The hard rules of docs/design.md section 4 that tie assignments together, one function each.

The rules of one assignment on its own (eligibility, consent, school hours,
unavailability, opening hours, windows, staff qualifications) are met by
building variables for candidates only (``solver.candidates``). Pinned
assignments are constants here: they take their father's time, their staff's
time and hours, their room and their entitlement, so pins that contradict each
other make the week infeasible rather than a roster that breaks a rule.

Time-shared resources (a father, a volunteer, an officer, a room pool) are
limited at the starts of the maximal groups of overlapping uses: two uses
overlap exactly when the later one's start lies inside the earlier one, so
these few sums are the whole rule, and smaller than comparing pairs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from fractions import Fraction
from operator import attrgetter
from typing import NamedTuple

from ortools.sat.python import cp_model

from scheduler.domain import Problem
from scheduler.entitlements import Ceiling, ceilings, max_per_day
from scheduler.objective import partner_cap_minutes
from scheduler.room_kinds import VISIT_HALL
from scheduler.week import MINUTES_PER_DAY
from solver.candidates import Candidates, SessionCandidate, SlotCandidate
from solver.variables import Variables

# The names of the constraints whose duals price a purchase (``solver.prices``): the partner
# cap in minutes, and again over the fathers' places (``partner_cap_places:<scale>``); a room
# pool at one moment (``room:<pool>:<minute>``); a session's seats (``seats:<session>``); the
# officers of a session or of the individual activities starting at one time
# (``officers:<session>``, ``officers:<institution>:<activity>:<minute>``).
PARTNER_CAP = "partner_cap"
PARTNER_PLACES = "partner_cap_places"
ROOM = "room"
SEATS = "seats"
OFFICERS = "officers"


def summed(
    literals: Sequence[cp_model.LinearExprT], weights: Sequence[int] | None = None
) -> cp_model.LinearExpr | int:
    """Give the (weighted) sum of literals, built at once rather than term by term; 0 for none.

    The same expression as Python's ``sum``, which on a large week's long
    lists takes much of the model's build.
    """
    if not literals:
        return 0
    if weights is None:
        return cp_model.LinearExpr.sum(literals)
    return cp_model.LinearExpr.weighted_sum(literals, weights)


class Use(NamedTuple):
    """A resource taken during [start, end) by ``weight`` when the literal holds (None: a pin)."""

    start: int
    end: int
    literal: cp_model.IntVar | None
    weight: int = 1


def maximal_cliques(uses: Sequence[Use]) -> list[list[Use]]:
    """Give the maximal groups of uses that overlap at one moment (each group's latest start)."""
    order = sorted(uses, key=attrgetter("start", "end"))
    points = sorted({u.start for u in uses})
    cliques: list[list[Use]] = []
    active: list[Use] = []
    position = 0
    # The earliest end among the active uses: none has left before it.
    first_end = math.inf
    for index, point in enumerate(points):
        if first_end <= point:
            active = [u for u in active if u.end > point]
        while position < len(order) and order[position].start == point:
            active.append(order[position])
            position += 1
        first_end = min(u.end for u in active)
        following = points[index + 1] if index + 1 < len(points) else None
        # A group is maximal unless all of it is still there at the next start.
        if following is None or first_end <= following:
            cliques.append(active)
    return cliques


def at_most(model: cp_model.CpModel, uses: Sequence[Use], capacity: int, name: str = "") -> None:
    """Add that the uses of one resource never exceed its capacity at any moment.

    With a ``name``, each moment's constraint is named ``<name>:<minute>``
    (the week minute of the group's latest start), so that the relaxation's
    duals price one more unit of capacity there (``solver.prices``).
    """
    for clique in maximal_cliques(uses):
        weights = [u.weight for u in clique]
        if sum(weights) <= capacity:
            continue
        fixed = sum(u.weight for u in clique if u.literal is None)
        literals = [u.literal for u in clique if u.literal is not None]
        room = capacity - fixed
        if not literals:
            model.add_bool_or([])
            continue
        # One sum of the literals, rather than a term each: the same row, built at once.
        if fixed or any(w != 1 for w in weights):
            free = [u.weight for u in clique if u.literal is not None]
            total = cp_model.LinearExpr.weighted_sum(literals, free)
        else:
            free = weights
            total = cp_model.LinearExpr.sum(literals)
        if room == 1 and all(w == 1 for w in free) and not name:
            model.add_at_most_one(literals)
        else:
            added = model.add(total <= room)
            if name:
                added.with_name(f"{name}:{max(u.start for u in clique)}")


def sessions_run_with_fathers(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """A session runs only with at least one father in it, and seats at most its capacity."""
    for session in candidates.sessions:
        run = variables.run[session.session]
        seats = [variables.seat[session.session, f] for f in session.fathers]
        for seat in seats:
            model.add_implication(seat, run)
        seated = cp_model.LinearExpr.sum(seats)
        model.add(seated >= run)
        # Seats times run, not seats alone: in the LP relaxation a session running a
        # fraction would otherwise seat all its fathers for a fraction of its staff.
        model.add(seated <= session.capacity * run).with_name(f"{SEATS}:{session.session}")


def sessions_have_their_staff(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """A session that runs has as many distinct volunteers and officers as its activity needs.

    Staff serve the whole session, not one father in it; a session that does
    not run takes no staff.
    """
    for session in candidates.sessions:
        activity = problem.activity_by_id[session.activity]
        run = variables.run[session.session]
        helpers = [variables.session_volunteer[session.session, v] for v in session.volunteers]
        officers = [variables.session_officer[session.session, o] for o in session.officers]
        if session.escorts:
            model.add(sum(helpers) >= activity.volunteers * run)
            model.add(sum(helpers) <= (activity.volunteers + session.escorts) * run)
        else:
            model.add(sum(helpers) == activity.volunteers * run)
        staffed = model.add(sum(officers) == activity.officers * run)
        staffed.with_name(f"{OFFICERS}:{session.session}")


def escorted_sessions(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """A session is escorted exactly when it has all its escorts; so is each father seated in it.

    Escorts are wanted, not required: a session runs without them, and a
    father seated in a session with all of them has his escorted visit.
    """
    for session in candidates.sessions:
        if not session.escorts:
            continue
        key = session.session
        full = problem.activity_by_id[session.activity].volunteers + session.escorts
        helpers = cp_model.LinearExpr.sum(
            [variables.session_volunteer[key, v] for v in session.volunteers]
        )
        escorted = variables.escorted[key]
        unescorted = ~escorted
        model.add(helpers >= full * escorted)
        model.add(helpers <= full - 1).only_enforce_if(unescorted)
        for father in session.fathers:
            seat = variables.seat[key, father]
            both = variables.escorted_seat[key, father]
            model.add_implication(both, seat)
            model.add_implication(both, escorted)
            model.add_bool_or([both, ~seat, unescorted])


def slots_have_their_staff(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """Each individual activity that starts has its own volunteers and officers.

    A volunteer or officer chosen for a start serves one of the activities
    starting then; the fathers and their staff are paired when the roster is
    read out.
    """
    slots: dict[tuple[str, str, int], list[cp_model.IntVar]] = defaultdict(list)
    for slot, literal in zip(candidates.slots, variables.slot, strict=True):
        slots[slot.group].append(literal)
    for people, literals, need in (
        (candidates.slot_volunteers, variables.slot_volunteer, "volunteers"),
        (candidates.slot_officers, variables.slot_officer, "officers"),
    ):
        staff: dict[tuple[str, str, int], list[cp_model.IntVar]] = defaultdict(list)
        for person, literal in zip(people, literals, strict=True):
            staff[person.group].append(literal)
        for group, starting in slots.items():
            needed: int = getattr(problem.activity_by_id[group[1]], need)
            if needed:
                added = model.add(summed(staff[group]) == needed * summed(starting))
                if need == "officers":
                    added.with_name(f"{OFFICERS}:{group[0]}:{group[1]}:{group[2]}")


def fathers_do_one_thing_at_a_time(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """A father is in at most one activity at a time, pinned ones included."""
    uses: dict[str, list[Use]] = defaultdict(list)
    for session in candidates.sessions:
        for father in session.fathers:
            literal = variables.seat[session.session, father]
            uses[father].append(Use(session.start, session.end, literal))
    for slot, literal in zip(candidates.slots, variables.slot, strict=True):
        uses[slot.father].append(Use(slot.start, slot.end, literal))
    for pin in candidates.pinned:
        for father in pin.assignment.fathers:
            uses[father].append(Use(pin.start, pin.end, None))
    for father_uses in uses.values():
        at_most(model, father_uses, 1)


def rooms_hold_their_capacity(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """A room holds at most its capacity of families at a time (the family room: one family).

    An individual use keeps its room for the changeover minutes after it
    ends; a session's fathers leave together. Identical rooms are planned as
    one pool whose capacity is the sum of theirs.
    """
    uses: dict[str, list[Use]] = defaultdict(list)
    for session in candidates.sessions:
        for father in session.fathers:
            literal = variables.seat[session.session, father]
            uses[session.pool].append(Use(session.start, session.end, literal))
    for slot, literal in zip(candidates.slots, variables.slot, strict=True):
        if slot.pool is not None:
            uses[slot.pool].append(Use(slot.start, slot.end + slot.changeover, literal))
    for pin in candidates.pinned:
        if pin.pool is not None and pin.assignment.fathers:
            weight = len(set(pin.assignment.fathers))
            uses[pin.pool].append(Use(pin.start, pin.end + pin.changeover, None, weight))
    for pool_id, pool_uses in uses.items():
        at_most(model, pool_uses, candidates.pools[pool_id].capacity, f"{ROOM}:{pool_id}")


def staff_serve_one_activity_at_a_time(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """A volunteer or an officer is in at most one activity at a time, pinned ones included."""
    volunteers: dict[str, list[Use]] = defaultdict(list)
    officers: dict[str, list[Use]] = defaultdict(list)
    for session in candidates.sessions:
        for volunteer in session.volunteers:
            literal = variables.session_volunteer[session.session, volunteer]
            volunteers[volunteer].append(Use(session.start, session.end, literal))
        for officer in session.officers:
            literal = variables.session_officer[session.session, officer]
            officers[officer].append(Use(session.start, session.end, literal))
    for person, literal in zip(candidates.slot_volunteers, variables.slot_volunteer, strict=True):
        volunteers[person.person].append(Use(person.start, person.end, literal))
    for person, literal in zip(candidates.slot_officers, variables.slot_officer, strict=True):
        officers[person.person].append(Use(person.start, person.end, literal))
    for pin in candidates.pinned:
        for volunteer in set(pin.assignment.volunteers):
            volunteers[volunteer].append(Use(pin.start, pin.end, None))
        for officer in set(pin.assignment.officers):
            officers[officer].append(Use(pin.start, pin.end, None))
    for people in (volunteers, officers):
        for person_uses in people.values():
            at_most(model, person_uses, 1)


def _occurrences(
    candidates: Candidates, variables: Variables
) -> dict[tuple[str, str], list[tuple[int, cp_model.IntVar]]]:
    """Give each (father, activity)'s possible occurrences as (day, literal)."""
    found: dict[tuple[str, str], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for session in candidates.sessions:
        day = session.start // MINUTES_PER_DAY
        for father in session.fathers:
            found[father, session.activity].append((day, variables.seat[session.session, father]))
    for slot, literal in zip(candidates.slots, variables.slot, strict=True):
        found[slot.father, slot.activity].append((slot.start // MINUTES_PER_DAY, literal))
    return found


def entitlements_are_ceilings(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """A father has an activity at most as often as his shell and plan allow, and per day.

    Days on time-out are held to what the days before left of shell 2's
    figure (``_ceiling``); pinned occurrences count.
    """
    pinned_days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pin in candidates.pinned:
        for father_id in pin.assignment.fathers:
            pinned_days[father_id, pin.assignment.activity].append(pin.start // MINUTES_PER_DAY)
    occurrences = _occurrences(candidates, variables)
    for key in sorted(set(occurrences) | set(pinned_days)):
        father = problem.father_by_id[key[0]]
        activity = problem.activity_by_id[key[1]]
        possible = occurrences.get(key, [])
        fixed = pinned_days.get(key, [])
        for ceiling in ceilings(problem, father, activity):
            _ceiling(model, ceiling, possible, fixed)
        for day in sorted({d for d, _ in possible} | set(fixed)):
            literals = [lit for d, lit in possible if d == day]
            limit = max_per_day(problem, father, activity, day) - fixed.count(day)
            if len(literals) > limit:
                model.add(summed(literals) <= limit)


def _ceiling(
    model: cp_model.CpModel,
    ceiling: Ceiling,
    possible: list[tuple[int, cp_model.IntVar]],
    fixed: list[int],
) -> None:
    """Occurrences on a ceiling's days stay within ``max(0, limit - those before them)``.

    That holds exactly when the days hold none, or the days and the days
    before together hold at most the limit. Where nothing before them can
    change (a repair freezes the past) the remainder is a constant; else a
    boolean chooses the half that holds, as one linear row the relaxation
    reads too.
    """
    on_days = [lit for day, lit in possible if day in ceiling.days]
    before = [lit for day, lit in possible if day in ceiling.before]
    used_on_days = sum(1 for day in fixed if day in ceiling.days)
    left = ceiling.limit - sum(1 for day in fixed if day in ceiling.before)
    if not on_days:
        return
    if not before or left <= 0:
        # A pinned excess stands as it happened; nothing more joins it.
        room = max(0, max(0, left) - used_on_days)
        if len(on_days) > room:
            model.add(summed(on_days) <= room)
        return
    if used_on_days:
        room = max(0, left - used_on_days)
        if len(on_days) + len(before) > room:
            model.add(summed(on_days) + summed(before) <= room)
        return
    if len(on_days) + len(before) <= left:
        return
    some = model.new_bool_var("")
    for literal in on_days:
        model.add_implication(literal, some)
    slack = len(before) - left
    model.add(summed(on_days) + summed(before) + slack * some <= left + slack)


def volunteer_minutes_terms(
    problem: Problem, candidates: Candidates, variables: Variables
) -> tuple[dict[str, list[tuple[int, cp_model.IntVar]]], dict[str, int]]:
    """Give each volunteer's possible minutes as (minutes, literal), and the minutes pins take."""
    terms: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    fixed: dict[str, int] = defaultdict(int)
    for session in candidates.sessions:
        minutes = session.end - session.start
        for volunteer in session.volunteers:
            literal = variables.session_volunteer[session.session, volunteer]
            terms[volunteer].append((minutes, literal))
    for person, literal in zip(candidates.slot_volunteers, variables.slot_volunteer, strict=True):
        terms[person.person].append((person.end - person.start, literal))
    for pin in candidates.pinned:
        for volunteer in set(pin.assignment.volunteers):
            fixed[volunteer] += pin.end - pin.start
    return terms, fixed


def seat_partner_minutes(problem: Problem, session: SessionCandidate) -> Fraction:
    """Give the least partner minutes one father's seat in a session takes.

    A session's volunteer minutes are shared by the fathers in it, so each of
    them takes at least the session's volunteer minutes over the most fathers
    it can seat (its capacity, or its candidates if fewer).
    """
    minutes = (session.end - session.start) * problem.activity_by_id[session.activity].volunteers
    return Fraction(minutes, max(1, min(session.capacity, len(session.fathers))))


def seat_escort_minutes(session: SessionCandidate) -> Fraction:
    """Give the least partner minutes one father's escorted seat takes beyond his seat's own."""
    minutes = (session.end - session.start) * session.escorts
    return Fraction(minutes, max(1, min(session.capacity, len(session.fathers))))


def slot_partner_minutes(problem: Problem, slot: SlotCandidate) -> Fraction:
    """Give the partner minutes an individual activity takes: all of its volunteers' own."""
    return Fraction((slot.end - slot.start) * problem.activity_by_id[slot.activity].volunteers)


def slot_prices(problem: Problem, candidates: Candidates) -> list[Fraction]:
    """Give each slot's ``slot_partner_minutes``, one price for the slots of one activity."""
    prices: dict[tuple[str, int], Fraction] = {}
    found = []
    for slot in candidates.slots:
        key = (slot.activity, slot.end - slot.start)
        price = prices.get(key)
        if price is None:
            price = prices[key] = slot_partner_minutes(problem, slot)
        found.append(price)
    return found


Priced = Sequence[tuple[Fraction, cp_model.IntVar]]


def add_priced_at_most(
    model: cp_model.CpModel, priced: Priced, left: int = 0, paid: Priced = (), name: str = ""
) -> None:
    """Add that literals priced in partner minutes cost at most ``left`` plus the ``paid`` ones.

    Nothing is added when the priced literals could never cost more than
    ``left``. Prices are fractions; both sides are scaled to whole numbers.
    """
    # Whole-number arithmetic on numerators and denominators: Fraction arithmetic on every
    # literal of a large week takes seconds.
    scale = math.lcm(*{share.denominator for share in _shares([*priced, *paid])})
    literals, costs = _scaled(priced, scale)
    if sum(costs) <= left * scale:
        return
    refunded, refunds = _scaled(paid, scale)
    added = model.add(
        cp_model.LinearExpr.weighted_sum(literals + refunded, costs + [-r for r in refunds])
        <= left * scale
    )
    if name:
        added.with_name(f"{name}:{scale}")


def _shares(priced: Priced) -> list[Fraction]:
    """Give the distinct price objects above 0, each run of one price read once."""
    found: list[Fraction] = []
    last = None
    for share, _ in priced:
        if share is not last:
            last = share
            if share.numerator > 0:
                found.append(share)
    return found


def _scaled(priced: Priced, scale: int) -> tuple[list[cp_model.IntVar], list[int]]:
    """Give the literals priced above 0 and their prices times ``scale``, in whole numbers.

    A run of literals of one price (the seats of a session, the slots of an
    activity) has its price scaled once.
    """
    literals: list[cp_model.IntVar] = []
    costs: list[int] = []
    last = None
    cost = 0
    for share, literal in priced:
        if share is not last:
            last, cost = share, share.numerator * (scale // share.denominator)
        if cost > 0:
            literals.append(literal)
            costs.append(cost)
    return literals, costs


def partner_cap_left(problem: Problem, candidates: Candidates) -> int:
    """Give the partner minutes the pinned assignments leave."""
    pinned = sum((p.end - p.start) * len(set(p.assignment.volunteers)) for p in candidates.pinned)
    return partner_cap_minutes(problem) - pinned


def partner_cap(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """The volunteers together work at most the partner cap (one fte), each at most his hours.

    The cap is also written over the fathers' places, each priced at its least
    share of volunteer minutes (``seat_partner_minutes``,
    ``slot_partner_minutes``). That follows from the
    rule, and as one linear constraint it keeps the rule's cost in CP-SAT's
    linear relaxation, which presolve would otherwise cut loose from the
    sessions' seats.
    """
    terms, fixed = volunteer_minutes_terms(problem, candidates, variables)
    everything = [term for volunteer_terms in terms.values() for term in volunteer_terms]
    cap = partner_cap_minutes(problem)
    if sum(m for m, _ in everything) + sum(fixed.values()) > cap:
        minutes = [m for m, _ in everything]
        used = cp_model.LinearExpr.weighted_sum([lit for _, lit in everything], minutes)
        capped = model.add(used <= cap - sum(fixed.values()))
        capped.with_name(PARTNER_CAP)
    places: list[tuple[Fraction, cp_model.IntVar]] = []
    for session in candidates.sessions:
        price = seat_partner_minutes(problem, session)
        places += [(price, variables.seat[session.session, f]) for f in session.fathers]
        escorts = seat_escort_minutes(session)
        places += [
            (escorts, variables.escorted_seat[session.session, f])
            for f in session.fathers
            if session.escorts
        ]
    places += zip(slot_prices(problem, candidates), variables.slot, strict=True)
    add_priced_at_most(
        model, places, left=partner_cap_left(problem, candidates), name=PARTNER_PLACES
    )
    for volunteer in problem.volunteers:
        own = terms.get(volunteer.id, [])
        limit = math.floor(volunteer.max_hours_week * 60) - fixed.get(volunteer.id, 0)
        if sum(m for m, _ in own) > limit:
            model.add(summed([lit for _, lit in own], [m for m, _ in own]) <= limit)


def non_association(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """Fathers kept apart never share a session and are never in the visit hall at once."""
    pairs = sorted(
        {
            (min(father.id, other), max(father.id, other))
            for father in problem.fathers
            for other in father.non_associations
        }
    )
    if not pairs:
        return
    hall: dict[str, list[Use]] = defaultdict(list)
    for session in candidates.sessions:
        in_hall = problem.room_by_id[session.room].kind == VISIT_HALL
        for father in session.fathers:
            literal = variables.seat[session.session, father]
            if in_hall:
                hall[father].append(Use(session.start, session.end, literal))
    for slot, literal in zip(candidates.slots, variables.slot, strict=True):
        if slot.pool is not None and candidates.pools[slot.pool].kind == VISIT_HALL:
            hall[slot.father].append(Use(slot.start, slot.end, literal))
    for pin in candidates.pinned:
        room = pin.assignment.room
        if room is not None and problem.room_by_id[room].kind == VISIT_HALL:
            for father in pin.assignment.fathers:
                hall[father].append(Use(pin.start, pin.end, None))
    for first, second in pairs:
        for session in candidates.sessions:
            both = [variables.seat.get((session.session, f)) for f in (first, second)]
            if both[0] is not None and both[1] is not None:
                model.add_at_most_one(both[0], both[1])
        at_most(model, hall.get(first, []) + hall.get(second, []), 1)


RULES = (
    sessions_run_with_fathers,
    sessions_have_their_staff,
    escorted_sessions,
    slots_have_their_staff,
    fathers_do_one_thing_at_a_time,
    rooms_hold_their_capacity,
    staff_serve_one_activity_at_a_time,
    entitlements_are_ceilings,
    partner_cap,
    non_association,
)


def add_rules(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> None:
    """Add every hard rule that ties assignments together to the model."""
    for rule in RULES:
        rule(model, problem, candidates, variables)
