"""The twelve-weeks bench (``python -m bench.weeks``) end to end on a small institution."""

from __future__ import annotations

import pytest

from bench.weeks import base_weeks, outcome, report, simulate


def test_the_weeks_carry_their_time_outs_forward() -> None:
    """Each simulated week is a week on from the one before and keeps every earlier time-out."""
    weeks = base_weeks(30, 3, seed=2)
    assert [w.week for w in weeks] == ["2027-W05", "2027-W06", "2027-W07"]
    for before, after in zip(weeks, weeks[1:], strict=False):
        for father in before.fathers:
            assert set(map(str, father.timeouts)) <= set(
                map(str, after.father_by_id[father.id].timeouts)
            )


def test_an_outcome_is_drawn_the_same_for_every_policy() -> None:
    """The same occurrence gets the same outcome however often it is drawn."""
    key = ("F-0001", "video_call", "2027-02-01T16:00:00+01:00")
    assert outcome(1, "2027-W05", key) == outcome(1, "2027-W05", key)


@pytest.mark.slow
def test_a_short_simulation_gives_valid_rosters_for_every_policy() -> None:
    """Five weeks of 12 fathers, 1 s a week: every roster of every policy passes the validator."""
    runs = simulate(12, 5, seed=1, time_limit=1.0, workers=2)
    assert [r.policy for r in runs] == ["history", "alone", "fcfs"]
    assert [r.invalid for r in runs] == [0, 0, 0]
    assert all(len(r.floors) == 2 for r in runs)  # the windows ending in weeks 4 and 5
    assert report(runs, 12, 1.0)[0] == "12 fathers, 5 weeks, 1 s a week:"
