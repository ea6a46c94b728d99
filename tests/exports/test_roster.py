"""The roster views a planner reads: frames per day, room, father and staff, and the text table."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from exports.roster import FRAMES, roster_frames, roster_table, write_csv
from exports.workbook import write_xlsx
from scheduler.domain import Assignment, Problem, Roster, Shortfall
from scheduler.kpis import compute_kpis


def small_roster(tiny: Problem) -> Roster:
    """Give a hand-made tiny roster: the Wednesday visit of F-001 and F-004 and one video call."""
    assignments = [
        Assignment(
            id="A-S-BZ-WED",
            activity="regular_visit",
            start="2027-02-03T14:00:00+01:00",
            end="2027-02-03T15:00:00+01:00",
            room="VH-BZ",
            session="S-BZ-WED",
            fathers=["F-001", "F-004"],
            volunteers=["V-EX1", "V-HU1"],
            officers=["O-01"],
        ),
        Assignment(
            id="A-F-001-video_call-mon-1600",
            activity="video_call",
            start="2027-02-01T16:00:00+01:00",
            end="2027-02-01T16:30:00+01:00",
            room="VH-BB1",
            fathers=["F-001"],
        ),
    ]
    return Roster(
        problem_id=tiny.id,
        week=tiny.week,
        status="feasible",
        assignments=assignments,
        shortfalls=[
            Shortfall(
                father="F-003",
                activity="regular_visit",
                entitled=1,
                granted=0,
                reasons=["father_unavailable"],
            )
        ],
        kpis=compute_kpis(tiny, assignments),
    )


def test_frames(tiny: Problem) -> None:
    """Each frame holds exactly the rows of its view, in a planner's order."""
    frames = roster_frames(tiny, small_roster(tiny))
    assert list(frames) == list(FRAMES)
    days = frames["days"]
    assert days[["day", "start", "end", "room", "activity", "fathers"]].values.tolist() == [
        ["mon", "16:00", "16:30", "VH-BB1", "video_call", "F-001"],
        ["wed", "14:00", "15:00", "VH-BZ", "regular_visit", "F-001, F-004"],
    ]
    assert frames["rooms"][["room", "families"]].values.tolist() == [["VH-BB1", 1], ["VH-BZ", 2]]
    staff = frames["staff"]
    assert staff[["role", "person", "minutes"]].values.tolist() == [
        ["officer", "O-01", 60],
        ["volunteer", "V-EX1", 60],
        ["volunteer", "V-HU1", 60],
    ]
    fathers = frames["fathers"]
    assert fathers["father"].iloc[0] in ("F-002", "F-003")
    assert bool(fathers["below_legal_minimum"].iloc[0]) is True
    row = fathers[(fathers["father"] == "F-003") & (fathers["activity"] == "regular_visit")]
    assert row[["entitled", "granted", "reasons"]].values.tolist() == [[1, 0, "father_unavailable"]]


def test_files(tiny: Problem, tmp_path: Path) -> None:
    """CSV writes one file per frame into a folder; XLSX the week grid and a sheet per frame."""
    frames = roster_frames(tiny, small_roster(tiny))
    written = write_csv(tmp_path / "csv", frames)
    assert [p.name for p in written] == [f"{name}.csv" for name in FRAMES]
    assert (
        written[0].read_text(encoding="utf-8").splitlines()[0].startswith("day,date,start,end,room")
    )
    book = write_xlsx(tmp_path / "roster.xlsx", tiny, small_roster(tiny))
    assert openpyxl.load_workbook(book).sheetnames == [
        "Week", "Dagen", "Ruimten", "Vaders", "Personeel"
    ]  # fmt: skip


def test_table_names_fathers_below_the_legal_minimum_first(tiny: Problem) -> None:
    """The text table says loudly who is below the legal minimum, and lists them first."""
    text = roster_table(tiny, small_roster(tiny))
    lines = text.splitlines()
    assert (
        "  !!! LEGAL MINIMUM NOT MET for 2 of 4 fathers (under 60 min of visit): F-002, F-003"
        in lines
    )
    fathers = [line for line in lines if line.startswith("F-")]
    assert [line.split()[0] for line in fathers] == ["F-002", "F-003", "F-001", "F-004"]
    assert "    16:00-16:30  video_call" in text
