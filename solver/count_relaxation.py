"""The week as counts of occurrences: a linear relaxation that bounds the entitlement tier.

The solve holds the entitlement tier's bound to it (``solver.search``), and
the fairness yardsticks of ``bench.fairness`` read it.

Each father's occurrences of one kind (a session activity or an individual
activity of his institution, or the escorted seats of its sessions) are one
count between 0 and what his candidates allow under his limits per day. The
rows are what every roster's counts obey:

- a kind holds no more than its seats, or what an individual activity's
  rooms, officers, volunteers and the partner cap could each hold alone
  (``solver.legal_bound.individual_capacity``);
- the uses of a room pool, changeover included, fit in the time its rooms
  could be used at all;
- every occurrence takes at least its least partner minutes, all of them
  within the partner cap;
- an escorted seat is a seat in an escorted session;
- by session (``_session_rows``): each session runs or not, and has its
  escorts or not (only if it runs); a kind's seats and escorted seats are
  within the capacity of its sessions that run and have escorts, a father's
  within the number of those he could sit in; and the partner cap holds the
  whole volunteer and escort minutes of each session that runs, with every
  individual occurrence at its own;
- with the legal tier held, at least that many fathers have a visit that
  brings them to the legal minimum.

Left out are the rules that tie one place to another (a father, a volunteer
or an officer in one place at a time, non-association, the staff a session
needs to run): leaving rules out only loosens the relaxation, so its optimum,
proven by weak duality from the duals of HiGHS's simplex (GLOP's without the
``highs`` extra; ``solver.relaxation.rows_bound``), bounds every roster of
the week. The entitlement value over these counts is the model's
own (``solver.objectives.entitlements``): levels of falling value per
activity and over the father's week, which a linear program fills in order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from scheduler.domain import Father, Problem
from scheduler.entitlements import grantable, max_per_day
from scheduler.ids import ESCORTED_VISIT
from scheduler.objective import (
    FLOOR_STEPS,
    FLOOR_WEIGHT,
    floor_most,
    occurrence_value,
    raise_steps,
    week_level_value,
    window_shares,
)
from solver.candidates import Candidates, SlotCandidate
from solver.constraints import (
    partner_cap_left,
    seat_escort_minutes,
    seat_partner_minutes,
    slot_partner_minutes,
)
from solver.highs import HIGHS_AVAILABLE, highs_duals, rows_mip_bound
from solver.legal_bound import individual_capacity
from solver.relaxation import Rows, glop_duals, rows_bound

MINUTES_PER_DAY = 24 * 60
# Seconds the simplex may take on one program; the 1,000-father week's takes under one.
LP_SECONDS = 120.0

Kind = tuple[str, ...]


@dataclass
class _Place:
    """One father's occurrences of one kind: when they could be, their price and length."""

    activity: str
    days: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    price: Fraction | None = None
    minutes: int = 0
    escorted_from: set[Kind] = field(default_factory=set)

    def add(self, day: int, price: Fraction, minutes: int) -> None:
        """Add a candidate occurrence on a day; the least price and the longest length hold."""
        self.days[day] += 1
        self.price = price if self.price is None else min(price, self.price)
        self.minutes = max(self.minutes, minutes)


@dataclass
class WeekCounts:
    """The relaxation's rows and columns so far: each father's count of each kind, and more."""

    rows: Rows = field(default_factory=Rows)
    upper: list[float] = field(default_factory=list)
    gains: list[float] = field(default_factory=list)
    counts: dict[tuple[str, Kind], int] = field(default_factory=dict)
    activity: dict[Kind, str] = field(default_factory=dict)
    # The columns of the sessions' runs and escorts, whole in a roster (``_session_rows``).
    whole: list[int] = field(default_factory=list)

    def column(self, upper: float, gain: float = 0.0) -> int:
        """Add a column between 0 and ``upper``, worth ``gain`` each; give its index."""
        self.upper.append(upper)
        self.gains.append(gain)
        return len(self.upper) - 1

    def by_father(self) -> dict[str, dict[Kind, int]]:
        """Give each father's count columns by kind."""
        found: dict[str, dict[Kind, int]] = defaultdict(dict)
        for (father, kind), column in self.counts.items():
            found[father][kind] = column
        return found

    def bound(self, seconds: float = LP_SECONDS) -> float | None:
        """Give the proven most of the gains over the rows (None: no answer in ``seconds``)."""
        duals = highs_duals if HIGHS_AVAILABLE else glop_duals
        return rows_bound(self.rows, self.gains, self.upper, seconds, duals)

    def extend(self, other: WeekCounts) -> dict[tuple[str, Kind], int]:
        """Add another week's columns and rows beside these; give its counts' columns here.

        The weeks share no column: each keeps its own rows, as two weeks of a
        window keep their own seats and partner cap.
        """
        offset = len(self.upper)
        self.upper += other.upper
        self.gains += other.gains
        rows = self.rows
        first = len(rows.low)
        rows.rows += [row + first for row in other.rows.rows]
        rows.columns += [column + offset for column in other.rows.columns]
        rows.values += other.rows.values
        rows.low += other.rows.low
        rows.high += other.rows.high
        rows.source += other.rows.source
        self.whole += [column + offset for column in other.whole]
        return {key: column + offset for key, column in other.counts.items()}


