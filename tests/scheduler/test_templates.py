"""Sessions from templates and the rooms Dutch public holidays close (docs/design.md section 5)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scheduler.domain import Problem, ProblemError, SessionTemplate, TimeRange, parse_problem
from scheduler.events import Event, apply_event
from scheduler.horizon import next_week
from scheduler.public_holidays import holidays_in_week
from scheduler.templates import sessions_for
from scheduler.week import TZ

TINY = Path(__file__).resolve().parents[2] / "fixtures" / "tiny.json"


def week_of(week: str, templates: list[dict[str, Any]], **policy: Any) -> Problem:
    """Give tiny.json's fathers and rooms in ``week``, with these templates and no sessions.

    The visit hall opens on Tuesday too, 13:00 to 17:00.
    """
    data = json.loads(TINY.read_text(encoding="utf-8"))
    data["rooms"][0]["open"].append({"day": "tue", "start": "13:00", "end": "17:00"})
    data.update(id=f"t-{week}", week=week, sessions=[], session_templates=templates)
    data["policy"].update(policy)
    for father in data["fathers"]:
        father["timeouts"], father["unavailable"] = [], []
    return parse_problem(data)


def visit(**fields: Any) -> dict[str, Any]:
    """Give a Wednesday 14:00 visit-hall template of tiny.json, with fields changed."""
    return {"id": "T-WED", "activity": "regular_visit", "room": "VH-BZ", "day": "wed",
            "start": "14:00", "capacity": 2} | fields  # fmt: skip


def starts(problem: Problem) -> list[str]:
    """Give the start of each session of the week, as written in the contract."""
    return [session.start.isoformat() for session in problem.sessions]


def test_weekly_template_runs_every_week() -> None:
    """A weekly template makes its session in each week, on its weekday and time."""
    assert starts(week_of("2027-W05", [visit()])) == ["2027-02-03T14:00:00+01:00"]
    assert starts(week_of("2027-W06", [visit()])) == ["2027-02-10T14:00:00+01:00"]
    session = week_of("2027-W05", [visit()]).sessions[0]
    assert (session.id, session.template, session.capacity) == ("T-WED-20270203", "T-WED", 2)


def test_every_other_week_counts_from_the_anchor_week() -> None:
    """A template every other week runs in its anchor week, not the next, and again after."""
    template = visit(every_weeks=2, anchor_week="2027-W05")
    made = [len(week_of(w, [template]).sessions) for w in ("2027-W05", "2027-W06", "2027-W07")]
    assert made == [1, 0, 1]
    from_date = visit(every_weeks=2, valid_from="2027-02-10")
    assert [len(week_of(w, [from_date]).sessions) for w in ("2027-W06", "2027-W07")] == [1, 0]


def test_valid_from_and_until_are_included() -> None:
    """A template runs from its valid_from date to its valid_until date, both included."""
    template = visit(valid_from="2027-02-10", valid_until="2027-02-17")
    made = {w: len(week_of(w, [template]).sessions) for w in ("2027-W05", "2027-W06",
                                                          "2027-W07", "2027-W08")}  # fmt: skip
    assert made == {"2027-W05": 0, "2027-W06": 1, "2027-W07": 1, "2027-W08": 0}


def test_exceptions_cancel_or_move_one_date() -> None:
    """An exception without a time cancels that date; one with a time moves it that day only."""
    cancelled = visit(exceptions=[{"date": "2027-02-03"}])
    assert week_of("2027-W05", [cancelled]).sessions == []
    assert len(week_of("2027-W06", [cancelled]).sessions) == 1
    moved = visit(exceptions=[{"date": "2027-02-03", "start": "15:30"}])
    assert starts(week_of("2027-W05", [moved])) == ["2027-02-03T15:30:00+01:00"]
    assert starts(week_of("2027-W06", [moved])) == ["2027-02-10T14:00:00+01:00"]


def closed_days(problem: Problem, room: str) -> set[date]:
    """Give the dates on which a room is closed all day."""
    closures = problem.room_by_id[room].closed
    return {c.start.date() for c in closures if c.end - c.start == timedelta(days=1)}


def test_kings_day_closes_rooms_and_its_session_does_not_run() -> None:
    """King's Day (Tuesday 27 April 2027) closes every room; a Tuesday session is not made."""
    assert holidays_in_week("2027-W17") == {date(2027, 4, 27): "Koningsdag"}
    tuesday = visit(id="T-TUE", day="tue", start="14:00")
    data_week = week_of("2027-W17", [tuesday], holiday_rooms_closed="all")
    assert all(closed_days(data_week, room.id) == {date(2027, 4, 27)} for room in data_week.rooms)
    assert data_week.sessions == []
    by_kind = week_of("2027-W17", [], holiday_rooms_closed=["family_room"])
    assert closed_days(by_kind, "VH-FK") == {date(2027, 4, 27)}
    assert closed_days(by_kind, "VH-BZ") == set()
    assert all(not r.closed for r in week_of("2027-W17", [], holiday_rooms_closed="none").rooms)


def test_christmas_closes_rooms() -> None:
    """Both Christmas days (Saturday and Sunday 25-26 December 2027) close the visit hall."""
    saturday = visit(id="T-SAT", day="sat", start="14:00")
    problem = week_of("2027-W51", [saturday])
    assert closed_days(problem, "VH-BZ") == {date(2027, 12, 25), date(2027, 12, 26)}
    assert problem.sessions == []
    assert len(week_of("2027-W50", [saturday]).sessions) == 1


