"""The weeks before this one as data: a history is accepted, and a contradictory one refused."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.domain import Problem, ProblemError, parse_problem
from scheduler.four_weeks import below_legal_week_before
from scheduler.history import (
    Earlier,
    parse_history,
    week_after,
    weeks_between,
)
from tests.kit.weeks import father, week


def occurrence(father_id: str, activity: str, start: str, **fields: Any) -> dict[str, Any]:
    """Give a recorded occurrence."""
    return {"father": father_id, "activity": activity, "start": start, **fields}


def with_history(problem: Problem, weeks: list[dict[str, Any]]) -> Problem:
    """Give the problem again with a history of these week records."""
    return parse_problem({**problem.model_dump(mode="json"), "history": {"weeks": weeks}})


def refusal(problem: Problem, weeks: list[dict[str, Any]]) -> str:
    """Give the messages with which a history is refused."""
    with pytest.raises(ProblemError) as caught:
        with_history(problem, weeks)
    return "\n".join(caught.value.messages)


BASE = week(fathers=[father("F-001"), father("F-002")])
CALL = "2027-01-26T10:00:00+01:00"  # Tuesday of 2027-W04, the week before


def test_a_history_is_accepted_and_counts_granted_but_not_cancelled() -> None:
    """A history of earlier weeks is read: no-shows count as granted, cancellations do not."""
    problem = with_history(
        BASE,
        [
            {
                "week": "2027-W04",
                "occurrences": [
                    occurrence("F-001", "video_call", CALL, outcome="took_place"),
                    occurrence(
                        "F-001", "video_call", "2027-01-27T10:00:00+01:00", outcome="no_show"
                    ),
                    occurrence("F-002", "video_call", CALL, outcome="cancelled_by_institution"),
                ],
            },
            {
                "week": "2026-W52",
                "occurrences": [occurrence("F-002", "video_call", "2026-12-22T10:00:00+01:00")],
            },
        ],
    )
    earlier = problem.earlier
    assert isinstance(earlier, Earlier)
    assert earlier.granted["F-001", "video_call"] == 2
    assert earlier.granted["F-002", "video_call"] == 0  # cancelled; and W52 is five weeks back
    assert [record.week for record in earlier.weeks] == ["2027-W04"]


def test_a_week_recorded_twice_is_refused_naming_it() -> None:
    """Two records of one week are refused, naming the week."""
    text = refusal(BASE, [{"week": "2027-W04"}, {"week": "2027-W04", "institution": "PI-T"}])
    assert "history.weeks[1].week: week 2027-W04 is recorded twice" in text


def test_two_outcomes_for_one_occurrence_are_refused_naming_it() -> None:
    """One occurrence recorded with two outcomes is refused, naming the father and start."""
    text = refusal(
        BASE,
        [
            {
                "week": "2027-W04",
                "occurrences": [
                    occurrence("F-001", "video_call", CALL, outcome="took_place"),
                    occurrence("F-001", "video_call", CALL, outcome="no_show"),
                ],
            }
        ],
    )
    assert "history.weeks[0].occurrences[1]" in text
    assert "F-001 video_call" in text and "took_place and no_show" in text


def test_a_week_not_before_this_one_is_refused_naming_it() -> None:
    """A record of this week or a later one is refused."""
    text = refusal(BASE, [{"week": "2027-W05"}, {"week": "2027-W07"}])
    assert "history.weeks[0].week: week 2027-W05 is not before this week 2027-W05" in text
    assert "history.weeks[1].week: week 2027-W07 is not before" in text


def test_unknown_father_activity_and_institution_are_refused_naming_them() -> None:
    """An unknown father, activity or institution in the history is refused, naming the culprit."""
    text = refusal(
        BASE,
        [
            {
                "week": "2027-W04",
                "institution": "PI-X",
                "occurrences": [
                    occurrence("F-099", "video_call", CALL),
                    occurrence("F-001", "juggling", CALL),
                    occurrence("F-001", "video_call", "2027-02-02T10:00:00+01:00"),
                ],
            }
        ],
    )
    assert "history.weeks[0].institution: unknown institution 'PI-X'" in text
    assert "history.weeks[0].occurrences[0].father: unknown father 'F-099'" in text
    assert "history.weeks[0].occurrences[1].activity: unknown activity 'juggling'" in text
    assert "occurrences[2].start: 2027-02-02T10:00:00+01:00 is not in week 2027-W04" in text


def test_a_bad_outcome_is_refused_naming_the_field() -> None:
    """An outcome outside the three is refused, naming the field."""
    with pytest.raises(ProblemError) as caught:
        parse_history({"weeks": [{"week": "2027-W04", "occurrences": [
            occurrence("F-001", "video_call", CALL, outcome="late")]}]})  # fmt: skip
    assert caught.value.messages[0].startswith("history.weeks[0].occurrences[0].outcome: ")


def test_week_arithmetic_crosses_the_year() -> None:
    """Week names advance across a year end (53-week years included)."""
    assert week_after("2026-W53") == "2027-W01"
    assert week_after("2027-W05", 3) == "2027-W08"
    assert weeks_between("2026-W52", "2027-W05") == 6


def test_the_fathers_below_the_legal_minimum_the_week_before_are_read_from_its_record() -> None:
    """A cancelled visit leaves its father below; a no-show does not; two weeks back counts not.

    F-003 is not in the records' entitlements (he was not planned those
    weeks), so he is named by neither.
    """
    problem = week(fathers=[father("F-001"), father("F-002"), father("F-003")])
    owed = {"F-001": {"regular_visit": 1}, "F-002": {"regular_visit": 1}}
    visit = "2027-01-27T14:00:00+01:00"  # Wednesday of 2027-W04, the week before
    read = with_history(
        problem,
        [
            {
                "week": "2027-W04",
                "entitled": owed,
                "occurrences": [
                    occurrence("F-001", "regular_visit", visit, outcome="cancelled_by_institution"),
                    occurrence("F-002", "regular_visit", visit, outcome="no_show"),
                ],
            },
            {"week": "2027-W03", "entitled": owed, "occurrences": []},
        ],
    )
    assert below_legal_week_before(read) == {"F-001"}