def _places(problem: Problem, candidates: Candidates) -> dict[tuple[str, Kind], _Place]:
    """Give every father's candidate occurrences, kind by kind."""
    places: dict[tuple[str, Kind], _Place] = {}
    for session in candidates.sessions:
        kind: Kind = ("session", session.institution, session.activity)
        day = session.start // MINUTES_PER_DAY
        for father in session.fathers:
            place = places.setdefault((father, kind), _Place(session.activity))
            place.add(day, seat_partner_minutes(problem, session), session.end - session.start)
            if session.escorts:
                escorted = ("escorted", session.institution)
                seat = places.setdefault((father, escorted), _Place(ESCORTED_VISIT))
                seat.add(day, seat_escort_minutes(session), session.end - session.start)
                seat.escorted_from.add(kind)
    for slot in candidates.slots:
        kind = ("individual", slot.institution, slot.activity)
        place = places.setdefault((slot.father, kind), _Place(slot.activity))
        day = slot.start // MINUTES_PER_DAY
        place.add(day, slot_partner_minutes(problem, slot), slot.end - slot.start)
    return places


def _most(problem: Problem, father: Father, place: _Place) -> int:
    """Give the most occurrences of a place a roster can grant: his limit per day, day by day.

    The escorted seats have no limit of their own beyond the seats they ride on.
    """
    if place.activity == ESCORTED_VISIT:
        return sum(place.days.values())
    activity = problem.activity_by_id[place.activity]
    return sum(
        min(count, max_per_day(problem, father, activity, day)) for day, count in place.days.items()
    )


def _capacities(problem: Problem, candidates: Candidates) -> dict[Kind, int]:
    """Give each kind's capacity: its sessions' seats, or an individual activity's own."""
    capacity: dict[Kind, int] = defaultdict(int)
    for session in candidates.sessions:
        capacity["session", session.institution, session.activity] += session.capacity
        if session.escorts:
            capacity["escorted", session.institution] += session.capacity
    slots: dict[Kind, list[SlotCandidate]] = defaultdict(list)
    for slot in candidates.slots:
        slots["individual", slot.institution, slot.activity].append(slot)
    left = partner_cap_left(problem, candidates)
    for kind, found in slots.items():
        activity = problem.activity_by_id[kind[2]]
        capacity[kind] = individual_capacity(candidates, activity, found, left)
    return capacity


def _covered(spans: list[tuple[int, int]]) -> int:
    """Give the minutes the union of the spans [start, end) covers."""
    total = 0
    reach: int | None = None
    for start, end in sorted(spans):
        if reach is None or start >= reach:
            total, reach = total + end - start, end
        elif end > reach:
            total, reach = total + end - reach, end
    return total


def _pool_rows(candidates: Candidates, week: WeekCounts) -> None:
    """Add that the room uses of individual kinds fit in the time their pools could be used.

    Kinds whose slots all have a pool are joined through the pools they share;
    each group's counts, each at its kind's shortest use, changeover
    included, stay within the minutes its pools' candidate times cover, times
    their rooms. A kind with a slot in no room is left out, which only loosens.
    """
    pools_of: dict[Kind, set[str | None]] = defaultdict(set)
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    shortest: dict[Kind, int] = {}
    for slot in candidates.slots:
        kind: Kind = ("individual", slot.institution, slot.activity)
        pools_of[kind].add(slot.pool)
        use = slot.end - slot.start + slot.changeover
        shortest[kind] = min(use, shortest.get(kind, use))
        if slot.pool is not None:
            spans[slot.pool].append((slot.start, slot.end + slot.changeover))
    parent: dict[str, str] = {}

    def root(pool: str) -> str:
        while parent.get(pool, pool) != pool:
            pool = parent[pool]
        return pool

    roomed = {
        k: sorted(p for p in ps if p is not None) for k, ps in pools_of.items() if None not in ps
    }
    for pools in roomed.values():
        for pool in pools[1:]:
            parent[root(pool)] = root(pools[0])
    groups: dict[str, set[Kind]] = defaultdict(set)
    for kind, pools in roomed.items():
        groups[root(pools[0])].add(kind)
    for top, kinds in groups.items():
        whole = {p for p in spans if root(p) == top}
        room = sum(_covered(spans[p]) * candidates.pools[p].capacity for p in whole)
        terms = {c: float(shortest[kind]) for (_, kind), c in week.counts.items() if kind in kinds}
        week.rows.add(terms, -math.inf, float(room))


