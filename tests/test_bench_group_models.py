"""The bench of the tier groups' models (``python -m bench.group_models``) on the tiny fixture."""

from __future__ import annotations

import pytest

from bench.group_models import Searched, group_models, main, searched
from solver.relaxation import glop_duals, relaxation_bound
from solver.search import hinted_solution


def test_each_group_model_is_kept_with_its_hint_below_its_relaxation() -> None:
    """Every group's model maximises its objective, and its completed hint lies within its bound."""
    kept = group_models("tiny", 5.0)
    assert kept
    for group, model in kept:
        completed = hinted_solution(model)
        assert completed is not None, group
        bound = relaxation_bound(model, 10.0, glop_duals)
        assert bound is not None and bound >= round(completed.objective_value), group


@pytest.mark.slow
def test_the_bench_prints_the_relaxations_and_searches(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["tiny", "--time-limit", "5", "--search", "1", "--subsolvers", "default/max_lp,core"])
        == 0
    )
    out = capsys.readouterr().out
    assert "relaxation by glop" in out
    assert "search with default for 1 s (seed 0)" in out
    assert "search with max_lp,core for 1 s (seed 0)" in out


@pytest.mark.slow
def test_the_bench_repeats_searches_by_seed_without_relaxations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(
            ["tiny", "--search", "1", "--subsolvers", "default", "--seeds", "2", "--no-relaxations"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "relaxation" not in out
    assert "(seed 0)" in out and "(seed 1)" in out and "reached at" in out


def test_a_search_tells_when_its_first_tier_first_came() -> None:
    """The first solution with the final value's first tier is the one told, not the last."""
    found = Searched(value=47.0, solutions=[(31.0, 0.5, 1.0), (42.0, 1.5, 2.0), (47.0, 2.5, 3.0)])
    assert found.first_at(lambda value: str(int(value) // 10)) == (1.5, 2.0)
    assert Searched().first_at(str) == (0.0, 0.0)


def test_a_set_of_parameters_is_searched_with_them() -> None:
    """Entries ``name=value`` set CP-SAT's parameters; the search still ends within its bound."""
    group, model = group_models("tiny", 5.0)[0]
    found = searched(model, 1.0, "use_lns_only=true,linearization_level=0", seed=1)
    assert found.value is not None and found.bound is not None, group
    assert found.value <= found.bound
    assert found.solutions and found.solutions[-1][0] == found.value


def test_an_unknown_fixture_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err
