"""A ceiling of the legal tier by maximum flow: fathers to the visits that could seat them.

Left without the rules that tie visits together beyond their capacities (a
father, an officer or a volunteer in one place at a time across activities,
non-association, the partner cap shared by all), the legal tier is a
bipartite b-matching: each father below the legal minimum, whom any one visit
brings to it, goes to one visit session he could sit in (at most its seats)
or to one kind of individual visit of his institution (at most as many as
its rooms, officers, volunteers and the partner cap could hold each on its
own). Its maximum flow is computed exactly in milliseconds, and since every
roster's visits are such a flow, no roster reaches more fathers: an honest
ceiling. Where the warm start reaches it, the tier is proven without a search.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ortools.graph.python import max_flow

from scheduler.domain import Activity, Problem
from solver.candidates import Candidates, SlotCandidate

Interval = tuple[int, int]


def most_disjoint(intervals: Iterable[Interval]) -> int:
    """Give the most intervals [start, end) of the set that no two overlap (earliest end first)."""
    count = 0
    free_from: int | None = None
    for start, end in sorted(set(intervals), key=lambda span: (span[1], span[0])):
        if free_from is None or start >= free_from:
            count += 1
            free_from = end
    return count


def _people_bound(starts: Iterable[tuple[str, int, int]], each: int) -> int:
    """Give how many occurrences people could serve, ``each`` needing that many of them.

    Each person serves at most his most disjoint candidate times.
    """
    times: dict[str, list[Interval]] = defaultdict(list)
    for person, start, end in starts:
        times[person].append((start, end))
    return sum(most_disjoint(spans) for spans in times.values()) // max(1, each)


def individual_capacity(
    candidates: Candidates, activity: Activity, slots: list[SlotCandidate], cap_left: int
) -> int:
    """Give at most how many occurrences of an individual visit its ``slots`` can hold.

    ``slots`` are the activity's candidates at one institution. The least of
    what their fathers and starts, its rooms (pool by pool, changeover
    included), its officers, its volunteers and the partner cap left could
    each hold alone.
    """
    institution = slots[0].institution if slots else ""
    bounds: list[int] = [len({(s.father, s.start) for s in slots})]
    if activity.room_kind is not None:
        by_pool: dict[str, list[Interval]] = defaultdict(list)
        for slot in slots:
            if slot.pool is not None:
                by_pool[slot.pool].append((slot.start, slot.end + slot.changeover))
        pools = candidates.pools
        bounds.append(sum(most_disjoint(s) * pools[p].capacity for p, s in by_pool.items()))
    for count, people in (
        (activity.officers, candidates.slot_officers),
        (activity.volunteers, candidates.slot_volunteers),
    ):
        if count > 0:
            starts = [
                (p.person, p.start, p.end)
                for p in people
                if p.activity == activity.id and p.institution == institution
            ]
            bounds.append(_people_bound(starts, count))
    if activity.volunteers > 0:
        bounds.append(max(0, cap_left) // (activity.minutes * activity.volunteers))
    return min(bounds)


def legal_flow_bound(
    problem: Problem, candidates: Candidates, fathers: set[str], cap_left: int
) -> int:
    """Give the maximum flow of ``fathers`` through the visits that could bring them there.

    ``fathers`` are those whom any one of their visits brings to the legal
    minimum; each goes through one visit session he could sit in (at most its
    seats) or one individual visit of his institution (``individual_capacity``).
    """
    visits = {a.id: a for a in problem.activities if a.counts_as_visit}
    graph = max_flow.SimpleMaxFlow()
    nodes: dict[tuple[str, ...], int] = {}

    def node(*key: str) -> int:
        return nodes.setdefault(key, len(nodes) + 2)

    source, sink = 0, 1
    edges: set[tuple[int, int]] = set()
    for session in candidates.sessions:
        seated = [f for f in session.fathers if f in fathers]
        if session.activity in visits and seated:
            place = node("session", session.session)
            graph.add_arc_with_capacity(place, sink, session.capacity)
            edges.update((node("father", f), place) for f in seated)
    by_kind: dict[tuple[str, str], list[SlotCandidate]] = defaultdict(list)
    for slot in candidates.slots:
        if slot.activity in visits and slot.father in fathers:
            by_kind[slot.institution, slot.activity].append(slot)
            edges.add(
                (node("father", slot.father), node("individual", slot.institution, slot.activity))
            )
    for (institution, activity), slots in sorted(by_kind.items()):
        capacity = individual_capacity(candidates, visits[activity], slots, cap_left)
        graph.add_arc_with_capacity(node("individual", institution, activity), sink, capacity)
    for tail, head in sorted(edges):
        graph.add_arc_with_capacity(tail, head, 1)
    for key, index in list(nodes.items()):
        if key[0] == "father":
            graph.add_arc_with_capacity(source, index, 1)
    if not edges:
        return 0
    if graph.solve(source, sink) != graph.OPTIMAL:
        # No flow, no proof: every father stays possible.
        return len(fathers)
    return int(graph.optimal_flow())
