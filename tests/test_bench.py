"""The benchmark harness (``python -m bench``) end to end on a tiny week; how it reads progress."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.suite import floor_cap, read_checkpoints
from scheduler.generate import generate_problem
from solver.solve import Progress


def test_harness_writes_the_three_files_for_a_ten_father_week(tmp_path: Path) -> None:
    """A 10-father week solved for 1 s gives a validated row in results.csv and .md, and a PNG."""
    code = main(["--sizes", "10", "--time-limit", "1", "--no-national", "--out", str(tmp_path)])
    assert code == 0
    with (tmp_path / "results.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [(row["kind"], row["name"], row["fathers"]) for row in rows] == [
        ("institution", "10 fathers", "10")
    ]
    assert rows[0]["valid"] == "True"
    assert rows[0]["status"] in ("optimal", "feasible")
    report = (tmp_path / "results.md").read_text()
    assert "| 10 fathers | 10 | yes |" in report
    assert "| national: every region within 2% of its bound in 5 min | not run | - |" in report
    assert (tmp_path / "gap_time.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_checkpoints_follow_the_first_open_tier_group_with_its_last_value_and_bound() -> None:
    """Each checkpoint keeps the latest value and bound of the first group not yet proven."""
    events = [
        Progress(0.5, "legal_minimum", 7, None),
        Progress(1.0, "legal_minimum", 8, 12),
        Progress(3.0, "legal_minimum", 9, 9),
        Progress(3.5, "entitlements+continuity", 10, None),
        Progress(4.0, "entitlements+continuity", 12, 20),
        Progress(4.5, "entitlements+continuity", 15, None),
        Progress(6.0, "entitlements+continuity", 18, 19),
        Progress(35.0, "entitlements+continuity", 19, 19),
        Progress(40.0, "economy", 100, 400),
    ]
    found = [(c.seconds, c.tier, c.objective, c.bound, c.gap) for c in read_checkpoints(events, 60)]
    top = "entitlements+continuity"
    assert found == [
        (5.0, top, 15, 20, 0.25),
        (30.0, top, 18, 19, pytest.approx(1 / 19)),
        (60.0, "economy", 100, 400, 0.75),
    ]


def test_a_checkpoint_before_any_bound_shows_the_group_being_searched() -> None:
    """A group with a value and no bound yet is open, and its gap is unknown."""
    events = [Progress(0.5, "legal_minimum", 7, None), Progress(6.0, "legal_minimum", 8, 8)]
    found = [(c.seconds, c.tier, c.objective, c.bound, c.gap) for c in read_checkpoints(events, 10)]
    assert found == [(5.0, "legal_minimum", 7, None, None), (10.0, "legal_minimum", 8, 8, 0.0)]


def test_a_bad_size_list_exits_2_naming_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    """--sizes that is not a list of whole numbers stops with exit 2 and names --sizes."""
    with pytest.raises(SystemExit) as stopped:
        main(["--sizes", "50,many"])
    assert stopped.value.code == 2
    assert "--sizes: not a list of whole numbers: '50,many'" in capsys.readouterr().err


def test_a_week_the_generator_refuses_exits_2_naming_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An institution of 5 fathers (the generator makes 10 or more) stops with exit 2, unsolved."""
    with pytest.raises(SystemExit) as stopped:
        main(["--sizes", "5", "--no-national"])
    assert stopped.value.code == 2
    assert "--sizes: fathers 5 is outside 10..10000" in capsys.readouterr().err


def test_floor_cap_proves_floor_zero_only_where_the_cap_cannot_serve_everyone() -> None:
    """36 hours of cap cannot serve 400 fathers; a cap beyond every need proves nothing."""
    starved = generate_problem(400, seed=1)
    found = floor_cap(starved)
    assert found is not None
    assert found.payable < found.fathers
    assert found.payable == int(36 * 60 // found.least_minutes)
    ample = generate_problem(400, seed=1)
    ample.policy.partner_cap_hours = 10_000.0
    assert floor_cap(ample) is None
