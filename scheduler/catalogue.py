"""The default activity catalogue and the generator's templates, read from ``scheduler/defaults``.

``catalogue.json`` holds the default policy, activity catalogue and
entitlement table (docs/design.md section 3); ``generator.json`` what
``scheduler.generate`` builds an institution from: the network partners, the
institutions, the room kinds with their opening hours, the session start
times, seats, officer shifts, volunteer blocks, preferred windows and plans.
Institutions differ and what-if analysis changes them, so these are data, not
code. Beside them, the ratios of the programme (docs/design.md section 8) that size
a generated institution (its father wing, volunteers and officers) and the
bounds of the generator's arguments.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from scheduler.domain import Activity, Entitlement, Policy
from scheduler.week import parse_week

FATHERS_MIN = 10
FATHERS_MAX = 10_000
INSTITUTIONS_MAX = 40
FTE_HOURS = 36.0

Weekly = tuple[str, str, str]
"""A weekly window as (day, start, end)."""


@dataclass(frozen=True)
class RoomKind:
    """How an institution's rooms of one kind look: id suffix, capacity, changeover, hours."""

    kind: str
    code: str
    capacity: int
    changeover_minutes: int
    open: tuple[Weekly, ...]
    numbered: bool


def _weekly(windows: list[dict[str, str]]) -> tuple[Weekly, ...]:
    return tuple((w["day"], w["start"], w["end"]) for w in windows)


def _generator_data() -> dict[str, Any]:
    """Give the generator's data (``scheduler/defaults/generator.json``), decoded.

    ``institutions``: the two pilot institutions of the programme first, then
    other Dutch prison locations in the order a national roll-out might follow.
    ``session_starts``: per activity, the most popular first (weekend and
    Wednesday afternoon before the evenings); a session takes the first start
    that is free in a room of its kind, and a kind gets another room when all
    are full. ``shifts``: the officers' (PIW'ers) early and late shifts,
    overlapping at midday. ``volunteer_blocks``: the blocks a volunteer
    offers, aligned with the rooms' hours; ``volunteer_activities``: what a
    volunteer may do, with the chance that one does. ``plans`` (plan van
    aanpak) lower an entitlement, after a contact restriction or a choice in
    treatment; one asks more than the shell gives, which the shell caps.
    """
    text = (files("scheduler") / "defaults" / "generator.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


_DATA = _generator_data()
ORGANISATIONS: tuple[str, ...] = tuple(_DATA["organisations"])
INSTITUTIONS: tuple[tuple[str, str], ...] = tuple(
    (item["code"], item["name"]) for item in _DATA["institutions"]
)
ROOM_KINDS: dict[str, RoomKind] = {
    item["kind"]: RoomKind(
        kind=item["kind"],
        code=item["code"],
        capacity=item["capacity"],
        changeover_minutes=item["changeover_minutes"],
        open=_weekly(item["open"]),
        numbered=item["numbered"],
    )
    for item in _DATA["room_kinds"]
}
SESSION_STARTS: dict[str, tuple[tuple[str, str], ...]] = {
    activity: tuple((start["day"], start["start"]) for start in starts)
    for activity, starts in _DATA["session_starts"].items()
}
VISIT_SEATS: int = _DATA["seats"]["regular_visit"]
# The share of an institution's fathers its visit sessions seat: at least, at most.
VISIT_SEAT_SHARE: tuple[float, float] = (
    _DATA["visit_seat_share"][0],
    _DATA["visit_seat_share"][1],
)
FATHER_CHILD_DAY_SEATS: int = _DATA["seats"]["father_child_day"]
FAMILY_DAY_SEATS: int = _DATA["seats"]["family_day"]
TRAINING_SEATS: int = _DATA["seats"]["training"]
KITCHEN_SEATS: int = _DATA["seats"]["kitchen"]
# Keyed by "is it the weekend".
SHIFTS: dict[bool, tuple[tuple[str, str], ...]] = {
    weekend: tuple((shift["start"], shift["end"]) for shift in _DATA["shifts"][name])
    for weekend, name in ((False, "weekday"), (True, "weekend"))
}
VOLUNTEER_BLOCKS: tuple[Weekly, ...] = _weekly(_DATA["volunteer_blocks"])
VOLUNTEER_ACTIVITIES: tuple[tuple[str, float], ...] = tuple(_DATA["volunteer_activities"].items())
PREFERRED_WINDOWS: tuple[Weekly, ...] = _weekly(_DATA["preferred_windows"])
PLANS: dict[int, tuple[dict[str, int], ...]] = {
    int(shell): tuple(plans) for shell, plans in _DATA["plans"].items()
}


@dataclass(frozen=True)
class Catalogue:
    """The default policy, activity catalogue and entitlement table (docs/design.md section 3)."""

    policy: Policy
    activities: list[Activity]
    entitlements: dict[int, dict[str, Entitlement]]


@cache
def _catalogue_text() -> str:
    return (files("scheduler") / "defaults" / "catalogue.json").read_text(encoding="utf-8")


def default_catalogue() -> Catalogue:
    """Give a fresh copy of the default catalogue: policy, activities and entitlement table."""
    data = json.loads(_catalogue_text())
    return Catalogue(
        policy=Policy.model_validate(data["policy"]),
        activities=[Activity.model_validate(item) for item in data["activities"]],
        entitlements={
            int(shell): {name: Entitlement.model_validate(entry) for name, entry in table.items()}
            for shell, table in data["entitlements"].items()
        },
    )


def institution_names(count: int) -> list[tuple[str, str]]:
    """Give (code, name) of the first ``count`` institutions a generated problem uses."""
    known = list(INSTITUTIONS[:count])
    return known + [(f"X{n:02d}", f"PI locatie {n}") for n in range(len(known) + 1, count + 1)]


def split(total: int, parts: int) -> list[int]:
    """Give ``parts`` sizes adding up to ``total``, the larger ones first."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def wing_size(fathers: int) -> int:
    """Give how many of an institution's fathers are on the father wing (shell 3)."""
    return min(24, max(round(0.10 * fathers), min(12, fathers // 5)))


def volunteer_count(fathers: int) -> int:
    """Give how many volunteers serve an institution: about one per ten fathers."""
    return max(3, round(fathers / 10))


def officer_count(fathers: int) -> int:
    """Give how many programme officers an institution has: about one per 25 fathers."""
    return max(4, math.ceil(fathers / 25))


def argument_errors(fathers: int, institutions: int, week: str) -> dict[str, str]:
    """Give what is wrong with each generator argument, by argument name (empty: all fine)."""
    errors: dict[str, str] = {}
    if not FATHERS_MIN <= fathers <= FATHERS_MAX:
        errors["fathers"] = f"{fathers} is outside {FATHERS_MIN}..{FATHERS_MAX}"
    if not 1 <= institutions <= INSTITUTIONS_MAX:
        errors["institutions"] = f"{institutions} is outside 1..{INSTITUTIONS_MAX}"
    elif institutions > fathers:
        errors["institutions"] = f"{institutions} institutions cannot share {fathers} fathers"
    try:
        parse_week(week)
    except ValueError as error:
        errors["week"] = str(error)
    return errors
