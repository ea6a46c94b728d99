"""Editing by hand in a real browser: move a card, pin it, re-plan around it, and it stays.

Headless Chromium against ``gezinsrooster serve``; axe-core (shipped inside
``axe-playwright-python``) checks every page the edit passes through. With
``GEZINSROOSTER_SCREENSHOTS`` set to a folder, the edited grid's screenshot
is saved there too (``docs/screenshots/grid-edited.png`` is made so).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from api.database import Database
from api.keys import create_key
from tests.kit.web import (
    SEEDED_WEEK,
    Site,
    baseline_roster,
    browser_tab,
    free_port,
    no_axe_violations,
    seed_roster,
    seeded_week,
    serving,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class EditSite(Site):
    """The real server, and the seeded week's first roster (a draft)."""

    roster_id: str = ""


@pytest.fixture(scope="module")
def edit_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EditSite]:
    """Give a real server with a planner key of PI-VH, the seeded week, and 3-second solves."""
    url = f"sqlite:///{tmp_path_factory.mktemp('edit-site') / 'site.db'}"
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        keys = {"planner": create_key(session, "planner", ["PI-VH"], "planner of the edit test")[1]}
    data = seeded_week()
    roster_id = seed_roster(SimpleNamespace(database=database), data, baseline_roster(data))
    database.dispose()
    with serving(url, free_port(), solve_time_limit="3") as server:
        yield EditSite(server.base, keys, roster_id)


@pytest.fixture
def page(browser: Any, edit_site: EditSite) -> Iterator[Any]:
    """Give a fresh browser tab at the site's address."""
    with browser_tab(browser, edit_site.base, 1440) as tab:
        yield tab


def test_a_planner_moves_a_card_pins_it_replans_and_it_stays(
    page: Any, edit_site: EditSite, tmp_path: Path
) -> None:
    """Move F-001's family-room visit to 16:00, pin it, re-plan around pins: it stays there.

    The re-planned roster's difference from the draft opens from the grid.
    """
    from playwright.sync_api import expect

    sign_in(page, edit_site)
    page.goto(f"/weeks/{SEEDED_WEEK}")
    no_axe_violations(page)

    page.get_by_role("link", name="Bewerk F-001 di 2 feb 15:00").click()
    page.wait_for_url(re.compile(r"/edit\?"))
    expect(page.locator("h2").first).to_contain_text("Afspraak bewerken")
    no_axe_violations(page)
    page.locator("#move-day").select_option("1")
    page.locator("#move-time").fill("16:00")
    page.get_by_role("button", name="Verplaatsen", exact=True).click()
    expect(page.locator(".flash-ok")).to_contain_text("Opgeslagen als concept 2")
    card = page.locator(".card.act-family_room_visit")
    expect(card).to_contain_text("16:00")

    page.get_by_role("button", name="Zet F-001 di 2 feb 16:00 vast").click()
    expect(page.locator(".flash-ok")).to_contain_text("Opgeslagen als concept 3")
    expect(card).to_contain_text("vastgezet")
    expect(page.locator("[data-edited]")).to_contain_text("Concept 3, met de hand bewerkt")
    no_axe_violations(page)
    folder = Path(os.environ.get("GEZINSROOSTER_SCREENSHOTS", tmp_path))
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "grid-edited.png"), full_page=True)

    page.get_by_role("button", name="Opnieuw plannen rond vastgezette afspraken").click()
    expect(page.locator(".roster-state .state-done")).to_have_text("klaar", timeout=60_000)
    expect(page.locator(".notice-info").first).to_contain_text("Tegenover het vorige rooster:")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("16:00")
    expect(card).to_contain_text("vastgezet")
    no_axe_violations(page)

    page.get_by_role("link", name="Verschil met het vorige rooster").click()
    expect(page.locator("[data-summary]")).to_contain_text("ongewijzigd")
    no_axe_violations(page)


def test_dragging_a_call_to_another_day_posts_the_move_and_makes_the_next_draft(
    page: Any, edit_site: EditSite
) -> None:
    """F-002's Monday call dragged to Friday is the form's move: his one shell-2 call on Friday.

    His time-out from Wednesday holds Wednesday to Sunday to shell 2's one
    call less those before it; with Monday's call moved, none is before it.
    """
    from playwright.sync_api import expect

    sign_in(page, edit_site)
    page.goto(f"/weeks/{SEEDED_WEEK}?roster={edit_site.roster_id}")
    call = page.locator(".card", has=page.get_by_role("link", name="Bewerk F-002 ma 1 feb 16:30"))
    stations = page.locator("tr", has=page.locator(".room-id", has_text="VH-BB1"))
    call.drag_to(stations.locator("td").nth(4))
    page.wait_for_url(lambda url: "roster=" in url and edit_site.roster_id not in url)
    expect(page.get_by_role("link", name="Bewerk F-002 vr 5 feb 16:30")).to_be_visible()
    expect(page.get_by_role("link", name="Bewerk F-002 ma 1 feb 16:30")).to_have_count(0)
    no_axe_violations(page)
