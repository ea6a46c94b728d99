"""The what-if report for a manager: Dutch names, one sentence per sweep, one chart each."""

from __future__ import annotations

import math

import pandas as pd

from whatif.manager import chart_question, conclusions, manager_charts, scenario_label
from whatif.report import levels_off


def table() -> pd.DataFrame:
    """Give a made-up report: the base, a second family room, and a partner-cap sweep."""
    nan = math.nan
    rows = [
        ("base", nan, nan, nan, 0.74, 0.2),
        ("second-family-room", nan, nan, nan, 0.76, 0.25),
        ("partner-cap=18", "partner-cap", "partner_cap_hours", 18.0, 0.60, 0.1),
        ("partner-cap=27", "partner-cap", "partner_cap_hours", 27.0, 0.70, 0.2),
        ("partner-cap=36", "partner-cap", "partner_cap_hours", 36.0, 0.74, 0.2),
        ("partner-cap=45", "partner-cap", "partner_cap_hours", 45.0, 0.770, 0.3),
        ("partner-cap=54", "partner-cap", "partner_cap_hours", 54.0, 0.772, 0.3),
        ("partner-cap=63", "partner-cap", "partner_cap_hours", 63.0, 0.774, 0.3),
    ]
    columns = ["scenario", "sweep", "parameter", "value", "fulfilment", "fairness_floor"]
    return pd.DataFrame(rows, columns=columns)


def test_scenarios_go_by_names_a_manager_knows() -> None:
    """A swept scenario is named by its value and unit, the others by their Dutch name."""
    rows = table().to_dict(orient="records")
    assert [scenario_label(row) for row in rows] == [
        "huidige week", "tweede familiekamer", "partnertijd 18 uur", "partnertijd 27 uur",
        "partnertijd 36 uur", "partnertijd 45 uur", "partnertijd 54 uur", "partnertijd 63 uur",
    ]  # fmt: skip
    assert scenario_label({"scenario": "third-wing", "sweep": None}) == "third wing"


def test_each_sweep_has_one_sentence_with_its_gain_in_points() -> None:
    """Where a sweep levels off the sentence says from where and how little more it adds."""
    report = table()
    flat = levels_off(report)
    assert flat == {"partner-cap": 45.0}
    assert conclusions(report, flat) == {
        "partner-cap": "boven 45 uur partnertijd levert meer weinig op: +0,4 pp tot 63 uur"
    }
    rising = report[report["value"].isna() | (report["value"] <= 36)]
    assert conclusions(rising, levels_off(rising)) == {
        "partner-cap": "meer partnertijd blijft lonen: van 18 tot 36 uur +14 pp"
    }


def test_one_chart_per_question_and_one_for_scenarios_without_a_sweep() -> None:
    """A sweep gives one PNG named after its parameter; single scenarios alone one bar chart."""
    report = table()
    charts = manager_charts(report, levels_off(report))
    assert list(charts) == ["whatif-partner_cap_hours.png"]
    assert charts["whatif-partner_cap_hours.png"][:4] == b"\x89PNG"
    singles = report[report["sweep"].isna()]
    assert list(manager_charts(singles, {})) == ["whatif-scenarios.png"]


def test_each_chart_file_names_the_question_it_answers() -> None:
    """A chart's file name gives its question, for the page's text alternative of the image."""
    assert chart_question("whatif-partner_cap_hours.png") == "Wat levert meer partnertijd op?"
    assert chart_question("whatif-scenarios.png") == "Wat leveren de scenario's op?"
    assert chart_question("whatif-escort_hours.png") == "Wat levert meer escort_hours op?"
