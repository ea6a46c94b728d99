"""Helpers of the planner's page tests: the service kit, a seeded week, a real server, Chromium.

The service tests' kit (``tests/api/service_kit.py``) gives the in-process
service with a key per role, and ``server_kit.serving`` a real ``gezinsrooster
serve`` on a free port; this kit adds what the page tests need on top.
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from server_kit import free_port, serving  # noqa: E402
from service_kit import (  # noqa: E402
    Api,
    baseline_roster,
    make_api,
    seed_roster,
    tiny_data,
)

__all__ = ["Api", "baseline_roster", "free_port", "make_api", "seed_roster", "serving", "tiny_data"]

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
            "/signin", data={"key": self.api.keys[who]}, follow_redirects=False
        )
        return answer

    def csrf(self) -> str:
        """Give the CSRF token of the signed-in session, read from the overview's sign-out form."""
        text: str = self.api.client.get("/").text
        marker = 'name="csrf" value="'
        return text.split(marker, 1)[1].split('"', 1)[0]


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
