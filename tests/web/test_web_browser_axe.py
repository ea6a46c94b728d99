"""Every page of the application, walked in a real browser as a planner, a viewer and a manager.

axe-core checks each page as it stands (0 violations). The walked paths are
compared with the router's GET routes that give a page, so a new page
without an axe check fails here. With ``GEZINSROOSTER_SCREENSHOTS`` set to a
folder, the comparison of two published versions is saved there as
``compare.png`` (``docs/screenshots/compare.png`` is made so).
"""

from __future__ import annotations

import copy
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from api.database import Database
from api.jobs import utcnow
from api.keys import create_key
from api.tables import JobRow
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
WEEK = f"/weeks/{SEEDED_WEEK}"
# GET routes that answer with something other than a page: files, redirects, JSON, downloads.
NOT_PAGES = {
    "/static/{name}",
    "/language/{language}",
    "/week",
    "/rosters/{roster_id}/progress",
    "/rosters/{roster_id}/export",
    "/whatif/{job_id}/progress",
    "/horizons/{horizon_id}/progress",
    "/whatif/{job_id}/charts/{name}",
}
PARTNER_SWEEP = {
    "sweeps": [
        {
            "name": "partner-cap",
            "parameter": "partner_cap_hours",
            "values": {"from": 0, "to": 6, "step": 6},
            "changes": [{"op": "set_policy", "partner_cap_hours": "$value"}],
        }
    ]
}


@dataclass
class WalkSite(Site):
    """The real server, its keys by role, the seeded rosters, and the paths walked so far."""

    first: str
    second: str
    walked: dict[str, set[str]] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)


def second_version(roster: dict[str, Any]) -> dict[str, Any]:
    """Give the roster with F-001's family-room visit an hour later and O-02 on Wednesday's hall."""
    later = copy.deepcopy(roster)
    for item in later["assignments"]:
        if item["id"] == "F-001-family_room_visit-tue1500":
            item["start"], item["end"] = "2027-02-02T16:00:00+01:00", "2027-02-02T17:30:00+01:00"
        if item["id"] == "S-BZ-WED":
            item["officers"] = ["O-02"]
    return later


def walk_week() -> dict[str, Any]:
    """Give the seeded week with O-02 on shift on Wednesday afternoon too (for the staff swap)."""
    data = seeded_week()
    for officer in data["officers"]:
        if officer["id"] == "O-02":
            officer["shifts"].append({"day": "wed", "start": "13:00", "end": "17:00"})
    return data


def seed_whatif(database: Database, data: dict[str, Any]) -> None:
    """Store a finished what-if analysis of the week: the partner cap at 0 and 6 hours, 1 s each."""
    from whatif.sweep import run_job

    options = {"time_limit": 1, "executor": "serial"}
    payload = {"problem": data, "scenarios": PARTNER_SWEEP, "options": options}
    result = run_job(payload, lambda *_: None)
    with database.write() as session:
        session.add(
            JobRow(
                id=str(uuid.uuid4()),
                kind="whatif",
                problem_id=data["id"],
                institutions=["PI-VH"],
                state="done",
                params={**options, "scenarios": PARTNER_SWEEP},
                progress={},
                result=result,
                created_at=utcnow(),
                finished_at=utcnow(),
            )
        )


@pytest.fixture(scope="module")
def walk_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalkSite]:
    """Give a real server with the week's baseline and a later roster, and a finished what-if."""
    url = f"sqlite:///{tmp_path_factory.mktemp('walk-site') / 'site.db'}"
    database = Database(url)
    database.upgrade()
    scopes = {
        "planner": ("planner", ["PI-VH"]),
        "viewer": ("viewer", ["PI-VH"]),
        "manager": ("viewer", ["PI-VH", "PI-NH", "PI-ZW"]),
        "outsider": ("viewer", ["PI-ZW"]),
    }
    with database.write() as session:
        keys = {
            who: create_key(session, role, institutions, f"{who} of the walk")[1]
            for who, (role, institutions) in scopes.items()
        }
    data = walk_week()
    services = SimpleNamespace(database=database)
    first = seed_roster(services, data, baseline_roster(data))
    second = seed_roster(services, data, second_version(baseline_roster(data)))
    seed_whatif(database, data)
    database.dispose()
    with serving(url, free_port(), solve_time_limit="2") as server:
        yield WalkSite(server.base, keys, first, second)


@pytest.fixture
def page(browser: Any, walk_site: WalkSite) -> Iterator[Any]:
    """Give a fresh browser tab (own cookies) at the site's address."""
    with browser_tab(browser, walk_site.base, 1440) as tab:
        yield tab


def checked(page: Any, site: WalkSite, who: str) -> None:
    """Check the page as it stands with axe-core, and note its path as walked by who."""
    page.wait_for_load_state("load")
    no_axe_violations(page)
    site.walked.setdefault(who, set()).add(page.url.split("?", 1)[0].removeprefix(site.base))


def visit(page: Any, site: WalkSite, who: str, path: str, status: int = 200) -> None:
    """Open the path, check it answers with the status, and check the page with axe-core."""
    answer = page.goto(path)
    assert answer is not None and answer.status == status, (path, answer and answer.status)
    checked(page, site, who)


def read_pages(site: WalkSite) -> list[str]:
    """Give the pages every role reads: the week's tabs, a father, prints, versions compared."""
    return [
        "/",
        WEEK,
        f"{WEEK}?roster={site.first}",
        f"{WEEK}/fathers",
        f"{WEEK}/fathers/F-003",
        f"{WEEK}/staff",
        f"{WEEK}/events",
        f"{WEEK}/horizon",
        f"{WEEK}/publish?roster={site.first}",
        f"{WEEK}/whatif",
        f"{WEEK}/print",
        f"{WEEK}/print/volunteer/V-EX1",
        f"{WEEK}/print/officer/O-01",
        f"{WEEK}/compare?from=1&to=2",
        f"{WEEK}/edit?assignment=S-BZ-WED",
        "/weeks/no-such-week-1",
    ]


