"""The command line on the data contract: ``schema``, and bad weeks refused naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from scheduler.domain import read_json


@pytest.fixture
def data(fixtures_dir: Path) -> dict[str, Any]:
    """Give the decoded JSON of fixtures/tiny.json, free to change."""
    decoded: dict[str, Any] = read_json(fixtures_dir / "tiny.json")
    return decoded


def _father(data: dict[str, Any], father_id: str) -> dict[str, Any]:
    return next(f for f in data["fathers"] if f["id"] == father_id)


def test_schema_command_prints_both_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    """`gezinsrooster schema` prints the JSON Schema of Problem and of Roster."""
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert sorted(printed) == ["Problem", "Roster"]
    assert printed["Problem"]["title"] == "Problem"
    assert {"fathers", "sessions", "pinned"} <= set(printed["Problem"]["properties"])
    assert {"assignments", "shortfalls", "kpis"} <= set(printed["Roster"]["properties"])


@pytest.mark.parametrize("command", ["solve", "validate"])
def test_commands_refuse_a_bad_week_naming_the_field(
    command: str, data: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A week with an unknown volunteer exits 2, naming field and culprit, without a traceback."""
    _father(data, "F-002")["linked_volunteer"] = "V-99"
    week = tmp_path / "week.json"
    week.write_text(json.dumps(data), encoding="utf-8")
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps({"problem_id": "tiny", "week": "2027-W05", "status": "unknown"}))
    arguments = [command, str(week)] + ([str(roster)] if command == "validate" else [])
    assert main(arguments) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ")
    assert captured.err.endswith("fathers[1].linked_volunteer: unknown volunteer 'V-99'\n")
    assert "Traceback" not in captured.err


def test_commands_refuse_a_file_that_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Solving a file that is not JSON exits 2 with the file, line and column."""
    week = tmp_path / "week.json"
    week.write_text("not json", encoding="utf-8")
    assert main(["solve", str(week)]) == 2
    assert capsys.readouterr().err == (
        f"error: {week}: not valid JSON at line 1, column 1: Expecting value\n"
    )
