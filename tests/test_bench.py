"""The benchmark harness (``python -m bench``) end to end on a tiny week; how it reads progress."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.suite import read_checkpoints
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


def test_checkpoints_hold_the_last_event_of_the_group_at_each_second() -> None:
    """Each checkpoint keeps the latest value and bound of the tier group being solved by then."""
    events = [
        Progress(1.0, "legal_minimum", 10, None),
        Progress(2.0, "legal_minimum", 12, 20),
        Progress(4.0, "entitlements", 100, None),
        Progress(6.0, "entitlements", 150, 200),
        Progress(40.0, "entitlements", 190, 195),
    ]
    found = [(c.seconds, c.tier, c.objective, c.bound, c.gap) for c in read_checkpoints(events, 60)]
    assert found == [
        (5.0, "entitlements", 100, None, None),
        (30.0, "entitlements", 150, 200, 0.25),
        (60.0, "entitlements", 190, 195, pytest.approx(5 / 195)),
    ]


def test_a_bad_size_list_exits_2_naming_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    """--sizes that is not a list of whole numbers stops with exit 2 and names --sizes."""
    with pytest.raises(SystemExit) as stopped:
        main(["--sizes", "50,many"])
    assert stopped.value.code == 2
    assert "--sizes: not a list of whole numbers: '50,many'" in capsys.readouterr().err
