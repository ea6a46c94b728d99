"""What-if sweeps: executors, the report with its gains and spread, charts, and local = Ray."""

from __future__ import annotations

import base64
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain import Problem, ProblemError
from whatif.executors import LocalPoolExecutor, RayExecutor, SerialExecutor
from whatif.report import (
    Outcome,
    assemble,
    draw_charts,
    every_escort_from,
    levels_off,
    write_report,
)
from whatif.scenarios import Scenario, ScenarioFile, parse_scenarios
from whatif.sweep import SweepOptions, SweepTask, plan_sweep, run_job, run_sweep

PNG = b"\x89PNG\r\n\x1a\n"
# Deterministic mode keeps the wall clock as a safety net at the time limit; 10 s leaves the tiny
# week's proofs (well under a second) clear of it even on a loaded machine.
DETERMINISTIC = SweepOptions(time_limit=10.0, solver_workers=1, deterministic=True)

# A small sweep on the tiny week: the partner cap from 0 to 12 hours, and a second family room.
TINY_SWEEP = {
    "scenarios": [
        {"name": "fk2", "changes": [{"op": "add_room", "like": "VH-FK", "id": "VH-FK2"}]}
    ],
    "sweeps": [
        {
            "name": "cap",
            "parameter": "partner_cap_hours",
            "values": {"from": 0, "to": 12, "step": 6},
            "changes": [{"op": "set_policy", "partner_cap_hours": "$value"}],
        }
    ],
}


@pytest.fixture(scope="module")
def tiny_report() -> pd.DataFrame:
    """Give the deterministic report of the tiny sweep, solved in this process."""
    from scheduler.domain import load_problem

    tiny = load_problem(Path(__file__).resolve().parents[2] / "fixtures" / "tiny.json")
    return run_sweep(tiny, parse_scenarios(TINY_SWEEP), SerialExecutor(), DETERMINISTIC).table


def outcome(scenario: str, replication: int, status: str = "optimal", **kpis: float) -> Outcome:
    """Give a made-up outcome with these KPIs."""
    return Outcome(scenario, replication, status, 1.0, 0.0, dict(kpis))


def test_serial_executor_keeps_order_and_reports_progress() -> None:
    """The serial executor gives results in task order and reports each finished task."""
    seen: list[tuple[int, int]] = []
    assert SerialExecutor().map(abs, [-3, 1, -2], lambda d, t: seen.append((d, t))) == [3, 1, 2]
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_local_pool_keeps_task_order() -> None:
    """Two spawned processes give every result, in task order, with progress up to the total."""
    seen: list[tuple[int, int]] = []
    with LocalPoolExecutor(workers=2) as executor:
        assert executor.workers == 2
        assert executor.map(abs, [-5, 4, -3, 2, -1], lambda d, t: seen.append((d, t))) == [
            5,
            4,
            3,
            2,
            1,
        ]
    assert [d for d, _ in seen] == [1, 2, 3, 4, 5]
    assert {t for _, t in seen} == {5}


def test_invalid_scenario_is_refused_before_any_solve(tiny: Problem) -> None:
    """A sweep with an unknown room is refused with the change named, and nothing is solved."""
    calls: list[SweepTask] = []

    def solve(task: SweepTask) -> Outcome:
        calls.append(task)
        return outcome(task.scenario, task.replication)

    spec = parse_scenarios(
        {"scenarios": [{"name": "bad", "changes": [{"op": "remove_room", "room": "VH-XX"}]}]}
    )
    with pytest.raises(ProblemError) as caught:
        run_sweep(tiny, spec, SerialExecutor(), DETERMINISTIC, solve=solve)
    assert caught.value.messages == [
        "scenario 'bad': scenarios[0].changes[0].room: unknown room 'VH-XX'"
    ]
    assert calls == []


def test_plan_gives_one_task_per_scenario_with_a_share_of_the_cores(tiny: Problem) -> None:
    """The tiny sweep plans base, fk2 and three cap values; each solve gets its CP-SAT workers."""
    scenarios, tasks = plan_sweep(
        tiny, parse_scenarios(TINY_SWEEP), SweepOptions(solver_workers=3), 2
    )
    assert [t.scenario for t in tasks] == ["base", "fk2", "cap=0", "cap=6", "cap=12"]
    assert [s.value for s in scenarios] == [None, None, 0, 6, 12]
    assert {t.workers for t in tasks} == {3}
    assert tasks[3].problem.policy.partner_cap_hours == 6


