"""A horizon of weeks: held week by week or together, each roster valid for its own week."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from api.cli import main
from exports.roster import FRAMES, roster_frames, roster_table
from exports.workbook import workbook_bytes
from scheduler.domain import Problem
from scheduler.four_weeks import four_week_kpis
from scheduler.validate import violations
from solver.horizon import Budget, plan_weeks, solves
from solver.solve import SolveOptions
from tests.kit.weeks import at, every_day, father, granted, officer, room, session, volunteer, week
from whatif.sweep import four_week_row

OPTIONS = SolveOptions(time_limit=10, workers=2)


def monthly_day() -> Problem:
    """Give a week with a father-child day session on Saturday, once in four weeks, for F-001."""
    base = week(
        rooms=[room("AR", "activity_room", every_day("08:00", "20:00"), capacity=10)],
        sessions=[session("S-FCD", "father_child_day", "AR", at("sat", "10:00"), 6)],
        volunteers=[
            volunteer(f"V{n}", ["father_child_day"], every_day("08:00", "20:00")) for n in (1, 2, 3)
        ],
        officers=[officer(f"O{n}", every_day("08:00", "20:00")) for n in (1, 2)],
        fathers=[father("F-001")],
        policy={"legal_min_visit_minutes": 0},
    )
    assert base.entitlements[3]["father_child_day"].per_4_weeks == 1
    return base


@pytest.mark.parametrize("mode", ["held", "together"])
def test_a_monthly_rule_holds_across_the_horizon(mode: str) -> None:
    """Three weeks, a father-child day each Saturday, once in four weeks: he gets it once."""
    planned = plan_weeks([monthly_day()], 3, mode, OPTIONS)  # type: ignore[arg-type]
    assert [w.problem.week for w in planned] == ["2027-W05", "2027-W06", "2027-W07"]
    days = [len(granted(w.roster, "father_child_day")) for w in planned]
    assert sum(days) == 1
    for week_ in planned:
        assert violations(week_.problem, week_.roster) == []


def test_each_week_reads_the_weeks_planned_before_it(tiny: Problem) -> None:
    """Week 2's history is week 1's roster: its occurrences, one record."""
    first, second = plan_weeks([tiny], 2, "held", OPTIONS)
    assert second.problem.history is not None
    (record,) = second.problem.history.weeks
    assert record.week == first.problem.week
    assert len(record.occurrences) == sum(len(a.fathers) for a in first.roster.assignments)
    assert violations(second.problem, second.roster) == []


def test_each_solve_of_a_horizon_is_told_as_it_ends() -> None:
    """Together over two weeks: four solves told in order, two held then two together."""
    told: list[tuple[str, str]] = []
    planned = plan_weeks(
        [monthly_day()], 2, "together", OPTIONS, lambda p, w: told.append((p, w.problem.week))
    )
    assert told == [
        ("held", "2027-W05"), ("held", "2027-W06"),
        ("together", "2027-W05"), ("together", "2027-W06"),
    ]  # fmt: skip
    assert [w.problem.week for w in planned] == ["2027-W05", "2027-W06"]


def test_a_plans_time_is_shared_by_the_solves_still_to_come() -> None:
    """100 s for four solves of at most 30: 25, then what the first left over the three after."""
    now = [0.0]
    budget = Budget(100.0, solves(4, "held"), OPTIONS, clock=lambda: now[0])
    assert budget.next().time_limit == 10  # the solve's own limit is the lesser
    wide = Budget(100.0, 4, SolveOptions(time_limit=30, workers=2), clock=lambda: now[0])
    assert wide.next().time_limit == 25
    now[0] = 19.0
    assert wide.next().time_limit == 27
    now[0] = 99.5
    assert wide.next().time_limit == Budget.LEAST_SECONDS  # spent: a roster all the same
    assert Budget(None, 4, OPTIONS).next().time_limit == 10


def test_a_deterministic_plan_shares_its_time_whatever_the_clock() -> None:
    """In deterministic mode the share is fixed: the plan's time over its solves."""
    now = [0.0]
    options = SolveOptions(time_limit=30, workers=2, deterministic=True)
    budget = Budget(48.0, solves(2, "together"), options, clock=lambda: now[0])
    limits = []
    for moment in (0.0, 20.0, 40.0, 60.0):
        now[0] = moment
        limits.append(budget.next().time_limit)
    assert limits == [12, 12, 12, 12]


