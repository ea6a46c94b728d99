"""Four weeks read together: the KPIs over them, the record of a week, and the week after."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from scheduler.domain import Problem, ProblemError, parse_problem
from scheduler.four_weeks import four_week_kpis, week_record
from scheduler.history import History, WeekRecord
from scheduler.horizon import next_week, with_history
from scheduler.objective import could_have
from scheduler.week import TZ
from tests.kit.weeks import at, checked, every_day, father, room, session, week

VISIT = "regular_visit"


def visit_record(week_name: str, monday: int, outcomes: dict[str, str | None]) -> dict[str, Any]:
    """Give a record where each father was owed a visit and had one with the outcome given.

    A father with outcome None had no visit at all.
    """
    start = f"2027-01-{monday + 2:02d}T14:00:00+01:00"
    return {
        "week": week_name,
        "entitled": {f: {VISIT: 1} for f in outcomes},
        "occurrences": [
            {"father": f, "activity": VISIT, "start": start, "outcome": o}
            for f, o in outcomes.items()
            if o is not None
        ],
    }


def visit_week(history: list[dict[str, Any]]) -> Problem:
    """Give week 2027-W05 with no visit session at all, for two fathers, with this history."""
    base = week(fathers=[father("F-001"), father("F-002")])
    return parse_problem({**base.model_dump(mode="json"), "history": {"weeks": history}})


def test_the_four_week_kpis_read_outcomes() -> None:
    """A cancelled visit is a shortfall and below the minimum; a no-show counts, but not as contact.

    F-001: took place in W03, cancelled in W04, nothing this week (no session):
    below the legal minimum in W04 and W05, marked. F-002: no-show in W04.
    """
    problem = visit_week(
        [
            visit_record("2027-W03", 18, {"F-001": "took_place", "F-002": "took_place"}),
            visit_record("2027-W04", 25, {"F-001": "cancelled_by_institution", "F-002": "no_show"}),
        ]
    )
    kpis = four_week_kpis(problem, [])
    now = {f: sum(table.values()) for f, table in could_have(problem).items()}
    assert kpis.weeks == ["2027-W03", "2027-W04", "2027-W05"]
    assert kpis.fulfilment_by_father["F-001"] == pytest.approx(1 / (2 + now["F-001"]))
    assert kpis.fulfilment_by_father["F-002"] == pytest.approx(2 / (2 + now["F-002"]))
    assert kpis.below_legal_minimum["F-001"] == ["2027-W04", "2027-W05"]
    assert kpis.fathers_below_legal_minimum_twice == ["F-001"]
    # F-002's no-show in W04 gave his child no minutes; his visit in W03 did.
    assert kpis.contact_minutes_by_child == {"C-F-001": 60, "C-F-002": 60}


def test_a_planned_week_becomes_the_record_the_next_week_reads() -> None:
    """The record of a week holds each father's occurrence and what he could be granted."""
    problem = week(
        rooms=[room("BB", "video_station", every_day("16:00", "16:30"))],
        fathers=[father("F-001", shell=2)],
    )
    roster = checked(problem)
    record = week_record(problem, roster.assignments)
    assert [(o.father, o.activity) for o in record.occurrences] == [("F-001", "video_call")]
    assert record.entitled["F-001"]["video_call"] == 1
    after = next_week(problem, record)
    assert after.week == "2027-W06"
    assert after.earlier.granted["F-001", "video_call"] == 1


def test_next_week_shifts_sessions_a_week_at_the_same_wall_clock_time() -> None:
    """Sessions move seven days on, at the same local time across the switch to summer time."""
    base = week(
        rooms=[room("AR", "kitchen", every_day("08:00", "20:00"), capacity=10)],
        sessions=[session("S1", "cooking_together", "AR", at("thu", "16:30"), 6)],
    )
    data = base.model_dump(mode="json")
    data["week"] = "2027-W12"
    data["sessions"][0]["start"] = "2027-03-25T16:30:00+01:00"
    spring = parse_problem(data)
    after = next_week(spring)
    moved = after.sessions[0].start.astimezone(TZ)
    assert after.week == "2027-W13"
    assert (moved.date(), moved.hour, moved.minute) == (
        spring.sessions[0].start.date() + timedelta(days=7),
        16,
        30,
    )
    assert moved.utcoffset() == timedelta(hours=2)


def test_records_past_the_window_fall_off() -> None:
    """The week after keeps only the records of its three weeks before."""
    problem = visit_week([visit_record("2027-W02", 11, {"F-001": "took_place"})])
    assert next_week(problem).history is None


def test_with_history_refuses_a_bad_history_naming_it() -> None:
    """A history added to a week is checked against it: an unknown father is named."""
    bad = History(weeks=[WeekRecord.model_validate(visit_record("2027-W04", 25, {"F-099": None}))])
    with pytest.raises(ProblemError) as caught:
        with_history(visit_week([]), bad)
    assert "history.weeks[0].entitled: unknown father 'F-099'" in caught.value.messages


def test_a_father_on_time_out_all_week_is_owed_shell_2s_figure() -> None:
    """On time-out all week he could have one video call (shell 2), not seven, and no cell visit."""
    problem = week(fathers=[father("F-001", timeouts=[{"start": "2027-01-20"}])])
    owed = could_have(problem)["F-001"]
    assert owed["video_call"] == 1
    assert "cell_visit" not in owed
    mid_week = week(fathers=[father("F-001", timeouts=[{"start": "2027-02-03"}])])
    # Monday and Tuesday at shell 3, then what shell 2's one call leaves: at most two.
    assert could_have(mid_week)["F-001"]["video_call"] == 2
