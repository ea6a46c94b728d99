"""The what-if report: one row per scenario, its spread and gain, charts, CSV and XLSX.

The report is a pandas table with one row per scenario, in the scenario
file's order: the mean of each KPI over the replications, its spread where
there are several, and the gain against the base. ``write_report`` writes it
as CSV and XLSX and draws one chart per question (``whatif.manager``), so a
manager sees where extra capacity stops paying off. In deterministic mode the report
leaves out wall-clock figures, so any executor gives the same report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, pstdev
from typing import Any

import pandas as pd

from whatif.manager import manager_charts
from whatif.scenarios import BASE, Scenario

SCENARIO_COLUMNS: tuple[str, ...] = (
    "scenario",
    "sweep",
    "parameter",
    "value",
    "replications",
    "status",
)
GAIN_KPIS: tuple[str, ...] = (
    "fulfilment",
    "fathers_below_legal_minimum",
    "fairness_floor",
    "fathers_nothing_beyond_legal",
    "escorts_short_of_partner_cap",
    "granted",
    "volunteer_hours",
    "four_weeks_fulfilment_floor",
    "four_weeks_below_legal_minimum_twice",
    "four_weeks_least_child_minutes",
)
TIMING_COLUMNS: tuple[str, ...] = ("solve_seconds", "gap")
LEVELS_OFF_GAIN = 0.005
"""A further step of the sweep that adds less fulfilment than this has stopped paying off."""


@dataclass(frozen=True)
class Outcome:
    """What one solve gives back: the roster's status, timing and key figures (flat)."""

    scenario: str
    replication: int
    status: str
    solve_seconds: float
    gap: float | None
    kpis: dict[str, float]


@dataclass
class WhatIfReport:
    """A finished sweep: its scenarios, every run, and the table of one row per scenario."""

    scenarios: list[Scenario]
    runs: pd.DataFrame
    table: pd.DataFrame
    deterministic: bool
    replications: int
    levels_off: dict[str, float | None] = field(default_factory=dict)
    # Per sweep over the partner cap: the least cap at which no escort waits for it.
    every_escort_from: dict[str, float | None] = field(default_factory=dict)
    # What to buy next, best first (``whatif.purchases.purchase_records``); empty if not asked.
    purchases: list[dict[str, Any]] = field(default_factory=list)


def _runs_frame(outcomes: list[Outcome], deterministic: bool) -> pd.DataFrame:
    rows = []
    for outcome in outcomes:
        row: dict[str, Any] = {
            "scenario": outcome.scenario,
            "replication": outcome.replication,
            "status": outcome.status,
        }
        if not deterministic:
            row["solve_seconds"] = outcome.solve_seconds
            row["gap"] = outcome.gap
        row.update(outcome.kpis)
        rows.append(row)
    return pd.DataFrame(rows)


def _status(statuses: list[str]) -> str:
    """Give the statuses of a scenario's runs: one word if all agree, else each with its count."""
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    if len(counts) == 1:
        return statuses[0]
    return ", ".join(f"{status} x{count}" for status, count in counts.items())


def assemble(
    scenarios: list[Scenario], outcomes: list[Outcome], replications: int, deterministic: bool
) -> WhatIfReport:
    """Give the report of finished runs: one row per scenario, in scenario order, with the gains.

    A KPI's gain is its mean over the replications minus the base's mean; every
    fulfilment (overall, per shell, per activity) and the main other KPIs have one.
    """
    runs = _runs_frame(outcomes, deterministic)
    kpi_columns = sorted({name for outcome in outcomes for name in outcome.kpis})
    by_scenario: dict[str, list[Outcome]] = {}
    for outcome in sorted(outcomes, key=lambda o: o.replication):
        by_scenario.setdefault(outcome.scenario, []).append(outcome)
    rows: list[dict[str, Any]] = []
    for scenario in scenarios:
        own = by_scenario.get(scenario.name, [])
        row: dict[str, Any] = {
            "scenario": scenario.name,
            "sweep": scenario.sweep,
            "parameter": scenario.parameter,
            "value": scenario.value,
            "replications": len(own),
            "status": _status([o.status for o in own]),
        }
        for name in kpi_columns:
            values = [o.kpis[name] for o in own if name in o.kpis]
            row[name] = mean(values) if values else math.nan
            if replications > 1:
                row[f"{name}_sd"] = pstdev(values) if len(values) > 1 else math.nan
        if not deterministic:
            row["solve_seconds"] = mean(o.solve_seconds for o in own) if own else math.nan
            gaps = [o.gap for o in own if o.gap is not None]
            row["gap"] = max(gaps) if gaps else math.nan
        rows.append(row)
    base = rows[0] if rows and rows[0]["scenario"] == BASE else None
    # Gains per shell and per activity say for whom a change pays off.
    gained = [n for n in kpi_columns if n in GAIN_KPIS or n.startswith("fulfilment_")]
    for row in rows:
        for name in gained:
            if base is not None:
                row[f"{name}_gain"] = row[name] - base[name]
    table = pd.DataFrame(rows)
    report = WhatIfReport(
        scenarios=scenarios,
        runs=runs,
        table=table,
        deterministic=deterministic,
        replications=replications,
    )
    report.levels_off = levels_off(table)
    report.every_escort_from = every_escort_from(table)
    return report


