"""The solve and demo commands end to end: outputs, progress, exit codes, bad input refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest

from api.cli import main
from api.cli.demo import demo_weeks
from scheduler.domain import Problem, load_roster, parse_roster
from scheduler.validate import violations
from tests.kit.weeks import at, father, officer, room, volunteer, week, window


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Give the exit code, stdout and stderr of one command."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_out(
    tiny: Problem, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``solve --format json --out`` writes a valid optimal roster and shows progress on stderr."""
    out = tmp_path / "roster.json"
    code, stdout, err = run(
        [
            "solve",
            str(fixtures_dir / "tiny.json"),
            "--time-limit",
            "10",
            "--format",
            "json",
            "--out",
            str(out),
        ],
        capsys,
    )
    roster = load_roster(out)
    assert (code, stdout, roster.status, roster.solver) == (0, "", "optimal", "cp-sat")
    assert violations(tiny, roster) == []
    lines = err.splitlines()
    assert lines[0] == "solving tiny-2027-W05 (4 fathers)"
    progress = lines[1:-2]
    assert progress
    # The warm start comes first, without a bound. Every father has his legal hour in it
    # already: that tier needs no search.
    assert re.fullmatch(r" +\d+\.\d\d s  legal_minimum 4", progress[0])
    assert re.fullmatch(r" +\d+\.\d\d s  legal_minimum 4 \(bound 4\)", progress[1])
    later = progress[2:]
    assert all(re.fullmatch(r" +\d+\.\d\d s  (entitlements|continuity) \d.*", p) for p in later)
    assert f"wrote {out}" in lines


