"""The objective tiers as model expressions, named as ``scheduler.objective`` names them.

Each tier's expression equals, for any solution, what
``scheduler.objective.tiers`` computes from the roster read out of it: the
auxiliary literals below are tied both ways to what they count, so a tier
never reports more or less than the roster holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from ortools.sat.python import cp_model

from scheduler.domain import Father, Problem, Roster
from scheduler.entitlements import entitled
from scheduler.four_weeks import below_legal_week_before
from scheduler.ids import ESCORTED_VISIT
from scheduler.objective import (
    FLOOR_STEPS,
    FLOOR_WEIGHT,
    TIERS,
    WindowShare,
    entitlement_value,
    floor_most,
    granted_counts,
    occurrence_key,
    occurrence_value,
    partner_cap_minutes,
    raise_steps,
    week_level_value,
    window_shares,
)
from scheduler.spans import inside, week_spans
from solver.candidates import Candidates
from solver.constraints import (
    add_priced_at_most,
    partner_cap_left,
    seat_partner_minutes,
    slot_prices,
    summed,
    volunteer_minutes_terms,
)
from solver.legal_bound import legal_flow_bound
from solver.variables import Variables

Expression = cp_model.LinearExprT


@dataclass
class TierTerms:
    """Each tier's expression, the continuity links the roster read-out needs, and ceilings.

    ``ceilings`` holds, for the tiers that have one, a value no roster of the
    week can exceed, proven from the rules without a search.
    """

    expressions: dict[str, Expression] = field(default_factory=dict)
    slot_links: dict[int, cp_model.IntVar] = field(default_factory=dict)
    ceilings: dict[str, int] = field(default_factory=dict)
    # Per father, the most of his possible visits the legal tier can use, and their literals:
    # 0 for a father it cannot count or already counts, 1 where any one visit is enough.
    useful_visits: dict[str, tuple[int, list[cp_model.IntVar]]] = field(default_factory=dict)
    # Per father, whether he is at the legal minimum: a literal, or 1 or 0 where that is fixed.
    at_legal: dict[str, cp_model.IntVar | int] = field(default_factory=dict)
    # How many of the fathers below the legal minimum the week before are at it this week.
    missed_at_legal: Expression = 0


class VisitTerm(NamedTuple):
    """One possible visit of a father: its minutes, its literal, and its least partner minutes."""

    minutes: int
    literal: cp_model.IntVar
    partner_minutes: Fraction


def _visit_terms(
    problem: Problem, candidates: Candidates, variables: Variables
) -> tuple[dict[str, list[VisitTerm]], dict[str, int]]:
    """Give each father's possible visits, and his pinned visit minutes."""
    terms: dict[str, list[VisitTerm]] = defaultdict(list)
    fixed: dict[str, int] = defaultdict(int)
    visits = {a.id for a in problem.activities if a.counts_as_visit}
    for session in candidates.sessions:
        if session.activity in visits:
            minutes = session.end - session.start
            price = seat_partner_minutes(problem, session)
            for father in session.fathers:
                literal = variables.seat[session.session, father]
                terms[father].append(VisitTerm(minutes, literal, price))
    prices = slot_prices(problem, candidates)
    for slot, literal, price in zip(candidates.slots, variables.slot, prices, strict=True):
        if slot.activity in visits:
            terms[slot.father].append(VisitTerm(slot.end - slot.start, literal, price))
    for pin in candidates.pinned:
        if pin.assignment.activity in visits:
            for father in pin.assignment.fathers:
                fixed[father] += pin.end - pin.start
    return terms, fixed


