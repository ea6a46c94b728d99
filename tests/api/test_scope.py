"""Institution scope: other institutions' ids named by what and where; reads by institution."""

from __future__ import annotations

from datetime import datetime

from api.scope import Redaction, fathers_read
from scheduler.domain import Assignment, Problem
from scheduler.week import TZ


def _video_call(father: str, room: str) -> Assignment:
    return Assignment(
        id=f"{father}-video_call-mon1600",
        activity="video_call",
        start=datetime(2027, 2, 1, 16, 0, tzinfo=TZ),
        end=datetime(2027, 2, 1, 16, 30, tzinfo=TZ),
        room=room,
        fathers=[father],
    )


def test_redaction_names_only_what_and_where_of_another_institution(region_noord: Problem) -> None:
    """PI-LW's father, child, session and assignment ids become words; PI-VH's stay."""
    theirs, ours = _video_call("F-0126", "LW-BB1"), _video_call("F-0001", "VH-BB1")
    redaction = Redaction(region_noord, [theirs, ours], "PI-VH")
    child = region_noord.father_by_id["F-0126"].children[0].id
    text = f"F-0126 ({child}) in {theirs.id} and S-LW-AR1-mon1030; F-0001 in {ours.id}"
    assert redaction.text(text) == (
        "a father of PI-LW (a child of PI-LW) in an assignment of PI-LW and a session of PI-LW; "
        f"F-0001 in {ours.id}"
    )
    assert redaction.value({"blocking": [theirs.id, 3]}) == {
        "blocking": ["an assignment of PI-LW", 3]
    }


def test_fathers_read_are_grouped_by_their_institution(region_noord: Problem) -> None:
    """Every institution read is there, with or without fathers; unknown ids are left out."""
    assert fathers_read(region_noord, ["F-0126", "F-0002", "F-0001", "F-9999"], ["PI-VH"]) == {
        "PI-LW": ["F-0126"],
        "PI-VH": ["F-0001", "F-0002"],
    }
    assert fathers_read(region_noord, [], ["PI-LW", "PI-VH"]) == {"PI-LW": [], "PI-VH": []}
