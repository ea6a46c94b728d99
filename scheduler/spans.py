"""Spans of week minutes: half-open [start, end) ranges, and the two questions asked of them.

Weekly windows (a room's opening hours, a volunteer's availability, an
officer's shifts) and dated ranges (closures, a father's court hearing) both
become spans, so every rule asks the same two questions: does a time lie
inside one of them, and does it overlap one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from scheduler.week import WeekClock

if TYPE_CHECKING:
    from scheduler.domain import TimeRange, Window

Span = tuple[int, int]


# Plain loops rather than any() over a generator: these two run for every candidate time and
# person, and the loop is about twice as fast.
def overlaps(spans: Iterable[Span], start: int, end: int) -> bool:
    """Tell whether [start, end) overlaps one of the spans."""
    for low, high in spans:  # noqa: SIM110
        if low < end and start < high:
            return True
    return False


def inside(spans: Iterable[Span], start: int, end: int) -> bool:
    """Tell whether [start, end) lies inside one of the spans."""
    for low, high in spans:  # noqa: SIM110
        if low <= start and end <= high:
            return True
    return False


def week_spans(windows: Sequence[Window]) -> tuple[Span, ...]:
    """Give weekly windows as week-minute spans, in their order."""
    return tuple(w.week_minutes() for w in windows)


def range_spans(clock: WeekClock, ranges: Iterable[TimeRange]) -> tuple[Span, ...]:
    """Give dated ranges as week-minute spans of ``clock``'s week, in time order."""
    return tuple(sorted((clock.minute(r.start), clock.minute(r.end)) for r in ranges))
