"""The planner's page for a living week: record an event with the short form, see what it flags
in the grid and on the father's page, open the repair as a difference, publish it only after the
confirmation, and compare two versions."""

from __future__ import annotations

import html as markup
import re
import time

from tests.kit.web import Web

WEEK = "/weeks/tiny-2027-W05"


def _publish(web: Web) -> None:
    web.sign_in("planner")
    answer = web.api.client.post(
        f"/rosters/{web.roster_id}/publish", data={"csrf": web.csrf(), "confirm": "yes"}
    )
    assert answer.status_code == 200


def _record_closure(web: Web) -> str:
    """Give the events tab after closing the family room on Tuesday afternoon with the form."""
    answer = web.api.client.post(
        f"{WEEK}/events",
        data={
            "csrf": web.csrf(),
            "institution": "PI-VH",
            "kind": "room_closure",
            "who": "VH-FK",
            "start": "2027-02-02T14:00",
            "end": "2027-02-02T18:00",
            "reason": "lekkage",
        },
    )
    assert answer.status_code == 200
    return answer.text


def test_an_event_from_the_form_is_flagged_in_the_grid_and_on_the_fathers_page(web: Web) -> None:
    """A closed family room flags F-001's Tuesday visit, with its cause, in every view."""
    _publish(web)
    page = _record_closure(web)
    assert "Vastgelegd; 1 afspraken zijn nu gemarkeerd" in markup.unescape(page)
    assert 'data-flagged="F-001-family_room_visit-tue1500"' in page
    assert "lekkage" in page
    grid = web.api.client.get(WEEK).text
    assert re.findall(r'data-flagged="([^"]+)"', grid) == ["F-001-family_room_visit-tue1500"]
    assert "gemarkeerd: ruimte gesloten" in markup.unescape(grid).lower()
    father = web.api.client.get(f"{WEEK}/fathers/F-001").text
    assert 'data-flagged="F-001-family_room_visit-tue1500"' in father
    other = web.api.client.get(f"{WEEK}/fathers/F-002").text
    assert "data-flagged" not in other


def test_a_bad_event_on_the_form_says_which_field(web: Web) -> None:
    """An unknown room gives the message naming it, and nothing is recorded."""
    _publish(web)
    answer = web.api.client.post(
        f"{WEEK}/events",
        data={
            "csrf": web.csrf(),
            "institution": "PI-VH",
            "kind": "room_closure",
            "who": "XX",
            "start": "2027-02-02T14:00",
            "end": "2027-02-02T18:00",
        },
    )
    assert "events[0].room: unknown room &#39;XX&#39; in tiny-2027-W05" in answer.text
    assert "Nog geen gebeurtenissen in deze week." in answer.text


def test_the_repair_is_a_difference_published_only_after_confirmation(web: Web) -> None:
    """The proposal changes the closed-out visit; publishing needs the tick; v1 to v2 shows it."""
    _publish(web)
    _record_closure(web)
    started = web.api.client.post(
        f"{WEEK}/repairs",
        data={"csrf": web.csrf(), "institution": "PI-VH", "week": "2027-W05", "time_limit": "3"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    repair_url = started.headers["location"]
    assert repair_url.startswith("/repairs/")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = web.api.client.get(repair_url).text
        if "data-repair-running" not in page:
            break
        time.sleep(0.2)
    # The solver either moves F-001's visit to Saturday or gives that slot to F-002 (fairness).
    changed = re.findall(r'<ul class="diff-(?:moved|dropped)">(.*?)</ul>', page, re.DOTALL)
    assert len(changed) == 1
    assert (
        '<span class="when">di 2 feb 15:00</span> · <span class="father">F-001</span>'
        in (changed[0])
    )
    unconfirmed = web.api.client.post(f"{repair_url}/publish", data={"csrf": web.csrf()})
    assert "Vink eerst aan dat u alle wijzigingen heeft gezien." in unconfirmed.text
    done = web.api.client.post(f"{repair_url}/publish", data={"csrf": web.csrf(), "confirm": "yes"})
    assert "Gepubliceerd: PI-VH week 2027-W05, versie 2" in markup.unescape(done.text)
    compared = web.api.client.get(f"{WEEK}/compare", params={"from": 1, "to": 2}).text
    assert re.findall(r'<ul class="diff-(?:moved|dropped)">(.*?)</ul>', compared, re.DOTALL) == (
        changed
    )
    refused = web.api.client.post(
        f"{repair_url}/publish", data={"csrf": "forged", "confirm": "yes"}
    )
    assert refused.status_code == 403
