"""The planner's page in a real browser: headless Chromium against ``gezinsrooster serve``."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit.web import SEEDED_WEEK, Site, browser_tab, no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """Give a fresh browser tab (own cookies) that accepts downloads, at the site's address."""
    with browser_tab(browser, site.base, accept_downloads=True) as tab:
        yield tab


def shoot(page: Any, folder: Path, name: str) -> None:
    """Save a full-page screenshot into the folder and check it is a picture of some size."""
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 20_000


def download(page: Any, link: Any, folder: Path) -> Path:
    """Give the file a click on the link downloads, saved into the folder."""
    with page.expect_download() as started:
        link.click()
    found = started.value
    path: Path = folder / found.suggested_filename
    found.save_as(str(path))
    return path


def test_planner_generates_reads_publishes_and_exports_a_week(
    page: Any, site: Site, tmp_path: Path
) -> None:
    """A planner uploads, generates, reads grid and shortfalls, publishes, exports, re-plans.

    A shortfall shows its decisive reason and what would make room; the
    other reasons open behind "meer".
    """
    from playwright.sync_api import expect

    sign_in(page, site, "planner")
    session = next(c for c in page.context.cookies() if c["name"] == "gzr_session")
    assert (session["httpOnly"], session["secure"], session["sameSite"]) == (True, True, "Strict")
    assert site.keys["planner"] not in session["value"] + page.url

    page.set_input_files("input[name=file]", str(FIXTURES / "tiny.json"))
    page.get_by_role("button", name="Inladen").click()
    page.wait_for_url(re.compile(r"/weeks/tiny-2027-W05$"))
    expect(page.locator(".roster-state")).to_contain_text("Voor deze week is nog geen rooster")

    page.get_by_label("Rekentijd").fill("2")
    page.get_by_role("button", name="Rooster maken").click()
    page.wait_for_selector(".progress-panel, .roster-state .state-done")
    expect(page.locator(".roster-state .state-done")).to_have_text("klaar", timeout=40_000)

    grid = page.locator("table.grid")
    expect(grid.locator("th.room-head .room-id")).to_have_text(
        ["VH-FK", "VH-BB1", "VH-BZ", "VH-KK"]
    )
    expect(grid.locator(".card").first).to_be_visible()
    expect(grid.locator(".card.act-regular_visit").first).to_contain_text("regulier bezoek")
    shoot(page, tmp_path, "grid.png")
    no_axe_violations(page)

    grid.locator("td.cell").first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement === document.querySelectorAll('td.cell')[1]")

    page.get_by_role("link", name="Vaders", exact=True).click()
    page.get_by_role("link", name="F-003", exact=True).click()
    page.wait_for_url(re.compile(r"/fathers/F-003"))
    shortfall = page.locator("tr.row-short", has_text="bezoek in de familiekamer")
    expect(shortfall.locator(".decisive")).to_contain_text("geen toestemming van de andere ouder")
    expect(shortfall.locator(".unblock")).to_be_visible()
    expect(shortfall.locator(".more .reasons")).to_be_hidden()
    shortfall.get_by_text("meer", exact=True).click()
    expect(shortfall.locator(".more .reasons")).to_be_visible()
    shortfall.locator(".explain summary").click()
    expect(shortfall.locator(".explain li").first).to_be_visible()
    shoot(page, tmp_path, "father.png")
    no_axe_violations(page)
    calendar = download(page, page.get_by_role("link", name="agenda (.ics)"), tmp_path)
    assert calendar.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")

    page.get_by_role("link", name="Rooster", exact=True).click()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.locator(".publish-preview")).to_contain_text("Controleer elke wijziging")
    no_axe_violations(page)
    page.get_by_role("button", name="Bevestigen en publiceren").click()
    assert "/publish?" in page.url  # the browser will not send the form without the tick
    page.get_by_label("Ik heb alle wijzigingen gezien").check()
    page.get_by_role("button", name="Bevestigen en publiceren").click()
    expect(page.locator(".flash-ok")).to_have_text("Gepubliceerd: PI-VH week 2027-W05, versie 1")
    expect(page.locator(".roster-state")).to_contain_text("gepubliceerd, versie 1")
    expect(page.get_by_role("button", name="Publiceren")).to_be_disabled()

    workbook = download(page, page.get_by_role("link", name="Excel"), tmp_path)
    assert workbook.suffix == ".xlsx" and zipfile.is_zipfile(workbook)
    table = download(page, page.get_by_role("link", name="CSV"), tmp_path)
    assert table.suffix == ".csv" and "F-00" in table.read_text(encoding="utf-8")

    page.get_by_label("Rekentijd").fill("2")
    page.get_by_role("button", name="Herplannen, zo min mogelijk wijzigen").click()
    expect(page.locator(".roster-state .state-done")).to_have_text("klaar", timeout=40_000)
    expect(page.locator(".notice-info")).to_contain_text("Tegenover het vorige rooster:")
    expect(page.locator(".notice").first).to_contain_text(
        "Gepubliceerd is een ander rooster (versie 1)."
    )