def legal_minimum(
    model: cp_model.CpModel,
    problem: Problem,
    candidates: Candidates,
    variables: Variables,
    terms: TierTerms,
) -> Expression:
    """Give how many fathers get the legal minimum visit time (Pbw art. 38: one hour a week).

    Its ceiling goes into ``terms.ceilings`` (``fathers_the_cap_can_pay``).
    """
    needed = problem.policy.legal_min_visit_minutes
    possible, fixed = _visit_terms(problem, candidates, variables)
    count: list[Expression] = []
    constant = 0
    shares: list[tuple[Fraction, cp_model.IntVar]] = []
    # The fathers any one visit brings to the legal minimum, whose flow bounds the tier.
    single: set[str] = set()
    for father in problem.fathers:
        own = possible.get(father.id, [])
        rest = needed - fixed.get(father.id, 0)
        if rest <= 0 or sum(t.minutes for t in own) < rest:
            constant += int(rest <= 0)
            terms.useful_visits[father.id] = (0, [t.literal for t in own])
            terms.at_legal[father.id] = int(rest <= 0)
            continue
        reached = model.new_bool_var(f"legal[{father.id}]")
        terms.at_legal[father.id] = reached
        count.append(reached)
        shares.append((min(t.partner_minutes for t in own), reached))
        if all(t.minutes >= rest for t in own):
            # Any one visit is enough: "at least one visit" is exact. One linear constraint
            # ties any visit to ``reached``, where an implication per visit took seconds
            # to build on a week of a thousand fathers.
            single.add(father.id)
            literals = [t.literal for t in own]
            terms.useful_visits[father.id] = (1, literals)
            model.add_bool_or(literals).only_enforce_if(reached)
            model.add(cp_model.LinearExpr.sum(literals) <= len(literals) * reached)
            continue
        minutes = summed([t.literal for t in own], [t.minutes for t in own])
        model.add(minutes >= rest).only_enforce_if(reached)
        model.add(minutes <= rest - 1).only_enforce_if(~reached)
    # Every father reached has a visit, which takes at least his cheapest share of partner
    # minutes, so the fathers reached cost no more than the visits chosen. This follows from
    # the rules; as one linear constraint beside the partner cap over the fathers' places
    # (``partner_cap``) it keeps in CP-SAT's linear relaxation what presolve turns into
    # clauses and the relaxation leaves out: a father reached needs a visit, a visit needs
    # volunteers.
    visits = [(t.partner_minutes, t.literal) for own in possible.values() for t in own]
    add_priced_at_most(model, shares, paid=visits)
    left = partner_cap_left(problem, candidates)
    paid = fathers_the_cap_can_pay([share for share, _ in shares], left)
    flowed = len(count) - len(single) + legal_flow_bound(problem, candidates, single, left)
    terms.ceilings["legal_minimum"] = constant + min(paid, flowed)
    return summed(count) + constant


def fathers_the_cap_can_pay(shares: list[Fraction], left: int) -> int:
    """Give the most fathers whose least partner minutes fit in ``left`` together.

    Each father reached needs a visit, and a visit takes at least his share of
    partner minutes (``legal_minimum``); the cheapest fathers first fit the most.
    """
    paid = 0
    total = Fraction(0)
    for share in sorted(shares):
        total += share
        if total > left:
            break
        paid += 1
    return paid


@dataclass
class _Earning:
    """The entitlement tier so far: literals and their values, and a constant.

    ``counted`` holds per father his occurrences this week as the four-week
    floor reads them (each activity up to what he could be granted): the
    pinned ones, and the level literals that count.
    """

    literals: list[cp_model.IntVar] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    constant: int = 0
    counted: dict[str, tuple[int, list[cp_model.IntVar]]] = field(default_factory=dict)

    def add(self, literals: list[cp_model.IntVar], values: list[int]) -> None:
        """Add literals, each worth its value."""
        self.literals += literals
        self.values += values


def entitlements(
    model: cp_model.CpModel, problem: Problem, candidates: Candidates, variables: Variables
) -> Expression:
    """Give the entitlement value, diminishing per activity and over each father's whole week.

    The k-th occurrence of an activity for a father is worth 420/k, and the
    j-th occurrence of his week, of any activity, 1260/j more (docs/design.md
    section 4). Both are levels with falling weights, each level implying the
    one below it: a concave sum that CP-SAT's linear relaxation keeps, so
    scarce capacity goes first to the fathers who have least. With the weeks
    before, the four-week floor adds its worth (``add_four_week_floor``).
    """
    possible: dict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
    for session in candidates.sessions:
        for seated in session.fathers:
            possible[seated, session.activity].append(variables.seat[session.session, seated])
    for (_, seated), literal in variables.escorted_seat.items():
        possible[seated, ESCORTED_VISIT].append(literal)
    for slot, literal in zip(candidates.slots, variables.slot, strict=True):
        possible[slot.father, slot.activity].append(literal)
    pinned = granted_counts(problem, [pin.assignment for pin in candidates.pinned])
    # Literals and their values, summed once at the end: a sum built term by term is
    # slower to flatten into an objective on a large week.
    earning = _Earning()
    shares = window_shares(problem)
    for father in problem.fathers:
        now = shares[father.id].now if father.id in shares else {}
        _father_levels(model, problem, father, possible, pinned, now, earning)
    add_four_week_floor(model, shares, earning)
    if not earning.literals:
        return earning.constant
    return cp_model.LinearExpr.weighted_sum(earning.literals, earning.values) + earning.constant


