"""What one more unit of a scarce resource is worth: the duals of the week's linear relaxation.

The week's model is relaxed (``solver.relaxation``) with the entitlement tier
(docs/design.md section 4) as its objective, and the duals of its named rows
(``solver.constraints``) price four purchases:

- **a partner hour**: the partner cap's row in minutes, and its row over the
  fathers' places (scaled), together, times 60;
- **a room hour**: one more unit of a room pool of individual activities
  (the family room, the video stations) for the length of its longest
  activity from one moment on, the best moment of the week, per hour;
- **an officer shift**: one more officer over one session, or over the
  individual activities starting at one time, priced as the new officer's
  column would be (minus the dual of the officers' row);
- **a visit seat**: one more seat in a session of the visit hall, its
  seats' row and its room's row at its start together.

A price is an estimate per unit (the relaxation is looser than the rules);
``whatif.purchases`` confirms the best ones by solving the week with them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scheduler.domain import Problem
from scheduler.room_kinds import VISIT_HALL
from solver.constraints import OFFICERS, PARTNER_CAP, PARTNER_PLACES, ROOM, SEATS
from solver.model import RosterModel
from solver.relaxation import named_duals

PARTNER_HOUR = "partner_hour"
ROOM_HOUR = "room_hour"
OFFICER_SHIFT = "officer_shift"
VISIT_SEAT = "visit_seat"
# Duals below this are the solver's rounding, not a price.
NOTHING = 1e-6


@dataclass(frozen=True)
class Price:
    """One purchase and what the relaxation says one unit of it is worth (entitlement points).

    ``subject`` is the room (the first of its pool), the session, or the
    institution of an officer's shift ("" for partner hours); ``start`` and
    ``end`` are week minutes of the room's extra time or the officer's
    shift; ``hours`` is what one unit covers (the value is per unit).
    """

    purchase: str
    subject: str
    start: int | None
    end: int | None
    hours: float
    value: float


def _partner(duals: dict[str, float]) -> list[Price]:
    per_minute = duals.get(PARTNER_CAP, 0.0)
    for name, dual in duals.items():
        if name.startswith(f"{PARTNER_PLACES}:"):
            per_minute += dual * int(name.rsplit(":", 1)[1])
    return [Price(PARTNER_HOUR, "", None, None, 1.0, max(0.0, per_minute * 60))]


def _rooms(built: RosterModel, duals: dict[str, float]) -> list[Price]:
    """Give per pool of individual activities the best window of one more unit, per hour."""
    moments: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for name, dual in duals.items():
        if name.startswith(f"{ROOM}:"):
            _, pool_id, minute = name.rsplit(":", 2)
            moments[pool_id].append((int(minute), dual))
    found = []
    for pool_id, points in moments.items():
        pool = built.candidates.pools[pool_id]
        if pool.kind == VISIT_HALL:
            continue
        longest = max(
            (a.minutes for a in built.problem.activities if a.room_kind == pool.kind), default=60
        )
        length = longest + pool.changeover
        best = max(
            (sum(d for m, d in points if start <= m < start + length), start) for start, _ in points
        )
        value, start = best
        hours = length / 60
        found.append(
            Price(ROOM_HOUR, pool.rooms[0], start, start + length, hours, max(0.0, value) / hours)
        )
    return found


def _officers(built: RosterModel, duals: dict[str, float]) -> list[Price]:
    sessions = {s.session: s for s in built.candidates.sessions}
    activity = built.problem.activity_by_id
    found = []
    for name, dual in duals.items():
        if not name.startswith(f"{OFFICERS}:"):
            continue
        parts = name.split(":")
        if len(parts) == 2:
            session = sessions[parts[1]]
            institution = built.candidates.pools[session.pool].institution
            start, end = session.start, session.end
        else:
            institution, start = parts[1], int(parts[3])
            end = start + activity[parts[2]].minutes
        found.append(
            Price(OFFICER_SHIFT, institution, start, end, (end - start) / 60, max(0.0, -dual))
        )
    return found


def _seats(built: RosterModel, duals: dict[str, float]) -> list[Price]:
    found = []
    for session in built.candidates.sessions:
        pool = built.candidates.pools[session.pool]
        if pool.kind != VISIT_HALL:
            continue
        value = duals.get(f"{SEATS}:{session.session}", 0.0)
        value += duals.get(f"{ROOM}:{session.pool}:{session.start}", 0.0)
        hours = (session.end - session.start) / 60
        found.append(
            Price(VISIT_SEAT, session.session, session.start, session.end, hours, max(0.0, value))
        )
    return found


def prices(problem: Problem, seconds: float = 10.0) -> list[Price]:
    """Give the price of each purchase, best first; the best room window and officer shift only.

    Empty when the relaxation gives no duals within ``seconds``.
    """
    built = RosterModel(problem)
    built.model.maximize(built.terms.expressions["entitlements"])
    duals = named_duals(built.model, seconds)
    if duals is None:
        return []
    found = _partner(duals) + _rooms(built, duals) + _seats(built, duals)
    shifts = _officers(built, duals)
    by_institution: dict[str, Price] = {}
    for shift in sorted(shifts, key=lambda p: (-p.value, p.start or 0)):
        by_institution.setdefault(shift.subject, shift)
    seats = [p for p in found if p.purchase == VISIT_SEAT]
    best_seat = sorted(seats, key=lambda p: (-p.value, p.start or 0))[:1]
    found = [p for p in found if p.purchase != VISIT_SEAT] + best_seat
    found += list(by_institution.values())
    return sorted(
        (p if p.value > NOTHING else _zero(p) for p in found),
        key=lambda p: (-p.value, p.purchase, p.subject),
    )


def _zero(price: Price) -> Price:
    return Price(price.purchase, price.subject, price.start, price.end, price.hours, 0.0)
