"""The files a planner prints: the XLSX workbook and the CSV tables in Dutch."""

from __future__ import annotations

import io
from datetime import datetime, time

import openpyxl

from exports.workbook import csv_bytes, planner_frames, week_grid, workbook_bytes
from scheduler.domain import Problem
from scheduler.validate import violations
from tests.exports.test_roster import small_roster


def test_the_roster_under_test_is_valid(tiny: Problem) -> None:
    """The hand-made roster the exports are tested on passes the independent validator."""
    assert violations(tiny, small_roster(tiny)) == []


def test_workbook_sheets_headers_and_types(tiny: Problem) -> None:
    """The workbook has the week grid then Dutch tables, with real dates and clock times."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(tiny, small_roster(tiny))))
    assert book.sheetnames == ["Week", "Dagen", "Ruimten", "Vaders", "Personeel"]
    days = book["Dagen"]
    assert [c.value for c in days[1]] == [
        "Dag", "Datum", "Begin", "Einde", "Ruimte", "Activiteit", "Vaders",
        "Vrijwilligers", "PIW'ers", "Bijeenkomst", "Vastgezet", "Afspraak",
    ]  # fmt: skip
    first = [c.value for c in days[2]]
    assert first[0] == "ma"
    assert first[1] == datetime(2027, 2, 1)
    assert days["B2"].number_format == "dd-mm-yyyy"
    assert first[2:4] == [time(16, 0), time(16, 30)]
    assert days["C2"].number_format == "hh:mm"
    assert first[4] == "beeldbelstation VH-BB1"
    assert first[5] == tiny.activity_by_id["video_call"].name
    assert first[10] == "nee"
    fathers = book["Vaders"]
    header = [c.value for c in fathers[1]]
    visit = tiny.activity_by_id["regular_visit"].name
    column = header.index("Activiteit")
    row = next(
        [c.value for c in r]
        for r in fathers.iter_rows(min_row=2)
        if r[0].value == "F-003" and r[column].value == visit
    )
    assert row[header.index("Redenen")] == "vader niet beschikbaar (zitting, werk, medisch)"
    assert row[header.index("Onder wettelijk minimum")] == "ja"
    assert book["Ruimten"]["K1"].value == "Bezetting week"
    assert book["Ruimten"]["K2"].number_format == "0%"


def test_workbook_prints_on_a4_landscape(tiny: Problem) -> None:
    """Every sheet has a bold frozen header, widths that fit its text and A4 landscape set-up."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(tiny, small_roster(tiny))))
    for sheet in book.worksheets:
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
        assert sheet.freeze_panes == ("B2" if sheet.title == "Week" else "A2")
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows == "$1:$1"
    days = book["Dagen"]
    assert days.column_dimensions["A"].width == len("Dag") + 2
    assert days.column_dimensions["B"].width == len("00-00-0000") + 2
    longest = max(len(str(cell.value)) for cell in days["F"] if cell.value is not None)
    assert longest >= len(tiny.activity_by_id["regular_visit"].name)
    assert days.column_dimensions["F"].width == longest + 2


def test_week_grid_has_a_row_per_room_and_a_column_per_day(tiny: Problem) -> None:
    """The week sheet names each room by kind and id, each day by name and date, one use a line."""
    grid = week_grid(tiny, small_roster(tiny))
    assert list(grid.columns) == [
        "Ruimte", "ma 01-02", "di 02-02", "wo 03-02", "do 04-02", "vr 05-02", "za 06-02",
        "zo 07-02",
    ]  # fmt: skip
    assert grid["Ruimte"].tolist() == ["beeldbelstation VH-BB1", "bezoekzaal VH-BZ"]
    visit, call = (tiny.activity_by_id[a].name for a in ("regular_visit", "video_call"))
    assert grid.loc[1, "wo 03-02"] == f"14:00–15:00 {visit}: F-001, F-004 (V-EX1, V-HU1, O-01)"
    assert grid.loc[0, "ma 01-02"] == f"16:00–16:30 {call}: F-001"
    assert grid.loc[0, "di 02-02"] == ""


def test_dutch_csv_opens_in_columns_in_dutch_excel(tiny: Problem) -> None:
    """Dutch CSV has a BOM, semicolons, Dutch dates and a decimal comma; English has commas."""
    frames = planner_frames(tiny, small_roster(tiny))
    dutch = csv_bytes(frames["days"])
    assert dutch.startswith("\ufeff".encode())
    lines = dutch.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Dag;Datum;Begin;Einde;Ruimte;Activiteit;")
    call = tiny.activity_by_id["video_call"].name
    assert lines[1] == (
        f"ma;01-02-2027;16:00;16:30;beeldbelstation VH-BB1;{call};F-001;;;;nee;"
        "A-F-001-video_call-mon-1600"
    )
    rooms = csv_bytes(frames["rooms"]).decode("utf-8-sig").splitlines()
    assert rooms[1].split(";")[10] == "0,167"
    english = csv_bytes(planner_frames(tiny, small_roster(tiny), "en")["days"], "en")
    assert (
        english.decode("utf-8")
        .splitlines()[1]
        .startswith("Mon,01-02-2027,16:00,16:30,video station VH-BB1,video call,F-001,")
    )


def test_the_week_sheet_wraps_its_days_and_each_row_is_tall_enough_to_print_whole(
    tiny: Problem,
) -> None:
    """Day columns are at most 30 wide; a row is 15 pt a line of its most wrapped cell."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(tiny, small_roster(tiny))))
    sheet = book["Week"]
    widths = [sheet.column_dimensions[c].width for c in "BCDEFGH"]
    assert all(w <= 30 for w in widths)
    for row in sheet.iter_rows(min_row=2):
        lines = 1
        for cell in row[1:]:
            if cell.value:
                room = int(sheet.column_dimensions[cell.column_letter].width) - 2
                assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
                lines = max(lines, sum(-(-len(t) // room) for t in str(cell.value).split("\n")))
        assert sheet.row_dimensions[row[0].row].height == (15 * lines if lines > 1 else None)
