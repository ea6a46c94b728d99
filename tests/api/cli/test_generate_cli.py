"""``gezinsrooster generate``: the generator's JSON on stdout or in a file; bad options refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from scheduler.domain import parse_problem
from scheduler.generate import generate_problem, problem_json


def test_generate_writes_the_same_week_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """`generate --fathers 12 --seed 3` prints exactly the generator's JSON."""
    assert main(["generate", "--fathers", "12", "--seed", "3"]) == 0
    assert capsys.readouterr().out == problem_json(generate_problem(12, seed=3))


def test_generate_writes_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--out` writes the file, which loads, and says what it wrote on stderr."""
    out = tmp_path / "region.json"
    code = main(["generate", "--fathers", "30", "--institutions", "2", "--region", "noord",
                 "--week", "2027-W17", "--out", str(out)])  # fmt: skip
    assert code == 0
    problem = parse_problem(json.loads(out.read_text()))
    assert (problem.id, problem.week, len(problem.institutions)) == (
        "noord-2027-W17-s0",
        "2027-W17",
        2,
    )
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"wrote {out}: 30 fathers in 2 institution(s)")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fathers", "5"], "error: --fathers: 5 is outside 10..10000"),
        (["--fathers", "20", "--institutions", "41"], "error: --institutions: 41 is outside 1..40"),
        (["--fathers", "20", "--week", "2027-05"], "error: --week: '2027-05' is not an ISO week"),
        (["--fathers", "20", "--out", "/nonexistent/dir/x.json"], "error: --out: /nonexistent/dir"),
        (["--fathers", "ten"], "argument --fathers: invalid int value: 'ten'"),
    ],
)
def test_generate_refuses_bad_options(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad options exit 2 with the option named on stderr and nothing on stdout."""
    try:
        code = main(["generate", *arguments])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    assert code == 2
    assert message in captured.err
    assert captured.out == ""


def test_generate_bad_option_in_a_real_process() -> None:
    """Run as a program, a bad --fathers exits 2 naming the option, without a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "generate", "--fathers", "3"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == "error: --fathers: 3 is outside 10..10000\n"
    assert done.stdout == ""