def every_escort_from(table: pd.DataFrame) -> dict[str, float | None]:
    """Give per partner-cap sweep the least cap at which no escorted visit falls short of it.

    It answers "how many partner hours does this region need before every
    father has his escort?": the least value of the sweep from which on no
    run has an escorted-visit shortfall with ``partner_cap``; None where even
    the sweep's last value leaves some.
    """
    found: dict[str, float | None] = {}
    short = "escorts_short_of_partner_cap"
    if "sweep" not in table or short not in table:
        return found
    swept = table.dropna(subset=["sweep"])
    for sweep, rows in swept[swept["parameter"] == "partner_cap_hours"].groupby(
        "sweep", sort=False
    ):
        ordered = rows.sort_values("value")
        values = list(ordered["value"])
        counts = list(ordered[short])
        found[str(sweep)] = None
        for index in range(len(values)):
            if all(count == 0 for count in counts[index:]):
                found[str(sweep)] = float(values[index])
                break
    return found


def levels_off(table: pd.DataFrame, kpi: str = "fulfilment") -> dict[str, float | None]:
    """Give per sweep the value from which further steps add less than half a point of the KPI.

    None where the KPI still rises by that much at the sweep's last step.
    """
    found: dict[str, float | None] = {}
    if "sweep" not in table or kpi not in table:
        return found
    for sweep, rows in table.dropna(subset=["sweep"]).groupby("sweep", sort=False):
        ordered = rows.sort_values("value")
        values = list(ordered["value"])
        kpis = list(ordered[kpi])
        found[str(sweep)] = None
        for index in range(len(values)):
            if all(later - kpis[index] < LEVELS_OFF_GAIN for later in kpis[index + 1 :]):
                found[str(sweep)] = float(values[index]) if index < len(values) - 1 else None
                break
    return found


def summary_columns(table: pd.DataFrame) -> list[str]:
    """Give the columns worth printing in a terminal: scenario, status, main KPIs and gain."""
    wanted = [
        "scenario",
        "status",
        "fulfilment",
        "fulfilment_gain",
        "fulfilment_shell_1",
        "fulfilment_shell_2",
        "fulfilment_shell_3",
        "fathers_below_legal_minimum",
        "fairness_floor",
        "fathers_nothing_beyond_legal",
        "escorts_short_of_partner_cap",
        "volunteer_hours",
        "partner_cap_hours",
        "utilisation_family_room",
    ]
    return [name for name in wanted if name in table.columns]


def format_table(table: pd.DataFrame) -> str:
    """Give the table as plain text for a terminal, rounded for reading."""
    shown = table[summary_columns(table)]
    text: str = shown.to_string(index=False, float_format=lambda value: f"{value:.3f}", na_rep="-")
    return text


def draw_charts(report: WhatIfReport) -> dict[str, bytes]:
    """Give PNG charts by file name: one per question a manager asks, in Dutch."""
    return manager_charts(report.table, report.levels_off)


def write_report(report: WhatIfReport, out_dir: str | Path) -> list[Path]:
    """Give the paths written: whatif.csv, whatif.xlsx (with every run), the charts, purchases.

    ``inkoop.csv`` ranks what to buy next, when the report has purchases.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "whatif.csv", out / "whatif.xlsx"]
    report.table.to_csv(written[0], index=False)
    with pd.ExcelWriter(written[1], engine="openpyxl") as excel:
        report.table.to_excel(excel, sheet_name="scenarios", index=False)
        report.runs.to_excel(excel, sheet_name="runs", index=False)
    if report.purchases:
        path = out / "inkoop.csv"
        pd.DataFrame(report.purchases).to_csv(path, index=False)
        written.append(path)
    for name, png in draw_charts(report).items():
        path = out / name
        path.write_bytes(png)
        written.append(path)
    return written


def table_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Give the table as JSON-ready records (NaN as null)."""
    records: list[dict[str, Any]] = []
    for row in table.to_dict(orient="records"):
        records.append(
            {
                str(k): (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in row.items()
            }
        )
    return records
