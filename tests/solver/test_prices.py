"""The relaxation's duals by constraint name, and the prices of purchases they give."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from scheduler.domain import Problem
from solver.prices import PARTNER_HOUR, ROOM_HOUR, prices
from solver.relaxation import named_duals


def test_a_named_constraint_s_dual_is_the_gain_per_unit_of_its_side() -> None:
    """max x + y with x <= 1 and x + y <= 3: the sum's side is worth 1, x's bound nothing more."""
    model = cp_model.CpModel()
    x, y = model.new_int_var(0, 10, "x"), model.new_int_var(0, 10, "y")
    model.add(x <= 1).with_name("x")
    model.add(x + y <= 3).with_name("sum")
    model.maximize(x + y)
    duals = named_duals(model, 5.0)
    assert duals is not None
    assert duals["sum"] == pytest.approx(1.0) and duals["x"] == pytest.approx(0.0)


def test_a_model_without_an_objective_to_maximise_has_no_duals() -> None:
    """Minimising, or no objective at all: there is no price to give."""
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    model.add(x <= 1).with_name("x")
    assert named_duals(model, 5.0) is None
    model.minimize(x)
    assert named_duals(model, 5.0) is None


def test_the_tiny_week_prices_a_partner_hour_and_the_rooms(tiny: Problem) -> None:
    """The tiny week's cap of 6 hours binds: a partner hour has a price; each room is priced."""
    found = prices(tiny)
    partner = next(p for p in found if p.purchase == PARTNER_HOUR)
    assert partner.value > 0 and partner.hours == 1.0
    rooms = {p.subject for p in found if p.purchase == ROOM_HOUR}
    assert rooms == {"VH-FK", "VH-BB1"}
    assert [p.value for p in found] == sorted((p.value for p in found), reverse=True)