def _father_levels(
    model: cp_model.CpModel,
    problem: Problem,
    father: Father,
    possible: dict[tuple[str, str], list[cp_model.IntVar]],
    pinned: Counter[tuple[str, str]],
    now: dict[str, int],
    earning: _Earning,
) -> None:
    """Add one father's levels per activity and over his week; count them for the floor.

    ``now`` is per activity what he could be granted this week, as the
    four-week floor reads it (empty without one).
    """
    own: list[cp_model.IntVar] = []
    fixed_total = 0
    counted: tuple[int, list[cp_model.IntVar]] = (0, [])
    steps = raise_steps(problem, father)
    for activity in problem.entitlement_activities:
        key = (father.id, activity.id)
        limit = entitled(problem, father, activity)
        fixed = min(pinned.get(key, 0), limit)
        fixed_total += fixed
        earning.constant += entitlement_value(fixed, steps)
        literals = possible.get(key, [])
        cap = now.get(activity.id, 0)
        if activity.id != ESCORTED_VISIT and min(limit, fixed + len(literals)) == fixed + 1:
            # The ceilings hold these literals to one: each is the next occurrence itself.
            own += literals
            earning.add(literals, [occurrence_value(fixed + 1, steps)] * len(literals))
            counted = (counted[0] + min(fixed, cap), counted[1] + literals * (cap > fixed))
            continue
        levels = _levels(model, f"granted[{father.id},{activity.id}]", fixed, limit, literals)
        own += levels
        earning.add(levels, [occurrence_value(fixed + k, steps) for k in range(1, len(levels) + 1)])
        counted = (counted[0] + min(fixed, cap), counted[1] + levels[: max(0, cap - fixed)])
    earning.constant += sum(week_level_value(j, steps) for j in range(1, fixed_total + 1))
    week = _levels(model, f"week[{father.id}]", fixed_total, fixed_total + len(own), own)
    earning.add(week, [week_level_value(fixed_total + j, steps) for j in range(1, len(week) + 1)])
    earning.counted[father.id] = counted


def add_four_week_floor(
    model: cp_model.CpModel, shares: dict[str, WindowShare], earning: _Earning
) -> None:
    """Add the four-week floor, worth FLOOR_WEIGHT a part of the least share (none without).

    One integer at or below every father's share over the four weeks, in
    FLOOR_STEPS parts (docs/design.md section 10), and above some father's
    less one part: the least share ``scheduler.objective.four_week_floor``
    reads, in every solution. The bounds from below are a linear max-min
    that CP-SAT's relaxation keeps; the one from above is enforced, so the
    relaxation leaves it out.
    """
    if not shares:
        return
    floor = model.new_int_var(0, floor_most(shares.values()), "four_week_floor")
    least: list[cp_model.IntVar] = []
    for father, share in shares.items():
        fixed, literals = earning.counted.get(father, (0, []))
        had = FLOOR_STEPS * (share.had_before + fixed + cp_model.LinearExpr.sum(literals))
        model.add(share.owed * floor <= had)
        # Some father holds the floor where it is: one part more is above his share.
        holds = model.new_bool_var(f"least[{father}]")
        model.add(share.owed * (floor + 1) > had).only_enforce_if(holds)
        least.append(holds)
    model.add_bool_or(least)
    earning.add([floor], [FLOOR_WEIGHT])


def _levels(
    model: cp_model.CpModel,
    name: str,
    fixed: int,
    limit: int,
    literals: list[cp_model.IntVar],
) -> list[cp_model.IntVar]:
    """Give level literals for occurrences fixed+1.. of a count: as many hold as min(count, limit).

    The count is ``fixed`` plus the literals that hold. A single possible
    level under a ceiling the rules already keep is the literal itself.
    """
    top = min(limit, fixed + len(literals))
    if top <= fixed:
        return []
    if len(literals) == 1 and top == fixed + 1:
        return list(literals)
    steps = [model.new_bool_var(f"{name}[{k}]") for k in range(fixed + 1, top + 1)]
    for earlier, later in zip(steps, steps[1:], strict=False):
        model.add_implication(later, earlier)
    # Each sum built once from its list: a sum built term by term takes most of the build.
    levels = cp_model.LinearExpr.sum(steps)
    count = cp_model.LinearExpr.sum(literals)
    model.add(levels <= count)
    # With the top level off, every literal is counted: the count is below the limit.
    model.add(count <= levels + (len(literals) - len(steps)) * steps[-1])
    return steps


