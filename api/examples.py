"""Examples for the OpenAPI document: a small valid week and typical requests and answers."""

from __future__ import annotations

from typing import Any

PROBLEM: dict[str, Any] = {
    "id": "example-2027-W05",
    "week": "2027-W05",
    "institutions": [{"id": "PI-VH", "name": "PI Veenhuizen (Esserheem)"}],
    "policy": {"slot_minutes": 15, "partner_cap_hours": 36},
    "activities": [
        {
            "id": "family_room_visit",
            "name": "bezoek in de familiekamer",
            "shells": [2, 3],
            "minutes": 90,
            "room_kind": "family_room",
            "volunteers": 1,
            "officers": 1,
            "placement": "individual",
            "child_present": True,
            "counts_as_visit": True,
        }
    ],
    "entitlements": {
        "2": {"family_room_visit": {"per_week": 1, "max_per_day": 1}},
        "3": {"family_room_visit": {"per_week": 2, "max_per_day": 1}},
    },
    "rooms": [
        {
            "id": "VH-FK",
            "institution": "PI-VH",
            "kind": "family_room",
            "capacity": 1,
            "changeover_minutes": 15,
            "open": [{"day": "sat", "start": "10:00", "end": "17:00"}],
        }
    ],
    "volunteers": [
        {
            "id": "V-EX1",
            "organisation": "Exodus",
            "institutions": ["PI-VH"],
            "available": [{"day": "sat", "start": "10:00", "end": "17:00"}],
            "max_hours_week": 8,
            "activities": ["family_room_visit"],
            "linked_fathers": ["F-001"],
        }
    ],
    "officers": [
        {
            "id": "O-01",
            "institution": "PI-VH",
            "shifts": [{"day": "sat", "start": "07:00", "end": "19:00"}],
        }
    ],
    "fathers": [
        {
            "id": "F-001",
            "institution": "PI-VH",
            "shell": 3,
            "children": [{"id": "C-001a", "birth_date": "2019-05-12"}],
            "linked_volunteer": "V-EX1",
        }
    ],
}

ALLOCATION_REQUEST: dict[str, Any] = {
    "institution": "PI-VH",
    "week": "2027-W05",
    "father": "F-001",
    "activity": "family_room_visit",
    "earliest": "2027-02-06T10:00:00+01:00",
    "latest": "2027-02-06T17:00:00+01:00",
    "preferred": ["2027-02-06T14:00:00+01:00"],
    "hold": False,
}

ASSIGNMENT: dict[str, Any] = {
    "id": "A-3f1c",
    "activity": "family_room_visit",
    "start": "2027-02-06T14:00:00+01:00",
    "end": "2027-02-06T15:30:00+01:00",
    "room": "VH-FK",
    "session": None,
    "fathers": ["F-001"],
    "volunteers": ["V-EX1"],
    "officers": ["O-01"],
    "pinned": False,
}

REFUSAL: dict[str, Any] = {
    "detail": "no slot for 'family_room_visit' for father 'F-001' between the given times",
    "errors": ["no slot for 'family_room_visit' for father 'F-001' between the given times"],
    "reasons": ["capacity:family_room", "no_volunteer"],
    "alternatives": [ASSIGNMENT],
}
