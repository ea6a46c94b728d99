"""Editing a draft by hand on the page, in-process: the card's forms, refusals in words, pins."""

from __future__ import annotations

import html as markup
import re

from api.tables import JobRow
from scheduler.domain import parse_problem, parse_roster
from scheduler.validate import check_assignments
from tests.kit.web import Web, tiny_data

WEEK = "/weeks/tiny-2027-W05"
VISIT = "F-001-family_room_visit-tue1500"


def _flashes(html: str) -> list[str]:
    return [markup.unescape(m) for m in re.findall(r'<p class="flash flash-\w+">([^<]+)</p>', html)]


def _post(web: Web, roster_id: str, **fields: str) -> tuple[str, str]:
    """Give where the edit form's answer sends the browser, and the page shown there."""
    client = web.api.client
    answer = client.post(
        f"/rosters/{roster_id}/edits",
        data={"csrf": web.csrf(), "institution": "PI-VH", **fields},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    return location, client.get(location).text


def _stored(web: Web, roster_id: str) -> dict[str, object]:
    with web.api.services.database.read() as session:
        row = session.get(JobRow, roster_id)
        assert row is not None and row.result is not None
        return row.result


def test_a_card_edited_on_its_page_opens_the_new_draft_checked_and_in_words(web: Web) -> None:
    """A move from the card's edit page saves the next draft, says so in Dutch, and shows it."""
    web.sign_in("planner")
    grid = web.api.client.get(f"{WEEK}?roster={web.roster_id}").text
    assert 'aria-label="Bewerk F-001 di 2 feb 15:00"' in grid and "Vastzetten" in grid
    form = web.api.client.get(f"{WEEK}/edit?roster={web.roster_id}&assignment={VISIT}").text
    assert "Verplaatsen" in form and "Ruilen" in form and "Vrije plaatsen dichtbij" in form
    location, page = _post(
        web, web.roster_id, op="move", assignment=VISIT, day="1", time="16:00", room="VH-FK"
    )
    new_id = re.search(r"roster=([0-9a-f-]{36})", location)
    assert new_id is not None and new_id[1] != web.roster_id
    assert any("Opgeslagen als concept 2" in text for text in _flashes(page))
    assert "Concept 2, met de hand bewerkt" in page
    roster = parse_roster(_stored(web, new_id[1]))
    assert check_assignments(parse_problem(tiny_data()), roster.assignments) == []
    moved = [a for a in roster.assignments if a.activity == "family_room_visit"]
    assert [(a.start.hour, a.room) for a in moved] == [(16, "VH-FK")]
    changes = web.api.client.get(f"{WEEK}/difference?roster={new_id[1]}").text
    listed = re.search(r'<ul class="diff-moved">(.*?)</ul>', changes, re.S)
    assert listed is not None and "F-001" in listed[1] and listed[1].count("<li>") == 1
    first = web.api.client.get(f"{WEEK}/difference?roster={web.roster_id}").text
    assert "niets om mee te vergelijken" in first


def test_a_refused_move_comes_back_with_its_reasons_in_dutch_and_stores_nothing(web: Web) -> None:
    """A move into the closed evening returns to the edit page naming why, and no draft is made."""
    web.sign_in("planner")
    with web.api.services.database.read() as session:
        before = session.query(JobRow).count()
    location, page = _post(web, web.roster_id, op="move", assignment=VISIT, day="1", time="21:00")
    assert "/edit?" in location
    said = " ".join(_flashes(page))
    assert "Niet gewijzigd: dit breekt een harde regel" in said and "gesloten" in said
    with web.api.services.database.read() as session:
        assert session.query(JobRow).count() == before


def test_pin_from_the_card_marks_it_and_a_viewer_has_no_edit_forms(web: Web) -> None:
    """The card's pin button pins it in a new draft; a viewer sees no edit link and is refused."""
    web.sign_in("planner")
    location, page = _post(web, web.roster_id, op="pin", assignment=VISIT)
    assert "Losmaken" in page and "vastgezet" in page
    new_id = re.search(r"roster=([0-9a-f-]{36})", location)
    assert new_id is not None
    pinned = parse_roster(_stored(web, new_id[1]))
    assert [a.id for a in pinned.assignments if a.pinned] == [VISIT]
    web.sign_in("viewer")
    grid = web.api.client.get(f"{WEEK}?roster={web.roster_id}").text
    assert "Bewerk F-001" not in grid and "Opnieuw plannen rond" not in grid
    form = web.api.client.get(f"{WEEK}/edit?roster={web.roster_id}&assignment={VISIT}").text
    assert "Alleen voor planners" in form and "/edits" not in form
    _, refused = _post(web, web.roster_id, op="pin", assignment=VISIT)
    assert any(text.startswith("a viewer key may not plan") for text in _flashes(refused))


def test_a_bad_form_is_said_field_by_field_and_changes_nothing(web: Web) -> None:
    """An edit naming an appointment the roster has not is refused naming the field."""
    web.sign_in("planner")
    _, page = _post(web, web.roster_id, op="delete", assignment="no-such-1")
    assert any(text.startswith("edits[0].assignment") for text in _flashes(page))
    _, page = _post(web, web.roster_id, op="teleport", assignment=VISIT)
    assert any("edits[0].op" in text for text in _flashes(page))
