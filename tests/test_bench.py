"""The benchmark harness (``python -m bench``) end to end on a tiny week; how it reads progress."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from bench.__main__ import beside, main
from bench.fairness import (
    fewest_by_relaxation,
    fewest_nothing_beyond_legal,
    legal_volunteer_shortfalls,
    most_granted_something,
    seats_for_every_father,
)
from bench.prover import BUSY
from bench.suite import read_checkpoints
from scheduler.generate import generate_problem
from scheduler.validate import check_assignments
from solver.baseline import first_come_first_served
from solver.solve import Progress, SolveOptions, solve


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


def test_the_fewest_with_nothing_beyond_legal_is_proven_on_a_small_week() -> None:
    """On a 20-father week the solver's roster leaves none with only the legal visit: proven 0.

    First come, first served leaves some; the proof holds the legal tier and
    minimises that count alone.
    """
    problem = generate_problem(20, seed=3)
    roster = solve(problem, SolveOptions(time_limit=3, workers=2))
    baseline = first_come_first_served(problem)
    best = fewest_nothing_beyond_legal(problem, roster, time_limit=10)
    assert (best.value, best.bound, best.proven) == (0, 0, True)
    assert len(roster.kpis.fathers_nothing_beyond_legal) == 0
    assert len(baseline.kpis.fathers_nothing_beyond_legal) > 0
    assert legal_volunteer_shortfalls(problem, roster) == 0


def test_the_relaxation_bounds_the_fewest_with_nothing_beyond_legal() -> None:
    """Without partner hours the LP's bound is above 0, below a solved roster's count, and reached.

    Whatever a roster reaches, the LP never claims fewer fathers could be left
    with nothing beyond the legal visit than the roster leaves; here the
    solver's roster reaches it, which proves the fewest.
    """
    problem = generate_problem(20, seed=3)
    problem.policy.partner_cap_hours = 0.0
    roster = solve(problem, SolveOptions(time_limit=5, workers=2))
    assert check_assignments(problem, roster.assignments) == []
    bound = fewest_by_relaxation(problem)
    left = len(roster.kpis.fathers_nothing_beyond_legal)
    assert 0 < bound <= left
    best = fewest_nothing_beyond_legal(problem, roster, time_limit=10)
    assert best.bound >= bound and best.proven


def test_a_floor_above_0_is_proven_possible_or_impossible() -> None:
    """Every father of a 20-father week can be granted something; without sessions or rooms, none.

    With no room and no session nobody can be granted anything the week
    entitles him to, and the proof says so with its bound.
    """
    problem = generate_problem(20, seed=3)
    roster = solve(problem, SolveOptions(time_limit=3, workers=2))
    best, could = most_granted_something(problem, roster, time_limit=10)
    assert (best.value, best.proven, could) == (20, True, 20)
    empty = problem.model_copy(update={"sessions": [], "rooms": []})
    empty_roster = roster.model_copy(update={"assignments": [], "tiers": {}})
    best, could = most_granted_something(empty, empty_roster, time_limit=10)
    assert could > 0 and best.bound < could
    assert not seats_for_every_father(problem)


def test_busy_runs_one_cpu_bound_process_beside_the_block_and_ends_it() -> None:
    """``--busy``: a process spinning in Python runs while the block runs, and not after."""
    with beside(True):
        assert len(_busy_processes()) == 1
    assert _busy_processes() == []
    with beside(False):
        assert _busy_processes() == []


def _busy_processes() -> list[str]:
    """Give the process ids of this process's children running ``BUSY``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().split()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[3]) == os.getpid() and BUSY.encode() in command and stat[2] != "Z":
            found.append(entry.name)
    return found