def test_table_on_stdout(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The default table shows the headline, the week by day and room, then every father."""
    code, out, _ = run(["solve", str(fixtures_dir / "tiny.json"), "--time-limit", "10"], capsys)
    assert code == 0
    assert out.startswith("Roster tiny-2027-W05 (2027-W05), solver cp-sat: optimal\n")
    for line in (
        "The week",
        "wed 2027-02-03",
        "  VH-BZ",
        "Fathers: granted of entitled, with what blocks more",
    ):
        assert line in out.splitlines()
    assert "F-004 (PI-VH, shell 1, 60 min of visit)" in out


def test_legal_shortfall_is_loud(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A father who cannot get his legal hour is named at the top and first among the fathers."""
    problem = week(
        rooms=[room("FK", "family_room", [window("mon", "10:00", "11:30")])],
        volunteers=[volunteer("V1", ["family_room_visit"], [window("mon", "08:00", "20:00")])],
        officers=[officer("O1", [window("mon", "08:00", "20:00")])],
        fathers=[father("F-1A", shell=2), father("F-2Z", shell=2)],
    )
    path = tmp_path / "week.json"
    path.write_text(problem.model_dump_json(), encoding="utf-8")
    code, out, _ = run(["solve", str(path), "--time-limit", "10"], capsys)
    lines = out.splitlines()
    [loud] = [line for line in lines if "LEGAL MINIMUM NOT MET" in line]
    assert code == 0
    assert "for 1 of 2 fathers" in loud
    fathers = [line for line in lines if line.startswith("F-")]
    assert fathers[0].endswith("!!! BELOW LEGAL MINIMUM")


def test_csv_folder_and_xlsx(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CSV writes one file per view into a folder; XLSX the week grid and a sheet per view."""
    problem = str(fixtures_dir / "tiny.json")
    code, _, _ = run(["solve", problem, "--format", "csv", "--out", str(tmp_path / "csv")], capsys)
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "days.csv", "fathers.csv", "rooms.csv", "staff.csv",
    ]  # fmt: skip
    code, _, _ = run(
        ["solve", problem, "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")], capsys
    )
    assert code == 0
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == [
        "Week", "Dagen", "Ruimten", "Vaders", "Personeel",
    ]  # fmt: skip


def test_baseline_and_previous(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--baseline fcfs`` gives the baseline's roster; ``--previous`` keeps what it can of one."""
    problem = str(fixtures_dir / "tiny.json")
    first = tmp_path / "fcfs.json"
    code, _, _ = run(
        ["solve", problem, "--baseline", "fcfs", "--format", "json", "--out", str(first)], capsys
    )
    assert (code, load_roster(first).solver) == (0, "fcfs")
    again = tmp_path / "again.json"
    code, _, _ = run(
        [
            "solve",
            problem,
            "--previous",
            str(first),
            "--deterministic",
            "--format",
            "json",
            "--out",
            str(again),
        ],
        capsys,
    )
    assert code == 0
    assert load_roster(again).tiers["stability"] > 0


def test_infeasible_week_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Pins that contradict each other: the roster says infeasible and the command exits 1."""
    pin = {
        "activity": "video_call",
        "start": at("mon", "16:00"),
        "end": at("mon", "16:30"),
        "room": "BB",
        "fathers": ["F1"],
        "pinned": True,
    }
    problem = week(
        rooms=[room("BB", "video_station", [window("mon", "16:00", "17:00")])],
        fathers=[father("F1"), father("F2")],
        pinned=[{**pin, "id": "P1"}, {**pin, "id": "P2", "fathers": ["F2"]}],
    )
    path = tmp_path / "week.json"
    path.write_text(problem.model_dump_json(), encoding="utf-8")
    code, out, err = run(["solve", str(path), "--format", "json"], capsys)
    assert (code, json.loads(out)["status"]) == (1, "infeasible")
    assert err.splitlines()[-1].startswith("infeasible")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--time-limit", "0"], "error: --time-limit: 0.0 is not a positive number of seconds"),
        (["--workers", "0"], "error: --workers: 0 is not a positive number"),
        (["--format", "xlsx"], "error: --out: a file name is needed for --format xlsx"),
    ],
)
def test_bad_options_exit_2(
    extra: list[str], message: str, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad option is refused with exit 2 and a message naming it."""
    code, out, err = run(["solve", str(fixtures_dir / "tiny.json"), *extra], capsys)
    assert (code, out, err.strip()) == (2, "", message)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--time-limit", "0"], "error: --time-limit: 0.0 is not a positive number of seconds"),
        (["--workers", "0"], "error: --workers: 0 is not a positive number"),
    ],
)
def test_demo_refuses_bad_limits_before_solving(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo checks --time-limit and --workers as solve does: exit 2, nothing written."""
    code, out, err = run(["demo", "--out", str(tmp_path), *extra], capsys)
    assert (code, out, err.strip()) == (2, "", message)
    assert list(tmp_path.iterdir()) == []


def test_bad_files_exit_2(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing problem, a broken field, or a previous roster of another week: exit 2, named."""
    code, _, err = run(["solve", str(tmp_path / "missing.json")], capsys)
    assert code == 2 and "missing.json: cannot be read" in err
    broken = tmp_path / "broken.json"
    data = json.loads((fixtures_dir / "tiny.json").read_text(encoding="utf-8"))
    data["fathers"][0]["linked_volunteer"] = "V99"
    broken.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run(["solve", str(broken)], capsys)
    assert (code, err.strip()) == (2, "error: fathers[0].linked_volunteer: unknown volunteer 'V99'")
    other = tmp_path / "other.json"
    other.write_text(
        json.dumps({"problem_id": "x", "week": "2027-W06", "status": "optimal"}), encoding="utf-8"
    )
    code, _, err = run(["solve", str(fixtures_dir / "tiny.json"), "--previous", str(other)], capsys)
    assert (code, err.strip()) == (
        2,
        f"error: --previous {other}: week: roster is for 2027-W06, not 2027-W05",
    )


def test_demo_writes_exports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo solves its weeks, compares with FCFS and writes JSON, CSV and XLSX for each."""
    monkeypatch.setattr(
        "api.cli.demo.demo_weeks", lambda: [Path(demo_weeks()[0]).parent / "tiny.json"]
    )
    code, out, _ = run(["demo", "--out", str(tmp_path), "--time-limit", "5"], capsys)
    assert code == 0
    assert "compared with first come, first served:" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "tiny-2027-W05-csv", "tiny-2027-W05.json", "tiny-2027-W05.xlsx",
    ]  # fmt: skip


def test_solver_highs_writes_a_valid_optimal_roster(
    tiny: Problem, fixtures_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """``solve --solver highs`` proves tiny optimal; stdout holds the roster alone, valid."""
    argv = ["solve", str(fixtures_dir / "tiny.json"), "--solver", "highs", "--format", "json"]
    code = main([*argv, "--time-limit", "10"])
    out, err = capfd.readouterr()
    roster = parse_roster(json.loads(out))
    assert (code, roster.status, roster.solver) == (0, "optimal", "highs")
    assert violations(tiny, roster) == []
    assert err.splitlines()[-1].startswith("optimal")


def test_an_unknown_solver_exits_2(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--solver glpk`` is refused with exit 2, naming the option and the choices."""
    with pytest.raises(SystemExit) as exited:
        main(["solve", str(fixtures_dir / "tiny.json"), "--solver", "glpk"])
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert "--solver: invalid choice: 'glpk'" in err
