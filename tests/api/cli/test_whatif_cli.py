"""The ``gezinsrooster whatif`` command: files written, table printed, bad input exits 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from api.cli import main
from api.cli.whatif import ProgressBar

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


@pytest.mark.slow
def test_whatif_writes_table_and_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A what-if of a small sweep on the tiny week prints the table and writes CSV, XLSX and PNG."""
    scenarios = tmp_path / "cap.yaml"
    scenarios.write_text(
        "sweeps:\n"
        "  - name: cap\n"
        "    parameter: partner_cap_hours\n"
        "    values: [0, 12]\n"
        "    changes: [{op: set_policy, partner_cap_hours: $value}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(
        [
            "whatif",
            str(FIXTURES / "tiny.json"),
            str(scenarios),
            "--executor",
            "serial",
            "--deterministic",
            "--time-limit",
            "1",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr()
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "inkoop.csv",
        "whatif-partner_cap_hours.png",
        "whatif.csv",
        "whatif.xlsx",
    ]
    lines = printed.out.splitlines()
    assert lines[0].split()[:3] == ["scenario", "status", "fulfilment"]
    assert [line.split()[0] for line in lines[1:4]] == ["base", "cap=0", "cap=12"]
    assert "whatif: 3/3 solves" in printed.err


def test_invalid_scenario_exits_2_naming_the_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario removing an unknown room exits 2 with the change named, and solves nothing."""
    scenarios = tmp_path / "bad.yaml"
    scenarios.write_text(
        "scenarios:\n  - name: gone\n    changes: [{op: remove_room, room: VH-XX}]\n",
        encoding="utf-8",
    )
    code = main(["whatif", str(FIXTURES / "tiny.json"), str(scenarios), "--out", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == (
        "error: scenario 'gone': scenarios[0].changes[0].room: unknown room 'VH-XX'\n"
    )
    assert not (tmp_path / "whatif.csv").exists()


def test_address_without_ray_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """--address names a Ray cluster, so with the local executor it is refused."""
    code = main(["whatif", str(FIXTURES / "tiny.json"), "--address", "ray://head:10001"])
    assert code == 2
    assert capsys.readouterr().err == (
        "error: --address: names a Ray cluster, so it needs --executor ray\n"
    )


def test_zero_workers_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """--workers 0 is refused by the argument parser with exit 2."""
    with pytest.raises(SystemExit) as caught:
        main(["whatif", str(FIXTURES / "tiny.json"), "--workers", "0"])
    assert caught.value.code == 2
    assert "0 is not a positive number" in capsys.readouterr().err


def test_progress_bar_off_a_terminal_prints_every_tenth() -> None:
    """Off a terminal the progress prints a line at each new tenth and at the end."""
    stream = io.StringIO()
    bar = ProgressBar(stream)
    for done in range(1, 21):
        bar(done, 20)
    counts = [line.split()[1] for line in stream.getvalue().splitlines()]
    assert counts == [
        "1/20",
        "2/20",
        "4/20",
        "6/20",
        "8/20",
        "10/20",
        "12/20",
        "14/20",
        "16/20",
        "18/20",
        "20/20",
    ]


def test_replications_too_small_to_generate_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Replications of the 4-father tiny week cannot be generated: exit 2 naming replications."""
    code = main(["whatif", str(FIXTURES / "tiny.json"), "--replications", "3", "--quiet"])
    assert code == 2
    assert capsys.readouterr().err == "error: replications.fathers: 4 is outside 10..10000\n"


def test_whatif_answers_how_many_partner_hours_every_escort_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cap sweep on the tiny week names the least cap from which no escort waits for the cap."""
    scenarios = tmp_path / "escorts.yaml"
    scenarios.write_text(
        "sweeps:\n"
        "  - name: cap\n"
        "    parameter: partner_cap_hours\n"
        "    values: [0, 40]\n"
        "    changes: [{op: set_policy, partner_cap_hours: $value}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(
        [
            "whatif",
            str(FIXTURES / "tiny.json"),
            str(scenarios),
            "--executor",
            "serial",
            "--deterministic",
            "--time-limit",
            "1",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "cap: every father's escort is paid for from 40 partner hours" in printed
    table = (out / "whatif.csv").read_text(encoding="utf-8").splitlines()
    header = table[0].split(",")
    short = [row.split(",")[header.index("escorts_short_of_partner_cap")] for row in table[1:]]
    # The base (6 hours), then 0 and 40 hours: with 0 every father's escort waits for the cap.
    assert float(short[1]) == 4.0
    assert float(short[2]) == 0.0
