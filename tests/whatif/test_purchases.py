"""What to buy next: the relaxation's prices ranked, and the best confirmed by solving."""

from __future__ import annotations

from scheduler.domain import Problem
from scheduler.validate import violations
from solver.prices import OFFICER_SHIFT, PARTNER_HOUR, ROOM_HOUR, prices
from solver.solve import SolveOptions, solve
from tests.kit.weeks import every_day, father, officer, room, volunteer, week
from whatif.purchases import purchase_changes, purchased, what_to_buy

OPTIONS = SolveOptions(time_limit=10, workers=2, deterministic=True)


def _family_visits(cap_hours: float) -> Problem:
    """Give four fathers of shell 3 owed two family room visits each, the room open every day.

    Each visit needs one volunteer for 1,5 hours; the volunteers have all the
    time they want, the officer too: only the partner cap can be short.
    """
    return week(
        rooms=[room("R-FK", "family_room", every_day("09:00", "20:00"))],
        volunteers=[
            volunteer(f"V-{n}", ["family_room_visit"], every_day("09:00", "20:00"))
            for n in range(1, 3)
        ],
        officers=[officer("O-1", every_day("08:00", "21:00"))],
        fathers=[father(f"F-00{n}") for n in range(1, 5)],
        policy={"partner_cap_hours": cap_hours},
    )


def test_where_the_partner_cap_binds_a_partner_hour_ranks_first_and_its_sweep_gains() -> None:
    """At 4 partner hours (two visits, 1 hour left), one more hour buys a third visit: solved."""
    problem = _family_visits(4)
    base = solve(problem, OPTIONS)
    assert violations(problem, base) == []
    bought = what_to_buy(problem, OPTIONS, base=base)
    first = bought[0]
    assert first.price.purchase == PARTNER_HOUR and first.price.value > 0
    assert all(p.price.value <= first.price.value for p in bought)
    assert first.gain is not None and first.gain > 0
    assert first.occurrences is not None and first.occurrences >= 1
    assert first.text.startswith("1 extra uur partnertijd: +")
    assert "nagerekend: +" in first.text
    more = solve(purchased(problem, first.changes), OPTIONS)
    assert violations(purchased(problem, first.changes), more) == []
    assert more.kpis.granted - base.kpis.granted == first.occurrences


def test_where_the_partner_cap_does_not_bind_its_price_is_zero() -> None:
    """With 36 hours every family room visit is granted: a partner hour is worth nothing."""
    problem = _family_visits(36)
    base = solve(problem, OPTIONS)
    assert violations(problem, base) == []
    assert [s for s in base.shortfalls if s.activity == "family_room_visit"] == []
    partner = next(p for p in prices(problem) if p.purchase == PARTNER_HOUR)
    assert partner.value == 0


def test_each_purchase_is_a_change_the_week_accepts() -> None:
    """A partner hour raises the cap by one; a room hour adds a room; a shift adds an officer."""
    problem = _family_visits(4)
    found = {p.purchase: p for p in prices(problem)}
    assert {PARTNER_HOUR, ROOM_HOUR, OFFICER_SHIFT} <= set(found)
    capped = purchased(problem, purchase_changes(problem, found[PARTNER_HOUR]))
    assert capped.policy.partner_cap_hours == 5
    roomed = purchased(problem, purchase_changes(problem, found[ROOM_HOUR]))
    assert [r.id for r in roomed.rooms] == ["R-FK", "R-FK-extra"]
    staffed = purchased(problem, purchase_changes(problem, found[OFFICER_SHIFT]))
    assert [o.id for o in staffed.officers] == ["O-1", "O-extra"]
