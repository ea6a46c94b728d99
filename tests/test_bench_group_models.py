"""The bench of the tier groups' models (``python -m bench.group_models``) on the tiny fixture."""

from __future__ import annotations

import pytest

from bench.group_models import group_models, main
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
    assert "search with default for 1 s" in out and "search with max_lp,core for 1 s" in out


def test_an_unknown_fixture_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err
