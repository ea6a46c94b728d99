"""Events applied to the tiny week: each type changes the facts from its moment on, no earlier."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from scheduler.domain import Assignment, Problem, parse_problem
from scheduler.eligibility import on_timeout
from scheduler.events import EVENT_TYPES, Event, affects, apply_event, frozen, refusal, touches
from scheduler.validate import check_assignments
from tests.conftest import FIXTURES_DIR

WED_10 = "2027-02-03T10:00:00+01:00"


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES_DIR / "tiny.json").read_text(encoding="utf-8"))
    return data


def _applied(**event: Any) -> tuple[Problem, dict[str, Any]]:
    data = _data()
    changed = apply_event(parse_problem(data), data, Event.model_validate(event))
    return parse_problem(changed), changed


def test_every_section_nine_type_is_an_event_type() -> None:
    """The twelve event types of docs/design.md section 9 are the ones an event may have."""
    assert set(EVENT_TYPES) == {
        "time_out",
        "time_out_ended",
        "consent_withdrawn",
        "consent_given",
        "shell_change",
        "father_unavailable",
        "transfer",
        "release",
        "room_closure",
        "volunteer_absent",
        "officer_absent",
        "session_cancelled",
    }


def test_an_event_without_what_its_type_needs_is_refused_naming_it() -> None:
    """A room closure without a room or an end is refused, naming both fields."""
    with pytest.raises(ValidationError, match="a room_closure event needs room, end"):
        Event.model_validate({"type": "room_closure", "at": WED_10})


def test_a_range_ending_before_it_begins_is_refused() -> None:
    """An absence that ends before its moment is refused, with both times."""
    with pytest.raises(ValidationError, match="is not after its start"):
        Event.model_validate(
            {
                "type": "volunteer_absent",
                "at": WED_10,
                "volunteer": "V-EX1",
                "end": "2027-02-03T09:00:00+01:00",
            }
        )


def test_a_time_out_starts_on_the_day_of_its_moment() -> None:
    """A Wednesday time-out leaves Monday and Tuesday at the father's shell and covers Wednesday."""
    problem, _ = _applied(type="time_out", at=WED_10, father="F-001")
    father = problem.father_by_id["F-001"]
    assert [on_timeout(problem, father, problem.clock.day_date(d)) for d in range(7)] == [
        False,
        False,
        True,
        True,
        True,
        True,
        True,
    ]


def test_a_time_out_ended_frees_the_days_from_its_moment() -> None:
    """F-002's time-out from Wednesday, ended on Friday, covers Wednesday and Thursday only."""
    problem, data = _applied(type="time_out_ended", at="2027-02-05T08:00:00+01:00", father="F-002")
    father = problem.father_by_id["F-002"]
    assert [on_timeout(problem, father, problem.clock.day_date(d)) for d in range(7)] == [
        False,
        False,
        True,
        True,
        False,
        False,
        False,
    ]
    assert data["fathers"][1]["timeouts"] == [{"start": "2027-02-03", "end": "2027-02-05"}]


def test_ending_a_time_out_that_is_not_running_is_refused() -> None:
    """F-001 has no time-out, so ending one names him."""
    event = Event.model_validate({"type": "time_out_ended", "at": WED_10, "father": "F-001"})
    assert refusal(parse_problem(_data()), event) == (
        "father: 'F-001' has no time-out running on 2027-02-03"
    )


def test_consent_and_shell_change_set_the_facts_of_the_week() -> None:
    """A withdrawn consent and a shell change set the father's consent and shell."""
    problem, _ = _applied(
        type="consent_withdrawn", at=WED_10, father="F-001", consent="other_parent"
    )
    assert problem.father_by_id["F-001"].other_parent_consent is False
    problem, _ = _applied(type="consent_given", at=WED_10, father="F-003", consent="other_parent")
    assert problem.father_by_id["F-003"].other_parent_consent is True
    problem, _ = _applied(type="shell_change", at=WED_10, father="F-004", shell=2)
    assert problem.father_by_id["F-004"].shell == 2


def test_a_court_date_makes_the_father_unavailable_no_earlier_than_the_moment() -> None:
    """A court hearing given from Tuesday but recorded for Wednesday 10:00 starts at 10:00."""
    problem, _ = _applied(
        type="father_unavailable",
        at=WED_10,
        father="F-001",
        start="2027-02-02T09:00:00+01:00",
        end="2027-02-03T17:00:00+01:00",
        kind="court",
    )
    busy = problem.father_by_id["F-001"].unavailable[-1]
    assert (busy.start.isoformat(), busy.end.isoformat()) == (
        "2027-02-03T10:00:00+01:00",
        "2027-02-03T17:00:00+01:00",
    )


