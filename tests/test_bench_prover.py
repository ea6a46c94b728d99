"""The prover bench (``python -m bench.prover``) end to end on the tiny fixture."""

from __future__ import annotations

import pytest

from bench.prover import COLUMNS, main


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
