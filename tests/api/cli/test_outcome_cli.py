"""``gezinsrooster outcome``: record an outcome from options or a file, and list what is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests.kit.service import Api, baseline_roster, tiny_data


def _published(api: Api, tmp_path: Path) -> str:
    data = tiny_data()
    api.publish(data, baseline_roster(data))
    return f"sqlite:///{tmp_path / 'service.db'}"


def test_an_outcome_recorded_from_options_is_stored_and_listed(
    api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The options make one outcome of the published week; it is stored and listed."""
    url = _published(api, tmp_path)
    code = main(["outcome", "record", "--institution", "PI-VH", "--week", "2027-W05",
                 "--assignment", "S-BZ-WED", "--father", "F-002", "--outcome", "no_show",
                 "--by", "planner Veenhuizen", "--database-url", url])  # fmt: skip
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["added"] == 1
    assert answer["outcomes"][0]["recorded_by"] == "planner Veenhuizen"
    listing = ["outcome", "list", "--institution", "PI-VH", "--week", "2027-W05"]
    assert main([*listing, "--database-url", url]) == 0
    assert capsys.readouterr().out.split() == [
        "2027-02-03T13:00:00+00:00", "S-BZ-WED", "F-002", "regular_visit", "no_show",
    ]  # fmt: skip


def test_a_bad_outcome_exits_2_naming_the_field(
    api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A father not in the assignment exits 2 naming it; nothing is stored; options are asked."""
    url = _published(api, tmp_path)
    path = tmp_path / "outcomes.json"
    item = {"assignment": "S-BZ-WED", "father": "F-003", "outcome": "took_place"}
    path.write_text(json.dumps({"institution": "PI-VH", "week": "2027-W05", "outcomes": [item]}))
    assert main(["outcome", "record", str(path), "--database-url", url]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: outcomes[0].father: father 'F-003' is not in assignment 'S-BZ-WED'"
    )
    listing = ["outcome", "list", "--institution", "PI-VH", "--week", "2027-W05"]
    assert main([*listing, "--database-url", url]) == 0
    assert capsys.readouterr().out == ""
    assert main(["outcome", "record", "--database-url", url]) == 2
    assert "give a FILE, or --institution" in capsys.readouterr().err