def test_assemble_gives_mean_spread_and_gain_per_scenario() -> None:
    """Over two replications a row holds the mean, the spread and the gain against the base."""
    scenarios = [Scenario(name="base"), Scenario(name="more", sweep="s", parameter="p", value=1.0)]
    outcomes = [
        outcome("base", 0, fulfilment=0.5, fathers_below_legal_minimum=4),
        outcome("base", 1, fulfilment=0.7, fathers_below_legal_minimum=2),
        outcome("more", 0, fulfilment=0.8, fathers_below_legal_minimum=1),
        outcome("more", 1, "feasible", fulfilment=0.8, fathers_below_legal_minimum=1),
    ]
    table = assemble(scenarios, outcomes, replications=2, deterministic=True).table
    assert list(table["scenario"]) == ["base", "more"]
    assert list(table["status"]) == ["optimal", "feasible x1, optimal x1"]
    assert table["fulfilment"].tolist() == pytest.approx([0.6, 0.8])
    assert table["fulfilment_sd"].tolist() == pytest.approx([0.1, 0.0])
    assert table["fulfilment_gain"].tolist() == pytest.approx([0.0, 0.2])
    assert table["fathers_below_legal_minimum_gain"].tolist() == [0.0, -2.0]
    assert "solve_seconds" not in table.columns


def test_levels_off_finds_where_further_steps_stop_paying() -> None:
    """A curve rising to 27 and flat after levels off at 27; one still rising gives None."""
    table = pd.DataFrame(
        {
            "sweep": ["a"] * 4 + ["b"] * 3,
            "value": [18, 27, 36, 45, 1, 2, 3],
            "fulfilment": [0.5, 0.7, 0.702, 0.703, 0.1, 0.2, 0.3],
        }
    )
    assert levels_off(table) == {"a": 27.0, "b": None}


def test_every_escort_is_paid_from_the_least_cap_without_a_cap_shortfall() -> None:
    """A cap sweep whose escorts stop waiting at 54 hours answers 54; one that never does, None.

    A sweep over another parameter is not asked: only the partner cap pays escorts.
    """
    table = pd.DataFrame(
        {
            "sweep": ["cap"] * 4 + ["short"] * 2 + ["rooms"] * 2,
            "parameter": ["partner_cap_hours"] * 6 + ["family_rooms"] * 2,
            "value": [36, 45, 54, 63, 9, 18, 1, 2],
            "escorts_short_of_partner_cap": [40, 12, 0, 0, 90, 70, 0, 0],
        }
    )
    assert every_escort_from(table) == {"cap": 54.0, "short": None}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=12))
def test_levels_off_is_where_no_later_step_adds_half_a_point(values: list[float]) -> None:
    """For any curve, no value after the levelling-off point is half a point above it."""
    table = pd.DataFrame(
        {"sweep": ["s"] * len(values), "value": range(len(values)), "fulfilment": values}
    )
    flat_from = levels_off(table)["s"]
    if flat_from is None:
        assert values[-1] - values[-2] >= 0.005
    else:
        index = int(flat_from)
        assert all(later - values[index] < 0.005 for later in values[index + 1 :])
        assert index == 0 or any(later - values[index - 1] >= 0.005 for later in values[index:])


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=4),
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=4),
)
def test_gain_is_the_difference_of_the_means(base: list[float], other: list[float]) -> None:
    """For any runs, the base gains nothing and a scenario gains its mean minus the base's mean."""
    runs = max(len(base), len(other))
    outcomes = [outcome("base", i, fulfilment=v) for i, v in enumerate(base)]
    outcomes += [outcome("x", i, fulfilment=v) for i, v in enumerate(other)]
    table = assemble([Scenario(name="base"), Scenario(name="x")], outcomes, runs, True).table
    assert table["fulfilment_gain"].iloc[0] == 0.0
    assert table["fulfilment_gain"].iloc[1] == pytest.approx(
        sum(other) / len(other) - sum(base) / len(base)
    )


