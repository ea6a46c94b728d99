"""The roster files a planner prints and hands out: a workbook and CSV tables in her words.

``planner_frames`` gives the tables of ``exports.roster`` with headers and
values in Dutch (or English): real dates and clock times, rooms and
activities by name, yes/no, reasons in plain words. ``week_grid`` is the week
as it hangs on the wing's notice board, a row per room and a column per day.
``workbook_bytes`` puts the grid and the tables into an XLSX workbook laid out
for printing (bold frozen header, column widths, A4 landscape, one page wide);
``csv_bytes`` writes a table so that Dutch Excel opens it in columns (``;``,
decimal comma and a UTF-8 byte-order mark), and English with commas.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from exports.roster import roster_frames
from exports.words import (
    DAY_NAMES,
    RESOURCES,
    YES_NO,
    activity_words,
    pick,
    reason_words,
    room_kind_words,
    room_words,
)
from scheduler.domain import Problem, Roster
from scheduler.week import TZ, clock_text

SHEETS: dict[str, tuple[str, str]] = {
    "week": ("Week", "Week"),
    "days": ("Dagen", "Days"),
    "rooms": ("Ruimten", "Rooms"),
    "fathers": ("Vaders", "Fathers"),
    "staff": ("Personeel", "Staff"),
    "four_weeks": ("Vier weken", "Four weeks"),
}

HEADERS: dict[str, tuple[str, str]] = {
    "day": ("Dag", "Day"),
    "date": ("Datum", "Date"),
    "start": ("Begin", "Start"),
    "end": ("Einde", "End"),
    "room": ("Ruimte", "Room"),
    "kind": ("Soort ruimte", "Room kind"),
    "institution": ("Inrichting", "Institution"),
    "activity": ("Activiteit", "Activity"),
    "fathers": ("Vaders", "Fathers"),
    "volunteers": ("Vrijwilligers", "Volunteers"),
    "officers": ("PIW'ers", "Officers"),
    "session": ("Bijeenkomst", "Session"),
    "pinned": ("Vastgezet", "Pinned"),
    "assignment": ("Afspraak", "Assignment"),
    "families": ("Gezinnen", "Families"),
    "capacity": ("Capaciteit", "Capacity"),
    "utilisation": ("Bezetting week", "Use in the week"),
    "father": ("Vader", "Father"),
    "shell": ("Schil", "Shell"),
    "visit_minutes": ("Bezoek (min)", "Visit (min)"),
    "below_legal_minimum": ("Onder wettelijk minimum", "Below legal minimum"),
    "entitled": ("Recht", "Entitled"),
    "granted": ("Toegekend", "Granted"),
    "reasons": ("Redenen", "Reasons"),
    "role": ("Functie", "Role"),
    "person": ("Naam (code)", "Person (code)"),
    "minutes": ("Minuten", "Minutes"),
    "fulfilment_4_weeks": ("Vervulling 4 weken", "Fulfilment 4 weeks"),
    "weeks_below_legal_minimum": ("Weken onder wettelijk minimum", "Weeks below legal minimum"),
    "below_legal_minimum_twice": ("Twee keer onder minimum", "Below minimum twice"),
}

NUMBER_FORMATS: dict[str, str] = {
    "date": "dd-mm-yyyy",
    "start": "hh:mm",
    "end": "hh:mm",
    "utilisation": "0%",
    "fulfilment_4_weeks": "0%",
}
WIDEST = 60
GRID_WIDEST = 30
"""The week sheet's day columns wrap at this width: seven days and the rooms fit across A4."""
LINE_POINTS = 15


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def planner_frames(
    problem: Problem, roster: Roster, language: str = "nl"
) -> dict[str, pd.DataFrame]:
    """Give the roster's tables by day, room, father and staff in a planner's words.

    The keys are those of ``exports.roster.FRAMES``; headers and values are in
    ``language``, dates are ``datetime.date`` and clock times ``datetime.time``.
    """
    activity = problem.activity_by_id
    yes_no = {False: pick(YES_NO[0], language), True: pick(YES_NO[1], language)}
    day_of = {pick(pair, "en").lower(): pick(pair, language) for pair in DAY_NAMES}
    values: dict[str, Callable[[Any], Any]] = {
        "day": lambda code: day_of.get(code, code),
        "date": date.fromisoformat,
        "start": _clock,
        "end": _clock,
        "room": lambda room: room_words(problem, room or None, language),
        "kind": lambda kind: room_kind_words(kind, language),
        "activity": lambda code: activity_words(activity.get(code), code, language),
        "pinned": lambda flag: yes_no[bool(flag)],
        "below_legal_minimum": lambda flag: yes_no[bool(flag)],
        "below_legal_minimum_twice": lambda flag: yes_no[bool(flag)],
        "reasons": lambda text: "; ".join(
            reason_words(code, language) for code in text.split(", ") if code
        ),
        "role": lambda code: pick(RESOURCES[code], language),
        "utilisation": lambda ratio: round(ratio, 3),
    }
    frames = {}
    for name, frame in roster_frames(problem, roster).items():
        local = frame.copy()
        for column in local.columns:
            if column in values:
                local[column] = local[column].map(values[column])
        frames[name] = local.rename(columns={c: pick(HEADERS[c], language) for c in local})
    return frames


