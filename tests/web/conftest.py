"""Fixtures of the planner's page tests: the service in-process, a real server, and Chromium.

The in-process service (``web``) is reached over HTTPS so that the Secure
session cookie is sent. The real server (``site``) is ``gezinsrooster
serve`` with its own SQLite file; ``browser`` is Debian's headless Chromium
driven by Playwright, and every test that needs it is skipped, saying why,
when it is not installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from api.database import Database
from api.keys import create_key
from tests.kit.web import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Site,
    Web,
    baseline_roster,
    free_port,
    make_api,
    seed_roster,
    seeded_week,
    serving,
    tiny_data,
)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    """Give the service on a fresh SQLite file with tiny.json stored and its baseline roster."""
    for api in make_api(f"sqlite:///{tmp_path / 'web.db'}", solve_time_limit=2):
        api.client.base_url = httpx.URL("https://testserver")
        data = tiny_data()
        yield Web(api, seed_roster(api.services, data, baseline_roster(data)))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Give a real server on 127.0.0.1 with a planner and a viewer key of PI-VH, a week seeded."""
    url = f"sqlite:///{tmp_path_factory.mktemp('site') / 'site.db'}"
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        keys = {
            role: create_key(session, role, ["PI-VH"], f"{role} of the browser test")[1]
            for role in ("planner", "viewer")
        }
    data = seeded_week()
    seed_roster(SimpleNamespace(database=database), data, baseline_roster(data))
    database.dispose()
    with serving(url, free_port()) as server:
        yield Site(server.base, keys)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Give headless Chromium (Debian's) under Playwright; skip, saying why, without it."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's package as root "
            "(apt-get install -y chromium; make test does so) to run the browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        pytest.skip(f"playwright is not installed ({error}); pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
