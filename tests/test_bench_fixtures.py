"""The fixture bench (``bench/solve_fixtures.py``): measured figures, verdicts that follow them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.fairness import Best, seats_for_every_father
from bench.solve_fixtures import figure_row, measure, target_rows
from bench.suite import Figures
from scheduler.domain import Problem
from tests.conftest import load_fixture

TARGETS = ("volunteer", "nothing beyond", "floor", "value", "legal hour")


@pytest.fixture(scope="module")
def measured() -> Figures:
    """Give the figures of fixtures/tiny.json, solved and proven for a couple of seconds."""
    return measure(load_fixture("tiny.json"), "tiny", time_limit=2, workers=2)


def verdicts(figures: Figures) -> dict[str, str]:
    """Give each target's verdict as the table prints it."""
    return dict(zip(TARGETS, (row[-1] for row in target_rows(figures)), strict=True))


def test_the_fixture_figures_are_measured_with_the_bounds_of_the_week(
    measured: Figures, tiny: Problem
) -> None:
    """Tiny's roster lies within the proven bounds and its seats are read from the week."""
    assert measured.valid
    assert measured.value_bound_held is not None and measured.value_bound_free is not None
    assert measured.value <= measured.value_bound_held <= measured.value_bound_free
    best = measured.fewest_nothing_beyond
    assert best is not None and best.bound <= best.value <= measured.nothing_beyond
    assert measured.seats_for_all == seats_for_every_father(tiny)
    assert figure_row(measured)[0] == "tiny"
    assert len(target_rows(measured)) == len(TARGETS)


def test_each_verdict_is_the_one_its_figures_give(measured: Figures) -> None:
    """The printed verdict of each target on tiny is the figures' own, not a fixed word."""
    word = {True: "met", False: "not met", None: "-"}
    assert verdicts(measured) == {
        "volunteer": word[measured.volunteer_met],
        "nothing beyond": word[measured.nothing_beyond_met],
        "floor": word[measured.floor_met],
        "value": word[measured.value_met],
        "legal hour": word[measured.legal_hour_met],
    }


def test_the_verdicts_turn_at_the_targets_thresholds(measured: Figures) -> None:
    """Moving one figure past its target's threshold turns that verdict and no other."""
    week = replace(
        measured,
        legal_volunteer_reasons=0,
        nothing_beyond=11,
        baseline_nothing_beyond=20,
        fewest_nothing_beyond=Best(11, 10, False),
        floor=0.4,
        baseline_floor=0.2,
        floor_possible=True,
        value=1150,
        baseline_value=1000,
        below_legal=0,
        seats_for_all=True,
    )
    assert set(verdicts(week).values()) == {"met"}
    turned = {
        "volunteer": replace(week, legal_volunteer_reasons=1),
        "nothing beyond": replace(week, nothing_beyond=12),
        "floor": replace(week, floor=0.39),
        "value": replace(week, value=1149),
        "legal hour": replace(week, below_legal=1),
    }
    for target, figures in turned.items():
        found = verdicts(figures)
        assert found[target] == "not met", target
        assert all(found[other] == "met" for other in TARGETS if other != target), target
    assert (
        verdicts(replace(week, nothing_beyond=20, fewest_nothing_beyond=Best(20, 20, True)))[
            "nothing beyond"
        ]
        == "not met"
    )
    assert verdicts(replace(week, baseline_floor=0.0, floor=0.0))["floor"] == "not met"
    assert (
        verdicts(replace(week, baseline_floor=0.0, floor=0.0, floor_possible=None))["floor"]
        == "met"
    )
    assert verdicts(replace(week, below_legal=3, seats_for_all=False))["legal hour"] == "-"