def week_counts(
    problem: Problem, candidates: Candidates, legal_held: int | None = None
) -> WeekCounts:
    """Give the relaxation's rows over every father's counts, the legal tier held if given.

    Raises ValueError on a week with pinned assignments, which these counts
    leave out.
    """
    if candidates.pinned:
        raise ValueError("pinned: the week's relaxation by counts takes no pinned assignments")
    week = WeekCounts()
    places = _places(problem, candidates)
    fathers = problem.father_by_id
    for (father, kind), place in places.items():
        week.counts[father, kind] = week.column(_most(problem, fathers[father], place))
        week.activity[kind] = place.activity
    by_kind: dict[Kind, list[int]] = defaultdict(list)
    for (_, kind), column in week.counts.items():
        by_kind[kind].append(column)
    for kind, capacity in _capacities(problem, candidates).items():
        week.rows.add(dict.fromkeys(by_kind[kind], 1.0), -math.inf, float(capacity))
    priced = {week.counts[key]: float(p.price) for key, p in places.items() if p.price}
    left = partner_cap_left(problem, candidates)
    if sum(priced[c] * week.upper[c] for c in priced) > left:
        week.rows.add(priced, -math.inf, float(left))
    for (father, kind), place in places.items():
        if place.escorted_from:
            terms = {week.counts[father, kind]: 1.0}
            terms.update({week.counts[father, seat]: -1.0 for seat in place.escorted_from})
            week.rows.add(terms, -math.inf, 0.0)
    _pool_rows(candidates, week)
    _session_rows(problem, candidates, week)
    if legal_held is not None:
        _hold_legal(problem, places, week, legal_held)
    return week


def _session_rows(problem: Problem, candidates: Candidates, week: WeekCounts) -> None:
    """Add each session's run and escorts, the seats within them and the cap by whole sessions.

    A session's volunteers and escorts serve all of it, however many fathers
    it seats: the partner cap holds their minutes once per session that runs
    (escorted), beside each individual occurrence's own
    (``slot_partner_minutes``, the least of his candidates').
    """
    sessions: dict[Kind, list[int]] = defaultdict(list)
    capacity: dict[int, float] = {}
    cost: dict[int, float] = {}
    mine: dict[tuple[str, Kind], list[int]] = defaultdict(list)
    for session in candidates.sessions:
        minutes = session.end - session.start
        run = week.column(1.0)
        kinds: list[tuple[Kind, int]] = [(("session", session.institution, session.activity), run)]
        cost[run] = float(minutes * problem.activity_by_id[session.activity].volunteers)
        if session.escorts:
            escorted = week.column(1.0)
            week.rows.add({escorted: 1.0, run: -1.0}, -math.inf, 0.0)
            kinds.append((("escorted", session.institution), escorted))
            cost[escorted] = float(minutes * session.escorts)
        for kind, column in kinds:
            week.whole.append(column)
            capacity[column] = float(session.capacity)
            sessions[kind].append(column)
            for father in session.fathers:
                mine[father, kind].append(column)
    seats: dict[Kind, dict[int, float]] = defaultdict(dict)
    for (_, kind), column in week.counts.items():
        seats[kind][column] = 1.0
    for kind, columns in sessions.items():
        week.rows.add(seats[kind] | {c: -capacity[c] for c in columns}, -math.inf, 0.0)
    for key, columns in mine.items():
        if key in week.counts:
            week.rows.add({week.counts[key]: 1.0} | dict.fromkeys(columns, -1.0), -math.inf, 0.0)
    own: dict[int, float] = {}
    for slot in candidates.slots:
        column = week.counts[slot.father, ("individual", slot.institution, slot.activity)]
        price = float(slot_partner_minutes(problem, slot))
        own[column] = min(price, own.get(column, price))
    terms = {c: v for c, v in (own | cost).items() if v}
    if terms:
        week.rows.add(terms, -math.inf, float(partner_cap_left(problem, candidates)))


