"""Benchmark of the CP-SAT roster on the institution and region fixtures, against FCFS.

Run ``.venv/bin/python bench/solve_fixtures.py [--time-limit S] [--workers N] [NAME ...]``.
For each fixture (default: veenhuizen, leeuwarden, region-noord) it measures
the week as ``python -m bench`` measures a generated one
(``bench.suite.measure_week``): the solver's status, wall time, gap, legal
tier, entitlement value and fairness floor beside FCFS's, and what any roster
of the week can reach (``bench.fairness``): the fewest fathers with nothing
beyond the legal visit after the legal tier, the most entitlement value with
the legal tier held at the roster's count and without, whether a fairness
floor above 0 is possible, and whether the visit sessions seat every father.
A second table gives each fairness target with its figures and its verdict.
The solver's target: proven optimal within 10 seconds on 2 cores (``--workers 2``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.fairness import fewest_text
from bench.report import bound_text
from bench.suite import FLOOR_RATIO, NEAR_FEWEST, VALUE_GAIN, Figures, InstanceSpec, measure_week
from scheduler.domain import Problem, load_problem

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ("veenhuizen", "leeuwarden", "region-noord")
COLUMNS = (
    "fixture", "fathers", "status", "seconds", "gap", "legal (bound)", "below legal (fcfs)",
    "value (fcfs; gain)", "value bound, legal held (largest gain)",
    "value bound, legal not held (largest gain)", "floor (fcfs)", "floor above 0 possible",
    "nothing beyond legal (fcfs)", "fewest nothing beyond legal (bound; found)",
    "legal with volunteer reason (fcfs)", "seats for every father", "valid",
)  # fmt: skip
TARGET_COLUMNS = ("fixture", "target", "roster", "fcfs", "what the week allows", "verdict")


def measure(problem: Problem, name: str, time_limit: float, workers: int) -> Figures:
    """Give the figures of one fixture week, the proofs of what it allows included."""
    spec = InstanceSpec(
        len(problem.fathers), len(problem.institutions), time_limit=time_limit, workers=workers
    )
    return measure_week(problem, name, spec)


def _possible(found: bool | None) -> str:
    return "not proven" if found is None else "yes" if found else "no"


def _verdict(met: bool | None) -> str:
    return "-" if met is None else "met" if met else "not met"


def _gain(gain: float | None) -> str:
    return "-" if gain is None else f"{gain:+.1%}"


def figure_row(figures: Figures) -> list[str]:
    """Give the row of the figures table: the roster's, FCFS's and the week's bounds."""
    best = figures.fewest_nothing_beyond
    fewest = "-" if best is None else f"{best.bound}; {best.value}"
    return [
        figures.name,
        str(figures.fathers),
        f"{figures.status} ({figures.solver})",
        f"{figures.wall_seconds:.1f}",
        "-" if figures.gap is None else f"{figures.gap:.2%}",
        f"{figures.legal_minimum} ({figures.legal_minimum_bound})",
        f"{figures.below_legal} ({figures.baseline_below_legal})",
        f"{figures.value} ({figures.baseline_value}; {_gain(figures.value_gain)})",
        bound_text(figures.value_bound_held, figures.largest_gain_held),
        bound_text(figures.value_bound_free, figures.largest_gain_free),
        f"{figures.floor:.2f} ({figures.baseline_floor:.2f})",
        _possible(figures.floor_possible),
        f"{figures.nothing_beyond} ({figures.baseline_nothing_beyond})",
        fewest,
        f"{figures.legal_volunteer_reasons} ({figures.baseline_legal_volunteer_reasons})",
        "yes" if figures.seats_for_all else "no",
        "yes" if figures.valid else f"NO ({figures.violations})",
    ]


def target_rows(figures: Figures) -> list[list[str]]:
    """Give each fairness target on the week: the roster's figure, FCFS's, the bound, the verdict.

    The verdicts are the figures' own (``bench.suite.Figures``); a target
    that does not apply to the week (the legal hour where the seats do not
    allow it) has '-'.
    """
    name = figures.name
    allowed = (
        "-"
        if figures.value_bound_held is None
        else f"at most {figures.value_bound_held} ({_gain(figures.largest_gain_held)})"
    )
    return [
        [
            name,
            "no legal shortfall has a volunteer reason",
            str(figures.legal_volunteer_reasons),
            str(figures.baseline_legal_volunteer_reasons),
            "0",
            _verdict(figures.volunteer_met),
        ],
        [
            name,
            f"nothing beyond legal: fewer than FCFS, within {NEAR_FEWEST - 1:.0%} of the fewest",
            str(figures.nothing_beyond),
            str(figures.baseline_nothing_beyond),
            f"fewest {fewest_text(figures.fewest_nothing_beyond)}",
            _verdict(figures.nothing_beyond_met),
        ],
        [
            name,
            f"floor >= {FLOOR_RATIO:.0f}x FCFS's where above 0, above 0 where possible",
            f"{figures.floor:.2f}",
            f"{figures.baseline_floor:.2f}",
            f"above 0 possible: {_possible(figures.floor_possible)}",
            _verdict(figures.floor_met),
        ],
        [
            name,
            f"entitlement value >= {VALUE_GAIN:.0%} above FCFS's",
            f"{figures.value} ({_gain(figures.value_gain)})",
            str(figures.baseline_value),
            allowed,
            _verdict(figures.value_met),
        ],
        [
            name,
            "every father his legal hour where the seats allow",
            f"{figures.below_legal} below legal",
            f"{figures.baseline_below_legal} below legal",
            "seats for every father" if figures.seats_for_all else "seats not for every father",
            _verdict(figures.legal_hour_met),
        ],
    ]


def _print(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> int:
    """Measure each fixture and print the figures and the targets; exit 0."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(FIXTURES), metavar="NAME")
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    measured = []
    for name in args.names:
        problem = load_problem(ROOT / "fixtures" / f"{name}.json")
        measured.append(measure(problem, name, args.time_limit, args.workers))
        print(f"{name}: measured", file=sys.stderr, flush=True)
    _print([list(COLUMNS)] + [figure_row(f) for f in measured])
    print()
    _print([list(TARGET_COLUMNS)] + [row for f in measured for row in target_rows(f)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