def continuity(
    model: cp_model.CpModel,
    problem: Problem,
    candidates: Candidates,
    variables: Variables,
    terms: TierTerms,
) -> Expression:
    """Give a point per occurrence escorted by the father's linked volunteer, one more if preferred.

    A point counts where the family's own volunteer is there, and another where
    the occurrence lies in one of the father's preferred windows.
    """
    points: list[Expression] = []
    constant = 0
    wishes = {father.id: week_spans(father.preferred) for father in problem.fathers}
    for session in candidates.sessions:
        for father in session.fathers:
            seat = variables.seat[session.session, father]
            if inside(wishes[father], session.start, session.end):
                points.append(seat)
            linked = problem.father_by_id[father].linked_volunteer
            escort = variables.session_volunteer.get((session.session, linked or ""))
            if escort is not None:
                both = model.new_bool_var(f"linked[{session.session},{father}]")
                model.add_implication(both, seat)
                model.add_implication(both, escort)
                model.add_bool_or([both, ~seat, ~escort])
                points.append(both)
    escorts = {
        (person.group, person.person): literal
        for person, literal in zip(
            candidates.slot_volunteers, variables.slot_volunteer, strict=True
        )
    }
    waiting: dict[tuple[tuple[str, str, int], str], list[tuple[int, cp_model.IntVar]]] = (
        defaultdict(list)
    )
    for index, (slot, literal) in enumerate(zip(candidates.slots, variables.slot, strict=True)):
        if inside(wishes[slot.father], slot.start, slot.end):
            points.append(literal)
        linked = problem.father_by_id[slot.father].linked_volunteer
        if linked is not None and (slot.group, linked) in escorts:
            waiting[slot.group, linked].append((index, literal))
    for key, slots in waiting.items():
        points += _slot_links(model, slots, escorts[key], terms)
    for pin in candidates.pinned:
        assignment = pin.assignment
        for father in assignment.fathers:
            linked = problem.father_by_id[father].linked_volunteer
            constant += int(linked is not None and linked in assignment.volunteers)
            constant += int(inside(wishes[father], pin.start, pin.end))
    return summed(points) + constant


def _slot_links(
    model: cp_model.CpModel,
    slots: list[tuple[int, cp_model.IntVar]],
    escort: cp_model.IntVar,
    terms: TierTerms,
) -> list[cp_model.IntVar]:
    """Give one literal per slot: the linked volunteer escorts this father's slot.

    The volunteer escorts one family at a time; when he works this start and a
    father linked to him starts then, one of his own families has him.
    """
    links = []
    for index, literal in slots:
        link = model.new_bool_var(f"linked[{index}]")
        model.add_implication(link, literal)
        terms.slot_links[index] = link
        links.append(link)
    model.add(sum(links) <= escort)
    for (_, literal), link in zip(slots, links, strict=True):
        others = [other for other in links if other is not link]
        model.add(link >= literal + escort - 1 - sum(others))
    return links


def stability(
    problem: Problem, candidates: Candidates, variables: Variables, previous: Roster | None
) -> Expression:
    """Give how many occurrences of the previous roster are kept (father, activity and start)."""
    if previous is None:
        return 0
    before = {occurrence_key(f, a) for a in previous.assignments for f in a.fathers}
    clock = problem.clock
    kept: list[Expression] = []
    for session in candidates.sessions:
        start = clock.moment(session.start).isoformat()
        for father in session.fathers:
            if (father, session.activity, start) in before:
                kept.append(variables.seat[session.session, father])
    for slot, literal in zip(candidates.slots, variables.slot, strict=True):
        if (slot.father, slot.activity, clock.moment(slot.start).isoformat()) in before:
            kept.append(literal)
    constant = sum(
        1
        for pin in candidates.pinned
        for f in pin.assignment.fathers
        if occurrence_key(f, pin.assignment) in before
    )
    return summed(kept) + constant


def economy(problem: Problem, candidates: Candidates, variables: Variables) -> Expression:
    """Give the partner cap's minutes left unused by the volunteers (fewer volunteer hours)."""
    terms, fixed = volunteer_minutes_terms(problem, candidates, variables)
    everything = [term for volunteer_terms in terms.values() for term in volunteer_terms]
    used = summed([lit for _, lit in everything], [m for m, _ in everything])
    return partner_cap_minutes(problem) - sum(fixed.values()) - used


def tier_terms(
    model: cp_model.CpModel,
    problem: Problem,
    candidates: Candidates,
    variables: Variables,
    previous: Roster | None,
) -> TierTerms:
    """Give every tier's expression, in the order of ``scheduler.objective.TIERS``."""
    terms = TierTerms()
    found = {
        "legal_minimum": legal_minimum(model, problem, candidates, variables, terms),
        "entitlements": entitlements(model, problem, candidates, variables),
        "continuity": continuity(model, problem, candidates, variables, terms),
        "stability": stability(problem, candidates, variables, previous),
        "economy": economy(problem, candidates, variables),
    }
    terms.expressions = {name: found[name] for name in TIERS}
    terms.missed_at_legal = missed_at_legal(problem, terms)
    return terms


def missed_at_legal(problem: Problem, terms: TierTerms) -> Expression:
    """Give how many of those below the legal minimum the week before reach it this week.

    Read from ``terms.at_legal``, which ``legal_minimum`` fills.
    """
    reached = [terms.at_legal.get(f, 0) for f in sorted(below_legal_week_before(problem))]
    fixed = [r for r in reached if isinstance(r, int)]
    literals = [r for r in reached if not isinstance(r, int)]
    return summed(literals) + sum(fixed)
