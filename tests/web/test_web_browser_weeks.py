"""The weeks side by side and a father's last four weeks in a real browser, checked by axe-core.

Week 5 of tiny.json is published, with a no-show and a cancellation by the
institution recorded; week 6 is stored with a draft roster. The planner opens
the weeks tab and the father's page of week 6; axe-core finds no violation
on either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from api.database import Database
from api.keys import create_key
from api.tables import JobRow, utcnow
from tests.kit.web import (
    TINY_OUTCOMES,
    Site,
    baseline_roster,
    browser_tab,
    following_week_data,
    free_port,
    no_axe_violations,
    seed_roster,
    serving,
    tiny_data,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Give the address of the site's database."""
    return f"sqlite:///{tmp_path_factory.mktemp('weeks') / 'site.db'}"


@pytest.fixture(scope="module")
def site(site_url: str) -> Iterator[Site]:
    """Give a real server with week 5 published (two outcomes recorded) and week 6 drafted."""
    url = site_url
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        keys = {"planner": create_key(session, "planner", ["PI-VH"], "planner")[1]}
    first, second = tiny_data(), following_week_data(tiny_data())
    stored = SimpleNamespace(database=database)
    roster_id = seed_roster(stored, first, baseline_roster(first))  # type: ignore[arg-type]
    seed_roster(stored, second, baseline_roster(second))  # type: ignore[arg-type]
    database.dispose()
    with serving(url, free_port()) as server:
        headers = {"Authorization": f"Bearer {keys['planner']}"}
        published = httpx.post(f"{server.base}/v1/rosters/{roster_id}/publish", headers=headers)
        assert published.status_code == 200, published.text
        recorded = httpx.post(f"{server.base}/v1/outcomes", json=TINY_OUTCOMES, headers=headers)
        assert recorded.status_code == 201, recorded.text
        yield Site(server.base, keys)


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """Give a fresh browser tab at the site's address."""
    with browser_tab(browser, site.base, 1400) as tab:
        yield tab


def test_weeks_side_by_side_and_a_fathers_four_weeks(page: Any, site: Site, tmp_path: Path) -> None:
    """The weeks tab shows weeks 5 to 8 and leads to week 6; F-001's page shows his weeks."""
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_label("Sleutel").fill(site.keys["planner"])
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/weeks/tiny-2027-W05")
    page.get_by_role("link", name="Weken", exact=True).click()
    page.wait_for_url(re.compile(r"/horizon"))
    expect(page.locator(".horizon-table thead th")).to_have_count(5)
    expect(page.locator(".horizon-table")).to_contain_text("gepubliceerd, versie 1")
    no_axe_violations(page)
    page.get_by_role("link", name="Naar het rooster van week 6").click()
    page.wait_for_url(re.compile(r"/weeks/tiny-2027-W06\?"))
    page.goto("/weeks/tiny-2027-W06/fathers/F-001?institution=PI-VH")
    section = page.locator(".father-weeks")
    expect(section).to_contain_text("Zijn laatste vier weken")
    expect(section).to_contain_text("geannuleerd door de inrichting: 1")
    no_axe_violations(page)
    page.screenshot(path=str(tmp_path / "father-weeks.png"), full_page=True)


def _solved(week: str, gap: float | None) -> dict[str, Any]:
    return {"week": week, "pass": "held", "status": "feasible", "gap": gap, "floor": 0.5}


def test_the_weeks_tab_follows_a_horizon_as_each_week_is_solved(
    page: Any, site: Site, site_url: str
) -> None:
    """A running horizon's panel lists week 5; it shows week 6 once solved, and goes at the end."""
    from playwright.sync_api import expect

    database = Database(site_url)
    progress = {"phase": "solving", "seconds": 30.0, "weeks": 2, "done": 1, "total": 2}
    with database.write() as session:
        session.add(
            JobRow(
                id="horizon-running", kind="horizon", problem_id="tiny-2027-W05",
                institutions=["PI-VH"], state="running", params={"weeks": 2},
                progress={**progress, "planned": [_solved("2027-W05", 0.01)]},
                created_at=utcnow(), started_at=utcnow(),
            )
        )  # fmt: skip
    try:
        page.goto("/")
        page.get_by_label("Sleutel").fill(site.keys["planner"])
        page.get_by_role("button", name="Aanmelden").click()
        page.wait_for_url(re.compile(r"/$"))
        page.goto("/weeks/tiny-2027-W05/horizon")
        solved = page.locator(".horizon-solved li")
        expect(solved).to_have_count(1)
        expect(page.locator("[data-progress] [data-field=text]")).to_have_text(
            "1 / 2 weken opgelost"
        )
        no_axe_violations(page)
        with database.write() as session:
            row = session.get(JobRow, "horizon-running")
            assert row is not None
            planned = [_solved("2027-W05", 0.01), _solved("2027-W06", None)]
            row.progress = {**progress, "done": 2, "planned": planned}
        expect(solved).to_have_count(2, timeout=10_000)
        expect(solved.nth(1)).to_contain_text("Week 6 (week voor week)")
        expect(solved.nth(1)).to_contain_text("geen grens bewezen")
        with database.write() as session:
            row = session.get(JobRow, "horizon-running")
            assert row is not None
            row.state, row.finished_at = "done", utcnow()
        expect(page.locator("[data-progress]")).to_have_count(0, timeout=10_000)
        expect(page.locator("[data-horizon-state]")).to_have_attribute("data-horizon-state", "done")
    finally:
        with database.write() as session:
            row = session.get(JobRow, "horizon-running")
            if row is not None:
                session.delete(row)
        database.dispose()
