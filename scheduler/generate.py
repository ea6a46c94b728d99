"""Seeded, realistic weeks of pseudonymous fathers, for tests, benchmarks and what-if analysis.

``generate_problem`` builds one week of one or more institutions from the
default catalogue and the generator's templates (``scheduler.catalogue``) with the ratios of
the programme (docs/design.md section 8): about 10% of the fathers on the father
wing (shell 3, 12 to 24 on a wing), 25% in shell 2, the rest in shell 1. Each
institution has one family room, two video stations (one per 100 fathers in a
large one), visit halls whose sessions seat most but not all fathers, an
activity room with the father-child day and the trainings, a wing room and a
kitchen for the wing's day programme, officers on early and late shifts and
volunteers of the three network partners.

Demand exceeds capacity as it does in practice: the family room, the video
stations and the partners' one fte are the bottlenecks, so a solver has real
choices to make. The visit sessions seat 85 to 90% of an institution's
fathers (``visit_seats``): the visit hall is short too, and the regular
visit needs no volunteer, only its wanted escorts do.

Partner cap: a problem for a named ``region`` shares one fte (36 hours) over
all its institutions, as a real region does; without a region every
institution brings its own fte, so the cap is 36 hours per institution.

The same arguments give the same problem, byte for byte.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from scheduler.catalogue import (
    FAMILY_DAY_SEATS,
    FATHER_CHILD_DAY_SEATS,
    FTE_HOURS,
    KITCHEN_SEATS,
    PLANS,
    PREFERRED_WINDOWS,
    ROOM_KINDS,
    SESSION_STARTS,
    TRAINING_SEATS,
    VISIT_SEAT_SHARE,
    VISIT_SEATS,
    Catalogue,
    argument_errors,
    default_catalogue,
    institution_names,
    officer_count,
    split,
    volunteer_count,
    wing_size,
)
from scheduler.domain import Activity, Problem, ProblemError, parse_problem
from scheduler.generate_staff import DraftSession, StaffBuilder, window, window_minute
from scheduler.spans import overlaps
from scheduler.week import DAYS, WeekClock, clock_minutes


def _width(count: int, least: int) -> int:
    return max(least, len(str(count)))


@dataclass
class _Room:
    data: dict[str, Any]
    busy: list[tuple[int, int]] = field(default_factory=list)


class _WeekBuilder(StaffBuilder):
    """Builds the JSON of one generated week, institution by institution."""

    def __init__(
        self, rng: random.Random, clock: WeekClock, catalogue: Catalogue, sizes: list[int]
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.activities = {activity.id: activity for activity in catalogue.activities}
        self.institution_ids = [f"PI-{code}" for code, _ in institution_names(len(sizes))]
        self.father_width = _width(sum(sizes), 4)
        self.volunteer_width = _width(sum(volunteer_count(size) for size in sizes), 3)
        self.officer_width = _width(sum(officer_count(size) for size in sizes), 2)
        self.rooms: list[_Room] = []
        self.sessions: list[DraftSession] = []
        self.volunteers: list[dict[str, Any]] = []
        self.officers: list[dict[str, Any]] = []
        self.fathers: list[dict[str, Any]] = []

    def moment(self, minute: int) -> str:
        """Give the ISO text of a week minute."""
        return self.clock.moment(minute).isoformat()

    def add_institution(self, index: int, code: str, size: int) -> None:
        """Add one institution's fathers, rooms, sessions, officers and volunteers."""
        institution = self.institution_ids[index]
        fathers = self._fathers(institution, size)
        self._timeouts(fathers)
        self._non_associations(fathers)
        rooms = self._rooms(institution, code, size)
        sessions = self._sessions(institution, code, rooms, fathers)
        officers = self._officers(institution, size)
        volunteers = self._volunteers(institution, index, size, fathers)
        for session in sessions:
            self._staff_officers(institution, officers, session)
            self._staff_volunteers(volunteers, session)
        self.fathers += fathers
        self.officers += officers
        self.volunteers += volunteers
        self.sessions += sorted(sessions, key=lambda s: (s.low, s.data["room"]))

    # Fathers.

    def _fathers(self, institution: str, size: int) -> list[dict[str, Any]]:
        rng = self.rng
        wing = wing_size(size)
        second = round(0.25 * size)
        shells = [3] * wing + [2] * second + [1] * (size - wing - second)
        rng.shuffle(shells)
        fathers: list[dict[str, Any]] = []
        others = 0
        for shell in shells:
            number = len(self.fathers) + len(fathers) + 1
            if shell == 3:
                ward = "vaderafdeling"
            else:
                block, letter = divmod(others // 60, 26)
                ward = f"{chr(ord('A') + letter)}{block + 1 if block else ''}-vleugel"
                others += 1
            fathers.append(
                self._father(institution, f"F-{number:0{self.father_width}d}", shell, ward)
            )
        return fathers

    def _father(self, institution: str, father_id: str, shell: int, ward: str) -> dict[str, Any]:
        rng = self.rng
        enrolments = []
        if rng.random() < 0.12:
            enrolments.append("training_my_child_and_i")
        if shell >= 2 and rng.random() < 0.25:
            enrolments.append("workshop")
        preferred = []
        if shell >= 2 and rng.random() < 0.35:
            chosen = rng.sample(PREFERRED_WINDOWS, rng.randint(1, 2))
            preferred = [window(*w) for w in sorted(chosen, key=lambda w: (DAYS.index(w[0]), w[1]))]
        plan = dict(rng.choice(PLANS[shell])) if rng.random() < 0.08 else {}
        return {
            "id": father_id,
            "institution": institution,
            "shell": shell,
            "info_sharing_consent": rng.random() >= 0.05,
            "other_parent_consent": rng.random() >= 0.05,
            "timeouts": [],
            "children": self._children(father_id, shell),
            "unavailable": self._unavailable() if rng.random() < 0.15 else [],
            "preferred": preferred,
            "linked_volunteer": None,
            "enrolments": enrolments,
            "plan": plan,
            "non_associations": [],
            "ward": ward,
        }

    def _children(self, father_id: str, shell: int) -> list[dict[str, str]]:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), weights=(45, 32, 16, 7))[0]
        ages = [rng.randrange(0, 18 * 365) for _ in range(count)]
        # Babies are what the wing's baby bath is for: some wing fathers have one.
        if shell == 3 and rng.random() < 0.25:
            ages[0] = rng.randrange(14, 340)
        monday = self.clock.monday
        return [
            {
                "id": f"C-{father_id[2:]}{chr(ord('a') + n)}",
                "birth_date": (monday - timedelta(days=age)).isoformat(),
            }
            for n, age in enumerate(sorted(ages, reverse=True))
        ]

    def _unavailable(self) -> list[dict[str, str]]:
        rng = self.rng
        kind = rng.choice(("court", "medical", "work"))
        if kind == "court":
            spans = [(rng.randrange(5), clock_minutes("08:30"), clock_minutes("16:00"))]
        elif kind == "medical":
            start = rng.randrange(9 * 4, 16 * 4) * 15
            spans = [(rng.randrange(5), start, start + rng.choice((60, 90, 120)))]
        else:
            days = sorted(rng.sample(range(5), rng.randint(2, 3)))
            spans = [(day, clock_minutes("13:00"), clock_minutes("16:30")) for day in days]
        return [
            {"start": self.moment(day * 1440 + low), "end": self.moment(day * 1440 + high)}
            for day, low, high in spans
        ]

    def _timeouts(self, fathers: list[dict[str, Any]]) -> None:
        """Put a few wing fathers on time-out: one from mid-week, others all week, one expired."""
        rng = self.rng
        wing = [father for father in fathers if father["shell"] == 3]
        if len(wing) < 2:
            return
        active = max(1, round(len(wing) / 8))
        chosen = rng.sample(wing, min(len(wing), active + (1 if len(wing) >= 4 else 0)))
        monday = self.clock.monday
        for position, father in enumerate(chosen):
            if position == 0:
                start = monday + timedelta(days=rng.choice((2, 3)))
            elif position < active:
                start = monday - timedelta(days=rng.randrange(7, 35))
            else:
                start = monday - timedelta(days=rng.randrange(43, 90))
            father["timeouts"] = [{"start": start.isoformat()}]

    def _non_associations(self, fathers: list[dict[str, Any]]) -> None:
        rng = self.rng
        for _ in range(max(1, len(fathers) // 40)):
            first, second = rng.sample(fathers, 2)
            if second["id"] not in first["non_associations"]:
                first["non_associations"].append(second["id"])
            if rng.random() < 0.5 and first["id"] not in second["non_associations"]:
                second["non_associations"].append(first["id"])

    # Rooms and sessions.

    def _rooms(self, institution: str, code: str, size: int) -> dict[str, list[_Room]]:
        rooms: dict[str, list[_Room]] = {kind: [] for kind in ROOM_KINDS}
        self._new_room(institution, code, rooms, "family_room")
        for _ in range(max(2, round(size / 100))):
            self._new_room(institution, code, rooms, "video_station")
        # Some institutions close the family room for an evening (maintenance, staff training).
        if self.rng.random() < 0.3:
            day = self.rng.randrange(5)
            family_room = rooms["family_room"][0].data
            family_room["closed"].append(
                {
                    "start": self.moment(day * 1440 + clock_minutes("15:00")),
                    "end": self.moment(day * 1440 + clock_minutes("20:30")),
                }
            )
        return rooms

    def _new_room(
        self, institution: str, code: str, rooms: dict[str, list[_Room]], kind: str
    ) -> _Room:
        template = ROOM_KINDS[kind]
        number = len(rooms[kind]) + 1
        suffix = f"{template.code}{number}" if template.numbered else template.code
        room = _Room(
            {
                "id": f"{code}-{suffix}",
                "institution": institution,
                "kind": kind,
                "capacity": template.capacity,
                "changeover_minutes": template.changeover_minutes,
                "open": [window(*w) for w in template.open],
                "closed": [],
            }
        )
        rooms[kind].append(room)
        self.rooms.append(room)
        return room

    def _sessions(
        self,
        institution: str,
        code: str,
        rooms: dict[str, list[_Room]],
        fathers: list[dict[str, Any]],
    ) -> list[DraftSession]:
        rng = self.rng
        size = len(fathers)
        wing = sum(1 for father in fathers if father["shell"] == 3)
        training = sum(1 for father in fathers if "training_my_child_and_i" in father["enrolments"])
        workshop = sum(1 for father in fathers if "workshop" in father["enrolments"])
        wanted: list[tuple[str, int, int]] = [
            ("father_child_day", max(1, round(size / 150)), FATHER_CHILD_DAY_SEATS),
            # A family day is not held every week: about half the institutions have one.
            (
                "family_day",
                max(1, round(size / 200)) if rng.random() < 0.5 else 0,
                FAMILY_DAY_SEATS,
            ),
            ("training_my_child_and_i", math.ceil(training / TRAINING_SEATS), TRAINING_SEATS),
            ("workshop", math.ceil(workshop / TRAINING_SEATS), TRAINING_SEATS),
            ("theme_meeting", 1 if wing else 0, wing),
            ("creative_afternoon", 1 if wing else 0, wing),
            ("cooking_together", math.ceil(wing / KITCHEN_SEATS), min(KITCHEN_SEATS, wing)),
        ]
        made: list[DraftSession] = []
        seats_for_visits = visit_seats(size)
        visit = self.activities["regular_visit"]
        for seats in split(seats_for_visits, math.ceil(seats_for_visits / VISIT_SEATS)):
            made.append(self._place_session(institution, code, rooms, visit, seats))
        for activity_id, count, seats in wanted:
            activity = self.activities[activity_id]
            for _ in range(count):
                made.append(self._place_session(institution, code, rooms, activity, seats))
        return made

    def _place_session(
        self,
        institution: str,
        code: str,
        rooms: dict[str, list[_Room]],
        activity: Activity,
        seats: int,
    ) -> DraftSession:
        assert activity.room_kind is not None
        kind = activity.room_kind
        starts = SESSION_STARTS[activity.id]
        chosen: tuple[_Room, str, str] | None = None
        for day, start in starts:
            low = window_minute(day, start)
            high = low + activity.minutes
            for room in rooms[kind]:
                if not overlaps(room.busy, low, high):
                    chosen = (room, day, start)
                    break
            if chosen:
                break
        if chosen is None:
            chosen = (self._new_room(institution, code, rooms, kind), *starts[0])
        room, day, start = chosen
        low = window_minute(day, start)
        high = low + activity.minutes
        room.busy.append((low, high))
        capacity = min(seats, room.data["capacity"])
        session = DraftSession(
            {
                "id": f"S-{room.data['id']}-{day}{start.replace(':', '')}",
                "activity": activity.id,
                "room": room.data["id"],
                "start": self.moment(low),
                "capacity": capacity,
            },
            activity,
            low,
            high,
        )
        return session

    def json(
        self,
        problem_id: str,
        week: str,
        names: list[tuple[str, str]],
        catalogue: Catalogue,
        partner_cap_hours: float,
    ) -> dict[str, Any]:
        """Give the JSON of the whole week."""
        policy = catalogue.policy.model_copy(update={"partner_cap_hours": partner_cap_hours})
        return {
            "id": problem_id,
            "week": week,
            "institutions": [
                {"id": institution, "name": name}
                for institution, (_, name) in zip(self.institution_ids, names, strict=True)
            ],
            "policy": policy.model_dump(mode="json"),
            "activities": [activity.model_dump(mode="json") for activity in catalogue.activities],
            "entitlements": {
                str(shell): {name: entry.model_dump(mode="json") for name, entry in table.items()}
                for shell, table in catalogue.entitlements.items()
            },
            "rooms": [room.data for room in self.rooms],
            "sessions": [session.data for session in self.sessions],
            "volunteers": self.volunteers,
            "officers": self.officers,
            "fathers": self.fathers,
            "pinned": [],
        }


def visit_seats(fathers: int) -> int:
    """Give the visit-hall seats of an institution's week: 85 to 90% of its fathers.

    A real shortage, which the what-if must show: the seats nearest 87.5% that
    lie in 85..90%, or the fewest above 85% where no whole number does.
    """
    low = math.ceil(VISIT_SEAT_SHARE[0] * fathers)
    high = math.floor(VISIT_SEAT_SHARE[1] * fathers)
    middle = round((VISIT_SEAT_SHARE[0] + VISIT_SEAT_SHARE[1]) / 2 * fathers)
    return min(max(middle, low), high) if low <= high else low


def generate_problem(
    fathers: int,
    institutions: int = 1,
    seed: int = 0,
    week: str = "2027-W05",
    region: str | None = None,
    partner_cap_hours: float | None = None,
) -> Problem:
    """Give a realistic, pseudonymous week of ``fathers`` fathers in ``institutions`` prisons.

    The same arguments give the same problem. ``region`` names the problem and
    makes its institutions share one partner cap of 36 hours; without it the cap
    is 36 hours per institution. ``partner_cap_hours`` gives the region's own
    cap instead (docs/design.md section 8: the cap belongs to a region's
    network partners). Raises ProblemError naming a bad argument.
    """
    errors = argument_errors(fathers, institutions, week)
    if errors:
        raise ProblemError([f"{name}: {text}" for name, text in errors.items()])
    catalogue = default_catalogue()
    names = institution_names(institutions)
    sizes = split(fathers, institutions)
    builder = _WeekBuilder(random.Random(seed), WeekClock(week), catalogue, sizes)
    for index, ((code, _), size) in enumerate(zip(names, sizes, strict=True)):
        builder.add_institution(index, code, size)
    if partner_cap_hours is not None:
        cap = partner_cap_hours
    else:
        cap = FTE_HOURS if region else FTE_HOURS * institutions
    problem_id = (
        f"{region}-{week}-s{seed}"
        if region
        else f"generated-{fathers}x{institutions}-{week}-s{seed}"
    )
    return parse_problem(builder.json(problem_id, week, names, catalogue, cap))


def problem_json(problem: Problem) -> str:
    """Give the JSON text of a problem, one room, session, volunteer, officer or father a line."""
    data = problem.model_dump(mode="json")
    lines = ["{"]
    for position, (key, value) in enumerate(data.items()):
        comma = "," if position < len(data) - 1 else ""
        if isinstance(value, list | dict) and value:
            items = (
                list(value.items()) if isinstance(value, dict) else [(None, item) for item in value]
            )
            lines.append(f"  {json.dumps(key)}: {'{' if isinstance(value, dict) else '['}")
            for index, (name, item) in enumerate(items):
                label = f"{json.dumps(name)}: " if name is not None else ""
                tail = "," if index < len(items) - 1 else ""
                lines.append(f"    {label}{json.dumps(item, ensure_ascii=False)}{tail}")
            lines.append(f"  {'}' if isinstance(value, dict) else ']'}{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
