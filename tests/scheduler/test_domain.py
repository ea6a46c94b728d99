"""Loading a week: bad input is refused with a message naming the field and the culprit."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scheduler.domain import (
    Problem,
    ProblemError,
    Roster,
    load_problem,
    load_roster,
    parse_problem,
    read_json,
)

Change = Callable[[dict[str, Any]], None]


@pytest.fixture
def data(fixtures_dir: Path) -> dict[str, Any]:
    """Give the decoded JSON of fixtures/tiny.json, free to change."""
    decoded: dict[str, Any] = read_json(fixtures_dir / "tiny.json")
    return decoded


def refused(data: dict[str, Any]) -> list[str]:
    """Give the messages with which the week is refused (fails when it loads)."""
    with pytest.raises(ProblemError) as caught:
        parse_problem(data)
    return caught.value.messages


def _father(data: dict[str, Any], father_id: str) -> dict[str, Any]:
    return next(f for f in data["fathers"] if f["id"] == father_id)


def test_tiny_loads_with_every_part(fixtures_dir: Path) -> None:
    """The tiny fixture loads: 4 fathers, 4 activities, 4 rooms, 3 sessions, a time-out."""
    problem = load_problem(fixtures_dir / "tiny.json")
    assert [f.id for f in problem.fathers] == ["F-001", "F-002", "F-003", "F-004"]
    assert len(problem.activities) == 4 and len(problem.rooms) == 4 and len(problem.sessions) == 3
    assert problem.father_by_id["F-002"].timeouts[0].start.isoformat() == "2027-02-03"
    assert problem.entitlements[3]["video_call"].per_week == 7
    assert problem.policy.partner_cap_hours == 6


def test_a_loaded_week_survives_a_round_trip_through_json(tiny: Problem) -> None:
    """Dumping a loaded week to JSON and loading it again gives an equal Problem."""
    problem = tiny
    again = parse_problem(json.loads(problem.model_dump_json()))
    assert again == problem


def test_malformed_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    """A file that is not JSON is refused with its path, line and column."""
    path = tmp_path / "week.json"
    path.write_text('{"id": "x",\n  "week": }\n', encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        load_problem(path)
    expected = f"{path}: not valid JSON at line 2, column 11: Expecting value"
    assert caught.value.messages == [expected]


def test_a_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    """A file that cannot be read is refused with its path and the reason."""
    path = tmp_path / "absent.json"
    with pytest.raises(ProblemError) as caught:
        load_problem(path)
    assert caught.value.messages == [f"{path}: cannot be read (No such file or directory)"]


def test_a_roster_file_is_checked_field_by_field(tmp_path: Path) -> None:
    """A roster with an unknown status is refused naming the field and the allowed values."""
    path = tmp_path / "roster.json"
    path.write_text(json.dumps({"problem_id": "p", "week": "2027-W05", "status": "done"}))
    with pytest.raises(ProblemError) as caught:
        load_roster(path)
    assert caught.value.messages == [
        "status: Input should be 'optimal', 'feasible', 'infeasible' or 'unknown'"
    ]
    path.write_text(json.dumps({"problem_id": "p", "week": "2027-W05", "status": "optimal"}))
    assert load_roster(path) == Roster(problem_id="p", week="2027-W05", status="optimal")


REFUSALS: dict[str, tuple[Change, list[str]]] = {
    "wrong type": (
        lambda d: _father(d, "F-001").update(shell="three"),
        ["fathers[0].shell: Input should be a valid integer, unable to parse string as an integer"],
    ),
    "wrong type of a whole part": (
        lambda d: d.update(policy="strict"),
        ["policy: Input should be a valid dictionary or instance of Policy"],
    ),
    "unknown room": (
        lambda d: d["sessions"][0].update(room="VH-XX"),
        ["sessions[0].room: unknown room 'VH-XX'"],
    ),
    "unknown volunteer": (
        lambda d: _father(d, "F-002").update(linked_volunteer="V-99"),
        ["fathers[1].linked_volunteer: unknown volunteer 'V-99'"],
    ),
    "unknown activity of a session": (
        lambda d: d["sessions"][2].update(activity="dance"),
        ["sessions[2].activity: unknown activity 'dance'"],
    ),
    "unknown activity in an enrolment": (
        lambda d: _father(d, "F-004").update(enrolments=["yoga"]),
        ["fathers[3].enrolments[0]: unknown activity 'yoga'"],
    ),
    "unknown activity in a plan": (
        lambda d: _father(d, "F-004").update(plan={"yoga": 1}),
        ["fathers[3].plan.yoga: unknown activity 'yoga'"],
    ),
    "unknown activity of a volunteer": (
        lambda d: d["volunteers"][2]["activities"].append("yoga"),
        ["volunteers[2].activities[1]: unknown activity 'yoga'"],
    ),
    "unknown activity in the entitlement table": (
        lambda d: d["entitlements"]["1"].update(yoga={"per_week": 1}),
        ["entitlements.1.yoga: unknown activity 'yoga'"],
    ),
    "unknown institution of a room": (
        lambda d: d["rooms"][1].update(institution="PI-XX"),
        ["rooms[1].institution: unknown institution 'PI-XX'"],
    ),
    "unknown institution of a father": (
        lambda d: _father(d, "F-003").update(institution="PI-LW"),
        ["fathers[2].institution: unknown institution 'PI-LW'"],
    ),
    "unknown institution of a volunteer": (
        lambda d: d["volunteers"][0]["institutions"].append("PI-LW"),
        ["volunteers[0].institutions[1]: unknown institution 'PI-LW'"],
    ),
    "unknown institution of an officer": (
        lambda d: d["officers"][1].update(institution="PI-LW"),
        ["officers[1].institution: unknown institution 'PI-LW'"],
    ),
    "unknown father linked to a volunteer": (
        lambda d: d["volunteers"][2]["linked_fathers"].append("F-999"),
        ["volunteers[2].linked_fathers[0]: unknown father 'F-999'"],
    ),
    "unknown father to keep apart": (
        lambda d: _father(d, "F-004").update(non_associations=["F-999"]),
        ["fathers[3].non_associations[0]: unknown father 'F-999'"],
    ),
    "a father kept apart from himself": (
        lambda d: _father(d, "F-004").update(non_associations=["F-004"]),
        ["fathers[3].non_associations[0]: 'F-004' is the father himself"],
    ),
    "session outside its room's opening hours": (
        lambda d: d["sessions"][0].update(start="2027-02-03T12:30:00+01:00"),
        [
            "sessions[0].start: 2027-02-03T12:30:00+01:00 to +60 min "
            "is outside the opening hours of room 'VH-BZ'"
        ],
    ),
    "session running past its room's closing time": (
        lambda d: d["sessions"][2].update(start="2027-02-04T17:30:00+01:00"),
        [
            "sessions[2].start: 2027-02-04T17:30:00+01:00 to +120 min "
            "is outside the opening hours of room 'VH-KK'"
        ],
    ),
    "session outside the week": (
        lambda d: d["sessions"][1].update(start="2027-02-13T14:00:00+01:00"),
        ["sessions[1].start: 2027-02-13T14:00:00+01:00 is outside week 2027-W05"],
    ),
    "session of an individual activity in a room of another kind": (
        lambda d: d["sessions"][0].update(activity="family_room_visit"),
        [
            "sessions[0].activity: 'family_room_visit' is placed individually, not in sessions",
            "sessions[0].room: 'VH-BZ' is a visit_hall, 'family_room_visit' needs a family_room",
        ],
    ),
    "duplicate father id": (
        lambda d: d["fathers"].append(copy.deepcopy(d["fathers"][0])),
        ["fathers[4].id: duplicate id 'F-001'"],
    ),
    "duplicate room id": (
        lambda d: d["rooms"].append(copy.deepcopy(d["rooms"][0])),
        ["rooms[4].id: duplicate id 'VH-BZ'"],
    ),
    "duplicate session id": (
        lambda d: d["sessions"][1].update(id="S-BZ-WED"),
        ["sessions[1].id: duplicate id 'S-BZ-WED'"],
    ),
    "window ending before it starts": (
        lambda d: d["rooms"][0]["open"][0].update(start="17:00", end="13:00"),
        ["rooms[0].open[0]: end 13:00 is not after start 17:00"],
    ),
    "unavailable range ending before it starts": (
        lambda d: _father(d, "F-003")["unavailable"][0].update(end="2027-02-03T08:00:00+01:00"),
        [
            "fathers[2].unavailable[0]: end 2027-02-03T08:00:00+01:00 "
            "is not after start 2027-02-03T09:00:00+01:00"
        ],
    ),
    "pinned assignment ending before it starts": (
        lambda d: d["pinned"].append(
            {
                "id": "P-1",
                "activity": "video_call",
                "start": "2027-02-03T16:30:00+01:00",
                "end": "2027-02-03T16:00:00+01:00",
                "room": "VH-BB1",
                "fathers": ["F-001"],
            }
        ),  # fmt: skip
        ["pinned[0].end: 2027-02-03T16:00:00+01:00 is not after start"],
    ),
    "father's shell outside 1..3": (
        lambda d: _father(d, "F-001").update(shell=4),
        ["fathers[0].shell: shell 4 is outside 1..3"],
    ),
    "activity's shell outside 1..3": (
        lambda d: d["activities"][1].update(shells=[0, 2]),
        ["activities[1].shells: shell 0 is outside 1..3"],
    ),
    "entitlement table for a shell outside 1..3": (
        lambda d: d["entitlements"].update({"4": {}}),
        ["entitlements: shell 4 is outside 1..3"],
    ),
    "week that is not an ISO week": (
        lambda d: d.update(week="2027-W60"),
        ["week: '2027-W60' is not an ISO week like 2027-W05"],
    ),
    "clock time past midnight": (
        lambda d: d["officers"][0]["shifts"][0].update(end="25:00"),
        ["officers[0].shifts[0].end: '25:00' is not a clock time like 09:30"],
    ),
    "unknown day": (
        lambda d: d["officers"][1]["shifts"][0].update(day="zat"),
        [
            "officers[1].shifts[0].day: Input should be "
            "'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'"
        ],
    ),
    "negative plan": (
        lambda d: _father(d, "F-001").update(plan={"video_call": -1}),
        ["fathers[0].plan: plan for 'video_call' is negative (-1)"],
    ),
    "escorts below 0": (
        lambda d: d["activities"][0].update(escorts=-1),
        ["activities[0].escorts: Input should be greater than or equal to 0"],
    ),
    "an escorted visit without an activity that has escorts": (
        lambda d: d["activities"][0].update(escorts=0),
        [
            f"entitlements.{shell}.escorted_visit: no activity has escorts "
            "(activities[].escorts is 0 everywhere)"
            for shell in (1, 2, 3)
        ],
    ),
    "escorts of an individual activity": (
        lambda d: d["activities"][1].update(escorts=1),
        [
            "activities[1].escorts: 'family_room_visit' is placed individually; "
            "only a session activity has escorts"
        ],
    ),
    "an activity named as the escorted visit": (
        lambda d: d["activities"].append(d["activities"][0] | {"id": "escorted_visit"}),
        [
            "activities[4].id: 'escorted_visit' is granted with an activity's escorts, "
            "not an activity of its own"
        ],
    ),
    "missing field": (
        lambda d: d["fathers"][2].pop("institution"),
        ["fathers[2].institution: is required"],
    ),
    "field outside the contract (a name)": (
        lambda d: _father(d, "F-004").update(name="Jan"),
        ["fathers[3].name: is not a field of the contract"],
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_bad_input_is_refused_naming_field_and_culprit(case: str, data: dict[str, Any]) -> None:
    """Each kind of bad input gives exactly the expected messages, naming field and culprit."""
    change, expected = REFUSALS[case]
    change(data)
    assert refused(data) == expected


def test_every_broken_reference_is_reported_at_once(data: dict[str, Any]) -> None:
    """Three broken references give three messages, in the order of the document."""
    d = data
    d["rooms"][1]["institution"] = "PI-XX"
    d["sessions"][0]["room"] = "VH-XX"
    _father(d, "F-002")["linked_volunteer"] = "V-99"
    assert refused(d) == [
        "rooms[1].institution: unknown institution 'PI-XX'",
        "sessions[0].room: unknown room 'VH-XX'",
        "fathers[1].linked_volunteer: unknown volunteer 'V-99'",
    ]


def test_a_time_without_offset_is_read_as_amsterdam_time(data: dict[str, Any]) -> None:
    """A time without offset is Europe/Amsterdam wall-clock time, even beside one with an offset."""
    _father(data, "F-003")["unavailable"][0]["start"] = "2027-02-03T09:00:00"
    data["sessions"][0]["start"] = "2027-02-03T14:00:00"
    problem = parse_problem(data)
    busy = problem.father_by_id["F-003"].unavailable[0]
    assert busy.start.isoformat() == "2027-02-03T09:00:00+01:00"
    assert problem.clock.minute(problem.sessions[0].start) == 2 * 1440 + 14 * 60


def test_mixed_offsets_in_a_pinned_assignment_are_compared_as_moments(data: dict[str, Any]) -> None:
    """A pinned end without offset before a start with one is refused, not a crash."""
    data["pinned"].append(
        {"id": "P-1", "activity": "video_call", "start": "2027-02-03T16:30:00+01:00",
         "end": "2027-02-03T16:00:00", "room": "VH-BB1", "fathers": ["F-001"]}
    )  # fmt: skip
    assert refused(data) == ["pinned[0].end: 2027-02-03T16:00:00+01:00 is not after start"]


def test_a_document_that_is_not_an_object_is_refused() -> None:
    """A JSON list where a week belongs is refused with a message, not a crash."""
    with pytest.raises(ProblemError) as caught:
        parse_problem([])
    assert caught.value.messages == ["Input should be a valid dictionary or instance of Problem"]


def test_the_contract_keeps_its_field_names() -> None:
    """The public field names of docs/design.md section 5 are the model's fields."""
    assert set(Problem.model_fields) >= {
        "id", "week", "institutions", "policy", "activities", "entitlements", "rooms",
        "sessions", "volunteers", "officers", "fathers", "pinned",
    }  # fmt: skip
    assert set(Roster.model_fields) >= {
        "problem_id", "week", "status", "objective", "bound", "gap", "solve_seconds",
        "assignments", "shortfalls", "kpis",
    }  # fmt: skip


def test_fathers_kept_apart_are_read_both_ways(data: dict[str, Any]) -> None:
    first, second, third = (f["id"] for f in data["fathers"][:3])
    for father in data["fathers"]:
        father["non_associations"] = []
    _father(data, first)["non_associations"] = [second]
    _father(data, third)["non_associations"] = [first]
    problem = parse_problem(data)
    assert problem.kept_apart == {
        first: frozenset({second, third}),
        second: frozenset({first}),
        third: frozenset({first}),
    }