def week_grid(problem: Problem, roster: Roster, language: str = "nl") -> pd.DataFrame:
    """Give the week as a grid: a row per room (cells last), a column per day, one line a use."""
    clock = problem.clock
    cells: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    order = sorted(roster.assignments, key=lambda a: (a.start, a.room or "", a.id))
    for assignment in order:
        start = assignment.start.astimezone(TZ)
        end = assignment.end.astimezone(TZ)
        name = activity_words(
            problem.activity_by_id.get(assignment.activity), assignment.activity, language
        )
        staff = ", ".join(assignment.volunteers + assignment.officers)
        line = f"{start:%H:%M}–{end:%H:%M} {name}: {', '.join(assignment.fathers)}"
        if staff:
            line += f" ({staff})"
        room = room_words(problem, assignment.room, language)
        cells[room][clock.day_of(clock.minute(assignment.start))].append(line)
    cell_name = room_words(problem, None, language)
    rooms = sorted(cells, key=lambda room: (room == cell_name, room))
    columns = [f"{pick(DAY_NAMES[day], language)} {clock.day_date(day):%d-%m}" for day in range(7)]
    rows = [["\n".join(cells[room][day]) for day in range(7)] for room in rooms]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, pick(HEADERS["room"], language), rooms)
    return frame


def _lay_out(
    sheet: Worksheet,
    frame: pd.DataFrame,
    formats: dict[str, str],
    freeze: str = "A2",
    widest: int = WIDEST,
) -> None:
    """Write a frame with a bold frozen header, widths, number formats and A4 landscape set-up.

    No column is wider than ``widest`` characters; a longer text wraps, and
    each row is as tall as its most wrapped cell, so that it prints whole.
    """
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([value.item() if hasattr(value, "item") else value for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = freeze
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        texts = [str(column)] + [
            line for value in frame.iloc[:, index - 1] for line in _shown(value).split("\n")
        ]
        sheet.column_dimensions[letter].width = min(widest, max(len(t) for t in texts) + 2)
        number_format = formats.get(str(column))
        wrap = frame.iloc[:, index - 1].astype(str).str.contains("\n").any() or any(
            len(t) + 2 > widest for t in texts
        )
        for cell in sheet[letter][1:]:
            if number_format:
                cell.number_format = number_format
            cell.alignment = Alignment(vertical="top", wrap_text=bool(wrap))
    _heights(sheet)
    if frame.shape[1]:
        sheet.auto_filter.ref = f"A1:{get_column_letter(frame.shape[1])}{max(2, len(frame) + 1)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True


def _heights(sheet: Worksheet) -> None:
    """Give each row with wrapped text the height of its most wrapped cell, in lines of 15 pt."""
    for row in sheet.iter_rows(min_row=1):
        lines = 1
        for cell in row:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            width = sheet.column_dimensions[cell.column_letter].width or WIDEST
            room = max(1, int(width) - 2)
            lines = max(lines, sum(-(-max(1, len(t)) // room) for t in str(cell.value).split("\n")))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = LINE_POINTS * lines


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return "00-00-0000"
    if isinstance(value, time):
        return "00:00"
    return str(value)


def workbook_bytes(problem: Problem, roster: Roster, language: str = "nl") -> bytes:
    """Give the XLSX workbook: the week grid first, then the tables by day, room, father, staff."""
    book = Workbook()
    grid = book.active
    assert grid is not None
    grid.title = pick(SHEETS["week"], language)
    _lay_out(grid, week_grid(problem, roster, language), {}, freeze="B2", widest=GRID_WIDEST)
    grid.oddHeader.center.text = (
        f"{problem.week} · {', '.join(i.name for i in problem.institutions)}"
    )
    formats = {pick(HEADERS[c], language): f for c, f in NUMBER_FORMATS.items()}
    for name, frame in planner_frames(problem, roster, language).items():
        sheet = book.create_sheet(pick(SHEETS[name], language))
        _lay_out(sheet, frame, formats)
    book.properties.title = f"{problem.id} {problem.week}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: str | Path, problem: Problem, roster: Roster, language: str = "nl") -> Path:
    """Give the workbook of ``workbook_bytes`` written to ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(workbook_bytes(problem, roster, language))
    return target


def csv_bytes(frame: pd.DataFrame, language: str = "nl") -> bytes:
    """Give a table as CSV: Dutch with ``;``, decimal comma and a BOM; English with commas."""
    shown = frame.copy()
    for column in shown.columns:
        sample = next((v for v in shown[column] if v is not None), None)
        if isinstance(sample, date):
            shown[column] = shown[column].map(lambda d: f"{d:%d-%m-%Y}")
        elif isinstance(sample, time):
            shown[column] = shown[column].map(lambda t: clock_text(t.hour * 60 + t.minute))
    if language == "nl":
        text = str(shown.to_csv(index=False, sep=";", decimal=","))
        return "\ufeff".encode() + text.encode("utf-8")
    return str(shown.to_csv(index=False)).encode("utf-8")
