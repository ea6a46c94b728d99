"""Rosters on fixtures/tiny.json that each break one hard rule, and nothing else.

``CASES`` maps a name to (the rule, a function that gives the changed week and
its roster's assignments, how the message begins); the checker's tests and the
``validate`` command's tests both break rules with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scheduler.domain import Assignment, Problem
from tests.kit.rosters import at, base, replace, slot, variant, without

Case = Callable[[Problem], tuple[Problem, list[Assignment]]]


def _policy(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["policy"].update(fields)

    return change


def _item(field: str, key: str, **fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for item in data[field]:
            if item["id"] == key:
                item.update(fields)

    return change


def _extra_visit_hall_on_saturday(data: dict[str, Any]) -> None:
    data["rooms"].append(
        {"id": "VH-BZ2", "institution": "PI-VH", "kind": "visit_hall", "capacity": 2,
         "open": [{"day": "sat", "start": "13:00", "end": "17:00"}]}
    )  # fmt: skip
    data["sessions"].append(
        {"id": "S-BZ2-SAT", "activity": "regular_visit", "room": "VH-BZ2",
         "start": "2027-02-06T14:30:00+01:00", "capacity": 2}
    )  # fmt: skip
    for key in ("V-X1", "V-X2"):
        data["volunteers"].append(
            {"id": key, "organisation": "Exodus", "institutions": ["PI-VH"], "max_hours_week": 4,
             "available": [{"day": "sat", "start": "13:00", "end": "17:00"}],
             "activities": ["regular_visit"]}
        )  # fmt: skip
    data["officers"].append(
        {
            "id": "O-03",
            "institution": "PI-VH",
            "shifts": [{"day": "sat", "start": "07:00", "end": "19:00"}],
        }
    )
    data["policy"]["partner_cap_hours"] = 10
    for father in data["fathers"]:
        if father["id"] == "F-003":
            father["other_parent_consent"] = True


def _second_family_room_on_wednesday(data: dict[str, Any]) -> None:
    data["rooms"].append(
        {"id": "VH-FK2", "institution": "PI-VH", "kind": "family_room", "capacity": 1,
         "open": [{"day": "wed", "start": "13:00", "end": "17:00"}]}
    )  # fmt: skip


def _second_institution(data: dict[str, Any]) -> None:
    data["institutions"].append({"id": "PI-LW", "name": "PI Leeuwarden"})
    data["fathers"].append({"id": "F-005", "institution": "PI-LW", "shell": 3})


def _closure_monday(data: dict[str, Any]) -> None:
    for room in data["rooms"]:
        if room["id"] == "VH-BB1":
            room["closed"] = [
                {"start": "2027-02-01T16:00:00+01:00", "end": "2027-02-01T16:15:00+01:00"}
            ]


def _open_video_on_tuesday(data: dict[str, Any]) -> None:
    for room in data["rooms"]:
        if room["id"] == "VH-BB1":
            room["open"].append({"day": "tue", "start": "15:00", "end": "18:00"})


def _same(
    change: Callable[[dict[str, Any]], None] | None,
    edit: Callable[[list[Assignment]], list[Assignment]],
) -> Case:
    def case(tiny: Problem) -> tuple[Problem, list[Assignment]]:
        problem = tiny if change is None else variant(tiny, change)
        return problem, edit(base())

    return case


def _add(
    *extra: Assignment, drop: tuple[str, ...] = ()
) -> Callable[[list[Assignment]], list[Assignment]]:
    return lambda assignments: without(assignments, *drop) + list(extra)


def _unchanged(assignments: list[Assignment]) -> list[Assignment]:
    return assignments


def _pin(key: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        pinned = next(a for a in base() if a.id == key)
        data["pinned"] = [pinned.model_dump(mode="json") | {"pinned": True}]

    return change


COOKING_F002 = slot("A5", "cooking_together", "thu", "16:30", 120, "VH-KK", ["F-002"], ["V-EX1"],
                    ["O-01"],
                    session="S-KK-THU")  # fmt: skip

# Each case breaks one rule and nothing else: (rule, the broken roster, what the message says).
CASES: dict[str, tuple[str, Case, str]] = {
    "unknown father": (
        "reference",
        _same(None, lambda a: replace(a, "A3", fathers=["F-404"])),
        "assignments[2].fathers[0]: unknown father 'F-404'",
    ),
    "end is not start plus minutes": (
        "reference",
        _same(None, lambda a: replace(a, "A3", end=at("mon", "16:15"))),
        "assignments[2].end: lasts 15 min, video_call lasts 30 min",
    ),
    "session of another day": (
        "reference",
        _same(None, lambda a: replace(a, "A1", session="S-BZ-SAT")),
        "assignments[0].start: session S-BZ-SAT starts 2027-02-06T14:00+01:00",
    ),
    "session activity without session": (
        "reference",
        _same(None, lambda a: replace(a, "A1", session=None)),
        "assignments[0].session: regular_visit runs only in sessions",
    ),
    "individual activity without a father": (
        "reference",
        _same(None, lambda a: replace(a, "A3", fathers=[])),
        "assignments[2].fathers: video_call is for one father, not 0",
    ),
    "room of the wrong kind": (
        "reference",
        _same(
            None,
            lambda a: replace(
                a, "A4", room="VH-BZ", start=at("wed", "16:00"), end=at("wed", "16:30")
            ),
        ),
        "assignments[3].room: 'VH-BZ' is a visit_hall, video_call needs a video_station",
    ),
    "father of another institution": (
        "institution",
        _same(
            _second_institution,
            _add(slot("A5", "video_call", "fri", "16:00", 30, "VH-BB1", ["F-005"])),
        ),
        "father F-005 of PI-LW is placed in room VH-BB1 of PI-VH",
    ),
    "time-out day": (
        "eligibility",
        _same(None, _add(COOKING_F002, drop=("A2",))),
        "father F-002 is on time-out on thu 2027-02-04 "
        "(effective shell 2; cooking_together needs 3)",
    ),
    "shell 1 father in a video call": (
        "eligibility",
        _same(None, _add(slot("A5", "video_call", "wed", "16:00", 30, "VH-BB1", ["F-004"]))),
        "father F-004 is in shell 1 (video_call needs 2 or 3)",
    ),
    "no information-sharing consent": (
        "eligibility",
        _same(_item("fathers", "F-002", info_sharing_consent=False), _unchanged),
        "father F-002 has no information-sharing consent "
        "(effective shell 1; video_call needs 2 or 3)",
    ),
    "not enrolled": (
        "eligibility",
        _same(_item("activities", "video_call", needs_enrolment=True), lambda a: without(a, "A4")),
        "father F-002 is not enrolled in video_call",
    ),
    "no consent of the other parent": (
        "consent",
        _same(None, _add(slot("A5", "video_call", "fri", "16:00", 30, "VH-BB1", ["F-003"]))),
        "father F-003 has no consent of the other parent (video_call has the child present)",
    ),
    "two video calls on one day": (
        "entitlement",
        _same(
            None,
            _add(
                slot("A5", "video_call", "wed", "16:00", 30, "VH-BB1", ["F-001"]),
                slot("A6", "video_call", "wed", "16:30", 30, "VH-BB1", ["F-001"]),
            ),
        ),
        "father F-001 has 2 video_call on wed 2027-02-03 (at most 1 a day)",
    ),  # fmt: skip
    "two video calls during the time-out": (
        "entitlement",
        _same(
            None,
            _add(
                slot("A5", "video_call", "wed", "16:00", 30, "VH-BB1", ["F-002"]),
                slot("A6", "video_call", "fri", "16:00", 30, "VH-BB1", ["F-002"]),
            ),
        ),
        "father F-002 has 2 video_call on wed, thu, fri, sat, sun "
        "(at most 0: 1 less 1 on mon, tue)",
    ),  # fmt: skip
    "plan lowers the week": (
        "entitlement",
        _same(
            _item("fathers", "F-001", plan={"video_call": 1}),
            _add(slot("A5", "video_call", "wed", "16:00", 30, "VH-BB1", ["F-001"])),
        ),
        "father F-001 has 2 video_call in the week (at most 1)",
    ),
    "school hours": (
        "school_hours",
        _same(_policy(school_hours=[{"day": "mon", "start": "08:30", "end": "17:00"}]), _unchanged),
        "father F-001 has a child aged 4 to 12 and video_call 2027-02-01T16:30+01:00 to 17:00 "
        "falls in school hours",
    ),
    "father unavailable": (
        "father_unavailable",
        _same(
            _item(
                "fathers",
                "F-001",
                unavailable=[
                    {"start": "2027-02-01T16:15:00+01:00", "end": "2027-02-01T16:45:00+01:00"}
                ],
            ),
            _unchanged,
        ),
        "father F-001 is unavailable 2027-02-01T16:15+01:00 to 2027-02-01T16:45+01:00",
    ),  # fmt: skip
    "double-booked father": (
        "double_booking",
        _same(
            _open_video_on_tuesday,
            _add(slot("A5", "video_call", "tue", "15:30", 30, "VH-BB1", ["F-001"])),
        ),
        "father F-001 is in A2 and A5 at the same time (2027-02-02T15:30+01:00)",
    ),
    "double-booked volunteer and officer": (
        "double_booking",
        _same(
            _second_family_room_on_wednesday,
            _add(
                slot(
                    "A5",
                    "family_room_visit",
                    "wed",
                    "14:00",
                    90,
                    "VH-FK2",
                    ["F-002"],
                    ["V-EX1"],
                    ["O-01"],
                )
            ),
        ),
        "volunteer V-EX1 is in A1 and A5 at the same time (2027-02-03T14:00+01:00)",
    ),
    "over-full family room in the changeover": (
        "room_capacity",
        _same(
            None,
            _add(
                slot(
                    "A5",
                    "family_room_visit",
                    "tue",
                    "16:30",
                    90,
                    "VH-FK",
                    ["F-002"],
                    ["V-EX1"],
                    ["O-01"],
                )
            ),
        ),
        "room VH-FK holds 2 families at 2027-02-02T16:30+01:00 (capacity 1)",
    ),
    "session over its seats": (
        "room_capacity",
        _same(_item("sessions", "S-BZ-WED", capacity=1), _unchanged),
        "session S-BZ-WED seats 2 fathers (capacity 1)",
    ),
    "room not open": (
        "room_closed",
        _same(None, lambda a: replace(a, "A3", start=at("tue", "16:00"), end=at("tue", "16:30"))),
        "room VH-BB1 is not open 2027-02-02T16:00+01:00 to 16:30 (video_call)",
    ),
    "room closed": (
        "room_closed",
        _same(_closure_monday, _unchanged),
        "room VH-BB1 is closed 2027-02-01T16:00+01:00 to 2027-02-01T16:15+01:00",
    ),
    "outside the activity's windows": (
        "activity_window",
        _same(
            _item(
                "activities",
                "video_call",
                windows=[{"day": "mon", "start": "16:00", "end": "16:30"}],
            ),
            _unchanged,
        ),
        "video_call 2027-02-01T16:30+01:00 to 17:00 is outside its allowed windows",
    ),
    "off the slot grid": (
        "slot_grid",
        _same(
            None,
            lambda a: replace(
                without(a, "A4"), "A3", start=at("mon", "16:10"), end=at("mon", "16:40")
            ),
        ),
        "video_call starts at 2027-02-01T16:10+01:00, not on the 15-minute grid",
    ),
    "volunteer missing": (
        "staff",
        _same(None, lambda a: replace(a, "A2", volunteers=[])),
        "family_room_visit needs 1 volunteer(s), has 0",
    ),
    "volunteer listed twice": (
        "staff",
        _same(None, lambda a: replace(a, "A1", volunteers=["V-EX1", "V-EX1"])),
        "volunteer V-EX1 is listed 2 times",
    ),
    "volunteer who may not do it": (
        "staff",
        _same(_item("volunteers", "V-EX1", activities=["regular_visit"]), _unchanged),
        "volunteer V-EX1 may not do family_room_visit",
    ),
    "officer off shift": (
        "staff",
        _same(None, lambda a: replace(a, "A2", officers=["O-02"])),
        "officer O-02 is not on shift 2027-02-02T15:00+01:00 to 16:30",
    ),
    "partner cap": (
        "partner_cap",
        _same(
            None,
            _add(
                slot(
                    "A5",
                    "regular_visit",
                    "sat",
                    "14:00",
                    60,
                    "VH-BZ",
                    ["F-002"],
                    ["V-HU1", "V-GN1"],
                    ["O-02"],
                    session="S-BZ-SAT",
                ),
                slot(
                    "A6",
                    "family_room_visit",
                    "sat",
                    "10:00",
                    90,
                    "VH-FK",
                    ["F-001"],
                    ["V-HU1"],
                    ["O-02"],
                ),
            ),
        ),
        "volunteers work 7 h together (partner cap 6 h)",
    ),  # fmt: skip
    "partner cap lowered": (
        "partner_cap",
        _same(_policy(partner_cap_hours=3), _unchanged),
        "volunteers work 3.5 h together (partner cap 3 h)",
    ),
    "volunteer past own maximum": (
        "volunteer_max_hours",
        _same(
            None,
            _add(
                slot(
                    "A5",
                    "cooking_together",
                    "thu",
                    "16:30",
                    120,
                    "VH-KK",
                    ["F-001"],
                    ["V-EX1"],
                    ["O-01"],
                    session="S-KK-THU",
                ),
            ),
        ),
        "volunteer V-EX1 works 4.5 h (at most 4 h)",
    ),  # fmt: skip
    "pinned assignment missing": (
        "pinned",
        _same(_pin("A4"), lambda a: without(a, "A4")),
        "pinned assignment A4 is missing",
    ),
    "pinned assignment moved": (
        "pinned",
        _same(
            _pin("A4"), lambda a: replace(a, "A4", start=at("wed", "16:00"), end=at("wed", "16:30"))
        ),
        "pinned assignment A4 changed start: 2027-02-03T16:00+01:00 "
        "(pinned 2027-02-01T16:30+01:00)",
    ),
    "kept-apart fathers share a session": (
        "non_association",
        _same(
            _extra_visit_hall_on_saturday,
            _add(
                slot(
                    "A5",
                    "regular_visit",
                    "sat",
                    "14:00",
                    60,
                    "VH-BZ",
                    ["F-003", "F-004"],
                    ["V-HU1", "V-GN1"],
                    ["O-02"],
                    session="S-BZ-SAT",
                ),
                drop=("A1",),
            ),
        ),
        "fathers F-003 and F-004 must be kept apart but share A5",
    ),  # fmt: skip
    "kept-apart fathers in the visit hall at once": (
        "non_association",
        _same(
            _extra_visit_hall_on_saturday,
            _add(
                slot(
                    "A5",
                    "regular_visit",
                    "sat",
                    "14:00",
                    60,
                    "VH-BZ",
                    ["F-003"],
                    ["V-HU1", "V-GN1"],
                    ["O-02"],
                    session="S-BZ-SAT",
                ),
                slot(
                    "A6",
                    "regular_visit",
                    "sat",
                    "14:30",
                    60,
                    "VH-BZ2",
                    ["F-004"],
                    ["V-X1", "V-X2"],
                    ["O-03"],
                    session="S-BZ2-SAT",
                ),
                drop=("A1",),
            ),
        ),
        "fathers F-004 and F-003 must be kept apart but are both in the visit hall at "
        "2027-02-06T14:30+01:00 (A5 and A6)",
    ),  # fmt: skip
}