def test_a_plan_held_to_its_time_gives_a_valid_roster_every_week(tiny: Problem) -> None:
    """Two weeks together in 6 s in all: four solves, each roster valid for its own week."""
    planned = plan_weeks([tiny], 2, "together", OPTIONS, seconds=6)
    assert [w.problem.week for w in planned] == ["2027-W05", "2027-W06"]
    for week_ in planned:
        assert week_.roster.status in ("optimal", "feasible")
        assert violations(week_.problem, week_.roster) == []


def test_a_horizon_past_four_weeks_is_refused(tiny: Problem) -> None:
    """Five weeks is more than the horizon: refused, naming it."""
    with pytest.raises(ValueError, match="weeks: 5 is not 1 to 4"):
        plan_weeks([tiny], 5)


def test_plan_writes_each_week_and_marks_the_four_weeks(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plan --weeks 2 --out`` writes one roster a week and the four-week KPIs."""
    code = main(
        ["plan", str(fixtures_dir / "tiny.json"), "--weeks", "2", "--time-limit", "5",
         "--seconds", "8", "--workers", "2", "--out", str(tmp_path)]
    )  # fmt: skip
    out, _ = capsys.readouterr()
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2027-W05.json", "2027-W06.json", "four-weeks.json"
    ]  # fmt: skip
    assert out.startswith("Four weeks 2027-W05, 2027-W06")


def test_plan_refuses_bad_weeks_and_a_bad_history_naming_them(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad --weeks and a history of an unknown father exit 2, naming the option and the culprit."""
    tiny = str(fixtures_dir / "tiny.json")
    assert main(["plan", tiny, "--weeks", "5"]) == 2
    assert "--weeks: 5 is not 1 to 4" in capsys.readouterr().err
    assert main(["plan", tiny, "--weeks", "2", "--seconds", "0"]) == 2
    assert "--seconds: 0.0 is not a positive number of seconds" in capsys.readouterr().err
    history = tmp_path / "history.json"
    history.write_text('{"weeks": [{"week": "2027-W04", "entitled": {"F-999": {}}}]}')
    assert main(["plan", tiny, "--history", str(history)]) == 2
    assert f"--history {history}: history.weeks[0].entitled: unknown father 'F-999'" in (
        capsys.readouterr().err
    )
    assert main(["solve", tiny, "--history", str(history)]) == 2
    assert "unknown father 'F-999'" in capsys.readouterr().err


def test_a_what_if_of_a_week_with_history_reports_the_four_weeks(tiny: Problem) -> None:
    """A what-if run of a week with a history gains the four-week KPIs; one without has none."""
    first, second = plan_weeks([tiny], 2, "held", OPTIONS)
    row = four_week_row(second.problem, second.roster)
    kpis = four_week_kpis(second.problem, list(second.roster.assignments))
    assert row["four_weeks_fulfilment_floor"] == kpis.fulfilment_floor
    assert row["four_weeks_below_legal_minimum_twice"] == len(
        kpis.fathers_below_legal_minimum_twice
    )
    assert four_week_row(first.problem, first.roster) == {}


def test_the_exports_of_a_week_with_history_show_its_four_weeks(tiny: Problem) -> None:
    """The table, the frames and the workbook of a week with a history carry the four weeks."""
    _, second = plan_weeks([tiny], 2, "held", OPTIONS)
    frames = roster_frames(second.problem, second.roster)
    assert list(frames) == [*FRAMES, "four_weeks"]
    assert set(frames["four_weeks"]["father"]) == {f.id for f in tiny.fathers}
    assert "Four weeks 2027-W05, 2027-W06" in roster_table(second.problem, second.roster)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(second.problem, second.roster)))
    assert "Vier weken" in book.sheetnames
