"""What to buy next: purchases ranked by the relaxation's prices, the best confirmed by solving.

``solver.prices`` prices one more partner hour, room hour, officer shift and
visit seat from the duals of the week's linear relaxation. Each purchase is
also a what-if change (``whatif.changes``): the top ones are confirmed by
solving the week with the purchase added and comparing the entitlement tier
and the occurrences granted with the base week's, so the report shows the
real gain next to the estimate. The estimate in occurrences divides the
price by the base roster's value per occurrence granted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exports.words import DAY_NAMES, pick, room_kind_words
from scheduler.domain import Problem, Roster
from scheduler.week import MINUTES_PER_DAY, clock_text
from solver.prices import OFFICER_SHIFT, PARTNER_HOUR, ROOM_HOUR, VISIT_SEAT, Price, prices
from solver.solve import SolveOptions, solve
from whatif.changes import parse_change
from whatif.scenarios import Scenario, apply

CONFIRMED = 3
"""How many of the best purchases are confirmed by solving the week with them."""
EXTRA = "extra"


@dataclass
class Purchase:
    """A purchase: its price, the changes that make it, and, once confirmed, the real gain.

    ``gain`` is the entitlement tier's gain (points) of the whole purchase
    (``price.hours`` of it for a room, one unit otherwise), ``occurrences``
    the change in occurrences granted.
    """

    price: Price
    changes: list[dict[str, Any]]
    estimate: float
    gain: int | None = None
    occurrences: int | None = None
    text: str = field(default="")

    @property
    def whole(self) -> float:
        """Give the estimated value of the whole purchase (a room's window: all its hours)."""
        hours = self.price.hours if self.price.purchase == ROOM_HOUR else 1.0
        return self.price.value * hours


def _window(start: int, end: int) -> dict[str, str]:
    day, minute = divmod(start, MINUTES_PER_DAY)
    last = min(minute + end - start, MINUTES_PER_DAY - 1)
    return {
        "day": ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day],
        "start": clock_text(minute),
        "end": clock_text(last),
    }


def purchase_changes(problem: Problem, price: Price) -> list[dict[str, Any]]:
    """Give the what-if changes that add one unit of the purchase to the week."""
    if price.purchase == PARTNER_HOUR:
        return [{"op": "set_policy", "partner_cap_hours": problem.policy.partner_cap_hours + 1}]
    assert price.start is not None and price.end is not None
    window = _window(price.start, price.end)
    if price.purchase == ROOM_HOUR:
        extra = f"{price.subject}-{EXTRA}"
        return [{"op": "add_room", "like": price.subject, "id": extra, "open": [window]}]
    if price.purchase == OFFICER_SHIFT:
        return [
            {"op": "add_officer", "id": f"O-{EXTRA}", "institution": price.subject,
             "shifts": [window]}
        ]  # fmt: skip
    session = problem.session_by_id[price.subject]
    room = problem.room_by_id[session.room]
    raw = session.model_dump(mode="json")
    return [
        {"op": "remove_session", "session": session.id},
        {"op": "add_session", **{**raw, "capacity": session.capacity + 1}},
        {"op": "set_room", "room": room.id, "capacity": max(room.capacity, session.capacity + 1)},
    ]


def purchased(problem: Problem, changes: list[dict[str, Any]]) -> Problem:
    """Give the week with a purchase's changes applied (and checked)."""
    sources = [f"purchase change {n + 1}" for n in range(len(changes))]
    parsed = [parse_change(raw, where) for raw, where in zip(changes, sources, strict=True)]
    return apply(problem, Scenario(name="purchase", changes=parsed, sources=sources))


def _when(problem: Problem, start: int | None, end: int | None) -> str:
    if start is None or end is None:
        return ""
    day, minute = divmod(start, MINUTES_PER_DAY)
    return f"{pick(DAY_NAMES[day], 'nl')} {clock_text(minute)}–{clock_text(minute + end - start)}"


def purchase_name(problem: Problem, price: Price) -> str:
    """Give a purchase in a manager's Dutch: ``1 extra uur partnertijd``."""
    when = _when(problem, price.start, price.end)
    if price.purchase == PARTNER_HOUR:
        return "1 extra uur partnertijd"
    if price.purchase == ROOM_HOUR:
        kind = room_kind_words(problem.room_by_id[price.subject].kind, "nl")
        return f"1 extra uur {kind} ({when}, naast {price.subject})"
    if price.purchase == OFFICER_SHIFT:
        return f"1 PIW'er extra in dienst ({when})"
    session = problem.session_by_id[price.subject]
    return f"1 plaats extra in {problem.activity_by_id[session.activity].name} ({when})"


def _number(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def purchase_text(problem: Problem, purchase: Purchase) -> str:
    """Give one line of the ranking: the estimate, and the real gain once confirmed."""
    price = purchase.price
    unit = " per uur" if price.purchase == ROOM_HOUR else ""
    line = (
        f"{purchase_name(problem, price)}: +{_number(price.value)} waarde{unit}, "
        f"≈ {_number(purchase.estimate)} extra toegekende activiteiten"
    )
    if purchase.gain is not None and purchase.occurrences is not None:
        line += (
            f"; nagerekend: +{_number(purchase.gain)} waarde (geschat "
            f"{_number(purchase.whole)}), {purchase.occurrences:+d} activiteiten"
        )
    return line


def _value(roster: Roster) -> int:
    return int(roster.tiers.get("entitlements", 0))


def what_to_buy(
    problem: Problem,
    options: SolveOptions,
    lp_seconds: float = 60.0,
    confirm: int = CONFIRMED,
    base: Roster | None = None,
) -> list[Purchase]:
    """Give the purchases best first, the top ``confirm`` of them solved with ``options``.

    ``base`` is the base week's roster if already solved with the same options.
    """
    base = base if base is not None else solve(problem, options)
    per_occurrence = _value(base) / base.kpis.granted if base.kpis.granted else 0.0
    found = []
    for rank, price in enumerate(prices(problem, lp_seconds)):
        changes = purchase_changes(problem, price)
        estimate = 0.0
        if per_occurrence:
            hours = price.hours if price.purchase == ROOM_HOUR else 1.0
            estimate = price.value * hours / per_occurrence
        purchase = Purchase(price, changes, estimate)
        if rank < confirm and price.value > 0:
            # The base roster still fits the week with more capacity: started from it, a
            # short solve measures what the purchase adds, not a different search's luck.
            roster = solve(purchased(problem, changes), options, warm_start=base)
            purchase.gain = _value(roster) - _value(base)
            purchase.occurrences = roster.kpis.granted - base.kpis.granted
        purchase.text = purchase_text(problem, purchase)
        found.append(purchase)
    return found


def purchase_records(purchases: list[Purchase]) -> list[dict[str, Any]]:
    """Give the purchases as plain records (for a job's result, CSV and the page)."""
    return [
        {
            "purchase": p.price.purchase,
            "subject": p.price.subject,
            "value": p.price.value,
            "hours": p.price.hours,
            "estimate": p.estimate,
            "gain": p.gain,
            "occurrences": p.occurrences,
            "text": p.text,
        }
        for p in purchases
    ]


__all__ = ["OFFICER_SHIFT", "PARTNER_HOUR", "ROOM_HOUR", "VISIT_SEAT", "Purchase", "what_to_buy"]
