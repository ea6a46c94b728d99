"""A living week in a real browser: headless Chromium against ``gezinsrooster serve``.

The planner publishes the seeded week, closes the family room on Tuesday
afternoon with the short form, sees F-001's visit flagged in the grid and on
his page, opens the repair, cannot publish it without ticking that he saw
every change, publishes it as version 2 and compares the two versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.kit.web import (
    SEEDED_WEEK,
    Site,
    browser_tab,
    no_axe_violations,
    publish_from_grid,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """Give a fresh browser tab at the site's address."""
    with browser_tab(browser, site.base) as tab:
        yield tab


def test_an_event_flagged_repaired_and_published_after_confirmation(page: Any, site: Site) -> None:
    """Record a closure, see the flag with its cause, publish the repair as v2, compare versions."""
    from playwright.sync_api import expect

    sign_in(page, site)
    page.goto(f"/weeks/{SEEDED_WEEK}")
    publish_from_grid(page)
    expect(page.locator(".flash-ok")).to_have_text("Gepubliceerd: PI-VH week 2027-W05, versie 1")

    page.get_by_role("link", name="Gebeurtenissen").click()
    page.get_by_label("Wat gebeurde er").select_option("room_closure")
    page.get_by_label("Wie of wat").fill("VH-FK")
    page.get_by_label("Vanaf", exact=True).fill("2027-02-02T14:00")
    page.get_by_label("Tot (niet bij een time-out)").fill("2027-02-02T18:00")
    page.get_by_label("Toelichting").fill("lekkage")
    page.get_by_role("button", name="Gebeurtenis vastleggen").click()
    expect(page.locator(".flash-ok")).to_have_text("Vastgelegd; 1 afspraken zijn nu gemarkeerd")
    expect(page.locator("table.flagged tbody tr")).to_have_count(1)
    no_axe_violations(page)

    page.get_by_role("link", name="Rooster", exact=True).click()
    flagged = page.locator(".card.is-flagged")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("gemarkeerd: ruimte gesloten")
    page.goto(f"/weeks/{SEEDED_WEEK}/fathers/F-001")
    expect(page.locator(".flagged-father")).to_contain_text("ruimte gesloten")

    page.goto(f"/weeks/{SEEDED_WEEK}/events")
    page.get_by_role("button", name="Herstel voorstellen").click()
    page.wait_for_url(re.compile(r"/repairs/"))
    page.wait_for_selector(".publish-preview", timeout=40_000)
    changed = page.locator(".diff-moved li, .diff-dropped li")  # moved, or its slot given away
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("F-001")
    repair_url = page.url
    no_axe_violations(page)
    page.get_by_role("button", name="Publiceren").click()
    assert page.url == repair_url  # the browser will not send the form without the tick
    page.get_by_label("Ik heb alle wijzigingen gezien").check()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.locator(".flash-ok")).to_have_text("Gepubliceerd: PI-VH week 2027-W05, versie 2")

    page.get_by_role("button", name="Vergelijken").click()
    page.wait_for_url(re.compile(r"/compare\?"))
    expect(page.locator(".diff-moved li, .diff-dropped li")).to_have_count(1)
    no_axe_violations(page)
