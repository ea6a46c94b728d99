"""``gezinsrooster validate PROBLEM ROSTER``: exit codes, one line per violation, KPI summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from scheduler.domain import Assignment, KPIs, Problem
from scheduler.kpis import compute_kpis
from tests.kit.rosters import base, roster
from tests.kit.violations import CASES

BROKEN_ON_TINY = [
    "double-booked father",
    "over-full family room in the changeover",
    "partner cap",
    "volunteer past own maximum",
    "time-out day",
    "no consent of the other parent",
]


def _write(tmp_path: Path, problem: Problem, assignments: list[Assignment]) -> tuple[str, str]:
    problem_path = tmp_path / "P.json"
    roster_path = tmp_path / "R.json"
    problem_path.write_text(problem.model_dump_json(), encoding="utf-8")
    roster_path.write_text(roster(problem, assignments).model_dump_json(), encoding="utf-8")
    return str(problem_path), str(roster_path)


def test_valid_roster_exits_0_with_the_kpi_line(
    tiny: Problem, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A valid roster prints only the KPI summary and exits 0."""
    _, roster_path = _write(tmp_path, tiny, base())
    assert main(["validate", str(fixtures_dir / "tiny.json"), roster_path]) == 0
    out = capsys.readouterr()
    assert out.out == (
        "kpis\tviolations 0\tfulfilment 0.233 (7/30)\tfairness_floor 0.000\t"
        "below_legal_minimum 2\tnothing_beyond_legal 1\tvolunteer_hours 3.5/6\t"
        "entitlement_value 8715\n"
    )
    assert out.err == ""


@pytest.mark.parametrize("name", BROKEN_ON_TINY)
def test_broken_roster_exits_1_naming_the_rule(
    tiny: Problem, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A roster that breaks one rule exits 1 and prints that rule, its assignment, the culprit."""
    rule, case, message = CASES[name]
    problem, assignments = case(tiny)
    assert main(["validate", *_write(tmp_path, problem, assignments)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("kpis\tviolations ")
    assert {line.split("\t")[0] for line in lines[:-1]} == {rule}
    assert any(line.split("\t")[2].startswith(message) for line in lines[:-1])


def test_unknown_ids_are_violations_not_crashes(
    tiny: Problem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A roster naming an unknown room exits 1 with a ``reference`` line naming the field."""
    problem_path, roster_path = _write(tmp_path, tiny, base())
    data = json.loads(Path(roster_path).read_text(encoding="utf-8"))
    data["assignments"][3]["room"] = "VH-XX"
    Path(roster_path).write_text(json.dumps(data), encoding="utf-8")
    assert main(["validate", problem_path, roster_path]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "reference\tA4\tassignments[3].room: unknown room 'VH-XX'"
    )


def test_bad_roster_file_exits_2_naming_file_and_field(
    tiny: Problem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A roster without its status exits 2 with the file and field named, and no traceback."""
    problem_path, roster_path = _write(tmp_path, tiny, base())
    data = json.loads(Path(roster_path).read_text(encoding="utf-8"))
    del data["status"]
    Path(roster_path).write_text(json.dumps(data), encoding="utf-8")
    assert main(["validate", problem_path, roster_path]) == 2
    assert capsys.readouterr().err == f"error: {roster_path}: status: is required\n"


def test_missing_problem_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A problem file that does not exist exits 2 and says it cannot be read."""
    missing = str(tmp_path / "nope.json")
    assert main(["validate", missing, missing]) == 2
    assert capsys.readouterr().err == (
        f"error: {missing}: cannot be read (No such file or directory)\n"
    )


def test_stored_kpis_that_differ_give_a_warning(
    tiny: Problem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A roster whose stored KPIs differ from the recomputed ones warns on stderr but exits 0."""
    problem_path, roster_path = _write(tmp_path, tiny, base())
    data = json.loads(Path(roster_path).read_text(encoding="utf-8"))
    good = compute_kpis(tiny, base())
    data["kpis"] = good.model_copy(update={"fairness_floor": 0.5}).model_dump(mode="json")
    Path(roster_path).write_text(json.dumps(data), encoding="utf-8")
    assert main(["validate", problem_path, roster_path]) == 0
    assert capsys.readouterr().err == (
        "warning: the roster's kpis differ from the recomputed ones: fairness_floor\n"
    )
    data["kpis"] = good.model_dump(mode="json")
    Path(roster_path).write_text(json.dumps(data), encoding="utf-8")
    assert main(["validate", problem_path, roster_path]) == 0
    assert capsys.readouterr().err == ""
    assert good != KPIs()


def test_console_script_on_tiny_fixture(tiny: Problem, fixtures_dir: Path, tmp_path: Path) -> None:
    """`gezinsrooster validate fixtures/tiny.json R.json` exits 1 on a time-out day, naming it."""
    rule, case, _ = CASES["time-out day"]
    problem, assignments = case(tiny)
    _, roster_path = _write(tmp_path, problem, assignments)
    script = Path(sys.executable).parent / "gezinsrooster"
    done = subprocess.run(
        [str(script), "validate", str(fixtures_dir / "tiny.json"), roster_path],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        "eligibility\tA5\tfather F-002 is on time-out on thu 2027-02-04 "
        "(effective shell 2; cooking_together needs 3)"
    )