def test_a_planner_walks_every_page_and_axe_finds_nothing(
    page: Any, walk_site: WalkSite, tmp_path: Path
) -> None:
    """Sign-in to publish, edit, compare, repair and what-if: each page has 0 axe violations.

    The comparison of versions 1 and 2 shows the moved visit and the staff swap.
    """
    from playwright.sync_api import expect

    site = walk_site
    visit(page, site, "planner", "/signin")
    sign_in(page, site, "planner")
    checked(page, site, "planner")
    visit(page, site, "planner", f"{WEEK}/fathers/F-003")
    shortfall = page.locator("tr.row-short", has_text="bezoek in de familiekamer")
    expect(shortfall.locator(".unblock")).to_be_visible()
    shortfall.get_by_text("meer", exact=True).click()
    expect(shortfall.locator(".more .reasons")).to_be_visible()
    checked(page, site, "planner")

    visit(page, site, "planner", f"{WEEK}?roster={site.first}")
    page.get_by_role("link", name="Bewerk F-001 di 2 feb 15:00").click()
    page.wait_for_url(re.compile(r"/edit\?"))
    checked(page, site, "planner")
    page.locator("#move-day").select_option("1")
    page.locator("#move-time").fill("16:00")
    page.get_by_role("button", name="Verplaatsen", exact=True).click()
    expect(page.locator(".flash-ok")).to_contain_text("Opgeslagen als concept")
    checked(page, site, "planner")
    page.get_by_role("link", name="Verschil met het vorige rooster").click()
    expect(page.locator("[data-summary]")).to_contain_text("ongewijzigd")
    checked(page, site, "planner")
    site.reads.append(page.url.removeprefix(site.base))

    for roster, version in ((site.first, 1), (site.second, 2)):
        page.goto(f"{WEEK}?roster={roster}")
        page.get_by_role("button", name="Publiceren").click()
        checked(page, site, "planner")
        page.get_by_label("Ik heb alle wijzigingen gezien").check()
        page.get_by_role("button", name="Bevestigen en publiceren").click()
        expect(page.locator(".flash-ok")).to_contain_text(f"versie {version}")
    visit(page, site, "planner", f"{WEEK}/compare?from=1&to=2")
    expect(page.locator(".diff-moved li")).to_contain_text("F-001")
    expect(page.locator(".diff-swaps li").first).to_contain_text("O-02")
    folder = Path(os.environ.get("GEZINSROOSTER_SCREENSHOTS", tmp_path))
    page.screenshot(path=str(folder / "compare.png"), full_page=True)

    visit(page, site, "planner", f"{WEEK}/events")
    page.get_by_label("Wat gebeurde er").select_option("room_closure")
    page.get_by_label("Wie of wat").fill("VH-FK")
    page.get_by_label("Vanaf", exact=True).fill("2027-02-02T14:00")
    page.get_by_label("Tot (niet bij een time-out)").fill("2027-02-02T18:00")
    page.get_by_role("button", name="Gebeurtenis vastleggen").click()
    expect(page.locator(".flash-ok")).to_contain_text("Vastgelegd")
    checked(page, site, "planner")
    page.get_by_role("button", name="Herstel voorstellen").click()
    page.wait_for_url(re.compile(r"/repairs/"))
    page.wait_for_selector(".publish-preview", timeout=40_000)
    checked(page, site, "planner")
    site.reads.append(page.url.removeprefix(site.base))

    for path in read_pages(site):
        visit(page, site, "planner", path, 404 if "no-such" in path else 200)
    page.goto(f"{WEEK}/whatif")
    expect(page.locator("[data-buy] h3")).to_have_text("Wat nu kopen?")
    expect(page.locator("img[src*='/charts/']").first).to_be_visible()


@pytest.mark.parametrize("who", ["viewer", "manager"])
def test_a_viewer_and_a_manager_read_every_page_and_axe_finds_nothing(
    page: Any, walk_site: WalkSite, who: str
) -> None:
    """Each page a viewer, or a manager of three prisons in English, reads has 0 axe violations."""
    site = walk_site
    visit(page, site, who, "/signin")
    sign_in(page, site, who)
    if who == "manager":
        page.goto("/language/en?next=/")
        assert page.locator("html").get_attribute("lang") == "en"
    for path in read_pages(site) + site.reads:
        visit(page, site, who, path, 404 if "no-such" in path else 200)


def test_a_key_of_another_prison_gets_the_403_page_without_violations(
    page: Any, walk_site: WalkSite
) -> None:
    """A key of PI-ZW opening PI-VH's week gets the error page, which axe finds nothing on."""
    sign_in(page, walk_site, "outsider")
    visit(page, walk_site, "outsider", WEEK, 403)


def test_every_page_route_was_walked_by_the_planner(walk_site: WalkSite) -> None:
    """Each GET route of the pages that answers with HTML is among the paths the planner walked."""
    from api.web.routes import router

    pages = {
        route.path: route.path_regex
        for route in router.routes
        if "GET" in getattr(route, "methods", set()) and route.path not in NOT_PAGES
    }
    walked = walk_site.walked.get("planner", set())
    assert walked, "the planner's walk (the first test of this module) did not run"
    missed = sorted(p for p, regex in pages.items() if not any(regex.match(w) for w in walked))
    assert missed == []