def test_written_out_week_loads_back_the_same() -> None:
    """A week dumped and loaded again has the same sessions and closures; without its
    templates it keeps the sessions as written."""
    problem = week_of("2027-W17", [visit(), visit(id="T-SAT", day="sat")])
    data = json.loads(problem.model_dump_json())
    assert parse_problem(data) == problem
    data["session_templates"] = []
    assert parse_problem(data).sessions == problem.sessions


def test_a_template_session_beside_written_sessions() -> None:
    """A problem may carry sessions and templates together; both are the week's sessions."""
    data = json.loads(TINY.read_text(encoding="utf-8"))
    data["session_templates"] = [visit(id="T-SAT2", day="sat", start="15:00", capacity=1)]
    problem = parse_problem(data)
    assert [s.id for s in problem.sessions] == ["S-BZ-WED", "S-BZ-SAT", "S-KK-THU",
                                                "T-SAT2-20270206"]  # fmt: skip


def test_sessions_for_skips_a_holiday_only() -> None:
    """sessions_for leaves out a session on a holiday that closes its room, not one in a closure."""
    problem = week_of("2027-W17", [])
    rooms = {room.id: room.model_copy(deep=True) for room in problem.rooms}
    start = datetime(2027, 4, 28, 14, 30, tzinfo=TZ)
    rooms["VH-BZ"].closed = [TimeRange(start=start, end=start + timedelta(hours=1))]
    templates = [SessionTemplate.model_validate(visit(id="T-TUE", day="tue")),
                 SessionTemplate.model_validate(visit())]  # fmt: skip
    made = sessions_for("2027-W17", templates, rooms, problem.activity_by_id, problem.policy)
    assert [s.id for s in made] == ["T-WED-20270428"]
    without_policy = sessions_for("2027-W17", templates, rooms, problem.activity_by_id)
    assert [s.id for s in without_policy] == ["T-TUE-20270427", "T-WED-20270428"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (visit(start="16:30"), "session_templates[0].start: wed 16:30 to +60 min is outside "
         "the opening hours of room 'VH-BZ'"),
        (visit(room="VH-X9"), "session_templates[0].room: unknown room 'VH-X9'"),
        (visit(activity="chess"), "session_templates[0].activity: unknown activity 'chess'"),
        (visit(valid_from="2027-03-01", valid_until="2027-02-01"),
         "valid_until 2027-02-01 is before valid_from 2027-03-01"),
        (visit(exceptions=[{"date": "2027-02-03", "start": "12:00"}]),
         "session_templates[0].exceptions[0].start: wed 12:00 to +60 min is outside"),
        (visit(exceptions=[{"date": "2027-02-04"}]),
         "exceptions[0].date: 2027-02-04 is a thu, the template runs on wed"),
        (visit(every_weeks=2), "anchor_week is required for a template every other week"),
        (visit(activity="video_call", room="VH-BB1"),
         "session_templates[0].activity: 'video_call' is placed individually"),
        (visit(room="VH-KK", day="thu", start="16:00"),
         "session_templates[0].room: 'VH-KK' is a kitchen, 'regular_visit' needs a visit_hall"),
    ],
)  # fmt: skip
def test_bad_template_is_refused_naming_it(template: dict[str, Any], message: str) -> None:
    """A template outside its room's hours, with an unknown room or activity, or impossible
    dates is refused with a message naming the field and the culprit."""
    with pytest.raises(ProblemError) as refused:
        week_of("2027-W05", [template])
    assert any(message in line for line in refused.value.messages), refused.value.messages
    for line in refused.value.messages:
        assert line.startswith("session_templates[0]")


def test_duplicate_template_id_is_refused() -> None:
    """Two templates of one id are refused, naming the second."""
    with pytest.raises(ProblemError) as refused:
        week_of("2027-W05", [visit(), visit(day="sat")])
    assert refused.value.messages == ["session_templates[1].id: duplicate id 'T-WED'"]


def test_the_next_week_of_a_horizon_takes_its_sessions_from_the_templates(
    tiny_templates: Problem,
) -> None:
    """next_week of tiny-templates.json (2027-W17) makes 2027-W18's sessions from its templates."""
    following = next_week(tiny_templates)
    assert following.week == "2027-W18"
    made = [(s.template, s.start.isoformat()) for s in following.sessions]
    assert made == [
        ("T-BZ-TUE", "2027-05-04T14:00:00+02:00"),
        ("T-BZ-WED", "2027-05-05T14:00:00+02:00"),
    ]  # Saturday 8 May is an exception; the cooking runs every other week
    again = next_week(following)
    assert {s.template for s in again.sessions} == {"T-BZ-TUE", "T-BZ-WED", "T-BZ-SAT", "T-KK-THU"}


def test_a_cancelled_template_session_stays_cancelled(tiny_templates: Problem) -> None:
    """Cancelling a session made from a template adds the date to its exceptions: not made again."""
    data = tiny_templates.model_dump(mode="json")
    event = Event.model_validate(
        {"type": "session_cancelled", "at": "2027-04-28T09:00:00+02:00",
         "session": "T-BZ-WED-20270428"}
    )  # fmt: skip
    changed = parse_problem(apply_event(tiny_templates, data, event))
    assert "T-BZ-WED-20270428" not in {s.id for s in changed.sessions}
    template = next(t for t in changed.session_templates if t.id == "T-BZ-WED")
    assert [(e.date, e.start) for e in template.exceptions] == [(date(2027, 4, 28), None)]
    assert len(changed.sessions) == len(tiny_templates.sessions) - 1