def test_tiny_sweep_report(tiny_report: pd.DataFrame) -> None:
    """On the tiny week no partner hours grants less than 6, and 12 grants at least as much as 6."""
    table = tiny_report.set_index("scenario")
    assert list(table.index) == ["base", "fk2", "cap=0", "cap=6", "cap=12"]
    assert set(table["status"]) == {"optimal"}
    assert table["partner_cap_hours"].tolist() == [6, 6, 0, 6, 12]
    assert table.loc["cap=0", "volunteer_hours"] == 0.0
    assert (table["volunteer_hours"] <= table["partner_cap_hours"]).all()
    assert (
        table.loc["cap=0", "granted"]
        < table.loc["cap=6", "granted"]
        <= table.loc["cap=12", "granted"]
    )
    assert table.loc["cap=6", "fulfilment_gain"] == 0.0
    assert table.loc["cap=0", "fulfilment_gain"] < 0.0


def test_report_files_and_charts(tiny_report: pd.DataFrame, tmp_path: Path) -> None:
    """The report is written as CSV, XLSX (scenarios and runs) and one PNG chart per parameter."""
    from whatif.report import WhatIfReport

    report = WhatIfReport(
        scenarios=[],
        runs=tiny_report.head(0),
        table=tiny_report,
        deterministic=True,
        replications=1,
    )
    written = write_report(report, tmp_path)
    assert [p.name for p in written] == [
        "whatif.csv",
        "whatif.xlsx",
        "whatif-partner_cap_hours.png",
    ]
    assert pd.read_csv(written[0])["scenario"].tolist() == list(tiny_report["scenario"])
    assert pd.ExcelFile(written[1]).sheet_names == ["scenarios", "runs"]
    assert written[2].read_bytes().startswith(PNG)


def test_chart_without_sweeps_is_one_bar_chart(tiny_report: pd.DataFrame) -> None:
    """A report with single scenarios only is drawn as one bar chart of them."""
    from whatif.report import WhatIfReport

    singles = tiny_report[tiny_report["sweep"].isna()].reset_index(drop=True)
    report = WhatIfReport(
        scenarios=[], runs=singles.head(0), table=singles, deterministic=True, replications=1
    )
    charts = draw_charts(report)
    assert list(charts) == ["whatif-scenarios.png"]
    assert charts["whatif-scenarios.png"].startswith(PNG)


def test_run_job_gives_the_table_and_the_charts(tiny: Problem) -> None:
    """A what-if job gives the table as records and each chart as base64 PNG, with progress."""
    seen: list[dict[str, int]] = []
    payload = {
        "problem": tiny.model_dump(mode="json"),
        "scenarios": {"scenarios": TINY_SWEEP["scenarios"]},
        "options": {"time_limit": 1, "deterministic": True, "solver_workers": 1},
    }
    result = run_job(payload, lambda progress, _: seen.append(progress))
    assert [row["scenario"] for row in result["table"]] == ["base", "fk2"]
    assert result["table"][0]["sweep"] is None
    assert "fulfilment" in result["columns"]
    assert base64.b64decode(result["charts"]["whatif-scenarios.png"]).startswith(PNG)
    assert seen == [{"done": 1, "total": 2}, {"done": 2, "total": 2}]


def test_replications_run_over_generated_weeks(tiny: Problem) -> None:
    """Three replications plan three generated weeks per scenario, each with its own demand."""
    spec = ScenarioFile.model_validate({"replications": {"count": 3, "seed": 5, "fathers": 12}})
    _, tasks = plan_sweep(tiny, spec, DETERMINISTIC, 1)
    assert [(t.scenario, t.replication) for t in tasks] == [("base", 0), ("base", 1), ("base", 2)]
    assert [len(t.problem.fathers) for t in tasks] == [12, 12, 12]
    assert all(t.problem.rooms == tiny.rooms for t in tasks)
    assert tasks[0].problem.fathers != tasks[1].problem.fathers


@pytest.mark.slow
@pytest.mark.ray
def test_ray_and_local_give_identical_reports(tiny: Problem, ray_cluster: object) -> None:
    """In deterministic mode the Ray cluster and the local pool give the very same report."""
    spec = parse_scenarios(TINY_SWEEP)
    seen: list[int] = []
    with RayExecutor() as executor:
        on_ray = run_sweep(tiny, spec, executor, DETERMINISTIC, lambda d, t: seen.append(d))
    with LocalPoolExecutor(workers=2) as executor:
        local = run_sweep(tiny, spec, executor, DETERMINISTIC)
    pd.testing.assert_frame_equal(on_ray.table, local.table)
    pd.testing.assert_frame_equal(on_ray.runs, local.runs)
    assert seen == [1, 2, 3, 4, 5]
    assert not math.isnan(local.table["fulfilment"].iloc[0])
