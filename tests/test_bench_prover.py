"""The prover bench (``python -m bench.prover``) end to end on the tiny fixture."""

from __future__ import annotations

import pytest

from bench.prover import COLUMNS, group_rows, main
from scheduler.objective import Tiers
from solver.solve import Progress


@pytest.mark.slow
def test_prover_bench_gives_cp_sat_and_highs_side_by_side(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Tiny, solved by CP-SAT and by HiGHS in processes of their own: two valid optimal rows."""
    assert main(["--rows", "tiny", "--solvers", "cp-sat,highs", "--time-limit", "5"]) == 0
    out = capsys.readouterr().out
    rows = [line.split(" | ") for line in out.splitlines() if line.startswith("| tiny ")]
    solver, status, valid = COLUMNS.index("solver"), COLUMNS.index("status"), COLUMNS.index("valid")
    assert [(r[solver], r[status], r[valid].rstrip(" |")) for r in rows] == [
        ("cp-sat", "optimal", "yes"),
        ("highs", "optimal", "yes"),
    ]
    assert "load average" in out


def test_prover_bench_refuses_an_unknown_row(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown row or solver exits 2, naming it."""
    assert main(["--rows", "nowhere", "--solvers", "glpk"]) == 2
    assert "nowhere, glpk" in capsys.readouterr().err


def test_group_rows_give_each_groups_moments_as_its_first_tier() -> None:
    """A weighted group's values and bound read as its head; the first bound and the last event."""
    ranges = Tiers(legal_minimum=5, entitlements=100, continuity=9, stability=0, economy=30)
    group = "entitlements+continuity"
    events = [
        Progress(0.1, "legal_minimum", 5, None),
        Progress(0.5, "legal_minimum", 5, 5),
        Progress(1.0, group, 40 * 10 + 3, None),
        Progress(1.5, group, 40 * 10 + 3, 90 * 10 + 9),
        Progress(2.0, group, 70 * 10 + 1, 80 * 10 + 9),
    ]
    rows = group_rows(events, [0.2, 0.4, 0.9, 1.2, 2.6], ranges)
    assert rows == [
        {
            "group": "legal_minimum",
            "from s (cpu)": "0.10 (0.2)",
            "until s (cpu)": "0.50 (0.4)",
            "head from": 5,
            "head at the end": 5,
            "first bound s (cpu)": "0.50 (0.4)",
            "head's bound": 5,
        },
        {
            "group": group,
            "from s (cpu)": "1.00 (0.9)",
            "until s (cpu)": "2.00 (2.6)",
            "head from": 40,
            "head at the end": 70,
            "first bound s (cpu)": "1.50 (1.2)",
            "head's bound": 90,
        },
    ]
