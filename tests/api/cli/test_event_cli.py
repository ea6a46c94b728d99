"""``gezinsrooster event``: record an event from options or a file, and list what is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from api.database import Database
from api.problems import new_row
from scheduler.domain import parse_problem
from tests.kit.service import roomy_tiny_data


def _stored(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    database = Database(url)
    database.upgrade()
    data = roomy_tiny_data()
    with database.write() as session:
        session.add(new_row(parse_problem(data), data))
    database.dispose()
    return url


def test_a_time_out_recorded_from_options_is_stored_and_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The options make one event; it applies to the stored week (revision 2) and is listed."""
    url = _stored(tmp_path)
    code = main(
        [
            "event",
            "record",
            "--type",
            "time_out",
            "--at",
            "2027-02-03T10:00:00+01:00",
            "--father",
            "F-001",
            "--id",
            "E-CLI",
            "--by",
            "planner Veenhuizen",
            "--database-url",
            url,
        ]
    )
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["weeks"] == [{"problem_id": "tiny-2027-W05", "revision": 2}]
    assert answer["events"][0]["recorded_by"] == "planner Veenhuizen"
    assert main(["event", "list", "--database-url", url]) == 0
    listed = capsys.readouterr().out.split()
    assert listed[:5] == [
        "E-CLI",
        "2027-02-03T09:00:00+00:00",
        "time_out",
        "F-001",
        "tiny-2027-W05",
    ]


def test_a_bad_event_file_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown room in a file's batch exits 2 with the field named; nothing is stored."""
    url = _stored(tmp_path)
    path = tmp_path / "events.json"
    path.write_text(
        json.dumps(
            [
                {
                    "type": "room_closure",
                    "at": "2027-02-06T09:00:00+01:00",
                    "room": "XX",
                    "end": "2027-02-06T12:00:00+01:00",
                }
            ]
        ),
        encoding="utf-8",
    )
    assert main(["event", "record", str(path), "--database-url", url]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: events[0].room: unknown room 'XX' in tiny-2027-W05"
    )
    assert main(["event", "list", "--database-url", url]) == 0
    assert capsys.readouterr().out == ""
    assert main(["event", "record", "--database-url", url]) == 2
    assert "give a FILE, or --type and --at" in capsys.readouterr().err
