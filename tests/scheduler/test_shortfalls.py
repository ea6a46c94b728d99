"""Shortfall explanations on tiny.json: every entitlement not granted, with what blocks one more.

The hand-made roster ``base()`` of ``tests.kit.rosters`` is the roster held; the
reasons below were checked by hand against fixtures/tiny.json.
"""

from __future__ import annotations

from typing import Any

from scheduler.domain import Problem, Shortfall
from scheduler.shortfalls import explain_shortfalls
from scheduler.validate import check_assignments
from tests.kit.rosters import base, slot, variant


def rows(shortfalls: list[Shortfall]) -> list[tuple[str, str, int, int, list[str]]]:
    """Give the shortfalls as (father, activity, entitled, granted, reasons)."""
    return [(s.father, s.activity, s.entitled, s.granted, s.reasons) for s in shortfalls]


def test_empty_roster_names_only_what_blocks(tiny: Problem) -> None:
    """With nothing placed, only rules that block are named; where one more fits, no reason."""
    assert rows(explain_shortfalls(tiny, [])) == [
        ("F-001", "cooking_together", 1, 0, []),
        ("F-001", "escorted_visit", 1, 0, []),
        ("F-001", "family_room_visit", 2, 0, []),
        ("F-001", "regular_visit", 1, 0, []),
        ("F-001", "video_call", 7, 0, []),
        ("F-002", "cooking_together", 1, 0, ["time_out"]),
        ("F-002", "escorted_visit", 1, 0, []),
        ("F-002", "family_room_visit", 2, 0, []),
        ("F-002", "regular_visit", 1, 0, []),
        ("F-002", "video_call", 7, 0, []),
        ("F-003", "escorted_visit", 1, 0, []),
        ("F-003", "family_room_visit", 1, 0, ["no_consent"]),
        ("F-003", "regular_visit", 1, 0, []),
        ("F-003", "video_call", 1, 0, ["no_consent"]),
        ("F-004", "escorted_visit", 1, 0, []),
        ("F-004", "regular_visit", 1, 0, []),
    ]


def test_hand_made_roster_reasons(tiny: Problem) -> None:
    """Every reason that applies at some candidate time is given, ordered by father, activity.

    F-001's cooking needs V-EX1, who has 2.5 of 4 hours left for a 2-hour
    session; F-003's Wednesday visit is full, holds F-004 whom he must be kept
    apart from, and falls in his court hearing, but the Saturday one has room
    (a regular visit needs no consent of the other parent), so nothing blocks.
    F-002's Monday call uses up shell 2's one call, so his time-out from
    Wednesday leaves him none on Wednesday or Friday, and Monday's station is
    taken by his own call and F-001's.
    """
    assert rows(explain_shortfalls(tiny, base())) == [
        ("F-001", "cooking_together", 1, 0, ["volunteer_max_hours"]),
        ("F-001", "family_room_visit", 2, 1, []),
        ("F-001", "video_call", 7, 1, []),
        ("F-002", "cooking_together", 1, 0, ["time_out", "volunteer_max_hours"]),
        ("F-002", "escorted_visit", 1, 0, []),
        ("F-002", "family_room_visit", 2, 0, []),
        ("F-002", "regular_visit", 1, 0, []),
        ("F-002", "video_call", 7, 1,
         ["capacity:video_station", "entitlement_used", "father_busy", "time_out"]),
        ("F-003", "escorted_visit", 1, 0, []),
        ("F-003", "family_room_visit", 1, 0,
         ["capacity:family_room", "no_consent", "no_officer", "no_volunteer"]),
        ("F-003", "regular_visit", 1, 0, []),
        ("F-003", "video_call", 1, 0, ["capacity:video_station", "no_consent"]),
    ]  # fmt: skip


def test_no_session_left(tiny: Problem) -> None:
    """Entitled to two visits with one session in the week, seated in it: no_session."""

    def one_session_two_visits(data: dict[str, Any]) -> None:
        data["sessions"] = [s for s in data["sessions"] if s["id"] != "S-BZ-SAT"]
        data["entitlements"]["3"]["regular_visit"] = {"per_week": 2, "max_per_day": 2}

    problem = variant(tiny, one_session_two_visits)
    found = {(s.father, s.activity): s for s in explain_shortfalls(problem, base())}
    assert rows([found["F-001", "regular_visit"]]) == [
        ("F-001", "regular_visit", 2, 1, ["no_session"])
    ]


def test_time_out_ceiling_reached_for_the_remaining_days(tiny: Problem) -> None:
    """F-002's time-out from Wednesday allows one video call Wednesday to Sunday; he has it.

    Wednesday has his call already (one a day); Friday is over shell 2's
    figure, and so is Monday: a call before the time-out would use up the one
    his Wednesday call already takes. Both are ``time_out``. His own call
    takes the station at the times that overlap it.
    """
    calls = [slot("C2", "video_call", "wed", "16:00", 30, "VH-BB1", ["F-002"])]
    assert check_assignments(tiny, calls) == []
    found = {(s.father, s.activity): s for s in explain_shortfalls(tiny, calls)}
    assert rows([found["F-002", "video_call"]]) == [
        ("F-002", "video_call", 7, 1,
         ["capacity:video_station", "entitlement_used", "father_busy", "time_out"]),
    ]  # fmt: skip


def test_time_out_ceiling_used_up_before_the_time_out(tiny: Problem) -> None:
    """A Monday call uses up shell 2's one call: none is left from F-002's Wednesday time-out on.

    Monday has his call (one a day, the station taken at the times that overlap it).
    """
    calls = [slot("C1", "video_call", "mon", "16:00", 30, "VH-BB1", ["F-002"])]
    assert check_assignments(tiny, calls) == []
    found = {(s.father, s.activity): s for s in explain_shortfalls(tiny, calls)}
    assert rows([found["F-002", "video_call"]]) == [
        ("F-002", "video_call", 7, 1,
         ["capacity:video_station", "entitlement_used", "father_busy", "time_out"]),
    ]  # fmt: skip


def test_fully_granted_entitlements_are_not_shortfalls(tiny: Problem) -> None:
    """A father granted all he is entitled to has no shortfall."""
    visit = slot("V1", "regular_visit", "sat", "14:00", 60, "VH-BZ", ["F-004"],
                 ["V-HU1", "V-GN1"], ["O-02"], session="S-BZ-SAT")  # fmt: skip
    assert check_assignments(tiny, [visit]) == []
    assert [s for s in explain_shortfalls(tiny, [visit]) if s.father == "F-004"] == []


def test_reasons_of_every_candidate_time_together(tiny: Problem) -> None:
    """The reasons found at every candidate time are given together, each named once.

    F-003's Wednesday visit is full, holds F-004 (kept apart from him) and
    falls in his court hearing; Saturday's one seat is taken by F-002.
    """
    problem = variant(tiny, lambda data: data["sessions"][1].update(capacity=1))
    saturday = slot("A5", "regular_visit", "sat", "14:00", 60, "VH-BZ", ["F-002"],
                    ["V-HU1", "V-GN1"], ["O-02"], session="S-BZ-SAT")  # fmt: skip
    held = [*base(), saturday]
    assert check_assignments(problem, held) == []
    found = {(s.father, s.activity): s for s in explain_shortfalls(problem, held)}
    assert found["F-003", "regular_visit"].reasons == [
        "capacity:visit_hall",
        "father_unavailable",
        "non_association",
    ]
