"""The grid's words beside its cards: why a session does not run, free capacity, the bottleneck."""

from __future__ import annotations

from api.web.labels import Labels
from api.web.week_story import bottleneck_text, week_story
from scheduler import reasons
from scheduler.capacity import Bottleneck
from scheduler.domain import Problem
from scheduler.validate import violations
from solver.baseline import first_come_first_served

DUTCH, ENGLISH = Labels("nl"), Labels("en")


def test_the_bottleneck_line_names_the_resource_with_its_numbers_in_dutch() -> None:
    """The partner cap, a room kind and the officers each read as a sentence with figures."""
    cap = Bottleneck(reasons.PARTNER_CAP, 4, 10, {"used_hours": 5.5, "cap_hours": 6.0})
    assert bottleneck_text(cap, DUTCH) == (
        "Knelpunt van de week: partnertijd (het partnerplafond). "
        "Dit beslist 4 van de 10 tekorten; 5,5 van 6 uur partnertijd is gebruikt."
    )
    room = Bottleneck(
        reasons.capacity("family_room"), 3, 9, {"rooms": 1, "used_hours": 7.5, "open_hours": 8}
    )
    assert bottleneck_text(room, DUTCH) == (
        "Knelpunt van de week: ruimte: familiekamer. "
        "Dit beslist 3 van de 9 tekorten; 7,5 van de 8 open uren in gebruik."
    )
    officers = Bottleneck(reasons.NO_OFFICER, 2, 5, {"officers": 5})
    assert bottleneck_text(officers, ENGLISH).startswith(
        "The week's bottleneck: officers on shift. It decides 2 of the 5 shortfalls; 5 officers"
    )
    assert bottleneck_text(None, DUTCH).startswith("Geen knelpunt:")


def test_the_tiny_week_s_idle_cooking_session_and_free_hours_land_in_their_cells(
    tiny: Problem,
) -> None:
    """Thursday's cooking in VH-KK does not run for the cap; every open room-day has free hours."""
    roster = first_come_first_served(tiny)
    assert violations(tiny, roster) == []
    story = week_story(tiny, roster, "PI-VH", DUTCH)
    thursday = story.cells[("VH-KK", 3)]
    assert [(c.session, c.start, c.end) for c in thursday.idle] == [("S-KK-THU", "16:30", "18:30")]
    assert thursday.idle[0].reason.startswith("partnerplafond bereikt")
    assert thursday.seats == ["16:30: 4 van 4 plaatsen vrij"]
    assert all(cell.free.endswith(" u") for cell in story.cells.values() if cell.free)
    assert story.bottleneck.startswith("Knelpunt van de week: partnertijd")
