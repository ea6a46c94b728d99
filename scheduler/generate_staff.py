"""The staff of a generated week: officers on a rota, volunteers, every session staffed.

``scheduler.generate`` builds a week institution by institution; once its
sessions are placed, the officers and volunteers are added here and every
session is given enough of them on shift and available, as a real rota would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Any

from scheduler.catalogue import (
    ORGANISATIONS,
    SHIFTS,
    VOLUNTEER_ACTIVITIES,
    VOLUNTEER_BLOCKS,
    officer_count,
    volunteer_count,
)
from scheduler.domain import Activity
from scheduler.spans import inside
from scheduler.week import DAYS, clock_minutes, clock_text, week_minute


def window(day: str, start: str, end: str) -> dict[str, str]:
    """Give a weekly window as the contract writes it."""
    return {"day": day, "start": start, "end": end}


# The same few windows are asked about for every session; each is read once.
window_minute = cache(week_minute)


def contains(windows: list[dict[str, str]], low: int, high: int) -> bool:
    """Tell whether [low, high) lies inside one of the windows (as JSON)."""
    spans = (
        (window_minute(w["day"], w["start"]), window_minute(w["day"], w["end"])) for w in windows
    )
    return inside(spans, low, high)


@dataclass
class DraftSession:
    """A session of the week being generated: its JSON, its activity and its week minutes."""

    data: dict[str, Any]
    activity: Activity
    low: int
    high: int


class StaffBuilder:
    """Adds a generated institution's officers and volunteers and staffs its sessions."""

    rng: random.Random
    institution_ids: list[str]
    officer_width: int
    volunteer_width: int
    officers: list[dict[str, Any]]
    volunteers: list[dict[str, Any]]

    def _officers(self, institution: str, size: int) -> list[dict[str, Any]]:
        """Give the institution's officers on a rota of four or five days in a row."""
        rng = self.rng
        officers: list[dict[str, Any]] = []
        for index in range(officer_count(size)):
            first = (index * 3) % 7
            length = 5 if rng.random() < 0.7 else 4
            shifts = []
            for day in sorted((first + step) % 7 for step in range(length)):
                early, late = SHIFTS[day >= 5]
                start, end = early if (index + day) % 2 == 0 else late
                shifts.append(window(DAYS[day], start, end))
            number = len(self.officers) + len(officers) + 1
            officers.append(
                {
                    "id": f"O-{number:0{self.officer_width}d}",
                    "institution": institution,
                    "shifts": shifts,
                }
            )
        return officers

    def _staff_officers(
        self, institution: str, officers: list[dict[str, Any]], session: DraftSession
    ) -> None:
        """Give a session enough officers on shift, adding a shift to an officer free that day."""
        needed = session.activity.officers
        covering = (o for o in officers if contains(o["shifts"], session.low, session.high))
        on_shift = list(islice(covering, needed))
        day = session.low // 1440
        while len(on_shift) < needed:
            free = [o for o in officers if all(w["day"] != DAYS[day] for w in o["shifts"])]
            if free:
                officer = min(free, key=lambda o: len(o["shifts"]))
            else:
                number = len(self.officers) + len(officers) + 1
                officer = {
                    "id": f"O-{number:0{self.officer_width}d}",
                    "institution": institution,
                    "shifts": [],
                }
                officers.append(officer)
            officer["shifts"].append(self._shift_covering(session))
            officer["shifts"].sort(key=lambda w: DAYS.index(w["day"]))
            on_shift.append(officer)

    def _shift_covering(self, session: DraftSession) -> dict[str, str]:
        day, low = divmod(session.low, 1440)
        high = session.high - day * 1440
        for start, end in SHIFTS[day >= 5]:
            if clock_minutes(start) <= low and high <= clock_minutes(end):
                return window(DAYS[day], start, end)
        return window(DAYS[day], clock_text(max(0, low - 60)), clock_text(min(1440, high + 60)))

    def _volunteers(
        self, institution: str, index: int, size: int, fathers: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        rng = self.rng
        organisation = rng.randrange(len(ORGANISATIONS))
        volunteers: list[dict[str, Any]] = []
        for position in range(volunteer_count(size)):
            number = len(self.volunteers) + len(volunteers) + 1
            institutions = [institution]
            # A few volunteers of a region also serve the next institution.
            if len(self.institution_ids) > 1 and rng.random() < 0.1:
                institutions.append(self.institution_ids[(index + 1) % len(self.institution_ids)])
            blocks = rng.sample(VOLUNTEER_BLOCKS, rng.randint(2, 4))
            activities = [name for name, chance in VOLUNTEER_ACTIVITIES if rng.random() < chance]
            if not {"regular_visit", "family_room_visit"} & set(activities):
                activities.insert(0, "regular_visit")
            volunteers.append(
                {
                    "id": f"V-{number:0{self.volunteer_width}d}",
                    "organisation": ORGANISATIONS[(organisation + position) % len(ORGANISATIONS)],
                    "institutions": institutions,
                    "available": [
                        window(*w) for w in sorted(blocks, key=lambda w: (DAYS.index(w[0]), w[1]))
                    ],
                    "max_hours_week": float(rng.choice((4, 6, 6, 8, 8, 10, 12))),
                    "activities": activities,
                    "linked_fathers": [],
                }
            )
        self._link(volunteers, fathers)
        return volunteers

    def _link(self, volunteers: list[dict[str, Any]], fathers: list[dict[str, Any]]) -> None:
        """Link about half the shell 2 and 3 families to a volunteer who may escort them."""
        rng = self.rng
        escorts = [
            v for v in volunteers if {"regular_visit", "family_room_visit"} & set(v["activities"])
        ]
        families = [father for father in fathers if father["shell"] >= 2]
        rng.shuffle(families)
        offset = rng.randrange(len(escorts))
        for position, father in enumerate(families[: len(families) // 2]):
            volunteer = escorts[(offset + position) % len(escorts)]
            volunteer["linked_fathers"].append(father["id"])
            father["linked_volunteer"] = volunteer["id"]
        for volunteer in escorts:
            volunteer["linked_fathers"].sort()

    def _staff_volunteers(self, volunteers: list[dict[str, Any]], session: DraftSession) -> None:
        """Give a session enough volunteers who may do it, escorts too, widening what some offer."""
        activity = session.activity.id

        def able(volunteer: dict[str, Any]) -> bool:
            return activity in volunteer["activities"] and contains(
                volunteer["available"], session.low, session.high
            )

        needed = session.activity.volunteers + session.activity.escorts
        count = len(list(islice((v for v in volunteers if able(v)), needed)))
        if count == needed:
            return
        day = DAYS[session.low // 1440]
        # Volunteers already there that day are asked first, then those who do least.
        candidates = sorted(
            (v for v in volunteers if not able(v)),
            key=lambda v: (
                not contains(v["available"], session.low, session.high),
                len(v["activities"]),
            ),
        )
        for volunteer in candidates[: needed - count]:
            if activity not in volunteer["activities"]:
                volunteer["activities"].append(activity)
            if not contains(volunteer["available"], session.low, session.high):
                volunteer["available"].append(self._block_covering(day, session))
                volunteer["available"].sort(key=lambda w: (DAYS.index(w["day"]), w["start"]))

    def _block_covering(self, day: str, session: DraftSession) -> dict[str, str]:
        for block in VOLUNTEER_BLOCKS:
            if block[0] == day and contains([window(*block)], session.low, session.high):
                return window(*block)
        offset = DAYS.index(day) * 1440
        low = max(0, session.low - offset - 30)
        high = min(1440, session.high - offset + 30)
        return window(day, clock_text(low), clock_text(high))
