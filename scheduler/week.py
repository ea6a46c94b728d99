"""The week on the wall clock: ISO weeks, day names and minutes since Monday 00:00.

Times in the data contract are local (Europe/Amsterdam) ISO 8601 with offset.
Inside the engine a moment of the week is a *week minute*: the wall-clock minute
counted from Monday 00:00 of that week (``day * 1440 + hour * 60 + minute``).
Wall-clock counting keeps a day 1440 minutes long in a week with a daylight
saving change; nothing in the programme runs in the night hours where that
matters.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Amsterdam")
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def parse_week(week: str) -> date:
    """Give the Monday of an ISO week written as ``2027-W05``."""
    try:
        year_text, week_text = week.split("-W")
        return date.fromisocalendar(int(year_text), int(week_text), 1)
    except ValueError as error:
        raise ValueError(f"'{week}' is not an ISO week like 2027-W05") from error


def clock_minutes(text: str) -> int:
    """Give the minutes since midnight of a clock time ``HH:MM`` (``24:00`` is the day's end)."""
    try:
        hours_text, minutes_text = text.split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    except ValueError as error:
        raise ValueError(f"'{text}' is not a clock time like 09:30") from error
    if not (0 <= minutes < 60 and 0 <= hours <= 24) or (hours == 24 and minutes):
        raise ValueError(f"'{text}' is not a clock time like 09:30")
    return hours * 60 + minutes


@lru_cache(maxsize=4096)
def week_minute(day: str, clock: str) -> int:
    """Give the week minute of a day name (``mon``) and a clock time ``HH:MM`` on it."""
    # The same few windows (a room's hours, a volunteer's, school hours) are turned
    # into week minutes for every check of every booking: each pair is read once.
    return DAYS.index(day) * MINUTES_PER_DAY + clock_minutes(clock)


def clock_text(minutes: int) -> str:
    """Give ``HH:MM`` for minutes since midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class WeekClock:
    """Converts between aware datetimes and week minutes of one ISO week."""

    def __init__(self, week: str) -> None:
        self.week = week
        self.monday = parse_week(week)
        self._dates = tuple(self.monday + timedelta(days=day) for day in range(7))

    def day_date(self, day: int) -> date:
        """Give the calendar date of day index ``day`` (0 is Monday)."""
        if 0 <= day < 7:
            return self._dates[day]
        return self.monday + timedelta(days=day)

    def minute(self, moment: datetime) -> int:
        """Give the week minute of an aware datetime (negative or past the week if outside)."""
        local = moment.astimezone(TZ) if moment.tzinfo else moment.replace(tzinfo=TZ)
        days = (local.date() - self.monday).days
        return days * MINUTES_PER_DAY + local.hour * 60 + local.minute

    def moment(self, minute: int) -> datetime:
        """Give the aware local datetime of a week minute."""
        day, rest = divmod(minute, MINUTES_PER_DAY)
        naive = datetime.combine(self.day_date(day), time(rest // 60, rest % 60))
        return naive.replace(tzinfo=TZ)

    def day_of(self, minute: int) -> int:
        """Give the day index (0 is Monday) a week minute falls on."""
        return minute // MINUTES_PER_DAY