def test_print_view_fits_one_a4_landscape_sheet(page: Any, site: Site) -> None:
    """The print view of a week prints on exactly one A4 landscape page, without the buttons."""
    sign_in(page, site, "planner")
    page.goto(f"/weeks/{SEEDED_WEEK}/print")
    page.emulate_media(media="print")
    assert page.locator(".print-tools").is_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    box = re.search(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box is not None
    assert (round(float(box[1])), round(float(box[2]))) == (842, 595)


def test_a_volunteers_week_is_linked_from_staff_and_prints_on_one_a4_page(
    page: Any, site: Site
) -> None:
    """A volunteer's own week opens from the staff tab, names every day and prints on one A4."""
    sign_in(page, site, "planner")
    page.goto(f"/weeks/{SEEDED_WEEK}/staff")
    page.get_by_role("link", name="weekrooster afdrukken").first.click()
    page.wait_for_url(re.compile(r"/print/volunteer/"))
    assert page.locator("h1").inner_text().startswith("Weekrooster vrijwilliger ")
    days = page.locator(".person-week tbody th").all_inner_texts()
    assert [day.split()[0] for day in days] == ["ma", "di", "wo", "do", "vr", "za", "zo"]
    page.emulate_media(media="print")
    assert page.locator(".print-tools").is_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def test_the_fathers_list_is_searched_and_narrowed_in_the_browser(page: Any, site: Site) -> None:
    """Typing a pseudonym and ticking "onder minimum" narrow the fathers' list as the form says."""
    sign_in(page, site, "viewer")
    page.goto(f"/weeks/{SEEDED_WEEK}/fathers")
    rows = page.locator(".fathers-table tbody th a")
    assert rows.all_inner_texts() == ["F-004", "F-001", "F-002", "F-003"]
    page.get_by_label("Volgorde").select_option("shortfall")
    page.wait_for_url(re.compile(r"sort=shortfall"))
    assert rows.all_inner_texts() == ["F-002", "F-001", "F-003", "F-004"]
    page.get_by_label("onder minimum").check()
    page.wait_for_url(re.compile(r"below=1"))
    assert rows.all_inner_texts() == ["F-004"]
    page.get_by_label("onder minimum").uncheck()
    page.wait_for_url(re.compile(r"^(?!.*below=1)"))
    page.get_by_label("Zoeken").fill("F-003")
    page.get_by_label("Zoeken").press("Enter")
    page.wait_for_url(re.compile(r"q=F-003"))
    assert rows.all_inner_texts() == ["F-003"]
    no_axe_violations(page)
    assert page.locator(".fathers-table .badge-warn").first.inner_text() == (
        "geen toestemming andere ouder"
    )


def test_small_things_offline_notice_focus_ring_and_skip_past_the_grid(
    page: Any, site: Site
) -> None:
    """Off line a notice shows until the server answers; the focus ring is blue; skip the grid."""
    from playwright.sync_api import expect

    sign_in(page, site, "viewer")
    page.goto(f"/weeks/{SEEDED_WEEK}")
    notice = page.locator("[data-offline]")
    expect(notice).to_be_hidden()
    page.context.set_offline(True)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("De server is niet bereikbaar.")
    page.context.set_offline(False)
    expect(notice).to_be_hidden()

    skip = page.locator("a.skip-grid")
    skip.focus()
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert ring == "rgb(11, 87, 208)"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "after-grid"
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('table.grid')") is False


def test_signing_in_from_a_week_link_lands_on_that_week(page: Any, site: Site) -> None:
    """A week's link opened without a session asks for the key, then opens that week."""
    page.goto(f"/weeks/{SEEDED_WEEK}/staff")
    page.wait_for_url(re.compile(r"/signin\?next="))
    page.get_by_label("Sleutel").fill(site.keys["planner"])
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(rf"/weeks/{SEEDED_WEEK}/staff$"))


def test_viewer_sees_the_week_with_the_planner_buttons_disabled(page: Any, site: Site) -> None:
    """A viewer reads the seeded week in English; generate, re-plan and publish are disabled."""
    from playwright.sync_api import expect

    sign_in(page, site, "viewer")
    page.goto(f"/weeks/{SEEDED_WEEK}")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_contain_text("Week 5")
    for name in ("Generate roster", "Re-plan with fewest changes", "Publish"):
        expect(page.get_by_role("button", name=name)).to_be_disabled()
    expect(page.get_by_role("link", name="Excel")).to_be_enabled()
    no_axe_violations(page)
    page.get_by_role("link", name="Fathers", exact=True).click()
    expect(page.locator("table.fathers-table")).to_contain_text(
        "no consent (other parent or information sharing)"
    )
    no_axe_violations(page)


CONTRAST = """
(selectors) => {
  const channels = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  };
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = channels(getComputedStyle(e).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) { return colour.slice(0, 3); }
    }
    return [255, 255, 255];
  };
  const worst = {};
  for (const selector of selectors) {
    for (const element of document.querySelectorAll(selector)) {
      const a = luminance(channels(getComputedStyle(element).color).slice(0, 3));
      const b = luminance(background(element));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      worst[selector] = Math.min(worst[selector] || 99, ratio);
    }
  }
  return worst;
}
"""


def test_every_kind_of_text_on_the_week_page_has_readable_contrast(page: Any, site: Site) -> None:
    """Text of the grid, buttons (disabled too), tabs and figures contrasts 4.5:1 or more."""
    sign_in(page, site, "viewer")
    page.goto(f"/weeks/{SEEDED_WEEK}")
    selectors = [
        "body", ".muted", ".hours", ".room-kind", ".card .when", ".card .what",
        ".card .fathers a", ".card .staff", ".card .staff-line", "button[disabled]",
        ".tabs a", ".tabs a.current", ".kpi dt", ".kpi dd", ".badge", "thead th", "a.button",
    ]  # fmt: skip
    worst = page.evaluate(CONTRAST, selectors)
    assert set(worst) == set(selectors)
    assert {s: round(r, 2) for s, r in worst.items() if r < 4.5} == {}
