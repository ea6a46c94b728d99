"""The weeks side by side and a father's last four weeks, served in-process."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from api.tables import AuditEntry, JobRow, utcnow
from tests.kit.service import empty_roster
from tests.kit.web import (
    TINY_OUTCOMES,
    Web,
    baseline_roster,
    following_week_data,
    seed_roster,
    tiny_data,
)

WEEK = "/weeks/tiny-2027-W05"
# F-001 in tiny's first-come-first-served roster: one family-room visit, three video calls.
GRANTED_IN_W05 = {"family_room_visit": 1, "video_call": 3}


def two_weeks(web: Web, make: Callable[[dict[str, Any]], dict[str, Any]] = baseline_roster) -> None:
    """Publish tiny's week with a no-show and a cancellation; store the next with a draft."""
    planner = web.api.headers("planner")
    client = web.api.client
    assert client.post(f"/v1/rosters/{web.roster_id}/publish", headers=planner).status_code == 200
    assert client.post("/v1/outcomes", json=TINY_OUTCOMES, headers=planner).status_code == 201
    following = following_week_data(tiny_data())
    seed_roster(web.api.services, following, make(following))


def cells(html: str, heading: str) -> list[str]:
    """Give the text of each cell in the table row headed ``heading``."""
    row = re.search(r'<th scope="row">' + re.escape(heading) + r"</th>(.*?)</tr>", html, re.S)
    assert row is not None, heading
    found = re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    return [" ".join(markup.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in found]


def test_the_horizon_shows_the_weeks_side_by_side(web: Web) -> None:
    """Week 5 published, week 6 a draft, weeks 7 and 8 not stored; each with its figures."""
    two_weeks(web)
    web.sign_in("viewer")
    answer = web.api.client.get(f"{WEEK}/horizon")
    assert answer.status_code == 200
    page = answer.text
    assert cells(page, "Rooster") == [
        "gepubliceerd, versie 1", "concept, niet gepubliceerd",
        "geen week opgeslagen", "geen week opgeslagen",
    ]  # fmt: skip
    assert "Naar het rooster van week 6" in page
    assert 'href="/weeks/tiny-2027-W06?institution=PI-VH&amp;roster=' in page
    below = cells(page, "Onder wettelijk minimum")
    assert below[2:] == ["–", "–"] and all(item[0].isdigit() for item in below[:2])


def test_a_fathers_page_shows_his_last_four_weeks(web: Web) -> None:
    """F-001's page of week 6 shows week 5's visits, its cancellation, and the read is audited."""
    two_weeks(web)
    web.sign_in("planner")
    page = web.api.client.get("/weeks/tiny-2027-W06/fathers/F-001?institution=PI-VH").text
    assert "Zijn laatste vier weken" in page
    draft = baseline_roster(following_week_data(tiny_data()))["assignments"]
    for activity, name in (("family_room_visit", "bezoek in de familiekamer"),
                           ("video_call", "skypen (beeldbellen)")):  # fmt: skip
        now = sum(1 for a in draft if a["activity"] == activity and "F-001" in a["fathers"])
        assert cells(page, name) == ["–", "–", str(GRANTED_IN_W05[activity]), str(now)]
    outcomes = cells(page, "Uitkomsten")
    assert outcomes[:2] == ["niet gepubliceerd", "niet gepubliceerd"]
    assert "geannuleerd door de inrichting: 1" in outcomes[2]
    assert "heeft plaatsgevonden" not in outcomes[2] and outcomes[3] == "–"
    with web.api.services.database.read() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "web.father_weeks"))
        details = [e.detail for e in entries]
    assert details == ["weeks 2027-W05; fathers F-001"]


def test_the_weeks_tab_starts_a_horizon_for_a_planner_only(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner's form starts a horizon job of the week; a viewer's is refused, none made."""
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(web.api.services.runner, "start", lambda _id, load: started.append(load))
    client = web.api.client
    for who in ("viewer", "planner"):
        web.sign_in(who)
        form = {"csrf": web.csrf(), "weeks": "2", "time_limit": "3", "institution": "PI-VH"}
        answer = client.post(f"{WEEK}/horizon", data=form, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"{WEEK}/horizon?institution=PI-VH"
    assert [(load["weeks"], load["given"]) for load in started] == [(2, ["tiny-2027-W05"])]
    page = client.get(f"{WEEK}/horizon").text
    assert "Planning van 2 weken gestart" in page and 'data-horizon-state="queued"' in page
    with web.api.services.database.read() as session:
        kinds = [row.kind for row in session.scalars(select(JobRow))]
    assert kinds.count("horizon") == 1


def test_the_weeks_tab_follows_a_running_horizon_week_by_week(web: Web) -> None:
    """A running horizon with one of two weeks solved: its panel, and its progress as JSON."""
    planned = {"week": "2027-W05", "pass": "held", "status": "feasible", "gap": 0.014,
               "floor": 0.25}  # fmt: skip
    progress = {"phase": "solving", "seconds": 31.0, "weeks": 2, "done": 1, "total": 2,
                "planned": [planned]}  # fmt: skip
    with web.api.services.database.write() as session:
        session.add(
            JobRow(
                id="horizon-running", kind="horizon", problem_id="tiny-2027-W05",
                institutions=["PI-VH"], state="running", params={"weeks": 2},
                progress=progress, created_at=utcnow(), started_at=utcnow(),
            )
        )  # fmt: skip
    web.sign_in("viewer")
    page = web.api.client.get(f"{WEEK}/horizon").text
    assert 'data-url="/horizons/horizon-running/progress"' in page and 'data-done="1"' in page
    assert "1 / 2 weken opgelost" in page
    line = re.search(r'<ol class="plain horizon-solved">(.*?)</ol>', page, re.S)
    assert line is not None
    text = " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", line[1])).split())
    assert text == "Week 5 (week voor week): Laagste per vader 25% · afstand tot de grens 1,4%"
    answer = web.api.client.get("/horizons/horizon-running/progress").json()
    assert answer == {"state": "running", "live": True, "progress": progress, "error": None}


def test_the_weeks_tab_shows_the_four_week_figures(web: Web) -> None:
    """Week 6's tab reads week 5 from the store: the fathers below the minimum in both are loud."""
    two_weeks(web, empty_roster)  # week 6's draft places nothing: every father is below in it
    web.sign_in("planner")
    client = web.api.client
    side_by_side = client.get(f"{WEEK}/horizon?institution=PI-VH").text
    row = re.search(r'<th scope="row">Onder wettelijk minimum</th>(.*?)</tr>', side_by_side, re.S)
    assert row is not None
    cells_of = re.findall(r"<td>(.*?)</td>", row[1], re.S)
    week5, week6 = (set(re.findall(r">(F-\d+)</a>", cell)) for cell in cells_of[:2])
    assert week5 and week6
    page = client.get("/weeks/tiny-2027-W06/horizon?institution=PI-VH").text
    assert "Over vier weken (2027-W05, 2027-W06)" in page
    loud = re.search(r'<p class="flash flash-error" data-loud>(.*?)</p>', page, re.S)
    shown = sorted(re.findall(r">(F-\d+)</a>", loud[1])) if loud else []
    assert shown and shown == sorted(week5 & week6)
