"""Helpers of the planner's page tests: the service kit, a seeded week, a real server, Chromium.

The service kit (``tests.kit.service``) gives the in-process service with a
key per role, and ``tests.kit.server`` a real ``gezinsrooster serve`` on a
free port; this module adds what the page tests need on top.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.kit.server import free_port, serving
from tests.kit.service import (
    Api,
    baseline_roster,
    following_week_data,
    make_api,
    seed_roster,
    tiny_data,
)

__all__ = [
    "Api",
    "baseline_roster",
    "browser_tab",
    "following_week_data",
    "free_port",
    "make_api",
    "no_axe_violations",
    "no_axe_violations_as_shown",
    "publish_from_grid",
    "sign_in",
    "seed_roster",
    "serving",
    "tiny_data",
]

CHROMIUM = os.environ.get("GEZINSROOSTER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEEDED_WEEK = "seeded-2027-W05"
TINY_OUTCOMES = {
    "institution": "PI-VH",
    "week": "2027-W05",
    "outcomes": [
        {"assignment": "S-BZ-WED", "father": "F-002", "outcome": "no_show"},
        {
            "assignment": "F-001-family_room_visit-tue1500",
            "father": "F-001",
            "outcome": "cancelled_by_institution",
        },
    ],
}
"""Outcomes of tiny.json's first-come-first-served week: a no-show and a cancellation."""


def no_axe_violations(page: Any) -> None:
    """Check the page as it stands breaks no rule axe-core checks; else name each rule and where."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def no_axe_violations_as_shown(page: Any) -> None:
    """Check the page as it is shown now, copied into a tab of its own without its scripts.

    A page that follows a running solve replaces its grid and reloads itself
    once the solve ends, which can happen while axe-core walks it; the copy,
    with the same markup and style sheets, holds still.
    """
    markup = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S | re.I)
    markup = re.sub(r"<head>", f'<head><base href="{page.url}">', markup, count=1, flags=re.I)
    still = page.context.new_page()
    try:
        still.set_content(markup, wait_until="load")
        no_axe_violations(still)
    finally:
        still.close()


@dataclass
class Web:
    """The service in-process with keys per role, and a stored week with a finished roster."""

    api: Api
    roster_id: str

    def sign_in(self, who: str) -> httpx.Response:
        """Give the answer to signing in with one of the test keys (the cookie is kept)."""
        client = self.api.client
        client.cookies.clear()
        answer: httpx.Response = client.post(
            "/signin",
            data={"key": self.api.keys[who], "csrf": self.signin_csrf()},
            follow_redirects=False,
        )
        return answer

    def signin_csrf(self) -> str:
        """Give the sign-in form's CSRF token (its cookie is kept by the client)."""
        return form_token(self.api.client.get("/signin").text)

    def csrf(self) -> str:
        """Give the CSRF token of the signed-in session, read from the overview's sign-out form."""
        return form_token(self.api.client.get("/").text)


def form_token(html: str) -> str:
    """Give the value of the first ``csrf`` field of a page's forms."""
    marker = 'name="csrf" value="'
    return html.split(marker, 1)[1].split('"', 1)[0]


@dataclass
class Site:
    """A running ``gezinsrooster serve``: its address, and keys by role."""

    base: str
    keys: dict[str, str]


def seeded_week() -> dict[str, Any]:
    """Give tiny.json under another id, to store with its baseline roster before serving."""
    data: dict[str, Any] = copy.deepcopy(tiny_data())
    data["id"] = SEEDED_WEEK
    return data


@contextmanager
def browser_tab(browser: Any, base: str, width: int = 1600, **options: Any) -> Iterator[Any]:
    """Give a fresh browser tab (own cookies) at the base address, closed afterwards."""
    viewport = {"width": width, "height": 1000}
    context = browser.new_context(base_url=base, viewport=viewport, **options)
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(page: Any, site: Site, who: str = "planner") -> None:
    """Sign in on the browser page with the site's key of who, landing on the overview."""
    page.goto("/signin")
    page.get_by_label("Sleutel").fill(site.keys[who])
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r"/$"))


def publish_from_grid(page: Any) -> None:
    """Publish the grid's roster as a planner does: Publiceren, the preview ticked, Publiceren."""
    page.get_by_role("button", name="Publiceren").click()
    page.wait_for_url(re.compile(r"/publish\?"))
    page.get_by_label("Ik heb alle wijzigingen gezien").check()
    page.get_by_role("button", name="Bevestigen en publiceren").click()