def _hold_legal(
    problem: Problem, places: dict[tuple[str, Kind], _Place], week: WeekCounts, held: int
) -> None:
    """Add that at least ``held`` fathers reach the legal minimum by their visits' minutes.

    A father reached has visits of at least the legal minutes; each of his
    counts of a visit kind brings at most its longest candidate's minutes,
    and no more than the legal minutes (which one visit of them reaches alone).
    """
    needed = problem.policy.legal_min_visit_minutes
    if needed <= 0:
        return
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    own: dict[str, dict[Kind, _Place]] = defaultdict(dict)
    for (father, kind), place in places.items():
        if place.activity in visits:
            own[father][kind] = place
    reached: list[int] = []
    for father, visited in own.items():
        column = week.column(1.0)
        reached.append(column)
        terms = {column: float(needed)}
        # A visit brings at most the legal minutes towards them: one long visit is one visit.
        terms.update(
            {week.counts[father, k]: -float(min(p.minutes, needed)) for k, p in visited.items()}
        )
        week.rows.add(terms, -math.inf, 0.0)
    week.rows.add(dict.fromkeys(reached, 1.0), float(held), math.inf)


def add_value(problem: Problem, week: WeekCounts) -> None:
    """Add the entitlement value as the gains: levels per activity and over each father's week.

    The k-th level of an activity is worth ``occurrence_value(k)`` and holds
    no more than the father's counts of it, up to what his entitlement and
    its ceilings allow this week (``grantable``: a time-out's, the monthly
    rule's); the j-th level of his week ``week_level_value(j)``, no more
    than his activity levels together.
    """
    activities = {a.id: a for a in problem.entitlement_activities}
    by_father = week.by_father()
    granted: dict[str, list[int]] = {}
    for father in problem.fathers:
        steps = raise_steps(problem, father)
        counts = by_father.get(father.id, {})
        by_activity: dict[str, list[int]] = defaultdict(list)
        for kind, column in counts.items():
            by_activity[week.activity[kind]].append(column)
        levels: list[int] = []
        for activity_id, columns in sorted(by_activity.items()):
            activity = activities.get(activity_id)
            limit = 0 if activity is None else grantable(problem, father, activity)
            top = min(limit, int(sum(week.upper[c] for c in columns)))
            own = [week.column(1.0, occurrence_value(k, steps)) for k in range(1, top + 1)]
            if own:
                terms = dict.fromkeys(own, 1.0) | {c: -1.0 for c in columns}
                week.rows.add(terms, -math.inf, 0.0)
            levels += own
        granted[father.id] = levels
        whole = [week.column(1.0, week_level_value(j, steps)) for j in range(1, len(levels) + 1)]
        if whole:
            week.rows.add(dict.fromkeys(whole, 1.0) | dict.fromkeys(levels, -1.0), -math.inf, 0.0)
    _add_floor(problem, week, granted)


def _add_floor(problem: Problem, week: WeekCounts, granted: dict[str, list[int]]) -> None:
    """Add the four-week floor: one column at or below every father's share, worth its weight.

    A father's share over the four weeks reads what he had in the weeks
    before and his activity levels this week (each activity up to what he
    could be granted, as the floor reads it), against what he was owed
    (``scheduler.objective.WindowShare``). None without the weeks before.
    """
    shares = window_shares(problem)
    if not shares:
        return
    floor = week.column(float(floor_most(shares.values())), float(FLOOR_WEIGHT))
    for father, share in shares.items():
        levels = dict.fromkeys(granted.get(father, []), -float(FLOOR_STEPS))
        terms = {floor: float(share.owed)} | levels
        week.rows.add(terms, -math.inf, float(FLOOR_STEPS * share.had_before))


def value_bound(
    problem: Problem,
    candidates: Candidates,
    legal_held: int | None = None,
    seconds: float = LP_SECONDS,
    branch: bool = True,
) -> int | None:
    """Give a proven bound on the entitlement value of any roster of the week, or None.

    With ``legal_held``, of any roster with at least that many fathers at the
    legal minimum: the strict tier order holds the legal tier there first.
    The four-week floor is a column of its own below every father's share
    (``_add_floor``). None when the simplex gives
    no answer in ``seconds``. With ``branch`` the bound is also sought by branch
    and bound over the whole-numbered counts, which a wall-clock limit may cut
    short: a deterministic solve leaves it out, so its bound is the same on
    every run.
    """
    week = week_counts(problem, candidates, legal_held)
    add_value(problem, week)
    found = week.bound(seconds)
    if found is None:
        return None
    # A roster's counts are whole numbers too, and so are its sessions' runs and escorts.
    integral = week.whole + list(week.counts.values())
    # Branch and bound: 0.2 to 1.0 CPU s on the fixture weeks, 0.6 at 400 generated fathers.
    # Cut short in ``seconds`` (a wall-clock limit), the simplex's bound stands.
    branched = (
        rows_mip_bound(week.rows, week.gains, week.upper, integral, seconds) if branch else None
    )
    return math.floor(found) if branched is None else min(math.floor(found), branched)
