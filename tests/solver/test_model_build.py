"""The model's build shortcuts give the very rows the plain construction gives.

The maximal groups of overlapping uses skip the starts where nothing has
ended, sums of long lists are built at once (``summed``), and partner-minute
prices are scaled once per run of one price (``add_priced_at_most``): each
is checked here against the plain way on many small cases.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver.constraints import Use, add_priced_at_most, maximal_cliques, summed

spans = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 12)).map(lambda s: (s[0], s[0] + s[1])),
    min_size=1,
    max_size=14,
)


@settings(max_examples=80, deadline=None)
@given(spans)
def test_maximal_cliques_are_the_largest_sets_overlapping_at_one_start(
    found: list[tuple[int, int]],
) -> None:
    """Each group is the uses running at some start, and no other start has more of them."""
    # The weight tells the uses apart, so that equal spans stay two uses.
    uses = [Use(start, end, None, n) for n, (start, end) in enumerate(found, start=1)]
    running = {frozenset(u.weight for u in uses if u.start <= p < u.end) for p, _ in found}
    largest = {group for group in running if not any(group < other for other in running)}
    cliques = [frozenset(u.weight for u in clique) for clique in maximal_cliques(uses)]
    assert len(cliques) == len(set(cliques))
    assert set(cliques) == largest


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-3, 5), max_size=8))
def test_summed_gives_the_row_of_a_sum_term_by_term(weights: list[int]) -> None:
    """The same row as Python's ``sum``, weighted or not, and 0 for no literals."""
    plain, built = cp_model.CpModel(), cp_model.CpModel()
    for model in (plain, built):
        for n in range(len(weights)):
            model.new_bool_var(f"x{n}")
    xs = [plain.get_bool_var_from_proto_index(n) for n in range(len(weights))]
    ys = [built.get_bool_var_from_proto_index(n) for n in range(len(weights))]
    plain.add(sum(w * x for w, x in zip(weights, xs, strict=True)) <= 2)
    plain.add(sum(xs) >= xs[0] if xs else True)
    built.add(summed(ys, weights) <= 2)
    built.add(summed(ys) >= ys[0] if ys else True)
    assert str(plain) == str(built)
    assert summed([]) == 0


prices = st.lists(
    st.tuples(st.fractions(min_value=0, max_value=90, max_denominator=12), st.integers(1, 3)),
    max_size=6,
)


@settings(max_examples=50, deadline=None)
@given(prices, prices, st.integers(0, 200))
def test_priced_literals_are_scaled_to_the_whole_numbers_of_their_fractions(
    priced: list[tuple[Fraction, int]], paid: list[tuple[Fraction, int]], left: int
) -> None:
    """Coefficients are the prices times the least common denominator, refunds negative."""
    model = cp_model.CpModel()

    def literals(runs: list[tuple[Fraction, int]]) -> list[tuple[Fraction, cp_model.IntVar]]:
        # Runs of one price object, as the seats of one session have.
        return [(share, model.new_bool_var("")) for share, times in runs for _ in range(times)]

    costed, refunded = literals(priced), literals(paid)
    add_priced_at_most(model, costed, left=left, paid=refunded)
    kept = [(s, x) for s, x in costed if s > 0]
    back = [(s, x) for s, x in refunded if s > 0]
    scale = math.lcm(*{s.denominator for s, _ in kept + back})
    if sum(s for s, _ in kept) <= left:
        assert len(model.proto.constraints) == 0
        return
    (row,) = model.proto.constraints
    expected = [(x.index, int(s * scale)) for s, x in kept] + [
        (x.index, -int(s * scale)) for s, x in back
    ]
    assert sorted(zip(row.linear.vars, row.linear.coeffs, strict=True)) == sorted(expected)
    assert row.linear.domain[len(row.linear.domain) - 1] == left * scale
