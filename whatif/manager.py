"""The what-if report as a manager reads it: Dutch names, one chart per question, a conclusion.

A scenario goes by a name a manager knows (``partnertijd 27 uur``, ``tweede
familiekamer``) instead of its id; each sweep answers one question in one
chart (the share of entitlements granted and the lowest share of any father,
in percent on an axis from 0 to 100, against the swept value, the single
scenarios as lines across); and each sweep has a one-sentence conclusion
with its gain in percentage points.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from whatif.scenarios import BASE, value_text

PARAMETERS: dict[str, tuple[str, str, str]] = {
    # parameter: (what is swept, its unit, the question the chart answers)
    "partner_cap_hours": ("partnertijd", "uur", "Wat levert meer partnertijd op?"),
}
SCENARIO_NAMES: dict[str, str] = {
    BASE: "huidige week",
    "second-family-room": "tweede familiekamer",
}
SCENARIOS_QUESTION = "Wat leveren de scenario's op?"
GAIN_WORTH_SAYING = 0.005
"""Less than half a percentage point more is *weinig*."""


def _number(value: float, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    if text.endswith("0" * digits):
        text = text[: -(digits + 1)]
    return text.replace(".", ",")


def _is_sweep(row: dict[str, Any]) -> bool:
    sweep = row.get("sweep")
    return isinstance(sweep, str) and bool(sweep)


def scenario_label(row: dict[str, Any]) -> str:
    """Give a scenario's name for a manager: the swept value with its unit, or a known name."""
    if _is_sweep(row) and row.get("parameter") in PARAMETERS:
        what, unit, _ = PARAMETERS[str(row["parameter"])]
        return f"{what} {value_text(float(row['value']))} {unit}"
    name = str(row.get("scenario", ""))
    return SCENARIO_NAMES.get(name, name.replace("-", " "))


def _sweeps(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    if "sweep" not in table:
        return []
    swept = table.dropna(subset=["sweep"])
    return [(str(s), rows.sort_values("value")) for s, rows in swept.groupby("sweep", sort=False)]


def conclusions(table: pd.DataFrame, levels_off: dict[str, float | None]) -> dict[str, str]:
    """Give per sweep one sentence: from where more of it adds little, and how much, in pp.

    ``boven 45 uur partnertijd levert meer weinig op: +0,8 pp`` where it levels
    off; otherwise how much the whole range adds.
    """
    found: dict[str, str] = {}
    for sweep, rows in _sweeps(table):
        parameter = str(rows["parameter"].iloc[0])
        what, unit, _ = PARAMETERS.get(parameter, (parameter.replace("_", " "), "", ""))
        values = list(rows["value"])
        shares = list(rows["fulfilment"])
        flat = levels_off.get(sweep)
        if flat is not None and flat in values:
            gain = (shares[-1] - shares[values.index(flat)]) * 100
            found[sweep] = (
                f"boven {value_text(flat)} {unit} {what} levert meer weinig op: "
                f"+{_number(gain)} pp tot {value_text(values[-1])} {unit}"
            ).replace("  ", " ")
        else:
            gain = (shares[-1] - shares[0]) * 100
            found[sweep] = (
                f"meer {what} blijft lonen: van {value_text(values[0])} tot "
                f"{value_text(values[-1])} {unit} +{_number(gain)} pp"
            ).replace("  ", " ")
    return found


def _percent_axis(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_ylim(0, 1)
    axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axis.grid(True, alpha=0.3)


def manager_charts(table: pd.DataFrame, levels_off: dict[str, float | None]) -> dict[str, bytes]:
    """Give one PNG chart per question by file name (``whatif-<parameter>.png``), in Dutch.

    A sweep's chart shows the share of entitlements granted and the lowest
    share of any father against the swept value; the single scenarios are
    lines across. Without a sweep, one chart of bars, one per scenario.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    said = conclusions(table, levels_off)
    singles = table[table["sweep"].isna()] if "sweep" in table else table
    charts: dict[str, bytes] = {}
    by_parameter: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for sweep, rows in _sweeps(table):
        by_parameter.setdefault(str(rows["parameter"].iloc[0]), []).append((sweep, rows))
    for parameter, sweeps in by_parameter.items():
        what, unit, question = _words(parameter)
        figure, axis = plt.subplots(figsize=(8, 4.5))
        for index, (sweep, rows) in enumerate(sweeps):
            color = f"C{index}"
            axis.plot(rows["value"], rows["fulfilment"], marker="o", color=color,
                      label="toegekend van recht")  # fmt: skip
            if "fairness_floor" in rows:
                axis.plot(rows["value"], rows["fairness_floor"], marker="s", linestyle="--",
                          color=color, alpha=0.7, label="laagste per vader")  # fmt: skip
            flat = levels_off.get(sweep)
            if flat is not None:
                axis.axvline(flat, color="grey", linestyle="-.", linewidth=1)
        for offset, (_, single) in enumerate(singles.iterrows()):
            axis.axhline(single["fulfilment"], linestyle=":", linewidth=1.2,
                         color=f"C{len(sweeps) + offset}",
                         label=f"{scenario_label(dict(single))}: toegekend")  # fmt: skip
        _percent_axis(axis)
        axis.set_xlabel(f"{what} ({unit} per week)" if unit else what)
        axis.set_ylabel("aandeel van het recht")
        axis.set_title(question, fontsize=12)
        sentence = " · ".join(said.get(sweep, "") for sweep, _ in sweeps)
        figure.text(0.5, 0.01, sentence, ha="center", fontsize=9)
        axis.legend(fontsize=8, loc="lower right")
        figure.tight_layout(rect=(0, 0.05, 1, 1))
        charts[f"whatif-{_slug(parameter)}.png"] = _png(figure, plt)
    if not by_parameter and len(singles):
        figure, axis = plt.subplots(figsize=(8, 4.5))
        labels = [scenario_label(dict(row)) for _, row in singles.iterrows()]
        axis.bar(range(len(singles)), singles["fulfilment"], color="C0")
        axis.set_xticks(range(len(singles)), labels, rotation=20, ha="right")
        _percent_axis(axis)
        axis.set_ylabel("toegekend van recht")
        axis.set_title(SCENARIOS_QUESTION, fontsize=12)
        figure.tight_layout()
        charts["whatif-scenarios.png"] = _png(figure, plt)
    return charts


def _png(figure: Any, plt: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def _words(parameter: str) -> tuple[str, str, str]:
    """Give what a sweep of the parameter changes, its unit, and the question its chart answers."""
    fallback = (parameter.replace("_", " "), "", f"Wat levert meer {parameter} op?")
    return PARAMETERS.get(parameter, fallback)


def chart_question(name: str) -> str:
    """Give the question a chart answers, by its file name (for the page's text alternative)."""
    if name == "whatif-scenarios.png":
        return SCENARIOS_QUESTION
    parameters = {f"whatif-{_slug(p)}.png": p for p in PARAMETERS}
    parameter = parameters.get(name, name.removeprefix("whatif-").removesuffix(".png"))
    return _words(parameter)[2]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-") or "chart"
