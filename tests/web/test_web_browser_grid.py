"""In a real browser: the grid tells the whole week, and the what-if tab says what to buy next."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit.web import (
    SEEDED_WEEK,
    Site,
    browser_tab,
    no_axe_violations,
    no_axe_violations_as_shown,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """Give a fresh browser tab (own cookies) at the site's address."""
    with browser_tab(browser, site.base) as tab:
        yield tab


def test_the_grid_shows_idle_sessions_free_capacity_and_the_bottleneck(
    page: Any, site: Site
) -> None:
    """Thursday's cooking does not run, in grey, for the partner cap; hours free; the bottleneck."""
    from playwright.sync_api import expect

    sign_in(page, site, "planner")
    page.goto(f"/weeks/{SEEDED_WEEK}")
    idle = page.locator("[data-idle=S-KK-THU]")
    expect(idle).to_be_visible()
    expect(idle).to_contain_text("samen koken")
    expect(idle).to_contain_text("draait niet")
    expect(idle.locator(".idle-reason")).to_contain_text("partnerplafond bereikt")
    background = idle.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(238, 240, 243)"
    expect(page.locator("[data-free]").first).to_contain_text(re.compile(r"u vrij van \d"))
    expect(page.locator("[data-free]", has_text="plaatsen vrij").first).to_be_visible()
    expect(page.locator("[data-bottleneck]")).to_contain_text(
        re.compile(r"Knelpunt van de week: partnertijd .* van de \d+ tekorten; 5,5 van 6 uur")
    )
    no_axe_violations(page)


def test_while_a_solve_runs_the_grid_shows_the_best_roster_so_far(page: Any, site: Site) -> None:
    """Veenhuizen solving for 25 s: before the end the grid holds cards marked as best so far."""
    from playwright.sync_api import expect

    sign_in(page, site, "planner")
    page.set_input_files("input[name=file]", str(FIXTURES / "veenhuizen.json"))
    page.get_by_role("button", name="Inladen").click()
    page.wait_for_url(re.compile(r"/weeks/veenhuizen-2027-W05$"))
    page.get_by_label("Rekentijd").fill("25")
    page.get_by_role("button", name="Rooster maken").click()
    panel = page.locator(".progress-panel")
    expect(panel).to_be_visible()
    expect(page.locator("[data-best-so-far]")).to_be_visible(timeout=20_000)
    expect(page.locator("table.grid .card").first).to_be_visible()
    expect(panel).to_be_visible()
    assert page.locator(".roster-state .state-running").count() == 1
    no_axe_violations_as_shown(page)
    expect(page.locator(".roster-state .state-done")).to_have_text("klaar", timeout=60_000)
    expect(page.locator("[data-best-so-far]")).to_have_count(0)


def test_the_grid_changes_to_the_searchs_better_roster_while_the_solve_runs(
    page: Any, site: Site
) -> None:
    """A holiday week solving for 30 s: the warm start, then the search's better roster, no reload.

    Both are marked as the best so far with when they came and their
    figures; the grid is replaced in place while the solve still runs.
    """
    from playwright.sync_api import expect

    sign_in(page, site, "planner")
    page.set_input_files("input[name=file]", str(FIXTURES / "edge-holiday.json"))
    page.get_by_role("button", name="Inladen").click()
    page.wait_for_url(re.compile(r"/weeks/edge-holiday-2027-W17$"))
    page.get_by_label("Rekentijd").fill("30")
    page.get_by_role("button", name="Rooster maken").click()
    marked = page.locator("[data-best-so-far]")
    expect(marked).to_be_visible(timeout=20_000)
    figures = marked.locator("[data-best-so-far-figures]")
    expect(figures).to_contain_text(
        re.compile(r"Gevonden na [\d,]+ s \(.+\): \d+ van de 20 vaders")
    )
    first = marked.get_attribute("data-rosters")
    # Marked on the page as it loaded: a reload would lose it, a grid replaced in place keeps it.
    page.evaluate("document.body.dataset.loadedOnce = 'yes'")
    page.wait_for_function(
        """(first) => {
            const marked = document.querySelector('[data-best-so-far]');
            return marked && marked.getAttribute('data-rosters') !== first
                && document.querySelector('.roster-state .state-running') !== null;
        }""",
        arg=first,
        timeout=35_000,
    )
    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"
    expect(figures).to_contain_text("gevonden door de zoektocht")
    expect(page.locator("table.grid .card").first).to_be_visible()
    assert page.locator(".roster-state .state-running").count() == 1
    no_axe_violations_as_shown(page)
    expect(page.locator(".roster-state .state-done")).to_have_text("klaar", timeout=60_000)
    expect(marked).to_have_count(0)


def test_a_queued_solve_shows_that_it_runs_once_it_does_without_a_reload(
    page: Any, site: Site
) -> None:
    """A second solve waits for the first (one job at a time); its page, made while it waited,
    says so, and then that it is being made, once the first has ended, without a reload."""
    from playwright.sync_api import expect

    sign_in(page, site, "planner")
    for name, week, seconds in (("veenhuizen", "W05", "12"), ("edge-holiday", "W17", "3")):
        page.goto("/")
        page.set_input_files("input[name=file]", str(FIXTURES / f"{name}.json"))
        # The other tests of the site may have loaded the same week already.
        page.get_by_label("Bestaande week vervangen").check()
        page.get_by_role("button", name="Inladen").click()
        page.wait_for_url(re.compile(rf"/weeks/{name}-2027-{week}$"))
        page.get_by_label("Rekentijd").fill(seconds)
        page.get_by_role("button", name="Rooster maken").click()
    state = page.locator(".roster-state [data-job-state]")
    expect(state).to_have_text("in de wachtrij")
    page.evaluate("document.body.dataset.loadedOnce = 'yes'")
    expect(state).to_have_text("wordt gemaakt", timeout=40_000)
    expect(page.locator(".progress-panel [data-field=state]")).to_have_text("wordt gemaakt")
    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"
    expect(page.locator(".roster-state .state-done")).to_have_text("klaar", timeout=60_000)


def test_the_whatif_tab_ranks_what_to_buy_and_confirms_the_best_by_solving(
    page: Any, site: Site
) -> None:
    """A what-if of the seeded week at 1 s a solve lists the purchases; the top ones are solved."""
    from playwright.sync_api import expect

    sign_in(page, site, "planner")
    page.goto(f"/weeks/{SEEDED_WEEK}/whatif")
    page.locator("form[action$='/whatif'] input[name=time_limit]").fill("1")
    page.get_by_role("button", name="Wat-als-analyse starten").click()
    bought = page.locator("[data-buy]")
    expect(bought).to_be_visible(timeout=180_000)
    expect(bought.locator("h3")).to_have_text("Wat nu kopen?")
    items = bought.locator("li")
    expect(items.first).to_contain_text(re.compile(r"^1 .+: \+[\d,]+ waarde"))
    expect(bought.locator("li", has_text="1 extra uur partnertijd")).to_have_count(1)
    expect(bought.locator("li.confirmed").first).to_contain_text("nagerekend: ")
    assert bought.locator("li.confirmed").count() <= 3
    no_axe_violations(page)