@pytest.mark.parametrize("kind", ["release", "transfer"])
def test_a_release_or_transfer_makes_the_father_unavailable_to_the_week_end(kind: str) -> None:
    """A released or transferred father is unavailable from the moment to the end of the week."""
    extra = {"to": "PI-LW"} if kind == "transfer" else {}
    problem, _ = _applied(type=kind, at=WED_10, father="F-001", **extra)
    busy = problem.father_by_id["F-001"].unavailable[-1]
    assert (busy.start.isoformat(), busy.end.isoformat()) == (
        "2027-02-03T10:00:00+01:00",
        "2027-02-08T00:00:00+01:00",
    )


def test_a_room_closure_is_added_to_the_room() -> None:
    """A flooded family room is closed from Saturday 09:00 to 12:00."""
    problem, _ = _applied(
        type="room_closure",
        at="2027-02-06T09:00:00+01:00",
        room="VH-FK",
        end="2027-02-06T12:00:00+01:00",
        reason="flooded",
    )
    closed = problem.room_by_id["VH-FK"].closed[-1]
    assert closed.start.isoformat() == "2027-02-06T09:00:00+01:00"


def test_a_volunteer_absence_cuts_her_weekly_windows() -> None:
    """V-EX1 off sick on Wednesday afternoon loses that part of her availability only."""
    data = _data()
    before = next(v for v in data["volunteers"] if v["id"] == "V-EX1")["available"]
    _, changed = _applied(
        type="volunteer_absent",
        at="2027-02-03T12:00:00+01:00",
        volunteer="V-EX1",
        end="2027-02-04T00:00:00+01:00",
    )
    after = next(v for v in changed["volunteers"] if v["id"] == "V-EX1")["available"]
    wednesday = [w for w in after if w["day"] == "wed"]
    assert all(w["end"] <= "12:00" for w in wednesday)
    assert [w for w in after if w["day"] != "wed"] == [w for w in before if w["day"] != "wed"]


def test_an_officer_absence_cuts_his_shifts() -> None:
    """O-01 absent all Wednesday has no Wednesday shift left."""
    _, changed = _applied(
        type="officer_absent",
        at="2027-02-03T00:00:00+01:00",
        officer="O-01",
        end="2027-02-04T00:00:00+01:00",
    )
    shifts = next(o for o in changed["officers"] if o["id"] == "O-01")["shifts"]
    assert [s for s in shifts if s["day"] == "wed"] == []


def test_a_cancelled_session_is_gone_and_one_that_began_is_refused() -> None:
    """Cancelling Saturday's visit session removes it; cancelling it after it began is refused."""
    problem, _ = _applied(type="session_cancelled", at=WED_10, session="S-BZ-SAT")
    assert "S-BZ-SAT" not in {s.id for s in problem.sessions}
    late = Event.model_validate(
        {"type": "session_cancelled", "at": "2027-02-06T15:00:00+01:00", "session": "S-BZ-SAT"}
    )
    assert refusal(parse_problem(_data()), late) == (
        "session: 'S-BZ-SAT' began 2027-02-06T14:00:00+01:00, before the event"
    )


def test_an_event_touches_the_weeks_from_its_moment_on() -> None:
    """A time-out touches its own week; a closure after the week touches nothing of it."""
    problem = parse_problem(_data())
    assert touches(
        problem, Event.model_validate({"type": "time_out", "at": WED_10, "father": "F-001"})
    )
    later = Event.model_validate(
        {
            "type": "room_closure",
            "at": "2027-02-10T09:00:00+01:00",
            "room": "VH-FK",
            "end": "2027-02-10T12:00:00+01:00",
        }
    )
    assert not touches(problem, later)


def test_what_began_before_the_moment_is_frozen_and_what_it_involves_is_known() -> None:
    """Monday's call has begun before Wednesday 10:00; Friday's has not; both involve F-001."""
    monday = Assignment.model_validate(
        {
            "id": "a",
            "activity": "video_call",
            "start": "2027-02-01T16:00:00+01:00",
            "end": "2027-02-01T16:30:00+01:00",
            "room": "VH-BB1",
            "fathers": ["F-001"],
        }
    )
    friday = monday.model_copy(
        update={"id": "b", "start": monday.start.replace(day=5), "end": monday.end.replace(day=5)}
    )
    event = Event.model_validate({"type": "time_out", "at": WED_10, "father": "F-001"})
    assert frozen([monday, friday], event.at) == [monday]
    assert affects(event, friday) and not affects(
        Event.model_validate({"type": "time_out", "at": WED_10, "father": "F-002"}), friday
    )
    assert check_assignments(parse_problem(_data()), [monday]) == []
